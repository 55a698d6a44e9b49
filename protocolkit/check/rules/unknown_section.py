"""A clause names a section the outline lacks.

A clause's `section:` (a library clause's, or a partnership's local clause's) must be a section id
of each document it appears in, as clauses/documents.yaml lists them; otherwise it would be
dropped from the document without a word.

Passes:   section: safeguarding
Fails:    section: safegaurding
"""

from __future__ import annotations

from typing import Iterator

from protocolkit.check.rules._common import choice_at
from protocolkit.check.subject import Subject
from protocolkit.findings import Finding

ID = "unknown-section"
NAME = "Clause names a section the outline lacks"
SEVERITY = "error"
TARGETS = ("partnership", "library")


def check(subject: Subject) -> Iterator[Finding]:
    lib = subject.library
    if subject.kind == "library":
        sections = {kind: set(lib.section_ids(kind)) for kind in lib.documents}
        for lc in lib.clauses.values():
            c = lc.model
            for kind in c.documents:
                if kind in sections and c.section not in sections[kind]:
                    yield Finding.at(lc.source, ID, SEVERITY, f"clause {c.id!r} names section {c.section!r}, which "
                                     f"the {kind} outline does not have; use one of: {', '.join(sorted(sections[kind]))}",
                                     clause=c.id)
        return
    p = subject.partnership
    if p is None or subject.yaml is None:
        return
    all_sections = {s for kind in lib.documents for s in lib.section_ids(kind)}
    for i, local in enumerate(p.clauses.local):
        if local.section not in all_sections:
            yield Finding(ID, SEVERITY, f"local clause {local.id!r} names section {local.section!r}; use one of: "
                          f"{', '.join(sorted(all_sections))}", subject.path, *choice_at(subject.yaml, "local", i, "section"),
                          clause=local.id)
