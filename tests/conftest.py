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


@pytest.fixture(scope="session")
def soffice() -> str:
    """The soffice executable; skips without it, except in CI (CI=true), where its absence fails."""
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if path is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("LibreOffice (soffice) is not installed, and CI=true requires it: apt-get install -y libreoffice-writer-nogui")
        pytest.skip("LibreOffice (soffice) is not installed")
    return path


@pytest.fixture(scope="session")
def chromium() -> str:
    """The system's Chromium (never a browser downloaded at run time); skips without it, except in CI (CI=true),
    where its absence fails."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("Chromium is not installed, and CI=true requires it: apt-get install -y chromium")
        pytest.skip("Chromium is not installed")
    return path
