"""JUnit XML: one testsuite per file, one failing testcase per error or warning, so CI dashboards list them."""

from __future__ import annotations

from collections import Counter
from itertools import groupby
from xml.etree import ElementTree as ET

from protocolkit.findings import Finding


def render(findings: list[Finding], color: bool = False) -> str:
    root = ET.Element("testsuites", name="protocolkit check", tests=str(len(findings)),
                      failures=str(sum(1 for f in findings if f.severity == "error")))
    for path, group in groupby(findings, key=lambda f: f.path):
        items = list(group)
        counts = Counter(f.severity for f in items)
        suite = ET.SubElement(root, "testsuite", name=path, tests=str(len(items)),
                              failures=str(counts["error"]), errors="0", skipped=str(len(items) - counts["error"]))
        for f in items:
            where = f"{f.line}:{f.column or 1}" if f.line is not None else (f.section or "")
            case = ET.SubElement(suite, "testcase", classname=path, name=f"{f.rule} {where}".strip(),
                                 file=path, **({"line": str(f.line)} if f.line is not None else {}))
            if f.severity == "error":
                failure = ET.SubElement(case, "failure", type=f.rule, message=f.message)
                failure.text = f"{f.location()}: {f.message}"
            else:
                skipped = ET.SubElement(case, "skipped", message=f"{f.severity}: {f.message}")
                skipped.text = f"{f.location()}: {f.message}"
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
