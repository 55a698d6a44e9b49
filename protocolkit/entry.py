"""The console script's entry point, kept apart from cli.py so that Ctrl-C and SIGTERM are handled from the first
moment: the signal handlers go in before the command-line modules (and typer, rich, pydantic) are imported."""

from __future__ import annotations


def main() -> None:
    from protocolkit.stopping import Stopped, checkpoint, ended, exit_stopped, install

    install()
    try:
        try:
            from protocolkit.cli import app

            checkpoint()  # a signal during the imports is acted on here
            app()
        finally:
            # a signal in the last moments (the files all written, the list printed) still ends with 130 or 143
            # and its line, never with the command's own 0
            ended()
    except Stopped as stop:
        exit_stopped(stop)
    except OSError as exc:  # the last guard: a file system error no command turned into its own message
        import sys

        from protocolkit.findings import visible

        where = f"{exc.filename}: " if exc.filename else ""
        print(visible(f"protocolkit: {where}{exc.strerror or exc}"), file=sys.stderr)
        sys.exit(2)
