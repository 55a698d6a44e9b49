"""Writing files: never through a link, never over an input, never torn; every failure is exit 2 with one line."""

from __future__ import annotations

from conftest import EXAMPLES

EXAMPLE = EXAMPLES / "northgate-high.yaml"


def _one_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("protocolkit: "), result.stderr
    return lines[0]


def _leftovers(folder):
    return [p.name for p in folder.rglob("*") if p.name.endswith(".tmp")]


def test_a_redline_onto_one_of_the_inputs_is_refused_and_the_input_kept(run, tmp_path):
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    new.write_text(EXAMPLE.read_text(encoding="utf-8").replace("version: '2.0'", "version: '2.1'"), encoding="utf-8")
    before = old.read_bytes()
    result = run("diff", old, new, "--redline", old)
    assert result.exit_code == 2 and "own inputs" in _one_line(result)
    assert old.read_bytes() == before and not result.stdout


def test_build_does_not_write_through_a_planted_link(run, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    out = tmp_path / "out"
    (out / "northgate-high").mkdir(parents=True)
    (out / "northgate-high" / "protocol.docx").symlink_to(victim)
    result = run("build", EXAMPLE, "--out", out)
    assert result.exit_code == 2 and "symbolic link" in _one_line(result)
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert not _leftovers(out)


def test_build_does_not_write_into_a_linked_output_folder(run, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "northgate-high").symlink_to(elsewhere, target_is_directory=True)
    result = run("build", EXAMPLE, "--out", out)
    assert result.exit_code == 2 and "symbolic link" in _one_line(result)
    assert not list(elsewhere.iterdir())


def test_a_long_but_legal_output_name_is_written(run, tmp_path):
    name = "r" * 245 + ".docx"  # 250 bytes: legal on every common file system; the temporary name is shorter
    result = run("diff", EXAMPLE, EXAMPLE, "--redline", tmp_path / name)
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / name).is_file() and not _leftovers(tmp_path)


def test_init_onto_a_file_or_a_dangling_link_is_one_line(run, tmp_path):
    existing = tmp_path / "afile"
    existing.write_text("x", encoding="utf-8")
    assert "not a folder" in _one_line(run("init", existing))
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "nowhere")
    result = run("init", dangling)
    assert result.exit_code == 2 and "not a folder" in _one_line(result)
    assert not (tmp_path / "nowhere").exists()


def test_schema_out_onto_a_file_is_one_line(run, tmp_path):
    existing = tmp_path / "afile"
    existing.write_text("x", encoding="utf-8")
    result = run("schema", "--out", existing)
    assert result.exit_code == 2 and "is a file, not a folder" in _one_line(result)
