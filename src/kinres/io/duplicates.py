"""Duplicate small-variant records (same chrom/pos/ref/alt): merged, never reported twice.

Concatenated caller outputs, re-run exports and hand-merged MAFs repeat records; reporting both
copies would invent a second mutation (e.g. "2 ALK mutations (p.G1202R + p.G1202R)"). The first
record is kept and the merge is a warning naming the lines, so it reaches qc.warnings.
"""

from __future__ import annotations

from collections.abc import Sequence

from kinres.models import Variant


def _key(v: Variant) -> tuple[str, int, str, str]:
    chrom = v.chrom[3:] if v.chrom.lower().startswith("chr") else v.chrom
    return chrom, v.pos, v.ref.upper(), v.alt.upper()


def _where(v: Variant) -> str:
    return f"line {v.source.line}"


def merge_duplicates(variants: Sequence[Variant], path) -> tuple[tuple[Variant, ...], tuple[str, ...]]:
    """(variants with the first of each chrom/pos/ref/alt kept, one warning per merged group)."""
    first: dict[tuple, Variant] = {}
    dups: dict[tuple, list[Variant]] = {}
    kept: list[Variant] = []
    for v in variants:
        k = _key(v)
        if k in first:
            dups.setdefault(k, []).append(v)
            continue
        first[k] = v
        kept.append(v)
    warnings = []
    for k, extra in dups.items():
        v0 = first[k]
        differs = any((d.vaf, d.depth, d.alt_reads) != (v0.vaf, v0.depth, v0.alt_reads)
                      for d in extra)
        label = v0.annotation.hgvs_p if v0.annotation and v0.annotation.hgvs_p else ""
        gene = v0.annotation.gene + " " if v0.annotation else ""
        lines = [v.source.line if v.source is not None else None for v in (v0, *extra)]
        where = (f"at {_where(v0)} and {', '.join(_where(d) for d in extra)}"
                 if None not in lines else f"{len(extra) + 1} times (read through the index)")
        warnings.append(
            f"{path}: duplicate record {k[0]}:{k[1]} {k[2]}>{k[3]}"
            f"{f' ({gene}{label})' if label else ''} {where}: merged into one variant (the first "
            f"record{' - the copies disagree on allele fraction/depth' if differs else ''})")
    return tuple(kept), tuple(warnings)
