"""A signed document would now be assembled differently: the signatories must sign it again.

`protocolkit signed` records, in the partnership's history, the day a version was signed and the fingerprint
(SHA-256 of the assembled text, printed in the document-control table) of each document as signed. When the
protocol or data-sharing agreement the partnership file and the clause library give today has another
fingerprint, what the parties signed is no longer what protocolkit would issue: a clause's wording, a new
statutory duty or the partnership's own facts changed. `protocolkit review` shows what changed.

Passes:   history: [{version: "1.0", ..., signed: {on: 2026-07-20, protocol: <the fingerprint it builds to>}}]
Fails:    the same after the head teacher's name is changed in the file, or a clause it uses is reworded
"""

from __future__ import annotations

from typing import Iterator

from protocolkit.assemble import long_date
from protocolkit.check.rules._common import KIND_LABEL, at
from protocolkit.check.subject import Subject
from protocolkit.findings import Finding

ID = "changed-since-signed"
NAME = "Signed document changed since it was signed"
SEVERITY = "warning"
TARGETS = ("partnership",)


def last_signed(partnership):
    """(index, history entry) of the last version recorded as signed, or (None, None)."""
    for i in range(len(partnership.history) - 1, -1, -1):
        if partnership.history[i].signed is not None:
            return i, partnership.history[i]
    return None, None


def check(subject: Subject) -> Iterator[Finding]:
    p = subject.partnership
    if p is None:
        return
    index, entry = last_signed(p)
    if entry is None:
        return
    signed = entry.signed
    for doc in subject.documents:
        recorded = getattr(signed, doc.kind, "")
        if not recorded:
            continue
        now = doc.fingerprint()
        if now != recorded:
            line, col = at(subject.yaml, "history", index, "signed", doc.kind, key=False)
            yield Finding(ID, SEVERITY, f"the {KIND_LABEL.get(doc.kind, doc.kind)} would now be assembled differently "
                          f"from version {entry.version} as signed on {long_date(signed.on)} (fingerprint "
                          f"{now[:12]}\u2026, signed {recorded[:12]}\u2026): the signatories must sign it again; "
                          f"`protocolkit review` shows what changed, and `protocolkit signed` records the new "
                          f"signature", subject.path, line, col)
