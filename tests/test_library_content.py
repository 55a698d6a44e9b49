"""The clause library's substance: every example checks clean and assembles whole, each variant
changes the text where it should, the register's dated references are absent from what we
produce and its patterns find them where they exist, and the current law is cited."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from protocolkit.assemble import assemble
from protocolkit.document import Document
from protocolkit.library import Library, load_library
from protocolkit.model import Partnership
from protocolkit.project import load_partnership

ROOT = Path(__file__).resolve().parent.parent
CLAUSES = ROOT / "clauses"
EXAMPLES = ROOT / "examples"
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))
KINDS = ("protocol", "dsa")
REFERENCE_TEXTS = ROOT.parent / "shared" / "reference"

PROTOCOL_WORD_FLOOR = 5000
DSA_WORD_FLOOR = 2000

# Current law and guidance the library must rest on, by register id.
REQUIRED_CITATIONS = {
    "dpa-2018", "uk-gdpr", "kcsie", "equality-act-2010", "working-together-2026", "searching-guidance",
    "pace-1984", "pace-code-a", "pace-code-c", "children-social-work-act-2017", "operation-encompass",
    "prevent-duty-guidance", "npcc-when-to-call-police", "information-sharing-advice", "asbcpa-2014",
    "laspo-2012", "pofa-2012", "ico-data-sharing-code", "security-classifications", "education-act-2002",
    "independent-school-standards", "domestic-abuse-act-2021", "duaa-2025", "children-act-2004", "cwsa-2026",
    "pcsc-act-2022", "ctsa-2015", "eia-2006", "restrictive-interventions-guidance", "nudes-advice",
    "exclusion-guidance", "bwv-guidance", "police-records-code",
}
# Cited by every partnership's documents, whatever its facts.
CITED_BY_EVERY_EXAMPLE = {
    "dpa-2018", "uk-gdpr", "kcsie", "equality-act-2010", "working-together-2026", "searching-guidance",
    "pace-code-a", "pace-code-c", "npcc-when-to-call-police", "ico-data-sharing-code", "domestic-abuse-act-2021",
    "duaa-2025", "children-act-2004",
}

# Phrases as old documents word them: every pattern of every dated entry must find one of these.
DATED_SAMPLES = {
    "dpa-1998": ["processed in line with the Data Protection Act 1998", "under the DPA 1998"],
    "sensitive-personal-data": ["this includes sensitive personal data about pupils"],
    "ico-data-sharing-code-2011": ["the ICO Data Sharing Code of Practice (May 2011)", "the 2011 data sharing code"],
    "crb": ["an enhanced CRB check", "a Criminal Records Bureau disclosure"],
    "isa": ["registered with the Independent Safeguarding Authority", "ISA registration is required",
            "staff hold CRB/ISA checks"],
    "list-99": ["checked against List 99"],
    "asbo": ["pupils subject to an ASBO", "an anti-social behaviour order"],
    "acceptable-behaviour-contract": ["signing an Acceptable Behaviour Contract", "ASBO/ABC",
                                      "an ABC signed with the pupil and parents about behaviour"],
    "reprimand": ["a police reprimand", "those who receive final warnings/reprimands", "reprimands and final warnings",
                  "a reprimand given by the police"],
    "final-warning": ["given a final warning by the police"],
    "race-relations-act": ["the Race Relations (amendment) Act, 2000"],
    "disability-discrimination-act": ["Part 4 of the Disability Discrimination Act, 1995 (DDA)"],
    "equality-act-2006": ["the Equalities Act 2006"],
    "equality-commissions": ["the Commission for Racial Equality code", "the Disability Rights Commission",
                             "the Equal Opportunities Commission"],
    "safer-recruitment-2006": ["'Safeguarding Children and Safer Recruitment in Education'"],
    "lscb": ["the Local Safeguarding Children Board procedures", "the LSCB"],
    "every-child-matters": ["the five Every Child Matters outcomes", "the ECM outcomes"],
    "dcsf": ["DCSF guidance", "Dept. for Children, Schools and Families 2006"],
    "contactpoint": ["Contact Point is an online directory", "checked on ContactPoint"],
    "national-indicator-set": ["the National Indicator Set", "NI 111 - first time entrants"],
    "acpo": ["the ACPO standard scale of charging", "the Association of Chief Police Officers"],
    "prevent-guidance-2015": ["the Prevent duty guidance (2015)", "the 2015 Prevent duty guidance",
                              "Revised Prevent duty guidance: for England and Wales",
                              "Prevent duty guidance: for further education institutions in England and Wales"],
    "protective-marking-restricted": ["RESTRICTED - POLICE"],
    "protective-marking-protect": ["PROTECT", "PROTECT - PERSONAL"],
    "not-protectively-marked": ["Not Protectively Marked", "Protective marking: NPM", "NPM"],
    "ceop-centre": ["the CEOP Centre", "the Child Exploitation and Online Protection Centre"],
    "thinkuknow": ["Thinkuknow resources"],
    "working-together-old": ["Working Together to Safeguard Children 2018", "Working Together to Safeguard Children (March 2015)",
                             "Working Together to Safeguard Children 2023", "Working Together 2018"],
    "information-sharing-advice-old": ["Information sharing: advice for practitioners (July 2018)",
                                       "Information Sharing: Guidance for Practitioners and Managers"],
    "teachernet": ["www.teachernet.gov.uk"],
    "childrens-trust": ["the Children’s Trust Board", "children's trust arrangements"],
    "connexions": ["agencies such as Connexions"],
    "cdrp": ["the Crime and Disorder Reduction Partnership", "the local CDRP", "crime and disorder partnership strategies"],
    "local-education-authority": ["the Local Education Authority", "the LEA", "protocols with Education Authorities"],
    "dfes": ["guidance from the Department for Education and Skills", "DfES circular 10/95"],
    "gdpr-unqualified": ["the GDPR", "the General Data Protection Regulation", "Regulation (EU) 2016/679"],
    "kcsie-old-edition": ["Keeping Children Safe in Education (September 2016)", "KCSIE 2023", "the 2019 KCSIE"],
    "sre": ["our Sex and Relationship Education policy", "SRE lessons"],
    "ccg": ["the Clinical Commissioning Group", "the CCG designated nurse"],
    "police-authority": ["the Police Authority", "the Metropolitan Police Authority", "the MPA and the police"],
    "fixed-term-exclusion": ["a fixed-term exclusion", "excluded for a fixed period", "FTEs and exclusions"],
    "domestic-violence-definition": ["the cross-government definition of domestic violence", "the definition of domestic violence",
                                     "domestic violence is defined as", "domestic violence is any incident"],
    "operation-encompass-voluntary": ["Operation Encompass is a voluntary scheme", "a voluntary arrangement known as Operation Encompass",
                                      "the force takes part in Operation Encompass", "schools that have signed up to Operation Encompass"],
    "sexting": ["sexting incidents", "youth produced sexual imagery", "YPSI"],
    "use-of-reasonable-force-2013": ["Use of reasonable force: advice for headteachers", "Use of Reasonable Force (July 2013)",
                                     "the DfE (2013) use of reasonable force"],
    "mopi-code-2005": ["the Code of Practice on the Management of Police Information", "the MoPI Code",
                       "the Management of Police Information (MoPI) Code of Practice"],
    "serious-case-review": ["a serious case review", "the SCR into the child's death"],
    "peer-on-peer": ["peer-on-peer abuse"],
    "gpms": ["the Government Protective Marking Scheme", "GPMS"],
    "ukccis": ["the UK Council for Child Internet Safety", "UKCCIS guidance"],
    "channel-guidance-old": ["Channel Duty Guidance: Protecting vulnerable people from being drawn into terrorism"],
}

# Current wording that must not be mistaken for a dated reference.
CURRENT_PHRASES = [
    "Data Protection Act 2018", "UK GDPR special category data", "an enhanced DBS check with a barred list check",
    "Working Together to Safeguard Children 2026", "Prevent duty guidance (2023)",
    "Information sharing: advice for practitioners (2024)", "NCA CEOP Education", "challenge unacceptable behaviour",
    "agree any restricted areas", "marked OFFICIAL", "OFFICIAL-SENSITIVE", "the National Police Chiefs' Council",
    "a youth caution", "the head teacher may reprimand a pupil", "a visible and familiar point of contact",
    "the academy trust board", "the local authority", "the Equality Act 2010", "the youth justice service",
    "Department for Education", "How we protect children", "a civil injunction or criminal behaviour order",
]


@pytest.fixture(scope="module")
def lib() -> Library:
    library = load_library(CLAUSES)
    assert [f for f in library.findings if f.severity == "error"] == []
    return library


def _model(name: str, lib: Library) -> Partnership:
    loaded = load_partnership(EXAMPLES / f"{name}.yaml", lib)
    assert loaded.ok, [str(f) for f in loaded.findings]
    assert loaded.model is not None
    return loaded.model


def _variant(base: Partnership, edit) -> Partnership:
    """A copy of a partnership with its data edited in place by `edit`, validated again."""
    data: dict[str, Any] = base.model_dump()
    edit(data)
    return Partnership.model_validate(data)


def _doc(p: Partnership, lib: Library, kind: str = "protocol") -> Document:
    doc, findings = assemble(p, lib, kind)
    errors = [f"{f.rule}: {f.message}" for f in findings if f.severity == "error"]
    assert errors == []
    return doc


def _ids(doc: Document) -> set[str]:
    return {c.id for s in doc.sections for c in s.clauses}


def _words(doc: Document) -> int:
    return len(doc.plain_text().split())


def _dated_patterns(lib: Library) -> list[tuple[str, re.Pattern[str]]]:
    return [(d.id, re.compile(p, re.IGNORECASE | re.MULTILINE)) for d in lib.dated for p in d.patterns]


def _dated_hits(text: str, lib: Library) -> list[str]:
    return sorted({f"{rid}: {m.group(0)!r}" for rid, pat in _dated_patterns(lib) for m in pat.finditer(text)})


# -- the CLI ------------------------------------------------------------------------------


def test_library_and_examples_check_clean_through_the_cli(run):
    result = run("check", CLAUSES, EXAMPLES, "--format", "json")
    report = json.loads(result.stdout)
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert errors == []
    assert result.exit_code == 0


def test_examples_folder_checks_clean_on_its_own(run):
    result = run("check", EXAMPLES)
    assert result.exit_code == 0, result.stdout


def test_there_are_at_least_five_examples():
    assert len(EXAMPLE_FILES) >= 5


# -- completeness -------------------------------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
@pytest.mark.parametrize("kind", KINDS)
def test_every_section_of_both_documents_is_present(path: Path, kind: str, lib: Library):
    doc = _doc(_model(path.stem, lib), lib, kind)
    present = [s.id for s in doc.sections]
    assert present == lib.section_ids(kind)
    assert all(s.clauses and all(c.paragraphs for c in s.clauses) for s in doc.sections)


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_documents_run_to_several_thousand_words(path: Path, lib: Library):
    p = _model(path.stem, lib)
    assert _words(_doc(p, lib, "protocol")) > PROTOCOL_WORD_FLOOR
    assert _words(_doc(p, lib, "dsa")) > DSA_WORD_FLOOR


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_no_unfilled_template_or_doubled_words(path: Path, lib: Library):
    p = _model(path.stem, lib)
    for kind in KINDS:
        doc = _doc(p, lib, kind)
        text = doc.plain_text()
        assert "{{" not in text and "{%" not in text
        # every paragraph and bullet starts as a sentence does (a variable such as "the officer" first is lower-case)
        starts = [para.text[:30] for c in doc.clauses() for para in c.paragraphs if para.text[:1].islower()
                  and para.style != "bullet"]
        assert starts == [], starts
        assert not re.search(r"\b(the|a|of|and|to) \1\b", text, re.IGNORECASE)
        # "a" before a vowel sound: words starting with "u" are left out ("a unit", "a universal service").
        assert not re.search(r"\ba [aeio]\w+", text), kind


def test_examples_exercise_every_partnership_field(lib: Library):
    models = [_model(p.stem, lib) for p in EXAMPLE_FILES]
    top = set(Partnership.model_fields)
    used = {name for m in models for name in m.model_fields_set}
    assert top - used == set()
    assert {m.deployment.model for m in models} == {"dedicated", "shared", "part-time", "cluster"}
    assert {m.deployment.officer for m in models} == {"police-officer", "pcso"}
    assert {"maintained", "academy", "pupil-referral-unit", "further-education"} <= {s.status for m in models for s in m.schools}
    assert {"mainstream", "special", "alternative"} <= {s.provision for m in models for s in m.schools}
    assert any(m.clauses.include for m in models) and any(m.clauses.exclude for m in models)
    assert any(m.clauses.overrides for m in models) and any(m.clauses.local for m in models)
    assert any(s.chair_of_governors for m in models for s in m.schools)
    assert {True, False} == {m.enhanced_service for m in models}


# -- variants -----------------------------------------------------------------------------


def test_officer_and_pcso_read_differently(lib: Library):
    officer = _model("northgate-high", lib)
    pcso = _variant(officer, lambda d: d["deployment"].update(officer="pcso"))
    a, b = _doc(officer, lib), _doc(pcso, lib)
    assert {"deployment.officer", "roles.officer-constable", "searching.police-powers"} <= _ids(a)
    assert {"deployment.pcso", "roles.officer-pcso", "searching.pcso"} <= _ids(b)
    assert "section 139B of the Criminal Justice Act 1988" in a.plain_text()
    assert "139B" not in b.plain_text()
    assert "not a constable" in b.plain_text() and "Police Reform Act 2002" in b.plain_text()
    assert "the PCSO" in b.plain_text() and "the PCSO" not in a.plain_text()


@pytest.mark.parametrize(("model", "clause", "phrase"), [
    ("dedicated", "deployment.dedicated", "is dedicated to"),
    ("shared", "deployment.shared", "is shared between"),
    ("part-time", "deployment.part-time", "a week to the partnership"),
    ("cluster", "deployment.cluster", "the lead school of"),
])
def test_each_deployment_model_has_its_own_text(model: str, clause: str, phrase: str, lib: Library):
    base = _model("wensum-valley-pcso", lib)

    def edit(d: dict) -> None:
        d["deployment"].update(model=model, lead_school="bure-park" if model == "cluster" else None)

    doc = _doc(_variant(base, edit), lib)
    others = {"deployment.dedicated", "deployment.shared", "deployment.part-time", "deployment.cluster"} - {clause}
    assert clause in _ids(doc) and not (others & _ids(doc))
    assert phrase in doc.plain_text()


def test_cluster_names_its_lead_school_and_feeder_primaries(lib: Library):
    doc = _doc(_model("harbour-cluster", lib), lib)
    assert {"deployment.cluster", "deployment.cluster-primaries", "programme.cluster-transition"} <= _ids(doc)
    assert "based at Harbour Academy, the lead school of the cluster" in doc.plain_text()


def test_part_time_in_one_school_does_not_speak_of_several(lib: Library):
    doc = _doc(_model("beacon-pru", lib), lib)
    assert "deployment.part-time-single" in _ids(doc) and "deployment.part-time" not in _ids(doc)
    assert "shared among" not in doc.plain_text()


def test_enhanced_service_changes_the_finance_section(lib: Library):
    base = _model("northgate-high", lib)
    universal = _doc(base, lib)
    enhanced = _doc(_variant(base, lambda d: d.update(enhanced_service=True)), lib)
    assert "finance.no-enhanced" in _ids(universal) and "finance.enhanced" not in _ids(universal)
    assert "finance.enhanced" in _ids(enhanced) and "finance.no-enhanced" not in _ids(enhanced)
    assert "buys police time" in enhanced.plain_text()


def test_local_authority_joins_the_parties(lib: Library):
    base = _model("northgate-high", lib)
    with_la = _variant(base, lambda d: d.update(local_authority={"name": "Norfolk County Council"}))
    assert "purpose.local-authority" in _ids(_doc(with_la, lib))
    assert "dsa.parties.local-authority" in _ids(_doc(with_la, lib, "dsa"))
    assert "Norfolk County Council" not in _doc(base, lib).plain_text()


def test_optional_training_modules_come_only_when_included(lib: Library):
    base = _model("northgate-high", lib)
    optional = sorted(c.model.id for c in lib.clauses.values() if c.model.optional)
    assert len(optional) >= 8 and all(cid.startswith("training.module.") for cid in optional)
    bare = _variant(base, lambda d: d["clauses"].update(include=[]))
    assert not set(optional) & _ids(_doc(bare, lib))
    full = _variant(base, lambda d: d["clauses"].update(include=optional))
    assert set(optional) <= _ids(_doc(full, lib))
    defaults = {"training.module.safeguarding", "training.module.search", "training.module.information-sharing",
                "training.module.restorative"}
    assert defaults <= _ids(_doc(bare, lib))


def test_local_variables_overrides_and_local_clauses_reach_the_text(lib: Library):
    doc = _doc(_model("eastfield-kingsmead", lib), lib)
    text = doc.plain_text()
    assert "the Weston Road bus interchange" in text
    assert "meets both SPOCs together every week" in text
    assert {"local.timetable", "local.bus-interchange"} <= _ids(doc)


# -- currency of the law ------------------------------------------------------------------


def test_required_law_is_in_the_register_and_cited(lib: Library):
    cited = {cite for c in lib.clauses.values() for cite in c.model.cites}
    assert REQUIRED_CITATIONS - set(lib.citations) == set()
    assert REQUIRED_CITATIONS - cited == set()
    # Each entry says when it was last checked and against what: every one was checked again for this edition
    # (2026-12-01 and 2026-12-02), none is left as the first edition checked it.
    entries = [*lib.citations.values(), *lib.dated]
    assert {e.checked.isoformat() for e in entries} <= {"2026-12-01", "2026-12-02"}
    assert all(e.source and "not re-checked" not in e.source for e in entries)
    assert {"domestic-abuse-act-2021", "duaa-2025", "cwsa-2026", "children-act-2004"} <= {
        c.id for c in lib.citations.values() if c.checked.isoformat() == "2026-12-01"}


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_every_example_cites_the_core_law(path: Path, lib: Library):
    p = _model(path.stem, lib)
    cited = {cite for kind in KINDS for s in _doc(p, lib, kind).sections for c in s.clauses for cite in c.citations}
    assert CITED_BY_EVERY_EXAMPLE - cited == set()


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_no_dated_reference_in_any_assembled_document(path: Path, lib: Library):
    base = _model(path.stem, lib)
    optional = [c.model.id for c in lib.clauses.values() if c.model.optional]
    everything = _variant(base, lambda d: d["clauses"].update(include=optional))
    for kind in KINDS:
        assert _dated_hits(_doc(everything, lib, kind).plain_text(), lib) == []


def test_no_dated_reference_in_any_clause_text(lib: Library):
    for c in lib.clauses.values():
        text = "\n".join([c.model.title, c.model.text, *c.model.items])
        assert _dated_hits(text, lib) == [], c.model.id


def test_no_wrong_gateway_or_wrong_duty_in_assembled_documents(lib: Library):
    for path in EXAMPLE_FILES:
        p = _model(path.stem, lib)
        for kind in KINDS:
            text = _doc(p, lib, kind).plain_text()
            # s115 is named only to say it is not a gateway to a school, in the local authority's clause
            for m in re.finditer(r"\b(section|s\.?)\s*115\b", text, re.IGNORECASE):
                sentence = text[text.rfind(".", 0, m.start()) + 1:text.find(".", m.end())]
                assert "not to a school" in sentence and "never" in text[m.end():m.end() + 200], sentence
            # s11 of the Children Act 2004 is the police's duty (and the council's), never a school's
            for m in re.finditer(r"section 11 of the Children Act 2004", text):
                before = text[max(0, m.start() - 200):m.start()]
                assert re.search(r"chief officer of police|police", before), before


def test_every_dated_pattern_finds_its_samples(lib: Library):
    assert {d.id for d in lib.dated} == set(DATED_SAMPLES)
    for d in lib.dated:
        for pattern in d.patterns:
            rx = re.compile(pattern, re.IGNORECASE | re.MULTILINE)
            assert any(rx.search(s) for s in DATED_SAMPLES[d.id]), (d.id, pattern)


def test_dated_patterns_leave_current_wording_alone(lib: Library):
    for phrase in CURRENT_PHRASES:
        assert _dated_hits(phrase, lib) == [], phrase


def test_domain_table_rows_are_all_in_the_register(lib: Library):
    dated_names = " | ".join(d.dated for d in lib.dated)
    for old in ("Data Protection Act 1998", "sensitive personal data", "2011", "CRB", "ISA", "List 99", "ASBO",
                "Acceptable Behaviour Contract", "reprimand", "final warning", "Race Relations", "Disability Discrimination",
                "Equality Act 2006", "Safer Recruitment", "Local Safeguarding Children Boards", "Every Child Matters",
                "DCSF", "ContactPoint", "National Indicator Set", "ACPO", "Prevent duty guidance (2015)", "RESTRICTED",
                "PROTECT", "NOT PROTECTIVELY MARKED", "CEOP Centre", "Thinkuknow", "Working Together",
                "information sharing advice", "Teachernet"):
        assert old.lower() in dated_names.lower(), old
    for d in lib.dated:
        if d.replacement_id:
            assert d.replacement_id in lib.citations, d.id


@pytest.mark.skipif(not REFERENCE_TEXTS.is_dir(), reason="the reference texts are kept beside the repository, not in it")
def test_patterns_find_what_the_reference_texts_hold(lib: Library):
    corpus = "\n".join(p.read_text(encoding="utf-8") for p in sorted(REFERENCE_TEXTS.glob("*.txt")))
    found = {rid for rid, pat in _dated_patterns(lib) if pat.search(corpus)}
    assert {"crb", "asbo", "reprimand", "final-warning", "race-relations-act", "disability-discrimination-act",
            "equality-act-2006", "safer-recruitment-2006", "every-child-matters", "dcsf", "contactpoint",
            "national-indicator-set", "acpo", "teachernet", "information-sharing-advice-old"} <= found
