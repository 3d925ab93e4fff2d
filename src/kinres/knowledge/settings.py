"""Settings of the knowledge config section (schema: workflow/schemas/config/knowledge.schema.json)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kinres.paths import KNOWLEDGE_DIR


@dataclass(frozen=True)
class Settings:
    directory: str = ""  # empty = resources/knowledge shipped with kinres

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any] | None) -> Settings:
        mapping = mapping or {}
        return cls(directory=str(mapping.get("directory", "") or ""))

    @property
    def path(self) -> Path:
        return Path(self.directory) if self.directory else KNOWLEDGE_DIR
