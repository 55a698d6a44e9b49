"""Every format a force keeps a document in reads into the same tree: .docx, PDF with text, and .odt and .doc
through LibreOffice; what cannot be read is exit 2 with the reason, never a silent pass; and headings are found
however they were typed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from docx import Document as Docx
from docx.enum.text import WD_UNDERLINE
from docx.shared import Pt

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FORMATS = FIXTURES / "formats"
TODAY = "2026-11-22"


def findings(run, path: Path, *extra: str) -> tuple[int, list[dict]]:
    result = run("check", path, "--format", "json", "--today", TODAY, *extra)
    assert result.exit_code in (0, 1), result.stderr
    return result.exit_code, json.loads(result.stdout)["findings"]


def comparable(found: list[dict], path: Path) -> list[tuple]:
    """A finding without its file name and page: what must be the same in every format."""
    return sorted((f["rule"], f["severity"], f["section"], f["message"].replace(str(path), "")) for f in found)


@pytest.mark.parametrize("name, formats", [("staffordshire-protocol", ("pdf", "odt", "doc")),
                                           ("waltham-forest-protocol", ("pdf", "odt"))])
def test_every_format_gives_the_findings_the_docx_gives(run, soffice, name, formats):
    docx = FIXTURES / f"{name}.docx"
    code, expected = findings(run, docx)
    assert code == 1 and expected
    for fmt in formats:
        other = FORMATS / f"{name}.{fmt}"
        other_code, found = findings(run, other)
        assert other_code == code, fmt
        assert comparable(found, other) == comparable(expected, docx), fmt


def test_pdf_needs_no_office_suite(run, monkeypatch):
    from protocolkit.read import office

    monkeypatch.setattr(office, "soffice", lambda: None)
    code, found = findings(run, FORMATS / "staffordshire-protocol.pdf")
    assert code == 1 and any(f["rule"] == "missing-section" for f in found)


@pytest.mark.parametrize("suffix", ["odt", "doc"])
def test_without_libreoffice_an_odt_or_doc_is_exit_2_naming_what_to_install(run, monkeypatch, suffix):
    from protocolkit.read import office

    monkeypatch.setattr(office, "soffice", lambda: None)
    result = run("check", FORMATS / f"staffordshire-protocol.{'odt' if suffix == 'odt' else 'doc'}")
    assert result.exit_code == 2 and result.stdout == ""
    assert "LibreOffice" in result.stderr and "apt-get install libreoffice-writer-nogui" in result.stderr


MINIMAL_PDF_WITHOUT_TEXT = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
                            b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
                            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
                            b"trailer<</Root 1 0 R>>\n%%EOF\n")


def test_a_scanned_pdf_with_no_text_is_exit_2_saying_so(run, tmp_path):
    scan = tmp_path / "signed-copy.pdf"
    scan.write_bytes(MINIMAL_PDF_WITHOUT_TEXT)
    result = run("check", scan)
    assert result.exit_code == 2 and "no text layer" in result.stderr and result.stderr.count("\n") == 1


@pytest.mark.parametrize("content", [b"not a pdf at all", b"%PDF-1.4\n garbage that is not a pdf body"])
def test_a_file_named_pdf_that_is_not_one_is_exit_2(run, tmp_path, content):
    bad = tmp_path / "agreement.pdf"
    bad.write_bytes(content)
    result = run("check", bad)
    assert result.exit_code == 2 and "agreement.pdf" in result.stderr and "Traceback" not in result.stderr


def test_documents_in_a_folder_are_checked_in_every_format(run, tmp_path, soffice):
    for name in ("staffordshire-protocol.pdf", "staffordshire-protocol.odt"):
        (tmp_path / name).write_bytes((FORMATS / name).read_bytes())
    code, found = findings(run, tmp_path)
    paths = {Path(f["path"]).name for f in found}
    assert code == 1 and paths == {"staffordshire-protocol.pdf", "staffordshire-protocol.odt"}
    assert not any(f["rule"] == "skipped-file" for f in found)


# -- headings however they are typed -----------------------------------------------------------------------------

SECTIONS = ["Purpose of the agreement", "Aims and objectives", "Roles and responsibilities", "Information sharing"]


def _typed(tmp_path: Path, style) -> Path:
    d = Docx()
    title = d.add_paragraph("Safer Schools Partnership Protocol")
    title.runs[0].bold = True
    for heading in SECTIONS:
        style(d, heading)
        d.add_paragraph(f"The partners agree what {heading.lower()} means for this school, in full sentences.")
        d.add_paragraph("A second paragraph of ordinary body text follows, as real protocols have.")
    path = tmp_path / "typed.docx"
    d.save(path)
    return path


def _caps(d, heading):
    d.add_paragraph(heading.upper())


def _underlined(d, heading):
    d.add_paragraph().add_run(heading).underline = WD_UNDERLINE.SINGLE


def _larger(d, heading):
    d.add_paragraph().add_run(heading).font.size = Pt(16)


def _outline_level(d, heading):
    from docx.oxml.ns import qn
    from docx.oxml import OxmlElement

    if "Partnership Heading" not in [s.name for s in d.styles]:
        style = d.styles.add_style("Partnership Heading", 1)
        level = OxmlElement("w:outlineLvl")
        level.set(qn("w:val"), "0")
        style.element.get_or_add_pPr().append(level)
    d.add_paragraph(heading, style="Partnership Heading")


def _one_cell_table(d, heading):
    table = d.add_table(rows=1, cols=1)
    table.cell(0, 0).text = heading


@pytest.mark.parametrize("style", [_caps, _underlined, _larger, _outline_level, _one_cell_table],
                         ids=["caps", "underline", "larger", "outline-level", "one-cell-table"])
def test_headings_neither_styled_bold_nor_numbered_are_found(tmp_path, style):
    from protocolkit.read import read_document

    doc = read_document(_typed(tmp_path, style), "protocol")
    titles = [s.title.lower() for s in doc.sections if s.title]
    assert titles == [h.lower() for h in SECTIONS], titles
    assert all(len(s.clauses[0].paragraphs) == 2 for s in doc.sections if s.title)


def test_a_typed_contents_list_is_not_read_as_sections(run, tmp_path):
    d = Docx()
    d.add_paragraph().add_run("Safer Schools Partnership Protocol").bold = True
    d.add_paragraph("Contents")
    for n, (heading, page) in enumerate([("Purpose", 2), ("Aims", 3), ("Training", 11), ("Review", 12)], 1):
        d.add_paragraph(f"{n}. {heading} {page}")
    for n, heading in enumerate(["Purpose", "Aims", "Review"], 1):
        d.add_paragraph().add_run(f"{n}. {heading}").bold = True
        d.add_paragraph("The partners set out here what they agree about this, in full sentences.")
    path = tmp_path / "with-contents.docx"
    d.save(path)
    from protocolkit.read import read_document

    doc = read_document(path, "protocol")
    assert [s.title for s in doc.sections if s.title] == ["Purpose", "Aims", "Review"]
    code, found = findings(run, path, "--doc", "protocol")
    assert "training" in {f["section"] for f in found if f["rule"] == "missing-section"}


def test_findings_on_a_pdf_quote_their_evidence_and_page(run):
    _, found = findings(run, FORMATS / "staffordshire-protocol.pdf")
    dated = [f for f in found if f["rule"] == "dated-reference"]
    assert dated and all(f["text"] and f["key"] and f["page"] for f in dated)
    ecm = next(f for f in dated if f["key"] == "every-child-matters")
    assert ecm["text"] == "Every Child Matters" and ecm["page"] == 2
    missing = [f for f in found if f["rule"] == "missing-section"]
    assert {f["key"] for f in missing} == {f["section"] for f in missing}


def test_an_unreadable_document_found_in_a_folder_is_a_finding_and_the_rest_is_checked(run, tmp_path):
    root = Path(__file__).resolve().parent.parent
    (tmp_path / "northgate.yaml").write_text((root / "examples" / "northgate-high.yaml").read_text(encoding="utf-8")
                                             .replace("    status: academy", "    type: academy"), encoding="utf-8")
    (tmp_path / "signed-scan.pdf").write_bytes(MINIMAL_PDF_WITHOUT_TEXT)
    code, found = findings(run, tmp_path)
    assert code == 1
    assert [f["rule"] for f in found if f["path"].endswith("signed-scan.pdf")] == ["unreadable-document"]
    assert any(f["rule"] == "school-type" for f in found if f["path"].endswith("northgate.yaml"))


def test_a_one_page_pdf_keeps_its_title(run, tmp_path, soffice):
    import subprocess

    d = Docx()
    d.add_paragraph().add_run("Safer Schools Partnership Protocol").bold = True
    for heading in SECTIONS:
        d.add_paragraph().add_run(heading).bold = True
        d.add_paragraph("The partners agree what this means for the school, in full sentences.")
    docx = tmp_path / "onepage.docx"
    d.save(docx)
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless", "--convert-to",
                    "pdf", "--outdir", str(tmp_path), str(docx)], check=True, capture_output=True, timeout=180)
    from protocolkit.read import read_document

    doc = read_document(tmp_path / "onepage.pdf")
    assert doc.kind == "protocol" and doc.title == "Safer Schools Partnership Protocol"
    assert [s.title for s in doc.sections if s.title] == SECTIONS


def test_a_pdf_page_with_no_height_is_exit_2_not_a_traceback(run, tmp_path):
    bad = tmp_path / "flat.pdf"
    bad.write_bytes(MINIMAL_PDF_WITHOUT_TEXT.replace(b"[0 0 595 842]", b"[0 0 595 0]"))
    result = run("check", bad)
    assert result.exit_code == 2 and "Traceback" not in result.stderr


def test_a_typed_list_does_not_demote_the_real_bold_headings(tmp_path):
    from protocolkit.read import read_document

    d = Docx()
    d.add_paragraph().add_run("Safer Schools Partnership Protocol").bold = True
    d.add_paragraph().add_run("1. Aims").bold = True
    for n, aim in enumerate(["To reduce crime", "To keep pupils safe", "To build trust"], 2):
        d.add_paragraph(f"{n}. {aim}")
    for n, heading in enumerate(["Roles", "Information sharing", "Review"], 2):
        d.add_paragraph().add_run(f"{n}. {heading}").bold = True
        d.add_paragraph("The partners set out what they agree about this, in full sentences.")
    path = tmp_path / "cascade.docx"
    d.save(path)
    titles = [s.title for s in read_document(path, "protocol").sections if s.title]
    assert {"Roles", "Information sharing", "Review"} <= set(titles)
