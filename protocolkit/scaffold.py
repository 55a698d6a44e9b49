"""`protocolkit new` (a partnership file from answers) and `protocolkit init` (a ready repository)."""

from __future__ import annotations

import json
import os
import re
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Callable

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from protocolkit import __version__
from protocolkit.condition import DEPLOYMENT_MODELS, OFFICER_KINDS, SCHOOL_PHASES, SCHOOL_PROVISIONS, SCHOOL_STATUSES
from protocolkit.files import make_folder, write_file
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


class Draft:
    """The answers given so far to `protocolkit new`, kept in a file after each one, so that a run stopped part way
    (Ctrl-C, a closed terminal) carries on where it stopped the next time. Answers are replayed in order while the
    questions asked are the ones the draft recorded; from the first that differs, the questions are asked again."""

    def __init__(self, path: Path):
        self.path = path
        self.answers: list[list[str]] = []
        self.replay: list[list[str]] = []

    def load(self) -> int:
        """How many answers an earlier run left; 0 when there is no draft, or one that cannot be read."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            replay = [[str(q), str(a)] for q, a in data["answers"]]
        except (OSError, ValueError, KeyError, TypeError):
            return 0
        self.replay = replay
        return len(replay)

    def recorded(self, question: str) -> str | None:
        """The draft's answer to this question, if it is the next one the draft holds."""
        if self.replay and self.replay[0][0] == question:
            return self.replay.pop(0)[1]
        self.replay = []
        return None

    def keep(self, question: str, answer: str) -> None:
        self.answers.append([question, answer])
        write_file(self.path, json.dumps({"protocolkit": "new", "answers": self.answers}, ensure_ascii=False, indent=1),
                   record=False)

    def discard(self) -> None:
        try:
            self.path.unlink()
        except OSError:
            pass


def draft_path(out: Path | None) -> Path:
    """Where `new` keeps its draft: beside the file it will write, or in the current folder."""
    if out is None:
        return Path(".protocolkit-new.draft.json")
    return out.with_name(f".{out.name}.draft.json")


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
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise InputError(f"{target}: is not a folder; choose a new or empty folder")
    try:
        if target.exists() and any(target.iterdir()):
            raise InputError(f"{target}: folder is not empty; choose a new or empty folder")
    except OSError as exc:
        raise InputError(f"{target}: cannot read the folder: {exc.strerror or exc}") from None
    written: list[Path] = []
    files: list[tuple[Path, str]] = []
    for name in ("clauses", "schemas"):
        for source in sorted(data_dir(name).iterdir()):
            if source.is_file():
                files.append((target / name / source.name, source.read_text(encoding="utf-8")))
    example = next(iter(sorted(data_dir("examples").glob("*.yaml"))), None)
    if example is not None:
        files.append((target / "partnerships" / example.name, example.read_text(encoding="utf-8")))
    for rel, text in ((".pre-commit-config.yaml", PRE_COMMIT), (".github/workflows/protocolkit.yml", CI_WORKFLOW),
                      ("README.md", README), (".gitignore", "build/\n")):
        files.append((target / rel, text.replace("__VERSION__", __version__)))
    for dest, text in files:
        make_folder(dest.parent)
        write_file(dest, text)
        top = target / dest.relative_to(target).parts[0]
        shown = top if top.name in ("clauses", "schemas") else dest
        if shown not in written:
            written.append(shown)
    make_folder(target / "partnerships")
    return written
