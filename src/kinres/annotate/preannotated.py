"""Consequences written by upstream annotators: VEP CSQ, snpEff ANN, bcftools BCSQ, MAF HGVSp_Short.

Each annotator's vocabulary is mapped onto kinres.enums.Consequence (SO terms) and its protein
change onto the one-letter short form (p.G1202R). The consequence used for reporting is the one on
the panel's reporting transcript. Another isoform's numbering is used as is only when the panel says
the two proteins are identical; otherwise the change is re-expressed on the reporting transcript
from its genomic position (kinres.annotate.isoform), because e.g. NTRK3 is numbered on the 839-aa
isoform and an 825-aa annotation would shift it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from kinres.annotate.annotator_formats import (
    ANN_FIELDS,
    _with_compound,
    bcsq_matches,
    bcsq_to_hgvs_p,
    csq_fields_from_description,
    parse_ann,
    parse_bcsq,
    parse_vep,
)
from kinres.annotate.annotator_terms import (
    _RANK,
    AA3,
    BCSQ,
    MAF,
    SEVERITY,
    SNPEFF,
    TERM_MAP,
    VEP,
    PanelLike,
    ProteinChange,
    TranscriptConsequence,
    consequence_from_short_p,
    map_terms,
    parse_short_p,
    plausible_short_p,
    short_hgvs_p,
    strip_version,
)
from kinres.annotate.isoform import ReferenceCodons, genomic_exon, reexpress, reporting_c
from kinres.errors import InputError
from kinres.models import ProteinAnnotation, Variant

# vocabulary and per-annotator parsers live in annotator_terms / annotator_formats; callers
# keep importing them from here
__all__ = ["AA3", "ANN_FIELDS", "BCSQ", "MAF", "SEVERITY", "SNPEFF", "TERM_MAP", "VEP", "PanelLike", "ProteinChange", "TranscriptConsequence", "bcsq_matches", "bcsq_to_hgvs_p", "consequence_from_short_p", "csq_fields_from_description", "map_terms", "parse_ann", "parse_bcsq", "parse_short_p", "parse_vep", "plausible_short_p", "short_hgvs_p", "strip_version"]


# --------------------------------------------------------------------------- allele matching
def vep_allele(ref: str, alts: Sequence[str], alt: str) -> str:
    """The allele string VEP writes for `alt`: if REF and every ALT share the first base
    (indels in VCF anchor style), VEP drops it and writes '-' for an empty allele."""
    alleles = [ref, *alts]
    if len({a[:1] for a in alleles}) == 1 and any(len(a) != 1 for a in alleles):
        return alt[1:] or "-"
    return alt


def entries_for_allele(entries: Sequence[TranscriptConsequence], variant: Variant,
                       alts: Sequence[str], alt_index: int) -> list[TranscriptConsequence]:
    """Entries of one record that belong to one ALT (alt_index 0-based)."""
    out = []
    vep_form = vep_allele(variant.ref, alts, variant.alt)
    for tc in entries:
        if tc.back_ref is not None:
            continue
        if tc.annotator == BCSQ:
            ok = bcsq_matches(tc, variant.pos, variant.ref, variant.alt) if (
                len(alts) > 1 or tc.dna_change) else True
        elif tc.allele_num is not None:
            ok = tc.allele_num == alt_index + 1
        elif tc.annotator == SNPEFF:
            # snpEff writes the ALT as in the VCF; cancer mode writes 'ALT-REF'
            ok = tc.allele in (variant.alt, vep_form) or (
                tc.allele is not None and tc.allele.split("-")[0] == variant.alt)
        else:
            ok = tc.allele in (variant.alt, vep_form) or len(alts) == 1 and tc.allele is None
        if ok:
            out.append(tc)
    return out


# --------------------------------------------------------------------------- selection
def _reporting(panel: PanelLike, gene: str):
    try:
        return panel.transcript(gene)
    except (KeyError, LookupError):
        return None


def _ids(tx: Any) -> set[str]:
    ids = {strip_version(getattr(tx, "transcript_id", None))}
    refseq = getattr(tx, "refseq", None)
    if refseq:
        ids.add(strip_version(refseq))
    return {i for i in ids if i}


def _is_protein_identical(panel: Any, reporting: Any, other_tx: str) -> bool:
    fn = getattr(panel, "protein_identical", None)
    if fn is None:
        return False
    try:
        return bool(fn(reporting.transcript_id, other_tx))
    except (KeyError, LookupError, ValueError):
        return False


def _to_annotation(tc: TranscriptConsequence, reporting: Any, note: str | None = None,
                   keep_protein: bool = True) -> ProteinAnnotation:
    if tc.compound_with:
        joint = (f"haplotype-aware consequence joint with {tc.compound_with} "
                 "(bcftools csq); phase as given to csq")
        note = f"{note}; {joint}" if note else joint
    return ProteinAnnotation(
        gene=reporting.gene, transcript=reporting.transcript_id, consequences=tc.consequences,
        hgvs_c=tc.hgvs_c if keep_protein else None,
        hgvs_p=tc.hgvs_p if keep_protein else None,
        protein_start=tc.protein_start if keep_protein else None,
        protein_end=tc.protein_end if keep_protein else None,
        ref_aa=tc.ref_aa if keep_protein else None, alt_aa=tc.alt_aa if keep_protein else None,
        exon=tc.exon if keep_protein else None, intron=tc.intron if keep_protein else None,
        refseq=getattr(reporting, "refseq", None), annotator=tc.annotator, note=note)


def _severity(tc: TranscriptConsequence) -> int:
    return min((_RANK[c] for c in tc.consequences), default=len(SEVERITY))


def select_annotation(entries: Sequence[TranscriptConsequence], variant: Variant,
                      panel: PanelLike, reference: ReferenceCodons | None = None,
                      ) -> tuple[ProteinAnnotation | None, str | None]:
    """Pick the consequence on the panel's reporting transcript for one allele.

    Returns (annotation, warning). annotation is None when the variant overlaps no panel gene.
    """
    overlapping = list(panel.overlapping(variant.chrom, variant.pos))
    reporting_txs = []
    for tx in overlapping:
        rep = _reporting(panel, tx.gene)
        if rep is not None and all(r.transcript_id != rep.transcript_id for r in reporting_txs):
            reporting_txs.append(rep)
    if not reporting_txs:
        return None, None
    best: tuple[int, ProteinAnnotation, str | None] | None = None
    warning = None
    for rep in reporting_txs:
        problem = None
        ids = _ids(rep)
        on_rep = [tc for tc in entries if tc.transcript in ids]
        if on_rep:
            tc = min(on_rep, key=_severity)
            ann = _to_annotation(tc, rep)
            rank = _severity(tc)
        else:
            # same gene, another isoform: numbering is only safe if the proteins are identical
            others = [tc for tc in entries if tc.gene == rep.gene and tc.transcript]
            if not others:
                continue
            tc = min(others, key=lambda t: (_severity(t), t.hgvs_p is None))
            if _is_protein_identical(panel, rep, tc.transcript):
                ann = _to_annotation(tc, rep, note=(
                    f"numbering from {tc.transcript} ({tc.annotator}); its protein is identical "
                    f"to the reporting transcript {rep.transcript_id}"))
                ann = replace(ann, exon=None, intron=None)  # exon numbers may still differ
                ann = replace(ann, **genomic_exon(variant, rep))
            else:
                base = _to_annotation(tc, rep, keep_protein=False)
                ann, problem = reexpress(tc, variant, rep, base, reference)
            rank = _severity(tc)
        if best is None or rank < best[0]:
            best = (rank, ann, problem)
    if best is None:
        rep = reporting_txs[0]
        warning = (f"{variant.key}: overlaps {rep.gene} but the {entries[0].annotator if entries else 'pre-annotation'} "
                   f"annotation has no entry for this allele on {rep.gene}")
        # c. position and exon still follow from the genomic position (SNVs), so the report
        # never shows an empty location for a panel variant
        return ProteinAnnotation(gene=rep.gene, transcript=rep.transcript_id, consequences=(),
                                 hgvs_c=reporting_c(variant, rep),
                                 refseq=getattr(rep, "refseq", None),
                                 annotator=entries[0].annotator if entries else "none",
                                 note="no consequence for this allele in the input annotation",
                                 **genomic_exon(variant, rep)), warning
    return best[1], best[2]


# --------------------------------------------------------------------------- whole records
@dataclass(frozen=True)
class PreannotationHeader:
    """Which annotation tags a VCF carries, with VEP's declared field order."""

    tags: tuple[str, ...]  # subset of ("CSQ", "ANN", "BCSQ") in preference order
    csq_fields: tuple[str, ...] = ()


def parse_record_annotations(tag: str, value: str, header: PreannotationHeader
                             ) -> list[TranscriptConsequence]:
    """Dispatch on the tag name."""
    if tag == "CSQ":
        return parse_vep(value, header.csq_fields)
    if tag == "ANN":
        return parse_ann(value)
    if tag == "BCSQ":
        return parse_bcsq(value)
    raise ValueError(f"unknown annotation tag {tag}")


def annotate_preannotated(variants: Sequence[Variant], raw: Sequence[tuple[str, str] | None],
                          alts: Sequence[tuple[str, ...]], alt_index: Sequence[int],
                          header: PreannotationHeader, panel: PanelLike,
                          reference: ReferenceCodons | None = None,
                          ) -> tuple[tuple[Variant, ...], tuple[str, ...]]:
    """Attach the reporting-transcript consequence to each variant.

    `raw[i]` is (tag, value) of variant i's record (None when the record carries none),
    `alts[i]` that record's ALT alleles and `alt_index[i]` the variant's 0-based ALT index.
    Variants outside panel genes are dropped and counted; unparsable annotation strings raise
    ValueError naming the problem (the caller adds file/line).
    """
    # bcftools writes a compound consequence once and '@pos' at the other records
    by_pos: dict[tuple[str, int], list[TranscriptConsequence]] = {}
    parsed: list[list[TranscriptConsequence]] = []
    for v, r in zip(variants, raw):
        entries = parse_record_annotations(r[0], r[1], header) if r else []
        parsed.append(entries)
        if r and r[0] == "BCSQ":
            by_pos.setdefault((v.chrom, v.pos), entries)
    out: list[Variant] = []
    warnings: list[str] = []
    outside = 0
    no_annotation = 0
    unmapped: dict[str, int] = {}
    for v, entries, rec_alts, ai in zip(variants, parsed, alts, alt_index):
        if any(tc.back_ref is not None for tc in entries):
            for tc in entries:
                if tc.back_ref is not None:
                    entries = entries + [e for e in by_pos.get((v.chrom, tc.back_ref), [])
                                         if e.dna_change and e.back_ref is None]
        mine = entries_for_allele(entries, v, rec_alts, ai)
        mine = [_with_compound(tc, v) for tc in mine]
        for tc in mine:
            for t in tc.unmapped:
                unmapped[t] = unmapped.get(t, 0) + 1
        if not entries:
            no_annotation += 1
        ann, warn = select_annotation(mine, v, panel, reference)
        if ann is None:
            outside += 1
            continue
        if not plausible_short_p(ann.hgvs_p):
            src = v.source
            raise InputError(src.path if src else None,
                             f"{'/'.join(header.tags)} HGVSp {ann.hgvs_p[:60]!r} of {ann.gene} is "
                             "not HGVS protein notation (e.g. p.G1202R)",
                             line=src.line if src else None,
                             record=f"{v.chrom}:{v.pos} {v.ref}>{v.alt}")
        if warn:
            warnings.append(warn)
        out.append(replace(v, annotation=ann))
    if outside:
        warnings.append(f"{outside} variant(s) outside panel genes not reported")
    if no_annotation:
        warnings.append(f"{no_annotation} record(s) carry no {'/'.join(header.tags)} annotation")
    if unmapped:
        listed = ", ".join(f"{t} ({n})" for t, n in sorted(unmapped.items()))
        warnings.append(f"consequence terms not mapped to SO classes: {listed}")
    return tuple(out), tuple(warnings)
