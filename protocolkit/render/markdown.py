"""The markdown writer: a Document tree as CommonMark, for a terminal or a pull request."""

from __future__ import annotations

import re

from protocolkit.assemble import long_date
from protocolkit.document import Document

# Characters CommonMark might read as markup anywhere in a line; a backslash keeps them literal.
_INLINE = re.compile(r"([\\`*_\[\]<>|~])")
# Line starts that would turn text into a heading, list, quote or rule.
_LINE_START = re.compile(r"^(\s*)([#>+\-=])")
_ORDERED = re.compile(r"^(\s*\d+)([.)])(?=\s|$)")
_ENTITY = re.compile(r"&(?=#?\w+;)")


def escape(text: str) -> str:
    """Text that renders as itself in CommonMark (GitHub included): markup and HTML neutralised."""
    out = _ENTITY.sub(r"\\&", _INLINE.sub(r"\\\1", text))
    out = _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), out)
    return _ORDERED.sub(lambda m: m.group(1) + "\\" + m.group(2), out)


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(escape(c) or " " for c in cells) + " |"


def render_markdown(doc: Document) -> str:
    """The whole document: cover facts, contents, numbered sections and clauses, signatories."""
    meta = doc.metadata
    out: list[str] = [f"# {escape(doc.title)}", ""]
    if meta.subtitle:
        out += [f"**{escape(meta.subtitle)}**", ""]
    if meta.marking:
        out += [f"Protective marking: **{escape(meta.marking)}**", ""]
    facts = [("Version", meta.version), ("In force from", long_date(meta.in_force)),
             ("Next review due", long_date(meta.review_due)), ("Author", meta.author), ("Owner", meta.owner),
             ("Parties", "; ".join(f"{p.name} ({p.role})" for p in meta.parties)),
             ("Fingerprint (SHA-256)", doc.fingerprint())]
    out += ["| | |", "|---|---|"] + [_row([label, value]) for label, value in facts if value] + [""]
    if meta.history:
        out += ["## Change history", "", _row(["Version", "Date", "Author", "Summary"]), "|---|---|---|---|"]
        out += [_row([h.version, long_date(h.date), h.author, h.summary]) for h in meta.history] + [""]
    if doc.sections:
        out += ["## Contents", ""]
        out += [f"- {escape(s.number)} {escape(s.title)}" for s in doc.sections] + [""]
    for section in doc.sections:
        out += [f"## {escape(section.number)} {escape(section.title)}", ""]
        for clause in section.clauses:
            out += [f"### {escape(clause.number)} {escape(clause.title)}", ""]
            previous = None
            for para in clause.paragraphs:
                if previous in ("bullet", "row") and para.style != previous:
                    out.append("")
                if para.style == "bullet":
                    out.append(f"- {escape(para.text)}")
                elif para.style == "row":
                    cells = para.text.split("\t")
                    out.append(_row(cells))
                    if previous != "row":
                        out.append("|" + "---|" * len(cells))
                else:
                    out += [escape(para.text), ""]
                previous = para.style
            if previous in ("bullet", "row"):
                out.append("")
    if meta.signatories:
        out += ["## Signed", "", _row(["Name", "Role", "Organisation", "Signature", "Date"]), "|---|---|---|---|---|"]
        out += [_row([s.name, s.role, s.organisation, "", ""]) for s in meta.signatories] + [""]
    return "\n".join(out).rstrip("\n") + "\n"
