"""The .docx writer's content: what a Document tree puts into the template, and the numbered body.

The template (protocolkit/templates/document.docx, or a force's restyled copy) holds the cover, the
document-control table, the contents list, headers and footers and the signature table as docxtpl tags; the
numbered sections and clauses are written where the template has a paragraph holding only `{{ body }}`, in the
template's own Heading 1, Heading 2, Body Text and List Bullet styles, so restyling those in Word restyles the
document. render/writer compiles the template once and packs each document; this module says what goes in.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import TemplateError
from xml.sax.saxutils import escape, quoteattr

from protocolkit.assemble import long_date
from protocolkit.document import Clause, Document, Section
from protocolkit.findings import InputError
from protocolkit.render import wordml
from protocolkit.render.writer import (APP, CORE, CUSTOM, DECLARATION, Template, app_xml, cached_template, core_xml,
                                       document_date, marker_span)
from protocolkit.resources import template_path
from protocolkit.typography import typeset

# The tag of the paragraph the numbered body replaces.
BODY_TAG = "body"
# A value no partnership text can contain, so the body's paragraph is found unambiguously.
BODY_MARKER = "\u2063protocolkit-body\u2063"
SIGNATURES_SECTION = "signatures"
# Tables in the body of up to this many rows are kept on one page.
KEEP_TABLE_ROWS = 15
# The bookmark on the template's own "Signatures" heading, which the contents list's page number refers to.
SIGNATURES_BOOKMARK = "_pk_signatures"

# Styles the template must have: Word's built-in ones the body uses, and our own the template uses.
BODY_STYLES = {"section": "Heading 1", "clause": "Heading 2", "body": "Body Text", "bullet": "List Bullet"}
CUSTOM_STYLES = ("Front Heading", "Front Subheading", "Cover Label", "Cover Party", "Contents Entry", "Table Text",
                 "Fingerprint", "Signature Caption", "Marking")

DEFAULT_TEMPLATE = "document.docx"
# Zip entries carry this time, so two builds of one input are byte-identical.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
FIXED_DATE = datetime(2000, 1, 1)

_CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_CUSTOM_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"

# The library's ids of the sections and clauses, kept in the .docx so that read/docx gives a built
# document back with the ids it was built from: a hidden bookmark on each heading (Word keeps a name
# starting "_" out of its Bookmark dialog) and a custom XML part mapping each bookmark to its id.
IDS_NAMESPACE = "urn:protocolkit:document-ids:1"
BOOKMARK_PREFIX = "_pk"
# The bookmark spanning the numbered body, from the first heading to the end of the last paragraph.
BODY_BOOKMARK = "_pk_body"
# One fixed item id: a document holds at most one protocolkit part, and builds stay byte-identical.
_IDS_ITEM_ID = "{6B0F3C52-9E1A-4D47-8F2B-5A0C7D31E984}"
_DS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/customXml"


def template_context(doc: Document, fingerprint: str | None = None) -> dict[str, Any]:
    """Every value the template's tags may use, taken from the tree, typeset as the body is (quotes, and no-break
    spaces in dates, periods and names); ids, versions, the marking and the fingerprint as they are."""
    meta = doc.metadata
    cycle = meta.review_cycle_months
    t = typeset
    return {
        "title": t(doc.title),
        "partnership_title": t(meta.subtitle),
        "partnership_id": meta.partnership_id,
        "version": meta.version,
        "in_force": t(long_date(meta.in_force)),
        "review_due": t(long_date(meta.review_due)),
        # a document read from elsewhere records no dates at all: it never said it was "not yet reviewed"
        "last_reviewed": t(long_date(meta.last_reviewed)) or ("Not yet reviewed" if meta.in_force or meta.history
                                                              else ""),
        "review_cycle": t(f"{cycle} month{'s' if cycle != 1 else ''}") if cycle else "",
        "marking": meta.marking,
        "author": t(meta.author),
        "owner": t(meta.owner),
        "parties": [{"name": t(p.name), "role": t(p.role), "contact": t(p.contact), "dpo": t(p.dpo)}
                    for p in meta.parties],
        "history": [{"version": h.version, "date": t(long_date(h.date)), "author": t(h.author),
                     "summary": t(h.summary)} for h in meta.history],
        "fingerprint": fingerprint or doc.fingerprint(),
        "sections": [{"id": s.id, "number": s.number, "title": t(s.title), "bookmark": id_bookmark(s.id, 1)}
                     for s in doc.sections],
        "signatories": [{"name": t(s.name), "role": t(s.role), "organisation": t(s.organisation)}
                        for s in meta.signatories],
        "signatures_in_body": has_signature_section(doc),
        BODY_TAG: BODY_MARKER,
    }


def has_signature_section(doc: Document) -> bool:
    """Whether the tree ends with a numbered signatures section the signature table follows."""
    return bool(doc.sections) and doc.sections[-1].id == SIGNATURES_SECTION


CONTEXT_NAMES = frozenset(template_context(Document(kind="protocol", title="")))


def _jinja() -> Any:
    from protocolkit.render.writer import _jinja_env

    return _jinja_env()


# -- the body -------------------------------------------------------------------------


class BodyWriter:
    """The numbered sections and clauses as WordprocessingML, in the template's own styles, with the hidden
    bookmarks that record each heading's id."""

    def __init__(self, template: Template):
        self.template = template
        self.next_bookmark = template.first_bookmark
        self.recorded: list[tuple[str, int, str, str]] = []
        self.tables = 0
        self._names: set[str] = set()
        self.styles = {kind: template.style(name) for kind, name in BODY_STYLES.items()}

    def bookmark_id(self) -> int:
        number = self.next_bookmark
        self.next_bookmark += 1
        return number

    def heading_bookmark(self, node_id: str, number: str, level: int) -> tuple[int, str]:
        """A heading's id bookmark, recorded for the ids part; a repeated id still gets one of its own."""
        name = base = id_bookmark(node_id, level)
        n = 2
        while name in self._names:
            name, n = f"{base}_{n}", n + 1
        self._names.add(name)
        self.recorded.append((name, level, node_id, number))
        return self.bookmark_id(), name

    def heading(self, number: str, title: str, level: int, node_id: str, page_break: bool = False,
                keep: bool = False) -> str:
        mark, name = self.heading_bookmark(node_id, number, level)
        content = wordml.bookmark(mark, name, _heading_run(number, title))
        return wordml.paragraph(content, self.styles["section" if level == 1 else "clause"], keep, page_break)

    def text(self, text: str, kind: str = "body", keep: bool = False) -> str:
        return _text_paragraph(text, self.styles[kind], keep)

    def section(self, section: Section, new_page: bool) -> list[str]:
        keep = section.id == SIGNATURES_SECTION  # the signing words stay with the signature table after them
        heading = self.heading(section.number, section.title, 1, section.id, page_break=new_page)
        clauses = section.clauses
        if len(clauses) == 1 and _same_title(clauses[0].title, section.title):
            # a section of one clause with its own title: the section's heading serves for both, with the
            # clause's id bookmark beside the section's, so the tree reads back whole
            mark, name = self.heading_bookmark(clauses[0].id, clauses[0].number, 2)
            at = heading.index("<w:r>")
            heading = heading[:at] + wordml.bookmark(mark, name, "") + heading[at:]
            return [heading] + self.paragraphs(clauses[0].paragraphs, keep)
        out = [heading]
        for clause in clauses:
            if clause.number or clause.title:  # a clause read from a .docx may have neither: then no heading
                out.append(self.heading(clause.number, clause.title, 2, clause.id, keep=keep))
            out += self.paragraphs(clause.paragraphs, keep)
        return out

    def paragraphs(self, paragraphs: list, keep: bool) -> list[str]:
        """A clause's paragraphs and bullets, and its runs of table rows as tables."""
        out: list[str] = []
        rows: list[str] = []
        for p in paragraphs + [None]:
            if p is not None and p.style == "row":
                rows.append(p.text)
                continue
            if rows:
                out.append(self.table(rows))
                rows = []
            if p is not None:
                out.append(self.text(p.text, p.style, keep))
        return out

    def table(self, rows: list[str]) -> str:
        """Rows as a table in the template's grid style, lined up with the body text; the first row is its
        heading row, repeated on each page, and no row splits across pages."""
        self.tables += 1
        cells = [r.split("\t") for r in rows]
        width = max(len(c) for c in cells)
        cell_style = self.template.style_ids.get("Table Text", self.styles["body"])
        grid_style = self.template.style_ids.get("Table Grid", "")
        look = f'<w:tblStyle w:val="{grid_style}"/>' if grid_style else ""
        out = [f'<w:tbl><w:tblPr>{look}<w:tblW w:w="5000" w:type="pct"/>'
               f'<w:tblInd w:w="{self.template.body_indent}" w:type="dxa"/></w:tblPr>'
               f'<w:tblGrid>{"<w:gridCol/>" * width}</w:tblGrid>']
        for i, row in enumerate(cells):
            row = row + [""] * (width - len(row))
            head = i == 0 and len(cells) > 1
            trpr = "<w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>" if head else "<w:trPr><w:cantSplit/></w:trPr>"
            rpr = "<w:rPr><w:b/></w:rPr>" if head else ""
            # a short table (a cluster's officers, say) is kept on one page: each row keeps with the next
            together = len(cells) <= KEEP_TABLE_ROWS and i < len(cells) - 1
            out.append("<w:tr>" + trpr + "".join(
                f"<w:tc><w:tcPr><w:tcW w:w=\"0\" w:type=\"auto\"/></w:tcPr>"
                f"{wordml.paragraph(wordml.run(typeset(c), rpr), cell_style, together)}</w:tc>" for c in row)
                + "</w:tr>")
        return "".join(out) + "</w:tbl>"

    def body(self, doc: Document) -> str:
        """Every section, the first on a new page; one bookmark spans the whole body."""
        paragraphs: list[str] = []
        for i, section in enumerate(doc.sections):
            # The signatures section is not forced onto a page of its own: a forced break left a page holding the
            # last lines of the section before it. Its paragraphs keep with the signature table after them, so
            # the whole block moves to the next page only when it does not fit.
            paragraphs += self.section(section, new_page=i == 0)
        if not paragraphs:
            return ""
        number = self.bookmark_id()
        first, last = paragraphs[0], paragraphs[-1]
        at = first.index("<w:bookmarkStart")
        paragraphs[0] = first[:at] + f'<w:bookmarkStart w:id="{number}" w:name="{BODY_BOOKMARK}"/>' + first[at:]
        paragraphs[-1] = last[:-len("</w:p>")] + f'<w:bookmarkEnd w:id="{number}"/></w:p>'
        return "".join(paragraphs)


@lru_cache(maxsize=4096)  # a county's documents share most of their headings
def _heading_run(number: str, title: str) -> str:
    return wordml.run(f"{number}\t{typeset(title)}" if number else typeset(title))


@lru_cache(maxsize=4096)  # a county's documents share most of their paragraphs
def _text_paragraph(text: str, style_id: str, keep: bool) -> str:
    return wordml.paragraph(wordml.run(typeset(text)), style_id, keep)


def _same_title(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


@lru_cache(maxsize=4096)
def id_bookmark(node_id: str, level: int) -> str:
    """The hidden bookmark name of a heading: Word allows 40 letters, digits and underscores, so ids are hashed."""
    return f"{BOOKMARK_PREFIX}{level}_{hashlib.sha256(node_id.encode('utf-8')).hexdigest()[:20]}"


# -- properties and packaging ---------------------------------------------------------


def _fit(text: str, limit: int = 255) -> str:
    """A document property shortened to what the format allows (255 characters), at a word, with an ellipsis: a
    cluster of four long school names must still build."""
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,;:") + "\u2026"


def document_properties(doc: Document, fingerprint: str) -> dict[str, str]:
    """The core properties Word shows under File, Info."""
    meta = doc.metadata
    who = _fit(meta.author or meta.owner)
    return {"title": _fit(f"{doc.title}: {meta.subtitle}" if meta.subtitle else doc.title),
            "subject": _fit(f"Safer Schools Partnership: {meta.subtitle}" if meta.subtitle
                            else "Safer Schools Partnership"),
            "creator": who,
            "keywords": _fit(f"Safer Schools Partnership; {meta.marking}"),
            "description": _fit(f"Fingerprint (SHA-256 of the assembled text): {fingerprint}"),
            "lastModifiedBy": who, "revision": "1", "category": _fit(doc.title),
            "identifier": _fit(meta.partnership_id), "version": _fit(meta.version)}


def custom_values(doc: Document, fingerprint: str) -> dict[str, str]:
    meta = doc.metadata
    return {"Fingerprint": fingerprint, "Partnership": meta.partnership_id, "Document": doc.kind,
            "Version": meta.version, "Protective marking": meta.marking}


def custom_properties_xml(values: dict[str, str]) -> bytes:
    """docProps/custom.xml holding these text properties."""
    items = "".join(
        f'<property fmtid="{_CUSTOM_FMTID}" pid="{pid}" name="{escape(name, {chr(34): "&quot;"})}">'
        f"<vt:lpwstr>{escape(value)}</vt:lpwstr></property>"
        for pid, (name, value) in enumerate(values.items(), start=2)
    )
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Properties xmlns="{_CUSTOM_NS}" xmlns:vt="{_VT_NS}">{items}</Properties>').encode("utf-8")


@lru_cache(maxsize=4096)
def _id_row(name: str, level: int, node_id: str, number: str) -> str:
    return (f"<{'section' if level == 1 else 'clause'} bookmark={quoteattr(name)} id={quoteattr(node_id)}"
            f" number={quoteattr(number)}/>")


def ids_xml(doc: Document, recorded: list[tuple[str, int, str, str]], tables: int = 0) -> bytes:
    """The custom XML part mapping each heading's bookmark to its id, with the facts read/docx cannot see."""
    meta = doc.metadata
    facts = {"kind": doc.kind, "title": doc.title, "subtitle": meta.subtitle, "partnership": meta.partnership_id,
             "version": meta.version, "in-force": meta.in_force.isoformat() if meta.in_force else "",
             "review-due": meta.review_due.isoformat() if meta.review_due else "", "marking": meta.marking,
             # how many tables the numbered body holds: the reader knows the next one is the signature table
             "tables": str(tables) if tables else ""}
    attrs = "".join(f" {k}={quoteattr(v)}" for k, v in facts.items() if v)
    rows = "".join(_id_row(*row) for row in recorded)
    # the parties and signatories, which the fingerprint covers and the front matter prints only as prose
    rows += "".join(f"<party name={quoteattr(p.name)} role={quoteattr(p.role)}/>" for p in meta.parties)
    rows += "".join(f"<signatory name={quoteattr(s.name)} role={quoteattr(s.role)} "
                    f"organisation={quoteattr(s.organisation)}/>" for s in meta.signatories)
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<document xmlns="{IDS_NAMESPACE}"{attrs}>{rows}</document>').encode("utf-8")


def _ids_props_xml() -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
            f'<ds:datastoreItem ds:itemID="{_IDS_ITEM_ID}" xmlns:ds="{_DS_NS}">'
            f'<ds:schemaRefs><ds:schemaRef ds:uri="{IDS_NAMESPACE}"/></ds:schemaRefs></ds:datastoreItem>').encode("utf-8")


# -- templates ------------------------------------------------------------------------


def default_template() -> Path:
    """The template shipped with protocolkit."""
    return template_path(DEFAULT_TEMPLATE)


@lru_cache(maxsize=8)
def read_template(path: Path | None = None) -> bytes:
    """A template's bytes, checked once per process: readable .docx, known tags, body paragraph, styles."""
    from docxtpl import DocxTemplate

    where = path or default_template()
    shown = str(where)
    from protocolkit.files import TooLarge, read_bounded
    from protocolkit.package import MAX_INFLATED, open_checked

    try:
        data = read_bounded(where, MAX_INFLATED)
    except TooLarge:
        raise InputError(f"{shown}: the template is over {MAX_INFLATED // 2**20} MB, far more than any template: "
                         f"it is not read") from None
    except InputError as exc:
        raise InputError(str(exc).replace(": cannot read:", ": cannot read the template:", 1)) from None
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise InputError(f"{shown}: not a Word .docx file: save the template from Word as 'Word Document (*.docx)'")
    document = open_checked(data, shown, "the template")
    try:
        tpl = DocxTemplate(io.BytesIO(data))
        names = tpl.get_undeclared_template_variables(_jinja())
    except TemplateError as exc:
        raise InputError(f"{shown}: a template tag is broken ({exc}): fix the {{{{ }}}} or {{% %}} tags in Word") from None
    except (KeyError, ValueError, zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"{shown}: not a readable Word .docx file ({exc}): save it from Word as "
                         f"'Word Document (*.docx)'") from None
    unknown = sorted(names - CONTEXT_NAMES)
    if unknown:
        raise InputError(f"{shown}: the template uses {{{{ {unknown[0]} }}}}, which protocolkit does not supply; "
                         f"use one of: {', '.join(sorted(CONTEXT_NAMES))}")
    if not any(p.text.strip() == "{{ %s }}" % BODY_TAG for p in document.paragraphs):
        raise InputError(f"{shown}: the template has no paragraph holding only {{{{ {BODY_TAG} }}}}: "
                         f"add one where the numbered sections go")
    have = {s.name for s in document.styles}
    missing = [name for name in BODY_STYLES.values() if name not in have]
    if missing:
        raise InputError(f"{shown}: the template has no {missing[0]!r} style: restore it in Word's Styles pane")
    try:
        render_docx(_sample_document(), data)
    except TemplateError as exc:
        raise InputError(f"{shown}: the template cannot be filled ({exc}): fix the tag in Word") from None
    return data


def _sample_document() -> Document:
    """A small tree with every field set, to try a template on before the real build."""
    from protocolkit.document import HistoryEntry, Metadata, Paragraph, Party, Signatory

    clause = Clause("sample.clause", "Sample clause", [Paragraph("Text."), Paragraph("Item.", "bullet")])
    meta = Metadata(partnership_id="sample", title="Sample", subtitle="Sample School", version="1.0",
                    in_force=date(2026, 9, 1), review_due=date(2027, 9, 1), review_cycle_months=12,
                    marking="OFFICIAL", author="Author", owner="Owner",
                    parties=[Party("force", "Force", "police force")],
                    signatories=[Signatory("Name", "Role", "Force", "force")],
                    history=[HistoryEntry("1.0", date(2026, 7, 1), "Author", "First version")])
    return Document("protocol", "Sample", [Section("purpose", "Purpose", [clause], "1")], meta)


def compiled(template: bytes, shown: str = "the template") -> Template:
    """The template compiled for writing, once per process."""
    return cached_template(template, shown, IDS_NAMESPACE, _ids_props_xml())


def write_parts(doc: Document, template: Template) -> dict[str, str]:
    """One document's dynamic parts as text: the filled front matter with the body in place, and its properties."""
    fingerprint = doc.fingerprint()
    rendered = template.render(template_context(doc, fingerprint))
    main = rendered.parts[template.main]
    start, end = marker_span(main, BODY_MARKER)
    if start < 0:
        raise InputError(f"{template.shown}: the template has no paragraph holding only {{{{ body }}}}: add one "
                         f"where the numbered sections go")
    writer = BodyWriter(template)
    body = writer.body(doc)
    parts = dict(rendered.parts)
    parts[template.main] = DECLARATION + main[:start] + body + main[end:]
    for name in rendered.parts:
        if name != template.main:
            parts[name] = DECLARATION + parts[name]
    parts[CORE] = core_xml(document_properties(doc, fingerprint), document_date(doc))
    parts[APP] = app_xml()
    parts[CUSTOM] = custom_properties_xml(custom_values(doc, fingerprint)).decode("utf-8")
    parts[template.ids_item] = ids_xml(doc, writer.recorded, writer.tables).decode("utf-8")
    return parts


def render_docx(doc: Document, template: bytes | Template) -> bytes:
    """The finished .docx bytes of one document."""
    tpl = template if isinstance(template, Template) else compiled(template)
    return tpl.pack(write_parts(doc, tpl))
