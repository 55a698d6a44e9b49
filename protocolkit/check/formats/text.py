"""Findings grouped by file: a heading per file, then `path:line:col: severity rule message` lines that editors link.

Coloured on a terminal, plain when piped (the command decides).
"""

from __future__ import annotations

from collections import Counter
from itertools import groupby

from protocolkit.findings import Finding

_COLORS = {"error": "\x1b[31m", "warning": "\x1b[33m", "info": "\x1b[36m"}
_BOLD, _RESET = "\x1b[1m", "\x1b[0m"


def _counted(counts: Counter, files: int | None = None) -> str:
    def n(count: int, word: str) -> str:
        return f"{count} {word}{'s' if count != 1 and word != 'info' else ''}"

    text = f"{n(counts['error'], 'error')}, {n(counts['warning'], 'warning')}, {n(counts['info'], 'info')}"
    return text if files is None else f"{text} in {n(files, 'file')}"


def render(findings: list[Finding], color: bool = False) -> str:
    def paint(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if color else text

    lines: list[str] = []
    files = 0
    for path, group in groupby(findings, key=lambda f: f.path):
        items = list(group)
        files += 1
        lines.append(f"{paint(path or '(no file)', _BOLD)} ({_counted(Counter(f.severity for f in items))})")
        for f in items:
            lines.append(f"  {f.location()}: {paint(f.severity, _COLORS[f.severity])} {f.rule} {f.message}")
        lines.append("")
    if findings:
        lines.append(_counted(Counter(f.severity for f in findings), files))
    return "\n".join(lines)
