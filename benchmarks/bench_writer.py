"""Time the .docx writer against a plain docxtpl loop, side by side in one run, and a county-sized build.

    python benchmarks/bench_writer.py [--docs 200] [--county 5000] [--jobs 2] [--copies]

Per document, in one process, for the shipped examples' protocols and DSAs (the same trees and the same
template context for both):
  - protocolkit's writer: template compiled once, static parts compressed once, one pass per package;
  - a plain docxtpl loop: one `DocxTemplate` load, `render` and `save` per document with the shipped template
    (the numbered body left as its marker: docxtpl alone cannot write it, so this baseline does less work).
Then, unless --county 0, a whole-process `protocolkit build --jobs N` of that many partnerships (twice as many
documents), cycled from the examples with names of their own (`--copies`: differing only in their ids), with its
wall time and the peak resident memory of the build and its workers together.
"""

from __future__ import annotations

import argparse
import io
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def trees() -> list:
    from protocolkit.library import load_library, project_library
    from protocolkit.project import assemble_documents, load_partnership

    out = []
    for path in sorted(EXAMPLES.glob("*.yaml")):
        lib = load_library(project_library([path]))
        docs, _ = assemble_documents(load_partnership(path, lib), lib, sorted(lib.documents))
        out += docs.values()
    return out


def per_doc(fn, docs: list, count: int) -> float:
    """Milliseconds a document, over `count` documents cycling through `docs` (one warm-up each first)."""
    for doc in docs:
        fn(doc)
    start = time.perf_counter()
    for i in range(count):
        fn(docs[i % len(docs)])
    return (time.perf_counter() - start) * 1000 / count


def county_files(folder: Path, count: int, distinct: bool) -> None:
    """`count` partnership files cycled from the examples, each with an id of its own; with `distinct`, every name
    of a school and of a person gets a word of its own too (the force and council stay), so that no two
    partnerships print the same names, as in a real county."""
    from ruamel.yaml import YAML

    texts = []
    for src in sorted(EXAMPLES.glob("*.yaml")):
        text = src.read_text(encoding="utf-8")
        data = YAML(typ="safe").load(text)
        shared = {data["force"]["name"], (data.get("local_authority") or {}).get("name")}
        own = {k: v for k, v in data.items() if k not in ("force", "local_authority", "data_protection_officers")}
        names = sorted(set(_names(own)) - shared, key=len, reverse=True)
        texts.append((src.stem, text, re.compile("|".join(re.escape(n) for n in names))))
    for i in range(count):
        stem, text, names = texts[i % len(texts)]
        if distinct:
            word = _word(i)
            text = names.sub(lambda m: f"{m.group(0)} {word}", text)
        text = re.sub(r"^id: (.*)$", lambda m: f"id: {m.group(1)}-{i:05d}", text, count=1, flags=re.M)
        (folder / f"{stem}-{i:05d}.yaml").write_text(text, encoding="utf-8")


def _names(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "name" and isinstance(v, str):
                yield v
            else:
                yield from _names(v)
    elif isinstance(node, list):
        for v in node:
            yield from _names(v)


def _word(i: int) -> str:
    """A made-up word for number i: Bba, Bbb, ..."""
    out, i = "", i + 26 * 27
    while i:
        i, r = divmod(i, 26)
        out = "abcdefghijklmnopqrstuvwxyz"[r] + out
    return out.capitalize()


def county(count: int, jobs: int, distinct: bool) -> tuple[float, float]:
    """Seconds of `protocolkit build --jobs N` over `count` partnership files, and the peak resident memory of the
    build and its workers together (sampled from /proc every 50 ms; 0 where there is no /proc)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "county"
        folder.mkdir()
        county_files(folder, count, distinct)
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "protocolkit.cli", "build", str(folder), "--out",
                                 str(Path(tmp) / "out"), "--jobs", str(jobs)], stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        peak = 0.0
        while proc.poll() is None:
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.05)
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            sys.exit(f"build failed ({proc.returncode}): {proc.stderr.read().strip()[:500]}")
        written = len(list((Path(tmp) / "out").glob("*/*.docx")))
        assert written == 2 * count, f"{written} documents written of {2 * count}"
    return seconds, peak


def _tree_rss(pid: int) -> float:
    """MB resident in a process and its children, from /proc."""
    proc = Path("/proc")
    if not proc.is_dir():
        return 0.0
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            status = (proc / str(p) / "status").read_text()
            total += next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
            for task in (proc / str(p) / "task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, StopIteration, ValueError):
            continue
    return total / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--county", type=int, default=5000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--copies", action="store_true",
                        help="county files that differ only in their ids (the default gives each its own names)")
    opts = parser.parse_args()

    from docxtpl import DocxTemplate

    from protocolkit.render.docx import _jinja, compiled, default_template, read_template, render_docx, \
        template_context

    docs = trees()
    data = read_template(None)
    template = compiled(data)
    env = _jinja()

    def plain(doc) -> bytes:
        tpl = DocxTemplate(io.BytesIO(data))
        tpl.render(template_context(doc), jinja_env=env)
        buf = io.BytesIO()
        tpl.save(buf)
        return buf.getvalue()

    from protocolkit.typography import typeset

    ours = per_doc(lambda d: render_docx(d, template), docs, opts.docs)

    from protocolkit.render import docx as writer, wordml

    def uncached(doc) -> bytes:
        # as for a document whose every paragraph is new to this process
        for cached in (typeset, wordml.run_content, writer._text_paragraph, writer._heading_run, writer._id_row, writer.id_bookmark):
            cached.cache_clear()
        return render_docx(doc, template)

    cold = per_doc(uncached, docs, opts.docs)
    theirs = per_doc(plain, docs, max(20, opts.docs // 5))
    print(f"template: {default_template().name}, {len(docs)} documents cycled")
    print(f"{'writer':34} {'ms/doc':>8}")
    print(f"{'protocolkit writer':34} {ours:8.2f}")
    print(f"{'  the same, typesetting cache cold':34} {cold:8.2f}")
    print(f"{'plain docxtpl loop (no body)':34} {theirs:8.2f}")
    print(f"{'ratio':34} {theirs / ours:8.1f}x")
    print(f"{'ratio, cache cold':34} {theirs / cold:8.1f}x")
    if opts.county:
        seconds, peak = county(opts.county, opts.jobs, not opts.copies)
        names = "differing only in id" if opts.copies else "each with names of its own"
        print(f"build of {opts.county} partnerships ({2 * opts.county} documents, {names}), --jobs {opts.jobs}: "
              f"{seconds:.1f} s, peak {peak:.0f} MB in all processes together")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
