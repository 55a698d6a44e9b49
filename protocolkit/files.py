"""The one way protocolkit writes a file: never through a symlink, never torn, never over one of its own inputs.

Every command that writes (build, diff --redline, schema, init, new) goes through write_file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Iterable

from protocolkit.findings import InputError


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def write_file(path: Path | str, data: bytes | str, inputs: Iterable[Path | str] = (), what: str = "") -> None:
    """Write `data` to `path` in one step: a new temporary file, made exclusively under a random name in the target's
    folder, filled, flushed to disk and renamed over the target. A target that is a symlink, a target inside a
    symlinked folder, and a target that is one of `inputs` are refused; any failure is an InputError (exit 2, one
    line) and leaves neither a torn target nor a temporary file behind."""
    target = check_target(path, inputs)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    folder = target.parent
    tmp: str | None = None
    try:
        # mkstemp opens with O_CREAT|O_EXCL and a random name: nothing planted beforehand can be written through
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".pk-", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        raise InputError(f"{target}: cannot write{' the ' + what if what else ''}: {exc.strerror or exc}") from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def check_target(path: Path | str, inputs: Iterable[Path | str] = ()) -> Path:
    """The target, if write_file may write it (call it before the work, to refuse early); InputError if not."""
    target = Path(path)
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
