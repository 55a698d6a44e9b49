"""A mandatory section is covered only in passing.

A document written elsewhere may have no heading for a section the profile requires but mention
its subject once, for example a single sentence about complaints inside "Other issues". That is
less than a section and more than nothing: this rule reports it as a warning that quotes the
words found and where they stand, so a reader can judge whether they are enough.

Passes:   a "Complaints" heading, or several sentences on complaints, the media and disputes
Fails:    the only mention of complaints is "Complaints are dealt with under the school's policy"
          -> thin-section: "Communications and complaints" is mentioned only in passing
"""

from __future__ import annotations

from typing import Iterator

from protocolkit.check.rules._common import KIND_LABEL, coverage
from protocolkit.check.subject import Subject
from protocolkit.check.text import where
from protocolkit.findings import Finding

ID = "thin-section"
NAME = "Mandatory section covered only in passing"
SEVERITY = "warning"
TARGETS = ("docx",)


def check(subject: Subject) -> Iterator[Finding]:
    profile = subject.active_profile()
    for doc in subject.documents:
        for req in profile.required(doc.kind):
            found = coverage(doc, req)
            if found.how != "thin":
                continue
            words, place = found.evidence[0]
            yield Finding(ID, SEVERITY,
                          f"the {KIND_LABEL.get(doc.kind, doc.kind)} has no \u201c{req.title}\u201d section (required by "
                          f"{req.source}); it is mentioned only in passing, in {where(place.section, place.clause)}: "
                          f"\u201c{words}\u201d: give it a section of its own", subject.path, None, None,
                          place.clause.id, place.section.id, key=req.id, text=words, page=place.page)
