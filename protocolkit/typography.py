"""Typesetting for documents people sign, and its inverse for documents read back.

`typeset` is applied by the .docx writer to every text it writes: typographic quotes and apostrophes, and
no-break spaces where a line break would separate what a reader takes as one thing: a date ("1 September
2026"), a period ("12 months"), a reference ("section 5", "clause 14.5", "Act 2018") and a title and the name
after it ("PC Tom Fielding"). The document tree, its fingerprint, the markdown preview and the diff keep the
plain characters; `plain` turns a typeset text back into them, so a built document reads back as the tree it
was built from, and a document typed elsewhere compares with one built here.
"""

from __future__ import annotations

import re
from functools import lru_cache

NBSP = "\u00a0"
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_UNITS = ("day", "days", "week", "weeks", "month", "months", "year", "years", "hour", "hours", "minute", "minutes")
_REFERENCES = tuple(w for base in ("section", "clause", "paragraph", "part", "schedule", "regulation", "article")
                    for w in (base, base + "s", base.capitalize(), base.capitalize() + "s")) + (
    "appendix", "Appendix", "annex", "Annex", "version", "Version", "page", "Page")
_LAWS = ("Act", "Regulations", "Order", "Rules")
_TITLES = ("PC", "PCSO", "DC", "DS", "Sgt", "Sergeant", "Insp", "Inspector", "Superintendent", "Dr", "Mr", "Mrs",
           "Ms", "Miss", "Mx")
_OPENERS = set(" \t\n([{/-\u2018\u201c")

# A space that could join two words: a digit after it or before it (a title before a name is found among the words).
# The expression starts with its literal space, so Python's re scans for it at C speed; the words either side are
# then looked up in sets. One expression with every rule as an alternative, tried at every word, took 15 ms a
# protocol; this takes about 2 ms, and the same paragraph (most of a library's text) is typeset once a process.
_CANDIDATE = re.compile(r" (?:(?=[0-9])|(?<=[0-9] ))")
_MONTH_SET, _UNIT_SET, _REF_SET = frozenset(_MONTHS), frozenset(_UNITS), frozenset(_REFERENCES)
_LAW_SET, _TITLE_SET = frozenset(_LAWS), frozenset(_TITLES)
_PUNCT = ".,;:)]}!?\u2019\u201d'\""


def _joined(left: str, right: str, rest: str) -> bool:
    """Whether the space between these words (`rest` is the text after `right`) is to be unbreakable."""
    bare = right.rstrip(_PUNCT)
    if left.isdigit():
        if bare in _MONTH_SET or bare in _UNIT_SET:
            return len(left) <= 2 or bare in _UNIT_SET
        if bare in ("working", "school"):
            return rest.split(" ", 1)[0].rstrip(_PUNCT) in _UNIT_SET
        return False
    if right[:1].isdigit():
        if left in _REF_SET:
            return True
        if left in _MONTH_SET or left in _LAW_SET:
            return len(bare) == 4 and bare.isdigit()
        return False
    return left in _TITLE_SET and right[:1].isupper()


def _candidates(text: str):
    yield from (m.start() for m in _CANDIDATE.finditer(text))
    words = text.split(" ")
    if not _TITLE_SET.isdisjoint(words):  # a set test in C: most paragraphs name nobody
        at = -1
        for word in words[:-1]:
            at += len(word) + 1
            if word in _TITLE_SET:
                yield at


def _keep_together(text: str) -> str:
    spaces = []
    for i in _candidates(text):
        start = max(text.rfind(" ", 0, i), text.rfind("\n", 0, i), text.rfind("(", 0, i)) + 1
        end = text.find(" ", i + 1)
        end = len(text) if end < 0 else end
        if _joined(text[start:i], text[i + 1:end], text[end + 1:end + 40]):
            spaces.append(i)
    if not spaces:
        return text
    chars = list(text)
    for i in spaces:
        chars[i] = NBSP
    return "".join(chars)


def _curl(text: str, straight: str, opening: str, closing: str) -> str:
    out, start = [], 0
    at = text.find(straight)
    while at >= 0:
        out += (text[start:at], opening if at == 0 or text[at - 1] in _OPENERS else closing)
        start = at + 1
        at = text.find(straight, start)
    return "".join(out) + text[start:]


@lru_cache(maxsize=8192)
def typeset(text: str) -> str:
    """The text as it is printed in a signed document."""
    if not text:
        return text
    if '"' in text:
        text = _curl(text, '"', "\u201c", "\u201d")
    if "'" in text:
        text = _curl(text, "'", "\u2018", "\u2019")
    return _keep_together(text) if " " in text else text


_PLAIN = str.maketrans({NBSP: " ", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def plain(text: str) -> str:
    """A typeset text with plain spaces and straight quotes again."""
    return text.translate(_PLAIN)
