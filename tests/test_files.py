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


def test_a_million_nested_brackets_are_a_finding_not_a_crash(run, tmp_path):
    deep = tmp_path / "deep.yaml"
    deep.write_text("id: deep\nschools: " + "[" * 1_000_000 + "\n", encoding="utf-8")
    result = run("check", deep)
    assert result.exit_code == 1 and "deep.yaml:2:" in result.stdout and "nesting deeper than 50" in result.stdout


def test_a_date_in_year_9999_is_a_finding_in_every_command(run, tmp_path):
    late = tmp_path / "late.yaml"
    late.write_text(EXAMPLE.read_text(encoding="utf-8").replace("in_force: 2026-09-01", "in_force: 9999-12-31"),
                    encoding="utf-8")
    assert "in_force: 9999-12-31" in late.read_text(encoding="utf-8")
    result = run("check", late)
    assert result.exit_code == 1 and "outside the years a partnership can run" in result.stdout
    for command in (("status", late), ("preview", late), ("build", late, "--out", tmp_path / "out"),
                    ("diff", EXAMPLE, late)):
        other = run(*command)
        assert other.exit_code in (1, 2) and "Traceback" not in other.output, command


def test_an_id_with_a_trailing_newline_or_a_windows_device_name_is_refused(run, tmp_path):
    for bad_id, words in (('"northgate-high\\n"', "is not a slug"), ("con", "Windows keeps for a device")):
        bad = tmp_path / "bad.yaml"
        bad.write_text(EXAMPLE.read_text(encoding="utf-8").replace("id: northgate-high", f"id: {bad_id}", 1),
                       encoding="utf-8")
        result = run("check", bad)
        assert result.exit_code == 1 and words in result.stdout, result.stdout
        assert run("build", bad, "--out", tmp_path / "out").exit_code == 1
        assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_a_revision_that_looks_like_an_option_never_reaches_git(run, tmp_path):
    for rev in ("--output=x:p.yaml", "-p:p.yaml"):
        result = run("diff", "--", rev, EXAMPLE)  # after --, as a shell user must write it
        assert result.exit_code == 2 and "cannot begin with '-'" in _one_line(result)
    assert not (tmp_path / "x").exists()


def test_a_fifo_or_device_named_is_exit_2_and_one_in_a_folder_is_skipped_with_a_note(run, tmp_path):
    import os

    pipe = tmp_path / "pipe.yaml"
    os.mkfifo(pipe)
    for command in (("check", pipe), ("build", pipe, "--out", tmp_path / "out"), ("status", pipe),
                    ("check", "/dev/zero")):
        result = run(*command)
        assert result.exit_code == 2 and "not a file" in _one_line(result), command
    (tmp_path / "northgate-high.yaml").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    result = run("check", tmp_path, "--format", "json")
    assert "a named pipe (FIFO), not a file" in result.stdout and result.exit_code in (0, 1)


def test_a_fifo_in_a_clause_library_is_skipped(run, tmp_path):
    import os

    assert run("init", tmp_path / "force").exit_code == 0
    os.mkfifo(tmp_path / "force" / "clauses" / "stuck.yaml")
    result = run("check", tmp_path / "force" / "clauses")
    assert "skipped: a named pipe (FIFO), not a clause file" in result.stdout


def test_a_link_out_of_the_checked_folder_is_not_followed(run, tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text("id: secret-thing\nschools: [password-is-hunter2]\n", encoding="utf-8")
    folder = tmp_path / "checked"
    folder.mkdir()
    (folder / "leak.yaml").symlink_to(secret)
    result = run("check", folder)
    assert "not followed" in result.stdout and "hunter2" not in result.stdout and "secret-thing" not in result.stdout


def test_empty_utf16_and_json_partnership_files_are_findings_or_checked_never_skipped(run, tmp_path):
    import json

    from ruamel.yaml import YAML

    text = EXAMPLE.read_text(encoding="utf-8")
    (tmp_path / "empty.yaml").write_text("", encoding="utf-8")
    (tmp_path / "bom.yaml").write_bytes(b"\xef\xbb\xbf")
    (tmp_path / "wide.yaml").write_text(text, encoding="utf-16")
    (tmp_path / "flow.yaml").write_text(json.dumps(YAML(typ="safe").load(text), default=str), encoding="utf-8")
    for name, words in (("empty.yaml", "the file is empty"), ("bom.yaml", "the file is empty"),
                        ("wide.yaml", "saved as UTF-16: save it as UTF-8")):
        result = run("check", tmp_path / name)
        assert result.exit_code == 1 and words in result.stdout, (name, result.stdout)
    flow = run("check", tmp_path / "flow.yaml")
    assert flow.exit_code == 0 and "checked 1 input: no problems" in flow.stdout, flow.stdout
    assert run("build", tmp_path / "flow.yaml", "--out", tmp_path / "out").exit_code == 0


def test_control_characters_never_reach_a_terminal_or_a_document(run, tmp_path):
    text = EXAMPLE.read_text(encoding="utf-8")
    binary = tmp_path / "binary.yaml"  # "\x1b]0;t\x07" (a terminal title change) as base64
    binary.write_text(text.replace("name: Northgate High School", "name: !!binary G10wO3QH", 1), encoding="utf-8")
    result = run("check", binary)
    assert result.exit_code == 1 and "!!binary" in result.stdout
    assert run("build", binary, "--out", tmp_path / "out").exit_code == 1
    # a library template whose string escape makes one
    assert run("init", tmp_path / "force").exit_code == 0
    finance = tmp_path / "force" / "clauses" / "finance.yaml"
    finance.write_text(finance.read_text(encoding="utf-8") + "  - id: finance.extra\n    title: Extra\n    section: "
                       "finance\n    order: 99\n    text: '{{ \"\\x1b]0;t\\x07\" }}'\n", encoding="utf-8")
    partnership = next((tmp_path / "force" / "partnerships").glob("*.yaml"))
    built = run("build", partnership, "--out", tmp_path / "out2")
    assert built.exit_code == 1 and "control character U+001B" in built.stderr
    # names and keys taken from a file are shown escaped, in every format
    sneaky = tmp_path / "sneaky.yaml"
    sneaky.write_text(text.replace("id: northgate-high", 'id: "x\\e[2J\\u202e"', 1) + '"k\\e]0;t\\a": 1\n',
                      encoding="utf-8")
    for fmt in ("text", "json", "github", "sarif", "junit"):
        out = run("check", sneaky, "--format", fmt).stdout
        assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out, fmt
    import xml.etree.ElementTree as ET

    ET.fromstring(run("check", sneaky, "--format", "junit").stdout)


def _example_data():
    from ruamel.yaml import YAML

    return YAML().load((EXAMPLES / "harbour-cluster.yaml").read_text(encoding="utf-8"))


def _dump(data, path):
    from ruamel.yaml import YAML

    with path.open("w", encoding="utf-8") as fh:
        YAML().dump(data, fh)
    return path


def test_check_reports_everything_build_would_refuse(run, tmp_path):
    (tmp_path / "a").mkdir()
    for name in ("one.yaml", "two.yaml"):
        (tmp_path / "a" / name).write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    twice = run("check", tmp_path / "a")
    assert twice.exit_code == 1 and "partnership id 'northgate-high' is also used by" in twice.stdout
    assert run("build", tmp_path / "a", "--out", tmp_path / "out").exit_code == 1
    data = _example_data()
    data["schools"][1]["urn"] = data["schools"][0]["urn"]
    data.setdefault("clauses", {})["local"] = [
        {"id": "local.a", "title": "A", "section": "finance", "text": "One."},
        {"id": "local.a", "title": "B", "section": "finance", "text": "Two."}]
    dup = _dump(data, tmp_path / "dup.yaml")
    result = run("check", dup)
    assert f"URN {data['schools'][0]['urn']} is already given to" in result.stdout
    assert "local clause id 'local.a' is already used" in result.stdout
    assert run("build", dup, "--out", tmp_path / "out2").exit_code == 1


def test_a_cluster_with_long_names_and_no_title_builds_with_a_shortened_title_property(run, tmp_path):
    import docx

    data = _example_data()
    data.pop("title", None)
    for school in data["schools"]:
        school["name"] += " and a very long name for a school that goes on and on"
    long = _dump(data, tmp_path / "long.yaml")
    assert run("check", long).exit_code == 0
    result = run("build", long, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    title = docx.Document(str(next((tmp_path / "out").rglob("protocol.docx")))).core_properties.title
    assert len(title) <= 255 and title.endswith("\u2026")


def test_an_invisible_character_in_a_name_is_a_warning_at_it(run, tmp_path):
    bidi = tmp_path / "bidi.yaml"
    bidi.write_text(EXAMPLE.read_text(encoding="utf-8").replace(
        "name: Northgate High School", 'name: "Northgate\\u202e High School"', 1), encoding="utf-8")
    result = run("check", bidi)
    assert result.exit_code == 0 and "warning hidden-character" in result.stdout and "U+202E" in result.stdout
    assert "\u202e" not in result.stdout


def _hostile_docx(tmp_path, kind: str):
    """The Staffordshire fixture with its main part replaced, or its zip entry marked Deflate64 or encrypted."""
    import struct
    import zipfile

    from conftest import FIXTURES

    source = zipfile.ZipFile(FIXTURES / "staffordshire-edited.docx")
    path = tmp_path / f"{kind}.docx"
    main = {"root": b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body/></html>',
            "nobody": b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                      b'wordprocessingml/2006/main"></w:document>'}.get(kind)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name in source.namelist():
            out.writestr(name, main if (main and name == "word/document.xml") else source.read(name))
    if kind in ("deflate64", "encrypted"):
        data = bytearray(path.read_bytes())
        for signature, name_at, field in ((b"PK\x03\x04", 26, 8 if kind == "deflate64" else 6),
                                          (b"PK\x01\x02", 28, 10 if kind == "deflate64" else 8)):
            at = data.find(signature)
            while at >= 0:
                size = struct.unpack("<H", data[at + name_at:at + name_at + 2])[0]
                start = at + name_at + (4 if signature == b"PK\x03\x04" else 18)
                if data[start:start + size] == b"word/document.xml":
                    data[at + field:at + field + 2] = struct.pack("<H", 9 if kind == "deflate64" else 1)
                at = data.find(signature, at + 4)
        path.write_bytes(bytes(data))
    return path


def test_a_package_that_is_not_a_sound_docx_is_one_line_in_every_command(run, tmp_path):
    words = {"root": "is not a Word document (its root is <html>)", "nobody": "has no body",
             "deflate64": "uses a compression Word does not", "encrypted": "is encrypted or password-protected"}
    for kind, said in words.items():
        bad = _hostile_docx(tmp_path, kind)
        for command in (("check", bad), ("preview", bad), ("diff", bad, bad),
                        ("build", EXAMPLE, "--out", tmp_path / "out", "--template", bad)):
            result = run(*command)
            assert result.exit_code == 2 and said in _one_line(result), (kind, command, result.output)


def test_a_name_too_long_for_the_file_system_is_one_line(run, tmp_path):
    name = tmp_path / ("a" * 300 + ".yaml")
    for command in (("check", name), ("status", name), ("preview", name), ("build", name, "--out", tmp_path / "o"),
                    ("diff", name, EXAMPLE), ("diff", EXAMPLE, EXAMPLE, "--redline", tmp_path / ("b" * 300 + ".docx"))):
        result = run(*command)
        assert result.exit_code == 2 and "too long" in _one_line(result), command


def test_a_3_gib_file_is_refused_by_its_size_before_a_byte_is_read(run, tmp_path):
    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as fh:  # sparse: takes no disk, and reading it whole would take 3 GiB of memory
        fh.truncate(3 * 2**30)
    result = run("check", huge)
    assert result.exit_code == 1 and "yaml-too-large" in result.stdout and "3,221,225,472 bytes" in result.stdout
    assert run("build", huge, "--out", tmp_path / "out").exit_code in (1, 2)


def test_a_file_written_again_keeps_its_permissions(tmp_path):
    from protocolkit.files import write_file

    target = tmp_path / "agreement.yaml"
    target.write_text("id: a\n", encoding="utf-8")
    target.chmod(0o600)  # kept from other users on purpose
    write_file(target, "id: b\n")
    assert target.read_text(encoding="utf-8") == "id: b\n" and (target.stat().st_mode & 0o777) == 0o600
