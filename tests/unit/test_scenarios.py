"""Clinical scenarios from the digest: typed stage results in, mechanisms / calls / top option out."""

from __future__ import annotations

import pytest

from kinres.enums import Build, Consequence, CopyNumberCall, Phase, Specimen
from kinres.interpret.report_json import Stages, build_report, report_to_jsonable, validate_report
from kinres.knowledge import load_knowledge
from kinres.models import (
    CopyNumber,
    Fusion,
    HotspotCoverage,
    PhaseCall,
    ProteinAnnotation,
    Sample,
    StageResult,
    Variant,
)

KB = load_knowledge()
TX = {"ALK": "ENST00000389048", "ROS1": "ENST00000368508", "NTRK1": "ENST00000524377",
      "NTRK3": "ENST00000394480", "KRAS": "ENST00000256078", "BRAF": "ENST00000646891",
      "TP53": "ENST00000269305", "RB1": "ENST00000267163", "DNMT3A": "ENST00000321117", "MET": "ENST00000397752"}


def sample(specimen="tissue", tumor="lung adenocarcinoma", prior=(), tf=None, cns=None, current=None):
    return Sample("S1", "P1", Specimen(specimen), tumor, Build.GRCh38, prior_therapies=tuple(prior),
                  current_therapy=current, tumor_fraction=tf, cns_involvement=cns)


def fusion(five="EML4", kinase="ALK", e5=13, e3=20, in_frame=True, kdr=True, actionable=True, molecule="rna", af=None):
    return Fusion(five, kinase, "arriba", molecule, kinase_gene=kinase, five_prime_exon=e5, three_prime_exon=e3,
                  in_frame=in_frame, kinase_domain_retained=kdr, actionable=actionable, supporting_reads=30,
                  fusion_af=af)


_pos = iter(range(1000, 10**6, 7))


def snv(gene, p, vaf=0.2, cons=Consequence.MISSENSE, pos=None):
    aa = int("".join(c for c in p.split("_")[0] if c.isdigit()))
    return Variant("2", pos or next(_pos), "C", "T", vaf=vaf, depth=800, alt_reads=int(800 * vaf),
                   annotation=ProteinAnnotation(gene, TX.get(gene, "ENST0"), (cons,), hgvs_p=p, protein_start=aa))


def cn(gene, call=CopyNumberCall.AMPLIFICATION, copies=12.0):
    return CopyNumber(gene, call, copy_number=copies)


def run(s, fusions=(), variants=(), copies=(), phases=(), hotspots=None):
    stages = Stages(
        variants=StageResult("variants", "S1", variants=tuple(variants)),
        fusions=StageResult("fusions", "S1", fusions=tuple(fusions)),
        cnv=StageResult("cnv", "S1", copy_numbers=tuple(copies)) if copies else None,
        coverage=StageResult("coverage", "S1", phases=tuple(phases), hotspots=tuple(hotspots or ()))
        if (phases or hotspots is not None) else None)
    data = report_to_jsonable(build_report(s, stages, KB))
    validate_report(data)
    return data


def calls(d):
    return {c["drug"]: c["call"] for c in d["drug_calls"]}


def top(d):
    return d["therapy_options"][0]["option"]


def classes(d):
    return sorted(m["class"] for m in d["mechanisms"])


def codes(d):
    return {c["code"] for c in d["caveats"]}


def roles(d):
    return {(a["gene"], a["hgvs_p"] or a["kind"]): a["role"] for a in d["alterations"]}


# ---------------------------------------------------------------- ALK
def test_alk_treatment_naive():
    d = run(sample(), [fusion()])
    assert classes(d) == ["none_identified"] and "naive" in d["mechanisms"][0]["label"]
    assert set(calls(d).values()) == {"sensitive"} and len(calls(d)) == 6
    assert [o["option"] for o in d["therapy_options"][:3]] == ["lorlatinib", "alectinib", "brigatinib"]
    assert all(c["evidence_type"] == "clinical" and c["level"] == "CLIN-approved" for c in d["drug_calls"])
    assert not any("Re-biopsy" in o["option"] for o in d["therapy_options"])  # no progression yet


def test_alk_g1202r_after_alectinib_lorlatinib_top():
    d = run(sample(prior=["crizotinib", "alectinib"]), [fusion(e5=6)], [snv("ALK", "p.G1202R")])
    c = calls(d)
    assert c["lorlatinib"] == "sensitive" and c["alectinib"] == "resistant" and c["brigatinib"] == "resistant"
    assert top(d) == "lorlatinib"
    mech = d["mechanisms"][0]
    assert mech["class"] == "on_target" and "solvent front" in mech["label"]
    assert "EML4-ALK:v3" in mech["note"]  # v3 associated with G1202R
    assert "alectinib" not in [o["option"] for o in d["therapy_options"]]
    assert any("Re-biopsy" in o["option"] for o in d["therapy_options"])
    lor = next(x for x in d["drug_calls"] if x["drug"] == "lorlatinib")
    assert lor["level"] == "CLIN-cohort" and "PMID:30892989" in lor["citations"]


def test_alk_l1196m_after_crizotinib():
    d = run(sample(prior=["crizotinib"]), [fusion()], [snv("ALK", "p.L1196M")])
    assert calls(d)["crizotinib"] == "resistant"
    assert top(d) in {"alectinib", "brigatinib", "ceritinib", "lorlatinib"}
    assert {e["option"] for e in d["excluded_options"]} == set() or "crizotinib" not in [
        o["option"] for o in d["therapy_options"]]


def test_alk_compound_cis_lorlatinib_resistant_goes_to_trial():
    g, l = snv("ALK", "p.G1202R", pos=29220829), snv("ALK", "p.L1196M", pos=29220847)
    ph = PhaseCall(g.key, l.key, Phase.CIS, 40, 1, 2, 300)
    d = run(sample(prior=["alectinib", "lorlatinib"]), [fusion()], [g, l], phases=[ph])
    m = next(x for x in d["mechanisms"] if x["class"] == "on_target")
    assert m["compound"] is True and m["phase"] == "cis"
    assert calls(d)["lorlatinib"] == "resistant" and "sensitive" not in calls(d).values()
    assert "trial" in top(d).lower()
    # a trial of a single fourth-generation TKI, with chemotherapy as a separate option (knowledge 2026.2.1),
    # is an investigational agent, not a combination with overlapping toxicity
    assert "INVESTIGATIONAL_AGENT" in codes(d) and "INVESTIGATIONAL_COMBINATION" not in codes(d)


def test_alk_compound_trans_uses_single_calls():
    g, l = snv("ALK", "p.G1202R", 0.1), snv("ALK", "p.L1196M", 0.12)
    d = run(sample(prior=["alectinib"]), [fusion()], [g, l], phases=[PhaseCall(g.key, l.key, Phase.TRANS, 0, 30, 33, 200)])
    m = next(x for x in d["mechanisms"] if x["class"] == "on_target")
    assert m["compound"] is False and m["phase"] == "trans"
    c = calls(d)
    # intersection of sensitivities: lorlatinib covers both; alectinib does not cover G1202R
    assert c["lorlatinib"] == "sensitive" and c["alectinib"] == "resistant" and c["crizotinib"] == "resistant"
    assert top(d) == "lorlatinib"


def test_alk_compound_phase_unknown():
    d = run(sample(prior=["alectinib", "lorlatinib"]), [fusion()], [snv("ALK", "p.C1156Y"), snv("ALK", "p.L1198F")])
    assert "COMPOUND_PHASE_UNKNOWN" in codes(d)
    m = next(x for x in d["mechanisms"] if x["class"] == "on_target")
    assert m["phase"] == "unknown" and m["compound"] is False
    # no compound-specific re-sensitisation: crizotinib stays resistant (C1156Y single row)
    assert calls(d)["crizotinib"] == "resistant"
    assert "crizotinib" not in [o["option"] for o in d["therapy_options"]]


def test_alk_l1198f_resensitisation_crizotinib():
    c, l = snv("ALK", "p.C1156Y", pos=29245000), snv("ALK", "p.L1198F", pos=29244900)
    d = run(sample(prior=["crizotinib", "lorlatinib"]), [fusion()], [c, l],
            phases=[PhaseCall(c.key, l.key, Phase.CIS, 25, 0, 1, 100)])
    assert calls(d)["crizotinib"] == "sensitive" and calls(d)["lorlatinib"] == "resistant"
    assert top(d) == "crizotinib"
    crizo = next(x for x in d["drug_calls"] if x["drug"] == "crizotinib")
    assert crizo["evidence_type"] == "case" and "PMID:26698910" in crizo["citations"]


def test_alk_g1202r_l1198f_low_confidence_compound_keeps_component_resistance():
    """The compound's own rows are L-confidence (withheld -> unknown); they must not hide that each
    component is already resistant to crizotinib (G1202R) and lorlatinib (L1198F)."""
    g, l = snv("ALK", "p.G1202R"), snv("ALK", "p.L1198F")
    d = run(sample(prior=["alectinib", "lorlatinib"]), [fusion()], [g, l],
            phases=[PhaseCall(g.key, l.key, Phase.CIS, 20, 0, 0, 100)])
    assert calls(d)["crizotinib"] == "resistant" and calls(d)["lorlatinib"] == "resistant"
    assert "sensitive" not in {calls(d)[x] for x in ("alectinib", "ceritinib", "brigatinib")}
    crizo = next(x for x in d["drug_calls"] if x["drug"] == "crizotinib")
    assert "withheld" in crizo["rationale"]  # the compound row is still shown, as unknown


def test_alk_met_amplification_bypass():
    d = run(sample(prior=["alectinib", "lorlatinib"]), [fusion()], copies=[cn("MET")])
    assert classes(d) == ["off_target"]
    m = d["mechanisms"][0]
    assert "MET amplification" in m["label"] and "driver fusion still detected" in m["note"]
    assert "on-target mutation not detected" in m["note"]
    assert calls(d)["lorlatinib"] == "reduced"
    assert "MET" in top(d) and d["therapy_options"][0]["investigational"] is True
    assert "INVESTIGATIONAL_COMBINATION" in codes(d)


def test_alk_kras_bypass_with_on_target_heterogeneity():
    d = run(sample(prior=["alectinib"]), [fusion()], [snv("ALK", "p.G1202R", 0.2), snv("KRAS", "p.G12C", 0.18)])
    assert classes(d) == ["off_target", "on_target"]
    off = next(m for m in d["mechanisms"] if m["class"] == "off_target")
    assert "co-exists" in off["note"]
    assert roles(d)[("KRAS", "p.G12C")] == "bypass"


def test_alk_braf_v600e_bypass():
    d = run(sample(prior=["lorlatinib"]), [fusion()], [snv("BRAF", "p.V600E", 0.25)])
    assert classes(d) == ["off_target"] and "dabrafenib" in top(d)


def test_transformation_tp53_rb1():
    d = run(sample(prior=["alectinib"]), [fusion()],
            [snv("TP53", "p.R273H", 0.3), snv("RB1", "p.R320*", 0.28, cons=Consequence.STOP_GAINED)])
    assert classes(d) == ["phenotypic"]
    assert "HISTOLOGY_REQUIRED" in codes(d)
    assert "etoposide" in top(d)
    assert roles(d)[("TP53", "p.R273H")] == "transformation_marker"


def test_alk_neuroblastoma_f1174l_driver():
    d = run(sample(tumor="neuroblastoma"), [], [snv("ALK", "p.F1174L", 0.3)])
    assert roles(d)[("ALK", "p.F1174L")] == "driver"
    c = calls(d)
    assert c["lorlatinib"] == "sensitive" and c["crizotinib"] == "reduced"
    lor = next(x for x in d["drug_calls"] if x["drug"] == "lorlatinib")
    assert lor["level"] != "CLIN-approved"  # NSCLC approvals do not transfer (OncoKB 3A -> CLIN-cohort)
    assert d["therapy_options"][0]["investigational"] is True


# ---------------------------------------------------------------- ROS1
def test_ros1_g2032r_after_crizotinib():
    d = run(sample(prior=["crizotinib"]), [fusion("CD74", "ROS1", 6, 34)], [snv("ROS1", "p.G2032R")])
    c = calls(d)
    assert c["lorlatinib"] == "resistant" and c["repotrectinib"] == "sensitive" and c["taletrectinib"] == "sensitive"
    assert top(d) in {"repotrectinib", "taletrectinib"}
    assert "JURISDICTION_AVAILABILITY" in codes(d)  # taletrectinib FDA 2025 note


def test_ros1_l2086f_cabozantinib():
    d = run(sample(prior=["crizotinib", "lorlatinib"]), [fusion("CD74", "ROS1", 6, 34)], [snv("ROS1", "p.L2086F")])
    c = calls(d)
    assert c["lorlatinib"] == "resistant" and c["cabozantinib"] == "sensitive"
    assert top(d) == "cabozantinib"


def test_ros1_naive_with_brain_disease():
    d = run(sample(cns=True), [fusion("CD74", "ROS1", 6, 34)])
    assert top(d) in {"repotrectinib", "taletrectinib", "entrectinib"}
    assert "CNS-penetrant" in d["therapy_options"][0]["rationale"]


# ---------------------------------------------------------------- NTRK
def test_ntrk1_g595r_after_larotrectinib():
    d = run(sample(tumor="colorectal cancer", prior=["larotrectinib"]), [fusion("TPM3", "NTRK1", 7, 10)],
            [snv("NTRK1", "p.G595R")])
    c = calls(d)
    assert c["larotrectinib"] == "resistant" and c["repotrectinib"] == "sensitive"
    assert top(d) == "repotrectinib"
    assert "selitrectinib" in [o["option"] for o in d["therapy_options"] if o["investigational"]]


def test_ntrk3_xdfg_trial_type_ii():
    d = run(sample(tumor="secretory carcinoma", prior=["larotrectinib", "repotrectinib"]),
            [fusion("ETV6", "NTRK3", 5, 15)], [snv("NTRK3", "p.G696A")])
    c = calls(d)
    assert c["repotrectinib"] == "resistant" and c["selitrectinib"] == "resistant" and c["cabozantinib"] == "sensitive"
    first = d["therapy_options"][0]
    assert "type II" in first["option"] and first["investigational"] is True
    assert "PRECLINICAL_EVIDENCE_ONLY" in codes(d)


def test_ntrk_codon_level_unlisted_substitution():
    d = run(sample(tumor="sarcoma", prior=["larotrectinib"]), [fusion("LMNA", "NTRK1", 2, 11)], [snv("NTRK1", "p.G667V")])
    c = calls(d)
    assert c["larotrectinib"] == "resistant"
    assert c["repotrectinib"] == "unknown"  # no row for this drug at codon level
    a = next(x for x in d["alterations"] if x["gene"] == "NTRK1" and x["kind"] != "fusion")
    assert a["match_level"] == "codon" and a["structural_class"] == "xdfg"


def test_ntrk_naive_zurletrectinib_jurisdiction():
    d = run(sample(tumor="infantile fibrosarcoma"), [fusion("ETV6", "NTRK3", 5, 15)])
    assert top(d) == "larotrectinib"
    assert any("zurletrectinib" in c["text"] and "China" in c["text"] for c in d["caveats"])


# ---------------------------------------------------------------- fusions, plasma, CSF
def test_out_of_frame_fusion_is_not_actionable():
    d = run(sample(), [fusion(in_frame=False, actionable=False)])
    a = d["alterations"][0]
    assert "not_actionable_fusion" in a["flags"] and a["role"] == "uncertain"
    assert d["drug_calls"] == []
    assert all(not o["drugs"] for o in d["therapy_options"])
    assert "RNA" in top(d)


def test_frame_unknown_fusion():
    d = run(sample(specimen="plasma", tf=0.2), [fusion(in_frame=None, actionable=True, molecule="dna", af=0.1)])
    assert {"FUSION_FRAME_UNKNOWN", "DNA_ONLY_FUSION"} <= codes(d)
    assert d["drug_calls"] == []


def test_chip_only_plasma_is_not_a_mechanism():
    d = run(sample(specimen="plasma", prior=["alectinib"]), [], [snv("DNMT3A", "p.R882H", 0.03)])
    assert classes(d) == ["none_identified"]
    a = d["alterations"][0]
    assert "possible_chip" in a["flags"] and a["role"] in ("uncertain", "passenger")
    assert "POSSIBLE_CHIP" in codes(d)
    assert d["qc"]["tumor_fraction"] is None and d["qc"]["informative_negative"] is False


def test_plasma_low_tf_uninformative_negative():
    d = run(sample(specimen="plasma", prior=["alectinib"]), [fusion(molecule="dna", af=0.01)],
            hotspots=[HotspotCoverage("ALK", "p.G1202R", "2", 29220829, 3000, 0, 0.002)])
    assert d["qc"]["tumor_fraction"] == pytest.approx(0.02)
    assert d["qc"]["informative_negative"] is False
    assert {"LOW_TUMOR_FRACTION", "NOT_INFORMATIVE"} <= codes(d)
    nd = {n["hgvs_p"]: n for n in d["not_detected"]}
    assert nd["p.G1202R"]["depth"] == 3000 and nd["p.G1202R"]["assessable"] is False
    assert nd["p.L1196M"]["depth"] is None and nd["p.L1196M"]["assessable"] is False
    assert "not informative" in d["mechanisms"][0]["label"]


def test_plasma_adequate_tf_informative_negative():
    d = run(sample(specimen="plasma", prior=["alectinib"]), [fusion(molecule="rna", af=0.15)],
            [snv("TP53", "p.R175H", 0.12)],
            hotspots=[HotspotCoverage("ALK", "p.G1202R", "2", 29220829, 3000, 0, 0.002)])
    assert d["qc"]["informative_negative"] is True
    assert {n["hgvs_p"]: n["assessable"] for n in d["not_detected"]}["p.G1202R"] is True


def test_subclonal_resistance_mutation():
    d = run(sample(specimen="plasma", prior=["alectinib"]), [fusion(af=0.2)],
            [snv("ALK", "p.G1202R", 0.02), snv("TP53", "p.R248Q", 0.3)])
    a = next(x for x in d["alterations"] if x["hgvs_p"] == "p.G1202R")
    assert "subclonal" in a["flags"] and "SUBCLONAL" in codes(d)
    assert classes(d) == ["on_target"]  # still a mechanism


def test_neuroblastoma_alk_mutation_does_not_borrow_fusion_context_rows():
    """ALK I1171N has rows only for the fusion-positive (acquired-resistance) context: in neuroblastoma
    (full-length ALK) they must not decide a call silently (knowledge 2026.2.0, issue 9 item 2)."""
    d = run(sample(tumor="neuroblastoma"), [], [snv("ALK", "p.I1171N", 0.3)])
    assert roles(d)[("ALK", "p.I1171N")] == "driver"
    for c in d["drug_calls"]:
        if c["drug"] in ("crizotinib", "alectinib", "lorlatinib"):
            assert c["call"] == "unknown" and c["level"] == "INF", c
            assert "not transferred to the neuroblastoma" in c["rationale"] and "fusion-positive" in c["rationale"]
    # the same change in a fusion-positive lung cancer keeps its fusion-context rows
    d2 = run(sample(prior=["alectinib"]), [fusion()], [snv("ALK", "p.I1171N", 0.2)])
    assert calls(d2)["crizotinib"] == "resistant" and "not transferred" not in str(d2["drug_calls"])


def test_clinical_figures_next_to_call_and_mechanism():
    """Response rate with subgroup size next to the G2032R calls; MET amplification frequency after
    lorlatinib next to the bypass mechanism (only the sample's driver's figures)."""
    d = run(sample(prior=["crizotinib"]), [fusion(five="CD74", kinase="ROS1", e5=6, e3=34)], [snv("ROS1", "p.G2032R")])
    rep = next(c for c in d["drug_calls"] if c["drug"] == "repotrectinib")
    assert [(f["value"], f["numerator"], f["denominator"], f["trial"]) for f in rep["figures"]] == [(59, 10, 17, "TRIDENT-1")]
    assert not next(c for c in d["drug_calls"] if c["drug"] == "crizotinib").get("figures")
    d = run(sample(prior=["lorlatinib"]), [fusion()], [], copies=[cn("MET")])
    met = next(m for m in d["mechanisms"] if "MET" in m["label"])
    assert {(f["after_drug"], f["value"]) for f in met["figures"]} == {("lorlatinib", 22), ("a second-generation ALK TKI", 12)}


def test_possible_germline():
    d = run(sample(), [fusion()], [snv("ALK", "p.T1151M", 0.5)])
    a = next(x for x in d["alterations"] if x["hgvs_p"] == "p.T1151M")
    # a flag is a caveat, not a filter: the alteration keeps its role and the caveat says so
    assert "possible_germline" in a["flags"] and a["role"] == "on_target_resistance"
    assert a["origin"] == "possible_germline" and "rs113994091" in a["origin_note"]
    cav = next(c["text"] for c in d["caveats"] if c["code"] == "POSSIBLE_GERMLINE")
    assert "contributes to" in cav and "conclusion stands" in cav


def test_csf_specimen_with_brain_disease():
    d = run(sample(specimen="csf", prior=["alectinib"], cns=True), [fusion(af=0.2)], [snv("ALK", "p.I1171T", 0.15)])
    c = calls(d)
    assert c["alectinib"] == "resistant" and c["ceritinib"] == "sensitive"
    assert top(d) in {"lorlatinib", "brigatinib"}
    assert "CNS-penetrant" in d["therapy_options"][0]["rationale"]


def test_nsclc_approval_not_transferred_to_other_tumour():
    d = run(sample(tumor="colorectal adenocarcinoma"), [fusion("TPM3", "ALK", 7, 20)])
    assert all(c["level"] == "CLIN-cohort" for c in d["drug_calls"])
    assert "not transferred" in d["drug_calls"][0]["rationale"]
    # ALK+ IMT has its own approval (crizotinib, FDA 2022); the other NSCLC approvals stay lowered
    d = run(sample(tumor="inflammatory myofibroblastic tumour"), [fusion("TPM3", "ALK", 7, 20)])
    levels = {c["drug"]: c["level"] for c in d["drug_calls"]}
    assert levels["crizotinib"] == "CLIN-approved" and levels["alectinib"] == "CLIN-cohort"
    assert all(v == "CLIN-cohort" for k, v in levels.items() if k != "crizotinib")
    # the IMT approval is not transferred to lung or colorectal cancer
    d = run(sample(tumor="colorectal adenocarcinoma"), [fusion("TPM3", "ALK", 7, 20)])
    assert not any("@imt" in k for c in d["drug_calls"] for k in c.get("knowledge_ids", []))


def test_scenario_files(shared_dir):
    # scenario JSON files (tests/scenarios/*.json) are exercised in test_interpret.py via the CLI
    assert shared_dir.is_dir()


def test_clinical_figures_rendered_in_html():
    from kinres.report.html import render_report_html
    from kinres.report.json import parse_report

    d = run(sample(prior=["crizotinib"]), [fusion(five="CD74", kinase="ROS1", e5=6, e3=34)], [snv("ROS1", "p.G2032R")])
    html = render_report_html(parse_report(d))
    html = html if isinstance(html, str) else html[0]
    assert "response rate 59% (10/17) in ROS1 G2032R" in html
