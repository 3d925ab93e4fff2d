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

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from kinres.enums import CnvFormat, CopyNumberCall, StrEnum
from kinres.errors import InputError
from kinres.io import opener
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


# --------------------------------------------------------------------------- column names
_GENE = ("gene", "gene_symbol", "hugo_symbol", "symbol", "gene_name")
_CHROM = ("chromosome", "chrom", "chr", "contig")
_START = ("start", "loc.start", "start_pos", "startpos", "start_position")
_END = ("end", "loc.end", "end_pos", "endpos", "end_position")
_CN = ("copy_number", "cn", "total_cn", "copies", "absolute_cn", "copynumber")
_LOG2 = ("log2", "log2_ratio", "log2r", "seg.mean", "segment_mean", "log2ratio")
_SAMPLE = ("sample", "sample_id", "id", "tumor_sample_barcode")
_PROBES = ("probes", "num.mark", "num_probes", "num_mark")
# annotation columns of the cBioPortal/oncokb matrix that are not samples
_MATRIX_ANNOTATION = ("locus_id", "cytoband", "entrez_gene_id")

_DISCRETE_NUMBERS = {
    2.0: CopyNumberCall.AMPLIFICATION, 1.0: CopyNumberCall.GAIN, 0.0: CopyNumberCall.NEUTRAL,
    -1.0: CopyNumberCall.LOSS, -1.5: CopyNumberCall.LOSS, -2.0: CopyNumberCall.DEEP_DELETION,
}
_DISCRETE_WORDS = {
    "amplification": CopyNumberCall.AMPLIFICATION, "amp": CopyNumberCall.AMPLIFICATION,
    "gain": CopyNumberCall.GAIN, "neutral": CopyNumberCall.NEUTRAL,
    "loss": CopyNumberCall.LOSS, "shallowdeletion": CopyNumberCall.LOSS,
    "deletion": CopyNumberCall.DEEP_DELETION, "deepdeletion": CopyNumberCall.DEEP_DELETION,
    "homdel": CopyNumberCall.DEEP_DELETION,
}


def _norm(name: str) -> str:
    return name.strip().lstrip("#").strip().lower().replace(" ", "_")


def _find(header: Sequence[str], names: Iterable[str]) -> int | None:
    for name in names:
        if name in header:
            return header.index(name)
    return None


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


# --------------------------------------------------------------------------- value parsing
# beyond these a value is a corrupt cell, not biology: the highest focal amplifications reach
# a few hundred copies; |log2| 50 is a 2^50-fold ratio
_MAX_CN = 1000.0
_MAX_ABS_LOG2 = 50.0
_MAX_INT = 10**9  # positions (< 3e8 in any human chromosome) and probe/read counts


def _number(path: Path, line: int, column: str, text: str, *, allow_negative: bool,
            record: str | None = None) -> float:
    """A copy number (allow_negative False) or log2 ratio (True), range-checked."""
    try:
        value = float(text)
    except ValueError:
        raise InputError(path, f"column '{column}': '{text}' is not a number",
                         line=line, record=record) from None
    if not math.isfinite(value):
        raise InputError(path, f"column '{column}': value '{text}' is not a finite number",
                         line=line, record=record)
    if value < 0 and not allow_negative:
        raise InputError(path, f"column '{column}': negative copy number {text}",
                         line=line, record=record)
    if not allow_negative and value > _MAX_CN:
        raise InputError(path, f"column '{column}': copy number {text} is implausible "
                               f"(> {_MAX_CN:g})", line=line, record=record)
    if allow_negative and abs(value) > _MAX_ABS_LOG2:
        raise InputError(path, f"column '{column}': log2 ratio {text} is implausible "
                               f"(|log2| > {_MAX_ABS_LOG2:g})", line=line, record=record)
    return value


def _int(path: Path, line: int, column: str, text: str) -> int:
    """A non-negative whole number (position, probe count), range-checked."""
    try:
        number = float(text)
    except ValueError:
        raise InputError(path, f"column '{column}': '{text}' is not an integer position",
                         line=line) from None
    if not math.isfinite(number) or not number.is_integer():
        raise InputError(path, f"column '{column}': '{text}' is not a whole number",
                         line=line)
    if number < 0:
        raise InputError(path, f"column '{column}': negative value {text}", line=line)
    if number > _MAX_INT:
        raise InputError(path, f"column '{column}': {text} is implausibly large", line=line)
    return int(number)


def _genes_cell(text: str) -> tuple[str, ...]:
    if text.strip() in ("", "-", "."):
        return ()
    seen: dict[str, None] = {}
    for g in text.replace(";", ",").split(","):
        g = g.strip()
        if g and g not in ("-", "Antitarget", "Background"):
            seen.setdefault(g, None)
    return tuple(seen)


def _discrete(path: Path, line: int, column: str, text: str) -> CopyNumberCall:
    word = text.strip().lower().replace("_", "").replace(" ", "")
    if word in _DISCRETE_WORDS:
        return _DISCRETE_WORDS[word]
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if value in _DISCRETE_NUMBERS:
        return _DISCRETE_NUMBERS[value]
    raise InputError(path, f"column '{column}': '{text}' is not a discrete copy-number value "
                           "(-2, -1, 0, 1, 2 or Amplification/Gain/Loss/Deletion)", line=line)


def _rows(path: Path, lines: list[str], header_no: int, width: int):
    """Yield (line_no, cells) for data rows; a row of the wrong width is an error."""
    for i in range(header_no, len(lines)):
        text = lines[i]
        if not text.strip() or text.startswith("#"):
            continue
        cells = text.rstrip("\n").split("\t")
        if len(cells) != width:
            raise InputError(path, f"expected {width} tab-separated columns, found {len(cells)}",
                             line=i + 1)
        yield i + 1, [c.strip() for c in cells]


def _segment_bounds(path: Path, line: int, cells: list[str], header: list[str],
                    zero_based: bool) -> tuple[str, int, int]:
    ci, si, ei = _find(header, _CHROM), _find(header, _START), _find(header, _END)
    chrom = cells[ci]
    if not chrom:
        raise InputError(path, "empty chromosome", line=line)
    start = _int(path, line, header[si], cells[si]) + (1 if zero_based else 0)
    end = _int(path, line, header[ei], cells[ei])
    if end < start:
        raise InputError(path, f"segment end {end} is before its start {start}", line=line)
    return chrom, start, end


def _pick_sample(path: Path, available: Sequence[str], sample_id: str | None,
                 what: str) -> str:
    if sample_id is not None and sample_id in available:
        return sample_id
    if len(available) == 1:
        return available[0]
    raise InputError(path, f"{what} holds samples {', '.join(available)}; none is called "
                           f"'{sample_id}' (rename the column or split the file)")


# --------------------------------------------------------------------------- table readers
def _read_cnvkit(path, lines, header_no, header, sample_id) -> CnvTable:
    bins = "probes" not in header
    li, gi = header.index("log2"), _find(header, ("gene",))
    pi = _find(header, ("probes",))
    # `cnvkit call` adds an integer `cn`; kinres derives CN from log2, but a negative cn means
    # the file is corrupt or not what it claims to be, so it must not pass silently
    ci = _find(header, ("cn",))
    obs = []
    empty: list[int] = []  # zero-probe segments skipped (line numbers)
    for line, cells in _rows(path, lines, header_no, len(header)):
        if not bins and _empty_segment(path, line, cells, header, pi):
            empty.append(line)
            continue
        chrom, start, end = _segment_bounds(path, line, cells, header, zero_based=True)
        if ci is not None and cells[ci].strip():
            _number(path, line, "cn", cells[ci], allow_negative=False)
        obs.append(CnObservation(
            source=SourceRef(str(path), line), chrom=chrom, start=start, end=end,
            genes=_genes_cell(cells[gi]) if gi is not None else (),
            log2=_number(path, line, "log2", cells[li], allow_negative=True),
            probes=_int(path, line, "probes", cells[pi]) if pi is not None else None))
    if bins:
        return CnvTable(path, CnvLayout.CNVKIT_BINS, _summarise_bins(obs))
    warnings = ()
    if empty:
        shown = ", ".join(map(str, empty[:10])) + (" ..." if len(empty) > 10 else "")
        warnings = ((f"{path.name}: {len(empty)} CNVkit segment(s) with no probes or end before "
                     f"start skipped (line {shown})"),)
    return CnvTable(path, CnvLayout.CNVKIT_SEGMENTS, tuple(obs), warnings=warnings)


def _empty_segment(path: Path, line: int, cells: list[str], header: list[str],
                   pi: int | None) -> bool:
    """A CNVkit segment that measured nothing: 0 probes, or end before start (segmetrics can
    emit these with depth and weight 0, etal/cnvkit#677). It carries no copy-number evidence,
    so it is skipped and counted instead of rejecting the whole sample."""
    if pi is not None and cells[pi].strip() == "0":
        return True
    si, ei = _find(header, _START), _find(header, _END)
    start = _int(path, line, header[si], cells[si])
    end = _int(path, line, header[ei], cells[ei])
    return end <= start  # 0-based half-open: end == start is empty as well


def _summarise_bins(bins: list[CnObservation]) -> tuple[CnObservation, ...]:
    """Per-bin log2 is noisy: one gene-level value = median log2 of the gene's target bins."""
    by_gene: dict[str, list[CnObservation]] = defaultdict(list)
    for b in bins:
        for g in b.genes:
            by_gene[g].append(b)
    out = []
    for gene, members in sorted(by_gene.items()):
        out.append(CnObservation(
            source=members[0].source, chrom=members[0].chrom,
            start=min(m.start for m in members), end=max(m.end for m in members),
            genes=(gene,), log2=statistics.median(m.log2 for m in members),
            probes=len(members)))
    return tuple(out)


def _read_segments(path, lines, header_no, header, sample_id) -> CnvTable:
    cni, li = _find(header, _CN), _find(header, _LOG2)
    si, pi, gi = _find(header, _SAMPLE), _find(header, _PROBES), _find(header, _GENE)
    rows = list(_rows(path, lines, header_no, len(header)))
    chosen, warnings = _sample_rows(path, rows, si, sample_id)
    obs = []
    for line, cells in chosen:
        chrom, start, end = _segment_bounds(path, line, cells, header, zero_based=False)
        obs.append(CnObservation(
            source=SourceRef(str(path), line), chrom=chrom, start=start, end=end,
            genes=_genes_cell(cells[gi]) if gi is not None else (),
            copy_number=(_number(path, line, header[cni], cells[cni], allow_negative=False)
                         if cni is not None else None),
            log2=(_number(path, line, header[li], cells[li], allow_negative=True)
                  if li is not None and cni is None else None),
            probes=_int(path, line, header[pi], cells[pi]) if pi is not None else None))
    return CnvTable(path, CnvLayout.SEGMENTS, tuple(obs),
                    sample_column=header[si] if si is not None else None, warnings=warnings)


def _sample_rows(path, rows, si, sample_id):
    """Keep the rows of one sample in long-format tables (seg files, oncokb long form)."""
    if si is None:
        return rows, ()
    names = list(dict.fromkeys(cells[si] for _, cells in rows))
    if not names:
        return rows, ()
    keep = _pick_sample(path, names, sample_id, "the sample column")
    chosen = [(ln, c) for ln, c in rows if c[si] == keep]
    other = len(rows) - len(chosen)
    warnings = (f"{path.name}: {other} row(s) of other samples ignored",) if other else ()
    return chosen, warnings


def _read_allele_specific(path, lines, header_no, header, sample_id) -> CnvTable:
    mi, ni = header.index("nmajor"), header.index("nminor")
    obs = []
    for line, cells in _rows(path, lines, header_no, len(header)):
        chrom, start, end = _segment_bounds(path, line, cells, header, zero_based=False)
        major = _number(path, line, "nMajor", cells[mi], allow_negative=False)
        minor = _number(path, line, "nMinor", cells[ni], allow_negative=False)
        obs.append(CnObservation(source=SourceRef(str(path), line), chrom=chrom, start=start,
                                 end=end, copy_number=major + minor, tumour_absolute=True))
    return CnvTable(path, CnvLayout.ALLELE_SPECIFIC_SEGMENTS, tuple(obs))


def _read_gene_table(path, lines, header_no, header, sample_id) -> CnvTable:
    gi, cni, li = _find(header, _GENE), _find(header, _CN), _find(header, _LOG2)
    si = _find(header, _SAMPLE)
    segment = all(_find(header, n) is not None for n in (_CHROM, _START, _END))
    rows = list(_rows(path, lines, header_no, len(header)))
    chosen, warnings = _sample_rows(path, rows, si, sample_id)
    obs = []
    for line, cells in chosen:
        gene = cells[gi]
        if not gene:
            raise InputError(path, "empty gene name", line=line)
        chrom = start = end = None
        if segment and all(cells[_find(header, n)] for n in (_CHROM, _START, _END)):
            chrom, start, end = _segment_bounds(path, line, cells, header, zero_based=False)
        obs.append(CnObservation(
            source=SourceRef(str(path), line), chrom=chrom, start=start, end=end, genes=(gene,),
            copy_number=(_number(path, line, header[cni], cells[cni], allow_negative=False,
                                 record=gene) if cni is not None else None),
            log2=(_number(path, line, header[li], cells[li], allow_negative=True, record=gene)
                  if li is not None and cni is None else None)))
    return CnvTable(path, CnvLayout.GENE_TABLE, tuple(obs),
                    sample_column=header[si] if si is not None else None, warnings=warnings)


def _read_discrete_long(path, lines, header_no, header, sample_id) -> CnvTable:
    gi, ci = _find(header, _GENE), header.index("copy_number_alteration")
    si = _find(header, _SAMPLE)
    rows = list(_rows(path, lines, header_no, len(header)))
    chosen, warnings = _sample_rows(path, rows, si, sample_id)
    obs = tuple(
        CnObservation(source=SourceRef(str(path), line), genes=(cells[gi],),
                      discrete=_discrete(path, line, "Copy_Number_Alteration", cells[ci]))
        for line, cells in chosen)
    return CnvTable(path, CnvLayout.DISCRETE_LONG, obs,
                    sample_column=header[si] if si is not None else None, warnings=warnings)


def _read_discrete_matrix(path, lines, header_no, header, sample_id) -> CnvTable:
    gi = _find(header, _GENE)
    raw_header = lines[header_no - 1].rstrip("\n").split("\t")
    samples = [raw_header[i].strip() for i, h in enumerate(header)
               if i != gi and h not in _MATRIX_ANNOTATION]
    if not samples:
        raise InputError(path, "gene table has no copy-number or sample column", line=header_no)
    column = _pick_sample(path, samples, sample_id, "the copy-number matrix")
    ci = [c.strip() for c in raw_header].index(column)
    obs = tuple(
        CnObservation(source=SourceRef(str(path), line), genes=(cells[gi],),
                      discrete=_discrete(path, line, column, cells[ci]))
        for line, cells in _rows(path, lines, header_no, len(header)))
    other = len(samples) - 1
    warnings = (f"{path.name}: {other} other sample column(s) ignored",) if other else ()
    return CnvTable(path, CnvLayout.DISCRETE_MATRIX, obs, sample_column=column,
                    warnings=warnings)


_TABLE_READERS = {
    CnvLayout.CNVKIT_SEGMENTS: _read_cnvkit,
    CnvLayout.CNVKIT_BINS: _read_cnvkit,
    CnvLayout.SEGMENTS: _read_segments,
    CnvLayout.ALLELE_SPECIFIC_SEGMENTS: _read_allele_specific,
    CnvLayout.GENE_TABLE: _read_gene_table,
    CnvLayout.DISCRETE_LONG: _read_discrete_long,
    CnvLayout.DISCRETE_MATRIX: _read_discrete_matrix,
}


# --------------------------------------------------------------------------- VCF
_CNV_ALTS = {"<DUP>", "<DEL>", "<CNV>", "<DUP:TANDEM>", "<GAIN>", "<LOSS>", "<AMP>"}


def _read_vcf(path: Path, sample_id: str | None, pass_only: bool) -> CnvTable:
    with opener.htslib_readable(path, "copy-number VCF") as readable:
        return _read_vcf_file(path, readable, sample_id, pass_only)


def _read_vcf_file(path: Path, readable: Path, sample_id: str | None,
                   pass_only: bool) -> CnvTable:
    import pysam  # local: only VCF inputs need it

    try:
        vf = pysam.VariantFile(str(readable))
    except (OSError, ValueError, NotImplementedError) as exc:
        raise InputError(path, f"cannot open VCF: {exc}") from None
    with vf:
        samples = list(vf.header.samples)
        sample = _pick_sample(path, samples, sample_id, "the VCF") if samples else None
        # DRAGEN somatic CNV writes its purity estimate into the header: CN is then the
        # tumour's own copy number and must not be purity-adjusted a second time.
        tumour_absolute = any(r.key and "EstimatedTumorPurity" in r.key
                              for r in vf.header.records)
        has_info = set(vf.header.info)
        has_fmt = set(vf.header.formats)
        obs, filtered, non_cnv = [], 0, 0
        line = _vcf_header_lines(path, vf)
        try:
            for rec in vf:
                line += 1
                alts = rec.alts or ()
                svtype = rec.info.get("SVTYPE") if "SVTYPE" in has_info else None
                is_ref_block = not alts or alts == ("<NON_REF>",)
                if not (svtype in ("DUP", "DEL", "CNV") or is_ref_block
                        or any(a in _CNV_ALTS for a in alts)):
                    non_cnv += 1
                    continue
                if pass_only and list(rec.filter) not in ([], ["PASS"]):
                    filtered += 1
                    continue
                obs.append(_vcf_observation(path, line, rec, sample, has_info, has_fmt,
                                            tumour_absolute))
        except (OSError, ValueError) as exc:
            raise InputError(path, f"malformed VCF record: {exc}", line=line + 1) from None
    warnings = []
    if filtered:
        warnings.append(f"{path.name}: {filtered} CNV record(s) not PASS, not used")
    if non_cnv:
        warnings.append(f"{path.name}: {non_cnv} non-CNV record(s) ignored")
    return CnvTable(path, CnvLayout.VCF, tuple(obs), sample_column=sample,
                    warnings=tuple(warnings))


def _vcf_header_lines(path: Path, vf) -> int:
    """Header lines as written (pysam's copy gains lines it adds itself); BCF: its header."""
    if opener.sniff(path, "copy-number VCF").bcf:
        return len(str(vf.header).splitlines())
    n = 0
    for n, text in opener.iter_lines(path, "copy-number VCF"):
        if not text.startswith("#"):
            return n - 1
    return n


def _vcf_observation(path, line, rec, sample, has_info, has_fmt, tumour_absolute):
    record = rec.id or f"{rec.chrom}:{rec.pos}"
    end = rec.stop  # pysam: INFO/END when present, else POS + len(REF) - 1
    symbolic = bool(rec.alts) and all(a.startswith("<") for a in rec.alts)
    # symbolic SV records carry the padding base at POS; the event starts one base later
    start = rec.pos + 1 if symbolic else rec.pos
    if end < start:
        raise InputError(path, f"END {end} is before start {start}", line=line, record=record)
    fmt = rec.samples[sample] if sample is not None else None

    def value(key: str, where: str):
        if where == "format" and fmt is not None and key in has_fmt:
            v = fmt.get(key)
        elif where == "info" and key in has_info:
            v = rec.info.get(key)
        else:
            return None
        if isinstance(v, tuple):
            v = v[0] if v else None
        return v

    cn = value("CN", "format")
    if cn is None:
        cn = value("CN", "info")
    log2 = value("FOLD_CHANGE_LOG", "info")
    if log2 is None:
        log2 = value("LOG2", "info")
    if log2 is None and cn is None:
        sm = value("SM", "format")  # DRAGEN: linear copy ratio of the segment
        if sm is not None:
            if sm <= 0:
                raise InputError(path, f"FORMAT/SM {sm} is not a positive copy ratio",
                                 line=line, record=record)
            log2 = math.log2(sm)
    if cn is None and log2 is None:
        raise InputError(path, "CNV record has no CN (FORMAT or INFO), FOLD_CHANGE_LOG, LOG2 "
                               "or SM value", line=line, record=record)
    if cn is not None:
        cn = _number(path, line, "CN", str(cn), allow_negative=False, record=record)
    else:
        log2 = _number(path, line, "log2", str(log2), allow_negative=True, record=record)
    return CnObservation(source=SourceRef(str(path), line), chrom=rec.chrom, start=start,
                         end=end, copy_number=cn, log2=None if cn is not None else log2,
                         tumour_absolute=tumour_absolute)
