"""The spine: loader positions, conditions, strict and sandboxed templates, numbering, check and schema via the CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import CLAUSES, EXAMPLES, FIXTURES, ROOT
from protocolkit import condition
from protocolkit.assemble import assemble, split_paragraphs
from protocolkit.library import load_library
from protocolkit.load import parse_yaml, position, read_yaml, validate
from protocolkit.model import Partnership
from protocolkit.schema import schema_files

EXAMPLE = FIXTURES / "spine" / "partnership.yaml"


def findings_json(result) -> list[dict]:
    return json.loads(result.stdout)["findings"]


# -- loader ---------------------------------------------------------------------------


def test_positions_are_one_based_for_keys_values_and_items():
    doc = parse_yaml("a: 1\nb:\n  c: x\n  d:\n    - p\n    - q\n", "f.yaml")
    assert position(doc.data, ["a"]) == (1, 4)
    assert position(doc.data, ["b", "c"]) == (3, 6)
    assert position(doc.data, ["b", "c"], at_key=True) == (3, 3)
    assert position(doc.data, ["b", "d", 1]) == (6, 7)
    # a path that goes further than the data stops at the deepest part that exists
    assert position(doc.data, ["b", "zzz"]) == (2, 1)


def test_missing_field_points_at_its_parent_mapping(tmp_path):
    text = EXAMPLE.read_text().replace("    dsl: {name: Priya Shah}\n", "")
    doc = parse_yaml(text, "p.yaml")
    _, found = validate(doc, Partnership)
    missing = [f for f in found if "dsl" in f.message]
    assert len(missing) == 1
    school_line = text.splitlines().index("  - id: northgate") + 1
    assert missing[0].line == school_line and missing[0].column == 5


def test_alias_bomb_is_refused_with_a_place():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 10)}]")
    from protocolkit.load import YamlProblem

    with pytest.raises(YamlProblem) as info:
        parse_yaml("\n".join(lines) + "\n", "bomb.yaml")
    assert info.value.finding.rule == "yaml-too-large"


def test_deep_nesting_is_refused():
    from protocolkit.load import YamlProblem

    with pytest.raises(YamlProblem) as info:
        parse_yaml("a: " + "[" * 80 + "]" * 80 + "\n", "deep.yaml")
    assert info.value.finding.rule in ("yaml-too-deep", "yaml-syntax")


def test_huge_file_is_refused(tmp_path, run):
    big = tmp_path / "big.yaml"
    big.write_text("id: big\nversion: '1'\n" + "# padding\n" * 500_000)
    result = run("check", big, "--format", "json")
    assert result.exit_code == 1
    assert findings_json(result)[0]["rule"] == "yaml-too-large"


# -- conditions -----------------------------------------------------------------------

FACTS = {
    "officer": "pcso", "deployment": "part-time", "days_per_week": 1.0, "schools": 4,
    "enhanced_service": "false", "local_authority": "true",
    "school.phase": ["primary", "primary", "secondary", "primary"],
    "school.status": ["maintained", "academy", "academy", "maintained"],
    "school.provision": ["mainstream", "mainstream", "special", "mainstream"],
    "school.public_authority": ["true", "true", "true", "true"],
}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("officer is pcso", True),
        ("officer is police-officer", False),
        ("officer is not police-officer", True),
        ("officer == pcso", True),
        ("officer != pcso", False),
        ("deployment in [shared, part-time]", True),
        ("deployment not in [shared, part-time]", False),
        ("any school.phase is secondary", True),
        ("school.phase is secondary", True),
        ("all school.phase is primary", False),
        ("no school.status is non-maintained-special", True),
        ("no school.status in [academy]", False),
        ("all school.status in [maintained, academy]", True),
        ("any school.provision is special", True),
        ("all school.public_authority is true", True),
        ("schools >= 4", True),
        ("schools > 4", False),
        ("schools < 2", False),
        ("days_per_week <= 1", True),
        ("schools in [2, 4]", True),
        ("enhanced_service is true", False),
        ("local_authority is true", True),
        ("not officer is pcso", False),
        ("officer is pcso and schools >= 2", True),
        ("officer is police-officer or schools >= 2", True),
        ("officer is police-officer and schools >= 2 or deployment is part-time", True),
        ("officer is police-officer and (schools >= 2 or deployment is part-time)", False),
        ("not (officer is pcso and deployment is cluster)", True),
    ],
)
def test_each_condition_form(text, expected):
    assert condition.evaluate(condition.parse(text), FACTS) is expected


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("", "empty"),
        ("officer is", "ends early"),
        ("officer is constable", "not a value"),
        ("rank is pc", "unknown fact"),
        ("any officer is pcso", "only with school facts"),
        ("schools >= many", "is a number"),
        ("officer >= pcso", "compares numbers"),
        ("officer is pcso schools >= 2", "join tests"),
        ("(officer is pcso", "ends early"),
        ("deployment in [shared", "ends early"),
        ("officer is pcso; rm", "unexpected character"),
        ("__import__('os')", "unexpected character"),
    ],
)
def test_bad_conditions_are_refused_with_a_reason(text, fragment):
    with pytest.raises(condition.ConditionError) as info:
        condition.parse(text)
    assert fragment in str(info.value)


def test_a_bad_condition_in_the_library_is_reported_at_its_line(tmp_path, run):
    lib = _mini_library(tmp_path, "    when: officer is constable\n")
    result = run("check", lib, "--format", "json")
    assert result.exit_code == 1
    (f,) = [f for f in findings_json(result) if "condition" in f["message"]]
    assert f["path"].endswith("topic.yaml") and f["line"] == 8


# -- templates ------------------------------------------------------------------------


def _mini_library(tmp_path: Path, extra: str = "", text: str = "The school is {{ school.name }}.") -> Path:
    lib = tmp_path / "lib"
    lib.mkdir()
    shutil.copy(CLAUSES / "documents.yaml", lib / "documents.yaml")
    shutil.copy(CLAUSES / "citations.yaml", lib / "citations.yaml")
    (lib / "topic.yaml").write_text(
        "topic: Test\n"
        "clauses:\n"
        "  - id: purpose.test\n"
        "    title: A test clause\n"
        "    section: purpose\n"
        "    text: |\n"
        f"      {text}\n"
        + extra
    )
    return lib


def _partnership() -> Partnership:
    return Partnership.model_validate(read_yaml(EXAMPLE).data)


def test_template_fills_variables(tmp_path):
    lib = load_library(_mini_library(tmp_path))
    doc, found = assemble(_partnership(), lib, "protocol")
    assert found == []
    assert doc.clauses()[0].paragraphs[0].text == "The school is Northgate High School."


def test_unknown_variable_is_a_library_error_at_the_clause(tmp_path, run):
    lib = _mini_library(tmp_path, text="Ask {{ school.headteacher }} or {{ mayor }}.")
    result = run("check", lib, "--format", "json")
    assert result.exit_code == 1
    messages = [f["message"] for f in findings_json(result) if f["rule"] == "unknown-variable"]
    assert any("school.headteacher" in m for m in messages)
    assert any("mayor" in m for m in messages)
    assert all(f["line"] == 7 for f in findings_json(result) if f["rule"] == "unknown-variable")


def test_missing_value_is_an_error_never_a_blank(tmp_path):
    lib = load_library(_mini_library(tmp_path, text="Parking: {{ local.parking }}."))
    assert lib.findings == []
    doc, found = assemble(_partnership(), lib, "protocol", "p.yaml")
    assert [f.rule for f in found] == ["undefined-variable"]
    assert "parking" in found[0].message
    assert all("Parking: ." not in p.text for c in doc.clauses() for p in c.paragraphs)


@pytest.mark.parametrize(
    "expr",
    [
        "{{ school.__class__.__mro__ }}",
        "{{ ''.__class__.__subclasses__() }}",
        "{{ lipsum.__globals__ }}",
        "{{ cycler.__init__.__globals__.os }}",
    ],
)
def test_templates_cannot_reach_python_internals(tmp_path, expr):
    lib = load_library(_mini_library(tmp_path, text=f"X {expr} Y"))
    doc, found = assemble(_partnership(), lib, "protocol", "p.yaml")
    assert found, "a template expression reaching for internals must be refused"
    assert {f.rule for f in found} <= {"template-unsafe", "undefined-variable"}
    text = " ".join(p.text for c in doc.clauses() for p in c.paragraphs)
    assert "class" not in text and "function" not in text


def test_paragraphs_and_bullets_are_split():
    paras = split_paragraphs("First line\ncontinues.\n\nThe officer will:\n- attend\n  meetings\n- report\n\nLast.\n")
    assert [(p.style, p.text) for p in paras] == [
        ("body", "First line continues."),
        ("body", "The officer will:"),
        ("bullet", "attend meetings"),
        ("bullet", "report"),
        ("body", "Last."),
    ]


# -- assembly -------------------------------------------------------------------------


def test_numbering_follows_the_outline_and_skips_empty_sections(tmp_path):
    lib = tmp_path / "lib"
    lib.mkdir()
    shutil.copy(CLAUSES / "documents.yaml", lib / "documents.yaml")
    (lib / "t.yaml").write_text(
        "topic: T\nclauses:\n"
        "  - {id: finance.b, title: B, section: finance, order: 20, text: b}\n"
        "  - {id: finance.a, title: A, section: finance, order: 10, text: a}\n"
        "  - {id: aims.one, title: One, section: aims, text: one}\n"
        "  - {id: aims.pcso, title: P, section: aims, text: p, when: officer is pcso}\n"
        "  - {id: aims.extra, title: E, section: aims, text: e, optional: true}\n"
    )
    doc, found = assemble(_partnership(), load_library(lib), "protocol")
    assert found == []
    assert [(s.number, s.id) for s in doc.sections] == [("1", "aims"), ("2", "finance")]
    assert [(c.number, c.id) for c in doc.clauses()] == [("1.1", "aims.one"), ("2.1", "finance.a"), ("2.2", "finance.b")]


def test_includes_excludes_overrides_and_local_clauses(tmp_path):
    lib = tmp_path / "lib"
    lib.mkdir()
    shutil.copy(CLAUSES / "documents.yaml", lib / "documents.yaml")
    (lib / "t.yaml").write_text(
        "topic: T\nclauses:\n"
        "  - {id: aims.one, title: One, section: aims, text: one}\n"
        "  - {id: aims.two, title: Two, section: aims, text: two}\n"
        "  - {id: aims.extra, title: Extra, section: aims, text: extra, optional: true}\n"
    )
    data = _partnership().model_dump()
    data["clauses"] = {
        "include": ["aims.extra"],
        "exclude": ["aims.two"],
        "overrides": {"aims.one": {"text": "local wording for {{ school.name }}"}},
        "local": [{"id": "local.parking", "title": "Parking", "section": "aims", "text": "Bay 4."}],
    }
    p = Partnership.model_validate(data)
    doc, found = assemble(p, load_library(lib), "protocol")
    assert found == []
    assert [c.id for c in doc.clauses()] == ["aims.one", "aims.extra", "local.parking"]
    assert doc.clauses()[0].paragraphs[0].text == "local wording for Northgate High School"


# -- the CLI --------------------------------------------------------------------------


def test_examples_and_library_check_clean(run):
    result = run("check", EXAMPLES, CLAUSES)
    assert result.exit_code == 0, result.stdout


def test_unknown_key_is_reported_at_its_line(tmp_path, run):
    bad = tmp_path / "bad.yaml"
    text = EXAMPLE.read_text() + "colour: blue\n"
    bad.write_text(text)
    result = run("check", bad)
    assert result.exit_code == 1
    line = len(text.splitlines())
    assert f"bad.yaml:{line}:1: error schema" in result.stdout
    assert "colour" in result.stdout and "Traceback" not in result.stdout + result.stderr


def test_yaml_syntax_error_is_reported_at_its_line(tmp_path, run):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nversion: '1'\nschools: [a, b\nforce: {}\n")
    result = run("check", bad, "--format", "json")
    assert result.exit_code == 1
    (f,) = findings_json(result)
    assert f["rule"] == "yaml-syntax" and f["line"] in (3, 4, 5)


def test_clause_choices_naming_unknown_clauses_are_errors(tmp_path, run):
    bad = tmp_path / "p.yaml"
    bad.write_text(EXAMPLE.read_text() + "clauses:\n  include: [training.no-such-module]\n")
    result = run("check", bad, "--format", "json")
    assert result.exit_code == 1
    (f,) = [f for f in findings_json(result) if f["rule"] == "unknown-clause"]
    assert f["line"] == len(EXAMPLE.read_text().splitlines()) + 2


def test_missing_path_exits_2_with_one_line(run, tmp_path):
    result = run("check", tmp_path / "nope.yaml")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "nope.yaml" in result.stderr


def test_bad_today_exits_2(run):
    result = run("check", EXAMPLE, "--today", "tomorrow")
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.stderr


def test_schema_command_writes_what_schemas_holds(tmp_path, run):
    result = run("schema", "--out", tmp_path)
    assert result.exit_code == 0
    written = sorted(p.name for p in tmp_path.iterdir())
    shipped = sorted(p.name for p in (ROOT / "schemas").glob("*.json"))
    assert written == shipped
    for name in written:
        assert (tmp_path / name).read_text() == (ROOT / "schemas" / name).read_text(), f"{name} drifted: run protocolkit schema --out schemas"


def test_schemas_in_step_with_models():
    for name, text in schema_files().items():
        assert (ROOT / "schemas" / name).read_text() == text, f"schemas/{name} drifted from the models"


def test_every_shipped_yaml_names_its_schema():
    for folder in ("clauses", "examples", "profiles"):
        for path in (ROOT / folder).glob("*.yaml"):
            first = path.read_text().splitlines()[0]
            assert first.startswith("# yaml-language-server: $schema="), path
            target = (path.parent / first.split("=", 1)[1]).resolve()
            assert target.is_file(), f"{path} names {target}, which does not exist"


def test_fast_loader_gives_the_round_trip_loaders_positions():
    """libyaml's nodes and ruamel's pure-Python round-trip loader agree on every position."""
    from ruamel.yaml import YAML

    from protocolkit import load

    assert load._CParser is not None, "ruamel.yaml.clib is a dependency: the fast loader must be in use"

    def walk(a, b, where):
        assert type(a) is type(b) or (isinstance(a, str) and isinstance(b, str)), where
        if isinstance(a, dict):
            assert list(a) == list(b), where
            for k in a:
                assert list(a.lc.data[k]) == list(b.lc.data[k]), (where, k)
                walk(a[k], b[k], f"{where}.{k}")
        elif isinstance(a, list):
            assert len(a) == len(b)
            for i, (x, y) in enumerate(zip(a, b)):
                assert list(a.lc.data[i]) == list(b.lc.data[i]), (where, i)
                walk(x, y, f"{where}[{i}]")
        else:
            assert a == b, where

    for path in [*sorted(EXAMPLES.glob("*.yaml")), *sorted(CLAUSES.glob("*.yaml"))]:
        text = path.read_text()
        walk(load.parse_yaml(text, str(path)).data, YAML(typ="rt").load(text), path.name)


def test_duplicate_keys_are_syntax_errors_at_the_second_key():
    from protocolkit.load import YamlProblem

    with pytest.raises(YamlProblem) as info:
        parse_yaml("a: 1\nb: 2\na: 3\n", "d.yaml")
    assert (info.value.finding.line, info.value.finding.column) == (3, 1)
    assert "first at line 1" in info.value.finding.message


def test_yaml_that_is_not_ours_is_skipped_not_failed(tmp_path, run):
    """pre-commit names every changed YAML file; a CI workflow must not fail the hook."""
    workflow = tmp_path / "ci.yml"
    workflow.write_text("name: ci\non: [push]\njobs:\n  a: {runs-on: x}\n")
    broken = tmp_path / "typo.yaml"
    broken.write_text("id: typo\nversion: '1'\nschool: []\n")
    result = run("check", workflow, EXAMPLE, ROOT / "profiles" / "england.yaml", "--format", "json")
    assert result.exit_code == 0, result.stdout
    assert {(f["rule"], f["severity"]) for f in findings_json(result)} == {("skipped-file", "info")}
    # a file that looks like a partnership is still checked as one
    result = run("check", broken, "--format", "json")
    assert result.exit_code == 1
    assert any("unknown key 'school'" in f["message"] for f in findings_json(result))


def test_a_control_character_is_refused_at_its_place_not_in_the_writer(tmp_path, run):
    bad = tmp_path / "ctl.yaml"
    bad.write_text(EXAMPLE.read_text().replace("name: Northgate High School", 'name: "Northgate\\x01 High School"'))
    line = next(i for i, l in enumerate(bad.read_text().splitlines(), 1) if "\\x01" in l)
    result = run("check", bad, "--format", "json")
    assert result.exit_code == 1
    (f,) = findings_json(result)
    assert (f["line"], f["rule"]) == (line, "yaml-syntax") and "U+0001" in f["message"]
    built = run("build", bad, "--out", tmp_path / "out")
    assert built.exit_code == 1 and "U+0001" in built.stderr
    assert not (tmp_path / "out" / "northgate-high").exists()
