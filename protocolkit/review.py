"""`protocolkit review`: for every partnership, does what was signed still match what would be issued today?

The baseline is either a git revision (`--since REV`: each partnership file and the clause library as they were
then) or a folder of signed copies laid out as `build` writes them (`--signed DIR`: DIR/<id>/protocol.docx or
.pdf, and the same for the data-sharing agreement). Each partnership is classified:

- changed: a document assembles to a text other than the baseline's; the changes are split into those from the
  library (clauses whose wording changed with the partnership's facts held still) and those from the
  partnership's own facts (field paths), and a redline is written for each changed document;
- mismatch (`--signed`): a signed copy matches neither today's build nor the fingerprint recorded when it was
  signed: it was edited by hand after signing;
- unsigned: no signed copy, or (`--since`) no signature recorded at the baseline;
- overdue: the review is overdue or due within 60 days;
- unchanged.

Partnerships are compared in parallel with --jobs; the report streams as each is done.
"""

from __future__ import annotations

import html
import io
import json
import subprocess
import sys
import tarfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any, Iterator

from protocolkit.document import DOC_FILENAMES, Document
from protocolkit.findings import InputError, visible

STATUSES = ("changed", "mismatch", "unsigned", "overdue", "unchanged")
DUE_SOON = timedelta(days=60)
KIND_NAMES = {"protocol": "protocol", "dsa": "data-sharing agreement"}


@dataclass
class Outcome:
    """One partnership's review."""

    id: str
    path: str
    status: str
    review_due: date | None = None
    library: list[str] = field(default_factory=list)  # clause ids changed by the library
    partnership: list[str] = field(default_factory=list)  # field paths changed in the partnership file
    clauses: list[str] = field(default_factory=list)  # every clause id that differs
    redlines: list[str] = field(default_factory=list)
    why: str = ""
    # (clause id) -> (title, old text, new text) for the library's changes, to summarise once for the county
    library_texts: dict[str, tuple[str, str, str]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "path": self.path, "status": self.status,
                "review_due": self.review_due.isoformat() if self.review_due else None,
                "changes": {"library": self.library, "partnership": self.partnership, "clauses": self.clauses},
                "redlines": self.redlines}


# -- baselines ----------------------------------------------------------------------------


def _git(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", *args], capture_output=True, check=False, cwd=cwd)
    except FileNotFoundError:
        raise InputError("git is not installed, so --since cannot be read: install git or use --signed") from None


class GitBaseline:
    """The repository as it was at a revision: partnership files and the library, read without a checkout."""

    def __init__(self, rev: str, start: Path, stack_dir: Path):
        if rev.startswith("-"):
            raise InputError(f"--since {rev}: a revision cannot begin with '-'; name one such as HEAD~1 or a tag")
        top = _git("rev-parse", "--show-toplevel", cwd=start if start.is_dir() else start.parent)
        if top.returncode != 0:
            raise InputError(f"{start}: not in a git repository, so --since has nothing to compare with: use "
                             f"--signed with a folder of signed copies")
        self.top = Path(top.stdout.decode().strip()).resolve()
        resolved = _git("rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}", cwd=self.top)
        if resolved.returncode != 0:
            raise InputError(f"--since {rev}: git knows no such revision: check it with git log")
        self.rev = rev
        self.commit = resolved.stdout.decode().strip()
        self.folder = stack_dir

    def relative(self, path: Path) -> str:
        return path.resolve().relative_to(self.top).as_posix()

    def file(self, path: Path) -> bytes | None:
        """The file's bytes at the revision, or None when it did not exist then."""
        blob = _git("cat-file", "blob", f"{self.commit}:{self.relative(path)}", cwd=self.top)
        return blob.stdout if blob.returncode == 0 else None

    def library(self, root: Path) -> Path | None:
        """The library folder as it was, extracted into the baseline's temporary folder; None if it was not there."""
        try:
            rel = self.relative(root)
        except ValueError:
            return root  # the shipped library, outside the repository: the same at every revision
        archive = _git("archive", "--format=tar", self.commit, "--", rel, cwd=self.top)
        if archive.returncode != 0:
            return None
        target = self.folder / "library"
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(target, filter="data")
        return target / rel


# -- one partnership ------------------------------------------------------------------------


_STATE: dict[str, Any] = {}


def _init_worker(state: dict[str, Any]) -> None:
    from protocolkit.stopping import worker_init

    worker_init()
    _STATE.update(state)


def _libraries() -> tuple[Any, Any]:
    from protocolkit.library import load_library

    if "lib" not in _STATE:
        _STATE["lib"] = load_library(Path(_STATE["library"]))
    if "old_lib" not in _STATE:
        old = _STATE.get("old_library")
        _STATE["old_lib"] = load_library(Path(old)) if old else None
    return _STATE["lib"], _STATE["old_lib"]


def _assembled(path: Path, lib: Any) -> tuple[Any, dict[str, Document]] | None:
    from protocolkit.project import assemble_documents, load_partnership

    loaded = load_partnership(path, lib)
    if loaded.model is None or any(f.severity == "error" for f in loaded.findings):
        return None
    docs, problems = assemble_documents(loaded, lib, sorted(lib.documents))
    if any(f.severity == "error" for f in problems):
        return None
    return loaded.model, docs


def review_partnership(path: str) -> Outcome:
    """Review one partnership file against the baseline in this process's state."""
    from protocolkit.check.rules.changed_since_signed import last_signed

    lib, old_lib = _libraries()
    today: date = _STATE["today"]
    current = _assembled(Path(path), lib)
    if current is None:
        return Outcome("", path, "changed", why="the partnership file has errors: run `protocolkit check` on it")
    model, docs = current
    due = model.review_due()
    outcome = Outcome(model.id, path, "unchanged", review_due=due)
    if _STATE["mode"] == "since":
        _against_revision(outcome, Path(path), model, docs, lib, old_lib)
    else:
        entry = last_signed(model)[1]
        _against_copies(outcome, model, docs, entry.signed if entry is not None else None)
    if outcome.status == "unchanged" and due is not None and due - today <= DUE_SOON:
        outcome.status = "overdue"
        outcome.why = f"the review {'was' if due < today else 'is'} due on {due.isoformat()}"
    return outcome


def _against_revision(outcome: Outcome, path: Path, model: Any, docs: dict[str, Document], lib: Any,
                      old_lib: Any) -> None:
    from protocolkit.check.rules.changed_since_signed import last_signed
    from protocolkit.diff.facts import fact_changes
    from protocolkit.diff.tree import diff_documents

    folder = Path(_STATE["work"]) / outcome.id
    folder.mkdir(parents=True, exist_ok=True)
    data = _STATE["baseline_files"].get(str(path))
    if data is None or old_lib is None:
        outcome.status, outcome.why = "unsigned", f"it did not exist at {_STATE['rev']}"
        return
    old_path = folder / "baseline.yaml"
    old_path.write_bytes(data)
    before = _assembled(old_path, old_lib)
    if before is None:
        outcome.status, outcome.why = "unsigned", f"its file at {_STATE['rev']} has errors"
        return
    old_model, old_docs = before
    changed_kinds = [k for k in docs if k in old_docs and docs[k].fingerprint() != old_docs[k].fingerprint()]
    if changed_kinds:
        # the partnership's new facts with the old library: what the library alone did not change (when the file
        # is as it was, that is the baseline itself, and no third assembly is needed)
        if path.read_bytes() == data:
            facts_docs = old_docs
        else:
            held = _assembled(path, old_lib)
            facts_docs = held[1] if held else docs
        outcome.status = "changed"
        # a signature recorded since is not a fact of the document
        outcome.partnership = sorted({c.path for c in fact_changes(old_model, model)
                                      if not (c.path.startswith("history.") and ".signed" in c.path)})
        for kind in changed_kinds:
            total = diff_documents(old_docs[kind], docs[kind])
            outcome.clauses += [c for c in sorted(total.changed_ids()) if c not in outcome.clauses]
            from_library = diff_documents(facts_docs[kind], docs[kind])
            for change in from_library.changed:
                if change.id not in outcome.library:
                    outcome.library.append(change.id)
                    outcome.library_texts[change.id] = (change.new.clause.title, change.old.clause.text,
                                                        change.new.clause.text)
            for placed in from_library.added + from_library.removed:
                if placed.clause.id not in outcome.library:
                    outcome.library.append(placed.clause.id)
            rel = _STATE["relative"].get(str(path), path.name)
            outcome.redlines.append(_redline(outcome, kind, total, f"{_STATE['rev']}:{rel}", rel))
        return
    if last_signed(old_model)[1] is None:
        outcome.status, outcome.why = "unsigned", f"no signature is recorded at {_STATE['rev']}"


def _against_copies(outcome: Outcome, model: Any, docs: dict[str, Document], signed: Any) -> None:
    from protocolkit.diff.tree import diff_documents
    from protocolkit.read import printed_fingerprint, read_document

    root = Path(_STATE["signed_dir"]) / outcome.id
    missing = []
    for kind, doc in docs.items():
        name = DOC_FILENAMES[kind]
        copy = next((root / f"{name}{ext}" for ext in (".docx", ".pdf") if (root / f"{name}{ext}").is_file()), None)
        if copy is None:
            missing.append(KIND_NAMES[kind])
            continue
        now = doc.fingerprint()
        recorded = getattr(signed, kind, "") if signed is not None else ""
        printed = printed_fingerprint(copy)  # (read/: the copy's own statement of what it was built from)
        if copy.suffix.lower() == ".pdf":
            # A PDF's text cannot be read back exactly into the tree it was built from, so the fingerprint it
            # prints stands for it; with no fingerprint printed it is compared as text, and differs.
            old = None
            old_fp = printed or read_document(copy, kind).fingerprint()
            edited = False
        else:
            old = read_document(copy, kind)
            old_fp = old.fingerprint()
            edited = bool(printed) and old_fp != printed  # its text no longer gives the fingerprint it prints
        if old_fp == now and not edited:
            continue
        if edited or (recorded and old_fp != recorded):
            outcome.status = "mismatch"
            outcome.why = (f"the signed {KIND_NAMES[kind]} matches neither today's build nor the fingerprint recorded "
                           f"when it was signed: it was edited after it was built")
        elif outcome.status != "mismatch":
            outcome.status = "changed"
        if old is None:
            outcome.why = outcome.why or (f"the signed {KIND_NAMES[kind]} is a PDF, which gives no redline: keep the "
                                          f".docx beside it for one")
            continue
        total = diff_documents(old, doc)
        outcome.clauses += [c for c in sorted(total.changed_ids()) if c not in outcome.clauses]
        outcome.redlines.append(_redline(outcome, kind, total, f"signed {copy.name}", "today's build"))
    if missing and outcome.status == "unchanged":
        outcome.status, outcome.why = "unsigned", f"no signed copy of the {' or the '.join(missing)}"


def _redline(outcome: Outcome, kind: str, diff: Any, old_label: str, new_label: str) -> str:
    from protocolkit.diff.redline import redline_bytes
    from protocolkit.files import write_file

    out = Path(_STATE["out"]) / outcome.id
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{DOC_FILENAMES[kind]}-redline.docx"
    write_file(target, redline_bytes(diff, old_label, new_label, _STATE.get("template")), record=False)
    return str(target)


# -- the county ---------------------------------------------------------------------------------


def _outcomes(paths: list[str], jobs: int, progress) -> Iterator[Outcome]:
    from protocolkit.parallel import streamed

    state = {k: v for k, v in _STATE.items() if k not in ("lib", "old_lib")}
    return streamed(paths, jobs, review_partnership, progress, _init_worker, (state,))


def review_command(paths: list[Path], since: str | None, signed_dir: Path | None, out: Path, fmt: str,
                   today: date, jobs: int, exit_code: bool, library: Path | None) -> int:
    from protocolkit.files import remove_leftovers
    from protocolkit.library import library_note, load_library, project_library
    from protocolkit.project import discover, shown
    from protocolkit.render.build import _Progress

    if (since is None) == (signed_dir is None):
        raise InputError("review needs one baseline: --since REV (a git revision) or --signed DIR (signed copies)")
    if fmt not in ("text", "json", "markdown", "html"):
        raise InputError(f"--format {fmt!r}: use one of text, json, markdown, html")
    if signed_dir is not None and not signed_dir.is_dir():
        raise InputError(f"--signed {signed_dir}: no such folder (it holds <id>/protocol.docx as build writes them)")
    note = library_note(library, paths)
    if note:
        print(visible(note), file=sys.stderr)
    root = library or project_library(paths)
    lib = load_library(root)
    found = [i.path for i in discover(paths, want_docx=False) if i.kind == "partnership"]
    if not found:
        raise InputError(f"{', '.join(str(p) for p in paths)}: no partnership files found")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{out}: cannot create the output folder: {exc.strerror or exc}") from None
    remove_leftovers(out)  # a redline whose worker a stop killed part way, as build tidies its own
    with TemporaryDirectory(prefix="protocolkit-review-") as tmp:
        _STATE.clear()
        _STATE.update(library=str(lib.root), lib=lib, today=today, out=str(out), work=tmp,
                      mode="since" if since else "signed", template=None)
        if since:
            baseline = GitBaseline(since, found[0], Path(tmp))
            old_root = baseline.library(lib.root)
            _STATE.update(rev=since, old_library=str(old_root) if old_root else None,
                          baseline_files={str(p): baseline.file(p) for p in found},
                          relative={str(p): baseline.relative(p) for p in found})
        else:
            _STATE.update(signed_dir=str(signed_dir), old_library=None)
        outcomes: list[Outcome] = []
        with _Progress(len(found), "Reviewing") as bar:
            for outcome in _outcomes([str(p) for p in found], jobs, bar.advance):
                outcome.path = shown(Path(outcome.path))
                outcomes.append(outcome)
                if fmt == "text":
                    print(visible(text_line(outcome)))  # streamed as each partnership is done
    outcomes.sort(key=lambda o: (STATUSES.index(o.status), o.id))
    page = out / "review.html"
    from protocolkit.files import write_file

    write_file(page, html_report(outcomes, since or f"signed copies in {signed_dir.name}", today).encode("utf-8"),
               record=False)
    if fmt == "json":
        print(json.dumps(json_report(outcomes), indent=2))
    elif fmt == "markdown":
        print(markdown_report(outcomes))
    elif fmt == "html":
        print(html_report(outcomes, since or "signed copies", today))
    else:
        for line in summary_lines(outcomes):
            print(visible(line))
        print(visible(f"report: {page}"))
    must = any(o.status in ("changed", "mismatch", "overdue") for o in outcomes)
    return 1 if exit_code and must else 0


# -- reports ------------------------------------------------------------------------------------


def counts(outcomes: list[Outcome]) -> dict[str, int]:
    return {s: sum(1 for o in outcomes if o.status == s) for s in STATUSES}


def json_report(outcomes: list[Outcome]) -> dict[str, Any]:
    return {"partnerships": [o.as_json() for o in outcomes], "summary": counts(outcomes)}


def text_line(o: Outcome) -> str:
    detail = []
    if o.library:
        detail.append(f"library: {', '.join(o.library)}")
    if o.partnership:
        detail.append(f"facts: {', '.join(o.partnership)}")
    if o.why:
        detail.append(o.why)
    return f"{o.status:9} {o.id or o.path}" + (f"  ({'; '.join(detail)})" if detail else "")


def library_summary(outcomes: list[Outcome]) -> list[tuple[str, str, int, str, str]]:
    """(clause id, title, how many partnerships, old text, new text) for each library change, most first."""
    seen: dict[str, list[Any]] = {}
    for o in outcomes:
        for cid in o.library:
            entry = seen.setdefault(cid, [cid, "", 0, "", ""])
            entry[2] += 1
            if cid in o.library_texts and not entry[1]:
                entry[1], entry[3], entry[4] = o.library_texts[cid]
    return sorted((tuple(v) for v in seen.values()), key=lambda v: (-v[2], v[0]))  # type: ignore[misc]


def summary_lines(outcomes: list[Outcome]) -> list[str]:
    from protocolkit.diff.words import word_diff

    c = counts(outcomes)
    lines = ["", ", ".join(f"{n} {s}" for s, n in c.items() if n) or "no partnerships"]
    for cid, title, n, old, new in library_summary(outcomes):
        lines.append(f"the {title or cid} clause ({cid}) changed in {n} partnership{'s' if n != 1 else ''}")
        if old or new:
            shown_diff = "".join(t if op == "=" else f"[-{t}-]" if op == "-" else f"{{+{t}+}}"
                                 for op, t in word_diff(old, new))
            # only the paragraphs that changed
            lines += ["    " + p for p in shown_diff.split("\n") if "[-" in p or "{+" in p]
    return lines


def markdown_report(outcomes: list[Outcome]) -> str:
    rows = ["| Partnership | Status | Review due | From the library | From its facts | Redlines |", "|---|---|---|---|---|---|"]
    for o in outcomes:
        rows.append(f"| {o.id} | {o.status} | {o.review_due or ''} | {', '.join(o.library)} | "
                    f"{', '.join(o.partnership)} | {', '.join(Path(r).name for r in o.redlines)} |")
    return "\n".join(rows + [""] + [line for line in summary_lines(outcomes) if line])


def html_report(outcomes: list[Outcome], baseline: str, today: date) -> str:
    """One self-contained page: the summary, the clause changes shown once, and a sortable table."""
    from protocolkit.diff.words import word_diff

    e = html.escape
    c = counts(outcomes)
    said = {"changed": "must be signed again", "mismatch": "signed copy edited after signing",
            "unsigned": "not signed", "overdue": "review due", "unchanged": "unchanged"}
    titles = {cid: title for cid, title, *_ in library_summary(outcomes) if title}
    rows = []
    for o in outcomes:
        clauses = ", ".join(f'<span title="{e(c)}">{e(titles.get(c, c))}</span>' for c in o.library)
        facts = ", ".join(e(f.replace(".", " \u203a ")) for f in o.partnership)
        reds = " ".join(f'<a href="{e(Path(r).parent.name)}/{e(Path(r).name)}">{e(Path(r).name)}</a>'
                        for r in o.redlines)
        rows.append(f"<tr class=\"{o.status}\"><td>{e(o.id or o.path)}</td><td>{e(said[o.status])}</td>"
                    f"<td>{o.review_due or ''}</td><td>{clauses}</td>"
                    f"<td>{facts}</td><td>{e(o.why)}</td><td>{reds}</td></tr>")
    changes = []
    for cid, title, n, old, new in library_summary(outcomes):
        marked = "".join(e(t) if op == "=" else f"<del>{e(t)}</del>" if op == "-" else f"<ins>{e(t)}</ins>"
                         for op, t in word_diff(old, new)) if (old or new) else ""
        body = "</p><p>".join(p for p in marked.split("\n") if "<del>" in p or "<ins>" in p)
        changes.append(f"<section><h3>{e(title or cid)} <small>({e(cid)})</small>: changed in {n} "
                       f"partnership{'s' if n != 1 else ''}</h3><p>{body}</p></section>")
    summary = ", ".join(f"{n} {e(said[s])}" for s, n in c.items() if n)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Review of {len(outcomes)} partnerships</title>
<style>
body{{font-family:Arial,sans-serif;margin:2rem;color:#1a1a1a;max-width:70rem}}
table{{border-collapse:collapse;width:100%}}th,td{{border:1px solid #8a94a6;padding:.3rem .5rem;text-align:left;vertical-align:top}}
th{{background:#e8edf3;cursor:pointer}}tr.changed td:nth-child(2),tr.mismatch td:nth-child(2){{color:#9b1c1c;font-weight:bold}}
tr.overdue td:nth-child(2){{color:#8a5a00;font-weight:bold}}del{{background:#fde2e2}}ins{{background:#dcfce7;text-decoration:none}}
</style></head><body>
<h1>Review of {len(outcomes)} partnerships</h1>
<p>Compared with {e(baseline)}, as of {today.isoformat()}: {summary}.</p>
<h2>Clause changes from the library</h2>
{''.join(changes) or '<p>None.</p>'}
<h2>Every partnership</h2>
<p>Select a column heading to sort by it.</p>
<table><thead><tr><th>Partnership</th><th>Status</th><th>Review due</th><th>Changed by the library</th>
<th>Changed in its facts</th><th>Note</th><th>Redlines</th></tr></thead><tbody>
{''.join(rows)}
</tbody></table>
<script>
document.querySelectorAll("th").forEach(function (th, i) {{
  th.tabIndex = 0;
  function sort() {{
    var body = th.closest("table").tBodies[0], rows = Array.from(body.rows);
    var asc = th.dataset.asc !== "1"; th.dataset.asc = asc ? "1" : "0";
    rows.sort(function (a, b) {{ var x = a.cells[i].textContent, y = b.cells[i].textContent;
      return asc ? x.localeCompare(y) : y.localeCompare(x); }});
    rows.forEach(function (r) {{ body.appendChild(r); }});
  }}
  th.addEventListener("click", sort);
  th.addEventListener("keydown", function (ev) {{ if (ev.key === "Enter") sort(); }});
}});
</script>
</body></html>
"""
