"""The rules, one module each. A module holds ID, NAME, SEVERITY, TARGETS, a docstring that
documents the rule (with a passing and a failing example) and `check(subject)`, which
yields findings.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterable

from protocolkit.check.subject import Subject
from protocolkit.findings import Finding, Severity


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    severity: Severity
    targets: tuple[str, ...]
    doc: str
    check: Callable[[Subject], Iterable[Finding]]


@lru_cache(maxsize=1)
def all_rules() -> dict[str, Rule]:
    """Every rule module in this package, by id."""
    rules: dict[str, Rule] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue  # shared helpers, not rules
        mod = importlib.import_module(f"{__name__}.{info.name}")
        rule = Rule(mod.ID, mod.NAME, mod.SEVERITY, tuple(mod.TARGETS), (mod.__doc__ or "").strip(), mod.check)
        rules[rule.id] = rule
    return rules
