"""The served folder's partnerships: found as `check` finds them, each known by a key the register links to.

A request names a partnership by its key, never by a path: the key is looked up here, and the path it stands for
was found by walking the served folder (links that leave it are not followed) and is checked again to lie inside
it before it is read or written. What the register shows of each file (its facts, and what `check` says of it) is
kept while the file's size and modification time stay as they were, so a register of hundreds answers at once; a
background thread reads and checks the files that changed, one at a time.
"""

from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from protocolkit.findings import Finding, InputError
from protocolkit.review import DUE_SOON

_KEY = re.compile(r"[^a-z0-9-]+")
# How long the register may spend reading files itself before it answers with what it has.
READ_BUDGET = 0.3


@dataclass
class Facts:
    """What the register shows of a readable partnership file."""

    id: str
    title: str
    schools: list[str]
    deployment: str
    version: str
    in_force: date
    review_due: date


@dataclass
class Entry:
    key: str
    path: Path  # resolved, inside the served folder
    shown: str  # relative to the served folder, as people see it
    stamp: tuple = ()
    facts: Facts | None = None
    problem: str = ""  # why the file gives no facts
    findings: list[Finding] | None = None  # what check says, once checked
    checked_stamp: tuple = ()
    checked_on: date | None = None
    checked_rules: tuple = ()  # the library and configuration it was checked with

    @property
    def checked(self) -> bool:
        return self.findings is not None and self.checked_stamp == self.stamp and self.checked_on == date.today()

    def counts(self) -> dict[str, int]:
        out = {"error": 0, "warning": 0, "info": 0}
        for f in self.findings or []:
            out[f.severity] = out.get(f.severity, 0) + 1
        return out

    def review_state(self, today: date) -> str:
        """overdue, due-soon or ok."""
        if self.facts is None:
            return ""
        due = self.facts.review_due
        return "overdue" if due < today else ("due-soon" if due - today <= DUE_SOON else "ok")


def _stamp(path: Path) -> tuple:
    try:
        info = os.stat(path)
    except OSError:
        return ()
    return (info.st_mtime_ns, info.st_size, info.st_ino)


OFFICER_WORDS = {"police-officer": "police officer", "pcso": "PCSO"}


def facts_of(model) -> Facts:
    from protocolkit.assemble import partnership_title

    d = model.deployment
    days = f"{d.days_per_week:g} day{'s' if d.days_per_week != 1 else ''} a week"
    return Facts(model.id, partnership_title(model), [s.name for s in model.schools],
                 f"{OFFICER_WORDS.get(d.officer, d.officer)}, {d.model}, {days}", model.version, model.in_force,
                 model.review_due())


class Catalogue:
    """The partnership files under one folder, by key."""

    def __init__(self, root: Path, worker_process: bool = True, background: bool = True):
        self.root = root.resolve()
        self._background = background
        # started first, while the process has no other thread (a fork then copies no lock another thread holds)
        self._pool = _worker_pool() if worker_process else None
        self.entries: dict[str, Entry] = {}
        self._by_path: dict[Path, str] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._worker: threading.Thread | None = None
        self.skipped: list[str] = []
        self._rules: tuple = ()

    def close(self) -> None:
        """End the worker process (a server ends it by ending; an app made in a longer-lived process, a test's,
        must end it, or that process waits for it when it exits)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            from protocolkit.stopping import kill_workers

            kill_workers(pool)
            pool.shutdown(wait=False, cancel_futures=True)

    # -- where files are --------------------------------------------------------------------

    def inside(self, path: Path) -> Path:
        """The resolved path, if it lies inside the served folder; InputError if not."""
        resolved = path.resolve()
        if resolved != self.root and self.root not in resolved.parents:
            raise InputError(f"{path}: lies outside the folder being served")
        return resolved

    def new_file_path(self, partnership_id: str) -> Path:
        """Where a new partnership's file goes: partnerships/ when the folder has one (as `init` makes), else the
        folder itself; named by its id."""
        folder = self.root / "partnerships" if (self.root / "partnerships").is_dir() else self.root
        return self.inside(folder / f"{partnership_id}.yaml")

    def _key_for(self, path: Path) -> str:
        from protocolkit.load import declared_id

        if path in self._by_path:
            return self._by_path[path]
        base = _KEY.sub("-", (declared_id(path) or path.stem).lower()).strip("-")[:60] or "partnership"
        key, n = base, 2
        while key in self.entries:
            key, n = f"{base}-{n}", n + 1
        return key

    # -- keeping up with the folder -----------------------------------------------------------

    def scan(self) -> list[Entry]:
        """Every partnership file in the folder now, in a stable order; new and changed ones are queued to be
        read and checked."""
        from protocolkit.project import discover

        found = discover([self.root], want_docx=False)
        self.skipped = [str(i.path) for i in found if i.kind in ("special", "outside")]
        paths = []
        for item in found:
            if item.kind != "partnership":
                continue
            try:
                paths.append(self.inside(item.path))
            except InputError:
                continue
        stale = False
        self._rules = rules = _rules_stamp(self.root)
        for entry in list(self.entries.values()):
            if entry.checked_rules != rules:  # checked with another library or configuration: check it again
                entry.checked_stamp = ()
        with self._lock:
            seen = set()
            for path in paths:
                key = self._key_for(path)
                seen.add(key)
                entry = self.entries.get(key)
                if entry is None:
                    entry = self.entries[key] = Entry(key, path, str(path.relative_to(self.root)))
                    self._by_path[path] = key
                stamp = _stamp(path)
                if stamp != entry.stamp:
                    entry.stamp = stamp
                    entry.facts, entry.problem = None, ""
                    stale = True
                if not entry.checked:
                    stale = True
            for key in [k for k in self.entries if k not in seen]:
                gone = self.entries.pop(key)
                self._by_path.pop(gone.path, None)
            entries = [self.entries[k] for k in sorted(self.entries, key=lambda k: self.entries[k].shown)]
        # the register's facts of files not yet read, as many as a short while allows (a folder of hundreds is
        # read in the background, and a reload shows the rest)
        deadline = time.monotonic() + READ_BUDGET
        for entry in entries:
            if time.monotonic() > deadline:
                break
            if entry.facts is None and not entry.problem:
                self.refresh(entry, check=False)
        if stale:
            self._start()
            self._wake.set()
        return entries

    def get(self, key: str) -> Entry | None:
        """The entry for a key from the register, fresh from disk; None for a key that names nothing."""
        entry = self.entries.get(key)
        if entry is None:
            self.scan()
            entry = self.entries.get(key)
        if entry is None or not entry.path.is_file():
            return None
        self.inside(entry.path)
        self.refresh(entry)
        return entry

    def refresh(self, entry: Entry, check: bool = True) -> Entry:
        """Read (and check) one file now if it changed since it was last read."""
        stamp = _stamp(entry.path)
        if stamp != entry.stamp or entry.facts is None and not entry.problem:
            entry.stamp = stamp
            self._read(entry)
        if check and not entry.checked:
            self._check(entry)
        return entry

    def added(self, path: Path) -> Entry:
        """A file just written by the form, taken into the register at once."""
        self.scan()
        key = self._by_path.get(path.resolve())
        if key is None:
            raise InputError(f"{path}: was written but is not a partnership file the register can show")
        return self.refresh(self.entries[key])

    def _read(self, entry: Entry) -> None:
        entry.facts, entry.problem = read_facts(entry.path, entry.shown)

    def _check(self, entry: Entry) -> None:
        stamp, today, rules = entry.stamp, date.today(), self._rules
        found = check_findings(entry.path, entry.shown, today)
        entry.findings, entry.checked_stamp, entry.checked_on, entry.checked_rules = found, stamp, today, rules

    def pending(self) -> int:
        """How many files are still to be read or checked."""
        return sum(1 for e in list(self.entries.values()) if not e.checked)

    # -- the background worker --------------------------------------------------------------------

    def _start(self) -> None:
        if not self._background:
            return
        if self._worker is None or not self._worker.is_alive():
            self._worker = threading.Thread(target=self._work, name="protocolkit-register", daemon=True)
            self._worker.start()

    def _work(self) -> None:
        """Read and check, in a worker process, the files the register has not caught up with: the checker is
        CPU-bound, and in a thread of the server's own process it would starve the threads answering requests
        (each of their system calls waits for the interpreter lock behind it)."""
        from concurrent.futures import as_completed

        from protocolkit.stopping import Stopped

        try:
            while True:
                self._wake.wait(timeout=30)
                self._wake.clear()
                # the register's facts first (fast), then what check says (slower)
                for check in (False, True):
                    todo = [e for e in list(self.entries.values())
                            if (not e.checked if check else e.facts is None and not e.problem)]
                    if todo and self._pool is None:  # no worker process: read them here, one at a time
                        for entry in todo:
                            try:
                                self.refresh(entry, check=check)
                            except Exception:  # noqa: BLE001 - one unreadable file must not stop the worker
                                entry.problem = entry.problem or "cannot be read"
                        continue
                    today, rules = date.today(), self._rules
                    jobs = {self._pool.submit(_in_worker, str(e.path), e.shown, today if check else None):
                            (e, e.stamp) for e in todo}
                    for job in as_completed(jobs):
                        entry, stamp = jobs[job]
                        try:
                            result = job.result()
                        except Exception:  # noqa: BLE001 - the worker died: the rest are read here from now on
                            self._pool = None
                            self._wake.set()
                            break
                        if entry.stamp != stamp or _stamp(entry.path) != stamp:
                            continue  # changed while it was read: the next scan queues it again
                        if check:
                            entry.findings, entry.checked_stamp, entry.checked_on = result, stamp, today
                            entry.checked_rules = rules
                        else:
                            entry.facts, entry.problem = result
        except Stopped:
            return  # the server is stopping: the main thread ends the process, and the worker with it


def _rules_stamp(root: Path) -> tuple:
    """The size and time of every file that decides what check says besides the partnership file itself: the
    clause library's files and the configuration at the served folder."""
    from protocolkit.library import default_library_dir, project_library

    library = project_library([root / "partnership.yaml"]) or default_library_dir()
    files = sorted(library.glob("*.y*ml")) + [root / "protocolkit.yaml", root / "pyproject.toml"]
    return tuple((str(p), _stamp(p)) for p in files)


def _worker_pool():
    """One worker process that ignores Ctrl-C and dies with the server (stopping.worker_init), started now; None
    where none can be started (then the register's thread reads the files itself)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from protocolkit.stopping import worker_init

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    try:
        pool = ProcessPoolExecutor(1, mp_context=context, initializer=worker_init)
        pool.submit(int).result(timeout=120)  # the process starts here, not later from a threaded server
    except Exception:  # noqa: BLE001 - no processes here (a sandbox, say): the thread does the work
        return None
    return pool


def _in_worker(path: str, shown: str, today: date | None):
    """In the worker: a file's facts (without a day), or what check says of it on that day."""
    if today is None:
        return read_facts(Path(path), shown)
    return check_findings(Path(path), shown, today)


def read_facts(path: Path, shown: str) -> tuple[Facts | None, str]:
    """What the register shows of a partnership file, or why it shows nothing."""
    from protocolkit.load import load_model
    from protocolkit.model import Partnership

    try:
        model, _, found = load_model(path, Partnership, shown)
    except (InputError, OSError) as exc:
        return None, str(exc)
    if model is None:
        first = found[0] if found else None
        return None, f"{first.location()}: {first.message}" if first else "cannot be read"
    return facts_of(model), ""


def check_findings(path: Path, shown: str, today: date) -> list[Finding]:
    """What `protocolkit check FILE` says of the file on that day, placed at its path in the served folder."""
    from protocolkit.check.engine import check_paths

    try:
        found = check_paths([path], None, today)
    except (InputError, OSError) as exc:
        found = [Finding("unreadable-document", "error", str(exc), shown)]
    shown_now = _shown(path)
    for f in found:
        if f.path == shown_now:
            f.path = shown
    return found


def _shown(path: Path) -> str:
    from protocolkit.library import shown

    return shown(path)
