"""The clause library read from a folder: document outlines, clauses and the citations register.

A library folder holds `documents.yaml` (each document's sections in order),
`citations.yaml` (what clauses cite, and the dated references the checker flags)
and any number of clause files, one topic each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from protocolkit.document import Source
from protocolkit.files import special_kind
from protocolkit.findings import Finding, InputError
from protocolkit.load import YamlFile, load_model, node_position, position, value_source
from protocolkit.model import CitationsFile, Clause, ClauseFile, DocumentsFile
from protocolkit.model.library import Citation, DatedReference, DocumentSpec
from protocolkit.resources import data_dir

DOCUMENTS_FILE = "documents.yaml"
CITATIONS_FILE = "citations.yaml"


@dataclass
class LibraryClause:
    """A clause with the places it came from."""

    model: Clause
    source: Source
    text_source: Source
    items_source: Source
    index: int


@dataclass
class Library:
    root: Path
    documents: dict[str, DocumentSpec] = field(default_factory=dict)
    clauses: dict[str, LibraryClause] = field(default_factory=dict)
    citations: dict[str, Citation] = field(default_factory=dict)
    dated: list[DatedReference] = field(default_factory=list)
    files: list[YamlFile] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    _template_findings: list[Finding] | None = field(default=None, repr=False)
    # what assembly worked out from the library alone, for the next partnership (see assemble._selected)
    memo: dict = field(default_factory=dict, repr=False, compare=False)

    def template_findings(self) -> list[Finding]:
        """Static problems in every clause's template (syntax, unknown variables); worked out on first use."""
        from protocolkit.assemble import template_findings

        if self._template_findings is None:
            found: list[Finding] = []
            for lc in self.clauses.values():
                found += template_findings(lc.model.id, lc.model.text, lc.text_source)
                for item in lc.model.items:
                    found += template_findings(lc.model.id, item, lc.items_source)
            self._template_findings = found
        return self._template_findings

    def section_ids(self, kind: str) -> list[str]:
        spec = self.documents.get(kind)
        return [s.id for s in spec.sections] if spec else []


def default_library_dir() -> Path:
    """The clause library shipped with protocolkit."""
    return data_dir("clauses")


def project_library(paths: list[Path]) -> Path | None:
    """The project's own clause library for these files: walking up from the first of them to the folder that
    holds protocolkit.yaml or clauses/documents.yaml (a library folder itself counts); None outside any project."""
    if not paths:
        return None
    start = Path(paths[0]).resolve()
    folder = start if start.is_dir() else start.parent
    for candidate in [folder, *folder.parents]:
        if is_library_dir(candidate):
            return candidate
        if is_library_dir(candidate / "clauses"):
            return candidate / "clauses"
        if (candidate / "protocolkit.yaml").is_file() or (candidate / ".git").exists():
            return None  # the project's root, with no library of its own: the shipped one serves
    return None


def library_note(given: Path | None, paths: list[Path]) -> str | None:
    """A line saying which library is used when --library overrides a project's own, so that a force never
    builds from one library while believing it built from its own; None when the project's own is used."""
    if given is None:
        return None
    own = project_library(paths)
    if own is not None and Path(given).resolve() == own.resolve():
        return None
    where = f"not this project's own ({shown(own)})" if own is not None else "there is no project library here"
    return f"protocolkit: using the clause library {shown(Path(given))} given by --library; {where}"


def is_library_dir(path: Path) -> bool:
    """Whether a folder is a clause library (it has documents.yaml)."""
    return (path / DOCUMENTS_FILE).is_file()


_LIBRARIES: dict[tuple, Library] = {}


def load_library(root: Path | str | None = None) -> Library:
    """The library at `root` (default: the shipped one), read once per process while its files are unchanged: a
    test run, a watcher or a server asks for it again and again. Treat it as read-only."""
    folder = Path(root) if root else default_library_dir()
    try:
        stamp = tuple(sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in folder.glob("*.y*ml")))
    except OSError:
        return read_library(root)
    key = (str(folder.resolve()), str(Path.cwd()), stamp)
    if key not in _LIBRARIES:
        if len(_LIBRARIES) > 8:
            _LIBRARIES.clear()
        _LIBRARIES[key] = read_library(root)
    return _LIBRARIES[key]


def read_library(root: Path | str | None = None) -> Library:
    """Read and validate a whole library folder; every problem is a finding, never an exception."""
    root_path = Path(root) if root else default_library_dir()
    if not root_path.is_dir():
        raise InputError(f"{root_path}: the clause library folder does not exist")
    lib = Library(root_path)
    docs_path = root_path / DOCUMENTS_FILE
    if not docs_path.is_file():
        raise InputError(f"{root_path}: not a clause library: {DOCUMENTS_FILE} is missing")
    docs, doc_file, found = load_model(docs_path, DocumentsFile, shown(docs_path))
    lib.findings += found
    if docs:
        lib.documents = dict(docs.documents)
        lib.files.append(doc_file)
    cit_path = root_path / CITATIONS_FILE
    if cit_path.is_file():
        cits, cit_file, found = load_model(cit_path, CitationsFile, shown(cit_path))
        lib.findings += found
        if cits:
            lib.files.append(cit_file)
            lib.dated = list(cits.dated)
            _collect_citations(lib, cits, cit_file)
    for path in sorted(root_path.glob("*.y*ml")):
        if path.name in (DOCUMENTS_FILE, CITATIONS_FILE):
            continue
        kind = special_kind(path)
        if kind:
            lib.findings.append(Finding("skipped-file", "info", f"skipped: a {kind}, not a clause file", shown(path)))
            continue
        clause_file, yfile, found = load_model(path, ClauseFile, shown(path))
        lib.findings += found
        if clause_file and yfile:
            lib.files.append(yfile)
            _collect_clauses(lib, clause_file, yfile)
    _cross_check(lib)
    return lib


def shown(path: Path) -> str:
    """A path as the user should see it: relative to the working folder when it lies below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _collect_citations(lib: Library, cits: CitationsFile, yfile: YamlFile) -> None:
    for i, cit in enumerate(cits.citations):
        if cit.id in lib.citations:
            from protocolkit.check.rules.duplicate_id import citation_twice

            line, col = position(yfile.data, ["citations", i, "id"])
            lib.findings.append(citation_twice(yfile.path, line, col, cit.id))
        lib.citations[cit.id] = cit


def _collect_clauses(lib: Library, clause_file: ClauseFile, yfile: YamlFile) -> None:
    raw = yfile.data["clauses"]
    for i, clause in enumerate(clause_file.clauses):
        line, col = node_position(raw[i]) if hasattr(raw[i], "lc") else (None, None)
        pos = raw.lc.data.get(i) if hasattr(raw, "lc") else None
        if pos:
            line, col = pos[0] + 1, pos[1] + 1
        source = Source(yfile.path, line, col)
        if clause.id in lib.clauses:
            from protocolkit.check.rules.duplicate_id import clause_twice

            lib.findings.append(clause_twice(value_source(yfile.path, raw[i], "id"), clause.id,
                                             lib.clauses[clause.id].source))
            continue
        lib.clauses[clause.id] = LibraryClause(
            clause, source, value_source(yfile.path, raw[i], "text"), value_source(yfile.path, raw[i], "items"), len(lib.clauses)
        )


def _cross_check(lib: Library) -> None:
    """Findings that need the whole library (sections, citations and replacements that do not exist), from the rule
    modules that own them, so that every command that loads the library sees them."""
    from datetime import date

    from protocolkit.check.rules import all_rules
    from protocolkit.check.subject import Subject

    rules = all_rules()
    subject = Subject("library", str(lib.root), lib, date.today())
    for code in ("unknown-section", "unknown-citation", "unknown-clause"):
        lib.findings += rules[code].check(subject)
