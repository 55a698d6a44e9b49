"""The one .docx writer: a Document tree poured into a Word template compiled once per process.

`compile_template(data)` reads a template (the shipped protocolkit/templates/document.docx, or a force's restyled
copy) once: its main part, headers and footers become compiled Jinja templates (docxtpl's own tag clean-up, so
the tags a user typed in Word work as docxtpl documents them), its style names are resolved to ids, and every
part that is the same in every document (styles, theme, settings, fonts, numbering, images) is compressed once.
`Template.write(doc)` then renders the front matter, writes the numbered body as WordprocessingML (wordml), sets
the properties, and packs the parts into one zip in one pass (zippack). Nothing is parsed per document.

A redline is the same writer in tracked-changes mode: `Template.write(new, against=old)` writes both versions'
parts and merges them (render/tracked), so everything the two documents differ in, front matter, tables and
footers included, is a tracked change.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Callable

from protocolkit.document import Document
from protocolkit.render import wordml, zippack

CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
RT_HEADER = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header"
RT_FOOTER = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer"
RT_CUSTOM_XML = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml"
RT_CUSTOM_XML_PROPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXmlProps"
RT_CUSTOM_PROPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
RT_SETTINGS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings"
RT_CORE = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
RT_APP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties"
CT_CUSTOM_PROPS = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CT_CUSTOM_XML_PROPS = "application/vnd.openxmlformats-officedocument.customXmlProperties+xml"
CT_CORE = "application/vnd.openxmlformats-package.core-properties+xml"
CT_APP = "application/vnd.openxmlformats-officedocument.extended-properties+xml"
DECLARATION = "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"

# Parts the writer makes afresh for every document, whatever the template held under these names.
CORE, APP, CUSTOM = "docProps/core.xml", "docProps/app.xml", "docProps/custom.xml"


@dataclass
class Rendered:
    """One document's parts as text, before packing: what the tracked-changes merge works on."""

    parts: dict[str, str]
    main: str


@dataclass
class Template:
    """A template compiled for writing: Jinja for the parts with tags, compressed bytes for the rest."""

    shown: str
    main: str  # the main part's name, word/document.xml
    jinja: dict[str, Any]  # part name -> compiled Jinja template
    static: list[zippack.Member]  # parts written unchanged, compressed once
    order: list[str]  # every part name in the order packages are written
    style_ids: dict[str, str]  # style name (as Word's UI shows it) -> id
    first_bookmark: int  # bookmark ids in the body continue after the template's
    ids_item: str  # the customXml part that maps heading bookmarks to ids
    extra: dict[str, bytes] = field(default_factory=dict)  # fixed parts the writer adds (the ids part's props)
    settings_name: str = ""  # word/settings.xml, which a redline changes (Track Changes on)
    settings_xml: str = ""
    body_indent: int = 0  # twips: where the Body Text style starts its lines, for tables in the body

    def style(self, name: str) -> str:
        return self.style_ids[name]

    def render(self, context: dict[str, Any]) -> Rendered:
        """The parts with tags, filled from the context (the body still a marker paragraph)."""
        parts = {name: _finish(tpl.render(context)) for name, tpl in self.jinja.items()}
        return Rendered(parts, self.main)

    def pack(self, dynamic: dict[str, str]) -> bytes:
        """The package: the static parts as compressed once, the dynamic ones compressed now, in a fixed order."""
        made = {name: zippack.member(name, text.encode("utf-8")) for name, text in dynamic.items()}
        made.update((name, zippack.member(name, data)) for name, data in self.extra.items() if name not in made)
        static = {m.name: m for m in self.static}
        return zippack.package([made.get(name) or static[name] for name in self.order])


# -- compiling a template ---------------------------------------------------------------------


def _xml_value(value: Any) -> str:
    return wordml.escape(str(value))


def _jinja_env() -> Any:
    # A restyled template comes from outside: sandbox it, and let a misspelt tag fail loudly. Every value a tag
    # prints is escaped as XML (finalize runs on each, `|safe` or not); Jinja's HTML autoescape would write the
    # apostrophe in "St Mary's" as &#39;, which is valid but not what Word writes.
    from jinja2 import StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    return ImmutableSandboxedEnvironment(autoescape=False, finalize=_xml_value, undefined=StrictUndefined)


_P_START = re.compile(r"<w:p([ >])")


def _jinja_source(xml: str) -> str:
    """A part's XML as docxtpl prepares it: tags cleaned of the runs Word splits them into, paragraphs on lines."""
    from docxtpl import DocxTemplate

    # patch_xml is docxtpl's (an instance method that uses no state): the same clean-up as `DocxTemplate.render`,
    # so {%p %}, {%tr %}, {%tc %}, {%r %} and split tags behave exactly as docxtpl documents them.
    return _P_START.sub(r"\n<w:p\1", DocxTemplate.patch_xml(None, xml))  # type: ignore[arg-type]


def _finish(xml: str) -> str:
    """docxtpl's steps after rendering: lines joined again, escaped braces restored, tabs and breaks in values."""
    # str.replace, not a pattern's sub with a group: sub ran Python code for every paragraph of every part, a
    # fortieth of a build
    xml = xml.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")
    if "_" in xml:
        xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
    if any(c in xml for c in "\t\a\f") or xml.find("\n", xml.find(">") + 2) >= 0:
        from docxtpl import DocxTemplate

        xml = DocxTemplate.resolve_listing(None, xml)  # type: ignore[arg-type]
    return xml


def _text(data: bytes) -> str:
    """A part's XML as text, without its declaration (the writer puts one back)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:  # a UTF-16 part: parse and re-serialise
        from lxml import etree

        text = etree.tostring(etree.fromstring(data), encoding="unicode")
    if text.startswith("<?xml"):
        text = text[text.index("?>") + 2:].lstrip("\r\n")
    return text


def _rels_name(part: str) -> str:
    folder, _, base = part.rpartition("/")
    return f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"


def _target(part: str, target: str) -> str:
    """A relationship's target as a part name."""
    import posixpath

    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(part), target))


def compile_template(data: bytes, shown: str, ids_namespace: str, ids_props: bytes,
                     dropped: Callable[[str, bytes], bool] = lambda name, data: False) -> Template:
    """Compile a template's bytes (already checked as a readable .docx with the tags and styles it needs)."""
    from docx.styles import BabelFish
    from lxml import etree

    zf = zipfile.ZipFile(io.BytesIO(data))
    parts = {i.filename: zf.read(i) for i in zf.infolist() if not i.is_dir()}
    env = _jinja_env()

    root_rels = etree.fromstring(parts["_rels/.rels"])
    main = next(_target("", r.get("Target")) for r in root_rels if r.get("Type") == OFFICE_DOC)
    main_rels = etree.fromstring(parts[_rels_name(main)]) if _rels_name(main) in parts else \
        etree.Element(f"{{{REL_NS}}}Relationships")
    tagged = [main] + [_target(main, r.get("Target")) for r in main_rels
                       if r.get("Type") in (RT_HEADER, RT_FOOTER) and r.get("TargetMode") != "External"]
    jinja = {name: env.from_string(_jinja_source(_text(parts[name]))) for name in tagged}

    # The ids part: the template's own if it was saved from a built document, else a new customXml item.
    ids_item = next((_target(main, r.get("Target")) for r in main_rels if r.get("Type") == RT_CUSTOM_XML
                     and ids_namespace.encode() in parts.get(_target(main, r.get("Target")), b"")), "")
    types = etree.fromstring(parts["[Content_Types].xml"])
    extra: dict[str, bytes] = {}
    if not ids_item:
        n = 1
        while f"customXml/item{n}.xml" in parts:
            n += 1
        ids_item = f"customXml/item{n}.xml"
        props_name = f"customXml/itemProps{n}.xml"
        extra[props_name] = ids_props
        extra[_rels_name(ids_item)] = _rels_xml([("rId1", RT_CUSTOM_XML_PROPS, f"itemProps{n}.xml")])
        _relate(main_rels, RT_CUSTOM_XML, f"../{ids_item}")
        _override(types, props_name, CT_CUSTOM_XML_PROPS)
    for name, reltype, ctype in ((CORE, RT_CORE, CT_CORE), (APP, RT_APP, CT_APP), (CUSTOM, RT_CUSTOM_PROPS,
                                                                                     CT_CUSTOM_PROPS)):
        if not any(r.get("Type") == reltype for r in root_rels):
            _relate(root_rels, reltype, name)
        _override(types, name, ctype)
    fixed = {"_rels/.rels": _serialise(root_rels), _rels_name(main): _serialise(main_rels),
             "[Content_Types].xml": _serialise(types)}

    styles = etree.fromstring(parts["word/styles.xml"])
    w = "{%s}" % wordml.W
    style_ids: dict[str, str] = {}
    for st in styles.iter(f"{w}style"):
        name = st.find(f"{w}name")
        if name is not None and st.get(f"{w}styleId"):
            style_ids.setdefault(BabelFish.internal2ui(name.get(f"{w}val")), st.get(f"{w}styleId"))
    taken = [int(m) for m in re.findall(r'<w:bookmarkStart[^>]*w:id="(\d+)"', _text(parts[main]))]

    dynamic = set(tagged) | {CORE, APP, CUSTOM, ids_item} | set(extra)
    names = ["[Content_Types].xml"] + sorted((set(parts) | dynamic) - {"[Content_Types].xml"})
    static = [zippack.member(name, fixed.get(name, parts.get(name, b"")), zippack.STATIC_LEVEL) for name in names
              if name not in dynamic and name in parts]
    settings = next((_target(main, r.get("Target")) for r in main_rels if r.get("Type") == RT_SETTINGS), "")
    indent = 0
    body_style = styles.find(f"{w}style[@{w}styleId='{style_ids.get('Body Text', '')}']")
    ind = body_style.find(f"{w}pPr/{w}ind") if body_style is not None else None
    if ind is not None and (ind.get(f"{w}left") or ind.get(f"{w}start") or "").isdigit():
        indent = int(ind.get(f"{w}left") or ind.get(f"{w}start"))
    return Template(shown, main, jinja, static, names, style_ids, max(taken, default=-1) + 1, ids_item, extra,
                    settings, _text(parts[settings]) if settings in parts else "", indent)


def _serialise(el: Any) -> bytes:
    from lxml import etree

    return DECLARATION.encode() + etree.tostring(el, encoding="UTF-8")


def _relate(rels: Any, reltype: str, target: str) -> None:
    taken = {r.get("Id") for r in rels}
    n = 1
    while f"rId{n}" in taken:
        n += 1
    from lxml import etree

    etree.SubElement(rels, f"{{{REL_NS}}}Relationship", Id=f"rId{n}", Type=reltype, Target=target)


def _override(types: Any, name: str, ctype: str) -> None:
    from lxml import etree

    part = "/" + name
    if not any(t.get("PartName") == part for t in types):
        etree.SubElement(types, f"{{{CT_NS}}}Override", PartName=part, ContentType=ctype)


def _rels_xml(rels: list[tuple[str, str, str]]) -> bytes:
    items = "".join(f'<Relationship Id="{i}" Type="{t}" Target="{wordml.escape(g)}"/>' for i, t, g in rels)
    return (DECLARATION + f'<Relationships xmlns="{REL_NS}">{items}</Relationships>').encode()


# -- properties --------------------------------------------------------------------------------


def core_xml(values: dict[str, str], when: date | None) -> str:
    """docProps/core.xml: the Dublin Core properties, with created and modified set to the document's date."""
    names = {"title": "dc:title", "subject": "dc:subject", "creator": "dc:creator", "keywords": "cp:keywords",
             "description": "dc:description", "lastModifiedBy": "cp:lastModifiedBy", "revision": "cp:revision",
             "category": "cp:category", "identifier": "dc:identifier", "version": "cp:version"}
    items = [f"<{names[k]}>{wordml.escape(v)}</{names[k]}>" for k, v in values.items() if v]
    if when:
        stamp = datetime.combine(when, datetime.min.time()).strftime("%Y-%m-%dT%H:%M:%SZ")
        items += [f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>',
                  f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>']
    return (DECLARATION + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
            'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            + "".join(items) + "</cp:coreProperties>")


def app_xml(status: str = "") -> str:
    """docProps/app.xml: which application wrote the file, and nothing it cannot know (pages are counted on
    layout, by Word or LibreOffice, not here)."""
    from protocolkit import __version__

    return (DECLARATION + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
            'extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
            f"<Application>protocolkit {wordml.escape(__version__)}</Application><DocSecurity>0</DocSecurity>"
            "<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
            "<HyperlinksChanged>false</HyperlinksChanged></Properties>")


@lru_cache(maxsize=8)
def cached_template(data: bytes, shown: str, ids_namespace: str, ids_props: bytes) -> Template:
    return compile_template(data, shown, ids_namespace, ids_props)


def marker_span(xml: str, marker: str) -> tuple[int, int]:
    """Where the paragraph holding the marker starts and ends in a rendered part."""
    at = xml.find(marker)
    if at < 0:
        return -1, -1
    start = max(xml.rfind("<w:p>", 0, at), xml.rfind("<w:p ", 0, at))
    end = xml.index("</w:p>", at) + len("</w:p>")
    return start, end


def document_date(doc: Document, today: date | None = None) -> date | None:
    """The date a document carries in its properties: the day it comes into force, or, while that is still ahead,
    the newest earlier date it records (a review, a version); never a day after the build."""
    today = today or date.today()
    meta = doc.metadata
    dates = [d for d in [meta.in_force, meta.last_reviewed, *(h.date for h in meta.history)] if isinstance(d, date)]
    if meta.in_force and meta.in_force <= today:
        return meta.in_force
    past = [d for d in dates if d <= today]
    return max(past) if past else None
