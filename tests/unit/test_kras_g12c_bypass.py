"""KRAS G12C as a bypass after ALK/ROS1/TRK TKI therapy (issue 9): the options name the approved
KRAS G12C inhibitors (sotorasib, adagrasib) with their label caveat, and any combination with the
kinase TKI is worded and flagged as investigational. Typed stage results through build_report."""

from __future__ import annotations

import re

import pytest

from kinres.enums import Build, Consequence, CopyNumberCall, Specimen
from kinres.interpret.report_json import Stages, build_report, report_to_jsonable, validate_report
from kinres.knowledge import load_knowledge
from kinres.models import CopyNumber, Fusion, ProteinAnnotation, Sample, StageResult, Variant

KB = load_knowledge()
G12C_DRUGS = {"sotorasib", "adagrasib"}
KINASE_TKIS = {"crizotinib", "ceritinib", "alectinib", "brigatinib", "ensartinib", "lorlatinib", "entrectinib",
               "repotrectinib", "taletrectinib", "larotrectinib", "selitrectinib", "zurletrectinib"}


def _kras(change="p.G12C", vaf=0.18):
    return Variant("12", 25245350, "C", "A", vaf=vaf, depth=900, alt_reads=int(900 * vaf),
                   annotation=ProteinAnnotation("KRAS", "ENST00000256078", (Consequence.MISSENSE,),
                                                hgvs_p=change, protein_start=12))


def _fusion(five, kinase, e5, e3):
    return Fusion(five, kinase, "arriba", "rna", kinase_gene=kinase, five_prime_exon=e5, three_prime_exon=e3,
                  in_frame=True, kinase_domain_retained=True, actionable=True, supporting_reads=30)


def _report(tumor, fusion, prior, current, change="p.G12C", copies=()):
    sample = Sample("S1", "P1", Specimen.TISSUE, tumor, Build.GRCh38, prior_therapies=prior,
                    current_therapy=current)
    stages = Stages(variants=StageResult("variants", "S1", variants=(_kras(change),)),
                    fusions=StageResult("fusions", "S1", fusions=(fusion,)),
                    cnv=StageResult("cnv", "S1", copy_numbers=tuple(copies)) if copies else None)
    data = report_to_jsonable(build_report(sample, stages, KB))
    validate_report(data)
    return data


def _g12c_options(d):
    return [o for o in d["therapy_options"] if G12C_DRUGS & set(o["drugs"])]


def _is_combination(o):
    text = o["option"].lower()
    return bool(KINASE_TKIS & set(o["drugs"])) or "continue the" in text or " + " in text or "add a" in text


ALK_AFTER_LORLATINIB = ("lung adenocarcinoma", _fusion("EML4", "ALK", 13, 20), ("alectinib",), "lorlatinib")
CASES = {
    "ALK after lorlatinib": ALK_AFTER_LORLATINIB,
    "ROS1 after lorlatinib": ("NSCLC", _fusion("CD74", "ROS1", 6, 34), ("crizotinib",), "lorlatinib"),
    "NTRK3 NSCLC after larotrectinib": ("NSCLC", _fusion("ETV6", "NTRK3", 5, 15), (), "larotrectinib"),
    "NTRK1 colorectal after larotrectinib": ("colorectal cancer", _fusion("TPM3", "NTRK1", 7, 10), (),
                                             "larotrectinib"),
}


def test_kras_g12c_bypass_after_lorlatinib_lists_g12c_inhibitor_with_caveats():
    d = _report(*ALK_AFTER_LORLATINIB)
    kras = next(a for a in d["alterations"] if a["gene"] == "KRAS")
    assert kras["role"] == "bypass" and kras["hgvs_p"] == "p.G12C"
    opts = _g12c_options(d)
    assert opts, [o["option"] for o in d["therapy_options"]]
    single = [o for o in opts if not _is_combination(o)]
    combos = [o for o in opts if _is_combination(o)]
    # single agent: the label indication and why it is not simply on-label here
    assert single, [o["option"] for o in opts]
    s = single[0]["option"]
    assert "FDA-approved for KRAS G12C-mutated NSCLC after at least one prior systemic therapy" in s
    assert "not studied" in s and "molecular tumour board" in s
    assert {"FDA label: sotorasib (Lumakras)", "FDA label: adagrasib (Krazati)"} <= set(single[0]["citations"])
    assert single[0]["evidence_level"] == "INF"
    # combination with the ALK TKI: investigational in text, flag and caveat
    assert combos
    for o in combos:
        assert o["investigational"] is True and "INVESTIGATIONAL" in o["option"], o
    inv = [c["text"] for c in d["caveats"] if c["code"] == "INVESTIGATIONAL_COMBINATION"]
    assert inv and all(o["option"] in inv[0] for o in combos), inv
    # the failing drug is never proposed, and the G12C inhibitors never rank above the combination
    assert d["therapy_options"][0]["drugs"] != ["lorlatinib"]
    assert all("lorlatinib" != c["drug"] or c["call"] != "sensitive" for c in d["drug_calls"])
    ranks = {o["option"]: o["rank"] for o in opts}
    assert ranks[combos[0]["option"]] < ranks[single[0]["option"]]


@pytest.mark.parametrize("case", list(CASES))
def test_g12c_inhibitor_never_a_combination_without_investigational_wording(case):
    d = _report(*CASES[case])
    opts = _g12c_options(d)
    assert opts, (case, [o["option"] for o in d["therapy_options"]])
    for o in opts:
        if _is_combination(o):
            assert o["investigational"] is True and re.search(r"investigational", o["option"], re.IGNORECASE), (case, o)
    # the single-agent label statement is NSCLC-only
    single = [o for o in opts if not _is_combination(o)]
    if "colorectal" in case:
        assert not single, single
        assert any("colorectal cancer with an anti-EGFR antibody" in o["option"] for o in opts)
    else:
        assert single and "NSCLC" in single[0]["option"]


def test_other_kras_changes_keep_the_mek_option_without_g12c_inhibitor():
    d = _report(*ALK_AFTER_LORLATINIB[:4], change="p.G12D")
    assert not _g12c_options(d)
    assert any("trametinib" in o["drugs"] for o in d["therapy_options"])


def test_met_amplification_combination_outranks_the_g12c_combination():
    """Demo P02: MET amplification (case series, H) and KRAS G12C (inferred) after lorlatinib: the better
    evidenced bypass combination ranks first; the driver-TKI calls do not cite the G12C inhibitor labels."""
    d = _report(*ALK_AFTER_LORLATINIB, copies=(CopyNumber("MET", CopyNumberCall.AMPLIFICATION, copy_number=23.5),))
    opts = d["therapy_options"]
    met = next(o for o in opts if "capmatinib" in o["drugs"])
    g12c = [o for o in opts if G12C_DRUGS & set(o["drugs"])]
    assert g12c and all(met["rank"] < o["rank"] for o in g12c), [(o["rank"], o["option"][:60]) for o in opts]
    for c in d["drug_calls"]:
        assert not any("sotorasib" in x or "adagrasib" in x for x in c.get("citations", [])), c


def test_no_g12c_label_option_without_prior_kinase_tki():
    """The single-agent label statement ('after at least one prior systemic therapy') is only made after
    kinase-TKI therapy; a treatment-naive fusion-positive tumour with KRAS G12C does not get it."""
    d = _report("lung adenocarcinoma", _fusion("EML4", "ALK", 13, 20), (), None)
    assert not any("FDA-approved for KRAS G12C" in o["option"] for o in d["therapy_options"])
