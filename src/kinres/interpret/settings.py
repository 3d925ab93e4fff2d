"""Settings of the interpret config section (schema: workflow/schemas/config/interpret.schema.json)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from kinres.config import section_values


@dataclass(frozen=True)
class Settings:
    min_tumor_fraction: float = 0.05
    min_tissue_purity: float = 0.2
    subclonal_ratio: float = 0.5
    germline_het_vaf: tuple[float, float] = (0.4, 0.6)
    germline_hom_vaf: float = 0.9
    min_hotspot_depth: int = 100
    chip_genes: tuple[str, ...] = ("ASXL1", "ATM", "CBL", "CHEK2", "DNMT3A", "GNAS", "IDH1", "IDH2",
                                   "PPM1D", "SF3B1", "SRSF2", "TET2", "U2AF1")
    chip_hotspots: tuple[str, ...] = ("JAK2:p.V617F",)
    chip_careful_genes: tuple[str, ...] = ("KRAS", "NRAS", "TP53")
    origin_vaf_tolerance: float = 0.1
    # the assay's validated limit of detection (VAF) per specimen, stated in "not detected"
    # results when no BAM gives a per-hotspot LoD; None = not configured (the report says so)
    assay_lod_tissue: float | None = None
    assay_lod_plasma: float | None = None
    assay_lod_csf: float | None = None

    def assay_lod(self, specimen: str) -> float | None:
        return getattr(self, f"assay_lod_{specimen}")

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any] | None) -> Settings:
        """Build from a (schema-validated) config section; missing keys take the defaults."""
        return section_values(cls, mapping, "interpret")

    def as_parameters(self) -> dict[str, Any]:
        return {f.name: list(v) if isinstance(v := getattr(self, f.name), tuple) else v for f in fields(self)}
