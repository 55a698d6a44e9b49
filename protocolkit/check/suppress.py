"""Inline suppression: `# protocolkit: disable=RULE[,RULE...] [-- why]` on a YAML line, or alone on the line above.

A suppression silences findings of the named rules on its line (or the next line, when the
comment stands alone); one that silences nothing is itself a finding, so stale ones get removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from protocolkit.findings import Finding

RULE = "unused-suppression"
_DIRECTIVE = re.compile(r"#\s*protocolkit:\s*disable\s*=\s*([A-Za-z0-9_,\s-]*?)\s*(?:(?:--|:|\bbecause\b).*)?$")


@dataclass
class Suppression:
    path: str
    line: int
    column: int
    targets: tuple[int, ...]
    rules: list[str]
    used: set[str] = field(default_factory=set)


def suppressions(path: str, text: str) -> list[Suppression]:
    """The suppression comments in one YAML file."""
    if "protocolkit:" not in text:
        return []
    return [Suppression(path, n, col, targets, list(rules)) for n, col, targets, rules in _directives(text)]


@lru_cache(maxsize=256)  # build's gate asks again for every library file with each partnership
def _directives(text: str) -> tuple[tuple[int, int, tuple[int, ...], tuple[str, ...]], ...]:
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        if "protocolkit:" not in line:
            continue
        m = _DIRECTIVE.search(line)
        if not m:
            continue
        rules = [r.strip() for r in m.group(1).split(",") if r.strip()]
        alone = not line[: m.start()].strip()
        targets = (n, n + 1) if alone else (n,)
        out.append((n, m.start() + 1, targets, tuple(rules)))
    return tuple(out)


def apply_suppressions(findings: list[Finding], texts: dict[str, str], checked: set[str]) -> list[Finding]:
    """The findings left once suppressions are applied, plus one finding for each suppression left unused in a checked file."""
    from protocolkit.check.codes import all_codes

    by_path: dict[str, list[Suppression]] = {}
    for path, text in texts.items():
        found = suppressions(path, text)
        if found:
            by_path[path] = found
    if not by_path:
        return findings
    kept = []
    for f in findings:
        silenced = False
        for s in by_path.get(f.path, []):
            if f.line in s.targets and f.rule in s.rules and f.rule != RULE:
                s.used.add(f.rule)
                silenced = True
                break
        if not silenced:
            kept.append(f)
    known = all_codes()
    for path, sups in by_path.items():
        if path not in checked:
            continue  # its rules did not run, so its suppressions had nothing to silence
        for s in sups:
            if not s.rules:
                kept.append(Finding(RULE, "warning", "disable= names no rule: name the rule to silence, or remove the comment",
                                    s.path, s.line, s.column))
            for rule in s.rules:
                if rule not in known:
                    kept.append(Finding(RULE, "warning", f"disable={rule}: there is no rule {rule!r}; "
                                        f"`protocolkit rules` lists them", s.path, s.line, s.column))
                elif rule not in s.used:
                    kept.append(Finding(RULE, "warning", f"disable={rule} silences nothing on this line: remove it",
                                        s.path, s.line, s.column))
    return kept
