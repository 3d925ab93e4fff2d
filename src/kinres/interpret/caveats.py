"""Caveats that are not owned by one reasoning step: origin hints, skipped input records, liquid-biopsy
limits (off-target sensitivity, limit of detection of a negative, CNS disease).

Each code means one thing (docs/report-json.md lists them); texts never carry internal rule codes.
"""

from __future__ import annotations

import re

from kinres.enums import CaveatCode, MechanismClass, Specimen
from kinres.fmt import fmt_pct
from kinres.interpret import ctdna
from kinres.interpret.settings import Settings
from kinres.models import Caveat, DrugCall, Mechanism, NotDetected, Sample, TherapyOption

# Stage warnings that say records could not be parsed or used (counted by UNPARSED_RECORDS). Every
# other warning reports a deliberate choice or a fact about the input - records outside the panel,
# caller-filtered records, merged duplicates, an empty file, a replaced out-of-range value, a
# stale index, an unknown drug name on the sheet: it stays in qc.warnings but is not "unparsed".
_UNUSABLE = re.compile(
    r"\bskipped\b|could not be parsed|cannot be parsed|unparsable|malformed|not annotated|"
    r"carry no \S+ annotation|without genomic coordinates|\b(bad|invalid) (record|row|line)\b",
    re.IGNORECASE)
_INFORMATIONAL = re.compile(
    r"outside (the )?panel|no panel kinase|no variant records|failed (the caller's )?FILTER|not PASS|"
    r"FILTER '\.'|duplicate|reciprocal|merged", re.IGNORECASE)
_COUNT = re.compile(r"(?<![\w.:/-])(\d+)\s+(?:[\w/-]+\s+){0,3}?(?:record|row|variant|call|segment|breakpoint|"
                    r"allele|line)s?\b", re.IGNORECASE)


def skipped_records(warnings: list[str]) -> int:
    """Number of input records skipped or unparsable, summed over stage warnings (records, not lines).

    A warning without a stated count names one record (e.g. "chr2:123:C>C: ALT equals REF")."""
    total = 0
    for w in warnings:
        if w.startswith("sample sheet: ") or not _UNUSABLE.search(w) or _INFORMATIONAL.search(w):
            continue
        m = _COUNT.search(w.split(": ", 1)[1] if w.startswith(("variants: ", "fusions: ", "cnv: ", "coverage: "))
                          else w)
        total += int(m.group(1)) if m else 1
    return total


def unparsed_caveat(warnings: list[str]) -> Caveat | None:
    n = skipped_records(warnings)
    if not n:
        return None
    return Caveat(CaveatCode.UNPARSED_RECORDS,
                  f"{n} input record{'s' if n != 1 else ''} could not be parsed or used and "
                  f"{'were' if n != 1 else 'was'} skipped; see qc.warnings")


def origin_flagged(f) -> bool:
    return ctdna.FLAG_CHIP in f.flags or ctdna.FLAG_GERMLINE in f.flags


def origin_caveats(findings, mechanisms: list[Mechanism], calls: list[DrugCall], options: list[TherapyOption]
                   ) -> list[Caveat]:
    """POSSIBLE_GERMLINE / POSSIBLE_CHIP per flagged variant, naming the conclusions that rest on it:
    the conclusion stands (a flag is not a filter) but depends on the variant being tumour-derived."""
    out = []
    for f in findings:
        if f.origin is None or not origin_flagged(f):
            continue
        used = [m.label for m in mechanisms if f.id in m.alteration_ids]
        drugs = sorted({c.drug for c in calls if f.id in c.based_on})
        opts = [o.option for o in options if any(d in drugs for d in o.drugs)]
        name = f"{f.id} {f.alteration.gene} {f.alteration.hgvs_p or f.alteration.hgvs_c or ''}".rstrip()
        text = f"{name}: {f.origin.reason}"
        if f.origin.citations:
            text += f" ({'; '.join(f.origin.citations)})"
        if used or drugs:
            parts = [f"mechanism '{u}'" for u in used]
            if drugs:
                parts.append(f"drug calls for {', '.join(drugs)}")
            if opts:
                parts.append(f"option(s) {', '.join(opts)}")
            text += ("; this alteration contributes to " + "; ".join(parts)
                     + ": the conclusion stands, but depends on the variant being tumour-derived")
        else:
            text += "; listed, not the basis of any mechanism or drug call"
        code = CaveatCode.POSSIBLE_CHIP if ctdna.FLAG_CHIP in f.flags else CaveatCode.POSSIBLE_GERMLINE
        out.append(Caveat(code, text))
    return out


def lod_text(nd: list[NotDetected], sample: Sample, settings: Settings) -> str:
    """The limit of detection behind a negative: per hotspot from the BAM, else the configured assay LoD."""
    bam = sorted(n.lod_vaf for n in nd if n.lod_source == "bam" and n.lod_vaf is not None)
    if bam:
        span = fmt_pct(bam[0]) if bam[0] == bam[-1] else f"{fmt_pct(bam[0])}-{fmt_pct(bam[-1])}"
        return f"limit of detection {span} VAF at the checked hotspots, from the reads"
    lod = settings.assay_lod(sample.specimen.value)
    if lod is not None:
        return f"limit of detection {fmt_pct(lod)} VAF, validated assay LoD"
    return "limit of detection not stated: no BAM and no assay LoD configured"


def negative_statement(nd: list[NotDetected], sample: Sample, tf: float | None, settings: Settings) -> str:
    """'Not detected' with its LoD and what a clonal mutation would show at this tumour fraction."""
    text = f"not detected ({lod_text(nd, sample, settings)})"
    if tf is not None:
        text += f"; at tumour fraction {fmt_pct(tf)} a clonal heterozygous mutation is expected near {fmt_pct(tf / 2)} VAF"
    return text


def liquid_caveats(sample: Sample, mechanisms: list[Mechanism], nd: list[NotDetected], tf: float | None,
                   settings: Settings, batch_specimens: frozenset[str] = frozenset()) -> list[Caveat]:
    """Plasma/CSF limits: off-target events, the LoD of a negative, CNS disease seen from plasma."""
    if not sample.specimen.is_liquid:
        return []
    where = sample.specimen.label
    out = [Caveat(CaveatCode.LIQUID_OFF_TARGET_INSENSITIVE,
                  f"Off-target events (copy-number changes such as MET amplification, and fusions) may be missed in "
                  f"{where}: cfDNA sensitivity for them is lower than for point mutations and falls with tumour "
                  "fraction, so this result does not exclude bypass resistance (tissue biopsy)")]
    negative = all(m.mechanism_class is MechanismClass.NONE_IDENTIFIED for m in mechanisms)
    if negative:
        out.append(Caveat(CaveatCode.DETECTION_LIMIT,
                          f"No resistance mechanism detected in {where}: resistance hotspots "
                          f"{negative_statement(nd, sample, tf, settings)}"))
    progression = getattr(sample, "progression", None)
    cns_only = getattr(progression, "value", progression) == "cns_only"
    if sample.specimen is Specimen.PLASMA and (sample.cns_involvement or cns_only):
        text = ("Brain or leptomeningeal disease: plasma may not reflect the intracranial clone; assess the CNS "
                "with brain MRI and prefer CNS-penetrant drugs (marked in the options)")
        if "csf" in batch_specimens:
            text += "; a CSF sample of this patient is reported separately (see the patient section)"
        else:
            text += "; CSF cfDNA genotyping can reveal the intracranial clone when plasma is negative"
        out.append(Caveat(CaveatCode.CNS_DISEASE_PLASMA, text))
    return out
