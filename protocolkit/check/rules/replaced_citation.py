"""A clause cites a register entry that a newer edition or Act has replaced.

When guidance gets a new edition (Working Together to Safeguard Children 2026 replacing the 2023
edition), the register keeps the old entry with `replaced_by:` naming the new one, so that a
partnership file's own clause citing the old id still finds it. This rule says what to cite
instead, for the library's clauses and a partnership's local clauses alike; and it reports a
`replaced_by:` that names no entry, at its line (the rest of the register still loads).

Passes:   cites: [working-together-2026]
Fails:    cites: [working-together-2023]   (replaced_by: working-together-2026)
"""

from __future__ import annotations

from typing import Iterator

from pathlib import Path

from protocolkit.check.rules._common import at, choice_at
from protocolkit.check.subject import Subject
from protocolkit.findings import Finding
from protocolkit.library import CITATIONS_FILE

ID = "replaced-citation"
NAME = "Citation replaced by a newer entry"
SEVERITY = "warning"
TARGETS = ("partnership", "library")


def _message(who: str, cite: str, lib) -> str:
    old = lib.citations[cite]
    new = lib.citations[old.replaced_by]
    return (f"{who} cites {cite!r}, which {old.replaced_by!r} ({new.title} {new.year}) has replaced: cite "
            f"{old.replaced_by!r} instead")


def _replaced(lib, cite: str) -> bool:
    """Whether the entry is replaced by one the register holds (one it does not hold is reported at its line)."""
    entry = lib.citations.get(cite)
    return entry is not None and entry.replaced_by in lib.citations


def check(subject: Subject) -> Iterator[Finding]:
    lib = subject.library
    if subject.kind == "library":
        yfile = next((f for f in lib.files if Path(f.path).name == CITATIONS_FILE), None)
        for i, entry in enumerate(lib.citations.values()):
            if entry.replaced_by is not None and entry.replaced_by not in lib.citations:
                yield Finding(ID, "error", f"citations entry {entry.id!r} is replaced_by {entry.replaced_by!r}, "
                              f"which is not in the register: add that entry or fix the id",
                              yfile.path if yfile else CITATIONS_FILE, *at(yfile, "citations", i, "replaced_by",
                                                                           key=False))
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
