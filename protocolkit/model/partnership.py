"""The partnership file: one school or a cluster, its people, its deployment and its choices."""

from __future__ import annotations

import calendar
import re
from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from protocolkit.condition import (
    DEPLOYMENT_MODELS,
    LEGACY_SCHOOL_TYPES,
    OFFICER_KINDS,
    SCHOOL_PHASES,
    SCHOOL_PROVISIONS,
    SCHOOL_STATUSES,
)
from protocolkit.model.base import ClauseId, Date, Slug, Strict

Phase = Literal[SCHOOL_PHASES]  # type: ignore[valid-type]
SchoolStatus = Literal[SCHOOL_STATUSES]  # type: ignore[valid-type]
Provision = Literal[SCHOOL_PROVISIONS]  # type: ignore[valid-type]
LegacySchoolType = Literal[tuple(LEGACY_SCHOOL_TYPES)]  # type: ignore[valid-type]
OfficerKind = Literal[OFFICER_KINDS]  # type: ignore[valid-type]
DeploymentModel = Literal[DEPLOYMENT_MODELS]  # type: ignore[valid-type]
Marking = Literal["OFFICIAL", "OFFICIAL-SENSITIVE", "SECRET", "TOP SECRET"]


class Person(Strict):
    name: str = Field(min_length=1)
    role: str = ""
    email: str = ""
    phone: str = ""


class Force(Strict):
    name: Annotated[str, AfterValidator(lambda v: outside_england(v, "force"))] = Field(
        min_length=1, description="Full name, e.g. 'Norfolk Constabulary'. A force in England.")
    short_name: str = Field(default="", description="How the text refers to it, e.g. 'the Constabulary'.")
    area: str = Field(default="", description="Policing area, district or neighbourhood team.")
    address: str = ""
    chief_officer: str = Field(default="", description="The controller for the force, e.g. 'the Chief Constable of "
                               "Norfolk Constabulary'; defaults to the Chief Constable (the Commissioner for the "
                               "Metropolitan Police and the City of London Police).")
    systems: list[str] = Field(default_factory=list, description=(
        "Systems that hold shared data, each with its processor if any, e.g. 'CPOMS (processor: StudyBugs Ltd)'."))


class LocalAuthority(Strict):
    name: Annotated[str, AfterValidator(lambda v: outside_england(v, "local authority"))] = Field(min_length=1)
    address: str = ""
    contact: Person | None = None
    systems: list[str] = Field(default_factory=list, description=(
        "Systems that hold shared data, each with its processor if any, e.g. 'CPOMS (processor: StudyBugs Ltd)'."))


class School(Strict):
    id: Slug = Field(description="Short key used by signatories and DPOs, e.g. 'northgate'.")
    name: str = Field(min_length=1)
    urn: str = Field(default="", pattern=r"^(\d{6})?$", description="Unique reference number (six digits).")
    phase: Phase
    status: SchoolStatus | None = Field(default=None, description=(
        "The school's legal status: maintained (community, foundation, voluntary or maintained special or nursery "
        "school), academy (including free schools, special and alternative provision academies), "
        "non-maintained-special, independent, pupil-referral-unit, or further-education (a college)."))
    provision: Provision | None = Field(default=None, description=(
        "mainstream, special or alternative; defaults to special for a non-maintained special school, "
        "alternative for a pupil referral unit, and mainstream otherwise."))
    type: LegacySchoolType | None = Field(default=None, description=(
        "Before version 0.2: one word for status and provision. Still read; write status and provision instead."))
    trust: str = Field(default="", description="The academy trust that is the academy's proprietor.")
    proprietor: str = Field(default="", description=(
        "The legal person that runs the school, where not an academy trust: an independent school's proprietor "
        "(company, charity or person), a non-maintained special school's charity, a college's corporation."))
    address: str = ""
    pupils: int | None = Field(default=None, ge=0)
    head_teacher: Person
    spoc: Person = Field(description="The school's single point of contact for the officer.")
    dsl: Person = Field(description="The designated safeguarding lead.")
    chair_of_governors: Person | None = None
    systems: list[str] = Field(default_factory=list, description=(
        "Systems that hold shared data, each with its processor if any, e.g. 'CPOMS (processor: StudyBugs Ltd)'."))

    @model_validator(mode="after")
    def _status(self) -> "School":
        if self.type is not None:
            status, provision = LEGACY_SCHOOL_TYPES[self.type]
            if self.status is not None and self.status != status:
                raise ValueError(f"type {self.type!r} (before version 0.2) says status {status!r} but status is "
                                 f"{self.status!r}: remove 'type:' and keep status and provision")
            self.status = self.status or status
            self.provision = self.provision or provision
        if self.status is None:
            raise ValueError("the school has no status: add 'status:' (maintained, academy, non-maintained-special, "
                             "independent, pupil-referral-unit or further-education)")
        implied = {"non-maintained-special": "special", "pupil-referral-unit": "alternative"}.get(self.status)
        if self.provision is None:
            self.provision = implied or "mainstream"
        elif implied and self.provision != implied:
            raise ValueError(f"a {self.status} school makes {implied} provision, not {self.provision}: "
                             f"set 'provision: {implied}' or remove it")
        if self.status == "further-education" and self.provision != "mainstream":
            raise ValueError("a further-education college's provision is mainstream here: remove 'provision:' "
                             "(a specialist post-16 institution is status: independent, provision: special)")
        return self


class Deployment(Strict):
    officer: OfficerKind
    model: DeploymentModel
    days_per_week: float = Field(default=5, gt=0, le=5)
    hours: str = Field(default="", description="e.g. '08:00 to 16:30 on school days'.")
    base: str = Field(default="", description="Where the officer works from, e.g. 'an office beside reception'.")
    term_time_only: bool = True
    lead_school: Slug | None = Field(default=None, description="For a cluster: the school that hosts the officer.")


class Officer(Strict):
    name: str = Field(min_length=1)
    rank: str = Field(default="", description="e.g. 'PC', 'PCSO', 'Sergeant'.")
    number: str = Field(default="", description="Collar or warrant number.")
    email: str = ""
    phone: str = ""


class DataProtectionOfficer(Strict):
    party: str = Field(description="'force', 'local-authority' or a school id.")
    name: str = Field(min_length=1)
    email: str = ""
    phone: str = ""


class Signatory(Strict):
    party: str = Field(description="'force', 'local-authority' or a school id.")
    name: str = Field(min_length=1)
    role: str = Field(min_length=1)


class Review(Strict):
    cycle_months: int = Field(default=12, ge=1, le=12, description="At most twelve months between reviews.")
    last_reviewed: Date | None = None
    next_due: Date | None = Field(default=None, description="Defaults to last review (or date in force) plus the cycle.")


class ClauseOverride(Strict):
    title: str | None = None
    text: str | None = None
    items: list[str] | None = None
    reason: str = Field(default="", description="Why this partnership departs from the library.")


class LocalClause(Strict):
    id: ClauseId = Field(description="A dotted id starting 'local.', e.g. 'local.parking'.")
    title: str = Field(min_length=1)
    section: Slug
    documents: list[Literal["protocol", "dsa"]] = Field(default=["protocol"], min_length=1)
    order: int = 900
    text: str = Field(min_length=1)
    items: list[str] = Field(default_factory=list)
    cites: list[Slug] = Field(default_factory=list)


class ClauseChoices(Strict):
    include: list[ClauseId] = Field(default_factory=list, description="Optional clauses to add, by id.")
    exclude: list[ClauseId] = Field(default_factory=list, description="Clauses to leave out, by id.")
    overrides: dict[ClauseId, ClauseOverride] = Field(default_factory=dict)
    local: list[LocalClause] = Field(default_factory=list)


Fingerprint = Annotated[str, Field(pattern=r"^([0-9a-f]{64})?$")]


class Signed(Strict):
    """That a version was signed: when, by whom, and the fingerprint of each document's assembled text as signed
    (the SHA-256 printed in its document control table). `protocolkit signed` writes it."""

    on: Date = Field(description="The day the last signatory signed.")
    by: list[str] = Field(default_factory=list, description="The signatories who signed, by name.")
    protocol: Fingerprint = Field(default="", description="The protocol's fingerprint as signed.")
    dsa: Fingerprint = Field(default="", description="The data-sharing agreement's fingerprint as signed.")


class HistoryEntry(Strict):
    version: str = Field(min_length=1)
    date: Date
    author: str = Field(min_length=1)
    summary: str = Field(min_length=1, description="What changed in this version of the protocol.")
    dsa_summary: str = Field(default="", description=(
        "What changed in the data-sharing agreement; defaults to saying it was issued with this version of the protocol."))
    signed: Signed | None = Field(default=None, description="Recorded by `protocolkit signed` once this version is signed.")


class Partnership(Strict):
    id: Slug = Field(description="Names the output folder, e.g. 'northgate-high'.")
    title: str = Field(default="", description="Defaults to the school or cluster name.")
    version: str = Field(min_length=1)
    in_force: Date
    review: Review = Field(default_factory=Review)
    marking: Marking = "OFFICIAL"
    force: Force
    local_authority: LocalAuthority | None = None
    schools: list[School] = Field(min_length=1)
    deployment: Deployment
    officers: list[Officer] = Field(min_length=1)
    supervisor: Officer
    data_protection_officers: list[DataProtectionOfficer] = Field(default_factory=list)
    signatories: list[Signatory] = Field(min_length=1)
    enhanced_service: bool = Field(default=False, description="Whether the school funds time beyond the universal service.")
    variables: dict[str, str] = Field(default_factory=dict, description="Local values clauses may use as {{ local.NAME }}.")
    clauses: ClauseChoices = Field(default_factory=ClauseChoices)
    history: list[HistoryEntry] = Field(default_factory=list)

    @field_validator("variables")
    @classmethod
    def _named(cls, value: dict[str, str]) -> dict[str, str]:
        if any(not key.strip() for key in value):
            raise ValueError("a local value has no name, so no clause could use it: give it one, such as "
                             "'parking_bay: Bay 4' (used as {{ local.parking_bay }})")
        return value

    def party_keys(self) -> set[str]:
        """Keys by which signatories and DPOs name their organisation."""
        keys = {"force"} | {s.id for s in self.schools}
        if self.local_authority:
            keys.add("local-authority")
        return keys

    def review_due(self) -> date:
        """The next review date: explicit, or the last review (or date in force) plus the cycle."""
        if self.review.next_due:
            return self.review.next_due
        start = self.review.last_reviewed or self.in_force
        return add_months(start, self.review.cycle_months)


# Forces and councils whose areas lie outside England: protocolkit states the law of England only.
_OUTSIDE_ENGLAND = {
    "Wales": ("dyfed-powys police", "gwent police", "north wales police", "south wales police",
              "heddlu dyfed-powys", "heddlu gwent", "heddlu gogledd cymru", "heddlu de cymru",
              "blaenau gwent", "bridgend", "caerphilly", "cardiff", "carmarthenshire", "ceredigion", "conwy",
              "denbighshire", "flintshire", "gwynedd", "isle of anglesey", "merthyr tydfil", "monmouthshire",
              "neath port talbot", "newport city", "pembrokeshire", "powys", "rhondda cynon taf", "swansea",
              "torfaen", "vale of glamorgan", "wrexham", "cyngor"),
    "Scotland": ("police scotland", "scottish"),
    "Northern Ireland": ("police service of northern ireland", "psni", "northern ireland"),
}


def outside_england(name: str, what: str) -> str:
    """The name, unless it names a force or council outside England (then a ValueError saying which country)."""
    low = " " + " ".join(re.sub(r"[^\w-]+", " ", name.lower()).split()) + " "
    for country, names in _OUTSIDE_ENGLAND.items():
        for n in names:
            if f" {n} " in low:
                raise ValueError(
                    f"{name!r} is a {what} in {country}: protocolkit drafts partnerships in England only, whose "
                    f"education and safeguarding law differs from {country}'s; use a {what} in England, or draft "
                    f"under {country}'s own framework")
    return name


def add_months(start: date, months: int) -> date:
    """The same day so many months on, clamped to the month's end."""
    month = start.month - 1 + months
    year = start.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
