"""Helpers the rule modules share: the compiled register, positions in partnership files, headings of a .docx."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from protocolkit.check.profile import RequiredSection
from protocolkit.check.subject import Subject
from protocolkit.check.text import DocText, doc_paragraphs
from protocolkit.document import Document
from protocolkit.library import CITATIONS_FILE, Library
from protocolkit.load import YamlFile, position
from protocolkit.model.library import DatedReference


class Register(list):
    """Each dated reference of the library's register with its patterns compiled (case-insensitive), and which
    patterns need which words, so a text is searched only with the patterns whose words it holds."""

    def __init__(self, entries: list[tuple[DatedReference, list[re.Pattern[str]]]]):
        super().__init__(entries)
        self.always: dict[int, tuple[DatedReference, re.Pattern[str]]] = {}
        self.by_word: dict[str, list[tuple[int, DatedReference, re.Pattern[str]]]] = {}
        self.seen: dict[str, list[tuple[DatedReference, re.Match[str], re.Pattern[str]]]] = {}
        for n, (entry, pattern) in enumerate((e, p) for e, ps in entries for p in ps):
            words = required_words(pattern.pattern)
            if words is None:
                self.always[n] = (entry, pattern)
            for w in words or ():
                self.by_word.setdefault(w, []).append((n, entry, pattern))

    def candidates(self, text: str) -> list[tuple[DatedReference, re.Pattern[str]]]:
        """The patterns that can match somewhere in `text`, in register order. Each required word is looked for
        once per text (a plain substring test), rather than once for every pattern that needs it."""
        lower = text.lower()
        found = dict(self.always)
        for w, targets in self.by_word.items():
            if w in lower:
                for n, entry, pattern in targets:
                    found[n] = (entry, pattern)
        return [found[n] for n in sorted(found)]


def compiled_register(lib: Library) -> Register:
    """The library's register, compiled once per library."""
    cached = _REGISTERS.get(id(lib))
    if cached is None or cached[0] is not lib:
        if len(_REGISTERS) > 8:
            _REGISTERS.clear()
        cached = _REGISTERS[id(lib)] = (lib, Register([(d, [_compile(p) for p in d.patterns]) for d in lib.dated]))
    return cached[1]


_REGISTERS: dict[int, tuple[Library, Register]] = {}


# Words that say, just before or just after a dated name, that it has been replaced: "which replaced the Data
# Protection Act 1998", "Local Safeguarding Children Boards were abolished". Such a sentence is current, not dated.
_REPLACED_BEFORE = re.compile(
    r"\b(replac\w*|supersed\w*|repeal\w*|abolish\w*|formerly|previously|succeed(ed|s|ing)|in place of|"
    r"instead of|successor to|took over from|no longer)\b\W+((the|its|an?|old|former|earlier|\w+'s)\W+){0,3}"
    r"[^.;]{0,12}$", re.IGNORECASE)
_REPLACED_AFTER = re.compile(
    r"^[^.;]{0,50}?\b(was|were|has been|have been|had been|is|are)\s+(now\s+|since\s+|formally\s+|fully\s+)?"
    r"(replaced|superseded|repealed|abolished|withdrawn|renamed|closed|shut down|disbanded|merged)\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+")


def _sentence_around(text: str, start: int, end: int) -> tuple[str, str, str]:
    """The text before the match in its sentence, the match, and the text after it in its sentence."""
    left = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
    right_m = _SENTENCE_END.search(text, end)
    right = right_m.start() if right_m else len(text)
    return text[left:start], text[start:end], text[end:right]


try:  # the regular-expression parser of the standard library (re._parser from 3.11, sre_parse before)
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_parse as _sre_parse  # type: ignore[no-redef]


@lru_cache(maxsize=4096)
def required_words(pattern: str) -> tuple[str, ...] | None:
    """Lower-case words of which a match must contain at least one, or None if the pattern has no such words.

    The register has over a hundred case-insensitive patterns, and most text holds none of them. Python's re
    finds no literal prefix in a case-insensitive pattern that starts with \\b or a group, so each pattern scans
    every character; a plain substring test on the lower-cased text rules most of them out first (about twenty
    times faster on the library). Hand-written because no library derives such a prefilter from a Python regex.
    """
    try:
        parsed = _sre_parse.parse(pattern)
    except re.error:
        return None
    return _words_of(list(parsed))


def _words_of(items: list) -> tuple[str, ...] | None:
    """Words one of which every match of this sequence contains: its longest literal run, or else the words of a
    group or alternation it requires (every item of a sequence is required; optional ones are repeats)."""
    runs: list[str] = []
    groups: list[tuple[str, ...]] = []
    run: list[str] = []
    for op, arg in items + [(None, None)]:
        name = str(op)
        if name == "LITERAL":
            run.append(chr(arg))
            continue
        if name == "AT":
            continue  # \b and anchors consume nothing
        if run:
            runs.append("".join(run).lower())
            run = []
        if name == "SUBPATTERN":
            inner = _words_of(list(arg[-1]))
            if inner:
                groups.append(inner)
        elif name == "BRANCH":
            alternatives = [_words_of(list(branch)) for branch in arg[1]]
            if all(alternatives):
                groups.append(tuple(w for alt in alternatives for w in alt))  # type: ignore[union-attr]
    longest = max(runs, key=len, default="")
    if len(longest) >= 3:
        return (longest,)
    return min(groups, key=len) if groups else None


def dated_matches(text: str, register: Register) -> list[tuple[DatedReference, re.Match[str], re.Pattern[str]]]:
    """Each dated reference in the text, once: a place two patterns (or two entries) both match is reported once,
    for the longer match; a sentence that says the name was replaced, or that an entry's `unless` pattern matches,
    is not dated."""
    known = register.seen.get(text)
    if known is not None:
        return known
    found = _dated_matches(text, register)
    if len(register.seen) >= _SEEN_MAX:
        register.seen.clear()
    register.seen[text] = found
    return found


# Texts already searched, per register: a county's partnerships share most of their paragraphs.
_SEEN_MAX = 4_000


def _dated_matches(text: str, register: Register) -> list[tuple[DatedReference, re.Match[str], re.Pattern[str]]]:
    hits = []
    for entry, pattern in register.candidates(text):
        for m in pattern.finditer(text):
            if m.end() > m.start():
                hits.append((entry, m, pattern))
    hits.sort(key=lambda h: (h[1].start(), -(h[1].end() - h[1].start())))
    kept: list[tuple[DatedReference, re.Match[str], re.Pattern[str]]] = []
    taken_to = -1
    for entry, m, pattern in hits:
        if m.start() < taken_to:
            continue
        before, _, after = _sentence_around(text, m.start(), m.end())
        if _REPLACED_BEFORE.search(before) or _REPLACED_AFTER.search(after):
            taken_to = m.end()
            continue
        sentence = before + m.group(0) + after
        if any(_compile(u).search(sentence) for u in entry.unless):
            continue
        kept.append((entry, m, pattern))
        taken_to = m.end()
    return kept


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


FRAGMENT_WORDS = {"protocol": 1200, "dsa": 800}  # far fewer words than any complete protocol or agreement


def word_count(doc: Document) -> int:
    """The words of a document's body, headings included."""
    return sum(len(t.text.split()) for t in doc_paragraphs(doc))


def is_fragment(doc: Document) -> bool:
    """Whether the document reads as a fragment: far shorter than any complete protocol or DSA."""
    return word_count(doc) < FRAGMENT_WORDS.get(doc.kind, 800)


@dataclass(frozen=True)
class Coverage:
    """How a document covers a mandatory section: by a heading, by its opening, by its substance, thinly or not at all;
    with the words and the place that showed it."""

    how: str  # "heading" | "opening" | "substance" | "thin" | "absent"
    evidence: tuple[tuple[str, DocText], ...] = ()


def coverage(doc: Document, req: RequiredSection) -> Coverage:
    """Where a document covers a profile section: a heading that names it, or enough of what such a section says."""
    for section in doc.sections:
        titles = [section.title] + [c.title for c in section.clauses]
        if any(t and req.matches(t) for t in titles):
            return Coverage("heading")
    texts = list(doc_paragraphs(doc))
    if any(req.names(label) for label in _labels(texts)):
        return Coverage("heading")
    if req.opening and has_opening(doc):
        return Coverage("opening")
    found: list[tuple[str, DocText]] = []
    for pattern in req.signal_patterns():
        for t in texts:
            m = pattern.search(t.text)
            if m:
                found.append((" ".join(m.group(0).split()), t))
                break
    if len(found) >= req.signals_min:
        return Coverage("substance", tuple(found))
    return Coverage("thin" if found else "absent", tuple(found))


# "Review Date | August 2019", "AIM OF POLICY: To ...": the label of a summary sheet's row, or of a labelled line,
# names what the row holds, as a heading does.
_LABEL = re.compile(r"^\s*([A-Za-z][A-Za-z'\u2019 /&()-]{1,48}?)\s*(?:\||:\s)")


def _labels(texts: list[DocText]) -> list[str]:
    out = []
    for t in texts:
        m = _LABEL.match(t.text)
        if m and len(m.group(1).split()) <= 5:
            out.append(m.group(1))
    return out


def choice_at(yfile: YamlFile, *loc, key: bool = False) -> tuple[int | None, int | None]:
    """1-based line and column of a place under a partnership file's `clauses:`."""
    return position(yfile.data, ["clauses", *loc], at_key=key)


def headings(doc: Document) -> list[str]:
    """Every section and clause heading of a document."""
    return [s.title for s in doc.sections if s.title] + [c.title for c in doc.clauses() if c.title]


def has_opening(doc: Document) -> bool:
    """Whether the document opens with text before its first heading."""
    return bool(doc.sections) and not doc.sections[0].title and any(c.paragraphs for c in doc.sections[0].clauses)


KIND_LABEL = {"protocol": "protocol", "dsa": "data-sharing agreement"}
