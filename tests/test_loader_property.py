"""The loader is YAML: on generated documents it gives what ruamel.yaml's own round-trip loader gives.

Documents are generated as trees (block and flow mappings and sequences, anchors and aliases, merge keys,
complex keys, tags, directives, numbers, dates, booleans and nulls in their many spellings, plain, quoted,
literal and folded strings) and written out as YAML text. For each one, `parse_yaml` must give the same values,
types and positions as `YAML(typ="rt")`, or refuse for one of the few reasons protocolkit refuses on purpose
(a %YAML 1.1 directive, a collection used as a key, a control character or binary value no document can hold, a character that
libyaml counts as a line break and editors do not), and then only when the document really has that feature. Where ruamel refuses a document, so must the loader, with a place.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar

from protocolkit.load import YamlProblem, parse_yaml

from conftest import COUNTS

DOCUMENTS = 2000

# Scalars as written, in every form YAML gives a number, date, boolean or null, and some that only look like one.
NUMBERS = ["0", "7", "-3", "+12", "010", "007", "0o17", "0x1F", "0xff", "0b101", "1_000", "1.5", "-0.25", ".5",
           "1e3", "1.0e+3", "6.02E23", ".inf", "-.Inf", "+.INF", ".nan", ".NaN", "1:30", "190:20:30", "12e3"]
DATES = ["2026-09-30", "2026-9-3", "2026-02-29", "2026-09-31", "2026-13-01", "2026-09-30T10:00:00Z",
         "2026-09-30 10:00:00.5 +01:00", "2026-09-30t10:00:00-05:00", "9999-12-31"]
WORDS = ["true", "True", "TRUE", "false", "yes", "No", "on", "OFF", "y", "n", "null", "Null", "NULL", "~",
         "name", "Northgate High", "PC 1234", "a b", "x-y", "é", "北", "-", "a#b", "a:b"]
DOUBLE = ['"plain"', '"tab\\there"', '"\\x41\\u00e9"', '"line\\nbreak"', '"\\x01"', '"quote \\" in"', '""',
          '"2026-09-30"', '"010"', '"\\u200b"', '"\\U0001F600"']
SINGLE = ["'single'", "'it''s'", "''", "'123'", "'yes'", "'a: b'"]
TAGGED = ["!!str 123", "!!str yes", "!!int \"42\"", "!!int x", "!!float 1", "!!bool \"true\"", "!!null ''",
          "!custom value", "!!binary aGVsbG8=", "!e!thing x"]
KEYS = ["a", "b", "c", "id", "name", "01", "1", "true", "null", "2026-09-30", "'quoted'", '"dq"', "é"]


@dataclass
class Node:
    kind: str  # scalar, tagged, literal, folded, seq, map, alias, merge
    text: str = ""
    items: list = field(default_factory=list)  # children; for a map: (key, value) pairs
    flow: bool = False
    anchor: bool = False
    tag: str = ""


scalars = st.one_of(
    st.sampled_from(NUMBERS + DATES + WORDS + DOUBLE + SINGLE).map(lambda t: Node("scalar", t)),
    st.sampled_from(TAGGED).map(lambda t: Node("tagged", t)),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=0x2FFF, blacklist_characters="\"\\"), max_size=12)
    .map(lambda t: Node("scalar", '"' + t + '"')),
)
block_strings = st.builds(lambda kind, lines: Node(kind, "\n".join(lines)), st.sampled_from(["literal", "folded"]),
                          st.lists(st.sampled_from(["one", "two words", "", "  indented", "last"]), min_size=1,
                                   max_size=4))


def _collections(children):
    keys = st.one_of(st.sampled_from(KEYS).map(lambda t: Node("scalar", t)),
                     st.sampled_from(["[a, b]", "{a: 1}"]).map(lambda t: Node("complex", t)))
    entry = st.one_of(st.tuples(keys, children), st.just((Node("merge"), Node("alias"))))
    return st.one_of(
        st.builds(lambda items, flow, anchor, tag: Node("seq", items=items, flow=flow, anchor=anchor, tag=tag),
                  st.lists(children, max_size=4), st.booleans(), st.booleans(), st.sampled_from(["", "", "!!seq"])),
        st.builds(lambda items, flow, anchor, tag: Node("map", items=items, flow=flow, anchor=anchor, tag=tag),
                  st.lists(entry, max_size=5), st.booleans(), st.booleans(), st.sampled_from(["", "", "!!map"])),
    )


trees = st.recursive(st.one_of(scalars, block_strings, st.just(Node("alias"))), _collections, max_leaves=25)


class Writer:
    """Writes a tree as YAML text; an alias names an anchor already written, as YAML requires."""

    def __init__(self, choose):
        self.choose = choose  # picks among defined anchors (a hypothesis-drawn index)
        self.anchors: list[tuple[str, str]] = []  # (name, kind)
        self.count = 0

    def _alias(self, want_map: bool = False) -> str | None:
        pool = [a for a in self.anchors if a[1] == "map"] if want_map else self.anchors
        if not pool:
            return None
        return "*" + pool[self.choose(len(pool))][0]

    def _merge(self) -> list[str]:
        """A merge key naming a mapping already written, if there is one."""
        target = self._alias(want_map=True)
        return [f"<<: {target}"] if target else []

    def _props(self, node: Node) -> tuple[str, str | None]:
        name = None
        props = []
        if node.tag:
            props.append(node.tag)
        if node.anchor:
            self.count += 1
            name = f"n{self.count}"
            props.append("&" + name)
        return " ".join(props), name

    def flow(self, node: Node) -> str:
        if node.kind in ("scalar", "tagged"):
            return node.text
        if node.kind in ("literal", "folded"):
            return '"' + node.text.replace("\n", " ").replace("\\", "") + '"'
        if node.kind == "alias":
            return self._alias() or "aliased"
        props, name = self._props(node)
        if node.kind == "seq":
            body = "[" + ", ".join(self.flow(c) for c in node.items) + "]"
        else:
            parts = []
            for k, v in node.items:
                if k.kind == "merge":
                    parts += self._merge()
                    continue
                parts.append(f"{k.text}: {self.flow(v)}" if k.kind != "complex" else f"? {k.text} : {self.flow(v)}")
            body = "{" + ", ".join(parts) + "}"
        if name:
            self.anchors.append((name, node.kind))
        return f"{props} {body}".strip()

    def block(self, node: Node, indent: int) -> tuple[str, list[str]]:
        """What goes after 'key:' or '- ' on the same line, and the lines under it."""
        pad = " " * indent
        if node.kind in ("literal", "folded") and indent > 0:
            lines = [pad + line if line.strip() else "" for line in node.text.split("\n")]
            return ("|" if node.kind == "literal" else ">"), lines
        if node.kind not in ("seq", "map") or node.flow or not node.items:
            return self.flow(node), []
        props, name = self._props(node)
        lines: list[str] = []
        if node.kind == "seq":
            for child in node.items:
                head, under = self.block(child, indent + 2)
                lines.append(f"{pad}- {head}".rstrip())
                lines += under
        else:
            for k, v in node.items:
                if k.kind == "merge":
                    lines += [pad + m for m in self._merge()]
                    continue
                head, under = self.block(v, indent + 2)
                if k.kind == "complex":
                    lines.append(f"{pad}? {k.text}")
                    lines.append(f"{pad}: {head}".rstrip())
                else:
                    lines.append(f"{pad}{k.text}: {head}".rstrip())
                lines += under
        if name:
            self.anchors.append((name, node.kind))
        return props, lines


PRELUDES = ["", "", "", "---\n", "%YAML 1.2\n---\n", "%YAML 1.1\n---\n", "%TAG !e! tag:example.org,2026:\n---\n",
            "# a comment\n"]


@st.composite
def documents(draw) -> str:
    tree = draw(trees)
    writer = Writer(lambda n: draw(st.integers(0, n - 1)))
    head, lines = writer.block(tree, 0)
    body = "\n".join(([head] if head else []) + lines) if lines else head
    prelude = draw(st.sampled_from(PRELUDES))
    if "!e!" in body and "%TAG" not in prelude:
        prelude = "%TAG !e! tag:example.org,2026:\n---\n"
    return prelude + body + draw(st.sampled_from(["\n", "", "\n...\n", "\n# end\n"]))


def plain(value, seen=None):
    """A value as comparable data: types, order and tags kept; NaN made equal to itself."""
    seen = seen if seen is not None else {}
    if isinstance(value, (CommentedMap, CommentedSeq)):
        if id(value) in seen:
            return ("alias", seen[id(value)])
        seen[id(value)] = len(seen)
        if isinstance(value, CommentedMap):
            return ("map", tuple((plain(k, seen), plain(v, seen)) for k, v in value.items()))
        return ("seq", tuple(plain(v, seen) for v in value))
    if isinstance(value, TaggedScalar):
        if str(value.tag) == "tag:yaml.org,2002:str":  # ruamel keeps `!!str 123` tagged; its value is that string
            return ("str", value.value)
        return ("tagged", str(value.tag), value.value)
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    if isinstance(value, tuple):  # a complex key
        return ("tuple", tuple(plain(v, seen) for v in value))
    return (type(value).__name__, value)


def same_places(got, expected, lines: list[str], seen=None) -> None:
    """Every key and value is placed where ruamel places it. Two differences are libyaml's and allowed: a value that
    carries a tag or an anchor starts at that tag or anchor, where ruamel's Python parser starts it after them; and
    an empty value (`a:` and nothing) is placed just after its key, where ruamel places it at the next token."""
    seen = seen if seen is not None else set()
    if not isinstance(got, (CommentedMap, CommentedSeq)) or id(got) in seen:
        return
    seen.add(id(got))
    for k in expected.lc.data or {}:
        ours, theirs = list(got.lc.data[k]), list(expected.lc.data[k])
        if isinstance(got, CommentedMap):
            assert ours[:2] == theirs[:2], ("key", k, ours, theirs)
            ours, theirs = ours[2:], theirs[2:]
        value = got[k]
        if ours != theirs and value is None and not lines[ours[0]][ours[1]:].split("#")[0].strip():
            continue
        if ours != theirs:
            line, col = ours
            assert line == theirs[0] and col < theirs[1] and lines[line][col] in "!&", ("value", k, ours, theirs)
    children = zip(got.values(), expected.values()) if isinstance(got, CommentedMap) else zip(got, expected)
    for a, b in children:
        same_places(a, b, lines, seen)


def has(value, test) -> bool:
    stack, seen = [value], set()
    while stack:
        v = stack.pop()
        if test(v):
            return True
        if isinstance(v, (dict, list)) and id(v) not in seen:
            seen.add(id(v))
            stack.extend(list(v.keys()) + list(v.values()) if isinstance(v, dict) else v)
    return False


def reference(text: str, deep: bool = False):
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    yaml.constructor.deep_construct = deep
    return yaml.load(text)


@given(documents())
@settings(max_examples=DOCUMENTS, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_loader_reads_generated_yaml_as_ruamel_does(text):
    COUNTS["loader: generated YAML documents compared with ruamel's round-trip loader"] += 1
    try:
        expected = reference(text)
    except Exception:  # ruamel refuses it (syntax, duplicate key, undefined alias, a date that does not exist)
        try:
            parse_yaml(text, "g.yaml")
        except YamlProblem as problem:
            assert problem.finding.line is None or problem.finding.line >= 1
            return
        raise AssertionError(f"ruamel refuses this document, the loader accepted it:\n{text}")
    try:
        got = parse_yaml(text, "g.yaml").data
    except YamlProblem as problem:
        message = problem.finding.message
        if "YAML 1.1" in message:
            assert "%YAML 1.1" in text
        elif "used as a key" in message:
            assert has(expected, lambda v: isinstance(v, dict) and any(isinstance(k, (tuple, dict, list)) for k in v))
        elif "control character" in message:
            assert has(expected, lambda v: isinstance(v, str) and any(
                (ord(c) < 32 and c not in "\t\n\r") or 0x7F <= ord(c) <= 0x9F for c in v))
        elif "!!binary" in message:
            assert has(expected, lambda v: isinstance(v, bytes))
        elif "invisible character" in message:
            assert any(c in text for c in "\x85\u2028\u2029")
        else:
            raise AssertionError(f"the loader refused a document ruamel reads ({message}):\n{text}")
        return
    if "<<" in text and plain(got) != plain(expected):
        # ruamel builds a mapping in a sequence in two steps, and a merge key naming it in between merges it empty
        # (`- [&a {k: v}]` then `- {<<: *a}` gives {}); the loader builds it whole first, as ruamel does when told
        # to construct deep, which is what the merge key means
        expected = reference(text, deep=True)
    assert plain(got) == plain(expected), text
    same_places(got, expected, text.splitlines())
