"""The review is overdue, or no review date is set.

Every protocol and DSA is reviewed at least every twelve months. For a partnership file the
due date is `review.next_due`, or the last review (or the date in force) plus the cycle; it is
overdue when it falls before today (`--today YYYY-MM-DD` fixes "today" for reproducible runs).
A .docx written elsewhere must state its review date ("Review date: 1 September 2026", in the
text, a table, the header or the footer).

Passes:   in_force: 2026-09-01   (checked with --today 2027-06-01: due 1 September 2027)
Fails:    in_force: 2024-09-01   (checked with --today 2026-01-10: due 1 September 2025, overdue)
Fails:    a .docx that says "a review will take place at the end of each year" and gives no date
"""

from __future__ import annotations

from typing import Iterator

from protocolkit.assemble import long_date
from protocolkit.check.rules._common import KIND_LABEL, at
from protocolkit.check.subject import Subject
from protocolkit.findings import Finding

ID = "review-date"
NAME = "Review overdue or no review date"
SEVERITY = "error"
TARGETS = ("partnership", "docx")


def _overdue(due, today) -> str:
    days = (today - due).days
    return f"the review was due on {long_date(due)}, {days} day{'s' if days != 1 else ''} before {long_date(today)}"


def check(subject: Subject) -> Iterator[Finding]:
    if subject.kind == "partnership" and subject.partnership is not None:
        p = subject.partnership
        due = p.review_due()
        if due < subject.today:
            if p.review.next_due:
                line, col = at(subject.yaml, "review", "next_due", key=False)
            elif p.review.last_reviewed:
                line, col = at(subject.yaml, "review", "last_reviewed", key=False)
            else:
                line, col = at(subject.yaml, "in_force", key=False)
            yield Finding(ID, SEVERITY, f"{_overdue(due, subject.today)}: review the partnership with its signatories, "
                          f"then set review.last_reviewed", subject.path, line, col)
        return
    for doc in subject.documents:
        due = doc.metadata.review_due
        if due is None:
            yield Finding(ID, SEVERITY, f"the {KIND_LABEL.get(doc.kind, doc.kind)} states no review date (looked for "
                          f"\u201cReview date: \u2026\u201d in the text, tables, header and footer): state when it will next "
                          f"be reviewed, at most twelve months on", subject.path)
        elif due < subject.today:
            yield Finding(ID, SEVERITY, f"{_overdue(due, subject.today)}: review it with its signatories and "
                          f"set a new review date", subject.path)
