"""A named role is left empty.

The people a protocol names (head teacher, single point of contact, designated safeguarding
lead, chair of governors, data protection officers, officers, signatories and their roles)
must be filled in: a name or role of only spaces would print a blank where a person should be.

Passes:   dsl: {name: Priya Shah}
Fails:    dsl: {name: " "}
"""

from __future__ import annotations

from typing import Iterator

from protocolkit.check.subject import Subject
from protocolkit.check.text import yaml_finding, yaml_texts
from protocolkit.findings import Finding

ID = "empty-role"
NAME = "Named role left empty"
SEVERITY = "error"
TARGETS = ("partnership",)

_PEOPLE = {"head_teacher", "spoc", "dsl", "chair_of_governors", "contact", "supervisor", "officers",
           "signatories", "data_protection_officers"}


def check(subject: Subject) -> Iterator[Finding]:
    if subject.yaml is None:
        return
    for t in yaml_texts(subject.yaml, ("history", "clauses", "variables")):
        field = t.loc[-1]
        if field in ("name", "role") and not t.value.strip() and any(part in _PEOPLE for part in t.loc):
            who = ".".join(str(p) for p in t.loc)
            if field == "role" and "signatories" not in t.loc:
                continue  # only a signatory's role is printed where it signs
            yield yaml_finding(t, ID, SEVERITY, f"{who} is empty: name the person (or the role they sign as)")
