"""Settings of the `report` config section (schema: workflow/schemas/config/report.schema.json)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kinres.config import section_values
from kinres.errors import ConfigError

VCF_RECORD_CHOICES = ("all", "annotated")


@dataclass(frozen=True)
class Settings:
    lab_name: str = "kinres molecular diagnostics"
    pdf: bool = True
    vcf_records: str = "all"  # "all" input records, or only those matched to an alteration
    timeline: bool = True  # draw VAF-over-time when other samples of the patient are given

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any] | None) -> Settings:
        """Build from the (schema-validated) `report` config section; missing keys use defaults."""
        settings = section_values(cls, mapping, "report")
        if settings.vcf_records not in VCF_RECORD_CHOICES:
            raise ConfigError(None, f"report.vcf_records must be one of {VCF_RECORD_CHOICES}")
        return settings
