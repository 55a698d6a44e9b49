"""The one way protocolkit writes a file: never through a symlink, never torn, never over one of its own inputs.

Every command that writes (build, diff --redline, schema, init, new) goes through write_file.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import Iterable

from protocolkit.findings import InputError


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def write_file(path: Path | str, data: bytes | str, inputs: Iterable[Path | str] = (), what: str = "",
               record: bool = True, durable: bool = True) -> None:
    """Write `data` to `path` in one step: a new temporary file, made exclusively under a random name in the target's
    folder, filled, flushed to disk (unless not `durable`) and renamed over the target. A target that is a symlink, a
    target inside a symlinked folder, and a target that is one of `inputs` are refused; any failure is an InputError
    (exit 2, one line) and leaves neither a torn target nor a temporary file behind.

    The rename alone makes the file whole for any reader and after any kill; flushing makes it survive a power cut
    too. A build writing thousands of files passes durable=False and flushes them all at once when it ends
    (flush_all): one flush per file cost 2.6 ms each, more than rendering the document."""
    target = check_target(path, inputs)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    folder = target.parent
    tmp: str | None = None
    try:
        # mkstemp opens with O_CREAT|O_EXCL and a random name: nothing planted beforehand can be written through
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f"{_TMP_PREFIX}{os.getpid()}-", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
        tmp = None
        if record:
            from protocolkit.stopping import finished

            finished(f"wrote {target}")
    except OSError as exc:
        raise InputError(f"{target}: cannot write{' the ' + what if what else ''}: {exc.strerror or exc}") from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def flush_all() -> None:
    """Everything written with durable=False, flushed to disk in one step."""
    if hasattr(os, "sync"):
        os.sync()


_TMP_PREFIX = ".pk-"  # then the writer's process id, a random part, and .tmp


def remove_leftovers(folder: Path | str, depth: int = 1) -> list[Path]:
    """Remove the temporary files that a write killed part way (kill -9, a power cut) left in a folder and its
    sub-folders `depth` deep: only regular files named as write_file names them, and only those whose writing
    process is gone (another build running into the same folder keeps its own). Returns what was removed."""
    root = Path(folder)
    removed: list[Path] = []
    if not root.is_dir() or root.is_symlink():
        return removed
    folders = [root]
    for _ in range(depth):
        folders += [d for f in list(folders) for d in f.iterdir() if d.is_dir() and not d.is_symlink()]
    for f in dict.fromkeys(folders):
        for p in f.glob(f"{_TMP_PREFIX}*.tmp"):
            pid = p.name[len(_TMP_PREFIX):].split("-", 1)[0]
            if p.is_symlink() or not p.is_file() or not pid.isdigit() or _alive(int(pid)):
                continue
            try:
                p.unlink()
                removed.append(p)
            except OSError:
                pass
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def check_target(path: Path | str, inputs: Iterable[Path | str] = ()) -> Path:
    """The target, if write_file may write it (call it before the work, to refuse early); InputError if not."""
    try:
        return _check_target(Path(path), inputs)
    except OSError as exc:
        raise InputError(f"{path}: cannot write: {exc.strerror or exc}") from None


def _check_target(target: Path, inputs: Iterable[Path | str]) -> Path:
    folder = target.parent
    if target.is_symlink():
        raise InputError(f"{target}: is a symbolic link; protocolkit does not write through links: remove it or "
                         f"write somewhere else")
    if folder.is_symlink():
        raise InputError(f"{folder}: is a symbolic link to a folder; protocolkit does not write through links: "
                         f"give the real folder")
    for given in inputs:
        if _same_file(target, Path(given)):
            raise InputError(f"{target}: is one of this command's own inputs; it will not be overwritten: "
                             f"choose another name")
    if target.is_dir():
        raise InputError(f"{target}: is a folder; give a file name")
    return target


def _mode_for(target: Path) -> int:
    """A file replaced keeps its permissions (a data-sharing agreement kept 0600 stays so); a new one gets what the
    umask allows."""
    try:
        return stat.S_IMODE(os.lstat(target).st_mode)
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def make_folder(path: Path | str) -> Path:
    """Create a folder (and its parents) to write into; InputError if it cannot be made, or is a link or a file."""
    folder = Path(path)
    if folder.is_symlink():
        raise InputError(f"{folder}: is a symbolic link; protocolkit does not write through links: give the real folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise InputError(f"{folder}: is a file, not a folder: choose another place") from None
    except OSError as exc:
        raise InputError(f"{folder}: cannot create the folder: {exc.strerror or exc}") from None
    return folder


_KINDS = {stat.S_IFIFO: "named pipe (FIFO)", stat.S_IFCHR: "device", stat.S_IFBLK: "device", stat.S_IFSOCK: "socket",
          stat.S_IFDIR: "folder"}


def special_kind(path: Path | str) -> str | None:
    """What a path is when it is not a regular file ("named pipe (FIFO)", "device", ...), or None; never opens it."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    return None if stat.S_ISREG(mode) else _KINDS.get(stat.S_IFMT(mode), "special file")


class TooLarge(Exception):
    def __init__(self, size: int, limit: int):
        super().__init__(f"{size:,} bytes; the limit is {limit:,}")
        self.size, self.limit = size, limit


def read_bounded(path: Path | str, limit: int, head: bool = False) -> bytes:
    """The bytes of a regular file of at most `limit` bytes. The file is opened without blocking (a FIFO would wait
    for a writer for ever), checked to be a regular file and its size checked on the open file before anything is
    read; the read itself stops at the limit (a file that grows, or /proc, cannot make it read more). InputError
    for what is not a regular file or cannot be read; TooLarge for a file over the limit. With head, the first
    `limit` bytes, however long the file."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = _KINDS.get(stat.S_IFMT(info.st_mode), "special file")
            raise InputError(f"{path}: is a {kind}, not a file: name a file")
        if info.st_size > limit and not head:
            raise TooLarge(info.st_size, limit)
        chunks, size = [], 0
        while size < limit + (0 if head else 1):
            chunk = os.read(fd, min(1 << 20, limit + (0 if head else 1) - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise TooLarge(size, limit)
        return b"".join(chunks)
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


# Byte-order marks of the encodings a YAML file may be saved in by mistake (UTF-32 first: it starts like UTF-16).
_WIDE = ((b"\x00\x00\xfe\xff", "UTF-32"), (b"\xff\xfe\x00\x00", "UTF-32"), (b"\xfe\xff", "UTF-16"),
         (b"\xff\xfe", "UTF-16"))


def wide_encoding(raw: bytes) -> str | None:
    """"UTF-16" or "UTF-32" when the bytes are text saved in one of them (by its mark, or by its NUL bytes)."""
    for mark, name in _WIDE:
        if raw.startswith(mark):
            return name
    head = raw[:400]
    if head and head.count(0) * 3 >= len(head):
        return "UTF-32" if head.count(0) * 4 >= len(head) * 3 else "UTF-16"
    return None
