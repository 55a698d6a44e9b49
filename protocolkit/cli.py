"""The command line: a thin typer app; each command hands straight to a module."""

from __future__ import annotations

from datetime import date
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from protocolkit.findings import InputError, finding_line, visible
from protocolkit.stopping import stoppable

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Draft, check, render and review Safer Schools Partnership protocols and data-sharing agreements.",
)


def _version(value: bool) -> None:
    if value:
        from protocolkit import __version__

        typer.echo(f"protocolkit {__version__}")
        raise typer.Exit()


@app.callback()
def _options(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")) -> None:
    """Draft, check, render and review Safer Schools Partnership protocols and data-sharing agreements."""


class CheckFormat(str, Enum):
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"
    junit = "junit"


def reason(exc: Exception) -> str:
    """One line for an InputError, or for a file system error no command turned into its own message."""
    if isinstance(exc, OSError) and not isinstance(exc, InputError):
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror or exc}"
    return str(exc)


def fail(message: str, code: int = 2) -> None:
    """Print a one-line reason to stderr and exit (2: bad usage or unreadable input)."""
    typer.echo(visible(f"protocolkit: {message}"), err=True)
    raise typer.Exit(code)


def parse_today(value: Optional[str]) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"--today {value!r} is not a date: use YYYY-MM-DD")
        raise  # unreachable


class DocChoice(str, Enum):
    protocol = "protocol"
    dsa = "dsa"
    all = "all"


class DocKindChoice(str, Enum):
    protocol = "protocol"
    dsa = "dsa"


class DiffFormat(str, Enum):
    text = "text"
    markdown = "markdown"
    html = "html"
    json = "json"


@app.command()
def check(
    paths: List[Path] = typer.Argument(..., help="Partnership files, clause library folders, documents (.docx, .pdf, .odt, .doc), or folders holding them."),
    format: CheckFormat = typer.Option(CheckFormat.text, "--format", "-f", help="Output format."),
    profile: Optional[str] = typer.Option(None, "--profile", help="Profile name (see profiles/) or a profile YAML file."),
    today: Optional[str] = typer.Option(None, "--today", help="Check review dates as of this day (YYYY-MM-DD)."),
    doc: Optional[DocKindChoice] = typer.Option(None, "--doc", help="What a document is meant to be; without it, its title decides."),
    library: Optional[Path] = typer.Option(None, "--library", help="Clause library folder (default: the project's own clauses/ found above the files, else the shipped library)."),
) -> None:
    """Validate and check clause libraries, partnership files and documents written elsewhere (.docx, .pdf, .odt, .doc)."""
    from protocolkit.check.command import check_command

    day = parse_today(today)
    try:
        code = check_command(list(paths), format.value, profile, day, doc.value if doc else None, library)
    except (InputError, OSError) as exc:
        fail(reason(exc))
    raise typer.Exit(code)


@app.command()
def rules(code: Optional[str] = typer.Argument(None, help="A rule id to explain in full.")) -> None:
    """List the checker's rules, or explain one with its examples."""
    from protocolkit.check.command import rules_command

    try:
        typer.echo(rules_command(code))
    except (InputError, OSError) as exc:
        fail(reason(exc))


@app.command()
def build(
    paths: List[Path] = typer.Argument(..., help="Partnership files, or folders holding them."),
    out: Path = typer.Option(..., "--out", help="Folder to write DIR/<partnership id>/ into."),
    doc: DocChoice = typer.Option(DocChoice.all, "--doc", help="Which document to render."),
    pdf: bool = typer.Option(False, "--pdf", help="Also convert each .docx to PDF with LibreOffice."),
    jobs: int = typer.Option(1, "--jobs", "-j", min=1, help="Partnerships rendered in parallel processes."),
    template: Optional[Path] = typer.Option(None, "--template", help="A restyled .docx template to render with."),
    library: Optional[Path] = typer.Option(None, "--library", help="Clause library folder (default: the project's own clauses/ found above the files, else the shipped library)."),
) -> None:
    """Render each partnership's protocol and data-sharing agreement as .docx (and PDF)."""
    from protocolkit.render.build import build_command

    try:
        code = build_command(list(paths), out, doc.value, pdf, jobs, template, library)
    except (InputError, OSError) as exc:
        fail(reason(exc))
    raise typer.Exit(code)


@app.command()
def diff(
    old: str = typer.Argument(..., help="Partnership file, REV:path in git, or .docx."),
    new: str = typer.Argument(..., help="Partnership file, REV:path in git, or .docx."),
    format: Optional[DiffFormat] = typer.Option(None, "--format", "-f", help="Output format (default: text; with --redline, only the redline's path is printed unless a format is given)."),
    redline: Optional[Path] = typer.Option(None, "--redline", help="Write NEW with tracked changes against OLD to this .docx."),
    template: Optional[Path] = typer.Option(None, "--template", help="A restyled .docx template to write the redline with (as for build)."),
    exit_code: bool = typer.Option(False, "--exit-code", help="Exit 1 when there are differences."),
    library: Optional[Path] = typer.Option(None, "--library", help="Clause library folder (default: the project's own clauses/ found above the files, else the shipped library)."),
    doc: Optional[DocKindChoice] = typer.Option(None, "--doc", help="Which document of two partnership files to compare (default: protocol); for a .docx, what it is meant to be."),
) -> None:
    """Show what changed between two versions, clause by clause and word by word."""
    from protocolkit.diff.command import diff_command

    try:
        code = diff_command(old, new, format.value if format else None, redline, exit_code, library,
                            doc.value if doc else None, template)
    except (InputError, OSError) as exc:
        fail(reason(exc))
    raise typer.Exit(code)


@app.command()
def preview(
    path: Path = typer.Argument(..., help="A partnership file or a .docx."),
    doc: DocKindChoice = typer.Option(DocKindChoice.protocol, "--doc", help="Which document to show."),
    library: Optional[Path] = typer.Option(None, "--library", help="Clause library folder (default: the project's own clauses/ found above the files, else the shipped library)."),
) -> None:
    """Print one document as markdown, for a terminal or a pull request."""
    from protocolkit.preview import preview_markdown

    from protocolkit.library import library_note

    note = library_note(library, [path])
    if note:
        typer.echo(visible(note), err=True)
    try:
        text, problems = preview_markdown(path, doc.value, library)
    except (InputError, OSError) as exc:
        fail(reason(exc))
    for f in problems:
        typer.echo(finding_line(f), err=True)
    if not text:
        raise typer.Exit(1)
    typer.echo(visible(text), nl=not text.endswith("\n"))


@app.command()
def schema(out: Path = typer.Option(..., "--out", help="Folder to write the JSON Schemas into.")) -> None:
    """Write the JSON Schemas of every YAML format."""
    from protocolkit.schema import write_schemas

    try:
        written = write_schemas(out)
    except (InputError, OSError) as exc:
        fail(reason(exc))
    for path in written:
        typer.echo(str(path))


@app.command()
def signed(
    paths: List[Path] = typer.Argument(..., help="Partnership files or folders whose current version was signed."),
    on: Optional[str] = typer.Option(None, "--on", help="The day the last signatory signed (YYYY-MM-DD; default: today)."),
    library: Optional[Path] = typer.Option(None, "--library", help="Clause library folder (default: the project's own clauses/ found above the files, else the shipped library)."),
) -> None:
    """Record that each partnership's current documents were signed, with their fingerprints, in its history."""
    from protocolkit.signing import signed_command

    day = None
    if on is not None:
        try:
            day = date.fromisoformat(on)
        except ValueError:
            fail(f"--on {on!r} is not a date: use YYYY-MM-DD")
    try:
        code = signed_command(list(paths), day, library)
    except (InputError, OSError) as exc:
        fail(reason(exc))
    raise typer.Exit(code)


@app.command()
def review(
    paths: List[Path] = typer.Argument(..., help="Partnership files or folders to review."),
    since: Optional[str] = typer.Option(None, "--since", help="Baseline: a git revision (files and library as they were then)."),
    signed_dir: Optional[Path] = typer.Option(None, "--signed", help="Baseline: a folder of signed copies laid out as build writes them."),
    out: Path = typer.Option(..., "--out", help="Folder for the redlines and review.html."),
    format: str = typer.Option("text", "--format", "-f", help="Output format: text, json, markdown or html."),
    today: Optional[str] = typer.Option(None, "--today", help="Count review dates as of this day (YYYY-MM-DD)."),
    jobs: int = typer.Option(1, "--jobs", min=1, help="Partnerships reviewed in parallel."),
    exit_code: bool = typer.Option(False, "--exit-code", help="Exit 1 when any partnership must be signed again or is due for review."),
    library: Optional[Path] = typer.Option(None, "--library", help="Clause library folder (default: the project's own)."),
) -> None:
    """For every partnership: unchanged, changed (must be signed again, and why), overdue, unsigned or mismatch."""
    from protocolkit.review import review_command

    day = parse_today(today)
    try:
        code = review_command(list(paths), since, signed_dir, out, format, day, jobs, exit_code, library)
    except (InputError, OSError) as exc:
        fail(reason(exc))
    raise typer.Exit(code)


@app.command()
def status(
    paths: Optional[List[Path]] = typer.Argument(None, help="Partnership files or folders (default: this folder)."),
    today: Optional[str] = typer.Option(None, "--today", help="Count days as of this day (YYYY-MM-DD)."),
) -> None:
    """Every partnership with its review date, overdue ones first."""
    from protocolkit.status import status_rows, status_text

    day = parse_today(today)
    try:
        rows, problems = status_rows(list(paths or [Path(".")]), day)
    except (InputError, OSError) as exc:
        fail(reason(exc))
    typer.echo(visible(status_text(rows)))
    for f in problems:
        typer.echo(finding_line(f), err=True)
    raise typer.Exit(1 if problems else 0)


def _ask(question: str, choices: tuple[str, ...] = (), default: Optional[str] = None, number: bool = False,
         iso_date: bool = False, allow_empty: bool = False, check=None, draft=None) -> str:
    """One prompt, asked again until the answer fits (`check(answer)` returns what is wrong, or None); an answer
    the draft of an earlier run holds is taken (if it still fits) instead of asking, and each answer is kept."""
    label = f"{question} [{'/'.join(choices)}]" if choices else question
    recorded = draft.recorded(question) if draft is not None else None
    if recorded is not None and _answer_problem(recorded, choices, number, iso_date, allow_empty, check) is None:
        typer.echo(visible(f"{label}: {recorded}  (from the draft)"), err=True)
        answer = recorded
    else:
        while True:
            with stoppable():  # waiting at the keyboard: Ctrl-C stops at once
                answer = typer.prompt(label, default=default, show_default=default not in (None, "")).strip()
            problem = _answer_problem(answer, choices, number, iso_date, allow_empty, check)
            if problem is None:
                break
            typer.echo(f"  {problem}", err=True)
    if draft is not None:
        draft.keep(question, answer)
    return answer


def _answer_problem(answer: str, choices: tuple[str, ...], number: bool, iso_date: bool, allow_empty: bool,
                    check) -> str | None:
    """What is wrong with an answer, in words, or None."""
    if not answer and not allow_empty:
        return "an answer is needed"
    if choices and answer not in choices:
        return f"choose one of: {', '.join(choices)}"
    if number and not _is_number(answer):
        return "a number is needed, e.g. 1 or 2.5"
    if iso_date and not _is_date(answer):
        return "a date is needed as YYYY-MM-DD"
    if check is not None and answer and check(answer):
        return check(answer)
    return None


def _is_number(text: str) -> bool:
    try:
        return float(text) > 0
    except ValueError:
        return False


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
        return True
    except ValueError:
        return False


@app.command()
def new(out: Optional[Path] = typer.Option(None, "--out", help="Write the partnership file here (default: print it).")) -> None:
    """Ask for the partnership's facts and write a valid partnership file; a stopped run carries on next time."""
    import functools

    from protocolkit.files import check_target, make_folder, write_file
    from protocolkit.stopping import Stopped, finished
    from protocolkit.scaffold import Draft, draft_path, partnership_from_answers, partnership_yaml, schema_reference

    try:
        if out is not None:
            if out.exists():
                fail(f"{out}: already exists; choose another name or remove it first")
            make_folder(out.parent)
            check_target(out)
        draft = Draft(draft_path(out))
        held = draft.load()
        if held and not typer.confirm(f"{draft.path} holds {held} answers from a run that stopped: carry on from "
                                      f"there?", default=True, err=True):
            draft.replay = []
        data = partnership_from_answers(functools.partial(_ask, draft=draft), date.today())
        text = partnership_yaml(data, schema_reference(out))
        if out is None:
            typer.echo(text, nl=False)
        else:
            write_file(out, text)
            typer.echo(f"wrote {out}; next: protocolkit check {out} && protocolkit build {out} --out build", err=True)
    except (InputError, OSError) as exc:
        fail(reason(exc))
    except Stopped:
        if draft.answers:
            finished(f"{len(draft.answers)} answers kept in {draft.path} (run the same command again to carry on)")
        raise
    except typer.Abort:
        kept = len(draft.answers)
        fail(f"stopped before the partnership was complete; {kept} answers are kept in {draft.path}: run the same "
             f"command again to carry on" if kept else "stopped before the partnership was complete; nothing written")
    draft.discard()


@app.command()
def init(directory: Path = typer.Argument(..., help="A new or empty folder.")) -> None:
    """A ready repository: clause library, one example partnership, pre-commit and CI config."""
    from protocolkit.scaffold import init_repository

    try:
        written = init_repository(directory)
    except (InputError, OSError) as exc:
        fail(reason(exc))
    for path in written:
        typer.echo(str(path))


@app.command()
def serve(
    directory: Optional[Path] = typer.Argument(None, help="A folder of partnership files (default: the shipped examples, read-only)."),
    port: int = typer.Option(8000, "--port", help="Port to listen on (0: any free port)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on; any but loopback needs the access token printed at start."),
) -> None:
    """Drafting and review in a web browser: the register, the partnership form, preview, downloads and review."""
    from protocolkit.web.server import serve_command

    try:
        code = serve_command(directory, host, port)
    except (InputError, OSError) as exc:
        fail(reason(exc))
    raise typer.Exit(code)


def main() -> None:
    """Entry point (as `python -m protocolkit.cli`): Ctrl-C and SIGTERM end it with 130 or 143 and one line."""
    from protocolkit.entry import main as entry

    entry()


if __name__ == "__main__":
    main()
