"""Time `protocolkit diff` on two 300-clause documents: the tree and word diff alone, each format, the redline, and the CLI.

Run: python benchmarks/bench_diff.py [--clauses N]
The second document rewords one clause in ten, drops a section, adds one, and moves a few clauses.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from protocolkit.diff.formats import html, json, markdown, text  # noqa: E402
from protocolkit.diff.redline import redline_bytes  # noqa: E402
from protocolkit.diff.report import Report  # noqa: E402
from protocolkit.diff.tree import diff_documents  # noqa: E402
from protocolkit.document import Clause, Document, Paragraph, Section, renumber  # noqa: E402

WORDS = ("the school officer pupil parent police partnership information safeguarding lead will should may "
         "review agree share record report within days term time head teacher governors support local "
         "authority data protection incident referral concern child welfare training risk").split()
PER_SECTION = 15


def sentence(rng: random.Random, n: int = 18) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def documents(clauses: int, seed: int = 7) -> tuple[Document, Document]:
    """Two versions of a document with `clauses` clauses, differing as a year's review might."""
    rng = random.Random(seed)
    old = Document(kind="protocol", title="Safer Schools Partnership Protocol")
    for s in range(clauses // PER_SECTION):
        section = Section(f"section-{s}", f"Section {s}")
        for c in range(PER_SECTION):
            paras = [Paragraph(" ".join(sentence(rng) for _ in range(3))) for _ in range(2)]
            paras += [Paragraph(sentence(rng, 8), "bullet") for _ in range(rng.randint(0, 3))]
            section.clauses.append(Clause(f"section-{s}.clause-{c}", f"Clause {c} of section {s}", paras))
        old.sections.append(section)
    new = Document(kind="protocol", title=old.title)
    for section in old.sections[1:]:  # the first section is dropped
        copy = Section(section.id, section.title)
        for clause in section.clauses:
            paras = [Paragraph(p.text, p.style) for p in clause.paragraphs]
            if rng.random() < 0.1:
                words = paras[0].text.split()
                for _ in range(4):
                    words[rng.randrange(len(words))] = rng.choice(WORDS)
                paras[0] = Paragraph(" ".join(words))
            copy.clauses.append(Clause(clause.id, clause.title, paras))
        new.sections.append(copy)
    new.sections[3].clauses.append(new.sections[5].clauses.pop(2))
    new.sections.append(Section("added", "Added section", [Clause("added.one", "One", [Paragraph(sentence(rng))])]))
    return renumber(old), renumber(new)


def timed(label: str, fn, repeat: int = 5) -> object:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    print(f"{label:38} {best * 1000:8.1f} ms")
    return result


def write_docx(doc: Document, path: Path) -> None:
    """The tree as a plain .docx with heading styles, for timing the command end to end."""
    import docx

    out = docx.Document()
    out.add_paragraph(doc.title, style="Title")
    for section in doc.sections:
        out.add_paragraph(f"{section.number}. {section.title}", style="Heading 1")
        for clause in section.clauses:
            out.add_paragraph(f"{clause.number} {clause.title}", style="Heading 2")
            for p in clause.paragraphs:
                out.add_paragraph(p.text, style="List Bullet" if p.style == "bullet" else None)
    out.save(str(path))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clauses", type=int, default=300)
    args = parser.parse_args()
    old, new = documents(args.clauses)
    print(f"{len(old.clauses())} clauses against {len(new.clauses())} clauses")
    result = timed("tree and word diff", lambda: diff_documents(old, new))
    print(f"  {len(result.changed)} changed, {len(result.added)} added, {len(result.removed)} removed, "
          f"{len(result.moved)} moved")
    for name, module in (("text", text), ("markdown", markdown), ("html", html), ("json", json)):
        timed(f"diff + {name} report", lambda m=module: m.render(Report("old", "new", "protocol", diff_documents(old, new))))
    timed("diff + redline .docx", lambda: redline_bytes(diff_documents(old, new), "old", "new"), repeat=3)
    with tempfile.TemporaryDirectory() as tmp:
        a, b = Path(tmp) / "old.docx", Path(tmp) / "new.docx"
        write_docx(old, a)
        write_docx(new, b)
        cmd = [sys.executable, "-m", "protocolkit.cli", "diff", str(a), str(b), "--format", "json"]
        timed("CLI on two .docx (read + diff + json)", lambda: subprocess.run(cmd, cwd=ROOT, capture_output=True, check=False),
              repeat=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
