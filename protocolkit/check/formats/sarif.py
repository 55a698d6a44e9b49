"""SARIF 2.1.0, for code-scanning dashboards: every documented rule, and one result per finding."""

from __future__ import annotations

import json
from urllib.parse import quote

from protocolkit import __version__
from protocolkit.findings import Finding

_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def render(findings: list[Finding], color: bool = False) -> str:
    from protocolkit.check.codes import all_codes

    codes = all_codes()
    used = sorted({f.rule for f in findings} | set(codes))
    index = {rule: i for i, rule in enumerate(used)}
    rules = []
    for rule in used:
        r = codes.get(rule)
        entry = {"id": rule, "name": (r.name if r else rule),
                 "shortDescription": {"text": r.name if r else rule},
                 "fullDescription": {"text": (r.doc.split("\n\n")[0] if r else rule)},
                 "help": {"text": r.doc if r else rule},
                 "defaultConfiguration": {"level": _LEVEL[r.severity] if r else "warning"}}
        rules.append(entry)
    results = []
    for f in findings:
        location: dict = {"physicalLocation": {"artifactLocation": {"uri": quote(f.path.replace("\\", "/"))}}}
        if f.line is not None:
            location["physicalLocation"]["region"] = {"startLine": f.line, "startColumn": f.column or 1}
        logical = [{"name": n, "kind": k} for n, k in ((f.section, "section"), (f.clause, "clause")) if n]
        if logical:
            location["logicalLocations"] = logical
        results.append({"ruleId": f.rule, "ruleIndex": index[f.rule], "level": _LEVEL[f.severity],
                        "message": {"text": f.message}, "locations": [location]})
    sarif = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "protocolkit", "version": __version__,
                                      "informationUri": "https://github.com/protocolkit/protocolkit", "rules": rules}},
                  "results": results}],
    }
    return json.dumps(sarif, indent=2, ensure_ascii=False)
