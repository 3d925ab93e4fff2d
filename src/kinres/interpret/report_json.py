"""Assemble report.json (contract schema_version "1") from the stage results, and validate it.

Determinism: every list is sorted or built in a fixed order, ids follow that order, and the only
date is the sample's own; identical inputs give byte-identical JSON.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from kinres import __version__
from kinres._build_info import created_by
from kinres.enums import CaveatCode, CopyNumberCall, MechanismClass, Phase, Specimen
from kinres.errors import KinresError
from kinres.fmt import fmt_pct
from kinres.interpret import caveats as caveat_rules
from kinres.interpret import ctdna, frames
from kinres.interpret.course import (
    annotate_calls,
    course_of,
    earlier_generation_caveat,
    progression_assessment,
    withheld_earlier_generation,
)
from kinres.interpret.drugs import driver_genes, drug_calls
from kinres.interpret.evidence import cn_threshold, phase_evidence, with_transcript_info
from kinres.interpret.mechanisms import build_findings, build_mechanisms, on_target_groups
from kinres.interpret.patient import (
    PatientInputs,
    PatientSection,
    acquisition,
    finding_label,
    patient_section,
    reference_sample,
)
from kinres.interpret.settings import Settings
from kinres.interpret.therapy import Excluded, build_context, therapy_options
from kinres.knowledge.loader import KnowledgeBase
from kinres.models import (
    QC,
    Alteration,
    Caveat,
    DrugCall,
    InputFile,
    Mechanism,
    NotDetected,
    ReportSample,
    Sample,
    SignOut,
    StageResult,
    TherapyOption,
)
from kinres.models import ReportReference as Reference
from kinres.paths import SCHEMAS
from kinres.serialize import atomic_write_text, dumps, to_jsonable

SCHEMA_VERSION = "1"


class ReportSchemaError(KinresError):
    """A built report does not satisfy workflow/schemas/report.schema.json (a kinres bug)."""


@dataclass(frozen=True)
class Provenance:
    knowledge_version: str
    knowledge_sha256: str
    inputs: tuple[InputFile, ...]
    reference: Reference
    created_by: str
    parameters: dict[str, Any] = field(default_factory=dict)
    knowledge_date: str | None = None


@dataclass(frozen=True)
class Report:
    schema_version: str
    kinres_version: str
    sample: ReportSample
    qc: QC
    alterations: tuple[Alteration, ...]
    mechanisms: tuple[Mechanism, ...]
    drug_calls: tuple[DrugCall, ...]
    therapy_options: tuple[TherapyOption, ...]
    caveats: tuple[Caveat, ...]
    not_detected: tuple[NotDetected, ...]
    provenance: Provenance
    excluded_options: tuple[Excluded, ...] = ()
    patient: PatientSection | None = None
    clinical_context: frames.ClinicalContext | None = None
    signout: SignOut | None = None  # sheet-given report status / reviewer (report-only)


@dataclass(frozen=True)
class Stages:
    """The (optional) stage results for one sample, plus the stage files they were read from."""

    variants: StageResult | None = None
    fusions: StageResult | None = None
    cnv: StageResult | None = None
    coverage: StageResult | None = None
    files: tuple[InputFile, ...] = ()

    def all(self) -> list[StageResult]:
        return [s for s in (self.variants, self.fusions, self.cnv, self.coverage) if s is not None]


def build_report(sample: Sample, stages: Stages, kb: KnowledgeBase, settings: Settings | None = None,
                 reference: Reference | None = None, patient: PatientInputs | None = None,
                 sheet_warnings: Sequence[str] = ()) -> Report:
    """Interpret one sample's stage results into a Report (see module doc for determinism).

    patient: the patient's other samples (stage results) and baseline, for acquired/pre-existing
    labels and specimen discordance statements; None = the sample is reported alone.
    sheet_warnings: the sheet's warnings about this sample's line (e.g. an unknown drug name),
    added to qc.warnings."""
    settings = settings or Settings()
    variants = list(stages.variants.variants) if stages.variants else []
    fusions = list(stages.fusions.fusions) if stages.fusions else []
    copies = list(stages.cnv.copy_numbers) if stages.cnv else []
    findings = build_findings(sample, variants, fusions, copies, kb, settings)
    findings.sort(key=lambda f: tuple(str(x) if not isinstance(x, int) else f"{x:012d}" for x in f.order))
    for i, f in enumerate(findings, start=1):
        f.alteration = replace(f.alteration, id=f"A{i}")

    # ---- ctDNA: TF from usable variants of somatic origin outside amplified genes (an origin hint
    # keeps a variant in the reasoning, but a germline/CH VAF says nothing about tumour content)
    amplified = {f.alteration.gene for f in findings if f.copy is not None and f.alteration.kind.value == "amplification"
                 and "low_level_gain" not in f.flags}
    somatic = [f.variant for f in findings if f.variant is not None and f.usable and not caveat_rules.origin_flagged(f)
               and f.alteration.gene not in amplified]
    tf = ctdna.estimate_tumor_fraction(sample, somatic, [f.fusion for f in findings if f.fusion is not None])
    informative = ctdna.informative_negative(sample, tf.value, settings)
    max_vaf = max([v.vaf for v in somatic if v.vaf is not None]
                  + [f.fusion.fusion_af for f in findings if f.fusion is not None and f.fusion.fusion_af is not None],
                  default=None)
    caveats: list[Caveat] = []
    for f in findings:
        v = f.variant
        if v is not None and f.usable and not caveat_rules.origin_flagged(f) and v.vaf is not None and max_vaf \
                and v.vaf / max_vaf < settings.subclonal_ratio:
            f.flags.add(ctdna.FLAG_SUBCLONAL)
            caveats.append(Caveat(CaveatCode.SUBCLONAL,
                                  f"{f.id} {f.alteration.gene} {f.alteration.hgvs_p or v.key}: VAF {fmt_pct(v.vaf)} is "
                                  f"{fmt_pct(v.vaf / max_vaf, 0)} of the highest somatic VAF ({fmt_pct(max_vaf)}); likely subclonal"))
        f.alteration = replace(f.alteration, flags=tuple(sorted(f.flags)))

    labels = {f.id: finding_label(f) for f in findings}
    here_vafs = {labels[f.id]: f.variant.vaf for f in findings
                 if labels[f.id] and f.variant is not None and f.variant.vaf is not None}
    section = patient_section(sample, tuple(sorted({x for x in labels.values() if x})), patient, informative,
                              here_vafs) if patient is not None else None
    batch_specimens = frozenset(section.batch_specimens) if section else frozenset()
    if patient is not None:
        ref = reference_sample(sample, patient)
        for f in findings:
            if labels[f.id] and ref is not None:
                f.alteration = replace(f.alteration, acquisition=acquisition(labels[f.id], ref, patient))

    prior_targeted = [d for d in (*sample.prior_therapies, *((sample.current_therapy,) if sample.current_therapy else ()))
                      if kb.drug(d.lower()) is not None and kb.drug(d.lower()).core_for]
    # no kinase TKI given: a bypass-pattern alteration is a co-alteration at diagnosis, not resistance
    co_notes = frames.naive_co_alterations(findings) if not prior_targeted else []
    groups = on_target_groups(findings, list(stages.coverage.phases) if stages.coverage else [], kb)
    drivers = driver_genes(findings, groups)
    mechanisms = build_mechanisms(findings, groups, sample, naive=not prior_targeted, informative=informative,
                                  variants_assessed=stages.variants is not None,
                                  fusions_assessed=stages.fusions is not None)
    phases = list(stages.coverage.phases) if stages.coverage else []
    keys = {f.id: f.variant.key for f in findings if f.variant is not None}
    mechanisms = [phase_evidence(m, keys, phases) for m in mechanisms]
    cnv_params = dict(stages.cnv.parameters) if stages.cnv else {}
    for f in findings:
        alt = with_transcript_info(f.alteration, sample.genome_build)
        if f.copy is not None:
            alt = replace(alt, cn_threshold=cn_threshold(f.copy.call, cnv_params))
        f.alteration = alt
    calls, _ = drug_calls(findings, groups, kb, sample)
    # ---- the patient's course beside the knowledge calls (interpret/course.py)
    course = course_of(sample)
    withheld = withheld_earlier_generation(course, calls, kb, groups, drivers)
    calls = annotate_calls(calls, course, withheld)
    ctx = replace(build_context(sample, findings, groups, mechanisms, drivers, kb, informative, withheld),
                  batch_specimens=batch_specimens | {sample.specimen.value})
    options, excluded, therapy_caveats = therapy_options(ctx, calls, kb, findings)
    caveats += therapy_caveats
    caveats += caveat_rules.origin_caveats(findings, mechanisms, calls, options)
    explained, progression_caveat = progression_assessment(course, calls, mechanisms, findings, kb, sample, drivers,
                                                           groups)
    clinical_context, frame_caveats = _clinical_context(sample, course, findings, drivers, kb, explained, co_notes)
    caveats += [c for c in (progression_caveat, earlier_generation_caveat(withheld)) if c] + frame_caveats

    # ---- remaining caveats
    for g in groups:
        if len(g.findings) > 1 and g.phase is Phase.UNKNOWN:
            caveats.append(Caveat(CaveatCode.COMPOUND_PHASE_UNKNOWN,
                                  f"{len(g.findings)} {g.gene} mutations ({', '.join(g.changes)}), phase undetermined: "
                                  "no compound-specific call; single-mutant calls combined conservatively"))
    for f in findings:
        if f.fusion is not None and f.fusion.in_frame is None:
            caveats.append(Caveat(CaveatCode.FUSION_FRAME_UNKNOWN,
                                  f"{f.id} {f.fusion.five_prime_gene}-{f.fusion.three_prime_gene}: reading frame unknown; "
                                  "not treated as a target until confirmed (RNA, IHC or FISH)"))
        if f.fusion is not None and "frame_conflict_caller_vs_computed" in f.fusion.flags:
            fu = f.fusion
            said = next((x.split(":", 1)[1] for x in fu.flags if x.startswith("caller_frame:")),
                        "another frame")
            own = "in frame" if fu.in_frame else "out of frame"
            where = fu.junction_label or f"{fu.five_prime_gene}-{fu.three_prime_gene}"
            caveats.append(Caveat(CaveatCode.FUSION_FRAME_CONFLICT,
                                  f"{f.id} {fu.five_prime_gene}-{fu.three_prime_gene}: the fusion caller reports "
                                  f"{said}, but the junction {where} on the reporting transcripts is {own}; "
                                  f"kinres's frame is used ({'a target' if f.actionable_driver else 'not treated as a target'}); "
                                  "review the junction sequence or confirm (RNA, IHC or FISH)"))
        if f.fusion is not None and f.fusion.molecule == "dna":
            caveats.append(Caveat(CaveatCode.DNA_ONLY_FUSION,
                                  f"{f.id} {f.fusion.five_prime_gene}-{f.fusion.three_prime_gene}: DNA-level breakpoint only; "
                                  + ("RNA-level confirmation is recorded in the sample sheet (orthogonal RNA_fusion)"
                                     if dict(sample.orthogonal).get("RNA_fusion") == "confirmed" else
                                     "the transcript is not proven (RNA confirmation preferred)")
                                  + ("" if f.fusion.five_prime_exon else "; variant undetermined")))
        if "possible_amplification_diluted" in f.flags:
            caveats.append(Caveat(CaveatCode.PLASMA_CNV_INSENSITIVE,
                                  f"{f.id} {f.alteration.gene} low-level gain in {sample.specimen.label}: plasma copy number is "
                                  "diluted by tumour fraction; confirm amplification in tissue (FISH/NGS)"))
    if any(m.mechanism_class is MechanismClass.PHENOTYPIC for m in mechanisms) and not frames.small_cell_evidence(sample):
        # with small-cell histology given in the sheet the diagnosis is made; frames notes it
        caveats.append(Caveat(CaveatCode.HISTOLOGY_REQUIRED,
                              "TP53 + RB1 inactivation is a genomic flag for possible small-cell transformation; "
                              "diagnosis needs a re-biopsy with histology (synaptophysin, chromogranin, INSM1)"
                              + (f" (histology given: {sample.histology})" if sample.histology else "")))
    if any(r.evidence_type.value in ("preclinical", "inferred") and r.call.value != "unknown" and r.level != "NONE"
           and any(i in {a for m in mechanisms for a in m.alteration_ids} for i in r.based_on)
           and r.level in ("PRE", "INF") for r in calls):
        drugs_pre = sorted(r.drug for r in calls if r.level in ("PRE", "INF") and r.call.value != "unknown")
        caveats.append(Caveat(CaveatCode.PRECLINICAL_EVIDENCE_ONLY,
                              f"Calls resting on preclinical/inferred evidence only: {', '.join(drugs_pre)}"))
    # ---- not detected (hotspots of the driver genes), with the LoD behind each negative
    coverage = list(stages.coverage.hotspots) if stages.coverage else None
    relevant = set(drivers) or ({"ALK"} if ctx.indication == "neuroblastoma" else set())
    detected = {(f.alteration.gene, f.alteration.hgvs_p) for f in findings if f.alteration.hgvs_p}
    nd = ctdna.not_detected(kb.hotspots(), detected, relevant, coverage, tf.value, sample, settings, informative)
    if sample.specimen.is_liquid:
        negative = caveat_rules.negative_statement(nd, sample, tf.value, settings)
        mechanisms = [replace(m, note="; ".join(x for x in (m.note, f"resistance hotspots {negative}") if x))
                      if m.mechanism_class is MechanismClass.NONE_IDENTIFIED else m for m in mechanisms]
        caveats += caveat_rules.liquid_caveats(sample, mechanisms, nd, tf.value, settings, batch_specimens)
    if sample.specimen is Specimen.CSF:
        # Digest s5.8: CSF ctDNA reflects the intracranial clone, which can differ from the
        # extracranial one; findings here do not describe disease elsewhere.
        caveats.append(Caveat(CaveatCode.CSF_CLONE_MAY_DIFFER,
                              "CSF ctDNA reflects the intracranial (CNS) clone; extracranial disease may carry "
                              "different alterations, so do not assume the plasma or tissue clone matches"))
    if sample.specimen.is_liquid:
        if tf.value is None or (informative is False):
            caveats.append(Caveat(CaveatCode.LOW_TUMOR_FRACTION,
                                  f"Tumour fraction {'unknown' if tf.value is None else fmt_pct(tf.value)} "
                                  f"(minimum {fmt_pct(settings.min_tumor_fraction)} for an informative negative)"))
        if informative is False:
            caveats.append(Caveat(CaveatCode.NOT_INFORMATIVE,
                                  "Negative liquid-biopsy findings are not informative at this tumour fraction "
                                  f"({caveat_rules.lod_text(nd, sample, settings)}): "
                                  "tissue biopsy, or repeat plasma later or at progression"))
        if stages.cnv is not None:
            caveats.append(Caveat(CaveatCode.PLASMA_CNV_INSENSITIVE,
                                  f"Copy number in {sample.specimen.label} is diluted by tumour fraction (observed CN ~ 2 + "
                                  "TF x (tumour CN - 2)): amplifications are under-called and homozygous deletions "
                                  "cannot be called reliably at low TF"))
    warnings: list[str] = []
    for st in stages.all():
        warnings += [f"{st.stage}: {w}" for w in st.warnings]
    unparsed = caveat_rules.unparsed_caveat(warnings)
    if unparsed is not None:
        caveats.append(unparsed)
    warnings += [f"sample sheet: {w}" for w in sheet_warnings]
    if coverage is None:
        warnings.append("coverage: no hotspot coverage (no BAM); not-detected hotspots are "
                        + ("judged against the configured assay limit of detection"
                           if settings.assay_lod(sample.specimen.value) is not None else "not assessable"))
    unassessed = sorted({c.gene for c in copies if c.call is CopyNumberCall.NOT_ASSESSABLE})
    if unassessed:
        # a negative CN result at low tumour fraction is not "no amplification": say which genes
        warnings.append(f"cnv: copy number not assessable at this tumour fraction for {', '.join(unassessed)}; "
                        "amplification or deletion is not excluded")


    mean_depth = next((s.mean_depth for s in (stages.coverage, stages.variants) if s and s.mean_depth is not None), None)
    inputs = {i.path: i for st in stages.all() for i in st.inputs}
    inputs.update({i.path: i for i in stages.files})
    params: dict[str, Any] = {"interpret": settings.as_parameters(), "knowledge_directory": str(kb.directory.name)}
    for st in stages.all():
        if st.parameters:
            params[st.stage] = {k: v for k, v in st.parameters}
    caveats = _dedupe(caveats)
    # clinical figures (knowledge figures.tsv) next to the mechanism they describe, e.g. how often
    # MET amplification follows lorlatinib
    mechanisms = [replace(m, figures=tuple(f.as_clinical_figure() for f in kb.figures_for(m.knowledge_ids, drivers)))
                  if kb.figures_for(m.knowledge_ids, drivers) else m for m in mechanisms]
    return Report(
        schema_version=SCHEMA_VERSION, kinres_version=__version__,
        sample=ReportSample(sample.sample_id, sample.patient_id, sample.specimen, sample.tumor_type,
                            sample.collection_date, sample.genome_build,
                            tuple(d.lower() for d in sample.prior_therapies),
                            sample.current_therapy.lower() if sample.current_therapy else None,
                            sample.cns_involvement, sample.age_years, sample.progression, sample.histology,
                            dict(sample.orthogonal) if sample.orthogonal else None, sample.accession,
                            sample.ordering_clinician),
        qc=QC(tf.value, tf.method, informative, mean_depth, tuple(warnings)),
        alterations=tuple(f.alteration for f in findings),
        mechanisms=tuple(mechanisms), drug_calls=tuple(calls), therapy_options=tuple(options),
        caveats=tuple(caveats), not_detected=tuple(nd),
        provenance=Provenance(kb.version, kb.sha256, tuple(inputs[k] for k in sorted(inputs)),
                              reference or Reference(sample.genome_build), created_by(), params,
                              knowledge_date=kb.date),
        excluded_options=tuple(excluded), patient=section, clinical_context=clinical_context,
        signout=SignOut(sample.report_status, sample.reviewed_by, sample.review_date)
        if (sample.report_status or sample.reviewed_by or sample.review_date) else None)


def _clinical_context(sample: Sample, course, findings, drivers: list[str], kb: KnowledgeBase,
                      explained: bool | None, co_notes: Sequence[frames.ContextNote] = ()
                      ) -> tuple[frames.ClinicalContext, list[Caveat]]:
    """report.json clinical_context (frames.py) and the caveats the frame implies."""
    lung = frames.is_lung(sample.tumor_type)
    notes = (frames.prognostic_notes(findings) if lung else []) + list(co_notes)
    ortho_notes, caveats = frames.orthogonal_notes(sample, findings)
    notes += ortho_notes
    paediatric = frames.paediatric_note(sample)
    if paediatric is not None:
        notes.append(paediatric)
    caveats += frames.amplification_without_rearrangement(findings)
    non_nsclc = frames.non_nsclc_caveat(sample, drivers)
    if non_nsclc is not None:
        caveats.append(non_nsclc)
    if sample.histology:
        notes.append(frames.ContextNote("histology", f"Histology (sample sheet): {sample.histology}"))
    small_cell = frames.small_cell_evidence(sample)
    if small_cell:
        genomic = any(f.alteration.role.value == "transformation_marker" for f in findings)
        notes.append(frames.ContextNote(
            "histology", f"Histology supports small-cell transformation ({small_cell})"
            + ("; consistent with the TP53 + RB1 inactivation detected" if genomic else
               "; TP53 + RB1 inactivation was not detected, the histological diagnosis stands")
            + ": small-cell-directed therapy (platinum-etoposide) applies"))
    return frames.ClinicalContext(
        frame=frames.frame_of(course, kb), indication=frames.indication_of(sample),
        paediatric=frames.is_paediatric(sample)[0],
        progression=sample.progression.value if sample.progression else None,
        progressing_on=course.progressing_on, progression_explained=explained, notes=tuple(notes)), caveats



def _dedupe(caveats: list[Caveat]) -> list[Caveat]:
    seen: dict[tuple[str, str], Caveat] = {}
    for c in caveats:
        seen.setdefault((c.code.value, c.text), c)
    return [seen[k] for k in sorted(seen)]


def report_to_jsonable(report: Report) -> dict[str, Any]:
    """JSON-ready dict; Mechanism.mechanism_class is written as "class" (contract name)."""
    data = to_jsonable(report)
    for m in data["mechanisms"]:
        m["class"] = m.pop("mechanism_class")
    return data


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads((SCHEMAS / "report.schema.json").read_text()))


def validate_report(data: dict[str, Any]) -> None:
    """Raise ReportSchemaError naming the first violation of report.schema.json."""
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        e = errors[0]
        raise ReportSchemaError(f"report.json invalid at {'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}")


def report_text(report: Report) -> str:
    data = report_to_jsonable(report)
    validate_report(data)
    return dumps(data)


def write_report(path: str | Path, report: Report) -> None:
    """Validate then write report.json atomically."""
    atomic_write_text(path, report_text(report))
