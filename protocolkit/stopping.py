"""Stopping cleanly on Ctrl-C (SIGINT) and SIGTERM: the whole command ends, workers included, with exit 130 or 143
and one line saying what was finished; no traceback, no worker left running, nothing half-written.

The parent process alone handles the signals: each is noted, and Stopped is raised in the main thread where it is
safe (where it waits, at once; elsewhere at the next checkpoint between files). Stopped unwinds through the command
(a subprocess such as LibreOffice is killed by subprocess.run as it passes; a file is never left half-written, see
files.write_file), kills any worker processes, and reaches the console script's main().
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


_PENDING: list[int] = []
_WAITING = [0]  # how deep the main thread is in stoppable() regions


def _on_signal(signum: int, frame: Any) -> None:
    # Raising from a signal handler at an arbitrary moment is unsafe: libyaml's Cython code, for one, swallows an
    # exception raised inside it and goes on with a half-built value. So the signal is only noted, and Stopped is
    # raised at once only where the main thread is waiting (on workers, LibreOffice or the keyboard); elsewhere the
    # next checkpoint(), which every loop over files passes, raises it.
    _PENDING.append(signum)
    if _ENDED[0] and len(_PENDING) == 1:
        # the command is done and Python is only exiting: nothing is left to stop or to clean, but the exit still
        # says that it was asked to stop, with the line that says what was finished (written as it is, at once:
        # the interpreter may be half torn down). A second signal, while an earlier one is being acted on
        # (exit_stopped), is only noted, as before the end: one stop, one line.
        findings = sys.modules.get("protocolkit.findings")
        line = summary(Stopped(signum))
        os.write(2, (findings.visible(line) if findings else line).encode("utf-8", "backslashreplace") + b"\n")
        os._exit(128 + signum)
    if _WAITING[0]:
        raise Stopped(signum)


_ENDED = [False]  # the command has returned (or raised) and the process is exiting


def ended() -> None:
    """The command is over: a signal that came while it was finishing stops it as any other (Stopped, now), and
    one that comes later, while Python exits, ends the process at once with the same code and line."""
    _ENDED[0] = True
    checkpoint()


def install() -> None:
    """Handle SIGINT and SIGTERM in this (the parent) process."""
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)


def checkpoint() -> None:
    """Raise Stopped if a signal came since the command started; call it between files."""
    if _PENDING:
        raise Stopped(_PENDING[0])


@contextmanager
def stoppable() -> Iterator[None]:
    """A region where the main thread only waits, and a signal may stop it at once."""
    checkpoint()
    _WAITING[0] += 1
    try:
        yield
    finally:
        _WAITING[0] -= 1


def summary(stop: Stopped) -> str:
    name = "Ctrl-C (SIGINT)" if stop.signum == signal.SIGINT else signal.Signals(stop.signum).name
    if not _FINISHED:
        return f"protocolkit: stopped by {name}; nothing was finished, and nothing is left half-written"
    done = ", ".join(_FINISHED[:3]) + (f" and {len(_FINISHED) - 3} more" if len(_FINISHED) > 3 else "")
    return f"protocolkit: stopped by {name}; finished before the stop: {done}; nothing is left half-written"


def exit_stopped(stop: Stopped) -> None:
    import multiprocessing

    from protocolkit.findings import visible

    import threading

    # a pool's manager thread sees its workers killed and would print a traceback: the command is stopping
    threading.excepthook = lambda args: None
    try:
        # every worker, whichever pool or phase it is in (one just started has not yet asked to die with us)
        children = multiprocessing.active_children()
        for child in children:
            try:
                child.kill()
            except (OSError, ValueError, AttributeError):
                pass
        for child in children:  # reaped here, so that none is left even as a zombie
            try:
                child.join(0.5)
            except (OSError, ValueError, AssertionError):
                pass
        print(visible(summary(stop)), file=sys.stderr)
    finally:
        os._exit(stop.code)  # at once: no atexit hook may wait on a pool that is being torn down


_HELD = {signal.SIGINT, signal.SIGTERM}


@contextmanager
def signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait while worker processes are started: a stop between a worker's fork and its being
    recorded would leave it unknown, and running, after the parent had gone. They are acted on at the end."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def worker_init() -> None:
    """Run first in every worker process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent()
    if hasattr(signal, "pthread_sigmask"):  # started while the parent held them (signals_held)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD)
    if os.getppid() == 1:  # the parent went before prctl took effect
        os._exit(1)


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
        kill_workers(pool)
        raise
    pool.shutdown()


def kill_workers(pool: Any) -> None:
    # ProcessPoolExecutor has no public way to end its processes: _processes is its table of them (pid -> Process)
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            proc.kill()
        except (OSError, ValueError, AttributeError):
            pass
