"""`status`, `new` and `init` through the real CLI."""

from __future__ import annotations

import os
import re

from typer.testing import CliRunner

from conftest import FIXTURES
from protocolkit.cli import app
from protocolkit.load import read_yaml
from protocolkit.model import Partnership


def _example_with(id_: str, in_force: str) -> str:
    text = (FIXTURES / "spine" / "partnership.yaml").read_text()
    text = re.sub(r"(?m)^id: .*$", f"id: {id_}", text)
    text = re.sub(r"(?m)^in_force: .*$", f"in_force: {in_force}", text)
    return re.sub(r"(?m)^review:\n(  .*\n)*", "", text)


def test_status_lists_overdue_first(tmp_path, run):
    (tmp_path / "late.yaml").write_text(_example_with("late-one", "2024-01-10"))
    (tmp_path / "ok.yaml").write_text(_example_with("northgate-high", "2026-09-01"))
    result = run("status", tmp_path, "--today", "2026-11-22")
    assert result.exit_code == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[1].startswith("late-one") and "OVERDUE by 681 days" in lines[1] and "2025-01-10" in lines[1]
    assert lines[2].startswith("northgate-high") and "due in 283 days" in lines[2]
    assert lines[-1] == "2 partnership(s), 1 overdue"


def test_status_reports_unreadable_files_and_exits_1(tmp_path, run):
    (tmp_path / "bad.yaml").write_text("id: bad\nversion: '1'\nschools: []\n")
    result = run("status", tmp_path)
    assert result.exit_code == 1
    assert "bad.yaml:" in result.stderr


ANSWERS = [
    "pcso", "shared", "2", "2.5",
    "St Mary & St John's <C of E> Primary", "", "primary", "maintained", "", "Ann Lee", "Bo Kim", "Deputy Head", "Cy Tan",
    "Riverside Academy", "12345", "123456", "secondary", "academy", "special", "River Trust", "Di Roe", "Ed Poe", "", "Fay Ng",
    "South Wales Police", "Kent Police", "Gil Hart", "Hal Iqbal", "", "Insp Jo Ko", "", "2026-09-01",
    "stmary-riverside",
]


def test_new_writes_a_valid_partnership_that_checks_clean(tmp_path):
    out = tmp_path / "partnerships" / "new.yaml"
    result = CliRunner().invoke(app, ["new", "--out", str(out)], input="\n".join(ANSWERS) + "\n")
    assert result.exit_code == 0, result.stdout + result.stderr
    model = Partnership.model_validate(read_yaml(out).data)
    assert model.id == "stmary-riverside"
    assert model.deployment.officer == "pcso" and model.deployment.days_per_week == 2.5
    assert [s.name for s in model.schools] == ["St Mary & St John's <C of E> Primary", "Riverside Academy"]
    assert [(s.status, s.provision) for s in model.schools] == [("maintained", "mainstream"), ("academy", "special")]
    # a five-digit URN and a Welsh force were asked again as they were typed, not refused at the end
    assert model.schools[1].urn == "123456" and model.force.name == "Kent Police"
    assert "a URN is six digits" in result.stderr and "Wales" in result.stderr
    assert {s.party for s in model.signatories} == {"force"} | {s.id for s in model.schools}
    check = CliRunner().invoke(app, ["check", str(out)])
    assert check.exit_code == 0, check.stdout


def test_new_asks_again_after_a_bad_answer(tmp_path):
    answers = ["constable", *ANSWERS]
    result = CliRunner().invoke(app, ["new"], input="\n".join(answers) + "\n")
    assert result.exit_code == 0
    assert "choose one of: police-officer, pcso" in result.stderr
    assert "officer: pcso" in result.stdout


def test_new_stopped_early_keeps_its_answers_and_carries_on_next_time(tmp_path):
    out = tmp_path / "x.yaml"
    stopped = CliRunner().invoke(app, ["new", "--out", str(out)], input="\n".join(ANSWERS[:7]) + "\n")
    assert stopped.exit_code == 2 and not out.exists()
    assert "7 answers are kept in" in stopped.stderr and "run the same command again" in stopped.stderr
    draft = tmp_path / ".x.yaml.draft.json"
    assert draft.is_file()
    resumed = CliRunner().invoke(app, ["new", "--out", str(out)], input="y\n" + "\n".join(ANSWERS[7:]) + "\n")
    assert resumed.exit_code == 0, resumed.stderr
    assert "(from the draft)" in resumed.stderr and not draft.exists()
    whole = tmp_path / "whole.yaml"
    assert CliRunner().invoke(app, ["new", "--out", str(whole)], input="\n".join(ANSWERS) + "\n").exit_code == 0
    assert out.read_text(encoding="utf-8") == whole.read_text(encoding="utf-8")


def test_new_can_start_again_instead_of_carrying_on(tmp_path):
    out = tmp_path / "x.yaml"
    CliRunner().invoke(app, ["new", "--out", str(out)], input="pcso\nshared\n")
    fresh = CliRunner().invoke(app, ["new", "--out", str(out)], input="n\n" + "\n".join(ANSWERS) + "\n")
    assert fresh.exit_code == 0 and "(from the draft)" not in fresh.stderr
    assert Partnership.model_validate(read_yaml(out).data).id == "stmary-riverside"


def test_init_makes_a_repository_that_checks_clean(tmp_path, run):
    target = tmp_path / "repo"
    result = run("init", target)
    assert result.exit_code == 0
    for rel in ("clauses/documents.yaml", "schemas/partnership.schema.json", ".pre-commit-config.yaml",
                ".github/workflows/protocolkit.yml"):
        assert (target / rel).is_file(), rel
    partnerships = list((target / "partnerships").glob("*.yaml"))
    assert partnerships
    cwd = os.getcwd()
    os.chdir(target)
    try:
        check = run("check", "clauses", "partnerships", "--library", "clauses")
    finally:
        os.chdir(cwd)
    assert check.exit_code == 0, check.stdout
    assert run("init", target).exit_code == 2


def test_init_workflow_installs_the_version_that_wrote_it(tmp_path, run):
    from ruamel.yaml import YAML

    from protocolkit import __version__

    target = tmp_path / "repo"
    assert run("init", target).exit_code == 0
    workflow = YAML(typ="safe").load((target / ".github/workflows/protocolkit.yml").read_text())
    steps = [step.get("run", "") for step in workflow["jobs"]["check"]["steps"]]
    install = next(step for step in steps if step.startswith("pip install"))
    assert f"protocolkit=={__version__}" in install
    assert "vars.PROTOCOLKIT_SOURCE" in install
    assert "__VERSION__" not in (target / ".github/workflows/protocolkit.yml").read_text()


def test_preview_prints_the_assembled_document_as_markdown(run):
    example = FIXTURES.parent.parent / "examples" / "northgate-high.yaml"
    result = run("preview", example)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("# Safer Schools Partnership Protocol\n")
    assert "\n## 1 Purpose and parties\n" in result.stdout and "\n## 17 Signatures\n" in result.stdout
    dsa = run("preview", example, "--doc", "dsa")
    assert dsa.exit_code == 0 and dsa.stdout.startswith("# Data-Sharing Agreement\n")


def test_preview_of_a_broken_partnership_shows_findings_and_exits_1(tmp_path, run):
    bad = tmp_path / "bad.yaml"
    bad.write_text((FIXTURES / "spine" / "partnership.yaml").read_text() + "colour: blue\n")
    result = run("preview", bad)
    assert result.exit_code == 1 and result.stdout == ""
    assert "unknown key 'colour'" in result.stderr


def test_the_readme_partnership_example_checks_clean(tmp_path, run):
    readme = (FIXTURES.parent.parent / "README.md").read_text()
    block = readme.split("### A partnership file\n\n```yaml\n")[1].split("```")[0]
    example = tmp_path / "readme.yaml"
    example.write_text(block)
    result = run("check", example)
    assert result.exit_code == 0, result.stdout


def test_version_prints_the_package_version(run):
    from protocolkit import __version__

    result = run("--version")
    assert result.exit_code == 0 and result.stdout.strip() == f"protocolkit {__version__}"
