"""One JSON object: findings and a summary by severity, as DESIGN.md specifies."""

from __future__ import annotations

import json
from collections import Counter

from protocolkit.findings import SEVERITIES, Finding


def render(findings: list[Finding], color: bool = False) -> str:
    counts = Counter(f.severity for f in findings)
    return json.dumps(
        {"findings": [f.to_json() for f in findings], "summary": {s: counts[s] for s in SEVERITIES}},
        indent=2, ensure_ascii=False,
    )
