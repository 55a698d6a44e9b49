"""The checker's configuration, as ruff and yamllint have it: rules turned off, severities changed, paths ignored.

It lives in `protocolkit.yaml` at the project's root, or under `[tool.protocolkit.check]` in
pyproject.toml, found by walking up from the first path checked (or the working folder)::

    # protocolkit.yaml
    check:
      disable: [marking-missing]            # these rules never report
      severity: {thin-section: info}        # error, warning or info
      per-path-ignores:                     # glob (relative to this file's folder) -> rules
        "archive/**": [dated-reference, review-date]

Inline suppressions (`# protocolkit: disable=RULE`) still work beside it. A configuration that
names an unknown rule or severity is refused with its place and the fix, before anything is checked.
"""

from __future__ import annotations

import dataclasses
import fnmatch
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError

from protocolkit.findings import Finding, InputError, Severity, did_you_mean
from protocolkit.model.base import Strict

CONFIG_FILE = "protocolkit.yaml"


class CheckConfig(Strict):
    disable: list[str] = Field(default_factory=list, description="Rule ids that never report.")
    severity: dict[str, Severity] = Field(default_factory=dict, description="Rule id -> error, warning or info.")
    per_path_ignores: dict[str, list[str]] = Field(default_factory=dict, alias="per-path-ignores",
                                                   description="Glob, relative to the configuration's folder -> rule ids.")


class ConfigFile(Strict):
    check: CheckConfig = Field(default_factory=CheckConfig)


@dataclass
class Config:
    """The effective configuration: where it came from, and what it does to findings."""

    source: str = ""
    root: Path = field(default_factory=Path.cwd)
    check: CheckConfig = field(default_factory=CheckConfig)
    # a finding's path -> the file it stands for: the form checks a temporary copy of the file it would save, and
    # per-path ignores speak of the file itself
    stand_ins: dict[str, Path] = field(default_factory=dict)

    def severity_of(self, rule: str, default: Severity) -> Severity | None:
        """The rule's severity here, or None when the rule is off."""
        if rule in self.check.disable:
            return None
        return self.check.severity.get(rule, default)

    def apply(self, findings: list[Finding]) -> list[Finding]:
        """The findings less those turned off or ignored for their path, at their configured severity (new findings:
        a library's findings are cached between runs and must not carry one run's configuration into the next)."""
        out = []
        for f in findings:
            severity = self.severity_of(f.rule, f.severity)
            if severity is None or self._ignored(f):
                continue
            out.append(f if severity == f.severity else dataclasses.replace(f, severity=severity))
        return out

    def _ignored(self, f: Finding) -> bool:
        if not self.check.per_path_ignores:
            return False
        try:
            rel = Path(self.stand_ins.get(f.path, f.path)).resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return False  # per-path ignores speak of the project's own files only
        return any(f.rule in rules and (fnmatch.fnmatch(rel, glob) or fnmatch.fnmatch(rel, glob.rstrip("/") + "/*"))
                   for glob, rules in self.check.per_path_ignores.items())


def find_config(start: Path | None = None) -> Config:
    """The configuration governing `start` (a file or folder; the working folder when None)."""
    here = (start or Path.cwd()).resolve()
    folder = here if here.is_dir() else here.parent
    for candidate in [folder, *folder.parents]:
        yaml_file = candidate / CONFIG_FILE
        if yaml_file.is_file():
            return _from_yaml(yaml_file)
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file():
            config = _from_pyproject(pyproject)
            if config is not None:
                return config
        if (candidate / ".git").exists():
            break  # a repository's root bounds the search, as git's own configuration does
    return Config()


def _from_yaml(path: Path) -> Config:
    from protocolkit.load import load_model

    model, doc, findings = load_model(path, ConfigFile, str(path))
    if model is None and doc is not None and doc.data is None:
        return Config(str(path), path.parent)  # an empty file (or comments only): the defaults
    if model is None:
        first = findings[0]
        raise InputError(f"{first.location()}: the configuration is not valid: {first.message}")
    _check_rules(model.check, lambda place: _yaml_place(path, doc, place))
    return Config(str(path), path.parent, model.check)


def _yaml_place(path: Path, doc: Any, place: tuple) -> str:
    """path:line:col of a rule named in protocolkit.yaml: a list entry, or a key of `severity`."""
    from protocolkit.load import position

    line, col = position(doc.data, ["check", *place], at_key=place[0] == "severity")
    if place[0] == "per_path_ignores" and line is None:
        line, col = position(doc.data, ["check", "per-path-ignores", *place[1:]])
    return f"{path}:{line}:{col}" if line else str(path)


def _from_pyproject(path: Path) -> Config | None:
    try:
        import tomllib  # type: ignore[import-not-found]
    except ImportError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if "tool.protocolkit" not in text:
        return None  # another project's pyproject.toml: not ours to read, even if it is broken
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: cannot read [tool.protocolkit]: {exc}") from None
    tool = data.get("tool")
    section: Any = tool.get("protocolkit") if isinstance(tool, dict) else None
    if section is None:
        return None
    try:
        model = ConfigFile.model_validate(section)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err.get("loc", ()))
        raise InputError(f"{path}: [tool.protocolkit] {where}: {err.get('msg', 'invalid')}") from None
    _check_rules(model.check, lambda place: f"{path} [tool.protocolkit]")
    return Config(f"{path} [tool.protocolkit]", path.parent, model.check)


def _check_rules(check: CheckConfig, where) -> None:
    """Every rule the configuration names must exist and may be configured; `where(place)` says where it is named."""
    from protocolkit.check.codes import LOADER_CODES, all_codes

    known = all_codes()
    named = [*((r, ("disable", i)) for i, r in enumerate(check.disable)),
             *((r, ("severity", r)) for r in check.severity),
             *((r, ("per-path-ignores", glob, i)) for glob, rules in check.per_path_ignores.items()
               for i, r in enumerate(rules))]
    for rule, place in named[:len(check.disable) + len(check.severity)]:
        if rule in LOADER_CODES and rule.startswith(("yaml-", "schema")):
            raise InputError(f"{where(place)}: {rule!r} cannot be turned off or lowered: a file that cannot be read or "
                             f"does not fit the schema cannot be built, so check must fail on it too")
    for rule, place in named:
        if rule not in known:
            raise InputError(f"{where(place)}: no rule {rule!r}{did_you_mean(rule, known)}; `protocolkit rules` lists "
                             f"them")
