"""Helpers the rule modules share: the compiled register, positions in partnership files, headings of a .docx."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from protocolkit.check.subject import Subject
from protocolkit.document import Document
from protocolkit.library import CITATIONS_FILE, Library
from protocolkit.load import YamlFile, position
from protocolkit.model.library import DatedReference


def compiled_register(lib: Library) -> list[tuple[DatedReference, list[re.Pattern[str]]]]:
    """Each dated reference of the library's register with its patterns compiled (case-insensitive)."""
    return [(d, [_compile(p) for p in d.patterns]) for d in lib.dated]


def register_filter(lib: Library) -> re.Pattern[str] | None:
    """One pattern that matches wherever any register entry might: most text is clean, and one search is cheap."""
    patterns = tuple(p for d in lib.dated for p in d.patterns)
    return _combined(patterns) if patterns else None


@lru_cache(maxsize=16)
def _combined(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


@lru_cache(maxsize=1024)
def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def text_files(subject: Subject) -> list[YamlFile]:
    """The YAML files whose strings are document text: the partnership file, or the library's files but its register
    (which names dated references on purpose)."""
    if subject.kind != "library":
        return [subject.yaml] if subject.yaml else []
    return [f for f in subject.library.files if Path(f.path).name != CITATIONS_FILE]


def at(yfile: YamlFile | None, *loc, key: bool = True) -> tuple[int, int]:
    """1-based line and column of a place in a YAML file (the top of the file when it is absent)."""
    if yfile is None:
        return 1, 1
    line, col = position(yfile.data, list(loc), at_key=key)
    return line or 1, col or 1


def headings(doc: Document) -> list[str]:
    """Every section and clause heading of a document."""
    return [s.title for s in doc.sections if s.title] + [c.title for c in doc.clauses() if c.title]


def has_opening(doc: Document) -> bool:
    """Whether the document opens with text before its first heading."""
    return bool(doc.sections) and not doc.sections[0].title and any(c.paragraphs for c in doc.sections[0].clauses)


KIND_LABEL = {"protocol": "protocol", "dsa": "data-sharing agreement"}
