"""Shared fixtures: the repository's folders, a CLI runner, and LibreOffice where a test needs it."""

from __future__ import annotations

import os
import shutil
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from protocolkit.cli import app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CLAUSES = ROOT / "clauses"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# How many generated cases the property and fuzz tests ran, printed at the end of the run.
COUNTS: Counter = Counter()


def pytest_terminal_summary(terminalreporter):
    for what, n in sorted(COUNTS.items()):
        terminalreporter.write_line(f"{what}: {n:,}")


@pytest.fixture
def run():
    """Invoke the real CLI: run("check", "examples/") -> typer Result with .exit_code, .stdout, .stderr."""
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)

    return invoke


def _system_tool(names: tuple[str, ...], what: str, package: str) -> str:
    """A program from the system's packages; skips without it, except in CI (CI=true), where its absence fails."""
    path = next((p for p in map(shutil.which, names) if p), None)
    if path is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{what} is not installed, and CI=true requires it: apt-get install -y {package}")
        pytest.skip(f"{what} is not installed")
    return path


@pytest.fixture(scope="session")
def soffice() -> str:
    """The soffice executable."""
    return _system_tool(("soffice", "libreoffice"), "LibreOffice (soffice)", "libreoffice-writer-nogui")


@pytest.fixture(scope="session")
def chromium() -> str:
    """The system's Chromium (never a browser downloaded at run time)."""
    return _system_tool(("chromium", "chromium-browser"), "Chromium", "chromium")
