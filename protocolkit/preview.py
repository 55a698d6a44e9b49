"""`protocolkit preview`: one document of a partnership (or a .docx) as markdown."""

from __future__ import annotations

from pathlib import Path

from protocolkit.findings import Finding, InputError
from protocolkit.library import load_library, project_library
from protocolkit.project import assemble_documents, load_partnership


def preview_markdown(path: Path, kind: str, library: Path | None) -> tuple[str, list[Finding]]:
    """The markdown of one document, or no text and the findings that stop it being assembled."""
    from protocolkit.render.markdown import render_markdown

    if not path.is_file():
        raise InputError(f"{path}: no such file")
    from protocolkit.read import is_document, read_document

    if is_document(path):
        return render_markdown(read_document(path, kind)), []
    lib = load_library(library or project_library([path]))
    loaded = load_partnership(path, lib)
    if not loaded.ok:
        return "", loaded.findings
    docs, problems = assemble_documents(loaded, lib, [kind])
    if any(f.severity == "error" for f in problems):
        return "", problems
    return render_markdown(docs[kind]), problems
