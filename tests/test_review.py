"""`protocolkit review` over a county in git: which partnerships must be signed again, why, with a redline each."""

from __future__ import annotations

import io
import os
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import EXAMPLES
from protocolkit.library import load_library
from protocolkit.project import assemble_documents, load_partnership
from protocolkit.render.tracked import resolved
from test_diff_redline import _views

TODAY = "2026-12-02"


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=review@example.org", "-c", "user.name=Review", *args], cwd=repo,
                   check=True, capture_output=True)


def _users(repo: Path) -> dict[str, set[str]]:
    """Each protocol clause id and the partnerships whose protocol has it."""
    lib = load_library(repo / "clauses")
    users: dict[str, set[str]] = {}
    for path in sorted((repo / "partnerships").glob("*.yaml")):
        docs, _ = assemble_documents(load_partnership(path, lib), lib, ["protocol"])
        for clause in docs["protocol"].clauses():
            users.setdefault(clause.id, set()).add(path.stem)
    return users


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    """A repository made by init with all six examples, signed and committed, and signed copies built; then one
    library clause used by some of them reworded and Northgate's head teacher changed, and committed."""
    from typer.testing import CliRunner

    from protocolkit.cli import app

    def run(*args):
        result = CliRunner().invoke(app, [str(a) for a in args])
        assert result.exit_code == 0, result.output
        return result

    root = tmp_path_factory.mktemp("county")
    repo = root / "repo"
    run("init", repo)
    for path in EXAMPLES.glob("*.yaml"):
        shutil.copy(path, repo / "partnerships" / path.name)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "the county")
    run("signed", repo / "partnerships", "--on", "2026-12-01")
    _git(repo, "commit", "-qam", "signed")
    copies = root / "signed-copies"
    run("build", repo / "partnerships", "--out", copies)

    users = _users(repo)
    clause = next(cid for cid, who in sorted(users.items()) if 1 < len(who) < 6 and "northgate-high" in who)
    files = list((repo / "clauses").glob("*.yaml"))
    for path in files:
        text = path.read_text(encoding="utf-8")
        block = re.search(rf"- id: {re.escape(clause)}\n(?:    .*\n)*?    text: [|>]-?\n      (.*)\n", text)
        if block:
            line = block.group(1)
            path.write_text(text.replace(line, line + " This sentence is new.", 1), encoding="utf-8")
            break
    else:
        pytest.fail(f"clause {clause} not found to edit")
    northgate = repo / "partnerships" / "northgate-high.yaml"
    text = northgate.read_text(encoding="utf-8")
    head = re.search(r"head_teacher: \{name: ([^}]+)\}", text).group(1)
    northgate.write_text(text.replace(f"head_teacher: {{name: {head}}}", "head_teacher: {name: Mrs Joan Porter}"),
                         encoding="utf-8")
    _git(repo, "commit", "-qam", "a clause reworded and a new head teacher")
    return {"repo": repo, "copies": copies, "clause": clause, "users": users[clause], "root": root}


def _review(run, county, *baseline, out_name="review-out"):
    out = county["root"] / out_name
    if out.exists():
        shutil.rmtree(out)
    result = run("review", county["repo"] / "partnerships", *baseline, "--out", out, "--format", "json",
                 "--today", TODAY)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), out


def test_since_a_revision_names_what_the_library_and_the_facts_changed(run, county, monkeypatch):
    monkeypatch.chdir(county["repo"])
    report, out = _review(run, county, "--since", "HEAD~1")
    by_id = {p["id"]: p for p in report["partnerships"]}
    assert set(by_id) == {p.stem for p in EXAMPLES.glob("*.yaml")}
    for pid, entry in by_id.items():
        if pid in county["users"]:
            assert entry["status"] == "changed", entry
            assert entry["changes"]["library"] == [county["clause"]]
            assert county["clause"] in entry["changes"]["clauses"]
            assert (out / pid / "protocol-redline.docx").is_file()
        else:
            assert entry["status"] in ("unchanged", "overdue"), entry  # overdue: a review due within 60 days
            assert entry["changes"] == {"library": [], "partnership": [], "clauses": []} and not entry["redlines"]
    assert by_id["northgate-high"]["changes"]["partnership"] == ["schools.northgate.head_teacher.name"]
    assert report["summary"]["changed"] == len(county["users"])
    page = (out / "review.html").read_text(encoding="utf-8")
    assert f"changed in {len(county['users'])} partnerships" in page and "<table>" in page


def test_the_redline_tracks_exactly_the_changes_and_libreoffice_opens_it(run, county, monkeypatch, tmp_path,
                                                                         soffice):
    monkeypatch.chdir(county["repo"])
    _, out = _review(run, county, "--since", "HEAD~1", out_name="review-redlines")
    redline = out / "northgate-high" / "protocol-redline.docx"
    # both views against the two builds: the baseline's (from the signed commit) and today's
    builds = {}
    for side, rev in (("old", "HEAD~1"), ("new", "HEAD")):
        work = tmp_path / side
        subprocess.run(["git", "worktree", "add", "-q", "--detach", str(work), rev], cwd=county["repo"], check=True,
                       capture_output=True)
        assert run("build", work / "partnerships" / "northgate-high.yaml", "--out", tmp_path / f"{side}-build",
                   "--doc", "protocol").exit_code == 0
        builds[side] = tmp_path / f"{side}-build" / "northgate-high" / "protocol.docx"
    for side, accept in (("new", True), ("old", False)):
        view = tmp_path / f"{side}-view.docx"
        with zipfile.ZipFile(redline) as src, zipfile.ZipFile(view, "w") as dst:
            for info in src.infolist():
                data = src.read(info)
                if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", info.filename):
                    from lxml import etree

                    root = resolved(data, accept=accept)
                    for p in list(root.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p")):
                        if "".join(p.itertext()).startswith("Tracked changes from "):
                            p.getparent().remove(p)
                    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
                dst.writestr(info, data)
        assert _views(view) == _views(builds[side]), side
    text = "\n".join(_views(redline)["word/document.xml"])
    assert "This sentence is new." in text
    done = subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path / 'lo'}", "--convert-to",
                           "pdf", "--outdir", str(tmp_path), str(redline)], capture_output=True, timeout=180)
    assert done.returncode == 0 and (tmp_path / "protocol-redline.pdf").stat().st_size > 10_000


def test_check_warns_changed_since_signed_for_exactly_the_affected_partnerships(run, county):
    result = run("check", county["repo"] / "partnerships", "--format", "json", "--today", TODAY)
    findings = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "changed-since-signed"]
    flagged = {Path(f["path"]).stem for f in findings}
    assert flagged == county["users"] | {"northgate-high"}
    # in git, the commit that recorded the signature is the baseline: the warning names the clause changed since
    for f in findings:
        if f["message"].startswith("the protocol ") and Path(f["path"]).stem in county["users"]:
            assert f"the clauses changed since: {county['clause']}" in f["message"], f["message"]


def test_signed_copies_with_one_edited_by_hand_after_building_is_a_mismatch(run, county):
    copies = county["root"] / "copies-edited"
    if copies.exists():
        shutil.rmtree(copies)
    shutil.copytree(county["copies"], copies)
    # one partnership outside the clause's users, its copy edited in Word's format: a word of the body changed
    pid = next(p.stem for p in sorted(EXAMPLES.glob("*.yaml")) if p.stem not in county["users"])
    target = copies / pid / "protocol.docx"
    buf = io.BytesIO()
    with zipfile.ZipFile(target) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                data, n = re.subn(rb"(<w:t[^>]*>)([^<]*?)\bthe officer\b", rb"\1\2the constable", data, count=1)
                assert n == 1
            dst.writestr(info, data)
    target.write_bytes(buf.getvalue())
    report, out = _review(run, county, "--signed", copies, out_name="review-signed")
    by_id = {p["id"]: p for p in report["partnerships"]}
    assert by_id[pid]["status"] == "mismatch", by_id[pid]
    for other, entry in by_id.items():
        if other == pid:
            continue
        expected = ("changed",) if other in county["users"] or other == "northgate-high" else ("unchanged", "overdue")
        assert entry["status"] in expected, entry


def test_exit_code_and_the_one_baseline_rule(run, county, monkeypatch):
    monkeypatch.chdir(county["repo"])
    out = county["root"] / "review-exit"
    result = run("review", county["repo"] / "partnerships", "--since", "HEAD~1", "--out", out, "--exit-code",
                 "--today", TODAY)
    assert result.exit_code == 1 and "changed" in result.output
    both = run("review", county["repo"] / "partnerships", "--since", "HEAD~1", "--signed", county["copies"],
               "--out", out)
    assert both.exit_code == 2 and "one baseline" in both.output


def test_a_review_removes_the_temporary_file_a_killed_review_left(run, county, monkeypatch):
    # a worker stopped while writing a redline leaves its temporary file beside it; the next review removes it,
    # as the next build does, unless its writer is still running (this test's process stands for one)
    monkeypatch.chdir(county["repo"])
    out = county["root"] / "review-leftovers"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (out / "northgate-high").mkdir(parents=True)
    left = out / "northgate-high" / f".pk-{dead.pid}-abc123.tmp"
    left.write_bytes(b"half a redline")
    live = out / "northgate-high" / f".pk-{os.getpid()}-def456.tmp"
    live.write_bytes(b"being written")
    result = run("review", county["repo"] / "partnerships", "--since", "HEAD~1", "--out", out, "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert not left.exists() and live.exists()
    assert (out / "northgate-high" / "protocol-redline.docx").is_file()


def test_signed_pdf_copies_are_matched_by_the_fingerprint_they_print(run, county, tmp_path, soffice):
    work = tmp_path / "signed-state"
    subprocess.run(["git", "worktree", "add", "-q", "--detach", str(work), "HEAD~1"], cwd=county["repo"], check=True,
                   capture_output=True)
    other = next(p.stem for p in sorted(EXAMPLES.glob("*.yaml")) if p.stem not in county["users"])
    copies = tmp_path / "pdf-copies"
    for pid in ("northgate-high", other):
        assert run("build", work / "partnerships" / f"{pid}.yaml", "--out", copies, "--pdf").exit_code == 0
    for docx in copies.glob("*/*.docx"):
        docx.unlink()  # only the PDFs were kept
    out = tmp_path / "review-pdf"
    result = run("review", county["repo"] / "partnerships" / "northgate-high.yaml",
                 county["repo"] / "partnerships" / f"{other}.yaml", "--signed", copies, "--out", out, "--format",
                 "json", "--today", TODAY)
    assert result.exit_code == 0, result.output
    by_id = {p["id"]: p for p in json.loads(result.stdout)["partnerships"]}
    assert by_id["northgate-high"]["status"] == "changed"
    assert by_id[other]["status"] in ("unchanged", "overdue")
