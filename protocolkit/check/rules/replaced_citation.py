"""A clause cites a register entry that a newer edition or Act has replaced.

When guidance gets a new edition (Working Together to Safeguard Children 2026 replacing the 2023
edition), the register keeps the old entry with `replaced_by:` naming the new one, so that a
partnership file's own clause citing the old id still finds it. This rule says what to cite
instead, for the library's clauses and a partnership's local clauses alike.

Passes:   cites: [working-together-2026]
Fails:    cites: [working-together-2023]   (replaced_by: working-together-2026)
"""

from __future__ import annotations

from typing import Iterator

from protocolkit.check.rules._common import choice_at
from protocolkit.check.subject import Subject
from protocolkit.findings import Finding

ID = "replaced-citation"
NAME = "Citation replaced by a newer entry"
SEVERITY = "warning"
TARGETS = ("partnership", "library")


def _message(who: str, cite: str, lib) -> str:
    old = lib.citations[cite]
    new = lib.citations.get(old.replaced_by)
    named = f" ({new.title} {new.year})" if new is not None else ""
    return f"{who} cites {cite!r}, which {old.replaced_by!r}{named} has replaced: cite {old.replaced_by!r} instead"


def _replaced(lib, cite: str) -> bool:
    entry = lib.citations.get(cite)
    return entry is not None and entry.replaced_by is not None


def check(subject: Subject) -> Iterator[Finding]:
    lib = subject.library
    if subject.kind == "library":
        for lc in lib.clauses.values():
            for cite in lc.model.cites:
                if _replaced(lib, cite):
                    yield Finding.at(lc.source, ID, SEVERITY, _message(f"clause {lc.model.id!r}", cite, lib),
                                     clause=lc.model.id)
        return
    p = subject.partnership
    if p is None or subject.yaml is None:
        return
    for i, local in enumerate(p.clauses.local):
        for j, cite in enumerate(local.cites):
            if _replaced(lib, cite):
                yield Finding(ID, SEVERITY, _message(f"local clause {local.id!r}", cite, lib), subject.path,
                              *choice_at(subject.yaml, "local", i, "cites", j), clause=local.id)
