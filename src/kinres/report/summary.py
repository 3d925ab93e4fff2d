"""The one-paragraph interpretation summary, generated only from report.json content."""

from __future__ import annotations

from dataclasses import dataclass

from kinres.enums import DrugCallValue, MechanismClass, Role
from kinres.report.json import Report
from kinres.report.labels import alteration_detail, alteration_label, fmt_cn, fmt_pct

FAILING = "observed_progression"  # drug_calls[].clinical_status (interpret/course.py)
NOT_EXPECTED = "earlier_generation_after_failure"
MECHANISM_TITLES = {
    MechanismClass.ON_TARGET: "on-target",
    MechanismClass.OFF_TARGET: "off-target (bypass)",
    MechanismClass.PHENOTYPIC: "phenotypic",
}


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _with_vaf(report: Report, alt_id: str) -> str:
    alt = report.alteration(alt_id)
    if alt is None:  # validate_report_data rejects dangling ids; keep the id visible regardless
        return alt_id
    extra = []
    if alt.vaf is not None:
        extra.append(f"VAF {fmt_pct(alt.vaf)}")
    if alt.copy_number is not None:
        extra.append(f"copy number {fmt_cn(alt.copy_number)}")
    return alteration_label(alt) + (f" ({', '.join(extra)})" if extra else "")


def summary_sentences(report: Report) -> list[str]:
    """Sentences of the summary paragraph, in reading order."""
    s = report.sample
    out: list[str] = []
    history = (f"after {_join(list(s.prior_therapies))}" if s.prior_therapies
               else "with no prior targeted therapy recorded")
    current = f" (current therapy: {s.current_therapy})" if s.current_therapy else ""
    out.append(f"{s.specimen.label_capitalised} sample {s.id} ({s.tumor_type}) was analysed "
               f"{history}{current}.")
    drivers = [a for a in report.alterations if a.role is Role.DRIVER]
    if drivers:
        out.append("Driver: " + _join([f"{alteration_label(a)}"
                                       + (f" ({alteration_detail(a)})" if alteration_detail(a) else "")
                                       for a in drivers]) + ".")
    found = [m for m in report.mechanisms if m.mechanism_class is not MechanismClass.NONE_IDENTIFIED]
    if found:
        parts = []
        for m in found:
            alts = _join([_with_vaf(report, i) for i in m.alteration_ids])
            phase = ""
            if m.compound:
                phase = f", compound, phase {m.phase.value if m.phase else 'undetermined'}"
            parts.append(f"{MECHANISM_TITLES[m.mechanism_class]}: {m.label}"
                         + (f" [{alts}{phase}]" if alts else ""))
        out.append("Resistance mechanism" + ("s" if len(found) > 1 else "") + " identified \u2014 "
                   + "; ".join(parts) + ".")
    elif (report.data.get("clinical_context") or {}).get("frame") == "treatment_naive":
        out.append("Treatment-naive sample: no resistance assessment.")
    else:
        # a liquid negative carries its limit of detection in the mechanism note (interpret/caveats.py)
        note = next((m.note for m in report.mechanisms
                     if m.mechanism_class is MechanismClass.NONE_IDENTIFIED and m.note), None)
        out.append("No resistance mechanism was identified" + (f"; {note}" if note else "") + ".")
        if report.qc.informative_negative is False:
            in_batch = set((report.data.get("patient") or {}).get("batch_specimens") or ())
            advice = ("a tissue sample of this patient from the same episode is reported separately"
                      if "tissue" in in_batch else "tissue re-biopsy or repeat testing is advised")
            out.append("This negative result is not informative because tumour-derived DNA was "
                       f"not adequately detected; {advice}.")
    chip = [a for a in report.alterations if "possible_chip" in a.flags]
    if chip:
        # a flag is not a filter: the caveats name any conclusion resting on a flagged variant
        out.append(_join([alteration_label(a) for a in chip]) + (" is" if len(chip) == 1 else " are")
                   + " flagged as possible clonal haematopoiesis (not used to estimate tumour fraction; "
                   "see the caveats for any conclusion that rests on it).")
    # the patient's course outranks a knowledge call: a drug the tumour is progressing on, or one
    # not expected to work after a more potent drug failed, is never listed as "sensitivity"
    failing = [d for d in report.drug_calls if d.clinical_status == FAILING]
    withheld = [d.drug for d in report.drug_calls if d.clinical_status == NOT_EXPECTED]
    for value, verb in ((DrugCallValue.RESISTANT, "Predicted resistance"),
                        (DrugCallValue.REDUCED, "Predicted reduced activity"),
                        (DrugCallValue.SENSITIVE, "Predicted sensitivity")):
        drugs = [d.drug for d in report.drug_calls if d.call is value
                 and d.clinical_status not in (FAILING, NOT_EXPECTED)]
        if drugs:
            out.append(f"{verb}: {_join(drugs)}.")
    if failing:
        out.append("Observed progression on " + _join([f"{d.drug} (knowledge call: {d.call.value})"
                                                        for d in failing]) + ".")
    if withheld:
        out.append(f"Not expected to be active after failure of a more potent drug: {_join(withheld)}.")
    if report.therapy_options:
        top = report.therapy_options[:3]
        out.append("Top-ranked option" + ("s" if len(top) > 1 else "") + ": " + "; ".join(
            f"{t.rank}. {t.option} ({t.evidence_level}"
            + (", investigational" if t.investigational else "") + ")" for t in top) + ".")
    return out


def answer_sentences(report: Report) -> list[str]:
    """Page-one answer: the summary without the drug lists and options shown beside it."""
    skip = ("Predicted resistance", "Predicted reduced activity", "Predicted sensitivity",
            "Top-ranked option")
    return [s for s in summary_sentences(report) if not s.startswith(skip)]


def summary_text(report: Report) -> str:
    """The summary paragraph as plain text (HTML escaping is the template's job)."""
    return " ".join(summary_sentences(report))


@dataclass(frozen=True)
class SampleSummary:
    """One row of the batch summary / MultiQC table."""

    sample_id: str
    patient_id: str
    specimen: str
    collection_date: str | None
    tumor_type: str
    tumor_fraction: float | None
    informative_negative: bool | None
    mechanism_classes: tuple[str, ...]
    mechanisms: tuple[str, ...]
    driver: tuple[str, ...]
    resistance_alterations: tuple[str, ...]
    bypass_alterations: tuple[str, ...]
    flagged_alterations: tuple[str, ...]
    top_option: str | None
    top_option_level: str | None
    resistant_drugs: tuple[str, ...]
    sensitive_drugs: tuple[str, ...]
    caveat_codes: tuple[str, ...]
    n_alterations: int
    report_link: str | None = None

    @property
    def key_alterations(self) -> tuple[str, ...]:
        return self.driver + self.resistance_alterations + self.bypass_alterations


def sample_summary(report: Report, report_link: str | None = None) -> SampleSummary:
    """Condense one report into a batch row."""
    def labels_for(*roles: Role) -> tuple[str, ...]:
        return tuple(alteration_label(a) for a in report.alterations if a.role in roles)

    top = report.therapy_options[0] if report.therapy_options else None
    s = report.sample
    return SampleSummary(
        sample_id=s.id, patient_id=s.patient_id, specimen=s.specimen.value,
        collection_date=s.collection_date.isoformat() if s.collection_date else None,
        tumor_type=s.tumor_type, tumor_fraction=report.qc.tumor_fraction,
        informative_negative=report.qc.informative_negative,
        mechanism_classes=tuple(dict.fromkeys(m.mechanism_class.value for m in report.mechanisms)),
        mechanisms=tuple(m.label for m in report.mechanisms),
        driver=labels_for(Role.DRIVER),
        resistance_alterations=labels_for(Role.ON_TARGET_RESISTANCE),
        bypass_alterations=labels_for(Role.BYPASS, Role.TRANSFORMATION_MARKER),
        flagged_alterations=tuple(alteration_label(a) for a in report.alterations if a.flags),
        top_option=top.option if top else None, top_option_level=top.evidence_level if top else None,
        resistant_drugs=tuple(d.drug for d in report.drug_calls if d.call is DrugCallValue.RESISTANT),
        sensitive_drugs=tuple(d.drug for d in report.drug_calls if d.call is DrugCallValue.SENSITIVE
                              and d.clinical_status not in (FAILING, NOT_EXPECTED)),
        caveat_codes=tuple(dict.fromkeys(c.code for c in report.caveats)), n_alterations=len(report.alterations),
        report_link=report_link)
