"""`protocolkit new` (a partnership file from answers) and `protocolkit init` (a ready repository)."""

from __future__ import annotations

import os
import re
import shutil
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Callable

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from protocolkit import __version__
from protocolkit.condition import DEPLOYMENT_MODELS, OFFICER_KINDS, SCHOOL_PHASES, SCHOOL_PROVISIONS, SCHOOL_STATUSES
from protocolkit.findings import InputError
from protocolkit.model import Partnership
from protocolkit.resources import data_dir

Ask = Callable[..., str]


def _slug(text: str) -> str:
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", text.lower())).strip("-") or "school"


def _flow(d: dict) -> CommentedMap:
    m = CommentedMap(d)
    m.fa.set_flow_style()
    return m


def partnership_from_answers(ask: Ask, today: date) -> CommentedMap:
    """Ask for the partnership's facts one by one and return them as YAML-ready data."""
    officer = ask("Officer: police-officer or pcso", choices=OFFICER_KINDS, default="police-officer")
    model = ask("Deployment: dedicated, shared, part-time or cluster", choices=DEPLOYMENT_MODELS, default="dedicated")
    count = 1 if model == "dedicated" else int(ask("How many schools", default="2" if model == "shared" else "4", number=True))
    days = ask("Days a week in school(s), 0.5 to 5", default="5" if model in ("dedicated", "cluster") else "1", number=True,
               check=lambda a: None if 0 < float(a) <= 5 else "a number of days from 0.5 to 5")
    schools = CommentedSeq()
    for i in range(count):
        which = f"School {i + 1}" if count > 1 else "School"
        name = ask(f"{which}: name")
        school = CommentedMap()
        school["id"] = _slug(name.replace("School", "").replace("Academy", ""))[:40].strip("-")
        school["name"] = name
        urn = ask(f"{which}: URN (six digits, blank if not known)", default="", allow_empty=True, check=_urn_problem)
        if urn:
            school["urn"] = urn
        school["phase"] = ask(f"{which}: phase", choices=SCHOOL_PHASES, default="secondary" if i == 0 else "primary")
        school["status"] = ask(f"{which}: legal status", choices=SCHOOL_STATUSES, default="academy")
        if school["status"] in ("maintained", "academy", "independent"):
            school["provision"] = ask(f"{which}: provision", choices=SCHOOL_PROVISIONS, default="mainstream")
        if school["status"] == "academy":
            trust = ask(f"{which}: academy trust", default="", allow_empty=True)
            if trust:
                school["trust"] = trust
        elif school["status"] in ("independent", "non-maintained-special", "further-education"):
            owner = ask(f"{which}: proprietor (company, charity or corporation)", default="", allow_empty=True)
            if owner:
                school["proprietor"] = owner
        school["head_teacher"] = _flow({"name": ask(f"{which}: head teacher's name")})
        school["spoc"] = _flow({"name": ask(f"{which}: single point of contact's name"),
                                "role": ask(f"{which}: single point of contact's role", default="Deputy Head Teacher")})
        school["dsl"] = _flow({"name": ask(f"{which}: designated safeguarding lead's name")})
        schools.append(school)
    force_name = ask("Police force", default="", check=lambda a: _name_problem(a, "force"))
    officer_name = ask("Officer's name")
    rank = "PCSO" if officer == "pcso" else ask("Officer's rank", default="PC")
    supervisor = ask("Supervisor's name")
    supervisor_rank = ask("Supervisor's rank", default="Sergeant")
    inspector = ask("Who signs for the force (name)")
    inspector_role = ask("Their role", default="Neighbourhood Inspector")
    in_force = ask("Date in force (YYYY-MM-DD)", default=today.isoformat(), iso_date=True)

    data = CommentedMap()
    ids = [s["id"] for s in schools]
    data["id"] = ids[0] if count == 1 else _slug(ask("Partnership id (a slug)", default=f"{ids[0]}-partnership",
                                                     check=_slug_problem))
    data["version"] = "1.0"
    data["in_force"] = date.fromisoformat(in_force)
    data["marking"] = "OFFICIAL"
    data["force"] = _flow({"name": force_name})
    data["schools"] = schools
    deployment = CommentedMap({"officer": officer, "model": model, "days_per_week": _number(days)})
    if model == "cluster":
        deployment["lead_school"] = ids[0]
    data["deployment"] = deployment
    data["officers"] = CommentedSeq([_flow({"name": officer_name, "rank": rank})])
    data["supervisor"] = _flow({"name": supervisor, "rank": supervisor_rank})
    signatories = CommentedSeq([_flow({"party": "force", "name": inspector, "role": inspector_role})])
    for s in schools:
        signatories.append(_flow({"party": s["id"], "name": s["head_teacher"]["name"], "role": "Head Teacher"}))
    data["signatories"] = signatories
    data["history"] = CommentedSeq([_flow({"version": "1.0", "date": date.fromisoformat(in_force),
                                           "author": f"{supervisor_rank} {supervisor}".strip(), "summary": "First protocol"})])
    return data


def _urn_problem(answer: str) -> str | None:
    return None if re.fullmatch(r"\d{6}", answer) else "a URN is six digits, such as 137245; leave it blank if not known"


def _slug_problem(answer: str) -> str | None:
    return None if re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", answer) else \
        "use lower-case letters, digits and single hyphens, such as harbour-cluster"


def _name_problem(answer: str, what: str) -> str | None:
    from protocolkit.model.partnership import outside_england

    try:
        outside_england(answer, what)
    except ValueError as exc:
        return str(exc)
    return None


def _number(text: str) -> float | int:
    value = float(text)
    return int(value) if value.is_integer() else value


def partnership_yaml(data: CommentedMap, schema_ref: str) -> str:
    """The partnership as YAML text, validated against the model first."""
    try:
        Partnership.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(f"the answers do not make a valid partnership: {where}: {first['msg']}") from None
    yaml = YAML()
    yaml.indent(mapping=2, sequence=4, offset=2)
    buf = StringIO()
    yaml.dump(data, buf)
    return f"# yaml-language-server: $schema={schema_ref}\n" + buf.getvalue()


def schema_reference(out: Path | None) -> str:
    """The $schema reference for a new file: schemas/ in a folder above it if there is one, else the installed copy."""
    if out is not None:
        folder = out.resolve().parent
        for parent in (folder, *folder.parents):
            candidate = parent / "schemas" / "partnership.schema.json"
            if candidate.is_file():
                return os.path.relpath(candidate, folder).replace(os.sep, "/")
    return (data_dir("schemas") / "partnership.schema.json").as_uri()


PRE_COMMIT = """\
# Checks clause and partnership files on every commit: pip install pre-commit && pre-commit install
repos:
  - repo: local
    hooks:
      - id: protocolkit-check
        name: protocolkit check
        entry: protocolkit check --library clauses
        language: system
        files: ^(clauses|partnerships)/.*\\.ya?ml$
        pass_filenames: true
"""

CI_WORKFLOW = """\
# Checks every partnership and the clause library on each push and pull request.
name: protocolkit
on: [push, pull_request]
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with: {fetch-depth: 0}
      - uses: actions/setup-python@v5
        with: {python-version: "3.12"}
      # protocolkit __VERSION__ wrote this file. Until protocolkit is published on a package index, set the
      # repository variable PROTOCOLKIT_SOURCE to the force's own copy of its repository, pinned to that version:
      #   git+<address of the force's protocolkit repository>@v__VERSION__
      - run: pip install "${{ vars.PROTOCOLKIT_SOURCE || 'protocolkit==__VERSION__' }}"
      - run: protocolkit check clauses partnerships --library clauses --format github
      - run: protocolkit status partnerships
"""

README = """\
# Safer Schools Partnership protocols

- `clauses/`: the clause library (a copy of protocolkit's; edit it to suit the force).
- `partnerships/`: one YAML file per school or cluster.
- `schemas/`: JSON Schemas, so editors complete and validate the YAML as you type.

    protocolkit check clauses partnerships --library clauses
    protocolkit build partnerships --library clauses --out build
    protocolkit status partnerships
"""


def init_repository(target: Path) -> list[Path]:
    """Lay out a ready repository in target (which must be empty or absent); returns what was written."""
    if target.exists() and any(target.iterdir()):
        raise InputError(f"{target}: folder is not empty; choose a new or empty folder")
    written: list[Path] = []
    for name in ("clauses", "schemas"):
        dest = target / name
        shutil.copytree(data_dir(name), dest)
        written.append(dest)
    example = next(iter(sorted(data_dir("examples").glob("*.yaml"))), None)
    (target / "partnerships").mkdir(parents=True, exist_ok=True)
    if example is not None:
        dest = target / "partnerships" / example.name
        dest.write_text(example.read_text(encoding="utf-8"), encoding="utf-8")
        written.append(dest)
    for rel, text in ((".pre-commit-config.yaml", PRE_COMMIT), (".github/workflows/protocolkit.yml", CI_WORKFLOW),
                      ("README.md", README), (".gitignore", "build/\n")):
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(text.replace("__VERSION__", __version__), encoding="utf-8")
        written.append(dest)
    return written
