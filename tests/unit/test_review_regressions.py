"""Regressions found reading the demo reports as a tumour board (knowledge 2026.2.1).

Typed stage results through build_report; each test names the demo sample it mirrors."""

from __future__ import annotations

from kinres.enums import Build, Consequence, Phase, Specimen
from kinres.interpret.report_json import Stages, build_report, report_to_jsonable, validate_report
from kinres.knowledge import load_knowledge
from kinres.models import Fusion, PhaseCall, ProteinAnnotation, Sample, StageResult, Variant

KB = load_knowledge()


def _alk(p, pos, vaf=0.4):
    return Variant("2", pos, "C", "T", vaf=vaf, depth=800, alt_reads=int(800 * vaf),
                   annotation=ProteinAnnotation("ALK", "ENST00000389048", (Consequence.MISSENSE,), hgvs_p=p,
                                                protein_start=int(p[3:-1])))


def _run(prior, current, variants, phases=()):
    sample = Sample("S1", "P1", Specimen.TISSUE, "NSCLC", Build.GRCh38, prior_therapies=prior, current_therapy=current)
    fusion = Fusion("EML4", "ALK", "arriba", "rna", kinase_gene="ALK", five_prime_exon=6, three_prime_exon=20,
                    in_frame=True, kinase_domain_retained=True, actionable=True, supporting_reads=30)
    stages = Stages(variants=StageResult("variants", "S1", variants=tuple(variants)),
                    fusions=StageResult("fusions", "S1", fusions=(fusion,)),
                    coverage=StageResult("coverage", "S1", phases=tuple(phases)) if phases else None)
    data = report_to_jsonable(build_report(sample, stages, KB))
    validate_report(data)
    return data


def test_lorlatinib_resistant_compound_trial_and_chemotherapy_are_separate_options():
    """Demo P07: L1196M + G1202R in cis after lorlatinib. The trial is investigational; platinum-pemetrexed
    is standard chemotherapy and must not be labelled investigational or called a combination."""
    v = [_alk("p.L1196M", 29220000), _alk("p.G1202R", 29220018)]
    d = _run(("alectinib",), "lorlatinib", v, phases=[PhaseCall(v[0].key, v[1].key, Phase.CIS, 30, 0, 1, 200)])
    opts = d["therapy_options"]
    trial = next(o for o in opts if "neladalkib" in o["drugs"])
    chemo = next(o for o in opts if "pemetrexed" in o["option"])
    assert trial["investigational"] and "pemetrexed" not in trial["option"]
    assert not chemo["investigational"] and chemo["evidence_level"] == "CLIN-cohort"
    assert trial["rank"] < chemo["rank"] <= 3, [(o["rank"], o["option"][:50]) for o in opts]
    codes = {c["code"] for c in d["caveats"]}
    assert "INVESTIGATIONAL_COMBINATION" not in codes and "INVESTIGATIONAL_AGENT" in codes
    assert all(o["drugs"] != ["lorlatinib"] for o in opts)


def test_g1202r_calls_are_clinical_not_preclinical_only():
    """Demo P01: G1202R on alectinib. OncoKB R2 -> CLIN-cohort; the report must not say the alectinib,
    crizotinib or ceritinib calls rest on preclinical evidence only."""
    d = _run(("crizotinib",), "alectinib", [_alk("p.G1202R", 29220018, vaf=0.05)])
    calls = {c["drug"]: c for c in d["drug_calls"]}
    for drug in ("crizotinib", "ceritinib", "alectinib", "brigatinib"):
        assert (calls[drug]["call"], calls[drug]["evidence_type"], calls[drug]["level"]) == \
            ("resistant", "clinical", "CLIN-cohort"), calls[drug]
    pre = [c["text"] for c in d["caveats"] if c["code"] == "PRECLINICAL_EVIDENCE_ONLY"]
    assert not any(drug in t for t in pre for drug in ("alectinib", "crizotinib", "ceritinib")), pre
    assert d["therapy_options"][0]["drugs"] == ["lorlatinib"]
