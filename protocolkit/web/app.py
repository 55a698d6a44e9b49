"""The web application: the register, the partnership form, the preview and downloads, and review.

A Flask app over one folder. Pages are rendered on the server by Jinja (autoescaping on, so every value from a
file or a form is escaped); every form that posts carries a CSRF token (Flask-WTF); a partnership is named in a
URL by the key the register gave it, never by a path; uploads are limited in size and type. The partnership files
stay the only record: the app keeps nothing of its own but what it has read.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import tempfile
import threading
from collections import OrderedDict
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Flask, abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_wtf.csrf import CSRFError, CSRFProtect
from markupsafe import Markup
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from protocolkit.document import DOC_FILENAMES
from protocolkit.findings import InputError
from protocolkit.web import fields as spec
from protocolkit.web.catalogue import Catalogue, Entry
from protocolkit.web.form import Values, form_values, item_indexes, load_round_trip, request_values
from protocolkit.web.server import is_loopback
from protocolkit.web.validate import Checked, check_values

MAX_UPLOAD = 10 * 1024 * 1024
KIND_WORDS = {"protocol": "protocol", "dsa": "data-sharing agreement"}
TOKEN_COOKIE = "protocolkit-token"  # and the server's own suffix


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _same_token(given: str, token: str) -> bool:
    # as bytes: compare_digest refuses str holding anything but ASCII, and a visitor may send anything
    return hmac.compare_digest(given.encode("utf-8", "replace"), token.encode("utf-8"))


def create_app(root: Path, token: str | None = None, read_only: bool = False) -> Flask:
    """The app serving the partnership files under `root`; with a token, every request must carry it."""
    app = Flask(__name__)
    # A browser sends a host's cookies to every port of it: each server names its own, or a second server on the
    # same computer would replace the first one's session, and with it the token every form of the first carries.
    own = secrets.token_hex(4)
    token_cookie = f"{TOKEN_COOKIE}-{own}"
    app.config.update(SECRET_KEY=secrets.token_bytes(32), MAX_CONTENT_LENGTH=MAX_UPLOAD,
                      SESSION_COOKIE_NAME=f"protocolkit-session-{own}", SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SAMESITE="Strict", WTF_CSRF_TIME_LIMIT=None, TEMPLATES_AUTO_RELOAD=False)
    app.jinja_env.autoescape = True  # for every template, whatever its name
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    _diff_helpers(app)
    state = _State(Catalogue(root), read_only)
    app.extensions["protocolkit"] = state
    state.catalogue.scan()

    @app.before_request
    def _guard() -> Any:
        if token is None:
            # on loopback no token is asked, so a page elsewhere must not reach it by a name of its own that
            # resolves here (DNS rebinding): only the loopback names are answered
            host = (request.host or "").rsplit(":", 1)[0] if not (request.host or "").startswith("[") else \
                (request.host or "").split("]")[0] + "]"
            if not is_loopback(host):  # a loopback address, or localhost: never a name a page elsewhere chose
                return render_template("message.html", title="Not answered at this address",
                                       text="This server answers only at 127.0.0.1 or localhost."), 403
            return None
        given = request.args.get("token")
        if given is not None and _same_token(given, token):
            # as Jupyter does: the token once in the address, then a cookie, and the address without it
            rest = [(k, v) for k, v in request.args.items(multi=True) if k != "token"]
            path = "/" + request.path.lstrip("/")  # never //elsewhere, which a browser reads as another host
            response = redirect(path + ("?" + urlencode(rest) if rest else ""))
            response.set_cookie(token_cookie, token, httponly=True, samesite="Strict")
            return response
        if _same_token(request.cookies.get(token_cookie, ""), token):
            return None
        return render_template("message.html", title="The access token is needed",
                               text="This server runs on a network address, so it asks for the access token it "
                                    "printed when it started. Open the address it printed, with ?token=… at the "
                                    "end, or ask the person who started it for the token."), 403

    # registered after _guard, so that a request without the access token (or from a host name not answered) is
    # turned away before anything else, the CSRF check's own page included
    CSRFProtect(app)

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; "
                                    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.context_processor
    def _context() -> dict[str, Any]:
        return {"read_only": read_only, "folder": str(state.catalogue.root), "kinds": KIND_WORDS}

    # -- the register ---------------------------------------------------------------------

    @app.get("/")
    def register():
        entries = sorted(state.catalogue.scan(), key=lambda e: ((e.facts.title if e.facts else e.shown).lower(),
                                                                   e.shown))
        today = date.today()
        return render_template("register.html", entries=entries, today=today,
                               pending=sum(1 for e in entries if not e.checked))

    # -- the form ---------------------------------------------------------------------------

    @app.get("/new")
    def new():
        return _form_page(state, None, form_values(NEW_PARTNERSHIP), None, "")

    @app.post("/new")
    def create():
        return _save(state, None)

    @app.get("/p/<key>")
    def edit(key: str):
        entry = _entry(state, key)
        raw = entry.path.read_bytes()
        data, problem = _round_trip(raw)
        if problem:
            return _unreadable(state, entry, problem)
        return _form_page(state, entry, form_values(data), None, digest(raw))

    @app.post("/p/<key>")
    def save(key: str):
        entry = state.catalogue.get(key)
        if entry is None:
            # the file went (moved, renamed or removed) while the form was open: what was typed is shown again, to
            # save as a new partnership file, rather than lost to a page that is not there
            return _form_page(state, None, request_values(request.form), None, "", banner=(
                "Not saved: the file this form was editing is no longer in the folder (it was moved, renamed or "
                "removed). Nothing was lost: your entries are below, and saving them makes a new partnership "
                "file.")), 409
        return _save(state, entry)

    @app.post("/validate")
    def validate():
        key = request.form.get("-key", "")
        entry = _entry(state, key) if key else None
        values = request_values(request.form)
        return jsonify(_checked(state, entry, values).as_json())

    # -- preview and downloads -----------------------------------------------------------------

    @app.get("/p/<key>/preview/<kind>")
    def preview(key: str, kind: str):
        from protocolkit.render.html import render_html
        from protocolkit.web.documents import assembled, build_errors, notes

        entry = _entry(state, key)
        _kind(kind)
        made = assembled(entry.path)
        doc = made.documents.get(kind)
        findings = entry.findings or []
        if doc is None or any(f.severity == "error" for f in made.problems):
            return render_template("preview.html", entry=entry, kind=kind, html=None, findings=findings,
                                   others=findings), 200
        by_clause, by_section, others = notes(findings, doc)
        html = Markup(render_html(doc, level=2, clause_notes=by_clause, section_notes=by_section, prefix="doc-"))
        beside = [(f"{c.number} {c.title}", f"doc-c-{c.id}") for c in doc.clauses() if c.id in by_clause]
        beside += [(f"{s.number} {s.title}", f"doc-s-{s.id}") for s in doc.sections if s.id in by_section]
        return render_template("preview.html", entry=entry, kind=kind, html=html, findings=findings, others=others,
                               beside=beside, blocked=build_errors(entry.path, made))

    @app.get("/p/<key>/download/<kind>.<ext>")
    def download(key: str, kind: str, ext: str):
        from protocolkit.web.documents import assembled, build_errors, docx_bytes, pdf_bytes

        entry = _entry(state, key)
        _kind(kind)
        if ext not in ("docx", "pdf"):
            abort(404)
        made = assembled(entry.path)
        errors = build_errors(entry.path, made)
        if errors:
            return render_template("message.html", title="The documents cannot be made yet",
                                   text=f"{entry.shown} has {len(errors)} problem(s) at error severity, and build "
                                        f"writes no documents until they are fixed: open the form to fix them.",
                                   findings=errors, back=url_for("edit", key=key)), 409
        name = f"{made.id}-{DOC_FILENAMES[kind]}"
        try:
            data = docx_bytes(made.documents[kind]) if ext == "docx" else pdf_bytes(made.documents[kind], name)
        except InputError as exc:
            return render_template("message.html", title="No PDF could be made", text=str(exc),
                                   back=url_for("preview", key=key, kind=kind)), 503
        mime = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document" if ext == "docx"
                else "application/pdf")
        return _attachment(data, f"{name}.{ext}", mime)

    # -- review -------------------------------------------------------------------------------

    @app.get("/p/<key>/review")
    def review(key: str):
        from protocolkit.web.documents import compare_with_revision, unchanged_since

        entry = _entry(state, key)
        kind, revs, chosen = _asked_revision(entry)
        # offered first: the latest commit, or the one before it when the file is as the latest commit left it
        offered = revs[1] if len(revs) > 1 and unchanged_since(entry.path, revs[0]) else (revs[0] if revs else None)
        report, problem = None, ""
        if request.args.get("rev") and chosen is None:
            problem = "That revision is not one of this file's: choose one from the list."
        elif chosen is not None:
            try:
                report = compare_with_revision(entry.path, entry.shown, chosen, kind)
            except InputError as exc:
                problem = str(exc)
        return render_template("review.html", entry=entry, kind=kind, revisions=revs, chosen=chosen or offered,
                               report=report, problem=problem,
                               redline=url_for("redline_revision", key=key, rev=chosen.commit, doc=kind)
                               if report is not None and report.differs else None)

    @app.get("/p/<key>/review/redline.docx")
    def redline_revision(key: str):
        from protocolkit.diff.redline import redline_bytes
        from protocolkit.web.documents import compare_with_revision

        entry = _entry(state, key)
        kind, _, chosen = _asked_revision(entry)
        if chosen is None:
            abort(404)
        try:
            report = compare_with_revision(entry.path, entry.shown, chosen, kind)
        except InputError as exc:
            return render_template("message.html", title="No comparison", text=str(exc)), 409
        data = redline_bytes(report.diff, report.old_label, report.new_label)
        return _attachment(data, f"{entry.key}-{DOC_FILENAMES[kind]}-redline.docx", DOCX)

    @app.post("/p/<key>/review")
    def review_upload(key: str):
        from protocolkit.web.documents import compare_upload, revisions, sniffed_upload

        entry = _entry(state, key)
        kind = request.form.get("doc", "protocol")
        _kind(kind)
        upload = request.files.get("copy")
        report, problem, redline = None, "", None
        if upload is None or not upload.filename:
            problem = "Choose the signed copy (.docx or .pdf) to compare, then press Compare."
        else:
            data = upload.stream.read(MAX_UPLOAD + 1)
            try:
                if len(data) > MAX_UPLOAD:
                    raise InputError(f"{upload.filename}: is larger than {MAX_UPLOAD // (1024 * 1024)} MB: upload "
                                     f"the signed document alone")
                suffix = sniffed_upload(data, upload.filename)
                with tempfile.TemporaryDirectory(prefix="protocolkit-upload-") as tmp:
                    copy = Path(tmp) / f"signed{suffix}"
                    copy.write_bytes(data)
                    label = f"signed copy {Path(upload.filename).name}"
                    report = compare_upload(entry.path, entry.shown, copy, label, kind)
                    report.notes = [n.replace(str(copy), label) for n in report.notes]
                if suffix == ".docx" and report.differs:
                    redline = url_for("redline_upload", key=key, ref=state.keep(report))
            except InputError as exc:
                problem = str(exc).replace(str(Path(tempfile.gettempdir())), "…")
        return render_template("review.html", entry=entry, kind=kind, revisions=revisions(entry.path), chosen=None,
                               report=report, problem=problem, redline=redline), (422 if problem else 200)

    @app.get("/p/<key>/review/upload/<ref>.docx")
    def redline_upload(key: str, ref: str):
        from protocolkit.diff.redline import redline_bytes

        entry = _entry(state, key)
        report = state.kept(ref)
        if report is None:
            return render_template("message.html", title="That comparison is no longer held",
                                   text="Upload the signed copy again to make its tracked-changes document.",
                                   back=url_for("review", key=key)), 404
        data = redline_bytes(report.diff, report.old_label, report.new_label)
        return _attachment(data, f"{entry.key}-{DOC_FILENAMES[report.kind]}-redline.docx", DOCX)

    # -- errors ---------------------------------------------------------------------------------

    @app.errorhandler(CSRFError)
    def _csrf(exc):
        if request.endpoint in ("save", "create"):
            entry = state.catalogue.get(request.view_args.get("key", "")) if request.view_args else None
            return _form_page(state, entry, request_values(request.form), None, request.form.get("-digest", ""),
                              banner="Not saved: this form's security token has expired (the server was "
                                     "restarted, or the page was open a long time). Nothing was lost: your "
                                     "entries are below. Press Save again."), 400
        if request.endpoint == "validate":
            return jsonify({"expired": True}), 400
        return render_template("message.html", title="This form has expired",
                               text="Its security token has expired (the server was restarted, or the page was "
                                    "open a long time). Go back, reload the page and try again."), 400

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(exc):
        return render_template("message.html", title="That file is too large",
                               text=f"Uploads are limited to {MAX_UPLOAD // (1024 * 1024)} MB: upload the signed "
                                    f"document alone."), 413

    @app.errorhandler(HTTPException)
    def _http(exc):
        return render_template("message.html", title=exc.name, text=_HTTP_WORDS.get(exc.code or 0, exc.description)), \
            exc.code or 500

    @app.errorhandler(InputError)
    def _input(exc):
        return render_template("message.html", title="That cannot be done", text=str(exc)), 409

    @app.errorhandler(OSError)
    def _os(exc):  # a file that went or cannot be read between the register and the request
        where = f"{Path(exc.filename).name}: " if getattr(exc, "filename", None) else ""
        return render_template("message.html", title="The file cannot be read",
                               text=f"{where}{exc.strerror or exc}. Go back to the register and try again."), 409

    return app


def _diff_helpers(app: Flask) -> None:
    """The diff report's own wording, for the review page's template."""
    from protocolkit.diff.facts import shown_value
    from protocolkit.diff.report import (body_diff, fact_clauses, heading_diff, move_line, placed_heading, summary,
                                         whole_clause)
    from protocolkit.render.pdf import find_soffice

    app.jinja_env.globals.update(summary=summary, shown_value=shown_value, fact_clauses=fact_clauses,
                                 placed_heading=placed_heading, whole_clause=whole_clause, move_line=move_line,
                                 heading_diff=heading_diff, body_diff=body_diff, soffice=find_soffice() is not None)


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_HTTP_WORDS = {404: "There is nothing at this address. Go back to the register to find the partnership.",
               405: "This address does not take that kind of request."}

# What a new partnership's form starts with: the choices most partnerships make, and room for one school.
NEW_PARTNERSHIP: dict[str, Any] = {
    "version": "1.0", "marking": "OFFICIAL", "schools": [{}],
    "deployment": {"officer": "police-officer", "model": "dedicated", "days_per_week": 5},
    "officers": [{}], "supervisor": {"rank": "Sergeant"},
    "signatories": [{"party": "force", "role": "Neighbourhood Inspector"}, {"role": "Head Teacher"}],
    "history": [{"version": "1.0", "summary": "First protocol"}],
}


class _State:
    """What the app holds between requests: the catalogue of files, and recent comparisons for their redlines."""

    def __init__(self, catalogue: Catalogue, read_only: bool):
        self.catalogue = catalogue
        self.read_only = read_only
        self.write_lock = threading.Lock()  # one save at a time: the check that the file is unchanged, then the write
        self._reports: OrderedDict[str, Any] = OrderedDict()

    def keep(self, report: Any) -> str:
        ref = secrets.token_urlsafe(12)
        self._reports[ref] = report
        while len(self._reports) > 20:
            self._reports.popitem(last=False)
        return ref

    def kept(self, ref: str) -> Any:
        return self._reports.get(ref)


def _asked_revision(entry: Entry) -> tuple[str, list, Any]:
    """The document (?doc=) and the revision (?rev=) a review page asks for, with the file's revisions; the
    revision is None when it is not one of them."""
    from protocolkit.web.documents import revisions

    kind = request.args.get("doc", "protocol")
    _kind(kind)
    revs = revisions(entry.path)
    return kind, revs, next((r for r in revs if r.commit == request.args.get("rev")), None)


def _kind(kind: str) -> None:
    if kind not in KIND_WORDS:
        abort(404)


def _entry(state: _State, key: str) -> Entry:
    entry = state.catalogue.get(key)
    if entry is None:
        abort(404)
    return entry


def _attachment(data: bytes, name: str, mime: str):
    import io

    return send_file(io.BytesIO(data), mimetype=mime, as_attachment=True, download_name=name)


def _round_trip(raw: bytes) -> tuple[Any, str]:
    """The file's round-trip data, or why the form cannot open it."""
    from protocolkit.load import YamlProblem, parse_yaml

    try:
        text = raw.decode("utf-8-sig")
        parse_yaml(text, "the file")  # the loader's bounds and messages first
        data = load_round_trip(text)
    except UnicodeDecodeError:
        return None, "the file is not UTF-8 text: save it as UTF-8"
    except YamlProblem as problem:
        return None, f"line {problem.finding.line}, column {problem.finding.column}: {problem.finding.message}"
    except Exception as exc:  # noqa: BLE001 - ruamel's own parser may refuse what libyaml took
        return None, f"YAML syntax: {exc}"
    if not isinstance(data, dict):
        return None, "the file is not a set of 'key: value' lines, as a partnership file is"
    return data, ""


def _unreadable(state: _State, entry: Entry, problem: str):
    return render_template("message.html", title=f"{entry.shown} cannot be opened in the form",
                           text=f"{problem}. Fix it in a text editor (check shows where), then reload this page.",
                           findings=entry.findings or []), 409


def _library_view(state: _State, entry: Entry | None) -> dict[str, Any]:
    """The library's clauses, sections and placeholders, for the form's clause choices."""
    from protocolkit.assemble import CONTEXT_FIELDS
    from protocolkit.web.documents import library_for

    lib = library_for(entry.path if entry else state.catalogue.root / "partnership.yaml")
    titles = {s.id: s.title for spec_ in lib.documents.values() for s in spec_.sections}
    sections: dict[str, str] = {}
    for spec_ in lib.documents.values():
        for s in spec_.sections:
            sections.setdefault(s.id, s.title)
    clauses = [lc.model for lc in lib.clauses.values() if lc.model.status == "active"]
    optional = [c for c in clauses if c.optional]
    standard: dict[str, list] = {}
    for c in clauses:
        if not c.optional:
            standard.setdefault(titles.get(c.section, c.section), []).append(c)
    placeholders = []
    for root, attrs in sorted(CONTEXT_FIELDS.items()):
        if attrs:
            placeholders += [f"{root}.{a}" for a in sorted(attrs)]
        else:
            placeholders.append(root)
    return {"optional": optional, "standard": standard, "sections": sections,
            "clause_ids": sorted(lib.clauses), "placeholders": placeholders}


def _target(state: _State, entry: Entry | None, values: Values) -> Path:
    if entry is not None:
        return entry.path
    ident = str(values.get("id", "")).strip() or "new-partnership"
    try:
        return state.catalogue.new_file_path(ident if _safe_name(ident) else "new-partnership")
    except InputError:
        return state.catalogue.root / "new-partnership.yaml"


def _safe_name(ident: str) -> bool:
    from protocolkit.model.base import SLUG, WINDOWS_RESERVED

    return bool(SLUG.fullmatch(ident)) and ident not in WINDOWS_RESERVED and len(ident) <= 100


def _checked(state: _State, entry: Entry | None, values: Values, raw: bytes | None = None) -> Checked:
    """The form's values checked as the file they make (for an entry, merged onto the file as it is now, or as
    `raw` holds it), with the project's own clause library, as `check` of the file would."""
    from protocolkit.library import project_library
    from protocolkit.scaffold import schema_reference

    base, original = None, None
    if entry is not None:
        try:
            original = (raw if raw is not None else entry.path.read_bytes()).decode("utf-8-sig")
            base, _ = _round_trip(original.encode("utf-8"))
        except (OSError, UnicodeDecodeError):
            base, original = None, None
    target = _target(state, entry, values)
    return check_values(values, base, original, target, project_library([target]),
                        schema_ref=schema_reference(target))


def _form_page(state: _State, entry: Entry | None, values: Values, checked: Checked | None, file_digest: str,
               banner: str = "", status: str = "", focus: str = ""):
    labels = _labels(values)
    summary = []
    if checked is not None:
        for name, messages in checked.fields.items():
            for m in messages:
                if m.severity == "error":
                    summary.append((_anchor(name, labels), _place(name, labels), m.text))
        order = {name: i for i, name in enumerate(labels)}
        summary.sort(key=lambda item: order.get(item[0].removeprefix("f-"), len(order)))
    if entry is None:
        page_title = "New partnership"
    else:
        page_title = f"Edit {entry.facts.title if entry.facts else entry.shown}"
    return render_template("form.html", page_title=page_title, focus=focus, entry=entry, values=values, checked=checked, digest=file_digest,
                           groups=spec.GROUPS, items=item_indexes, banner=banner, status=status, summary=summary,
                           library=_library_view(state, entry), parties=_parties(values), labels=labels)


def _anchor(name: str, labels: dict[str, str]) -> str:
    """Where the list of problems links to: the input, or the list item or list the problem concerns."""
    if name in labels:
        return f"f-{name}"
    return f"item-{name}" if re.search(r"\.\d+$", name) else f"legend-{name}"


def _place(name: str, labels: dict[str, str]) -> str:
    if name in labels:
        return labels[name]
    group = next((g for g in spec.GROUPS if name == g.key or name.startswith(g.key + ".")), None)
    if group is None:
        return name
    if name == group.key:
        return group.legend
    index = name.rsplit(".", 1)[-1]
    items = [str(i) for i in item_indexes(labels, group.key)]
    return f"{group.item.capitalize()} {items.index(index) + 1 if index in items else index}"


def _parties(values: Values) -> list[str]:
    keys = ["force", "local-authority"]
    keys += [str(values[n]) for n in values if n.startswith("schools.") and n.endswith(".id") and values[n]]
    return list(dict.fromkeys(keys))


def _labels(values: Values) -> dict[str, str]:
    """Each input's label, with its group and item, for the list of problems at the top of the form."""
    out: dict[str, str] = {}

    def walk(group: spec.Group, prefix: str, where: str) -> None:
        for f in group.fields:
            out[f"{prefix}.{f.key}" if prefix else f.key] = f"{where}: {f.label}"
        for part in group.parts:
            walk(part, f"{prefix}.{part.key}", f"{where}, {part.legend}")

    for group in spec.GROUPS:
        if group.list or group.mapping_key:
            for n, i in enumerate(item_indexes(values, group.key), start=1):
                walk(group, f"{group.key}.{i}", f"{group.item.capitalize()} {n}")
        else:
            walk(group, group.key, group.legend)
    out.update({n: "Optional clauses" for n in spec.CHOICE_LISTS})
    return out


def _add_or_remove(values: Values) -> tuple[Values, str, str]:
    """The values with a list item added or removed (the form's Add and Remove buttons), a status line and the id
    of the input to go to."""
    add, remove = request.form.get("-add", ""), request.form.get("-remove", "")
    groups = {g.key: g for g in spec.GROUPS if g.list or g.mapping_key}
    if add in groups:
        group = groups[add]
        n = max(item_indexes(values, add), default=-1) + 1
        values[f"{add}.{n}._from"] = ""
        first = group.fields[0].key
        values.setdefault(f"{add}.{n}.{first}", "")
        return values, f"Added a {group.item}: fill in its details below, then press Save.", f"f-{add}.{n}.{first}"
    prefix, _, index = remove.rpartition(".")
    if prefix in groups and index.isdigit():
        gone = f"{remove}."
        values = {k: v for k, v in values.items() if not k.startswith(gone)}
        return values, f"Removed the {groups[prefix].item}. Press Save to keep the change.", f"legend-{prefix}"
    return values, "", ""


def _save(state: _State, entry: Entry | None):
    """Save the form to its file, or show it again with what is wrong; nothing typed is ever lost."""
    from protocolkit.files import write_file

    values = request_values(request.form)
    opened = request.form.get("-digest", "")
    if request.form.get("-add") or request.form.get("-remove"):
        values, status, focus = _add_or_remove(values)
        return _form_page(state, entry, values, None, opened, status=status, focus=focus)
    if state.read_only:
        checked = _checked(state, entry, values)
        return _form_page(state, entry, values, checked, opened,
                          banner="Not saved: these are protocolkit's shipped examples, which are read-only. Run "
                                 "protocolkit serve on a folder of your own (protocolkit init makes one) to save."), 403
    with state.write_lock:
        if entry is not None:
            try:
                now = entry.path.read_bytes()
            except OSError as exc:
                return _form_page(state, entry, values, None, opened,
                                  banner=f"Not saved: {entry.shown} cannot be read now ({exc.strerror}). Nothing "
                                         f"was lost: your entries are below."), 409
            if not hmac.compare_digest(digest(now), opened):
                return _form_page(state, entry, values, None, opened, banner=_CHANGED.format(shown=entry.shown)), 409
        checked = _checked(state, entry, values, now if entry is not None else None)
        if checked.errors:
            return _form_page(state, entry, values, checked, opened, banner=(
                f"Not saved: {checked.errors} problem{'s' if checked.errors != 1 else ''} to put right first, "
                f"shown beside {'their fields' if checked.errors != 1 else 'its field'}.")), 422
        target = _target(state, entry, values)
        if entry is None and target.exists():
            checked.fields.setdefault("id", []).insert(0, _exists(target, state))
            return _form_page(state, entry, values, checked, opened, banner=(
                "Not saved: a partnership file with that short name already exists.")), 409
        if entry is not None and _changed_since(entry.path, opened):  # while it was being checked, by an editor
            return _form_page(state, entry, values, None, opened, banner=_CHANGED.format(shown=entry.shown)), 409
        try:
            write_file(target, checked.text.encode("utf-8"), what="partnership file", record=True)
        except InputError as exc:
            return _form_page(state, entry, values, checked, opened,
                              banner=f"Not saved: {exc}. Nothing was lost: your entries are below."), 409
        saved = state.catalogue.added(target)
    flash(f"Saved {saved.shown}.")
    return redirect(url_for("edit", key=saved.key), code=303)


_CHANGED = ("Not saved: {shown} was changed (in another tab, by someone else, or in an editor) after you opened "
            "this form, and saving would overwrite those changes. Nothing was lost: your entries are still below, and "
            "the file keeps the other changes. Open the file again in a new tab to see them, copy your changes "
            "across, and save there.")


def _changed_since(path: Path, opened: str) -> bool:
    try:
        return not hmac.compare_digest(digest(path.read_bytes()), opened)
    except OSError:
        return True


def _exists(target: Path, state: _State):
    from protocolkit.web.validate import Message

    shown = target.relative_to(state.catalogue.root).as_posix()
    return Message("error", f"{shown} already exists: choose another short name, or open that partnership from the "
                            f"register", "exists")
