"""A small layer over WordprocessingML: the elements the writer makes, and their schema order, declared once.

Word refuses a file whose property elements are out of the order ECMA-376 gives them (a `w:keepNext` after a
`w:spacing` in `w:pPr`, say), and LibreOffice quietly drops what it does not expect. So every container whose
children have an order is listed here once, and `props()` puts any set of children in that order. The writer
builds markup as strings through these functions rather than as lxml elements: a protocol is a few hundred
paragraphs of one shape, and strings are several times faster to make than trees (the tracked-changes merge,
which has to compare two documents, works on lxml trees and uses the same orders).

Text is escaped as XML character data; control characters XML 1.0 forbids never reach here (the loader refuses
them), but a stray one is dropped rather than written into a file Word would refuse to open.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def qn(tag: str) -> str:
    """'w:p' as lxml's Clark name."""
    prefix, local = tag.split(":")
    return "{%s}%s" % ({"w": W, "r": R}[prefix], local)


# -- schema orders (ECMA-376 Part 1, §17) ---------------------------------------------------

# CT_PPr (§17.3.1.26)
PPR = ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
       "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap", "overflowPunct",
       "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind",
       "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection", "textAlignment",
       "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange")
# CT_RPr (§17.3.2.28); the paragraph mark's run properties put its revision marks first (CT_ParaRPr)
RPR = ("rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline", "shadow",
       "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing", "w", "kern",
       "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText", "vertAlign", "rtl", "cs", "em",
       "lang", "eastAsianLayout", "specVanish", "oMath")
PARA_RPR = ("ins", "del", "moveFrom", "moveTo") + RPR + ("rPrChange",)
# CT_TrPr (§17.4.82)
TRPR = ("cnfStyle", "divId", "gridBefore", "gridAfter", "wBefore", "wAfter", "cantSplit", "trHeight", "tblHeader",
        "tblCellSpacing", "jc", "hidden", "ins", "del", "trPrChange")
# CT_Settings (§17.15.1.78), up to the elements the writer sets
SETTINGS = ("writeProtection", "view", "zoom", "removePersonalInformation", "removeDateAndTime", "doNotDisplayPageBoundaries",
            "displayBackgroundShape", "printPostScriptOverText", "printFractionalCharacterWidth", "printFormsData",
            "embedTrueTypeFonts", "embedSystemFonts", "saveSubsetFonts", "saveFormsData", "mirrorMargins",
            "alignBordersAndEdges", "bordersDoNotSurroundHeader", "bordersDoNotSurroundFooter", "gutterAtTop",
            "hideSpellingErrors", "hideGrammaticalErrors", "activeWritingStyle", "proofState", "formsDesign",
            "attachedTemplate", "linkStyles", "stylePaneFormatFilter", "stylePaneSortMethod", "documentType",
            "mailMerge", "revisionView", "trackRevisions", "doNotTrackMoves", "doNotTrackFormatting",
            "documentProtection", "autoFormatOverride", "styleLockTheme", "styleLockQFSet", "defaultTabStop",
            "autoHyphenation", "consecutiveHyphenLimit", "hyphenationZone", "doNotHyphenateCaps",
            "showEnvelope", "summaryLength", "clickAndTypeStyle", "defaultTableStyle", "evenAndOddHeaders",
            "bookFoldRevPrinting", "bookFoldPrinting", "bookFoldPrintingSheets",
            "drawingGridHorizontalSpacing", "drawingGridVerticalSpacing", "displayHorizontalDrawingGridEvery",
            "displayVerticalDrawingGridEvery", "doNotUseMarginsForDrawingGridOrigin",
            "drawingGridHorizontalOrigin", "drawingGridVerticalOrigin", "doNotShadeFormData", "noPunctuationKerning",
            "characterSpacingControl", "printTwoOnOne", "strictFirstAndLastChars", "noLineBreaksAfter",
            "noLineBreaksBefore", "savePreviewPicture", "doNotValidateAgainstSchema", "saveInvalidXml",
            "ignoreMixedContent", "alwaysShowPlaceholderText", "doNotDemarcateInvalidXml", "saveXmlDataOnly",
            "useXSLTWhenSaving", "saveThroughXslt", "showXMLTags", "alwaysMergeEmptyNamespace", "updateFields")

_RANKS = {name: {tag: i for i, tag in enumerate(order)} for name, order in
          (("pPr", PPR), ("rPr", RPR), ("paraRPr", PARA_RPR), ("trPr", TRPR), ("settings", SETTINGS))}


def rank(container: str, tag: str) -> int:
    """Where a child (by local name) goes in its container; an unknown one goes last."""
    return _RANKS[container].get(tag, 10_000)


def props(tag: str, children: dict[str, str], order: str | None = None) -> str:
    """`<w:tag>` holding the children (local name -> markup) in schema order; '' when there are none."""
    if not children:
        return ""
    ranks = _RANKS[order or tag]
    inner = "".join(children[k] for k in sorted(children, key=lambda k: ranks.get(k, 10_000)))
    return f"<w:{tag}>{inner}</w:{tag}>"


# -- text ---------------------------------------------------------------------------------

_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SPECIAL = re.compile('[&<>"\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]')


def escape(text: str) -> str:
    """XML character data (also safe inside a double-quoted attribute)."""
    if not _SPECIAL.search(text):
        return text
    text = _FORBIDDEN.sub("", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _t(piece: str, tag: str) -> str:
    space = ' xml:space="preserve"' if piece != piece.strip() else ""
    return f"<w:{tag}{space}>{escape(piece)}</w:{tag}>"


@lru_cache(maxsize=4096)  # a county's documents share most of their words
def run_content(text: str, deleted: bool = False) -> str:
    """A run's children for the text: tabs and line breaks as Word's own elements."""
    tag = "delText" if deleted else "t"
    if "\t" not in text and "\n" not in text:
        return _t(text, tag) if text else ""
    out = []
    for i, line in enumerate(text.split("\n")):
        if i:
            out.append("<w:br/>")
        for j, piece in enumerate(line.split("\t")):
            if j:
                out.append("<w:tab/>")
            if piece:
                out.append(_t(piece, tag))
    return "".join(out)


def run(text: str, rpr: str = "", deleted: bool = False) -> str:
    """One run holding the text; `rpr` is its `<w:rPr>` markup, if any."""
    return f"<w:r>{rpr}{run_content(text, deleted)}</w:r>"


def paragraph(content: str, style_id: str = "", keep_next: bool = False, page_break: bool = False,
              extra: dict[str, str] | None = None) -> str:
    """`<w:p>` in a style, with the few direct properties the writer sets (and `extra` pPr children), around
    finished content."""
    if extra:
        children = dict(extra)
        children.update(_ppr_children(style_id, keep_next, page_break))
        return f"<w:p>{props('pPr', children)}{content}</w:p>"
    return f"<w:p>{_ppr(style_id, keep_next, page_break)}{content}</w:p>"


def _ppr_children(style_id: str, keep_next: bool, page_break: bool) -> dict[str, str]:
    children = {}
    if style_id:
        children["pStyle"] = f'<w:pStyle w:val="{escape(style_id)}"/>'
    if keep_next:
        children["keepNext"] = "<w:keepNext/>"
    if page_break:
        children["pageBreakBefore"] = "<w:pageBreakBefore/>"
    return children


@lru_cache(maxsize=256)
def _ppr(style_id: str, keep_next: bool, page_break: bool) -> str:
    # a document has a handful of paragraph shapes and hundreds of paragraphs: each pPr is made once
    return props("pPr", _ppr_children(style_id, keep_next, page_break))


def bookmark(number: int, name: str, content: str) -> str:
    """Content wrapped in a bookmark (start and end inside one paragraph)."""
    return f'<w:bookmarkStart w:id="{number}" w:name="{escape(name)}"/>{content}<w:bookmarkEnd w:id="{number}"/>'


def field(instruction: str, shown: str = "", rpr: str = "") -> str:
    """A complex field (PAGE, PAGEREF …): Word and LibreOffice compute it; `shown` is its cached result."""
    return (f'<w:r>{rpr}<w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r>{rpr}<w:instrText xml:space="preserve"> {escape(instruction)} </w:instrText></w:r>'
            f'<w:r>{rpr}<w:fldChar w:fldCharType="separate"/></w:r>'
            f"{run(shown, rpr) if shown else ''}"
            f'<w:r>{rpr}<w:fldChar w:fldCharType="end"/></w:r>')


# -- revisions ------------------------------------------------------------------------------


class Revisions:
    """Numbers the tracked changes of one document: each w:ins and w:del has a unique id, one author, one date."""

    def __init__(self, author: str, when: str, first: int = 1):
        self.author = author
        self.when = when
        self.next_id = first

    def parts(self) -> tuple[str, str, str]:
        """The next id, the author and the date, as attribute values."""
        number = self.next_id
        self.next_id += 1
        return str(number), self.author, self.when

    def attrs(self) -> str:
        number = self.next_id
        self.next_id += 1
        return f'w:id="{number}" w:author="{escape(self.author)}" w:date="{self.when}"'

    def wrap(self, runs: str, op: str) -> str:
        """Runs inserted ('+') or deleted ('-')."""
        tag = "ins" if op == "+" else "del"
        return f"<w:{tag} {self.attrs()}>{runs}</w:{tag}>"

    def mark(self, op: str) -> str:
        """The empty w:ins or w:del that tracks a paragraph mark or a table row."""
        return f"<w:{'ins' if op == '+' else 'del'} {self.attrs()}/>"


def join(parts: Iterable[str]) -> str:
    return "".join(parts)
