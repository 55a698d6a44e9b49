"""Property tests: no input text makes the condition parser or the YAML loader fail with anything but a finding."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

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
