"""`protocolkit signed` records a signature in the partnership's history; `check` warns when it has drifted."""

from __future__ import annotations

import json
import shutil

from ruamel.yaml import YAML

from conftest import EXAMPLES
from protocolkit.library import load_library
from protocolkit.project import assemble_documents, load_partnership


def _copy(tmp_path, name: str = "northgate-high.yaml"):
    target = tmp_path / name
    shutil.copy(EXAMPLES / name, target)
    return target


def _check_rules(run, path) -> list[dict]:
    result = run("check", path, "--format", "json", "--today", "2026-12-01")
    return [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "changed-since-signed"]


def test_signed_records_day_signatories_and_fingerprints_keeping_the_file_as_it_was(run, tmp_path):
    path = _copy(tmp_path)
    before = path.read_text(encoding="utf-8")
    result = run("signed", path, "--on", "2026-07-20")
    assert result.exit_code == 0, result.output
    assert "version 1.0 recorded as signed on 20 July 2026" in result.output
    after = path.read_text(encoding="utf-8")
    # every line of the file is still there, comments included, in its order: only the signature is added
    added = [line for line in after.splitlines() if line not in before.splitlines()]
    assert before.splitlines() == [line for line in after.splitlines() if line not in added]
    assert any(line.strip().startswith("signed:") for line in added)
    assert any("#" in line for line in before.splitlines()), "the example has comments to keep"

    data = YAML(typ="safe").load(after)
    signed = data["history"][-1]["signed"]
    lib = load_library(EXAMPLES.parent / "clauses")
    docs, _ = assemble_documents(load_partnership(path, lib), lib, ["protocol", "dsa"])
    assert signed["protocol"] == docs["protocol"].fingerprint() and signed["dsa"] == docs["dsa"].fingerprint()
    assert signed["by"] == [s.name for s in docs["protocol"].metadata.signatories]
    assert str(signed["on"]) == "2026-07-20"
    assert _check_rules(run, path) == []


def test_a_changed_fact_after_signing_is_a_changed_since_signed_warning_on_the_signature(run, tmp_path):
    path = _copy(tmp_path)
    assert run("signed", path, "--on", "2026-07-20").exit_code == 0
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Dr Helen Carter", "Mrs Joan Porter"), encoding="utf-8")
    found = _check_rules(run, path)
    kinds = sorted("protocol" if f["message"].startswith("the protocol ") else "dsa" for f in found)
    assert kinds == ["dsa", "protocol"], found
    lines = path.read_text(encoding="utf-8").splitlines()
    for f in found:
        assert f["severity"] == "warning" and "version 1.0 as signed on 20 July 2026" in f["message"]
        assert lines[f["line"] - 1].strip().startswith(("protocol:", "dsa:")), "the finding points at the fingerprint"


def test_a_file_with_errors_or_no_history_entry_for_its_version_is_not_signed(run, tmp_path):
    broken = _copy(tmp_path)
    text = broken.read_text(encoding="utf-8")
    broken.write_text(text.replace("Dr Helen Carter", " "), encoding="utf-8")
    result = run("signed", broken)
    assert result.exit_code == 1 and "not recorded as signed" in result.output
    assert broken.read_text(encoding="utf-8") == text.replace("Dr Helen Carter", " ")

    newer = tmp_path / "newer" / "northgate-high.yaml"
    newer.parent.mkdir()
    newer.write_text(text.replace('version: "1.0"', 'version: "1.1"', 1), encoding="utf-8")
    result = run("signed", newer)
    assert result.exit_code == 1 and "no entry for version 1.1" in result.output

    future = run("signed", _copy(tmp_path / "newer", "beacon-pru.yaml"), "--on", "2099-01-01")
    assert future.exit_code == 2 and "has not come yet" in future.output


def test_a_history_entry_in_flow_style_gets_its_record_in_place_and_signing_again_replaces_it(run, tmp_path):
    path = _copy(tmp_path, "wensum-valley-pcso.yaml")
    before = path.read_text(encoding="utf-8").splitlines()
    assert "  - {version:" in "\n".join(before), "the example writes its history in flow style"
    for day in ("2026-12-01", "2026-12-02"):
        assert run("signed", path, "--on", day).exit_code == 0
        after = path.read_text(encoding="utf-8").splitlines()
        changed = [i for i, (a, b) in enumerate(zip(before, after)) if a != b]
        assert len(after) == len(before) and len(changed) == 1, changed
        line = after[changed[0]]
        assert line.startswith(before[changed[0]][:-1]) and f"signed: {{on: {day}, by: [" in line
        assert line.count("signed:") == 1
    assert _check_rules(run, path) == []
