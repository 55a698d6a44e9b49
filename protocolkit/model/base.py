"""Shared pydantic configuration: unknown keys are errors, so a typo never passes silently."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CLAUSE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)+$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False, populate_by_name=True)


def _slug(value: str) -> str:
    if not SLUG.match(value):
        raise ValueError(f"{value!r} is not a slug: use lower-case letters, digits and single hyphens, e.g. 'northgate-high'")
    return value


def _clause_id(value: str) -> str:
    if not CLAUSE_ID.match(value):
        raise ValueError(
            f"{value!r} is not a clause id: use dotted slugs such as 'finance.universal-service'"
        )
    return value


Slug = Annotated[str, AfterValidator(_slug)]
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
