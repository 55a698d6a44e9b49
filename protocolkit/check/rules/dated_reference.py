"""A dated reference is cited: a law, body, scheme or marking that has been replaced or withdrawn.

The register of dated references is the `dated:` list in the library's citations.yaml: each
entry has the old name, regular expressions that find it, its replacement and since when. The
rule searches clause text, partnership files (not their history) and .docx documents; the
message names the replacement. In YAML the finding points at the words themselves.

Passes:   text: Personal data is processed under the Data Protection Act 2018 and the UK GDPR.
Passes:   text: The Data Protection Act 2018 replaced the Data Protection Act 1998.
Fails:    text: Personal data is processed under the Data Protection Act 1998.
          -> dated-reference: "Data Protection Act 1998" ... since 2018, cite: Data Protection Act 2018 and UK GDPR
"""

from __future__ import annotations

from typing import Iterator

from protocolkit.check.rules._common import compiled_register, dated_matches, text_files
from protocolkit.check.subject import Subject
from protocolkit.check.text import doc_paragraphs, docx_finding, yaml_finding, yaml_texts
from protocolkit.findings import Finding

ID = "dated-reference"
NAME = "Dated reference cited"
SEVERITY = "error"
TARGETS = ("partnership", "library", "docx")


def _message(matched: str, entry) -> str:
    return (f"\u201c{' '.join(matched.split())}\u201d is a dated reference ({entry.dated}, out of date since "
            f"{entry.since}); now: {entry.replacement}")


def check(subject: Subject) -> Iterator[Finding]:
    register = compiled_register(subject.library)
    if not register:
        return
    if subject.kind == "docx":
        yield from _docx(subject, register)
        return
    skip = ("history",) if subject.kind == "partnership" else ()
    for yfile in text_files(subject):
        for t in yaml_texts(yfile, skip):
            for entry, m, pattern in dated_matches(t.value, register):
                yield yaml_finding(t, ID, SEVERITY, _message(m.group(0), entry), m, pattern, key=entry.id)


def _docx(subject: Subject, register) -> Iterator[Finding]:
    for doc in subject.documents:
        found: dict[tuple[str, str, str], list[str]] = {}
        places = {}
        marking = (doc.metadata.marking or "").upper()
        for section, clause, text, page in doc_paragraphs(doc):
            for entry, m, _ in dated_matches(text, register):
                if marking and " ".join(m.group(0).split()).upper() == marking:
                    continue  # the document's own marking: the protective-marking rule reports it, once
                key = (section.id, clause.id, entry.id)
                if key not in places:
                    places[key] = (section, clause, entry, page)
                words = " ".join(m.group(0).split())
                if words not in found.setdefault(key, []):
                    found[key].append(words)
        for key, words in found.items():
            section, clause, entry, page = places[key]
            matched = "\u201d, \u201c".join(words)
            yield docx_finding(subject.path, section, clause, ID, SEVERITY, _message(matched, entry),
                               text=words[0], key=entry.id, page=page)
