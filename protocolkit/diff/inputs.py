"""OLD and NEW as the user names them (a partnership file, REV:path in git, or a .docx) turned into trees."""

from __future__ import annotations

import subprocess
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import TemporaryDirectory

from protocolkit.document import Document
from protocolkit.findings import InputError
from protocolkit.library import Library
from protocolkit.model import Partnership
from protocolkit.project import LoadedPartnership, assemble_documents, load_partnership, shown

DOCX_MAGIC = b"PK\x03\x04"


@dataclass
class Version:
    """One side of a diff: what the user typed, where its bytes now are, and what they hold."""

    label: str
    path: Path
    is_docx: bool
    hidden_path: str = ""  # a temporary file's name, replaced by the label in any message
    loaded: LoadedPartnership | None = None
    documents: dict[str, Document] = field(default_factory=dict)

    def reword(self, message: str) -> str:
        """A message with the temporary file's name replaced by what the user typed."""
        if not self.hidden_path:
            return message
        return message.replace(self.hidden_path, self.label).replace(str(self.path), self.label)


def locate(arg: str, stack: ExitStack) -> Version:
    """Find the bytes an argument names: a file on disk, or REV:path copied out of git into a temporary file."""
    path = Path(arg)
    try:
        path.stat()
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise InputError(f"{arg}: cannot be read: {exc.strerror or exc}") from None
    if path.is_file():
        return Version(arg, path, _is_docx(path))
    if path.exists():
        raise InputError(f"{arg}: is a folder; name a partnership file, REV:path or a .docx")
    rev, colon, inner = arg.partition(":")
    # A one-letter "revision" is a Windows drive ("C:\\…"), never a git revision worth guessing at.
    if not colon or len(rev) == 1 and rev.isalpha():
        raise InputError(f"{arg}: no such file; name a partnership file, REV:path in git, or a .docx")
    if not rev or not inner:
        raise InputError(f"{arg}: say both a revision and a path, e.g. HEAD~1:partnerships/northgate-high.yaml")
    if arg.startswith("-"):
        raise InputError(f"{arg}: a revision cannot begin with '-'; name one such as HEAD~1 or a tag")
    data = _git_blob(arg)
    folder = Path(stack.enter_context(TemporaryDirectory(prefix="protocolkit-diff-")))
    name = Path(inner).name
    copy = folder / (name if name not in ("", ".", "..") else "version.yaml")
    copy.write_bytes(data)
    return Version(arg, copy, _is_docx(copy), hidden_path=shown(copy))


def _git(*args: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", *args], capture_output=True, check=False)
    except FileNotFoundError:
        raise InputError("git is not installed, so REV:path cannot be read: install git or give a file") from None


def _git_blob(arg: str) -> bytes:
    """The contents of REV:path, or InputError with git's own reason in one line."""
    kind = _git("cat-file", "-t", "--end-of-options", arg)
    if kind.returncode != 0:
        reason = kind.stderr.decode("utf-8", "replace").strip().splitlines()
        text = reason[0] if reason else "git cannot find it"
        text = text.removeprefix("fatal: ").rstrip(".")
        raise InputError(f"{arg}: {text}; check the revision (git log) and the path from the repository's top folder")
    if kind.stdout.strip() != b"blob":
        raise InputError(f"{arg}: is a {kind.stdout.decode().strip()} in git, not a file; name a file")
    blob = _git("cat-file", "blob", "--end-of-options", arg)
    if blob.returncode != 0:
        raise InputError(f"{arg}: git cannot read it: {blob.stderr.decode('utf-8', 'replace').strip().splitlines()[0]}")
    return blob.stdout


def _is_docx(path: Path) -> bool:
    if path.suffix.lower() == ".docx":
        return True
    if path.suffix.lower() in (".yaml", ".yml"):
        return False
    try:
        with path.open("rb") as fh:
            return fh.read(4) == DOCX_MAGIC
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None


def read_docx_version(version: Version, kind: str | None) -> Document:
    """The tree of a .docx side, read with protocolkit's reader."""
    from protocolkit.read.docx import read_docx

    try:
        doc = read_docx(version.path, kind)
    except InputError as exc:
        raise InputError(version.reword(str(exc))) from None
    if version.hidden_path:
        doc.source = None
    return doc


def load_partnership_version(version: Version, lib: Library) -> Partnership:
    """The validated partnership of a side, or InputError naming its first error."""
    loaded = load_partnership(version.path, lib)
    for f in loaded.findings:
        f.path = version.reword(f.path)
    loaded.path = version.reword(loaded.path)
    errors = [f for f in loaded.findings if f.severity == "error"]
    if errors or loaded.model is None:
        first = errors[0] if errors else None
        where = f"{first.location()}: {first.message}" if first else f"{version.label}: not a partnership file"
        more = f" ({len(errors) - 1} more problems)" if len(errors) > 1 else ""
        raise InputError(f"{where}{more}: run `protocolkit check {version.label}` and fix it first")
    version.loaded = loaded
    return loaded.model


def assembled(version: Version, lib: Library, kind: str) -> Document:
    """The side's document of this kind, assembled once."""
    if kind not in version.documents:
        assert version.loaded is not None
        docs, findings = assemble_documents(version.loaded, lib, [kind])
        errors = [f for f in findings if f.severity == "error"]
        if errors:
            first = errors[0]
            raise InputError(f"{version.reword(first.location())}: {first.message}: "
                             f"run `protocolkit check {version.label}` and fix it first")
        version.documents[kind] = docs[kind]
    return version.documents[kind]

