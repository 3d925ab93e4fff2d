"""The patient's course beside the knowledge calls: which drug the tumour is progressing on,
which drugs it already received, and what a progression the detected alterations do not explain
means.

Knowledge calls (drugs.py) describe the detected alterations; they cannot know that the tumour
is growing on the drug. This module never changes a call. It attaches a clinical status and a
note to the calls the course contradicts, withholds earlier-generation same-target drugs after
failure of a more potent one (no on-target mutation explains that failure, so an earlier drug is
not expected to work better), and says what to consider when progression is unexplained.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from kinres.enums import CaveatCode, DrugCallValue, MechanismClass, Phase, Progression, Specimen
from kinres.interpret.frames import small_cell_evidence
from kinres.interpret.mechanisms import Finding, OnTargetGroup
from kinres.knowledge.loader import KnowledgeBase
from kinres.models import Caveat, DrugCall, Mechanism, Sample

OBSERVED_PROGRESSION = "observed_progression"
RECEIVED_EARLIER = "received_earlier"
CURRENT_NO_PROGRESSION = "current_no_progression"
EARLIER_GENERATION_AFTER_FAILURE = "earlier_generation_after_failure"

PROGRESSION_TEXT = {
    Progression.SYSTEMIC: "systemic progression",
    Progression.OLIGOPROGRESSION: "oligoprogression",
    Progression.CNS_ONLY: "CNS-only progression",
    None: "progression assumed (sample collected on this drug; course not stated)",
}


@dataclass(frozen=True)
class Course:
    progression: Progression | None
    current: str | None
    progressing_on: str | None  # the current drug unless progression is 'none'
    progressed_on: tuple[str, ...]  # prior therapies + progressing_on, oldest first
    exposed: tuple[str, ...]  # every drug given (prior + current)


def course_of(sample: Sample) -> Course:
    prior = tuple(d.lower() for d in sample.prior_therapies)
    current = sample.current_therapy.lower() if sample.current_therapy else None
    progressing = current if current and sample.progression is not Progression.NONE else None
    progressed = tuple(dict.fromkeys((*prior, *((progressing,) if progressing else ()))))
    exposed = tuple(dict.fromkeys((*prior, *((current,) if current else ()))))
    return Course(sample.progression, current, progressing, progressed, exposed)


def _generation(kb: KnowledgeBase, drug: str) -> int | None:
    """drugs.tsv generation as a number; 'next' (next-generation ROS1/TRK TKIs) counts as 2."""
    d = kb.drug(drug)
    if d is None:
        return None
    gen = str(d.generation).strip().lower()
    return int(gen) if gen.isdigit() else 2 if gen == "next" else None


def _explains_failure(drug: str, gene: str, groups: list[OnTargetGroup]) -> bool:
    """An on-target mutation of `gene` whose knowledge rows call `drug` resistant or reduced."""
    bad = {DrugCallValue.RESISTANT, DrugCallValue.REDUCED}
    for g in groups:
        if g.gene != gene:
            continue
        rows = [r for f in g.findings for r in (f.match.rows if f.match else ())]
        rows += list(g.compound.rows) if g.compound is not None else []
        if any(r.evidence.drug == drug and r.evidence.call in bad for r in rows):
            return True
    return False


def withheld_earlier_generation(course: Course, calls: list[DrugCall], kb: KnowledgeBase,
                                groups: list[OnTargetGroup], drivers: list[str]) -> dict[str, str]:
    """drug -> reason, for 'sensitive' same-target drugs of an earlier generation than a drug
    the tumour already progressed on without an on-target mutation explaining that failure."""
    out: dict[str, str] = {}
    for gene in drivers:
        failed = [(d, g) for d in course.progressed_on
                  if (x := kb.drug(d)) is not None and gene in x.core_for
                  and (g := _generation(kb, d)) is not None and not _explains_failure(d, gene, groups)]
        if not failed:
            continue
        potent, top_gen = max(failed, key=lambda t: t[1])
        for c in calls:
            x = kb.drug(c.drug)
            gen = _generation(kb, c.drug)
            if (x is None or gene not in x.core_for or gen is None or gen >= top_gen
                    or c.call is not DrugCallValue.SENSITIVE or c.drug in out
                    or "re-sensitisation documented" in (c.rationale or "")):
                continue
            out[c.drug] = (f"the tumour progressed on {potent} (a more potent, later-generation {gene} "
                           f"inhibitor) without a {gene} mutation explaining that failure: not expected to be "
                           f"active; the 'sensitive' call reflects the {gene} driver alone")
    return out


def annotate_calls(calls: list[DrugCall], course: Course, withheld: dict[str, str]) -> list[DrugCall]:
    """Calls with clinical_status / clinical_note from the course (the call itself is unchanged)."""
    out = []
    for c in calls:
        status = note = None
        if c.drug == course.progressing_on and course.progression is Progression.OLIGOPROGRESSION:
            status = OBSERVED_PROGRESSION
            note = (f"oligoprogression on {c.drug}: failing at the progressing site(s) whatever the knowledge "
                    f"call '{c.call.value}'; local therapy while continuing {c.drug} is the usual first step")
        elif c.drug == course.progressing_on:
            status = OBSERVED_PROGRESSION
            note = (f"tumour is progressing on {c.drug} ({PROGRESSION_TEXT[course.progression]}): "
                    f"clinically failing regardless of the knowledge call '{c.call.value}'")
        elif c.drug == course.current and course.progression is Progression.NONE:
            status = CURRENT_NO_PROGRESSION
            note = "current therapy without progression at collection (sample sheet)"
        elif c.drug in withheld:
            status = EARLIER_GENERATION_AFTER_FAILURE
            note = withheld[c.drug]
        elif c.drug in course.progressed_on:
            status = RECEIVED_EARLIER
            note = "received earlier (prior therapy); not re-proposed unless re-sensitisation is documented"
        out.append(replace(c, clinical_status=status, clinical_note=note) if status else c)
    return out


def _resistant_if_cis(drug: str, groups: list[OnTargetGroup], kb: KnowledgeBase) -> str | None:
    """'If ALK p.G1202R + p.L1196M are in cis, the compound is resistant to lorlatinib (row ...)'
    for a phase-undetermined group whose cis compound row calls `drug` resistant/reduced."""
    bad = {DrugCallValue.RESISTANT, DrugCallValue.REDUCED}
    for g in groups:
        if len(g.findings) < 2 or g.phase in (Phase.CIS, Phase.TRANS):
            continue
        match = kb.match_compound(g.gene, g.changes)
        rows = [r for r in (match.rows if match else ()) if r.evidence.drug == drug and r.evidence.call in bad]
        if rows:
            r = rows[0].evidence
            cites = "; ".join(r.citations)
            return (f"If {g.gene} {' + '.join(g.changes)} are in cis, the compound is {r.call.value} to {drug} "
                    f"({r.level}{'; ' + cites if cites else ''})")
    return None


def progression_assessment(course: Course, calls: list[DrugCall], mechanisms: list[Mechanism],
                           findings: list[Finding], kb: KnowledgeBase, sample: Sample,
                           drivers: list[str], groups: list[OnTargetGroup] = ()) -> tuple[bool | None, Caveat | None]:
    """(explained?, caveat) for progression on the current targeted drug; (None, None) when the
    tumour is not progressing on a drug of the detected driver."""
    drug = course.progressing_on
    x = kb.drug(drug) if drug else None
    if drug is None or x is None or not (set(x.core_for) & set(drivers)):
        return None, None
    call = next((c for c in calls if c.drug == drug), None)
    if call is None:
        return None, None
    other = [m for m in mechanisms if m.mechanism_class in (MechanismClass.OFF_TARGET, MechanismClass.PHENOTYPIC)]
    if call.call is not DrugCallValue.SENSITIVE or other or small_cell_evidence(sample):
        return True, None
    if_cis = _resistant_if_cis(drug, groups, kb)
    if if_cis:
        # phase unknown, but the same mutations in cis are a known compound resistant to the drug:
        # neither "explained" nor "unexplained" until the phase is known
        return None, Caveat(CaveatCode.COMPOUND_PHASE_UNKNOWN,
                            f"{if_cis}, which would explain progression on {drug}; the phase is undetermined in "
                            "this sample (reads spanning both sites, long reads or a second sample can resolve it), "
                            "so the single-mutation calls shown for it do not exclude resistance")
    on_target = [m.label for m in mechanisms if m.mechanism_class is MechanismClass.ON_TARGET]
    found = (f"every detected on-target alteration ({'; '.join(on_target)}) is predicted sensitive to {drug}"
             if on_target else f"no alteration explaining resistance to {drug} was detected")
    consider = [("a resistance mechanism this assay did not detect (bypass or copy-number change below the "
                "limit of detection, non-genomic mechanisms such as EMT)")]
    if sample.specimen.is_liquid:
        consider[0] += f"; {sample.specimen.label} under-detects fusions and copy-number changes"
    consider.append("insufficient drug exposure (adherence, interacting drugs, dose reductions)")
    cns = "; progression is CNS-only" if course.progression is Progression.CNS_ONLY else ""
    penetrant = {"yes": "CNS-penetrant", "partial": "partly CNS-penetrant", "no": "poorly CNS-penetrant"}.get(
        x.brain_penetrant, "CNS penetration not recorded")
    consider.append(f"CNS sanctuary ({drug}: {penetrant}{cns})")
    consider.append("re-biopsy of a progressing lesion with histology (e.g. small-cell transformation) and "
                    "repeat genotyping" + (" in tissue" if sample.specimen is not Specimen.TISSUE else ""))
    text = (f"Progression on {drug} is not explained by this result: {found}. Consider: "
            + "; ".join(f"({i}) {c}" for i, c in enumerate(consider, start=1)))
    return False, Caveat(CaveatCode.PROGRESSION_UNEXPLAINED, text)


def earlier_generation_caveat(withheld: dict[str, str]) -> Caveat | None:
    if not withheld:
        return None
    first = next(iter(withheld.values()))
    potent = first.split(" (", 1)[0].removeprefix("the tumour progressed on ")
    return Caveat(CaveatCode.EARLIER_TKI_AFTER_FAILURE,
                  f"{', '.join(sorted(withheld))}: knowledge call 'sensitive' (driver-level row), but the tumour "
                  f"progressed on {potent} without an on-target mutation explaining it; an earlier-generation "
                  "inhibitor is not expected to be active and is not proposed")
