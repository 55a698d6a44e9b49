"""A signed document would now be assembled differently: the signatories must sign it again.

`protocolkit signed` records, in the partnership's history, the day a version was signed and the fingerprint
(SHA-256 of the assembled text, printed in the document-control table) of each document as signed. When the
protocol or data-sharing agreement the partnership file and the clause library give today has another
fingerprint, what the parties signed is no longer what protocolkit would issue: a clause's wording, a new
statutory duty or the partnership's own facts changed. `protocolkit review` shows what changed. In a git
repository the warning also names the clauses that changed: the partnership file and the library are read as
they were in the commit that recorded the signature.

Passes:   history: [{version: "1.0", ..., signed: {on: 2026-07-20, protocol: <the fingerprint it builds to>}}]
Fails:    the same after the head teacher's name is changed in the file, or a clause it uses is reworded
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Iterator

from protocolkit.assemble import long_date
from protocolkit.check.rules._common import KIND_LABEL, at
from protocolkit.check.subject import Subject
from protocolkit.findings import Finding

ID = "changed-since-signed"
NAME = "Signed document changed since it was signed"
SEVERITY = "warning"
TARGETS = ("partnership",)


def last_signed(partnership):
    """(index, history entry) of the last version recorded as signed, or (None, None)."""
    for i in range(len(partnership.history) - 1, -1, -1):
        if partnership.history[i].signed is not None:
            return i, partnership.history[i]
    return None, None


def check(subject: Subject) -> Iterator[Finding]:
    p = subject.partnership
    if p is None:
        return
    index, entry = last_signed(p)
    if entry is None:
        return
    signed = entry.signed
    for doc in subject.documents:
        recorded = getattr(signed, doc.kind, "")
        if not recorded:
            continue
        now = doc.fingerprint()
        if now != recorded:
            line, col = at(subject.yaml, "history", index, "signed", doc.kind, key=False)
            clauses = changed_clauses(subject.path, signed, doc, subject.library.root) if subject.history else None
            named = (f"; the clauses changed since: {', '.join(clauses)}" if clauses else
                     "; no clause's text changed since, but the facts printed with it did (parties, signatories, "
                     "version or date in force)" if clauses is not None else "")
            yield Finding(ID, SEVERITY, f"the {KIND_LABEL.get(doc.kind, doc.kind)} would now be assembled differently "
                          f"from version {entry.version} as signed on {long_date(signed.on)} (fingerprint "
                          f"{now[:12]}\u2026, signed {recorded[:12]}\u2026){named}: the signatories must sign it "
                          f"again; `protocolkit review` shows what changed, and `protocolkit signed` records the new "
                          f"signature", subject.path, line, col)


def changed_clauses(path: str, signed, doc, library_root) -> list[str] | None:
    """The clauses that differ from the document as it was when its signature was recorded, read from git (the
    commit that added the fingerprint to the file); None outside git or when that commit cannot be read."""
    from protocolkit.diff.tree import diff_documents

    file = Path(path).resolve()
    commit = _signing_commit(str(file), signed.protocol or signed.dsa)
    if not commit:
        return None
    before = _signed_documents(str(file), commit, str(library_root))
    if before is None or doc.kind not in before:
        return None
    return sorted(diff_documents(before[doc.kind], doc).changed_ids())


@lru_cache(maxsize=1024)
def _signing_commit(path: str, fingerprint: str) -> str:
    """The commit that first put this fingerprint into the file (both documents' are recorded together)."""
    import subprocess

    file = Path(path)
    try:
        log = subprocess.run(["git", "log", "--format=%H", "--reverse", f"-S{fingerprint}", "--", file.name],
                             cwd=file.parent, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return log.stdout.split()[0] if log.returncode == 0 and log.stdout.split() else ""


@lru_cache(maxsize=64)
def _library_at(commit: str, library_root: str):
    """The library as it was at a commit, read once a process (a county's signatures share a few commits)."""
    from protocolkit.library import load_library
    from protocolkit.review import GitBaseline

    tmp = TemporaryDirectory(prefix="protocolkit-signed-")
    _KEEP.append(tmp)  # removed when the process ends
    root = GitBaseline(commit, Path(library_root), Path(tmp.name)).library(Path(library_root))
    return load_library(root) if root is not None else None


@lru_cache(maxsize=256)
def _signed_documents(path: str, commit: str, library_root: str):
    """Both documents of the partnership file as they were assembled at a commit (protocol and DSA at once)."""
    from protocolkit.findings import InputError
    from protocolkit.review import GitBaseline, _assembled

    file = Path(path)
    try:
        lib = _library_at(commit, library_root)
        with TemporaryDirectory(prefix="protocolkit-signed-") as tmp:
            data = GitBaseline(commit, file, Path(tmp)).file(file)
            if data is None or lib is None:
                return None
            old_file = Path(tmp) / file.name
            old_file.write_bytes(data)
            before = _assembled(old_file, lib)
    except (InputError, OSError, ValueError):
        return None
    return before[1] if before else None


_KEEP: list = []
