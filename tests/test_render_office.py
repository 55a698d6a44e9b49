"""LibreOffice converts what `protocolkit build --pdf` writes: real pages, with the title on them."""

from __future__ import annotations

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
