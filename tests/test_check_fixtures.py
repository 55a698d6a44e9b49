"""The checker on the two reference protocols, as a new user would run it: exactly what each lacks and cites.

The expected sets come from reading the reference texts (tests/fixtures/make_fixtures.py builds
the .docx files from them). Anything the checker reports beyond these is wrong, and so is
anything it misses.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"
WALTHAM = FIXTURES / "waltham-forest-protocol.docx"
STAFFS = FIXTURES / "staffordshire-protocol.docx"


def check(run, path: Path, *extra: str) -> tuple[int, list[dict]]:
    result = run("check", str(path), "--format", "json", "--today", "2026-11-22", *extra)
    return result.exit_code, json.loads(result.stdout)["findings"]


def dated(found: list[dict]) -> set[tuple[str, str]]:
    """(section id, dated words) for each dated reference found."""
    out = set()
    for f in found:
        if f["rule"] == "dated-reference":
            words = re.match(r"section [^:]*: \u201c(.*)\u201d is a dated reference", f["message"]).group(1)
            out |= {(f["section"], w) for w in words.split("\u201d, \u201c")}
    return out


def test_waltham_forest(run):
    code, found = check(run, WALTHAM)
    assert code == 1
    missing = {f["section"] for f in found if f["rule"] == "missing-section"}
    # It has an opening statement of purpose, aims, the SSPO's role, premises and hours, working
    # practices (incidents) and an exchange-of-information section, and, with no heading of their own,
    # searching (in the SSPO's and the staff's duties) and an annual review (under "Other issues").
    assert missing == {"line-management", "safeguarding", "finance", "training", "health-safety",
                       "risk", "programme", "communications", "signatures"}
    assert {(f["rule"], f["section"]) for f in found if f["rule"] == "legal-basis"} == {
        ("legal-basis", "exchange-of-information")}
    # The Department for Education and Skills became the DCSF in 2007 and the DfE in 2010.
    assert dated(found) == {("opening", "Department for Education and Skills")}
    others = sorted((f["rule"], f["severity"]) for f in found
                    if f["rule"] not in ("missing-section", "legal-basis", "dated-reference"))
    assert others == [("marking-missing", "warning"), ("review-date", "error")]


def test_staffordshire(run):
    code, found = check(run, STAFFS)
    assert code == 1
    missing = {f["section"] for f in found if f["rule"] == "missing-section"}
    # Searching (the SSPo's and staff's duties, a stop search form) and safeguarding (a child protection
    # policy, safeguarding meetings) are there without headings of their own.
    assert missing == {"communications", "signatures"}
    assert {f["section"] for f in found if f["rule"] == "legal-basis"} == {"management-of-information"}
    assert dated(found) == {
        ("partnership-aims-and-objectives", "Every Child Matters"),
        ("sspo-role-and-responsibilities", "Local Education Authority"),
        ("sspo-role-and-responsibilities", "Dept. for Children, Schools and Families"),
        ("sspo-role-and-responsibilities", "final warnings/reprimands"),
        ("finance", "ACPO"),
        ("training", "ASBO"),
        ("training", "ABC"),
        ("health-and-safety-duty-of-care", "Race Relations (amendment) Act"),
        ("health-and-safety-duty-of-care", "Commission for Racial Equality"),
        ("health-and-safety-duty-of-care", "disability Discrimination Act"),
        ("health-and-safety-duty-of-care", "Disability Discrimination Act"),
        ("health-and-safety-duty-of-care", "DDA"),
        ("health-and-safety-duty-of-care", "Disability Rights Commission"),
        ("health-and-safety-duty-of-care", "Equalities Act 2006"),
        ("health-and-safety-duty-of-care", "Equal Opportunities Commission"),
        ("health-and-safety-duty-of-care", "DCSF"),
        ("health-and-safety-duty-of-care", "Safeguarding Children and Safer Recruitment in Education"),
        ("sspo-programmes-of-activity", "Connexions"),
    }
    others = sorted((f["rule"], f["severity"]) for f in found
                    if f["rule"] not in ("missing-section", "legal-basis", "dated-reference"))
    assert others == [("marking-missing", "warning"), ("review-date", "error")]


def test_dated_messages_name_the_replacement(run):
    _, found = check(run, STAFFS)
    by_words = {re.search(r"[\u201d)]: \u201c(.*?)\u201d is a dated", f["message"]).group(1): f["message"]
                for f in found if f["rule"] == "dated-reference"}
    assert "National Police Chiefs' Council" in by_words["ACPO"] and "since 2015" in by_words["ACPO"]
    assert "Equality Act 2010" in by_words["Race Relations (amendment) Act"]
    assert "Keeping Children Safe in Education" in by_words["Safeguarding Children and Safer Recruitment in Education"]
    assert "youth caution" in by_words["final warnings/reprimands"]


def test_doc_option_overrides_the_title(run):
    """Read as a DSA, the Staffordshire protocol lacks the DSA's sections instead."""
    _, found = check(run, STAFFS, "--doc", "dsa")
    missing = {f["section"] for f in found if f["rule"] == "missing-section"}
    assert "special-category" in missing and "safeguarding" not in missing


def test_torn_docx_exits_2_with_one_line(run, tmp_path):
    torn = tmp_path / "torn.docx"
    torn.write_bytes(WALTHAM.read_bytes()[:5000])
    result = run("check", str(torn))
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "torn.docx" in lines[0] and "torn or truncated" in lines[0]


def test_not_a_docx_exits_2_with_one_line(run, tmp_path):
    fake = tmp_path / "notes.docx"
    fake.write_text("These are notes, not a Word file.", encoding="utf-8")
    result = run("check", str(fake))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "not a .docx" in lines[0]


def test_untitled_docx_without_doc_is_usage_error(run, tmp_path):
    from docx import Document as Docx

    d = Docx()
    d.add_paragraph("Notes from a meeting")
    path = tmp_path / "meeting.docx"
    d.save(path)
    result = run("check", str(path))
    assert result.exit_code == 2 and "--doc protocol" in result.stderr
    assert run("check", str(path), "--doc", "protocol").exit_code == 1
