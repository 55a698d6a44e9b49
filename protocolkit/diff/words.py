"""Word-level differences: two texts as runs that stayed, went and came, and clauses as paragraphs of them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

from protocolkit.document import Paragraph

Op = Literal["=", "-", "+"]
Segment = tuple[Op, str]

# Words keep inner apostrophes and hyphens ("school's", "full-time") so a change reads as whole words.
_TOKEN = re.compile(r"\s+|\w+(?:['’\-]\w+)*|[^\w\s]")

# Below this likeness two paragraphs are shown as one removed and one added, not as a word salad.
PAIR_RATIO = 0.35


def tokens(text: str) -> list[str]:
    """The text cut into words, punctuation marks and runs of whitespace; joining them gives the text back."""
    return _TOKEN.findall(text)


def word_diff(before: str, after: str) -> list[Segment]:
    """Runs of text marked '=' (in both), '-' (only before) and '+' (only after), deletions first."""
    a, b = tokens(before), tokens(after)
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    raw: list[Segment] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            raw.append(("=", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            raw.append(("-", "".join(a[i1:i2])))
        if j2 > j1:
            raw.append(("+", "".join(b[j1:j2])))
    return _coalesce(_absorb_gaps(raw))


def _absorb_gaps(segments: list[Segment]) -> list[Segment]:
    """Fold a lone space between two changes into both sides, so "[-a-]{+b+} [-c-]{+d+}" reads "[-a c-]{+b d+}"."""
    out: list[Segment] = []
    for i, (op, text) in enumerate(segments):
        changed_before = i > 0 and segments[i - 1][0] != "="
        changed_after = i + 1 < len(segments) and segments[i + 1][0] != "="
        if op == "=" and changed_before and changed_after and not text.strip():
            out.append(("-", text))
            out.append(("+", text))
        else:
            out.append((op, text))
    return out


def _coalesce(segments: list[Segment]) -> list[Segment]:
    """Adjacent runs merged, and within each changed stretch all deletions before all insertions."""
    out: list[Segment] = []
    pending: dict[str, str] = {"-": "", "+": ""}

    def flush() -> None:
        for op in ("-", "+"):
            if pending[op]:
                out.append((op, pending[op]))  # type: ignore[arg-type]
                pending[op] = ""

    for op, text in segments:
        if not text:
            continue
        if op == "=":
            flush()
            if out and out[-1][0] == "=":
                out[-1] = ("=", out[-1][1] + text)
            else:
                out.append(("=", text))
        else:
            pending[op] += text
    flush()
    return out


def before_text(segments: list[Segment]) -> str:
    """The old text a diff was made from."""
    return "".join(t for op, t in segments if op != "+")


def after_text(segments: list[Segment]) -> str:
    """The new text a diff was made from."""
    return "".join(t for op, t in segments if op != "-")


@dataclass
class ParagraphChange:
    """One paragraph of a changed clause: kept as it was, reworded, or wholly removed or added."""

    kind: Literal["equal", "changed", "removed", "added"]
    style: str
    segments: list[Segment]


def paragraph_diff(before: list[Paragraph], after: list[Paragraph]) -> list[ParagraphChange]:
    """Two clause bodies aligned paragraph by paragraph, with word-level changes inside reworded ones."""
    a = [(p.style, p.text) for p in before]
    b = [(p.style, p.text) for p in after]
    out: list[ParagraphChange] = []
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out += [ParagraphChange("equal", style, [("=", text)]) for style, text in a[i1:i2]]
            continue
        olds, news = a[i1:i2], b[j1:j2]
        # Pair paragraphs in order while they still resemble each other; the rest went or came whole.
        paired = 0
        while paired < min(len(olds), len(news)):
            (ostyle, otext), (nstyle, ntext) = olds[paired], news[paired]
            if ostyle != nstyle or SequenceMatcher(None, tokens(otext), tokens(ntext), autojunk=False).ratio() < PAIR_RATIO:
                break
            out.append(ParagraphChange("changed", nstyle, word_diff(otext, ntext)))
            paired += 1
        out += [ParagraphChange("removed", style, [("-", text)]) for style, text in olds[paired:]]
        out += [ParagraphChange("added", style, [("+", text)]) for style, text in news[paired:]]
    return out
