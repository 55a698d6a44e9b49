"""`protocolkit check` and `protocolkit rules`: inputs in, findings out in the chosen format."""

from __future__ import annotations

import importlib
import os
import sys
from datetime import date
from pathlib import Path

from protocolkit.check.engine import check_paths, exit_code
from protocolkit.findings import InputError, visible


def check_command(paths: list[Path], fmt: str, profile: str | None, today: date, doc_kind: str | None,
                  library: Path | None) -> int:
    """Run the check and print the findings; returns the exit code."""
    from protocolkit.library import library_note

    note = library_note(library, paths)
    if note:
        print(visible(note), file=sys.stderr)
    counted: list[int] = []
    findings = check_paths(paths, library, today, profile, doc_kind, counted=counted)
    renderer = importlib.import_module(f"protocolkit.check.formats.{fmt}")
    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
    out = renderer.render(findings, color=color)
    if fmt == "text" and not findings:
        n = counted[0] if counted else 0
        out = f"checked {n} {'input' if n == 1 else 'inputs'}: no problems"
    if out:
        sys.stdout.write(visible(out if out.endswith("\n") else out + "\n", colours=color))
    return exit_code(findings)


def rules_command(code: str | None) -> str:
    """The listing of every code a finding can carry with its effective severity here, or one code's documentation."""
    from protocolkit.check.codes import all_codes
    from protocolkit.check.config import find_config

    codes = all_codes()
    config = find_config()
    if code is None:
        width = max(len(c) for c in codes) + 2
        lines = [f"configuration: {config.source or 'none (the defaults)'}"]
        for r in codes.values():
            effective = config.severity_of(r.id, r.severity)
            state = "off" if effective is None else effective
            note = "" if effective == r.severity else f" (default {r.severity})"
            ignored = [glob for glob, rules in config.check.per_path_ignores.items() if r.id in rules]
            if ignored:
                note += f" (ignored in {', '.join(ignored)})"
            lines.append(f"{r.id:{width}}{state:9}{r.name}{note}")
        return "\n".join(lines)
    if code not in codes:
        raise InputError(f"no rule {code!r}; `protocolkit rules` lists them")
    r = codes[code]
    targets = ", ".join(r.targets)
    effective = config.severity_of(r.id, r.severity)
    here = "" if effective == r.severity else f"; here: {'off' if effective is None else effective} ({config.source})"
    return f"{r.id} ({r.severity}{here}): {r.name}\nChecks: {targets}\n\n{r.doc}"
