"""`protocolkit build`: every partnership found becomes its protocol and data-sharing agreement.

Partnerships are loaded, assembled and rendered independently (in parallel
processes with --jobs); the parent process alone writes files, each to a
temporary name in its folder and then moved into place, and converts them to PDF
in one LibreOffice run at the end.
"""

from __future__ import annotations

import gc
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from protocolkit.document import DOC_FILENAMES
from protocolkit.check.rules.duplicate_id import partnership_twice
from protocolkit.check.config import Config, find_config
from protocolkit.check.engine import gate
from protocolkit.files import flush_all, remove_leftovers, write_file
from protocolkit.findings import Finding, InputError, finding_line, visible
from protocolkit.library import Library, library_note, load_library, project_library
from protocolkit.load import declared_id, position
from protocolkit.project import assemble_documents, discover, load_partnership, shown
from protocolkit.render.docx import read_template, render_docx
from protocolkit.parallel import streamed
from protocolkit.stopping import checkpoint, worker_init

KINDS = {"protocol": ["protocol"], "dsa": ["dsa"], "all": ["protocol", "dsa"]}
# Fewer partnerships than this finish before a progress bar would be worth drawing.
PROGRESS_FROM = 3


@dataclass
class Outcome:
    """What rendering one partnership gave: its id, findings, and each document's bytes."""

    path: str
    id: str | None
    id_at: tuple[int | None, int | None] = (None, None)
    findings: list[Finding] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return any(f.severity == "error" for f in self.findings)


# Per-process state: the library and template are read once per worker, not per partnership.
_STATE: dict[str, object] = {}


def _init_worker(library_root: str, template: bytes, kinds: list[str], config: Config) -> None:
    worker_init()
    lib = _STATE.get("library")
    # A forked worker already holds the parent's library; a spawned one reads it afresh.
    if not isinstance(lib, Library) or str(lib.root) != library_root:
        _STATE["library"] = load_library(Path(library_root))
    _STATE.update(template=template, kinds=kinds, config=config)
    # the library and the compiled template live as long as the worker: the collector need not walk them again
    gc.freeze()


def render_partnership(path: str) -> Outcome:
    """Load, assemble and render one partnership file with this process's library and template."""
    lib: Library = _STATE["library"]  # type: ignore[assignment]
    loaded = load_partnership(Path(path), lib)
    outcome = Outcome(loaded.path, loaded.model.id if loaded.model else None, findings=list(loaded.findings))
    if loaded.yaml is not None:
        outcome.id_at = position(loaded.yaml.data, ["id"])
    # every document is assembled, whichever are written: the gate is everything check would say of the file
    docs, problems = assemble_documents(loaded, lib, sorted(lib.documents)) if loaded.model else ({}, [])
    outcome.findings = gate(loaded, docs, problems, lib, _STATE["config"])  # type: ignore[arg-type]
    if outcome.failed:
        return outcome
    for kind in _STATE["kinds"]:  # type: ignore[attr-defined]
        outcome.files[kind] = render_docx(docs[kind], _STATE["template"])  # type: ignore[arg-type]
    return outcome


def _outcomes(paths: list[str], jobs: int, progress) -> Iterator[Outcome]:
    """Each partnership's outcome as it finishes, in or out of order, with few in flight at once."""
    lib: Library = _STATE["library"]  # type: ignore[assignment]
    return streamed(paths, jobs, render_partnership, progress, _init_worker,
                    (str(lib.root), _STATE["template"], _STATE["kinds"], _STATE["config"]))


class _Progress:
    """A rich progress bar on stderr, drawn only for a person at a terminal and a long run."""

    def __init__(self, total: int, label: str) -> None:
        self.bar = None
        if total >= PROGRESS_FROM and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                console=Console(stderr=True), transient=True)
            self.task = self.bar.add_task(label, total=total)

    def __enter__(self) -> "_Progress":
        if self.bar:
            self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar:
            self.bar.stop()

    def advance(self) -> None:
        if self.bar:
            self.bar.advance(self.task)


def _print_findings(findings: list[Finding]) -> None:
    for f in sorted(findings, key=Finding.sort_key):
        print(finding_line(f), file=sys.stderr)


def build_command(paths: list[Path], out: Path, doc: str, pdf: bool, jobs: int, template: Path | None,
                  library: Path | None) -> int:
    """Render every partnership under the paths into OUT/<id>/; returns the exit code."""
    from protocolkit.render.pdf import convert_to_pdf, find_soffice

    kinds = KINDS[doc]
    template_bytes = read_template(template.resolve() if template else None)
    soffice = find_soffice() if pdf else None
    if pdf and soffice is None:
        raise InputError("--pdf needs LibreOffice, and `soffice` is not on PATH: install LibreOffice "
                         "(Debian/Ubuntu: apt-get install libreoffice-writer) or build without --pdf")
    note = library_note(library, paths)
    if note:
        print(visible(note), file=sys.stderr)
    library = library or project_library(paths)
    lib = load_library(library)
    lib_errors = [f for f in lib.findings if f.severity == "error"]
    if lib_errors:
        _print_findings(lib_errors)
        print(f"protocolkit: the clause library {shown(lib.root)} has errors, so nothing was built: "
              f"fix them (`protocolkit check {shown(lib.root)}`)", file=sys.stderr)
        return 1
    for kind in kinds:
        if kind not in lib.documents:
            raise InputError(f"{lib.root}: the library has no {kind!r} document in documents.yaml")
    found = [shown(i.path) for i in discover(paths, want_docx=False) if i.kind == "partnership"]
    if not found:
        raise InputError(f"{', '.join(str(p) for p in paths)}: no partnership files found (a partnership file is a "
                         f"YAML mapping with an id, schools and a deployment)")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{out}: cannot create the output folder: {exc.strerror or exc}") from None

    remove_leftovers(out)  # what a build killed part way left behind
    _STATE.update(library=lib, template=template_bytes, kinds=kinds, config=find_config(paths[0]))
    owners = _claimed_ids(found)  # duplicate ids are known before anything is written
    code = 0
    written: list[Path] = []
    built: dict[str, list[Path]] = {}
    with _Progress(len(found), "Building") as bar:
        for outcome in _outcomes(found, jobs, bar.advance):
            checkpoint()
            owner = owners.setdefault(outcome.id, outcome.path) if outcome.id else None
            if owner is not None and owner != outcome.path and not outcome.failed:
                outcome.findings.append(partnership_twice(outcome.path, *outcome.id_at, outcome.id, owner))
            # (while the bar is drawn, rich shows what is printed to stderr above it)
            _print_findings(outcome.findings)
            if outcome.failed:
                code = 1
                print(visible(f"protocolkit: {outcome.path}: not built (errors above)"), file=sys.stderr)
                continue
            assert outcome.id is not None
            built[outcome.path] = _write_outcome(out, outcome)
            written += built[outcome.path]

    flush_all()
    written = [p for path in found for p in built.get(path, [])]  # listed in the order the files were found
    pdfs = convert_to_pdf(written, soffice, out) if soffice and written else []
    for path in written + pdfs:
        print(visible(str(path)))
    return code


def _claimed_ids(paths: list[str]) -> dict[str, str]:
    """Each partnership id and the first file (in the order found) that claims it, read from the files' `id:` lines
    before any is rendered, so that which of two files sharing an id is built does not depend on which worker
    finishes first. A file whose id is written some other way (flow style, JSON) claims it when it is rendered."""
    owners: dict[str, str] = {}
    for path in paths:
        checkpoint()
        declared = declared_id(Path(path))
        if declared:
            owners.setdefault(declared, path)
    return owners


def _write_outcome(out: Path, outcome: Outcome) -> list[Path]:
    """One partnership's documents, each written whole (a temporary name, then renamed) as soon as it is rendered."""
    folder = out / str(outcome.id)
    written = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for kind, data in outcome.files.items():
            target = folder / f"{DOC_FILENAMES[kind]}.docx"
            write_file(target, data, durable=False)  # flushed all at once when the build ends
            written.append(target)
    except OSError as exc:
        raise InputError(f"{folder}: cannot write: {exc.strerror or exc}") from None
    return written
