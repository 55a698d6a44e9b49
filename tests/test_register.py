"""The register of dated references on real sentences: every dated thing the 2026 review named is flagged, once,
with its replacement; innocent sentences that merely share a word are not; and a stale register is reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from protocolkit.check.rules._common import compiled_register, dated_matches
from protocolkit.library import load_library

ROOT = Path(__file__).resolve().parent.parent
LIB = load_library(ROOT / "clauses")
REGISTER = compiled_register(LIB)
EXAMPLE = (ROOT / "tests" / "fixtures" / "check" / "partnership.yaml").read_text(encoding="utf-8")

# (sentence as old documents word it, the register entry that must flag it)
DATED = [
    ("This guidance was issued by the Department for Education and Skills.", "dfes"),
    ("Schools must follow DfES guidance on exclusions.", "dfes"),
    ("All processing complies with the GDPR.", "gdpr-unqualified"),
    ("The school processes data under the EU GDPR.", "gdpr-unqualified"),
    ("Data is processed in accordance with Regulation (EU) 2016/679.", "gdpr-unqualified"),
    ("Staff follow Keeping Children Safe in Education (September 2016).", "kcsie-old-edition"),
    ("Read Part 1 of KCSIE 2023 before starting.", "kcsie-old-edition"),
    ("Staff are trained in Working Together to Safeguard Children 2018.", "working-together-old"),
    ("The arrangements follow Working Together to Safeguard Children 2023.", "working-together-old"),
    ("See Working Together to Safeguard Children (HM Government, 2023).", "working-together-old"),
    ("See Working Together to Safeguard Children (updated December 2023).", "working-together-old"),
    ("The partners follow Working Together 2018 in full.", "working-together-old"),
    ("The school follows the Revised Prevent duty guidance: for England and Wales.", "prevent-guidance-2015"),
    ("Sharing follows the ICO Data Sharing Code of Practice (May 2011).", "ico-data-sharing-code-2011"),
    ("The officer supports the Sex and Relationship Education programme.", "sre"),
    ("The Clinical Commissioning Group is a safeguarding partner.", "ccg"),
    ("The protocol was approved by the Police Authority.", "police-authority"),
    ("A fixed-term exclusion may follow a serious incident.", "fixed-term-exclusion"),
    ("We use the cross-government definition of domestic violence.", "domestic-violence-definition"),
    ("Operation Encompass is a voluntary scheme between the police and schools.", "operation-encompass-voluntary"),
    ("The force takes part in Operation Encompass.", "operation-encompass-voluntary"),
    ("Warn pupils about the dangers of sexting.", "sexting"),
    ("Staff follow Use of reasonable force: advice for headteachers, staff and governing bodies.",
     "use-of-reasonable-force-2013"),
    ("Records are kept under the Code of Practice on the Management of Police Information.", "mopi-code-2005"),
    ("An enhanced CRB check is required.", "crb"),
    ("Pupils subject to an ASBO are discussed at the meeting.", "asbo"),
    ("The officer may issue a police reprimand.", "reprimand"),
    ("Offenders receive a final warning from the police.", "final-warning"),
    ("Information is marked RESTRICTED.", "protective-marking-restricted"),
]

# Sentences that share a word with a dated reference but are current and correct.
INNOCENT = [
    "A pupil who ignores a final warning under the behaviour policy is given a detention.",
    "The head teacher may issue a formal reprimand to a member of staff under the disciplinary procedure.",
    "Parents may open a Cash ISA for their child.",
    "Staff learn the ABC of first aid: airway, breathing, circulation.",
    "NPM software is used to manage the school's website packages.",
    "RESTRICTED AREAS are marked on the site plan.",
    "Birmingham Children's Trust provides children's social care for the city council.",
    "The Children and Young People's Plan 2015-18 sets out the council's priorities.",
    "The Data Protection Act 2018 replaced the Data Protection Act 1998.",
    "Local Safeguarding Children Boards were abolished in 2019.",
    "This information sharing agreement (ISA) is reviewed every year.",
    "The ISA is signed by each party's authorised signatory.",
    "The British Transport Police Authority oversees British Transport Police.",
    "The Domestic Violence Disclosure Scheme lets a person ask about a partner's history.",
    "The Domestic Violence, Crime and Victims Act 2004 created the offence.",
    "The UK GDPR and the Data Protection Act 2018 apply.",
    "Sharing nudes and semi-nudes (sometimes called sexting) is dealt with under the UKCIS advice.",
    "Keeping Children Safe in Education 2025 applies from 1 September 2025.",
    "The force has a statutory duty under section 49A of the Domestic Abuse Act 2021 (Operation Encompass).",
    "A suspension is recorded on the pupil's file.",
    "Working Together to Safeguard Children 2026 sets out the arrangements.",
    "Working Together to Safeguard Children 2026 replaced the 2023 edition.",
    "Schools and the police working together 2026 onwards.",
    "The integrated care board replaced the clinical commissioning group in 2022.",
    "The police and crime commissioner replaced the police authority in 2012.",
]


@pytest.mark.parametrize(("sentence", "entry"), DATED, ids=[e for _, e in DATED])
def test_each_dated_reference_is_flagged_once_by_its_entry(sentence, entry):
    hits = dated_matches(sentence, REGISTER)
    assert [e.id for e, _, _ in hits] == [entry], sentence


@pytest.mark.parametrize("sentence", INNOCENT)
def test_innocent_sentences_are_not_flagged(sentence):
    assert [(e.id, m.group(0)) for e, m, _ in dated_matches(sentence, REGISTER)] == []


def test_one_reference_matched_by_two_patterns_is_one_finding():
    hits = dated_matches("Pupils who receive final warnings/reprimands are referred.", REGISTER)
    assert [(e.id, m.group(0)) for e, m, _ in hits] == [("reprimand", "final warnings/reprimands")]


def _local_clause(text: str) -> str:
    return EXAMPLE + ("clauses:\n  local:\n    - id: local.note\n      title: Note\n      section: finance\n"
                      f"      text: {json.dumps(text)}\n")


def test_through_the_cli_dated_sentences_are_findings_and_innocent_ones_are_not(tmp_path, run):
    flagged = tmp_path / "flagged.yaml"
    flagged.write_text(_local_clause(" ".join(s for s, _ in DATED)), encoding="utf-8")
    result = run("check", flagged, "--format", "json", "--today", "2027-06-01")
    found = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "dated-reference"]
    assert result.exit_code == 1 and len(found) == len(DATED)
    assert all(f["line"] and "now:" in f["message"] for f in found)
    clean = tmp_path / "clean.yaml"
    clean.write_text(_local_clause(" ".join(INNOCENT)), encoding="utf-8")
    result = run("check", clean, "--format", "json", "--today", "2027-06-01")
    assert [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "dated-reference"] == []


def test_every_register_entry_says_when_and_against_what_it_was_checked():
    assert all(c.checked and c.source for c in LIB.citations.values())
    assert all(d.checked and d.source for d in LIB.dated)


def test_a_stale_register_entry_is_reported_a_year_after_its_check(run):
    current = run("check", ROOT / "clauses", "--format", "json", "--today", "2027-06-01")
    assert [f for f in json.loads(current.stdout)["findings"] if f["rule"] == "register-stale"] == []
    stale = run("check", ROOT / "clauses", "--format", "json", "--today", "2028-01-01")
    found = [f for f in json.loads(stale.stdout)["findings"] if f["rule"] == "register-stale"]
    assert len(found) == len(LIB.citations) + len(LIB.dated)
    assert all(f["severity"] == "warning" and f["path"].endswith("citations.yaml") and f["line"] for f in found)
    assert stale.exit_code == 0


def test_what_is_not_yet_in_force_is_recorded_for_a_later_edition():
    not_yet = {c.id: c for c in LIB.citations.values() if c.status != "in-force"}
    assert {"children-act-2004", "cwsa-2026", "duaa-2025", "information-sharing-duty-guidance"} <= set(not_yet)
    assert "consistent child identifier" in not_yet["children-act-2004"].note
    assert "multi-agency child protection teams" in not_yet["children-act-2004"].note


def test_the_word_prefilter_changes_no_result(monkeypatch):
    """required_words only skips patterns that cannot match: the same findings with and without it."""
    from protocolkit.check.rules import _common
    from test_library_content import CURRENT_PHRASES, DATED_SAMPLES

    texts = [s for samples in DATED_SAMPLES.values() for s in samples] + CURRENT_PHRASES + [s for s, _ in DATED] + INNOCENT
    with_filter = [[(e.id, m.span()) for e, m, _ in dated_matches(t, REGISTER)] for t in texts]
    monkeypatch.setattr(_common, "required_words", lambda pattern: None)
    without = [[(e.id, m.span()) for e, m, _ in _common.dated_matches(t, REGISTER)] for t in texts]
    assert with_filter == without and sum(map(len, with_filter)) > len(DATED)
