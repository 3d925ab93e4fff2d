"""Read copy-number files into typed observations (segments or gene-level values).

Layouts are recognised from the header, never from the file name:

* CNVkit ``.cns`` / ``.call.cns`` (``chromosome start end gene log2 [cn] depth probes weight``)
  and ``.cnr`` (no ``probes`` column; bins are summarised per gene by their median log2).
  CNVkit writes 0-based starts (BED convention); they are converted to 1-based.
* Generic segment tables: DNAcopy/GISTIC ``.seg`` (``ID chrom loc.start loc.end num.mark
  seg.mean``), PCGR v1 (``Chromosome Start End Segment_Mean``) - a log2 column - or an
  absolute copy-number column (``copy_number``/``cn``/``total_cn``).
* Allele-specific segments, e.g. the PCGR CNA input (``Chromosome Start End nMajor nMinor``):
  total CN = nMajor + nMinor, already an absolute *tumour* copy number (ASCAT/Sequenza style),
  so it is never purity-adjusted again.
* Gene-level tables: a gene column (``gene``, ``gene_symbol``, ``hugo_symbol``, ``symbol``,
  ``gene_name``) plus ``copy_number``/``cn``/``total_cn``/``copies``/``absolute_cn`` and/or
  ``log2``/``log2_ratio``/``log2r``/``seg.mean``/``segment_mean``; optional ``chromosome``,
  ``start``, ``end`` and a sample column (``sample``, ``sample_id``, ``tumor_sample_barcode``).
* oncokb-annotator / cBioPortal discrete tables: the gene x sample matrix (``Hugo_Symbol`` or
  ``Gene Symbol`` + ``Locus ID``/``Cytoband``/``Entrez_Gene_Id`` + one column per sample,
  GISTIC values -2..2) and the long form (``Tumor_Sample_Barcode Hugo_Symbol
  Copy_Number_Alteration``, numbers or words such as ``Amplification``).
* VCF CNV records: symbolic ``<DUP>``/``<DEL>``/``<CNV>`` (SVTYPE DUP/DEL/CNV) with FORMAT or
  INFO ``CN`` (CNVkit ``export vcf``; DRAGEN ``DRAGEN:GAIN``/``LOSS``/``REF`` with
  ``GT:SM:CN:BC:PE``), falling back to INFO ``FOLD_CHANGE_LOG``/``LOG2`` or FORMAT ``SM``.

Bad values (non-numeric, NaN, infinite, negative copy numbers, end < start) raise InputError
naming the file and line; records that are deliberately not used (filtered VCF records, other
samples' rows) are counted and returned as warnings.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from kinres.enums import CnvFormat
from kinres.errors import InputError
from kinres.io import opener
from kinres.io.cnv_model import LAYOUT_FORMAT, CnObservation, CnvLayout, CnvTable
from kinres.io.cnv_tables import _TABLE_READERS
from kinres.io.cnv_values import (
    _CHROM,
    _CN,
    _END,
    _GENE,
    _LOG2,
    _START,
    _find,
    _norm,
)
from kinres.io.cnv_vcf import _read_vcf

# the model lives in cnv_model, the readers in cnv_tables/cnv_vcf; callers import from here
__all__ = ["LAYOUT_FORMAT", "CnObservation", "CnvLayout", "CnvTable", "detect_layout", "read_cnv"]


# --------------------------------------------------------------------------- entry point
def read_cnv(path: str | Path, fmt: CnvFormat | None = None,
             sample_id: str | None = None, pass_only: bool = True) -> CnvTable:
    """Parse a copy-number file; `fmt` (from the sample sheet) must agree with the header.

    `sample_id` selects the column/rows of multi-sample files; a file with a single sample is
    used whatever that sample is called. Raises InputError for anything unusable.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "copy-number file not found")
    if _is_vcf(path):
        layout = CnvLayout.VCF
        table = _read_vcf(path, sample_id, pass_only)
    else:
        lines = _text_lines(path)
        header_no, header = _header(path, lines)
        layout = detect_layout(path, header, header_no)
        table = _TABLE_READERS[layout](path, lines, header_no, header, sample_id)
    if fmt is not None and LAYOUT_FORMAT[layout] is not fmt:
        raise InputError(path, f"sample sheet says cnv_format '{fmt}' but the file looks like "
                               f"'{layout}' ({LAYOUT_FORMAT[layout]})")
    if not table.observations:
        raise InputError(path, "no copy-number records found"
                         + (f" ({'; '.join(table.warnings)})" if table.warnings else ""))
    return table


def _is_vcf(path: Path) -> bool:
    head = opener.sniff(path, "copy-number file").head.removeprefix(opener.BOM)
    return head.startswith((b"##fileformat=VCF", b"BCF\x02"))


def _text_lines(path: Path) -> list[str]:
    return opener.read_lines(path, "copy-number file")


def _header(path: Path, lines: list[str]) -> tuple[int, list[str]]:
    """First non-blank line not starting with '##' (a leading '#' is allowed on the header)."""
    for i, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith("##"):
            continue
        return i, [_norm(c) for c in line.rstrip("\n").split("\t")]
    raise InputError(path, "file is empty (no header line)")


def detect_layout(path: Path, header: Sequence[str], line: int | None = None) -> CnvLayout:
    """Name the layout of a tabular CNV file from its normalised header."""
    has = lambda names: _find(header, names) is not None
    segment = has(_CHROM) and has(_START) and has(_END)
    if segment and "log2" in header and "chromosome" in header:
        return CnvLayout.CNVKIT_SEGMENTS if "probes" in header else CnvLayout.CNVKIT_BINS
    if segment and "nmajor" in header and "nminor" in header:
        return CnvLayout.ALLELE_SPECIFIC_SEGMENTS
    if has(_GENE) and "copy_number_alteration" in header:
        return CnvLayout.DISCRETE_LONG
    if has(_GENE) and (has(_CN) or has(_LOG2)):
        return CnvLayout.GENE_TABLE
    if segment and (has(_CN) or has(_LOG2)):
        return CnvLayout.SEGMENTS
    if has(_GENE) and len(header) > 1:
        return CnvLayout.DISCRETE_MATRIX
    raise InputError(
        path, "unrecognised copy-number table: header has "
        f"{', '.join(header)}; expected CNVkit .cns/.cnr, a segment table (chromosome, start, "
        "end + log2/seg.mean or copy_number, or nMajor/nMinor), a gene table (gene + "
        "copy_number or log2) or a cBioPortal/oncokb discrete table", line=line)
