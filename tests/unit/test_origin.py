"""Variant origin (interpret/origin.py): a grid of VAF x purity x CN x specimen x gene, and the
rule that an origin hint never removes an alteration from the reasoning."""

from __future__ import annotations

import pytest

from kinres.enums import Build, Consequence, CopyNumberCall, GermlineStatus, Origin, Specimen
from kinres.interpret.origin import classify, expected_vafs, tumour_copies
from kinres.interpret.report_json import Stages, build_report, report_to_jsonable, validate_report
from kinres.interpret.settings import Settings
from kinres.knowledge import load_knowledge
from kinres.models import CopyNumber, Fusion, ProteinAnnotation, Sample, StageResult, Variant

S = Settings()
KB = load_knowledge()
SOM, GERM, CH, UNK = Origin.SOMATIC, Origin.POSSIBLE_GERMLINE, Origin.POSSIBLE_CH, Origin.UNKNOWN


def var(gene, p, vaf, depth=600):
    aa = int("".join(c for c in p if c.isdigit()))
    return Variant("17", 7675000 + aa, "C", "T", vaf=vaf, depth=depth,
                   alt_reads=None if vaf is None else int(depth * vaf),
                   annotation=ProteinAnnotation(gene, "ENST0", (Consequence.MISSENSE,), hgvs_p=p, protein_start=aa))


def smp(specimen="tissue", purity=None, tf=None, age=None, tumor="lung adenocarcinoma", status=None):
    return Sample("S1", "P1", Specimen(specimen), tumor, Build.GRCh38, purity=purity, tumor_fraction=tf,
                  age_years=age, germline_status=status)


def cnv(gene, cn, call=None):
    call = call or (CopyNumberCall.DEEP_DELETION if cn < 0.5 else CopyNumberCall.LOSS if cn < 1.5
                    else CopyNumberCall.NEUTRAL if cn < 3 else CopyNumberCall.GAIN if cn < 6
                    else CopyNumberCall.AMPLIFICATION)
    return CopyNumber(gene, call, copy_number=cn, adjusted_copy_number=cn, purity_used=0.5)


def origin_of(v, s, copy=None, strong=False, amplified=False, tumour=None):
    return classify(v, s, copy, S, strong_somatic=strong, amplified=amplified, tumour_max_vaf=tumour).origin


def test_expected_vafs_mixture_model():
    som, germ = expected_vafs(0.75, 1)
    assert som == pytest.approx((0.6,)) and germ == pytest.approx((0.2, 0.8, 1.0))
    som, germ = expected_vafs(1.0, 2)
    assert som == pytest.approx((0.5, 1.0)) and germ[1] == pytest.approx(0.5)
    assert tumour_copies(None, 0.5) is None
    assert tumour_copies(cnv("RB1", 0.0), 0.5) == 1  # a detected variant needs a copy
    observed = CopyNumber("TP53", CopyNumberCall.LOSS, copy_number=1.25)  # unadjusted mixture
    assert tumour_copies(observed, 0.75) == 1


# VAF x purity x local CN x specimen x gene -> origin
GRID = [
    # the issue's case: TP53 VAF 0.60, purity 0.75, 17p loss = expected somatic LOH (not germline)
    (0.60, 0.75, None, 1.0, "tissue", "TP53", "p.R248Q", SOM),
    (0.62, 0.75, None, 1.0, "tissue", "TP53", "p.R248Q", SOM),
    (0.58, 0.75, None, 1.0, "tissue", "TP53", "p.R248Q", SOM),
    # same VAF, no CN input: closer to a germline het (0.50) than to somatic 0.375/0.75 -> hint
    (0.60, 0.75, None, None, "tissue", "TP53", "p.R248Q", GERM),
    # diploid, purity 0.3: 0.50 is germline, 0.15 is clonal somatic, 0.05 a somatic subclone
    (0.50, 0.30, None, 2.0, "tissue", "TP53", "p.R248Q", GERM),
    (0.15, 0.30, None, 2.0, "tissue", "TP53", "p.R248Q", SOM),
    (0.05, 0.30, None, 2.0, "tissue", "TP53", "p.R248Q", SOM),
    (0.98, 0.30, None, 2.0, "tissue", "TP53", "p.R248Q", GERM),  # homozygous germline
    # nearly pure tumour: a clonal heterozygous somatic variant sits near 0.45
    (0.45, 0.90, None, 2.0, "tissue", "KRAS", "p.G12C", SOM),   # clonal het somatic 0.45
    # amplified gene: VAF inflated, never a germline hint
    (0.55, 0.40, None, 10.0, "tissue", "MET", "p.Y1003N", SOM),
    # unknown purity: VAF band decides
    (0.50, None, None, None, "tissue", "TP53", "p.R248Q", GERM),
    (0.30, None, None, None, "tissue", "TP53", "p.R248Q", SOM),
    (0.95, None, None, None, "tissue", "TP53", "p.R248Q", GERM),
    # plasma: tumour fraction 0.05, 48% cannot be tumour-derived
    (0.48, None, 0.05, 2.0, "plasma", "TP53", "p.R248Q", GERM),
    (0.48, None, 0.05, None, "plasma", "ALK", "p.L1196M", GERM),
    (0.02, None, 0.05, None, "plasma", "ALK", "p.L1196M", SOM),
    # plasma CH genes and hotspots
    (0.03, None, 0.2, None, "plasma", "DNMT3A", "p.R882H", CH),
    (0.03, None, 0.2, None, "plasma", "TET2", "p.Q1034*", CH),
    (0.03, None, 0.2, None, "plasma", "ASXL1", "p.G646W", CH),
    (0.03, None, 0.2, None, "plasma", "PPM1D", "p.R552*", CH),
    (0.03, None, 0.2, None, "plasma", "JAK2", "p.V617F", CH),
    (0.03, None, 0.2, None, "plasma", "GNAS", "p.R201C", CH),
    (0.03, None, 0.2, None, "csf", "DNMT3A", "p.R882H", CH),
    # CH genes in tissue are not CH-flagged (no blood compartment modelled)
    (0.03, 0.5, None, None, "tissue", "DNMT3A", "p.R882H", SOM),
    # JAK2 other than the hotspot is not CH in plasma
    (0.03, None, 0.2, None, "plasma", "JAK2", "p.R683G", SOM),
]


@pytest.mark.parametrize("vaf, purity, tf, cn, specimen, gene, p, expected", GRID)
def test_origin_grid(vaf, purity, tf, cn, specimen, gene, p, expected):
    s = smp(specimen, purity=purity, tf=tf)
    copy = cnv(gene, cn) if cn is not None else None
    assert origin_of(var(gene, p, vaf), s, copy, amplified=(cn or 0) >= 6) is expected


@pytest.mark.parametrize("gene, vaf, tumour, age, expected", [
    ("TP53", 0.02, 0.30, None, CH),    # well below the tumour signal
    ("TP53", 0.25, 0.30, None, SOM),   # tracks the tumour
    ("TP53", 0.02, None, None, CH),    # no other tumour signal
    ("KRAS", 0.02, 0.30, 70, CH),
    ("TP53", 0.02, 0.30, 8, SOM),      # CH in TP53 is vanishingly rare in children
])
def test_careful_genes_in_plasma(gene, vaf, tumour, age, expected):
    s = smp("plasma", tf=0.3 if tumour else None, age=age)
    assert origin_of(var(gene, "p.R248Q" if gene == "TP53" else "p.G12C", vaf), s, tumour=tumour) is expected


def test_ch_reason_mentions_age():
    call = classify(var("DNMT3A", "p.R882H", 0.03), smp("plasma", age=72), None, S, strong_somatic=False,
                    amplified=False, tumour_max_vaf=None)
    assert call.origin is CH and "common at age 72" in call.reason


@pytest.mark.parametrize("p, age, tumor, expected", [
    ("p.F1174L", 6, "neuroblastoma", GERM),       # the issue's case: paediatric F1174L at 28%
    ("p.F1174L", 6, "lung adenocarcinoma", GERM),  # paediatric by age
    ("p.R1275Q", None, "neuroblastoma", GERM),     # paediatric entity without age
    ("p.F1174L", 45, "lung adenocarcinoma", SOM),  # adult NSCLC: ceritinib-resistance mutation
    ("p.G1202R", 6, "neuroblastoma", SOM),         # not a predisposition allele
])
def test_known_germline_alleles(p, age, tumor, expected):
    call = classify(var("ALK", p, 0.28), smp("tissue", age=age, tumor=tumor), None, S, strong_somatic=True,
                    amplified=False, tumour_max_vaf=None)
    assert call.origin is expected
    if expected is GERM:
        assert "PMID" in " ".join(call.citations) and "germline testing" in call.reason


@pytest.mark.parametrize("status, expected", [
    (None, GERM), (GermlineStatus.NOT_TESTED, GERM), (GermlineStatus.PENDING, GERM),
    (GermlineStatus.POSITIVE, GERM), (GermlineStatus.NEGATIVE, SOM), (GermlineStatus.MATCHED_NORMAL, SOM),
])
def test_germline_status_outranks_vaf(status, expected):
    call = classify(var("TP53", "p.R248Q", 0.5), smp("tissue", purity=0.3, status=status), None, S,
                    strong_somatic=False, amplified=False, tumour_max_vaf=None)
    assert call.origin is expected
    if status is GermlineStatus.PENDING:
        assert "pending" in call.reason
    if status is GermlineStatus.NEGATIVE:
        assert "germline test negative" in call.reason


def test_matched_normal_removes_ch_hint_and_no_vaf_is_unknown():
    assert origin_of(var("DNMT3A", "p.R882H", 0.03), smp("plasma", status=GermlineStatus.MATCHED_NORMAL)) is SOM
    assert origin_of(var("ALK", "p.L1196M", None), smp("tissue")) is UNK


def test_strong_somatic_row_is_not_germline():
    assert origin_of(var("ALK", "p.G1202R", 0.5), smp("tissue"), strong=True) is SOM


# --------------------------------------------------------------------------- through build_report
def _report(sample, variants, copies, fusions=()):
    stages = Stages(variants=StageResult("variants", "S1", variants=tuple(variants)),
                    fusions=StageResult("fusions", "S1", fusions=tuple(fusions)),
                    cnv=StageResult("cnv", "S1", copy_numbers=tuple(copies)))
    data = report_to_jsonable(build_report(sample, stages, KB))
    validate_report(data)
    return data


def _eml4_alk():
    return Fusion("EML4", "ALK", "arriba", "rna", kinase_gene="ALK", five_prime_exon=13, three_prime_exon=20,
                  in_frame=True, kinase_domain_retained=True, actionable=True, supporting_reads=40)


def _tp53_rb1_case(vaf, tp53_cn):
    s = Sample("S1", "P1", Specimen.TISSUE, "lung adenocarcinoma", Build.GRCh38, purity=0.75,
               prior_therapies=("alectinib",), current_therapy="lorlatinib")
    copies = [cnv("RB1", 0.0)] + ([cnv("TP53", tp53_cn)] if tp53_cn is not None else [])
    return _report(s, [var("TP53", "p.R248Q", vaf)], copies, [_eml4_alk()])


@pytest.mark.parametrize("vaf", [0.58, 0.60, 0.62])
def test_tp53_loh_with_rb1_loss_raises_transformation(vaf):
    d = _tp53_rb1_case(vaf, 1.0)
    tp53 = next(a for a in d["alterations"] if a["gene"] == "TP53" and a["kind"] == "snv")
    assert tp53["origin"] == "somatic" and "LOH" in tp53["origin_note"]
    assert "possible_germline" not in tp53["flags"]
    assert "phenotypic" in {m["class"] for m in d["mechanisms"]}
    assert "HISTOLOGY_REQUIRED" in {c["code"] for c in d["caveats"]}
    assert d["therapy_options"][0]["option"] != "lorlatinib"


def test_flagged_tp53_still_drives_transformation_with_caveat():
    """Without CN for TP53 the VAF hints germline; the mechanism stands and the caveat names it."""
    d = _tp53_rb1_case(0.60, None)
    tp53 = next(a for a in d["alterations"] if a["gene"] == "TP53" and a["kind"] == "snv")
    assert tp53["origin"] == "possible_germline" and tp53["role"] == "transformation_marker"
    assert "phenotypic" in {m["class"] for m in d["mechanisms"]}
    cav = next(c["text"] for c in d["caveats"] if c["code"] == "POSSIBLE_GERMLINE")
    assert "conclusion stands" in cav and "mechanism" in cav


def test_paediatric_f1174l_gets_germline_caveat_and_stays_a_driver():
    s = Sample("S1", "P1", Specimen.TISSUE, "neuroblastoma", Build.GRCh38, age_years=6)
    d = _report(s, [var("ALK", "p.F1174L", 0.28)], [])
    alk = next(a for a in d["alterations"] if a["gene"] == "ALK")
    assert alk["origin"] == "possible_germline" and alk["role"] in ("driver", "on_target_resistance")
    cav = next(c["text"] for c in d["caveats"] if c["code"] == "POSSIBLE_GERMLINE")
    assert "predisposition" in cav and "PMID" in cav
    assert d["drug_calls"]  # still reasoned about


def test_tf_estimate_ignores_germline_variant():
    s = Sample("S1", "P1", Specimen.PLASMA, "lung adenocarcinoma", Build.GRCh38)
    d = _report(s, [var("TP53", "p.R248Q", 0.49), var("ALK", "p.G1202R", 0.04)], [])
    assert d["qc"]["tumor_fraction"] == pytest.approx(0.08)
