"""The protective marking is not a current Government Security Classification.

Since 2014 the classifications are OFFICIAL, SECRET and TOP SECRET, with OFFICIAL-SENSITIVE
as a handling caveat of OFFICIAL. RESTRICTED, PROTECT, NOT PROTECTIVELY MARKED, UNCLASSIFIED and
CONFIDENTIAL belong to the old scheme. (A partnership file's `marking:` only accepts the current
classifications, so this rule reads .docx documents written elsewhere.)

Passes:   a .docx whose header reads OFFICIAL
Fails:    a .docx whose header reads RESTRICTED
"""

from __future__ import annotations

from typing import Iterator

from protocolkit.check.subject import Subject
from protocolkit.findings import Finding

ID = "protective-marking"
NAME = "Protective marking out of date"
SEVERITY = "error"
TARGETS = ("docx",)

CURRENT = {"OFFICIAL", "OFFICIAL-SENSITIVE", "OFFICIAL SENSITIVE", "SECRET", "TOP SECRET"}


def check(subject: Subject) -> Iterator[Finding]:
    for doc in subject.documents:
        marking = doc.metadata.marking
        if marking and marking.upper() not in CURRENT:
            yield Finding(ID, SEVERITY, f"marked {marking}, which is not a Government Security Classification "
                          f"(out of date since 2014): mark it OFFICIAL, adding the OFFICIAL-SENSITIVE caveat if it "
                          f"holds personal details of pupils", subject.path)
