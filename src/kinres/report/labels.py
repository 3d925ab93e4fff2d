"""Human-readable names for report records, shared by the HTML, TSV, batch and plot writers."""

from __future__ import annotations

import re

from kinres.enums import AltKind, DrugCallValue, Progression, Role, Specimen, StructuralClass
from kinres.fmt import fmt_num, fmt_pct  # noqa: F401 (re-exported: the one number formatter)
from kinres.models import Alteration

ROLE_ORDER: tuple[Role, ...] = (
    Role.DRIVER, Role.ON_TARGET_RESISTANCE, Role.BYPASS, Role.TRANSFORMATION_MARKER,
    Role.UNCERTAIN, Role.PASSENGER,
)
ROLE_TITLES = {
    Role.DRIVER: "Driver",
    Role.ON_TARGET_RESISTANCE: "On-target resistance",
    Role.BYPASS: "Bypass / off-target",
    Role.TRANSFORMATION_MARKER: "Transformation marker",
    Role.UNCERTAIN: "Uncertain significance",
    Role.PASSENGER: "Other findings (passenger / clonal haematopoiesis / germline)",
}
ROLE_SHORT = {Role.BYPASS: "Bypass", Role.TRANSFORMATION_MARKER: "Transformation marker",
              Role.UNCERTAIN: "Uncertain significance", Role.PASSENGER: "Other (passenger / CH / germline)"}
CLASS_TITLES = {c: c.label for c in StructuralClass}
# Symbol + word so a call survives greyscale printing and colour-blind reading.
CALL_SYMBOLS = {
    DrugCallValue.SENSITIVE: "\u2714",  # heavy check mark
    DrugCallValue.REDUCED: "\u25d0",  # half circle
    DrugCallValue.RESISTANT: "\u2716",  # heavy multiplication x
    DrugCallValue.UNKNOWN: "?",
}
CALL_TITLES = {
    DrugCallValue.SENSITIVE: "Sensitive",
    DrugCallValue.REDUCED: "Reduced activity",
    DrugCallValue.RESISTANT: "Resistant",
    DrugCallValue.UNKNOWN: "Unknown",
}
FLAG_TITLES = {
    "possible_chip": "possible clonal haematopoiesis",
    "possible_germline": "possible germline",
    "subclonal": "subclonal",
    "low_support": "low support",
    "not_actionable_fusion": "not an actionable fusion",
}

# Caveat codes stay in report.json; readers see these titles (unknown codes: words, not CODES).
CAVEAT_TITLES = {
    "NOT_INFORMATIVE": "Negative result not informative",
    "LOW_TUMOR_FRACTION": "Low or unknown tumour fraction",
    "HISTOLOGY_REQUIRED": "Histology required",
    "POSSIBLE_CHIP": "Possible clonal haematopoiesis",
    "POSSIBLE_GERMLINE": "Possible germline variant",
    "COMPOUND_PHASE_UNKNOWN": "Phase of compound mutations unknown",
    "FUSION_FRAME_UNKNOWN": "Fusion reading frame unknown",
    "DNA_ONLY_FUSION": "Fusion seen at DNA level only",
    "CSF_CLONE_MAY_DIFFER": "CSF clone may differ",
    "PLASMA_CNV_INSENSITIVE": "Copy number diluted in liquid biopsy",
    "SUBCLONAL": "Subclonal variant",
    "PRECLINICAL_EVIDENCE_ONLY": "Preclinical evidence only",
    "INVESTIGATIONAL_COMBINATION": "Investigational combination",
    "JURISDICTION_AVAILABILITY": "Availability differs by country",
    "UNPARSED_RECORDS": "Input records skipped",
    "AGE_OUTSIDE_APPROVAL": "Outside approved age range",
    "AGE_NOT_GIVEN": "Patient age not given",
    "FUSION_FRAME_CONFLICT": "Fusion frame differs from the caller's",
    "INVESTIGATIONAL_AGENT": "Investigational agent",
    "LIQUID_OFF_TARGET_INSENSITIVE": "Bypass alterations under-detected in liquid biopsy",
    "DETECTION_LIMIT": "Negative within the limit of detection",
    "CNS_DISEASE_PLASMA": "CNS disease: plasma may miss the intracranial clone",
    "PROGRESSION_UNEXPLAINED": "Progression not explained by this result",
    "EARLIER_TKI_AFTER_FAILURE": "Earlier-generation inhibitor not proposed",
    "AMPLIFICATION_NOT_INDICATION": "Amplification is not a treatment indication",
    "NON_NSCLC_INDICATION": "Tumour type other than NSCLC",
    "ORTHOGONAL_DISCORDANT": "Discordant orthogonal test",
}
# Order of caveats on page one (most decision-changing first); others follow in report order.
CAVEAT_PRIORITY = ("NOT_INFORMATIVE", "HISTOLOGY_REQUIRED", "LOW_TUMOR_FRACTION", "POSSIBLE_CHIP",
                   "COMPOUND_PHASE_UNKNOWN", "FUSION_FRAME_UNKNOWN", "DNA_ONLY_FUSION",
                   "CSF_CLONE_MAY_DIFFER", "AGE_OUTSIDE_APPROVAL", "POSSIBLE_GERMLINE",
                   "PLASMA_CNV_INSENSITIVE", "PRECLINICAL_EVIDENCE_ONLY")


def caveat_title(code: str) -> str:
    """Heading of a caveat. Every CaveatCode has a written title (tested); the code-derived
    fallback only serves a report.json from another kinres version."""
    return CAVEAT_TITLES.get(code) or code.replace("_", " ").lower().capitalize()


_P_POS = re.compile(r"^p\.\(?([A-Z*][a-z]{0,2})?(\d+)")


def short_p(hgvs_p: str | None) -> str | None:
    """'p.G1202R' -> 'G1202R' (keeps anything unusual as written)."""
    if not hgvs_p:
        return None
    return hgvs_p.removeprefix("p.")


def protein_position(hgvs_p: str | None) -> int | None:
    """First residue number of a p. description, or None ('p.G1202R' -> 1202)."""
    m = _P_POS.match(hgvs_p or "")
    return int(m.group(2)) if m else None


def protein_altering(hgvs_p: str | None) -> bool:
    """False for a synonymous / no-change protein description ('p.L1196=', 'p.(=)', 'p.=')."""
    return bool(hgvs_p) and not hgvs_p.rstrip(")").endswith("=")


def synonymous(alt: Alteration) -> bool:
    """A described protein change that alters no amino acid (drawn and labelled as such, never as resistance)."""
    return bool(alt.hgvs_p) and not protein_altering(alt.hgvs_p)


PROGNOSTIC_ROLE = "Prognostic co-alteration"


def prognostic_ids(alterations, notes) -> frozenset[str]:
    """Ids of uncertain-significance alterations that a prognostic clinical-context note names.

    The context note uses them as prognostic, so the alteration table must not call the same
    change "uncertain significance" at the same time (it is shown as a prognostic co-alteration).
    """
    texts = [str(n.get("text") or "") for n in notes or () if n.get("kind") == "prognostic"]
    out = set()
    for a in alterations:
        if a.role is not Role.UNCERTAIN or not a.gene:
            continue
        what = a.hgvs_p or a.kind.value
        if any(f"{a.gene} " in t and what in t for t in texts):
            out.add(a.id)
    return frozenset(out)


def alteration_label(alt: Alteration) -> str:
    """Short display name, e.g. 'ALK G1202R', 'EML4::ALK fusion', 'MET amplification'."""
    if alt.fusion is not None:
        return f"{alt.fusion.five_prime_gene}::{alt.fusion.three_prime_gene} fusion"
    if alt.kind is AltKind.AMPLIFICATION:
        return f"{alt.gene} amplification"
    if alt.kind is AltKind.DELETION_CN:
        return f"{alt.gene} deletion"
    if alt.kind is AltKind.LOSS_OF_FUNCTION and not alt.hgvs_p:
        return f"{alt.gene} loss of function"
    detail = short_p(alt.hgvs_p) or alt.hgvs_c or alt.kind.value
    return f"{alt.gene} {detail}"


def alteration_detail(alt: Alteration) -> str:
    """Secondary line: junction for fusions, c. change otherwise."""
    if alt.fusion is not None:
        f = alt.fusion
        parts = [f.junction_label or f"{f.five_prime_gene}::{f.three_prime_gene}, exon pair undetermined"]
        if f.variant_label:
            parts.append(f"variant {f.variant_label}")
        return ", ".join(parts)
    return alt.hgvs_c or ""


def alteration_key(alt: Alteration) -> str:
    """Identity of an event across samples of one patient (for timelines)."""
    if alt.fusion is not None:
        f = alt.fusion
        return f"{f.five_prime_gene}::{f.three_prime_gene}"
    return f"{alt.gene} {short_p(alt.hgvs_p) or alt.hgvs_c or alt.kind.value}"


def specimen_label(value: str) -> str:
    """Specimen as printed: "tissue", "plasma", "CSF" (report.json keeps the contract value)."""
    try:
        return Specimen(value).label
    except ValueError:
        return value


def yes_no(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


# sheet progression pattern and the clinical status course.py attaches to drug calls
PROGRESSION_TITLES = {
    Progression.SYSTEMIC: "systemic progression",
    Progression.OLIGOPROGRESSION: "oligoprogression (limited sites)",
    Progression.CNS_ONLY: "CNS-only progression",
    Progression.NONE: "no progression (on therapy)",
}
CLINICAL_STATUS_TITLES = {
    "observed_progression": "observed progression on this drug",
    "received_earlier": "received earlier",
    "current_no_progression": "current therapy, no progression",
    "earlier_generation_after_failure": "not expected to be active (more potent drug failed)",
}
def fmt_cn(value: float | None) -> str:
    """Copy number, rounded the same way in every table, sentence and matrix (23.548 -> '23.5')."""
    return fmt_num(value, 1)
