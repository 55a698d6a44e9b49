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

import re
import zipfile
from datetime import date
from pathlib import Path
from typing import Any, Iterator

from protocolkit.document import Clause, Document, Metadata, Paragraph, Section, Source
from protocolkit.findings import InputError

_NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)\.?\s+(\S.*)$")
_HEADING_STYLE = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)
_BULLET_MARK = re.compile(r"^[\u2022\u00b7\u25aa\u25cf\u2013\-\*]\s+")
_MAX_HEADING_WORDS = 12
_MAX_HEADING_CHARS = 100

# Government Security Classifications and the markings they replaced, as written on documents.
MARKINGS = ("OFFICIAL-SENSITIVE", "OFFICIAL SENSITIVE", "OFFICIAL", "TOP SECRET", "SECRET",
            "NOT PROTECTIVELY MARKED", "RESTRICTED", "PROTECT", "UNCLASSIFIED", "CONFIDENTIAL")
_MARKING = re.compile(r"(?<![A-Za-z])(" + "|".join(re.escape(m) for m in MARKINGS) + r")(?![A-Za-z])")
_MARKING_LABEL = re.compile(r"^\s*(?:protective marking|security classification|classification|marking)\s*[:\-|]?\s*", re.I)

_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_DATE = (rf"(\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})\s+\d{{4}}|(?:{_MONTHS})\s+\d{{4}}|"
         r"\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2})")
_REVIEW_DATE = re.compile(
    rf"(?:(?:next\s+)?review\s+(?:date|due(?:\s+date)?)|date\s+(?:of|for)\s+(?:next\s+)?review|"
    rf"(?:to\s+be\s+|will\s+be\s+|next\s+)?reviewed\s+(?:by|on|before|in)|review\s+(?:by|on|before))"
    rf"\s*[:\-|]?\s*(?:on\s+|by\s+)?{_DATE}", re.IGNORECASE)
_IN_FORCE = re.compile(
    rf"(?:date\s+(?:in\s+force|of\s+issue|of\s+agreement)|in\s+force\s+(?:from|on)|effective\s+(?:date|from)|"
    rf"commencement\s+date|start\s+date)\s*[:\-|]?\s*{_DATE}", re.IGNORECASE)
_VERSION = re.compile(r"\bversion\s*(?:no\.?|number)?\s*[:\-|]?\s*(\d+(?:\.\d+)*)\b", re.IGNORECASE)

# What a title says about the document it heads.
_DSA_TITLE = re.compile(r"data[\s-]+sharing\s+agreement|information[\s-]+sharing\s+agreement|"
                        r"data\s+disclosure\s+agreement|\bDSA\b|\bISA\b", re.IGNORECASE)
_PROTOCOL_TITLE = re.compile(r"safer\s+schools?\s+partnership|joint\s+protocol|police\s+schools?\s+protocol|"
                             r"schools?\s+police\s+protocol|partnership\s+agreement", re.IGNORECASE)
_ISP_TITLE = re.compile(r"information[\s-]+sharing\s+protocol", re.IGNORECASE)


def read_docx(path: Path | str, kind: str | None = None) -> Document:
    """The document tree of a .docx; `kind` is 'protocol' or 'dsa', or None to let the title decide."""
    p = Path(path)
    shown = str(path)
    package = _open(p, shown)
    blocks = list(_blocks(package))
    recorded = _recorded_ids(package)
    doc = (_recorded_tree(package, recorded, shown) if recorded else None) or _tree(blocks, shown)
    header_text = _header_footer_text(package)
    doc.metadata = _metadata(package, doc, blocks, header_text)
    if recorded:
        _fill_recorded_facts(doc, recorded)
    doc.kind = kind or (recorded.kind if recorded and recorded.kind in ("protocol", "dsa") else None) \
        or _kind_from_title(doc, blocks, shown)  # type: ignore[assignment]
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
    try:
        with zipfile.ZipFile(p) as zf:
            names = set(zf.namelist())
            if "word/document.xml" not in names and "[Content_Types].xml" not in names:
                raise InputError(f"{shown}: not a Word document (the zip has no word/document.xml): save it from Word as .docx")
            bad = zf.testzip()
            if bad is not None:
                raise InputError(f"{shown}: the .docx is damaged ({bad} fails its checksum): save a fresh copy from Word")
    except zipfile.BadZipFile as exc:
        raise InputError(f"{shown}: the .docx is torn or truncated ({exc}): save a fresh copy from Word") from None
    except (OSError, EOFError) as exc:
        raise InputError(f"{shown}: the .docx cannot be read ({exc}): save a fresh copy from Word") from None

    import docx  # the .docx stack is heavy: only a .docx read pays for it
    from lxml.etree import XMLSyntaxError

    try:
        return docx.Document(str(p))
    except XMLSyntaxError as exc:
        raise InputError(f"{shown}: the .docx holds broken XML ({exc.msg}): save a fresh copy from Word") from None
    except (KeyError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        reason = str(exc).strip().strip("'\"") or type(exc).__name__
        raise InputError(f"{shown}: not a readable .docx ({reason}): save it from Word as a Word Document (.docx)") from None
    except Exception as exc:  # python-docx raises its own exception types for malformed packages
        if type(exc).__module__.startswith("docx"):
            raise InputError(f"{shown}: not a readable .docx ({exc}): save it from Word as a Word Document (.docx)") from None
        raise


# -- blocks: the body's paragraphs and tables in order ---------------------------------


class _Block:
    """One paragraph of the body (or one table row, flattened), with what heading detection needs."""

    __slots__ = ("text", "style", "bold", "listed", "table", "size")

    def __init__(self, text: str, style: str = "", bold: bool = False, listed: bool = False, table: bool = False,
                 size: float | None = None):
        self.text = text
        self.style = style
        self.bold = bold
        self.listed = listed
        self.table = table
        self.size = size


def _blocks(package: Any) -> Iterator[_Block]:
    from docx.table import Table
    from docx.text.paragraph import Paragraph as DocxParagraph

    body = package.element.body
    styles: dict[str | None, tuple[str, bool]] = {}
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            block = _paragraph_block(DocxParagraph(child, package), styles)
            if block.text:
                yield block
        elif tag == "tbl":
            yield from _table_blocks(Table(child, package))


def _paragraph_block(par: Any, styles: dict[str | None, tuple[str, bool]]) -> _Block:
    text = " ".join(par.text.split())
    # python-docx finds a style by a linear scan of styles.xml; look each style id up once per document
    style_id = par._p.style
    if style_id not in styles:
        st = par.style
        styles[style_id] = (st.name if st is not None else "", bool(st is not None and st.font is not None and st.font.bold))
    style, style_bold = styles[style_id]
    runs = [r for r in par.runs if r.text.strip()]
    bold = bool(runs) and all((r.bold if r.bold is not None else style_bold) for r in runs)
    sizes = [r.font.size.pt for r in runs if r.font.size is not None]
    ppr = par._p.pPr
    listed = "list" in style.lower() or (ppr is not None and ppr.numPr is not None)
    if _BULLET_MARK.match(text):
        listed = True
        text = _BULLET_MARK.sub("", text, count=1)
    return _Block(text, style, bold, listed, False, max(sizes) if sizes else None)


def _table_blocks(table: Any) -> Iterator[_Block]:
    rows = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            text = " ".join(cell.text.split())
            if not cells or text != cells[-1]:  # merged cells repeat their text
                cells.append(text)
        rows.append(cells)
    if rows and rows[0] and rows[0][0].lower() in ("contents", "table of contents"):
        return  # a typed contents list repeats the headings the body already has
    for cells in rows:
        text = " | ".join(c for c in cells if c)
        if text:
            yield _Block(text, table=True)


# -- headings and the tree --------------------------------------------------------------


def _slug(text: str, limit: int = 60) -> str:
    words = re.sub(r"[^a-z0-9]+", " ", text.lower().replace("'", "").replace("\u2019", "")).split()
    out = ""
    for w in words:
        if len(out) + len(w) + 1 > limit and out:
            break
        out = f"{out}-{w}" if out else w
    return out or "untitled"


def _split_number(text: str) -> tuple[str, str]:
    """('4.2', 'Search') from '4.2 Search'; ('', text) when it is not numbered."""
    m = _NUMBERED.match(text)
    if m and not re.match(r"^\d{4}\b", text):  # a year is not a section number
        return m.group(1), m.group(2).strip()
    return "", text


def _short(text: str) -> bool:
    return len(text) <= _MAX_HEADING_CHARS and len(text.split()) <= _MAX_HEADING_WORDS and not text.rstrip().endswith((".", ";", ","))


def _heading(block: _Block, styled: bool, section_level: int) -> tuple[str, str, str] | None:
    """('section'|'clause', number, title) when the block is a heading, else None."""
    if block.table:
        return None
    number, title = _split_number(block.text)
    depth = number.count(".") + 1 if number else 0
    if styled:
        m = _HEADING_STYLE.match(block.style)
        if not m:
            return None
        level = int(m.group(1))
        if number:
            return ("section" if depth == 1 else "clause"), number, title
        return ("clause" if section_level and level > section_level else "section"), "", title
    if block.listed:
        return None
    if number and _short(block.text) and (block.bold or depth == 1 and len(title.split()) <= 8):
        return ("section" if depth == 1 else "clause"), number, title
    if number and depth > 1:
        return "clause", number, ""  # a numbered paragraph: a clause without a title
    if block.bold and _short(block.text):
        return "section", number, title
    return None


def _style_level(block: _Block) -> int:
    m = _HEADING_STYLE.match(block.style)
    return int(m.group(1)) if m else 0


def _tree(blocks: list[_Block], path: str) -> Document:
    styled = any(_HEADING_STYLE.match(b.style) for b in blocks)
    title_lines: list[str] = []
    i = 0
    # The title: Title/Subtitle styles, or in a typed document its first paragraph when bold or large.
    while i < len(blocks) and blocks[i].style.lower() in ("title", "subtitle"):
        title_lines.append(blocks[i].text)
        i += 1
    if not title_lines and blocks and not styled and (blocks[0].bold or (blocks[0].size or 0) >= 14) \
            and not _split_number(blocks[0].text)[0]:
        title_lines.append(blocks[0].text.removeprefix("Appendix").strip())
        i = 1

    doc = Document(kind="protocol", title=title_lines[0] if title_lines else "", source=Source(path))
    section: Section | None = None
    clause: Clause | None = None
    section_level = 0
    section_ids: set[str] = set()

    def new_section(number: str, title: str) -> Section:
        sid = _unique(_slug(title) if title else "opening", section_ids)
        section_ids.add(sid)
        s = Section(sid, title.rstrip(":").strip(), number=number, source=Source(path))
        doc.sections.append(s)
        return s

    def new_clause(sec: Section, number: str, title: str, first_text: str = "") -> Clause:
        base = _slug(title) if title else (_slug(" ".join(first_text.split()[:6]), 40) if first_text else "text")
        cid = _unique(f"{sec.id}.{base}", {c.id for c in sec.clauses})
        c = Clause(cid, title.rstrip(":").strip(), number=number, source=Source(path))
        sec.clauses.append(c)
        return c

    for block in blocks[i:]:
        found = _heading(block, styled, section_level)
        if found and found[0] == "section":
            _, number, title = found
            section = new_section(number, title)
            clause = None
            section_level = _style_level(block)
            continue
        if section is None:
            section = new_section("", "")
        if found and found[0] == "clause":
            _, number, title = found
            clause = new_clause(section, number, title, block.text if not title else "")
            if not title:
                clause.paragraphs.append(Paragraph(_split_number(block.text)[1]))
            continue
        if clause is None:
            clause = new_clause(section, "", "")
        clause.paragraphs.append(Paragraph(block.text, "bullet" if block.listed else "body"))

    # Headings with nothing under them before the first real section are part of the title block.
    while len(doc.sections) > 1 and not any(c.paragraphs for c in doc.sections[0].clauses):
        empty = doc.sections.pop(0)
        title_lines += [empty.title] + [c.title for c in empty.clauses if c.title]
    # a title block often repeats a line as subtitle and as heading; say it once
    doc.metadata.subtitle = " — ".join(dict.fromkeys(t for t in title_lines[1:] if t))
    return doc


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
        return _Recorded(dict(root.attrib), entries) if entries else None
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
    return "".join(out)


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

    for child in package.element.body.iterchildren():
        tag = child.tag
        if tag == _W + "tbl":
            if started:
                break  # the body writer writes no tables: the first one after the body is the signature table
            continue
        if tag != _W + "p":
            if tag == _W + "bookmarkEnd" and started and child.get(_W + "id") == body_end:
                break
            continue
        names, ends = _paragraph_bookmarks(child)
        style_id = _style_id(child)
        style = style_names.get(style_id, default) if style_id else default
        entry = next((recorded.by_bookmark[n] for n in names if n in recorded.by_bookmark), None)
        level = _HEADING_LEVELS.get(style, 0)
        text = _paragraph_text(child)
        if entry is None and level:
            # A heading whose bookmark was lost (say, retyped in Word): match it by its number.
            number, _ = _split_number(" ".join(text.split()))
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
                sid = node_id or _unique(_slug(title) if title else "untitled", section_ids)
                section_ids.add(sid)
                section = Section(sid, title, number=number, source=Source(path))
                doc.sections.append(section)
                clause = None
            else:
                if section is None:
                    section = Section("opening", "", source=Source(path))
                    doc.sections.append(section)
                cid = node_id or _unique(f"{section.id}.{_slug(title) if title else 'text'}", {c.id for c in section.clauses})
                clause = Clause(cid, title, number=number, source=Source(path))
                section.clauses.append(clause)
        elif text.strip() and section is not None:
            if clause is None:
                clause = Clause(_unique(f"{section.id}.text", {c.id for c in section.clauses}), "", source=Source(path))
                section.clauses.append(clause)
            clause.paragraphs.append(Paragraph(text, "bullet" if style.startswith(_BULLET_STYLE) else "body"))
        if body_end is not None and body_end in ends:
            break
    return doc if doc.sections else None


def _recorded_heading(text: str, number: str) -> tuple[str, str]:
    """(number, title) of a heading the renderer wrote as number, tab, title."""
    if number and text.startswith(number + "\t"):
        return number, text[len(number) + 1:]
    return _split_number(" ".join(text.split()))


def _unique(base: str, taken: set[str]) -> str:
    out, n = base, 2
    while out in taken:
        out, n = f"{base}-{n}", n + 1
    return out


def _fill_recorded_facts(doc: Document, recorded: _Recorded) -> None:
    """Facts the visible text did not give, from what the build recorded."""
    meta, facts = doc.metadata, recorded.facts
    meta.partnership_id = meta.partnership_id or facts.get("partnership", "")
    meta.version = meta.version or facts.get("version", "")
    meta.marking = meta.marking or facts.get("marking", "")
    meta.title = meta.title or facts.get("title", "")
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
                out.extend(" ".join(p.text.split()) for p in part.paragraphs if p.text.strip())
                for table in part.tables:
                    out.extend(" ".join(c.text.split()) for row in table.rows for c in row.cells if c.text.strip())
            except (AttributeError, KeyError, ValueError):
                continue
    return out


def find_marking(lines: list[str], body: list[str]) -> str:
    """The protective marking shown in the header or footer, or on a line of its own in the body."""
    for line in lines:
        m = _MARKING.search(line)
        if m:
            return m.group(1)
    for text in body:
        stripped = _MARKING_LABEL.sub("", text).strip()
        if len(stripped.split()) <= 4:
            m = _MARKING.fullmatch(stripped.rstrip("."))
            if m:
                return m.group(1)
    return ""


def parse_date(text: str) -> date | None:
    """A date as documents write it: '1 September 2025', 'September 2025', '01/09/2025', '2025-09-01'."""
    from datetime import datetime

    t = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text.strip())
    for fmt in ("%d %B %Y", "%B %Y", "%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(t.title() if "%B" in fmt else t, fmt).date()
        except ValueError:
            continue
    return None


def _metadata(package: Any, doc: Document, blocks: list[_Block], header: list[str]) -> Metadata:
    meta = doc.metadata
    core = package.core_properties
    meta.title = doc.title or (core.title or "")
    meta.author = core.author or ""
    texts = header + [b.text for b in blocks]
    meta.marking = find_marking(header, [b.text for b in blocks])
    for text in texts:
        if meta.review_due is None:
            m = _REVIEW_DATE.search(text)
            if m:
                meta.review_due = parse_date(m.group(1))
        if meta.in_force is None:
            m = _IN_FORCE.search(text)
            if m:
                meta.in_force = parse_date(m.group(1))
        if not meta.version:
            m = _VERSION.search(text)
            if m:
                meta.version = m.group(1)
    return meta


def _kind_from_title(doc: Document, blocks: list[_Block], shown: str) -> str:
    """'protocol' or 'dsa' from what the document calls itself; InputError when the title does not say."""
    heads = [doc.title, doc.metadata.subtitle] + [b.text for b in blocks[:6] if _short(b.text)]
    text = " ".join(h for h in heads if h)
    if _PROTOCOL_TITLE.search(text):
        return "protocol"
    if _DSA_TITLE.search(text) or _ISP_TITLE.search(text):
        return "dsa"
    if re.search(r"\bprotocol\b", text, re.IGNORECASE):
        return "protocol"
    raise InputError(f"{shown}: its title does not say whether it is an SSP protocol or a data-sharing agreement: "
                     f"pass --doc protocol or --doc dsa")
