"""Regenerate the shipped Word template: `python -m protocolkit.templates.make_templates`.

The template is an ordinary .docx with docxtpl tags. A force can open it in Word,
change fonts, colours and logo, save it under another name and pass it to
`protocolkit build --template`. This script is the reproducible starting point:
it writes the same bytes every time, so the committed file only changes when
this script does.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Pt, RGBColor

from protocolkit.render.docx import BODY_STYLES, BODY_TAG, CUSTOM_STYLES, SIGNATURES_BOOKMARK
from protocolkit.render.zippack import repack

OUT = Path(__file__).resolve().parent / "document.docx"

FONT = "Arial"
INK = RGBColor(0x1A, 0x1A, 0x1A)
ACCENT = RGBColor(0x1F, 0x3A, 0x5F)
RULE = "8A94A6"

PAGE_W, PAGE_H = Cm(21.0), Cm(29.7)
MARGIN_SIDE, MARGIN_TOP = Cm(2.3), Cm(2.2)
TEXT_W = PAGE_W - 2 * MARGIN_SIDE
NUMBER_INDENT = Cm(1.3)


def _set_fonts(style, size: float | None = None, bold: bool | None = None, color: RGBColor | None = INK) -> None:
    """Pin a style to one font so LibreOffice and Word lay it out alike (no theme fonts)."""
    font = style.font
    font.name = FONT
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(attr), None)
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if color is not None:
        font.color.rgb = color
        for attr in ("w:themeColor", "w:themeShade", "w:themeTint"):
            rpr.find(qn("w:color")).attrib.pop(qn(attr), None)


def _border(element, edge: str, size: int = 6, color: str = RULE) -> None:
    """A single line on one edge of a paragraph (pBdr) or table cell (tcBorders)."""
    tag = "w:pBdr" if element.tag == qn("w:pPr") else "w:tcBorders"
    holder = element.find(qn(tag))
    if holder is None:
        holder = OxmlElement(tag)
        element.append(holder)
    line = OxmlElement(f"w:{edge}")
    line.set(qn("w:val"), "single")
    line.set(qn("w:sz"), str(size))
    line.set(qn("w:space"), "1" if tag == "w:pBdr" else "0")
    line.set(qn("w:color"), color)
    holder.append(line)


def _styles(doc) -> None:
    """Normal, headings, bullets, and the few styles of our own the renderer and template name."""
    styles = doc.styles
    normal = styles["Normal"]
    _set_fonts(normal, 10.5)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    normal.paragraph_format.widow_control = True

    for name, size, before, after in (("Heading 1", 14, 18, 6), ("Heading 2", 11, 10, 3)):
        st = styles[name]
        _set_fonts(st, size, True, ACCENT)
        st.font.italic = False
        pf = st.paragraph_format
        pf.space_before, pf.space_after = Pt(before), Pt(after)
        pf.keep_with_next = True
        pf.keep_together = True
        # A hanging indent lines clause titles and text up after the number and its tab.
        pf.left_indent = NUMBER_INDENT
        pf.first_line_indent = -NUMBER_INDENT
        pf.tab_stops.add_tab_stop(NUMBER_INDENT)

    body = styles["Body Text"]
    body.base_style = normal
    _set_fonts(body, 10.5)
    body.paragraph_format.left_indent = NUMBER_INDENT
    body.paragraph_format.space_after = Pt(6)

    bullet = styles["List Bullet"]
    _set_fonts(bullet, 10.5)
    bullet.paragraph_format.left_indent = NUMBER_INDENT + Cm(0.63)
    bullet.paragraph_format.first_line_indent = Cm(-0.63)
    bullet.paragraph_format.space_after = Pt(3)

    title = styles["Title"]
    _set_fonts(title, 26, True, ACCENT)
    title_ppr = title.element.get_or_add_pPr()
    for old in title_ppr.findall(qn("w:pBdr")):
        title_ppr.remove(old)
    title.paragraph_format.space_before = Pt(120)
    title.paragraph_format.space_after = Pt(12)
    subtitle = styles["Subtitle"]
    _set_fonts(subtitle, 16, False, INK)
    subtitle.font.italic = False
    subtitle.paragraph_format.space_after = Pt(36)

    for name in ("Header", "Footer"):
        _set_fonts(styles[name], 8, None, INK)
        # python-docx's blank document has Letter-paper tabs; a centre tab would catch the footer's page number.
        tabs = styles[name].paragraph_format.tab_stops
        tabs.clear_all()
        tabs.add_tab_stop(TEXT_W, WD_TAB_ALIGNMENT.RIGHT)

    made = {}
    for name in CUSTOM_STYLES:
        made[name] = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        made[name].base_style = normal
        made[name].quick_style = True

    front = made["Front Heading"]
    _set_fonts(front, 14, True, ACCENT)
    front.paragraph_format.space_before = Pt(0)
    front.paragraph_format.space_after = Pt(10)
    front.paragraph_format.keep_with_next = True

    front2 = made["Front Subheading"]
    _set_fonts(front2, 11, True, ACCENT)
    front2.paragraph_format.space_before = Pt(14)
    front2.paragraph_format.space_after = Pt(6)
    front2.paragraph_format.keep_with_next = True

    label = made["Cover Label"]
    _set_fonts(label, 10, False, ACCENT)
    label.font.all_caps = True
    label.paragraph_format.space_after = Pt(4)

    party = made["Cover Party"]
    _set_fonts(party, 13, True, INK)
    party.paragraph_format.space_after = Pt(4)

    entry = made["Contents Entry"]
    _set_fonts(entry, 10.5)
    entry.paragraph_format.left_indent = NUMBER_INDENT
    entry.paragraph_format.first_line_indent = -NUMBER_INDENT
    entry.paragraph_format.tab_stops.add_tab_stop(NUMBER_INDENT)
    entry.paragraph_format.tab_stops.add_tab_stop(TEXT_W, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
    entry.paragraph_format.space_after = Pt(4)

    cell = made["Table Text"]
    _set_fonts(cell, 9.5)
    cell.paragraph_format.space_after = Pt(2)
    cell.paragraph_format.line_spacing = 1.0

    small = made["Fingerprint"]
    small.base_style = made["Table Text"]
    _set_fonts(small, 8)
    small.font.name = "Courier New"
    small_fonts = small.element.get_or_add_rPr().find(qn("w:rFonts"))
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        small_fonts.set(qn(attr), "Courier New")

    caption = made["Signature Caption"]
    caption.base_style = made["Table Text"]
    _set_fonts(caption, 8.5, False, ACCENT)
    caption.paragraph_format.keep_with_next = True
    _border(caption.element.get_or_add_pPr(), "top", 8, "1A1A1A")

    marking = made["Marking"]
    marking.base_style = styles["Header"]
    _set_fonts(marking, 10, True, INK)
    marking.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    marking.paragraph_format.space_after = Pt(0)


def _field(paragraph, instruction: str, shown: str) -> None:
    """A complex field (PAGE, NUMPAGES): Word and LibreOffice recompute it on every page."""
    def run_with(child):
        run = paragraph.add_run()
        run._r.append(child)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run_with(instr)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run_with(sep)
    if shown:
        paragraph.add_run(shown)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def _page_setup(doc) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = PAGE_W, PAGE_H
    section.left_margin = section.right_margin = MARGIN_SIDE
    section.top_margin = section.bottom_margin = MARGIN_TOP
    section.header_distance = section.footer_distance = Cm(1.0)
    section.start_type = WD_SECTION.NEW_PAGE

    header = section.header.paragraphs[0]
    header.style = doc.styles["Marking"]
    header.add_run("{{ marking }}")

    footer = section.footer
    line = footer.paragraphs[0]
    line.style = doc.styles["Footer"]
    _border(line._p.get_or_add_pPr(), "top", 4)
    line.add_run("{{ title }}{% if partnership_title %}: {{ partnership_title }}{% endif %}"
                 "{% if version %}, version {{ version }}{% endif %}\tPage ")
    _field(line, "PAGE", "1")
    line.add_run(" of ")
    _field(line, "NUMPAGES", "1")
    mark = footer.add_paragraph("{{ marking }}", style=doc.styles["Marking"])
    mark.paragraph_format.space_before = Pt(3)


def _cell_width(cell, width) -> None:
    cell.width = width


def _no_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    # Word rejects table properties out of schema order, so this goes where the schema puts it.
    table._tbl.tblPr.insert_element_before(borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook",
                                           "w:tblCaption", "w:tblDescription", "w:tblPrChange")


def _fixed_layout(table, widths) -> None:
    """Fixed column widths that add up to the text width, so no table overflows the page."""
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    widths = [Emu(int(w)) for w in widths]
    tbl_w = table._tbl.tblPr.find(qn("w:tblW"))
    tbl_w.set(qn("w:type"), "dxa")
    tbl_w.set(qn("w:w"), str(sum(w.twips for w in widths)))
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            _cell_width(cell, width)
    grid = table._tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), widths):
        col.set(qn("w:w"), str(int(width.twips)))


def _cant_split(row, header: bool = False) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:cantSplit")
    tr_pr.append(el)
    if header:
        tr_pr.append(OxmlElement("w:tblHeader"))


def _write_cell(cell, text: str, style: str = "Table Text", bold: bool = False) -> None:
    para = cell.paragraphs[0]
    para.style = style
    run = para.add_run(text)
    run.bold = bold or None


def _shade(cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr.append(shd)


def _grid_lines(table) -> None:
    for row in table.rows:
        for cell in row.cells:
            tc_pr = cell._tc.get_or_add_tcPr()
            for edge in ("top", "bottom"):
                _border(tc_pr, edge, 4)


def _optional_row(table, at: int, label: str, value: str, cond: str, shaded: bool = False) -> int:
    """A label and value row, between `{%tr if cond %}` and `{%tr endif %}` rows when it may be unknown (a document
    written elsewhere rarely records its review dates): a field with no value is left out, not shown empty."""
    if cond:
        _write_cell(table.rows[at].cells[0], "{%tr if " + cond + " %}")
        at += 1
    row = table.rows[at]
    _write_cell(row.cells[0], label, bold=True)
    if shaded:
        _shade(row.cells[0], "E8EDF3")
    _write_cell(row.cells[1], value)
    _cant_split(row)
    at += 1
    if cond:
        _write_cell(table.rows[at].cells[0], "{%tr endif %}")
        at += 1
    return at


def _cover(doc) -> None:
    doc.add_paragraph("{{ title }}", style="Title")
    doc.add_paragraph("{%p if partnership_title %}", style="Subtitle")
    doc.add_paragraph("{{ partnership_title }}", style="Subtitle")
    doc.add_paragraph("{%p endif %}", style="Subtitle")
    doc.add_paragraph("{%p if parties %}", style="Cover Label")
    doc.add_paragraph("Between", style="Cover Label")
    doc.add_paragraph("{%p for party in parties %}", style="Cover Party")
    party = doc.add_paragraph(style="Cover Party")
    party.add_run("{{ party.name }}")
    role = party.add_run("{% if party.role %} ({{ party.role }}){% endif %}")
    role.bold = False
    doc.add_paragraph("{%p endfor %}", style="Cover Party")
    doc.add_paragraph("{%p endif %}", style="Cover Party")
    spacer = doc.add_paragraph()
    spacer.paragraph_format.space_after = Pt(30)

    facts = [("Version", "version"), ("In force from", "in_force"), ("Next review due", "review_due"),
             ("Protective marking", "marking")]
    doc.add_paragraph("{%p if version or in_force or review_due or marking %}")
    table = doc.add_table(rows=3 * len(facts), cols=2)
    _no_borders(table)
    _fixed_layout(table, [Cm(5), TEXT_W - Cm(5)])
    _grid_lines(table)
    for i, (label, name) in enumerate(facts):
        _optional_row(table, 3 * i, label, "{{ %s }}" % name, name)
    doc.add_paragraph("{%p endif %}")


def _control(doc) -> None:
    heading = doc.add_paragraph("Document control", style="Front Heading")
    heading.paragraph_format.page_break_before = True
    rows = [
        ("Document", "{{ title }}", ""),
        ("Partnership", "{{ partnership_title }}{% if partnership_id %} ({{ partnership_id }}){% endif %}",
         "partnership_title"),
        ("Version", "{{ version }}", "version"),
        ("Date in force", "{{ in_force }}", "in_force"),
        ("Author", "{{ author }}", "author"),
        ("Owner", "{{ owner }}", "owner"),
        ("Review cycle", "{{ review_cycle }}", "review_cycle"),
        ("Last reviewed", "{{ last_reviewed }}", "last_reviewed"),
        ("Next review due", "{{ review_due }}", "review_due"),
        ("Protective marking", "{{ marking }}", "marking"),
    ]
    table = doc.add_table(rows=1 + sum(3 if cond else 1 for _, _, cond in rows), cols=2)
    table.style = doc.styles["Table Grid"]
    _fixed_layout(table, [Cm(4.2), TEXT_W - Cm(4.2)])
    at = 0
    for label, value, cond in rows:
        at = _optional_row(table, at, label, value, cond, shaded=True)
    last = table.rows[-1]
    _write_cell(last.cells[0], "Fingerprint (SHA-256)", bold=True)
    _shade(last.cells[0], "E8EDF3")
    _write_cell(last.cells[1], "{{ fingerprint }}", style="Fingerprint")
    note = last.cells[1].add_paragraph(style="Table Text")
    note.add_run("A hash of the assembled text: a copy whose wording has been altered will not match it.").italic = True
    _cant_split(last)

    doc.add_paragraph("{%p if history %}", style="Front Subheading")
    doc.add_paragraph("Change history", style="Front Subheading")
    history = doc.add_table(rows=4, cols=4)
    history.style = doc.styles["Table Grid"]
    widths = [Cm(2.0), Cm(3.8), Cm(3.9), TEXT_W - Cm(9.7)]  # the date column holds "30 September 2026" on one line
    _fixed_layout(history, widths)
    for cell, label in zip(history.rows[0].cells, ("Version", "Date", "Author", "Summary of changes")):
        _write_cell(cell, label, bold=True)
        _shade(cell, "E8EDF3")
    _cant_split(history.rows[0], header=True)
    _write_cell(history.rows[1].cells[0], "{%tr for change in history %}")
    for cell, value in zip(history.rows[2].cells, ("{{ change.version }}", "{{ change.date }}", "{{ change.author }}",
                                                    "{{ change.summary }}")):
        _write_cell(cell, value)
    _cant_split(history.rows[2])
    _write_cell(history.rows[3].cells[0], "{%tr endfor %}")
    doc.add_paragraph("{%p elif in_force %}")
    doc.add_paragraph("No earlier versions are recorded.", style="Table Text")
    doc.add_paragraph("{%p endif %}")


def _contents(doc) -> None:
    heading = doc.add_paragraph("Contents", style="Front Heading")
    heading.paragraph_format.space_before = Pt(24)
    # Page numbers are PAGEREF fields to the headings' bookmarks: LibreOffice fills them on layout, Word when
    # fields are updated (the settings ask it to on opening).
    doc.add_paragraph("{%p for section in sections %}", style="Contents Entry")
    entry = doc.add_paragraph("{{ section.number }}\t{{ section.title }}\t", style="Contents Entry")
    _field(entry, "PAGEREF {{ section.bookmark }} \\h", "")
    doc.add_paragraph("{%p endfor %}", style="Contents Entry")
    doc.add_paragraph("{%p if signatories and not signatures_in_body %}", style="Contents Entry")
    entry = doc.add_paragraph("\tSignatures\t", style="Contents Entry")
    _field(entry, f"PAGEREF {SIGNATURES_BOOKMARK} \\h", "")
    doc.add_paragraph("{%p endif %}", style="Contents Entry")


def _signatures(doc) -> None:
    doc.add_paragraph("{%p if signatories %}", style="Front Heading")
    doc.add_paragraph("{%p if not signatures_in_body %}", style="Front Heading")
    heading = doc.add_paragraph("Signatures", style="Front Heading")
    heading.paragraph_format.page_break_before = True
    start = OxmlElement("w:bookmarkStart", {qn("w:id"): "0", qn("w:name"): SIGNATURES_BOOKMARK})
    heading._p.insert(1, start)
    heading._p.append(OxmlElement("w:bookmarkEnd", {qn("w:id"): "0"}))
    intro = doc.add_paragraph("Each person below signs on behalf of the organisation named with them, and so agrees to this document.")
    intro.paragraph_format.keep_with_next = True
    doc.add_paragraph("{%p endif %}")

    table = doc.add_table(rows=3, cols=3)
    _no_borders(table)
    widths = [Cm(6.4), Cm(6.0), TEXT_W - Cm(12.4)]
    _fixed_layout(table, widths)
    _write_cell(table.rows[0].cells[0], "{%tr for signatory in signatories %}")
    row = table.rows[1]
    name, sign, date = row.cells
    _write_cell(name, "{{ signatory.name }}", bold=True)
    name.paragraphs[0].paragraph_format.space_before = Pt(14)
    for text in ("{{ signatory.role }}", "{{ signatory.organisation }}"):
        name.add_paragraph(text, style="Table Text")
    for cell, caption in ((sign, "Signature"), (date, "Date")):
        _write_cell(cell, caption, style="Signature Caption")
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM
        cell.paragraphs[0].paragraph_format.right_indent = Cm(0.4)
        cell.paragraphs[0].paragraph_format.space_after = Pt(10)
    # Every paragraph keeps with the next and rows never split, so Word and LibreOffice
    # move the whole signature block to a fresh page rather than breaking it.
    for cell in row.cells:
        for para in cell.paragraphs:
            para.paragraph_format.keep_with_next = True
            para.paragraph_format.keep_together = True
    tr_pr = row._tr.get_or_add_trPr()
    height = OxmlElement("w:trHeight")
    height.set(qn("w:val"), str(Cm(2.8).twips))
    height.set(qn("w:hRule"), "atLeast")
    tr_pr.append(height)
    _cant_split(row)
    _write_cell(table.rows[2].cells[0], "{%tr endfor %}")
    doc.add_paragraph("{%p endif %}")


def build_template() -> bytes:
    """The template's bytes, the same on every run."""
    import io

    doc = Document()
    _styles(doc)
    _page_setup(doc)
    # python-docx's blank document starts with no paragraphs; the cover's first one is the title.
    _cover(doc)
    _control(doc)
    _contents(doc)
    doc.add_paragraph("{{ " + BODY_TAG + " }}", style="Body Text")
    _signatures(doc)

    props = doc.core_properties
    props.title = "protocolkit document template"
    props.subject = "Safer Schools Partnership"
    props.author = "protocolkit"
    props.last_modified_by = "protocolkit"
    props.comments = "Restyle in Word, keep the tags in braces as they are, and pass with protocolkit build --template."
    props.revision = 1
    from datetime import datetime

    fixed = datetime(2026, 1, 1)
    props.created = props.modified = props.last_printed = fixed
    buf = io.BytesIO()
    doc.save(buf)
    return lean(buf.getvalue())


# python-docx's blank document carries parts no protocol needs: Word 2010's duplicate styles, a thumbnail of an
# empty page, a bibliography stub, and some 270 latent and unused style definitions.
_DROPPED = ("word/stylesWithEffects.xml", "docProps/thumbnail.jpeg", "customXml/")


def lean(data: bytes) -> bytes:
    """The saved template without the parts and styles it does not use, and with this application's app.xml."""
    import io
    import zipfile

    from lxml import etree

    from protocolkit.render.writer import DECLARATION, app_xml

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        parts = {n: zf.read(n) for n in zf.namelist() if not n.startswith(_DROPPED)}
    for name in ("[Content_Types].xml", "_rels/.rels", "word/_rels/document.xml.rels"):
        root = etree.fromstring(parts[name])
        for el in list(root):
            target = (el.get("PartName") or "").lstrip("/") or el.get("Target") or ""
            target = target.replace("../", "")
            full = target if name != "word/_rels/document.xml.rels" or target.startswith("customXml") else \
                f"word/{target}"
            if full.startswith(_DROPPED) or el.get("Extension") == "jpeg":
                root.remove(el)
        parts[name] = DECLARATION.encode() + etree.tostring(root, encoding="UTF-8")

    styles = etree.fromstring(parts["word/styles.xml"])
    for latent in styles.findall(f"{w}latentStyles"):
        styles.remove(latent)
    by_id = {st.get(f"{w}styleId"): st for st in styles.findall(f"{w}style")}
    names = {st.find(f"{w}name").get(f"{w}val"): sid for sid, st in by_id.items()}
    from docx.styles import BabelFish

    wanted = {names[BabelFish.ui2internal(n)] for n in (*BODY_STYLES.values(), *CUSTOM_STYLES, "Normal", "Header",
                                                        "Footer", "Title", "Subtitle", "Table Grid")}
    wanted |= {sid for sid, st in by_id.items() if st.get(f"{w}default") == "1"}
    used = b"".join(v for n, v in parts.items() if n.startswith("word/") and n.endswith(".xml") and "styles" not in n)
    wanted |= {v.decode() for v in re.findall(rb'w:(?:pStyle|rStyle|tblStyle) w:val="([^"]+)"', used)}
    todo = list(wanted)
    while todo:
        st = by_id.get(todo.pop())
        for ref in ("basedOn", "next", "link"):
            el = st.find(f"{w}{ref}") if st is not None else None
            if el is not None and el.get(f"{w}val") not in wanted:
                wanted.add(el.get(f"{w}val"))
                todo.append(el.get(f"{w}val"))
    for sid, st in by_id.items():
        if sid not in wanted:
            styles.remove(st)
    parts["word/styles.xml"] = DECLARATION.encode() + etree.tostring(styles, encoding="UTF-8")

    settings = etree.fromstring(parts["word/settings.xml"])
    if settings.find(f"{w}updateFields") is None:
        # the contents' page numbers are fields: Word offers to update them on opening
        settings.append(etree.Element(f"{w}updateFields", {f"{w}val": "true"}))
    parts["word/settings.xml"] = DECLARATION.encode() + etree.tostring(settings, encoding="UTF-8")
    parts["docProps/app.xml"] = app_xml().encode()

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, blob in parts.items():
            zf.writestr(name, blob)
    return repack(out.getvalue())


def main() -> int:
    """Write the template beside this script."""
    OUT.write_bytes(build_template())
    print(OUT.name, file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
