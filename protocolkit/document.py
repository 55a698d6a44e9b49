"""The one document tree that readers build and writers, the checker and the diff consume.

A Document is numbered Sections of numbered Clauses; a Clause's body is a flat list
of Paragraphs, each either body text or a bullet item. Every node may carry the
Source it came from so that findings point at the line to fix.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

DocKind = Literal["protocol", "dsa"]

DOC_FILENAMES: dict[str, str] = {
    "protocol": "protocol",
    "dsa": "data-sharing-agreement",
}


@dataclass(frozen=True)
class Source:
    """Where a node came from: a file and, when known, a 1-based line and column, or the page of a PDF."""

    path: str
    line: int | None = None
    column: int | None = None
    page: int | None = None

    def __str__(self) -> str:
        if self.line is None:
            return self.path
        return f"{self.path}:{self.line}:{self.column or 1}"


@dataclass
class Paragraph:
    text: str
    style: Literal["body", "bullet", "row"] = "body"  # a row's cells are parted by tabs
    page: int | None = None  # the page it starts on, for a document read from a PDF

    def plain(self) -> str:
        """The paragraph as a line of plain text: a bullet after '- ', a table row as '| cell | cell |'."""
        if self.style == "bullet":
            return "- " + self.text
        if self.style == "row":
            return "| " + " | ".join(self.text.split("\t")) + " |"
        return self.text


@dataclass
class Clause:
    id: str
    title: str
    paragraphs: list[Paragraph] = field(default_factory=list)
    number: str = ""
    citations: list[str] = field(default_factory=list)
    source: Source | None = None

    @property
    def text(self) -> str:
        """The clause's body as plain text, one paragraph a line, bullets marked with '- '."""
        return "\n".join(p.plain() for p in self.paragraphs)


@dataclass
class Section:
    id: str
    title: str
    clauses: list[Clause] = field(default_factory=list)
    number: str = ""
    source: Source | None = None


@dataclass
class Party:
    """An organisation that is party to the agreement."""

    key: str
    name: str
    role: str
    contact: str = ""
    dpo: str = ""


@dataclass
class Signatory:
    name: str
    role: str
    organisation: str
    party: str = ""


@dataclass
class HistoryEntry:
    version: str
    date: date | None
    author: str
    summary: str


@dataclass
class Metadata:
    """Facts printed on the cover, in document control and on the signature page."""

    partnership_id: str = ""
    title: str = ""
    subtitle: str = ""
    version: str = ""
    in_force: date | None = None
    review_due: date | None = None
    last_reviewed: date | None = None
    review_cycle_months: int | None = None
    marking: str = ""
    author: str = ""
    owner: str = ""
    parties: list[Party] = field(default_factory=list)
    signatories: list[Signatory] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)


@dataclass
class Document:
    kind: DocKind
    title: str
    sections: list[Section] = field(default_factory=list)
    metadata: Metadata = field(default_factory=Metadata)
    source: Source | None = None

    def clauses(self) -> list[Clause]:
        """Every clause in document order."""
        return [c for s in self.sections for c in s.clauses]

    def section(self, section_id: str) -> Section | None:
        """The section with this id, or None."""
        return next((s for s in self.sections if s.id == section_id), None)

    def plain_text(self) -> str:
        """The assembled text, canonical and stable: what the fingerprint is taken of."""
        lines = [self.title]
        for s in self.sections:
            lines.append(f"{s.number} {s.title}".strip())
            for c in s.clauses:
                lines.append(f"{c.number} {c.title}".strip())
                lines.extend(p.plain() for p in c.paragraphs)
        return "\n".join(lines)

    def signed_facts(self) -> str:
        """The facts printed around the text that the signatories also put their names to: the partnership, version,
        date in force, marking, parties and signatories (not the review dates, which a review moves on)."""
        meta = self.metadata
        lines = [meta.subtitle, meta.version, meta.in_force.isoformat() if meta.in_force else "", meta.marking]
        lines += [f"party: {p.name} ({p.role})" for p in meta.parties]
        lines += [f"signatory: {s.name}, {s.role}, {s.organisation}" for s in meta.signatories]
        return "\n".join(lines)

    def fingerprint(self) -> str:
        """SHA-256 of the assembled text and the facts signed with it, so a signed copy can be matched to its
        source, and a change to either is seen."""
        return hashlib.sha256((self.plain_text() + "\n\n" + self.signed_facts()).encode("utf-8")).hexdigest()


def renumber(doc: Document) -> Document:
    """Give sections "1", "2" … and clauses "1.1", "1.2" … in document order."""
    for i, section in enumerate(doc.sections, start=1):
        section.number = str(i)
        for j, clause in enumerate(section.clauses, start=1):
            clause.number = f"{i}.{j}"
    return doc
