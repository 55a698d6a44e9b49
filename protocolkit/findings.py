"""A finding: one thing wrong (or worth knowing) at one place, from loading, assembling or checking."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Literal

from protocolkit.document import Source

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")


@dataclass
class Finding:
    rule: str
    severity: Severity
    message: str
    path: str
    line: int | None = None
    column: int | None = None
    clause: str | None = None
    section: str | None = None
    key: str | None = None  # the profile section or register entry concerned
    text: str | None = None  # the exact words that triggered the finding
    page: int | None = None  # the page of a PDF where they stand

    @classmethod
    def at(cls, source: Source | None, rule: str, severity: Severity, message: str, **where: str | None) -> "Finding":
        """A finding placed at a source (or nowhere in particular)."""
        src = source or Source("")
        return cls(rule, severity, message, src.path, src.line, src.column, where.get("clause"), where.get("section"),
                   where.get("key"), where.get("text"), src.page)

    def location(self) -> str:
        """path:line:col, as editors and terminals link it."""
        if self.line is None:
            return self.path
        return f"{self.path}:{self.line}:{self.column or 1}"

    def to_json(self) -> dict:
        return asdict(self)

    def sort_key(self) -> tuple:
        return (self.path, self.line or 0, self.column or 0, self.rule, self.message)


class InputError(Exception):
    """Input that cannot be read at all (missing file, torn .docx): exit 2 with this one line."""


def closest(word: str, known, cutoff: float = 0.6) -> str | None:
    """The known word nearest to a misspelt one, or None when none is near."""
    import difflib

    close = difflib.get_close_matches(str(word), list(known), n=1, cutoff=cutoff)
    return close[0] if close else None


def did_you_mean(word: str, known, cutoff: float = 0.6) -> str:
    """" (did you mean 'x'?)" for a message, or "" when nothing known is near."""
    near = closest(word, known, cutoff)
    return f" (did you mean {near!r}?)" if near else ""


# What a terminal would obey or a reader would not see: C0 controls but tab and newline, DEL, C1 controls, bidi
# marks, embeddings, overrides and isolates, zero-width characters and the byte-order mark.
_UNSEEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
# The colour codes protocolkit itself writes to a terminal (check's and diff's text formats).
_OUR_COLOURS = re.compile(r"(\x1b\[(?:0|1|2|31|33|36|31;9|32;4)m)")


def _escape(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, colours: bool = False) -> str:
    """Text on its way to a terminal or a text report, with every character a terminal would obey (escape sequences,
    bell, carriage return) or a reader would not see (bidi overrides, zero-width characters) shown as a visible
    escape such as \\x1b or \\u202e. With colours, protocolkit's own colour codes are kept. Every string that came
    from a file passes through here before it is printed."""
    if not colours:
        return _UNSEEN.sub(_escape, text)
    return "".join(part if i % 2 else _UNSEEN.sub(_escape, part) for i, part in enumerate(_OUR_COLOURS.split(text)))


def finding_line(f: "Finding") -> str:
    """One finding as `path:line:col: severity rule message`, safe for a terminal."""
    return visible(f"{f.location()}: {f.severity} {f.rule} {f.message}")
