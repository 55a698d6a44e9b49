"""`protocolkit signed PATH... [--on DATE]`: record in each partnership's history that its documents were signed.

The history entry of the partnership's current version gets a `signed` mapping: the day, the signatories, and
the fingerprint of each document as it is assembled now (the SHA-256 printed in its document-control table).
`check` then warns (changed-since-signed) when a later edit to the file or the library would change what the
parties signed. The file is edited in place through ruamel.yaml's round-trip mode, so its comments, key order
and layout stay as they were, and written whole (a temporary file, then renamed). A file with errors is not
signed: what is recorded must be what `build` would write.
"""

from __future__ import annotations

import io
import re
import sys
from datetime import date
from pathlib import Path

from protocolkit.assemble import long_date
from protocolkit.check.config import find_config
from protocolkit.check.engine import gate
from protocolkit.files import write_file
from protocolkit.findings import InputError, finding_line, visible
from protocolkit.library import library_note, load_library, project_library
from protocolkit.project import assemble_documents, discover, load_partnership, shown
from protocolkit.stopping import checkpoint


def signed_command(paths: list[Path], on: date | None, library: Path | None) -> int:
    """Record the signature in every partnership file under the paths; returns the exit code."""
    today = date.today()
    day = on or today
    if day > today:
        raise InputError(f"--on {day.isoformat()}: that day has not come yet: give the day the last signatory signed")
    note = library_note(library, paths)
    if note:
        print(visible(note), file=sys.stderr)
    lib = load_library(library or project_library(paths))
    found = [i.path for i in discover(paths, want_docx=False) if i.kind == "partnership"]
    if not found:
        raise InputError(f"{', '.join(str(p) for p in paths)}: no partnership files found")
    code = 0
    for path in found:
        checkpoint()
        code = max(code, _sign(path, day, lib, find_config(path)))
    return code


def _sign(path: Path, day: date, lib, config) -> int:
    where = shown(path)
    loaded = load_partnership(path, lib)
    docs, problems = assemble_documents(loaded, lib, sorted(lib.documents)) if loaded.model else ({}, [])
    errors = [f for f in gate(loaded, docs, problems, lib, config) if f.severity == "error"]
    if errors or loaded.model is None:
        for f in errors:
            print(finding_line(f), file=sys.stderr)
        print(visible(f"protocolkit: {where}: not recorded as signed: fix the errors above first (what is recorded "
                      f"must be what `protocolkit build` writes)"), file=sys.stderr)
        return 1
    p = loaded.model
    index = next((i for i in range(len(p.history) - 1, -1, -1) if p.history[i].version == p.version), None)
    if index is None:
        print(visible(f"protocolkit: {where}: not recorded as signed: the history has no entry for version "
                      f"{p.version}: add one (version, date, author, summary) and run this again"), file=sys.stderr)
        return 1
    if day < p.history[index].date:
        print(visible(f"protocolkit: {where}: not recorded as signed: {long_date(day)} is before version "
                      f"{p.version} was written ({long_date(p.history[index].date)}): give the day it was signed"),
              file=sys.stderr)
        return 1
    fingerprints = {kind: doc.fingerprint() for kind, doc in docs.items()}
    text = _with_signature(path, index, day, [s.name for s in p.signatories], fingerprints)
    write_file(path, text.encode("utf-8"), what="partnership file")
    got = ", ".join(f"{'DSA' if k == 'dsa' else k} {v[:12]}\u2026" for k, v in sorted(fingerprints.items()))
    print(visible(f"{where}: version {p.version} recorded as signed on {long_date(day)} ({got})"))
    return 0


def _with_signature(path: Path, index: int, day: date, names: list[str], fingerprints: dict[str, str]) -> str:
    """The file's text with history[index].signed set and every other line as it was.

    The lines are inserted into the text rather than the whole file dumped again: ruamel.yaml keeps comments and
    key order, but it re-indents sequences and re-wraps to its own layout, and a coordinator's file should change
    by the lines recorded and no others. An entry written in flow style ({...}) gets the record before its closing
    brace; only a history that is itself one flow sequence ([...]) is dumped through ruamel.yaml."""
    import json

    from ruamel.yaml import YAML

    from protocolkit.files import read_bounded
    from protocolkit.load import MAX_BYTES

    original = read_bounded(path, MAX_BYTES).decode("utf-8-sig")
    yaml = YAML(typ="rt")
    data = yaml.load(original)
    history = data["history"]
    entry = history[index]
    if history.fa.flow_style():
        return _dumped(yaml, data, entry, day, names, fingerprints)
    newline = "\r\n" if "\r\n" in original else "\n"
    lines = original.splitlines(keepends=True)
    start, col = entry.lc.line, entry.lc.col
    keys = list(data)
    after = keys[keys.index("history") + 1:]
    end = history[index + 1].lc.line if index + 1 < len(history) else \
        (data.lc.key(after[0])[0] if after else len(lines))
    record = [f"on: {day.isoformat()}", f"by: [{', '.join(json.dumps(n, ensure_ascii=False) for n in names)}]"]
    record += [f"{kind}: {fingerprints[kind]}" for kind in ("protocol", "dsa") if kind in fingerprints]
    if entry.fa.flow_style():
        if "signed" in entry:  # signed again: the earlier record of this version is replaced where it is
            region = "".join(lines[start:end])
            found = list(re.finditer(r"signed:\s*\{[^{}]*\}", region))
            if len(found) != 1:
                return _dumped(yaml, data, entry, day, names, fingerprints)
            m = found[0]
            region = region[:m.start()] + "signed: {" + ", ".join(record) + "}" + region[m.end():]
            return "".join(lines[:start]) + region + "".join(lines[end:])
        # `- {version: …, summary: …}`: the record goes in before the entry's closing brace
        for i in range(min(end, len(lines)) - 1, start - 1, -1):
            code = re.sub(r"\s#.*$", "", lines[i].rstrip("\r\n"))
            at = code.rfind("}")
            if at >= 0:
                lines[i] = lines[i][:at] + ", signed: {" + ", ".join(record) + "}" + lines[i][at:]
                return "".join(lines)
        return _dumped(yaml, data, entry, day, names, fingerprints)
    if "signed" in entry:  # signed again: the earlier record of this version is replaced
        entry_keys = list(entry)
        at = entry.lc.key("signed")[0]
        rest = entry_keys[entry_keys.index("signed") + 1:]
        stop = entry.lc.key(rest[0])[0] if rest else end
        del lines[at:stop]
        end -= stop - at
    last = start
    for i in range(start, min(end, len(lines))):
        stripped = lines[i].strip()
        if stripped and not stripped.startswith("#"):
            last = i
    if not lines[last].endswith(("\n", "\r")):
        lines[last] += newline
    pad = " " * col
    block = [f"{pad}signed:"] + [f"{pad}  {line}" for line in record]
    lines[last + 1:last + 1] = [line + newline for line in block]
    return "".join(lines)


def _dumped(yaml, data, entry, day: date, names: list[str], fingerprints: dict[str, str]) -> str:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    signed = CommentedMap()
    signed["on"] = day
    by = CommentedSeq(names)
    by.fa.set_flow_style()
    signed["by"] = by
    for kind in ("protocol", "dsa"):
        if kind in fingerprints:
            signed[kind] = fingerprints[kind]
    entry["signed"] = signed
    yaml.width = 4096  # never fold a line the file did not fold
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()
