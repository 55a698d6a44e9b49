"""Each rule on a file that passes and a file that fails, through the real CLI; and every code is documented."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from docx import Document as Docx

from protocolkit.library import load_library

ROOT = Path(__file__).resolve().parent.parent
# The tests' own partnership (not the shipped example, which the content may change): it passes every rule.
EXAMPLE = (ROOT / "tests" / "fixtures" / "check" / "partnership.yaml").read_text(encoding="utf-8")
TODAY = "2027-06-01"  # the example is in force from 1 September 2026: due 1 September 2027


def findings(run, *args: str) -> tuple[int, list[dict]]:
    result = run("check", *args, "--format", "json", "--today", TODAY)
    assert result.exit_code in (0, 1), result.stderr
    return result.exit_code, json.loads(result.stdout)["findings"]


def of(found: list[dict], rule: str) -> list[dict]:
    return [f for f in found if f["rule"] == rule]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


LOCAL = """clauses:
  local:
    - id: local.note
      title: A local note
      section: information-sharing
      text: |
        The partners agreed this note at their first meeting.
        {sentence}
"""


def with_local(sentence: str) -> str:
    return EXAMPLE + LOCAL.format(sentence=sentence)


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_shipped_examples_check_clean(run):
    # fixed to a day when every shipped example is in date, so the test does not age
    result = run("check", "examples/", "clauses/", "--today", "2026-11-22")
    assert result.exit_code == 0, result.stdout


# -- dated-reference ---------------------------------------------------------------------


def test_dated_reference(run, tmp_path):
    good = write(tmp_path, "good.yaml", with_local("Personal data is handled under the Data Protection Act 2018."))
    text = with_local("Personal data is handled under the Data Protection Act 1998.")
    bad = write(tmp_path, "bad.yaml", text)
    assert of(findings(run, str(good))[1], "dated-reference") == []
    code, found = findings(run, str(bad))
    [f] = of(found, "dated-reference")
    assert code == 1
    assert f["line"] == line_of(text, "Act 1998") and f["column"] == text.splitlines()[f["line"] - 1].index("Data Protection Act 1998") + 1
    assert "Data Protection Act 2018" in f["message"] and "since 2018" in f["message"]
    assert f["clause"] == "local.note"


def test_dated_reference_in_library_clause_text(run, tmp_path):
    lib = tmp_path / "lib"
    shutil.copytree(ROOT / "clauses", lib)
    handling = lib / "dsa-handling.yaml"
    text = handling.read_text(encoding="utf-8").replace("Data Protection Act 2018 for law", "Data Protection Act 1998 for law", 1)
    handling.write_text(text, encoding="utf-8")
    [f] = of(findings(run, str(lib))[1], "dated-reference")
    assert f["path"].endswith("dsa-handling.yaml") and f["line"] == line_of(text, "Data Protection Act 1998")


def test_dated_reference_in_history_is_not_flagged(run, tmp_path):
    text = EXAMPLE.replace("summary: First protocol", "summary: Replaced the Data Protection Act 1998 text; first protocol")
    path = write(tmp_path, "p.yaml", text)
    assert of(findings(run, str(path))[1], "dated-reference") == []


# -- legal-basis -------------------------------------------------------------------------


@pytest.mark.parametrize("bad_sentence", [
    "Section 115 Crime and Disorder Act 1998 enables the sharing of information between schools and police.",
    "The school's duty comes from section 11 of the Children Act 2004.",
    "The parties rely on Article 6(1)(f) legitimate interests.",
])
def test_legal_basis(run, tmp_path, bad_sentence):
    good = write(tmp_path, "good.yaml", with_local(
        "The police share with the school under UK GDPR Article 6(1)(e); s115 Crime and Disorder Act 1998 does not cover schools."))
    bad = write(tmp_path, "bad.yaml", with_local(bad_sentence))
    assert of(findings(run, str(good))[1], "legal-basis") == []
    [f] = of(findings(run, str(bad))[1], "legal-basis")
    assert f["line"] == line_of(bad.read_text(), bad_sentence[:20])


def test_dsa_without_article_9_condition(run, tmp_path):
    """A .docx DSA that shares health data and names no Article 9 condition fails; naming one passes."""
    def dsa(sentence: str) -> Path:
        d = Docx()
        d.add_paragraph("Data Sharing Agreement", style="Title")
        d.add_paragraph("1. Data shared", style="Heading 1")
        d.add_paragraph("The school shares health information about pupils at risk. " + sentence)
        d.add_paragraph("2. Review", style="Heading 1")
        d.add_paragraph("Review date: 1 September 2027")
        path = tmp_path / f"dsa{len(sentence)}.docx"
        d.save(path)
        return path

    good = dsa("It relies on UK GDPR Article 9(2)(g) and DPA 2018 Schedule 1 paragraph 18.")
    bad = dsa("")
    assert of(findings(run, str(good))[1], "legal-basis") == []
    [f] = of(findings(run, str(bad))[1], "legal-basis")
    assert "Article 9" in f["message"] and "health" in f["message"]


# -- review-date -------------------------------------------------------------------------


def test_review_date(run, tmp_path):
    path = write(tmp_path, "p.yaml", EXAMPLE)
    ok = run("check", str(path), "--format", "json", "--today", "2027-08-31")
    assert of(json.loads(ok.stdout)["findings"], "review-date") == []
    late = run("check", str(path), "--format", "json", "--today", "2027-09-02")
    [f] = of(json.loads(late.stdout)["findings"], "review-date")
    assert late.exit_code == 1
    assert "1 September 2027" in f["message"] and "1 day before" in f["message"]
    assert f["line"] == line_of(EXAMPLE, "in_force:")


# -- no-signatory, empty-role, placeholder -----------------------------------------------


def test_no_signatory(run, tmp_path):
    good = write(tmp_path, "good.yaml", EXAMPLE)
    bad = write(tmp_path, "bad.yaml", EXAMPLE.replace("  - {party: northgate, name: Dr Helen Carter, role: Head Teacher}\n", ""))
    assert of(findings(run, str(good))[1], "no-signatory") == []
    [f] = of(findings(run, str(bad))[1], "no-signatory")
    assert "Northgate High School" in f["message"] and f["line"] == line_of(EXAMPLE, "signatories:")


def test_empty_role(run, tmp_path):
    good = write(tmp_path, "good.yaml", EXAMPLE)
    bad = write(tmp_path, "bad.yaml", EXAMPLE.replace("dsl: {name: Priya Shah}", 'dsl: {name: " "}'))
    assert of(findings(run, str(good))[1], "empty-role") == []
    [f] = of(findings(run, str(bad))[1], "empty-role")
    assert "schools.0.dsl.name" in f["message"]


def test_placeholder(run, tmp_path):
    good = write(tmp_path, "good.yaml", EXAMPLE)
    text = EXAMPLE.replace("hours: 08:00 to 16:30 on school days", "hours: TBC")
    bad = write(tmp_path, "bad.yaml", text)
    assert of(findings(run, str(good))[1], "placeholder") == []
    [f] = of(findings(run, str(bad))[1], "placeholder")
    assert (f["line"], f["column"]) == (line_of(text, "hours: TBC"), text.splitlines()[line_of(text, "hours: TBC") - 1].index("TBC") + 1)


def test_each_placeholder_in_a_block_is_at_its_own_line(run, tmp_path):
    text = with_local("It is paid for by TBC.\n        The officer's hours are TBC.")
    [first, second] = of(findings(run, str(write(tmp_path, "bad.yaml", text)))[1], "placeholder")
    assert (first["line"], second["line"]) == (line_of(text, "paid for by TBC"), line_of(text, "hours are TBC"))


def test_placeholder_in_docx(run, tmp_path):
    d = Docx()
    d.add_paragraph("Safer Schools Partnership Protocol", style="Title")
    d.add_paragraph("Signatures", style="Heading 1")
    d.add_paragraph("Signed by [Name] on [Date].")
    path = tmp_path / "p.docx"
    d.save(path)
    found = of(findings(run, str(path))[1], "placeholder")
    assert sorted(re.search(r"placeholder \u201c(.*?)\u201d", f["message"]).group(1) for f in found) == ["[Date]", "[Name]"]
    assert all(f["section"] == "signatures" for f in found)


# -- protective-marking, marking-missing ------------------------------------------------


def _marked(tmp_path: Path, marking: str | None) -> Path:
    d = Docx()
    if marking:
        d.sections[0].header.paragraphs[0].text = marking
    d.add_paragraph("Safer Schools Partnership Protocol", style="Title")
    d.add_paragraph("Purpose", style="Heading 1")
    d.add_paragraph("Why the partners work together.")
    path = tmp_path / f"{marking or 'none'}.docx"
    d.save(path)
    return path


def test_protective_marking(run, tmp_path):
    assert of(findings(run, str(_marked(tmp_path, "OFFICIAL")))[1], "protective-marking") == []
    assert of(findings(run, str(_marked(tmp_path, "OFFICIAL")))[1], "marking-missing") == []
    [f] = of(findings(run, str(_marked(tmp_path, "RESTRICTED")))[1], "protective-marking")
    assert "OFFICIAL" in f["message"] and "RESTRICTED" in f["message"]
    [f] = of(findings(run, str(_marked(tmp_path, None)))[1], "marking-missing")
    assert f["severity"] == "warning"


# -- missing-section ---------------------------------------------------------------------


def test_missing_section_in_partnership(run, tmp_path):
    lib = load_library(ROOT / "clauses")
    purpose = [c.model.id for c in lib.clauses.values() if c.model.section == "purpose" and "protocol" in c.model.documents]
    good = write(tmp_path, "good.yaml", EXAMPLE)
    bad = write(tmp_path, "bad.yaml", EXAMPLE + "clauses:\n  exclude: [" + ", ".join(purpose) + "]\n")
    assert of(findings(run, str(good))[1], "missing-section") == []
    [f] = of(findings(run, str(bad))[1], "missing-section")
    assert f["section"] == "purpose" and "Purpose and parties" in f["message"]


def test_missing_section_with_own_profile(run, tmp_path):
    """--profile FILE: a force's own profile; heading words recognise a section however it is titled."""
    profile = write(tmp_path, "force.yaml", """name: force
title: A force's own profile
documents:
  protocol:
    - id: information-sharing
      title: Information sharing
      source: the force's information-sharing policy
      headings: [exchange of information, management of information, information sharing]
""")
    waltham = ROOT / "tests" / "fixtures" / "waltham-forest-protocol.docx"
    assert of(findings(run, str(waltham), "--profile", str(profile))[1], "missing-section") == []
    d = Docx()
    d.add_paragraph("Safer Schools Partnership Protocol", style="Title")
    d.add_paragraph("Purpose", style="Heading 1")
    d.add_paragraph("Why the partners work together.")
    bad = tmp_path / "bad.docx"
    d.save(bad)
    [f] = of(findings(run, str(bad), "--profile", str(profile))[1], "missing-section")
    assert f["section"] == "information-sharing"


def test_unknown_profile_is_usage_error(run):
    result = run("check", "examples/", "--profile", "atlantis")
    assert result.exit_code == 2 and "no such profile" in result.stderr and "england" in result.stderr


# -- deprecated-clause -------------------------------------------------------------------


DEPRECATED = """# yaml-language-server: $schema=../schemas/clauses.schema.json
topic: Retired clauses
clauses:
  - id: zz.old
    title: Old
    section: purpose
    text: An old clause.
    status: deprecated
    replaced_by: zz.older
  - id: zz.older
    title: Older
    section: purpose
    text: An older clause.
    status: deprecated
"""


def test_deprecated_clause(run, tmp_path):
    lib = tmp_path / "lib"
    shutil.copytree(ROOT / "clauses", lib)
    assert of(findings(run, str(lib))[1], "deprecated-clause") == []
    (lib / "zz-retired.yaml").write_text(DEPRECATED, encoding="utf-8")
    [f] = of(findings(run, str(lib))[1], "deprecated-clause")
    assert f["clause"] == "zz.old" and "deprecated too" in f["message"]
    partnership = write(tmp_path, "p.yaml", EXAMPLE + "clauses:\n  include: [zz.old]\n  overrides:\n    zz.older: {text: Changed.}\n")
    found = of(findings(run, str(partnership), "--library", str(lib))[1], "deprecated-clause")
    assert sorted(f["clause"] for f in found) == ["zz.old", "zz.older"]


def test_replaced_citation(run, tmp_path):
    local = ("clauses:\n  local:\n    - id: local.framework\n      title: Our framework\n      section: safeguarding\n"
             "      text: The partners follow the national guidance.\n      cites: [{cite}]\n")
    current = write(tmp_path, "current.yaml", EXAMPLE + local.format(cite="working-together-2026"))
    assert of(findings(run, str(current))[1], "replaced-citation") == []
    old = write(tmp_path, "old.yaml", EXAMPLE + local.format(cite="working-together-2023"))
    [f] = of(findings(run, str(old))[1], "replaced-citation")
    assert f["severity"] == "warning" and f["line"] == line_of(old.read_text(encoding="utf-8"), "cites: [working-together-2023]")
    assert "cite 'working-together-2026' instead" in f["message"] and "Working Together to Safeguard Children 2026" in f["message"]
    lib = tmp_path / "lib"
    shutil.copytree(ROOT / "clauses", lib)
    text = (lib / "training.yaml").read_text(encoding="utf-8")
    (lib / "training.yaml").write_text(text.replace("cites: [kcsie, working-together-2026]",
                                                    "cites: [kcsie, working-together-2023]", 1), encoding="utf-8")
    [f] = of(findings(run, str(lib))[1], "replaced-citation")
    assert f["clause"] and f["path"].endswith("training.yaml")
    register = (lib / "citations.yaml").read_text(encoding="utf-8")
    (lib / "citations.yaml").write_text(register.replace("replaced_by: working-together-2026",
                                                         "replaced_by: working-together-2099"), encoding="utf-8")
    code, found = findings(run, str(lib))
    assert code == 1 and any("'working-together-2099', which is not in the register" in f["message"] for f in found)
    [f] = of(found, "replaced-citation")  # at its own line; the rest of the register still loads
    assert f["severity"] == "error" and f["path"].endswith("citations.yaml")
    assert f["line"] == line_of((lib / "citations.yaml").read_text(encoding="utf-8"), "replaced_by: working-together-2099")
    assert of(found, "unknown-citation") == [] and of(found, "schema") == []


# -- every code is documented ------------------------------------------------------------


def test_every_code_a_user_can_see_is_documented(run):
    listing = run("rules").stdout
    listed = {line.split()[0] for line in listing.splitlines()[1:] if line.strip()}  # after the configuration line
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "protocolkit").rglob("*.py"))
    emitted = set(re.findall(r'Finding(?:\.at)?\(\s*(?:[a-z_.]+,\s*)?"([a-z][a-z0-9-]+)"', source))
    emitted |= set(re.findall(r'^ID = "([a-z0-9-]+)"', source, re.M))
    emitted |= {"schema"}
    emitted -= {"error", "warning", "info"}
    assert emitted <= listed, emitted - listed
    for code in listed:
        doc = run("rules", code)
        assert doc.exit_code == 0 and "Passes" in doc.stdout and "Fails" in doc.stdout, code


def test_rules_unknown_code(run):
    result = run("rules", "no-such-rule")
    assert result.exit_code == 2 and "protocolkit rules" in result.stderr
