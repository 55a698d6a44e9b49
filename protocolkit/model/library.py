"""Models of the clause library: clause files, the document outlines and the citations register."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, field_validator, model_validator

from protocolkit import condition
from protocolkit.model.base import ClauseId, Regexes, Slug, Strict

DocName = Literal["protocol", "dsa"]


class Clause(Strict):
    """One clause: a stable id, the section it sits in, and its text with {{ variables }}."""

    id: ClauseId = Field(description="Stable dotted id, e.g. 'finance.universal-service'. Never reuse one.")
    title: str = Field(min_length=1)
    section: Slug = Field(description="Id of the section this clause belongs to (see documents.yaml).")
    documents: list[DocName] = Field(default=["protocol"], min_length=1, description="Documents the clause appears in.")
    order: int = Field(default=100, description="Position within its section; lower comes first, ties keep file order.")
    text: str = Field(min_length=1, description="Paragraphs separated by blank lines; lines starting '- ' are bullets. Jinja {{ variables }} allowed.")
    items: list[str] = Field(default_factory=list, description="Bullet items printed after the text.")
    when: str | None = Field(default=None, description="Condition on the partnership's facts, e.g. 'officer is pcso'.")
    optional: bool = Field(default=False, description="Left out unless a partnership includes it by id.")
    cites: list[Slug] = Field(default_factory=list, description="Ids of entries in the citations register.")
    status: Literal["active", "deprecated"] = "active"
    replaced_by: ClauseId | None = Field(default=None, description="For a deprecated clause, the clause that replaces it.")

    @field_validator("when")
    @classmethod
    def _condition_parses(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                condition.parse(value)
            except condition.ConditionError as exc:
                raise ValueError(f"condition does not parse at character {exc.offset + 1}: {exc}") from None
        return value

    @model_validator(mode="after")
    def _deprecation(self) -> "Clause":
        if self.replaced_by and self.status != "deprecated":
            raise ValueError("replaced_by is only for a deprecated clause: set status: deprecated or remove replaced_by")
        return self


class ClauseFile(Strict):
    """A file of clauses on one topic."""

    topic: str = Field(min_length=1)
    description: str = ""
    clauses: list[Clause] = Field(min_length=1)


class SectionSpec(Strict):
    id: Slug
    title: str = Field(min_length=1)


class DocumentSpec(Strict):
    title: str = Field(min_length=1)
    sections: list[SectionSpec] = Field(min_length=1)

    @field_validator("sections")
    @classmethod
    def _unique(cls, sections: list[SectionSpec]) -> list[SectionSpec]:
        seen: set[str] = set()
        for s in sections:
            if s.id in seen:
                raise ValueError(f"section id {s.id!r} appears twice")
            seen.add(s.id)
        return sections


class DocumentsFile(Strict):
    """The outline of each document type: its title and its sections in order."""

    documents: dict[DocName, DocumentSpec]


class Citation(Strict):
    id: Slug
    title: str = Field(min_length=1, description="Current title, as cited.")
    kind: Literal["act", "regulation", "statutory-guidance", "guidance", "code", "standard", "scheme"]
    year: str = Field(description="Year or edition, e.g. '2018' or 'September 2025 edition'.")
    provisions: str = Field(default="", description="The sections or articles relied on.")
    url: str = ""
    checked: date = Field(description="When this entry was last checked against the source.")
    source: str = Field(default="", description="What it was checked against: the text, edition or page, and its date.")
    status: Literal["in-force", "partly-in-force", "not-in-force", "consultation"] = Field(
        default="in-force", description="Whether the provisions relied on are in force; what is not yet goes in note.")
    note: str = Field(default="", description="Commencement, what is not yet in force, and what to switch on when it is.")
    replaced_by: Slug | None = Field(default=None, description=(
        "For an edition or Act replaced by another entry: that entry's id. Kept so that what cites it still finds "
        "it, and is told what to cite instead."))


class DatedReference(Strict):
    id: Slug
    dated: str = Field(min_length=1, description="The old name, as it appears in old documents.")
    patterns: Regexes = Field(min_length=1, description="Regular expressions (case-insensitive) that find it in text.")
    replacement: str = Field(min_length=1, description="What to cite instead.")
    replacement_id: Slug | None = Field(default=None, description="Citation id of the replacement, if in the register.")
    since: str
    checked: date
    source: str = Field(default="", description="What the replacement was checked against, and its date.")
    unless: Regexes = Field(default_factory=list, description=(
        "Regular expressions (case-insensitive): a match in a sentence that also matches one of these is not "
        "reported, e.g. 'Cash ISA' for the ISA entry."))


class CitationsFile(Strict):
    """The register: what the library cites, and the dated references the checker flags."""

    citations: list[Citation]
    dated: list[DatedReference] = Field(default_factory=list)
