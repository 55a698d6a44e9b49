"""An .odt, .doc or .rtf document read by converting it to .docx with LibreOffice, then reading that.

LibreOffice is the one tool that reads every word-processor format offices keep; its own
conversion is more faithful than any Python reader of the old binary .doc format. It runs in a
private profile and a temporary folder, under a time limit, in its own process group so that a
hung conversion is killed whole; without LibreOffice the document cannot be read, and the error
says what to install.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from protocolkit.document import Document
from protocolkit.stopping import stoppable
from protocolkit.findings import InputError

OFFICE_SUFFIXES = (".odt", ".doc", ".rtf")
TIMEOUT_SECONDS = 120


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass  # it has ended already
    proc.wait()


def soffice() -> str | None:
    """The LibreOffice executable, if installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def read_office(path: Path | str, kind: str | None = None) -> Document:
    """The document tree of an .odt, .doc or .rtf file, through LibreOffice's conversion to .docx."""
    from protocolkit.read.docx import read_docx

    p = Path(path)
    shown = str(path)
    exe = soffice()
    if exe is None:
        raise InputError(f"{shown}: reading a {p.suffix} file needs LibreOffice, which is not installed: install it "
                         f"(on Debian or Ubuntu: apt-get install libreoffice-writer-nogui) or save the file as .docx")
    if not p.is_file():
        raise InputError(f"{shown}: no such file")
    with tempfile.TemporaryDirectory(prefix="protocolkit-office-") as tmp:
        profile = Path(tmp, "profile").as_uri()
        source = Path(tmp, "in" + p.suffix.lower())
        shutil.copyfile(p, source)  # a private copy: LibreOffice never touches the user's file or its lock
        cmd = [exe, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--convert-to", "docx",
               "--outdir", tmp, str(source)]
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                    start_new_session=True)
            try:
                with stoppable():
                    _, err = proc.communicate(timeout=TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                _kill(proc)
                raise InputError(f"{shown}: LibreOffice did not convert it within {TIMEOUT_SECONDS} s: open it and "
                                 f"save it as .docx") from None
            except BaseException:
                _kill(proc)  # Ctrl-C: the conversion never outlives the command
                raise
        except OSError as exc:
            raise InputError(f"{shown}: LibreOffice could not be started ({exc})") from None
        out = Path(tmp, "in.docx")
        if not out.is_file():
            reason = (err or b"").decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
            raise InputError(f"{shown}: LibreOffice could not convert it ({reason[0]}): open it and save it as .docx")
        return read_docx(out, kind, display=shown)
