"""No protective marking is shown.

A protocol or DSA between police and schools should show its Government Security
Classification in its header or footer (normally OFFICIAL; OFFICIAL-SENSITIVE where it holds
personal details), so that everyone handling a copy knows how to treat it. Partnership files
always have one (`marking:`, OFFICIAL by default); this rule reads .docx documents.

Passes:   a .docx whose footer reads OFFICIAL
Fails:    a .docx with no marking in its header, footer or opening lines
"""

from __future__ import annotations

from typing import Iterator

from protocolkit.check.rules._common import KIND_LABEL
from protocolkit.check.subject import Subject
from protocolkit.findings import Finding

ID = "marking-missing"
NAME = "No protective marking"
SEVERITY = "warning"
TARGETS = ("docx",)


def check(subject: Subject) -> Iterator[Finding]:
    for doc in subject.documents:
        if not doc.metadata.marking:
            yield Finding(ID, SEVERITY, f"the {KIND_LABEL.get(doc.kind, doc.kind)} shows no protective marking in its "
                          f"header, footer or opening lines: mark it OFFICIAL (Government Security Classifications)",
                          subject.path)
