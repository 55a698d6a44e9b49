"""The partnership form's fields: every key a partnership file has, with the words a school uses for it.

The form names each input by the key's path in the file ("schools.0.head_teacher.name"); a list's items keep the
index they had in the file (a hidden `_from` input says which), so an item removed from the middle of a list takes
its own comments with it and leaves the others where they were.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from protocolkit.condition import DEPLOYMENT_MODELS, OFFICER_KINDS, SCHOOL_PHASES, SCHOOL_PROVISIONS, SCHOOL_STATUSES

FieldKind = str  # text, long, date, number, choice, bool, lines, party, documents, section, clause


@dataclass(frozen=True)
class Field:
    key: str  # dotted, relative to its group (or to the item of a list)
    label: str
    kind: FieldKind = "text"
    hint: str = ""
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()  # (value, words)
    default: object = None  # what the file means when the key is absent (for a checkbox)
    autocomplete: str = ""


@dataclass(frozen=True)
class Group:
    key: str  # dotted path of the mapping or list in the file ("" for the top level)
    legend: str
    fields: tuple[Field, ...]
    list: bool = False  # a list of mappings: schools, officers, signatories ...
    mapping_key: str = ""  # a mapping of name -> item (overrides, variables): the field that is the key
    item: str = ""  # what one item is called: "school"
    optional: bool = False  # a mapping the file may leave out: removed when every field is empty
    scalar: bool = False  # a mapping of name -> text (variables): each item's one field is the text
    intro: str = ""
    parts: tuple["Group", ...] = field(default=())  # nested mappings of an item (a school's head teacher)


def _choices(values: tuple[str, ...], words: dict[str, str] | None = None) -> tuple[tuple[str, str], ...]:
    words = words or {}
    return tuple((v, words.get(v, v.replace("-", " ").capitalize())) for v in values)


PHASES = _choices(SCHOOL_PHASES, {"post-16": "Post-16"})
STATUSES = _choices(SCHOOL_STATUSES, {
    "maintained": "Maintained (community, foundation, voluntary, maintained special or nursery)",
    "academy": "Academy (including free schools, special and alternative provision academies)",
    "non-maintained-special": "Non-maintained special school",
    "independent": "Independent school",
    "pupil-referral-unit": "Pupil referral unit",
    "further-education": "Further education college"})
PROVISIONS = (("", "As its status implies"),) + _choices(SCHOOL_PROVISIONS)
OFFICERS = _choices(OFFICER_KINDS, {"police-officer": "Police officer", "pcso": "Police community support officer (PCSO)"})
MODELS = _choices(DEPLOYMENT_MODELS, {
    "dedicated": "Dedicated: one school, full time", "shared": "Shared between a few schools",
    "part-time": "Part-time in one school", "cluster": "A cluster, based at a lead school"})
MARKINGS = (("OFFICIAL", "OFFICIAL"), ("OFFICIAL-SENSITIVE", "OFFICIAL-SENSITIVE"), ("SECRET", "SECRET"),
            ("TOP SECRET", "TOP SECRET"))

DATE_HINT = "As day/month/year, for example 01/09/2026"


def person(key: str, legend: str, optional: bool = False, role: bool = True) -> Group:
    """A person's name and contact details, as a nested mapping."""
    fields = [Field("name", "Name", required=not optional, autocomplete="off")]
    if role:
        fields.append(Field("role", "Role or job title"))
    fields += [Field("email", "Email", autocomplete="off"), Field("phone", "Phone", autocomplete="off")]
    return Group(key, legend, tuple(fields), optional=optional)


PARTNERSHIP = Group("", "The partnership", (
    Field("id", "Short name for the files", required=True,
          hint="Lower-case letters, digits and single hyphens, for example northgate-high. It names the folder the "
               "documents are written to."),
    Field("title", "Title", hint="Leave empty to use the school's name (or the schools' names)."),
    Field("version", "Version", required=True, hint="For example 1.0"),
    Field("in_force", "Date in force", "date", required=True, hint=DATE_HINT),
    Field("marking", "Protective marking", "choice", choices=MARKINGS, default="OFFICIAL"),
    Field("enhanced_service", "The school pays for police time beyond the universal service", "bool", default=False),
))

REVIEW = Group("review", "Review", (
    Field("cycle_months", "Months between reviews", "number", hint="At most 12.", default=12),
    Field("last_reviewed", "Last reviewed on", "date", hint=DATE_HINT),
    Field("next_due", "Next review due on", "date",
          hint="Leave empty to count from the last review (or the date in force). " + DATE_HINT),
), optional=True)

FORCE = Group("force", "Police force", (
    Field("name", "Force's full name", required=True, hint="For example Norfolk Constabulary. A force in England."),
    Field("short_name", "How the text calls it", hint="For example the Constabulary"),
    Field("area", "Policing area or team"),
    Field("address", "Address", "long"),
    Field("chief_officer", "Controller for the force",
          hint="Leave empty for the Chief Constable (the Commissioner for the Metropolitan and City of London "
               "Police)."),
    Field("systems", "Systems that hold shared data", "lines",
          hint="One a line, each with its processor if any, for example CPOMS (processor: StudyBugs Ltd)."),
))

LOCAL_AUTHORITY = Group("local_authority", "Local authority (if it is a party)", (
    Field("name", "Council's name", required=True),
    Field("address", "Address", "long"),
    Field("systems", "Systems that hold shared data", "lines", hint="One a line."),
), optional=True, parts=(person("contact", "Contact at the council", optional=True),))

SCHOOLS = Group("schools", "Schools", (
    Field("name", "School's name", required=True, autocomplete="organization"),
    Field("id", "Short key for the school", required=True,
          hint="Lower-case letters, digits and hyphens, for example northgate. Signatories and data protection "
               "officers name the school by it."),
    Field("urn", "URN", hint="The six-digit unique reference number, if known."),
    Field("phase", "Phase", "choice", required=True, choices=PHASES),
    Field("status", "Legal status", "choice", required=True, choices=STATUSES),
    Field("provision", "Provision", "choice", choices=PROVISIONS),
    Field("trust", "Academy trust", hint="For an academy: the trust that runs it."),
    Field("proprietor", "Proprietor", hint="For an independent or non-maintained special school, or a college: the "
                                           "company, charity or corporation that runs it."),
    Field("address", "Address", "long"),
    Field("pupils", "Number of pupils", "number"),
    Field("systems", "Systems that hold shared data", "lines", hint="One a line."),
), list=True, item="school", parts=(
    person("head_teacher", "Head teacher"),
    person("spoc", "Single point of contact for the officer"),
    person("dsl", "Designated safeguarding lead"),
    person("chair_of_governors", "Chair of governors (optional)", optional=True),
))

DEPLOYMENT = Group("deployment", "Deployment", (
    Field("officer", "Who is deployed", "choice", required=True, choices=OFFICERS),
    Field("model", "How", "choice", required=True, choices=MODELS),
    Field("days_per_week", "Days a week in school", "number", hint="From 0.5 to 5.", default=5),
    Field("hours", "Hours", hint="For example 08:00 to 16:30 on school days"),
    Field("base", "Where the officer works from", hint="For example an office beside reception"),
    Field("term_time_only", "In school in term time only", "bool", default=True),
    Field("lead_school", "Lead school (for a cluster)", "party", hint="The school key of the school that hosts the "
                                                                        "officer."),
))

def _officer(rank_example: str) -> tuple[Field, ...]:
    """What a partnership file says of an officer (an Officer in the model)."""
    return (Field("name", "Name", required=True), Field("rank", "Rank", hint=f"For example {rank_example}"),
            Field("number", "Collar or warrant number"), Field("email", "Email"), Field("phone", "Phone"))


OFFICERS_GROUP = Group("officers", "Officers", _officer("PC, PCSO or Sergeant"), list=True, item="officer")
SUPERVISOR = Group("supervisor", "The officer's supervisor", _officer("Sergeant"))

DPOS = Group("data_protection_officers", "Data protection officers", (
    Field("party", "For", "party", required=True, hint="force, local-authority or a school's key"),
    Field("name", "Name", required=True),
    Field("email", "Email"),
    Field("phone", "Phone"),
), list=True, item="data protection officer")

SIGNATORIES = Group("signatories", "Signatories", (
    Field("party", "Signs for", "party", required=True, hint="force, local-authority or a school's key"),
    Field("name", "Name", required=True),
    Field("role", "Role", required=True, hint="For example Head Teacher"),
), list=True, item="signatory")

OVERRIDES = Group("clauses.overrides", "Changed wording of a standard clause", (
    Field("_key", "Clause", "clause", required=True),
    Field("title", "New title", hint="Leave empty to keep the library's."),
    Field("text", "New text", "long", hint="Leave empty to keep the library's."),
    Field("items", "New bullet points", "lines", hint="One a line; leave empty to keep the library's."),
    Field("reason", "Why this partnership differs"),
), mapping_key="_key", item="changed clause")

LOCAL = Group("clauses.local", "Local clauses", (
    Field("id", "Clause id", required=True, hint="Starting local., for example local.parking"),
    Field("title", "Title", required=True),
    Field("section", "Section", "section", required=True),
    Field("documents", "Appears in", "documents", default=["protocol"]),
    Field("order", "Place in the section", "number", hint="Lower comes first; the library's clauses are numbered up "
                                                          "to a few hundred.", default=900),
    Field("text", "Text", "long", required=True),
    Field("items", "Bullet points", "lines", hint="One a line."),
    Field("cites", "Citations", "lines", hint="Ids from the library's citations register, one a line."),
), list=True, item="local clause")

VARIABLES = Group("variables", "Local values", (
    Field("_key", "Name", required=True, hint="Used in clause text as {{ local.NAME }}."),
    Field("value", "Value"),
), mapping_key="_key", item="local value", scalar=True)

HISTORY = Group("history", "Change history", (
    Field("version", "Version", required=True),
    Field("date", "Date", "date", required=True, hint=DATE_HINT),
    Field("author", "Author", required=True),
    Field("summary", "What changed in the protocol", required=True),
    Field("dsa_summary", "What changed in the data-sharing agreement",
          hint="Leave empty to say it was issued with this version of the protocol."),
), list=True, item="version")

# In the order of the README's tour of the format: new keys go into a file in this order.
GROUPS: tuple[Group, ...] = (PARTNERSHIP, REVIEW, FORCE, LOCAL_AUTHORITY, SCHOOLS, DEPLOYMENT, OFFICERS_GROUP,
                             SUPERVISOR, DPOS, SIGNATORIES, OVERRIDES, LOCAL, VARIABLES, HISTORY)
# The clause choices that are lists of ids: shown as checkboxes of the library's clauses.
CHOICE_LISTS = ("clauses.include", "clauses.exclude")
TOP_ORDER = ("id", "title", "version", "in_force", "review", "marking", "force", "local_authority", "schools",
             "deployment", "officers", "supervisor", "data_protection_officers", "signatories", "enhanced_service",
             "clauses", "variables", "history")
CLAUSES_ORDER = ("include", "exclude", "overrides", "local")
