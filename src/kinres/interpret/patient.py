"""Patient-level reasoning across the samples of one patient: acquired vs pre-existing alterations
(against the sheet's `baseline` or earlier samples), the VAF trend of each variant across the
patient's samples, and specimen discordance statements.

"Pre-existing" means present before treatment, so it is said only against the sheet's baseline or
an earlier sample taken before any therapy; against an earlier on-treatment sample an alteration
seen in both is "persisting" (present since that sample's date).

Inputs are the other samples' *stage* results (variants/fusions/cnv JSON) plus their sheet rows, or
an earlier report.json named as baseline; never the siblings' report.json of the same batch, so
interpret of one sample never waits for another sample's interpretation (no dependency cycle).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path

from kinres.enums import CopyNumberCall, Specimen
from kinres.errors import InputError
from kinres.fmt import fmt_pct
from kinres.interpret import ctdna
from kinres.knowledge.hgvs import normalise_p
from kinres.models import Sample, StageResult

SAME_EPISODE_DAYS = 30  # samples this close count as one diagnostic episode (no re-test advice)


@dataclass(frozen=True)
class Observed:
    """Another sample of the patient as kinres sees it: what was detected there."""

    sample_id: str
    specimen: Specimen | None
    collection_date: _dt.date | None
    alterations: tuple[str, ...]  # labels, e.g. "ALK p.G1202R", "EML4-ALK fusion", "MET amplification"
    source: str  # "batch" (stage results of this run) | report path (baseline report.json)
    assessed: tuple[str, ...] = ()  # which inputs were given: variants / fusions / cnv
    on_treatment: bool = False  # a therapy was listed (prior or current) when it was taken
    vafs: tuple[tuple[str, float], ...] = ()  # (label, VAF) of detected small variants


@dataclass(frozen=True)
class OtherSampleSummary:
    sample_id: str
    specimen: str | None
    collection_date: _dt.date | None
    relation: str  # "same episode" | "earlier" | "later" | "date unknown"
    alterations: tuple[str, ...]
    is_baseline: bool = False


@dataclass(frozen=True)
class PatientSection:
    """report.json `patient` (additive field): the other samples and what follows from them."""

    other_samples: tuple[OtherSampleSummary, ...] = ()
    baseline: str | None = None  # sample id or report path
    statements: tuple[str, ...] = ()
    batch_specimens: tuple[str, ...] = ()  # specimens of the same episode already in this batch


@dataclass
class PatientInputs:
    """What the interpret command hands over: other samples (stage results + sheet rows) and a baseline."""

    others: list[Observed] = field(default_factory=list)
    baseline: Observed | None = None


def variant_label(gene: str, hgvs_p: str | None, key: str) -> str:
    return f"{gene} {normalise_p(hgvs_p) or key}"


def fusion_label(five: str, three: str) -> str:
    return f"{five}-{three} fusion"


def observed_from_stages(sample: Sample, stages: list[StageResult]) -> Observed:
    """Detected events of another sample from its stage results (passing, protein-altering variants;
    fusions with a panel kinase; amplifications and deep deletions)."""
    labels: set[str] = set()
    assessed: list[str] = []
    vafs: dict[str, float] = {}
    for st in stages:
        if st.sample_id != sample.sample_id:
            raise InputError(st.stage, f"stage result of {st.sample_id!r} grouped under {sample.sample_id!r}")
        assessed.append(st.stage)
        for v in st.variants:
            ann = v.annotation
            if ann is not None and ann.is_protein_altering and ctdna.passed(v):
                labels.add(variant_label(ann.gene, ann.hgvs_p, v.key))
                if v.vaf is not None:
                    vafs[variant_label(ann.gene, ann.hgvs_p, v.key)] = v.vaf
        for f in st.fusions:
            if f.kinase_gene or f.actionable:
                labels.add(fusion_label(f.five_prime_gene, f.three_prime_gene))
        for c in st.copy_numbers:
            if c.call is CopyNumberCall.AMPLIFICATION:
                labels.add(f"{c.gene} amplification")
            elif c.call is CopyNumberCall.DEEP_DELETION:
                labels.add(f"{c.gene} deep deletion")
    return Observed(sample.sample_id, sample.specimen, sample.collection_date, tuple(sorted(labels)), "batch",
                    tuple(sorted(set(assessed))), on_treatment=bool(sample.prior_therapies or sample.current_therapy),
                    vafs=tuple(sorted(vafs.items())))


def observed_from_report(path: Path, patient_id: str) -> Observed:
    """A baseline from an earlier report.json (validated by the report reader)."""
    from kinres.report.json import load_report  # the contract reader; keeps interpret import-light

    report = load_report(path)
    if report.sample.patient_id != patient_id:
        raise InputError(path, f"baseline report is for patient {report.sample.patient_id!r}, not {patient_id!r}",
                         record="sample/patient_id")
    labels = set()
    vafs: dict[str, float] = {}
    for a in report.alterations:
        if "filtered" in a.flags:
            continue
        if a.fusion is not None:
            labels.add(fusion_label(a.fusion.five_prime_gene, a.fusion.three_prime_gene))
        elif a.kind.value == "amplification" and a.copy_number is not None:
            labels.add(f"{a.gene} amplification")
        elif a.kind.value == "deletion_cn":
            labels.add(f"{a.gene} deep deletion")
        elif a.hgvs_p and not a.hgvs_p.endswith("="):
            labels.add(variant_label(a.gene, a.hgvs_p, a.hgvs_p))
            if a.vaf is not None:
                vafs[variant_label(a.gene, a.hgvs_p, a.hgvs_p)] = a.vaf
    return Observed(report.sample.id, report.sample.specimen, report.sample.collection_date,
                    tuple(sorted(labels)), str(path),
                    on_treatment=bool(report.sample.prior_therapies or report.sample.current_therapy),
                    vafs=tuple(sorted(vafs.items())))


def finding_label(f) -> str | None:
    """The comparison label of one of this sample's findings (None: not compared, e.g. filtered)."""
    a = f.alteration
    if "filtered" in f.flags:
        return None
    if f.fusion is not None:
        return fusion_label(f.fusion.five_prime_gene, f.fusion.three_prime_gene)
    if f.copy is not None:
        if f.copy.call is CopyNumberCall.AMPLIFICATION:
            return f"{a.gene} amplification"
        if f.copy.call is CopyNumberCall.DEEP_DELETION:
            return f"{a.gene} deep deletion"
        return None
    if f.variant is not None and f.variant.annotation is not None and f.variant.annotation.is_protein_altering:
        return variant_label(a.gene, a.hgvs_p, f.variant.key)
    return None


def _relation(me: Sample, other: Observed) -> str:
    if me.collection_date is None or other.collection_date is None:
        return "date unknown"
    days = (other.collection_date - me.collection_date).days
    if abs(days) <= SAME_EPISODE_DAYS:
        return "same episode"
    return "earlier" if days < 0 else "later"


def _join(items) -> str:
    return ", ".join(items) if items else "none"


def pre_treatment(reference: Observed, inputs: PatientInputs) -> bool:
    """The reference can establish "pre-existing": the sheet's baseline, or a sample without therapy."""
    return reference is inputs.baseline or not reference.on_treatment


def acquisition(label: str, reference: Observed | None, inputs: PatientInputs | None = None) -> str | None:
    """'acquired' when the reference sample lacked it; when it had it, 'pre_existing' against a
    pre-treatment reference (baseline / no therapy) and 'persisting' against an on-treatment one;
    None without a reference."""
    if reference is None:
        return None
    if label not in reference.alterations:
        return "acquired"
    baseline = inputs is not None and reference is inputs.baseline
    return "pre_existing" if baseline or not reference.on_treatment else "persisting"


def vaf_trends(me: Sample, here_vafs: dict[str, float], inputs: PatientInputs) -> list[str]:
    """VAF of each variant detected here across this and the patient's earlier dated samples that
    assessed small variants (not detected there = "not detected"), with its direction."""
    if me.collection_date is None:
        return []
    earlier = sorted((o for o in inputs.others if _relation(me, o) == "earlier"
                      and ("variants" in o.assessed or o.vafs)), key=lambda o: (o.collection_date, o.sample_id))
    out = []
    for label in sorted(here_vafs):
        points: list[tuple[str, float | None]] = []
        for o in earlier:
            vaf = dict(o.vafs).get(label)
            if vaf is None and label in o.alterations:
                continue  # detected, VAF not known: no point
            points.append((f"{o.collection_date.isoformat()} {o.sample_id}", vaf))
        if not points:
            continue
        points.append((f"{me.collection_date.isoformat()} this sample", here_vafs[label]))
        seen = [v for _, v in points[:-1] if v is not None]
        first, last = (seen[0] if seen else None), here_vafs[label]
        if first is None:
            direction = "newly detected"
        elif last > first:
            direction = "rising"
        elif last < first:
            direction = "falling"
        else:
            direction = "stable"
        series = " -> ".join(f"{fmt_pct(v) if v is not None else 'not detected'} ({when})" for when, v in points)
        out.append(f"VAF trend {label}: {series}: {direction}")
    return out


def reference_sample(me: Sample, inputs: PatientInputs) -> Observed | None:
    """The baseline (sheet) or else the latest earlier sample of the batch, for acquired/pre-existing."""
    if inputs.baseline is not None:
        return inputs.baseline
    earlier = [o for o in inputs.others if _relation(me, o) == "earlier"]
    return max(earlier, key=lambda o: (o.collection_date, o.sample_id)) if earlier else None


def patient_section(me: Sample, here: tuple[str, ...], inputs: PatientInputs, informative: bool | None,
                    here_vafs: dict[str, float] | None = None) -> PatientSection:
    """Statements comparing this sample with the patient's other samples (each report states them)."""
    statements: list[str] = []
    summaries: list[OtherSampleSummary] = []
    ref = reference_sample(me, inputs)
    candidates = list(inputs.others)
    if inputs.baseline is not None and all(o.sample_id != inputs.baseline.sample_id for o in candidates):
        candidates.append(inputs.baseline)
    here_set = set(here)
    for o in sorted(candidates, key=lambda o: (o.collection_date or _dt.date.min, o.sample_id)):
        rel = _relation(me, o)
        is_base = inputs.baseline is not None and o.sample_id == inputs.baseline.sample_id
        summaries.append(OtherSampleSummary(o.sample_id, o.specimen.value if o.specimen else None,
                                            o.collection_date, rel, o.alterations, is_base))
        where = f"{o.specimen.label if o.specimen else 'earlier'} sample {o.sample_id}"
        when = f"{o.collection_date.isoformat()}, {rel}" if o.collection_date else rel
        only_there = [a for a in o.alterations if a not in here_set]
        only_here = [a for a in here if a not in set(o.alterations)]
        if not only_there and not only_here:
            text = f"{where} ({when}): the same alterations were detected ({_join(o.alterations)})"
        else:
            parts = []
            if only_there:
                parts.append(f"detected there but not here: {_join(only_there)}")
            if only_here:
                parts.append(f"detected here but not there: {_join(only_here)}")
            text = f"{where} ({when}): " + "; ".join(parts)
            if only_there and me.specimen.is_liquid and informative is False:
                text += (f" (this {me.specimen.label} result is not informative at its tumour fraction, so the "
                         f"{o.specimen.label if o.specimen else 'other'} finding is not contradicted)")
            elif only_there and o.specimen is Specimen.CSF and me.specimen is not Specimen.CSF:
                text += " (CSF reflects the intracranial clone)"
            elif only_there and me.specimen is Specimen.CSF and o.specimen is not Specimen.CSF:
                text += " (extracranial clone; CSF reflects the intracranial one)"
        statements.append(text)
    statements += vaf_trends(me, here_vafs or {}, inputs)
    if ref is not None:
        gained = [a for a in here if a not in ref.alterations]
        kept = [a for a in here if a in ref.alterations]
        basis = f"baseline {ref.sample_id}" if ref is inputs.baseline else f"earlier sample {ref.sample_id}"
        if pre_treatment(ref, inputs):
            text = f"Relative to {basis}: acquired {_join(gained)}; pre-existing {_join(kept)}"
        else:
            # an on-treatment reference cannot show what was there before treatment
            # "since" = the earliest earlier sample of the patient that already had it
            earlier = sorted((o for o in inputs.others if _relation(me, o) == "earlier"),
                             key=lambda o: (o.collection_date, o.sample_id))
            by_since: dict[str, list[str]] = {}
            for a in kept:
                first = next((o for o in earlier if a in o.alterations), ref)
                since = first.collection_date.isoformat() if first.collection_date else f"sample {first.sample_id}"
                by_since.setdefault(since, []).append(a)
            persisting = "; ".join(f"present since {k} (persisting) {_join(v)}" for k, v in sorted(by_since.items())) \
                or "persisting none"
            text = f"Relative to {basis} (taken on treatment): acquired {_join(gained)}; {persisting}"
        if ref.specimen is not None and ref.specimen.is_liquid:
            text += (" (the reference is a liquid biopsy: an 'acquired' alteration may have been present below its "
                     "detection limit)")
        statements.append(text)
    episode = sorted({o.specimen.value for o in inputs.others
                      if o.specimen is not None and _relation(me, o) in ("same episode", "date unknown")})
    return PatientSection(tuple(summaries), inputs.baseline.source if inputs.baseline else None,
                          tuple(statements), tuple(episode))
