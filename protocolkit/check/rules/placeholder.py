"""A placeholder is left in the text.

Drafts carry markers for what is still to be decided: `[Name]`, `[Date]`, `[Insert …]`, `TBC`,
`TBA`, `XXX`. A document with one left in is not ready to sign.

Passes:   hours: 08:00 to 16:30 on school days
Fails:    hours: TBC
"""

from __future__ import annotations

import re
from typing import Iterator

from protocolkit.check.rules._common import text_files
from protocolkit.check.subject import Subject
from protocolkit.check.text import doc_paragraphs, docx_finding, yaml_finding, yaml_texts
from protocolkit.findings import Finding

ID = "placeholder"
NAME = "Placeholder left in the text"
SEVERITY = "error"
TARGETS = ("partnership", "library", "docx")

PLACEHOLDER = re.compile(
    r"(?i:\[\s*(?:name|date|insert\b[^\]]{0,40}|school(?:\s+name)?|signature|job\s+title|title|role|organisation|"
    r"organization|address|e-?mail|phone|tbc|tbd|tba|x+)\s*\])|\bTB[CAD]\b|\bX{3,}\b|\bx{3,}\b")


def check(subject: Subject) -> Iterator[Finding]:
    if subject.kind == "docx":
        for doc in subject.documents:
            seen = set()
            for section, clause, text, page in doc_paragraphs(doc):
                for m in PLACEHOLDER.finditer(text):
                    key = (section.id, clause.id, m.group(0))
                    if key not in seen:
                        seen.add(key)
                        yield docx_finding(subject.path, section, clause, ID, SEVERITY,
                                           f"placeholder \u201c{m.group(0)}\u201d left in the text: fill it in",
                                           text=m.group(0), page=page)
        return
    for yfile in text_files(subject):
        for t in yaml_texts(yfile):
            for m in PLACEHOLDER.finditer(t.value):
                yield yaml_finding(t, ID, SEVERITY, f"placeholder \u201c{m.group(0)}\u201d left in the text: fill it in",
                                   m, PLACEHOLDER)
