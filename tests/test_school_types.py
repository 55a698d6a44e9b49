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


# -- each kind of school gets its own law ------------------------------------------------------------------------

from typing import Any  # noqa: E402

from protocolkit.assemble import assemble  # noqa: E402
from protocolkit.library import load_library  # noqa: E402
from protocolkit.model import Partnership  # noqa: E402
from protocolkit.project import load_partnership  # noqa: E402

LIB = load_library(ROOT / "clauses")
# Said of state schools only, or wrong for every school: never in a document whatever the school.
NEVER = ["first gateway is", "first basis for sharing", "victim or witness of an offence",
         "breach that is likely to result in a risk", "seriously disrupting good order", "and the streets and public",
         "decide together, with the police supervisor", "principal, principal", "college or college",
         "A college, a college", "Neither party", "through the funding agreement", "through their funding agreements", "takes part in Operation Encompass",
         "Each party is a public authority", "approves it before it is signed", "trust board of",
         "local authority's safeguarding duties under the Care Act 2014 apply", "is on school premises to enter"]


def _texts(name: str, edit=None) -> dict[str, str]:
    loaded = load_partnership(ROOT / "examples" / f"{name}.yaml", LIB)
    assert loaded.model is not None
    data: dict[str, Any] = loaded.model.model_dump()
    if edit:
        edit(data)
    p = Partnership.model_validate(data)
    out = {}
    for kind in ("protocol", "dsa"):
        doc, findings = assemble(p, LIB, kind)
        assert [f.message for f in findings if f.severity == "error"] == []
        out[kind] = " ".join(doc.plain_text().split())
    return out


def _school(**fields):
    def edit(d: dict) -> None:
        d["schools"][0].update({"type": None, "provision": None, "trust": "", "proprietor": "", **fields})
    return edit


CASES = {
    "maintained": (_school(status="maintained"), {
        "protocol": ["Section 175 of the Education Act 2002 requires the governing body of Northgate High School",
                     "for Northgate High School (maintained school): the governing body of Northgate High School"],
        "dsa": ["the controller of pupils' records is the governing body of Northgate High School",
                "Norfolk Constabulary and Northgate High School are public authorities", "Article 6(1)(e)"],
    }, ["Independent School Standards", "is not a public authority", "Article 6(1)(c)"]),
    "academy": (_school(status="academy", trust="Broadland Learning Trust"), {
        "protocol": ["In law an academy is an independent school",
                     "The academy trust is the proprietor of Northgate High School",
                     "for Northgate High School (academy): Broadland Learning Trust"],
        "dsa": ["paragraph 7 of the Independent School Standards, which apply to an academy because in law it is an "
                "independent school", "the controller of pupils' records is Broadland Learning Trust", "Article 6(1)(e)"],
    }, ["section 175 of the Education Act 2002 requires the governing body of Northgate", "is not a public authority"]),
    "special-academy": (_school(status="academy", provision="special", trust="Broadland Learning Trust"), {
        "protocol": ["(special academy): Broadland Learning Trust", "In law an academy is an independent school",
                     "Aims in a special school"],
        "dsa": ["Northgate High School (special academy)", "Article 6(1)(e)"],
    }, ["(maintained special school)", "governing body of Northgate High School", "is not a public authority"]),
    "non-maintained-special": (_school(status="non-maintained-special", proprietor="The Northgate Trust (a charity)"), {
        "protocol": ["Non-Maintained Special Schools (England) Regulations 2015",
                     "for Northgate High School (non-maintained special school): The Northgate Trust (a charity)",
                     "Northgate High School is not subject to that duty"],
        "dsa": ["Northgate High School is not a public authority", "Article 6(1)(c)", "Article 6(1)(ea)",
                "Norfolk Constabulary is a public authority"],
    }, ["Independent School Standards apply to Northgate", "governing body of Northgate High School",
        "Norfolk Constabulary and Northgate High School are"]),
    "independent": (_school(status="independent", proprietor="Northgate School Ltd"), {
        "protocol": ["The Independent School Standards apply to Northgate High School as an independent school",
                     "for Northgate High School (independent school): Northgate School Ltd",
                     "Northgate High School is not subject to that duty"],
        "dsa": ["Northgate High School is not a public authority", "Article 6(1)(c)", "Article 6(1)(ea)",
                "safeguarding of a vulnerable individual", "Northgate High School is not, and answers such requests"],
    }, ["academy trust", "section 175 of the Education Act 2002 requires",
        "Norfolk Constabulary and Northgate High School are public authorities"]),
    "pupil-referral-unit": (None, {
        "protocol": ["rests with the local authority that maintains The Beacon Centre",
                     "for The Beacon Centre (pupil referral unit): Dudley Metropolitan Borough Council",
                     "management committee"],
        "dsa": ["the controller of pupils' records is Dudley Metropolitan Borough Council",
                "For The Beacon Centre, the controller is the local authority that maintains it"],
    }, ["Independent School Standards", "governing body of The Beacon Centre", "the management committee of The Beacon"]),
    "further-education": (None, {
        "protocol": ["Fenland College", "the principal", "students", "sections 85AA to 85AC of the Further and Higher "
                     "Education Act 1992", "section 85C of the Further and Higher Education Act 1992",
                     "College discipline and police action"],
        "dsa": ["the controller of students' records is the corporation of Fenland College",
                "the duty to make enquiries belongs to the local authority under section 42 of the Care Act 2014, not "
                "to the college"],
    }, ["head teacher", "the school ", "The school ", "pupils", "permanent exclusion", "Education Act 1996 and",
        "Independent School Standards", "section 93 of the Education and Inspections Act",
        "College staff search under the Education Act 1996"]),
}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_each_kind_of_school_gets_its_own_duty_controller_and_lawful_basis(kind):
    edit, present, absent = CASES[kind]
    example = {"pupil-referral-unit": "beacon-pru", "further-education": "fenland-college"}.get(kind, "northgate-high")
    texts = _texts(example, edit)
    for doc, phrases in present.items():
        for phrase in phrases:
            assert phrase in texts[doc], (kind, doc, phrase)
    for doc in ("protocol", "dsa"):
        for phrase in absent + NEVER:
            assert phrase not in texts[doc], (kind, doc, phrase)


def test_a_cluster_mixing_kinds_names_each_schools_own_law(tmp_path, run):
    def edit(d: dict) -> None:
        d["schools"][1].update(status="independent", provision="mainstream", type=None, proprietor="Quayside Schools Ltd")
        d["schools"][3].update(status="non-maintained-special", provision=None, type=None, proprietor="Seaview Charity")

    texts = _texts("harbour-cluster", edit)
    protocol, dsa = texts["protocol"], texts["dsa"]
    assert "for Harbour Academy (academy): Estuary Schools Trust" in protocol
    assert "for Quayside Primary School (independent school): Quayside Schools Ltd" in protocol
    assert "for Seaview School (non-maintained special school): Seaview Charity" in protocol
    assert ("Essex Police, Essex County Council, Harbour Academy and Lighthouse Primary Academy are public "
            "authorities") in dsa
    assert "Quayside Primary School and Seaview School are not public authorities" in dsa
    assert "Article 6(1)(ea)" in dsa and "Quayside Primary School and Seaview School are not subject to that duty" in protocol
    assert "section 175 of the Education Act 2002 requires the governing body" not in protocol
    for phrase in NEVER:
        assert phrase not in protocol and phrase not in dsa


@pytest.mark.parametrize("name", ["northgate-high", "fenland-college", "harbour-cluster"])
def test_every_document_cites_the_new_duties(name):
    texts = _texts(name)
    protocol, dsa = texts["protocol"], texts["dsa"]
    assert "Section 49A of the Domestic Abuse Act 2021, in force since 7 November 2025" in protocol
    assert "section 49A of the Domestic Abuse Act 2021" in dsa
    assert "Section 16LA of the Children Act 2004" in protocol and "section 16LA of the Children Act 2004" in dsa
    assert "neither that basis nor legitimate interests under Article 6(1)(f) is available to a public authority" in dsa
    assert "section 164A of the Data Protection Act 2018" in dsa and "acknowledge a complaint within 30 days" in dsa
    assert "the Information Commission" in dsa
    assert "Chief Constable of" in protocol or "Commissioner of Police" in protocol


def test_a_pcso_uses_force_under_designated_powers_not_pace_s117():
    def pcso(d: dict) -> None:
        d["deployment"]["officer"] = "pcso"

    protocol = _texts("northgate-high", pcso)["protocol"]
    assert "a power designated to PCSOs under section 38 of the Police Reform Act 2002" in protocol
    assert "section 117 of the Police and Criminal Evidence Act" not in protocol
    assert "section 117 of the Police and Criminal Evidence Act" in _texts("northgate-high")["protocol"]


def test_two_schools_of_one_kind_are_spoken_of_as_two():
    protocol = _texts("harbour-cluster")["protocol"]
    assert "requires the governing body of each of Quayside Primary School and Seaview School" in protocol
    assert "The governing body of each of Quayside Primary School and Seaview School has" in protocol
    assert "Any head teacher (for that school) or Essex Police may suspend" in protocol
    assert "the schools have agreed to fund an enhanced service" in protocol


def test_adult_students_parents_are_told_only_with_their_agreement():
    protocol = _texts("fenland-college")["protocol"]
    assert protocol.count("only with the student's agreement or where the law requires it") >= 2
