"""`protocolkit serve` and the HTML writer: unit tests, then the real server driven by a real browser."""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import EXAMPLES
from protocolkit.library import load_library
from protocolkit.project import assemble_documents, load_partnership
from protocolkit.render.html import Note, render_html


def _document(name: str = "northgate-high.yaml", kind: str = "protocol"):
    lib = load_library()
    loaded = load_partnership(EXAMPLES / name, lib)
    docs, problems = assemble_documents(loaded, lib, [kind])
    assert not [f for f in problems if f.severity == "error"]
    return docs[kind]


def test_html_writer_escapes_every_value_and_places_notes_beside_their_clause():
    doc = _document()
    doc.metadata.subtitle = "St Mary & St John's <script>alert(1)</script>"
    first = doc.clauses()[0]
    first.paragraphs[0].text = "<b>bold</b> & \"quoted\""
    html = render_html(doc, level=2, clause_notes={first.id: [Note("warning", "a <i>note</i>", "rule, x:1:1")]})
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt; &amp;" in html
    assert html.count("<h2 ") == 1 and "<h3 " in html and "<h4 " in html and "<h1" not in html
    clause = html.split(f'data-clause="{first.id}"', 1)[1].split("</section>", 1)[0]
    assert 'class="note note-warning"' in clause and "a &lt;i&gt;note&lt;/i&gt;" in clause
    # every section and clause is there, numbered, in document order
    positions = [html.index(f'id="ch-{c.id}"') for c in doc.clauses()]
    assert positions == sorted(positions) and len(positions) == len(doc.clauses())
    assert f">{doc.sections[0].number}</span>" in html


def test_html_writer_writes_bullets_as_lists_and_signatories_as_a_table():
    doc = _document("harbour-cluster.yaml")
    html = render_html(doc)
    bullets = [p for c in doc.clauses() for p in c.paragraphs if p.style == "bullet"]
    assert bullets and html.count("<li>") >= len(bullets)
    assert '<table class="signatories">' in html
    for s in doc.metadata.signatories:
        assert s.name.split()[-1] in html
    assert doc.fingerprint() in html


# -- the form's data: what the form sends, applied onto the file --------------------------------------


def _round_trip(name: str):
    from protocolkit.web.form import form_values, load_round_trip, merged, yaml_text

    text = (EXAMPLES / name).read_text(encoding="utf-8")
    data = load_round_trip(text)
    return text, data, form_values(data), (lambda values: yaml_text(merged(values, data).data, text))


def test_saving_an_unchanged_form_writes_every_example_byte_for_byte():
    for path in sorted(EXAMPLES.glob("*.yaml")):
        text, _, values, save = _round_trip(path.name)
        assert save(values) == text, path.name


def test_a_changed_value_changes_its_line_and_no_other():
    import difflib

    text, _, values, save = _round_trip("harbour-cluster.yaml")
    values["deployment.hours"] = "08:15 to 16:00 on school days"
    values["schools.1.name"] = "Quayside Primary & Nursery School"
    out = save(values)
    changed = [line for line in difflib.ndiff(text.splitlines(), out.splitlines()) if line[:1] in "+-"]
    assert len(changed) == 4, changed
    assert "Quayside Primary & Nursery School" in out and "08:15 to 16:00" in out
    assert [line for line in text.splitlines() if line.lstrip().startswith("#")] == \
        [line for line in out.splitlines() if line.lstrip().startswith("#")]


def test_removing_and_adding_list_items_keeps_the_others_and_their_comments():
    from protocolkit.load import parse_yaml
    from protocolkit.model import Partnership

    text, data, values, save = _round_trip("wensum-valley-pcso.yaml")
    schools = [s["name"] for s in data["schools"]]
    gone = "schools.1."
    values = {k: v for k, v in values.items() if not k.startswith(gone)}
    values.update({"officers.9._from": "", "officers.9.name": "Sam O'Neill", "officers.9.rank": "PCSO"})
    out = save(values)
    model = Partnership.model_validate(parse_yaml(out, "x").data)
    assert [s.name for s in model.schools] == [n for i, n in enumerate(schools) if i != 1]
    assert model.officers[-1].name == "Sam O'Neill"
    assert [line for line in text.splitlines() if line.lstrip().startswith("#")] == \
        [line for line in out.splitlines() if line.lstrip().startswith("#")]


def test_form_messages_are_checks_own_placed_beside_their_fields(tmp_path):
    from protocolkit.web.form import load_round_trip
    from protocolkit.web.validate import check_values

    text, data, values, _ = _round_trip("northgate-high.yaml")
    values.update({"in_force": "31/09/2026", "schools.0.urn": "12345", "schools.0.spoc.name": "",
                   "force.name": "Dyfed-Powys Police", "deployment.days_per_week": "five"})
    checked = check_values(values, load_round_trip(text), text, tmp_path / "northgate-high.yaml", None)
    words = {name: " ".join(m.text for m in ms) for name, ms in checked.fields.items()}
    assert "'31/09/2026' is not a date that exists" in words["in_force"] and "30/09/2026" in words["in_force"]
    assert "six digits" in words["schools.0.urn"]
    assert words["schools.0.spoc.name"] == "This is needed: fill it in"
    assert "Wales" in words["force.name"]
    assert "not a number" in words["deployment.days_per_week"]
    assert checked.errors == 5 and not checked.general


def test_the_forms_check_honours_per_path_ignores_as_check_does_for_the_file_itself(tmp_path):
    from protocolkit.web.form import load_round_trip
    from protocolkit.web.validate import check_values

    text, data, values, _ = _round_trip("northgate-high.yaml")
    values.update({"variables.70._from": "", "variables.70._key": "law",
                   "variables.70.value": "under the Data Protection Act 1998"})
    target = tmp_path / "partnerships" / "northgate-high.yaml"

    def rules() -> set[str]:
        checked = check_values(values, load_round_trip(text), text, target, None)
        return {m.rule for ms in checked.fields.values() for m in ms}

    before = rules()
    assert before == {"dated-reference"}
    config = tmp_path / "protocolkit.yaml"
    config.write_text('check:\n  per-path-ignores:\n    "partnerships/north*": [dated-reference]\n', encoding="utf-8")
    assert rules() == set()  # the form's temporary copy is ignored as the file itself would be
    config.write_text('check:\n  per-path-ignores:\n    "other/*": [dated-reference]\n', encoding="utf-8")
    assert rules() == before


def test_a_name_given_twice_or_left_out_in_the_form_is_refused_beside_its_row_not_saved_as_one(tmp_path):
    from protocolkit.web.form import load_round_trip
    from protocolkit.web.validate import check_values

    text, data, values, _ = _round_trip("harbour-cluster.yaml")
    first = sorted(k for k in values if k.startswith("variables.") and k.endswith("._key"))[0]
    values.update({"variables.70._from": "", "variables.70._key": f"  {values[first]} ", "variables.70.value": "x",
                   "clauses.overrides.80._from": "", "clauses.overrides.80._key": "finance.facilities",
                   "clauses.overrides.80.text": "A desk.",
                   "clauses.overrides.81._from": "", "clauses.overrides.81._key": "finance.facilities",
                   "clauses.overrides.81.text": "A room.",
                   "variables.71._from": "", "variables.71._key": " ", "variables.71.value": "y"})
    checked = check_values(values, load_round_trip(text), text, tmp_path / "harbour-cluster.yaml", None)
    words = {name: " ".join(m.text for m in ms) for name, ms in checked.fields.items()}
    assert f"'{values[first]}' is already given above" in words["variables.70._key"]
    assert "change this name, or remove one of the two" in words["variables.70._key"]
    assert "'finance.facilities' is already given above" in words["clauses.overrides.81._key"]
    assert words["variables.71._key"] == "This is needed: fill it in"  # a value with no name is not saved as ''
    assert "clauses.overrides.80._key" not in words and first not in words
    assert checked.errors == 3


def test_an_invisible_control_character_is_said_beside_each_input_it_was_typed_into(tmp_path):
    from protocolkit.web.form import load_round_trip
    from protocolkit.web.validate import check_values

    text, data, values, _ = _round_trip("northgate-high.yaml")
    values.update({"force.name": "Northshire\x07 Police", "schools.0.name": "A\x0bB", "marking": "OFFICIAL\x1f",
                   "deployment.hours": "08:30 to 15:30\u2028on school days",
                   "variables.70._from": "", "variables.70._key": "a\x01b", "variables.70.value": "x\x7f"})
    checked = check_values(values, load_round_trip(text), text, tmp_path / "northgate-high.yaml", None)
    words = {name: " ".join(m.text for m in ms) for name, ms in checked.fields.items()}
    for name, code in (("force.name", "0007"), ("schools.0.name", "000B"), ("variables.70._key", "0001"),
                       ("variables.70.value", "007F")):
        assert words[name].startswith(f"Control character U+{code} cannot go into a document: remove it"), name
    assert words["deployment.hours"].startswith("Invisible character U+2028 (line separator)")
    assert "marking" not in words  # the form strips what it saves, \x1f at the end included: nothing to refuse
    assert not checked.general and checked.errors == 5  # not one message at a line of a file the user never sees


# -- the real server, in a real browser ------------------------------------------------------------

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = os.environ.get("PROTOCOLKIT_SCREENSHOTS")  # a folder to save the pages' screenshots in, to look at them
NEW_SCHOOL = "Kestrel Meadow Primary School"


def _protocolkit() -> list[str]:
    found = shutil.which("protocolkit", path=os.path.dirname(sys.executable)) or shutil.which("protocolkit")
    return [found] if found else [sys.executable, "-m", "protocolkit.cli"]


def _git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=test@example.org", "-c", "user.name=test", *args], cwd=folder,
                   check=True, capture_output=True)


class Server:
    """`protocolkit serve` in its own process, and the address it printed."""

    def __init__(self, folder: Path | None, *args: str, cwd: Path | None = None):
        self.folder = folder
        where = [str(folder)] if folder is not None else []
        self.proc = subprocess.Popen([*_protocolkit(), "serve", *where, "--port", "0", *args], cwd=cwd or folder,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.printed: list[str] = []
        lines: queue.Queue = queue.Queue()
        # a thread reads what it prints: select() on a pipe would miss lines already in the reader's buffer
        threading.Thread(target=lambda: [lines.put(line) for line in self.proc.stdout], daemon=True).start()
        self.url = ""
        while not self.url:
            try:
                line = lines.get(timeout=60)
            except queue.Empty:
                line = ""
            if not line:
                self.proc.kill()
                pytest.fail(f"protocolkit serve printed no address: {''.join(self.printed)}{self.proc.stderr.read()}")
            self.printed.append(line)
            m = re.match(r"open (http://\S+)", line)
            if m:
                self.url = m.group(1).split("?")[0].rstrip("/")
                self.opened = m.group(1)

    def stop(self) -> tuple[int, str]:
        self.proc.send_signal(signal.SIGINT)
        try:
            _, err = self.proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise
        return self.proc.returncode, err


@pytest.fixture(scope="module")
def county(tmp_path_factory) -> Path:
    """A repository made by `protocolkit init`, with two example partnerships beside its own, in git."""
    folder = tmp_path_factory.mktemp("serve") / "county"
    made = subprocess.run([*_protocolkit(), "init", str(folder)], capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    for name in ("northgate-high.yaml", "harbour-cluster.yaml"):
        shutil.copyfile(EXAMPLES / name, folder / "partnerships" / name)
    # a local clause that cites a repealed law: check's finding stands beside that clause in the preview
    beacon = (EXAMPLES / "beacon-pru.yaml").read_text(encoding="utf-8").replace("\nhistory:", (
        "\nclauses:\n  local:\n    - {id: local.old-law, title: Records, section: information-sharing, "
        "text: \"Records are kept under the Data Protection Act 1998.\"}\nhistory:"), 1)
    (folder / "partnerships" / "beacon-pru.yaml").write_text(beacon, encoding="utf-8")
    _git(folder, "init", "-q")
    _git(folder, "add", "-A")
    _git(folder, "commit", "-qm", "the county's partnerships")
    return folder


@pytest.fixture(scope="module")
def server(county):
    running = Server(county)
    yield running
    code, err = running.stop()
    assert code == 130, err  # Ctrl-C: 130 and one line, as every command
    assert err.strip().splitlines()[-1].startswith("protocolkit: stopped by Ctrl-C (SIGINT)"), err


@pytest.fixture(scope="session")
def browser(chromium):
    if os.environ.get("CI", "").lower() != "true":
        pytest.importorskip("playwright.sync_api")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, tmp_path):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(20_000)
    yield context.new_page()
    context.close()


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=name == "register")


def _field(page, name: str):
    return page.locator(f'[name="{name}"]')


def _message(page, name: str):
    return page.locator(f'[id="f-{name}-msg"]')


def _serious(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]


@pytest.mark.browser
def test_a_new_partnership_made_in_the_form_checks_clean_previews_and_downloads(server, page, county, tmp_path):
    page.goto(server.url + "/")
    assert NEW_SCHOOL not in page.content()
    page.get_by_role("link", name="New partnership").first.click()
    page.wait_for_selector("h1:has-text('New partnership')")
    _field(page, "id").fill("kestrel-meadow")
    date_field = _field(page, "in_force")
    date_field.fill("31/09/2026")
    date_field.press("Tab")
    message = _message(page, "in_force")
    message.locator(".msg-error").wait_for()
    assert "'31/09/2026' is not a date that exists" in message.inner_text()
    assert "f-in_force-msg" in date_field.get_attribute("aria-describedby")
    assert date_field.get_attribute("aria-invalid") == "true"
    _shot(page, "form-with-message")
    assert not _serious(page)
    date_field.fill("01/09/2026")
    date_field.press("Tab")
    from playwright.sync_api import expect

    expect(message.locator(".msg")).to_have_count(0)
    assert date_field.get_attribute("aria-invalid") is None

    _field(page, "schools.0.name").fill(NEW_SCHOOL)
    _field(page, "schools.0.name").press("Tab")
    assert _field(page, "schools.0.id").input_value() == "kestrel-meadow-primary"  # suggested from the name
    for name, value in {
        "force.name": "Norfolk Constabulary", "schools.0.id": "kestrel",
        "schools.0.urn": "199999", "schools.0.trust": "Wildfowl Learning Trust",
        "schools.0.head_teacher.name": "Ms Amara Okafor", "schools.0.spoc.name": "Dan Whitlock",
        "schools.0.dsl.name": "Ruth Penhaligon", "officers.0.name": "Jo Marsh", "officers.0.rank": "PC",
        "supervisor.name": "Lee Brandt", "signatories.0.name": "Inspector Ravi Bhatt",
        "signatories.1.party": "kestrel", "signatories.1.name": "Ms Amara Okafor",
        "history.0.date": "14/07/2026", "history.0.author": "Sergeant Lee Brandt",
    }.items():
        _field(page, name).fill(value)
    _field(page, "schools.0.phase").select_option("primary")
    _field(page, "schools.0.status").select_option("academy")
    page.locator("button[name='-save']").first.click()
    page.wait_for_selector("text=Saved partnerships/kestrel-meadow.yaml")

    saved = county / "partnerships" / "kestrel-meadow.yaml"
    checked = subprocess.run([*_protocolkit(), "check", str(saved)], capture_output=True, text=True, cwd=county)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert saved.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=../schemas/")

    page.get_by_role("link", name="Preview the protocol").click()
    page.wait_for_selector(f"h1:has-text('{NEW_SCHOOL}')")
    assert page.locator("article.document section.clause").count() > 20
    with page.expect_download() as got:
        page.get_by_role("link", name="Download the protocol (.docx)").click()
    target = tmp_path / got.value.suggested_filename
    got.value.save_as(target)
    assert target.name == "kestrel-meadow-protocol.docx"
    import docx

    text = "\n".join(p.text for p in docx.Document(str(target)).paragraphs)
    assert NEW_SCHOOL in text

    page.goto(server.url + "/")
    assert NEW_SCHOOL in page.content()


@pytest.mark.browser
def test_the_second_of_two_tabs_is_refused_with_nothing_lost(server, page, county):
    path = county / "partnerships" / "northgate-high.yaml"
    page.goto(server.url + "/p/northgate-high")
    second = page.context.new_page()
    second.goto(server.url + "/p/northgate-high")
    _field(page, "deployment.hours").fill("08:00 to 16:00 on school days")
    page.locator("button[name='-save']").first.click()
    page.wait_for_selector("text=Saved partnerships/northgate-high.yaml")
    after_first = path.read_bytes()
    assert b"08:00 to 16:00 on school days" in after_first

    _field(second, "version").fill("1.1")
    _field(second, "schools.0.dsl.name").fill("Priya Shah-Reynolds")
    second.locator("button[name='-save']").first.click()
    banner = second.locator("#banner")
    banner.wait_for()
    assert "Not saved" in banner.inner_text() and "was changed" in banner.inner_text()
    assert _field(second, "version").input_value() == "1.1"
    assert _field(second, "schools.0.dsl.name").input_value() == "Priya Shah-Reynolds"
    assert path.read_bytes() == after_first


@pytest.mark.browser
def test_register_form_and_preview_pass_the_accessibility_check(server, page):
    page.goto(server.url + "/")
    for _ in range(120):  # the register's worker checks the files in the background: wait until it has
        if not page.locator(".pending").count():
            break
        time.sleep(0.5)
        page.reload()
    assert "1 error" in page.locator("tr", has_text="The Beacon Centre").inner_text()
    _shot(page, "register")
    assert not _serious(page)
    assert page.locator("h1").count() == 1 and page.locator("html").get_attribute("lang") == "en-GB"
    # the register sorts from the keyboard
    button = page.get_by_role("button", name="Next review")
    button.focus()
    page.keyboard.press("Enter")
    assert button.locator("xpath=..").get_attribute("aria-sort") == "ascending"
    dues = page.locator("tbody tr td:nth-child(6)").evaluate_all("cells => cells.map(c => c.dataset.value)")
    assert dues == sorted(dues)

    page.goto(server.url + "/p/northgate-high")
    assert not _serious(page)
    page.goto(server.url + "/p/beacon-pru/preview/protocol")
    note = page.locator('[data-clause="local.old-law"] .note-error')
    assert "Data Protection Act 1998" in note.inner_text()
    assert page.get_by_role("link", name="Download the protocol (.docx)").count() == 0  # build would refuse it
    page.get_by_role("link", name=re.compile(r"\d+\.\d+ Records")).click()
    _shot(page, "preview")
    assert not _serious(page)
    assert page.locator("h1").count() == 1
    page.goto(server.url + "/p/no-such-partnership")  # the pages that say something went wrong, too
    assert "nothing at this address" in page.content() and not _serious(page)


@pytest.mark.browser
def test_review_against_a_revision_and_a_signed_copy(server, page, county, tmp_path):
    page.goto(server.url + "/p/harbour-cluster")
    _field(page, "deployment.hours").fill("08:30 to 15:30 on school days")
    page.locator("button[name='-save']").first.click()
    page.wait_for_selector("text=Saved")
    page.goto(server.url + "/p/harbour-cluster/review")
    page.get_by_role("button", name="Compare").first.click()
    page.wait_for_selector("#report-title")
    assert page.locator("section.clause.changed ins").count() >= 1
    assert "08:30" in page.locator("section.report").inner_text()
    assert not _serious(page)
    with page.expect_download() as got:
        page.get_by_role("link", name="Download the tracked-changes .docx").click()
    redline = tmp_path / "redline.docx"
    got.value.save_as(redline)
    import zipfile

    assert "<w:ins " in zipfile.ZipFile(redline).read("word/document.xml").decode("utf-8")

    # a signed copy: the .docx of today's version, uploaded back, is unchanged
    with page.expect_download() as built:
        page.goto(server.url + "/p/harbour-cluster/preview/protocol")
        page.get_by_role("link", name="Download the protocol (.docx)").click()
    copy = tmp_path / "signed.docx"
    built.value.save_as(copy)
    page.goto(server.url + "/p/harbour-cluster/review")
    page.set_input_files("#copy", str(copy))
    page.locator("form[enctype] button").click()
    page.wait_for_selector("#report-title")
    assert "No differences" in page.locator("section.report").inner_text()


# -- the server over plain HTTP: what a browser's user could send --------------------------------------


class Client:
    """A user agent with cookies, as a browser is, without following redirects."""

    def __init__(self, base: str):
        import http.cookiejar

        self.base = base
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def get(self, path: str, headers: dict | None = None) -> tuple[int, str, dict]:
        return self.send(urllib.request.Request(self.base + path, headers=headers or {}))

    def send(self, request) -> tuple[int, str, dict]:
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode("utf-8", "replace"), dict(response.headers)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace"), dict(exc.headers)

    def token(self, path: str) -> str:
        status, body, _ = self.get(path)
        assert status == 200, body
        return re.search(r'name="csrf_token" value="([^"]+)"', body).group(1)

    def post(self, path: str, fields: dict, files: dict | None = None, csrf: bool = True) -> tuple[int, str, dict]:
        fields = dict(fields)
        if csrf:
            fields["csrf_token"] = self.token(path if not path.startswith("/validate") else "/new")
        if files is None:
            body = urllib.parse.urlencode(fields, doseq=True).encode()
            kind = "application/x-www-form-urlencoded"
        else:
            boundary = "----protocolkit-test"
            parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                     for k, v in fields.items()]
            for k, (name, data) in files.items():
                parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"; filename="{name}"\r\n'
                             f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
            body = b"".join(parts) + f"--{boundary}--\r\n".encode()
            kind = f"multipart/form-data; boundary={boundary}"
        return self.send(urllib.request.Request(self.base + path, data=body, headers={"Content-Type": kind}))


def test_a_post_without_its_csrf_token_is_refused_and_nothing_written(server, county):
    path = county / "partnerships" / "northgate-high.yaml"
    before = path.read_bytes()
    client = Client(server.url)
    status, body, _ = client.post("/p/northgate-high", {"id": "northgate-high", "version": "9.9",
                                                        "-digest": "x"}, csrf=False)
    assert status == 400 and "Not saved" in body and "9.9" in body  # what was typed is shown again
    assert path.read_bytes() == before


def test_every_field_the_form_calls_needed_says_so_to_assistive_technology(server):
    # "(needed)" is seen beside the label; a screen reader is told by aria-required on the control itself
    status, body, _ = Client(server.url).get("/p/northgate-high")
    assert status == 200
    needed = re.findall(r'<label for="(f-[^"]+)">[^<]*<span class="req">\(needed\)</span>', body)
    assert len(needed) > 10
    for control in needed:
        tag = re.search(rf'<(?:input|select|textarea) [^>]*id="{re.escape(control)}"[^>]*>', body)
        assert tag and 'aria-required="true"' in tag.group(0), control
    assert body.count('aria-required="true"') == len(needed)


def test_no_path_outside_the_served_folder_is_reachable(server, county, tmp_path):
    outside = tmp_path / "elsewhere.yaml"
    shutil.copyfile(EXAMPLES / "fenland-college.yaml", outside)
    (county / "partnerships" / "linked.yaml").symlink_to(outside)
    client = Client(server.url)
    status, body, _ = client.get("/")
    assert status == 200 and "Fenland" not in body  # a link that leaves the folder is not followed
    for path in ("/p/fenland-college", "/p/..%2F..%2F..%2Fetc%2Fpasswd", "/p/%2e%2e/preview/protocol",
                 "/static/..%2F..%2Fapp.py", "/static/../web/app.py", "/p/northgate-high/download/protocol.sh",
                 "/p/northgate-high/preview/..%2F..%2Fsecret", "/p/northgate-high/download/../../../etc/passwd"):
        status, body, _ = client.get(path)
        assert status == 404, (path, status)
        assert "root:" not in body and "import" not in body
    status, _, _ = client.get("/", headers={"Host": "evil.example:80"})  # DNS rebinding: another name is refused
    assert status == 403
    (county / "partnerships" / "linked.yaml").unlink()


def test_uploads_are_limited_in_size_and_type(server):
    client = Client(server.url)
    status, body, _ = client.post("/p/northgate-high/review", {"doc": "protocol"},
                                  files={"copy": ("signed.docx", b"PK\x03\x04" + b"0" * (11 * 1024 * 1024))})
    assert status == 413 and "10 MB" in body
    status, body, _ = client.post("/p/northgate-high/review", {"doc": "protocol"},
                                  files={"copy": ("signed.docx", b"#!/bin/sh\necho hello\n")})
    assert status == 422 and "is not a .docx file inside" in body
    status, body, _ = client.post("/p/northgate-high/review", {"doc": "protocol"},
                                  files={"copy": ("run.sh", b"%PDF-1.4\n")})
    assert status == 422 and "as a .docx or a .pdf" in body


NASTY = ["\x00\x1b[31m", "{{ 7 * 7 }}", "{% for x in schools %}x{% endfor %}", "<script>alert(1)</script>",
         "x" * 20000, "2026-13-45", "31/02/2027", "9" * 400, "💥 \u202e", ": - [ {", "!!python/object:os.system",
         "&amp; ' \"", "-1", "1e308", "\r\n\r\n"]


def test_whatever_is_typed_gives_messages_never_a_crash(server, county):
    client = Client(server.url)
    path = county / "partnerships" / "northgate-high.yaml"
    before = path.read_bytes()
    from protocolkit.web.form import form_values, load_round_trip

    base = {k: v for k, v in form_values(load_round_trip(before.decode("utf-8"))).items()}
    names = ["id", "in_force", "version", "schools.0.urn", "schools.0.name", "deployment.days_per_week",
             "deployment.model", "review.cycle_months", "clauses.include", "schools.0.pupils", "signatories.0.party"]
    for i, nasty in enumerate(NASTY):
        values = dict(base, **{names[i % len(names)]: nasty, names[(i + 3) % len(names)]: nasty})
        values["-key"] = "northgate-high"
        status, body, headers = client.post("/validate", values)
        assert status == 200, (nasty, body[:300])
        assert "fields" in json.loads(body)
    values = dict(base, **{"schools.0.name": "<script>alert(1)</script>", "in_force": "31/02/2027",
                           "-digest": __import__("hashlib").sha256(before).hexdigest()})
    status, body, _ = client.post("/p/northgate-high", values)
    assert status == 422 and "Not saved" in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>alert(1)" not in body
    assert path.read_bytes() == before


def test_off_loopback_it_asks_for_the_token_it_printed(county):
    running = Server(county, "--host", "0.0.0.0")
    try:
        token = urllib.parse.parse_qs(urllib.parse.urlparse(running.opened).query)["token"][0]
        assert len(token) >= 24
        port = urllib.parse.urlparse(running.url).port
        client = Client(f"http://127.0.0.1:{port}")
        status, body, _ = client.get("/")
        assert status == 403 and "access token" in body
        for wrong in ("wrong", "%C3%A9t%C3%A9", token[:-1]):
            status, _, headers = client.get(f"/?token={wrong}")
            assert status == 403, wrong
        status, _, headers = client.get(f"/?token={token}")
        assert status in (302, 303) and "?token" not in headers.get("Location", "")
        status, body, _ = client.get("/")  # then the cookie carries it
        assert status == 200 and "Partnerships" in body
    finally:
        code, err = running.stop()
    assert code == 130, err


def test_two_servers_on_one_computer_keep_their_own_cookies(server, tmp_path):
    # A browser sends a cookie to every port of a host: with one cookie name for every server, opening a second
    # server replaced the first one's session, and the first then refused its own form (its CSRF token no longer
    # matched). Each server names its cookies for itself.
    other = Server(None, cwd=tmp_path)  # the shipped examples, read only
    try:
        client = Client(server.url)
        csrf = client.token("/new")
        client.base = other.url
        assert client.token("/new")  # the second server's form, and its session cookie
        client.base = server.url
        status, body, _ = client.post("/validate", {"csrf_token": csrf, "-key": "", "id": "kestrel"}, csrf=False)
        assert status == 200 and "fields" in json.loads(body), body[:300]
        assert len({c.name for c in client.jar}) == 2
    finally:
        other.stop()


def test_add_and_remove_work_without_javascript_and_save_nothing(server, county):
    from protocolkit.web.form import form_values, load_round_trip

    path = county / "partnerships" / "northgate-high.yaml"
    before = path.read_bytes()
    values = form_values(load_round_trip(before.decode("utf-8")))
    values["-digest"] = __import__("hashlib").sha256(before).hexdigest()
    values["schools.0.name"] = "Northgate High School (typed, not saved)"
    client = Client(server.url)
    status, body, _ = client.post("/p/northgate-high", dict(values, **{"-add": "schools"}))
    assert status == 200 and "School 2" in body and "Added a school" in body
    assert "Northgate High School (typed, not saved)" in body
    status, body, _ = client.post("/p/northgate-high", dict(values, **{"-remove": "officers.0"}))
    assert status == 200 and "Removed the officer" in body and 'name="officers.0.name"' not in body
    assert path.read_bytes() == before


def test_without_a_folder_it_serves_the_shipped_examples_read_only(tmp_path):
    running = Server(None, cwd=tmp_path)
    try:
        client = Client(running.url)
        for _ in range(120):  # until the register's worker has read every file
            status, body, _ = client.get("/")
            if "still being checked" not in body:
                break
            time.sleep(0.5)
        assert status == 200 and "Northgate High School" in body and "read-only" in body
        status, body, _ = client.post("/p/northgate-high", {"id": "northgate-high", "-digest": "x"})
        assert status == 403 and "read-only" in body
    finally:
        code, err = running.stop()
    assert code == 130, err


def test_a_school_written_before_0_2_is_saved_with_status_and_provision():
    from protocolkit.load import parse_yaml
    from protocolkit.model import Partnership
    from protocolkit.web.form import form_values, load_round_trip, merged, yaml_text

    text = (EXAMPLES / "northgate-high.yaml").read_text(encoding="utf-8").replace(
        "    status: academy\n", "    type: special\n", 1)
    data = load_round_trip(text)
    values = form_values(data)
    assert (values["schools.0.status"], values["schools.0.provision"]) == ("maintained", "special")
    out = yaml_text(merged(values, data).data, text)
    school = Partnership.model_validate(parse_yaml(out, "x").data).schools[0]
    assert "type:" not in out and (school.status, school.provision) == ("maintained", "special")


@pytest.mark.office
def test_the_pdf_is_made_by_libreoffice(server, soffice):
    status, body, headers = Client(server.url).get("/p/northgate-high/download/dsa.pdf")
    assert status == 200 and headers["Content-Type"] == "application/pdf" and body.startswith("%PDF-")
    assert 'filename=northgate-high-data-sharing-agreement.pdf' in headers["Content-Disposition"]


def test_serve_refuses_what_it_cannot_serve_with_one_line_and_exit_2(tmp_path, run):
    result = run("serve", tmp_path / "missing")
    assert result.exit_code == 2 and result.stderr.startswith("protocolkit: ") and "no such folder" in result.stderr
    (tmp_path / "a.yaml").write_text("id: a\n")
    result = run("serve", tmp_path / "a.yaml")
    assert result.exit_code == 2 and "is a file, not a folder" in result.stderr
    result = run("serve", tmp_path, "--port", "70000")
    assert result.exit_code == 2 and "--port 70000" in result.stderr


def test_changed_wording_local_values_and_optional_clauses_are_saved_as_the_file_writes_them():
    from protocolkit.load import parse_yaml
    from protocolkit.model import Partnership

    text, data, values, save = _round_trip("harbour-cluster.yaml")
    names = [k for k in values if k.startswith("variables.") and k.endswith("._key")]
    assert names, "harbour-cluster has local values"
    first = names[0].removesuffix("._key")
    values[f"{first}.value"] = "three evenings a week"
    values.update({"variables.7._from": "", "variables.7._key": "parking_bay", "variables.7.value": "4",
                   "clauses.overrides.0._from": "", "clauses.overrides.0._key": "finance.facilities",
                   "clauses.overrides.0.text": "The school provides a desk.\n\nAnd parking in bay {{ local.parking_bay }}.",
                   "clauses.overrides.0.reason": "a small site"})
    values["clauses.include"] = [*values["clauses.include"], "training.module.prevent"]
    out = save(values)
    model = Partnership.model_validate(parse_yaml(out, "x").data)
    assert model.variables[values[f"{first}._key"]] == "three evenings a week"
    assert model.variables["parking_bay"] == "4"
    override = model.clauses.overrides["finance.facilities"]
    assert override.text.startswith("The school provides a desk.\n\nAnd parking") and override.reason == "a small site"
    assert "training.module.prevent" in model.clauses.include
    assert "  overrides:\n    finance.facilities:\n      text: |\n" in out  # several paragraphs: a literal block


def test_a_file_that_does_not_parse_is_listed_with_its_problem_and_not_opened_in_the_form(server, county):
    broken = county / "partnerships" / "broken.yaml"
    broken.write_text("id: broken\nversion: '1.0'\nschools: [\n", encoding="utf-8")
    try:
        client = Client(server.url)
        status, body, _ = client.get("/")
        row = body.split("partnerships/broken.yaml", 1)[1].split("</tr>", 1)[0]
        assert status == 200 and "Cannot be read" in row and "broken.yaml:4:1: YAML syntax" in row
        status, body, _ = client.get("/p/broken")
        assert status == 409 and "cannot be opened in the form" in body and "YAML syntax" in body
        status, body, _ = client.get("/p/broken/preview/protocol")
        assert status == 200 and "Problems to fix before the documents can be made" in body
        status, body, _ = client.get("/p/broken/download/protocol.docx")
        assert status == 409 and "cannot be made yet" in body
    finally:
        broken.unlink()


def test_the_register_checks_every_file_again_when_the_library_changes(tmp_path, run):
    from protocolkit.web.catalogue import Catalogue

    assert run("init", tmp_path / "county").exit_code == 0
    folder = tmp_path / "county"
    catalogue = Catalogue(folder, worker_process=False, background=False)
    entries = catalogue.scan()
    assert entries and all(catalogue.refresh(e).checked for e in entries)
    clause = folder / "clauses" / "finance.yaml"
    clause.write_text(clause.read_text(encoding="utf-8") + "\n# reworded\n", encoding="utf-8")
    os.utime(clause, ns=(time.time_ns() + 10**9, time.time_ns() + 10**9))
    assert not any(e.checked for e in catalogue.scan())


def test_the_form_is_checked_with_the_projects_own_library(tmp_path, run):
    """The form's messages come from the project's own clause library (as `check` of the file would), not the
    shipped one: a clause the project added may be included."""
    repo = tmp_path / "repo"
    assert run("init", str(repo)).exit_code == 0
    training = repo / "clauses" / "training.yaml"
    training.write_text(training.read_text(encoding="utf-8").replace("  # -- optional modules ---", (
        "  - id: training.module.county-parking\n    title: \"Module: parking at the school gate\"\n"
        "    section: training\n    order: 69\n    optional: true\n    text: |\n"
        "      Safe parking and the school keep-clear markings, with the county council's parking team.\n"
        "  # -- optional modules ---"), 1), encoding="utf-8")
    partnership = next((repo / "partnerships").glob("*.yaml"))
    text = partnership.read_text(encoding="utf-8")
    partnership.write_text(text.replace("\nhistory:", "\nclauses:\n  include: [training.module.county-parking]\n"
                                        "history:", 1), encoding="utf-8")
    assert run("check", str(partnership)).exit_code == 0  # check, from the file, finds the project's library
    app = _app(repo)
    client = app.test_client()
    key = partnership.stem
    page = client.get(f"/p/{key}", headers={"Host": "127.0.0.1"}).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    from protocolkit.web.form import form_values, load_round_trip

    values = form_values(load_round_trip(partnership.read_text(encoding="utf-8")))
    answer = client.post("/validate", data={**values, "-key": key, "csrf_token": token},
                         headers={"Host": "127.0.0.1", "X-CSRFToken": token})
    assert answer.status_code == 200
    messages = json.dumps(answer.get_json())
    assert "county-parking" not in messages, messages


def test_a_request_without_the_access_token_is_refused_before_anything_else():
    """Off loopback, a POST with neither the access token nor a CSRF token gets the token page, not the form (which
    would show the partnership and a fresh CSRF token); the token's redirect keeps every other parameter."""
    app = _app(EXAMPLES, token="secret-token", read_only=True)
    client = app.test_client()
    answer = client.post("/p/northgate-high", data={"version": "2"})
    body = answer.get_data(as_text=True)
    assert answer.status_code == 403 and "access token" in body and "Northgate" not in body
    answer = client.get("/?token=secret-token&_scheme=x&key=z&key=y")
    assert answer.status_code in (302, 303)
    assert answer.headers["Location"].endswith("/?_scheme=x&key=z&key=y")
    location = client.get("//elsewhere.example/?token=secret-token").headers["Location"]
    assert not location.startswith("//") and "elsewhere" not in urllib.parse.urlparse(location).netloc, location


def test_a_value_not_changed_in_the_form_is_saved_as_the_file_wrote_it():
    from protocolkit.web.form import form_values, load_round_trip, merged, yaml_text

    text = (EXAMPLES / "northgate-high.yaml").read_text(encoding="utf-8").replace('version: "1.0"', "version: 1.10")
    data = load_round_trip(text)
    values = form_values(data)
    assert yaml_text(merged(values, data).data, text) == text  # not rewritten as 1.1
    values["version"] = "1.2"
    assert "\nversion: '1.2'\n" in yaml_text(merged(values, data).data, text) or \
        '\nversion: "1.2"\n' in yaml_text(merged(values, data).data, text)


def test_a_signed_copy_edited_after_it_was_built_is_not_called_unchanged(tmp_path):
    import io
    import zipfile

    from protocolkit.render.docx import read_template, render_docx
    from protocolkit.web.documents import compare_with_copy

    doc = _document()
    built = render_docx(doc, read_template(None))
    source = zipfile.ZipFile(io.BytesIO(built))
    edited = io.BytesIO()
    with zipfile.ZipFile(edited, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                text = data.decode("utf-8")
                assert "safeguarding" in text
                data = text.replace("safeguarding", "welfare", 1).encode("utf-8")  # as an edit in Word would
            out.writestr(item, data)
    copy = tmp_path / "signed.docx"
    copy.write_bytes(edited.getvalue())
    report = compare_with_copy(EXAMPLES / "northgate-high.yaml", "northgate-high.yaml", copy, "signed", "protocol")
    notes = " ".join(report.notes)
    assert "changed after it was built" in notes and "what was signed is what would be issued today" not in notes
    assert report.differs


def test_review_against_a_revision_shows_what_the_library_changed_since(tmp_path, run):
    """The partnership at a revision is assembled with the library as it was then (as review --since does): a
    clause the library reworded since shows, though the partnership file itself did not change."""
    repo = tmp_path / "repo"
    assert run("init", str(repo)).exit_code == 0
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "as signed")
    first = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    finance = repo / "clauses" / "finance.yaml"
    text = finance.read_text(encoding="utf-8")
    assert "accepts hospitality only" in text
    finance.write_text(text.replace("accepts hospitality only", "accepts modest hospitality only"), encoding="utf-8")
    _git(repo, "commit", "-qam", "the library rewords a clause")
    key = next((repo / "partnerships").glob("*.yaml")).stem
    page = _app(repo).test_client().get(f"/p/{key}/review?rev={first}&doc=protocol",
                                              headers={"Host": "127.0.0.1"})
    body = page.get_data(as_text=True)
    assert page.status_code == 200, body[:500]
    assert re.search(r"<ins[^>]*>\s*modest", body), body[body.find("hospitality") - 300:body.find("hospitality") + 200]


def test_a_form_whose_file_went_away_is_shown_again_with_everything_typed(tmp_path):
    from protocolkit.web.form import form_values, load_round_trip

    folder = tmp_path / "county"
    folder.mkdir()
    path = folder / "northgate-high.yaml"
    shutil.copyfile(EXAMPLES / "northgate-high.yaml", path)
    client = _app(folder).test_client()
    page = client.get("/p/northgate-high", headers={"Host": "127.0.0.1"}).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    values = form_values(load_round_trip(path.read_text(encoding="utf-8")))
    values["deployment.hours"] = "typed while the file was moved away"
    path.rename(tmp_path / "elsewhere.yaml")  # moved out of the folder while the form was open
    client.get("/", headers={"Host": "127.0.0.1"})  # the register notices
    answer = client.post("/p/northgate-high", data={**values, "csrf_token": token, "-save": "1"},
                         headers={"Host": "127.0.0.1"})
    body = answer.get_data(as_text=True)
    assert answer.status_code == 409 and "no longer in the folder" in body
    assert "typed while the file was moved away" in body
    assert not list(folder.glob("*.yaml"))  # nothing written


_MADE: list = []


def _app(*args, **kwargs):
    """create_app in this process; its worker process is ended when the test does (_end_apps)."""
    from protocolkit.web.app import create_app

    app = create_app(*args, **kwargs)
    _MADE.append(app)
    return app


@pytest.fixture(autouse=True)
def _end_apps():
    yield
    while _MADE:
        _MADE.pop().extensions["protocolkit"].catalogue.close()
