"""What every reader shares: paragraphs as blocks with the hints heading detection needs, and the tree built from them.

A reader (docx, pdf; odt and doc through LibreOffice) turns its format into a list of Blocks in
reading order, and `tree_from_blocks` finds the headings and builds the one document tree the
checker and the diff work on. Headings are found as documents are really typed: by heading
styles or outline levels where the document uses them, otherwise by numbering ("10. Finance",
"4.2 Search"), and by short lines set apart by bold, capitals, underline or a larger size.
Section ids come from heading titles (not numbers) so that they stay put when an earlier
section is removed; clause ids are the section id plus the clause's title, or its first words.
"""

from __future__ import annotations

import re
from datetime import date

from protocolkit.document import Clause, Document, Metadata, Paragraph, Section, Source
from protocolkit.findings import InputError

_NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)\.?\s+(\S.*)$")
HEADING_STYLE = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)
BULLET_MARK = re.compile(r"^[\u2022\u00b7\u25aa\u25cf\u2013\-\*]\s+")
_MAX_HEADING_WORDS = 12
_MAX_HEADING_CHARS = 100

# Government Security Classifications and the markings they replaced, as written on documents.
MARKINGS = ("OFFICIAL-SENSITIVE", "OFFICIAL SENSITIVE", "OFFICIAL", "TOP SECRET", "SECRET",
            "NOT PROTECTIVELY MARKED", "RESTRICTED", "PROTECT", "UNCLASSIFIED", "CONFIDENTIAL")
_MARKING = re.compile(r"(?<![A-Za-z])(" + "|".join(re.escape(m) for m in MARKINGS) + r")(?![A-Za-z])")
_MARKING_ANY_CASE = re.compile(_MARKING.pattern, re.IGNORECASE)
_MARKING_LABEL = re.compile(r"^\s*(?:protective marking|security classification|classification|marking)\s*[:\-|]?\s*", re.I)

_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_DATE = (rf"(\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})\s+\d{{4}}|(?:{_MONTHS})\s+\d{{4}}|"
         r"\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2})")
_REVIEW_DATE = re.compile(
    rf"(?:(?:next\s+)?review\s+(?:date|due(?:\s+date)?)|date\s+(?:of|for)\s+(?:next\s+)?review|"
    rf"date\s+(?:of\s+|for\s+)?(?:the\s+)?(?:agreement|protocol|document|policy|next)\s+review|"
    rf"(?:to\s+be\s+|will\s+be\s+|next\s+)?reviewed\s+(?:by|on|before|in)|review\s+(?:by|on|before))"
    rf"[\s:\-|]*(?:on\s+|by\s+)?{_DATE}", re.IGNORECASE)
_IN_FORCE = re.compile(
    rf"(?:date\s+(?:in\s+force|of\s+issue|of\s+agreement)|in\s+force\s+(?:from|on)|effective\s+(?:date|from)|"
    rf"commencement\s+date|start\s+date)[\s:\-|]*{_DATE}", re.IGNORECASE)
_VERSION = re.compile(r"\bversion\s*(?:no\.?|number)?\s*[:\-|]?\s*(\d+(?:\.\d+)*)\b", re.IGNORECASE)

# What a title says about the document it heads.
_DSA_TITLE = re.compile(r"data[\s-]+sharing\s+agreement|information[\s-]+sharing\s+agreement|"
                        r"data\s+disclosure\s+agreement|\bDSA\b|\bISA\b", re.IGNORECASE)
_PROTOCOL_TITLE = re.compile(r"safer\s+schools?\s+partnership|joint\s+protocol|police\s+schools?\s+protocol|"
                             r"schools?\s+police\s+protocol|partnership\s+agreement", re.IGNORECASE)
_ISP_TITLE = re.compile(r"information[\s-]+sharing\s+protocol", re.IGNORECASE)


class Block:
    """One paragraph of the body (or one table row, flattened), with what heading detection needs."""

    __slots__ = ("text", "style", "bold", "listed", "table", "size", "underline", "level", "cell_heading", "page")

    def __init__(self, text: str, style: str = "", bold: bool = False, listed: bool = False, table: bool = False,
                 size: float | None = None, underline: bool = False, level: int = 0, cell_heading: bool = False,
                 page: int | None = None):
        self.text = text
        self.style = style
        self.bold = bold
        self.listed = listed
        self.table = table
        self.size = size
        self.underline = underline
        self.level = level  # an outline level (1 = top) from a heading style or a custom style's outline level
        self.cell_heading = cell_heading  # the one cell of a one-cell table, as headings are often typed
        self.page = page

    @property
    def caps(self) -> bool:
        """Set in capitals, as typed headings often are ("INFORMATION SHARING")."""
        letters = [c for c in self.text if c.isalpha()]
        return len(letters) >= 4 and all(c.isupper() for c in letters) and bool(re.search(r"[A-Z]{3}", self.text))


# -- headings and the tree --------------------------------------------------------------


def slug(text: str, limit: int = 60) -> str:
    words = re.sub(r"[^a-z0-9]+", " ", text.lower().replace("'", "").replace("\u2019", "")).split()
    out = ""
    for w in words:
        if len(out) + len(w) + 1 > limit and out:
            break
        out = f"{out}-{w}" if out else w
    return out or "untitled"


def split_number(text: str) -> tuple[str, str]:
    """('4.2', 'Search') from '4.2 Search'; ('', text) when it is not numbered."""
    m = _NUMBERED.match(text)
    if m and not re.match(r"^\d{4}\b", text):  # a year is not a section number
        return m.group(1), m.group(2).strip()
    return "", text


def is_short(text: str) -> bool:
    return len(text) <= _MAX_HEADING_CHARS and len(text.split()) <= _MAX_HEADING_WORDS and not text.rstrip().endswith((".", ";", ","))


def _heading(block: Block, styled: bool, section_level: int, body_size: float | None) -> tuple[str, str, str] | None:
    """('section'|'clause', number, title) when the block is a heading, else None."""
    if block.table and not block.cell_heading:
        return None
    number, title = split_number(block.text)
    depth = number.count(".") + 1 if number else 0
    level = _style_level(block)
    if styled and level:
        if number:
            return ("section" if depth == 1 else "clause"), number, title
        return ("clause" if section_level and level > section_level else "section"), "", title
    if block.listed and not level:
        return None
    emphasised = block.bold or block.underline or block.cell_heading or block.caps or _larger(block, body_size)
    if number and is_short(block.text) and (emphasised or depth == 1 and len(title.split()) <= 8):
        return ("section" if depth == 1 else "clause"), number, title
    if number and depth > 1:
        return "clause", number, ""  # a numbered paragraph: a clause without a title
    if emphasised and is_short(block.text) and not styled:
        return "section", number, title
    return None


def _larger(block: Block, body_size: float | None) -> bool:
    """Set larger than the body text, as a heading typed with a bigger font is."""
    return bool(block.size and body_size and block.size >= body_size + 1.5)


def _body_size(blocks: list[Block]) -> float | None:
    """The size most of the text is set in, weighted by length."""
    weights: dict[float, int] = {}
    for b in blocks:
        if b.size:
            weights[b.size] = weights.get(b.size, 0) + len(b.text)
    return max(weights, key=weights.__getitem__) if weights else None


def _style_level(block: Block) -> int:
    m = HEADING_STYLE.match(block.style)
    return int(m.group(1)) if m else block.level


_CONTENTS_TITLE = re.compile(r"^(table\s+of\s+)?contents?(\s+page)?$|^index$", re.IGNORECASE)
# "13. Training 11", "Training ........ 11", "Appendix A: Forms 24": a title ending in a page number.
_CONTENTS_ENTRY = re.compile(r"^(?:(?:\d{1,2}(?:\.\d{1,2})*\.?|[A-Z]\.|appendix\s+\w+:?)\s+)?\S.{0,90}?"
                             r"(?:\s*\.{2,}\s*|\s+|\t)\d{1,3}$", re.IGNORECASE)


def without_contents(blocks: list[Block]) -> list[Block]:
    """The blocks less a typed contents list: the "Contents" line and the entries after it that end in a page
    number. A contents list repeats the headings; read as headings it would hide a section the body lacks."""
    out: list[Block] = []
    i = 0
    while i < len(blocks):
        if _CONTENTS_TITLE.match(blocks[i].text.strip(" :")):
            j, end = i + 1, i + 1
            misses = 0
            while j < len(blocks) and misses <= 2:
                if _CONTENTS_ENTRY.match(blocks[j].text.strip()):
                    end, misses = j + 1, 0
                elif is_short(blocks[j].text):
                    misses += 1  # an entry wrapped onto two lines leaves a line without its page number
                else:
                    break
                j += 1
            if end - i > 2:
                i = end
                continue
        out.append(blocks[i])
        i += 1
    return out


def tree_from_blocks(blocks: list[Block], path: str) -> Document:
    blocks = without_contents(blocks)
    styled = sum(1 for b in blocks if _style_level(b)) >= 3
    body_size = _body_size(blocks)
    title_lines: list[str] = []
    i = 0
    # The title: Title/Subtitle styles, or in a typed document its first paragraph when bold or large.
    while i < len(blocks) and blocks[i].style.lower() in ("title", "subtitle"):
        title_lines.append(blocks[i].text)
        i += 1
    if not title_lines and blocks and not styled and (blocks[0].bold or (blocks[0].size or 0) >= 14
                                                      or _larger(blocks[0], body_size) or blocks[0].caps
                                                      or blocks[0].cell_heading) \
            and not split_number(blocks[0].text)[0]:
        title_lines.append(blocks[0].text.removeprefix("Appendix").strip())
        i = 1

    doc = Document(kind="protocol", title=title_lines[0] if title_lines else "", source=Source(path))
    section: Section | None = None
    clause: Clause | None = None
    section_level = 0
    last_number: int | None = None
    section_ids: set[str] = set()

    def new_section(number: str, title: str, page: int | None = None) -> Section:
        sid = unique_id(slug(title) if title else "opening", section_ids)
        section_ids.add(sid)
        s = Section(sid, title.rstrip(":").strip(), number=number, source=Source(path, page=page))
        doc.sections.append(s)
        return s

    def new_clause(sec: Section, number: str, title: str, first_text: str = "", page: int | None = None) -> Clause:
        base = slug(title) if title else (slug(" ".join(first_text.split()[:6]), 40) if first_text else "text")
        cid = unique_id(f"{sec.id}.{base}", {c.id for c in sec.clauses})
        c = Clause(cid, title.rstrip(":").strip(), number=number, source=Source(path, page=page))
        sec.clauses.append(c)
        return c

    for block in blocks[i:]:
        found = _heading(block, styled, section_level, body_size)
        if found and found[0] == "section" and found[1] and not styled:
            # typed numbering only goes up: "1 Law" after section 12 is an item of a numbered list, not section 1
            n = int(found[1].split(".")[0])
            emphasised = block.bold or block.underline or block.cell_heading or _larger(block, body_size)
            if last_number is not None and n <= last_number and not emphasised:
                found = None
                block.listed = True
            else:
                last_number = n
        if found and found[0] == "section":
            _, number, title = found
            section = new_section(number, title, block.page)
            clause = None
            section_level = _style_level(block)
            continue
        if section is None:
            section = new_section("", "", block.page)
        if found and found[0] == "clause":
            _, number, title = found
            clause = new_clause(section, number, title, block.text if not title else "", block.page)
            if not title:
                clause.paragraphs.append(Paragraph(split_number(block.text)[1], page=block.page))
            continue
        if clause is None:
            clause = new_clause(section, "", "", page=block.page)
        clause.paragraphs.append(Paragraph(block.text, "bullet" if block.listed else "body", block.page))

    # Headings with nothing under them before the first real section are part of the title block.
    while len(doc.sections) > 1 and not any(c.paragraphs for c in doc.sections[0].clauses):
        empty = doc.sections.pop(0)
        title_lines += [empty.title] + [c.title for c in empty.clauses if c.title]
    # a title block often repeats a line as subtitle and as heading; say it once
    doc.metadata.subtitle = " — ".join(dict.fromkeys(t for t in title_lines[1:] if t))
    return doc



def unique_id(base: str, taken: set[str]) -> str:
    out, n = base, 2
    while out in taken:
        out, n = f"{base}-{n}", n + 1
    return out



# -- facts: title, kind, marking, dates -------------------------------------------------


def find_marking(lines: list[str], body: list[str]) -> str:
    """The protective marking shown in the header or footer, or on a line of its own in the body."""
    for line in lines:
        m = _MARKING.search(line)
        if m:
            return m.group(1)
    for text in body:
        labelled = _MARKING_LABEL.match(text)
        stripped = _MARKING_LABEL.sub("", text).strip(" .|:")
        if len(stripped.split()) <= 4:
            # after a label ("Protective Marking | Not Protectively Marked") the marking may be in any case
            m = (_MARKING_ANY_CASE if labelled else _MARKING).fullmatch(stripped)
            if m:
                return m.group(1).upper()
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


def fill_text_facts(meta: Metadata, blocks: list[Block], header: list[str]) -> Metadata:
    """The marking, review date, date in force and version the text states, wherever it states them."""
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


def kind_from_title(doc: Document, blocks: list[Block], shown: str) -> str:
    """'protocol' or 'dsa' from what the document calls itself; InputError when the title does not say."""
    heads = [doc.title, doc.metadata.subtitle] + [b.text for b in blocks[:6] if is_short(b.text)]
    text = " ".join(h for h in heads if h)
    if _PROTOCOL_TITLE.search(text):
        return "protocol"
    if _DSA_TITLE.search(text) or _ISP_TITLE.search(text):
        return "dsa"
    if re.search(r"\bprotocol\b", text, re.IGNORECASE):
        return "protocol"
    raise InputError(f"{shown}: its title does not say whether it is an SSP protocol or a data-sharing agreement: "
                     f"pass --doc protocol or --doc dsa")

