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
    from protocolkit.files import make_folder, write_file

    make_folder(out_dir)
    written = []
    for name, text in schema_files().items():
        path = out_dir / name
        write_file(path, text)
        written.append(path)
    return written
