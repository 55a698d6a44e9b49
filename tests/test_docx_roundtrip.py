"""A .docx protocolkit built reads back with the library's ids: the annual review compares it with the partnership file."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from conftest import EXAMPLES, FIXTURES
from protocolkit.cli import app
from protocolkit.library import load_library
from protocolkit.project import assemble_documents, load_partnership
from protocolkit.read.docx import read_docx

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))
DOCS = {"protocol": "protocol.docx", "dsa": "data-sharing-agreement.docx"}
EMPTY = {"added": [], "removed": [], "changed": [], "moved": [], "sections_added": [], "sections_removed": []}
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
IDS_NS = "urn:protocolkit:document-ids:1"
# Word's rule for a bookmark name.
WORD_BOOKMARK = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,39}$")


def partnership_id(path: Path) -> str:
    return re.search(r"^id:\s*(\S+)", path.read_text(encoding="utf-8"), re.M).group(1)


def cli(*args) -> object:
    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """Every example built once through the CLI."""
    out = tmp_path_factory.mktemp("built")
    result = cli("build", EXAMPLES, "--out", out)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def assembled() -> dict[tuple[str, str], object]:
    """Each example's documents assembled from the partnership file, by (partnership id, kind)."""
    lib = load_library(None)
    out = {}
    for path in EXAMPLE_FILES:
        loaded = load_partnership(path, lib)
        docs, findings = assemble_documents(loaded, lib, list(DOCS))
        assert not [f for f in findings if f.severity == "error"]
        for kind, doc in docs.items():
            out[(loaded.model.id, kind)] = doc
    return out


def diff_json(*args) -> tuple[int, dict]:
    result = cli("diff", *args, "--format", "json", "--exit-code")
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def rewrite_part(src: Path, dst: Path, name: str, change) -> None:
    """A copy of a .docx with one part's XML changed by `change(root)` (or the part left out when it returns None)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == name:
                root = change(etree.fromstring(data))
                if root is None:
                    continue
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            zout.writestr(item, data)


def ids_part_name(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return next(n for n in z.namelist() if n.startswith("customXml/item") and IDS_NS.encode() in z.read(n))


def paragraph_with(root, text: str):
    return next(p for p in root.iter(W + "p") if "".join(t.text or "" for t in p.iter(W + "t")).startswith(text))


# -- (1) a built document compared with its own partnership file: no differences --------------


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
@pytest.mark.parametrize("kind", list(DOCS))
def test_a_built_document_matches_its_partnership_file(built, example, kind):
    docx = built / partnership_id(example) / DOCS[kind]
    code, report = diff_json(docx, example, "--doc", kind)
    assert (code, report) == (0, EMPTY)
    # And the other way round, as a review that starts from the partnership file would run it.
    code, report = diff_json(example, docx, "--doc", kind)
    assert (code, report) == (0, EMPTY)


def test_the_tree_read_back_is_the_tree_built(built, assembled):
    for (pid, kind), doc in assembled.items():
        read = read_docx(built / pid / DOCS[kind])
        # The front matter (cover, document control, contents) is not a section of the tree.
        assert [(s.id, s.number, s.title) for s in read.sections] == [(s.id, s.number, s.title) for s in doc.sections]
        assert [(c.id, c.number, c.title) for c in read.clauses()] == [(c.id, c.number, c.title) for c in doc.clauses()]
        # Same title, headings, numbers and paragraphs: the fingerprint printed in the document matches.
        assert read.fingerprint() == doc.fingerprint(), (pid, kind)
        assert read.kind == kind
        for field in ("title", "version", "in_force", "review_due", "marking"):
            assert getattr(read.metadata, field) == getattr(doc.metadata, field), (pid, kind, field)


def test_text_diff_says_no_differences_and_gives_no_note_about_ids(built):
    example = EXAMPLES / "northgate-high.yaml"
    result = cli("diff", built / partnership_id(example) / "protocol.docx", example)
    assert result.exit_code == 0, result.output
    assert "no differences" in result.stdout
    assert "ids" not in result.stdout


def test_a_document_written_elsewhere_still_gets_the_note(built):
    result = cli("diff", FIXTURES / "staffordshire-protocol.docx", EXAMPLES / "northgate-high.yaml")
    assert result.exit_code == 0, result.output
    assert "does not carry the clause library's ids" in result.stdout


# -- (2) one clause changed in the partnership file: exactly that clause ------------------------


def test_one_overridden_clause_is_the_only_change(built, tmp_path):
    example = EXAMPLES / "northgate-high.yaml"
    docx = built / partnership_id(example) / "protocol.docx"
    before = {c.id: c for c in read_docx(docx).clauses()}
    edited = tmp_path / "northgate-high.yaml"
    edited.write_text(example.read_text(encoding="utf-8") + (
        "clauses:\n"
        "  overrides:\n"
        "    roles.spoc:\n"
        "      reason: The school named its deputy head as the single point of contact.\n"
        "      text: The deputy head teacher is the officer's single point of contact in school.\n"
    ), encoding="utf-8")
    code, report = diff_json(docx, edited)
    assert code == 1
    assert [c["id"] for c in report["changed"]] == ["roles.spoc"]
    assert report["changed"][0]["before"] == before["roles.spoc"].text
    after = report["changed"][0]["after"].splitlines()
    # The override replaces the lead paragraph; the clause's items stay as they were.
    assert after[0] == "The deputy head teacher is the officer's single point of contact in school."
    assert after[1:] == before["roles.spoc"].text.splitlines()[1:]
    assert {k: v for k, v in report.items() if k != "changed"} == {k: v for k, v in EMPTY.items() if k != "changed"}


def test_a_paragraph_edited_in_the_docx_is_the_only_change(built, tmp_path):
    """A signatory who edits one clause in Word: the review shows that clause, still under its library id."""
    example = EXAMPLES / "northgate-high.yaml"
    docx = built / partnership_id(example) / "protocol.docx"
    clause = read_docx(docx).clauses()[5]
    first = clause.paragraphs[0].text

    def edit(root):
        para = paragraph_with(root, first[:60])
        runs = list(para.iter(W + "t"))
        runs[-1].text += " Amended in Word."
        return root

    copy = tmp_path / "edited.docx"
    rewrite_part(docx, copy, "word/document.xml", edit)
    code, report = diff_json(copy, example)
    assert code == 1
    assert [c["id"] for c in report["changed"]] == [clause.id]
    assert report["changed"][0]["before"].splitlines()[0] == first + " Amended in Word."


# -- robustness: what Word users and other tools may do to the file -----------------------------


def test_headings_whose_bookmarks_were_lost_are_matched_by_number(built, tmp_path):
    example = EXAMPLES / "northgate-high.yaml"
    docx = built / partnership_id(example) / "protocol.docx"

    def strip(root):
        for el in list(root.iter(W + "bookmarkStart", W + "bookmarkEnd")):
            el.getparent().remove(el)
        return root

    copy = tmp_path / "no-bookmarks.docx"
    rewrite_part(docx, copy, "word/document.xml", strip)
    assert diff_json(copy, example) == (0, EMPTY)


def test_a_heading_added_in_word_gets_an_id_of_its_own(built, tmp_path):
    example = EXAMPLES / "northgate-high.yaml"
    docx = built / partnership_id(example) / "protocol.docx"
    doc = read_docx(docx)
    target = doc.sections[2].clauses[0]

    def add(root):
        heading = paragraph_with(root, f"{target.number}")
        new = etree.fromstring(etree.tostring(heading))
        for el in list(new.iter(W + "bookmarkStart", W + "bookmarkEnd")):
            el.getparent().remove(el)
        texts = list(new.iter(W + "t"))
        texts[0].text, texts[-1].text = f"{doc.sections[2].number}.9", "Parking"
        body = etree.fromstring(etree.tostring(paragraph_with(root, target.paragraphs[0].text[:60])))
        for t in list(body.iter(W + "t"))[1:]:
            t.getparent().remove(t)
        next(body.iter(W + "t")).text = "The officer parks in the staff car park."
        heading.addprevious(new)
        heading.addprevious(body)
        return root

    copy = tmp_path / "added.docx"
    rewrite_part(docx, copy, "word/document.xml", add)
    code, report = diff_json(copy, example)
    assert code == 1
    # The new clause is "removed" from the .docx's point of view: the partnership file has no such clause.
    assert report["removed"] == [f"{doc.sections[2].id}.parking"]
    assert report["changed"] == [] and report["added"] == []


def test_without_the_ids_part_the_reader_falls_back_to_headings(built, tmp_path):
    example = EXAMPLES / "northgate-high.yaml"
    docx = built / partnership_id(example) / "protocol.docx"
    name = ids_part_name(docx)
    copy = tmp_path / "no-ids.docx"
    rewrite_part(docx, copy, name, lambda root: etree.Element(etree.QName("urn:example:other", "data")))
    doc = read_docx(copy)
    assert "purpose.agreement" not in {c.id for c in doc.clauses()}
    result = cli("diff", copy, example)
    assert "does not carry the clause library's ids" in result.stdout


def test_a_damaged_ids_part_is_ignored_not_fatal(built, tmp_path):
    docx = built / "northgate-high" / "protocol.docx"
    name = ids_part_name(docx)
    copy = tmp_path / "damaged.docx"
    with zipfile.ZipFile(docx) as zin, zipfile.ZipFile(copy, "w") as zout:
        for item in zin.infolist():
            zout.writestr(item, b"<document xmlns='urn:protocolkit:document-ids:1'><section" if item.filename == name
                          else zin.read(item.filename))
    result = cli("check", copy, "--today", "2026-10-01")
    assert result.exit_code == 0, result.output
    assert read_docx(copy).sections


# -- (3) check on built documents ---------------------------------------------------------------


def test_check_finds_nothing_wrong_with_built_documents(built, assembled):
    day_before = min(doc.metadata.review_due for doc in assembled.values()) - timedelta(days=1)
    result = cli("check", built, "--today", day_before.isoformat(), "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["summary"]["error"] == 0, report["findings"]


def test_check_reads_the_review_date_of_a_built_document(built, assembled):
    doc = assembled[("northgate-high", "protocol")]
    late = doc.metadata.review_due.replace(year=doc.metadata.review_due.year + 1)
    result = cli("check", built / "northgate-high" / "protocol.docx", "--today", late.isoformat(), "--format", "json")
    assert result.exit_code == 1
    findings = [f for f in json.loads(result.stdout)["findings"] if f["severity"] == "error"]
    assert [f["rule"] for f in findings] == ["review-date"]
    assert "the review was due on 1 September 2027" in findings[0]["message"]


# -- (5) the ids part and bookmarks: deterministic and valid for Word -----------------------------


def test_ids_are_recorded_deterministically_and_as_word_requires(built, tmp_path):
    example = EXAMPLES / "harbour-cluster.yaml"
    again = tmp_path / "again"
    assert cli("build", example, "--out", again).exit_code == 0
    pid = partnership_id(example)
    for name in DOCS.values():
        first, second = built / pid / name, again / pid / name
        assert first.read_bytes() == second.read_bytes()
        with zipfile.ZipFile(first) as z:
            root = etree.fromstring(z.read("word/document.xml"))
            part = etree.fromstring(z.read(ids_part_name(first)))
            names = z.namelist()
            rels = z.read("word/_rels/document.xml.rels").decode()
            types = z.read("[Content_Types].xml").decode()
        starts = list(root.iter(W + "bookmarkStart"))
        ends = list(root.iter(W + "bookmarkEnd"))
        ids = [b.get(W + "id") for b in starts]
        assert len(ids) == len(set(ids)) and sorted(ids) == sorted(b.get(W + "id") for b in ends)
        assert all(WORD_BOOKMARK.match(b.get(W + "name")) for b in starts)
        # A bookmark never comes before the paragraph properties, which Word requires first.
        for b in starts:
            p = b.getparent()
            assert p.tag == W + "p" and (p[0].tag == W + "pPr" and p.index(b) > 0 or p.index(b) == 0)
        recorded = [el.get("bookmark") for el in part if el.get("bookmark") is not None]  # (parties, signatories)
        assert sorted(recorded) == sorted(b.get(W + "name") for b in starts if b.get(W + "name") != "_pk_body")
        # The part is related from the document and its properties part has its content type.
        item = ids_part_name(first)
        number = re.search(r"item(\d+)\.xml", item).group(1)
        assert f'Target="../{item}"' in rels
        assert f"customXml/itemProps{number}.xml" in names and f"customXml/_rels/item{number}.xml.rels" in names
        assert f'PartName="/customXml/itemProps{number}.xml"' in types


# -- LibreOffice keeps the ids when it saves the document ---------------------------------------


@pytest.mark.office
def test_ids_survive_a_libreoffice_save(built, tmp_path, soffice):
    example = EXAMPLES / "wensum-valley-pcso.yaml"
    src = built / partnership_id(example) / "data-sharing-agreement.docx"
    work = tmp_path / "in"
    work.mkdir()
    shutil.copy(src, work / "dsa.docx")
    out = tmp_path / "out"
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
                    "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out), str(work / "dsa.docx")],
                   check=True, capture_output=True, timeout=180)
    saved = out / "dsa.docx"
    assert saved.read_bytes() != src.read_bytes()
    assert diff_json(saved, example, "--doc", "dsa") == (0, EMPTY)
