"""`protocolkit serve` and the HTML writer: unit tests, then the real server driven by a real browser."""

from __future__ import annotations

from pathlib import Path

from conftest import EXAMPLES
from protocolkit.library import load_library
from protocolkit.project import assemble_documents, load_partnership
from protocolkit.render.html import Note, render_html


def _document(name: str = "northgate-high.yaml", kind: str = "protocol"):
    lib = load_library()
    loaded = load_partnership(EXAMPLES / name, lib)
    docs, problems = assemble_documents(loaded, lib, [kind])
    assert not [f for f in problems if f.severity == "error"]
    return docs[kind]


def test_html_writer_escapes_every_value_and_places_notes_beside_their_clause():
    doc = _document()
    doc.metadata.subtitle = "St Mary & St John's <script>alert(1)</script>"
    first = doc.clauses()[0]
    first.paragraphs[0].text = "<b>bold</b> & \"quoted\""
    html = render_html(doc, level=2, clause_notes={first.id: [Note("warning", "a <i>note</i>", "rule, x:1:1")]})
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt; &amp;" in html
    assert html.count("<h2 ") == 1 and "<h3 " in html and "<h4 " in html and "<h1" not in html
    clause = html.split(f'data-clause="{first.id}"', 1)[1].split("</section>", 1)[0]
    assert 'class="note note-warning"' in clause and "a &lt;i&gt;note&lt;/i&gt;" in clause
    # every section and clause is there, numbered, in document order
    positions = [html.index(f'id="ch-{c.id}"') for c in doc.clauses()]
    assert positions == sorted(positions) and len(positions) == len(doc.clauses())
    assert f">{doc.sections[0].number}</span>" in html


def test_html_writer_writes_bullets_as_lists_and_signatories_as_a_table():
    doc = _document("harbour-cluster.yaml")
    html = render_html(doc)
    bullets = [p for c in doc.clauses() for p in c.paragraphs if p.style == "bullet"]
    assert bullets and html.count("<li>") >= len(bullets)
    assert '<table class="signatories">' in html
    for s in doc.metadata.signatories:
        assert s.name.split()[-1] in html
    assert doc.fingerprint() in html
