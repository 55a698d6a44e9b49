"""A PDF with a text layer turned into the document tree, through the same blocks as a .docx.

pdfminer.six gives each character with its font and size. Characters become visual lines (text
on one baseline, left to right, so "4.2" and its title rejoin), lines become paragraphs (a
paragraph breaks at a wider gap, a change of font weight or size, a bullet or a number), and
paragraphs become Blocks with their weight, size and page. Lines that repeat in the top or
bottom margin of the pages are the running header and footer: they are kept apart from the
body, as a .docx keeps them apart, and read for the protective marking and dates they carry.

A PDF with no text layer (a scan) cannot be audited: that is an InputError saying so.
pdfminer is imported only when a PDF is read.
"""

from __future__ import annotations

import contextlib
import re
import signal
import threading
from collections import Counter
from pathlib import Path

from protocolkit.document import Document
from protocolkit.findings import InputError
from protocolkit.typography import plain
from protocolkit.read.blocks import BULLET_MARK, Block, fill_text_facts, kind_from_title, tree_from_blocks

MAX_PAGES = 400  # a protocol runs to 30 pages; a file far longer is not one, and reading it would take minutes
_MARGIN = 0.09  # the share of the page at top and bottom where running headers and footers sit
_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demibold", re.IGNORECASE)
_PAGE_NUMBER = re.compile(r"^(page\s+)?\d{1,4}(\s+of\s+\d{1,4})?$", re.IGNORECASE)
# Symbol fonts draw bullets as private-use characters; the text layer holds no bullet character.
_PRIVATE_BULLET = re.compile("^[\ue000-\uf8ff\u2022\u25aa\u25cf\u25e6\u2023\u2043\u00b7]\\s*")
_NUMBER_START = re.compile(r"^(\d{1,2}(\.\d{1,2})*\.?|[a-z]\)|\([a-z]\)|[ivx]+\))\s")


class _Line:
    __slots__ = ("text", "x0", "y0", "y1", "size", "bold", "page", "bullet")

    def __init__(self, text: str, x0: float, y0: float, y1: float, size: float, bold: bool, page: int):
        self.text, self.x0, self.y0, self.y1, self.size, self.bold, self.page = text, x0, y0, y1, size, bold, page
        self.bullet = False


def read_pdf(path: Path | str, kind: str | None = None) -> Document:
    """The document tree of a PDF with a text layer; `kind` is 'protocol', 'dsa' or None to let the title decide."""
    p = Path(path)
    shown = str(path)
    pages = _pages(p, shown)
    body, header = _split_running_lines(pages)
    blocks = _paragraphs(body)
    if sum(len(b.text) for b in blocks) < 40:
        raise InputError(f"{shown}: the PDF has no text layer to read (it looks like a scanned image): check the "
                         f"original Word file instead, or run it through OCR and check the result")
    doc = tree_from_blocks(blocks, shown)
    fill_text_facts(doc.metadata, blocks, header)
    doc.metadata.title = doc.title
    doc.kind = kind or kind_from_title(doc, blocks, shown)  # type: ignore[assignment]
    return doc


def _pages(p: Path, shown: str) -> list[list[_Line]]:
    try:
        with p.open("rb") as fh:
            head = fh.read(1024)
    except OSError as exc:
        raise InputError(f"{shown}: cannot read: {exc.strerror or exc}") from None
    if b"%PDF-" not in head:
        raise InputError(f"{shown}: not a PDF (it does not start with %PDF-): export it again as PDF")

    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTChar, LTTextContainer, LTTextLine
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException

    out: list[list[_Line]] = []
    try:
        with _time_limit(shown):
            pages = list(extract_pages(str(p), laparams=LAParams(), maxpages=MAX_PAGES))
        for number, page in enumerate(pages, 1):
            lines: list[_Line] = []
            for box in page:
                if not isinstance(box, LTTextContainer):
                    continue
                for line in box:
                    if not isinstance(line, LTTextLine):
                        continue
                    chars = [c for c in line if isinstance(c, LTChar) and c.get_text().strip()]
                    text = " ".join(plain(line.get_text()).split())
                    if not chars or not text:
                        continue
                    size = Counter(round(c.size, 1) for c in chars).most_common(1)[0][0]
                    bold = sum(1 for c in chars if _BOLD_FONT.search(c.fontname)) >= 0.8 * len(chars)
                    lines.append(_Line(text, line.x0, line.y0, line.y1, size, bold, number))
            out.append(_visual_lines(lines, page.height))
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise InputError(f"{shown}: the PDF is encrypted: save an unprotected copy and check that") from None
    except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError, AttributeError, ZeroDivisionError,
            RecursionError) as exc:
        raise InputError(f"{shown}: the PDF cannot be read ({type(exc).__name__}: {exc}): export it again") from None
    return out


READ_SECONDS = 60


@contextlib.contextmanager
def _time_limit(shown: str):
    """A time limit on reading a PDF: a malformed one can send the parser round a loop for ever. The alarm works in
    the main thread only (where the CLI runs); elsewhere the read is not limited."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def stop(signum, frame):
        raise InputError(f"{shown}: the PDF could not be read within {READ_SECONDS} s (it may be malformed): "
                         f"export it again")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, READ_SECONDS)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _visual_lines(lines: list[_Line], height: float) -> list[_Line]:
    """Lines on one baseline joined left to right (a number and its heading, a bullet and its text), top to bottom."""
    height = height if height and height > 0 else 842.0  # a page with no height of its own: read as A4
    lines.sort(key=lambda ln: -ln.y0)
    rows: list[list[_Line]] = []
    for ln in lines:  # a row is the lines within 2.5 points of its first one's baseline
        if rows and abs(rows[-1][0].y0 - ln.y0) < 2.5:
            rows[-1].append(ln)
        else:
            rows.append([ln])
    lines = [ln for row in rows for ln in sorted(row, key=lambda ln: ln.x0)]
    merged: list[_Line] = []
    for ln in lines:
        last = merged[-1] if merged else None
        if last is not None and abs(last.y0 - ln.y0) < 2.5:
            if not last.text or _PRIVATE_BULLET.fullmatch(last.text):
                last.bullet = True
                last.text, last.bold, last.size = ln.text, ln.bold, ln.size
            else:
                last.text = f"{last.text} {ln.text}"
                last.bold = last.bold and ln.bold
            continue
        if _PRIVATE_BULLET.match(ln.text):
            ln.bullet = True
            ln.text = _PRIVATE_BULLET.sub("", ln.text, count=1)
        merged.append(ln)
    for ln in merged:
        ln.y0, ln.y1 = ln.y0 / height, ln.y1 / height  # as a share of the page, so margins compare across sizes
    return [ln for ln in merged if ln.text]


def _split_running_lines(pages: list[list[_Line]]) -> tuple[list[_Line], list[str]]:
    """(body lines, running header and footer lines): a margin line that recurs on other pages, or a page number."""
    def shape(ln: _Line) -> str:
        return re.sub(r"\d+", "#", ln.text.lower())

    in_margin = [ln for page in pages for ln in page if ln.y1 > 1 - _MARGIN or ln.y0 < _MARGIN]
    counts = Counter(shape(ln) for ln in in_margin)
    # a line recurring in the margins of several pages runs through the document; on one page only a page number
    # can be told from a title or a closing line
    running = {id(ln) for ln in in_margin
               if (len(pages) > 1 and counts[shape(ln)] >= 2) or _PAGE_NUMBER.match(ln.text)}
    header = list(dict.fromkeys(ln.text for page in pages for ln in page if id(ln) in running))
    body = [ln for page in pages for ln in page if id(ln) not in running]
    return body, header


def _paragraphs(lines: list[_Line]) -> list[Block]:
    """Lines gathered into paragraphs: a new one at a page, a gap wider than the lines' own spacing, a change of
    weight or size, a bullet, or a line that starts with a number."""
    blocks: list[Block] = []
    current: list[_Line] = []

    def flush() -> None:
        if current:
            first = current[0]
            text = " ".join(ln.text for ln in current)
            listed = first.bullet or bool(BULLET_MARK.match(text))
            if BULLET_MARK.match(text):
                text = BULLET_MARK.sub("", text, count=1)
            block = Block(text, bold=all(ln.bold for ln in current), listed=listed,
                          size=max(ln.size for ln in current), page=first.page)
            blocks.append(block)
            current.clear()

    for ln in lines:
        if current:
            prev = current[-1]
            line_height = (prev.y1 - prev.y0) or 0.015
            gap = prev.y0 - ln.y1
            new = (ln.page != prev.page or gap > 0.9 * line_height or ln.bold != prev.bold
                   or abs(ln.size - prev.size) > 0.6 or ln.bullet or bool(_NUMBER_START.match(ln.text))
                   or bool(BULLET_MARK.match(ln.text)))
            if new:
                flush()
        current.append(ln)
    flush()
    return blocks
