"""A clause id does not exist.

A partnership includes, excludes or overrides a clause id the library does not have, or a
library's deprecated clause is replaced by a clause that does not exist. Ids are the stable keys
of choices, overrides and diffs, so a misspelt one is an error, found while the file loads and
before anything is built.

Passes:   include: [finance.enhanced-service]
Fails:    include: [finance.enhanced-servce]
"""

from __future__ import annotations

from typing import Iterator

from protocolkit.check.rules._common import choice_at
from protocolkit.check.subject import Subject
from protocolkit.findings import Finding, did_you_mean

ID = "unknown-clause"
NAME = "Clause id does not exist"
SEVERITY = "error"
TARGETS = ("partnership", "library")


def check(subject: Subject) -> Iterator[Finding]:
    lib = subject.library
    if subject.kind == "library":
        for lc in lib.clauses.values():
            c = lc.model
            if c.replaced_by and c.replaced_by not in lib.clauses:
                yield Finding.at(lc.source, ID, SEVERITY, f"clause {c.id!r} is replaced by {c.replaced_by!r}, which "
                                 f"does not exist", clause=c.id)
        return
    p = subject.partnership
    if p is None or subject.yaml is None:
        return
    local_ids = {c.id for c in p.clauses.local}
    for field_name in ("include", "exclude"):
        for i, cid in enumerate(getattr(p.clauses, field_name)):
            if cid not in lib.clauses and cid not in local_ids:
                yield Finding(ID, SEVERITY, f"clauses.{field_name} names {cid!r}, which is not in the clause library"
                              f"{did_you_mean(cid, lib.clauses, cutoff=0.75)}: check the id (`protocolkit check` on the library lists "
                              f"them)", subject.path, *choice_at(subject.yaml, field_name, i), clause=cid)
    for cid in p.clauses.overrides:
        if cid not in lib.clauses:
            yield Finding(ID, SEVERITY, f"clauses.overrides names {cid!r}, which is not in the clause library"
                          f"{did_you_mean(cid, lib.clauses, cutoff=0.75)}: check the id", subject.path,
                          *choice_at(subject.yaml, "overrides", cid, key=True), clause=cid)

