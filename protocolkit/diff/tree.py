"""Two document trees compared clause by clause, keyed by stable ids so that renumbering alone is no change."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field

from protocolkit.document import Clause, Document, Section


@dataclass
class Placed:
    """A clause with the section it stands in."""

    clause: Clause
    section: Section


@dataclass
class ClauseChange:
    """A clause whose title or text differs between the versions."""

    id: str
    old: Placed
    new: Placed

    @property
    def title_changed(self) -> bool:
        return self.old.clause.title != self.new.clause.title

    @property
    def text_changed(self) -> bool:
        return _body(self.old.clause) != _body(self.new.clause)

    def before(self) -> str:
        """The old text as the JSON report gives it: the body, led by the title when the title changed."""
        return _reported(self.old.clause, self.title_changed)

    def after(self) -> str:
        """The new text as the JSON report gives it."""
        return _reported(self.new.clause, self.title_changed)


@dataclass
class SectionRename:
    id: str
    old: Section
    new: Section


@dataclass
class DocumentDiff:
    """Everything that differs between two versions of one document."""

    old: Document
    new: Document
    added: list[Placed] = field(default_factory=list)
    removed: list[Placed] = field(default_factory=list)
    changed: list[ClauseChange] = field(default_factory=list)
    moved: list[ClauseChange] = field(default_factory=list)
    sections_added: list[Section] = field(default_factory=list)
    sections_removed: list[Section] = field(default_factory=list)
    sections_renamed: list[SectionRename] = field(default_factory=list)
    title_changed: bool = False

    @property
    def empty(self) -> bool:
        """Whether the two versions say the same thing (numbering aside)."""
        return not (self.added or self.removed or self.changed or self.moved or self.sections_added
                    or self.sections_removed or self.sections_renamed or self.title_changed)

    def to_json(self) -> dict:
        """The report in DESIGN.md's shape."""
        return {
            "added": [p.clause.id for p in self.added],
            "removed": [p.clause.id for p in self.removed],
            "changed": [{"id": c.id, "before": c.before(), "after": c.after()} for c in self.changed],
            "moved": [c.id for c in self.moved],
            "sections_added": [s.id for s in self.sections_added],
            "sections_removed": [s.id for s in self.sections_removed],
        }

    def changed_ids(self) -> set[str]:
        """Ids of clauses whose text came, went or changed."""
        return {p.clause.id for p in self.added} | {p.clause.id for p in self.removed} | {c.id for c in self.changed}


def _body(clause: Clause) -> list[tuple[str, str]]:
    return [(p.style, p.text) for p in clause.paragraphs]


def _reported(clause: Clause, with_title: bool) -> str:
    return f"{clause.title}\n{clause.text}" if with_title else clause.text


def placed_clauses(doc: Document) -> dict[str, Placed]:
    """Every clause by id in document order; a repeated id gets '#2', '#3' … so none is lost."""
    out: dict[str, Placed] = {}
    for section in doc.sections:
        for clause in section.clauses:
            key, n = clause.id, 1
            while key in out:
                n += 1
                key = f"{clause.id}#{n}"
            out[key] = Placed(clause, section)
    return out


def diff_documents(old: Document, new: Document) -> DocumentDiff:
    """What was added, removed, changed and moved between two versions of a document."""
    result = DocumentDiff(old, new, title_changed=old.title != new.title)
    old_sections = {s.id: s for s in old.sections}
    new_sections = {s.id: s for s in new.sections}
    result.sections_added = [s for s in new.sections if s.id not in old_sections]
    result.sections_removed = [s for s in old.sections if s.id not in new_sections]
    result.sections_renamed = [SectionRename(s.id, old_sections[s.id], s) for s in new.sections
                               if s.id in old_sections and old_sections[s.id].title != s.title]

    before, after = placed_clauses(old), placed_clauses(new)
    result.added = [p for key, p in after.items() if key not in before]
    result.removed = [p for key, p in before.items() if key not in after]
    # Clauses that changed section are moved whatever their order; leaving them out of the order
    # comparison keeps them from displacing a neighbour that did not move.
    same = {key for key in before if key in after and before[key].section.id == after[key].section.id}
    in_place = kept_in_order([key for key in before if key in same], [key for key in after if key in same])
    for key in (k for k in after if k in before):
        change = ClauseChange(key, before[key], after[key])
        if change.title_changed or change.text_changed:
            result.changed.append(change)
        if key not in in_place or before[key].section.id != after[key].section.id:
            result.moved.append(change)
    return result


def kept_in_order(old_order: list[str], new_order: list[str]) -> set[str]:
    """The largest set of ids whose relative order is the same in both lists (a longest increasing subsequence)."""
    position = {key: i for i, key in enumerate(new_order)}
    seq = [position[key] for key in old_order]
    tails: list[int] = []
    tail_at: list[int] = []
    parent: list[int] = [-1] * len(seq)
    for i, value in enumerate(seq):
        k = bisect_left(tails, value)
        if k == len(tails):
            tails.append(value)
            tail_at.append(i)
        else:
            tails[k] = value
            tail_at[k] = i
        parent[i] = tail_at[k - 1] if k else -1
    kept: set[str] = set()
    i = tail_at[-1] if tail_at else -1
    while i >= 0:
        kept.add(old_order[i])
        i = parent[i]
    return kept
