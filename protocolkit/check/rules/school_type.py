"""A school is described by the single `type:` of partnership files written before version 0.2.

A school's legal status (who runs it, which duties bind it, whether it is a public authority)
and its provision (mainstream, special, alternative) are two facts. The old single `type:` is
still read, as the same school it always meant, but the file should say both facts. Old
`type: special` is read as a maintained special school; a special academy is `status: academy`
with `provision: special`, and a non-maintained special school is `status: non-maintained-special`.

Passes:   status: academy
          provision: special
Fails:    type: special
"""

from __future__ import annotations

from typing import Iterator

from protocolkit.check.rules._common import at
from protocolkit.check.subject import Subject
from protocolkit.condition import LEGACY_SCHOOL_TYPES
from protocolkit.findings import Finding

ID = "school-type"
NAME = "School described by the old single type"
SEVERITY = "warning"
TARGETS = ("partnership",)

_NOTES = {
    "special": " (read as a maintained special school: for a special academy write 'status: academy', for a "
               "non-maintained special school 'status: non-maintained-special')",
    "free-school": " (a free school is an academy in law)",
}


def check(subject: Subject) -> Iterator[Finding]:
    if subject.kind != "partnership" or subject.partnership is None:
        return
    for i, school in enumerate(subject.partnership.schools):
        if school.type is None:
            continue
        status, provision = LEGACY_SCHOOL_TYPES[school.type]
        lines = f"'status: {status}'" + (f" and 'provision: {provision}'" if provision != "mainstream" else "")
        line, col = at(subject.yaml, "schools", i, "type")
        yield Finding(ID, SEVERITY, f"schools[{i}] ({school.id}): 'type: {school.type}' is the form before version 0.2: "
                      f"replace it with {lines}{_NOTES.get(school.type, '')}", subject.path, line, col)
