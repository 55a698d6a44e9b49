"""`protocolkit check` and `protocolkit rules`: inputs in, findings out in the chosen format."""

from __future__ import annotations

import importlib
import sys
from datetime import date
from pathlib import Path

from protocolkit.check.engine import check_paths, exit_code
from protocolkit.check.rules import all_rules
from protocolkit.findings import InputError


def check_command(paths: list[Path], fmt: str, profile: str | None, today: date, doc_kind: str | None,
                  library: Path | None) -> int:
    """Run the check and print the findings; returns the exit code."""
    findings = check_paths(paths, library, today)
    renderer = importlib.import_module(f"protocolkit.check.formats.{fmt}")
    out = renderer.render(findings, color=sys.stdout.isatty())
    if out:
        print(out)
    return exit_code(findings)


def rules_command(code: str | None) -> str:
    """The rule listing, or one rule's documentation."""
    rules = all_rules()
    if code is None:
        return "\n".join(f"{r.id:28} {r.severity:8} {r.name}" for r in rules.values())
    if code not in rules:
        raise InputError(f"no rule {code!r}; `protocolkit rules` lists them")
    r = rules[code]
    return f"{r.id} ({r.severity}): {r.name}\n\n{r.doc}"
