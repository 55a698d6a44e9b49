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

NBSP = "\u00a0"
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_UNITS = r"(?:working\s)?(?:days?|weeks?|months?|years?|hours?|minutes?|school\sdays?)"
_REFS = (r"(?:[Ss]ections?|[Cc]lauses?|[Pp]aragraphs?|[Pp]arts?|[Ss]chedules?|[Rr]egulations?|[Aa]rticles?|"
         r"[Aa]ppendix|[Aa]nnex|[Vv]ersion|[Pp]age)")
_TITLES = r"(?:PC|PCSO|DC|DS|Sgt|Sergeant|Insp|Inspector|Chief\sInspector|Superintendent|Dr|Mr|Mrs|Ms|Miss|Mx)"
# Each alternative ends at the space to be made unbreakable, kept as group 1's end.
_KEEP = re.compile(
    rf"\b(\d{{1,2}}) (?=(?:{_MONTHS})\b)"  # 1 September
    rf"|\b((?:{_MONTHS})) (?=\d{{4}}\b)"  # September 2026
    rf"|\b(\d+) (?={_UNITS}\b)"  # 12 months
    rf"|\b({_REFS}) (?=\d)"  # section 5, clause 14.5
    rf"|\b((?:Act|Regulations|Order|Rules)) (?=\d{{4}}\b)"  # Act 2018
    rf"|\b({_TITLES}) (?=[A-Z])"  # PC Tom
)
_OPEN_DOUBLE = re.compile(r'(^|[\s(\[{\u2018/-])"')
_OPEN_SINGLE = re.compile(r"(^|[\s(\[{\u201c/-])'")


def _keep(match: re.Match) -> str:
    return next(g for g in match.groups() if g is not None) + NBSP


def typeset(text: str) -> str:
    """The text as it is printed in a signed document."""
    if not text:
        return text
    if '"' in text:
        text = _OPEN_DOUBLE.sub("\\1\u201c", text).replace('"', "\u201d")
    if "'" in text:
        text = _OPEN_SINGLE.sub("\\1\u2018", text).replace("'", "\u2019")
    if " " in text:
        text = _KEEP.sub(_keep, text)
    return text


_PLAIN = str.maketrans({NBSP: " ", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def plain(text: str) -> str:
    """A typeset text with plain spaces and straight quotes again."""
    return text.translate(_PLAIN)
