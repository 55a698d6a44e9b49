"""PDF by LibreOffice: every .docx of a build converted in one headless soffice run.

Starting soffice costs seconds, so one process converts the whole batch. Its
--outdir is a single folder and our documents share names (protocol.docx in every
partnership's folder), so each file is staged under a unique name and the PDF is
moved beside its .docx afterwards.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from protocolkit.stopping import stoppable
from protocolkit.findings import InputError

# soffice's own start-up dominates; each file then takes well under a second.
TIMEOUT_BASE, TIMEOUT_PER_FILE = 180, 30
# Far below the kernel's argument limit, and a bound on what one failure costs.
BATCH = 400


def find_soffice() -> str | None:
    """The LibreOffice executable on PATH, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_to_pdf(files: list[Path], soffice: str, scratch_parent: Path) -> list[Path]:
    """Convert each .docx to a .pdf beside it; returns the PDFs in the order given."""
    scratch = Path(tempfile.mkdtemp(prefix=".pdf-", dir=scratch_parent))
    try:
        pdfs: list[Path] = []
        for start in range(0, len(files), BATCH):
            pdfs += _convert_batch(files[start:start + BATCH], soffice, scratch)
        return pdfs
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _convert_batch(files: list[Path], soffice: str, scratch: Path) -> list[Path]:
    staged_dir, out_dir = scratch / "in", scratch / "out"
    staged_dir.mkdir(exist_ok=True)
    out_dir.mkdir(exist_ok=True)
    staged = []
    for i, path in enumerate(files):
        target = staged_dir / f"{i:05d}.docx"
        shutil.copyfile(path, target)
        staged.append(target)
    # A private profile lets the conversion run beside an open LibreOffice window, and a
    # fresh one per build keeps earlier settings from leaking into the output.
    profile = (scratch / "profile").resolve().as_uri()
    cmd = [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--nolockcheck",
           "--convert-to", "pdf", "--outdir", str(out_dir), *map(str, staged)]
    try:
        with stoppable():  # a stop kills LibreOffice on its way out (subprocess.run does)
            proc = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                                  timeout=TIMEOUT_BASE + TIMEOUT_PER_FILE * len(files))
    except subprocess.TimeoutExpired:
        raise InputError(f"{soffice}: LibreOffice took too long converting {len(files)} file(s) to PDF: "
                         f"close other LibreOffice windows and try again") from None
    except OSError as exc:
        raise InputError(f"{soffice}: cannot run LibreOffice: {exc.strerror or exc}") from None
    pdfs = []
    for path, stage in zip(files, staged):
        made = out_dir / f"{stage.stem}.pdf"
        if not made.is_file():
            said = (proc.stderr.strip() or proc.stdout.strip()).splitlines()
            reason = said[-1] if said else f"exit status {proc.returncode}"
            raise InputError(f"{path}: LibreOffice did not convert it to PDF ({reason}); open it in Word or "
                             f"LibreOffice to see whether the file is damaged")
        target = path.with_suffix(".pdf")
        os.replace(made, target)
        pdfs.append(target)
    return pdfs
