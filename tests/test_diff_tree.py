"""The tree differ and the word differ on documents built here: renumbering, moves, and text that survives a diff."""

from __future__ import annotations

import copy
import io
import zipfile

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from protocolkit.diff.redline import redline_bytes
from protocolkit.diff.tree import diff_documents
from protocolkit.diff.words import after_text, before_text, paragraph_diff, word_diff
from protocolkit.document import Clause, Document, Paragraph, Section, renumber
from test_diff_redline import document_lines, resolve


def build(layout: dict[str, list[str]]) -> Document:
    """A document whose sections hold clauses with the given ids, each saying something about itself."""
    doc = Document(kind="protocol", title="Safer Schools Partnership Protocol")
    for sid, cids in layout.items():
        doc.sections.append(Section(sid, sid.title(), [Clause(cid, f"About {cid}", [Paragraph(f"Text of {cid}.")])
                                                       for cid in cids]))
    return renumber(doc)


BASE = {"purpose": ["p.a", "p.b"], "roles": ["r.a", "r.b", "r.c"], "finance": ["f.a"]}


def report(old: Document, new: Document) -> dict:
    d = diff_documents(old, new)
    return {**d.to_json(), "changed": [c["id"] for c in d.to_json()["changed"]]}


def test_renumbering_alone_is_no_change():
    old = build(BASE)
    new = build({"purpose": ["p.a", "p.b"], "roles": ["r.a", "r.b", "r.c"], "finance": ["f.a"]})
    new.sections[1].clauses.insert(0, Clause("r.new", "New", [Paragraph("New text.")]))
    renumber(new)
    assert new.section("roles").clauses[1].number != old.section("roles").clauses[0].number
    assert report(old, new) == {"added": ["r.new"], "removed": [], "changed": [], "moved": [],
                                "sections_added": [], "sections_removed": []}


def test_removing_a_section_moves_nothing_else():
    new = build({"purpose": ["p.a", "p.b"], "finance": ["f.a"]})
    assert report(build(BASE), new) == {"added": [], "removed": ["r.a", "r.b", "r.c"], "changed": [], "moved": [],
                                        "sections_added": [], "sections_removed": ["roles"]}


def test_a_clause_moved_to_another_section_is_moved_not_changed():
    new = build({"purpose": ["p.a", "p.b", "r.b"], "roles": ["r.a", "r.c"], "finance": ["f.a"]})
    assert report(build(BASE), new)["moved"] == ["r.b"]
    assert report(build(BASE), new)["changed"] == []


def test_a_reordered_clause_is_the_only_one_moved():
    new = build({"purpose": ["p.a", "p.b"], "roles": ["r.b", "r.c", "r.a"], "finance": ["f.a"]})
    assert report(build(BASE), new)["moved"] == ["r.a"]


def test_a_moved_and_reworded_clause_is_both():
    new = build({"purpose": ["p.a", "p.b"], "roles": ["r.a", "r.b"], "finance": ["f.a", "r.c"]})
    new.section("finance").clauses[1].paragraphs[0].text = "Text of r.c, reworded."
    got = report(build(BASE), new)
    assert got["moved"] == ["r.c"] and got["changed"] == ["r.c"]


def test_a_title_change_is_a_change_and_leads_the_reported_text():
    new = build(BASE)
    new.section("finance").clauses[0].title = "Funding"
    changed = diff_documents(build(BASE), new).to_json()["changed"]
    assert changed == [{"id": "f.a", "before": "About f.a\nText of f.a.", "after": "Funding\nText of f.a."}]


def test_redline_round_trips_moves_and_removals():
    old = build(BASE)
    new = build({"finance": ["f.a", "p.a"], "purpose": ["p.b"], "training": ["t.a"]})
    new.section("purpose").clauses[0].paragraphs.append(Paragraph("A new bullet.", "bullet"))
    renumber(new)
    data = redline_bytes(diff_documents(old, new), "old", "new")
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    assert resolve(root, accept=True) == document_lines(new)
    assert resolve(root, accept=False) == document_lines(old)


def _round_trip(old: Document, new: Document) -> None:
    data = redline_bytes(diff_documents(old, new), "old", "new")
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    assert resolve(root, accept=True) == document_lines(new)
    assert resolve(root, accept=False) == document_lines(old)


@st.composite
def layouts(draw) -> dict[str, list[str]]:
    """Sections in any order, each holding some of a shared pool of clause ids."""
    sections = draw(st.lists(st.sampled_from(["purpose", "roles", "finance", "review"]), unique=True, max_size=4))
    pool = draw(st.permutations(["c1", "c2", "c3", "c4", "c5", "c6"]))
    cuts = sorted(draw(st.lists(st.integers(0, len(pool)), min_size=len(sections), max_size=len(sections))))
    starts = [0] + cuts
    return {sid: list(pool[starts[i]:starts[i + 1]]) for i, sid in enumerate(sections)}


@settings(max_examples=40, deadline=None)
@given(layouts(), layouts(), st.sets(st.sampled_from(["c1", "c2", "c3", "c4", "c5", "c6"])))
def test_any_redline_accepts_to_new_and_rejects_to_old(old_layout, new_layout, reworded):
    old, new = build(old_layout), build(new_layout)
    for clause in new.clauses():
        if clause.id in reworded:
            clause.paragraphs = [Paragraph(f"Reworded text of {clause.id}."), Paragraph("An extra item.", "bullet")]
    _round_trip(old, new)


def test_redline_of_identical_documents_tracks_nothing():
    doc = build(BASE)
    data = redline_bytes(diff_documents(doc, copy.deepcopy(doc)), "a", "b")
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
    assert b"<w:ins " not in xml and b"<w:del " not in xml


words = st.lists(st.sampled_from(["the", "school", "officer", "will", ",", ".", " ", "  ", "\n", "pupil's", "co-op",
                                  "é", "DSL", "10"]), max_size=30).map("".join)


@settings(max_examples=300, deadline=None)
@given(words, words)
def test_a_word_diff_gives_back_both_texts(before, after):
    segments = word_diff(before, after)
    assert before_text(segments) == before
    assert after_text(segments) == after
    # Runs alternate sensibly: never two equal runs in a row, never an empty run.
    assert all(text for _, text in segments)
    assert all(not (a[0] == "=" and b[0] == "=") for a, b in zip(segments, segments[1:]))


paragraphs = st.lists(st.builds(Paragraph, words, st.sampled_from(["body", "bullet"])), max_size=6)


@settings(max_examples=200, deadline=None)
@given(paragraphs, paragraphs)
def test_a_paragraph_diff_gives_back_both_bodies(before, after):
    changes = paragraph_diff(before, after)
    old = [(c.style, before_text(c.segments)) for c in changes if c.kind != "added"]
    new = [(c.style, after_text(c.segments)) for c in changes if c.kind != "removed"]
    assert old == [(p.style, p.text) for p in before]
    assert new == [(p.style, p.text) for p in after]


def test_text_report_colours_only_when_asked():
    from protocolkit.diff.formats import text
    from protocolkit.diff.report import Report

    new = build(BASE)
    new.section("finance").clauses[0].paragraphs[0].text = "Text of f.a, reworded."
    report = Report("old", "new", "protocol", diff_documents(build(BASE), new))
    coloured = text.render(report, color=True)
    plain = text.render(report, color=False)
    assert "\x1b[32;4m, reworded\x1b[0m" in coloured and "[-" not in coloured
    assert "\x1b[" not in plain and "{+, reworded+}" in plain
