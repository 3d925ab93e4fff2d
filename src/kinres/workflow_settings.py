"""Top-level workflow settings: `samples`, `results` and `reference` in config/config.yaml.

The other sections belong to the modules that read them; these three are read by the Snakefile,
`kinres validate` and provenance (reference build files).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kinres.enums import Build
from kinres.errors import ConfigError


@dataclass(frozen=True)
class ReferenceFiles:
    """Reference files for one genome build (both optional)."""

    fasta: Path | None = None
    annotation: str | None = None

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any] | None) -> ReferenceFiles:
        mapping = mapping or {}
        fasta = mapping.get("fasta")
        return cls(fasta=Path(fasta) if fasta else None, annotation=mapping.get("annotation"))


@dataclass(frozen=True)
class Settings:
    """Defaults mirror workflow/schemas/config.schema.json and config/reference.schema.json."""

    samples: Path = Path("config/samples.tsv")
    results: Path = Path("results")
    patients_per_job: int = 1
    pdf_per_job: int = 40
    reference: tuple[tuple[Build, ReferenceFiles], ...] = ()

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any] | None) -> Settings:
        """Build from the whole (already schema-validated) config mapping."""
        mapping = mapping or {}
        refs = mapping.get("reference") or {}
        return cls(
            samples=Path(mapping.get("samples") or cls.samples),
            results=Path(mapping.get("results") or cls.results),
            patients_per_job=int(mapping.get("patients_per_job") or cls.patients_per_job),
            pdf_per_job=int(mapping.get("pdf_per_job") or cls.pdf_per_job),
            reference=tuple((Build(b), ReferenceFiles.from_mapping(refs.get(b)))
                            for b in (Build.GRCh37.value, Build.GRCh38.value) if refs.get(b)),
        )

    def reference_for(self, build: Build) -> ReferenceFiles:
        """Reference files configured for `build` (empty when none are configured)."""
        return dict(self.reference).get(build, ReferenceFiles())

    def check_reference_files(self, config_path: str | Path) -> None:
        """Raise ConfigError if a configured FASTA (or its .fai) or annotation file does not exist."""
        for build, ref in self.reference:
            if ref.annotation and not Path(ref.annotation).is_file():
                raise ConfigError(config_path, f"reference/{build}/annotation: file not found: "
                                               f"{ref.annotation} (an Ensembl GFF3 or GENCODE GTF)")
            if ref.fasta is None:
                continue
            if not ref.fasta.is_file():
                raise ConfigError(config_path, f"reference/{build}/fasta: file not found: "
                                               f"{ref.fasta}")
            fai = Path(f"{ref.fasta}.fai")
            if not fai.is_file():
                raise ConfigError(config_path, f"reference/{build}/fasta: index not found: {fai} "
                                               f"(run `samtools faidx {ref.fasta}`)")
