"""The HTML writer: a Document tree as an HTML fragment, for `serve`'s preview (beside the .docx and markdown writers).

The fragment is written by a Jinja template with autoescaping on, so every value from a partnership file or a
clause is escaped by the template engine; nothing here builds markup by joining strings. The document's title is
a heading at `level` (the page around it owns the level above), sections one level down, clauses one more.
Notes (check's findings, say) may be placed beside a clause or a section: they are given already as text and are
escaped like everything else.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping, Sequence

from jinja2 import Environment
from markupsafe import Markup

from protocolkit.assemble import long_date
from protocolkit.document import Document
from protocolkit.typography import typeset


@dataclass(frozen=True)
class Note:
    """Something to show beside a clause or section: a severity ('error', 'warning', 'info') and words."""

    severity: str
    text: str
    where: str = ""  # e.g. a rule id and a file:line, shown after the words


_TEMPLATE = """\
<article class="document" id="{{ prefix }}top" aria-labelledby="{{ prefix }}title">
<h{{ level }} id="{{ prefix }}title" class="doc-title">{{ t(doc.title) }}</h{{ level }}>
{%- if meta.subtitle %}
<p class="doc-subtitle">{{ t(meta.subtitle) }}</p>
{%- endif %}
{%- if meta.marking %}
<p class="marking">Protective marking: <strong>{{ meta.marking }}</strong></p>
{%- endif %}
{%- if facts %}
<table class="facts">
<caption>Document control</caption>
{%- for label, value in facts %}
<tr><th scope="row">{{ label }}</th><td>{{ value }}</td></tr>
{%- endfor %}
</table>
{%- endif %}
{%- if meta.history %}
<table class="history">
<caption>Change history</caption>
<tr><th scope="col">Version</th><th scope="col">Date</th><th scope="col">Author</th><th scope="col">Summary</th></tr>
{%- for h in meta.history %}
<tr><td>{{ h.version }}</td><td>{{ long_date(h.date) }}</td><td>{{ t(h.author) }}</td><td>{{ t(h.summary) }}</td></tr>
{%- endfor %}
</table>
{%- endif %}
{%- if doc.sections %}
<nav class="contents" aria-labelledby="{{ prefix }}contents"><h{{ level + 1 }} id="{{ prefix }}contents">Contents</h{{ level + 1 }}>
<ol>
{%- for s in doc.sections %}
<li><a href="#{{ prefix }}s-{{ s.id }}">{{ s.number }} {{ t(s.title) }}</a></li>
{%- endfor %}
</ol></nav>
{%- endif %}
{%- for s in doc.sections %}
<section class="doc-section" id="{{ prefix }}s-{{ s.id }}" aria-labelledby="{{ prefix }}h-{{ s.id }}">
<h{{ level + 1 }} id="{{ prefix }}h-{{ s.id }}"><span class="num">{{ s.number }}</span> {{ t(s.title) }}</h{{ level + 1 }}>
{{- notes_for(section_notes.get(s.id, ())) }}
{%- for c in s.clauses %}
<section class="clause" id="{{ prefix }}c-{{ c.id }}" aria-labelledby="{{ prefix }}ch-{{ c.id }}" data-clause="{{ c.id }}">
<h{{ level + 2 }} id="{{ prefix }}ch-{{ c.id }}"><span class="num">{{ c.number }}</span> {{ t(c.title) }}</h{{ level + 2 }}>
{{- notes_for(clause_notes.get(c.id, ())) }}
{%- for block in blocks(c.paragraphs) %}
{%- if block[0] == "bullet" %}
<ul>
{%- for p in block[1] %}
<li>{{ t(p.text) }}</li>
{%- endfor %}
</ul>
{%- elif block[0] == "row" %}
<table class="rows">
{%- for p in block[1] %}
<tr>{% for cell in p.text.split("\t") %}<td>{{ t(cell) }}</td>{% endfor %}</tr>
{%- endfor %}
</table>
{%- else %}
{%- for p in block[1] %}
<p>{{ t(p.text) }}</p>
{%- endfor %}
{%- endif %}
{%- endfor %}
</section>
{%- endfor %}
</section>
{%- endfor %}
{%- if meta.signatories %}
<table class="signatories">
<caption>Signed</caption>
<tr><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Organisation</th><th scope="col">Signature</th><th scope="col">Date</th></tr>
{%- for s in meta.signatories %}
<tr><td>{{ t(s.name) }}</td><td>{{ t(s.role) }}</td><td>{{ t(s.organisation) }}</td><td></td><td></td></tr>
{%- endfor %}
</table>
{%- endif %}
</article>
"""

_NOTES = """\
{%- if notes %}
<ul class="notes">
{%- for n in notes %}
<li class="note note-{{ n.severity }}"><strong>{{ n.severity | capitalize }}:</strong> {{ n.text }}{% if n.where %} <span class="where">({{ n.where }})</span>{% endif %}</li>
{%- endfor %}
</ul>
{%- endif %}"""


@lru_cache(maxsize=1)
def _templates():
    env = Environment(autoescape=True, keep_trailing_newline=True)
    notes = env.from_string(_NOTES)
    return env.from_string(_TEMPLATE), notes


def _blocks(paragraphs) -> list[tuple[str, list]]:
    """Runs of paragraphs of one style: bullets become one list, rows one table."""
    out: list[tuple[str, list]] = []
    for p in paragraphs:
        if out and out[-1][0] == p.style and p.style != "body":
            out[-1][1].append(p)
        else:
            out.append((p.style, [p]))
    return out


def render_html(doc: Document, level: int = 1, clause_notes: Mapping[str, Sequence[Note]] | None = None,
                section_notes: Mapping[str, Sequence[Note]] | None = None, prefix: str = "") -> str:
    """The document as an HTML fragment (one <article>), every value escaped; notes beside their clause or
    section. `prefix` keeps element ids apart when two documents share a page."""
    page, notes = _templates()
    meta = doc.metadata
    facts = [("Version", meta.version), ("In force from", long_date(meta.in_force)),
             ("Next review due", long_date(meta.review_due)), ("Author", typeset(meta.author)),
             ("Owner", typeset(meta.owner)),
             ("Parties", "; ".join(f"{typeset(p.name)} ({p.role})" for p in meta.parties)),
             ("Fingerprint (SHA-256)", doc.fingerprint())]
    return page.render(doc=doc, meta=meta, facts=[(k, v) for k, v in facts if v], level=max(1, min(level, 4)),
                       prefix=prefix, t=typeset, long_date=long_date, blocks=_blocks,
                       clause_notes=clause_notes or {}, section_notes=section_notes or {},
                       # the notes' own template escaped every value, so its output is markup to keep as it is
                       notes_for=lambda found: Markup(notes.render(notes=list(found))))
