"""What the benchmark scripts share: one protocolkit command timed as a whole process."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path


def cli(*args: str, cwd: Path) -> float:
    """Seconds `protocolkit ARGS...` takes from start to exit, run by this Python; exits on any code but 0 or 1."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "protocolkit.cli", *args], cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        sys.exit(f"{args[0]} failed ({proc.returncode}): {proc.stderr.strip()[:500]}")
    return seconds
