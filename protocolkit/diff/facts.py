"""Two partnership files compared fact by fact, and the clauses each changed fact rewrote."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from protocolkit.assemble import assemble
from protocolkit.document import Document
from protocolkit.library import Library
from protocolkit.model import Partnership

# Lists of mappings are compared item by item under these keys, so that inserting a school
# does not make every later school look changed.
_ITEM_KEYS = ("id", "party")
_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_MISSING = object()

Step = tuple[str, Any]  # ("key", name) into a mapping, ("item", (field, value)) into a keyed list, ("index", n)


@dataclass
class FactChange:
    """One fact that differs: where it is, what it was and what it is (None when absent)."""

    steps: tuple[Step, ...]
    before: Any
    after: Any
    clauses: list[str] = field(default_factory=list)
    explained: bool = True

    @property
    def path(self) -> str:
        """Dotted path, e.g. schools.northgate.head_teacher.name; keys with dots are bracketed."""
        out = ""
        for kind, value in self.steps:
            name = str(value[1] if kind == "item" else value)
            if kind == "key" and not _PLAIN_KEY.match(name):
                out += f'["{name}"]'
            else:
                out += ("." if out else "") + name
        return out


def shown_value(value: Any) -> str:
    """A fact's value in a line of a report."""
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict):
        label = value.get("name") or value.get("id") or value.get("version")
        return str(label) if label else json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, list):
        return ", ".join(shown_value(v) for v in value) or "(none)"
    return str(value)


def fact_changes(old: Partnership, new: Partnership) -> list[FactChange]:
    """Every fact that differs between two partnerships, in the order of the file."""
    out: list[FactChange] = []
    _walk(old.model_dump(mode="json"), new.model_dump(mode="json"), (), out)
    return out


def _item_key(items: list[Any]) -> str | None:
    for key in _ITEM_KEYS:
        if items and all(isinstance(i, dict) and key in i for i in items):
            values = [i[key] for i in items]
            if len(set(values)) == len(values):
                return key
    return None


def _walk(a: Any, b: Any, steps: tuple[Step, ...], out: list[FactChange]) -> None:
    if a == b:
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for key in list(a) + [k for k in b if k not in a]:
            _walk(a.get(key), b.get(key), steps + (("key", key),), out)
        return
    if isinstance(a, list) and isinstance(b, list) and all(isinstance(i, dict) for i in a + b) and (a or b):
        key = _item_key(a) if a else None
        if key is not None and _item_key(b) in (key, None) and all(key in i for i in b):
            olds = {i[key]: i for i in a}
            news = {i[key]: i for i in b}
            for name in list(olds) + [n for n in news if n not in olds]:
                _walk(olds.get(name), news.get(name), steps + (("item", (key, name)),), out)
            return
        for n in range(max(len(a), len(b))):
            _walk(a[n] if n < len(a) else None, b[n] if n < len(b) else None, steps + (("index", n),), out)
        return
    out.append(FactChange(steps, a, b))


def _apply(data: Any, steps: tuple[Step, ...], value: Any) -> None:
    """Set (or, for None, remove) the fact at steps inside plain data, in place."""
    *head, (kind, last) = steps
    node = data
    for k, v in head:
        node = _child(node, k, v)
    if kind == "key":
        if value is None:
            node.pop(last, None)
        else:
            node[last] = value
    elif kind == "item":
        field_name, name = last
        at = next((i for i, item in enumerate(node) if item.get(field_name) == name), None)
        if value is None and at is not None:
            del node[at]
        elif at is None:
            node.append(value)
        else:
            node[at] = value
    else:
        if value is None:
            del node[last]
        elif last < len(node):
            node[last] = value
        else:
            node.append(value)


def _child(node: Any, kind: str, value: Any) -> Any:
    if kind == "key":
        return node[value]
    if kind == "item":
        field_name, name = value
        return next(item for item in node if item.get(field_name) == name)
    return node[value]


def attribute_clauses(changes: list[FactChange], old: Partnership, old_doc: Document, lib: Library, kind: str,
                      changed_ids: set[str]) -> None:
    """Fill each change's clauses: those that differ when only that one fact is changed in the old partnership."""
    base = old.model_dump(mode="json")
    before = {c.id: (c.title, c.text) for c in old_doc.clauses()}
    for change in changes:
        data = copy.deepcopy(base)
        try:
            _apply(data, change.steps, copy.deepcopy(change.after))
            variant = Partnership.model_validate(data)
        except (ValidationError, KeyError, IndexError, StopIteration, TypeError):
            # This fact cannot change alone (it is tied to another, as a lead school is to the schools).
            change.explained = False
            continue
        doc, _ = assemble(variant, lib, kind)
        after = {c.id: (c.title, c.text) for c in doc.clauses()}
        touched = {cid for cid in before.keys() | after.keys() if before.get(cid) != after.get(cid)}
        order = [c.id for c in doc.clauses()] + [c.id for c in old_doc.clauses() if c.id not in after]
        change.clauses = [cid for cid in order if cid in touched and cid in changed_ids]
