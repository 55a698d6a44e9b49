"""The report for a terminal: [-deleted-]{+inserted+} markers, or colour with strike and underline on a terminal."""

from __future__ import annotations

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

RESET = "\x1b[0m"
# Strike and underline as well as red and green, so the marks survive colour blindness.
STYLES = {"-": "\x1b[31;9m", "+": "\x1b[32;4m", "bold": "\x1b[1m", "dim": "\x1b[2m"}
INDENT = "    "


class _Painter:
    def __init__(self, color: bool):
        self.color = color

    def style(self, name: str, text: str) -> str:
        return f"{STYLES[name]}{text}{RESET}" if self.color and text else text

    def segments(self, segments: list[Segment]) -> str:
        out = []
        for op, text in segments:
            if op == "=":
                out.append(text)
            elif self.color:
                # Colour each line apart so a terminal's wrap or a pager never bleeds it onto the next.
                out.append("\n".join(self.style(op, line) for line in text.split("\n")))
            else:
                out.append(f"[-{text}-]" if op == "-" else f"{{+{text}+}}")
        return "".join(out)

    def paragraph(self, change: ParagraphChange) -> str:
        bullet = "- " if change.style == "bullet" else ""
        return INDENT + bullet + self.segments(change.segments)

    def clause_id(self, cid: str) -> str:
        return self.style("dim", f"[{cid}]")


def render(report: Report, color: bool = False) -> str:
    """The report as lines of text."""
    paint = _Painter(color)
    d = report.diff
    lines = [paint.style("bold", f"{report.title}: {report.old_label} → {report.new_label}"), summary(report)]
    lines += report.notes
    if report.facts:
        lines += ["", paint.style("bold", "Partnership facts changed")]
        for fact in report.facts:
            lines.append(f"  {fact.path}: {paint.segments([('-', shown_value(fact.before)), ('+', shown_value(fact.after))])}")
            lines.append(f"{INDENT}rewrites {fact_clauses(fact, report)}")
    if d.title_changed:
        lines += ["", paint.style("bold", "Title"), f"  {paint.segments([('-', d.old.title), ('+', d.new.title)])}"]
    for name, sections, mark in (("Sections added", d.sections_added, "+"), ("Sections removed", d.sections_removed, "-")):
        if sections:
            lines += ["", paint.style("bold", name)]
            lines += [f"  {mark} {section_heading(s)} {paint.clause_id(s.id)}" for s in sections]
    if d.sections_renamed:
        lines += ["", paint.style("bold", "Sections renamed")]
        for r in d.sections_renamed:
            lines.append(f"  {r.new.number} {paint.segments([('-', r.old.title), ('+', r.new.title)])} {paint.clause_id(r.id)}")
    for name, placed, op in (("Clauses added", d.added, "+"), ("Clauses removed", d.removed, "-")):
        if placed:
            lines += ["", paint.style("bold", name)]
            for p in placed:
                lines.append(f"  {op} {placed_heading(p)} {paint.clause_id(p.clause.id)}")
                lines += [paint.paragraph(change) for change in whole_clause(p, op)]
    if d.moved:
        lines += ["", paint.style("bold", "Clauses moved")]
        lines += [f"  > {c.new.clause.title} {paint.clause_id(c.id)}: {move_line(c)}" for c in d.moved]
    if d.changed:
        lines += ["", paint.style("bold", "Clauses changed")]
        for c in d.changed:
            lines.append(f"  {paint.segments(heading_diff(c))} {paint.clause_id(c.id)}")
            lines += [paint.paragraph(p) if p else INDENT + "…" for p in elided(body_diff(c))]
    return "\n".join(lines)
