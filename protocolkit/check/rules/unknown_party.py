"""A signatory, a data protection officer or the lead school names a party or school that does not exist.

Signatories and data protection officers name their organisation by its party key: `force`,
`local-authority` (when there is one) or a school's `id`; a cluster's `deployment.lead_school`
names a school's `id`; and no two schools share an id. Each such mistake is reported at its own
line, all of them at once, with the keys there are (and the closest one).

Passes:   signatories: [{party: force, ...}, {party: northgate, ...}]    (schools: [{id: northgate, ...}])
Fails:    signatories: [{party: nortgate, ...}]
"""

from __future__ import annotations

from typing import Iterator

from protocolkit.check.rules._common import at
from protocolkit.check.subject import Subject
from protocolkit.findings import Finding, did_you_mean

ID = "unknown-party"
NAME = "Party or school key does not exist"
SEVERITY = "error"
TARGETS = ("partnership",)


def check(subject: Subject) -> Iterator[Finding]:
    p = subject.partnership
    if p is None:
        return
    parties = sorted(p.party_keys())
    for field_name, kind in (("signatories", "signatory"), ("data_protection_officers", "data protection officer")):
        for i, item in enumerate(getattr(p, field_name)):
            if item.party not in parties:
                yield Finding(ID, SEVERITY, f"{field_name}[{i}]: {kind} {item.name!r} names party {item.party!r}, "
                              f"which is not a party{did_you_mean(item.party, parties)}; parties are: {', '.join(parties)}",
                              subject.path, *at(subject.yaml, field_name, i, "party", key=False))
    ids = [s.id for s in p.schools]
    seen: set[str] = set()
    for i, sid in enumerate(ids):
        if sid in seen:
            yield Finding(ID, SEVERITY, f"schools[{i}]: another school already has the id {sid!r}: give each school "
                          f"its own id", subject.path, *at(subject.yaml, "schools", i, "id", key=False))
        seen.add(sid)
    lead = p.deployment.lead_school
    if p.deployment.model == "cluster" and not lead and len(ids) > 1:
        yield Finding(ID, SEVERITY, f"deployment.model is cluster but no school leads it: add deployment.lead_school "
                      f"with one of {', '.join(ids)}", subject.path, *at(subject.yaml, "deployment", "model", key=False))
    if lead and lead not in ids:
        yield Finding(ID, SEVERITY, f"deployment.lead_school {lead!r} is not a school id{did_you_mean(lead, ids)}: use one of "
                      f"{', '.join(ids)}", subject.path, *at(subject.yaml, "deployment", "lead_school", key=False))
