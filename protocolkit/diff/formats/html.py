"""The report as one self-contained HTML page (inline CSS, no scripts) that a head teacher can open or print."""

from __future__ import annotations

from html import escape

from protocolkit.diff.facts import shown_value
from protocolkit.diff.report import (
    Report,
    body_diff,
    fact_clauses,
    heading_diff,
    move_line,
    placed_heading,
    section_heading,
    summary,
    whole_clause,
)
from protocolkit.diff.words import ParagraphChange, Segment

CSS = """
body { font: 16px/1.5 Georgia, 'Times New Roman', serif; color: #1b1b1b; background: #fff; margin: 0; }
main { max-width: 46rem; margin: 2rem auto; padding: 0 1.25rem; }
h1 { font-size: 1.6rem; margin-bottom: .25rem; }
h2 { font-size: 1.2rem; border-bottom: 1px solid #bbb; padding-bottom: .2rem; margin-top: 2rem; }
h3 { font-size: 1rem; margin: 1.4rem 0 .4rem; }
.versions, .summary { margin: .2rem 0; }
.summary { font-weight: bold; }
.key { font: .8rem/1 Menlo, Consolas, monospace; color: #555; font-weight: normal; }
ins { background: #d6f5dd; color: #0b4f1c; text-decoration: underline; }
del { background: #fbdada; color: #7a1010; text-decoration: line-through; }
.added { border-left: 4px solid #2e8540; padding-left: .8rem; }
.removed { border-left: 4px solid #b32020; padding-left: .8rem; }
.changed { border-left: 4px solid #8a6d00; padding-left: .8rem; }
table { border-collapse: collapse; width: 100%; font-size: .95rem; }
th, td { border: 1px solid #ccc; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
ul { padding-left: 1.4rem; }
@media print { main { margin: 0; max-width: none; } h2 { break-after: avoid; } .clause { break-inside: avoid; } }
""".strip()


def segments(segs: list[Segment]) -> str:
    out = []
    for op, text in segs:
        body = escape(text).replace("\n", "<br>")
        out.append(body if op == "=" else f"<{'del' if op == '-' else 'ins'}>{body}</{'del' if op == '-' else 'ins'}>")
    return "".join(out)


def _key(text: str) -> str:
    return f'<span class="key">{escape(text)}</span>'


def _body(changes: list[ParagraphChange]) -> list[str]:
    """Paragraphs, with runs of bullets gathered into one list."""
    out: list[str] = []
    in_list = False
    for change in changes:
        if change.style == "bullet" and not in_list:
            out.append("<ul>")
            in_list = True
        elif change.style != "bullet" and in_list:
            out.append("</ul>")
            in_list = False
        tag = "li" if change.style == "bullet" else "p"
        out.append(f"<{tag}>{segments(change.segments)}</{tag}>")
    if in_list:
        out.append("</ul>")
    return out


def render(report: Report, color: bool = False) -> str:
    """The report as an HTML document."""
    d = report.diff
    title = f"Changes to the {report.title}"
    parts = [
        "<!DOCTYPE html>", '<html lang="en-GB">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>", f"<style>\n{CSS}\n</style>", "</head>", "<body>", "<main>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="versions">From <strong>{escape(report.old_label)}</strong> to <strong>{escape(report.new_label)}</strong>. '
        "Removed words are <del>struck through</del>; added words are <ins>underlined</ins>.</p>",
        f'<p class="summary">{escape(summary(report)[:1].upper() + summary(report)[1:])}.</p>',
    ]
    parts += [f"<p>{escape(note)}</p>" for note in report.notes]
    if report.facts:
        parts += ["<h2>Partnership facts changed</h2>", "<table>",
                  "<tr><th>Fact</th><th>Before</th><th>After</th><th>Clauses rewritten</th></tr>"]
        for fact in report.facts:
            parts.append(f"<tr><td>{_key(fact.path)}</td><td>{escape(shown_value(fact.before))}</td>"
                         f"<td>{escape(shown_value(fact.after))}</td><td>{escape(fact_clauses(fact, report))}</td></tr>")
        parts.append("</table>")
    if d.title_changed:
        parts += ["<h2>Title</h2>", f"<p>{segments([('-', d.old.title), ('+', d.new.title)])}</p>"]
    items = [f"<li>Added: <ins>{escape(section_heading(s))}</ins> {_key(s.id)}</li>" for s in d.sections_added]
    items += [f"<li>Removed: <del>{escape(section_heading(s))}</del> {_key(s.id)}</li>" for s in d.sections_removed]
    items += [f"<li>Renamed: {escape(r.new.number)} {segments([('-', r.old.title), ('+', r.new.title)])} {_key(r.id)}</li>"
              for r in d.sections_renamed]
    if items:
        parts += ["<h2>Sections</h2>", "<ul>", *items, "</ul>"]
    for name, placed, op, css in (("Clauses added", d.added, "+", "added"), ("Clauses removed", d.removed, "-", "removed")):
        if placed:
            parts.append(f"<h2>{name}</h2>")
            for p in placed:
                parts += [f'<section class="clause {css}">', f"<h3>{escape(placed_heading(p))} {_key(p.clause.id)}</h3>"]
                parts += _body(whole_clause(p, op))
                parts.append("</section>")
    if d.moved:
        parts += ["<h2>Clauses moved</h2>", "<ul>"]
        parts += [f"<li><strong>{escape(c.new.clause.title)}</strong> {_key(c.id)}: {escape(move_line(c))}</li>" for c in d.moved]
        parts.append("</ul>")
    if d.changed:
        parts.append("<h2>Clauses changed</h2>")
        for c in d.changed:
            parts += ['<section class="clause changed">',
                      f"<h3>{segments(heading_diff(c))} {_key(c.id)}</h3>"]
            parts += _body(body_diff(c))
            parts.append("</section>")
    parts += ["</main>", "</body>", "</html>"]
    return "\n".join(parts)
