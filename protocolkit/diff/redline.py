"""The redline: NEW written as a .docx with real Word tracked changes against OLD.

Insertions and deletions are `w:ins` / `w:del` around runs (deleted text in `w:delText`),
each with a unique `w:id`, the author "protocolkit" and one fixed date, so Word's and
LibreOffice's "accept all" gives the new text and "reject all" the old. A paragraph that
is wholly added or removed also has its paragraph mark tracked (`w:ins` / `w:del` in
`w:pPr/w:rPr`), so accepting or rejecting leaves no empty paragraph behind. Renumbering is
tracked as well: clause numbers are typed text, and "reject all" must give the old ones.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from protocolkit.diff.tree import DocumentDiff, kept_in_order, placed_clauses
from protocolkit.diff.words import Segment, paragraph_diff, word_diff
from protocolkit.document import Clause, Document, Section
from protocolkit.findings import InputError

AUTHOR = "protocolkit"
STYLES = {"title": "Title", "subtitle": "Subtitle", "section": "Heading 1", "clause": "Heading 2",
          "body": "Body Text", "bullet": "List Bullet"}
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
# Used when neither version carries a date: a fixed one keeps the output byte-identical.
FALLBACK_DATE = datetime(2000, 1, 1, tzinfo=timezone.utc)
# Elements of w:settings that come after w:trackRevisions in the schema's order.
_SETTINGS_AFTER_TRACK = ("doNotTrackMoves", "doNotTrackFormatting", "documentProtection", "autoFormatOverride",
                         "styleLockTheme", "styleLockQFSet", "defaultTabStop")


def revision_date(diff: DocumentDiff) -> str:
    """The w:date of every change: SOURCE_DATE_EPOCH if set, else the newest date the new version carries."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        when = datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    else:
        when = FALLBACK_DATE
        for doc in (diff.new, diff.old):
            meta = doc.metadata
            dates = [d for d in [meta.last_reviewed, meta.in_force, *(h.date for h in meta.history)] if isinstance(d, date)]
            if dates:
                when = datetime.combine(max(dates), datetime.min.time(), tzinfo=timezone.utc)
                break
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


class _Writer:
    """Appends tracked paragraphs to a python-docx document, numbering every change."""

    def __init__(self, document: Any, when: str):
        from docx.oxml.ns import qn

        self.document = document
        self.when = when
        self.next_id = 1
        body = document.element.body
        # makeelement skips the XML parse OxmlElement does for every element: the redline makes thousands.
        self._el = lambda tag: body.makeelement(qn(tag))
        self._qn = qn
        # python-docx looks a style up by name in a linear scan; do it once per style, not per paragraph.
        self._style_ids = {key: document.styles[name].style_id for key, name in STYLES.items()}
        self._end = document.element.body.find(qn("w:sectPr"))

    def mark(self, tag: str) -> Any:
        el = self._el(f"w:{tag}")
        el.set(self._qn("w:id"), str(self.next_id))
        el.set(self._qn("w:author"), AUTHOR)
        el.set(self._qn("w:date"), self.when)
        self.next_id += 1
        return el

    def run(self, text: str, deleted: bool = False) -> Any:
        r = self._el("w:r")
        for piece in re.split(r"(\t)", text):
            if piece == "\t":
                r.append(self._el("w:tab"))
            elif piece:
                t = self._el("w:delText" if deleted else "w:t")
                t.set(self._qn("xml:space"), "preserve")
                t.text = piece
                r.append(t)
        return r

    def paragraph(self, style: str, segments: list[Segment], whole: str = "") -> Any:
        """One paragraph of runs; whole='+' or '-' tracks its paragraph mark too."""
        p = self._el("w:p")
        ppr = self._el("w:pPr")
        style_el = self._el("w:pStyle")
        style_el.set(self._qn("w:val"), self._style_ids[style])
        ppr.append(style_el)
        if style in ("section", "clause"):
            ppr.append(self._el("w:keepNext"))
        p.append(ppr)
        for op, text in segments:
            if not text:
                continue
            if op == "=":
                p.append(self.run(text))
            else:
                wrapper = self.mark("ins" if op == "+" else "del")
                wrapper.append(self.run(text, deleted=op == "-"))
                p.append(wrapper)
        if whole:
            rpr = self._el("w:rPr")
            rpr.append(self.mark("ins" if whole == "+" else "del"))
            ppr.append(rpr)
        if self._end is not None:
            self._end.addprevious(p)
        else:
            self.document.element.body.append(p)
        return p

    # -- whole clauses and sections ---------------------------------------------------

    def heading(self, style: str, number: str, title: str, op: str) -> None:
        self.paragraph(style, [(op, _heading_text(number, title))], whole="" if op == "=" else op)  # type: ignore[list-item]

    def clause(self, clause: Clause, op: str) -> None:
        """A clause wholly added ('+') or removed ('-')."""
        if clause.number or clause.title:
            self.heading("clause", clause.number, clause.title, op)
        for para in clause.paragraphs:
            self.paragraph(para.style, [(op, para.text)], whole=op)  # type: ignore[list-item]

    def section(self, section: Section, op: str) -> None:
        """A section wholly added or removed, with all its clauses."""
        self.heading("section", section.number, section.title, op)
        for clause in section.clauses:
            self.clause(clause, op)

    def clause_changes(self, old: Clause, new: Clause) -> None:
        """A clause present in both, its heading and paragraphs tracked word by word."""
        if old.number or old.title or new.number or new.title:
            # A clause read from a .docx may be untitled and unnumbered: then it has no heading to write.
            whole = "+" if not (old.number or old.title) else "-" if not (new.number or new.title) else ""
            self.paragraph("clause", _heading_diff(old.number, old.title, new.number, new.title), whole=whole)
        if [(p.style, p.text) for p in old.paragraphs] == [(p.style, p.text) for p in new.paragraphs]:
            for para in new.paragraphs:
                self.paragraph(para.style, [("=", para.text)])
            return
        for change in paragraph_diff(old.paragraphs, new.paragraphs):
            whole = {"added": "+", "removed": "-"}.get(change.kind, "")
            self.paragraph(change.style, change.segments, whole=whole)


def _heading_text(number: str, title: str) -> str:
    return f"{number}\t{title}" if number else title


def _heading_diff(old_number: str, old_title: str, new_number: str, new_title: str) -> list[Segment]:
    """A heading's number (as one token) and title (word by word) tracked."""
    segs: list[Segment] = []
    if old_number == new_number:
        segs.append(("=", old_number))
    else:
        segs += [("-", old_number), ("+", new_number)]
    if old_number or new_number:
        tab = "\t"
        if bool(old_number) == bool(new_number):
            segs.append(("=", tab))
        else:
            segs.append(("-" if old_number else "+", tab))
    segs += word_diff(old_title, new_title) if old_title != new_title else [("=", new_title)]
    return segs


def _merged(olds: list[Any], news: list[Any], stays: Any) -> list[tuple[str, Any, Any]]:
    """Old and new items in one reading order: ('=', key, new), ('+', None, new), ('-', old, None).

    `stays(old, None)` and `stays(None, new)` give the item's key when it stays in place, else None.

    Items that stay put keep their new order; an item only in the old version follows the
    last item before it that stayed, so deletions appear where they were.
    """
    after_anchor: dict[Any, list[Any]] = {}
    anchor = None
    for item in olds:
        if stays(item, None):
            anchor = stays(item, None)
        else:
            after_anchor.setdefault(anchor, []).append(item)
    out: list[tuple[str, Any, Any]] = [("-", item, None) for item in after_anchor.get(None, [])]
    for item in news:
        key = stays(None, item)
        out.append(("=", key, item) if key else ("+", None, item))
        out += [("-", old, None) for old in after_anchor.get(key, [])] if key else []
    return out


def write_body(writer: _Writer, diff: DocumentDiff) -> None:
    """Title, then every section and clause of both versions in reading order, with changes tracked."""
    old, new = diff.old, diff.new
    writer.paragraph("title", word_diff(old.title, new.title) if old.title != new.title else [("=", new.title)])
    old_sub, new_sub = old.metadata.subtitle, new.metadata.subtitle
    if old_sub or new_sub:
        whole = "+" if not old_sub else "-" if not new_sub else ""
        writer.paragraph("subtitle", word_diff(old_sub, new_sub) if old_sub != new_sub else [("=", new_sub)], whole)

    before, after = placed_clauses(old), placed_clauses(new)
    old_key = {id(p.clause): key for key, p in before.items()}
    new_key = {id(p.clause): key for key, p in after.items()}
    moved = {c.id for c in diff.moved}
    old_sections = {s.id: s for s in old.sections}
    new_sections = {s.id: s for s in new.sections}

    # A section that changed places is written twice, deleted where it was and inserted where it is.
    in_order = kept_in_order([s.id for s in old.sections if s.id in new_sections],
                             [s.id for s in new.sections if s.id in old_sections])

    def stays_section(o: Section | None, n: Section | None) -> Any:
        sid = o.id if o is not None else n.id  # type: ignore[union-attr]
        return sid if sid in in_order else None

    for op, key, section in _merged(old.sections, new.sections, stays_section):
        if op == "-":
            writer.section(key, "-")
            continue
        if op == "+":
            writer.section(section, "+")
            continue
        old_section = old_sections[key]
        writer.paragraph("section", _heading_diff(old_section.number, old_section.title, section.number, section.title))

        def stays_clause(o: Clause | None, n: Clause | None, sid: str = section.id) -> Any:
            k = old_key[id(o)] if o is not None else new_key[id(n)]
            both = k in before and k in after
            if both and k not in moved and before[k].section.id == sid and after[k].section.id == sid:
                return k
            return None

        for cop, ckey, clause in _merged(old_section.clauses, section.clauses, stays_clause):
            if cop == "-":
                writer.clause(ckey, "-")
            elif cop == "+":
                writer.clause(clause, "+")
            else:
                writer.clause_changes(before[ckey].clause, clause)


def _enable_tracking(document: Any) -> None:
    """Turn on Track Changes in the file, so the signatories' own edits are tracked too."""
    from docx.oxml import OxmlElement

    settings = document.settings.element
    track = OxmlElement("w:trackRevisions")
    for child in settings:
        if child.tag.rsplit("}", 1)[-1] in _SETTINGS_AFTER_TRACK:
            child.addprevious(track)
            return
    settings.append(track)


def _page_footer(document: Any, header: str) -> None:
    """A header naming the comparison and a 'Page X of Y' footer."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    section = document.sections[0]
    section.header.paragraphs[0].text = header
    footer = section.footer.paragraphs[0]
    for piece in ("Page ", "PAGE", " of ", "NUMPAGES"):
        if piece.isupper():
            field = OxmlElement("w:fldSimple")
            field.set(qn("w:instr"), f" {piece} ")
            r = OxmlElement("w:r")
            t = OxmlElement("w:t")
            t.text = "1"
            r.append(t)
            field.append(r)
            footer._p.append(field)
        else:
            footer.add_run(piece)


def redline_bytes(diff: DocumentDiff, old_label: str, new_label: str) -> bytes:
    """The redline .docx as bytes, identical for identical inputs."""
    import docx

    when = revision_date(diff)
    document = docx.Document()
    body = document.element.body
    for child in list(body):
        if not child.tag.endswith("}sectPr"):
            body.remove(child)
    writer = _Writer(document, when)
    write_body(writer, diff)
    _enable_tracking(document)
    _page_footer(document, f"Tracked changes: {old_label} → {new_label}")
    props = document.core_properties
    stamp = datetime.strptime(when, "%Y-%m-%dT%H:%M:%SZ")
    props.title = f"{diff.new.title}: tracked changes"
    props.subject = f"Changes from {old_label} to {new_label}"
    props.author = props.last_modified_by = AUTHOR
    props.comments = ""
    props.keywords = ""
    props.revision = 1
    props.created = props.modified = props.last_printed = stamp
    buf = io.BytesIO()
    document.save(buf)
    return _stable_zip(buf.getvalue())


def _stable_zip(data: bytes) -> bytes:
    """The same package with fixed entry times and order."""
    src = zipfile.ZipFile(io.BytesIO(data))
    names = src.namelist()
    ordered = [n for n in names if n == "[Content_Types].xml"] + sorted(n for n in names if n != "[Content_Types].xml")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in ordered:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            dst.writestr(info, src.read(name))
    return out.getvalue()


def write_redline(diff: DocumentDiff, path: Path, old_label: str, new_label: str) -> None:
    """Write the redline to path; InputError (exit 2) when it cannot be written."""
    data = redline_bytes(diff, old_label, new_label)
    try:
        Path(path).write_bytes(data)
    except OSError as exc:
        raise InputError(f"{path}: cannot write the redline: {exc.strerror or exc}") from None
