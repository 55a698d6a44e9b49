"""A deprecated clause is still in use.

A library clause with `status: deprecated` stays in the library so old partnerships can be
diffed, but no partnership should use it: including it (reported while the partnership file
loads) or overriding it is flagged, and so is a deprecated clause whose replacement is itself
deprecated.

Passes:   clauses: {include: [finance.enhanced-service]}
Fails:    clauses: {include: [finance.old-charging]}      (status: deprecated, replaced_by: finance.enhanced-service)
"""

from __future__ import annotations

from typing import Iterator

from protocolkit.check.rules._common import at, choice_at
from protocolkit.check.subject import Subject
from protocolkit.findings import Finding

ID = "deprecated-clause"
NAME = "Deprecated clause in use"
SEVERITY = "warning"
TARGETS = ("partnership", "library")


def check(subject: Subject) -> Iterator[Finding]:
    lib = subject.library
    if subject.kind == "library":
        for lc in lib.clauses.values():
            c = lc.model
            repl = lib.clauses.get(c.replaced_by) if c.replaced_by else None
            if repl is not None and repl.model.status == "deprecated":
                yield Finding.at(lc.source, ID, SEVERITY, f"clause {c.id!r} is replaced by {c.replaced_by!r}, which is "
                                 f"deprecated too: point replaced_by at the current clause", clause=c.id)
        return
    p = subject.partnership
    if p is None:
        return
    for i, cid in enumerate(p.clauses.include):
        lc = lib.clauses.get(cid)
        if lc is not None and lc.model.status == "deprecated" and subject.yaml is not None:
            repl = lc.model.replaced_by
            yield Finding(ID, SEVERITY, f"clauses.include names deprecated clause {cid!r}"
                          + (f": include {repl!r} instead" if repl else ""), subject.path,
                          *choice_at(subject.yaml, "include", i), clause=cid)
    for cid in p.clauses.overrides:
        lc = lib.clauses.get(cid)
        if lc is not None and lc.model.status == "deprecated":
            repl = lc.model.replaced_by
            line, col = at(subject.yaml, "clauses", "overrides", cid)
            yield Finding(ID, SEVERITY, f"clauses.overrides changes deprecated clause {cid!r}"
                          + (f": override {repl!r} instead" if repl else ": remove the override"),
                          subject.path, line, col, cid)
