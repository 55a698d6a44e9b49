"""Time `protocolkit review --since HEAD~1` over a county in git, beside `protocolkit build` of the same files.

    python benchmarks/bench_review.py [--partnerships 500] [--jobs 2]

A repository is made with `protocolkit init`, filled with copies of the shipped examples (each its own id),
signed with `protocolkit signed` and committed; then one library clause that every partnership uses is reworded
and committed, so every partnership is changed and gets redlines. Both commands run as whole processes; the
build of the same partnerships in the same run is the baseline the review is measured against.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import tempfile
from pathlib import Path

from whole import cli  # benchmarks/ is on the path when a script in it runs

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=bench@example.org", "-c", "user.name=bench", *args], cwd=repo,
                   check=True, capture_output=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partnerships", type=int, default=500)
    parser.add_argument("--jobs", type=int, default=2)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "county"
        cli("init", str(repo), cwd=Path(tmp))
        for old in (repo / "partnerships").glob("*.yaml"):
            old.unlink()
        sources = sorted(EXAMPLES.glob("*.yaml"))
        for i in range(opts.partnerships):
            src = sources[i % len(sources)]
            text = re.sub(r"^id: (.*)$", lambda m: f"id: {m.group(1)}-{i:05d}", src.read_text(encoding="utf-8"),
                          count=1, flags=re.M)
            (repo / "partnerships" / f"{src.stem}-{i:05d}.yaml").write_text(text, encoding="utf-8")
        git(repo, "init", "-q")
        cli("signed", "partnerships", "--on", "2026-12-01", cwd=repo)
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", "signed")
        clause = repo / "clauses" / "safeguarding.yaml"
        text = clause.read_text(encoding="utf-8")
        clause.write_text(text.replace("quiet support", "quiet, timely support", 1), encoding="utf-8")
        git(repo, "commit", "-qam", "a clause reworded")

        build = cli("build", "partnerships", "--out", str(Path(tmp) / "built"), "--jobs", str(opts.jobs), cwd=repo)
        review = cli("review", "partnerships", "--since", "HEAD~1", "--out", str(Path(tmp) / "review"), "--jobs",
                     str(opts.jobs), "--format", "json", cwd=repo)
        redlines = len(list((Path(tmp) / "review").glob("*/*-redline.docx")))
    n = opts.partnerships
    print(f"{'command':52} {'seconds':>8} {'ms/partnership':>15}")
    print(f"{f'build of {n} partnerships, --jobs {opts.jobs}':52} {build:8.1f} {build * 1000 / n:15.1f}")
    print(f"{f'review --since HEAD~1 of {n}, --jobs {opts.jobs} ({redlines} redlines)':52} {review:8.1f} "
          f"{review * 1000 / n:15.1f}")
    print(f"{'ratio review / build':52} {review / build:8.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
