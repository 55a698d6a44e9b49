"""Time `protocolkit build` on the shipped examples and on many copies of them.

    python benchmarks/bench_build.py [--copies 50] [--jobs 2] [--pdf] [--repeat 3]

Each measurement runs the real CLI in a fresh process (so start-up and library
loading count, as they do for a user) and prints the best of the repeats.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def copies(target: Path, count: int) -> int:
    """Write `count` partnership files cycling through the examples, each with its own id."""
    sources = sorted(EXAMPLES.glob("*.yaml"))
    target.mkdir(parents=True)
    for i in range(count):
        src = sources[i % len(sources)]
        text = src.read_text(encoding="utf-8")
        text = re.sub(r"^id: (.*)$", lambda m: f"id: {m.group(1)}-{i:03d}", text, count=1, flags=re.M)
        (target / f"{src.stem}-{i:03d}.yaml").write_text(text, encoding="utf-8")
    return count


def best_time(args: list[str], out: Path, repeat: int) -> float:
    """The fastest of `repeat` runs of `protocolkit build ARGS --out OUT`, in seconds."""
    times = []
    for _ in range(repeat):
        shutil.rmtree(out, ignore_errors=True)
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "protocolkit.cli", "build", *args, "--out", str(out)],
                              cwd=ROOT, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if proc.returncode != 0:
            sys.exit(f"build failed ({proc.returncode}): {proc.stderr.strip()}")
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pdf", action="store_true", help="also time --pdf (needs LibreOffice)")
    opts = parser.parse_args()

    examples = len(list(EXAMPLES.glob("*.yaml")))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        many = work / "many"
        copies(many, opts.copies)
        rows = [
            (f"examples ({examples} partnerships)", [str(EXAMPLES)], examples),
            (f"{opts.copies} copies, 1 process", [str(many)], opts.copies),
            (f"{opts.copies} copies, --jobs {opts.jobs}", [str(many), "--jobs", str(opts.jobs)], opts.copies),
        ]
        if opts.pdf:
            rows.append((f"examples --pdf ({examples} partnerships)", [str(EXAMPLES), "--pdf"], examples))
        print(f"{'run':40} {'seconds':>8} {'docs/s':>8}")
        for label, args, count in rows:
            seconds = best_time(args, work / "out", opts.repeat if "--pdf" not in args else 1)
            print(f"{label:40} {seconds:8.2f} {2 * count / seconds:8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
