r"""A name or text holds a character a reader cannot see.

Right-to-left overrides, embeddings and isolates reorder the letters a reader sees without changing the
letters stored, and zero-width characters split a word where no one can see it: a school's name that holds
one prints differently from how it reads in the file, and searches for the name miss it. They are never
needed in an English protocol; the finding is a warning, at the character.

Passes:   name: Northgate High School
Fails:    name: "Northgate\u200b High School"     (a zero-width space after "Northgate")
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterator

from protocolkit.check.subject import Subject
from protocolkit.check.text import yaml_finding, yaml_texts
from protocolkit.findings import Finding

ID = "hidden-character"
NAME = "Character a reader cannot see"
SEVERITY = "warning"
TARGETS = ("partnership",)

_HIDDEN = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def check(subject: Subject) -> Iterator[Finding]:
    if subject.yaml is None:
        return
    for t in yaml_texts(subject.yaml, ("history",)):
        m = _HIDDEN.search(t.value)
        if m:
            char = m.group()
            name = unicodedata.name(char, "unnamed").lower()
            where = ".".join(str(p) for p in t.loc)
            yield yaml_finding(t, ID, SEVERITY, f"{where} holds an invisible character, U+{ord(char):04X} ({name}), "
                               f"which changes how the text reads or is searched: delete it", m)
