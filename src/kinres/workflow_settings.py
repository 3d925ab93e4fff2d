"""Top-level workflow settings: `samples`, `results` and `reference` in config/config.yaml.

The other sections belong to the modules that read them; these three are read by the Snakefile,
`kinres validate` and provenance (reference build files).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kinres.enums import Build
from kinres.errors import ConfigError

# patients_per_job: auto (docs/scaling.md). Up to AUTO_PER_PATIENT_MAX patients every patient is
# its own job (a failure or an edited row touches one patient). Above, patients are hashed into
# AUTO_JOBS jobs, doubled while a job would hold more than AUTO_GROUP_MAX patients: the job count
# stays small (each job costs ~1 CPU-s of start-up and Snakemake bookkeeping that grows with the
# number of jobs), and it changes only at powers of two, so adding a few patients to a cohort does
# not regroup (and rerun) the others.
AUTO_PER_PATIENT_MAX = 50
AUTO_JOBS = 50
AUTO_GROUP_MAX = 20


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
    patients_per_job: int | str = "auto"
    pdf_per_job: int = 40
    reuse_outputs: bool = True
    reference: tuple[tuple[Build, ReferenceFiles], ...] = ()

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any] | None) -> Settings:
        """Build from the whole (already schema-validated) config mapping."""
        mapping = mapping or {}
        refs = mapping.get("reference") or {}
        return cls(
            samples=Path(mapping.get("samples") or cls.samples),
            results=Path(mapping.get("results") or cls.results),
            patients_per_job=_patients_per_job(mapping.get("patients_per_job")),
            pdf_per_job=int(mapping.get("pdf_per_job") or cls.pdf_per_job),
            reuse_outputs=bool(mapping.get("reuse_outputs", cls.reuse_outputs)),
            reference=tuple((Build(b), ReferenceFiles.from_mapping(refs.get(b)))
                            for b in (Build.GRCh37.value, Build.GRCh38.value) if refs.get(b)),
        )

    def patient_job_count(self, n_patients: int) -> int | None:
        """Jobs to spread n_patients over (by a hash of the patient ID), or None for one job
        (one generated rule) per patient."""
        if self.patients_per_job == "auto":
            if n_patients <= AUTO_PER_PATIENT_MAX:
                return None
            jobs = AUTO_JOBS
            while n_patients > jobs * AUTO_GROUP_MAX:
                jobs *= 2
            return jobs
        if int(self.patients_per_job) <= 1:
            return None
        return math.ceil(n_patients / int(self.patients_per_job))

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


def _patients_per_job(value: Any) -> int | str:
    if value is None or value == "auto":
        return Settings.patients_per_job
    return int(value)
