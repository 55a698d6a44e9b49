"""Where the shipped clause library, profiles, schemas and templates are, installed or not."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """The shipped folder `name` (clauses, profiles, schemas): inside the wheel, or at the checkout's top."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"protocolkit's {name}/ folder is missing from this installation; reinstall protocolkit")


def template_path(name: str) -> Path:
    """A template shipped inside the package."""
    return _PACKAGE / "templates" / name
