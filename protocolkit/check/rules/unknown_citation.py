"""A clause cites an id that the citations register does not hold.

Every law and guidance a clause relies on is an entry of clauses/citations.yaml, dated with when
it was last checked, so that the reference can be kept current. A citation id that is not there
(a library clause's, or a partnership's local clause's) cannot be checked or kept current.

Passes:   cites: [kcsie]      (kcsie is in citations.yaml)
Fails:    cites: [kcsie-2016] (no such entry)
"""

from __future__ import annotations

from typing import Iterator

from protocolkit.check.rules._common import choice_at
from protocolkit.check.subject import Subject
from protocolkit.findings import Finding
from protocolkit.library import CITATIONS_FILE

ID = "unknown-citation"
NAME = "Citation not in the register"
SEVERITY = "error"
TARGETS = ("partnership", "library")


def check(subject: Subject) -> Iterator[Finding]:
    lib = subject.library
    if subject.kind == "library":
        for lc in lib.clauses.values():
            c = lc.model
            for cite in c.cites:
                if cite not in lib.citations:
                    yield Finding.at(lc.source, ID, SEVERITY, f"clause {c.id!r} cites {cite!r}, which is not in "
                                     f"{CITATIONS_FILE}: add it to the register or fix the id", clause=c.id)
        return
    p = subject.partnership
    if p is None or subject.yaml is None or not lib.citations:
        return
    for i, local in enumerate(p.clauses.local):
        for j, cite in enumerate(local.cites):
            if cite not in lib.citations:
                yield Finding(ID, SEVERITY, f"local clause {local.id!r} cites {cite!r}, which is not in the citations "
                              f"register", subject.path, *choice_at(subject.yaml, "local", i, "cites", j), clause=local.id)
