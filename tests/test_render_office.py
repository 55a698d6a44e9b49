"""LibreOffice converts what `protocolkit build --pdf` writes: real pages, with the title on them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from conftest import EXAMPLES

pytestmark = pytest.mark.office


def pdf_pages(path) -> int:
    """The page count, from pdfinfo where poppler is installed, else from the PDF's page objects."""
    if shutil.which("pdfinfo"):
        out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
        return int(re.search(r"^Pages:\s+(\d+)", out, re.M).group(1))
    return len(re.findall(rb"/Type\s*/Page[^s]", path.read_bytes()))


def test_build_pdf_converts_every_document(run, tmp_path, soffice):
    example = EXAMPLES / "northgate-high.yaml"
    result = run("build", example, "--out", tmp_path, "--pdf")
    assert result.exit_code == 0, result.output
    folder = tmp_path / "northgate-high"
    titles = {"protocol": "Safer Schools Partnership Protocol", "data-sharing-agreement": "Data-Sharing Agreement"}
    for stem, title in titles.items():
        pdf = folder / f"{stem}.pdf"
        assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF"), f"{pdf} missing or not a PDF"
        assert str(pdf) in result.stdout
        # Cover, document control and contents, at least one page of body, and the signatures.
        assert pdf_pages(pdf) >= 4
        if shutil.which("pdftotext"):
            text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                                  check=True).stdout
            assert title in text and "Northgate High School" in text
            pages = text.split("\f")
            last = next(p for p in reversed(pages) if p.strip())
            # The signature block is whole on the last page: every signatory and both captions.
            for name in ("Inspector Ravi Bhatt", "Dr Helen Carter"):
                assert name in last
            assert last.count("Signature") >= 2 and re.search(r"Page (\d+) of \1", last)
            assert not any(not p.strip() for p in pages[:-1]), "an empty page"
    # The staging folder LibreOffice wrote into is gone.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["northgate-high"]


def test_every_example_prints_without_a_near_empty_page_and_with_a_paged_contents_list(run, tmp_path, soffice):
    if not shutil.which("pdftotext"):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("poppler (pdftotext) is not installed, and CI=true requires it")
        pytest.skip("poppler (pdftotext) is not installed")
    result = run("build", EXAMPLES, "--out", tmp_path, "--pdf")
    assert result.exit_code == 0, result.output
    pdfs = sorted(tmp_path.glob("*/*.pdf"))
    assert len(pdfs) == 12
    for pdf in pdfs:
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        pages = [p for p in text.split("\f") if p.strip()]
        # the running header and footer are on every page; what is left is the page's own text
        for number, page in enumerate(pages[1:], start=2):  # page 1 is the cover
            own = [w for w in page.split() if w not in RUNNING_WORDS]
            assert len(own) >= 60, f"{pdf.parent.name}/{pdf.name}: page {number} holds {len(own)} words"
        # every contents entry ends in the page number LibreOffice worked out for its heading
        contents = next(p for p in pages if "Contents" in p)
        entries = re.findall(r"^\s*(\d+)\s+(\S.*?)\s*\.{3,}\s*(\d+)\s*$", contents, re.M)
        assert len(entries) >= 10, f"{pdf.name}: contents without page numbers"
        numbers = [int(page) for _, _, page in entries]
        assert numbers == sorted(numbers) and numbers[0] >= 3 and numbers[-1] <= len(pages)
        # the document control and change history tables print each date on one line (a column too narrow broke
        # "15 September 2026" as "202" above "6")
        control = next(p for p in pages if "Change history" in p or "No earlier versions" in p)
        broken = _BROKEN_DATE.search(control)
        assert broken is None, f"{pdf.parent.name}/{pdf.name}: a date broken across lines: {broken.group(0)!r}"


_BROKEN_DATE = re.compile(r"\b\d{1,2}[ \u00a0](?:January|February|March|April|May|June|July|August|September|"
                          r"October|November|December)(?![ \u00a0]\d{4}\b)(?=\s)")


# What the running header and footer print on every page (see the template's footer).
RUNNING_WORDS = {"OFFICIAL", "OFFICIAL-SENSITIVE", "Page", "of"}
