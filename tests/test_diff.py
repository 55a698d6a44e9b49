"""`protocolkit diff` through the real CLI: .docx pairs, partnership files, REV:path in git, formats and errors."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from conftest import EXAMPLES, FIXTURES, ROOT

OLD_DOCX = FIXTURES / "staffordshire-protocol.docx"
NEW_DOCX = FIXTURES / "staffordshire-edited.docx"

# What tests/fixtures/make_edited.py did to the Staffordshire protocol, and nothing else.
STAFFORDSHIRE_EDITS = {
    "added": ["complaints-and-concerns.text"],
    "removed": ["local-arrangements.text"],
    "changed": ["finance.text", "training.text"],
    "moved": [],
    "sections_added": ["complaints-and-concerns"],
    "sections_removed": ["local-arrangements"],
}


def diff_json(run, *args: str) -> dict:
    result = run("diff", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def one_line_error(result, *words: str) -> None:
    """Exit 2, one line on stderr naming what is wrong, and no traceback."""
    assert result.exit_code == 2, result.output
    err = result.stderr.strip()
    assert len(err.splitlines()) == 1, err
    assert "Traceback" not in result.output
    for word in words:
        assert word in err, err


def test_staffordshire_edits_are_reported_exactly(run):
    report = diff_json(run, OLD_DOCX, NEW_DOCX)
    assert set(report) == {"added", "removed", "changed", "moved", "sections_added", "sections_removed"}
    assert {**report, "changed": [c["id"] for c in report["changed"]]} == STAFFORDSHIRE_EDITS
    finance = next(c for c in report["changed"] if c["id"] == "finance.text")
    assert "offering the universal level of service" in finance["before"]
    assert "that receive the standard universal service" in finance["after"]
    assert "offering the universal" not in finance["after"]


def test_the_edited_fixture_is_what_its_script_makes(tmp_path):
    # The committed fixture and the script that derives it must not drift apart.
    before = NEW_DOCX.read_bytes()
    subprocess.run([sys.executable, str(FIXTURES / "make_edited.py")], check=True)
    assert NEW_DOCX.read_bytes() == before


def test_a_document_against_itself_has_no_differences(run):
    report = diff_json(run, OLD_DOCX, OLD_DOCX)
    assert report == {"added": [], "removed": [], "changed": [], "moved": [], "sections_added": [], "sections_removed": []}
    text = run("diff", OLD_DOCX, OLD_DOCX, "--exit-code")
    assert text.exit_code == 0
    assert "no differences" in text.stdout


def test_exit_code_is_one_only_when_asked_and_different(run):
    assert run("diff", OLD_DOCX, NEW_DOCX).exit_code == 0
    assert run("diff", OLD_DOCX, NEW_DOCX, "--exit-code").exit_code == 1
    assert run("diff", NEW_DOCX, NEW_DOCX, "--exit-code").exit_code == 0


def test_text_report_shows_word_changes_without_colour_off_a_terminal(run):
    out = run("diff", OLD_DOCX, NEW_DOCX).stdout
    assert "\x1b[" not in out
    assert "[-mitigates-]{+reduces+}" in out
    assert "+ 10 Complaints and Concerns" in out
    assert "- 11 Local Arrangements" in out
    # Renumbered sections (Training was 12 and is 12; Finance was 10 and is 11) are not reported.
    assert "Risk Management" not in out


def test_markdown_report_marks_words_with_ins_and_del(run):
    out = run("diff", OLD_DOCX, NEW_DOCX, "--format", "markdown").stdout
    assert out.startswith("### ")
    assert "<del>mitigates</del><ins>reduces</ins>" in out
    assert "#### Clauses changed" in out and "#### Sections" in out
    assert "> …" in out  # unchanged paragraphs of a long clause are left out of a PR comment


def test_html_report_is_one_self_contained_page(run):
    out = run("diff", OLD_DOCX, NEW_DOCX, "--format", "html").stdout
    assert out.startswith("<!DOCTYPE html>") and out.rstrip().endswith("</html>")
    assert "<style>" in out and "<script" not in out
    assert "src=" not in out and "<link" not in out and "http" not in out
    assert "<del>mitigates</del><ins>reduces</ins>" in out
    assert "Search &amp; Seizure" in out


# -- partnership files --------------------------------------------------------------------


def _edited_partnership(tmp_path: Path, name: str, replacements: list[tuple[str, str]],
                        local: dict | None = None) -> Path:
    """The example partnership with words replaced and, if given, one local clause added."""
    text = (EXAMPLES / "northgate-high.yaml").read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / name
    if local is not None:
        yaml = YAML(typ="rt")
        data = yaml.load(text)
        data.setdefault("clauses", {}).setdefault("local", []).append(local)
        buf = io.StringIO()
        yaml.dump(data, buf)
        text = buf.getvalue()
    path.write_text(text, encoding="utf-8")
    return path


NEW_HEAD = [("Dr Helen Carter", "Mr Tim Oakes"), ('version: "1.0"', 'version: "1.1"')]
PART_TIME = [("model: dedicated", "model: part-time"), ("days_per_week: 5", "days_per_week: 3")]


def test_partnership_facts_and_the_clauses_they_rewrote(run, tmp_path):
    old = _edited_partnership(tmp_path, "old.yaml", [])
    new = _edited_partnership(tmp_path, "new.yaml", NEW_HEAD + PART_TIME)
    report = diff_json(run, old, new)
    touched = report["added"] + report["removed"] + [c["id"] for c in report["changed"]]
    assert touched, report
    out = run("diff", old, new).stdout
    lines = out.splitlines()
    facts = {line.split(":")[0].strip(): lines[i + 1].strip() for i, line in enumerate(lines)
             if line.startswith("  ") and not line.startswith("    ") and ": [-" in line}
    assert set(facts) >= {"version", "history.0.version", "schools.northgate.head_teacher.name", "deployment.model",
                          "deployment.days_per_week", "signatories.northgate.name"}
    assert facts["history.0.version"] == "rewrites no clause text"
    rewritten = facts["deployment.model"].removeprefix("rewrites ")
    assert rewritten != "no clause text"
    # Every clause the deployment model rewrote is one the diff reports.
    assert {part.split()[-1] for part in rewritten.split(", ")} <= set(touched)


def test_a_partnership_against_itself_is_the_same(run):
    path = EXAMPLES / "northgate-high.yaml"
    result = run("diff", path, path, "--exit-code")
    assert result.exit_code == 0
    assert "no differences" in result.stdout


def test_a_changed_fact_alone_still_counts_as_a_difference(run, tmp_path):
    old = _edited_partnership(tmp_path, "old.yaml", [])
    new = _edited_partnership(tmp_path, "new.yaml", [("marking: OFFICIAL", "marking: OFFICIAL-SENSITIVE")])
    result = run("diff", old, new, "--exit-code")
    assert result.exit_code == 1
    assert "marking: [-OFFICIAL-]{+OFFICIAL-SENSITIVE+}" in result.stdout


def test_the_dsa_is_compared_when_asked(run, tmp_path):
    old = _edited_partnership(tmp_path, "old.yaml", [])
    out = run("diff", old, old, "--doc", "dsa").stdout
    assert out.startswith("Data-Sharing Agreement:")


def test_html_escapes_what_a_local_clause_says(run, tmp_path):
    old = _edited_partnership(tmp_path, "old.yaml", [])
    new = _edited_partnership(tmp_path, "new.yaml", [], local={
        "id": "local.parking", "title": "Parking <b>", "section": "deployment",
        "text": "The officer parks at the rear gate <script>alert(1)</script> & signs in."})
    report = diff_json(run, old, new)
    assert report["added"] == ["local.parking"]
    page = run("diff", old, new, "--format", "html").stdout
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; signs in" in page
    md = run("diff", old, new, "--format", "markdown").stdout
    assert "<script>" not in md and "Parking &lt;b&gt;" in md


def test_an_invalid_partnership_exits_2_naming_its_line(run, tmp_path):
    old = _edited_partnership(tmp_path, "old.yaml", [])
    bad = _edited_partnership(tmp_path, "bad.yaml", [("model: dedicated", "model: sometimes")])
    one_line_error(run("diff", old, bad), "bad.yaml:", "deployment")


# -- REV:path and unreadable inputs --------------------------------------------------------


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false",
                    *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A git repository with two commits of a partnership file and a .docx, entered as the working folder."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_path / "repo"
    (root / "partnerships").mkdir(parents=True)
    shutil.copy(EXAMPLES / "northgate-high.yaml", root / "partnerships" / "northgate-high.yaml")
    shutil.copy(OLD_DOCX, root / "signed.docx")
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "signed version")
    _edited_partnership(root / "partnerships", "northgate-high.yaml", NEW_HEAD)
    shutil.copy(NEW_DOCX, root / "signed.docx")
    _git(root, "commit", "-q", "-a", "-m", "annual review")
    monkeypatch.chdir(root)
    return root


def test_rev_path_reads_a_partnership_file_from_git(run, repo):
    result = run("diff", "HEAD~1:partnerships/northgate-high.yaml", "partnerships/northgate-high.yaml", "--exit-code")
    assert result.exit_code == 1, result.output
    assert "HEAD~1:partnerships/northgate-high.yaml → partnerships/northgate-high.yaml" in result.stdout
    assert "schools.northgate.head_teacher.name: [-Dr Helen Carter-]{+Mr Tim Oakes+}" in result.stdout
    same = run("diff", "HEAD:partnerships/northgate-high.yaml", "partnerships/northgate-high.yaml", "--exit-code")
    assert same.exit_code == 0, same.output


def test_rev_path_reads_a_docx_from_git(run, repo):
    report = diff_json(run, "HEAD~1:signed.docx", "HEAD:signed.docx")
    assert {**report, "changed": [c["id"] for c in report["changed"]]} == STAFFORDSHIRE_EDITS


@pytest.mark.parametrize("arg, words", [
    ("nosuchrev:partnerships/northgate-high.yaml", ["nosuchrev:partnerships/northgate-high.yaml", "revision"]),
    ("HEAD:partnerships/missing.yaml", ["HEAD:partnerships/missing.yaml", "does not exist"]),
    ("HEAD:partnerships", ["is a tree"]),
    ("missing.yaml", ["missing.yaml: no such file"]),
])
def test_a_revision_or_path_that_does_not_exist_exits_2(run, repo, arg, words):
    one_line_error(run("diff", arg, "partnerships/northgate-high.yaml"), *words)


def test_a_rev_path_outside_a_repository_exits_2(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    one_line_error(run("diff", "HEAD:x.yaml", str(EXAMPLES / "northgate-high.yaml")), "HEAD:x.yaml")


def test_a_torn_docx_exits_2(run, tmp_path):
    torn = tmp_path / "torn.docx"
    data = NEW_DOCX.read_bytes()
    torn.write_bytes(data[: len(data) // 2])
    one_line_error(run("diff", OLD_DOCX, torn), "torn.docx")
    not_zip = tmp_path / "notes.docx"
    not_zip.write_text("just some text", encoding="utf-8")
    one_line_error(run("diff", not_zip, OLD_DOCX), "notes.docx")


def test_a_torn_docx_from_git_is_named_as_the_user_wrote_it(run, repo):
    (repo / "signed.docx").write_bytes(NEW_DOCX.read_bytes()[:500])
    _git(repo, "commit", "-q", "-a", "-m", "torn")
    result = run("diff", "HEAD:signed.docx", OLD_DOCX)
    one_line_error(result, "HEAD:signed.docx")
    assert "protocolkit-diff-" not in result.stderr


def test_the_cli_as_a_subprocess_works_from_another_folder(tmp_path):
    result = subprocess.run([sys.executable, "-m", "protocolkit.cli", "diff", str(OLD_DOCX), str(NEW_DOCX), "-f", "json"],
                            cwd=tmp_path, capture_output=True, text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["sections_removed"] == ["local-arrangements"]
