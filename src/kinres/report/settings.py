"""Settings of the `report` config section (schema: workflow/schemas/config/report.schema.json)."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kinres.config import section_values
from kinres.errors import ConfigError

VCF_RECORD_CHOICES = ("all", "annotated")
STATUS_CHOICES = ("draft", "final", "amended")


@dataclass(frozen=True)
class Settings:
    # Laboratory block: empty values print "not configured" so an unconfigured install is obvious.
    lab_name: str = ""
    lab_address: str = ""
    lab_accreditation: tuple[str, ...] = ()  # e.g. ("CAP 1234567", "CLIA 99D1234567")
    lab_logo: str = ""  # PNG/JPEG/SVG file, embedded in the report as a data URI
    lab_contact: str = ""
    # Assay block (genes/regions come from the panel tables, not from here).
    assay_name: str = ""
    assay_version: str = ""
    assay_lod: str = ""  # e.g. "SNV/indel 0.5% VAF at >= 1000x; fusions 5 supporting reads"
    # Sign-out defaults; the sample sheet (report_status, reviewed_by, review_date) overrides.
    status: str = "draft"
    reviewed_by: str = ""
    review_date: str = ""
    pdf: bool = True
    vcf_records: str = "all"  # "all" input records, or only those matched to an alteration
    timeline: bool = True  # draw VAF-over-time when other samples of the patient are given

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any] | None) -> Settings:
        """Build from the (schema-validated) `report` config section; missing keys use defaults."""
        settings = section_values(cls, mapping, "report")
        if settings.vcf_records not in VCF_RECORD_CHOICES:
            raise ConfigError(None, f"report.vcf_records must be one of {VCF_RECORD_CHOICES}")
        if settings.status not in STATUS_CHOICES:
            raise ConfigError(None, f"report.status must be one of {STATUS_CHOICES}")
        if settings.review_date:
            try:
                _dt.date.fromisoformat(settings.review_date)
            except ValueError:
                raise ConfigError(None, f"report.review_date {settings.review_date!r} is not an "
                                        "ISO date (YYYY-MM-DD)") from None
        return settings
