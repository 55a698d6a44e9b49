"""Finding and loading a project's files: partnership files, clause libraries and .docx documents.

Everything the commands do starts here: a path on the command line becomes a list of
typed inputs, and a partnership file becomes a validated model whose clause choices
are checked against the library and whose documents can be assembled.
"""

from __future__ import annotations

import re

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ruamel.yaml.comments import CommentedMap

from protocolkit.assemble import assemble, template_context
from protocolkit.document import Document, Source
from protocolkit.files import read_bounded, special_kind, wide_encoding
from protocolkit.findings import Finding, InputError
from protocolkit.library import DOCUMENTS_FILE, Library, is_library_dir, shown
from protocolkit.load import YamlFile, YamlProblem, position, read_yaml, validate, value_source
from protocolkit.model import Partnership
from protocolkit.read import is_document

InputKind = Literal["partnership", "library", "docx", "yaml", "other", "special", "outside"]
SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", "build", "dist", ".tox"}


@dataclass
class Input:
    kind: InputKind
    path: Path
    named: bool = True  # named on the command line, not found while walking a folder


def _library_root(path: Path) -> Path | None:
    """The library folder a YAML file belongs to, if its folder is one."""
    return path.parent if is_library_dir(path.parent) else None


def discover(paths: list[Path], want_docx: bool = True) -> list[Input]:
    """Every input named or found below the paths, libraries once each, in a stable order."""
    found: list[Input] = []
    libraries: set[Path] = set()

    def add_library(root: Path) -> None:
        key = root.resolve()
        if key not in libraries:
            libraries.add(key)
            found.append(Input("library", root))

    for path in paths:
        _must_exist(path)
        kind = special_kind(path)
        if kind and kind != "folder":
            raise InputError(f"{path}: is a {kind}, not a file: name a file or a folder")
        if path.is_dir():
            if is_library_dir(path):
                add_library(path)
                continue
            root = path.resolve()
            for child in sorted(path.rglob("*")):
                if any(part in SKIP_DIRS or part.startswith(".") for part in child.relative_to(path).parts):
                    continue
                if child.is_symlink() and not _inside(child, root):
                    found.append(Input("outside", child, named=False))
                    continue
                kind = special_kind(child)
                if kind and kind != "folder":
                    found.append(Input("special", child, named=False))
                    continue
                if child.is_dir() and is_library_dir(child):
                    add_library(child)
                elif child.is_file() and child.suffix in (".yaml", ".yml"):
                    lib = _library_root(child)
                    if lib is not None:
                        add_library(lib)
                    elif _sniff(child) == "partnership":
                        found.append(Input("partnership", child))
                elif want_docx and child.is_file() and is_document(child):
                    found.append(Input("docx", child, named=False))
        elif is_document(path):
            found.append(Input("docx", path))
        else:
            lib = _library_root(path)
            if lib is not None:
                add_library(lib)
            else:
                sniffed = _sniff(path)
                found.append(Input({"partnership": "partnership", "library-part": "yaml"}.get(sniffed, "other"), path))
    return found


PARTNERSHIP_KEYS = {"id", "schools", "deployment", "force", "officers", "signatories", "in_force"}


def _must_exist(path: Path) -> None:
    """InputError, in one line, for a path that does not exist or cannot be looked at (a name too long, say)."""
    try:
        path.stat()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file or folder") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read: {exc.strerror or exc}") from None


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
        return True
    except (ValueError, OSError, RuntimeError):
        return False


_FLOW_KEY = re.compile(r"""["']?([A-Za-z_]+)["']?\s*:""")


def _sniff(path: Path) -> str:
    """'partnership', 'library-part' (a clause file away from its library), or 'other' (not ours: a CI file, say).

    A file that is empty, or saved as UTF-16 or UTF-32, counts as a partnership, so that the loader says what is
    wrong with it rather than its being skipped."""
    try:
        raw = read_bounded(path, 20000, head=True)
    except InputError:
        return "partnership"  # let the loader say why it cannot be read
    if wide_encoding(raw) or not raw.removeprefix(b"\xef\xbb\xbf").strip():
        return "partnership"
    head = raw.decode("utf-8-sig", errors="replace")
    body = "\n".join(line for line in head.splitlines() if not line.lstrip().startswith("#")).lstrip()
    if body.startswith("{"):  # JSON, or YAML in flow style: keys are not at the start of lines
        keys = set(_FLOW_KEY.findall(body))
        if keys & PARTNERSHIP_KEYS and not {"topic", "documents", "citations"} & keys:
            return "partnership"
    first = head.split("\n", 1)[0]
    if "$schema=" in first:
        if "partnership.schema.json" in first:
            return "partnership"
        if any(f"{name}.schema.json" in first for name in ("clauses", "documents", "citations")):
            return "library-part"
        return "other"
    keys = {line.split(":", 1)[0].strip() for line in head.splitlines()
            if line and not line[0].isspace() and ":" in line and not line.startswith(("#", "-"))}
    if keys & PARTNERSHIP_KEYS and not {"topic", "documents", "citations"} & keys:
        return "partnership"
    if {"clauses", "documents", "citations"} & keys:
        return "library-part"
    return "other"


@dataclass
class LoadedPartnership:
    path: str
    yaml: YamlFile | None
    model: Partnership | None
    findings: list[Finding] = field(default_factory=list)
    positions: dict[str, Source] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.model is not None and not any(f.severity == "error" for f in self.findings)


def load_partnership(path: Path, lib: Library) -> LoadedPartnership:
    """Read, validate and cross-check one partnership file against the library."""
    display = shown(path)
    try:
        yfile = read_yaml(path, display)
    except YamlProblem as problem:
        return LoadedPartnership(display, None, None, [problem.finding])
    model, findings = validate(yfile, Partnership)
    loaded = LoadedPartnership(display, yfile, model, findings)
    if model is not None:
        loaded.positions = _choice_positions(yfile)
        loaded.findings += _choice_findings(model, yfile, lib)
    return loaded


def _choice_positions(yfile: YamlFile) -> dict[str, Source]:
    """Where each override and local clause stands in the partnership file."""
    out: dict[str, Source] = {}
    choices = yfile.data.get("clauses") if isinstance(yfile.data, CommentedMap) else None
    if not isinstance(choices, CommentedMap):
        return out
    overrides = choices.get("overrides")
    if isinstance(overrides, CommentedMap):
        for key, value in overrides.items():
            out[str(key)] = value_source(yfile.path, value, "text") if isinstance(value, CommentedMap) and "text" in value \
                else Source(yfile.path, *position(yfile.data, ["clauses", "overrides", key], at_key=True))
    for i, local in enumerate(choices.get("local") or []):
        if isinstance(local, CommentedMap) and "id" in local:
            out[str(local["id"])] = value_source(yfile.path, local, "text")
    return out


# The rules that decide whether a partnership file can be assembled at all: a build runs them as well as check.
LOAD_RULES = ("unknown-party", "no-signatory", "officer-rank", "unknown-clause", "deprecated-clause", "duplicate-id", "unknown-section",
              "unknown-citation")


def _choice_findings(p: Partnership, yfile: YamlFile, lib: Library) -> list[Finding]:
    """Clause choices that name clauses, sections or citations the library does not have, from the rules that own
    those findings."""
    from datetime import date

    from protocolkit.check.rules import all_rules
    from protocolkit.check.subject import Subject

    rules = all_rules()
    subject = Subject("partnership", yfile.path, lib, date.today(), partnership=p, yaml=yfile)
    return [f for code in LOAD_RULES for f in rules[code].check(subject)]


def assemble_documents(loaded: LoadedPartnership, lib: Library, kinds: list[str]) -> tuple[dict[str, Document], list[Finding]]:
    """The assembled documents of a loaded partnership, and the problems met assembling them (once each)."""
    assert loaded.model is not None
    docs: dict[str, Document] = {}
    findings: list[Finding] = []
    seen: set[tuple] = set()
    context = template_context(loaded.model)  # the same for every document
    for kind in kinds:
        if kind not in lib.documents:
            raise InputError(f"{lib.root}: the library has no {kind!r} document in {DOCUMENTS_FILE}")
        doc, problems = assemble(loaded.model, lib, kind, loaded.path, loaded.positions, context)
        docs[kind] = doc
        for f in problems:
            key = (f.rule, f.message, f.path, f.line)
            if key not in seen:
                seen.add(key)
                findings.append(f)
    return docs, findings
