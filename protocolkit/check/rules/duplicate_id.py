"""An id is used twice.

Ids are the stable keys of overrides, diffs and output folders, so each must be unique: two
clauses of the library (or two citations of its register) with one id, a partnership's local
clause with the id of a library clause, or two partnership files with one `id` in one build.
Two local clauses of one partnership with one id, and one URN given to two schools, are
refused too. The library's duplicates are found as it loads; check and build refuse two
partnership files with one id.

Passes:   - id: finance.universal-service  ...  - id: finance.enhanced-service
Fails:    - id: finance.universal-service  ...  - id: finance.universal-service
"""

from __future__ import annotations

from typing import Iterator

from protocolkit.check.rules._common import choice_at
from protocolkit.check.subject import Subject
from protocolkit.document import Source
from protocolkit.findings import Finding
from protocolkit.load import position

ID = "duplicate-id"
NAME = "Id used twice"
SEVERITY = "error"
TARGETS = ("partnership",)


def clause_twice(where: Source, clause_id: str, first: Source) -> Finding:
    """A library clause whose id an earlier clause has."""
    return Finding.at(where, ID, SEVERITY, f"clause id {clause_id!r} is already used at {first}: give this clause a "
                      f"new id", clause=clause_id)


def citation_twice(path: str, line: int | None, column: int | None, citation_id: str) -> Finding:
    """A register entry whose id an earlier entry has."""
    return Finding(ID, SEVERITY, f"citation id {citation_id!r} appears twice in the register", path, line, column)


def partnership_twice(path: str, line: int | None, column: int | None, partnership_id: str, other: str) -> Finding:
    """A partnership file in a build whose id another file of the same build has."""
    return Finding(ID, SEVERITY, f"partnership id {partnership_id!r} is also used by {other}; the id names the output "
                   f"folder, so give each partnership its own", path, line, column)


def check(subject: Subject) -> Iterator[Finding]:
    p = subject.partnership
    if p is None or subject.yaml is None:
        return
    seen: dict[str, int] = {}
    for i, local in enumerate(p.clauses.local):
        if local.id in seen:
            line, _ = choice_at(subject.yaml, "local", seen[local.id], "id")
            yield Finding(ID, SEVERITY, f"local clause id {local.id!r} is already used by the local clause at line "
                          f"{line}: give each local clause its own id", subject.path,
                          *choice_at(subject.yaml, "local", i, "id"), clause=local.id)
        seen.setdefault(local.id, i)
    urns: dict[str, int] = {}
    for i, school in enumerate(p.schools):
        if not school.urn:
            continue
        if school.urn in urns:
            first = p.schools[urns[school.urn]]
            yield Finding(ID, SEVERITY, f"URN {school.urn} is already given to {first.name}: each school has its own "
                          f"URN (look it up on Get Information about Schools)", subject.path,
                          *position(subject.yaml.data, ["schools", i, "urn"]))
        urns.setdefault(school.urn, i)
    for i, local in enumerate(p.clauses.local):
        if local.id in subject.library.clauses:
            yield Finding(ID, SEVERITY, f"local clause {local.id!r} has the id of a library clause: to change that "
                          f"clause use clauses.overrides; otherwise choose an id starting 'local.'", subject.path,
                          *choice_at(subject.yaml, "local", i, "id"), clause=local.id)
