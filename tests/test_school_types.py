"""A school's legal status and provision: files from before 0.2 still build and are told what to write, partnerships
outside England are refused by name, and a library condition on the old single type says what replaced it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from protocolkit import condition

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = (ROOT / "tests" / "fixtures" / "check" / "partnership.yaml").read_text(encoding="utf-8")
TODAY = "2027-06-01"


def _write(tmp_path: Path, text: str, name: str = "p.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _check(run, path: Path) -> tuple[int, list[dict]]:
    result = run("check", path, "--format", "json", "--today", TODAY)
    assert result.exit_code in (0, 1), result.stderr
    return result.exit_code, json.loads(result.stdout)["findings"]


@pytest.mark.parametrize(("old", "fix"), [
    ("special", "'status: maintained' and 'provision: special'"),
    ("free-school", "'status: academy'"),
    ("pru", "'status: pupil-referral-unit' and 'provision: alternative'"),
    ("fe-college", "'status: further-education'"),
])
def test_a_file_written_before_0_2_builds_and_check_names_the_lines_to_write(tmp_path, run, old, fix):
    path = _write(tmp_path, EXAMPLE.replace("    status: academy\n", f"    type: {old}\n"))
    code, found = _check(run, path)
    assert code == 0, found
    warned = [f for f in found if f["rule"] == "school-type"]
    assert len(warned) == 1 and fix in warned[0]["message"], warned
    line = EXAMPLE.splitlines().index("    status: academy") + 1
    assert warned[0]["line"] == line and warned[0]["column"] == 5
    built = run("build", path, "--out", tmp_path / "out")
    assert built.exit_code == 0, built.stderr


def test_type_and_a_contradicting_status_is_an_error_that_says_which_to_keep(tmp_path, run):
    path = _write(tmp_path, EXAMPLE.replace("    status: academy\n", "    status: academy\n    type: pru\n"))
    code, found = _check(run, path)
    assert code == 1
    assert any("remove 'type:'" in f["message"] for f in found if f["rule"] == "schema"), found


def test_a_school_with_no_status_is_told_what_to_add(tmp_path, run):
    code, found = _check(run, _write(tmp_path, EXAMPLE.replace("    status: academy\n", "")))
    assert code == 1
    assert any("add 'status:'" in f["message"] for f in found), found


def test_a_pupil_referral_unit_cannot_be_mainstream(tmp_path, run):
    text = EXAMPLE.replace("    status: academy\n", "    status: pupil-referral-unit\n    provision: mainstream\n")
    code, found = _check(run, _write(tmp_path, text))
    assert code == 1 and any("provision: alternative" in f["message"] for f in found), found


@pytest.mark.parametrize(("field", "name", "country"), [
    ("force", "South Wales Police", "Wales"),
    ("force", "Heddlu Dyfed-Powys", "Wales"),
    ("force", "Police Scotland", "Scotland"),
    ("force", "Police Service of Northern Ireland", "Northern Ireland"),
    ("local_authority", "Cardiff Council", "Wales"),
    ("local_authority", "City and County of Swansea", "Wales"),
])
def test_a_partnership_outside_england_is_refused_naming_the_fact(tmp_path, run, field, name, country):
    if field == "force":
        text = EXAMPLE.replace("  name: Norfolk Constabulary", f"  name: {name}")
        assert text != EXAMPLE
    else:
        text = EXAMPLE.replace("schools:\n", f"local_authority: {{name: {name}}}\nschools:\n", 1)
    path = _write(tmp_path, text)
    code, found = _check(run, path)
    assert code == 1
    refused = [f for f in found if country in f["message"] and name in f["message"]]
    assert refused and refused[0]["message"].startswith(f"{field}.name:"), found
    built = run("build", path, "--out", tmp_path / "out")
    assert built.exit_code != 0 and not list((tmp_path / "out").rglob("*.docx"))


@pytest.mark.parametrize("name", ["Essex County Council", "Isle of Wight Council", "Newport Pagnell Town Council",
                                  "Norfolk Constabulary", "British Transport Police"])
def test_english_names_are_not_mistaken_for_welsh_ones(name):
    from protocolkit.model.partnership import outside_england

    assert outside_england(name, "force") == name


def test_a_library_condition_on_the_old_type_says_what_replaced_it():
    with pytest.raises(condition.ConditionError) as info:
        condition.parse("any school.type is academy")
    assert "school.status" in str(info.value) and "school.provision" in str(info.value)
