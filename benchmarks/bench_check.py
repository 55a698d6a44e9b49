"""Time `protocolkit check` as users run it: one partnership file, a few hundred, the library, the reference .docx.

Usage: python benchmarks/bench_check.py [N]   (N partnership files, default 300)

Each case runs the real CLI in a fresh process, so start-up (imports) is part of the figure, and
reports the best of three runs. It also lists whether the .docx stack was imported for YAML
input (it should not be: python-docx and lxml load only when a .docx is read).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "tests" / "fixtures" / "check" / "partnership.yaml"
TODAY = "2027-06-01"


def timed(args: list[str], runs: int = 3) -> tuple[float, int]:
    """Best wall-clock seconds of `runs` runs of the CLI, and its exit code."""
    best, code = float("inf"), 0
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "protocolkit.cli", *args], cwd=ROOT, capture_output=True)
        best = min(best, time.perf_counter() - start)
        code = proc.returncode
    return best, code


def heavy_imports(args: list[str]) -> tuple[float, list[str]]:
    """Total import time (s) under -X importtime, and which of the .docx stack got imported."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "protocolkit.cli", *args], cwd=ROOT,
                          capture_output=True, text=True)
    total, heavy = 0, set()
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = (part.strip() for part in line.split(":", 1)[1].split("|"))
        if cumulative.isdigit() and not name.startswith(" ") and "." not in name.strip():
            total += int(cumulative)
        top = name.strip().split(".")[0]
        if top in ("docx", "lxml", "docxtpl"):
            heavy.add(top)
    return total / 1e6, sorted(heavy)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    text = BASE.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "partnerships"
        folder.mkdir()
        for i in range(n):
            (folder / f"school-{i:04d}.yaml").write_text(text.replace("id: northgate-high", f"id: school-{i:04d}", 1),
                                                         encoding="utf-8")
        cases = [
            ("one partnership file", ["check", str(BASE), "--today", TODAY]),
            (f"{n} partnership files", ["check", str(folder), "--today", TODAY]),
            ("the clause library", ["check", "clauses/", "--today", TODAY]),
            ("both reference .docx", ["check", "tests/fixtures/waltham-forest-protocol.docx",
                                      "tests/fixtures/staffordshire-protocol.docx", "--today", TODAY]),
        ]
        print(f"{'case':28} {'best of 3':>10}  exit")
        for label, args in cases:
            seconds, code = timed(args)
            extra = f"  ({seconds / n * 1000:.1f} ms a file)" if label.endswith("files") else ""
            print(f"{label:28} {seconds:9.2f}s  {code}{extra}")
    total, heavy = heavy_imports(["check", str(BASE), "--today", TODAY])
    print(f"imports for one YAML check: {total:.2f}s; .docx stack imported: {', '.join(heavy) or 'none'}")


if __name__ == "__main__":
    main()
