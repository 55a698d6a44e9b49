"""Property tests: no input text makes the condition parser or the YAML loader fail with anything but a finding."""

from __future__ import annotations

from unittest.mock import patch

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import COUNTS

from protocolkit import condition
from protocolkit.load import YamlProblem, parse_yaml

WORDS = st.sampled_from(["officer", "is", "not", "in", "[", "]", ",", "pcso", "and", "or", "(", ")", "schools",
                         ">=", "2", "any", "school.status", "academy", "all", "deployment", "cluster", "no", "x"])


@given(st.lists(WORDS, max_size=12).map(" ".join))
@settings(max_examples=400, deadline=None)
def test_conditions_parse_or_fail_cleanly(text):
    facts = {"officer": "pcso", "deployment": "cluster", "days_per_week": 1.0, "schools": 3,
             "enhanced_service": "false", "local_authority": "true",
             "school.phase": ["primary"], "school.status": ["academy"], "school.provision": ["mainstream"], "school.public_authority": ["true"]}
    try:
        node = condition.parse(text)
    except condition.ConditionError as exc:
        assert 0 <= exc.offset <= len(text)
        return
    assert condition.evaluate(node, facts) in (True, False)


@given(st.text(alphabet=st.sampled_from(list("ab:- \n[]{}&*!|>'\"#,?%@`\t")), max_size=80))
@settings(max_examples=400, deadline=None)
def test_yaml_either_loads_or_gives_a_placed_finding(text):
    try:
        parse_yaml(text, "f.yaml")
    except YamlProblem as problem:
        assert problem.finding.path == "f.yaml"
        assert problem.finding.line is None or problem.finding.line >= 1


# Pieces of a partnership file's own text: words, line breaks of every kind, braces and the rest of Jinja's
# syntax, and placeholders naming strings, lists, mappings, missing keys and a dict's own methods.
_PIECES = st.sampled_from(["Kestrel", " ", "\n", "\r\n", "\r", "{", "}", "{{", "}}", "{%", "%}", "{#", ".", "-",
                           "{{ school.name }}", "{{school.name}}", "{{ force.short }}", "{{\nofficer.term\n}}",
                           "{{ local.room }}", "{{ local.items }}", "{{ local.missing }}", "{{ schools }}",
                           "{{ school }}", "{{ nobody.name }}", "{{ school.name.upper }}", "{{ none }}",
                           "{{ partnership.review_cycle_months }}", "{{ local.__class__ }}", "{{- school.name }}",
                           "{{ school.colour }}"])
# and text that is nearly always placeholders and words alone
_PLAIN_PIECES = st.sampled_from(["Kestrel", " ", "\n", "\r\n", "\r", "}", "{{ school.name }}", "{{ force.short }}",
                                 "{{ local.room }}", "{{\nofficer.term }}", "{{ local.missing }}"])


@given(st.one_of(st.lists(_PIECES, max_size=10), st.lists(_PLAIN_PIECES, max_size=10)).map("".join))
@settings(max_examples=600, deadline=None)
def test_placeholders_are_filled_as_jinja_fills_them(text):
    # the hand-written fill of placeholder-only text gives Jinja's output whenever it gives any, and a text it
    # passes as holding only known placeholders is one template_findings passes too
    from protocolkit import assemble
    from protocolkit.findings import Source

    context = assemble.counted({"school": {"name": "Kestrel Meadow\r\nPrimary"}, "force": {"short": "Kent"},
                                "officer": {"term": "PCSO"}, "local": {"room": "Room 4\n", "items": "x"},
                                "schools": [{"name": "A"}], "partnership": {"review_cycle_months": 12}})
    quick = assemble._placeholders_filled(text, context)
    if quick is not None:
        COUNTS["placeholders: texts filled without Jinja, and as Jinja fills them"] += 1
        assert quick == assemble._fill(assemble._compiled(text), context)
    if assemble._known_placeholders(text):
        with patch.object(assemble, "_known_placeholders", lambda text: False):  # Jinja's own reading
            assert assemble.template_findings("c", text, Source("p.yaml", 1, 1), placeholders_only=True) == []


def test_every_library_text_of_placeholders_only_is_filled_as_jinja_fills_it():
    # the library's own texts, in every example's context: each filled without Jinja gives Jinja's output
    from protocolkit import assemble
    from protocolkit.library import load_library
    from protocolkit.project import load_partnership

    from conftest import CLAUSES, EXAMPLES

    lib = load_library(CLAUSES)
    texts = [t for lc in lib.clauses.values() for t in (lc.model.text, *lc.model.items) if "{" in t]
    compared = 0
    for path in sorted(EXAMPLES.glob("*.yaml")):
        context = assemble.template_context(load_partnership(path, lib).model)
        for text in texts:
            quick = assemble._placeholders_filled(text, context)
            if quick is not None:
                assert quick == assemble._fill(assemble._compiled(text), context), text
                compared += 1
    assert compared > 100
    COUNTS["placeholders: library texts in the examples' contexts filled as Jinja fills them"] += compared
