"""Per-allele AF / depth / alt-read extraction, the way each variant caller writes them.

Mutect2/DRAGEN/VarDict FORMAT AF+AD, Strelka2 tier-1 AU..TU / TIR+TAR, FreeBayes AO/RO, LoFreq
INFO AF+DP4, smCounter2-style UMI VMF/VMT/UMT, PCGR TVAF/TDP; range checks with AD fallback.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kinres.errors import InputError

_MISSING_INT = -2147483640  # cyvcf2 int missing / vector-end sentinels are below this


def _num(x: Any) -> float | None:
    if x is None:
        return None
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    if math.isnan(f) or f < _MISSING_INT:
        return None
    return f


def _fmt_row(rec, tag: str, si: int) -> list[float | None] | None:
    """FORMAT values of one sample as floats (None for missing); None if the tag is absent."""
    try:
        arr = rec.format(tag)
    except KeyError:
        return None
    if arr is None:
        return None
    row = arr[si]
    if isinstance(row, (str, bytes)) or getattr(row, "dtype", None) is not None and row.dtype.kind in "SUO":
        text = row.decode() if isinstance(row, bytes) else str(row)
        return [_num(t) if t not in (".", "") else None for t in text.split(",")]
    return [_num(v) for v in row]


def _info_list(rec, tag: str) -> list[float | None] | None:
    v = rec.INFO.get(tag)
    if v is None:
        return None
    if isinstance(v, (tuple, list)):
        return [_num(x) for x in v]
    if isinstance(v, str):
        return [_num(x) for x in v.split(",")]
    return [_num(v)]


def _pick(values: list[float | None] | None, i: int) -> float | None:
    if not values or i >= len(values):
        return None
    return values[i]


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 6)


def _int_or_none(x: float | None) -> int | None:
    return None if x is None else round(x)


@dataclass(frozen=True)
class _AfPlan:
    """Which tags to read, decided once from the header."""

    fmt: frozenset[str]
    info: frozenset[str]
    caller: str | None
    af_tag: str | None
    depth_tag: str | None


def allele_metrics(rec, si: int | None, ai: int, plan: _AfPlan
                   ) -> tuple[float | None, int | None, int | None]:
    """(vaf, depth, alt_reads) for ALT index `ai` (0-based) of the chosen sample."""
    fmt, info = plan.fmt, plan.info
    vaf = depth = alt = None
    has_sample = si is not None

    def f(tag: str) -> list[float | None] | None:
        return _fmt_row(rec, tag, si) if has_sample and tag in fmt else None

    def i(tag: str) -> list[float | None] | None:
        return _info_list(rec, tag) if tag in info else None

    if plan.depth_tag:
        depth = _pick(f(plan.depth_tag) or i(plan.depth_tag), 0)
    if plan.af_tag:
        vals = f(plan.af_tag) or i(plan.af_tag)
        vaf = _pick(vals, ai) if vals and len(vals) > 1 else _pick(vals, 0)
    # Strelka2 somatic: tier-1 counts per base (SNV) or TIR/TAR (indel)
    if vaf is None and "TIR" in fmt and "TAR" in fmt and len(rec.REF) != len(rec.ALT[ai]):
        tir, tar = f("TIR"), f("TAR")
        if tir and tar and tir[0] is not None and tar[0] is not None:
            alt, tot = tir[0], tir[0] + tar[0]
            vaf = alt / tot if tot else None
            depth = depth if depth is not None else tot
    if vaf is None and "AU" in fmt and len(rec.REF) == 1 and len(rec.ALT[ai]) == 1:
        ref_t, alt_t = f(rec.REF.upper() + "U"), f(rec.ALT[ai].upper() + "U")
        if ref_t and alt_t and ref_t[0] is not None and alt_t[0] is not None:
            alt, tot = alt_t[0], ref_t[0] + alt_t[0]
            vaf = alt / tot if tot else None
    if vaf is None and "AF" in fmt:  # Mutect2, DRAGEN, VarDict
        vaf = _pick(f("AF"), ai)
    ad = f("AD") if "AD" in fmt else None
    if ad is None and "ADT" in fmt:  # PCGR tumour allelic depths
        ad = f("ADT")
    ad_total = sum(ad) if ad and all(x is not None for x in ad) else None  # type: ignore[arg-type]
    if ad and alt is None:
        alt = _pick(ad, ai + 1)
    if vaf is None and "AO" in fmt and "RO" in fmt:  # FreeBayes observation counts
        ao, ro = f("AO"), f("RO")
        alt = alt if alt is not None else _pick(ao, ai)
        if ao and ro and ro[0] is not None and all(x is not None for x in ao):
            tot = ro[0] + sum(ao)  # type: ignore[arg-type]
            vaf = _pick(ao, ai) / tot if tot and _pick(ao, ai) is not None else None
    if alt is None and "VD" in fmt:  # VarDict variant depth
        alt = _pick(f("VD"), 0)
    if vaf is None and "VMF" in info:  # smCounter2: variant UMI fraction
        vaf = _pick(i("VMF"), ai)
        alt = alt if alt is not None else _pick(i("VMT"), ai)
        depth = depth if depth is not None else _pick(i("UMT"), 0)
    if vaf is None and "TVAF" in info:  # PCGR input convention
        vaf = _pick(i("TVAF"), ai)
    if vaf is None and "AF" in info and plan.caller in ("LoFreq", "VarDict", "smCounter2",
                                                         "DRAGEN", "Octopus"):
        # INFO AF is a read fraction for these callers; for GATK germline it is a genotype
        # frequency (0.5/1.0), so it is not used for unknown callers
        vaf = _pick(i("AF"), ai)
    if vaf is None and alt is not None and ad_total:
        vaf = alt / ad_total  # AD-only callers: fraction of allele-informative reads
    if depth is None:
        depth = _pick(f("DP"), 0) if "DP" in fmt else None
    if depth is None and "DPT" in fmt:
        depth = _pick(f("DPT"), 0)
    if depth is None and ad_total is not None:
        depth = ad_total
    if depth is None and "TDP" in info:
        depth = _pick(i("TDP"), 0)
    if depth is None and "DP" in info:
        depth = _pick(i("DP"), 0)
    if alt is None and "DP4" in info:  # LoFreq: ref-fwd, ref-rev, alt-fwd, alt-rev
        dp4 = i("DP4")
        if dp4 and len(dp4) == 4 and dp4[2] is not None and dp4[3] is not None:
            alt = dp4[2] + dp4[3]
    if vaf is not None and not 0.0 <= vaf <= 1.0:
        if 1.0 < vaf <= 100.0 and plan.af_tag:
            vaf = vaf / 100.0  # a configured percentage tag (e.g. VarScan FREQ)
        else:
            # out of range: never "no allele fraction" while AD still gives one
            raise _BadValue(f"allele fraction {vaf:g} is outside 0..1",
                            alt / ad_total if alt is not None and ad_total and
                            0 <= alt <= ad_total else None)
    return _round(vaf), _int_or_none(depth), _int_or_none(alt)


class _BadValue(ValueError):
    """An out-of-range FORMAT/INFO value; `fallback` is the AD-based fraction if there is one."""

    def __init__(self, problem: str, fallback: float | None = None):
        super().__init__(problem)
        self.problem, self.fallback = problem, fallback


_MAX_READS = 10**9  # more reads than any sequencer yields for one position: a corrupt value


def checked_metrics(rec, si: int | None, ai: int, plan: _AfPlan, path: Path, line: int | None,
                    where: str, notes: list[str]) -> tuple[float | None, int | None, int | None]:
    """allele_metrics with range checks: InputError (file, line, record, field) on nonsense.

    An AF outside 0..1 with usable AD counts falls back to AD and is noted; without AD it is
    an error. Negative or absurd depths/read counts are errors.
    """
    try:
        vaf, depth, alt = allele_metrics(rec, si, ai, plan)
    except _BadValue as bad:
        if bad.fallback is None:
            raise InputError(path, f"{bad.problem} and no usable AD to replace it",
                             line=line, record=where) from None
        notes.append(f"{where}{'' if line is None else f' (line {line})'}: {bad.problem}; "
                     f"allele fraction {bad.fallback:.3f} taken from AD")
        vaf, depth, alt = _round(bad.fallback), *allele_metrics_counts(rec, si, ai, plan)
    for name, value in (("depth (DP)", depth), ("alt read count (AD/AO/VD)", alt)):
        if value is not None and value < 0:
            raise InputError(path, f"negative {name}: {value}", line=line, record=where)
        if value is not None and value > _MAX_READS:
            raise InputError(path, f"implausible {name}: {value:.3g} reads", line=line,
                             record=where)
    return vaf, depth, alt


def allele_metrics_counts(rec, si, ai, plan: _AfPlan) -> tuple[int | None, int | None]:
    """(depth, alt reads) when the AF itself was unusable (AF tags ignored)."""
    no_af = _AfPlan(fmt=plan.fmt - {"AF"}, info=plan.info - {"AF", "VMF", "TVAF"},
                    caller=plan.caller, af_tag=None, depth_tag=plan.depth_tag)
    try:
        _, depth, alt = allele_metrics(rec, si, ai, no_af)
    except _BadValue:
        return None, None
    return depth, alt
