"""path:line:col: severity rule message, one a line, then a count."""

from __future__ import annotations

from collections import Counter

from protocolkit.findings import Finding


def render(findings: list[Finding], color: bool = False) -> str:
    colors = {"error": "\x1b[31m", "warning": "\x1b[33m", "info": "\x1b[36m"}
    lines = []
    for f in findings:
        sev = f"{colors[f.severity]}{f.severity}\x1b[0m" if color else f.severity
        lines.append(f"{f.location()}: {sev} {f.rule} {f.message}")
    counts = Counter(f.severity for f in findings)
    if findings:
        lines.append(f"{counts['error']} error(s), {counts['warning']} warning(s), {counts['info']} info")
    return "\n".join(lines)
