"""Output formats for findings: each module has `render(findings, ...) -> str`."""
