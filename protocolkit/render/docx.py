"""The .docx writer: a Document tree poured into a docxtpl Word template.

The template (protocolkit/templates/document.docx, or a force's restyled copy)
holds the cover, the document-control table, the contents list, headers and
footers and the signature table as docxtpl tags; the numbered sections and
clauses are written with python-docx where the template has a paragraph holding
only `{{ body }}`, using the template's own Heading 1, Heading 2, Body Text and
List Bullet styles, so restyling those in Word restyles the document.

Other writers (the diff's tracked-changes redline) reuse `render_docx` with their
own body writer: `render_docx(doc, template, body=my_writer)`, where
`my_writer(anchor, doc)` inserts paragraphs before `anchor` (see `write_body`).
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable
from xml.sax.saxutils import escape, quoteattr

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph as DocxParagraph
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from protocolkit.assemble import long_date
from protocolkit.document import Clause, Document, Section
from protocolkit.findings import InputError
from protocolkit.resources import template_path

# The tag of the paragraph the numbered body replaces.
BODY_TAG = "body"
# A value no partnership text can contain, so the body's paragraph is found unambiguously.
BODY_MARKER = "\u2063protocolkit-body\u2063"
SIGNATURES_SECTION = "signatures"

# Styles the template must have: Word's built-in ones the body uses, and our own the template uses.
BODY_STYLES = {"section": "Heading 1", "clause": "Heading 2", "body": "Body Text", "bullet": "List Bullet"}
CUSTOM_STYLES = ("Front Heading", "Front Subheading", "Cover Label", "Cover Party", "Contents Entry", "Table Text",
                 "Fingerprint", "Signature Caption", "Marking")

DEFAULT_TEMPLATE = "document.docx"
# Zip entries carry this time, so two builds of one input are byte-identical.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
FIXED_DATE = datetime(2000, 1, 1)

BodyWriter = Callable[[DocxParagraph, Document], None]

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


def template_context(doc: Document) -> dict[str, Any]:
    """Every value the template's tags may use, taken from the tree."""
    meta = doc.metadata
    cycle = meta.review_cycle_months
    return {
        "title": doc.title,
        "partnership_title": meta.subtitle,
        "partnership_id": meta.partnership_id,
        "version": meta.version,
        "in_force": long_date(meta.in_force),
        "review_due": long_date(meta.review_due),
        "last_reviewed": long_date(meta.last_reviewed) or "Not yet reviewed",
        "review_cycle": f"{cycle} month{'s' if cycle != 1 else ''}" if cycle else "",
        "marking": meta.marking,
        "author": meta.author,
        "owner": meta.owner,
        "parties": [{"name": p.name, "role": p.role, "contact": p.contact, "dpo": p.dpo} for p in meta.parties],
        "history": [{"version": h.version, "date": long_date(h.date), "author": h.author, "summary": h.summary}
                    for h in meta.history],
        "fingerprint": doc.fingerprint(),
        "sections": [{"id": s.id, "number": s.number, "title": s.title} for s in doc.sections],
        "signatories": [{"name": s.name, "role": s.role, "organisation": s.organisation} for s in meta.signatories],
        "signatures_in_body": has_signature_section(doc),
        BODY_TAG: BODY_MARKER,
    }


def has_signature_section(doc: Document) -> bool:
    """Whether the tree ends with a numbered signatures section the signature table follows."""
    return bool(doc.sections) and doc.sections[-1].id == SIGNATURES_SECTION


CONTEXT_NAMES = frozenset(template_context(Document(kind="protocol", title="")))


def _jinja() -> ImmutableSandboxedEnvironment:
    # A restyled template comes from outside: sandbox it, and let a misspelt tag fail loudly.
    return ImmutableSandboxedEnvironment(autoescape=True, undefined=StrictUndefined)


# -- the body -------------------------------------------------------------------------


def styled_paragraph(anchor: DocxParagraph, text: str, style: str) -> DocxParagraph:
    """A paragraph in the named template style, inserted before the anchor."""
    # python-docx looks a style name up by scanning every style, per paragraph; a long
    # document spends most of its time there, so each name is looked up once per document.
    part = anchor.part
    ids = part.__dict__.setdefault("_protocolkit_style_ids", {})
    if style not in ids:
        ids[style] = part.document.styles[style].style_id
    # Built whole rather than through python-docx's style setter, which searches the schema's
    # order of pPr children for every paragraph.
    p = OxmlElement("w:p")
    ppr = OxmlElement("w:pPr")
    ppr.append(OxmlElement("w:pStyle", {qn("w:val"): ids[style]}))
    p.append(ppr)
    anchor._p.addprevious(p)
    para = DocxParagraph(p, anchor._parent)
    add_run_text(para, text)
    return para


def add_run_text(para: DocxParagraph, text: str) -> None:
    """One run holding the text, tabs and line breaks as Word elements."""
    # python-docx's run.text walks the text a character at a time; this builds the same XML directly.
    run = OxmlElement("w:r")
    for i, line in enumerate(text.split("\n")):
        if i:
            run.append(OxmlElement("w:br"))
        for j, piece in enumerate(line.split("\t")):
            if j:
                run.append(OxmlElement("w:tab"))
            if piece:
                t = OxmlElement("w:t")
                if piece != piece.strip():
                    t.set(qn("xml:space"), "preserve")
                t.text = piece
                run.append(t)
    para._p.append(run)


def add_heading(anchor: DocxParagraph, number: str, title: str, level: int) -> DocxParagraph:
    """A numbered section (level 1) or clause (level 2) heading, inserted before the anchor."""
    style = BODY_STYLES["section" if level == 1 else "clause"]
    return styled_paragraph(anchor, f"{number}\t{title}" if number else title, style)


def add_text(anchor: DocxParagraph, text: str, kind: str = "body") -> DocxParagraph:
    """A body paragraph or bullet item, inserted before the anchor."""
    return styled_paragraph(anchor, text, BODY_STYLES[kind])


def id_bookmark(node_id: str, level: int) -> str:
    """The hidden bookmark name of a heading: Word allows 40 letters, digits and underscores, so ids are hashed."""
    return f"{BOOKMARK_PREFIX}{level}_{hashlib.sha256(node_id.encode('utf-8')).hexdigest()[:20]}"


def _add_bookmark(para: DocxParagraph, name: str, end: DocxParagraph | None = None) -> None:
    """A bookmark from the start of `para` to the end of `end` (or of `para` itself)."""
    part = para.part
    ids = part.__dict__.get("_protocolkit_bookmark_ids")
    if ids is None:
        # Bookmark ids must be unique in the document: continue after any the template already holds.
        taken = [int(b.get(qn("w:id"))) for b in part.element.iter(qn("w:bookmarkStart"))
                 if (b.get(qn("w:id")) or "").isdigit()]
        ids = part.__dict__["_protocolkit_bookmark_ids"] = [max(taken, default=-1) + 1]
    number = str(ids[0])
    ids[0] += 1
    start = OxmlElement("w:bookmarkStart", {qn("w:id"): number, qn("w:name"): name})
    finish = OxmlElement("w:bookmarkEnd", {qn("w:id"): number})
    p = para._p
    if p.pPr is not None:
        p.pPr.addnext(start)
    else:
        p.insert(0, start)
    (end or para)._p.append(finish)


def mark_heading(heading: DocxParagraph, node_id: str, number: str, level: int) -> None:
    """Record a section's (level 1) or clause's (level 2) id on its heading, invisibly, for read/docx."""
    recorded = heading.part.__dict__.setdefault("_protocolkit_ids", [])
    name = base = id_bookmark(node_id, level)
    n = 2
    while any(r[0] == name for r in recorded):  # a repeated id still gets a bookmark of its own
        name, n = f"{base}_{n}", n + 1
    _add_bookmark(heading, name)
    recorded.append((name, level, node_id, number, heading))


def write_section(anchor: DocxParagraph, section: Section, new_page: bool = False) -> None:
    """One numbered section with its clauses."""
    heading = add_heading(anchor, section.number, section.title, 1)
    mark_heading(heading, section.id, section.number, 1)
    heading.paragraph_format.page_break_before = new_page or None
    keep = section.id == SIGNATURES_SECTION
    for clause in section.clauses:
        for para in write_clause(anchor, clause):
            if keep:
                # The signing words stay on the page with the signature table after them.
                para.paragraph_format.keep_with_next = True


def write_clause(anchor: DocxParagraph, clause: Clause) -> list[DocxParagraph]:
    """One numbered clause: its heading, then its paragraphs and bullets."""
    written = [add_heading(anchor, clause.number, clause.title, 2)]
    mark_heading(written[0], clause.id, clause.number, 2)
    written += [add_text(anchor, p.text, p.style) for p in clause.paragraphs]
    return written


def write_body(anchor: DocxParagraph, doc: Document) -> None:
    """The numbered sections of the tree; the body and the signatures each start a page."""
    for i, section in enumerate(doc.sections):
        write_section(anchor, section, new_page=i == 0 or section.id == SIGNATURES_SECTION)


def _body_anchor(document) -> DocxParagraph:
    for para in document.paragraphs:
        if para.text.strip() == BODY_MARKER:
            return para
    raise InputError("the template has no paragraph holding only {{ body }}: add one where the numbered sections go")


# -- properties and packaging ---------------------------------------------------------


def _fit(text: str, limit: int = 255) -> str:
    """A document property shortened to what the format allows (255 characters), at a word, with an ellipsis: a
    cluster of four long school names must still build."""
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,;:") + "\u2026"


def _set_properties(document, doc: Document) -> None:
    meta = doc.metadata
    when = datetime.combine(meta.in_force, datetime.min.time()) if meta.in_force else FIXED_DATE
    props = document.core_properties
    props.title = _fit(f"{doc.title}: {meta.subtitle}" if meta.subtitle else doc.title)
    props.subject = _fit(f"Safer Schools Partnership: {meta.subtitle}" if meta.subtitle else "Safer Schools Partnership")
    props.author = _fit(meta.author or meta.owner)
    props.last_modified_by = _fit(meta.author or meta.owner)
    props.keywords = _fit(f"Safer Schools Partnership; {meta.marking}")
    props.category = _fit(doc.title)
    props.version = _fit(meta.version)
    props.identifier = _fit(meta.partnership_id)
    props.comments = _fit(f"Fingerprint (SHA-256 of the assembled text): {doc.fingerprint()}")
    props.revision = 1
    props.created = props.modified = props.last_printed = when
    _set_custom_properties(document, {
        "Fingerprint": doc.fingerprint(),
        "Partnership": meta.partnership_id,
        "Document": doc.kind,
        "Version": meta.version,
        "Protective marking": meta.marking,
    })


def custom_properties_xml(values: dict[str, str]) -> bytes:
    """docProps/custom.xml holding these text properties."""
    items = "".join(
        f'<property fmtid="{_CUSTOM_FMTID}" pid="{pid}" name="{escape(name, {chr(34): "&quot;"})}">'
        f"<vt:lpwstr>{escape(value)}</vt:lpwstr></property>"
        for pid, (name, value) in enumerate(values.items(), start=2)
    )
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Properties xmlns="{_CUSTOM_NS}" xmlns:vt="{_VT_NS}">{items}</Properties>').encode("utf-8")


def _set_custom_properties(document, values: dict[str, str]) -> None:
    package = document.part.package
    for rel in package.rels.values():
        if rel.reltype == RT.CUSTOM_PROPERTIES and not rel.is_external:
            # A restyled template may carry custom properties of its own; ours replace it whole.
            rel.target_part._blob = custom_properties_xml(values)
            return
    part = Part(PackURI("/docProps/custom.xml"), CT.OFC_CUSTOM_PROPERTIES, custom_properties_xml(values), package)
    package.relate_to(part, RT.CUSTOM_PROPERTIES)


def ids_xml(doc: Document, recorded: list[tuple[str, int, str, str]]) -> bytes:
    """The custom XML part mapping each heading's bookmark to its id, with the facts read/docx cannot see."""
    meta = doc.metadata
    facts = {"kind": doc.kind, "title": doc.title, "subtitle": meta.subtitle, "partnership": meta.partnership_id,
             "version": meta.version, "in-force": meta.in_force.isoformat() if meta.in_force else "",
             "review-due": meta.review_due.isoformat() if meta.review_due else "", "marking": meta.marking}
    attrs = "".join(f" {k}={quoteattr(v)}" for k, v in facts.items() if v)
    rows = "".join(f"<{'section' if level == 1 else 'clause'} bookmark={quoteattr(name)} id={quoteattr(node_id)}"
                   f" number={quoteattr(number)}/>" for name, level, node_id, number in recorded)
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<document xmlns="{IDS_NAMESPACE}"{attrs}>{rows}</document>').encode("utf-8")


def _ids_props_xml() -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
            f'<ds:datastoreItem ds:itemID="{_IDS_ITEM_ID}" xmlns:ds="{_DS_NS}">'
            f'<ds:schemaRefs><ds:schemaRef ds:uri="{IDS_NAMESPACE}"/></ds:schemaRefs></ds:datastoreItem>').encode("utf-8")


def _record_ids(document, anchor: DocxParagraph, doc: Document) -> None:
    """Bookmark the body and store the ids its headings were marked with (nothing when none were)."""
    recorded = anchor.part.__dict__.pop("_protocolkit_ids", [])
    last = anchor._p.getprevious()
    if not recorded or last is None or last.tag != qn("w:p"):
        return
    _add_bookmark(recorded[0][4], BODY_BOOKMARK, end=DocxParagraph(last, anchor._parent))
    blob = ids_xml(doc, [r[:4] for r in recorded])
    part = document.part
    for rel in part.rels.values():
        if rel.reltype == RT.CUSTOM_XML and not rel.is_external and IDS_NAMESPACE.encode() in rel.target_part.blob:
            # A template saved from a built document already holds the part: replace it, never add a second.
            rel.target_part._blob = blob
            return
    package = part.package
    item = Part(package.next_partname("/customXml/item%d.xml"), CT.XML, blob, package)
    number = item.partname.idx
    props = Part(PackURI(f"/customXml/itemProps{number}.xml"), CT.OFC_CUSTOM_XML_PROPERTIES, _ids_props_xml(), package)
    item.relate_to(props, RT.CUSTOM_XML_PROPS)
    part.relate_to(item, RT.CUSTOM_XML)


def normalized_zip(data: bytes) -> bytes:
    """The same package with fixed entry times and order, so equal content gives equal bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    names = src.namelist()
    first = [n for n in names if n == "[Content_Types].xml"]
    ordered = first + sorted(n for n in names if n not in first)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in ordered:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            dst.writestr(info, src.read(name))
    return out.getvalue()


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


def render_docx(doc: Document, template: bytes, body: BodyWriter = write_body) -> bytes:
    """The finished .docx bytes of one document: template filled, body written, properties set."""
    from docxtpl import DocxTemplate

    tpl = DocxTemplate(io.BytesIO(template))
    tpl.render(template_context(doc), jinja_env=_jinja(), autoescape=True)
    document = tpl.docx
    anchor = _body_anchor(document)
    body(anchor, doc)
    _record_ids(document, anchor, doc)
    anchor._p.getparent().remove(anchor._p)
    _set_properties(document, doc)
    buf = io.BytesIO()
    tpl.save(buf)
    return normalized_zip(buf.getvalue())
