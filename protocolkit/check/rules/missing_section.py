"""A section the profile makes mandatory is missing.

Each document type has mandatory sections, listed with their sources in the active profile
(profiles/england.yaml by default; `--profile` picks another). A partnership's assembled
document must have every one; a library's outline must have every one and a clause that fills
it. A document written elsewhere has a section when a heading names it (the profile lists the
heading words, so "Exchange of Information" and "Management of Information" both count as the
information-sharing section) or when its substance is there wherever it sits: enough different
signals from the profile (a review sentence inside "Other issues", searching described under the
staff's duties). A section with only a passing mention is the thin-section rule's warning.

Passes (a .docx protocol):   ... 9. Management of Information ... 12. Safeguarding and referrals ...
Fails (a .docx protocol):    no heading names safeguarding, child protection or referrals
                             -> missing-section: no "Safeguarding and referrals" section
"""

from __future__ import annotations

from typing import Iterator

from protocolkit.check.rules._common import KIND_LABEL, at, coverage, is_fragment
from protocolkit.check.subject import Subject
from protocolkit.findings import Finding
from protocolkit.load import position

ID = "missing-section"
NAME = "Mandatory section missing"
SEVERITY = "error"
TARGETS = ("partnership", "library", "docx")


def check(subject: Subject) -> Iterator[Finding]:
    profile = subject.active_profile()
    if subject.kind == "library":
        yield from _library(subject, profile)
        return
    for doc in subject.documents:
        label = KIND_LABEL.get(doc.kind, doc.kind)
        present_ids = {s.id for s in doc.sections if s.clauses}
        fragment = subject.kind == "docx" and is_fragment(doc)
        for req in profile.required(doc.kind):
            if subject.kind == "partnership":
                if req.id in present_ids:
                    continue
                line, col = at(subject.yaml, "clauses") if subject.yaml and "clauses" in subject.yaml.data else (1, 1)
                yield Finding(ID, SEVERITY,
                              f"the {label} has no \u201c{req.title}\u201d section (required by {req.source}): no clause "
                              f"in the library applies to this partnership; include one, or add a local clause with "
                              f"section: {req.id}", subject.path, line, col, None, req.id, key=req.id)
            else:
                found = coverage(doc, req)
                if found.how != "absent":
                    continue  # present, or thinly covered (the thin-section rule reports that)
                words = ", ".join(f"\u201c{h}\u201d" for h in req.headings[:4])
                partial = (" The text reads as a fragment, so it may be incomplete rather than lacking the section."
                           if fragment else "")
                yield Finding(ID, SEVERITY,
                              f"the {label} has no \u201c{req.title}\u201d section (required by {req.source}): no "
                              f"heading names it (looked for {words}) and nothing in the text is about it: add the "
                              f"section.{partial}", subject.path, None, None, None, req.id, key=req.id)


def _library(subject: Subject, profile) -> Iterator[Finding]:
    lib = subject.library
    docs_file = next((f for f in lib.files if f.path.endswith("documents.yaml")), None)
    for kind, required in sorted(profile.documents.items()):
        if kind not in lib.documents:
            continue
        outline = lib.section_ids(kind)
        filled = {c.model.section for c in lib.clauses.values()
                  if kind in c.model.documents and c.model.status == "active"}
        for req in required:
            if req.id not in outline:
                line, col = at(docs_file, "documents", kind, "sections")
                yield Finding(ID, SEVERITY,
                              f"the {KIND_LABEL[kind]} outline has no section {req.id!r} (\u201c{req.title}\u201d, "
                              f"required by {req.source}): add it to documents.yaml", docs_file.path if docs_file else subject.path,
                              line, col, None, req.id)
            elif req.id not in filled:
                idx = outline.index(req.id)
                line, col = position(docs_file.data, ["documents", kind, "sections", idx]) if docs_file else (1, 1)
                yield Finding(ID, SEVERITY,
                              f"no active clause fills the {KIND_LABEL[kind]}'s \u201c{req.title}\u201d section "
                              f"(required by {req.source}): add a clause with section: {req.id}",
                              docs_file.path if docs_file else subject.path, line or 1, col or 1, None, req.id)
