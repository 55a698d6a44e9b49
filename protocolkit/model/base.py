"""Shared pydantic configuration: unknown keys are errors, so a typo never passes silently."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CLAUSE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)+$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False, populate_by_name=True)


# Names Windows keeps for devices: no file or folder can be called so, whatever its extension.
WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}
# The years a partnership can run in; a date outside them is a typing slip, and date arithmetic stays in range.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _slug(value: str) -> str:
    if not SLUG.fullmatch(value):  # fullmatch: `$` would let a trailing newline through
        raise ValueError(f"{value!r} is not a slug: use lower-case letters, digits and single hyphens, e.g. 'northgate-high'")
    if value in WINDOWS_RESERVED:
        raise ValueError(f"{value!r} is a name Windows keeps for a device, so no folder can be called it: choose "
                         f"another, such as '{value}-school'")
    return value


def _in_years(value: date) -> date:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"{value.isoformat()} is outside the years a partnership can run ({FIRST_YEAR} to "
                         f"{LAST_YEAR}): check the year")
    return value


def _clause_id(value: str) -> str:
    if not CLAUSE_ID.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a clause id: use dotted slugs such as 'finance.universal-service'"
        )
    return value


Slug = Annotated[str, AfterValidator(_slug)]
Date = Annotated[date, AfterValidator(_in_years)]
ClauseId = Annotated[str, AfterValidator(_clause_id)]


def _regexes(patterns: list[str]) -> list[str]:
    for p in patterns:
        try:
            re.compile(p)
        except re.error as exc:
            raise ValueError(f"pattern {p!r} is not a valid regular expression: {exc}") from None
    return patterns


# A list of regular expressions, each checked to compile when the file loads (a register's patterns, a profile's
# signals), so that a broken one is a finding at its line rather than an error when text is searched.
Regexes = Annotated[list[str], AfterValidator(_regexes)]
