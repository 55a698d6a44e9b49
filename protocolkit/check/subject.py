"""What a rule looks at: one input with its assembled or read documents and the facts around it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Literal

from protocolkit.document import Document
from protocolkit.library import Library
from protocolkit.load import YamlFile
from protocolkit.model import Partnership

if TYPE_CHECKING:
    from protocolkit.check.profile import Profile


@dataclass
class Subject:
    kind: Literal["partnership", "library", "docx"]
    path: str
    library: Library
    today: date
    documents: list[Document] = field(default_factory=list)
    partnership: Partnership | None = None
    yaml: YamlFile | None = None
    profile: "Profile | None" = None
    # whether rules may read git history for detail (check does; build and signed, which need only the verdict,
    # do not spend the time)
    history: bool = True

    def active_profile(self) -> "Profile":
        """The profile given with --profile, or the default one."""
        from protocolkit.check.profile import load_profile

        return self.profile or load_profile(None)
