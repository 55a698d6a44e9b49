"""A .docx written elsewhere turned into the document tree the assembler builds, so every rule and the diff run on it.

Headings are found three ways, as documents are actually typed: by Word heading styles
(when the document uses them), otherwise by numbered headings ("10. Finance", "4.2 Search")
and by short paragraphs set wholly in bold. Section ids come from heading titles (not
numbers) so that they stay put when an earlier section is removed; clause ids are the
section id plus the clause's title, or its first words when it has none.

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
    doc = _tree(blocks, shown)
    header_text = _header_footer_text(package)
    doc.metadata = _metadata(package, doc, blocks, header_text)
    doc.kind = kind or _kind_from_title(doc, blocks, shown)  # type: ignore[assignment]
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
        base = _slug(title) if title else "opening"
        sid, n = base, 2
        while sid in section_ids:
            sid, n = f"{base}-{n}", n + 1
        section_ids.add(sid)
        s = Section(sid, title.rstrip(":").strip(), number=number, source=Source(path))
        doc.sections.append(s)
        return s

    def new_clause(sec: Section, number: str, title: str, first_text: str = "") -> Clause:
        base = _slug(title) if title else (_slug(" ".join(first_text.split()[:6]), 40) if first_text else "text")
        taken = {c.id for c in sec.clauses}
        cid, n = f"{sec.id}.{base}", 2
        while cid in taken:
            cid, n = f"{sec.id}.{base}-{n}", n + 1
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
    doc.metadata.subtitle = " — ".join(title_lines[1:])
    return doc


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
