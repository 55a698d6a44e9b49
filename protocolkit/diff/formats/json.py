"""The report as one JSON object in DESIGN.md's shape, for scripts and CI."""

from __future__ import annotations

import json

from protocolkit.diff.report import Report


def render(report: Report, color: bool = False) -> str:
    """{"added", "removed", "changed": [{"id", "before", "after"}], "moved", "sections_added", "sections_removed"}."""
    return json.dumps(report.diff.to_json(), indent=2, ensure_ascii=False)
