"""GitHub Actions workflow commands: `::error file=F,line=L,col=C,title=RULE::message`, escaped."""

from __future__ import annotations

from protocolkit.findings import Finding

_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(findings: list[Finding], color: bool = False) -> str:
    lines = []
    for f in findings:
        props = [f"file={_prop(f.path)}"]
        if f.line is not None:
            props += [f"line={f.line}", f"col={f.column or 1}"]
        props.append(f"title={_prop(f.rule)}")
        lines.append(f"::{_LEVEL[f.severity]} {','.join(props)}::{_data(f.message)}")
    return "\n".join(lines)
