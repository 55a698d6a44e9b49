"""Suppression comments, the five output formats, exit codes, and a light start when no .docx is read."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE = (ROOT / "tests" / "fixtures" / "check" / "partnership.yaml").read_text(encoding="utf-8")
STAFFS = ROOT / "tests" / "fixtures" / "staffordshire-protocol.docx"
TODAY = ("--today", "2027-06-01")


def write(tmp_path: Path, text: str, name: str = "p.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def rules_of(result) -> list[tuple[str, int]]:
    return [(f["rule"], f["line"]) for f in json.loads(result.stdout)["findings"]]


# -- suppression -------------------------------------------------------------------------


def test_suppression_on_the_line(run, tmp_path):
    text = BASE.replace("hours: 08:00 to 16:30 on school days",
                        "hours: TBC  # protocolkit: disable=placeholder -- agreed at the first meeting")
    result = run("check", str(write(tmp_path, text)), "--format", "json", *TODAY)
    assert result.exit_code == 0 and rules_of(result) == []


def test_suppression_on_the_line_above(run, tmp_path):
    text = BASE.replace("  hours: 08:00 to 16:30 on school days",
                        "  # protocolkit: disable=placeholder -- agreed at the first meeting\n  hours: TBC")
    result = run("check", str(write(tmp_path, text)), "--format", "json", *TODAY)
    assert result.exit_code == 0 and rules_of(result) == []


def test_suppression_only_silences_its_rule(run, tmp_path):
    text = BASE.replace("hours: 08:00 to 16:30 on school days", "hours: TBC  # protocolkit: disable=dated-reference")
    result = run("check", str(write(tmp_path, text)), "--format", "json", *TODAY)
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "hours: TBC" in l)
    assert result.exit_code == 1
    assert sorted(rules_of(result)) == [("placeholder", line), ("unused-suppression", line)]


def test_unknown_rule_in_suppression(run, tmp_path):
    text = BASE.replace("marking: OFFICIAL", "marking: OFFICIAL  # protocolkit: disable=no-such-rule")
    result = run("check", str(write(tmp_path, text)), "--format", "json", *TODAY)
    [f] = json.loads(result.stdout)["findings"]
    assert f["rule"] == "unused-suppression" and "no rule 'no-such-rule'" in f["message"]
    assert result.exit_code == 0  # a warning does not fail the build


def test_suppression_naming_no_rule(run, tmp_path):
    text = BASE.replace("marking: OFFICIAL", "marking: OFFICIAL  # protocolkit: disable= -- agreed")
    result = run("check", str(write(tmp_path, text)), "--format", "json", *TODAY)
    [f] = json.loads(result.stdout)["findings"]
    assert f["rule"] == "unused-suppression" and "names no rule" in f["message"]


def test_a_library_suppression_is_not_unused_when_only_a_partnership_is_checked(run, tmp_path):
    import shutil

    lib = tmp_path / "lib"
    shutil.copytree(ROOT / "clauses", lib)
    finance = lib / "finance.yaml"
    text = finance.read_text(encoding="utf-8")
    finance.write_text(text.replace("\ndescription: ", "\ndescription: (TBC)  # protocolkit: disable=placeholder -- draft\n"
                                    "# was: ", 1), encoding="utf-8")
    partnership = write(tmp_path, BASE)
    assert rules_of(run("check", str(lib), "--format", "json", *TODAY)) == []
    result = run("check", str(partnership), "--library", str(lib), "--format", "json", *TODAY)
    assert result.exit_code == 0 and rules_of(result) == []


# -- formats -----------------------------------------------------------------------------


def _two_files(tmp_path: Path) -> list[str]:
    bad = BASE.replace("hours: 08:00 to 16:30 on school days", "hours: TBC, 100% agreed\\nlater")
    return [str(write(tmp_path, bad, "a.yaml")), str(write(tmp_path, BASE.replace("dsl: {name: Priya Shah}", 'dsl: {name: " "}').replace(
        "id: northgate-high", "id: northgate-second", 1), "b.yaml"))]


def test_json_shape(run, tmp_path):
    result = run("check", *_two_files(tmp_path), "--format", "json", *TODAY)
    data = json.loads(result.stdout)
    assert set(data) == {"findings", "summary"}
    assert data["summary"] == {"error": 2, "warning": 0, "info": 0}
    for f in data["findings"]:
        assert set(f) == {"rule", "severity", "message", "path", "line", "column", "clause", "section", "key", "text",
                          "page"}


def test_text_grouped_by_file_and_plain_when_piped(run, tmp_path):
    files = _two_files(tmp_path)
    result = run("check", *files, *TODAY)
    out = result.stdout
    assert "\x1b[" not in out
    lines = out.splitlines()
    assert lines[0] == f"{files[0]} (1 error, 0 warnings, 0 info)"
    assert lines[1].startswith(f"  {files[0]}:") and ": error placeholder " in lines[1]
    assert lines[3] == f"{files[1]} (1 error, 0 warnings, 0 info)"
    assert lines[-1] == "2 errors, 0 warnings, 0 info in 2 files"


def test_text_coloured_on_a_terminal():
    from protocolkit.check.formats import text
    from protocolkit.findings import Finding

    out = text.render([Finding("placeholder", "error", "m", "a.yaml", 1, 2)], color=True)
    assert "\x1b[31merror\x1b[0m" in out


def test_github_escaped(run, tmp_path):
    result = run("check", *_two_files(tmp_path), "--format", "github", *TODAY)
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and all(l.startswith("::error file=") for l in lines)
    assert ",line=" in lines[0] and ",col=" in lines[0] and ",title=placeholder::" in lines[0]
    assert lines[0].endswith("::placeholder \u201cTBC\u201d left in the text: fill it in")


def test_github_escapes_percent_and_newlines():
    from protocolkit.check.formats import github
    from protocolkit.findings import Finding

    out = github.render([Finding("placeholder", "error", "50% done\nnext line", "a,b:c.yaml", 3, 4)])
    assert out == "::error file=a%2Cb%3Ac.yaml,line=3,col=4,title=placeholder::50%25 done%0Anext line"


def test_sarif(run, tmp_path):
    result = run("check", *_two_files(tmp_path), "--format", "sarif", *TODAY)
    sarif = json.loads(result.stdout)
    assert sarif["version"] == "2.1.0"
    run0 = sarif["runs"][0]
    ids = [r["id"] for r in run0["tool"]["driver"]["rules"]]
    assert "placeholder" in ids and "missing-section" in ids and "schema" in ids
    assert all(r["help"]["text"] for r in run0["tool"]["driver"]["rules"])
    for res in run0["results"]:
        assert ids[res["ruleIndex"]] == res["ruleId"]
        region = res["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        assert res["level"] == "error" and res["message"]["text"]


def test_sarif_docx_results_have_no_region(run):
    result = run("check", str(STAFFS), "--format", "sarif", *TODAY)
    results = json.loads(result.stdout)["runs"][0]["results"]
    assert results and all("region" not in r["locations"][0]["physicalLocation"] for r in results)
    assert any(r["locations"][0].get("logicalLocations") for r in results)


def test_junit_one_suite_per_file(run, tmp_path):
    result = run("check", *_two_files(tmp_path), "--format", "junit", *TODAY)
    root = ET.fromstring(result.stdout)
    suites = root.findall("testsuite")
    assert [s.get("name").rsplit("/", 1)[-1] for s in suites] == ["a.yaml", "b.yaml"]
    assert all(s.get("failures") == "1" for s in suites)
    assert root.find("testsuite/testcase/failure").get("type") == "placeholder"


def test_clean_run_says_what_it_checked_and_exits_0(run):
    result = run("check", "tests/fixtures/check/partnership.yaml", *TODAY)
    assert result.exit_code == 0 and result.stdout == "checked 1 input: no problems\n"
    quiet_json = run("check", "tests/fixtures/check/partnership.yaml", "--format", "json", *TODAY)
    assert json.loads(quiet_json.stdout)["findings"] == []


# -- start-up -----------------------------------------------------------------------------


def test_docx_stack_not_imported_for_yaml(tmp_path):
    code = ("import sys; from protocolkit.cli import app; "
            "from typer.testing import CliRunner; "
            "r = CliRunner().invoke(app, ['check', 'tests/fixtures/check/partnership.yaml', '--today', '2027-06-01']); "
            "assert r.exit_code == 0, r.output; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('docx', 'lxml', 'docxtpl')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_many_files_in_parallel_match_one_by_one(run, tmp_path):
    """Past PARALLEL_FROM files the check runs in worker processes; the findings are the same."""
    from protocolkit.check.engine import PARALLEL_FROM

    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(PARALLEL_FROM + 2):
        text = BASE.replace("id: northgate-high", f"id: school-{i:02d}", 1)
        if i == 7:
            text = text.replace("hours: 08:00 to 16:30 on school days", "hours: TBC")
        write(folder, text, f"school-{i:02d}.yaml")
    many = json.loads(run("check", str(folder), "--format", "json", *TODAY).stdout)["findings"]
    one = json.loads(run("check", str(folder / "school-07.yaml"), "--format", "json", *TODAY).stdout)["findings"]
    assert [f["rule"] for f in many] == ["placeholder"]
    assert many == one
