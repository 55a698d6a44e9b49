"""A .docx written elsewhere turned into the document tree the assembler builds, so every rule and the diff run on it.

Headings are found three ways, as documents are actually typed: by Word heading styles
(when the document uses them), otherwise by numbered headings ("10. Finance", "4.2 Search")
and by short paragraphs set wholly in bold. Section ids come from heading titles (not
numbers) so that they stay put when an earlier section is removed; clause ids are the
section id plus the clause's title, or its first words when it has none.

A document protocolkit built carries the library's ids itself (see render/docx: a hidden bookmark
on each heading and a custom XML part mapping bookmarks to ids); then the tree is read from the
numbered body alone, with those ids, and the cover, document control and contents are left out.

python-docx and lxml are imported only when a .docx is read, so commands on YAML start fast.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Iterator

from protocolkit.document import Clause, Document, Metadata, Paragraph, Party, Section, Signatory, Source
from protocolkit.findings import InputError
from protocolkit.typography import plain
from protocolkit.package import MAX_INFLATED, check_package, open_docx  # noqa: F401  (MAX_INFLATED: tests)
from protocolkit.read.blocks import (
    BULLET_MARK,
    Block,
    fill_text_facts,
    is_short,
    kind_from_title,
    slug,
    split_number,
    tree_from_blocks,
    unique_id,
)




def read_docx(path: Path | str, kind: str | None = None, display: str | None = None) -> Document:
    """The document tree of a .docx; `kind` is 'protocol' or 'dsa', or None to let the title decide; `display` is
    the name to show for it (the user's file, when this .docx is a conversion of it)."""
    p = Path(path)
    shown = display or str(path)
    package = _open(p, shown)
    blocks = list(_blocks(package))
    recorded = _recorded_ids(package)
    doc = (_recorded_tree(package, recorded, shown) if recorded else None) or tree_from_blocks(blocks, shown)
    header_text = _header_footer_text(package)
    doc.metadata = _metadata(package, doc, blocks, header_text)
    if recorded:
        _fill_recorded_facts(doc, recorded)
    doc.kind = kind or (recorded.kind if recorded and recorded.kind in ("protocol", "dsa") else None) \
        or kind_from_title(doc, blocks, shown)  # type: ignore[assignment]
    return doc


# -- opening ----------------------------------------------------------------------------


def _open(p: Path, shown: str) -> Any:
    """The python-docx Document, or InputError with one line saying what is wrong with the file."""
    try:
        with p.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise InputError(f"{shown}: cannot read: {exc.strerror or exc}") from None
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(f"{shown}: this is an old Word 97-2003 (.doc) or other OLE file, not a .docx: open it in Word and save as .docx")
    if not head.startswith(b"PK"):
        raise InputError(f"{shown}: not a .docx (it is not a zip package): save it from Word as .docx")
    check_package(p, shown)
    return open_docx(str(p), shown)


# -- blocks: the body's paragraphs and tables in order ---------------------------------


def _blocks(package: Any) -> Iterator[Block]:
    from docx.table import Table
    from docx.text.paragraph import Paragraph as DocxParagraph

    body = package.element.body
    styles = _Styles(package)
    default_size = _default_size(package)
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            block = _paragraph_block(DocxParagraph(child, package), styles)
            block.size = block.size or default_size
            if block.text:
                yield block
        elif tag == "tbl":
            yield from _table_blocks(Table(child, package))


def _default_size(package: Any) -> float:
    """The size body text is set in when nothing says otherwise: the Normal style's, or the document default."""
    try:
        normal = package.styles["Normal"].font.size
        if normal is not None:
            return normal.pt
    except KeyError:
        pass
    sz = package.styles.element.find(f"{_W}docDefaults/{_W}rPrDefault/{_W}rPr/{_W}sz")
    try:
        return int(sz.get(_W + "val")) / 2 if sz is not None else 10.0  # half-points; Word's own default is 10 pt
    except (TypeError, ValueError):
        return 10.0


def _outline_level(ppr: Any) -> int:
    """1 for outline level 0 (Word's top level), and so on; 0 when none is set (level 9 is body text)."""
    if ppr is None:
        return 0
    el = ppr.find(_W + "outlineLvl")
    if el is None:
        return 0
    try:
        level = int(el.get(_W + "val", "9"))
    except ValueError:
        return 0
    return level + 1 if level < 9 else 0


class _Styles:
    """Each paragraph style's name, bold, underline, size and outline level, by style id. python-docx finds a style
    by a linear scan of styles.xml, so a document with 20,000 styles and paragraphs took minutes; here the styles
    are indexed once and each id worked out once."""

    def __init__(self, package: Any):
        from docx.enum.style import WD_STYLE_TYPE

        self.package = package
        self.by_id: dict[str, Any] | None = None
        self.done: dict[str | None, tuple[str, bool, bool, float | None, int]] = {}
        self._paragraph = WD_STYLE_TYPE.PARAGRAPH

    def get(self, style_id: str | None) -> tuple[str, bool, bool, float | None, int]:
        if style_id not in self.done:
            if self.by_id is None:
                self.by_id = {}
                for st in self.package.styles:
                    self.by_id.setdefault(st.style_id, st)
            st = self.by_id.get(style_id) if style_id else None
            if st is None:
                st = self.package.styles.default(self._paragraph)
            font = st.font if st is not None else None
            self.done[style_id] = (st.name if st is not None else "", bool(font is not None and font.bold),
                                   bool(font is not None and font.underline),
                                   font.size.pt if font is not None and font.size else None,
                                   _outline_level(st.element.pPr) if st is not None else 0)
        return self.done[style_id]


def _paragraph_block(par: Any, styles: _Styles) -> Block:
    text = " ".join(plain(par.text).split())
    style, style_bold, style_underline, style_size, style_level = styles.get(par._p.style)
    runs = [r for r in par.runs if r.text.strip()]
    bold = bool(runs) and all((r.bold if r.bold is not None else style_bold) for r in runs)
    underline = bool(runs) and all((r.underline if r.underline is not None else style_underline) for r in runs)
    sizes = [r.font.size.pt for r in runs if r.font.size is not None] or ([style_size] if style_size else [])
    ppr = par._p.pPr
    listed = "list" in style.lower() or (ppr is not None and ppr.numPr is not None)
    if BULLET_MARK.match(text):
        listed = True
        text = BULLET_MARK.sub("", text, count=1)
    level = _outline_level(ppr) or style_level
    return Block(text, style, bold, listed, False, max(sizes) if sizes else None, underline=underline, level=level)


def _table_blocks(table: Any) -> Iterator[Block]:
    rows = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            text = " ".join(plain(cell.text).split())
            if not cells or text != cells[-1]:  # merged cells repeat their text
                cells.append(text)
        rows.append(cells)
    if rows and rows[0] and rows[0][0].lower() in ("contents", "table of contents"):
        return  # a typed contents list repeats the headings the body already has
    if len(rows) == 1 and len(rows[0]) == 1 and rows[0][0] and is_short(rows[0][0]):
        yield Block(rows[0][0], table=True, cell_heading=True)  # a heading typed in a shaded one-cell table
        return
    for cells in rows:
        text = " | ".join(c for c in cells if c)
        if text:
            yield Block(text, table=True)


# -- documents protocolkit built: the ids it recorded ------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_RT_CUSTOM_XML = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml"
# These mirror protocolkit.render.docx, which is not imported here: it pulls in docxtpl and jinja.
_IDS_NAMESPACE = "urn:protocolkit:document-ids:1"
_BODY_BOOKMARK = "_pk_body"
_HEADING_LEVELS = {"heading 1": 1, "heading 2": 2}
_BULLET_STYLE = "list bullet"


class _Recorded:
    """What a protocolkit build recorded: facts, and (level, id, number) by heading bookmark, in order."""

    def __init__(self, facts: dict[str, str], entries: list[tuple[str, int, str, str]]):
        self.facts = facts
        self.kind = facts.get("kind", "")
        self.by_bookmark = {name: (level, node_id, number) for name, level, node_id, number in entries}
        self.entries = entries
        self.parties: list[Party] = []
        self.signatories: list[Signatory] = []


def _recorded_ids(package: Any) -> _Recorded | None:
    """The ids part of a document protocolkit built, or None for any other document."""
    from lxml import etree

    for rel in package.part.rels.values():
        if rel.is_external or rel.reltype != _RT_CUSTOM_XML:
            continue
        blob = rel.target_part.blob
        if _IDS_NAMESPACE.encode() not in blob:
            continue
        try:
            root = etree.fromstring(blob, etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError:
            return None  # a damaged part: read the document as if it were written elsewhere
        ns = "{%s}" % _IDS_NAMESPACE
        if root.tag != ns + "document":
            continue
        entries = [(el.get("bookmark", ""), 1 if el.tag == ns + "section" else 2, el.get("id", ""), el.get("number", ""))
                   for el in root if el.tag in (ns + "section", ns + "clause") and el.get("id")]
        recorded = _Recorded(dict(root.attrib), entries) if entries else None
        if recorded is not None:
            recorded.parties = [Party("", el.get("name", ""), el.get("role", "")) for el in root.iter(ns + "party")]
            recorded.signatories = [Signatory(el.get("name", ""), el.get("role", ""), el.get("organisation", ""))
                                    for el in root.iter(ns + "signatory")]
        return recorded
    return None


def _paragraph_bookmarks(p: Any) -> tuple[list[str], set[str]]:
    """Names of the bookmarks starting in a paragraph, and ids of those ending in it."""
    names = [b.get(_W + "name", "") for b in p.iter(_W + "bookmarkStart")]
    ends = {b.get(_W + "id", "") for b in p.iter(_W + "bookmarkEnd")}
    return names, ends


_RUN_HOLDERS = {_W + "hyperlink", _W + "ins", _W + "smartTag", _W + "fldSimple"}


def _paragraph_text(p: Any) -> str:
    """A paragraph's text with tabs and line breaks, tracked insertions taken and deletions left out, as if accepted."""
    # python-docx's Paragraph.text runs an XPath query per run; on every paragraph of the body a plain walk is faster.
    out: list[str] = []
    for child in p:
        if child.tag == _W + "r":
            runs: Any = (child,)
        elif child.tag in _RUN_HOLDERS:
            runs = child.iterchildren(_W + "r")
        else:
            continue
        for run in runs:
            for el in run:
                tag = el.tag
                if tag == _W + "t":
                    out.append(el.text or "")
                elif tag == _W + "tab":
                    out.append("\t")
                elif tag in (_W + "br", _W + "cr") and el.get(_W + "type") in (None, "textWrapping"):
                    out.append("\n")
                elif tag == _W + "noBreakHyphen":
                    out.append("-")
    return plain("".join(out))


def _style_id(p: Any) -> str | None:
    ppr = p.find(_W + "pPr")
    ps = ppr.find(_W + "pStyle") if ppr is not None else None
    return ps.get(_W + "val") if ps is not None else None


def _recorded_tree(package: Any, recorded: _Recorded, path: str) -> Document | None:
    """The tree of the numbered body with the recorded ids; None when the body's headings cannot be found."""
    from docx.enum.style import WD_STYLE_TYPE

    style_names = {st.style_id: (st.name or "").lower() for st in package.styles}
    default_style = package.styles.default(WD_STYLE_TYPE.PARAGRAPH)
    default = (default_style.name or "").lower() if default_style is not None else "normal"
    unused = {(level, number): (level, node_id, number) for _, level, node_id, number in recorded.entries}
    doc = Document(kind="protocol", title=recorded.facts.get("title", ""), source=Source(path))
    doc.metadata.subtitle = recorded.facts.get("subtitle", "")
    section: Section | None = None
    clause: Clause | None = None
    body_end: str | None = None
    started = False
    # Ids given to headings added by hand must not take one a recorded section has further on.
    section_ids = {node_id for _, level, node_id, _ in recorded.entries if level == 1}
    tables = recorded.facts.get("tables", "0")
    tables_left = int(tables) if tables.isdigit() else 0

    for child in package.element.body.iterchildren():
        tag = child.tag
        if tag == _W + "tbl":
            if started and tables_left <= 0:
                break  # the body's own tables are counted: the first one after them is the signature table
            if started and section is not None:
                tables_left -= 1
                # a table in the body: each row a paragraph of style "row", its cells parted by tabs
                if clause is None:
                    clause = Clause(unique_id(f"{section.id}.text", {c.id for c in section.clauses}), "",
                                    source=Source(path))
                    section.clauses.append(clause)
                for tr in child.iterchildren(_W + "tr"):
                    cells = [" ".join(_paragraph_text(p) for p in tc.iter(_W + "p")).strip()
                             for tc in tr.iterchildren(_W + "tc")]
                    clause.paragraphs.append(Paragraph("\t".join(cells), "row"))
            continue
        if tag != _W + "p":
            if tag == _W + "bookmarkEnd" and started and child.get(_W + "id") == body_end:
                break
            continue
        names, ends = _paragraph_bookmarks(child)
        style_id = _style_id(child)
        style = style_names.get(style_id, default) if style_id else default
        entries = [recorded.by_bookmark[n] for n in names if n in recorded.by_bookmark]
        entry = entries[0] if entries else None
        # a section of one clause titled as the section is written as one heading carrying both bookmarks
        merged_clause = next((e for e in entries[1:] if e[0] == 2), None) if entry and entry[0] == 1 else None
        level = _HEADING_LEVELS.get(style, 0)
        text = _paragraph_text(child)
        if entry is None and level:
            # A heading whose bookmark was lost (say, retyped in Word): match it by its number.
            number, _ = split_number(" ".join(text.split()))
            entry = unused.get((level, number))
        if not started:
            if entry is None and _BODY_BOOKMARK not in names:
                continue
            started = True
            body_end = next((b.get(_W + "id") for b in child.iter(_W + "bookmarkStart")
                             if b.get(_W + "name") == _BODY_BOOKMARK), None)
        if entry is not None or level and text.strip():
            entry_level, node_id, number = entry if entry else (level, "", "")
            unused.pop((entry_level, number), None)
            number, title = _recorded_heading(text, number)
            if entry_level == 1:
                sid = node_id or unique_id(slug(title) if title else "untitled", section_ids)
                section_ids.add(sid)
                section = Section(sid, title, number=number, source=Source(path))
                doc.sections.append(section)
                clause = None
                if merged_clause is not None:
                    unused.pop((2, merged_clause[2]), None)
                    clause = Clause(merged_clause[1], title, number=merged_clause[2], source=Source(path))
                    section.clauses.append(clause)
            else:
                if section is None:
                    section = Section("opening", "", source=Source(path))
                    doc.sections.append(section)
                cid = node_id or unique_id(f"{section.id}.{slug(title) if title else 'text'}", {c.id for c in section.clauses})
                clause = Clause(cid, title, number=number, source=Source(path))
                section.clauses.append(clause)
        elif text.strip() and section is not None:
            if clause is None:
                clause = Clause(unique_id(f"{section.id}.text", {c.id for c in section.clauses}), "", source=Source(path))
                section.clauses.append(clause)
            clause.paragraphs.append(Paragraph(text, "bullet" if style.startswith(_BULLET_STYLE) else "body"))
        if body_end is not None and body_end in ends:
            break
    return doc if doc.sections else None


def _recorded_heading(text: str, number: str) -> tuple[str, str]:
    """(number, title) of a heading the renderer wrote as number, tab, title."""
    if number and text.startswith(number + "\t"):
        return number, text[len(number) + 1:]
    return split_number(" ".join(text.split()))


def _fill_recorded_facts(doc: Document, recorded: _Recorded) -> None:
    """Facts the visible text did not give, from what the build recorded."""
    meta, facts = doc.metadata, recorded.facts
    meta.partnership_id = meta.partnership_id or facts.get("partnership", "")
    meta.version = meta.version or facts.get("version", "")
    meta.marking = meta.marking or facts.get("marking", "")
    meta.title = meta.title or facts.get("title", "")
    meta.parties = meta.parties or list(recorded.parties)
    meta.signatories = meta.signatories or list(recorded.signatories)
    for attr, key in (("in_force", "in-force"), ("review_due", "review-due")):
        if getattr(meta, attr) is None and facts.get(key):
            try:
                setattr(meta, attr, date.fromisoformat(facts[key]))
            except ValueError:
                pass


# -- facts: title, kind, marking, dates -------------------------------------------------


def _header_footer_text(package: Any) -> list[str]:
    out: list[str] = []
    for sec in package.sections:
        for part in (sec.header, sec.footer, sec.first_page_header, sec.first_page_footer):
            try:
                if part.is_linked_to_previous:
                    continue
                out.extend(" ".join(plain(p.text).split()) for p in part.paragraphs if p.text.strip())
                for table in part.tables:
                    out.extend(" ".join(plain(c.text).split()) for row in table.rows for c in row.cells
                               if c.text.strip())
            except (AttributeError, KeyError, ValueError):
                continue
    return out


def _metadata(package: Any, doc: Document, blocks: list[Block], header: list[str]) -> Metadata:
    meta = doc.metadata
    core = package.core_properties
    meta.title = doc.title or (core.title or "")
    meta.author = core.author or ""
    return fill_text_facts(meta, blocks, header)
