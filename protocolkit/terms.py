"""The words the library uses for a school, said as a college says them.

The library is written for schools: "the school", "head teacher", "pupils". A partnership whose
every institution is a further education college is drafted in the college's own words: "the
college", "principal", "students". The change is made on the library's clause text before its
variables are filled, so that names and values from the partnership file are never altered, and
the names of laws, guidance and the partnership itself ("Safer Schools Partnership",
"Independent School Standards", "guidance for schools and colleges") keep their words.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Names that contain the words and must keep them; matched case-insensitively before any change.
_KEEP = (
    r"Safer\s+Schools?\s+Partnerships?", r"Safer\s+Schools?\s+(?:Officers?|Police\s+Officers?)",
    r"Independent\s+School\s+Standards", r"schools\s+and\s+colleges", r"guidance\s+for\s+schools",
    r"Wellbeing\s+and\s+Schools\s+Act", r"toolkit\s+for\s+schools", r"schools\s+protocol",
    r"Toolkit\s+for\s+Schools", r"special\s+schools?", r"pupil\s+referral\s+units?", r"maintained\s+schools?",
    r"independent\s+schools?", r"schools?,?\s+(?:or|and)?\s*(?:a\s+)?colleges?",
    r"from\s+primary\s+to\s+secondary\s+school", r"playgrounds?",
    r"[A-Z][a-z]+(?:\s+(?:and|of|for)?\s*[A-Z][a-z]+)*\s+Act\s+\d{4}",
)
_KEPT = re.compile("|".join(f"(?:{k})" for k in _KEEP), re.IGNORECASE)
_JINJA = re.compile(r"(\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\})", re.DOTALL)

# Longest first: "head teachers" before "head teacher", "pupils'" before "pupil".
_WORDS = [
    ("head teachers", "principals"), ("head teacher's", "principal's"), ("head teacher\u2019s", "principal\u2019s"), ("head teacher", "principal"),
    ("school premises", "further education premises"), ("headteachers", "principals"), ("headteacher's", "principal's"), ("headteacher", "principal"), ("pupils'", "students'"), ("pupils", "students"), ("pupil's", "student's"),
    ("pupil", "student"), ("schools'", "colleges'"), ("schools", "colleges"), ("school's", "college's"),
    ("school", "college"), ("behaviour policy", "disciplinary policy"),
]
_WORD = re.compile(r"\b(" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w, _ in _WORDS) + r")(?!\w)",
                   re.IGNORECASE)
_TO = {w: c for w, c in _WORDS}


def _swap(m: re.Match[str]) -> str:
    found = m.group(0)
    curly = "\u2019" in found
    new = _TO[" ".join(found.lower().split()).replace("\u2019", "'")]
    if curly:
        new = new.replace("'", "\u2019")
    if found.isupper() and len(found) > 1:
        return new.upper()
    return new[0].upper() + new[1:] if found[0].isupper() else new


def _plain(text: str) -> str:
    out, pos = [], 0
    for keep in _KEPT.finditer(text):
        out.append(_WORD.sub(_swap, text[pos:keep.start()]))
        out.append(keep.group(0))
        pos = keep.end()
    out.append(_WORD.sub(_swap, text[pos:]))
    return "".join(out)


@lru_cache(maxsize=4096)
def college_words(text: str) -> str:
    """The text with the library's school words as a college's, outside Jinja tags and protected names. Cached:
    it is the library's text, the same for every college partnership a process assembles, and the change took
    a quarter of a millisecond a clause."""
    return "".join(part if _JINJA.fullmatch(part) else _plain(part) for part in _JINJA.split(text))
