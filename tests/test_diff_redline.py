"""The tracked-changes redline: accept-all gives the new text, reject-all the old, and LibreOffice opens it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from ruamel.yaml import YAML

from conftest import EXAMPLES, FIXTURES
from protocolkit.document import Document
from protocolkit.library import load_library
from protocolkit.project import assemble_documents, load_partnership
from protocolkit.read.docx import read_docx
from protocolkit.render.tracked import resolved
from protocolkit.typography import plain
from test_diff import NEW_HEAD, PART_TIME, _edited_partnership

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# The template's styles for the document's own text: the cover's title and subtitle, headings, body and bullets.
# The rest of the template (cover labels, tables, contents, signatures) is NEW's front matter, not compared text.
TEXT_STYLES = {"Title", "Subtitle", "Heading1", "Heading2", "BodyText", "ListBullet"}
OLD_DOCX = FIXTURES / "staffordshire-protocol.docx"
NEW_DOCX = FIXTURES / "staffordshire-edited.docx"


# -- a small accept/reject engine over document.xml ---------------------------------------


def body_xml(docx: Path) -> etree._Element:
    with zipfile.ZipFile(docx) as zf:
        return etree.fromstring(zf.read("word/document.xml"))


def resolve(root: etree._Element, accept: bool) -> list[str]:
    """The document's own paragraphs (TEXT_STYLES) once every change is accepted (or rejected), as Word would leave them."""
    root = etree.fromstring(etree.tostring(root))
    keep, drop = ("ins", "del") if accept else ("del", "ins")
    for el in list(root.iter(W + drop)):
        if el.getparent().tag != W + "rPr":
            el.getparent().remove(el)
    for el in list(root.iter(W + keep)):
        parent = el.getparent()
        if parent.tag == W + "rPr":
            parent.remove(el)
            continue
        at = parent.index(el)
        for child in list(el):
            parent.insert(at, child)
            at += 1
        parent.remove(el)
    for el in root.iter(W + "delText"):
        el.tag = W + "t"
    body = root.find(W + "body")
    for p in list(body.iter(W + "p")):
        mark = p.find(f"{W}pPr/{W}rPr/{W}{drop}")
        if mark is None:
            continue
        # A paragraph mark taken away joins what is left of the paragraph to the next one.
        following = p.getnext()
        content = [c for c in p if c.tag != W + "pPr"]
        if following is not None and following.tag == W + "p":
            at = 1 if following.find(W + "pPr") is not None else 0
            for child in content:
                following.insert(at, child)
                at += 1
        p.getparent().remove(p)
    texts = []
    for p in body.iter(W + "p"):
        style = p.find(f"{W}pPr/{W}pStyle")
        if style is not None and style.get(W + "val") in TEXT_STYLES:
            texts.append(text_of(p))
    return texts


def text_of(el: etree._Element, tag: str = "t") -> str:
    """The text of an element's runs, tabs and line breaks included, from w:t (or w:delText)."""
    marks = {W + "tab": "\t", W + "br": "\n"}
    # as plain text: the typesetting (quotes, no-break spaces) is the writer's, not the document's
    return plain("".join(marks.get(x.tag) or x.text or "" for x in el.iter(W + tag, W + "tab", W + "br")))


def document_lines(doc: Document) -> list[str]:
    """The paragraphs a document's text makes: title, subtitle, numbered headings, clause paragraphs."""
    lines = [doc.title] + ([doc.metadata.subtitle] if doc.metadata.subtitle else [])
    for section in doc.sections:
        lines.append(f"{section.number}\t{section.title}" if section.number else section.title)
        for clause in section.clauses:
            if clause.number or clause.title:
                lines.append(f"{clause.number}\t{clause.title}" if clause.number else clause.title)
            lines += [p.text for p in clause.paragraphs]
    return lines


def write_redline(run, tmp_path: Path, old, new, name: str = "redline.docx") -> Path:
    out = tmp_path / name
    result = run("diff", old, new, "--redline", out)
    assert result.exit_code == 0, result.output
    return out


# -- the Staffordshire pair ---------------------------------------------------------------


@pytest.fixture(scope="module")
def staffordshire_docs() -> tuple[Document, Document]:
    return read_docx(OLD_DOCX), read_docx(NEW_DOCX)


def test_accept_all_gives_the_new_text_and_reject_all_the_old(run, tmp_path, staffordshire_docs):
    old, new = staffordshire_docs
    root = body_xml(write_redline(run, tmp_path, OLD_DOCX, NEW_DOCX))
    assert document_lines(old) != document_lines(new)
    assert resolve(root, accept=True) == document_lines(new)
    assert resolve(root, accept=False) == document_lines(old)


def test_changes_are_marked_as_word_expects(run, tmp_path):
    root = body_xml(write_redline(run, tmp_path, OLD_DOCX, NEW_DOCX))
    marks = list(root.iter(W + "ins", W + "del"))
    ids = [m.get(W + "id") for m in marks]
    assert marks and len(ids) == len(set(ids)), "every w:id is unique"
    assert {m.get(W + "author") for m in marks} == {"protocolkit"}
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", m.get(W + "date")) for m in marks)
    # Deleted text sits in w:delText, never in w:t, and inserted text never in w:delText.
    for d in root.iter(W + "del"):
        if d.getparent().tag not in (W + "rPr", W + "trPr"):  # (a deleted paragraph mark or table row)
            assert not list(d.iter(W + "t")) and list(d.iter(W + "delText", W + "delInstrText", W + "tab", W + "br", W + "fldChar"))
    for i in root.iter(W + "ins"):
        assert not list(i.iter(W + "delText"))
    # The removed section's paragraphs are wholly deleted, marks included.
    deleted = [p for p in root.iter(W + "p") if p.find(f"{W}pPr/{W}rPr/{W}del") is not None]
    texts = [text_of(p, "delText") for p in deleted]
    assert "11\tLocal Arrangements" in texts
    assert any(t.startswith("The SSPo will have access to the school grounds") for t in texts)
    added = [p for p in root.iter(W + "p") if p.find(f"{W}pPr/{W}rPr/{W}ins") is not None]
    assert "10\tComplaints and Concerns" in [text_of(p) for p in added]
    # A reworded paragraph is tracked word by word, not as a whole paragraph.
    pairs = [(text_of(d, "delText"), text_of(d.getnext())) for d in root.iter(W + "del")
             if d.getnext() is not None and d.getnext().tag == W + "ins"]
    assert ("mitigates", "reduces") in pairs


def test_the_redline_uses_heading_styles_and_turns_tracking_on(run, tmp_path):
    out = write_redline(run, tmp_path, OLD_DOCX, NEW_DOCX)
    from docx import Document as open_docx

    document = open_docx(str(out))
    styles = {p.style.name for p in document.paragraphs}
    assert {"Title", "Heading 1", "Body Text"} <= styles
    with zipfile.ZipFile(out) as zf:
        assert b"<w:trackRevisions/>" in zf.read("word/settings.xml")


def test_the_redline_is_byte_identical_run_to_run(run, tmp_path):
    first = write_redline(run, tmp_path, OLD_DOCX, NEW_DOCX, "one.docx").read_bytes()
    second = write_redline(run, tmp_path, OLD_DOCX, NEW_DOCX, "two.docx").read_bytes()
    assert first == second


def test_a_redline_that_cannot_be_written_exits_2(run, tmp_path):
    result = run("diff", OLD_DOCX, NEW_DOCX, "--redline", tmp_path / "no" / "such" / "folder" / "r.docx")
    assert result.exit_code == 2
    assert "cannot write the redline" in result.stderr and len(result.stderr.strip().splitlines()) == 1


# -- partnership files: renumbering, moved and rewritten clauses --------------------------


def test_partnership_redline_round_trips_with_renumbered_clauses(run, tmp_path):
    old = _edited_partnership(tmp_path, "old.yaml", [])
    new = _edited_partnership(tmp_path, "new.yaml", NEW_HEAD + PART_TIME, local={
        "id": "local.parking", "title": "Parking", "section": "purpose", "order": 1,
        "text": "The officer parks in the staff car park and signs in at reception."})
    root = body_xml(write_redline(run, tmp_path, old, new))
    lib = load_library()
    docs = {}
    for name, path in (("old", old), ("new", new)):
        loaded = load_partnership(path, lib)
        docs[name] = assemble_documents(loaded, lib, ["protocol"])[0]["protocol"]
    assert resolve(root, accept=True) == document_lines(docs["new"])
    assert resolve(root, accept=False) == document_lines(docs["old"])
    # The local clause went in first, so later clause numbers moved on: that is tracked as a number change.
    deleted_numbers = {"".join(t.text for t in d.iter(W + "delText")) for d in root.iter(W + "del")}
    assert "1.1" in deleted_numbers


# -- the house style: the same template and writer as `protocolkit build` ------------------


def _reviewed_partnerships(tmp_path: Path) -> tuple[Path, Path]:
    """An example partnership and its next version: renamed, two clauses overridden and one excluded."""
    yaml = YAML(typ="rt")
    old = tmp_path / "old.yaml"
    shutil.copy(EXAMPLES / "northgate-high.yaml", old)
    data = yaml.load(old.read_text(encoding="utf-8"))
    data["version"] = "1.1"
    data["title"] = "Northgate High School and Sixth Form"
    data["history"].append({"version": "1.1", "date": "2027-07-01", "author": "Sergeant Claire Novak",
                            "summary": "Annual review"})
    choices = data.setdefault("clauses", {})
    choices.setdefault("exclude", []).append("deployment.continuity")
    overrides = choices.setdefault("overrides", {})
    overrides["deployment.uniform"] = {
        "reason": "Plain clothes at parents' evenings.",
        "text": "The {{ officer.term }} works in uniform, except at parents' evenings agreed in advance with "
                "the SPOC, where plain clothes and a visible identity badge are worn."}
    overrides["finance.facilities"] = {"reason": "The trust lends a laptop.", "title": "Facilities and equipment"}
    new = tmp_path / "new.yaml"
    with new.open("w", encoding="utf-8") as fh:
        yaml.dump(data, fh)
    return old, new


def _assembled(path: Path) -> Document:
    lib = load_library()
    return assemble_documents(load_partnership(path, lib), lib, ["protocol"])[0]["protocol"]


def _parts(docx: Path, prefix: str) -> list[etree._Element]:
    with zipfile.ZipFile(docx) as zf:
        return [etree.fromstring(zf.read(n)) for n in sorted(zf.namelist()) if n.startswith(prefix)]


def _paragraphs(root: etree._Element) -> list[tuple[str, str]]:
    """(style id, text) of every paragraph, deleted text included."""
    out = []
    for p in root.iter(W + "p"):
        style = p.find(f"{W}pPr/{W}pStyle")
        text = "".join({W + "tab": "\t", W + "br": "\n"}.get(x.tag) or x.text or ""
                       for x in p.iter(W + "t", W + "delText", W + "tab", W + "br"))
        out.append((style.get(W + "val") if style is not None else "", text))
    return out


def test_the_redline_wears_the_built_documents_house_style(run, tmp_path):
    old, new = _reviewed_partnerships(tmp_path)
    out = write_redline(run, tmp_path, old, new)
    headers, footers = _parts(out, "word/header"), _parts(out, "word/footer")
    assert headers and footers
    # The protective marking heads and foots every page, and the footer numbers them 'Page X of Y'.
    assert all("OFFICIAL" in text_of(h) for h in headers)
    for footer in footers:
        assert "OFFICIAL" in text_of(footer)
        fields = "".join(t.text for t in footer.iter(W + "instrText")) + \
            "".join(f.get(W + "instr") for f in footer.iter(W + "fldSimple"))
        assert "PAGE" in fields.split() and "NUMPAGES" in fields.split()
        assert "version 1.1" in text_of(resolved(etree.tostring(footer), accept=True))
    paras = _paragraphs(body_xml(out))
    styles = {style for style, _ in paras}
    assert {"Title", "Subtitle", "Heading1", "Heading2", "BodyText", "ListBullet"} <= styles
    texts = [text for _, text in paras]
    # The cover and document control show NEW's metadata.
    assert "Document control" in texts and "Contents" in texts
    assert "1.1" in texts and "Annual review" in texts
    # Headings are numbered as the build numbers them, and the changed ones are tracked there.
    headings = [text for style, text in paras if style in ("Heading1", "Heading2")]
    assert "3\tDeployment, premises and hours" in headings
    root = body_xml(out)
    deleted = [text_of(p, "delText") for p in root.iter(W + "p") if p.find(f"{W}pPr/{W}rPr/{W}del") is not None]
    assert any(t.endswith("Continuity, absence and replacement") for t in deleted), "the excluded clause is struck"
    inserted = {text_of(i) for i in root.iter(W + "ins")}
    assert "equipment" in " ".join(inserted) and any("parents' evenings" in t for t in inserted)


def test_partnership_redline_through_the_template_round_trips(run, tmp_path):
    old, new = _reviewed_partnerships(tmp_path)
    root = body_xml(write_redline(run, tmp_path, old, new))
    old_doc, new_doc = _assembled(old), _assembled(new)
    assert old_doc.metadata.subtitle != new_doc.metadata.subtitle
    assert resolve(root, accept=True) == document_lines(new_doc)
    assert resolve(root, accept=False) == document_lines(old_doc)
    # The renamed partnership is tracked on the cover, word by word.
    title = next(p for p in root.iter(W + "p") if p.find(f"{W}pPr/{W}pStyle").get(W + "val") == "Subtitle")
    assert "and Sixth Form" in "".join(text_of(i) for i in title.iter(W + "ins"))


def test_a_docx_with_little_metadata_leaves_unknown_fields_out(run, tmp_path, staffordshire_docs):
    _, new = staffordshire_docs
    assert not (new.metadata.version or new.metadata.in_force or new.metadata.marking or new.metadata.signatories)
    out = write_redline(run, tmp_path, OLD_DOCX, NEW_DOCX)
    root = body_xml(out)
    body = root.find(W + "body")
    for table in body.iter(W + "tbl"):
        rows = table.findall(W + "tr")
        assert rows, "no table is left without rows"
        for row in rows:
            cells = row.findall(W + "tc")
            if len(cells) == 2:
                value = text_of(cells[1])
                assert value.strip() and "()" not in value, text_of(cells[0])
    texts = [text for _, text in _paragraphs(root)]
    assert "Not yet reviewed" not in texts and "No earlier versions are recorded." not in texts
    assert "Between" not in texts, "a cover label with no parties under it is left out"
    assert "Signatures" not in texts, "no signature block without signatories"
    assert new.title in texts and "Document control" in texts
    for footer in _parts(out, "word/footer"):
        line = text_of(footer)
        assert "version" not in line and ": ," not in line and "Page" in line


def test_changes_are_tracked_in_the_template_with_tracking_on(run, tmp_path):
    old, new = _reviewed_partnerships(tmp_path)
    out = write_redline(run, tmp_path, old, new)
    with zipfile.ZipFile(out) as zf:
        settings = etree.fromstring(zf.read("word/settings.xml"))
    assert settings.find(W + "trackRevisions") is not None
    marks = list(body_xml(out).iter(W + "ins", W + "del"))
    ids = [m.get(W + "id") for m in marks]
    assert marks and len(ids) == len(set(ids))
    # The history's newest date is the date of every change.
    assert {m.get(W + "date") for m in marks} == {"2027-07-01T00:00:00Z"}


# -- LibreOffice ----------------------------------------------------------------------------


@pytest.mark.office
def test_libreoffice_opens_the_redline(run, tmp_path, soffice):
    out = write_redline(run, tmp_path, OLD_DOCX, NEW_DOCX)
    profile = tmp_path / "lo-profile"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(out)], check=True, capture_output=True, timeout=180)
    pdf = (tmp_path / "redline.pdf").read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))
    assert pages >= 3, pages
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("pdftotext is not installed, and CI=true requires it: apt-get install -y poppler-utils")
        return
    text = subprocess.run([pdftotext, str(tmp_path / "redline.pdf"), "-"], check=True, capture_output=True,
                          text=True, timeout=60).stdout
    # LibreOffice prints tracked changes as marked: the deleted word and its replacement both show.
    assert "mitigates" in text and "reduces" in text
    assert "Local Arrangements" in text and "Complaints and Concerns" in text


# -- the whole truth: every paragraph of both views against the two builds ---------------------


def _signed_off_versions(tmp_path: Path) -> tuple[Path, Path]:
    """The reviewed pair, with a new head teacher and a signatory renamed too (names on the cover, in the body
    and in the signature table)."""
    old, new = _reviewed_partnerships(tmp_path)
    text = new.read_text(encoding="utf-8")
    for before, after in (("Dr Helen Carter", "Mrs Joan Porter"), ("Claire Novak", "Claire Novak-Reid")):
        assert before in text
        text = text.replace(before, after)
    new.write_text(text, encoding="utf-8")
    return old, new


def _views(docx: Path) -> dict[str, list[str]]:
    """Every paragraph's text (tabs and breaks included) of the main part, headers and footers, in order."""
    with zipfile.ZipFile(docx) as zf:
        names = [n for n in zf.namelist() if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", n)]
        return {n: [text_of(p) for p in etree.fromstring(zf.read(n)).iter(W + "p")] for n in names}


def _resolved_docx(redline: Path, target: Path, accept: bool) -> Path:
    """The redline with every change accepted (or rejected) and the comparison note taken out of the header."""
    with zipfile.ZipFile(redline) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", info.filename):
                root = resolved(data, accept=accept)
                for p in list(root.iter(W + "p")):
                    if text_of(p).startswith("Tracked changes from "):
                        p.getparent().remove(p)
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            dst.writestr(info, data)
    return target


def test_accept_all_gives_the_new_build_and_reject_all_the_old_front_matter_included(run, tmp_path, soffice):
    old, new = _signed_off_versions(tmp_path)
    redline = write_redline(run, tmp_path, old, new)
    for source, folder in ((old, "old-build"), (new, "new-build")):
        assert run("build", source, "--out", tmp_path / folder, "--doc", "protocol").exit_code == 0
    built = {side: tmp_path / f"{side}-build" / "northgate-high" / "protocol.docx" for side in ("old", "new")}
    accepted = _resolved_docx(redline, tmp_path / "accepted.docx", accept=True)
    rejected = _resolved_docx(redline, tmp_path / "rejected.docx", accept=False)

    # In the XML: every paragraph of the body, cover, document control, change history, contents, signature
    # table, header and footer.
    assert _views(accepted) == _views(built["new"])
    assert _views(rejected) == _views(built["old"])
    assert _views(built["old"]) != _views(built["new"])
    changed = "\n".join(_views(built["new"])["word/document.xml"])
    assert "Mrs Joan Porter" in changed and "Claire Novak-Reid" in changed and "1.1" in changed

    # And as LibreOffice reads them: both views and both builds converted to text.
    outdir = tmp_path / "txt"
    for path in (accepted, rejected, built["old"], built["new"]):
        copy = tmp_path / f"{path.parent.parent.name if path.name == 'protocol.docx' else path.stem}.docx"
        if copy != path:
            shutil.copy(path, copy)
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path / 'lo'}", "--convert-to",
                        "txt:Text (encoded):UTF8", "--outdir", str(outdir), str(copy)], check=True,
                       capture_output=True, timeout=180)
    read = lambda name: (outdir / f"{name}.txt").read_text(encoding="utf-8")  # noqa: E731
    assert read("accepted") == read("new-build")
    assert read("rejected") == read("old-build")


def test_renumbered_headings_keep_the_number_and_its_tab_together(run, tmp_path):
    old, new = _reviewed_partnerships(tmp_path)
    root = body_xml(write_redline(run, tmp_path, old, new))
    for p in root.iter(W + "p"):
        style = p.find(f"{W}pPr/{W}pStyle")
        if style is None or style.get(W + "val") != "Heading2":
            continue
        for change in p.iter(W + "ins", W + "del"):
            text = text_of(change, "delText" if change.tag == W + "del" else "t")
            if re.fullmatch(r"\d+\.\d+", text):
                pytest.fail(f"a clause number is tracked without its tab: {text!r}")


def test_the_redline_names_versions_by_file_name_and_says_where_it_is(run, tmp_path):
    old, new = _reviewed_partnerships(tmp_path)
    out = tmp_path / "review" / "redline.docx"
    out.parent.mkdir()
    result = run("diff", old, new, "--redline", out)
    assert result.exit_code == 0
    assert "redline" in result.output and str(out) in result.output
    assert "[-" not in result.output, "the text diff is printed only when a --format is asked for"
    with zipfile.ZipFile(out) as zf:
        header = "".join(zf.read(n).decode() for n in zf.namelist() if n.startswith("word/header"))
    assert "from old.yaml to new.yaml" in header
    assert str(tmp_path) not in header


def test_every_contents_page_reference_finds_its_heading_in_both_views(run, tmp_path):
    """A removed section's contents entry is deleted with its page reference; the heading it refers to is deleted
    too, and keeps its bookmark, so the markup and the rejected view show a page number, not a broken field."""
    root = body_xml(write_redline(run, tmp_path, OLD_DOCX, NEW_DOCX))
    fields = "".join(t.text or "" for t in root.iter(W + "instrText", W + "delInstrText"))
    targets = set(re.findall(r"PAGEREF (\S+)", fields))
    starts = list(root.iter(W + "bookmarkStart"))
    names = {b.get(W + "name") for b in starts}
    assert targets and targets <= names, sorted(targets - names)
    ids = [b.get(W + "id") for b in starts]
    assert len(ids) == len(set(ids)), "bookmark ids are unique"
    assert sorted(ids) == sorted(b.get(W + "id") for b in root.iter(W + "bookmarkEnd"))
    for accept in (True, False):
        view = resolved(etree.tostring(root), accept=accept)
        kept = {b.get(W + "name") for b in view.iter(W + "bookmarkStart")}
        refs = "".join(t.text or "" for t in view.iter(W + "instrText"))
        assert set(re.findall(r"PAGEREF (\S+)", refs)) <= kept, accept
