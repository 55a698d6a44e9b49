"""The assembler: a partnership plus the library becomes the document tree for the protocol or the DSA.

It picks the clauses that apply (conditions, includes, excludes), applies local
overrides and local clauses, fills {{ variables }} in a sandboxed Jinja environment
where an undefined variable is an error, and numbers sections and clauses.
"""

from __future__ import annotations

import contextvars
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, UndefinedError, meta, nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from protocolkit import condition
from protocolkit.document import (
    Clause,
    Document,
    HistoryEntry,
    Metadata,
    Paragraph,
    Party,
    Section,
    Signatory,
    Source,
    renumber,
)
from protocolkit.findings import Finding
from protocolkit.library import Library
from protocolkit.load import CONTROL_CHARS
from protocolkit.terms import college_words
from protocolkit.model.partnership import HistoryEntry as PartnershipHistory
from protocolkit.model.partnership import Officer, Partnership, School

_ENV = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)

# What templates may use: each root name, and the attributes it has (None: anything, e.g. a list).
_PERSON = {"name", "role", "email", "phone"}
_OFFICER = {"name", "rank", "number", "email", "phone", "display"}
CONTEXT_FIELDS: dict[str, set[str] | None] = {
    "partnership": {"id", "title", "version", "in_force", "review_due", "review_cycle_months", "marking"},
    "force": {"name", "short_name", "short", "area", "address", "chief_officer", "controller", "systems"},
    "local_authority": {"name", "address", "contact", "systems"},
    "school": {"id", "name", "urn", "phase", "status", "provision", "type", "trust", "proprietor", "address", "pupils",
               "head_teacher", "spoc", "dsl", "chair_of_governors", "legal_entity", "type_label", "phase_label",
               "public_authority", "noun", "head", "learners", "systems"},
    "schools": None,
    "schools_with": None,
    "school_counts": None,
    "public_parties": {"names", "many"},
    "private_schools": {"names", "many"},
    "school_names": set(),
    "head_teachers": set(),
    "officer": {"kind", "title", "term", "term_plural", "the", "names", "rank"},
    "officers": None,
    "deployment": {"officer", "model", "days_per_week", "hours", "base", "term_time_only", "lead_school",
                   "summary", "days"},
    "supervisor": _OFFICER,
    "dpos": None,
    "local": None,
    "enhanced_service": set(),
    "parties": set(),
    "review": {"cycle_months", "due", "last_reviewed"},
}

PHASE_LABELS = {
    "nursery": "nursery", "primary": "primary", "middle": "middle", "secondary": "secondary",
    "all-through": "all-through", "post-16": "post-16",
}
# (status, provision) -> how the text names that kind of school.
TYPE_LABELS = {
    ("maintained", "mainstream"): "maintained school", ("maintained", "special"): "maintained special school",
    ("maintained", "alternative"): "maintained school",
    ("academy", "mainstream"): "academy", ("academy", "special"): "special academy",
    ("academy", "alternative"): "alternative provision academy",
    ("non-maintained-special", "special"): "non-maintained special school",
    ("independent", "mainstream"): "independent school", ("independent", "special"): "independent special school",
    ("independent", "alternative"): "independent alternative provision school",
    ("pupil-referral-unit", "alternative"): "pupil referral unit",
    ("further-education", "mainstream"): "further education college",
}
# Keys of `schools_with`: names of the schools of each status or provision, joined for a sentence.
_GROUPS = {
    "maintained": lambda s: s.status == "maintained", "academy": lambda s: s.status == "academy",
    "non_maintained_special": lambda s: s.status == "non-maintained-special",
    "independent": lambda s: s.status == "independent", "pru": lambda s: s.status == "pupil-referral-unit",
    "fe": lambda s: s.status == "further-education", "special": lambda s: s.provision == "special",
    "alternative": lambda s: s.provision == "alternative",
    "public": lambda s: s.status in condition.PUBLIC_STATUSES,
    "private": lambda s: s.status not in condition.PUBLIC_STATUSES,
    "schools": lambda s: s.status != "further-education",
}
DOC_TITLES = {"protocol": "Safer Schools Partnership Protocol", "dsa": "Data-Sharing Agreement"}


def long_date(d: date | None) -> str:
    """'1 September 2026', as a date is written in an agreement."""
    return f"{d.day} {d.strftime('%B %Y')}" if d else ""


def join_names(names: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    names = [n for n in names if n]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def partnership_facts(p: Partnership) -> dict[str, Any]:
    """The facts conditions test, with school facts as one value per school."""
    return {
        "officer": p.deployment.officer,
        "deployment": p.deployment.model,
        "days_per_week": p.deployment.days_per_week,
        "schools": len(p.schools),
        "enhanced_service": "true" if p.enhanced_service else "false",
        "local_authority": "true" if p.local_authority else "false",
        "school.phase": [s.phase for s in p.schools],
        "school.status": [s.status for s in p.schools],
        "school.provision": [s.provision for s in p.schools],
        "school.public_authority": ["true" if s.status in condition.PUBLIC_STATUSES else "false" for s in p.schools],
    }


def _officer_display(o: Officer) -> str:
    return " ".join(x for x in (o.rank, o.number, o.name) if x)


def school_controller(s: School, p: Partnership) -> str:
    """The legal person responsible for the school and controller of its pupils' records."""
    if s.status == "maintained":
        return f"the governing body of {s.name}"
    if s.status == "academy":
        return s.trust or s.proprietor or f"the academy trust that runs {s.name}"
    if s.status == "pupil-referral-unit":
        # The local authority maintains the unit and holds its records; the management committee exercises
        # the functions the authority delegates to it (Education Act 1996 Schedule 1; the 2007 PRU regulations).
        return p.local_authority.name if p.local_authority else f"the local authority that maintains {s.name}"
    if s.status == "further-education":
        return s.proprietor or f"the corporation of {s.name}"
    return s.proprietor or s.trust or f"the proprietor of {s.name}"


def force_controller(p: Partnership) -> str:
    """The chief officer of police, the controller for the force (DPA 2018 s6; Police Act 1996)."""
    if p.force.chief_officer:
        return p.force.chief_officer
    low = p.force.name.lower()
    if "metropolitan police" in low:
        return "the Commissioner of Police of the Metropolis"
    if "city of london police" in low:
        return "the Commissioner of Police for the City of London"
    return f"the Chief Constable of {p.force.name}"


def _school_context(s: School, p: Partnership) -> dict[str, Any]:
    d = s.model_dump()
    college = s.status == "further-education"
    d["legal_entity"] = school_controller(s, p)
    d["type_label"] = TYPE_LABELS[(s.status, s.provision)]
    d["phase_label"] = PHASE_LABELS[s.phase]
    d["public_authority"] = s.status in condition.PUBLIC_STATUSES
    d["noun"] = "college" if college else ("unit" if s.status == "pupil-referral-unit" else "school")
    d["head"] = "principal" if college else ("head of centre" if s.status == "pupil-referral-unit" else "head teacher")
    d["learners"] = "students" if college else "pupils"
    return d


def _public_parties(p: Partnership) -> dict[str, Any]:
    """The parties that are public authorities (the force, the council, the state schools), for a sentence."""
    names = [p.force.name] + ([p.local_authority.name] if p.local_authority else [])
    # a pupil referral unit is not a legal person of its own: the council that maintains it is the authority
    names += [s.name for s in p.schools if s.status in condition.PUBLIC_STATUSES
              and not (s.status == "pupil-referral-unit" and p.local_authority)]
    return {"names": join_names(names), "many": len(names) > 1}


def _private_schools(p: Partnership) -> dict[str, Any]:
    """The schools that are not public authorities (independent and non-maintained special schools)."""
    names = [s.name for s in p.schools if s.status not in condition.PUBLIC_STATUSES]
    return {"names": join_names(names), "many": len(names) > 1}


def _schools_with(p: Partnership) -> dict[str, str]:
    return {key: join_names([s.name for s in p.schools if test(s)]) for key, test in _GROUPS.items()}


def _days(n: float) -> str:
    whole = int(n) if float(n).is_integer() else n
    return f"{whole} day{'s' if whole != 1 else ''}"


def template_context(p: Partnership) -> dict[str, Any]:
    """Everything a clause's {{ variables }} can reach, derived from the partnership."""
    lead = next((s for s in p.schools if s.id == p.deployment.lead_school), p.schools[0])
    pcso = p.deployment.officer == "pcso"
    officer_names = [_officer_display(o) for o in p.officers]
    dep = p.deployment.model_dump()
    names = join_names([s.name for s in p.schools])
    dep["days"] = _days(p.deployment.days_per_week)
    dep["summary"] = _deployment_summary(p, names)
    force = p.force.model_dump()
    force["short"] = p.force.short_name or p.force.name
    force["controller"] = force_controller(p)
    supervisor = p.supervisor.model_dump()
    supervisor["display"] = _officer_display(p.supervisor)
    parties = [p.force.name] + [s.name for s in p.schools] + ([p.local_authority.name] if p.local_authority else [])
    return counted({
        "partnership": {
            "id": p.id, "title": partnership_title(p), "version": p.version, "in_force": long_date(p.in_force),
            "review_due": long_date(p.review_due()), "review_cycle_months": p.review.cycle_months, "marking": p.marking,
        },
        "force": force,
        "local_authority": p.local_authority.model_dump() if p.local_authority else None,
        "school": _school_context(lead, p),
        "schools": [_school_context(s, p) for s in p.schools],
        "schools_with": _schools_with(p),
        "school_counts": {key: sum(1 for s in p.schools if test(s)) for key, test in _GROUPS.items()},
        "public_parties": _public_parties(p),
        "private_schools": _private_schools(p),
        "school_names": names,
        "head_teachers": join_names([s.head_teacher.name for s in p.schools]),
        "officer": {
            "kind": p.deployment.officer,
            "title": "police community support officer" if pcso else "police officer",
            "term": "PCSO" if pcso else "officer",
            "term_plural": "PCSOs" if pcso else "officers",
            "the": "the PCSO" if pcso else "the officer",
            "names": join_names(officer_names),
            "rank": "PCSO" if pcso else (p.officers[0].rank or "PC"),
        },
        "officers": [dict(o.model_dump(), display=_officer_display(o)) for o in p.officers],
        "deployment": dep,
        "supervisor": supervisor,
        "dpos": [d.model_dump() for d in p.data_protection_officers],
        "local": dict(p.variables),
        "enhanced_service": p.enhanced_service,
        "parties": join_names(parties),
        "review": {
            "cycle_months": p.review.cycle_months, "due": long_date(p.review_due()),
            "last_reviewed": long_date(p.review.last_reviewed),
        },
    })


def _deployment_summary(p: Partnership, names: str) -> str:
    d = p.deployment
    who = "a police community support officer (PCSO)" if d.officer == "pcso" else "a police officer"
    if d.model == "dedicated":
        return f"{who} dedicated full time to {names}"
    if d.model == "shared":
        return f"{who} shared between {names}"
    if d.model == "part-time":
        return f"{who} attending {names} for {_days(d.days_per_week)} a week in all"
    lead = next((s.name for s in p.schools if s.id == d.lead_school), p.schools[0].name)
    return f"{who} based at {lead} and serving the cluster of {names}"


def partnership_title(p: Partnership) -> str:
    """The partnership's title: as given, or its school's name, or its schools' names."""
    return p.title or join_names([s.name for s in p.schools])


# -- templates ------------------------------------------------------------------------


def _line_source(base: Source, lineno: int | None) -> Source:
    if base.line is None or not lineno:
        return base
    return Source(base.path, base.line + lineno - 1, base.column if lineno == 1 else None)


def template_findings(clause_id: str, text: str, where: Source, placeholders_only: bool = False) -> list[Finding]:
    """Static problems in a clause's template: syntax, what it may not use (beyond the library's allowlist, or with
    placeholders_only anything but placeholders), unknown variables, unknown attributes."""
    if "{" not in text:
        return []
    if placeholders_only and _known_placeholders(text):
        return []
    try:
        ast = _parsed(text)
    except TemplateSyntaxError as exc:
        return [Finding.at(_line_source(where, exc.lineno), "template-syntax", "error",
                           f"clause {clause_id!r}: template syntax: {exc.message}", clause=clause_id)]
    found: list[Finding] = []
    refused = _placeholder_problem(ast) if placeholders_only else (template_problem(ast), None)
    if refused and refused[0]:
        return [Finding.at(_line_source(where, refused[1]), "template-unsafe", "error",
                           f"clause {clause_id!r}: refused: {refused[0]}", clause=clause_id)]
    try:
        undeclared = meta.find_undeclared_variables(ast)
    except TemplateSyntaxError as exc:  # an unknown filter or test is found only by Jinja's code generator
        return [Finding.at(_line_source(where, exc.lineno), "template-syntax", "error",
                           f"clause {clause_id!r}: template syntax: {exc.message}", clause=clause_id)]
    for name in sorted(undeclared):
        if name not in CONTEXT_FIELDS:
            found.append(Finding.at(where, "unknown-variable", "error",
                                    f"clause {clause_id!r} uses {{{{ {name} }}}}, which no partnership field provides; "
                                    f"use one of: {', '.join(sorted(CONTEXT_FIELDS))}", clause=clause_id))
    for node in ast.find_all(nodes.Getattr):
        if isinstance(node.node, nodes.Name):
            allowed = CONTEXT_FIELDS.get(node.node.name)
            if allowed is not None and node.attr not in allowed:
                found.append(Finding.at(_line_source(where, node.lineno), "unknown-variable", "error",
                                        f"clause {clause_id!r} uses {node.node.name}.{node.attr}, which does not exist; "
                                        f"{node.node.name} has: {', '.join(sorted(allowed)) or 'no fields'}",
                                        clause=clause_id))
    return found


@lru_cache(maxsize=4096)
def _parsed(text: str) -> nodes.Template:
    """A clause's template parsed once for the checks, the compiler's guard and the list of what it reads (a local
    clause is new to every partnership, and was parsed three times). Only read, never handed to the compiler, which
    folds constants in the tree it is given; a syntax error is raised afresh each time (lru_cache keeps no
    exceptions)."""
    return _ENV.parse(text)


class TemplateRefused(Exception):
    """A template that uses more than data, if, for over the partnership's lists and simple filters."""


@lru_cache(maxsize=8192)
def _compiled(text: str) -> Template | TemplateRefused:
    """The compiled template, or why it is refused. The check comes first: Jinja folds constants while compiling,
    so `{{ 'x' * 10**10 }}` would take ten gigabytes before a line of it was rendered."""
    problem = template_problem(_parsed(text))
    if problem:
        return TemplateRefused(problem)
    return _ENV.from_string(text)


# What one clause's template may do, library or partnership: the sandbox stops escapes, these stop work. A real
# clause renders to a few thousand characters and loops over a handful of schools.
MAX_OUTPUT = 200_000  # characters one piece of clause text may render to
MAX_ITERATIONS = 50_000  # list items one render may step through, in loops and filters together
_WORK: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("template_work", default=None)


class TemplateLimit(Exception):
    """A template that would do more work, or write more text, than any clause needs."""


class _Counted(list):
    """A list from the partnership whose every iteration counts against the render's budget, so nested loops or
    filters over a hostile file's long lists stop early instead of running for hours."""

    def __iter__(self):
        budget = _WORK.get()
        for item in list.__iter__(self):
            if budget is not None:
                budget[0] -= 1
                if budget[0] < 0:
                    raise TemplateLimit(f"the template steps through more than {MAX_ITERATIONS:,} list items")
            yield item


def counted(value: Any) -> Any:
    """The template context with every list made a _Counted list (dicts and lists copied, nothing else)."""
    if isinstance(value, dict):
        return {k: counted(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return _Counted(counted(v) for v in value)
    return value


def render_text(text: str, context: dict[str, Any], seen: dict | None = None, local: bool = False) -> str:
    """Fill a clause's template within MAX_OUTPUT and MAX_ITERATIONS; raises UndefinedError, SecurityError,
    TemplateSyntaxError, TemplateRefused or TemplateLimit. `seen` keeps the values already read from this context,
    for the next text filled from it; `local` says the text is a partnership file's own (placeholders only, and
    new to each partnership: a library's texts are compiled once and their fillings kept)."""
    if "{" not in text:
        return text
    if local:
        quick = _placeholders_filled(text, context)
        if quick is not None:
            return quick
    template = _compiled(text)
    if isinstance(template, TemplateRefused):
        raise TemplateRefused(str(template))  # a fresh one: the cached instance would gather every traceback
    if seen is None:
        seen = {}
    values = []
    for path in _reads(text):
        value = seen.get(path)
        if value is None:
            value = seen[path] = _read_value(context, path)
        values.append(value)
    key = (text, tuple(values))
    filled = _FILLED.get(key)
    if filled is None:
        # a library text of placeholders only, with values not met before (a school's name, most often)
        filled = None if local else _placeholders_filled(text, context)
        if filled is None:
            filled = _fill(template, context)
        if len(_FILLED) >= _FILLED_MAX:
            _FILLED.clear()
        _FILLED[key] = filled
    return filled


# -- text that holds placeholders only --------------------------------------------------------------------------
# A partnership file's own text (a local clause, an override) may hold only `{{ name.field }}` placeholders, and it
# is new to every partnership: Jinja parsed and compiled each one afresh, 5 ms apiece. Many of the library's texts
# are placeholders only too, and each new school name had Jinja fill them again, 66 microseconds apiece, a
# thirtieth of a build. Hand-written because a placeholder needs no template engine, only what Jinja would print
# for it; anything this code is not sure of (other syntax, a value that is not a string, a name or field that is
# not there) goes to Jinja, whose output or error stands. test_properties compares the two.

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\}\}")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # what Jinja counts as a line break in template text


def _simple_placeholders(text: str) -> list[re.Match[str]] | None:
    """The placeholders, when `{{ name.field }}` is all of Jinja's syntax the text holds; None otherwise."""
    if "{%" in text or "{#" in text:
        return None
    found = list(_PLACEHOLDER.finditer(text))
    start = 0
    for m in found:
        # "{{" anywhere else (before it, or a third brace in front of it) is Jinja syntax this does not read
        if "{{" in text[start:m.start()] or (m.start() and text[m.start() - 1] == "{"):
            return None
        start = m.end()
    return None if "{{" in text[start:] else found


def _known_placeholders(text: str) -> bool:
    """Whether the text holds placeholders and nothing else, each naming a value template_findings would accept
    (read from the plan the fill uses next, so a local text is scanned once)."""
    plan = _placeholder_plan(text)
    if plan is None:
        return False
    for path in plan[1]:
        if path[0] not in CONTEXT_FIELDS:
            return False
        allowed = CONTEXT_FIELDS[path[0]]
        if len(path) > 1 and allowed is not None and path[1] not in allowed:
            return False
    return True


@lru_cache(maxsize=4096)
def _placeholder_plan(text: str) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]] | None:
    """A text of placeholders only as what Jinja prints between them (every line break read as a newline, one at
    the very end dropped) and each placeholder's path; None for any other text."""
    found = _simple_placeholders(text)
    if not found:
        return None
    pieces: list[str] = []
    paths: list[tuple[str, ...]] = []
    start = 0
    for m in found:
        pieces.append(_LINE_BREAK.sub("\n", text[start:m.start()]))
        paths.append(tuple(m.group(1).split(".")))
        start = m.end()
    tail = text[start:]
    if tail.endswith(("\n", "\r")):
        tail = tail[:-2] if tail.endswith("\r\n") else tail[:-1]
    pieces.append(_LINE_BREAK.sub("\n", tail))
    return tuple(pieces), tuple(paths)


def _placeholders_filled(text: str, context: dict[str, Any]) -> str | None:
    """What Jinja renders from a text of placeholders only, each naming a string in the context's own mappings;
    None when the text is anything else. The values are printed as they are."""
    plan = _placeholder_plan(text)
    if plan is None:
        return None
    pieces, paths = plan
    out = [pieces[0]]
    for path, piece in zip(paths, pieces[1:]):
        value = context.get(path[0], _ABSENT)
        for part in path[1:]:
            # Jinja tries an attribute first (`local.items` is a dict's method), then the key
            if type(value) is not dict or part not in value or hasattr(dict, part):
                return None
            value = value[part]
        if type(value) is not str:
            return None
        out += (value, piece)
    filled = "".join(out)
    return filled if len(filled) <= MAX_OUTPUT else None


# Filled texts by template and the values it reads. A county's partnerships share most clauses and most of the values
# those clauses read (the force, the officer's title, the deployment's model), so each clause is filled once for each
# distinct set of values instead of once for every document. Only what rendered is kept: a failure is raised afresh.
_FILLED: dict[tuple[str, tuple[str, ...]], str] = {}
_FILLED_MAX = 4_000


@lru_cache(maxsize=8192)
def _reads(text: str) -> tuple[tuple[str | int, ...], ...]:
    """Every context value a template can read: `officer.term` as ("officer", "term"), a constant subscript the
    same way, and a name used in any other way (looped over, filtered, passed whole) as the whole value."""
    found: dict[tuple[str | int, ...], None] = {}

    def visit(node: nodes.Node) -> None:
        path = _path(node)
        if path is not None:
            found[path] = None
            return
        if isinstance(node, nodes.Name) and node.ctx == "load":
            found[(node.name,)] = None
        for child in node.iter_child_nodes():
            visit(child)

    visit(_parsed(text))
    return tuple(found)


def _path(node: nodes.Node) -> tuple[str | int, ...] | None:
    """("officer", "term") for `officer.term` or `officer["term"]`; None for anything but a name's attributes."""
    parts: list[str | int] = []
    while True:
        if isinstance(node, nodes.Getattr):
            parts.append(node.attr)
            node = node.node
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and \
                type(node.arg.value) in (str, int):
            parts.append(node.arg.value)
            node = node.node
        else:
            break
    if not parts or not isinstance(node, nodes.Name) or node.ctx != "load":
        return None
    return (node.name, *reversed(parts))


def _read_value(context: dict[str, Any], path: tuple[str | int, ...]) -> str:
    """The value at a path, as its repr; where the path leaves the plain data (a dict method, say), the whole value
    it left from, so that the key always covers everything the template could see."""
    value = context.get(path[0], _ABSENT) if isinstance(path[0], str) else _ABSENT
    for part in path[1:]:
        if isinstance(value, dict) and part in value and not hasattr(dict, part):  # `local.items` is a method
            value = value[part]
        elif isinstance(value, list) and type(part) is int and -len(value) <= part < len(value):
            value = value[part]
        else:
            break
    return repr(value)


_ABSENT = object()


def _fill(template: Template, context: dict[str, Any]) -> str:
    token = _WORK.set([MAX_ITERATIONS])
    try:
        out: list[str] = []
        size = 0
        for chunk in template.generate(context):
            size += len(chunk)
            if size > MAX_OUTPUT:
                raise TemplateLimit(f"the text would be longer than {MAX_OUTPUT:,} characters")
            out.append(chunk)
        return "".join(out)
    finally:
        _WORK.reset(token)


_BULLET = re.compile(r"^\s*[-*]\s+")


def split_paragraphs(text: str) -> list[Paragraph]:
    """Blank lines part paragraphs; lines starting '- ' are bullets (indented lines continue them); lines starting
    '|' are the rows of a table (the first its heading row)."""
    return [Paragraph(words, style) for words, style in _split(text)]  # type: ignore[arg-type]


@lru_cache(maxsize=4096)
def _split(text: str) -> tuple[tuple[str, str], ...]:
    """split_paragraphs as (text, style) pairs, once for each filled text a county's documents share."""
    out: list[Paragraph] = []
    current: list[str] = []
    style = "body"

    def flush() -> None:
        nonlocal current
        if current:
            out.append(Paragraph(" ".join(current), style))  # type: ignore[arg-type]
        current = []

    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            flush()
            style = "body"
            continue
        if stripped.startswith("|"):
            # a table row, "| cell | cell |": each row is a paragraph of style "row", its cells parted by tabs
            flush()
            style = "body"
            cells = [" ".join(c.split()) for c in stripped.strip("|").split("|")]
            if not all(set(c) <= set("-: ") for c in cells):  # "|---|---|" only marks the heading row
                out.append(Paragraph("\t".join(cells), "row"))
            continue
        if _BULLET.match(line):
            flush()
            style = "bullet"
            current = [_BULLET.sub("", line).strip()]
        elif style == "bullet" and current and not line.startswith((" ", "\t")):
            flush()
            style = "body"
            current = [stripped]
        else:
            current.append(stripped)
    flush()
    return tuple((p.text, p.style) for p in out)


# -- assembly -------------------------------------------------------------------------


@dataclass
class _Candidate:
    id: str
    title: str
    section: str
    order: int
    index: int
    text: str
    items: list[str]
    cites: list[str]
    source: Source
    text_source: Source
    # text and items written in a partnership file (a local clause, an override): placeholders only
    text_local: bool = False
    items_local: bool = False


# What a clause library's template may use (a partnership file's text may use placeholders only): values, `if`,
# `for` over the partnership's own lists, and filters that cannot make text much longer than their input.
# Arithmetic, repetition, padding, formatting, macros and `set` are refused: the sandbox stops escapes but not work,
# and `{{ 'x' * 10**10 }}` or a recursive macro would take down a CI run from a pull request.
_ALLOWED_NODES = {
    "Template", "Output", "TemplateData", "Name", "Getattr", "Getitem", "Const", "If", "For", "Filter", "Test",
    "Compare", "Operand", "And", "Or", "Not", "CondExpr", "Concat", "Keyword",
}
_ALLOWED_FILTERS = {"upper", "lower", "title", "capitalize", "trim", "default", "d", "length", "count", "first",
                    "last", "join", "string", "striptags", "escape", "e", "list", "sort", "unique", "map",
                    "selectattr", "rejectattr"}
_MAX_CONST = 10_000


# What each Jinja construct is called in a message to someone who wrote it into a partnership file.
_CONSTRUCTS = {"For": "a loop ({% for %})", "If": "a condition ({% if %})", "CondExpr": "a condition (if ... else)",
               "Filter": "a filter (|)", "Test": "a test (is)", "Call": "a call", "Macro": "a macro", "Assign": "set",
               "Getitem": "an index ([...])", "Const": "a value written in the template", "Concat": "~"}


def placeholder_findings(clause_id: str, text: str, where: Source) -> list[Finding]:
    """Problems in text a partnership file gives (a local clause, an override): it may hold plain words and
    {{ name.path }} placeholders naming values that exist, nothing else; a problem at its own line."""
    return template_findings(clause_id, text, where, placeholders_only=True)


def _placeholder_problem(ast: nodes.Template) -> tuple[str, int | None] | None:
    """The first construct that is not a plain word or a {{ name.path }} placeholder, with its line."""
    for node in ast.find_all(nodes.Node):
        kind = type(node).__name__
        plain = kind in ("Template", "Output", "TemplateData", "Name") or (
            kind == "Getattr" and isinstance(node.node, (nodes.Name, nodes.Getattr)))
        if not plain:
            what = _CONSTRUCTS.get(kind, kind.lower())
            return (f"{what} cannot be used in a partnership file, whose text may only hold placeholders such as "
                    f"{{{{ school.name }}}}; conditions, loops and filters belong in the clause library",
                    getattr(node, "lineno", None))
    return None


def template_problem(ast: nodes.Template) -> str | None:
    """What a template (a library clause's or a partnership file's) uses beyond data, if and for over the
    partnership's lists and simple filters; None when it keeps to that."""
    for node in ast.find_all(nodes.Node):
        kind = type(node).__name__
        if kind not in _ALLOWED_NODES:
            return (f"{kind.lower()} is not allowed in a template; use values such as "
                    f"{{{{ school.name }}}}, if and for over the partnership's lists, and simple filters")
        if isinstance(node, nodes.Filter) and node.name not in _ALLOWED_FILTERS:
            return f"the filter {node.name!r} is not allowed in a template"
        if isinstance(node, nodes.Filter) and node.name == "map" and (node.args or node.dyn_args or node.dyn_kwargs
                                                                      or [k.key for k in node.kwargs] != ["attribute"]):
            return "map may only take attribute=, such as map(attribute='name')"
        if isinstance(node, nodes.Filter) and node.name == "join" and node.args:
            sep = node.args[0]
            if not (isinstance(sep, nodes.Const) and isinstance(sep.value, str) and len(sep.value) <= 10):
                return "join takes a short separator in quotes, such as join(', ')"
        if isinstance(node, nodes.Const) and isinstance(node.value, (int, float, str)) and \
                (len(str(node.value)) > _MAX_CONST or (isinstance(node.value, (int, float)) and abs(node.value) > 10**6)):
            return "a value written in a template may not be that large"
        if isinstance(node, nodes.For) and not isinstance(node.iter, (nodes.Name, nodes.Getattr)):
            return "for may only loop over the partnership's own lists, such as schools"
    return None


_MEMO_MAX = 256


def _selected(p: Partnership, lib: Library, kind: str, psource: Source) -> tuple[list[_Candidate], list[Finding]]:
    facts = partnership_facts(p)
    include, exclude = set(p.clauses.include), set(p.clauses.exclude)
    # A partnership of colleges only is drafted in a college's words; local clauses keep the user's own words.
    words = college_words if all(s.status == "further-education" for s in p.schools) else (lambda t: t)
    findings: list[Finding] = []
    college = words is college_words
    # Which library clauses apply, and in what words, follows from these alone: it is worked out once for each
    # combination a library meets (a county's partnerships share a handful), then copied for each document.
    key = (kind, tuple(sorted(include)), tuple(sorted(exclude)), college,
           tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in facts.items()))
    picked = lib.memo.get(("selected", key))
    if picked is None:
        picked = []
        for lc in lib.clauses.values():
            c = lc.model
            if kind not in c.documents or c.id in exclude:
                continue
            if c.id not in include:
                if c.optional or c.status == "deprecated":
                    continue
                if c.when and not condition.evaluate(condition.parse(c.when), facts):
                    continue
            picked.append((c.id, words(c.title), c.section, c.order, lc.index, words(c.text),
                           tuple(words(i) for i in c.items), tuple(c.cites), lc.source, lc.text_source))
        if len(lib.memo) >= _MEMO_MAX:
            lib.memo.clear()
        lib.memo[("selected", key)] = picked
    chosen = [_Candidate(i, title, sec, order, index, text, list(items), list(cites), source, text_source)
              for i, title, sec, order, index, text, items, cites, source, text_source in picked]
    base = len(lib.clauses)
    for i, local in enumerate(p.clauses.local):
        if kind in local.documents:
            chosen.append(_Candidate(local.id, local.title, local.section, local.order, base + i, local.text,
                                     list(local.items), list(local.cites), psource, psource, True, True))
    for cand in chosen:
        override = p.clauses.overrides.get(cand.id)
        if override:
            cand.title = override.title or cand.title
            cand.text = override.text if override.text is not None else cand.text
            cand.items = override.items if override.items is not None else cand.items
            cand.text_source = psource
            cand.text_local = cand.text_local or override.text is not None
            cand.items_local = cand.items_local or override.items is not None
    return chosen, findings


def assemble(p: Partnership, lib: Library, kind: str, path: str = "", positions: Any = None,
             context: dict[str, Any] | None = None) -> tuple[Document, list[Finding]]:
    """The numbered document tree for one document of one partnership, and any problems met on the way.

    `positions` maps a clause id to the Source of its override or local clause in the partnership file; `context`
    is template_context(p), when the caller has it already.
    """
    positions = positions or {}
    spec = lib.documents[kind]
    psource = Source(path, 1, 1)
    chosen, findings = _selected(p, lib, kind, psource)
    for cand in chosen:
        if cand.id in positions:
            cand.text_source = cand.source = positions[cand.id]
    context = context if context is not None else template_context(p)
    seen: dict = {}  # the values read from the context so far
    by_section: dict[str, list[_Candidate]] = {}
    for cand in chosen:
        by_section.setdefault(cand.section, []).append(cand)
    doc = Document(kind=kind, title=spec.title, source=Source(path) if path else None)  # type: ignore[arg-type]
    for sec in spec.sections:
        cands = sorted(by_section.pop(sec.id, []), key=lambda c: (c.order, c.index))
        if not cands:
            continue
        section = Section(sec.id, sec.title)
        for cand in cands:
            clause, problems = _render_clause(cand, context, seen)
            findings += problems
            section.clauses.append(clause)
        doc.sections.append(section)
    for section_id, cands in by_section.items():
        for cand in cands:
            findings.append(Finding.at(cand.source, "unknown-section", "error",
                                       f"clause {cand.id!r} names section {section_id!r}, which the {kind} does not have; "
                                       f"use one of: {', '.join(lib.section_ids(kind))}", clause=cand.id))
    doc.metadata = _metadata(p, kind)
    doc.title = spec.title
    return renumber(doc), findings


_NO_ATTRIBUTE = re.compile(r"'(\w+) object' has no attribute '(\w+)'")


def _undefined(message: str, context: dict[str, Any]) -> str:
    """Jinja's 'dict object has no attribute' in words a coordinator can act on."""
    m = _NO_ATTRIBUTE.search(message)
    if m and m.group(2) not in context.get("local", {}) and (m.group(1) == "dict"):
        name = m.group(2)
        return (f"the text uses {{{{ local.{name} }}}} (or another value named {name!r}) but the partnership file "
                f"gives it no value: add '{name}: ...' under 'variables:', or fix the clause")
    return f"{message}: set it in the partnership file (for local values, under 'variables:') or fix the clause"


def _render_clause(cand: _Candidate, context: dict[str, Any], seen: dict) -> tuple[Clause, list[Finding]]:
    findings: list[Finding] = []
    paragraphs: list[Paragraph] = []
    pieces = [(cand.text, False)] + [(item, True) for item in cand.items]
    for text, is_item in pieces:
        local = cand.items_local if is_item else cand.text_local
        if local:
            problems = placeholder_findings(cand.id, text, cand.text_source)
            if problems:
                findings += problems
                continue
        try:
            rendered = render_text(text, context, seen, local)
        except TemplateRefused as exc:
            findings.append(Finding.at(cand.text_source, "template-unsafe", "error",
                                       f"clause {cand.id!r}: refused: {exc}", clause=cand.id))
            continue
        except UndefinedError as exc:
            findings.append(Finding.at(cand.text_source, "undefined-variable", "error",
                                       f"clause {cand.id!r}: {_undefined(exc.message or '', context)}", clause=cand.id))
            continue
        except SecurityError as exc:
            findings.append(Finding.at(cand.text_source, "template-unsafe", "error",
                                       f"clause {cand.id!r}: refused: {exc}; templates may only use partnership values",
                                       clause=cand.id))
            continue
        except TemplateSyntaxError as exc:
            findings.append(Finding.at(_line_source(cand.text_source, exc.lineno), "template-syntax", "error",
                                       f"clause {cand.id!r}: template syntax: {exc.message}", clause=cand.id))
            continue
        except TemplateLimit as exc:
            findings.append(Finding.at(cand.text_source, "template-limit", "error",
                                       f"clause {cand.id!r}: refused: {exc}, far more than any clause needs: "
                                       f"shorten the text or the lists it loops over", clause=cand.id))
            continue
        except (TypeError, ValueError, ArithmeticError, RecursionError) as exc:
            findings.append(Finding.at(cand.text_source, "template-error", "error",
                                       f"clause {cand.id!r}: template failed: {exc}", clause=cand.id))
            continue
        # the file's own strings were checked when it was read: only what a template made can hold one
        bad = CONTROL_CHARS.search(rendered) if rendered is not text else None
        if bad:
            findings.append(Finding.at(cand.text_source, "template-error", "error",
                                       f"clause {cand.id!r}: the filled text would hold the control character "
                                       f"U+{ord(bad.group()):04X}, which no document can: remove what makes it",
                                       clause=cand.id))
            continue
        if is_item:
            paragraphs.append(Paragraph(" ".join(rendered.split()), "bullet"))
        else:
            paragraphs += split_paragraphs(rendered)
    return Clause(cand.id, cand.title, paragraphs, citations=cand.cites, source=cand.source), findings


def _on_behalf(p: Partnership, party: str, name: str) -> str:
    """The organisation a signatory signs for, and the legal person (controller) on whose behalf."""
    if party == "force":
        return f"{name}, on behalf of {force_controller(p)}"
    school = next((s for s in p.schools if s.id == party), None)
    if school is not None:
        controller = school_controller(school, p)
        return name if controller == name else f"{name}, on behalf of {controller}"
    return name


def _history_summary(h: PartnershipHistory, kind: str) -> str:
    """What a version changed, in the words of the document the table sits in."""
    if kind != "dsa":
        return h.summary
    return h.dsa_summary or f"Agreement issued with version {h.version} of the protocol ({h.summary})"


def _metadata(p: Partnership, kind: str) -> Metadata:
    names = {s.id: s.name for s in p.schools}
    names["force"] = p.force.name
    if p.local_authority:
        names["local-authority"] = p.local_authority.name
    dpo = {d.party: " ".join(x for x in (d.name, d.email) if x) for d in p.data_protection_officers}
    parties = [Party("force", p.force.name, "police force", _officer_display(p.supervisor), dpo.get("force", ""))]
    for s in p.schools:
        parties.append(Party(s.id, s.name, TYPE_LABELS[(s.status, s.provision)], s.head_teacher.name, dpo.get(s.id, "")))
    if p.local_authority:
        parties.append(Party("local-authority", p.local_authority.name, "local authority",
                             p.local_authority.contact.name if p.local_authority.contact else "", dpo.get("local-authority", "")))
    title = partnership_title(p)
    return Metadata(
        partnership_id=p.id,
        title=DOC_TITLES[kind],
        subtitle=title,
        version=p.version,
        in_force=p.in_force,
        review_due=p.review_due(),
        last_reviewed=p.review.last_reviewed,
        review_cycle_months=p.review.cycle_months,
        marking=p.marking,
        author=p.history[-1].author if p.history else p.force.name,
        owner=p.force.name,
        parties=parties,
        signatories=[Signatory(s.name, s.role, _on_behalf(p, s.party, names.get(s.party, s.party)), s.party)
                     for s in p.signatories],
        history=[HistoryEntry(h.version, h.date, h.author, _history_summary(h, kind)) for h in p.history],
    )
