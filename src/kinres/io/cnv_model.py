"""Copy-number observations and tables as read from a CNV file (see kinres.io.cnv)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kinres.enums import CnvFormat, CopyNumberCall, StrEnum
from kinres.models import SourceRef


class CnvLayout(StrEnum):
    """The concrete file layout behind a CnvFormat (recorded in stage parameters)."""

    CNVKIT_SEGMENTS = "cnvkit_cns"
    CNVKIT_BINS = "cnvkit_cnr"
    SEGMENTS = "segments"
    ALLELE_SPECIFIC_SEGMENTS = "allele_specific_segments"
    GENE_TABLE = "gene_table"
    DISCRETE_MATRIX = "discrete_matrix"
    DISCRETE_LONG = "discrete_long"
    VCF = "vcf"


# which sample-sheet cnv_format a layout satisfies
LAYOUT_FORMAT = {
    CnvLayout.CNVKIT_SEGMENTS: CnvFormat.CNVKIT,
    CnvLayout.CNVKIT_BINS: CnvFormat.CNVKIT,
    CnvLayout.SEGMENTS: CnvFormat.GENE_TSV,
    CnvLayout.ALLELE_SPECIFIC_SEGMENTS: CnvFormat.GENE_TSV,
    CnvLayout.GENE_TABLE: CnvFormat.GENE_TSV,
    CnvLayout.DISCRETE_MATRIX: CnvFormat.GENE_TSV,
    CnvLayout.DISCRETE_LONG: CnvFormat.GENE_TSV,
    CnvLayout.VCF: CnvFormat.VCF,
}


@dataclass(frozen=True)
class CnObservation:
    """One copy-number measurement: a segment (chrom/start/end) and/or named genes.

    Exactly one of copy_number, log2 or discrete carries the measurement (copy_number wins
    when a file gives both). Coordinates are 1-based inclusive.
    """

    source: SourceRef
    chrom: str | None = None
    start: int | None = None
    end: int | None = None
    genes: tuple[str, ...] = ()
    copy_number: float | None = None
    log2: float | None = None
    discrete: CopyNumberCall | None = None
    tumour_absolute: bool = False  # CN is already the tumour's own (purity-corrected) value
    probes: int | None = None

    @property
    def size(self) -> int | None:
        if self.start is None or self.end is None:
            return None
        return self.end - self.start + 1


@dataclass(frozen=True)
class CnvTable:
    """Parsed copy-number file."""

    path: Path
    layout: CnvLayout
    observations: tuple[CnObservation, ...]
    sample_column: str | None = None
    warnings: tuple[str, ...] = ()
