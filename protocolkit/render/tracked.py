"""Tracked changes: two written versions of one part merged into one, every difference a Word revision.

The writer writes OLD and NEW through the same template; this module compares the two parts' WordprocessingML
and writes NEW with OLD's text kept as deletions, so Word's and LibreOffice's "reject all" gives OLD and "accept
all" gives NEW, whatever part of the document changed: cover, document control, change history, contents,
signature table, body, header or footer.

Blocks (paragraphs and tables) are aligned first: a heading by the hidden bookmark that records its clause's
id, so a renumbered or retitled clause is still the same clause, anything else by its style and text. Aligned
paragraphs that differ are compared word by word, keeping each run's formatting; a heading's number and the tab
after it are one word, so a renumbering reads "14.4 → 14.5", never "14.414.5". Aligned tables are compared row
by row and cell by cell in the same way. What is only in OLD is written as deleted, its paragraph marks and table
rows too, so nothing is left behind when the change is accepted.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import Any

from lxml import etree

from protocolkit.render.wordml import W, XML_SPACE, Revisions, rank

_W = "{%s}" % W
P, TBL, TR, TC, R, T = (f"{_W}{t}" for t in ("p", "tbl", "tr", "tc", "r", "t"))
PPR, RPR, TRPR, TCPR = (f"{_W}{t}" for t in ("pPr", "rPr", "trPr", "tcPr"))
BOOKMARKS = (f"{_W}bookmarkStart", f"{_W}bookmarkEnd")
_ID_BOOKMARK = "_pk"
# Spaces, numbers (a clause number such as 14.5 is one), words and single marks: "quiet," against "quiet, timely"
# is then one insertion, not a deleted word and an inserted phrase.
_WORDS = re.compile(r"\s+|\d+(?:[.,]\d+)*|\w+|[^\w\s]")


def _local(el: Any) -> str:
    return etree.QName(el).localname


def text_of(el: Any) -> str:
    return "".join(t.text or "" for t in el.iter(T))


def _style(p: Any) -> str:
    ps = p.find(f"{PPR}/{_W}pStyle")
    return ps.get(f"{_W}val", "") if ps is not None else ""


def _key(el: Any) -> tuple:
    """What aligns a block with its counterpart in the other version."""
    if el.tag == P:
        marks = [b.get(f"{_W}name", "") for b in el.iter(BOOKMARKS[0])]
        ids = [m for m in marks if m.startswith(_ID_BOOKMARK) and m != "_pk_body"]
        return ("p", _style(el), ids[0]) if ids else ("p", _style(el), text_of(el))
    if el.tag == TBL:
        grid = el.find(f"{_W}tblGrid")
        return ("tbl", len(grid) if grid is not None else 0)
    return (el.tag,)


class Merger:
    def __init__(self, revisions: Revisions, new_bookmarks: set[str] | None = None, next_bookmark: int = 0):
        self.revs = revisions
        # the bookmarks NEW holds (by name), and the next free bookmark id: deleted text keeps a bookmark only
        # when NEW has none of that name (a removed section's heading), renumbered so ids stay unique, so that
        # the old contents entry's page reference still finds its heading in the markup and once rejected
        self.new_bookmarks = new_bookmarks if new_bookmarks is not None else set()
        self.next_bookmark = next_bookmark

    def deleted_bookmarks(self, el: Any) -> None:
        renumbered: dict[str, str] = {}
        for b in list(el.iter(*BOOKMARKS)):
            if b.tag == BOOKMARKS[0] and b.get(f"{_W}name", "") not in self.new_bookmarks:
                renumbered[b.get(f"{_W}id", "")] = str(self.next_bookmark)
                b.set(f"{_W}id", str(self.next_bookmark))
                self.next_bookmark += 1
            elif b.tag == BOOKMARKS[1] and b.get(f"{_W}id", "") in renumbered:
                b.set(f"{_W}id", renumbered[b.get(f"{_W}id", "")])
            else:
                b.getparent().remove(b)

    def mark(self, op: str) -> Any:
        el = etree.Element(f"{_W}{'ins' if op == '+' else 'del'}")
        number, author, when = self.revs.parts()
        el.set(f"{_W}id", number)
        el.set(f"{_W}author", author)
        el.set(f"{_W}date", when)
        return el

    # -- whole blocks ------------------------------------------------------------------------

    def whole(self, el: Any, op: str) -> Any:
        """A paragraph or table wholly added ('+') or removed ('-')."""
        if el.tag == P:
            return self.whole_paragraph(el, op)
        if el.tag == TBL:
            for tr in el.iter(TR):
                self.whole_row(tr, op)
        return el

    def whole_paragraph(self, p: Any, op: str) -> Any:
        self._track_runs(p, op)
        self._track_mark(p, op)
        if op == "-":
            self.deleted_bookmarks(p)
        return p

    def _track_runs(self, p: Any, op: str) -> None:
        for r in list(p):
            if r.tag in (R, f"{_W}hyperlink", f"{_W}fldSimple"):
                if r.tag == R and all(c.tag == RPR for c in r):
                    continue  # an empty run holds nothing to track
                wrapper = self.mark(op)
                r.addprevious(wrapper)
                wrapper.append(r)
                if op == "-":
                    _as_deleted(wrapper)

    def _track_mark(self, p: Any, op: str) -> None:
        ppr = p.find(PPR)
        if ppr is None:
            ppr = etree.Element(PPR)
            p.insert(0, ppr)
        rpr = ppr.find(RPR)
        if rpr is None:
            rpr = etree.Element(RPR)
            _insert_ordered(ppr, rpr, "pPr")
        _insert_ordered(rpr, self.mark(op), "paraRPr")

    def _track_row(self, tr: Any, op: str) -> None:
        trpr = tr.find(TRPR)
        if trpr is None:
            trpr = etree.Element(TRPR)
            tblpr_ex = tr.find(f"{_W}tblPrEx")
            (tblpr_ex.addnext if tblpr_ex is not None else lambda e: tr.insert(0, e))(trpr)
        _insert_ordered(trpr, self.mark(op), "trPr")

    # -- sequences of blocks ---------------------------------------------------------------------

    def blocks(self, olds: list[Any], news: list[Any]) -> list[Any]:
        """Old and new blocks merged in reading order."""
        out: list[Any] = []
        keys_old, keys_new = [_key(e) for e in olds], [_key(e) for e in news]
        matcher = SequenceMatcher(None, keys_old, keys_new, autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "equal":
                out += [self.pair(o, n) for o, n in zip(olds[i1:i2], news[j1:j2])]
            elif op == "delete":
                out += [self.whole(o, "-") for o in olds[i1:i2]]
            elif op == "insert":
                out += [self.whole(n, "+") for n in news[j1:j2]]
            else:
                out += self.replaced(olds[i1:i2], news[j1:j2])
        return out

    def replaced(self, olds: list[Any], news: list[Any]) -> list[Any]:
        """Blocks that differ: same-style paragraphs and tables of one shape are paired in order and compared
        within; the rest are deleted and inserted."""
        shape = lambda e: (e.tag, _style(e)) if e.tag == P else _key(e)  # noqa: E731
        out: list[Any] = []
        matcher = SequenceMatcher(None, [shape(e) for e in olds], [shape(e) for e in news], autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "equal":
                for o, n in zip(olds[i1:i2], news[j1:j2]):
                    if o.tag == P and _rewritten(text_of(o), text_of(n)):
                        out += [self.whole(o, "-"), self.whole(n, "+")]
                    else:
                        out.append(self.pair(o, n))
            else:
                out += [self.whole(o, "-") for o in olds[i1:i2]] + [self.whole(n, "+") for n in news[j1:j2]]
        return out

    def pair(self, old: Any, new: Any) -> Any:
        """Two aligned blocks: the new one, with what changed tracked."""
        if etree.tostring(old) == etree.tostring(new):
            return new
        if old.tag == P and new.tag == P:
            return self.paragraph(old, new)
        if old.tag == TBL and new.tag == TBL:
            return self.table(old, new)
        return new

    # -- within a paragraph -------------------------------------------------------------------

    def paragraph(self, old: Any, new: Any) -> Any:
        """NEW's paragraph (its properties and bookmarks) with its runs replaced by the word-by-word merge."""
        a, b = _tokens(old), _tokens(new)
        merged: list[tuple[str, tuple]] = []
        matcher = SequenceMatcher(None, a, b, autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "equal":
                merged += [("=", t) for t in b[j1:j2]]
            else:
                merged += [("-", t) for t in a[i1:i2]] + [("+", t) for t in b[j1:j2]]
        keep = [c for c in new if c.tag == PPR or c.tag == BOOKMARKS[0]]
        ends = [c for c in new if c.tag == BOOKMARKS[1]]
        for c in list(new):
            new.remove(c)
        for c in keep:
            new.append(c)
        for op, runs in _grouped(merged):
            if op == "=":
                for r in runs:
                    new.append(r)
            else:
                wrapper = self.mark(op)
                for r in runs:
                    wrapper.append(r)
                if op == "-":
                    _as_deleted(wrapper)
                new.append(wrapper)
        for c in ends:
            new.append(c)
        return new

    # -- tables ----------------------------------------------------------------------------------

    def table(self, old: Any, new: Any) -> Any:
        rows_old, rows_new = old.findall(TR), new.findall(TR)
        key = lambda tr: tuple(text_of(tc) for tc in tr.findall(TC))  # noqa: E731
        merged: list[Any] = []
        matcher = SequenceMatcher(None, [key(r) for r in rows_old], [key(r) for r in rows_new], autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            olds, news = rows_old[i1:i2], rows_new[j1:j2]
            if op == "equal":
                merged += news
                continue
            paired = min(len(olds), len(news)) if op == "replace" else 0
            for o, n in zip(olds[:paired], news[:paired]):
                if len(o.findall(TC)) == len(n.findall(TC)):
                    merged.append(self.row(o, n))
                else:
                    merged += [self.whole_row(o, "-"), self.whole_row(n, "+")]
            merged += [self.whole_row(o, "-") for o in olds[paired:]]
            merged += [self.whole_row(n, "+") for n in news[paired:]]
        for tr in rows_new:
            new.remove(tr)
        for tr in merged:
            new.append(tr)
        return new

    def whole_row(self, tr: Any, op: str) -> Any:
        self._track_row(tr, op)
        for p in tr.iter(P):
            self._track_runs(p, op)
        if op == "-":
            self.deleted_bookmarks(tr)
        return tr

    def row(self, old: Any, new: Any) -> Any:
        for tc_old, tc_new in zip(old.findall(TC), new.findall(TC)):
            content_old = [c for c in tc_old if c.tag in (P, TBL)]
            content_new = [c for c in tc_new if c.tag in (P, TBL)]
            merged = self.blocks(content_old, content_new)
            for c in content_new:
                tc_new.remove(c)
            for c in merged:
                tc_new.append(c)
        return new


def _rewritten(a: str, b: str) -> bool:
    """Whether two paragraphs in one place share so little that they read better as one deleted and one added than
    as a word-by-word patchwork; a short value (a version, a date, a name) is always compared within."""
    words_a, words_b = a.split(), b.split()
    if min(len(words_a), len(words_b)) < 4:
        return False
    return SequenceMatcher(None, _WORDS.findall(a), _WORDS.findall(b), autojunk=False).ratio() < 0.4


def _insert_ordered(parent: Any, child: Any, order: str) -> None:
    """Put a child where its container's schema order says."""
    at = rank(order, _local(child))
    for i, existing in enumerate(parent):
        if rank(order, _local(existing)) > at:
            parent.insert(i, child)
            return
    parent.append(child)


def _as_deleted(el: Any) -> None:
    for t in el.iter(T):
        t.tag = f"{_W}delText"
    for t in el.iter(f"{_W}instrText"):
        t.tag = f"{_W}delInstrText"


def _tokens(p: Any) -> list[tuple]:
    """A paragraph's content as comparable tokens: (run properties, pieces), a piece being ('t', word) or
    ('x', markup) for a tab, break or field character. A heading's number takes its tab with it."""
    out: list[tuple] = []
    for r in p.iter(R):
        rpr = r.find(RPR)
        props = etree.tostring(rpr) if rpr is not None else b""
        for child in r:
            if child.tag == RPR:
                continue
            if child.tag == T:
                out += [(props, (("t", w),)) for w in _WORDS.findall(child.text or "")]
            elif child.tag == f"{_W}tab" and out and out[-1][0] == props and out[-1][1][-1][0] == "t" \
                    and not out[-1][1][-1][1].isspace():
                out[-1] = (props, out[-1][1] + (("x", etree.tostring(child)),))
            else:
                out.append((props, (("x", etree.tostring(child)),)))
    return out


def _grouped(merged: list[tuple[str, tuple]]) -> list[tuple[str, list[Any]]]:
    """Consecutive tokens of one operation as runs, one run per stretch of one formatting."""
    groups: list[tuple[str, list[Any]]] = []
    current_op, current_props, pieces = None, None, []

    def flush() -> None:
        if current_op is None:
            return
        run = etree.Element(R)
        if current_props:
            run.append(etree.fromstring(current_props))
        text = ""
        for kind, value in pieces + [("end", None)]:
            if kind == "t":
                text += value
                continue
            if text:
                t = etree.SubElement(run, T)
                t.text = text
                if text != text.strip():
                    t.set(XML_SPACE, "preserve")
                text = ""
            if kind == "x":
                run.append(etree.fromstring(value))
        if groups and groups[-1][0] == current_op:
            groups[-1][1].append(run)
        else:
            groups.append((current_op, [run]))

    for op, (props, token_pieces) in merged:
        if op != current_op or props != current_props:
            flush()
            current_op, current_props, pieces = op, props, []
        pieces += list(token_pieces)
    flush()
    return groups


_BOOKMARK = re.compile(r'<w:bookmarkStart\b[^>]*?w:id="(\d+)"[^>]*?w:name="([^"]*)"|'
                       r'<w:bookmarkStart\b[^>]*?w:name="([^"]*)"[^>]*?w:id="(\d+)"')


def _merger(old_xml: str, new_xml: str, revisions: Revisions) -> Merger:
    """A Merger that knows NEW's bookmarks and numbers kept old ones after every id either version uses."""
    names, ids = set(), [0]
    for xml, collect in ((new_xml, True), (old_xml, False)):
        for m in _BOOKMARK.finditer(xml):
            ids.append(int(m.group(1) or m.group(4)))
            if collect:
                names.add(m.group(2) if m.group(2) is not None else m.group(3))
    return Merger(revisions, names, max(ids) + 1)


def merge_part(old_xml: str, new_xml: str, revisions: Revisions) -> str:
    """One part (main document, header or footer) of NEW with its differences from OLD tracked."""
    fast = _merge_blocks_as_text(old_xml, new_xml, _merger(old_xml, new_xml, revisions))
    if fast is not None:
        return fast
    old_root = etree.fromstring(old_xml.encode("utf-8"))
    new_root = etree.fromstring(new_xml.encode("utf-8"))
    merger = _merger(old_xml, new_xml, revisions)
    old_holder = old_root.find(f"{_W}body") if old_root.find(f"{_W}body") is not None else old_root
    new_holder = new_root.find(f"{_W}body") if new_root.find(f"{_W}body") is not None else new_root
    olds = [c for c in old_holder if c.tag in (P, TBL)]
    news = [c for c in new_holder if c.tag in (P, TBL)]
    tail = [c for c in new_holder if c.tag not in (P, TBL)]  # the section properties, last in the body
    merged = merger.blocks(olds, news)
    for c in list(new_holder):
        new_holder.remove(c)
    for c in merged + tail:
        new_holder.append(c)
    return "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n" + etree.tostring(new_root, encoding="unicode")


# -- the same, with the blocks that did not change left as text ----------------------------------
#
# Most of a redline's blocks are the same in both versions. Parsing both parts whole and comparing every block
# as a tree took about 130 ms a protocol; splitting the written parts into their top-level blocks as text, lining
# those up as strings and parsing only the stretches that differ takes a fraction of it, and gives the same result
# (the stretches are merged by the same Merger). A part this scanner does not recognise (not the writer's shape:
# text between blocks, a block it cannot close) is merged whole, as above.

_TAG = re.compile(r"<(/?)w:(p|tbl|sdt|txbxContent)(?=[\s>/])[^>]*?(/?)>")
_ROOT = re.compile(r"<w:(document|hdr|ftr)\b[^>]*>")


def _blocks_of(xml: str) -> tuple[str, list[str], str] | None:
    """(everything before the first block, the top-level blocks, everything after the last), or None."""
    root = _ROOT.search(xml)
    if root is None:
        return None
    start = xml.find("<w:body>", root.end())
    start = start + len("<w:body>") if start >= 0 else root.end()
    blocks: list[str] = []
    depth, at, i = 0, start, start
    while True:
        m = _TAG.search(xml, i)
        if m is None:
            if depth:
                return None
            break
        closing, selfclosing = m.group(1), m.group(3)
        if depth == 0 and not closing:
            if xml[at:m.start()].strip():
                return None
            if m.group(2) not in ("p", "tbl"):
                return None
            begin = m.start()
            if selfclosing:
                blocks.append(xml[begin:m.end()])
                at = i = m.end()
                continue
            depth, i = 1, m.end()
            continue
        if depth == 0:  # a closing tag at the top: the end of the body (or of the header or footer)
            break
        if selfclosing:
            i = m.end()
            continue
        depth += -1 if closing else 1
        i = m.end()
        if depth == 0:
            blocks.append(xml[begin:m.end()])
            at = m.end()
    tail = xml[at:]
    if not (tail.lstrip().startswith(("<w:sectPr", "</w:body>", "</w:hdr>", "</w:ftr>"))):
        return None
    return xml[:start], blocks, tail


def _merge_blocks_as_text(old_xml: str, new_xml: str, merger: Merger) -> str | None:
    old, new = _blocks_of(old_xml), _blocks_of(new_xml)
    if old is None or new is None:
        return None
    head, news, tail = new
    olds = old[1]
    root_tag = _ROOT.search(new_xml).group(0)  # type: ignore[union-attr]
    wrap_open = root_tag.replace(root_tag[1:root_tag.index(" ") if " " in root_tag else -1], "w:wrap", 1)
    if not wrap_open.endswith(">"):
        return None

    def parsed(blocks: list[str]) -> list[Any]:
        return list(etree.fromstring(f"{wrap_open}{''.join(blocks)}</w:wrap>".encode("utf-8")))

    out: list[str] = []
    matcher = SequenceMatcher(None, olds, news, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out += news[j1:j2]
            continue
        merged = merger.blocks(parsed(olds[i1:i2]), parsed(news[j1:j2]))
        out += [_without_namespaces(etree.tostring(el, encoding="unicode")) for el in merged]
    return head + "".join(out) + tail


_NS_DECL = re.compile(r'\s+xmlns:\w+="[^"]*"')


def _without_namespaces(xml: str) -> str:
    """A block's markup without the namespace declarations lxml repeats on it (the part's root declares them)."""
    end = xml.index(">")
    return _NS_DECL.sub("", xml[:end]) + xml[end:]


# -- reading a merged part back as either version ------------------------------------------------


def resolved(xml: bytes | str, accept: bool) -> Any:
    """The part as it reads once every change is accepted (or rejected): for checking a redline."""
    root = etree.fromstring(xml.encode("utf-8") if isinstance(xml, str) else xml)
    gone, kept = ("del", "ins") if accept else ("ins", "del")
    for tr in list(root.iter(TR)):
        trpr = tr.find(TRPR)
        if trpr is not None and trpr.find(f"{_W}{gone}") is not None:
            tr.getparent().remove(tr)
    for p in list(root.iter(P)):
        mark = p.find(f"{PPR}/{RPR}/{_W}{gone}")
        if mark is not None:
            # the paragraph mark goes: what is left of the paragraph joins the next one
            for el in list(p.iter(f"{_W}{gone}")):
                if el.getparent() is not None and el.getparent().tag != RPR:
                    el.getparent().remove(el)
            nxt = p.getnext()
            rest = [c for c in p if c.tag != PPR]
            if nxt is not None and nxt.tag == P and any(text_of(c) for c in rest):
                anchor = nxt.find(PPR)
                for c in reversed(rest):
                    (anchor.addnext(c) if anchor is not None else nxt.insert(0, c))
            p.getparent().remove(p)
    for el in list(root.iter(f"{_W}{gone}")):
        if el.getparent() is not None:
            el.getparent().remove(el)
    for el in list(root.iter(f"{_W}{kept}")):
        parent = el.getparent()
        if parent is None:
            continue
        if parent.tag in (RPR, TRPR):
            parent.remove(el)
            continue
        at = parent.index(el)
        for child in reversed(list(el)):
            parent.insert(at, child)
        parent.remove(el)
    for t in root.iter(f"{_W}delText"):
        t.tag = T
    for t in root.iter(f"{_W}delInstrText"):
        t.tag = f"{_W}instrText"
    return root
