"""The redline: NEW written as a .docx with real Word tracked changes against OLD.

It is rendered through the same template and writer as `protocolkit build` (cover,
document control, contents, marking in the header and footer, 'Page X of Y', the
template's heading and body styles), so a signatory reviews the document they know with
the changes marked. The front matter shows NEW's metadata; what NEW does not record (a
.docx written elsewhere rarely says its version or review dates) is left out rather than
shown empty.

Insertions and deletions are `w:ins` / `w:del` around runs (deleted text in `w:delText`),
each with a unique `w:id`, the author "protocolkit" and one fixed date, so Word's and
LibreOffice's "accept all" gives the new text and "reject all" the old. A paragraph that
is wholly added or removed also has its paragraph mark tracked (`w:ins` / `w:del` in
`w:pPr/w:rPr`), so accepting or rejecting leaves no empty paragraph behind. Renumbering is
tracked as well: clause numbers are typed text, and "reject all" must give the old ones.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Callable

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph as DocxParagraph

from protocolkit.diff.tree import DocumentDiff, kept_in_order, placed_clauses
from protocolkit.diff.words import Segment, paragraph_diff, word_diff
from protocolkit.document import Clause, Document, Section
from protocolkit.findings import InputError
from protocolkit.files import write_file
from protocolkit.render.docx import (
    BODY_STYLES,
    FIXED_DATE,
    SIGNATURES_SECTION,
    add_heading,
    add_run_text,
    add_text,
    has_signature_section,
    read_template,
    render_docx,
    styled_paragraph,
    template_context,
)

AUTHOR = "protocolkit"
# Used when neither version carries a date: the build's fixed date keeps the output byte-identical.
FALLBACK_DATE = FIXED_DATE.replace(tzinfo=timezone.utc)
# Elements of w:settings that come after w:trackRevisions in the schema's order.
_SETTINGS_AFTER_TRACK = ("doNotTrackMoves", "doNotTrackFormatting", "documentProtection", "autoFormatOverride",
                         "styleLockTheme", "styleLockQFSet", "defaultTabStop")
# What a template field left blank leaves behind in "{{ partnership_title }} ({{ partnership_id }})".
_EMPTY_BRACKETS = re.compile(r"\s*\(\s*\)")
# Past this many characters the footer's running line pushes 'Page X of Y' onto a second line.
_RUNNING_LINE_CHARS = 90


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
    """Writes paragraphs before the template's body anchor with the build's own helpers, tracking every change."""

    def __init__(self, anchor: Any, when: str):
        self.anchor = anchor
        self.when = when
        self.next_id = 1
        self._make = anchor._p.makeelement
        # The numbered body starts a page and so do the signatures, as in a built document.
        self.page_break = True
        self.keep_with_next = False

    def mark(self, tag: str) -> Any:
        """A w:ins or w:del carrying the next id, the author and the date."""
        el = self._make(qn(f"w:{tag}"))
        el.set(qn("w:id"), str(self.next_id))
        el.set(qn("w:author"), AUTHOR)
        el.set(qn("w:date"), self.when)
        self.next_id += 1
        return el

    def track_run(self, run: Any, op: str) -> None:
        """Wrap a written run as inserted ('+') or deleted ('-'), its text then in w:delText."""
        wrapper = self.mark("ins" if op == "+" else "del")
        run.addprevious(wrapper)
        wrapper.append(run)
        if op == "-":
            for t in run.iter(qn("w:t")):
                t.tag = qn("w:delText")

    def track_runs(self, para: Any, op: str) -> None:
        """Wrap each run of a written paragraph as inserted or deleted."""
        for run in para._p.findall(qn("w:r")):
            self.track_run(run, op)

    def track_mark(self, para: Any, op: str) -> None:
        """Track the paragraph mark, so accepting or rejecting removes the paragraph whole."""
        rpr = self._make(qn("w:rPr"))
        rpr.append(self.mark("ins" if op == "+" else "del"))
        para._p.get_or_add_pPr().append(rpr)

    def fill(self, para: Any, segments: list[Segment]) -> None:
        """Append the segments' text as runs, each change tracked."""
        for op, text in segments:
            if not text:
                continue
            add_run_text(para, text)
            if op != "=":
                self.track_run(para._p[-1], op)

    def _placed(self, para: Any, heading: bool) -> Any:
        fmt = para.paragraph_format
        if heading and self.page_break:
            fmt.page_break_before = True
            self.page_break = False
        if self.keep_with_next:
            # The signing words stay on the page with the signature table after them.
            fmt.keep_with_next = True
        return para

    # -- paragraphs ------------------------------------------------------------------------

    def whole(self, kind: str, text: str, op: str, number: str = "") -> None:
        """A heading ('section', 'clause') or paragraph ('body', 'bullet') as the build writes it, added,
        removed or ('=') unchanged."""
        heading = kind in ("section", "clause")
        if heading:
            para = add_heading(self.anchor, number, text, 1 if kind == "section" else 2)
        else:
            para = add_text(self.anchor, text, kind)
        self._placed(para, heading)
        if op != "=":
            self.track_runs(para, op)
            self.track_mark(para, op)

    def changed(self, kind: str, segments: list[Segment], whole: str = "") -> None:
        """A paragraph whose text changed, tracked segment by segment; whole='+' or '-' tracks its mark too."""
        para = styled_paragraph(self.anchor, "", BODY_STYLES[kind])
        for run in para._p.findall(qn("w:r")):
            para._p.remove(run)
        self._placed(para, kind in ("section", "clause"))
        self.fill(para, segments)
        if whole:
            self.track_mark(para, whole)

    # -- whole clauses and sections ----------------------------------------------------

    def clause(self, clause: Clause, op: str) -> None:
        """A clause wholly added ('+'), removed ('-') or unchanged ('=')."""
        if clause.number or clause.title:
            self.whole("clause", clause.title, op, clause.number)
        for para in clause.paragraphs:
            self.whole(para.style, para.text, op)

    def section(self, section: Section, op: str) -> None:
        """A section wholly added or removed, with all its clauses."""
        self.section_start(section)
        self.whole("section", section.title, op, section.number)
        for clause in section.clauses:
            self.clause(clause, op)

    def section_start(self, section: Section) -> None:
        self.keep_with_next = section.id == SIGNATURES_SECTION
        self.page_break = self.page_break or self.keep_with_next

    def clause_changes(self, old: Clause, new: Clause) -> None:
        """A clause present in both, its heading and paragraphs tracked word by word."""
        if (old.number, old.title) == (new.number, new.title) and \
                [(p.style, p.text) for p in old.paragraphs] == [(p.style, p.text) for p in new.paragraphs]:
            self.clause(new, "=")
            return
        if old.number or old.title or new.number or new.title:
            # A clause read from a .docx may be untitled and unnumbered: then it has no heading to write.
            whole = "+" if not (old.number or old.title) else "-" if not (new.number or new.title) else ""
            self.changed("clause", _heading_diff(old.number, old.title, new.number, new.title), whole=whole)
        for change in paragraph_diff(old.paragraphs, new.paragraphs):
            whole = {"added": "+", "removed": "-"}.get(change.kind, "")
            self.changed(change.style, change.segments, whole=whole)


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


def write_changes(writer: _Writer, diff: DocumentDiff) -> None:
    """Every section and clause of both versions in reading order, with changes tracked."""
    old, new = diff.old, diff.new
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
        writer.section_start(section)
        if (old_section.number, old_section.title) == (section.number, section.title):
            writer.whole("section", section.title, "=", section.number)
        else:
            writer.changed("section", _heading_diff(old_section.number, old_section.title,
                                                    section.number, section.title))

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


# -- the front matter ---------------------------------------------------------------------


def _text(el: Any) -> str:
    return "".join(t.text or "" for t in el.iter(qn("w:t")))


def _styled(body: Any, document: Any, name: str, stop: Any) -> list[Any]:
    """The body's top-level paragraphs in the named style, up to `stop`."""
    style_id = document.styles[name].style_id
    found = []
    for el in body.iterchildren(qn("w:p"), qn("w:tbl")):
        if el is stop:
            break
        ps = el.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        if ps is not None and ps.get(qn("w:val")) == style_id:
            found.append(el)
    return found


def _track_cover(writer: _Writer, document: Any, diff: DocumentDiff) -> None:
    """The cover's title and subtitle with their changes tracked; a subtitle neither version has is left out."""
    body = document.element.body
    stop = writer.anchor._p
    pairs = [("Title", diff.old.title, diff.new.title),
             ("Subtitle", diff.old.metadata.subtitle, diff.new.metadata.subtitle)]
    for style, old, new in pairs:
        for p in _styled(body, document, style, stop)[:1]:
            if not old and not new:
                body.remove(p)
                continue
            if old == new:
                continue
            for run in p.findall(qn("w:r")):
                p.remove(run)
            para = DocxParagraph(p, writer.anchor._parent)
            writer.fill(para, word_diff(old, new) if old and new else [("-", old), ("+", new)])
            if not old or not new:
                writer.track_mark(para, "+" if new else "-")


def _omit_unknown(document: Any, anchor: Any, doc: Document) -> None:
    """Leave out the front matter's fields NEW does not record, rather than show them empty."""
    meta = doc.metadata
    # A document carrying no dates at all (a .docx written elsewhere) says nothing of its reviews or
    # history: "Not yet reviewed" and "No earlier versions are recorded" would be claims it never made.
    undated = meta.in_force is None and meta.last_reviewed is None and not meta.history
    unknown = {"", template_context(doc)["last_reviewed"].strip()} if undated else {""}
    body = document.element.body
    if not meta.signatories:
        # No one to sign: the signature heading, its sentence and an empty table would all be hollow.
        for el in list(anchor._p.itersiblings()):
            if el.tag != qn("w:sectPr"):
                body.remove(el)
        if not has_signature_section(doc):
            entries = _styled(body, document, "Contents Entry", anchor._p)
            if entries:
                body.remove(entries[-1])
    for tbl in list(body.iterchildren(qn("w:tbl"))):
        rows = tbl.findall(qn("w:tr"))
        for tr in rows:
            cells = tr.findall(qn("w:tc"))
            if len(cells) != 2:
                continue
            for t in cells[1].iter(qn("w:t")):
                t.text = _EMPTY_BRACKETS.sub("", t.text or "")
            if _text(cells[1]).strip() in unknown:
                tbl.remove(tr)
        if len(rows) == 1 and undated and len(rows[0].findall(qn("w:tc"))) > 2:
            # The change-history table with its heading row only: drop its subheading and the note under it too.
            for el in (tbl.getprevious(), tbl.getnext()):
                if el is not None and el.tag == qn("w:p"):
                    body.remove(el)
            body.remove(tbl)
        elif tbl.find(qn("w:tr")) is None:
            body.remove(tbl)
    # A cover label ("Between") with no parties after it labels nothing.
    party_id = document.styles["Cover Party"].style_id
    for p in _styled(body, document, "Cover Label", anchor._p):
        nxt = p.getnext()
        ps = nxt.find(f"{qn('w:pPr')}/{qn('w:pStyle')}") if nxt is not None else None
        if ps is None or ps.get(qn("w:val")) != party_id:
            body.remove(p)
    _tidy_running_line(document, doc)


def _tidy_running_line(document: Any, doc: Document) -> None:
    """The footer's 'title: partnership, version N' without the parts NEW does not record, and short
    enough to leave 'Page X of Y' on its line."""
    meta = doc.metadata
    full = f"{doc.title}: {meta.subtitle}, version {meta.version}"
    version = f", version {meta.version}" if meta.version else ""
    tidy = f"{doc.title}: {meta.subtitle}{version}" if meta.subtitle else f"{doc.title}{version}"
    if len(tidy) > _RUNNING_LINE_CHARS:
        tidy = f"{doc.title}{version}"
    if tidy == full:
        return
    for rel in document.part.rels.values():
        if rel.reltype in (RT.HEADER, RT.FOOTER) and not rel.is_external:
            for t in rel.target_part.element.iter(qn("w:t")):
                if t.text == full:
                    t.text = tidy


def _cover_note(writer: _Writer, document: Any, old_label: str, new_label: str) -> None:
    """A line on the cover saying what was compared and what accepting or rejecting gives."""
    body = document.element.body
    stop = writer.anchor._p
    after = (_styled(body, document, "Cover Party", stop) or _styled(body, document, "Subtitle", stop)
             or _styled(body, document, "Title", stop))
    label = styled_paragraph(writer.anchor, "Tracked changes", "Cover Label")
    note = styled_paragraph(writer.anchor, f"From {old_label} to {new_label}: accepting every change gives "
                                           f"{new_label}, rejecting every change gives {old_label}.", "Normal")
    if after:
        after[-1].addnext(note._p)
        after[-1].addnext(label._p)


def _enable_tracking(document: Any) -> None:
    """Turn on Track Changes in the file, so the signatories' own edits are tracked too."""
    settings = document.settings.element
    if settings.find(qn("w:trackRevisions")) is not None:
        return
    track = OxmlElement("w:trackRevisions")
    for child in settings:
        if child.tag.rsplit("}", 1)[-1] in _SETTINGS_AFTER_TRACK:
            child.addprevious(track)
            return
    settings.append(track)


def _redline_body(diff: DocumentDiff, old_label: str, new_label: str) -> Callable[[Any, Document], None]:
    """The body writer render_docx calls: the tracked sections, and the front matter made fit for a redline."""
    when = revision_date(diff)

    def body(anchor: Any, doc: Document) -> None:
        document = anchor.part.document
        writer = _Writer(anchor, when)
        _omit_unknown(document, anchor, doc)
        _track_cover(writer, document, diff)
        _cover_note(writer, document, old_label, new_label)
        write_changes(writer, diff)
        _enable_tracking(document)
        document.core_properties.content_status = "Tracked changes"

    return body


def redline_bytes(diff: DocumentDiff, old_label: str, new_label: str) -> bytes:
    """The redline .docx as bytes, identical for identical inputs."""
    return render_docx(diff.new, read_template(None), body=_redline_body(diff, old_label, new_label))


def write_redline(diff: DocumentDiff, path: Path, old_label: str, new_label: str, inputs: tuple = ()) -> None:
    """Write the redline to path, never over one of the inputs; InputError (exit 2) when it cannot be written."""
    write_file(Path(path), redline_bytes(diff, old_label, new_label), inputs, what="redline")
