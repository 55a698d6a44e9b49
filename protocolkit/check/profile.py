"""Profiles: which sections each document must have, the source that says so, and the headings that name them.

A profile is a YAML file (profiles/england.yaml is the default). `--profile NAME` picks a
shipped profile by name; `--profile FILE` reads a force's own.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator

from protocolkit.findings import InputError
from protocolkit.model.base import Regexes, Slug, Strict

DEFAULT_PROFILE = "england"


class RequiredSection(Strict):
    """A section a document must have."""

    id: Slug = Field(description="The section's id in the library's documents.yaml outline.")
    title: str = Field(min_length=1, description="How the checker names the section in its findings.")
    source: str = Field(min_length=1, description="The guidance or law that makes the section necessary.")
    headings: list[str] = Field(min_length=1, description="Words or phrases (case-insensitive, whole words) that, "
                                "found in a heading of a .docx written elsewhere, show the section is there.")
    opening: bool = Field(default=False, description="An untitled opening passage before the first heading counts "
                          "as this section (documents often open with their purpose).")
    signals: Regexes = Field(default_factory=list, description=(
        "Regular expressions (case-insensitive) for what the section says. A document with no heading naming the "
        "section still has it when its text, anywhere, matches enough different signals."))
    signals_min: int = Field(default=2, ge=1, description="How many different signals show the substance is there.")

    def signal_patterns(self) -> list[re.Pattern[str]]:
        """The signals, compiled (case-insensitive)."""
        return _compiled(tuple(self.signals))

    @field_validator("headings")
    @classmethod
    def _not_blank(cls, headings: list[str]) -> list[str]:
        if any(not _words(h) for h in headings):
            raise ValueError("a heading phrase must contain at least one letter or digit")
        return headings

    def names(self, label: str) -> bool:
        """Whether a label ("Purpose |", "AIM OF POLICY:") is one of the section's heading phrases, said exactly or
        with "of the policy/protocol/agreement" after it; "Review date" is not the review section."""
        words = re.sub(r"\s+(of|for)\s+(the\s+)?(this\s+)?(policy|protocol|agreement|isa|dsa)$", "", _words(label))
        return any(words == _words(h) for h in self.headings)

    def matches(self, heading: str) -> bool:
        """Whether a heading names this section."""
        text = f" {_words(heading)} "
        return any(f" {_words(h)} " in text for h in self.headings)


class Profile(Strict):
    """A checking profile: the mandatory sections of the protocol and of the data-sharing agreement."""

    name: Slug
    title: str = Field(min_length=1)
    description: str = ""
    checked: str = Field(default="", description="When the profile was last checked against its sources.")
    documents: dict[str, list[RequiredSection]] = Field(description="Document kind ('protocol', 'dsa') -> its mandatory sections.")

    @field_validator("documents")
    @classmethod
    def _kinds(cls, documents: dict[str, list[RequiredSection]]) -> dict[str, list[RequiredSection]]:
        unknown = set(documents) - {"protocol", "dsa"}
        if unknown:
            raise ValueError(f"unknown document kind {sorted(unknown)[0]!r}: use 'protocol' or 'dsa'")
        return documents

    def required(self, kind: str) -> list[RequiredSection]:
        """The mandatory sections of one kind of document."""
        return self.documents.get(kind, [])


@lru_cache(maxsize=256)
def _compiled(signals: tuple[str, ...]) -> list[re.Pattern[str]]:
    return [re.compile(s, re.IGNORECASE) for s in signals]


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower().replace("'", "").replace("\u2019", "")).split())


def profiles_dir() -> Path:
    """The shipped profiles folder."""
    from protocolkit.resources import data_dir

    return data_dir("profiles")


@lru_cache(maxsize=8)
def load_profile(spec: str | None) -> Profile:
    """The profile named `spec` (shipped) or read from the file `spec`; InputError with a place when it is wrong."""
    from protocolkit.load import load_model

    name = spec or DEFAULT_PROFILE
    path = Path(name)
    if not (path.suffix in (".yaml", ".yml") or path.is_file()):
        path = profiles_dir() / f"{name}.yaml"
        if not path.is_file():
            shipped = sorted(p.stem for p in profiles_dir().glob("*.yaml"))
            raise InputError(f"--profile {name}: no such profile; shipped profiles: {', '.join(shipped)}; or pass a profile YAML file")
    if not path.is_file():
        raise InputError(f"--profile {name}: no such file")
    profile, _, findings = load_model(path, Profile, str(path))
    if profile is None:
        first = findings[0]
        raise InputError(f"{first.location()}: the profile is not valid: {first.message}")
    return profile
