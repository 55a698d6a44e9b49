"""A document found in a folder being checked cannot be read.

Named on the command line, a document that cannot be read (a scanned PDF with no text layer, a
damaged .docx, a .doc without LibreOffice) stops the check with exit 2 and the reason. Found while
checking a folder, it is reported as this error, with the same reason, and every other file is
still checked: one signed scan in a folder of partnership files must not hide their findings.

Passes:   a folder of partnership files and readable .docx documents
Fails:    a folder that also holds a scanned signed copy (a PDF with no text)
"""

from __future__ import annotations

from typing import Iterator

from protocolkit.check.subject import Subject
from protocolkit.findings import Finding

ID = "unreadable-document"
NAME = "Document in a folder cannot be read"
SEVERITY = "error"
TARGETS: tuple[str, ...] = ()  # reported by the engine when a reader refuses a document it found


def unreadable(path: str, reason: str) -> Finding:
    """The finding for a document the readers could not read, with their reason."""
    reason = reason.removeprefix(f"{path}: ")
    return Finding(ID, SEVERITY, f"cannot be read, so it was not checked: {reason}", path)


def check(subject: Subject) -> Iterator[Finding]:
    return iter(())
