"""Settings of the `fusions` config section (schema: workflow/schemas/config/fusions.schema.json)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from kinres.config import section_values
from kinres.io.fusions import fusioncatcher, star_fusion

DEFAULT_KINASE_GENES = ("ALK", "ROS1", "NTRK1", "NTRK2", "NTRK3", "RET", "MET", "BRAF", "FGFR1",
                        "FGFR2", "FGFR3", "EGFR", "ERBB2")


@dataclass(frozen=True)
class Settings:
    """Fusion ingestion and structure settings; defaults equal the schema defaults."""

    kinase_genes: tuple[str, ...] = DEFAULT_KINASE_GENES
    merge_tolerance_bp: int = 10
    exon_boundary_tolerance_bp: int = 10
    read_through_max_distance: int = 100_000
    min_supporting_reads: int = 3
    sv_pass_only: bool = True
    star_fusion_artefact_tags: tuple[str, ...] = star_fusion.DEFAULT_ARTEFACT_TAGS
    fusioncatcher_artefact_tags: tuple[str, ...] = fusioncatcher.DEFAULT_ARTEFACT_TAGS

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any] | None) -> Settings:
        """Build from the validated `fusions` config section (missing keys take defaults)."""
        s = section_values(cls, mapping, "fusions")
        return replace(s, **{f.name: tuple(str(x) for x in getattr(s, f.name)) for f in fields(cls)
                             if isinstance(getattr(s, f.name), tuple)})
