"""Liquid-biopsy logic: tumour fraction, subclonal flag, LoD-aware negatives (origin hints:
interpret/origin.py).

Method (digest section 5): TF is the sheet value when given (orthogonal assay), tissue purity for
tissue, else 2 x the highest somatic VAF (heterozygous clonal SNV in a diploid region), excluding
possible CH, possible germline and variants in amplified genes (their VAF is inflated); failing
that 2 x the DNA fusion allele fraction.
"""

from __future__ import annotations

from dataclasses import dataclass

from kinres.enums import Specimen
from kinres.fmt import fmt_pct
from kinres.interpret.settings import Settings
from kinres.knowledge.records import Hotspot
from kinres.models import Fusion, HotspotCoverage, NotDetected, Sample, Variant

FLAG_CHIP = "possible_chip"
FLAG_GERMLINE = "possible_germline"
FLAG_SUBCLONAL = "subclonal"


@dataclass(frozen=True)
class TumorFraction:
    value: float | None
    method: str


def passed(variant: Variant) -> bool:
    return all(f in ("PASS", ".") for f in variant.filters) if variant.filters else True


def estimate_tumor_fraction(sample: Sample, somatic: list[Variant], fusions: list[Fusion]) -> TumorFraction:
    """TF from the sheet, tissue purity, 2 x highest somatic VAF, or 2 x fusion AF (method recorded)."""
    if sample.tumor_fraction is not None:
        return TumorFraction(sample.tumor_fraction, "sample sheet (tumor_fraction column)")
    if sample.specimen is Specimen.TISSUE and sample.purity is not None:
        return TumorFraction(sample.purity, "sample sheet purity (tissue)")
    with_vaf = [v for v in somatic if v.vaf is not None]
    if with_vaf:
        best = max(with_vaf, key=lambda v: (v.vaf, v.key))
        ann = best.annotation
        label = f"{ann.gene} {ann.hgvs_p or ann.hgvs_c or best.key}" if ann else best.key
        return TumorFraction(round(min(1.0, 2 * best.vaf), 4),
                             f"2 x highest somatic non-CHIP, non-germline VAF outside amplified genes "
                             f"({label}, VAF {fmt_pct(best.vaf)})")
    with_af = [f for f in fusions if f.fusion_af is not None]
    if with_af:
        best_f = max(with_af, key=lambda f: (f.fusion_af, f.five_prime_gene))
        return TumorFraction(round(min(1.0, 2 * best_f.fusion_af), 4),
                             f"2 x DNA fusion allele fraction ({best_f.five_prime_gene}-{best_f.three_prime_gene}, "
                             f"AF {fmt_pct(best_f.fusion_af)})")
    return TumorFraction(None, "not estimable (no somatic VAF, fusion AF or sheet value)")


def informative_negative(sample: Sample, tf: float | None, settings: Settings) -> bool | None:
    """Liquid: informative only at TF >= min_tumor_fraction; tissue: purity gate when purity is known."""
    if sample.specimen.is_liquid:
        return tf is not None and tf >= settings.min_tumor_fraction
    if tf is None:
        return None
    return tf >= settings.min_tissue_purity


def not_detected(hotspots: list[Hotspot], detected: set[tuple[str, str]], genes: set[str],
                 coverage: list[HotspotCoverage] | None, tf: float | None, sample: Sample,
                 settings: Settings, informative: bool | None) -> list[NotDetected]:
    """Knowledge hotspots of the relevant genes that were not found, with depth/LoD when a BAM was read.

    Without coverage data the depth is null; the LoD is the configured assay LoD of the specimen
    (`interpret.assay_lod_<specimen>`, lod_source "assay") and the position is assessable only with
    that LoD (below TF/2 when TF is known); without either it is not assessable (we cannot tell it
    was covered). With coverage (lod_source "bam"): assessable if depth >= min_hotspot_depth, the LoD
    is below the expected clonal VAF (TF/2) when both are known. A liquid sample's negative is
    assessable only when it is informative.
    """
    by_key = {(c.gene, c.hgvs_p): c for c in coverage or ()}
    assay_lod = settings.assay_lod(sample.specimen.value)
    out = []
    for h in hotspots:
        if h.gene not in genes:
            continue
        codon = f"p.{h.ref_aa}{h.aa_pos}"
        if (h.gene, h.hgvs_p) in detected or (h.hgvs_p == codon and any(
                g == h.gene and d.startswith(codon) and d[len(codon):len(codon) + 1].isalpha()
                for g, d in detected)):
            continue
        cov = by_key.get((h.gene, h.hgvs_p)) or by_key.get((h.gene, codon))
        if cov is None:
            ok = coverage is None and assay_lod is not None and (tf is None or assay_lod <= tf / 2) \
                and not (sample.specimen.is_liquid and informative is False)
            source = "assay" if coverage is None and assay_lod is not None else None
            out.append(NotDetected(h.gene, h.hgvs_p, None, assay_lod if source else None, ok, lod_source=source))
            continue
        ok = cov.depth >= settings.min_hotspot_depth
        if ok and cov.lod_vaf is not None and tf is not None:
            ok = cov.lod_vaf <= tf / 2
        if sample.specimen.is_liquid and informative is False:
            ok = False
        out.append(NotDetected(h.gene, h.hgvs_p, cov.depth, cov.lod_vaf, ok,
                               lod_source="bam" if cov.lod_vaf is not None else None))
    return out
