"""What a diff reports, and the wording the text, markdown and HTML formats share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from protocolkit.diff.facts import FactChange
from protocolkit.diff.tree import ClauseChange, DocumentDiff, Placed
from protocolkit.diff.words import Op, ParagraphChange, Segment, paragraph_diff, word_diff
from protocolkit.document import Section

KIND_NAMES = {"protocol": "protocol", "dsa": "data-sharing agreement"}


@dataclass
class Report:
    """The comparison of OLD and NEW: the document diff and, for two partnership files, the facts."""

    old_label: str
    new_label: str
    kind: str
    diff: DocumentDiff
    facts: list[FactChange] | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def differs(self) -> bool:
        """Whether anything differs: text, structure, or a partnership fact."""
        return not self.diff.empty or bool(self.facts)

    @property
    def title(self) -> str:
        return self.diff.new.title or KIND_NAMES.get(self.kind, self.kind)


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def summary(report: Report) -> str:
    """One line counting the differences, e.g. '2 clauses changed, 1 added; 1 section removed'."""
    d = report.diff
    parts = [
        _counted("clause", [(len(d.changed), "changed"), (len(d.added), "added"), (len(d.removed), "removed"),
                            (len(d.moved), "moved")]),
        _counted("section", [(len(d.sections_added), "added"), (len(d.sections_removed), "removed"),
                             (len(d.sections_renamed), "renamed")]),
        "title changed" if d.title_changed else "",
        plural(len(report.facts), "partnership fact") + " changed" if report.facts else "",
    ]
    return "; ".join(p for p in parts if p) or "no differences"


def _counted(noun: str, counts: list[tuple[int, str]]) -> str:
    """'2 clauses changed, 1 added': the noun once, after the first count."""
    bits = [(n, verb) for n, verb in counts if n]
    if not bits:
        return ""
    (n, verb), rest = bits[0], bits[1:]
    return ", ".join([f"{plural(n, noun)} {verb}"] + [f"{m} {v}" for m, v in rest])


def heading(number: str, title: str) -> str:
    """'4.3 Title', or the title alone when unnumbered."""
    return f"{number} {title}".strip()


def placed_heading(p: Placed) -> str:
    """A clause's number and title; for an untitled, unnumbered clause (as read from a .docx), its section's."""
    return heading(p.clause.number, p.clause.title) or section_heading(p.section)


def section_heading(s: Section) -> str:
    return heading(s.number, s.title)


def heading_diff(change: ClauseChange) -> list[Segment]:
    """The clause's number and heading, word-diffed when its title changed, else as it now reads."""
    number = [("=", change.new.clause.number + " ")] if change.new.clause.number else []
    if change.title_changed:
        return number + word_diff(change.old.clause.title, change.new.clause.title)
    return [("=", placed_heading(change.new))]


def elided(changes: list[ParagraphChange]) -> list[ParagraphChange | None]:
    """Changed paragraphs with one unchanged neighbour either side; None stands for the unchanged ones left out."""
    keep = [c.kind != "equal" for c in changes]
    near = [k or (i > 0 and keep[i - 1]) or (i + 1 < len(keep) and keep[i + 1]) for i, k in enumerate(keep)]
    out: list[ParagraphChange | None] = []
    for change, shown in zip(changes, near):
        if shown:
            out.append(change)
        elif out and out[-1] is None:
            continue
        else:
            out.append(None)
    return out


def body_diff(change: ClauseChange) -> list[ParagraphChange]:
    """The clause's paragraphs, aligned, with word-level changes."""
    return paragraph_diff(change.old.clause.paragraphs, change.new.clause.paragraphs)


def whole_clause(p: Placed, op: Op) -> list[ParagraphChange]:
    """An added ('+') or removed ('-') clause's paragraphs, each marked whole."""
    kind: Literal["added", "removed"] = "added" if op == "+" else "removed"
    return [ParagraphChange(kind, para.style, [(op, para.text)]) for para in p.clause.paragraphs]


def move_line(change: ClauseChange) -> str:
    """Where a moved clause was and is, e.g. '3.2 in Roles → 4.1 in Finance'."""
    old, new = change.old, change.new
    if old.section.id == new.section.id:
        return f"{old.clause.number} → {new.clause.number} (order within {new.section.title})"
    return f"{old.clause.number} in {old.section.title} → {new.clause.number} in {new.section.title}"


def fact_clauses(change: FactChange, report: Report) -> str:
    """The clauses a fact rewrote, as numbers and ids."""
    if not change.explained:
        return "changes with other facts"
    if not change.clauses:
        return "no clause text"
    numbers = {p.clause.id: p.clause.number for p in [*report.diff.added, *report.diff.removed]}
    numbers.update({c.id: c.new.clause.number for c in report.diff.changed})
    return ", ".join(heading(numbers.get(cid, ""), cid) for cid in change.clauses)
