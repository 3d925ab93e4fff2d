"""MET exon 14 skipping from the genomic position (issue 10 item 3), at real coordinates.

ENST00000397752 exon 14 = c.2888..c.3028: GRCh38 chr7:116771849-116771989, GRCh37
chr7:116411903-116412043 (resources/panel/<build>.exons.tsv); c.3029 (D1010 base 2) is the first
base of exon 15 (GRCh38 116774881 / GRCh37 116414935); Y1003 = c.3007-3009.
"""

from __future__ import annotations

import pytest

from kinres.annotate.met_exon14 import classify
from kinres.annotate.transcripts import Panel
from kinres.enums import Build, Consequence, Specimen
from kinres.interpret.report_json import Stages, build_report, report_to_jsonable, validate_report
from kinres.knowledge import load_knowledge
from kinres.models import Fusion, ProteinAnnotation, Sample, StageResult, Variant

EX14 = {"GRCh38": (116771849, 116771989, 116774881), "GRCh37": (116411903, 116412043, 116414935)}


def _cases(build):
    s, e, e15 = EX14[build]
    return [
        ((s - 2, "A", "G"), "splice_acceptor"),   # c.2888-2A>G
        ((s - 1, "G", "T"), "splice_acceptor"),   # c.2888-1G>T
        ((e + 1, "G", "T"), "splice_donor"),      # c.3028+1G>T
        ((e + 2, "T", "C"), "splice_donor"),      # c.3028+2T>C
        ((e, "G", "C"), "last_exon_base"),        # c.3028G>C p.D1010H
        ((e15, "A", "T"), "d1010"),               # c.3029A>T p.D1010V
        ((e15 + 1, "T", "A"), "d1010"),           # c.3030T>A p.D1010E
        ((e15 + 1, "T", "C"), None),              # c.3030T>C p.D1010= (synonymous)
        ((s + 119, "T", "C"), "y1003"),           # c.3007T>C p.Y1003H
        ((s + 120, "A", "T"), "y1003"),           # c.3008A>T p.Y1003F
        ((s + 121, "T", "A"), None),              # c.3009T>A p.Y1003* (truncating, not CBL-site)
        ((s - 30, "CTTTTTTTTCTTTAG", "C"), None),  # polypyrimidine-tract deletion sparing -1/-2
        ((s - 20, "T" * 21, "T"), "deletion"),    # removes c.2888-19..c.2888-1 (acceptor)
        ((e - 5, "GAAAGGTAAG", "G"), "deletion"),  # removes c.3024..c.3028+4 (donor)
        ((s + 50, "C", "T"), None),               # exon 14 missense elsewhere
        ((e + 3, "A", "G"), None),                # c.3028+3: not a core site
        ((s - 3, "C", "T"), None),                # c.2888-3: not a core site
    ]


@pytest.mark.parametrize("build", ["GRCh38", "GRCh37"])
def test_classes_at_real_coordinates_both_builds(build):
    met = Panel.load(build).transcript("MET")
    for (pos, ref, alt), kind in _cases(build):
        ev = classify(Variant("7", pos, ref, alt), met)
        assert (ev.kind if ev else None) == kind, (build, pos, ref, alt)
    # MAF-style deletion ('-' ALT) over the donor
    e = EX14[build][1]
    assert classify(Variant("7", e + 1, "GT", "-"), met).kind == "deletion"
    # other chromosome / no transcript
    assert classify(Variant("2", EX14[build][1], "G", "C"), met) is None
    assert classify(Variant("7", EX14[build][1], "G", "C"), None) is None


KB = load_knowledge()
SAMPLE = Sample("S1", "P1", Specimen.TISSUE, "lung adenocarcinoma", Build.GRCh38,
                prior_therapies=("alectinib",), current_therapy="alectinib")
DRIVER = Fusion("EML4", "ALK", "arriba", "rna", kinase_gene="ALK", five_prime_exon=13,
                three_prime_exon=20, in_frame=True, kinase_domain_retained=True, actionable=True,
                supporting_reads=40)


def _report(variant):
    stages = Stages(variants=StageResult("variants", "S1", variants=(variant,)),
                    fusions=StageResult("fusions", "S1", fusions=(DRIVER,)),
                    cnv=StageResult("cnv", "S1"))
    data = report_to_jsonable(build_report(SAMPLE, stages, KB))
    validate_report(data)
    return data


@pytest.mark.parametrize("pos, ref, alt, cons, hgvs_c, hgvs_p", [
    # the annotator calls the last exon base "missense": still exon 14 skipping
    (116771989, "G", "C", Consequence.MISSENSE, "c.3028G>C", "p.D1010H"),
    # a deletion across the acceptor annotated only as intronic
    (116771828, "T" * 21, "T", Consequence.INTRON, "c.2888-19_2888-1del", None),
    # donor +1 without a splice term
    (116771990, "G", "T", Consequence.SPLICE_REGION, "c.3028+1G>T", None),
])
def test_exon14_skipping_reaches_bypass_mechanism(pos, ref, alt, cons, hgvs_c, hgvs_p):
    ann = ProteinAnnotation("MET", "ENST00000397752", (cons,), hgvs_c=hgvs_c, hgvs_p=hgvs_p,
                            protein_start=1010 if hgvs_p else None)
    data = _report(Variant("7", pos, ref, alt, vaf=0.2, depth=500, alt_reads=100, annotation=ann))
    (met,) = [a for a in data["alterations"] if a["gene"] == "MET"]
    assert met["role"] == "bypass"
    mech = [m for m in data["mechanisms"] if met["id"] in m["alteration_ids"]]
    assert mech and mech[0]["label"] == "MET exon 14 skipping (bypass)"


def test_y1003_is_labelled_as_cbl_site_not_skipping():
    ann = ProteinAnnotation("MET", "ENST00000397752", (Consequence.MISSENSE,), hgvs_c="c.3008A>T",
                            hgvs_p="p.Y1003F", protein_start=1003)
    data = _report(Variant("7", 116771969, "A", "T", vaf=0.2, depth=500, alt_reads=100,
                           annotation=ann))
    (met,) = [a for a in data["alterations"] if a["gene"] == "MET"]
    assert met["role"] == "bypass" and met["hgvs_p"] == "p.Y1003F"
    (mech,) = [m for m in data["mechanisms"] if met["id"] in m["alteration_ids"]]
    assert "Y1003" in mech["label"] and "CBL" in mech["label"]


def test_exon_15_acceptor_is_not_exon_14_skipping():
    # c.3029-1G>A: intron 14 acceptor = exon 15 splice site, which the old rule over-called
    ann = ProteinAnnotation("MET", "ENST00000397752", (Consequence.SPLICE_ACCEPTOR,),
                            hgvs_c="c.3029-1G>A", intron=14)
    data = _report(Variant("7", 116774880, "G", "A", vaf=0.2, depth=500, alt_reads=100,
                           annotation=ann))
    (met,) = [a for a in data["alterations"] if a["gene"] == "MET"]
    assert met["role"] != "bypass"
