"""What people type: impossible dates and absurd numbers are findings at their place with a fix, for every command,
never a traceback, and one bad file does not stop a folder being checked."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = (ROOT / "examples" / "northgate-high.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("value, words", [
    ("2026-09-31", "'2026-09-31' is not a date that exists"),
    ("2026-13-01", "'2026-13-01' is not a date that exists"),
    ("2026-02-29", "'2026-02-29' is not a date that exists"),
])
@pytest.mark.parametrize("command", ["check", "build", "status", "diff", "preview"])
def test_an_impossible_date_is_a_placed_finding_in_every_command(run, tmp_path, value, words, command):
    bad = tmp_path / "bad.yaml"
    bad.write_text(EXAMPLE.replace("in_force: 2026-09-01", f"in_force: {value}"), encoding="utf-8")
    line = EXAMPLE.splitlines().index("in_force: 2026-09-01") + 1
    args = {"check": [bad], "build": [bad, "--out", tmp_path / "out"], "status": [bad],
            "diff": [bad, ROOT / "examples" / "northgate-high.yaml"], "preview": [bad]}[command]
    result = run(command, *args)
    out = result.stdout + result.stderr
    assert result.exit_code in (1, 2), out
    assert words in out and f"bad.yaml:{line}:11" in out and "YYYY-MM-DD" in out
    assert "Traceback" not in out


def test_one_bad_date_does_not_stop_the_folder_being_checked(run, tmp_path):
    (tmp_path / "bad.yaml").write_text(EXAMPLE.replace("in_force: 2026-09-01", "in_force: 2026-09-31")
                                       .replace("id: northgate-high", "id: bad-one"), encoding="utf-8")
    # the good file is written as before 0.2, so it has a warning to show that it was checked
    (tmp_path / "good.yaml").write_text(EXAMPLE.replace("    status: academy", "    type: academy"), encoding="utf-8")
    result = run("check", tmp_path, "--today", "2027-01-01")
    assert result.exit_code == 1 and "bad.yaml:" in result.stdout and "is not a date that exists" in result.stdout
    assert "good.yaml:" in result.stdout and "school-type" in result.stdout
    status = run("status", tmp_path, "--today", "2027-01-01")
    assert "northgate-high" in status.stdout


def test_a_five_thousand_digit_number_is_a_finding(run, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(EXAMPLE.replace("  days_per_week: 5", "  days_per_week: " + "9" * 5000), encoding="utf-8")
    result = run("check", bad)
    assert result.exit_code == 1 and "5000 digits" in result.stdout and "Traceback" not in result.stdout


def test_every_wrong_party_key_is_reported_at_its_own_line_with_the_closest_key(run, tmp_path):
    text = (EXAMPLE.replace("  - {party: northgate, name: Trust Data Protection Officer",
                            "  - {party: nortgate, name: Trust Data Protection Officer")
            .replace("  - {party: northgate, name: Dr Helen Carter", "  - {party: northgat, name: Dr Helen Carter"))
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    import json

    result = run("check", bad, "--format", "json")
    found = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "unknown-party"]
    lines = text.splitlines()
    assert sorted(f["line"] for f in found) == [
        lines.index("  - {party: nortgate, name: Trust Data Protection Officer, email: dpo@example.org.uk}") + 1,
        lines.index("  - {party: northgat, name: Dr Helen Carter, role: Head Teacher}") + 1]
    assert all("did you mean 'northgate'" in f["message"] and f["line"] > 3 for f in found)


def test_build_refuses_a_partnership_whose_party_has_no_signatory(run, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(EXAMPLE.replace("  - {party: northgate, name: Dr Helen Carter, role: Head Teacher}\n", ""),
                   encoding="utf-8")
    result = run("build", bad, "--out", tmp_path / "out")
    assert result.exit_code == 1 and "no-signatory" in result.stdout + result.stderr
    assert not list((tmp_path / "out").rglob("*.docx"))


@pytest.mark.parametrize("old, new, words", [
    ('urn: "137245"', 'urn: "13724"', "a school's URN is six digits"),
    ("phase: secondary", "phase: secundary", "did you mean 'secondary'?"),
    ("in_force: 2026-09-01", "in_force: 1st September 2026", "is not a date: write it as YYYY-MM-DD"),
    ("  days_per_week: 5", "  days_per_week: five", "'five' is not a number"),
    ("    spoc: {name: Mark Ellison", "    spok: {name: Mark Ellison", "unknown key 'spok': did you mean 'spoc'?"),
])
def test_schema_errors_are_in_plain_words_with_a_fix(run, tmp_path, old, new, words):
    bad = tmp_path / "bad.yaml"
    bad.write_text(EXAMPLE.replace(old, new), encoding="utf-8")
    out = run("check", bad).stdout
    assert words in out, out
    for pydantic_words in ("String should match pattern", "Input should be", "invalid character", "input is too short"):
        assert pydantic_words not in out


def test_a_misspelt_clause_id_and_an_unset_local_value_say_what_to_write(run, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(EXAMPLE + "clauses:\n  include: [training.module.wepons]\n  local:\n"
                   '    - {id: local.parking, title: Parking, section: finance, text: "Bay {{ local.parking_bay }}."}\n',
                   encoding="utf-8")
    out = run("check", bad).stdout
    assert "did you mean 'training.module.weapons'?" in out
    assert "add 'parking_bay: ...' under 'variables:'" in out and "dict object" not in out


ATTACKS = [
    "{{ 'x' * 10**10 }}", "{{ '%99999999s' % 'a' }}", "{{ '{:>999999999}'.format('a') }}", "{{ 'a'|center(999999999) }}",
    "{{ 'a'|ljust(999999999) }}", "{{ ('a' ~ 'b')|replace('a', 'aaaaaaaaaa') }}",
    "{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}",
    "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
    "{{ 'abc'|truncate(-1) }}", "{{ schools|map('center', 999999999)|join }}", "{% set x = 'a' * 99 %}{{ x }}",
]


@pytest.mark.parametrize("expr", ATTACKS)
def test_a_partnership_files_template_cannot_make_work_it_is_refused_in_check_and_build(run, tmp_path, expr):
    import json as _json

    bad = tmp_path / "bad.yaml"
    bad.write_text(EXAMPLE + "clauses:\n  local:\n    - id: local.x\n      title: X\n      section: finance\n"
                   f"      text: {_json.dumps(expr)}\n", encoding="utf-8")
    result = run("check", bad)
    assert result.exit_code == 1 and "template-unsafe" in result.stdout and "refused" in result.stdout
    built = run("build", bad, "--out", tmp_path / "out")
    assert built.exit_code == 1 and not list((tmp_path / "out").rglob("*.docx"))


def test_placeholders_in_a_partnership_file_still_work(run, tmp_path):
    ok = tmp_path / "ok.yaml"
    ok.write_text(EXAMPLE + "variables: {bay: '4'}\nclauses:\n  local:\n    - id: local.x\n      title: X\n"
                  "      section: finance\n      text: \"{{ school.name }} keeps bay {{ local.bay }} for "
                  "{{ officer.the }} of {{ force.name }}.\"\n", encoding="utf-8")
    result = run("preview", ok)
    assert result.exit_code == 0, result.stderr
    assert "Northgate High School keeps bay 4 for the officer of" in result.stdout


@pytest.mark.parametrize("construct, words", [
    ("{% for s in schools %}{{ s.name }}{% endfor %}", "a loop ({% for %})"),
    ("{{ school.name|upper }}", "a filter (|)"),
    ("{% if schools %}x{% endif %}", "a condition ({% if %})"),
])
def test_anything_but_a_placeholder_in_a_partnership_file_is_refused_at_its_line(run, tmp_path, construct, words):
    bad = tmp_path / "bad.yaml"
    bad.write_text(EXAMPLE + "clauses:\n  local:\n    - id: local.x\n      title: X\n      section: finance\n"
                   f"      text: |\n        First line.\n        Second {construct} line.\n", encoding="utf-8")
    line = EXAMPLE.count("\n") + 8
    result = run("check", bad)
    assert result.exit_code == 1 and f"bad.yaml:{line}:" in result.stdout and words in result.stdout, result.stdout
    assert "placeholders such as {{ school.name }}" in result.stdout
    assert run("build", bad, "--out", tmp_path / "out").exit_code == 1


def test_a_placeholder_naming_nothing_is_refused_at_load_with_the_names_there_are(run, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(EXAMPLE + "clauses:\n  local:\n    - id: local.x\n      title: X\n      section: finance\n"
                   "      text: \"Ask {{ school.head_teacher }} or {{ school.hedteacher }}.\"\n", encoding="utf-8")
    result = run("check", bad)
    assert result.exit_code == 1 and "school.hedteacher, which does not exist" in result.stdout, result.stdout


def test_a_pcso_ranked_as_a_constable_is_an_error_at_the_rank_and_is_not_built(run, tmp_path):
    bad = tmp_path / "bad.yaml"
    text = EXAMPLE.replace("  officer: police-officer", "  officer: pcso")
    bad.write_text(text, encoding="utf-8")
    result = run("check", bad)
    line = text.splitlines().index('  - {name: Tom Fielding, rank: PC, number: "1482"}') + 1
    assert result.exit_code == 1 and f"bad.yaml:{line}:" in result.stdout and "officer-rank" in result.stdout
    assert run("build", bad, "--out", tmp_path / "out").exit_code == 1


def test_a_docx_that_would_inflate_to_gigabytes_is_refused_before_it_is_read(run, tmp_path):
    import zipfile

    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            chunk = b" " * (1 << 20)
            for _ in range(300):
                fh.write(chunk)
    result = run("check", bomb)
    assert result.exit_code == 2 and "would inflate to 300 MB" in result.stderr and "Traceback" not in result.stderr


def test_a_key_of_the_mapping_overrides_one_merged_in_as_ruamel_reads_it(tmp_path):
    from ruamel.yaml import YAML

    from protocolkit.load import parse_yaml

    text = "defaults: &d {name: a, role: b}\nperson:\n  <<: *d\n  name: x\nother:\n  name: y\n  <<: *d\n"
    fast = parse_yaml(text, "t.yaml").data
    slow = YAML(typ="rt").load(text)
    assert dict(fast["person"]) == dict(slow["person"]) == {"name": "x", "role": "b"}
    assert dict(fast["other"]) == dict(slow["other"]) == {"name": "y", "role": "b"}


def test_a_yaml_1_1_directive_is_a_finding_not_a_silent_difference(run, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("%YAML 1.1\n---\n" + EXAMPLE, encoding="utf-8")
    result = run("check", bad)
    assert result.exit_code == 1 and "bad.yaml:1:1" in result.stdout and "YAML 1.2" in result.stdout


def test_a_clean_check_says_what_it_checked(run):
    result = run("check", ROOT / "examples" / "northgate-high.yaml", "--today", "2027-01-01")
    assert result.exit_code == 0 and result.stdout.strip() == "checked 1 input: no problems"


def test_a_cluster_with_no_lead_school_is_an_error_and_is_not_built(run, tmp_path):
    text = (ROOT / "examples" / "harbour-cluster.yaml").read_text(encoding="utf-8").replace("  lead_school: harbour\n", "")
    bad = tmp_path / "cluster.yaml"
    bad.write_text(text, encoding="utf-8")
    result = run("check", bad, "--today", "2027-01-01")
    assert result.exit_code == 1 and "no school leads it" in result.stdout
    assert run("build", bad, "--out", tmp_path / "out").exit_code == 1


def test_build_preview_and_check_use_the_projects_own_library(run, tmp_path):
    assert run("init", tmp_path / "force").exit_code == 0
    project = tmp_path / "force"
    purpose = project / "clauses" / "purpose.yaml"
    purpose.write_text(purpose.read_text(encoding="utf-8").replace(
        "This protocol sets out how", "This protocol, as this force words it, sets out how", 1), encoding="utf-8")
    partnership = next((project / "partnerships").glob("*.yaml"))
    assert "as this force words it" in run("preview", partnership).stdout
    assert run("build", partnership, "--out", tmp_path / "out").exit_code == 0
    from docx import Document as Docx

    built = next((tmp_path / "out").rglob("protocol.docx"))
    assert any("as this force words it" in p.text for p in Docx(built).paragraphs)


def test_a_library_that_overrides_the_projects_own_is_named(run, tmp_path):
    from protocolkit.library import default_library_dir

    assert run("init", tmp_path / "force").exit_code == 0
    partnership = next((tmp_path / "force" / "partnerships").glob("*.yaml"))
    for command in (("preview", partnership), ("check", partnership),
                    ("build", partnership, "--out", tmp_path / "out")):
        own = run(*command)
        assert own.exit_code == 0 and "given by --library" not in own.stderr
        other = run(*command, "--library", default_library_dir())
        assert other.exit_code == 0, other.stderr
        assert "given by --library; not this project's own" in other.stderr
        assert other.stderr.splitlines()[0].endswith("clauses)")
        same = run(*command, "--library", tmp_path / "force" / "clauses")
        assert "given by --library" not in same.stderr


def test_diff_uses_the_projects_own_library_too(run, tmp_path):
    from protocolkit.library import default_library_dir

    assert run("init", tmp_path / "force").exit_code == 0
    project = tmp_path / "force"
    old = next((project / "partnerships").glob("*.yaml"))
    new = project / "partnerships" / "zz-copy.yaml"
    new.write_text(old.read_text(encoding="utf-8"), encoding="utf-8")
    assert run("diff", old, new).exit_code == 0
    with (project / "clauses" / "purpose.yaml").open("a", encoding="utf-8") as f:
        f.write("id: [\n")  # the project's library is now broken, the shipped one is not
    broken = run("diff", old, new)
    assert broken.exit_code == 2 and "purpose.yaml" in broken.stderr and "clause library" in broken.stderr
    shipped = run("diff", old, new, "--library", default_library_dir())
    assert shipped.exit_code == 0 and "not this project's own" in shipped.stderr


def _project_with_clause(run, tmp_path, text: str):
    """A project made by init whose library has one more protocol clause with this text; its partnership file."""
    import json as _json

    assert run("init", tmp_path / "force").exit_code == 0
    project = tmp_path / "force"
    finance = project / "clauses" / "finance.yaml"
    finance.write_text(finance.read_text(encoding="utf-8") + "  - id: finance.extra\n    title: Extra\n"
                       f"    section: finance\n    order: 99\n    text: {_json.dumps(text)}\n", encoding="utf-8")
    return project, next((project / "partnerships").glob("*.yaml"))


@pytest.mark.parametrize("expr", ATTACKS)
def test_a_library_clause_cannot_make_work_either(run, tmp_path, expr):
    project, partnership = _project_with_clause(run, tmp_path, expr)
    result = run("check", project / "clauses")
    assert result.exit_code == 1 and "template-unsafe" in result.stdout and "finance.extra" in result.stdout
    built = run("build", partnership, "--out", tmp_path / "out")
    assert built.exit_code == 1 and not list((tmp_path / "out").rglob("*.docx"))


def test_loops_a_library_allows_stop_at_the_work_limit_on_a_file_with_many_schools(run, tmp_path):
    """Loops over the partnership's own lists are allowed, but a hostile file's long lists cannot make them run on:
    three loops over 60 schools would step through 216,000 items."""
    loop = "{% for a in schools %}{% for b in schools %}{% for c in schools %}{% endfor %}{% endfor %}{% endfor %}"
    project, partnership = _project_with_clause(run, tmp_path, "Schools: " + loop)
    assert run("check", project / "clauses").exit_code == 0
    import copy

    from ruamel.yaml import YAML

    yaml = YAML()
    data = yaml.load(partnership.read_text(encoding="utf-8"))
    first = data["schools"][0]
    for i in range(59):
        school = copy.deepcopy(first)
        school["id"], school["name"] = f"school-{i}", f"School {i}"
        school.pop("urn", None)
        data["schools"].append(school)
    many = partnership.with_name("many.yaml")
    with many.open("w", encoding="utf-8") as out:
        yaml.dump(data, out)
    result = run("check", many)
    assert "template-limit" in result.stdout and "50,000 list items" in result.stdout, result.stdout
    assert run("build", many, "--out", tmp_path / "out").exit_code == 1


def test_a_local_value_with_no_name_is_refused_at_its_line(run, tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(EXAMPLE + "variables:\n  '': Bay 4\n  parking: Bay 5\n", encoding="utf-8")
    result = run("check", path)
    line = len(EXAMPLE.splitlines()) + 1
    assert result.exit_code == 1 and f"p.yaml:{line}:1: error schema variables: a local value has no name" in result.stdout
    path.write_text(EXAMPLE + "variables:\n  parking: Bay 5\n", encoding="utf-8")
    assert run("check", path).exit_code == 0
