"""The report as GitHub-flavoured markdown for a pull-request comment, with <del> and <ins> marks."""

from __future__ import annotations

import html
import re

from protocolkit.diff.facts import shown_value
from protocolkit.diff.report import (
    Report,
    body_diff,
    elided,
    fact_clauses,
    heading_diff,
    move_line,
    placed_heading,
    section_heading,
    summary,
    whole_clause,
)
from protocolkit.diff.words import ParagraphChange, Segment

_INLINE = re.compile(r"([\\`*_\[\]|~])")
_BLOCK_MARK = re.compile(r"^(\s*)([#>+=-])")
_ORDERED_MARK = re.compile(r"^(\s*\d+)([.)])")


def escape(text: str, line_start: bool = False) -> str:
    """Text that GitHub shows literally: markdown marks backslashed, HTML escaped, newlines kept as breaks.

    With line_start, marks that only matter at the start of a line ('# ', '- ', '1. ') are escaped too.
    """
    out = _INLINE.sub(r"\\\1", html.escape(text, quote=False))
    if line_start:
        out = _ORDERED_MARK.sub(r"\1\\\2", _BLOCK_MARK.sub(r"\1\\\2", out))
    return out.replace("\n", "<br>")


def code(text: str, in_table: bool = False) -> str:
    """Inline code that survives backticks; in a table cell a pipe is escaped, as GFM requires even in code."""
    fence = "``" if "`" in text else "`"
    return f"{fence}{text.replace('|', chr(92) + '|') if in_table else text}{fence}"


def segments(segs: list[Segment], line_start: bool = False) -> str:
    out = []
    for i, (op, text) in enumerate(segs):
        if op == "=":
            out.append(escape(text, line_start and i == 0))
        else:
            tag = "del" if op == "-" else "ins"
            out.append(f"<{tag}>{escape(text)}</{tag}>")
    return "".join(out)


def paragraph(change: ParagraphChange, quote: bool = True) -> str:
    prefix = "> " if quote else ""
    bullet = "- " if change.style == "bullet" else ""
    return f"{prefix}{bullet}{segments(change.segments, line_start=True)}"


def _paragraphs(changes: list[ParagraphChange | None]) -> list[str]:
    """Paragraphs inside one block quote, bullets kept as a list; None (paragraphs left out) as an ellipsis."""
    lines: list[str] = []
    for i, change in enumerate(changes):
        prev = changes[i - 1] if i else None
        if i and not (change and prev and change.style == "bullet" and prev.style == "bullet"):
            lines.append(">")
        lines.append(paragraph(change) if change else "> …")
    return lines


def render(report: Report, color: bool = False) -> str:
    """The report as markdown."""
    d = report.diff
    lines = [f"### {escape(report.title)}: {code(report.old_label)} → {code(report.new_label)}", "",
             f"**{escape(summary(report))}**"]
    for note in report.notes:
        lines += ["", escape(note)]
    if report.facts:
        lines += ["", "#### Partnership facts changed", "", "| Fact | Before | After | Clauses rewritten |",
                  "| --- | --- | --- | --- |"]
        for fact in report.facts:
            lines.append(f"| {code(fact.path, in_table=True)} | {escape(shown_value(fact.before))} | {escape(shown_value(fact.after))} "
                         f"| {escape(fact_clauses(fact, report))} |")
    if d.title_changed:
        lines += ["", "#### Title", "", segments([("-", d.old.title), ("+", d.new.title)])]
    section_lines = [f"- **Added:** {escape(section_heading(s))} ({code(s.id)})" for s in d.sections_added]
    section_lines += [f"- **Removed:** {escape(section_heading(s))} ({code(s.id)})" for s in d.sections_removed]
    section_lines += [f"- **Renamed:** {escape(r.new.number)} {segments([('-', r.old.title), ('+', r.new.title)])} "
                      f"({code(r.id)})" for r in d.sections_renamed]
    if section_lines:
        lines += ["", "#### Sections", "", *section_lines]
    for name, placed, op in (("Clauses added", d.added, "+"), ("Clauses removed", d.removed, "-")):
        if placed:
            lines += ["", f"#### {name}"]
            for p in placed:
                lines += ["", f"**{escape(placed_heading(p))}** ({code(p.clause.id)})", ""]
                lines += _paragraphs(whole_clause(p, op))
    if d.moved:
        lines += ["", "#### Clauses moved", ""]
        lines += [f"- **{escape(c.new.clause.title)}** ({code(c.id)}): {escape(move_line(c))}" for c in d.moved]
    if d.changed:
        lines += ["", "#### Clauses changed"]
        for c in d.changed:
            lines += ["", f"**{segments(heading_diff(c))}** ({code(c.id)})", ""]
            lines += _paragraphs(elided(body_diff(c)))
    return "\n".join(lines)
