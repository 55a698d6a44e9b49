"""The console script's entry point, kept apart from cli.py so that Ctrl-C and SIGTERM are handled from the first
moment: the signal handlers go in before the command-line modules (and typer, rich, pydantic) are imported."""

from __future__ import annotations


def main() -> None:
    from protocolkit.stopping import Stopped, exit_stopped, install

    install()
    try:
        from protocolkit.cli import app

        app()
    except Stopped as stop:
        exit_stopped(stop)
