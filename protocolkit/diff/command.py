"""`protocolkit diff OLD NEW`: load both sides, compare their trees (and facts), print, and write a redline."""

from __future__ import annotations

import importlib
import sys
from contextlib import ExitStack
from pathlib import Path

from protocolkit.diff.facts import attribute_clauses, fact_changes
from protocolkit.diff.inputs import Version, assembled, load_partnership_version, locate, read_docx_version
from protocolkit.diff.report import Report
from protocolkit.diff.tree import diff_documents
from protocolkit.document import Document
from protocolkit.files import check_target
from protocolkit.findings import InputError, visible
from protocolkit.library import Library, library_note, load_library, project_library

FORMATS = ("text", "markdown", "html", "json")


def diff_command(old: str, new: str, fmt: str | None, redline: Path | None, exit_code: bool, library: Path | None,
                 doc: str | None = None, template: Path | None = None) -> int:
    """Compare OLD with NEW, print the report and optionally write the redline; returns the exit code.

    For partnership files one document is compared: `doc` ("protocol" unless given); for a .docx,
    `doc` says what it is meant to be, as for `protocolkit check`.
    """
    show = fmt is not None or redline is None  # with --redline, the report only when a format is asked for
    fmt = fmt or "text"
    if fmt not in FORMATS:
        raise InputError(f"--format {fmt!r}: use one of {', '.join(FORMATS)}")
    inputs = [Path(x) for x in (old, new) if Path(x).exists()]
    if redline is not None:
        check_target(redline, inputs)  # before any work: `--redline old.yaml` must not cost the user their file
        if template is not None:
            from protocolkit.render.docx import read_template

            read_template(template.resolve())  # a broken template is refused before the comparison
    with ExitStack() as stack:
        before, after = locate(old, stack), locate(new, stack)
        note = library_note(library, [_walk_from(after)])
        if note:
            print(visible(note), file=sys.stderr)
        report = compare(before, after, library, doc)
        if show:
            renderer = importlib.import_module(f"protocolkit.diff.formats.{fmt}")
            color = fmt == "text" and sys.stdout.isatty()
            print(visible(renderer.render(report, color=color), colours=color))
        if redline is not None:
            from protocolkit.diff.redline import write_redline

            write_redline(report.diff, redline, report.old_label, report.new_label, tuple(inputs),
                          template.resolve() if template else None)
            said = "no differences" if not report.differs else "changes tracked"
            print(visible(f"protocolkit: wrote the redline {redline} ({said})"), file=sys.stderr if show else
                  sys.stdout)
    return 1 if exit_code and report.differs else 0


def _walk_from(version: Version) -> Path:
    """Where to look for the project's library: the new side's file, or the current folder for a git version."""
    return Path.cwd() if version.hidden_path else version.path


def compare(before: Version, after: Version, library: Path | None, doc: str | None,
            old_library: Path | None = None) -> Report:
    """The report on two located versions; with `old_library`, OLD is assembled with that library (the project's
    library as it was at OLD's revision) and NEW with today's."""
    libs: dict[bool, Library] = {}

    def get_library(old: bool = False) -> Library:
        old = old and old_library is not None
        if old not in libs:
            lib = libs[old] = load_library(old_library if old else (library or project_library([_walk_from(after)])))
            errors = [f for f in lib.findings if f.severity == "error"]
            if errors:
                first = errors[0]
                raise InputError(f"{first.location()}: {first.message}: the clause library has "
                                 f"{len(errors)} error(s); run `protocolkit check` on it")
        return libs[old]

    docs: dict[int, Document] = {}
    for version in (before, after):
        if version.is_docx:
            docs[id(version)] = read_docx_version(version, doc)
        else:
            load_partnership_version(version, get_library(version is before))
    # A partnership compared with a .docx is assembled as whatever the .docx turned out to be.
    kind = doc or next((d.kind for d in docs.values()), "protocol")
    for version in (before, after):
        if not version.is_docx:
            docs[id(version)] = assembled(version, get_library(version is before), kind)
    old_doc, new_doc = docs[id(before)], docs[id(after)]
    result = diff_documents(old_doc, new_doc)
    report = Report(before.label, after.label, kind, result)
    if before.loaded and after.loaded and before.loaded.model and after.loaded.model:
        facts = fact_changes(before.loaded.model, after.loaded.model)
        attribute_clauses(facts, before.loaded.model, old_doc, get_library(), kind, result.changed_ids())
        report.facts = facts
    elif before.is_docx != after.is_docx and ids_differ(*((old_doc, new_doc) if before.is_docx else (new_doc, old_doc))):
        report.notes.append("The .docx does not carry the clause library's ids (protocolkit did not build it, or they "
                            "were lost), so its clause ids are derived from numbers and titles and its clauses show "
                            "as removed and added. Build the partnership and compare the two .docx files.")
    return report


def ids_differ(docx_doc: Document, assembled_doc: Document) -> bool:
    """Whether a .docx's clauses mostly have ids other than the library's, as a document written elsewhere does."""
    ids = {c.id for c in docx_doc.clauses()}
    shared = ids & {c.id for c in assembled_doc.clauses()}
    return bool(ids) and len(shared) * 2 < len(ids)
