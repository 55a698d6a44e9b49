"""A register entry was last checked against its source more than twelve months ago.

Law and guidance move: Keeping Children Safe in Education changes every September, and Acts
are commenced in stages. Every citation and dated reference in citations.yaml records when it
was last checked (`checked:`) and against what (`source:`). An entry whose check is more than
twelve months before today (`--today` fixes today) may no longer state the law, so the library
cannot go stale silently. An entry with no `source:` says nothing of what was checked.

Passes:   checked: 2026-12-01   (checked with --today 2027-06-01)
Fails:    checked: 2025-09-01   (checked with --today 2026-12-01: fifteen months)
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from protocolkit.assemble import long_date
from protocolkit.check.rules._common import at
from protocolkit.check.subject import Subject
from protocolkit.findings import Finding
from protocolkit.library import CITATIONS_FILE
from protocolkit.model.partnership import add_months

ID = "register-stale"
NAME = "Register entry not checked for twelve months"
SEVERITY = "warning"
TARGETS = ("library",)


def check(subject: Subject) -> Iterator[Finding]:
    if subject.kind != "library":
        return
    yfile = next((f for f in subject.library.files if Path(f.path).name == CITATIONS_FILE), None)
    if yfile is None:
        return
    entries = [("citations", i, c.id, c.checked, c.source) for i, c in enumerate(subject.library.citations.values())]
    entries += [("dated", i, d.id, d.checked, d.source) for i, d in enumerate(subject.library.dated)]
    for listing, i, entry_id, checked, source in entries:
        if add_months(checked, 12) < subject.today:
            line, col = at(yfile, listing, i, "checked", key=False)
            yield Finding(ID, SEVERITY, f"{listing} entry {entry_id!r} was last checked on {long_date(checked)}, more "
                          f"than twelve months before {long_date(subject.today)}: check it against the current text of "
                          f"its source, then update 'checked:' and 'source:'", yfile.path, line, col)
        elif not source:
            line, col = at(yfile, listing, i, key=True)
            yield Finding(ID, SEVERITY, f"{listing} entry {entry_id!r} does not say what it was checked against: add "
                          f"'source:' (the text or edition checked, and its date)", yfile.path, line, col)
