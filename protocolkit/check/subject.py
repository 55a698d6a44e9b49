"""What a rule looks at: one input with its assembled or read documents and the facts around it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from protocolkit.document import Document
from protocolkit.library import Library
from protocolkit.load import YamlFile
from protocolkit.model import Partnership


@dataclass
class Subject:
    kind: Literal["partnership", "library", "docx"]
    path: str
    library: Library
    today: date
    documents: list[Document] = field(default_factory=list)
    partnership: Partnership | None = None
    yaml: YamlFile | None = None
