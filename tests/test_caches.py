"""What a build caches across partnerships in one process never changes what a partnership gets.

Loading, assembling, checking and writing keep what they work out for the next partnership (filled clause text by
the values it reads, the clauses a library gives a set of facts, searched paragraphs, written paragraphs). A
partnership whose names differ only slightly from one before it, or which reads one value differently, must still
get exactly what it gets in a process that has seen nothing before it.
"""

from __future__ import annotations

import re

from protocolkit.check.config import Config
from protocolkit.check.engine import gate
from protocolkit.library import load_library
from protocolkit.project import assemble_documents, load_partnership
from protocolkit.render.docx import read_template, render_docx

from conftest import CLAUSES, EXAMPLES


def _variants(folder):
    """Each example as shipped; with every school and person renamed; and with its facts changed (another officer,
    an enhanced service, one school fewer where it has several), so the same clauses read other values."""
    paths = []
    for src in sorted(EXAMPLES.glob("*.yaml")):
        text = src.read_text(encoding="utf-8")
        renamed = re.sub(r"(\bname: )([A-Z][^,}\n]*)", r"\1\2 Two", text)
        changed = text.replace("officer: police-officer", "officer: pcso") if "officer: police-officer" in text \
            else text.replace("officer: pcso", "officer: police-officer")
        changed = changed.replace("enhanced_service: true", "enhanced_service: false") \
            if "enhanced_service: true" in changed else changed
        for n, variant in enumerate((text, renamed, changed)):
            variant = re.sub(r"^id: (.*)$", rf"id: \1-{n}", variant, count=1, flags=re.M)
            path = folder / f"{src.stem}-{n}.yaml"
            path.write_text(variant, encoding="utf-8")
            paths.append(path)
    return paths


def _clear_caches() -> None:
    from protocolkit import assemble, load, typography
    from protocolkit.check import suppress
    from protocolkit.check.rules import _common, legal_basis
    from protocolkit.render import docx, wordml

    assemble._FILLED.clear()
    load._RESOLVED.clear()
    _common._REGISTERS.clear()
    for cached in (assemble._reads, assemble._split, assemble._compiled, assemble._parsed, assemble._placeholder_plan,
                   typography.typeset, wordml.run_content,
                   docx._text_paragraph, docx._heading_run, docx._id_row, docx.id_bookmark, legal_basis.misuses,
                   legal_basis._names_condition, suppress._directives):
        cached.cache_clear()


def _everything(paths, template) -> dict:
    """Each partnership's documents (text and .docx bytes) and gate findings, in a library read afresh."""
    lib = load_library(CLAUSES)
    out = {}
    for path in paths:
        loaded = load_partnership(path, lib)
        docs, problems = assemble_documents(loaded, lib, sorted(lib.documents))
        findings = [(f.rule, f.line, f.message) for f in gate(loaded, docs, problems, lib, Config())]
        out[path.name] = (findings, {k: (d.plain_text(), render_docx(d, template)) for k, d in docs.items()})
    return out


def test_what_one_partnership_caches_never_changes_another(tmp_path):
    paths = _variants(tmp_path)
    template = read_template(None)
    _clear_caches()
    forwards = _everything(paths, template)
    _clear_caches()
    backwards = _everything(list(reversed(paths)), template)
    fresh = {}
    for path in paths:  # each as the first partnership a process sees
        _clear_caches()
        fresh.update(_everything([path], template))
    assert len(forwards) == 18
    # the variants really differ, so that a cached value served to the wrong one would show
    assert len({docs["protocol"][0] for _, docs in forwards.values()}) == 18
    for name in forwards:
        assert forwards[name] == fresh[name], name
        assert backwards[name] == fresh[name], name
