"""Fuzzing the shipped examples: whatever is typed into a partnership file, check, build and diff end with 0, 1 or 2.

Each variant is a shipped example with one to three mutations drawn by hypothesis: a text replaced by odd text, a
value replaced by another type, by odd unicode, by a very long or empty string, by a date that does or does not exist, by template text; a
key dropped; an unknown key added. The real CLI runs in-process on the variant. No run may end in a traceback or
with another exit code; check and build must agree (build writes documents exactly when check finds no error);
every .docx written opens with python-docx, and a sample of them is opened by LibreOffice.
"""

from __future__ import annotations

import copy
import io
import os
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import docx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from typer.testing import CliRunner

from protocolkit.cli import app

from conftest import COUNTS, EXAMPLES

VARIANTS = int(os.environ.get("FUZZ_VARIANTS", 1000))
SAMPLE_FOR_LIBREOFFICE = 12

_yaml = YAML(typ="rt")
_yaml.width = 4096
BASES = {p.name: (p.read_text(encoding="utf-8"), _yaml.load(p.read_text(encoding="utf-8")))
         for p in sorted(EXAMPLES.glob("*.yaml"))}

ODD_TEXT = ["", " ", "é", "Ünïcödé Academy", "北京学校", "مدرسة", "\u202eloohcS\u202c", "zero\u200bwidth",
            "e\u0301\u0301\u0301", "😀 School", "O'Brien & \"Sons\" <Ltd>", "a" * 300, "word " * 2000, "0", "null",
            "{{ school.name }}", "{{ nothing.here }}", "{{ 'x' * 10**10 }}", "{% for i in range(10**9) %}x{% endfor %}",
            "{{ force.name", "line\nbreak", "tab\there", "137245", "AB12 3CD", "PC", "pcso", "cluster", "true"]
DATES = ["2026-09-30", "2026-02-29", "2028-02-29", "2026-09-31", "2026-13-01", "1900-01-01", "2099-12-31",
         "31/09/2026", "next September", "2026-9-1"]

values = st.one_of(
    st.sampled_from(ODD_TEXT),
    st.sampled_from(DATES).map(lambda d: ("date", d)),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.lists(st.sampled_from(["a", "b", "northgate-high", "force"]), max_size=3),
    st.dictionaries(st.sampled_from(["name", "id", "x"]), st.sampled_from(["a", "", "1"]), max_size=2),
    st.text(max_size=40),
)
mutations = st.lists(st.tuples(st.sampled_from(["replace", "replace", "retext", "retext", "drop", "add"]),
                               st.integers(0, 10**6), st.one_of(st.sampled_from(ODD_TEXT), values)),
                     min_size=1, max_size=3)


def _places(node, here=()):
    """Every (container, key) in the tree, in file order."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield node, k
            yield from _places(v, here + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield node, i
            yield from _places(v, here + (i,))


def _text_of(value):
    if isinstance(value, tuple):  # a date written bare, as a coordinator types it: marked here, unmarked in dump()
        return "__BARE__" + value[1]
    return value


def mutate(data, steps):
    data = copy.deepcopy(data)
    for kind, pick, value in steps:
        places = list(_places(data))
        if kind == "retext":  # a text field given odd text, the commonest thing a coordinator does
            places = [(c, k) for c, k in places if isinstance(c[k], str)]
            value = value if isinstance(value, str) else ODD_TEXT[pick % len(ODD_TEXT)]
        if not places:
            break
        container, key = places[pick % len(places)]
        if kind == "drop":
            del container[key]
        elif kind == "add" and isinstance(container, dict):
            container[f"extra_{pick % 7}"] = _text_of(value)
        else:
            container[key] = _text_of(value)
    return data


def dump(data) -> str:
    out = io.StringIO()
    _yaml.dump(data, out)
    return out.getvalue().replace("__BARE__", "")


def _ran(result, what: str, text: str) -> int:
    exc = result.exception
    if exc is not None and not isinstance(exc, SystemExit):
        raise AssertionError(f"{what} raised {type(exc).__name__}: {exc}\n--- variant ---\n{text}") from exc
    assert result.exit_code in (0, 1, 2), f"{what} exited {result.exit_code}\n{text}"
    assert "Traceback" not in result.output, f"{what} printed a traceback\n{text}"
    return result.exit_code


def test_mutated_partnership_files_end_in_0_1_or_2(soffice, tmp_path):
    runner = CliRunner()
    built: list[Path] = []
    keep = tmp_path / "sample"
    keep.mkdir()

    @given(st.sampled_from(sorted(BASES)), mutations)
    @settings(max_examples=VARIANTS, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def one(name, steps):
        COUNTS["fuzz: mutated partnership files run through check, build and diff"] += 1
        original, data = BASES[name]
        text = dump(mutate(data, steps))
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            variant, base = folder / name, folder / f"base-{name}"
            variant.write_text(text, encoding="utf-8")
            base.write_text(original, encoding="utf-8")
            checked = _ran(runner.invoke(app, ["check", str(variant)]), "check", text)
            out = folder / "out"
            kind = ("protocol", "dsa")[len(text) % 2]  # one document each: both kinds are met across the variants
            code = _ran(runner.invoke(app, ["build", str(variant), "--out", str(out), "--doc", kind]), "build", text)
            _ran(runner.invoke(app, ["diff", str(base), str(variant)]), "diff", text)
            written = sorted(out.rglob("*.docx")) if out.exists() else []
            COUNTS[f"fuzz: variants that check exits {checked} on"] += 1
            if checked == 1:
                assert code != 0 and not written, f"check found an error but build wrote documents\n{text}"
            if code == 0:
                assert written, f"build succeeded and wrote nothing\n{text}"
            for path in written:
                with zipfile.ZipFile(path) as z:
                    assert z.testzip() is None
                docx.Document(str(path))
                if len(built) < SAMPLE_FOR_LIBREOFFICE:
                    target = keep / f"{len(built):02d}-{path.name}"
                    shutil.copy(path, target)
                    built.append(target)

    one()
    assert COUNTS["fuzz: mutated partnership files run through check, build and diff"] >= VARIANTS
    assert built, "no variant built: the mutations are too harsh to test build"
    pdf = tmp_path / "pdf"
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(pdf), *map(str, built)], check=True, capture_output=True, timeout=600)
    for path in built:
        out = pdf / (path.stem + ".pdf")
        assert out.is_file() and out.stat().st_size > 1000, f"LibreOffice could not open {path.name}"


FILE_KINDS = ["fifo", "device", "folder", "empty", "bom-only", "utf-16", "utf-32", "deep-flow", "deep-block",
              "escape", "binary", "key", "bidi", "template"]
CONTROLS = ["\\x1b[2J", "\\x1b]0;title\\x07", "\\x07", "\\x00", "\\x9b31m", "\\u202e", "\\x08\\x08", "\\r"]


def _hostile_file(folder: Path, kind: str, depth: int, control: str) -> Path:
    """A file of one hostile kind, named as a partnership file would be."""
    path = folder / "hostile.yaml"
    base = (EXAMPLES / "northgate-high.yaml").read_text(encoding="utf-8")
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        return Path("/dev/null")
    elif kind == "folder":
        path.mkdir()
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "bom-only":
        path.write_bytes(b"\xef\xbb\xbf")
    elif kind in ("utf-16", "utf-32"):
        path.write_text(base, encoding=kind)
    elif kind == "deep-flow":
        path.write_text("id: deep\nschools: " + "[" * depth + "]" * depth + "\n", encoding="utf-8")
    elif kind == "deep-block":
        levels = min(depth, 2000)  # block nesting costs two bytes a level: 2,000 is past every limit and under 4 MB
        path.write_text("id: deep\nschools:\n" + "".join(" " * i + "-\n" for i in range(levels)), encoding="utf-8")
    elif kind == "escape":
        path.write_text(base.replace("name: Northgate High School", f'name: "Northgate{control}"', 1), encoding="utf-8")
    elif kind == "binary":
        import base64

        raw = control.encode("utf-8").decode("unicode_escape").encode("latin-1", "replace")
        path.write_text(base.replace("name: Northgate High School",
                                     f"name: !!binary {base64.b64encode(raw).decode()}", 1), encoding="utf-8")
    elif kind == "key":
        path.write_text(base + f'"extra{control}": 1\n', encoding="utf-8")
    elif kind == "bidi":
        path.write_text(base.replace("name: Northgate High School", 'name: "Northgate\\u202e\\u200b High"', 1),
                        encoding="utf-8")
    elif kind == "template":
        path.write_text(base + 'clauses:\n  local:\n    - {id: local.x, title: X, section: finance, text: "{{ \\"'
                        + control + '\\" }}"}\n', encoding="utf-8")
    return path


@given(st.sampled_from(FILE_KINDS), st.sampled_from([10, 51, 1000, 50_000, 1_000_000]), st.sampled_from(CONTROLS))
@settings(max_examples=int(os.environ.get("FUZZ_FILES", 150)), deadline=None,
          suppress_health_check=list(HealthCheck), database=None)
def test_hostile_files_of_every_kind_end_in_0_1_or_2_and_print_no_control(kind, depth, control):
    COUNTS["fuzz: hostile files (kinds, nesting, control characters) through check, build, diff and status"] += 1
    runner = CliRunner()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = _hostile_file(folder, kind, depth, control)
        base = folder / "base.yaml"
        base.write_text((EXAMPLES / "northgate-high.yaml").read_text(encoding="utf-8"), encoding="utf-8")
        for args in (["check", str(path)], ["check", str(folder)], ["build", str(path), "--out", str(folder / "out")],
                     ["diff", str(base), str(path)], ["status", str(path)], ["preview", str(path)]):
            result = runner.invoke(app, args)
            what = f"{' '.join(args[:1])} on {kind} (depth {depth}, {control!r})"
            _ran(result, what, kind)
            shown = result.output
            for bad in ("\x1b", "\x07", "\x00", "\x9b", "\u202e", "\x08", "\r"):
                assert bad not in shown, f"{what} printed {bad!r}"
        written = list((folder / "out").rglob("*.docx")) if (folder / "out").exists() else []
        for doc in written:
            docx.Document(str(doc))
