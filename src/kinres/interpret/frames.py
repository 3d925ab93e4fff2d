"""The clinical frame a report is read in: treatment-naive or after progression, NSCLC or another
indication, adult or paediatric, plus notes that belong to that frame (prognostic co-alterations,
amplification without a rearrangement, orthogonal results that disagree with the sequencing).

The frame decides what the reader sees (a treatment-naive report has no resistance section) and
which rules apply (NSCLC sequencing rules are not transferred to other tumour types); it never
removes an alteration from the report.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from kinres.enums import AltKind, CaveatCode, Role
from kinres.interpret.mechanisms import Finding
from kinres.knowledge.loader import KnowledgeBase
from kinres.models import Caveat, Sample

if TYPE_CHECKING:  # course.py imports this module
    from kinres.interpret.course import Course

LUNG_WORDS = ("lung", "nsclc", "luad", "lusc", "pulmonary")
# Tumour-type words naming paediatric entities (digest s1: ETV6-NTRK3 in infantile fibrosarcoma and
# congenital mesoblastic nephroma; s2.5 neuroblastoma). Age-restricted approvals matter there most.
PAEDIATRIC_WORDS = ("infantile fibrosarcoma", "congenital mesoblastic nephroma", "mesoblastic nephroma",
                    "neuroblastoma", "infant", "congenital", "paediatric", "pediatric", "childhood")
FUSION_KINASES = ("ALK", "ROS1", "NTRK1", "NTRK2", "NTRK3")
ADULT_AGE = 18.0
# prognostic, not predictive: shown whenever present, labelled as such
V3_CITATIONS = ("PMID:29373100",)
TP53_CITATIONS = ("PMID:30165392", "DOI:10.21037/jtd.2018.04.98")


@dataclass(frozen=True)
class ContextNote:
    kind: str  # "prognostic" | "indication" | "paediatric" | "progression" | "orthogonal" | "frame"
    text: str
    citations: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClinicalContext:
    """report.json `clinical_context` (docs/report-json.md)."""

    frame: str  # treatment_naive | progression | on_treatment
    indication: str  # nsclc | neuroblastoma | other
    paediatric: bool
    progression: str | None
    progressing_on: str | None
    progression_explained: bool | None
    notes: tuple[ContextNote, ...] = ()


def is_lung(tumor_type: str) -> bool:
    t = tumor_type.lower()
    return any(w in t for w in LUNG_WORDS)


def is_paediatric_entity(tumor_type: str) -> bool:
    """True when the tumour type names a paediatric entity (e.g. infantile fibrosarcoma)."""
    t = tumor_type.lower()
    return any(w in t for w in PAEDIATRIC_WORDS)


def indication_of(sample: Sample) -> str:
    t = sample.tumor_type.lower()
    if "neuroblastoma" in t:
        return "neuroblastoma"
    return "nsclc" if is_lung(t) else "other"


def is_paediatric(sample: Sample) -> tuple[bool, str | None]:
    """(paediatric?, why) from age (< 18 years) or a paediatric entity named in the tumour type."""
    if sample.age_years is not None and sample.age_years < ADULT_AGE:
        from kinres.interpret.therapy import age_text  # therapy imports this module
        return True, f"patient aged {age_text(sample.age_years)}"
    if is_paediatric_entity(sample.tumor_type) and sample.age_years is None:
        return True, f"paediatric entity ({sample.tumor_type}); age not given"
    return False, None


def frame_of(course: Course, kb: KnowledgeBase) -> str:
    def targeted(drugs):
        return any((x := kb.drug(d)) is not None and x.core_for for d in drugs)
    if targeted(course.progressed_on):
        return "progression"
    if targeted(course.exposed):
        return "on_treatment"
    return "treatment_naive"


def prognostic_notes(findings: list[Finding]) -> list[ContextNote]:
    notes: list[ContextNote] = []
    for f in findings:
        fu = f.fusion
        if fu is not None and fu.five_prime_gene == "EML4" and (fu.kinase_gene or fu.three_prime_gene) == "ALK" \
                and fu.five_prime_exon == 6 and fu.three_prime_exon == 20:
            notes.append(ContextNote(
                "prognostic", "Prognostic (not a reason to choose a drug): EML4-ALK variant 3 (EML4 exon 6 :: "
                "ALK exon 20) is associated with shorter progression-free survival on earlier-generation ALK "
                "TKIs and a higher rate of ALK G1202R at resistance", V3_CITATIONS))
    tp53 = sorted({f.alteration.hgvs_p or f.alteration.kind.value for f in findings
                   if f.alteration.gene == "TP53" and f.inactivating})
    drivers = sorted({f.alteration.gene for f in findings if f.actionable_driver})
    if tp53 and any(g in ("ALK", "ROS1") for g in drivers):
        flagged = any(f.alteration.gene == "TP53" and not f.usable for f in findings)
        notes.append(ContextNote(
            "prognostic", f"Prognostic (not a reason to choose a drug): TP53 co-alteration ({', '.join(tp53)}) in "
            f"{'/'.join(g for g in drivers if g in ('ALK', 'ROS1'))}-rearranged NSCLC is associated with shorter "
            "progression-free and overall survival on TKIs and chemotherapy"
            + ("; the TP53 call carries an origin caveat (see caveats)" if flagged else ""), TP53_CITATIONS))
    return notes


def naive_co_alterations(findings: list[Finding]) -> list[ContextNote]:
    """Treatment-naive frame (no kinase TKI given): an alteration matching a bypass rule (e.g. KRAS,
    MET amplification) beside the driver is a co-alteration present at diagnosis, not an acquired
    bypass. It keeps its place in the report but no longer lowers the driver-TKI calls, forms a
    resistance mechanism or triggers "continue the driver TKI and add ..." options; a context note
    says it may limit benefit. Mutates the findings (bypass rule cleared, role uncertain)."""
    notes: list[ContextNote] = []
    drivers = sorted({f.alteration.gene for f in findings if f.actionable_driver})
    for f in findings:
        rule = f.bypass
        if rule is None or f.alteration.role is not Role.BYPASS:
            continue
        a = f.alteration
        what = f"{a.gene} {a.hgvs_p}" if a.hgvs_p else f"{a.gene} {a.kind.value.replace('_', ' ')}"
        target = f"{'/'.join(drivers)} TKI" if drivers else "kinase TKI"
        notes.append(ContextNote(
            "prognostic", f"Co-alteration at diagnosis (not an acquired resistance mechanism: no kinase TKI given "
            f"yet): {f.id} {what}. In TKI-treated tumours this pathway is a resistance mechanism "
            f"({rule.label}); present before treatment it may limit the benefit of the {target}, but the "
            f"first-line {target} remains the standard option"))
        f.bypass = None
        f.alteration = replace(a, role=Role.UNCERTAIN)
    return notes


def amplification_without_rearrangement(findings: list[Finding]) -> list[Caveat]:
    """ALK/ROS1/NTRK amplification with no rearrangement of that gene: not a TKI indication."""
    rearranged = {f.alteration.gene for f in findings if f.fusion is not None}
    out = []
    for f in findings:
        a = f.alteration
        if a.kind is AltKind.AMPLIFICATION and a.gene in FUSION_KINASES and a.gene not in rearranged:
            family = "TRK" if a.gene.startswith("NTRK") else a.gene
            out.append(Caveat(CaveatCode.AMPLIFICATION_NOT_INDICATION,
                              f"{f.id} {a.gene} amplification without a {a.gene} rearrangement: {family} TKI approval is "
                              f"for rearrangements (fusions); amplification is not an indication and no {family} TKI is "
                              "proposed as indicated therapy. Confirm rearrangement status (FISH/IHC/RNA) if clinically "
                              "suspected; a clinical trial may be considered"))
    return out


def non_nsclc_caveat(sample: Sample, drivers: list[str]) -> Caveat | None:
    if indication_of(sample) == "nsclc" or not any(g in ("ALK", "ROS1") for g in drivers):
        return None
    return Caveat(CaveatCode.NON_NSCLC_INDICATION,
                  f"Tumour type '{sample.tumor_type}': NSCLC treatment-sequencing rules and NSCLC approvals are not "
                  "applied; drug calls state the NSCLC evidence, options are limited to tumour-specific evidence and "
                  "clinical trials (molecular tumour board)")


_IHC_FOR = {"ALK": ("ALK_IHC", "ALK_FISH"), "ROS1": ("ROS1_IHC", "ROS1_FISH"),
            "NTRK1": ("PANTRK_IHC", "NTRK_FISH"), "NTRK2": ("PANTRK_IHC", "NTRK_FISH"),
            "NTRK3": ("PANTRK_IHC", "NTRK_FISH")}


def orthogonal_notes(sample: Sample, findings: list[Finding]) -> tuple[list[ContextNote], list[Caveat]]:
    """Orthogonal results restated, and a caveat where they disagree with the sequencing."""
    if not sample.orthogonal:
        return [], []
    results = dict(sample.orthogonal)
    listed = "; ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in sample.orthogonal)
    notes = [ContextNote("orthogonal", f"Orthogonal results (sample sheet): {listed}")]
    caveats: list[Caveat] = []
    fused = {f.alteration.gene for f in findings if f.actionable_driver and f.fusion is not None}
    for gene, keys in _IHC_FOR.items():
        for key in keys:
            value = results.get(key)
            if gene in fused and value == "negative":
                caveats.append(Caveat(CaveatCode.ORTHOGONAL_DISCORDANT,
                                      f"{gene} fusion detected by sequencing but {key} is negative: discordant; "
                                      "review both assays before treatment (RNA-level confirmation preferred)"))
    detected = {f.alteration.gene for f in findings if f.fusion is not None}
    for gene, keys in _IHC_FOR.items():
        positive = [k for k in keys if results.get(k) == "positive"]
        family = {"ALK": ("ALK",), "ROS1": ("ROS1",)}.get(gene, ("NTRK1", "NTRK2", "NTRK3"))
        if positive and not (set(family) & detected) and gene == family[0]:
            caveats.append(Caveat(CaveatCode.ORTHOGONAL_DISCORDANT,
                                  f"{' and '.join(positive)} positive (sample sheet) but sequencing found no "
                                  f"{'/'.join(family)} rearrangement: discordant; fusion partners or breakpoints outside "
                                  "the panel design are missed by sequencing, and IHC/FISH can be false positive; "
                                  "review both assays before deciding on targeted therapy"))
    if results.get("RNA_fusion") == "not_confirmed" and fused:
        caveats.append(Caveat(CaveatCode.ORTHOGONAL_DISCORDANT,
                              f"{', '.join(sorted(fused))} fusion not confirmed at RNA level (sample sheet): treat the "
                              "rearrangement as unconfirmed until resolved"))
    met_amp = any(f.alteration.gene == "MET" and f.alteration.kind is AltKind.AMPLIFICATION
                  and f.alteration.role is Role.BYPASS for f in findings)
    ratio = results.get("MET_FISH_ratio")
    if isinstance(ratio, float) and met_amp and ratio < 2.0:
        caveats.append(Caveat(CaveatCode.ORTHOGONAL_DISCORDANT,
                              f"MET amplification by sequencing but MET/CEP7 FISH ratio {ratio:g} (< 2.0): discordant"))
    if isinstance(ratio, float) and not met_amp and ratio >= 2.0:
        caveats.append(Caveat(CaveatCode.ORTHOGONAL_DISCORDANT,
                              f"MET/CEP7 FISH ratio {ratio:g} (>= 2.0, amplification by FISH) but no MET amplification by "
                              "sequencing: discordant; sequencing copy number is diluted by purity/tumour fraction, so the "
                              "FISH result may reflect a MET-amplified (bypass) clone"))
    return notes, caveats


_SMALL_CELL_WORDS = ("small cell", "small-cell", "sclc", "neuroendocrine")


def small_cell_evidence(sample: Sample) -> str | None:
    """Histological support for small-cell / neuroendocrine transformation given in the sheet
    (histology text or NE_markers=positive), as a phrase for the report; None if none."""
    parts = []
    if sample.histology and any(w in sample.histology.lower() for w in _SMALL_CELL_WORDS):
        parts.append(f"histology '{sample.histology}'")
    if dict(sample.orthogonal).get("NE_markers") == "positive":
        parts.append("neuroendocrine markers positive")
    return " and ".join(parts) or None


def paediatric_note(sample: Sample) -> ContextNote | None:
    paed, why = is_paediatric(sample)
    if not paed:
        return None
    return ContextNote("paediatric", f"Paediatric context ({why}): drug approvals and doses are age-specific; "
                       "discuss in a paediatric molecular tumour board and prefer paediatric trials where "
                       "an approval does not cover the patient's age")
