"""A party to the agreement has no signatory.

Every organisation party to the partnership (the force, each school, and the local authority
when there is one) needs an authorised signatory, named under `signatories:` with its party key.

Passes:   signatories: [{party: force, ...}, {party: northgate, ...}]   (schools: northgate)
Fails:    signatories: [{party: force, ...}]                             (northgate signs nothing)
"""

from __future__ import annotations

from typing import Iterator

from protocolkit.check.rules._common import at
from protocolkit.check.subject import Subject
from protocolkit.findings import Finding

ID = "no-signatory"
NAME = "Party without a signatory"
SEVERITY = "error"
TARGETS = ("partnership",)


def check(subject: Subject) -> Iterator[Finding]:
    p = subject.partnership
    if p is None:
        return
    names = {s.id: s.name for s in p.schools}
    names["force"] = p.force.name
    if p.local_authority:
        names["local-authority"] = p.local_authority.name
    signed = {s.party for s in p.signatories}
    line, col = at(subject.yaml, "signatories")
    for key in ["force"] + [s.id for s in p.schools] + (["local-authority"] if p.local_authority else []):
        if key not in signed:
            yield Finding(ID, SEVERITY, f"{names[key]} ({key}) is a party but has no signatory: add one under "
                          f"signatories: with party: {key}", subject.path, line, col)
