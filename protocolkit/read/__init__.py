"""Readers: documents written elsewhere (.docx, .pdf, and .odt, .doc or .rtf through LibreOffice) turned into the
one document tree."""

from __future__ import annotations

import re
from pathlib import Path

from protocolkit.document import Document
from protocolkit.findings import InputError

DOCUMENT_SUFFIXES = (".docx", ".pdf", ".odt", ".doc", ".rtf")


def is_document(path: Path) -> bool:
    """Whether the file is a document a reader takes, by its name."""
    return path.suffix.lower() in DOCUMENT_SUFFIXES and not path.name.startswith("~$")


def read_document(path: Path | str, kind: str | None = None) -> Document:
    """The document tree of a document written elsewhere, by its format; InputError when it cannot be read."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".docx":
        from protocolkit.read.docx import read_docx

        return read_docx(p, kind)
    if suffix == ".pdf":
        from protocolkit.read.pdf import read_pdf

        return read_pdf(p, kind)
    if suffix in (".odt", ".doc", ".rtf"):
        from protocolkit.read.office import read_office

        return read_office(p, kind)
    raise InputError(f"{path}: not a document protocolkit reads: name a partnership file, a .docx, .pdf, .odt or .doc")


# 64 hex digits, which a PDF's text may break across lines
_HEX = re.compile(r"(?<![0-9a-z])((?:[0-9a-f]\s*){63}[0-9a-f])(?![0-9a-z])")


def printed_fingerprint(path: Path) -> str:
    """The fingerprint a copy protocolkit built states (a .docx in its custom properties, a PDF in its document
    control); '' for a document written elsewhere, or one that cannot be read (its reader says why)."""
    try:
        if path.suffix.lower() == ".pdf":
            from pdfminer.high_level import extract_text

            text = extract_text(str(path), maxpages=4)
            at = text.find("Fingerprint")
            found = _HEX.search(text, at) if at >= 0 else None
            return re.sub(r"\s+", "", found.group(1)) if found else ""
        import zipfile

        from protocolkit.package import check_package

        check_package(path, str(path))  # sizes, methods and checksums, before anything is inflated
        with zipfile.ZipFile(path) as zf:
            custom = zf.read("docProps/custom.xml").decode("utf-8", "replace")
        found = re.search(r'name="Fingerprint"><vt:lpwstr>([0-9a-f]{64})<', custom)
        return found.group(1) if found else ""
    except Exception:  # noqa: BLE001 - pdfminer and zipfile raise many kinds; a copy that states none states none
        return ""
