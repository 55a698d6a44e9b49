"""The .docx reader on the two reference fixtures and on files that are not .docx at all."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from protocolkit.findings import InputError
from protocolkit.read.docx import read_docx

FIXTURES = Path(__file__).resolve().parent / "fixtures"
WALTHAM = FIXTURES / "waltham-forest-protocol.docx"
STAFFS = FIXTURES / "staffordshire-protocol.docx"


def test_bold_paragraph_headings_become_sections():
    doc = read_docx(WALTHAM)
    assert doc.kind == "protocol"
    assert doc.title == "London Borough of Waltham Forest Police Joint Protocol with Warwick Boys School"
    assert [s.title for s in doc.sections] == [
        "", "The Aims and Objectives of the Safer School Partnership are", "The Role of the SSPO is to",
        "School Premises", "Working Practises", "The SSPO", "The Staff", "Exchange of Information", "Other Issues",
    ]
    info = doc.section("exchange-of-information")
    assert info is not None and len(info.clauses[0].paragraphs) == 6
    assert all(p.style == "bullet" for p in info.clauses[0].paragraphs)


def test_heading_styles_and_numbers_become_numbered_sections():
    doc = read_docx(STAFFS)
    assert doc.kind == "protocol"
    assert doc.title == "One Staffordshire Information Sharing Protocol"
    assert [(s.number, s.title) for s in doc.sections][:3] == [
        ("1", "Introduction"), ("2", "Purpose of Agreement"), ("3", "Partnership Aims and Objectives")]
    assert len(doc.sections) == 15
    assert doc.sections[-1].id == "sspo-programmes-of-activity"
    # the training modules table is read as text; the contents table is not
    training = doc.section("training").clauses[0].text
    assert "Restorative Justice | Truancy | ASBO/ABC" in training
    assert not any("Introduction | 3" in c.text for c in doc.clauses())


def test_ids_do_not_depend_on_numbers(tmp_path):
    """Removing a section leaves the ids of the sections after it as they were."""
    from docx import Document as Docx

    def build(with_first: bool) -> Path:
        d = Docx()
        d.add_paragraph("Safer Schools Partnership Protocol", style="Title")
        n = 1
        if with_first:
            d.add_paragraph(f"{n}. Purpose", style="Heading 1")
            d.add_paragraph("Why we do this.")
            n += 1
        d.add_paragraph(f"{n}. Finance", style="Heading 1")
        d.add_paragraph(f"{n}.1 Universal service", style="Heading 2")
        d.add_paragraph("No charge is made.")
        out = tmp_path / f"p{int(with_first)}.docx"
        d.save(out)
        return out

    before, after = read_docx(build(True)), read_docx(build(False))
    assert before.section("finance").number == "2" and after.section("finance").number == "1"
    assert [c.id for c in before.section("finance").clauses] == ["finance.universal-service"]
    assert [c.id for c in after.section("finance").clauses] == ["finance.universal-service"]


def test_typed_numbered_headings(tmp_path):
    from docx import Document as Docx

    d = Docx()
    d.add_paragraph("Data Sharing Agreement").runs[0].bold = True
    d.add_paragraph("Review date: 1 September 2025")
    d.add_paragraph("1. Purpose")
    d.add_paragraph("1.1 The parties share data to keep pupils safe.")
    d.add_paragraph("10. Finance")
    d.add_paragraph("No charge is made.")
    path = tmp_path / "typed.docx"
    d.save(path)
    doc = read_docx(path)
    assert doc.kind == "dsa"
    assert [(s.number, s.id) for s in doc.sections] == [("", "opening"), ("1", "purpose"), ("10", "finance")]
    assert doc.section("purpose").clauses[0].number == "1.1"
    assert doc.metadata.review_due.isoformat() == "2025-09-01"


@pytest.mark.parametrize("content, reason", [
    (b"just some text", "not a .docx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "Word 97-2003"),
])
def test_not_a_docx(tmp_path, content, reason):
    path = tmp_path / "x.docx"
    path.write_bytes(content)
    with pytest.raises(InputError, match=reason):
        read_docx(path)


def test_torn_docx(tmp_path):
    path = tmp_path / "torn.docx"
    path.write_bytes(WALTHAM.read_bytes()[:4000])
    with pytest.raises(InputError, match="torn"):
        read_docx(path)


def test_zip_that_is_not_word(tmp_path):
    path = tmp_path / "zip.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(InputError, match="not a Word document"):
        read_docx(path)
