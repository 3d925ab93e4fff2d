"""Clinical audit of interpretation output: compound calls, caveat uniqueness and wording.

Scenarios mirror the digest (section 2.1 compound table, section 4 rules) and the demo batch;
inputs are typed stage results built here, run through build_report and the report schema.
"""

from __future__ import annotations

from collections import Counter

import pytest

from kinres.enums import Build, Consequence, CopyNumberCall, Phase, Specimen
from kinres.interpret.report_json import Stages, build_report, report_to_jsonable, validate_report
from kinres.knowledge import load_knowledge
from kinres.models import (
    CopyNumber,
    Fusion,
    PhaseCall,
    ProteinAnnotation,
    Sample,
    StageResult,
    Variant,
)

KB = load_knowledge()
TX = {"ALK": "ENST00000389048", "ROS1": "ENST00000368508", "NTRK3": "ENST00000394480", "KRAS": "ENST00000256078"}


def _sample(tumor="lung adenocarcinoma", prior=(), specimen="tissue"):
    return Sample("S1", "P1", Specimen(specimen), tumor, Build.GRCh38, prior_therapies=tuple(prior),
                  current_therapy=prior[-1] if prior else None)


def _fusion(five="EML4", kinase="ALK", e5=13, e3=20):
    return Fusion(five, kinase, "arriba", "rna", kinase_gene=kinase, five_prime_exon=e5, three_prime_exon=e3,
                  in_frame=True, kinase_domain_retained=True, actionable=True, supporting_reads=30)


def _snv(gene, p, pos, vaf=0.2):
    aa = int("".join(c for c in p.split("_")[0] if c.isdigit()))
    return Variant("2", pos, "C", "T", vaf=vaf, depth=800, alt_reads=int(800 * vaf),
                   annotation=ProteinAnnotation(gene, TX[gene], (Consequence.MISSENSE,), hgvs_p=p, protein_start=aa))


def _run(sample, fusions=(), variants=(), copies=(), phases=()):
    stages = Stages(variants=StageResult("variants", "S1", variants=tuple(variants)),
                    fusions=StageResult("fusions", "S1", fusions=tuple(fusions)),
                    cnv=StageResult("cnv", "S1", copy_numbers=tuple(copies)) if copies else None,
                    coverage=StageResult("coverage", "S1", phases=tuple(phases)) if phases else None)
    data = report_to_jsonable(build_report(sample, stages, KB))
    validate_report(data)
    return data


def _cis(changes, prior):
    variants = [_snv("ALK", c, 29220000 + 9 * i) for i, c in enumerate(changes)]
    phases = [PhaseCall(variants[0].key, variants[1].key, Phase.CIS, 30, 0, 1, 200)]
    return _run(_sample(prior=prior), [_fusion()], variants, phases=phases)


def _calls(d):
    return {c["drug"]: c["call"] for c in d["drug_calls"]}


# digest 2.1 compound table: the "earlier-generation drug that regains activity" cell is U (or names
# only lorlatinib), so no ALK TKI may come out sensitive for these cis compounds, even though each
# single mutation alone is sensitive to alectinib/brigatinib/ceritinib.
@pytest.mark.parametrize(("changes", "prior", "lorlatinib"), [
    (("p.L1196M", "p.D1203N"), ("alectinib", "lorlatinib"), "resistant"),
    (("p.C1156Y", "p.G1269A"), ("crizotinib", "lorlatinib"), "reduced"),
    (("p.S1206C", "p.E1210K"), ("brigatinib",), "unknown"),
    (("p.D1203N", "p.E1210K"), ("brigatinib",), "unknown"),
])
def test_cis_compound_without_regain_data_is_never_sensitive(changes, prior, lorlatinib):
    d = _cis(changes, prior)
    c = _calls(d)
    sensitive = sorted(drug for drug, call in c.items() if call == "sensitive")
    assert sensitive == [], f"ALK {'+'.join(changes)} (cis): expected no sensitive ALK TKI, actual {sensitive}"
    assert c["lorlatinib"] == lorlatinib
    if "p.E1210K" in changes:
        assert c["brigatinib"] == "resistant"  # digest: E1210K is brigatinib-resistant in these compounds
    assert all(o["option"] not in {"alectinib", "brigatinib", "ceritinib", "ensartinib"} for o in d["therapy_options"])


def test_compound_in_trans_keeps_single_mutation_calls():
    """The added compound rows apply only in cis; in trans each clone keeps its single-mutant call."""
    a, b = _snv("ALK", "p.L1196M", 29220000, 0.1), _snv("ALK", "p.D1203N", 29220009, 0.12)
    d = _run(_sample(prior=("crizotinib",)), [_fusion()], [a, b],
             phases=[PhaseCall(a.key, b.key, Phase.TRANS, 0, 30, 33, 200)])
    c = _calls(d)
    assert c["alectinib"] == "sensitive" and c["crizotinib"] == "resistant"


def _assert_unique_caveats(d):
    keys = Counter((c["code"], c["text"]) for c in d["caveats"])
    dupes = [k for k, n in keys.items() if n > 1]
    assert not dupes, f"duplicated caveats: {dupes}"
    # one jurisdiction caveat per drug
    juris = Counter(c["text"].split(":")[0] for c in d["caveats"] if c["code"] == "JURISDICTION_AVAILABILITY")
    assert all(n == 1 for n in juris.values()), juris


def test_ros1_g2032r_caveats_unique_and_indication_correct():
    """Demo P04: CD74-ROS1 + G2032R after crizotinib -> repotrectinib/taletrectinib, caveats not repeated."""
    d = _run(_sample(prior=("crizotinib",)), [_fusion("CD74", "ROS1", 6, 34)],
             [_snv("ROS1", "p.G2032R", 117300000, 0.21)])
    _assert_unique_caveats(d)
    assert [o["option"] for o in d["therapy_options"][:2]] == ["repotrectinib", "taletrectinib"]
    assert _calls(d)["lorlatinib"] == "resistant"
    repo = [c["text"] for c in d["caveats"] if c["code"] == "JURISDICTION_AVAILABILITY" and c["text"].startswith("repotrectinib")]
    # a ROS1 report must not describe repotrectinib's approval only by its NTRK indication
    assert repo and "ROS1" in repo[0], repo


def test_ntrk3_g623r_caveats_unique_and_single_agent_wording():
    """Demo P05: ETV6-NTRK3 + G623R after larotrectinib; selitrectinib is investigational but not a combination."""
    d = _run(_sample("infantile fibrosarcoma", prior=("larotrectinib",)), [_fusion("ETV6", "NTRK3", 5, 15)],
             [_snv("NTRK3", "p.G623R", 88000000, 0.18)])
    _assert_unique_caveats(d)
    assert d["therapy_options"][0]["option"] == "repotrectinib"
    assert _calls(d)["larotrectinib"] == "resistant" and _calls(d)["entrectinib"] == "resistant"
    # a single investigational agent is not a combination: its own code, no toxicity wording
    assert "INVESTIGATIONAL_COMBINATION" not in {c["code"] for c in d["caveats"]}
    inv = [c["text"] for c in d["caveats"] if c["code"] == "INVESTIGATIONAL_AGENT"]
    assert inv and "selitrectinib" in inv[0] and "overlapping toxicity" not in inv[0], inv


def test_bypass_combination_keeps_toxicity_warning_and_unique_caveats():
    """Demo P02: MET amplification + KRAS G12C after lorlatinib -> combinations with a toxicity caveat."""
    d = _run(_sample(prior=("alectinib", "lorlatinib")), [_fusion()], [_snv("KRAS", "p.G12C", 25245350, 0.18)],
             copies=[CopyNumber("MET", CopyNumberCall.AMPLIFICATION, copy_number=12.0)])
    _assert_unique_caveats(d)
    inv = [c["text"] for c in d["caveats"] if c["code"] == "INVESTIGATIONAL_COMBINATION"]
    assert inv and "overlapping toxicity" in inv[0]
    assert "sensitive" not in {c["call"] for c in d["drug_calls"] if c["drug"] in
                               {"crizotinib", "ceritinib", "alectinib", "brigatinib", "ensartinib", "lorlatinib"}}


def test_csf_specimen_carries_clone_caveat():
    """Digest s5.8: a CSF result describes the CNS clone only."""
    import dataclasses

    from kinres.enums import Build, Specimen
    from kinres.interpret.report_json import Stages, build_report
    from kinres.knowledge import load_knowledge
    from kinres.models import Sample

    base = Sample(sample_id="C1", patient_id="P", specimen=Specimen.CSF, tumor_type="NSCLC",
                  genome_build=Build.GRCh38, tumor_fraction=0.2)
    codes = {c.code.value for c in build_report(base, Stages(), load_knowledge()).caveats}
    assert "CSF_CLONE_MAY_DIFFER" in codes
    plasma = dataclasses.replace(base, specimen=Specimen.PLASMA)
    codes = {c.code.value for c in build_report(plasma, Stages(), load_knowledge()).caveats}
    assert "CSF_CLONE_MAY_DIFFER" not in codes


def test_not_assessable_copy_number_is_named_in_qc_warnings():
    """A plasma CN negative at low TF must read 'not assessable', never 'no amplification'."""
    from kinres.enums import Build, CopyNumberCall, Specimen
    from kinres.interpret.report_json import Stages, build_report
    from kinres.knowledge import load_knowledge
    from kinres.models import CopyNumber, Sample, StageResult

    sample = Sample(sample_id="L1", patient_id="P", specimen=Specimen.PLASMA, tumor_type="NSCLC",
                    genome_build=Build.GRCh38, tumor_fraction=0.02)
    cnv = StageResult(stage="cnv", sample_id="L1", copy_numbers=(
        CopyNumber(gene="MET", call=CopyNumberCall.NOT_ASSESSABLE, copy_number=2.1),
        CopyNumber(gene="RB1", call=CopyNumberCall.NOT_ASSESSABLE, copy_number=1.9)))
    report = build_report(sample, Stages(cnv=cnv), load_knowledge())
    assert any("not assessable" in w and "MET, RB1" in w for w in report.qc.warnings)
    assert not any(a.gene == "MET" for a in report.alterations)


def test_verified_low_confidence_row_is_applied_and_says_so():
    """ALK L1256F (L, verified: Okada 2019) - the rationale must not claim the call was withheld."""
    from kinres.enums import Build, Consequence, Specimen
    from kinres.interpret.report_json import Stages, build_report
    from kinres.knowledge import load_knowledge
    from kinres.models import ProteinAnnotation, Sample, StageResult, Variant

    ann = ProteinAnnotation(gene="ALK", transcript="ENST00000389048",
                            consequences=(Consequence.MISSENSE,), hgvs_p="p.L1256F",
                            protein_start=1256, protein_end=1256)
    v = Variant("2", 29209000, "G", "A", vaf=0.3, depth=500, alt_reads=150, annotation=ann)
    sample = Sample(sample_id="V1", patient_id="P", specimen=Specimen.TISSUE, tumor_type="NSCLC",
                    genome_build=Build.GRCh38, prior_therapies=("lorlatinib",), purity=0.6)
    report = build_report(sample, Stages(variants=StageResult(stage="variants", sample_id="V1",
                                                              variants=(v,))), load_knowledge())
    calls = {d.drug: d for d in report.drug_calls}
    assert calls["alectinib"].call.value == "sensitive"
    assert "verified" in calls["alectinib"].rationale and "withheld" not in calls["alectinib"].rationale
