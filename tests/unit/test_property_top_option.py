"""Property: over a seeded grid of detected alterations x prior/current drugs x progression x specimen x
tumour type, no report shows the drug the tumour is progressing on, or a drug the knowledge calls
resistant, as the top option; the progressing drug never carries a bare knowledge call; a tumour
other than NSCLC never gets an NSCLC sequencing rule.

Cases are random draws from a fixed seed (reproducible, no extra dependency); a failure prints
the case so it can be replayed with `_case(seed)`.
"""

from __future__ import annotations

import random

import pytest

from kinres.enums import Build, Consequence, CopyNumberCall, Progression, Specimen
from kinres.interpret.report_json import Stages, build_report, report_to_jsonable, validate_report
from kinres.knowledge import load_knowledge
from kinres.models import CopyNumber, Fusion, ProteinAnnotation, Sample, StageResult, Variant

KB = load_knowledge()
TX = {"ALK": "ENST00000389048", "ROS1": "ENST00000368508", "NTRK1": "ENST00000524377",
      "NTRK3": "ENST00000360948", "KRAS": "ENST00000311936", "TP53": "ENST00000269305",
      "RB1": "ENST00000267163"}
DRIVERS = {
    "ALK": (("EML4", 13, 20), ("EML4", 6, 20)),
    "ROS1": (("CD74", 6, 34),),
    "NTRK1": (("TPM3", 8, 10),),
    "NTRK3": (("ETV6", 5, 15),),
}
MUTATIONS = {
    "ALK": ("p.G1202R", "p.L1196M", "p.I1171N", "p.I1171T", "p.C1156Y", "p.L1198F", "p.G1269A",
            "p.F1174L", "p.D1203N", "p.V1180L", "p.E1210K"),
    "ROS1": ("p.G2032R", "p.D2033N", "p.L2026M", "p.L2086F", "p.S1986F"),
    "NTRK1": ("p.G595R", "p.G667C", "p.F589L"),
    "NTRK3": ("p.G623R", "p.G696A", "p.F617L"),
}
DRUGS = {
    "ALK": ("crizotinib", "ceritinib", "alectinib", "brigatinib", "ensartinib", "lorlatinib"),
    "ROS1": ("crizotinib", "entrectinib", "lorlatinib", "repotrectinib", "taletrectinib"),
    "NTRK1": ("larotrectinib", "entrectinib", "repotrectinib", "selitrectinib"),
    "NTRK3": ("larotrectinib", "entrectinib", "repotrectinib", "zurletrectinib"),
}
TUMOURS = ("NSCLC", "lung adenocarcinoma", "colorectal cancer", "infantile fibrosarcoma",
           "papillary thyroid carcinoma", "neuroblastoma", "soft tissue sarcoma")
PROGRESSION = (None, Progression.SYSTEMIC, Progression.OLIGOPROGRESSION, Progression.CNS_ONLY,
               Progression.NONE)
N_CASES = 300
# ALK/ROS1 sequencing rules written for NSCLC (not for a named indication or course)
NSCLC_RULES = {r.rule_id for r in KB.therapy_rules() if r.driver_gene in ("ALK", "ROS1")
               and not any(c.startswith(("indication:", "course:")) for c in r.trigger)}
LUNG = ("NSCLC", "lung adenocarcinoma")


def _snv(gene: str, p: str, vaf: float, pos: int) -> Variant:
    aa = int("".join(c for c in p if c.isdigit()))
    cons = Consequence.STOP_GAINED if p.endswith("*") else Consequence.MISSENSE
    return Variant("2", pos, "C", "T", vaf=vaf, depth=800, alt_reads=int(800 * vaf),
                   annotation=ProteinAnnotation(gene, TX.get(gene, "ENST0"), (cons,), hgvs_p=p, protein_start=aa))


def _case(seed: int):
    rng = random.Random(seed)
    gene = rng.choice(sorted(DRIVERS))
    fusions = []
    if rng.random() < 0.85:
        five, e5, e3 = rng.choice(DRIVERS[gene])
        fusions.append(Fusion(five, gene, "arriba", "rna", kinase_gene=gene, five_prime_exon=e5,
                              three_prime_exon=e3, in_frame=True, kinase_domain_retained=True,
                              actionable=True, supporting_reads=40))
    variants = [_snv(gene, p, round(rng.uniform(0.02, 0.4), 3), 1000 + 37 * i)
                for i, p in enumerate(rng.sample(MUTATIONS[gene], rng.choice((0, 0, 1, 1, 2))))]
    copies = []
    if rng.random() < 0.2:
        copies.append(CopyNumber("MET", CopyNumberCall.AMPLIFICATION, copy_number=12.0, adjusted_copy_number=12.0))
    if rng.random() < 0.15:
        variants.append(_snv("KRAS", "p.G12C", 0.15, 90000))
    if rng.random() < 0.1:
        variants.append(_snv("TP53", "p.R213*", 0.3, 91000))
        copies.append(CopyNumber("RB1", CopyNumberCall.DEEP_DELETION, copy_number=0.0, adjusted_copy_number=0.0))
    drugs = DRUGS[gene]
    prior = tuple(rng.sample(drugs, rng.choice((0, 1, 1, 2, 3))))
    current = rng.choice((None, *drugs))
    progression = rng.choice(PROGRESSION) if current or prior else None
    specimen = rng.choice(tuple(Specimen))
    sample = Sample("S1", "P1", specimen, rng.choice(TUMOURS), Build.GRCh38, prior_therapies=prior,
                    current_therapy=current, progression=progression,
                    tumor_fraction=round(rng.uniform(0.01, 0.5), 3) if specimen.is_liquid else None,
                    age_years=rng.choice((None, 0.5, 8, 45, 70)))
    stages = Stages(variants=StageResult("variants", "S1", variants=tuple(variants)),
                    fusions=StageResult("fusions", "S1", fusions=tuple(fusions)),
                    cnv=StageResult("cnv", "S1", copy_numbers=tuple(copies)) if copies else None)
    return sample, stages


def _violations(sample: Sample, report: dict) -> list[str]:
    problems = []
    calls = {c["drug"]: c for c in report["drug_calls"]}
    progressing = sample.current_therapy if sample.current_therapy and sample.progression is not Progression.NONE \
        else None
    options = report["therapy_options"]
    top = options[0] if options else None
    if top is not None and len(top.get("drugs", ())) == 1 and top["option"] == top["drugs"][0]:
        drug = top["drugs"][0]
        if drug == progressing:
            problems.append(f"top option is the progressing drug {drug}")
        if calls.get(drug, {}).get("call") == "resistant":
            problems.append(f"top option {drug} is called resistant")
        if calls.get(drug, {}).get("call") != "sensitive":
            problems.append(f"top option {drug} is not called sensitive ({calls.get(drug, {}).get('call')})")
        if drug in sample.prior_therapies and "re-sensitisation" not in top["rationale"]:
            problems.append(f"top option {drug} was already received, without documented re-sensitisation")
    for o in options:
        if o["option"] == progressing:
            problems.append(f"progressing drug {progressing} offered at rank {o['rank']}")
    if sample.tumor_type not in LUNG:
        nsclc = sorted({r for o in options for r in o.get("rule_ids", ()) if r in NSCLC_RULES})
        if nsclc:
            problems.append(f"NSCLC rules {nsclc} applied to {sample.tumor_type}")
    if progressing in calls and calls[progressing].get("clinical_status") != "observed_progression":
        problems.append(f"progressing drug {progressing} shown without its observed progression")
    return problems


@pytest.mark.parametrize("block", range(6))
def test_no_failing_or_resistant_drug_as_top_option(block):
    per = N_CASES // 6
    failures = []
    for seed in range(block * per, (block + 1) * per):
        sample, stages = _case(seed)
        data = report_to_jsonable(build_report(sample, stages, KB))
        validate_report(data)
        problems = _violations(sample, data)
        if problems:
            failures.append(f"seed {seed}: {sample.tumor_type}, {sample.specimen.value}, prior "
                            f"{sample.prior_therapies}, current {sample.current_therapy}, "
                            f"{sample.progression}: {problems}; top={data['therapy_options'][:1]}")
    assert not failures, "\n".join(failures[:10])


def test_grid_covers_the_risky_situations():
    """The draws include progression on each driver's drugs, oligo/CNS courses and non-NSCLC types."""
    seen = set()
    for seed in range(N_CASES):
        sample, stages = _case(seed)
        seen.add(("progressing", sample.current_therapy is not None
                  and sample.progression not in (None, Progression.NONE)))
        seen.add(("course", sample.progression))
        seen.add(("tumour", sample.tumor_type))
        seen.add(("mutations", bool(stages.variants.variants)))
    assert {("progressing", True), ("course", Progression.OLIGOPROGRESSION), ("course", Progression.CNS_ONLY),
            ("tumour", "neuroblastoma"), ("mutations", True)} <= seen
