"""`protocolkit build` end to end: the shipped examples, hostile names, determinism, templates, errors."""

from __future__ import annotations

import os
import re
import shutil
import zipfile
from pathlib import Path

import docx
import pytest

from protocolkit.typography import plain
from datetime import date
from docxtpl import DocxTemplate

from conftest import CLAUSES, EXAMPLES
from protocolkit.library import load_library
from protocolkit.project import assemble_documents, load_partnership
from protocolkit.render.docx import CONTEXT_NAMES, default_template, template_context
from protocolkit.render.markdown import render_markdown

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))
DOCS = ("protocol.docx", "data-sharing-agreement.docx")
HOSTILE = "St Mary & St John's <C of E>"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def partnership_id(path: Path) -> str:
    return re.search(r"^id:\s*(\S+)", path.read_text(encoding="utf-8"), re.M).group(1)


def part_texts(path: Path, prefix: str) -> list[str]:
    """The raw XML of every part whose name starts with prefix (word/header, word/footer, ...)."""
    with zipfile.ZipFile(path) as z:
        return [z.read(n).decode("utf-8") for n in sorted(z.namelist()) if n.startswith(prefix)]


def all_text(document) -> str:
    """Every paragraph's text, body and tables, one a line, with the typesetting undone (quotes, no-break
    spaces): test_typesetting checks that separately."""
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                lines += [p.text for p in cell.paragraphs]
    return plain("\n".join(lines))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The shipped examples built once for the tests that only read the output."""
    from typer.testing import CliRunner

    from protocolkit.cli import app

    out = tmp_path_factory.mktemp("built")
    result = CliRunner().invoke(app, ["build", str(EXAMPLES), "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def lib():
    """The shipped clause library, read once for the tests that assemble directly."""
    return load_library(CLAUSES)


@pytest.fixture(scope="module")
def assembled(lib):
    """Each example's assembled documents, by file."""
    return {path: assemble_documents(load_partnership(path, lib), lib, ["protocol", "dsa"])[0] for path in EXAMPLE_FILES}


def test_examples_exist():
    assert EXAMPLE_FILES, "no shipped examples to build"


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_every_example_builds_both_documents(built, example):
    folder = built / partnership_id(example)
    for name in DOCS:
        path = folder / name
        assert path.is_file(), f"{path} was not written"
        document = docx.Document(str(path))
        text = all_text(document)
        for xml in part_texts(path, "word/"):
            visible = "".join(re.findall(r"<w:(?:t|instrText)[^>]*>([^<]*)<", xml))
            assert "{{" not in visible and "{%" not in visible and "%}" not in visible, f"{name}: leftover tag"
        headings = [p for p in document.paragraphs if p.style.name.startswith("Heading")]
        assert len(headings) >= 8, f"{name}: only {len(headings)} headings"
        # Numbers come from the assembler, visible in the heading text itself.
        assert re.match(r"^1\t", headings[0].text) and any(re.match(r"^\d+\.\d+\t", h.text) for h in headings)
        marking = re.search(r"^marking:\s*(\S+)", example.read_text(encoding="utf-8"), re.M)
        mark = marking.group(1) if marking else "OFFICIAL"
        for part in ("word/header", "word/footer"):
            assert any(f">{mark}<" in xml for xml in part_texts(path, part)), f"{name}: no marking in {part}"
        footers = "".join(part_texts(path, "word/footer"))
        assert re.search(r"<w:instrText[^>]*> PAGE <", footers) and re.search(r"<w:instrText[^>]*> NUMPAGES <", footers)
        assert "Contents" in text and "Document control" in text


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_signature_table_names_every_signatory(built, assembled, example):
    docs = assembled[example]
    for kind, name in zip(("protocol", "dsa"), DOCS):
        document = docx.Document(str(built / partnership_id(example) / name))
        signature_tables = [t for t in document.tables if "Signature" in all_text_of(t)]
        assert len(signature_tables) == 1
        table_text = all_text_of(signature_tables[0])
        signatories = docs[kind].metadata.signatories
        assert len(signature_tables[0].rows) == len(signatories)
        for s in signatories:
            assert s.name in table_text and s.role in table_text and s.organisation in table_text
        # Each signatory's block stays in one piece on the page.
        for row in signature_tables[0].rows:
            assert row._tr.find(f"{W}trPr/{W}cantSplit") is not None


def all_text_of(table) -> str:
    return plain("\n".join(p.text for row in table.rows for cell in row.cells for p in cell.paragraphs))


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_properties_carry_title_author_and_fingerprint(built, assembled, example):
    docs = assembled[example]
    for kind, name in zip(("protocol", "dsa"), DOCS):
        path = built / partnership_id(example) / name
        doc = docs[kind]
        props = docx.Document(str(path)).core_properties
        assert props.title == f"{doc.title}: {doc.metadata.subtitle}"
        assert doc.metadata.subtitle in props.subject
        assert props.author == doc.metadata.author
        # the day it came into force, or while that is ahead the newest earlier date it records: never a future day
        meta = doc.metadata
        expected = meta.in_force if meta.in_force <= date.today() else max(
            d for d in [meta.last_reviewed, *(h.date for h in meta.history)] if d and d <= date.today())
        assert props.created.date() == props.modified.date() == expected <= date.today()
        assert props.last_printed is None
        custom = part_texts(path, "docProps/custom.xml")[0]
        assert f'name="Fingerprint"><vt:lpwstr>{doc.fingerprint()}</vt:lpwstr>' in custom
        assert doc.fingerprint() in all_text(docx.Document(str(path)))


def test_two_builds_are_byte_identical(built, run, tmp_path):
    # The second build also spreads the work over processes: neither may change a byte.
    result = run("build", EXAMPLES, "--out", tmp_path, "--jobs", "2")
    assert result.exit_code == 0, result.output
    files = sorted(p.relative_to(built) for p in built.rglob("*.docx"))
    assert len(files) == 2 * len(EXAMPLE_FILES)
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.docx")) == files
    for rel in files:
        assert (built / rel).read_bytes() == (tmp_path / rel).read_bytes(), f"{rel} differs"
    assert result.stdout.count(".docx") == len(files)
    # Files are moved into place whole: no temporary names left behind.
    assert not [p for p in tmp_path.rglob("*") if p.name.startswith(".")]


def hostile_copy(tmp_path: Path) -> Path:
    source = EXAMPLES / "northgate-high.yaml"
    text = source.read_text(encoding="utf-8").replace("$schema=../schemas/", "$schema=")
    text, n = re.subn(r"^(    name: )Northgate High School$", r'\1"St Mary & St John' + "'" + r's <C of E>"', text,
                      count=1, flags=re.M)
    assert n == 1, "the example's school name line moved: update hostile_copy"
    text = re.sub(r"^id: .*$", "id: st-marys", text, count=1, flags=re.M)
    target = tmp_path / "st-marys.yaml"
    target.write_text(text, encoding="utf-8")
    return target


def test_hostile_names_come_out_verbatim(run, tmp_path, lib):
    source = hostile_copy(tmp_path)
    result = run("build", source, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    for name in DOCS:
        path = tmp_path / "out" / "st-marys" / name
        document = docx.Document(str(path))
        text = all_text(document)
        assert HOSTILE in text, f"{name}: the school's name was altered"
        assert HOSTILE in document.core_properties.title
        footer = "".join(part_texts(path, "word/footer"))
        assert "St Mary &amp; St John\u2019s &lt;C of E&gt;" in footer
    docs, _ = assemble_documents(load_partnership(source, lib), lib, ["protocol"])
    md = render_markdown(docs["protocol"])
    assert r"St Mary & St John's \<C of E\>" in md


def test_template_variables_match_what_the_renderer_supplies(assembled):
    used = DocxTemplate(str(default_template())).get_undeclared_template_variables()
    assert used == set(CONTEXT_NAMES), f"template uses {sorted(used - CONTEXT_NAMES)}, never uses {sorted(CONTEXT_NAMES - used)}"
    for docs in assembled.values():
        for doc in docs.values():
            assert set(template_context(doc)) == set(CONTEXT_NAMES)


def test_shipped_template_is_what_the_script_generates():
    from protocolkit.templates.make_templates import build_template

    import io

    # The parts the script writes; styles.xml also carries python-docx's own defaults, which vary by version.
    fresh = zipfile.ZipFile(io.BytesIO(build_template()))
    shipped = zipfile.ZipFile(default_template())
    for name in ("word/document.xml", "word/header1.xml", "word/footer1.xml"):
        assert fresh.read(name) == shipped.read(name), \
            f"{name} in protocolkit/templates/document.docx is stale: run python -m protocolkit.templates.make_templates"


def test_partnership_with_errors_is_not_built_and_others_are(run, tmp_path):
    good = tmp_path / "in" / "good.yaml"
    good.parent.mkdir()
    shutil.copy(EXAMPLE_FILES[0], good)
    bad_text = EXAMPLE_FILES[0].read_text(encoding="utf-8")
    bad_text = re.sub(r"^id: .*$", "id: broken", bad_text, count=1, flags=re.M)
    bad_text, n = re.subn(r"^in_force: .*$", "in_force: next September", bad_text, count=1, flags=re.M)
    assert n == 1
    (tmp_path / "in" / "broken.yaml").write_text(bad_text, encoding="utf-8")
    result = run("build", tmp_path / "in", "--out", tmp_path / "out")
    assert result.exit_code == 1
    line = bad_text.splitlines().index("in_force: next September") + 1
    assert re.search(rf"broken\.yaml:{line}:\d+: error ", result.stderr), result.stderr
    assert not (tmp_path / "out" / "broken").exists()
    assert (tmp_path / "out" / partnership_id(EXAMPLE_FILES[0]) / "protocol.docx").is_file()


def test_two_partnerships_with_one_id_are_refused(run, tmp_path):
    for name in ("one.yaml", "two.yaml"):
        shutil.copy(EXAMPLE_FILES[0], tmp_path / name)
    result = run("build", tmp_path / "one.yaml", tmp_path / "two.yaml", "--out", tmp_path / "out", "--doc", "protocol")
    assert result.exit_code == 1
    assert re.search(r"two\.yaml:\d+:\d+: error duplicate-id .*one\.yaml", result.stderr), result.stderr


def test_with_jobs_files_sharing_an_id_give_what_one_process_gives(run, tmp_path):
    # Which of two files sharing an id is built is settled from the `id:` lines before any is rendered, and a file
    # whose id no `id:` line shows (written as JSON) claims it when rendered: with workers finishing in any order,
    # the same files are built, as the same bytes, as in one process.
    import json

    from ruamel.yaml import YAML

    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(EXAMPLE_FILES[0], src / "a.yaml")
    shutil.copy(EXAMPLE_FILES[0], src / "b.yaml")
    flow = YAML(typ="safe").load(EXAMPLE_FILES[1].read_text(encoding="utf-8"))
    (src / "c.yaml").write_text(json.dumps(flow, default=str), encoding="utf-8")
    results = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        results[jobs] = run("build", src, "--out", out, "--jobs", jobs)
        assert results[jobs].exit_code == 1, results[jobs].output
        assert re.search(r"b\.yaml:\d+:\d+: error duplicate-id .*a\.yaml", results[jobs].stderr), results[jobs].stderr
        assert sorted(p.parent.name for p in out.rglob("protocol.docx")) == sorted(
            [partnership_id(EXAMPLE_FILES[0]), flow["id"]])
        assert not [p for p in out.rglob("*") if p.name.startswith(".")]
    assert results["1"].stdout.splitlines() == [line.replace("out2", "out1") for line in results["2"].stdout.splitlines()]
    for path in (tmp_path / "out1").rglob("*.docx"):
        assert path.read_bytes() == (tmp_path / "out2" / path.relative_to(tmp_path / "out1")).read_bytes(), path


def test_restyled_template_and_doc_option(run, tmp_path):
    template = docx.Document(str(default_template()))
    template.styles["Heading 1"].font.name = "Georgia"
    restyled = tmp_path / "force.docx"
    template.save(str(restyled))
    result = run("build", EXAMPLE_FILES[0], "--out", tmp_path / "out", "--template", restyled, "--doc", "dsa")
    assert result.exit_code == 0, result.output
    folder = tmp_path / "out" / partnership_id(EXAMPLE_FILES[0])
    # --doc dsa writes the agreement alone.
    assert sorted(p.name for p in folder.iterdir()) == ["data-sharing-agreement.docx"]
    styles = part_texts(folder / "data-sharing-agreement.docx", "word/styles.xml")[0]
    assert 'w:ascii="Georgia"' in styles


@pytest.mark.parametrize("content, said", [
    (b"not a word file", "not a Word .docx file"),
    (None, "cannot read the template"),
])
def test_unreadable_template_exits_2_with_one_line(run, tmp_path, content, said):
    template = tmp_path / "broken.docx"
    if content is not None:
        template.write_bytes(content)
    result = run("build", EXAMPLE_FILES[0], "--out", tmp_path / "out", "--template", template)
    assert result.exit_code == 2
    assert said in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not (tmp_path / "out").exists()


def test_template_with_unknown_tag_is_refused(run, tmp_path):
    template = docx.Document(str(default_template()))
    template.add_paragraph("{{ school_motto }}")
    bad = tmp_path / "motto.docx"
    template.save(str(bad))
    result = run("build", EXAMPLE_FILES[0], "--out", tmp_path / "out", "--template", bad)
    assert result.exit_code == 2
    assert "{{ school_motto }}" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_template_without_body_paragraph_is_refused(run, tmp_path):
    template = docx.Document(str(default_template()))
    for para in template.paragraphs:
        if para.text.strip() == "{{ body }}":
            para._p.getparent().remove(para._p)
    bad = tmp_path / "nobody.docx"
    template.save(str(bad))
    result = run("build", EXAMPLE_FILES[0], "--out", tmp_path / "out", "--template", bad)
    assert result.exit_code == 2 and "{{ body }}" in result.stderr


def test_pdf_without_libreoffice_exits_2(run, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = run("build", EXAMPLE_FILES[0], "--out", tmp_path / "out", "--pdf")
    assert result.exit_code == 2
    assert "LibreOffice" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_no_partnerships_found_exits_2(run, tmp_path):
    (tmp_path / "notes.yaml").write_text("just: notes\n", encoding="utf-8")
    result = run("build", tmp_path, "--out", tmp_path / "out")
    assert result.exit_code == 2 and "no partnership files found" in result.stderr


@pytest.mark.parametrize("text, shown", [("# Not a heading", r"\# Not a heading"), ("- not a bullet", r"\- not a bullet"),
                                         ("1. not a list", r"1\. not a list"), ("> not a quote", r"\> not a quote"),
                                         ("a & b <c>", r"a & b \<c\>")])
def test_markdown_escapes_what_would_read_as_markup(text, shown):
    from protocolkit.render.markdown import escape

    assert escape(text) == shown


def test_markdown_writer_renders_the_tree(assembled):
    for doc in assembled[EXAMPLE_FILES[0]].values():
        md = render_markdown(doc)
        assert md.startswith(f"# {doc.title}\n")
        for section in doc.sections:
            assert f"\n## {section.number} {section.title}\n" in md.replace("\\", "")
            for clause in section.clauses:
                assert f"\n### {clause.number} {clause.title}\n" in md.replace("\\", "")
                bullets = [p for p in clause.paragraphs if p.style == "bullet"]
                for item in bullets:
                    assert "\n- " + item.text.replace("\\", "")[:30] in md.replace("\\", "")
        for s in doc.metadata.signatories:
            assert s.name in md
        assert doc.fingerprint() in md


def test_pdf_conversion_is_one_soffice_run_for_all_files(run, tmp_path, monkeypatch):
    # A stand-in soffice that logs each start and writes a PDF per input, as the real one does.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls.log"
    fake = bin_dir / "soffice"
    fake.write_text(
        "#!/usr/bin/env python3\n"
        "import sys, pathlib\n"
        f"open({str(log)!r}, 'a').write(' '.join(sys.argv[1:]) + '\\n')\n"
        "args = sys.argv[1:]\n"
        "out = pathlib.Path(args[args.index('--outdir') + 1])\n"
        "for a in args:\n"
        "    if a.endswith('.docx'):\n"
        "        (out / (pathlib.Path(a).stem + '.pdf')).write_bytes(b'%PDF-1.7 ' + a.encode())\n",
        encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    inputs = tmp_path / "in"
    inputs.mkdir()
    for i in range(2):
        text = re.sub(r"^id: .*$", f"id: copy-{i}", EXAMPLE_FILES[0].read_text(encoding="utf-8"), count=1, flags=re.M)
        (inputs / f"copy-{i}.yaml").write_text(text, encoding="utf-8")
    result = run("build", inputs, "--out", tmp_path / "out", "--pdf")
    assert result.exit_code == 0, result.output
    calls = log.read_text(encoding="utf-8").splitlines()
    assert len(calls) == 1 and calls[0].count(".docx") == 4 and "--headless" in calls[0]
    for i in range(2):
        for name in DOCS:
            pdf = (tmp_path / "out" / f"copy-{i}" / name).with_suffix(".pdf")
            assert pdf.read_bytes().startswith(b"%PDF"), f"{pdf} not moved into place"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["copy-0", "copy-1"]


# Word refuses a file whose property elements are out of the schema's order (LibreOffice does not
# mind, so a PDF check would not notice). The sequences below are from ECMA-376 part 1, trimmed to
# the elements python-docx and our template write.
SCHEMA_ORDER = {
    "pPr": ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "widowControl", "numPr", "pBdr", "shd", "tabs",
            "spacing", "ind", "contextualSpacing", "jc", "outlineLvl", "rPr", "sectPr"],
    "tcPr": ["tcW", "gridSpan", "vMerge", "tcBorders", "shd", "noWrap", "tcMar", "vAlign"],
    "tblPr": ["tblStyle", "tblW", "jc", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook"],
    "trPr": None,  # a choice group: any order, but each at most once
}


@pytest.mark.parametrize("name", DOCS)
def test_properties_follow_the_schema_order(built, name):
    from lxml import etree

    path = built / partnership_id(EXAMPLE_FILES[0]) / name
    with zipfile.ZipFile(path) as z:
        for part in (n for n in z.namelist() if n.startswith("word/") and n.endswith(".xml")):
            root = etree.fromstring(z.read(part))
            for tag, order in SCHEMA_ORDER.items():
                for el in root.iter(f"{W}{tag}"):
                    kids = [c.tag.replace(W, "") for c in el if isinstance(c.tag, str)]
                    assert len(set(kids)) == len(kids), f"{part}: repeated child in {tag}: {kids}"
                    if order is not None:
                        known = [k for k in kids if k in order]
                        assert known == sorted(known, key=order.index), f"{part}: {tag} out of order: {kids}"


def test_typesetting_keeps_dates_periods_and_names_together_with_typographic_quotes(built):
    document = docx.Document(str(built / "northgate-high" / "protocol.docx"))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "1\u00a0September\u00a02026" in text and "1 September 2026" not in text
    assert "12\u00a0months" in text or "12\u00a0month" in text
    assert "'" not in text and '"' not in text, "straight quotes left in the printed text"
    assert "\u2019" in text
    signature = all_text_of(document.tables[-1])
    raw = "\n".join(p.text for row in document.tables[-1].rows for cell in row.cells for p in cell.paragraphs)
    assert "Inspector\u00a0Ravi Bhatt" in raw and "Inspector Ravi Bhatt" in signature
