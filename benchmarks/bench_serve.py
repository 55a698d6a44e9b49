"""Time `protocolkit serve`'s register over a county of partnerships, beside `protocolkit status` and `check` of the
same files.

    python benchmarks/bench_serve.py [--partnerships 500] [--requests 20]

The county is made in a temporary folder from copies of the shipped examples (each its own id). The server runs as
a whole process; the register is asked for once it has read and checked every file in the background (the time
that takes is printed too), then again and again, as a coordinator reloads it. `status` (which reads every file)
and `check` (which reads and checks every file) of the same folder, as whole processes in the same run, are the
baselines.
"""

from __future__ import annotations

import argparse
import queue
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from whole import cli  # benchmarks/ is on the path when a script in it runs

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def get(url: str) -> tuple[float, str]:
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as response:
        body = response.read().decode("utf-8")
    return time.perf_counter() - start, body


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partnerships", type=int, default=500)
    parser.add_argument("--requests", type=int, default=20)
    opts = parser.parse_args()
    n = opts.partnerships
    with tempfile.TemporaryDirectory() as tmp:
        county = Path(tmp) / "county"
        county.mkdir()
        sources = sorted(EXAMPLES.glob("*.yaml"))
        for i in range(n):
            src = sources[i % len(sources)]
            text = re.sub(r"^id: (.*)$", lambda m: f"id: {m.group(1)}-{i:05d}", src.read_text(encoding="utf-8"),
                          count=1, flags=re.M)
            (county / f"{src.stem}-{i:05d}.yaml").write_text(text, encoding="utf-8")
        status = cli("status", str(county), cwd=Path(tmp))
        check = cli("check", str(county), cwd=Path(tmp))

        started = time.perf_counter()
        server = subprocess.Popen([sys.executable, "-m", "protocolkit.cli", "serve", str(county), "--port", "0"],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=tmp)
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: [lines.put(line) for line in server.stdout], daemon=True).start()
        try:
            url = ""
            while not url:
                m = re.match(r"open (http://\S+)", lines.get(timeout=120))
                url = m.group(1) if m else ""
            first, body = get(url)
            during = []
            while "still being checked" in body:
                time.sleep(0.5)
                seconds, body = get(url)
                during.append(seconds)
            warm = time.perf_counter() - started
            rows = body.count("<tr>") - 1
            times = [get(url)[0] for _ in range(opts.requests)]
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"{'what':58} {'seconds':>8}")
    print(f"{f'protocolkit status of {n} partnerships (whole process)':58} {status:8.2f}")
    print(f"{f'protocolkit check of {n} partnerships (whole process)':58} {check:8.2f}")
    print(f"{'serve: first register, before the files are checked':58} {first:8.2f}")
    print(f"{f'serve: start until all {n} are read and checked':58} {warm:8.2f}")
    if during:
        print(f"{f'serve: register while they are checked, median of {len(during)}':58} "
              f"{statistics.median(during):8.3f}")
        print(f"{f'serve: register while they are checked, slowest of {len(during)}':58} {max(during):8.3f}")
    print(f"{f'serve: register of {rows} rows, median of {len(times)}':58} {statistics.median(times):8.3f}")
    print(f"{f'serve: register of {rows} rows, slowest of {len(times)}':58} {max(times):8.3f}")
    print(f"{'ratio register (median) / status':58} {statistics.median(times) / status:8.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
