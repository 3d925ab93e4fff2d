"""Likely origin of a small variant: somatic, possible germline, possible clonal haematopoiesis.

Reasoning, not a filter: the call is shown beside the alteration and in a caveat, and an alteration
with a germline or CH hint still takes part in mechanism and therapy reasoning (the caveat says
that the conclusion depends on it). Only the tumour-fraction estimate ignores such variants.

Germline vs somatic compares the observed VAF with what each origin predicts in a mixture of tumour
cells (fraction p: tissue purity, or plasma/CSF tumour fraction) and normal diploid cells, with the
tumour's total copy number C at the locus taken from the CN input (default 2):

    somatic, m mutant copies (1..C):     VAF = p*m / (p*C + 2*(1-p))
    germline het, k copies kept (0..C):  VAF = (p*k + (1-p)) / (p*C + 2*(1-p));  homozygous: 1.0

A germline hint needs the VAF near a germline expectation (within `origin_vaf_tolerance`) and
nearer to it than to every clonal somatic expectation (a VAF below the clonal somatic values fits
a subclone). So TP53 at VAF 0.60 in tissue of purity 0.75 with 17p loss (C = 1: somatic 0.60,
germline 0.20 / 0.80) is expected somatic LOH, not a germline hint. Without p the VAF band of the
config (`germline_het_vaf`, `germline_hom_vaf`) is used. Known germline predisposition alleles
(ALK R1275Q, F1174 alleles, T1151M ...) in a paediatric or neuroblastoma context are germline
hints whatever the VAF (germline testing decides); a matched normal or a negative germline test
overrides the VAF reasoning.
"""

from __future__ import annotations

from dataclasses import dataclass

from kinres.enums import CopyNumberCall, GermlineStatus, Origin
from kinres.fmt import fmt_pct
from kinres.interpret.settings import Settings
from kinres.knowledge.hgvs import normalise_p
from kinres.models import CopyNumber, Sample, Variant

# ALK germline predisposition alleles of neuroblastoma (familial and de novo). Public sources:
# Mosse 2008 Nature (PMID 18724359), Bourdeaut 2012 Eur J Hum Genet (PMID 22071890), GeneReviews
# "ALK-related neuroblastic tumor susceptibility" (PMID 20301782); T1151M is also seen in population
# databases (dbSNP rs113994091).
GERMLINE_ALLELES: dict[tuple[str, str], tuple[str, ...]] = {
    ("ALK", "p.R1275Q"): ("PMID 18724359", "PMID 20301782"),
    ("ALK", "p.G1128A"): ("PMID 18724359", "PMID 20301782"),
    ("ALK", "p.R1192P"): ("PMID 18724359", "PMID 20301782"),
    ("ALK", "p.T1151M"): ("PMID 20301782", "dbSNP rs113994091"),
    **{("ALK", f"p.F1174{aa}"): ("PMID 22071890", "PMID 20301782") for aa in "LICSV"},
}
PAEDIATRIC_AGE = 18.0
CH_COMMON_AGE = 50.0  # CH rises steeply with age (digest s5.5)
_AMPLIFIED_CN = 6


@dataclass(frozen=True)
class OriginCall:
    origin: Origin
    reason: str
    citations: tuple[str, ...] = ()


def cellularity(sample: Sample) -> tuple[float | None, str]:
    """Tumour cell fraction of the specimen (sheet tumour fraction, else tissue purity)."""
    if sample.tumor_fraction is not None:
        return sample.tumor_fraction, "tumour fraction"
    if not sample.specimen.is_liquid and sample.purity is not None:
        return sample.purity, "purity"
    return None, ""


def tumour_copies(copy: CopyNumber | None, p: float | None) -> int | None:
    """Integer tumour total copy number at the locus (None: not in the CN input / not assessable)."""
    if copy is None or copy.call is CopyNumberCall.NOT_ASSESSABLE:
        return None
    cn = copy.adjusted_copy_number
    if cn is None and copy.copy_number is not None:
        cn = copy.copy_number
        if copy.purity_used is None and p:
            cn = (cn - 2 * (1 - p)) / p  # observed mixture -> tumour CN
    if cn is None:
        return {CopyNumberCall.DEEP_DELETION: 1, CopyNumberCall.LOSS: 1, CopyNumberCall.NEUTRAL: 2,
                CopyNumberCall.GAIN: 3, CopyNumberCall.AMPLIFICATION: 8}[copy.call]
    # a detected variant needs >= 1 copy in the cells carrying it (CN 0 = subclonal deletion)
    return max(1, min(round(cn), 20))


def expected_vafs(p: float, copies: int) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """(clonal somatic VAFs, germline VAFs) for tumour fraction p and tumour copy number."""
    denom = p * copies + 2 * (1 - p)
    somatic = tuple(p * m / denom for m in range(1, copies + 1))
    germline = tuple((p * k + (1 - p)) / denom for k in range(copies + 1)) + (1.0,)
    return somatic, germline


def paediatric_context(sample: Sample) -> bool:
    from kinres.interpret.therapy import is_paediatric_entity  # therapy imports mechanisms

    return (sample.age_years is not None and sample.age_years < PAEDIATRIC_AGE) or \
        is_paediatric_entity(sample.tumor_type)


def _label(v: Variant) -> str:
    ann = v.annotation
    return f"{ann.gene} {ann.hgvs_p or ann.hgvs_c or v.key}" if ann else v.key


def _fmt(values) -> str:
    return "/".join(fmt_pct(x) for x in values)


def germline_hint(variant: Variant, sample: Sample, copy: CopyNumber | None, settings: Settings, *,
                  strong_somatic: bool, amplified: bool) -> OriginCall | None:
    """A germline hint for the variant, or None. Ignores germline status (the caller applies it)."""
    ann = variant.annotation
    gene = ann.gene if ann else None
    hgvs = normalise_p(ann.hgvs_p) if ann else None
    cites = GERMLINE_ALLELES.get((gene or "", hgvs or ""))
    if cites and paediatric_context(sample):
        vaf = "VAF not given" if variant.vaf is None else f"VAF {fmt_pct(variant.vaf)}"
        return OriginCall(Origin.POSSIBLE_GERMLINE,
                          f"{gene} {hgvs} is a known germline neuroblastoma-predisposition allele and this is a "
                          f"paediatric context ({vaf}; a somatic-looking VAF does not exclude a germline or "
                          "mosaic variant): germline testing and genetic counselling recommended", cites)
    vaf = variant.vaf
    if vaf is None or strong_somatic:
        return None
    p, p_name = cellularity(sample)
    copies = tumour_copies(copy, p)
    if amplified or (copies is not None and copies >= _AMPLIFIED_CN):
        return None  # VAF inflated by amplification: not informative about origin
    extra = (f"; also listed in population databases ({', '.join(c for c in cites if c.startswith('dbSNP'))})"
             if cites and any(c.startswith("dbSNP") for c in cites) else "")
    if p is None or p <= 0:
        lo, hi = settings.germline_het_vaf
        if lo <= vaf <= hi or vaf >= settings.germline_hom_vaf:
            return OriginCall(Origin.POSSIBLE_GERMLINE,
                              f"VAF {fmt_pct(vaf)} is in the germline range and the tumour content is unknown"
                              f"{extra}: confirm with a germline test or matched normal", cites or ())
        return None
    local = copies if copies is not None else 2
    somatic, germline = expected_vafs(p, local)
    d_g = min(abs(vaf - g) for g in germline)
    d_s = 0.0 if vaf <= somatic[0] else min(abs(vaf - s) for s in somatic)
    if d_g <= settings.origin_vaf_tolerance and d_g < d_s:
        cn_text = (f"tumour copy number {local} at the locus" if copies is not None
                   else "copy number at the locus not given (2 assumed)")
        return OriginCall(Origin.POSSIBLE_GERMLINE,
                          f"VAF {fmt_pct(vaf)} fits a germline variant (expected {_fmt(germline)}) better than a "
                          f"somatic one (expected {_fmt(somatic)}) at {p_name} {fmt_pct(p)}, {cn_text}{extra}: "
                          "confirm with a germline test or matched normal", cites or ())
    return None


def somatic_reason(variant: Variant, sample: Sample, copy: CopyNumber | None, *,
                   strong_somatic: bool, amplified: bool) -> str:
    """Why a variant is taken as somatic (shown in report.json; explains LOH cases)."""
    if strong_somatic:
        return "established acquired resistance mutation (knowledge row)"
    if variant.vaf is None:
        return "no VAF given; origin assumed somatic"
    p, p_name = cellularity(sample)
    copies = tumour_copies(copy, p)
    if amplified or (copies is not None and copies >= _AMPLIFIED_CN):
        return f"VAF {fmt_pct(variant.vaf)} in an amplified gene (inflated by copy number)"
    if p is None or p <= 0:
        return f"VAF {fmt_pct(variant.vaf)} outside the germline range"
    somatic, _ = expected_vafs(p, copies if copies is not None else 2)
    loh = copies is not None and copies == 1
    text = f"VAF {fmt_pct(variant.vaf)} fits a somatic variant (clonal expectation {_fmt(somatic)} at {p_name} {fmt_pct(p)}"
    text += ", tumour copy number 1 at the locus: loss of the other allele (LOH))" if loh else \
        (f", tumour copy number {copies})" if copies is not None else ")")
    return text


def ch_hint(variant: Variant, sample: Sample, settings: Settings, tumour_max_vaf: float | None) -> OriginCall | None:
    """Possible clonal haematopoiesis: plasma/CSF variant in a CH gene or hotspot, or in a 'careful'
    tumour gene (TP53/KRAS/NRAS) that looks non-tumoural (no tumour signal or well below it)."""
    if not sample.specimen.is_liquid or variant.annotation is None:
        return None
    gene = variant.annotation.gene
    hgvs = normalise_p(variant.annotation.hgvs_p)
    from kinres.interpret.therapy import (
        age_text,  # one age wording (imported late: therapy imports this chain)
    )
    age = sample.age_years
    age_note = "" if age is None else (
        f"; CH is common at age {age_text(age)}" if age >= CH_COMMON_AGE
        else f"; CH is less common at age {age_text(age)}")
    advice = (f"in {sample.specimen.label}{age_note}: matched white-blood-cell sequencing or tissue "
              "confirmation distinguishes CH from tumour")
    if gene in settings.chip_genes:
        return OriginCall(Origin.POSSIBLE_CH, f"{gene} is a clonal-haematopoiesis gene, variant {advice}")
    if hgvs and f"{gene}:{hgvs}" in settings.chip_hotspots:
        return OriginCall(Origin.POSSIBLE_CH, f"{gene} {hgvs} is a clonal-haematopoiesis hotspot, {advice}")
    if gene in settings.chip_careful_genes:
        if age is not None and age < PAEDIATRIC_AGE:
            return None  # CH in these tumour genes is vanishingly rare in children
        if tumour_max_vaf is None or variant.vaf is None:
            return OriginCall(Origin.POSSIBLE_CH,
                              f"{gene} is also a clonal-haematopoiesis gene and there is no other tumour signal, {advice}")
        if variant.vaf / tumour_max_vaf < settings.subclonal_ratio:
            return OriginCall(Origin.POSSIBLE_CH,
                              f"{gene} is also a clonal-haematopoiesis gene and its VAF {fmt_pct(variant.vaf)} is well below "
                              f"the tumour signal ({fmt_pct(tumour_max_vaf)}), {advice}")
    return None


def classify(variant: Variant, sample: Sample, copy: CopyNumber | None, settings: Settings, *,
             strong_somatic: bool, amplified: bool, tumour_max_vaf: float | None) -> OriginCall:
    """The origin call for one variant (germline status, then germline hint, then CH, else somatic)."""
    status = sample.germline_status
    if status is GermlineStatus.MATCHED_NORMAL:
        return OriginCall(Origin.SOMATIC, "called against a matched normal (germline and blood-derived variants "
                                          "subtracted)")
    hint = germline_hint(variant, sample, copy, settings, strong_somatic=strong_somatic, amplified=amplified)
    if hint is not None:
        if status is GermlineStatus.NEGATIVE:
            pass  # the germline test outranks VAF reasoning; CH is still possible
        elif status is GermlineStatus.POSITIVE:
            return OriginCall(Origin.POSSIBLE_GERMLINE, f"germline test positive; {hint.reason}", hint.citations)
        elif status is GermlineStatus.PENDING:
            return OriginCall(Origin.POSSIBLE_GERMLINE, f"{hint.reason} (germline test pending)", hint.citations)
        else:
            return hint
    ch = ch_hint(variant, sample, settings, tumour_max_vaf)
    if ch is not None:
        return ch
    reason = somatic_reason(variant, sample, copy, strong_somatic=strong_somatic, amplified=amplified)
    if hint is not None:
        reason = f"germline test negative (outranks the VAF: {hint.reason.split(':')[0]}); {reason}"
    if variant.vaf is None and not strong_somatic:
        return OriginCall(Origin.UNKNOWN, reason)
    return OriginCall(Origin.SOMATIC, reason)
