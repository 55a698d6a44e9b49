"""Runs every rule over every input and gathers the findings, suppressions applied, sorted by place."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from protocolkit.check.config import Config, find_config
from protocolkit.check.rules import all_rules
from protocolkit.check.subject import Subject
from protocolkit.check.suppress import apply_suppressions
from protocolkit.check.rules.unreadable_document import unreadable
from protocolkit.check.rules.duplicate_id import partnership_twice
from protocolkit.files import special_kind
from protocolkit.load import position
from protocolkit.stopping import checkpoint, process_pool, signals_held, stoppable, worker_init
from protocolkit.findings import Finding, InputError
from protocolkit.library import Library, load_library, project_library
from protocolkit.project import Input, LoadedPartnership, assemble_documents, discover, load_partnership, shown


def check_paths(paths: list[Path], library_dir: Path | None, today: date, profile: str | None = None,
                doc_kind: str | None = None, config: Config | None = None,
                counted: list[int] | None = None) -> list[Finding]:
    """All findings for the inputs found under `paths`, in a stable order, with the configuration applied
    (by default the one governing the first path)."""
    from protocolkit.check.profile import load_profile

    config = config or find_config(paths[0] if paths else None)
    active = load_profile(profile)
    inputs = discover(paths)
    if counted is not None:
        counted.append(len(inputs))  # how many inputs were checked, for a quiet success to say so
    libraries = [i for i in inputs if i.kind == "library"]
    # A library named on the command line is the one its neighbours are assembled with.
    lib_root = library_dir or (libraries[0].path if len(libraries) == 1 else None) or project_library(paths)
    default_lib: Library | None = None
    findings: list[Finding] = []
    texts: dict[str, str] = {}
    for item in inputs:
        if item.kind == "library":
            lib = load_library(item.path)
            if lib_root is not None and item.path.resolve() == Path(lib_root).resolve():
                default_lib = lib
            findings += lib.findings + lib.template_findings()
            findings += _run_rules(Subject("library", shown(item.path), lib, today, profile=active))
            texts.update({f.path: f.text for f in lib.files})
    needs_library = any(i.kind in ("partnership", "docx") for i in inputs)
    lib = default_lib or (load_library(lib_root) if needs_library else Library(Path(".")))
    checked = set(texts)
    # the library's comments silence what assembling it reports, but only a checked library's can go unused
    texts.update({f.path: f.text for f in lib.files if f.path not in texts})
    partnerships = [i for i in inputs if i.kind == "partnership"]
    owners: dict[str, str] = {}
    for found, path, text, ident in _check_partnerships(partnerships, lib, today, active):
        findings += found
        if ident is not None:  # two files with one id would be built into one folder: build refuses the second
            pid, line, col = ident
            if pid in owners:
                findings.append(partnership_twice(path, line, col, pid, owners[pid]))
            owners.setdefault(pid, path)
        if text is not None:
            texts[path] = text
            checked.add(path)
    # (path, section id) -> position in its document, so a document's findings are listed in reading order
    order: dict[tuple[str, str | None], int] = {}
    for item in inputs:
        checkpoint()
        if item.kind == "docx":
            try:
                found, positions = check_docx(item, lib, today, active, doc_kind)
            except InputError as exc:
                if item.named:
                    raise
                findings.append(unreadable(shown(item.path), str(exc)))
                continue
            findings += found
            order.update(positions)
        elif item.kind == "special":
            findings.append(Finding("skipped-file", "info", f"skipped: a {special_kind(item.path) or 'special file'}, "
                                    f"not a file", shown(item.path)))
        elif item.kind == "outside":
            findings.append(Finding("skipped-file", "info", "skipped: a link to somewhere outside the folder being "
                                    "checked, which is not followed", shown(item.path)))
        elif item.kind == "other":
            findings.append(Finding("skipped-file", "info",
                                    "skipped: not a partnership file or part of a clause library", shown(item.path)))
        elif item.kind == "yaml":
            findings.append(Finding("not-protocolkit", "error",
                                    "this YAML file is neither a partnership file nor part of a clause library "
                                    "(a library folder has documents.yaml)", shown(item.path), 1, 1))
    findings = config.apply(apply_suppressions(_unique(findings), texts, checked))
    return sorted(findings, key=lambda f: (f.path, f.line or 0, f.column or 0, order.get((f.path, f.section), -1),
                                           f.rule, f.message))


def check_partnership(item: Input, lib: Library, today: date, profile=None) -> tuple[list[Finding], str | None, tuple | None]:
    """Schema, clause choices, assembly and every rule for one partnership file; the file's text; and its id with
    the id's line and column."""
    loaded = load_partnership(item.path, lib)
    text = loaded.yaml.text if loaded.yaml is not None else None
    if loaded.model is None:
        return list(loaded.findings), text, None
    ident = (loaded.model.id, *position(loaded.yaml.data, ["id"])) if loaded.yaml is not None else None
    docs, problems = assemble_documents(loaded, lib, sorted(lib.documents))
    return partnership_findings(loaded, docs, problems, lib, today, profile), text, ident


def partnership_findings(loaded: LoadedPartnership, docs: dict, problems: list[Finding], lib: Library, today: date,
                         profile=None, history: bool = True) -> list[Finding]:
    """Everything check says of a loaded, assembled partnership: loading, assembling and every rule."""
    subject = Subject("partnership", loaded.path, lib, today, list(docs.values()), loaded.model, loaded.yaml, profile,
                      history)
    return list(loaded.findings) + problems + _run_rules(subject)


def gate(loaded: LoadedPartnership, docs: dict, problems: list[Finding], lib: Library, config: Config) -> list[Finding]:
    """What check would report for this one partnership file today, suppressions and configuration applied: build
    refuses a partnership on any error here, so build and check never disagree."""
    from protocolkit.check.profile import load_profile

    found = list(loaded.findings) if loaded.model is None else \
        partnership_findings(loaded, docs, problems, lib, date.today(), load_profile(None), history=False)
    texts = {f.path: f.text for f in lib.files}
    checked = set()
    if loaded.yaml is not None:
        texts[loaded.path] = loaded.yaml.text
        checked.add(loaded.path)
    return config.apply(apply_suppressions(_unique(found), texts, checked))


# Below this many files one process is quicker than starting workers.
PARALLEL_FROM = 24
# A worker process's own state, set once by its initializer; the parent never writes it.
_WORKER: dict = {}


def _check_partnerships(items: list[Input], lib: Library, today: date, profile) -> list[tuple[list[Finding], str, str | None, tuple | None]]:
    """Each partnership's findings and text; many files are parsed in parallel (YAML parsing dominates)."""
    import os

    workers = min(os.cpu_count() or 1, 8)
    if len(items) < PARALLEL_FROM or workers < 2:
        out = []
        for item in items:
            checkpoint()
            out.append(_one(item, lib, today, profile))
        return out
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    # fork hands the loaded library to the workers; elsewhere each worker reads it once
    fork = "fork" in methods
    ctx = multiprocessing.get_context("fork" if fork else None)
    chunk = max(1, len(items) // (workers * 4))
    with process_pool(workers, mp_context=ctx, initializer=_init_worker,
                      initargs=(lib if fork else None, str(lib.root), today, profile)) as pool:
        with signals_held():  # map submits every chunk, and so starts every worker, before it returns
            results = pool.map(_one_in_worker, items, chunksize=chunk)
        with stoppable():
            return list(results)


def _init_worker(lib: Library | None, root: str, today: date, profile) -> None:
    worker_init()
    # a forked worker is handed the parent's library as it is (nothing is pickled); a spawned one reads it again
    _WORKER.update(lib=lib or load_library(Path(root)), today=today, profile=profile)


def _one_in_worker(item: Input) -> tuple[list[Finding], str, str | None, tuple | None]:
    return _one(item, _WORKER["lib"], _WORKER["today"], _WORKER["profile"])


def _one(item: Input, lib: Library, today: date, profile) -> tuple[list[Finding], str, str | None, tuple | None]:
    found, text, ident = check_partnership(item, lib, today, profile)
    return found, shown(item.path), text, ident


def check_docx(item: Input, lib: Library, today: date, profile=None,
               doc_kind: str | None = None) -> tuple[list[Finding], dict[tuple[str, str | None], int]]:
    """Every rule for a document written elsewhere (.docx, .pdf, .odt, .doc), read into the document tree; and the
    position of each of its sections, to list its findings in reading order."""
    from protocolkit.read import read_document

    path = shown(item.path)
    doc = read_document(item.path, doc_kind)
    positions = {(path, section.id): i for i, section in enumerate(doc.sections)}
    return _run_rules(Subject("docx", path, lib, today, [doc], profile=profile)), positions


def _run_rules(subject: Subject) -> list[Finding]:
    out: list[Finding] = []
    for rule in all_rules().values():
        if subject.kind in rule.targets:
            out.extend(rule.check(subject))
    return out


def _unique(findings: list[Finding]) -> list[Finding]:
    """Findings once each: a library clause is seen by the library and by every partnership using it."""
    seen: set[tuple] = set()
    out = []
    for f in findings:
        key = (f.rule, f.path, f.line, f.column, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def exit_code(findings: list[Finding]) -> int:
    """1 when anything is at error severity, else 0."""
    return 1 if any(f.severity == "error" for f in findings) else 0
