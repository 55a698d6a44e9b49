"""Runs every rule over every input and gathers the findings, sorted by place."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from protocolkit.check.rules import all_rules
from protocolkit.check.subject import Subject
from protocolkit.findings import Finding
from protocolkit.library import Library, load_library
from protocolkit.project import Input, assemble_documents, discover, load_partnership, shown


def check_paths(paths: list[Path], library_dir: Path | None, today: date) -> list[Finding]:
    """All findings for the inputs found under `paths`, in a stable order."""
    inputs = discover(paths)
    libraries = [i for i in inputs if i.kind == "library"]
    # A library named on the command line is the one its neighbours are assembled with.
    lib_root = library_dir or (libraries[0].path if len(libraries) == 1 else None)
    default_lib: Library | None = None
    findings: list[Finding] = []
    for item in inputs:
        if item.kind == "library":
            lib = load_library(item.path)
            if lib_root is not None and item.path.resolve() == Path(lib_root).resolve():
                default_lib = lib
            findings += lib.findings
            findings += _run_rules(Subject("library", shown(item.path), lib, today))
    lib = default_lib or load_library(lib_root)
    for item in inputs:
        if item.kind == "partnership":
            findings += check_partnership(item, lib, today)
        elif item.kind == "yaml":
            findings.append(Finding("not-protocolkit", "error",
                                    "this YAML file is neither a partnership file nor part of a clause library "
                                    "(a library folder has documents.yaml)", shown(item.path), 1, 1))
    return sorted(findings, key=Finding.sort_key)


def check_partnership(item: Input, lib: Library, today: date) -> list[Finding]:
    """Schema, clause choices, assembly and every rule for one partnership file."""
    loaded = load_partnership(item.path, lib)
    findings = list(loaded.findings)
    if loaded.model is None:
        return findings
    docs, problems = assemble_documents(loaded, lib, sorted(lib.documents))
    findings += problems
    subject = Subject("partnership", loaded.path, lib, today, list(docs.values()), loaded.model, loaded.yaml)
    return findings + _run_rules(subject)


def _run_rules(subject: Subject) -> list[Finding]:
    out: list[Finding] = []
    for rule in all_rules().values():
        if subject.kind in rule.targets:
            out.extend(rule.check(subject))
    return out


def exit_code(findings: list[Finding]) -> int:
    """1 when anything is at error severity, else 0."""
    return 1 if any(f.severity == "error" for f in findings) else 0
