"""The checker's configuration, as ruff's: protocolkit.yaml or [tool.protocolkit.check] in pyproject.toml turns a
rule off, changes its severity, or ignores it for paths, on YAML and on documents alike; `protocolkit rules` shows
what is in force; a bad configuration is exit 2 with a fix."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TODAY = "2026-11-22"


@pytest.fixture
def project(tmp_path):
    (tmp_path / ".git").mkdir()  # a repository root bounds the search for configuration
    shutil.copy(FIXTURES / "staffordshire-protocol.docx", tmp_path / "current.docx")
    (tmp_path / "archive").mkdir()
    shutil.copy(FIXTURES / "waltham-forest-protocol.docx", tmp_path / "archive" / "old.docx")
    return tmp_path


def _found(run, path: Path) -> list[dict]:
    result = run("check", path, "--format", "json", "--today", TODAY)
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)["findings"]


def _rules_of(found: list[dict], name: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for f in found:
        if Path(f["path"]).name == name:
            out.setdefault(f["rule"], set()).add(f["severity"])
    return out


CONFIG_YAML = """check:
  disable: [marking-missing]
  severity: {review-date: warning}
  per-path-ignores:
    "archive/**": [dated-reference]
"""

CONFIG_TOML = """[project]
name = "force-protocols"

[tool.protocolkit.check]
disable = ["marking-missing"]
severity = {review-date = "warning"}
per-path-ignores = {"archive/**" = ["dated-reference"]}
"""


@pytest.mark.parametrize("name, text", [("protocolkit.yaml", CONFIG_YAML), ("pyproject.toml", CONFIG_TOML)])
def test_configuration_turns_off_changes_and_ignores_rules(run, project, name, text):
    before = _found(run, project)
    assert "marking-missing" in _rules_of(before, "current.docx")
    assert "dated-reference" in _rules_of(before, "old.docx")
    (project / name).write_text(text, encoding="utf-8")
    after = _found(run, project)
    current, old = _rules_of(after, "current.docx"), _rules_of(after, "old.docx")
    assert "marking-missing" not in current and "marking-missing" not in old
    assert current["review-date"] == {"warning"} and old["review-date"] == {"warning"}
    assert "dated-reference" in current and "dated-reference" not in old


def test_protocolkit_rules_shows_the_effective_configuration(run, project):
    (project / "protocolkit.yaml").write_text(CONFIG_YAML, encoding="utf-8")
    cwd = os.getcwd()
    os.chdir(project)
    try:
        out = run("rules").stdout
    finally:
        os.chdir(cwd)
    lines = {line.split()[0]: line for line in out.splitlines()[1:]}
    assert "protocolkit.yaml" in out.splitlines()[0]
    assert " off " in lines["marking-missing"] and "(default warning)" in lines["marking-missing"]
    assert " warning " in lines["review-date"] and "(default error)" in lines["review-date"]
    assert "ignored in archive/**" in lines["dated-reference"]


@pytest.mark.parametrize("text, words", [
    ("check:\n  disable: [marking-mising]\n", "did you mean 'marking-missing'"),
    ("check:\n  disable: [qqqq]\n", "no rule 'qqqq'; `protocolkit rules` lists them"),
    ("check:\n  severity:\n    review-date: warning\n    qqqq: info\n", "protocolkit.yaml:4:5: no rule 'qqqq'"),
    ("check:\n  per-path-ignores:\n    \"archive/**\": [review-date, qqqq]\n", "protocolkit.yaml:3:33: no rule"),
    ("check:\n  disable:\n    - review-date\n    - qqqq\n", "protocolkit.yaml:4:7: no rule"),
    ("check:\n  severity: {review-date: fatal}\n", "protocolkit.yaml:2:"),
    ("check:\n  disabled: [review-date]\n", "unknown key 'disabled'"),
])
def test_a_bad_configuration_is_exit_2_with_its_place_and_fix(run, project, text, words):
    (project / "protocolkit.yaml").write_text(text, encoding="utf-8")
    result = run("check", project)
    assert result.exit_code == 2 and words in result.stderr and result.stdout == ""


def test_configuration_cannot_turn_off_the_load_errors(run, project):
    (project / "protocolkit.yaml").write_text("check:\n  disable: [schema]\n", encoding="utf-8")
    result = run("check", project)
    assert result.exit_code == 2 and "cannot be turned off" in result.stderr


def test_an_empty_configuration_is_the_defaults_and_an_unrelated_pyproject_is_ignored(run, project):
    (project / "protocolkit.yaml").write_text("# nothing configured yet\n", encoding="utf-8")
    assert run("check", project, "--today", TODAY).exit_code == 1
    (project / "protocolkit.yaml").unlink()
    (project / "pyproject.toml").write_text("[project\nname = broken", encoding="utf-8")
    assert run("check", project, "--today", TODAY).exit_code == 1


def test_one_runs_configuration_does_not_leak_into_the_next(run, project, tmp_path_factory):
    from protocolkit.check.config import Config, CheckConfig
    from protocolkit.check.engine import check_paths
    from datetime import date

    lib = Path(__file__).resolve().parent.parent / "clauses"
    quiet = Config(check=CheckConfig(severity={"register-stale": "info"}))
    first = check_paths([lib], None, date(2028, 1, 1), config=quiet)
    second = check_paths([lib], None, date(2028, 1, 1), config=Config())
    assert {f.severity for f in first if f.rule == "register-stale"} == {"info"}
    assert {f.severity for f in second if f.rule == "register-stale"} == {"warning"}
