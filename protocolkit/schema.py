"""JSON Schemas exported from the models, for editors (yaml-language-server) and for schemas/."""

from __future__ import annotations

import json
from pathlib import Path

from protocolkit.model import SCHEMAS


def schema_files() -> dict[str, str]:
    """File name -> JSON text of each schema, deterministic to the byte."""
    out = {}
    for name, model in SCHEMAS.items():
        schema = model.model_json_schema()
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": f"{name}.schema.json", **schema}
        out[f"{name}.schema.json"] = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    return out


def write_schemas(out_dir: Path) -> list[Path]:
    """Write every schema into out_dir; returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in schema_files().items():
        path = out_dir / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
