"""A legal basis is misused.

Four misuses that old protocols and DSAs commonly carry:

- s115 Crime and Disorder Act 1998 given as the gateway for sharing with a school: s115 is a
  power to disclose to "relevant authorities", schools are not among them, and it is never a
  UK GDPR lawful basis by itself.
- Children Act 2004 s11 applied to a school: s11 does not cover schools; their safeguarding duty
  is Education Act 2002 s175 (maintained schools and colleges) or the Independent School
  Standards (academies and independent schools). A sentence that gives s11 to the police or the
  local authority before it names a school is not flagged.
- UK GDPR Article 6(1)(f) legitimate interests relied on by the police, a school or a local
  authority for its public tasks, which Article 6(1) rules out: use Article 6(1)(e) public task.
  Recognised legitimate interests (Article 6(1)(ea)) are a different basis and are not flagged here.
- A data-sharing agreement that shares special category or criminal offence data without naming
  an Article 9 or Article 10 condition (with the DPA 2018 Schedule 1 condition).

A sentence that says what the law does not do (for example "schools are not relevant
authorities under s115") is not flagged.

Passes:   The police share information with the school under UK GDPR Article 6(1)(e) and
          Education Act 2002 s175; s115 Crime and Disorder Act 1998 does not cover schools.
Fails:    Section 115 Crime and Disorder Act 1998 enables the sharing of information between
          schools and police.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterator

from protocolkit.check.rules._common import at, text_files
from protocolkit.check.subject import Subject
from protocolkit.check.text import doc_paragraphs, docx_finding, sentences, yaml_finding, yaml_texts
from protocolkit.findings import Finding

ID = "legal-basis"
NAME = "Legal basis misused"
SEVERITY = "error"
TARGETS = ("partnership", "library", "docx")

_SECTION = r"(?:section|sect\.?|s\.?)\s*"
S115 = re.compile(rf"\b{_SECTION}115\b[^.;]{{0,60}}?Crime\s+and\s+Disorder\s+Act|"
                  rf"Crime\s+and\s+Disorder\s+Act(?:\s*,?\s*1998)?\s*[,(]?\s*{_SECTION}115\b", re.IGNORECASE)
S11 = re.compile(rf"\b{_SECTION}11\b[^.;]{{0,40}}?Children\s+Act\s+2004|"
                 rf"Children\s+Act\s+2004\s*[,(]?\s*{_SECTION}11\b", re.IGNORECASE)
SCHOOLISH = re.compile(r"\bschools?\b|\bacadem(?:y|ies)\b|head\s*teacher|governing\s+bod|\bgovernors\b", re.IGNORECASE)
ART6F = re.compile(r"Article\s*6\s*\(\s*1\s*\)\s*\(\s*f\s*\)|\b6\s*\(\s*1\s*\)\s*\(\s*f\s*\)|(?<!recognised\s)\blegitimate\s+interests?\b",
                   re.IGNORECASE)
# Who a sentence gives s11 to: named before the citation, the police or a council is the subject, not a school.
_S11_HOLDER = re.compile(r"\bpolice\b|chief\s+(?:officer|constable)|\bconstabulary\b|\bthe\s+force\b|"
                         r"local\s+authorit|\bcouncil\b", re.IGNORECASE)
NEGATED = re.compile(r"\bnot\b|\bcannot\b|\bcan't\b|\bnever\b|\bno\s+longer\b|\bonly\s+for\s+(?:non|tasks\s+outside)|"
                     r"\bunavailable\b|\brules?\s+out\b|\binstead\s+of\b|\brather\s+than\b|\bneither\b|\bnor\b", re.IGNORECASE)
SENSITIVE = re.compile(r"special\s+category|criminal\s+offence\s+data|sensitive\s+personal\s+data|\bhealth\b|"
                       r"\bethnic|\breligio|sexual\s+orientation|sex\s+life|\bbiometric|\bgenetic|"
                       r"criminal\s+(?:convictions?|offences?|records?|allegations?)|\boffending\b", re.IGNORECASE)
CONDITION = re.compile(r"Article\s*9|Article\s*10|\bArt\.?\s*(?:9|10)\b|Schedule\s*1\b|"
                       r"Part\s*3\s+of\s+the\s+Data\s+Protection\s+Act|DPA\s+2018,?\s+Part\s*3", re.IGNORECASE)

S115_MSG = ("cites s115 Crime and Disorder Act 1998 as the gateway for sharing with a school: s115 is a power to "
            "disclose to relevant authorities, schools are not among them, and it is not a UK GDPR lawful basis; "
            "cite UK GDPR Article 6(1)(e) public task with the duty relied on (Education Act 2002 s175 or s157, "
            "Keeping Children Safe in Education) and the DPA 2018 conditions")
S11_MSG = ("applies Children Act 2004 s11 to a school, which it does not cover: cite Education Act 2002 s175 "
           "(maintained schools and colleges) or the Independent School Standards (academies and independent schools)")
ART6F_MSG = ("relies on UK GDPR Article 6(1)(f) legitimate interests, which a public authority cannot use for its "
             "public tasks: use Article 6(1)(e) public task (or 6(1)(c) legal obligation)")
ART9_MSG = ("the agreement shares special category or criminal offence data ({what}) but names no UK GDPR "
            "Article 9 or Article 10 condition: add the condition and the DPA 2018 Schedule 1 condition relied on "
            "(for example paragraph 18, safeguarding of children and individuals at risk)")


@lru_cache(maxsize=4096)  # a county's partnerships share most of their paragraphs
def misuses(text: str) -> tuple[tuple[str, re.Pattern[str], re.Match[str]], ...]:
    """(message, pattern, match) for each misused legal basis in a paragraph."""
    out = []
    for sentence in sentences(text):
        if NEGATED.search(sentence):
            continue
        for pattern, msg, needs_school in ((S115, S115_MSG, False), (S11, S11_MSG, True), (ART6F, ART6F_MSG, False)):
            m = pattern.search(sentence)
            if m and needs_school and (not SCHOOLISH.search(sentence) or _S11_HOLDER.search(sentence, 0, m.start())):
                continue
            if m:
                out.append((msg, pattern, m))
    return tuple(out)


def check(subject: Subject) -> Iterator[Finding]:
    if subject.kind == "docx":
        yield from _docx(subject)
        return
    for yfile in text_files(subject):
        for t in yaml_texts(yfile, ("history",)):
            for msg, pattern, m in misuses(t.value):
                yield yaml_finding(t, ID, SEVERITY, msg, m, pattern)
    if subject.kind == "library":
        yield from _library_dsa(subject)
    else:
        for doc in subject.documents:
            if doc.kind == "dsa":
                what = _unconditioned_doc(doc)
                if what:
                    line, col = at(subject.yaml, "clauses") if subject.yaml and "clauses" in subject.yaml.data else (1, 1)
                    yield Finding(ID, SEVERITY, ART9_MSG.format(what=what), subject.path, line, col)


# A question on a form ("Does the request include health information? Yes / No") asks; it does not share.
_QUESTION = re.compile(r"\?\s*$|\byes\s*/\s*no\b|\by\s*/\s*n\b|[\u2610\u2611\u2612]", re.IGNORECASE)


def _unconditioned_doc(doc) -> str:
    """_unconditioned of a document's whole text. A paragraph naming a condition settles it without the whole text
    being searched (each paragraph is searched once, however many documents share it)."""
    texts = [t.text for t in doc_paragraphs(doc)]
    if any(_names_condition(t) for t in texts):
        return ""
    return _unconditioned("\n".join(texts))


@lru_cache(maxsize=4096)
def _names_condition(text: str) -> bool:
    return CONDITION.search(text) is not None


def _unconditioned(text: str) -> str:
    """What sensitive data the text shares when it names no Article 9/10 condition; '' otherwise."""
    if CONDITION.search(text):
        return ""
    for sentence in (s for para in text.split("\n") for s in sentences(para)):
        if _QUESTION.search(sentence):
            continue
        m = SENSITIVE.search(sentence)
        if m:
            return " ".join(m.group(0).split()).lower()
    return ""


def _library_dsa(subject: Subject) -> Iterator[Finding]:
    lib = subject.library
    clauses = [c for c in lib.clauses.values()
               if "dsa" in c.model.documents and c.model.status == "active" and not c.model.optional]
    texts = [(c, " ".join([c.model.text, *c.model.items])) for c in clauses]
    what = _unconditioned("\n".join(t for _, t in texts))
    if what:
        # the words may only match across two clauses' texts: then the first clause carries the finding
        first = next((c for c, t in texts if SENSITIVE.search(t)), clauses[0])
        yield Finding.at(first.text_source, ID, SEVERITY, ART9_MSG.format(what=what), clause=first.model.id)


def _docx(subject: Subject) -> Iterator[Finding]:
    for doc in subject.documents:
        seen = set()
        for section, clause, text, page in doc_paragraphs(doc):
            for msg, _, m in misuses(text):
                key = (section.id, clause.id, msg)
                if key not in seen:
                    seen.add(key)
                    yield docx_finding(subject.path, section, clause, ID, SEVERITY, msg, text=m.group(0), page=page)
        if doc.kind == "dsa":
            what = _unconditioned_doc(doc)
            if what:
                yield Finding(ID, SEVERITY, ART9_MSG.format(what=what), subject.path)
