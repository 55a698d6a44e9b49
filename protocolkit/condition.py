"""The condition language: when a clause applies, as data over the partnership's facts.

A condition is a short sentence, parsed at load time and never evaluated as code::

    officer is pcso
    deployment in [shared, part-time, cluster]
    any school.status is academy
    all school.phase is primary
    no school.provision in [special, alternative]
    schools >= 2
    enhanced_service is true
    officer is police-officer and not deployment is cluster
    (deployment is cluster or schools >= 3) and any school.phase is primary

Grammar (``and`` binds tighter than ``or``; ``not`` tighter still)::

    condition  := or
    or         := and ("or" and)*
    and        := unary ("and" unary)*
    unary      := "not" unary | "(" or ")" | test
    test       := [any|all|no] FACT OP VALUE
    OP         := is | is not | in | not in | == | != | >= | <= | > | <
    VALUE      := WORD | NUMBER | "[" WORD ("," WORD)* "]"

Facts about schools (``school.*``) hold for a partnership with several schools when
any of them matches; ``all`` and ``no`` change that. Every fact and value is checked
against FACTS when the condition is parsed, so a typo is an error at load time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Union

OFFICER_KINDS = ("police-officer", "pcso")
DEPLOYMENT_MODELS = ("dedicated", "shared", "part-time", "cluster")
SCHOOL_PHASES = ("nursery", "primary", "middle", "secondary", "all-through", "post-16")
# A school's legal status and its provision are two facts: a special academy is an academy (its
# proprietor, its duties) that makes special provision, and clauses must be able to tell the two apart.
SCHOOL_STATUSES = ("maintained", "academy", "non-maintained-special", "independent", "pupil-referral-unit",
                   "further-education")
SCHOOL_PROVISIONS = ("mainstream", "special", "alternative")
# Bodies that are public authorities under FOIA 2000 Schedule 1 and so under DPA 2018 s7 (see citations.yaml).
PUBLIC_STATUSES = ("maintained", "academy", "pupil-referral-unit", "further-education")
# The single 'type' of partnership files written before 0.2, read as status and provision.
LEGACY_SCHOOL_TYPES: dict[str, tuple[str, str]] = {
    "maintained": ("maintained", "mainstream"),
    "academy": ("academy", "mainstream"),
    "free-school": ("academy", "mainstream"),
    "special": ("maintained", "special"),
    "pru": ("pupil-referral-unit", "alternative"),
    "fe-college": ("further-education", "mainstream"),
    "independent": ("independent", "mainstream"),
}

# fact name -> allowed values (None: a number); facts under "school." are per school.
FACTS: dict[str, tuple[str, ...] | None] = {
    "officer": OFFICER_KINDS,
    "deployment": DEPLOYMENT_MODELS,
    "days_per_week": None,
    "schools": None,
    "enhanced_service": ("true", "false"),
    "local_authority": ("true", "false"),
    "school.phase": SCHOOL_PHASES,
    "school.status": SCHOOL_STATUSES,
    "school.provision": SCHOOL_PROVISIONS,
    "school.public_authority": ("true", "false"),
}

_TOKEN = re.compile(r"\s*(?:(\(|\)|\[|\]|,|>=|<=|==|!=|>|<)|([A-Za-z0-9_.\-]+))")


class ConditionError(ValueError):
    """A condition that does not parse; ``offset`` is the 0-based character position."""

    def __init__(self, message: str, offset: int = 0):
        super().__init__(message)
        self.offset = offset


@dataclass(frozen=True)
class Test:
    quantifier: str  # "any", "all", "no" or "" for a partnership-wide fact
    fact: str
    op: str
    value: Union[str, float, tuple[str, ...]]


@dataclass(frozen=True)
class Not:
    operand: "Node"


@dataclass(frozen=True)
class BoolOp:
    op: str  # "and" | "or"
    operands: tuple["Node", ...]


Node = Union[Test, Not, BoolOp]


def _tokens(text: str) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if not m:
            start = pos + len(text[pos:]) - len(text[pos:].lstrip())
            raise ConditionError(f"unexpected character {text[start]!r}", start)
        tok = m.group(1) or m.group(2)
        out.append((tok, m.start(1) if m.group(1) else m.start(2)))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.toks = _tokens(text)
        self.i = 0

    def peek(self) -> str | None:
        return self.toks[self.i][0] if self.i < len(self.toks) else None

    def where(self) -> int:
        return self.toks[self.i][1] if self.i < len(self.toks) else len(self.text)

    def take(self, expected: str | None = None) -> str:
        tok = self.peek()
        if tok is None:
            raise ConditionError(
                f"condition ends early{': expected ' + repr(expected) if expected else ''}", len(self.text)
            )
        if expected is not None and tok != expected:
            raise ConditionError(f"expected {expected!r}, found {tok!r}", self.where())
        self.i += 1
        return tok

    def parse(self) -> Node:
        if not self.toks:
            raise ConditionError("empty condition", 0)
        node = self.or_()
        if self.peek() is not None:
            raise ConditionError(f"unexpected {self.peek()!r}: join tests with 'and' or 'or'", self.where())
        return node

    def or_(self) -> Node:
        parts = [self.and_()]
        while self.peek() == "or":
            self.take()
            parts.append(self.and_())
        return parts[0] if len(parts) == 1 else BoolOp("or", tuple(parts))

    def and_(self) -> Node:
        parts = [self.unary()]
        while self.peek() == "and":
            self.take()
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else BoolOp("and", tuple(parts))

    def unary(self) -> Node:
        if self.peek() == "not":
            self.take()
            return Not(self.unary())
        if self.peek() == "(":
            self.take()
            node = self.or_()
            self.take(")")
            return node
        return self.test()

    def test(self) -> Test:
        quantifier = ""
        if self.peek() in ("any", "all", "no"):
            quantifier = self.take()
        fact_at = self.where()
        fact = self.take()
        if fact == "school.type":
            raise ConditionError("'school.type' was split in two: test 'school.status' (maintained, academy, "
                                 "non-maintained-special, independent, pupil-referral-unit, further-education) or "
                                 "'school.provision' (mainstream, special, alternative)", fact_at)
        if fact not in FACTS:
            raise ConditionError(f"unknown fact {fact!r}; known facts: {', '.join(FACTS)}", fact_at)
        if quantifier and not fact.startswith("school."):
            raise ConditionError(f"'{quantifier}' goes only with school facts, not {fact!r}", fact_at)
        op_at = self.where()
        op = self.take()
        if op == "is" and self.peek() == "not":
            self.take()
            op = "is not"
        elif op == "not" and self.peek() == "in":
            self.take()
            op = "not in"
        if op not in ("is", "is not", "in", "not in", "==", "!=", ">=", "<=", ">", "<"):
            raise ConditionError(f"expected an operator (is, is not, in, not in, >=, ...) after {fact!r}, found {op!r}", op_at)
        allowed = FACTS[fact]
        value_at = self.where()
        value: Union[str, float, tuple[str, ...]]
        if op in ("in", "not in"):
            self.take("[")
            items = [self.take()]
            while self.peek() == ",":
                self.take()
                items.append(self.take())
            self.take("]")
            value = tuple(items)
            values = items
        else:
            raw = self.take()
            values = [raw]
            value = raw
        if allowed is None:
            try:
                nums = [float(v) for v in values]
            except ValueError:
                raise ConditionError(f"{fact!r} is a number; {values[0]!r} is not", value_at) from None
            value = tuple(str(n) for n in nums) if isinstance(value, tuple) else nums[0]
        else:
            if op in (">=", "<=", ">", "<"):
                raise ConditionError(f"{op!r} compares numbers; {fact!r} is one of {', '.join(allowed)}", op_at)
            for v in values:
                if v not in allowed:
                    raise ConditionError(f"{v!r} is not a value of {fact!r}; use one of: {', '.join(allowed)}", value_at)
        return Test(quantifier or ("any" if fact.startswith("school.") else ""), fact, op, value)


@lru_cache(maxsize=2048)
def parse(text: str) -> Node:
    """The parsed condition (cached: a library's conditions are evaluated for every partnership and document);
    raises ConditionError with the offset of the fault."""
    return _Parser(text).parse()


def _compare(actual: Any, op: str, value: Any) -> bool:
    if isinstance(value, tuple):
        if all(_is_number(v) for v in value) and not isinstance(actual, str):
            hit = float(actual) in {float(v) for v in value}
        else:
            hit = str(actual) in value
        return hit if op == "in" else not hit
    if isinstance(value, float):
        a = float(actual)
        return {
            "is": a == value, "==": a == value, "is not": a != value, "!=": a != value,
            ">=": a >= value, "<=": a <= value, ">": a > value, "<": a < value,
        }[op]
    same = str(actual).lower() == value.lower()
    return same if op in ("is", "==") else not same


def _is_number(v: str) -> bool:
    try:
        float(v)
        return True
    except ValueError:
        return False


def evaluate(node: Node, facts: dict[str, Any]) -> bool:
    """Whether the condition holds for these facts (school facts are lists, one per school)."""
    if isinstance(node, BoolOp):
        results = (evaluate(n, facts) for n in node.operands)
        return all(results) if node.op == "and" else any(results)
    if isinstance(node, Not):
        return not evaluate(node.operand, facts)
    actual = facts[node.fact]
    if node.fact.startswith("school."):
        hits = [_compare(a, node.op, node.value) for a in actual]
        quantify: Callable[[list[bool]], bool] = {
            "any": any, "all": lambda h: bool(h) and all(h), "no": lambda h: not any(h)
        }[node.quantifier]
        return quantify(hits)
    return _compare(actual, node.op, node.value)
