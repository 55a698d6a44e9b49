"""`protocolkit status`: every partnership with its review date, overdue ones first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from protocolkit.assemble import partnership_title
from protocolkit.stopping import checkpoint
from protocolkit.findings import Finding
from protocolkit.load import load_model
from protocolkit.model import Partnership
from protocolkit.project import discover, shown


@dataclass
class Row:
    id: str
    title: str
    version: str
    review_due: date
    days: int  # negative: overdue by that many days
    path: str


def status_rows(paths: list[Path], today: date) -> tuple[list[Row], list[Finding]]:
    """One row per readable partnership, most overdue first; unreadable ones come back as findings."""
    rows: list[Row] = []
    problems: list[Finding] = []
    for item in discover(paths, want_docx=False):
        checkpoint()
        if item.kind != "partnership":
            continue
        model, _, found = load_model(item.path, Partnership, shown(item.path))
        if model is None:
            problems += found
            continue
        due = model.review_due()
        rows.append(Row(model.id, partnership_title(model), model.version, due, (due - today).days, shown(item.path)))
    rows.sort(key=lambda r: (r.days, r.id))
    return rows, problems


def status_text(rows: list[Row]) -> str:
    """An aligned table: id, version, review due, how far off, title."""
    if not rows:
        return "no partnership files found"
    table = [("ID", "VERSION", "REVIEW DUE", "STATE", "TITLE")]
    for r in rows:
        if r.days < 0:
            state = f"OVERDUE by {-r.days} day{'s' if r.days != -1 else ''}"
        elif r.days == 0:
            state = "due today"
        else:
            state = f"due in {r.days} day{'s' if r.days != 1 else ''}"
        table.append((r.id, r.version, r.review_due.isoformat(), state, r.title))
    widths = [max(len(row[i]) for row in table) for i in range(4)]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:4])) + "  " + row[4] for row in table]
    overdue = sum(1 for r in rows if r.days < 0)
    lines.append(f"{len(rows)} partnership(s), {overdue} overdue")
    return "\n".join(line.rstrip() for line in lines)
