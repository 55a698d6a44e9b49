"""The redline: NEW written as a .docx with real Word tracked changes against OLD.

It is the build's own writer in tracked-changes mode (render/tracked): both versions are written through the same
template (`--template` honoured) and merged, so every difference, on the cover, in document control, the change
history, the contents, the signature table, the body, the header or the footer, is a tracked change. Word's and
LibreOffice's "reject all" gives OLD as it would be built, and "accept all" gives NEW.

Every change has a unique `w:id`, the author "protocolkit" and one date (below), so two redlines of the same two
versions are byte-identical. The header of every page says what was compared, by file name or git revision (the
note belongs to neither version, so it is not a tracked change), and Track Changes is turned on in the file so
the signatories' own edits are tracked too.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime, timezone
from pathlib import Path

from protocolkit.diff.tree import DocumentDiff
from protocolkit.files import write_file
from protocolkit.render import wordml
from protocolkit.render.docx import compiled, read_template, write_parts
from protocolkit.render.tracked import merge_part
from protocolkit.render.writer import CORE, Template

AUTHOR = "protocolkit"
# Used when neither version carries a date: one fixed date keeps the output byte-identical.
FALLBACK_DATE = datetime(2000, 1, 1, tzinfo=timezone.utc)


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


def version_name(label: str) -> str:
    """How the front matter names a version: a git revision as given, a file by its name alone (never the folder
    it sits in on somebody's machine)."""
    rev, sep, path = label.partition(":")
    if sep and rev and not re.fullmatch(r"[A-Za-z]", rev) and "/" not in rev and "\\" not in rev:
        return f"{rev}:{path}"
    return Path(label.replace("\\", "/")).name or label


def _note_paragraph(text: str, template: Template) -> str:
    style = template.style_ids.get("Header", "")
    return wordml.paragraph(wordml.run(text, "<w:rPr><w:i/></w:rPr>"), style)


def _with_note(part: str, note: str) -> str:
    """A header with the comparison note as its last paragraph."""
    at = part.rfind("</w:hdr>")
    return part if at < 0 else part[:at] + note + part[at:]


def _track_revisions(settings: str) -> str:
    """Track Changes on in w:settings, at its place in the schema order."""
    if "<w:trackRevisions" in settings:
        return settings
    from lxml import etree

    root = etree.fromstring(settings.encode("utf-8"))
    el = etree.Element(wordml.qn("w:trackRevisions"))
    at = wordml.rank("settings", "trackRevisions")
    for i, child in enumerate(root):
        if isinstance(child.tag, str) and wordml.rank("settings", etree.QName(child).localname) > at:
            root.insert(i, el)
            break
    else:
        root.append(el)
    return "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n" + etree.tostring(root, encoding="unicode")


def redline_bytes(diff: DocumentDiff, old_label: str, new_label: str, template: Path | None = None) -> bytes:
    """The redline .docx as bytes, identical for identical inputs."""
    tpl = compiled(read_template(template))
    old_parts, new_parts = write_parts(diff.old, tpl), write_parts(diff.new, tpl)
    taken = [int(n) for n in re.findall(r'<w:bookmarkStart w:id="(\d+)"', new_parts[tpl.main])]
    revisions = wordml.Revisions(AUTHOR, revision_date(diff), max(taken, default=0) + 1)
    parts = dict(new_parts)
    old_name, new_name = version_name(old_label), version_name(new_label)
    note = _note_paragraph(f"Tracked changes from {old_name} to {new_name}: accept all to give {new_name}, "
                           f"reject all to give {old_name}", tpl)
    for name in tpl.jinja:
        parts[name] = merge_part(old_parts[name], new_parts[name], revisions)
        if "<w:hdr" in parts[name][:400]:
            parts[name] = _with_note(parts[name], note)
    parts[CORE] = parts[CORE].replace("</cp:coreProperties>", "<cp:contentStatus>Tracked changes</cp:contentStatus>"
                                                             "</cp:coreProperties>")
    settings = tpl.settings_name
    if settings:
        parts[settings] = _track_revisions(tpl.settings_xml)
    return tpl.pack(parts)


def write_redline(diff: DocumentDiff, path: Path, old_label: str, new_label: str, inputs: tuple = (),
                  template: Path | None = None) -> None:
    """Write the redline to path, never over one of the inputs; InputError (exit 2) when it cannot be written."""
    write_file(Path(path), redline_bytes(diff, old_label, new_label, template), inputs, what="redline")
