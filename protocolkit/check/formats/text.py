"""Findings grouped by file, one a line with line:col, severity, rule and message; coloured on a terminal."""

from __future__ import annotations

from collections import Counter
from itertools import groupby

from protocolkit.findings import Finding

_COLORS = {"error": "\x1b[31m", "warning": "\x1b[33m", "info": "\x1b[36m"}
_BOLD, _DIM, _RESET = "\x1b[1m", "\x1b[2m", "\x1b[0m"


def render(findings: list[Finding], color: bool = False) -> str:
    def paint(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if color else text

    lines: list[str] = []
    for path, group in groupby(findings, key=lambda f: f.path):
        items = list(group)
        lines.append(paint(path or "(no file)", _BOLD))
        width = max(len(_place(f)) for f in items)
        for f in items:
            sev = paint(f"{f.severity:7}", _COLORS[f.severity])
            lines.append(f"  {paint(_place(f).ljust(width), _DIM)}  {sev}  {f.rule}  {f.message}")
        lines.append("")
    counts = Counter(f.severity for f in findings)
    if findings:
        lines.append(f"{counts['error']} error{'s' if counts['error'] != 1 else ''}, "
                     f"{counts['warning']} warning{'s' if counts['warning'] != 1 else ''}, {counts['info']} info "
                     f"in {len({f.path for f in findings})} file{'s' if len({f.path for f in findings}) != 1 else ''}")
    return "\n".join(lines)


def _place(f: Finding) -> str:
    return f"{f.line}:{f.column or 1}" if f.line is not None else "-"
