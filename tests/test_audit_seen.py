"""Each failure the audit review saw on real documents, as a .docx a coordinator would have, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from docx import Document as Docx

TODAY = "2026-11-22"
FILLER = ("The partners set out here, in ordinary sentences, what they have agreed about this part of the "
          "partnership and how they will carry it out in practice at the school. ")


def _check(run, path: Path, *extra: str) -> tuple[int, list[dict]]:
    result = run("check", path, "--format", "json", "--today", TODAY, *extra)
    assert result.exit_code in (0, 1), result.stderr
    return result.exit_code, json.loads(result.stdout)["findings"]


def _doc(tmp_path: Path, title: str, parts: list[tuple[str, list[str]]], name: str = "doc.docx",
         table: list[list[str]] | None = None) -> Path:
    d = Docx()
    d.add_paragraph().add_run(title).bold = True
    if table:
        t = d.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, cell in enumerate(row):
                t.cell(r, c).text = cell
    for heading, paragraphs in parts:
        if heading:
            d.add_paragraph().add_run(heading).bold = True
        for p in paragraphs:
            d.add_paragraph(p)
    path = tmp_path / name
    d.save(path)
    return path


def _sections(found: list[dict], rule: str = "missing-section") -> set[str]:
    return {f["key"] for f in found if f["rule"] == rule}


def test_aims_as_a_plain_paragraph_are_not_a_missing_section(run, tmp_path):
    path = _doc(tmp_path, "Safer Schools Partnership Protocol", [
        ("1. Introduction", ["The Aims and Objectives of the Safer School Partnership are:",
                             "- to reduce crime and the fear of crime among pupils;",
                             "- to keep pupils safe and in education.", FILLER * 3]),
    ])
    _, found = _check(run, path)
    assert "aims" not in _sections(found)


def test_a_review_sentence_inside_other_issues_counts_as_the_review(run, tmp_path):
    path = _doc(tmp_path, "Safer Schools Partnership Protocol", [
        ("9. Other issues", ["A review of the partnership will take place at the end of each year.", FILLER]),
    ])
    _, found = _check(run, path)
    assert "review" not in _sections(found) and "review" not in _sections(found, "thin-section")


def test_searching_described_under_the_staffs_duties_is_not_missing(run, tmp_path):
    path = _doc(tmp_path, "Safer Schools Partnership Protocol", [
        ("5. School Staff Responsibilities", [
            "Staff may call upon the officer to assist in searching pupils.",
            "Where the officer searches a pupil, a record of the search will be made and parents told.", FILLER]),
    ])
    _, found = _check(run, path)
    assert "searching" not in _sections(found) | _sections(found, "thin-section")


def test_a_section_named_only_in_passing_is_a_warning_quoting_the_words(run, tmp_path):
    path = _doc(tmp_path, "Safer Schools Partnership Protocol", [
        ("3. Roles", ["Complaints about the officer go to the police.", FILLER]),
    ])
    _, found = _check(run, path)
    thin = [f for f in found if f["rule"] == "thin-section" and f["key"] == "communications"]
    assert thin and thin[0]["severity"] == "warning" and thin[0]["text"].lower().startswith("complaint")
    assert "communications" not in _sections(found)


def test_a_review_date_in_a_real_layout_is_read_and_reported_overdue(run, tmp_path):
    path = _doc(tmp_path, "Information Sharing Agreement", [("1. Purpose", [FILLER])],
                table=[["Date agreement review:", "1st April 2016"]])
    _, found = _check(run, path)
    review = [f for f in found if f["rule"] == "review-date"]
    assert len(review) == 1 and "1 April 2016" in review[0]["message"] and "no review date" not in review[0]["message"]


def test_a_dated_marking_in_a_table_is_one_finding_and_not_also_no_marking(run, tmp_path):
    path = _doc(tmp_path, "Information Sharing Agreement", [("1. Purpose", [FILLER])],
                table=[["Protective Marking", "Not Protectively Marked"]])
    _, found = _check(run, path)
    rules = [f["rule"] for f in found]
    assert rules.count("protective-marking") == 1 and "marking-missing" not in rules
    assert not [f for f in found if f["rule"] == "dated-reference" and f["key"] == "not-protectively-marked"]


def test_isa_meaning_information_sharing_agreement_is_not_the_independent_safeguarding_authority(run, tmp_path):
    path = _doc(tmp_path, "Information Sharing Agreement (ISA)", [
        ("1. Purpose", ["This ISA sets out how the parties share information.",
                        "The ISA is signed by each party's authorised signatory.", FILLER]),
    ])
    _, found = _check(run, path)
    assert not [f for f in found if f["rule"] == "dated-reference" and f["key"] == "isa"]


def test_a_contents_line_and_a_forms_question_raise_no_article_9_error(run, tmp_path):
    path = _doc(tmp_path, "Data Sharing Agreement", [
        ("", ["Contents", "1. Purpose 2", "2. Health and criminal offence information 4", "3. Request form 6"]),
        ("1. Purpose", [FILLER]),
        ("2. Request form", ["Does the request include health information? Yes / No", FILLER]),
    ])
    _, found = _check(run, path)
    assert not [f for f in found if f["rule"] == "legal-basis" and "Article 9" in f["message"]]


def test_one_dated_phrase_is_reported_once(run, tmp_path):
    path = _doc(tmp_path, "Safer Schools Partnership Protocol", [
        ("1. Purpose", ["Pupils who receive final warnings/reprimands are referred to the youth offending team.",
                        FILLER]),
    ])
    _, found = _check(run, path)
    dated = [f for f in found if f["rule"] == "dated-reference"]
    assert [f["text"] for f in dated] == ["final warnings/reprimands"]


def test_a_heading_ending_for_dv_incidents_is_not_the_breaches_section(run, tmp_path):
    path = _doc(tmp_path, "Data Sharing Agreement", [
        ("1. Purpose", [FILLER]),
        ("2. Notification procedure for DV incidents", [FILLER]),
    ])
    _, found = _check(run, path)
    assert "breaches" in _sections(found)


def test_a_fragment_says_so_once_and_its_missing_sections_say_it_may_be_incomplete(run, tmp_path):
    path = _doc(tmp_path, "Safer Schools Partnership Protocol", [("1. Purpose", [FILLER])])
    _, found = _check(run, path)
    assert [f["rule"] for f in found].count("fragment") == 1
    missing = [f for f in found if f["rule"] == "missing-section"]
    assert missing and all("may be incomplete" in f["message"] for f in missing)
