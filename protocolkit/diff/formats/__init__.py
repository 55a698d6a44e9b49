"""Writers of a diff report: text, markdown, html and json, each with render(report, color) -> str."""
