"""Where text lives in the inputs, for the rules that read text: YAML strings with their lines, and .docx paragraphs.

A finding in YAML points at the line and column of the words themselves, even inside a
multi-line block of clause text; a finding in a .docx names its section and clause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator, NamedTuple

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from protocolkit.document import Clause, Document, Section
from protocolkit.findings import Finding, Severity
from protocolkit.load import YamlFile, string_values


@dataclass
class YamlText:
    """One string value of a YAML file, where it starts, and the clause it belongs to (if any)."""

    file: YamlFile
    value: str
    line: int
    column: int
    loc: tuple[Any, ...]
    clause: str | None

    def place(self, match: re.Match[str] | None = None, pattern: re.Pattern[str] | None = None) -> tuple[int, int]:
        """1-based line and column of a match inside this value, found again in the file's own lines."""
        if match is None or pattern is None:
            return self.line, self.column
        # the same words may occur more than once in a value: skip the occurrences before this one
        skip = sum(1 for _ in pattern.finditer(self.value, 0, match.start()))
        lines = self.file.memo.get("lines")
        if lines is None:  # split once a file, not once a finding: a file with thousands of findings was quadratic
            lines = self.file.memo["lines"] = self.file.text.splitlines()
        span = self.value.count("\n") + len(self.value) // 30 + 2  # a folded block takes more lines than its value
        for n in range(self.line - 1, min(len(lines), self.line - 1 + span)):
            start = self.column - 1 if n == self.line - 1 else 0
            for m in pattern.finditer(lines[n], start):
                if not skip:
                    return n + 1, m.start() + 1
                skip -= 1
        return self.line, self.column


def yaml_texts(yfile: YamlFile, skip: tuple[str, ...] = ()) -> Iterator[YamlText]:
    """Every string value in a YAML file, in file order; top-level keys in `skip` are left out. The file is walked
    once, for the first rule that asks; the rest read what it found."""
    texts = yfile.memo.get("texts")
    if texts is None:
        texts = yfile.memo["texts"] = list(_walk(yfile))
    return iter(texts) if not skip else (t for t in texts if t.loc[0] not in skip)


def _walk(yfile: YamlFile) -> Iterator[YamlText]:
    clause_ids: dict[int, str] = {}
    data = yfile.data
    if isinstance(data, CommentedMap) and isinstance(data.get("clauses"), CommentedSeq):
        for i, c in enumerate(data["clauses"]):
            if isinstance(c, CommentedMap) and isinstance(c.get("id"), str):
                clause_ids[i] = c["id"]

    def clause_of(loc: tuple[Any, ...]) -> str | None:
        if len(loc) >= 2 and loc[0] == "clauses" and isinstance(loc[1], int):
            return clause_ids.get(loc[1])
        if len(loc) >= 3 and loc[0] == "clauses" and loc[1] in ("overrides",):
            return str(loc[2])
        if len(loc) >= 3 and loc[0] == "clauses" and loc[1] == "local":
            node = data["clauses"]["local"][loc[2]]
            return str(node.get("id")) if isinstance(node, CommentedMap) else None
        return None

    for loc, value, line, col in string_values(data):
        yield YamlText(yfile, value, line, col, loc, clause_of(loc))


def yaml_finding(t: YamlText, rule: str, severity: Severity, message: str,
                 match: re.Match[str] | None = None, pattern: re.Pattern[str] | None = None,
                 key: str | None = None) -> Finding:
    """A finding at the words a match found in a YAML string, quoting them."""
    line, col = t.place(match, pattern)
    return Finding(rule, severity, message, t.file.path, line, col, t.clause, key=key,
                   text=" ".join(match.group(0).split()) if match is not None else None)


def where(section: Section, clause: Clause | None = None) -> str:
    """'section 8 "Management of Information"', as a finding in a .docx names its place."""
    label = f"section {section.number} " if section.number else "section "
    label += f"\u201c{section.title}\u201d" if section.title else "(opening, before the first heading)"
    if clause is not None and clause.title:
        label += f", clause {clause.number + ' ' if clause.number else ''}\u201c{clause.title}\u201d"
    elif clause is not None and clause.number:
        label += f", clause {clause.number}"
    return label


def docx_finding(path: str, section: Section, clause: Clause | None, rule: str, severity: Severity, message: str,
                 text: str | None = None, key: str | None = None, page: int | None = None) -> Finding:
    """A finding in a document read from elsewhere, placed at its section and clause, quoting its evidence."""
    return Finding(rule, severity, f"{where(section, clause)}: {message}", path, None, None,
                   clause.id if clause is not None else None, section.id, key,
                   " ".join(text.split()) if text else None, page)


class DocText(NamedTuple):
    section: Section
    clause: Clause
    text: str
    page: int | None


def doc_paragraphs(doc: Document) -> Iterator[DocText]:
    """Every paragraph of a document with its section, clause and page, titles included."""
    for s in doc.sections:
        if s.title:
            yield DocText(s, (s.clauses[0] if s.clauses else Clause(f"{s.id}.text", "")), s.title,
                          s.source.page if s.source else None)
        for c in s.clauses:
            if c.title:
                yield DocText(s, c, c.title, c.source.page if c.source else None)
            for p in c.paragraphs:
                yield DocText(s, c, p.text, p.page)


def sentences(text: str) -> list[str]:
    """A paragraph split into sentences, roughly: enough to keep a negation with what it negates."""
    return [s for s in re.split(r"(?<=[.;!?])\s+(?=[A-Z(])", text) if s.strip()]
