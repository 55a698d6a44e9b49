"""A document reads as a fragment: far shorter than any complete protocol or data-sharing agreement.

A complete SSP protocol runs to several thousand words and a data-sharing agreement to a few
thousand. A document of under 1,200 words (800 for an agreement) is most likely an excerpt, a
summary or the first pages of a longer file. The rules still run on it, but the sections it
lacks may simply lie in the part that is missing: this info finding says so once, and the
missing-section findings say it too.

Passes:   a 4,000-word protocol
Fails:    a 600-word page headed "Safer Schools Partnership Protocol"
          -> fragment: the protocol has 600 words ...
"""

from __future__ import annotations

from typing import Iterator

from protocolkit.check.rules._common import FRAGMENT_WORDS, KIND_LABEL, is_fragment, word_count
from protocolkit.check.subject import Subject
from protocolkit.findings import Finding

ID = "fragment"
NAME = "Document reads as a fragment"
SEVERITY = "info"
TARGETS = ("docx",)


def check(subject: Subject) -> Iterator[Finding]:
    for doc in subject.documents:
        if is_fragment(doc):
            label = KIND_LABEL.get(doc.kind, doc.kind)
            yield Finding(ID, SEVERITY, f"the {label} has {word_count(doc):,} words, far fewer than a complete {label} "
                          f"(at least {FRAGMENT_WORDS.get(doc.kind, 800):,}): it may be an excerpt, so sections it "
                          f"lacks may be in the part not given", subject.path)
