"""YAML to plain data that remembers where every value came from, and pydantic errors mapped back to lines.

ruamel.yaml's round-trip loader keeps 0-based positions on every mapping and sequence
(`lc.data[key] = [key_line, key_col, value_line, value_col]`, `lc.data[i] = [line, col]`);
everything here speaks 1-based lines and columns, as editors do.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, TypeVar

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import CollectionEndEvent, CollectionStartEvent, StreamEndEvent
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

from protocolkit.document import Source
from protocolkit.findings import Finding, InputError, closest, did_you_mean

MAX_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 50
MAX_NODES = 250_000

M = TypeVar("M", bound=BaseModel)


@dataclass
class YamlFile:
    path: str
    data: Any
    text: str
    # what readers of the file's strings found once, for the next rule that asks (see check.text.yaml_texts)
    memo: dict = field(default_factory=dict, repr=False, compare=False)


class YamlProblem(Exception):
    """YAML that does not parse or breaks a bound; carries the finding to report."""

    def __init__(self, finding: Finding):
        super().__init__(finding.message)
        self.finding = finding


def read_yaml(path: Path | str, display: str | None = None) -> YamlFile:
    """Parse one YAML file; InputError if it cannot be opened, YamlProblem if it is not sound YAML."""
    from protocolkit.files import TooLarge, read_bounded, wide_encoding

    shown = display or str(path)
    try:
        raw = read_bounded(path, MAX_BYTES)
    except TooLarge as big:
        raise YamlProblem(Finding("yaml-too-large", "error", f"file is {big.size:,} bytes; the limit is "
                                  f"{big.limit:,}: split it", shown, 1, 1)) from None
    except InputError as exc:
        raise InputError(str(exc).replace(str(path), shown, 1)) from None
    wide = wide_encoding(raw)
    if wide:
        raise YamlProblem(Finding("yaml-syntax", "error", f"the file is saved as {wide}: save it as UTF-8 (in Notepad: "
                                  f"Save as, Encoding UTF-8)", shown, 1, 1))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise YamlProblem(Finding("yaml-syntax", "error", f"not UTF-8 text (byte {exc.start}): save the file as UTF-8", shown, 1, 1)) from None
    return parse_yaml(text, shown)


_OLD_YAML = re.compile(r"^%YAML\s+1\.[01]\b", re.MULTILINE)


def parse_yaml(text: str, path: str) -> YamlFile:
    """Parse YAML text; YamlProblem with the line and column of a syntax error or a bound."""
    old = _OLD_YAML.search(text)
    if old:
        # YAML 1.1 reads yes/no/on/off as true/false and 010 as 8; these files are YAML 1.2, read the same everywhere
        raise YamlProblem(Finding("yaml-syntax", "error", f"{old.group(0)} asks for the older YAML 1.1, which reads "
                                  f"yes/no as true/false and 010 as 8: remove the line (protocolkit reads YAML 1.2)",
                                  path, text.count("\n", 0, old.start()) + 1, 1))
    _check_text(text, path)
    try:
        _check_depth(text, path)
        data = _load_round_trip(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or exc.context or "YAML syntax error"
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise YamlProblem(Finding("yaml-syntax", "error", f"YAML syntax: {what}", path, line, col)) from None
    except YAMLError as exc:
        raise YamlProblem(Finding("yaml-syntax", "error", f"YAML syntax: {exc}", path, 1, 1)) from None
    except RecursionError:
        raise YamlProblem(Finding("yaml-too-deep", "error", f"nesting deeper than {MAX_DEPTH} levels", path, 1, 1)) from None
    except YamlProblem as problem:
        problem.finding.path = path
        raise
    except _DuplicateKey as dup:
        raise YamlProblem(Finding("yaml-syntax", "error", f"YAML syntax: key {dup.key!r} appears twice in one mapping "
                                  f"(first at line {dup.first}): keep one", path, dup.line, dup.column)) from None
    # a value or key can hold a control character only if the text does, or writes one as an escape (\x01 in
    # double quotes): a file with neither, as nearly every file is, need not be walked for them
    dirty = "\\" in text or _CONTROL.search(text) is not None
    _check_bounds(data, path, dirty)
    if dirty:
        _check_characters(data, path)
    return YamlFile(path, data, text)


# What no document should hold: C0 controls but tab, LF and CR (XML 1.0 cannot hold them), DEL and the C1 controls
# (a terminal obeys some of them), lone surrogates, and U+FFFE/U+FFFF.
CONTROL_CHARS = _CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Line breaks to libyaml (YAML 1.1) that editors and YAML 1.2 do not count: they would shift every line number after.
_ODD_BREAK = re.compile("[\x85\u2028\u2029]")
_NAMES = {"\x85": "next line", "\u2028": "line separator", "\u2029": "paragraph separator"}


def _check_text(text: str, path: str) -> None:
    odd = _ODD_BREAK.search(text)
    if odd:
        line = text.count("\n", 0, odd.start()) + 1
        col = odd.start() - (text.rfind("\n", 0, odd.start()) + 1) + 1
        raise YamlProblem(Finding("yaml-syntax", "error", odd_break_message(odd.group()), path, line, col))


def odd_break_message(char: str) -> str:
    return f"invisible character U+{ord(char):04X} ({_NAMES[char]}): replace it with an ordinary new line or a space"


# How the messages about such characters begin, for a caller that says them in its own place (the web form).
CHARACTER_MESSAGES = ("control character U+", "invisible character U+")


def character_problem(text: str) -> str | None:
    """What the loader would say of the first character in `text` that no document can hold, or that editors do
    not count as a line break; None when there is none."""
    bad = _CONTROL.search(text)
    if bad:
        return control_message(bad.group())
    odd = _ODD_BREAK.search(text)
    return odd_break_message(odd.group()) if odd else None


def control_message(char: str, key: bool = False) -> str:
    """What is said of a character no document can hold, wherever it is found (a file, a form's input)."""
    return f"control character U+{ord(char):04X} {'in a key' if key else 'cannot go into a document'}: remove it"


def _check_characters(data: Any, path: str) -> None:
    """Refuse a string no document could print (a YAML escape such as "\\x01" makes one)."""
    for _, value, line, col in string_values(data):
        bad = _CONTROL.search(value)
        if bad:
            raise YamlProblem(Finding("yaml-syntax", "error",
                                      control_message(bad.group()),
                                      path, line, col))


try:  # libyaml through ruamel.yaml.clib: the same positions, several times faster than the pure-Python parser
    from ruamel.yaml.cyaml import CParser as _CParser
except ImportError:  # pragma: no cover - exercised where the C extension cannot be installed
    _CParser = None


class _DuplicateKey(Exception):
    def __init__(self, key: Any, line: int, column: int, first: int):
        super().__init__(key)
        self.key, self.line, self.column, self.first = key, line, column, first


class _Constructor(RoundTripConstructor):
    """ruamel's round-trip constructor with two hooks that add what a coordinator needs: the first line of a
    duplicate key, and the place of a scalar that cannot be built (a date that does not exist, a number too long)."""

    def check_mapping_key(self, node: Any, key_node: Any, mapping: Any, key: Any, value: Any) -> bool:
        if key in mapping:
            first = mapping.lc.data.get(key) if getattr(mapping.lc, "data", None) else None
            raise _DuplicateKey(key, key_node.start_mark.line + 1, key_node.start_mark.column + 1,
                                first[0] + 1 if first else node.start_mark.line + 1)
        return True

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError) as exc:
            raise YamlProblem(_bad_scalar(node, exc)) from None


if _CParser is not None:
    class _FastRoundTripLoader(_CParser, _Constructor, VersionedResolver):
        """ruamel's own round-trip constructor and YAML 1.2 resolver over libyaml's parser and composer: every
        value is made by ruamel.yaml as YAML(typ="rt") makes it; only the parsing is done in C."""

        comment_handling = None  # as YAML(typ="rt") sets it: comments are kept on the nodes, never read here
        # What the resolver's own lookup always finds over libyaml (it has no scanner to ask), set once: the lookup,
        # two caught AttributeErrors for every scalar, was a fifth of the time spent loading a partnership file.
        processing_version = (1, 2)

        def __init__(self, stream: str):
            _CParser.__init__(self, stream)
            self._parser = self._composer = self
            _Constructor.__init__(self, loader=self)
            VersionedResolver.__init__(self, loadumper=self)
            self.allow_duplicate_keys = False

        def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
            # A plain scalar's tag follows from its text alone (YAML 1.2, no path resolvers): each text is matched
            # against the resolver's patterns once a process, not once a file (keys and values repeat across a
            # county's files; matching was a sixth of the time spent loading one). Tags are shared, as ruamel's
            # own default tags are.
            if kind is not ScalarNode or not implicit[0]:
                return super().resolve(kind, value, implicit)
            tag = _RESOLVED.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(_RESOLVED) >= _RESOLVED_MAX:
                    _RESOLVED.clear()
                _RESOLVED[value] = tag
            return tag


_RESOLVED: dict[str, Any] = {}
_RESOLVED_MAX = 8192


# Below this many nesting characters no scan is needed: libyaml's recursion is safe that deep, and the round-trip
# constructor's ends in a RecursionError, reported as too deep (a partnership file has two or three hundred).
_SCAN_FROM = 1000


def _check_depth(text: str, path: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH before anything recursive runs: libyaml's composer recurses in C, and
    50,000 `[` in a 100 KB file would end the process with a segmentation fault. Every level of nesting needs one of
    the characters counted below, so a file with few of them is cleared by counting; the rest by libyaml's event
    stream, which is parsed without recursion."""
    if sum(text.count(c) for c in "[{-?:") <= _SCAN_FROM or _CParser is None:
        return
    parser = _CParser(text)
    depth = 0
    try:
        while True:
            event = parser.get_event()
            if event is None or isinstance(event, StreamEndEvent):
                return
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise YamlProblem(Finding("yaml-too-deep", "error", f"nesting deeper than {MAX_DEPTH} levels",
                                              path, event.start_mark.line + 1, event.start_mark.column + 1))
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
    except MarkedYAMLError:
        return  # a syntax error: the loader reports it, with its place
    finally:
        parser.dispose()


def _load_round_trip(text: str) -> Any:
    """What YAML(typ="rt").load(text) gives, parsed by libyaml when it is installed.

    libyaml follows YAML 1.1 in a few corners where ruamel's own parser follows 1.2 (`{a: b:c}` is one of them), so
    text libyaml cannot parse is parsed again by ruamel's parser, whose verdict, and error, is the one given.
    """
    if _CParser is not None:
        loader = _FastRoundTripLoader(text)
        try:
            node = loader.get_single_node()
            return None if node is None else _Lean(loader).build(node)
        except MarkedYAMLError:
            pass
        finally:
            loader.dispose()
    return _pure_round_trip(text)


_STR, _MAP, _SEQ, _MERGE = (f"tag:yaml.org,2002:{t}" for t in ("str", "map", "seq", "merge"))


class _Lean:
    """What ruamel's round-trip constructor builds from libyaml's nodes, built directly for the plain mappings,
    sequences and strings that make up nearly all of a partnership file; anything else (numbers, dates, merge keys,
    tags of its own, a mapping used as a key) is handed to ruamel's constructor, node by node. Hand-written because
    ruamel's constructor spends most of its time on comments and anchors, which libyaml's nodes never carry: it took
    two thirds of the time spent loading a partnership file. test_loader_property compares the two."""

    def __init__(self, loader: Any):
        self.loader = loader
        # what each node became, shared with ruamel's constructor: an alias is the same node, and gets the same object
        self.built: dict[Any, Any] = loader.constructed_objects

    def build(self, node: Any) -> Any:
        if node in self.built:
            return self.built[node]
        ctag = node.ctag
        tag = ctag.suffix if ctag.handle is None else None  # what the resolver or libyaml settled on, in full
        kind = node.id
        if tag == _STR and kind == "scalar" and isinstance(node.value, str):
            value = node.value if node.style not in ("|", ">") else self.loader.construct_scalar(node)
        elif tag == _MAP and kind == "mapping" and not any(k.id != "scalar" or k.ctag.suffix == _MERGE for k, _ in node.value):
            value = self._mapping(node)
        elif tag == _SEQ and kind == "sequence":
            value = self._sequence(node)
        else:
            value = self._ruamel(node)
        self.built[node] = value
        return value

    def _ruamel(self, node: Any) -> Any:
        loader = self.loader
        value = loader.construct_object(node, deep=True)
        while loader.state_generators:
            generators, loader.state_generators = loader.state_generators, []
            for generator in generators:
                for _ in generator:
                    pass
        return value

    # The positions go straight into the LineCol record (`lc.line`, `lc.col`, `lc.data`) that ruamel's own
    # _yaml_set_*_line_col helpers fill one call at a time; an empty mapping or sequence keeps lc.data None, as there.
    def _mapping(self, node: Any) -> CommentedMap:
        data = CommentedMap()
        lc = data.lc
        mark = node.start_mark
        lc.line, lc.col = mark.line, mark.column
        self.built[node] = data
        if node.value:
            lines = lc.data = {}
            for key_node, value_node in node.value:
                key = self.build(key_node)
                at = key_node.start_mark
                if key in lines:
                    raise _DuplicateKey(key, at.line + 1, at.column + 1, lines[key][0] + 1)
                data[key] = self.build(value_node)
                value_at = value_node.start_mark
                lines[key] = [at.line, at.column, value_at.line, value_at.column]
            _style(data, node)
        return data

    def _sequence(self, node: Any) -> CommentedSeq:
        data = CommentedSeq()
        lc = data.lc
        mark = node.start_mark
        lc.line, lc.col = mark.line, mark.column
        self.built[node] = data
        if node.value:
            lines = lc.data = {}
            build = self.build
            for i, child in enumerate(node.value):
                data.append(build(child))
                at = child.start_mark
                lines[i] = [at.line, at.column]
            _style(data, node)
        return data


def _style(data: Any, node: Any) -> None:
    """Flow or block style, as ruamel records it."""
    if data:
        if node.flow_style is True:
            data.fa.set_flow_style()
        elif node.flow_style is False:
            data.fa.set_block_style()


def _pure_round_trip(text: str) -> Any:
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    yaml.allow_duplicate_keys = False
    return yaml.load(text)


_DATE_LIKE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")


def _bad_scalar(node: Any, exc: Exception) -> Finding:
    """A value YAML reads as a date or number that cannot be one: its place, in plain words, with the fix."""
    text = str(node.value)
    line, col = node.start_mark.line + 1, node.start_mark.column + 1
    if _DATE_LIKE.match(text):
        message = (f"{text!r} is not a date that exists ({exc}): write a real date as YYYY-MM-DD, "
                   f"for example 2026-09-30")
    elif text.lstrip("+-").isdigit():
        message = f"the number {text[:20]}\u2026 has {len(text)} digits, far more than any value here: shorten it"
    else:
        message = f"{text[:40]!r} cannot be read as a value ({exc}): put it in quotes if it is text"
    return Finding("schema", "error", message, "", line, col)


def _check_bounds(data: Any, path: str, keys: bool = True) -> None:
    """Refuse nesting too deep and alias expansions too large, before anything walks the data; with `keys`, a key
    holding a control character too."""
    count = 0
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise YamlProblem(Finding("yaml-too-large", "error", f"more than {MAX_NODES:,} values once aliases are expanded: remove repeated aliases", path, 1, 1))
        if depth > MAX_DEPTH:
            line, col = node_position(node)
            raise YamlProblem(Finding("yaml-too-deep", "error", f"nesting deeper than {MAX_DEPTH} levels", path, line, col))
        if isinstance(node, dict):
            for key in node:
                bad = isinstance(key, (dict, list, tuple))
                control = keys and isinstance(key, str) and _CONTROL.search(key)
                if bad or control:
                    pos = node.lc.data.get(key) if getattr(node.lc, "data", None) else None
                    line, col = (pos[0] + 1, pos[1] + 1) if pos else node_position(node)
                    message = ("a mapping or list is used as a key: a key must be a plain word, such as 'name'" if bad
                               else control_message(control.group(), key=True))
                    raise YamlProblem(Finding("yaml-syntax", "error", message, path, line, col))
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
        if isinstance(node, (dict, list)):
            for key, value in (node.items() if isinstance(node, dict) else enumerate(node)):
                if isinstance(value, (bytes, bytearray)):
                    pos = node.lc.data.get(key) if getattr(node.lc, "data", None) else None
                    line, col = ((pos[-2] + 1, pos[-1] + 1) if pos else node_position(node))
                    raise YamlProblem(Finding("yaml-syntax", "error", "binary data (a !!binary value) cannot go into "
                                              "a document: write the text itself", path, line, col))


def node_position(node: Any) -> tuple[int | None, int | None]:
    """1-based line and column where a mapping or sequence starts, if known."""
    lc = getattr(node, "lc", None)
    if lc is None or getattr(lc, "line", None) is None:
        return None, None
    return lc.line + 1, lc.col + 1


def position(data: Any, loc: Iterable[Any], at_key: bool = False) -> tuple[int | None, int | None]:
    """1-based line and column of the value at `loc`, or of the deepest part of it that exists.

    With at_key, a mapping entry is placed at its key rather than its value (for unknown keys).
    """
    line, col = node_position(data)
    node = data
    parts = list(loc)
    for i, part in enumerate(parts):
        if _is_tag(part):
            continue  # pydantic puts union branch names and validator tags into loc
        last = i == len(parts) - 1
        if isinstance(node, CommentedMap) and part in node:
            pos = node.lc.data.get(part)
            if pos:
                # a nested mapping or list, or an unknown key, is placed at its key; a scalar at its value
                at = (at_key and last) or _is_block(node[part])
                line, col = (pos[0] + 1, pos[1] + 1) if at else (pos[2] + 1, pos[3] + 1)
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            pos = node.lc.data.get(part)
            if pos:
                line, col = pos[0] + 1, pos[1] + 1
            node = node[part]
        else:
            break
    return line, col


def _is_block(value: Any) -> bool:
    return isinstance(value, (CommentedMap, CommentedSeq))


def value_source(path: str, mapping: Any, key: str) -> Source:
    """Where the value of `key` in a mapping starts; for a literal or folded block, its first line of text."""
    if not isinstance(mapping, CommentedMap) or key not in mapping:
        line, col = node_position(mapping)
        return Source(path, line, col)
    pos = mapping.lc.data[key]
    line, col = pos[2] + 1, pos[3] + 1
    if isinstance(mapping[key], (LiteralScalarString, FoldedScalarString)):
        line += 1
        col = pos[1] + 3
    return Source(path, line, col)


def string_values(node: Any, skip: tuple[str, ...] = (), loc: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str, int, int]]:
    """Every string value in file order, with its path and the 1-based line and column where its words start.

    Top-level keys in `skip` are left out. A literal or folded block's words start on the line after its indicator.
    """
    out: list[tuple[tuple[Any, ...], str, int, int]] = []
    _strings(node, skip, loc, out)
    return iter(out)


def _strings(node: Any, skip: tuple[str, ...], loc: tuple[Any, ...], out: list) -> None:
    # Gathered into one list by plain recursion (the depth is bounded when the file is read): a generator at every
    # level took a tenth of the time spent checking a partnership. OrderedDict's own items view is ruamel's order
    # and values without its Python-level view (a merge key's values are stored in the mapping itself).
    if isinstance(node, CommentedMap):
        entries: Iterable[tuple[Any, Any]] = OrderedDict.items(node)
        if not loc and skip:
            entries = [(k, v) for k, v in entries if k not in skip]
        in_map = True
    elif isinstance(node, CommentedSeq):
        entries = enumerate(node)
        in_map = False
    else:
        return
    lines = node.lc.data
    for key, value in entries:
        if not isinstance(value, str):
            if isinstance(value, (CommentedMap, CommentedSeq)):
                _strings(value, skip, loc + (key,), out)
            continue
        pos = lines.get(key) if lines else None
        if not pos:
            continue
        line, col = (pos[2], pos[3]) if in_map else (pos[0], pos[1])
        if isinstance(value, (LiteralScalarString, FoldedScalarString)):
            out.append((loc + (key,), value, line + 2, 1))
        else:
            out.append((loc + (key,), value, line + 1, col + 1))


def validate(doc: YamlFile, model: type[M], rule: str = "schema") -> tuple[M | None, list[Finding]]:
    """The model built from the file, or None and one finding per schema error, each at its line."""
    if doc.data is None:
        return None, [Finding(rule, "error", "the file is empty", doc.path, 1, 1)]
    try:
        return model.model_validate(doc.data), []
    except ValidationError as exc:
        return None, [schema_finding(doc, err, rule, model) for err in exc.errors(include_url=False)]


def schema_finding(doc: YamlFile, err: dict, rule: str = "schema", model: Any = None) -> Finding:
    """One pydantic error as a finding with a place and a hint."""
    loc = list(err.get("loc", ()))
    kind = err.get("type", "")
    dotted = ".".join(str(p) for p in loc if not _is_tag(p)) or "(top level)"
    if kind == "missing":
        line, col = position(doc.data, loc[:-1])
        message = f"{dotted}: required field is missing: add '{loc[-1]}:'"
    elif kind == "extra_forbidden":
        line, col = position(doc.data, loc, at_key=True)
        known = _known_keys(model, loc) if model is not None else []
        near = closest(str(loc[-1]), known)
        hint = f"did you mean '{near}'?" if near else "remove it or check its spelling"
        message = f"{dotted}: unknown key '{loc[-1]}': {hint}"
    else:
        line, col = position(doc.data, loc)
        message = f"{dotted}: {plain_message(err, loc)}"
    return Finding(rule, "error", message, doc.path, line, col)


# Fields whose form is best said by example.
_FORMS = {"urn": "a school's URN is six digits, such as \"137245\" (in quotes), or leave it out",
          "id": "use lower-case letters, digits and single hyphens, such as northgate-high"}


def plain_message(err: dict, loc: list[Any]) -> str:
    """Pydantic's error in the words of someone filling in the form, with what to write instead."""
    kind = err.get("type", "")
    field = str(loc[-1]) if loc else ""
    given = err.get("input")
    ctx = err.get("ctx") or {}
    if kind == "string_pattern_mismatch":
        return f"{given!r} is not in the right form: {_FORMS.get(field, 'check it against the example in the README')}"
    if kind == "string_too_short":
        return "must not be empty: write it in, or remove the line"
    if kind.startswith("date_") or kind.startswith("datetime_"):
        return f"{given!r} is not a date: write it as YYYY-MM-DD, such as 2026-09-01"
    if kind == "literal_error":
        expected = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return f"{given!r} is not one of the choices{did_you_mean(str(given), expected)}: use one of {', '.join(expected)}"
    if kind in ("int_parsing", "int_type", "float_parsing", "float_type", "int_from_float"):
        return f"{given!r} is not a number: write a number, such as 2"
    if kind in ("bool_parsing", "bool_type"):
        return f"{given!r} is not true or false: write true or false"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        bound = {"greater_than": "more than", "greater_than_equal": "at least", "less_than": "less than",
                 "less_than_equal": "at most"}[kind]
        limit = next(iter(ctx.values()), "")
        return f"{given!r} is out of range: it must be {bound} {limit}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "must be a set of 'key: value' lines indented under it, not a single value"
    if kind == "list_type":
        return "must be a list: one '- item' line per entry, or [a, b]"
    if kind in ("string_type",):
        return f"{given!r} must be text: put it in quotes"
    msg = str(err.get("msg", "invalid value"))
    return msg.removeprefix("Value error, ")


def _known_keys(model: Any, loc: list[Any]) -> list[str]:
    """The field names the model has at a place, for 'did you mean'."""
    current = model
    for part in loc[:-1]:
        if isinstance(part, int) or _is_tag(part):
            continue
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            return []
        annotation = field.annotation
        for arg in getattr(annotation, "__args__", ()) or (annotation,):
            inner = getattr(arg, "__args__", None)
            candidates = list(inner) if inner else [arg]
            found = next((c for c in candidates if hasattr(c, "model_fields")), None)
            if found is not None:
                current = found
                break
        else:
            if hasattr(annotation, "model_fields"):
                current = annotation
            else:
                return []
    return list(getattr(current, "model_fields", {}))


_TAG = re.compile(r"^[a-z]+(?:-[a-z]+)*\[.*\]$")


def _is_tag(part: Any) -> bool:
    """Whether a loc part is pydantic's name for a validator or union branch, e.g. "function-after[...]"."""
    return isinstance(part, str) and bool(_TAG.match(part))


def load_model(path: Path | str, model: type[M], display: str | None = None) -> tuple[M | None, YamlFile | None, list[Finding]]:
    """Read and validate one file; problems come back as findings, unreadable files as InputError."""
    try:
        doc = read_yaml(path, display)
    except YamlProblem as problem:
        return None, None, [problem.finding]
    instance, findings = validate(doc, model)
    return instance, doc, findings


_ID_LINE = re.compile(r"""^id:[ \t]*(?:"([^"\n]*)"|'([^'\n]*)'|([^\s#'"][^\s#]*))[ \t]*(?:#.*)?$""", re.M)


def declared_id(path: Path) -> str | None:
    """The top-level `id:` a block-style partnership file declares, found without parsing it (build reads every
    file's id before any is rendered); None when it is written some other way or the file cannot be read."""
    from protocolkit.files import TooLarge, read_bounded

    try:
        text = read_bounded(path, MAX_BYTES).decode("utf-8", "replace")
    except (InputError, TooLarge, OSError):
        return None
    match = _ID_LINE.search(text)
    return next(g for g in match.groups() if g is not None) if match else None
