"""Precision and recall of `protocolkit check` on real documents, in the layouts and formats offices keep them in.

    python benchmarks/corpus.py [--formats docx,pdf,odt] [--layouts styled,typed,caps] [--json]

The corpus is tests/fixtures/corpus: real public protocols and sharing agreements, each with a
truth file written from reading it before the checker ran (sections present, absent or not
covered by an excerpt; dated references; review date; marking). Each text is rebuilt as a .docx
in three layouts (Word heading styles; bold typed headings; capitals, underlines and one-cell
tables), and the styled one is converted to PDF and .odt with LibreOffice. The real CLI checks
every file, and each finding the truth can judge is scored, rule by rule:

- missing-section: a finding is right when the truth says the section is absent; a section the
  excerpt does not cover is not scored;
- dated-reference: per document, each register entry flagged is right when the truth lists it;
- review-date: right when the truth's review date is past (overdue) or the document states none
  (a whole document only: an excerpt's review date may be in the part not given);
- marking: a marking-missing or protective-marking finding is right when the truth's marking is
  absent or dated (whole documents, or excerpts whose opening shows the marking).

It prints a table of true and false positives and negatives per rule, precision and recall, and
the same for everything together; the figures go in the closing notes of changes to the audit.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "corpus"
TODAY = "2026-12-01"
CURRENT_MARKINGS = {"OFFICIAL", "OFFICIAL-SENSITIVE", "OFFICIAL SENSITIVE", "SECRET", "TOP SECRET"}
LAYOUTS = ("styled", "typed", "caps")
MARKING_ENTRIES = {"protective-marking-restricted", "protective-marking-protect", "not-protectively-marked", "gpms"}


@dataclass
class Truth:
    id: str
    kind: str
    sections: dict[str, str]
    dated: set[str]
    review_date: date | None
    marking: str | None
    excerpt: bool
    text: Path | None = None  # the markup of a corpus document
    document: Path | None = None  # or a ready .docx (the two reference protocols)


def load_truths() -> list[Truth]:
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe")
    out = []
    for path in sorted(CORPUS.glob("*.truth.yaml")):
        t = yaml.load(path.read_text(encoding="utf-8"))
        md = path.with_name(path.name.replace(".truth.yaml", ".md"))
        front = _front_matter(md) if md.is_file() else {}
        review = t.get("review_date")
        out.append(Truth(
            id=t["id"], kind=t["kind"], sections=dict(t["sections"]),
            dated={d["entry"] for d in (t.get("dated") or [])},
            review_date=date.fromisoformat(str(review)) if review else None,
            marking=t.get("marking"), excerpt=bool(front.get("excerpt", False)),
            text=md if md.is_file() else None,
            document=(path.parent / t["document"]).resolve() if t.get("document") else None))
    return out


def _front_matter(md: Path) -> dict:
    from ruamel.yaml import YAML

    text = md.read_text(encoding="utf-8")
    m = re.match(r"^---\n(.*?)\n---\n", text, re.S)
    return YAML(typ="safe").load(m.group(1)) if m else {}


# -- rebuilding a document in the layouts offices use ----------------------------------------------------------

def build_docx(md: Path, layout: str, out: Path) -> Path:
    """The markup as a .docx: 'styled' (heading styles), 'typed' (bold), 'caps' (capitals, underlines, cells)."""
    from docx import Document
    from docx.enum.text import WD_UNDERLINE

    text = md.read_text(encoding="utf-8")
    body = re.sub(r"^---\n.*?\n---\n", "", text, flags=re.S)
    doc = Document()
    headers = []
    first = True
    for raw in body.splitlines():
        line = raw.rstrip()
        if not line.strip():
            continue
        if line.startswith("@header "):
            headers.append(line[len("@header "):])
            continue
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            table = doc.add_table(rows=1, cols=len(cells))
            for i, c in enumerate(cells):
                table.cell(0, i).text = c
            continue
        level = 2 if line.startswith("## ") else 1 if line.startswith("# ") else 0
        words = line.lstrip("#").strip()
        if level:
            _heading(doc, words, level, layout, WD_UNDERLINE)
        elif line.startswith("- "):
            if layout == "styled":
                doc.add_paragraph(line[2:], style="List Bullet")
            else:
                doc.add_paragraph("\u2022 " + line[2:])
        elif first:
            p = doc.add_paragraph(style="Title") if layout == "styled" else doc.add_paragraph()
            run = p.add_run(words)
            run.bold = layout != "styled"
        else:
            doc.add_paragraph(words)
        first = False
    if headers:
        section = doc.sections[0]
        section.header.paragraphs[0].text = headers[0]
        section.footer.paragraphs[0].text = headers[-1]
    doc.save(out)
    return out


def _heading(doc, words: str, level: int, layout: str, underline) -> None:
    if layout == "styled":
        doc.add_heading(words, level)
    elif layout == "typed":
        doc.add_paragraph().add_run(words).bold = True
    elif level == 1:
        table = doc.add_table(rows=1, cols=1)
        table.cell(0, 0).text = words.upper()
    else:
        doc.add_paragraph().add_run(words).underline = underline.SINGLE


def convert(docx: Path, fmt: str, outdir: Path) -> Path:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        raise SystemExit("LibreOffice (soffice) is needed for PDF and .odt: apt-get install libreoffice-writer-nogui")
    profile = (outdir / "lo-profile").as_uri()
    subprocess.run([exe, f"-env:UserInstallation={profile}", "--headless", "--convert-to", fmt, "--outdir",
                    str(outdir), str(docx)], check=True, capture_output=True, timeout=180)
    return outdir / f"{docx.stem}.{fmt}"


# -- scoring ---------------------------------------------------------------------------------------------------

@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: "Score") -> None:
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn
        self.errors += other.errors

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def score(truth: Truth, findings: list[dict], label: str) -> dict[str, Score]:
    """True and false positives and negatives, per rule, of one document's findings against its truth."""
    out = {rule: Score() for rule in ("missing-section", "dated-reference", "review-date", "marking")}
    missing = {f["key"] for f in findings if f["rule"] == "missing-section"}
    for section, state in truth.sections.items():
        if state == "not-covered":
            continue
        s = out["missing-section"]
        if section in missing and state == "absent":
            s.tp += 1
        elif section in missing:
            s.fp += 1
            s.errors.append(f"{label}: {section} reported missing, but it is there")
        elif state == "absent":
            s.fn += 1
            s.errors.append(f"{label}: {section} is absent, not reported")
    flagged = {f["key"] for f in findings if f["rule"] == "dated-reference"}
    # a dated marking is one thing, reported once by the marking rules and scored there, not here
    expected = truth.dated - (MARKING_ENTRIES if truth.marking else set())
    d = out["dated-reference"]
    d.tp += len(flagged & expected)
    d.fp += len(flagged - expected)
    d.fn += len(expected - flagged)
    d.errors += [f"{label}: {e} flagged, not dated here" for e in sorted(flagged - expected)]
    d.errors += [f"{label}: {e} is dated, not flagged" for e in sorted(expected - flagged)]
    review = [f for f in findings if f["rule"] == "review-date"]
    r = out["review-date"]
    if truth.review_date is not None or not truth.excerpt:
        due = truth.review_date is None or truth.review_date < date.fromisoformat(TODAY)
        _judge(r, bool(review), due, label, "review finding")
    marking = [f for f in findings if f["rule"] in ("marking-missing", "protective-marking")]
    m = out["marking"]
    if truth.marking is not None or not truth.excerpt:
        wrong = truth.marking is None or truth.marking.upper() not in CURRENT_MARKINGS
        _judge(m, bool(marking), wrong, label, "marking finding")
        if len(marking) > 1:
            m.fp += len(marking) - 1
            m.errors.append(f"{label}: {len(marking)} marking findings for one marking")
    return out


def _judge(s: Score, reported: bool, expected: bool, label: str, what: str) -> None:
    if reported and expected:
        s.tp += 1
    elif reported:
        s.fp += 1
        s.errors.append(f"{label}: {what} where none is due")
    elif expected:
        s.fn += 1
        s.errors.append(f"{label}: {what} missed")


def check(path: Path, kind: str) -> list[dict]:
    """The real CLI's JSON findings for one document."""
    result = subprocess.run([sys.executable, "-m", "protocolkit.cli", "check", str(path), "--format", "json",
                             "--doc", kind, "--today", TODAY], capture_output=True, text=True, timeout=300)
    if result.returncode not in (0, 1):
        raise RuntimeError(f"{path}: exit {result.returncode}: {result.stderr.strip()}")
    return json.loads(result.stdout)["findings"]


def files_for(truth: Truth, layouts: tuple[str, ...], formats: tuple[str, ...], work: Path) -> list[tuple[str, Path]]:
    """(label, path) of every file the truth is checked as."""
    out: list[tuple[str, Path]] = []
    if truth.document is not None:
        base = truth.document
        out.append((f"{truth.id} docx", base))
        for fmt in formats:
            if fmt != "docx":
                ready = ROOT / "tests" / "fixtures" / "formats" / f"{base.stem}.{fmt}"
                out.append((f"{truth.id} {fmt}", ready if ready.is_file() else convert(base, fmt, work)))
        return out
    assert truth.text is not None
    for layout in layouts:
        docx = build_docx(truth.text, layout, work / f"{truth.id}-{layout}.docx")
        if "docx" in formats:
            out.append((f"{truth.id} {layout} docx", docx))
        if layout == "styled":
            for fmt in formats:
                if fmt != "docx":
                    out.append((f"{truth.id} {layout} {fmt}", convert(docx, fmt, work)))
    return out


def run_corpus(layouts: tuple[str, ...] = LAYOUTS, formats: tuple[str, ...] = ("docx", "pdf", "odt"),
               truths: list[Truth] | None = None, check_file=None) -> tuple[dict[str, Score], int]:
    """Scores per rule over the corpus, and how many files were checked (`check_file(path, kind)` gives the JSON
    findings; by default the real CLI in a fresh process)."""
    check_file = check_file or check
    totals = {rule: Score() for rule in ("missing-section", "dated-reference", "review-date", "marking")}
    count = 0
    with tempfile.TemporaryDirectory(prefix="protocolkit-corpus-") as tmp:
        for truth in truths or load_truths():
            for label, path in files_for(truth, layouts, formats, Path(tmp)):
                count += 1
                for rule, s in score(truth, check_file(path, truth.kind), label).items():
                    totals[rule].add(s)
    return totals, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--formats", default="docx,pdf,odt")
    parser.add_argument("--layouts", default=",".join(LAYOUTS))
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--errors", action="store_true", help="list every wrong or missed finding")
    args = parser.parse_args()
    totals, count = run_corpus(tuple(args.layouts.split(",")), tuple(args.formats.split(",")))
    overall = Score()
    for s in totals.values():
        overall.add(s)
    if args.json:
        print(json.dumps({rule: {"tp": s.tp, "fp": s.fp, "fn": s.fn, "precision": round(s.precision, 4),
                                 "recall": round(s.recall, 4)} for rule, s in {**totals, "all": overall}.items()}))
        return
    print(f"{len(load_truths())} documents, {count} files checked (layouts {args.layouts}; formats {args.formats})")
    print(f"{'rule':18}{'TP':>5}{'FP':>5}{'FN':>5}{'precision':>11}{'recall':>9}")
    for rule, s in {**totals, "all": overall}.items():
        print(f"{rule:18}{s.tp:5}{s.fp:5}{s.fn:5}{s.precision:11.1%}{s.recall:9.1%}")
    if args.errors:
        for e in overall.errors:
            print("  " + e)


if __name__ == "__main__":
    main()
