"""An officer's rank contradicts the deployment: a PCSO with a constable's rank, or a police officer ranked PCSO.

A PCSO is police staff with designated powers, not a constable; a PC, a sergeant or an inspector
is a constable. The documents say different things of each (who may search, arrest, interview),
so a file that calls the deployment a PCSO's and the officer a PC would be signed saying both.

Passes:   deployment: {officer: pcso, ...}            officers: [{name: Sam Lee, rank: PCSO}]
Fails:    deployment: {officer: pcso, ...}            officers: [{name: Sam Lee, rank: PC}]
"""

from __future__ import annotations

import re
from typing import Iterator

from protocolkit.check.rules._common import at
from protocolkit.check.subject import Subject
from protocolkit.findings import Finding

ID = "officer-rank"
NAME = "Officer's rank contradicts the deployment"
SEVERITY = "error"
TARGETS = ("partnership",)

_CONSTABLE = re.compile(r"^(pc|dc|police constable|constable|sgt|sergeant|ds|insp|inspector|di|ch\.?\s*insp)\b\.?",
                        re.IGNORECASE)
_PCSO = re.compile(r"^(pcso|police community support officer)\b", re.IGNORECASE)


def check(subject: Subject) -> Iterator[Finding]:
    p = subject.partnership
    if p is None:
        return
    pcso = p.deployment.officer == "pcso"
    for i, officer in enumerate(p.officers):
        rank = officer.rank.strip()
        if pcso and _CONSTABLE.match(rank):
            yield Finding(ID, SEVERITY, f"officers[{i}]: {officer.name!r} has the rank {rank!r}, a constable's, but "
                          f"deployment.officer is pcso: set rank: PCSO, or deployment.officer: police-officer",
                          subject.path, *at(subject.yaml, "officers", i, "rank", key=False))
        elif not pcso and _PCSO.match(rank):
            yield Finding(ID, SEVERITY, f"officers[{i}]: {officer.name!r} has the rank {rank!r} but deployment.officer "
                          f"is police-officer: set deployment.officer: pcso, or give the officer's police rank",
                          subject.path, *at(subject.yaml, "officers", i, "rank", key=False))
