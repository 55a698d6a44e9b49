"""Time the .docx writer against a plain docxtpl loop, side by side in one run, and a county-sized build.

    python benchmarks/bench_writer.py [--docs 200] [--county 5000] [--jobs 2]

Per document, in one process, for the shipped examples' protocols and DSAs (the same trees and the same
template context for both):
  - protocolkit's writer: template compiled once, static parts compressed once, one pass per package;
  - a plain docxtpl loop: one `DocxTemplate` load, `render` and `save` per document with the shipped template
    (the numbered body left as its marker: docxtpl alone cannot write it, so this baseline does less work).
Then, unless --county 0, a whole-process `protocolkit build --jobs N` of that many partnerships (twice as many
documents), with its wall time and the peak resident memory of the build and its workers (from getrusage).
"""

from __future__ import annotations

import argparse
import io
import re
import resource
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


def county(count: int, jobs: int) -> tuple[float, float]:
    """Seconds and peak MB of `protocolkit build --jobs N` over `count` partnership files."""
    sources = sorted(EXAMPLES.glob("*.yaml"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "county"
        folder.mkdir()
        for i in range(count):
            src = sources[i % len(sources)]
            text = re.sub(r"^id: (.*)$", lambda m: f"id: {m.group(1)}-{i:05d}", src.read_text(encoding="utf-8"),
                          count=1, flags=re.M)
            (folder / f"{src.stem}-{i:05d}.yaml").write_text(text, encoding="utf-8")
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "protocolkit.cli", "build", str(folder), "--out",
                               str(Path(tmp) / "out"), "--jobs", str(jobs)], capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            sys.exit(f"build failed ({proc.returncode}): {proc.stderr.strip()[:500]}")
        written = len(list((Path(tmp) / "out").glob("*/*.docx")))
        assert written == 2 * count, f"{written} documents written of {2 * count}"
    # children's peak RSS: the largest of the build process and its workers (Linux reports KB)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return seconds, peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--county", type=int, default=5000)
    parser.add_argument("--jobs", type=int, default=2)
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

    def uncached(doc) -> bytes:
        typeset.cache_clear()  # as for a document whose every paragraph is new to this process
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
        seconds, peak = county(opts.county, opts.jobs)
        print(f"build of {opts.county} partnerships ({2 * opts.county} documents), --jobs {opts.jobs}: "
              f"{seconds:.1f} s, peak {peak:.0f} MB in one process")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
