"""Every code a user can see: the rules, and the codes that loading, validating and assembling report.

Loading and assembling happen before any rule runs, but their findings carry codes too, and
`protocolkit rules` documents all of them, so that nothing a user sees is unexplained.
"""

from __future__ import annotations

from functools import lru_cache

from protocolkit.check.rules import Rule, all_rules


def _doc(text: str) -> str:
    return "\n".join(line.strip() for line in text.strip().splitlines())


# code -> (name, severity, documentation with a passing and a failing example)
LOADER_CODES: dict[str, tuple[str, str, str]] = {
    "yaml-syntax": ("YAML does not parse", "error", """
        The file is not well-formed YAML (or not UTF-8). The finding points at the line and column
        where parsing stopped.
        Passes:   title: Northgate High School
        Fails:    title: "Northgate High School      (the quote is never closed)"""),
    "yaml-too-large": ("YAML file too large", "error", """
        A file over 4 MB, or one whose aliases expand to more than 250,000 values, is refused so
        that a hostile file cannot exhaust memory.
        Passes:   an ordinary partnership file
        Fails:    a: &a [*b, *b, ...] nested to expand a billion times"""),
    "yaml-too-deep": ("YAML nested too deeply", "error", """
        Nesting deeper than 50 levels is refused.
        Passes:   schools: [{id: northgate, ...}]
        Fails:    [[[[[[ ... 60 levels ... ]]]]]]"""),
    "schema": ("Value does not fit the schema", "error", """
        A key is unknown, a required key is missing, or a value has the wrong form. The message
        names the field and how to fix it; editors show the same errors live through the
        $schema line at the top of each file.
        Passes:   marking: OFFICIAL
        Fails:    marking: RESTRICTED      (not a Government Security Classification)"""),
    "template-syntax": ("Clause template does not parse", "error", """
        A clause's text is a Jinja template; this one has a syntax error.
        Passes:   text: "{{ school.name }} hosts the officer."
        Fails:    text: "{{ school.name } hosts the officer.\""""),
    "unknown-variable": ("Clause uses a variable no partnership provides", "error", """
        A clause's template names a variable or attribute outside the partnership context.
        Passes:   {{ force.name }}
        Fails:    {{ force.nmae }}"""),
    "undefined-variable": ("Variable has no value for this partnership", "error", """
        Assembling a partnership met a variable with no value (for example a local variable the
        partnership does not set). Blanks are never printed.
        Passes:   variables: {parking: the staff car park}   with {{ local.parking }} in a clause
        Fails:    the same clause with no `parking` under variables:"""),
    "template-unsafe": ("Template refused by the sandbox", "error", """
        Templates, in the library and in partnership files, may only read partnership values, with
        if, for over the partnership's lists and simple filters; arithmetic, repetition, padding,
        macros, `set` and anything the sandbox stops are refused.
        Passes:   {{ school.name | upper }}
        Fails:    {{ school.__class__ }}   or   {{ 'x' * 1000 }}"""),
    "template-limit": ("Template does more work than any clause needs", "error", """
        Filling one piece of clause text may write at most 200,000 characters and step through at
        most 50,000 list items, in loops and filters together; a template that would do more is
        stopped and refused, so no library clause or partnership file can take down a CI run.
        Passes:   {% for s in schools %}{{ s.name }}; {% endfor %}
        Fails:    the same loop nested four deep over a file with a thousand schools"""),
    "template-error": ("Template failed while filling", "error", """
        Filling a clause raised an error (for example arithmetic on a text value).
        Passes:   {{ deployment.days_per_week }}
        Fails:    {{ deployment.hours / 2 }}"""),
    "not-protocolkit": ("YAML file is not a protocolkit file", "error", """
        A YAML file given to check is neither a partnership file (a mapping with an `id` and the
        partnership's facts) nor inside a clause library folder (one with documents.yaml).
        Passes:   examples/northgate-high.yaml
        Fails:    a clause file copied out of its library folder"""),
    "skipped-file": ("File skipped: not a protocolkit file", "info", """
        A YAML file named on the command line (as pre-commit names every changed file) that is
        neither a partnership file nor part of a clause library, such as a CI workflow or a
        profile, is skipped and said to be, so a hook can run over all YAML without failing.
        Passes:   examples/northgate-high.yaml (checked)
        Fails:    .github/workflows/ci.yml (skipped, info only)"""),
    "unused-suppression": ("Suppression comment silences nothing", "warning", """
        `# protocolkit: disable=RULE` silences findings of RULE on its line (or, standing alone,
        on the next line); add the reason after `--`. A suppression that silences nothing, or
        names no rule, is reported so stale ones are removed.
        Passes:   summary: Replaced the DPA 1998 text  # protocolkit: disable=dated-reference -- history
        Fails:    title: Finance  # protocolkit: disable=dated-reference     (nothing dated here)"""),
}


@lru_cache(maxsize=1)
def all_codes() -> dict[str, Rule]:
    """Every documented code: rule modules and loader codes, by id."""
    codes: dict[str, Rule] = {}
    for code, (name, severity, doc) in LOADER_CODES.items():
        codes[code] = Rule(code, name, severity, ("partnership", "library"), _doc(doc), lambda subject: ())  # type: ignore[arg-type]
    codes.update(all_rules())
    return dict(sorted(codes.items()))
