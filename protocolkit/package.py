"""One check of a .docx package before anything reads it, and one way to open it: every fault is exit 2, one line.

A .docx is a zip of XML parts. Before python-docx sees one, the zip's directory is checked: its entries' count and
inflated sizes (a zip bomb inflates to gigabytes from kilobytes), their compression (Deflate64 and other methods
Python cannot inflate), encryption, and their checksums. After opening, the main part must be a Word document with a
body: python-docx assumes both and fails with an AttributeError deep inside otherwise.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import IO, Any

from protocolkit.findings import InputError

MAX_INFLATED = 200 * 2**20  # a protocol with its images is a few MB; a zip bomb inflates to gigabytes
MAX_ENTRIES = 5_000  # a .docx has a few dozen parts
_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}
W_MAIN = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def check_package(source: Path | IO[bytes], shown: str, what: str = "the .docx") -> None:
    """InputError with one line when the zip cannot be read safely and wholly; returns quietly when it can."""
    try:
        with zipfile.ZipFile(source) as zf:
            entries = zf.infolist()
            names = {i.filename for i in entries}
            if "word/document.xml" not in names and "[Content_Types].xml" not in names:
                raise InputError(f"{shown}: not a Word document (the zip has no word/document.xml): save it from "
                                 f"Word as .docx")
            if len(entries) > MAX_ENTRIES:
                raise InputError(f"{shown}: {what} holds {len(entries):,} parts, far more than any protocol (at most "
                                 f"{MAX_ENTRIES:,}): it is not read")
            inflated = sum(i.file_size for i in entries)
            if inflated > MAX_INFLATED:
                raise InputError(f"{shown}: {what} would inflate to {inflated // 2**20:,} MB, far more than any "
                                 f"protocol (at most {MAX_INFLATED // 2**20} MB): it is not read")
            for info in entries:
                if info.flag_bits & 0x1:
                    raise InputError(f"{shown}: {what} is encrypted or password-protected ({info.filename}): remove "
                                     f"the password in Word (File, Info, Protect Document) and save again")
                if info.compress_type not in _METHODS:
                    raise InputError(f"{shown}: {what} uses a compression Word does not ({info.filename}, method "
                                     f"{info.compress_type}): open it in Word and save it as .docx again")
            bad = zf.testzip()
            if bad is not None:
                raise InputError(f"{shown}: {what} is damaged ({bad} fails its checksum): save a fresh copy from Word")
    except zipfile.BadZipFile as exc:
        raise InputError(f"{shown}: {what} is torn or truncated ({exc}): save a fresh copy from Word") from None
    except (OSError, EOFError, RuntimeError, NotImplementedError, ValueError) as exc:
        raise InputError(f"{shown}: {what} cannot be read ({exc}): save a fresh copy from Word") from None


def open_docx(source: str | IO[bytes], shown: str, what: str = "the .docx") -> Any:
    """The python-docx Document of a package check_package has passed, or InputError with one line."""
    import docx  # the .docx stack is heavy: only a .docx read pays for it
    from lxml.etree import XMLSyntaxError

    try:
        document = docx.Document(source)
    except XMLSyntaxError as exc:
        raise InputError(f"{shown}: {what} holds broken XML ({exc.msg}): save a fresh copy from Word") from None
    except (KeyError, ValueError, zipfile.BadZipFile, EOFError, AttributeError, TypeError) as exc:
        reason = str(exc).strip().strip("'\"") or type(exc).__name__
        raise InputError(f"{shown}: not a readable .docx ({reason}): save it from Word as a Word Document "
                         f"(.docx)") from None
    except Exception as exc:  # python-docx raises its own exception types for malformed packages
        if type(exc).__module__.startswith("docx"):
            raise InputError(f"{shown}: not a readable .docx ({exc}): save it from Word as a Word Document "
                             f"(.docx)") from None
        raise
    root = document.element
    if root.tag != f"{{{W_MAIN}}}document":
        local = root.tag.rsplit("}", 1)[-1]
        raise InputError(f"{shown}: {what}'s main part is not a Word document (its root is <{local}>): save it from "
                         f"Word as .docx")
    if root.find(f"{{{W_MAIN}}}body") is None:
        raise InputError(f"{shown}: {what} has no body: save it from Word as .docx")
    return document


def open_checked(data: bytes, shown: str, what: str = "the .docx") -> Any:
    """check_package and open_docx on bytes already read."""
    check_package(io.BytesIO(data), shown, what)
    return open_docx(io.BytesIO(data), shown, what)
