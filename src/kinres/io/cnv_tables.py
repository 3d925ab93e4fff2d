"""Readers of tabular copy-number layouts (CNVkit, segments, allele-specific, gene tables,
cBioPortal/oncokb discrete tables)."""

from __future__ import annotations

import statistics
from collections import defaultdict
from pathlib import Path

from kinres.errors import InputError
from kinres.io.cnv_model import CnObservation, CnvLayout, CnvTable
from kinres.io.cnv_values import (
    _CHROM,
    _CN,
    _END,
    _GENE,
    _LOG2,
    _MATRIX_ANNOTATION,
    _PROBES,
    _SAMPLE,
    _START,
    _discrete,
    _find,
    _genes_cell,
    _int,
    _number,
    _pick_sample,
    _rows,
    _segment_bounds,
)
from kinres.models import SourceRef


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
