"""What `check` says of the file the form would write, each finding placed beside the input it concerns.

The form's values are merged into the file's data and written out as the YAML the form would save; that text is
checked by the checker itself (`check_paths`, the same rules, messages and configuration as `protocolkit check`),
and each finding goes to the input whose value stands at its line and column, or whose key its message names.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from protocolkit.findings import Finding
from protocolkit.load import CHARACTER_MESSAGES
from protocolkit.web.form import Merged, Values, merged, yaml_text


@dataclass
class Message:
    severity: str
    text: str
    rule: str = ""


@dataclass
class Checked:
    """The form's values checked: the text it would save, and what check says, by input."""

    text: str
    merged: Merged
    fields: dict[str, list[Message]] = field(default_factory=dict)
    general: list[tuple[Message, str]] = field(default_factory=list)  # (message, where)

    @property
    def errors(self) -> int:
        return sum(m.severity == "error" for ms in self.fields.values() for m in ms) + \
            sum(m.severity == "error" for m, _ in self.general)

    def as_json(self) -> dict[str, Any]:
        return {"fields": {name: [m.__dict__ for m in ms] for name, ms in self.fields.items()},
                "general": [dict(m.__dict__, where=where) for m, where in self.general],
                "errors": self.errors}


_DOTTED = re.compile(r"^([A-Za-z_][\w-]*(?:\.[\w.-]+)*|\(top level\)): (.*)$", re.S)
_ISO_DATE = re.compile(r"'(\d{4})-(\d{2})-(\d{2})'")


def form_words(message: str, typed: str = "") -> str:
    """check's message as it reads beside an input: the file's key is the input's label already, and the fix is to
    fill the input in rather than to add or remove a line (the rest is check's own words)."""
    text = message
    text = re.sub(r"required field is missing: add '[^']*:'", "this is needed: fill it in", text)
    text = text.replace("must not be empty: write it in, or remove the line", "must not be empty: fill it in")
    text = text.replace(" (in quotes)", "")
    text = re.sub(r"^List should have at least 1 item after validation, not 0$", "at least one is needed: add one", text)
    text = text.replace("write it as YYYY-MM-DD, such as 2026-09-01", "write it as day/month/year, such as 01/09/2026")
    text = text.replace("write a real date as YYYY-MM-DD, for example 2026-09-30",
                        "write a real date as day/month/year, for example 30/09/2026")
    if typed:
        text = _ISO_DATE.sub(f"'{typed.strip()}'", text, count=1)
    return text[:1].upper() + text[1:]


def _positions(text: str) -> list[tuple[int, int, tuple]]:
    """(line, column, data path) of every key and list item in the text, 1-based, in file order."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    from protocolkit.load import YamlProblem, parse_yaml

    try:
        data = parse_yaml(text, "form").data
    except YamlProblem:
        return []
    out: list[tuple[int, int, tuple]] = []
    stack: list[tuple[Any, tuple]] = [(data, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, CommentedMap):
            for key, value in node.items():
                pos = node.lc.data.get(key)
                if pos:
                    out.append((pos[0] + 1, pos[1] + 1, path + (key,)))
                stack.append((value, path + (key,)))
        elif isinstance(node, CommentedSeq):
            for i, value in enumerate(node):
                pos = node.lc.data.get(i)
                if pos:
                    out.append((pos[0] + 1, pos[1] + 1, path + (i,)))
                stack.append((value, path + (i,)))
    return sorted(out, key=lambda e: (e[0], e[1]))


def _name_for(path: tuple, names: dict[tuple, str]) -> str | None:
    """The input (or the list item) nearest a data path: the path itself, else the nearest part above it."""
    while path:
        if path in names:
            return names[path]
        path = path[:-1]
    return None


def _path_of(dotted: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in dotted.split("."))


def place(findings: list[Finding], text: str, shown_path: str, result: Checked) -> None:
    """Each finding beside its input; findings about other files, or about no input, in the general list."""
    names = result.merged.names
    positions = _positions(text)
    starts = [(line, col) for line, col, _ in positions]  # sorted: each finding finds its place by bisection
    for f in findings:
        message = f.message
        name = None
        if f.path == shown_path:
            m = _DOTTED.match(message)
            if m and m.group(1) != "(top level)":
                candidate = _path_of(m.group(1))
                name = names.get(candidate) or _name_for(candidate, names)
                if name is not None:
                    message = m.group(2)
            if name is None and f.line is not None:
                before = bisect.bisect_right(starts, (f.line, f.column or 1))
                if before:
                    name = _name_for(positions[before - 1][2], names)
        if name is None:
            where = f.location().replace(shown_path, "this partnership", 1) if f.path == shown_path else f.location()
            result.general.append((Message(f.severity, message, f.rule), where))
            continue
        result.fields.setdefault(name, []).append(Message(f.severity, form_words(message), f.rule))


def check_values(values: Values, base: Any, original: str | None, target: Path, library: Path | None,
                 today: date | None = None, schema_ref: str = "") -> Checked:
    """The form's values checked as the file they would make at `target` (which need not exist yet)."""
    from protocolkit.check.config import find_config
    from protocolkit.check.engine import check_paths
    from protocolkit.library import shown

    result_merge = merged(values, base)
    text = yaml_text(result_merge.data, original, schema_ref)
    result = Checked(text, result_merge)
    with tempfile.TemporaryDirectory(prefix="protocolkit-form-") as tmp:
        candidate = Path(tmp) / (target.name if target.suffix in (".yaml", ".yml") else "partnership.yaml")
        candidate.write_text(text, encoding="utf-8")
        config = dataclasses.replace(find_config(target), stand_ins={shown(candidate): target})
        findings = check_paths([candidate], library, today or date.today(), config=config)
        if any(p.startswith(CHARACTER_MESSAGES) for p in result_merge.problems.values()):
            # said beside each input it was typed into, below: the file's own message could only give its place
            # in the file the form writes, which the user never sees
            findings = [f for f in findings if not (f.rule == "yaml-syntax" and f.path == shown(candidate) and
                                                    f.message.startswith(CHARACTER_MESSAGES))]
        place(findings, text, shown(candidate), result)
    for name, problem in result_merge.problems.items():
        # in place of what check says of the value the form wrote: for a day that does not exist, the loader's
        # words rather than the model's for words that are no date
        result.fields[name] = [Message("error", form_words(problem, str(values.get(name, ""))), "schema")]
    return result
