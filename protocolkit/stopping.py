"""Stopping cleanly on Ctrl-C (SIGINT) and SIGTERM: the whole command ends, workers included, with exit 130 or 143
and one line saying what was finished; no traceback, no worker left running, nothing half-written.

The parent process alone handles the signals: each raises Stopped in the main thread, which unwinds through the
command (a subprocess such as LibreOffice is killed by subprocess.run as the exception passes; a file being written
is never renamed into place, see files.write_file), ends any process pool, and reaches the console script's main().
Worker processes ignore SIGINT (Ctrl-C reaches the whole process group, and the parent decides), take SIGTERM's
default action, and die with their parent if it is killed outright.
"""

from __future__ import annotations

import os
import signal
import sys
from contextlib import contextmanager
from typing import Any, Iterator


class Stopped(BaseException):
    """A signal asked the command to stop (BaseException, like KeyboardInterrupt: no `except Exception` swallows
    it, and Click's own Ctrl-C handling, which would exit 1 with "Aborted!", never sees it)."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.code = 128 + signum


_FINISHED: list[str] = []


def finished(what: str) -> None:
    """Record something the command has finished (a file written), for the line printed if it is stopped."""
    _FINISHED.append(what)


def _raise(signum: int, frame: Any) -> None:
    # once stopping, a second signal must not interrupt the unwinding (and the pool's ending) half way
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise Stopped(signum)


def install() -> None:
    """Handle SIGINT and SIGTERM in this (the parent) process."""
    signal.signal(signal.SIGINT, _raise)
    signal.signal(signal.SIGTERM, _raise)


def summary(stop: Stopped) -> str:
    name = "Ctrl-C (SIGINT)" if stop.signum == signal.SIGINT else signal.Signals(stop.signum).name
    if not _FINISHED:
        return f"protocolkit: stopped by {name}; nothing was finished, and nothing is left half-written"
    done = ", ".join(_FINISHED[:3]) + (f" and {len(_FINISHED) - 3} more" if len(_FINISHED) > 3 else "")
    return f"protocolkit: stopped by {name}; finished before the stop: {done}; nothing is left half-written"


def exit_stopped(stop: Stopped) -> None:
    from protocolkit.findings import visible

    try:
        print(visible(summary(stop)), file=sys.stderr)
    finally:
        os._exit(stop.code)  # at once: no atexit hook may wait on a pool that is being torn down


def worker_init() -> None:
    """Run first in every worker process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent()


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when its parent dies, however it dies (prctl PR_SET_PDEATHSIG)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


@contextmanager
def process_pool(*args: Any, **kwargs: Any) -> Iterator[Any]:
    """A ProcessPoolExecutor that, on any exception (Stopped above all), kills its workers and is not shut down:
    shutdown takes locks, and a signal may have interrupted the main thread while it held one of them (waiting on
    it hung about one stop in twenty). The process then ends at once (exit_stopped), and a worker that outlives the
    kill dies with its parent (worker_init)."""
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(*args, **kwargs)
    try:
        yield pool
    except BaseException:
        _kill_workers(pool)
        raise
    pool.shutdown()


def _kill_workers(pool: Any) -> None:
    # ProcessPoolExecutor has no public way to end its processes: _processes is its table of them (pid -> Process)
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            proc.kill()
        except (OSError, ValueError, AttributeError):
            pass
