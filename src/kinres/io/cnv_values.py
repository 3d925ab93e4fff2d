"""Shared cell validation of copy-number tables: column names, numbers, positions,
segment bounds, discrete calls, sample choice (InputError naming file and line)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path

from kinres.enums import CopyNumberCall
from kinres.errors import InputError

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
