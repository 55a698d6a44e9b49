"""Readers: documents written elsewhere (.docx, .pdf, and .odt, .doc or .rtf through LibreOffice) turned into the
one document tree."""

from __future__ import annotations

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
