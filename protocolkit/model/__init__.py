"""Pydantic models of everything a user writes in YAML; schemas/ is exported from these."""

from protocolkit.model.library import (
    Citation,
    CitationsFile,
    Clause,
    ClauseFile,
    DatedReference,
    DocumentsFile,
    DocumentSpec,
    SectionSpec,
)
from protocolkit.model.partnership import Partnership
from protocolkit.check.profile import Profile  # noqa: E402  (the checker owns the profile model)

# schema file name -> model, for `protocolkit schema` and the editors' $schema lines
SCHEMAS = {
    "partnership": Partnership,
    "clauses": ClauseFile,
    "documents": DocumentsFile,
    "citations": CitationsFile,
    "profile": Profile,
}

__all__ = [
    "SCHEMAS", "Citation", "CitationsFile", "Clause", "ClauseFile", "DatedReference",
    "DocumentsFile", "DocumentSpec", "Partnership", "SectionSpec",
]
