"""The documents of one partnership for the browser: assembled, checked, written as .docx or PDF, compared.

Everything here calls what the commands call (load_partnership, assemble_documents, gate, render_docx, the PDF
converter, the diff and the redline writer); the web adds no rules of its own.
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from protocolkit.document import Document
from protocolkit.findings import Finding, InputError
from protocolkit.library import Library, load_library, project_library
from protocolkit.render.html import Note


@dataclass
class Assembled:
    """A partnership's documents, or the findings that stop them being made."""

    loaded: object
    library: Library
    documents: dict[str, Document] = field(default_factory=dict)
    problems: list[Finding] = field(default_factory=list)  # loading's and assembling's
    assembly: list[Finding] = field(default_factory=list)  # assembling's alone

    @property
    def id(self) -> str:
        return self.loaded.model.id if self.loaded.model is not None else ""


def library_for(path: Path) -> Library:
    """The clause library `check` and `build` use for this file: the project's own, else the shipped one."""
    return load_library(project_library([path]))


def assembled(path: Path) -> Assembled:
    """Load and assemble every document of the partnership file at `path`."""
    from protocolkit.project import assemble_documents, load_partnership

    lib = library_for(path)
    loaded = load_partnership(path, lib)
    out = Assembled(loaded, lib, problems=list(loaded.findings))
    if loaded.model is None:
        return out
    docs, problems = assemble_documents(loaded, lib, sorted(lib.documents))
    out.documents, out.problems, out.assembly = docs, out.problems + problems, problems
    return out


def build_errors(path: Path, made: Assembled) -> list[Finding]:
    """What stops `build` writing this partnership's documents (the same gate build uses), at error severity."""
    from protocolkit.check.config import find_config
    from protocolkit.check.engine import gate

    if made.loaded.model is None:
        return [f for f in made.problems if f.severity == "error"] or \
            [Finding("schema", "error", "the file is not a partnership file", str(path))]
    found = gate(made.loaded, made.documents, made.assembly, made.library, find_config(path))
    return [f for f in found if f.severity == "error"]


_TEMPLATE: dict[str, object] = {}


def docx_bytes(doc: Document) -> bytes:
    """The .docx `build` writes for this document, through the shipped template (compiled once)."""
    from protocolkit.render.docx import compiled, read_template, render_docx

    if "template" not in _TEMPLATE:
        _TEMPLATE["template"] = compiled(read_template(None))
    return render_docx(doc, _TEMPLATE["template"])


def pdf_bytes(doc: Document, name: str) -> bytes:
    """The PDF LibreOffice makes of the .docx; InputError when LibreOffice is missing or fails."""
    from protocolkit.render.pdf import convert_to_pdf, find_soffice

    soffice = find_soffice()
    if soffice is None:
        raise InputError("LibreOffice is not installed on the computer running protocolkit serve, so no PDF can be "
                         "made: download the .docx and save it as PDF in Word, or install LibreOffice")
    with tempfile.TemporaryDirectory(prefix="protocolkit-pdf-") as tmp:
        source = Path(tmp) / f"{name}.docx"
        source.write_bytes(docx_bytes(doc))
        (pdf,) = convert_to_pdf([source], soffice, Path(tmp))
        return pdf.read_bytes()


def notes(findings: list[Finding], doc: Document) -> tuple[dict[str, list[Note]], dict[str, list[Note]], list[Finding]]:
    """check's findings as notes beside the clause or section of this document they concern; the rest apart."""
    clause_ids = {c.id for c in doc.clauses()}
    section_ids = {s.id for s in doc.sections}
    by_clause: dict[str, list[Note]] = {}
    by_section: dict[str, list[Note]] = {}
    rest: list[Finding] = []
    for f in findings:
        note = Note(f.severity, f.message, f"{f.rule}, {f.location()}")
        if f.clause and f.clause in clause_ids:
            by_clause.setdefault(f.clause, []).append(note)
        elif f.section and f.section in section_ids and not f.clause:
            by_section.setdefault(f.section, []).append(note)
        else:
            rest.append(f)
    return by_clause, by_section, rest


# -- review ---------------------------------------------------------------------------------------


def git_top(path: Path) -> Path | None:
    """The top folder of the git repository holding `path`, or None."""
    try:
        proc = subprocess.run(["git", "-C", str(path.parent), "rev-parse", "--show-toplevel"], capture_output=True,
                              text=True, timeout=20, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return Path(proc.stdout.strip()) if proc.returncode == 0 and proc.stdout.strip() else None


@dataclass
class Revision:
    commit: str
    short: str
    day: str
    subject: str


def revisions(path: Path, limit: int = 50) -> list[Revision]:
    """The commits that changed this file, newest first."""
    top = git_top(path)
    if top is None:
        return []
    rel = path.resolve().relative_to(top.resolve()).as_posix()
    try:
        proc = subprocess.run(["git", "-C", str(top), "log", f"-n{limit}", "--format=%H%x09%h%x09%ad%x09%s",
                               "--date=short", "--", rel], capture_output=True, text=True, timeout=30,
                              stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return []
    out = []
    for line in proc.stdout.splitlines():
        parts = line.split("\t", 3)
        if len(parts) == 4:
            out.append(Revision(*parts))
    return out


def unchanged_since(path: Path, rev: Revision) -> bool:
    """Whether the file is now as it was at the revision (then the one before it is the one worth comparing)."""
    top = git_top(path)
    if top is None:
        return False
    rel = path.resolve().relative_to(top.resolve()).as_posix()
    try:
        proc = subprocess.run(["git", "-C", str(top), "cat-file", "blob", f"{rev.commit}:{rel}"], capture_output=True,
                              timeout=30, stdin=subprocess.DEVNULL)
        return proc.returncode == 0 and proc.stdout == path.read_bytes()
    except (OSError, subprocess.TimeoutExpired):
        return False


def compare_with_revision(path: Path, shown: str, rev: Revision, kind: str):
    """The diff report of the partnership at a revision against the partnership now, each assembled with the
    project's clause library as it was then and as it is now (as `review --since` compares them), so a change of
    the library's wording shows as well as a change of the file."""
    from protocolkit.diff.command import compare
    from protocolkit.diff.inputs import Version
    from protocolkit.library import project_library, shown as shown_path
    from protocolkit.review import GitBaseline

    if git_top(path) is None:
        raise InputError(f"{shown}: is not in a git repository, so it has no earlier revisions")
    with tempfile.TemporaryDirectory(prefix="protocolkit-review-") as tmp:
        baseline = GitBaseline(rev.commit, path, Path(tmp))
        data = baseline.file(path)
        if data is None:
            raise InputError(f"{shown}: the file did not exist at {rev.short}; choose a later revision")
        root = project_library([path])
        # the shipped library (no project library) is the same at every revision; a library the revision did not
        # have yet leaves today's
        old_library = baseline.library(root) if root is not None else None
        copy = Path(tmp) / "file" / path.name
        copy.parent.mkdir()
        copy.write_bytes(data)
        before = Version(f"{rev.short}:{shown}", copy, False, hidden_path=shown_path(copy))
        after = Version(shown, path, False)
        return compare(before, after, None, kind, old_library)


def compare_with_copy(path: Path, shown: str, copy: Path, label: str, kind: str):
    """The diff report of a signed copy (.docx or .pdf) against today's version of the partnership, and a note."""
    from protocolkit.diff.report import Report
    from protocolkit.diff.tree import diff_documents
    from protocolkit.read import printed_fingerprint, read_document

    made = assembled(path)
    if kind not in made.documents or any(f.severity == "error" for f in made.problems):
        raise InputError(f"{shown}: has errors, so today's version cannot be assembled to compare: fix them in the "
                         f"form first")
    now = made.documents[kind]
    old = read_document(copy, kind)
    report = Report(label, f"{shown} today", kind, diff_documents(old, now))
    printed = printed_fingerprint(copy)
    # as review judges a signed copy: a .docx whose text no longer gives the fingerprint it states was edited after
    # it was built (a PDF's text cannot be read back exactly, so its stated fingerprint stands for it)
    edited = bool(printed) and copy.suffix.lower() == ".docx" and old.fingerprint() != printed
    if edited:
        report.notes.append("The copy's text no longer gives the fingerprint it states: it was changed after it was "
                            "built (in Word, say), so it is not the document protocolkit made. Compare the copy the "
                            "partners actually signed.")
    elif printed and printed == now.fingerprint():
        report.notes.append("The signed copy states the fingerprint of today's version: what was signed is what "
                            "would be issued today.")
    elif printed:
        report.notes.append("The signed copy states a fingerprint other than today's version's: the partnership or "
                            "the clause library has changed since it was built, and it must be signed again.")
    if copy.suffix.lower() == ".pdf":
        report.notes.append("A PDF's text cannot be read back exactly, so small differences of layout may show; a "
                            "tracked-changes .docx needs the signed .docx.")
    return report


UPLOAD_SECONDS = 90


def compare_upload(path: Path, shown: str, copy: Path, label: str, kind: str):
    """compare_with_copy in a process of its own, given UPLOAD_SECONDS. In the server's threads nothing else limits
    reading an upload (read.pdf's alarm works only in a main thread, which that process's is), and a hostile file's
    memory is that process's, gone when it ends."""
    import multiprocessing

    from concurrent.futures import TimeoutError as Late

    from protocolkit.stopping import process_pool, worker_init

    methods = multiprocessing.get_all_start_methods()
    # not fork: the server's other threads may hold locks a forked copy would never see released
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    with process_pool(1, mp_context=context, initializer=worker_init) as pool:
        try:
            return pool.submit(compare_with_copy, path, shown, copy, label, kind).result(timeout=UPLOAD_SECONDS)
        except Late:
            raise InputError(f"{label}: could not be read within {UPLOAD_SECONDS} s (it may be malformed): export "
                             f"it again from the signed document") from None


def sniffed_upload(data: bytes, filename: str) -> str:
    """'.docx' or '.pdf' for an upload that is one by its name and its first bytes; InputError otherwise."""
    suffix = Path(filename or "").suffix.lower()
    if suffix == ".docx" and data.startswith(b"PK\x03\x04"):
        return ".docx"
    if suffix == ".pdf" and data.lstrip()[:5] == b"%PDF-":
        return ".pdf"
    if suffix not in (".docx", ".pdf"):
        raise InputError(f"{filename or 'the file'}: upload a signed copy as a .docx or a .pdf")
    raise InputError(f"{filename}: is named {suffix} but is not a {suffix} file inside: upload the signed copy itself")
