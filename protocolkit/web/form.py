"""The partnership form's values and the partnership file's data, each made from the other.

`form_values` flattens a file's data into the form's inputs; `merged` applies what the form sent onto the file's
own round-trip data (ruamel.yaml's CommentedMap), changing only the values that differ, so that comments, key
order, quoting and layout stay as they were; `yaml_text` writes it out with the file's own indentation. A value
the form cannot turn into its type (a date that does not exist, a number with words in it) is kept as the words
typed, so that `check` says what is wrong with it and the form shows it again as it was typed.
"""

from __future__ import annotations

import copy
import io
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, Iterable, Mapping

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString

from protocolkit.load import character_problem
from protocolkit.web.fields import CHOICE_LISTS, CLAUSES_ORDER, GROUPS, TOP_ORDER, Field, Group

Values = dict[str, Any]  # input name -> str, or list[str] for checkbox lists
Path_ = tuple[Any, ...]  # a path in the data: keys and list indexes

MULTI = set(CHOICE_LISTS)


def is_multi(name: str) -> bool:
    """Whether an input name carries several values (checkbox lists)."""
    return name in MULTI or name.endswith(".documents")


def request_values(form: Any) -> Values:
    """The form's values from a request's form (a werkzeug MultiDict), every one as text."""
    out: Values = {}
    for name in form.keys():
        if name == "csrf_token" or name.startswith("-"):
            continue
        got = [str(v) for v in form.getlist(name)]
        out[name] = got if is_multi(name) else (got[-1] if got else "")
    return out


# -- reading the file's data into the form ------------------------------------------------------


def shown_date(value: Any) -> str:
    """A date as a school writes it: 01/09/2026."""
    return value.strftime("%d/%m/%Y") if isinstance(value, date) else ("" if value is None else str(value))


def shown_value(value: Any, f: Field) -> Any:
    if f.kind == "documents":
        return [str(v) for v in value] if isinstance(value, list) else list(f.default or [])
    if value is None:
        if f.kind == "bool":
            return "on" if f.default else ""
        return ""
    if f.kind == "date":
        return shown_date(value)
    if f.kind == "bool":
        return "on" if value is True else ""
    if f.kind == "lines":
        return "\n".join(str(v) for v in value) if isinstance(value, list) else str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        return ""  # a value of the wrong shape: the field starts empty and check says what the file holds
    return str(value)


def _at(data: Any, dotted: str) -> Any:
    node = data
    for part in dotted.split(".") if dotted else []:
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def _fill(values: Values, mapping: Any, prefix: str, group: Group) -> None:
    mapping = mapping if isinstance(mapping, dict) else {}
    for f in group.fields:
        values[_name(prefix, f.key)] = shown_value(mapping.get(f.key), f)
    for part in group.parts:
        _fill(values, mapping.get(part.key), _name(prefix, part.key), part)


def form_values(data: Any) -> Values:
    """Every input's value for a file's data (a new partnership's, or one read from a file)."""
    values: Values = {}
    data = data if isinstance(data, dict) else {}
    for group in GROUPS:
        node = _at(data, group.key)
        if group.list:
            for i, item in enumerate(node if isinstance(node, list) else []):
                values[f"{group.key}.{i}._from"] = str(i)
                _fill(values, item, f"{group.key}.{i}", group)
                if group.key == "schools" and isinstance(item, dict):
                    _legacy_type(values, item, f"{group.key}.{i}")
        elif group.mapping_key:
            for i, (key, item) in enumerate((node if isinstance(node, dict) else {}).items()):
                values[f"{group.key}.{i}._from"] = str(key)
                values[f"{group.key}.{i}._key"] = str(key)
                for f in group.fields:
                    if group.scalar:
                        values[f"{group.key}.{i}.{f.key}"] = shown_value(item, f) if f.key != "_key" else str(key)
                    elif f.key != "_key":
                        values[f"{group.key}.{i}.{f.key}"] = shown_value(item.get(f.key) if isinstance(item, dict)
                                                                         else None, f)
        else:
            _fill(values, node, group.key, group)
    for name in CHOICE_LISTS:
        node = _at(data, name)
        values[name] = [str(v) for v in node] if isinstance(node, list) else []
    return values


def _legacy_type(values: Values, school: Mapping[str, Any], prefix: str) -> None:
    """A school's `type:` from before version 0.2 shown as the status and provision it stands for."""
    from protocolkit.condition import LEGACY_SCHOOL_TYPES

    legacy = LEGACY_SCHOOL_TYPES.get(str(school.get("type")))
    if legacy and not school.get("status"):
        values[f"{prefix}.status"] = legacy[0]
        if not school.get("provision") and legacy[1] != "mainstream":
            values[f"{prefix}.provision"] = legacy[1]


def _name(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def item_indexes(values: Mapping[str, Any], prefix: str) -> list[int]:
    """The indexes of a list's items among the form's inputs, in order."""
    found: set[int] = set()
    pattern = re.compile(re.escape(prefix) + r"\.(\d{1,4})\.")
    for name in values:
        m = pattern.match(name)
        if m:
            found.add(int(m.group(1)))
    return sorted(found)


# -- applying the form onto the data ------------------------------------------------------------


_DMY = re.compile(r"^\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


def iso_of(text: str) -> str | None:
    """'31/09/2026' or '2026-9-31' as YYYY-MM-DD (whether or not that day exists), or None for other words."""
    m = _DMY.match(text)
    if m:
        day, month, year = m.groups()
        return f"{year}-{int(month):02d}-{int(day):02d}"
    m = _ISO.match(text)
    if m:
        year, month, day = m.groups()
        return f"{year}-{int(month):02d}-{int(day):02d}"
    return None


def date_problem(text: str) -> str | None:
    """What the loader says of a date typed in the form that has a date's shape but is not a day that exists
    (check's own message, from the same code); None for a real day, or words that are no date at all (the model
    says what is wrong with those)."""
    from protocolkit.load import YamlProblem, parse_yaml

    iso = iso_of(text)
    if iso is None:
        return None
    try:
        parse_yaml(f"date: {iso}\n", "form")
    except YamlProblem as problem:
        return problem.finding.message
    return None


def typed_value(f: Field, raw: Any) -> Any:
    """The value to write for what was typed, or None for nothing typed. Words that do not make the field's
    type are kept as words, for check to say what is wrong."""
    if f.kind in ("documents",):
        return [str(v) for v in raw] if isinstance(raw, list) else ([str(raw)] if raw else [])
    text = raw if isinstance(raw, str) else ("" if raw is None else str(raw))
    if f.kind == "bool":
        return text.lower() in ("on", "true", "yes", "1")
    if f.kind == "lines":
        lines = [line.strip() for line in text.replace("\r\n", "\n").split("\n")]
        return [line for line in lines if line] or None
    if f.kind == "long":
        body = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")).strip()
        if not body:
            return None
        return LiteralScalarString(body + "\n") if "\n" in body else body
    text = text.strip()
    if not text:
        return None
    if f.kind == "date":
        iso = iso_of(text)
        if iso is not None:
            try:
                return date.fromisoformat(iso)
            except ValueError:
                return text
        return text
    if f.kind == "number":
        if re.fullmatch(r"[+-]?\d{1,9}", text):
            return int(text)
        if re.fullmatch(r"[+-]?\d{0,9}\.\d{1,6}", text):
            value = float(text)
            return int(value) if value.is_integer() else value
        return text
    return text


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, bool) or isinstance(new, bool):
        return old is new
    if isinstance(new, list):
        return isinstance(old, list) and [str(v) for v in old] == [str(v) for v in new] and \
            all(isinstance(v, str) for v in old)
    if isinstance(new, date):
        return isinstance(old, date) and old == new
    if isinstance(new, (int, float)):
        return isinstance(old, (int, float)) and old == new
    return isinstance(old, str) and str(old) == str(new)


def put(mapping: CommentedMap, key: str, value: Any, order: Iterable[str]) -> None:
    """Set a key, in place when the mapping has it, else after the keys that come before it in `order`."""
    if key in mapping:
        mapping[key] = value
        return
    order = list(order)
    if key in order:
        before = set(order[:order.index(key)])
        at = 0
        for i, existing in enumerate(mapping):
            if existing in before:
                at = i + 1
        mapping.insert(at, key, value)
    else:
        mapping[key] = value


def _flow_list(items: list[str], like: Any) -> CommentedSeq:
    seq = CommentedSeq(items)
    flow = like.fa.flow_style() if isinstance(like, CommentedSeq) else sum(len(i) for i in items) < 80
    if flow:
        seq.fa.set_flow_style()
    return seq


@dataclass
class Merged:
    """The data the form makes, and where each input's value went (for placing check's findings)."""

    data: CommentedMap
    names: dict[Path_, str] = field(default_factory=dict)  # data path -> input name (or item prefix)
    # input name -> what is wrong with it that check cannot say beside it from the file the form writes: a day that
    # does not exist (the loader's message), a name left out or given twice (the file would keep only one value),
    # a character no document can hold (the file would not load at all)
    problems: dict[str, str] = field(default_factory=dict)


class _Merge:
    def __init__(self, values: Values, base: Any):
        self.values = values
        data = copy.deepcopy(base) if isinstance(base, CommentedMap) else CommentedMap()
        self.out = Merged(data)

    def control(self, name: str, raw: Any) -> None:
        """A character no document can hold, typed or pasted into an input (it does not show): said beside that
        input, where the file the form writes could only say where it is in that file."""
        # what the form saves is stripped first, and str.strip() removes a few of these characters at the ends
        problem = character_problem(raw.strip()) if isinstance(raw, str) else None
        if problem:
            self.out.problems.setdefault(name, problem + " (it does not show: it may have come with pasted text)")

    def field(self, mapping: CommentedMap, f: Field, name: str, path: Path_, order: list[str]) -> None:
        raw = self.values.get(name, [] if f.kind == "documents" else "")
        self.out.names[path + (f.key,)] = name
        self.control(name, raw)
        if f.key in mapping and raw == shown_value(mapping[f.key], f):
            # not changed in the form: the file's own value stays as it is written (version 1.10 is not rewritten as
            # 1.1, and a value the form cannot show, a list where words belong, is not deleted for check to miss)
            return
        value = typed_value(f, raw)
        if f.kind == "date" and isinstance(value, str):
            problem = date_problem(value)
            if problem:
                self.out.problems[name] = problem
        old = mapping.get(f.key)
        if f.kind == "bool":
            if f.key in mapping or value != f.default:
                if not _same(old, value):
                    put(mapping, f.key, value, order)
            return
        if f.kind == "documents" and value == list(f.default or []) and f.key not in mapping:
            return
        if value is None or value == []:
            # left empty: the key goes (for a needed one, check then says it is needed, beside its input)
            if f.key in mapping:
                del mapping[f.key]
            return
        if _same(old, value):
            return
        if isinstance(value, list):
            value = _flow_list(value, old)
        put(mapping, f.key, value, order)

    def group(self, mapping: CommentedMap, group: Group, prefix: str, path: Path_) -> None:
        order = [f.key for f in group.fields] + [p.key for p in group.parts]
        for f in group.fields:
            self.field(mapping, f, _name(prefix, f.key), path, order)
        for part in group.parts:
            name = _name(prefix, part.key)
            self.out.names[path + (part.key,)] = name
            typed = any(self._typed(part, name))
            existing = mapping.get(part.key)
            if part.optional and not typed:
                if part.key in mapping:
                    del mapping[part.key]
                continue
            if not isinstance(existing, CommentedMap):
                existing = CommentedMap()
                existing.fa.set_flow_style()  # a person on one line, as `protocolkit new` writes them
                put(mapping, part.key, existing, order)
            self.group(existing, part, name, path + (part.key,))

    def _typed(self, group: Group, prefix: str) -> Iterable[bool]:
        for f in group.fields:
            if f.kind == "bool":
                continue
            value = typed_value(f, self.values.get(_name(prefix, f.key), ""))
            yield value not in (None, [])
        for part in group.parts:
            yield any(self._typed(part, _name(prefix, part.key)))

    def container(self, dotted: str, make: Any) -> tuple[CommentedMap, str]:
        """The mapping that holds the last key of `dotted`, made when missing; and that key."""
        parts = dotted.split(".")
        node = self.out.data
        for i, part in enumerate(parts[:-1]):
            child = node.get(part)
            if not isinstance(child, CommentedMap):
                child = CommentedMap()
                put(node, part, child, TOP_ORDER if i == 0 else CLAUSES_ORDER)
            node = child
        return node, parts[-1]

    def order_for(self, dotted: str) -> tuple[str, ...]:
        return TOP_ORDER if "." not in dotted else CLAUSES_ORDER

    def list_group(self, group: Group) -> None:
        holder, key = self.container(group.key, CommentedMap)
        self.out.names[tuple(group.key.split("."))] = group.key
        old = holder.get(key)
        seq = old if isinstance(old, CommentedSeq) else None
        items: list[Any] = []
        for j in item_indexes(self.values, group.key):
            prefix = f"{group.key}.{j}"
            origin = str(self.values.get(f"{prefix}._from", ""))
            base = seq[int(origin)] if seq is not None and origin.isdigit() and int(origin) < len(seq) else None
            item = base if isinstance(base, CommentedMap) else CommentedMap()
            path = tuple(group.key.split(".")) + (len(items),)
            self.out.names[path] = prefix
            self.group(item, group, prefix, path)
            if group.key == "schools" and "type" in item and item.get("status"):
                # a school written before version 0.2: the form shows its `type:` as status and provision, and
                # saves those instead, as check's school-type warning asks
                del item["type"]
            items.append(item)
        if seq is not None:
            kept = {id(i) for i in items}
            for i in range(len(seq) - 1, -1, -1):
                if id(seq[i]) not in kept:
                    del seq[i]
            have = {id(i) for i in seq}
            for item in items:
                if id(item) not in have:
                    seq.append(item)
            return
        if items or group.key in ("schools", "officers", "signatories"):
            put(holder, key, CommentedSeq(items), self.order_for(group.key))

    def mapping_group(self, group: Group) -> None:
        holder, key = self.container(group.key, CommentedMap)
        old = holder.get(key)
        mapping = old if isinstance(old, CommentedMap) else CommentedMap()
        new: list[tuple[str, Any]] = []
        given: set[str] = set()
        label = next(f.label for f in group.fields if f.key == group.mapping_key).lower()
        for j in item_indexes(self.values, group.key):
            prefix = f"{group.key}.{j}"
            name = str(self.values.get(f"{prefix}._key", "")).strip()
            origin = str(self.values.get(f"{prefix}._from", ""))
            fields = [f for f in group.fields if f.key != "_key"]
            self.control(f"{prefix}._key", name)
            if not name and not any(self._typed(group, prefix)):
                continue
            if not name:
                # a value with no name could only be saved under an empty key, which a second one would replace
                self.out.problems.setdefault(f"{prefix}._key", "this is needed: fill it in")
                continue
            if name in given:
                # a mapping holds one value for each name: saving would silently keep only one of the two
                self.out.problems.setdefault(f"{prefix}._key", f"{name!r} is already given above: a second {group.item} "
                                             f"for it would replace the first when saved; change this {label}, "
                                             f"or remove one of the two")
                continue
            given.add(name)
            path = tuple(group.key.split(".")) + (name,)
            self.out.names[path] = f"{prefix}._key"
            if group.scalar:
                value = str(self.values.get(f"{prefix}.value", "")).strip()
                self.out.names[path] = f"{prefix}.value"
                self.control(f"{prefix}.value", value)
                before = mapping.get(origin)
                new.append((name, before if _same(before, value) else value))
                continue
            base = mapping.get(origin)
            item = base if isinstance(base, CommentedMap) else CommentedMap()
            order = [f.key for f in fields]
            for f in fields:
                self.field(item, f, f"{prefix}.{f.key}", path, order)
            new.append((name, item))
        if not new:
            if key in holder:
                del holder[key]
            return
        names = {n for n, _ in new}
        for existing in list(mapping):
            if existing not in names:
                del mapping[existing]
        for n, v in new:
            if n in mapping:
                if mapping[n] is not v:
                    mapping[n] = v
            else:
                mapping[n] = v
        if old is not mapping:
            put(holder, key, mapping, self.order_for(group.key))

    def choice_list(self, dotted: str) -> None:
        holder, key = self.container(dotted, CommentedMap)
        chosen = self.values.get(dotted) or []
        chosen = [chosen] if isinstance(chosen, str) else [str(c).strip() for c in chosen if str(c).strip()]
        chosen = list(dict.fromkeys(chosen))
        old = holder.get(key)
        if not chosen:
            if key in holder:
                del holder[key]
            return
        if _same(old, chosen):
            return
        if isinstance(old, CommentedSeq):  # keep the file's order for what stays, then what was ticked
            kept = [str(c) for c in old if str(c) in chosen]
            chosen = kept + [c for c in chosen if c not in kept]
        put(holder, key, _flow_list(chosen, old), CLAUSES_ORDER)

    def run(self) -> Merged:
        for group in GROUPS:
            if group.list:
                self.list_group(group)
            elif group.mapping_key:
                self.mapping_group(group)
            elif not group.key:
                self.group(self.out.data, group, "", ())
            else:
                holder, key = self.container(group.key, CommentedMap)
                self.out.names[tuple(group.key.split("."))] = group.key
                if group.optional and not any(self._typed(group, group.key)):
                    if key in holder:
                        del holder[key]
                    continue
                mapping = holder.get(key)
                if not isinstance(mapping, CommentedMap):
                    mapping = CommentedMap()
                    put(holder, key, mapping, TOP_ORDER)
                self.group(mapping, group, group.key, (group.key,))
        for dotted in CHOICE_LISTS:
            self.choice_list(dotted)
        clauses = self.out.data.get("clauses")
        if isinstance(clauses, CommentedMap) and not clauses:
            del self.out.data["clauses"]
        return self.out


def merged(values: Values, base: Any) -> Merged:
    """The data the form's values make, applied onto a copy of `base` (the file's round-trip data, or None)."""
    return _Merge(values, base).run()


# -- writing ------------------------------------------------------------------------------------


def round_trip_yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a line the file did not fold
    return yaml


def load_round_trip(text: str) -> Any:
    """The file's data for editing, with its comments, order and quoting (ruamel.yaml's round-trip mode)."""
    return round_trip_yaml().load(text)


@lru_cache(maxsize=64)
def _indent(original: str) -> tuple[int, int]:
    """The sequence indent and dash offset a file is written with (ruamel.yaml's guess, which parses the whole file:
    kept, as the form asks again for the same text at every answer)."""
    from ruamel.yaml.util import load_yaml_guess_indent

    _, guessed, block = load_yaml_guess_indent(original)
    return (guessed, block) if guessed is not None and block is not None else (4, 2)


def yaml_text(data: CommentedMap, original: str | None, schema_ref: str = "") -> str:
    """The data as YAML, indented as the original was (as `protocolkit new` writes, for a new file)."""
    yaml = round_trip_yaml()
    sequence, offset = _indent(original) if original else (4, 2)
    yaml.indent(mapping=2, sequence=sequence, offset=offset)
    out = io.StringIO()
    yaml.dump(data, out)
    text = out.getvalue()
    if original is None and schema_ref:
        text = f"# yaml-language-server: $schema={schema_ref}\n" + text
    if original is not None and "\r\n" in original:
        text = text.replace("\n", "\r\n")
    return text
