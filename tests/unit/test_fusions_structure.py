"""Fusion structure and the target gate: golden events per caller on the GRCh38 panel.

Coordinates are the panel's exon boundaries (resources/panel/GRCh38.exons.tsv, matching the
GeneFuse exon tables in shared/data/annotation): EML4 exon 13 ends at chr2:42295516 (+),
EML4 exon 6 at 42264731, ALK exon 20 starts at chr2:29223528 (-), CD74 exon 6 ends at
chr5:150404680 (-), ROS1 exon 34 starts at chr6:117324415 (-), ETV6 exon 5 ends at
chr12:11869969 (+), NTRK3 exon 15 starts at chr15:87940753 (-), TPM3 exon 8 ends at
chr1:154170400 (-), NTRK1 exon 10 starts at chr1:156874571 (+).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kinres.annotate.fusion_structure import annotate_all, merge
from kinres.enums import Build
from kinres.io.fusions import Settings, read_fusions

transcripts = pytest.importorskip("kinres.annotate.transcripts")

from tests.unit.test_fusions_ingest import ARRIBA_HEADER, GENERIC_HEADER, arriba_row


@pytest.fixture(scope="module")
def panel():
    return transcripts.Panel.load(Build.GRCh38)


def run(path: Path, panel, fmt=None, **kw):
    read = read_fusions(path, fmt, Build.GRCh38, panel=panel, **kw)
    fusions, warnings = annotate_all(read.fusions, panel, Settings())
    return fusions, read.warnings + warnings


def one(fusions, five, three):
    hits = [f for f in fusions if (f.five_prime_gene, f.three_prime_gene) == (five, three)]
    assert len(hits) == 1, [(f.five_prime_gene, f.three_prime_gene) for f in fusions]
    return hits[0]


# ------------------------------------------------------------------ Arriba (RNA)
def test_arriba_eml4_alk_v1_v3_and_out_of_frame(tmp_path, panel):
    path = tmp_path / "fusions.tsv"
    path.write_text("\n".join([
        ARRIBA_HEADER,
        arriba_row(b1="2:42295516", frame="in-frame"),                       # v1 E13;A20
        arriba_row(b1="2:42264731", frame=".", sr1="40"),                     # v3 E6;A20
        arriba_row(b1="2:42301392", frame=".", sr1="1", sr2="1", dm="0"),     # E14;A20 computed
    ]) + "\n")
    fusions, warnings = run(path, panel)
    by_exon = {f.five_prime_exon: f for f in fusions}
    v1, v3, e14 = by_exon[13], by_exon[6], by_exon[14]
    assert v1.junction_label == "EML4 exon 13 :: ALK exon 20" and v1.variant_label == "v1"
    assert v1.three_prime_exon == 20 and v1.kinase_gene == "ALK"
    # kinres's own frame (panel CDS phases) is used for every caller; here it agrees
    assert v1.in_frame is True and v1.frame_source == "computed"
    assert "frame_conflict_caller_vs_computed" not in v1.flags
    assert v1.kinase_domain_retained is True and v1.actionable and not v1.not_actionable_reasons
    assert v3.variant_label == "v3a/b" and v3.in_frame is True and v3.frame_source == "computed"
    assert v3.actionable
    # EML4 exon 14 ends in phase 0, ALK exon 20 starts in phase 1: out of frame
    assert e14.variant_label == "v7" and e14.in_frame is False and e14.frame_source == "computed"
    assert not e14.actionable and "out of frame" in e14.not_actionable_reasons
    assert "low_support" in e14.flags
    assert fusions[0].actionable  # actionable calls sort first


def test_arriba_frame_conflict_and_kinase_5prime(tmp_path, panel):
    path = tmp_path / "fusions.tsv"
    path.write_text("\n".join([
        ARRIBA_HEADER,
        arriba_row(b1="2:42295516", frame="out-of-frame"),
        # ALK as the 5' partner (ALK exon 19 end 29225461 :: EML4 exon 14 start 42301241)
        arriba_row(g1="ALK", g2="EML4", s1="-/-", s2="+/+", b1="2:29225461", b2="2:42301241",
                   frame="."),
    ]) + "\n")
    fusions, warnings = run(path, panel)
    eml4_alk = one(fusions, "EML4", "ALK")
    # Arriba says out-of-frame at the exact E13/A20 boundary; the panel CDS phases say in frame:
    # one rule for all callers (kinres's frame), the disagreement kept for the report caveat
    assert eml4_alk.in_frame is True and eml4_alk.frame_source == "computed"
    assert {"frame_conflict_caller_vs_computed", "caller_frame:out-of-frame"} <= set(eml4_alk.flags)
    # ALK-EML4 is the reciprocal product of the same inversion: merged into EML4-ALK
    assert len(fusions) == 1 and "reciprocal_merged" in eml4_alk.flags
    alone = tmp_path / "alone.tsv"
    alone.write_text(ARRIBA_HEADER + "\n" + arriba_row(
        g1="ALK", g2="EML4", s1="-/-", s2="+/+", b1="2:29225461", b2="2:42301241",
        frame=".") + "\n")
    alk_eml4 = one(run(alone, panel)[0], "ALK", "EML4")
    assert alk_eml4.kinase_gene == "ALK" and not alk_eml4.actionable
    assert "kinase is not the 3' partner" in alk_eml4.not_actionable_reasons
    assert alk_eml4.kinase_domain_retained is False  # the domain lies 3' of ALK exon 19


# ------------------------------------------------------------------ FusionCatcher (RNA, real)
def test_fusioncatcher_real_file_structure(shared_dir, panel):
    path = shared_dir / "data/fusion_examples/fusioncatcher/final-list_candidate-fusion-genes.txt"
    fusions, warnings = run(path, panel)
    etv6 = one(fusions, "ETV6", "NTRK3")
    assert etv6.junction_label == "ETV6 exon 5 :: NTRK3 exon 15"
    assert etv6.in_frame is True and etv6.kinase_domain_retained is True and etv6.actionable
    cd74 = one(fusions, "CD74", "ROS1")
    assert cd74.junction_label == "CD74 exon 6 :: ROS1 exon 34" and cd74.actionable
    gopc = [f for f in fusions if f.five_prime_gene == "GOPC"]
    assert any(not f.actionable and "out of frame" in f.not_actionable_reasons for f in gopc)
    npm1 = one(fusions, "NPM1", "ALK")  # NPM1 is not a panel gene: 3' side still placed
    assert npm1.junction_label == "NPM1 :: ALK exon 20" and npm1.actionable
    # 'CDS(truncated)/intronic': EML4 1 bp inside exon 14 (snapped to its end), ALK 59 bp into
    # intron 19 (snapped to exon 20): E14::A20 like STAR-Fusion/Arriba give for this event
    eml4 = one(fusions, "EML4", "ALK")
    assert eml4.junction_label == "EML4 exon 14 :: ALK exon 20" and eml4.variant_label == "v7"
    assert eml4.in_frame is False and eml4.frame_source == "computed"
    assert "out of frame" in eml4.not_actionable_reasons and not eml4.actionable
    assert any("no panel kinase" in w and "FGFR3" not in w for w in warnings)
    assert {f.kinase_gene for f in fusions} <= set(Settings().kinase_genes)
    # FGFR3-TACC3 and AKAP9-BRAF, HOOK3-RET involve panel kinases and are kept
    assert one(fusions, "HOOK3", "RET").kinase_gene == "RET"


# ------------------------------------------------------------------ STAR-Fusion (RNA)
STAR_HEADER = ("#FusionName\tJunctionReadCount\tSpanningFragCount\tSpliceType\tLeftGene\t"
               "LeftBreakpoint\tRightGene\tRightBreakpoint\tLargeAnchorSupport\tFFPM\tannots\t"
               "PROT_FUSION_TYPE")


def star_row(name, left, lbp, right, rbp, jr=20, sf=10, frame="INFRAME", annots="[]"):
    return "\t".join([name, str(jr), str(sf), "ONLY_REF_SPLICE", f"{left}^ENSG1", lbp,
                      f"{right}^ENSG2", rbp, "YES_LDAS", "1.0", annots, frame])


def test_star_fusion_tpm3_ntrk1_cd74_ros1_and_domain_loss(tmp_path, panel):
    path = tmp_path / "star-fusion.fusion_predictions.abridged.coding_effect.tsv"
    path.write_text("\n".join([
        STAR_HEADER,
        star_row("TPM3--NTRK1", "TPM3", "chr1:154170400:-", "NTRK1", "chr1:156874571:+"),
        star_row("CD74--ROS1", "CD74", "chr5:150404680:-", "ROS1", "chr6:117324415:-"),
        # ROS1 exon 40 (starts at 117310281): kinase domain (aa 1945-2222) begins upstream
        star_row("CD74--ROS1", "CD74", "chr5:150404680:-", "ROS1", "chr6:117310281:-", jr=8,
                 frame="."),
        # ROS1-CD74 reciprocal product of the same translocation
        star_row("ROS1--CD74", "ROS1", "chr6:117324332:-", "CD74", "chr5:150403312:-", jr=3,
                 frame="."),
    ]) + "\n")
    fusions, warnings = run(path, panel)
    tpm3 = one(fusions, "TPM3", "NTRK1")
    assert tpm3.junction_label == "TPM3 exon 8 :: NTRK1 exon 10"
    assert tpm3.actionable and "frame_conflict_caller_vs_computed" not in tpm3.flags
    ros1 = [f for f in fusions if f.three_prime_gene == "ROS1"]
    lost = next(f for f in ros1 if f.three_prime_exon == 40)
    assert lost.kinase_domain_retained is False and not lost.actionable
    assert "kinase domain not fully retained" in lost.not_actionable_reasons
    kept = next(f for f in ros1 if f.three_prime_exon == 34)
    assert kept.actionable and "reciprocal_merged" in kept.flags
    assert not [f for f in fusions if f.five_prime_gene == "ROS1"]
    assert any("reciprocal" in w for w in warnings)


# ------------------------------------------------------------------ SV VCF (DNA)
VCF_HEAD = """##fileformat=VCFv4.1
##source=GenerateSVCandidates 1.6.0
##contig=<ID=chr2,length=242193529>
##contig=<ID=chr12,length=133275309>
##contig=<ID=chr15,length=101991189>
##INFO=<ID=SVTYPE,Number=1,Type=String,Description="Type of structural variant">
##INFO=<ID=MATEID,Number=.,Type=String,Description="ID of mate breakend">
##FORMAT=<ID=PR,Number=.,Type=Integer,Description="Spanning paired-read support for the ref and alt alleles">
##FORMAT=<ID=SR,Number=.,Type=Integer,Description="Split reads for the ref and alt alleles">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tNORMAL\tTUMOR"""


def test_manta_bnd_eml4_alk_and_etv6_ntrk3(tmp_path, panel):
    rows = [
        # EML4 intron 6 :: ALK intron 19 (inversion; both sides keep their low coordinates)
        "chr2\t42270000\tMantaBND:1:0:1:0\tA\tA]chr2:29224000]\t.\tPASS\tSVTYPE=BND;"
        "MATEID=MantaBND:1:0:1:1\tPR:SR\t30,0:25,0\t40,12:35,8",
        "chr2\t29224000\tMantaBND:1:0:1:1\tG\tG]chr2:42270000]\t.\tPASS\tSVTYPE=BND;"
        "MATEID=MantaBND:1:0:1:0\tPR:SR\t30,0:25,0\t40,12:35,8",
        # ETV6 intron 5 :: NTRK3 intron 14, t(12;15)
        "chr12\t11875000\tMantaBND:2:0:1:0\tC\tC]chr15:87950000]\t.\tPASS\tSVTYPE=BND;"
        "MATEID=MantaBND:2:0:1:1\tPR:SR\t20,0:20,0\t30,5:30,5",
        "chr15\t87950000\tMantaBND:2:0:1:1\tT\tT]chr12:11875000]\t.\tPASS\tSVTYPE=BND;"
        "MATEID=MantaBND:2:0:1:0\tPR:SR\t20,0:20,0\t30,5:30,5",
        # EML4 intron 13 :: ALK intron 22 -> kinase domain (from exon 21/22) lost
        "chr2\t42297000\tMantaBND:3:0:1:0\tA\tA]chr2:29221000]\t.\tPASS\tSVTYPE=BND;"
        "MATEID=MantaBND:3:0:1:1\tPR:SR\t10,0:10,0\t10,6:10,6",
        "chr2\t42297000\tMantaBND:4:0:1:0\tA\tA]chr2:29221000]\t.\tMinQUAL\tSVTYPE=BND\tPR:SR\t1,0:1,0\t1,1:1,1",
    ]
    path = tmp_path / "somaticSV.vcf"
    path.write_text(VCF_HEAD + "\n" + "\n".join(rows) + "\n")
    fusions, warnings = run(path, panel)
    eml4 = [f for f in fusions if f.five_prime_gene == "EML4"]
    v3 = next(f for f in eml4 if f.five_prime_intron == 6)
    assert v3.molecule == "dna" and "dna_only" in v3.flags
    assert (v3.five_prime_exon, v3.three_prime_exon, v3.three_prime_intron) == (6, 20, 19)
    assert v3.junction_label == "EML4 exon 6 :: ALK exon 20" and v3.variant_label == "v3a/b"
    assert v3.in_frame is True and v3.frame_source == "computed" and v3.actionable
    assert v3.supporting_reads == 20 and v3.fusion_af == pytest.approx(20 / 95, abs=1e-4)
    lost = next(f for f in eml4 if f.five_prime_intron == 13)
    assert lost.three_prime_exon == 23 and lost.kinase_domain_retained is False
    assert not lost.actionable
    etv6 = one(fusions, "ETV6", "NTRK3")
    assert etv6.junction_label == "ETV6 exon 5 :: NTRK3 exon 15" and etv6.actionable
    assert any("FILTER" in w for w in warnings)


def test_delly_inversion_and_imprecise_intron(tmp_path, panel):
    head = VCF_HEAD.replace("GenerateSVCandidates 1.6.0", "DELLY").replace(
        "\tFORMAT\tNORMAL\tTUMOR", "\tFORMAT\tT1")
    rows = [
        "chr2\t29224000\tINV1\tN\t<INV>\t.\tPASS\tSVTYPE=INV;END=42297000;CT=3to3\tDR:DV:RR:RV"
        "\t50:10:40:8",
        # imprecise: the confidence interval reaches into EML4 exon 13 -> variant undetermined
        "chr2\t29224000\tINV2\tN\t<INV>\t.\tPASS\tSVTYPE=INV;END=42295600;CT=3to3;IMPRECISE;"
        "CIEND=-200,200\tDR:DV:RR:RV\t50:10:40:8",
    ]
    path = tmp_path / "delly.vcf"
    path.write_text(head + "\n" + "\n".join(rows) + "\n")
    fusions, _ = run(path, panel, sample_name="T1")
    assert len(fusions) == 2
    precise = next(f for f in fusions if "imprecise" not in f.flags)
    assert precise.variant_label == "v1" and precise.fusion_af == pytest.approx(18 / 108, abs=1e-4)
    imprecise = next(f for f in fusions if "imprecise" in f.flags)
    assert imprecise.variant_label == "variant undetermined"


def test_generic_exon_only_calls_and_merge(tmp_path, panel):
    path = tmp_path / "calls.tsv"
    path.write_text("\n".join([
        GENERIC_HEADER,
        "EML4\tALK\t.\t.\t.\tunknown\tdna\t.\t.",
        "EML4\tALK\t.\t.\t12\tunknown\trna\t20\t20",
        "ETV6\tNTRK3\tchr12:11869969:+\tchr15:87940753:-\t25\tyes\trna\t.\t.",
        "ETV6\tNTRK3\tchr12:11869966:+\tchr15:87940753:-\t9\tyes\trna\t.\t.",
    ]) + "\n")
    fusions, warnings = run(path, panel)
    undetermined = next(f for f in fusions if f.three_prime_exon is None)
    assert undetermined.variant_label == "variant undetermined" and not undetermined.actionable
    assert undetermined.junction_label == "EML4 :: ALK"
    v2 = next(f for f in fusions if f.five_prime_exon == 20)
    assert v2.variant_label == "v2" and v2.frame_source == "computed" and v2.in_frame is True
    assert v2.kinase_domain_retained is True
    etv6 = one(fusions, "ETV6", "NTRK3")
    assert "duplicate_merged" in etv6.flags and etv6.supporting_reads == 25


def test_read_through_flag(tmp_path, panel):
    # same strand, 3' gene downstream within 200 kb: a read-through transcript, not a target
    path = tmp_path / "calls.tsv"
    path.write_text("\n".join([
        GENERIC_HEADER,
        "NTRK1\tINSRR\t1:156875008:+\t1:156900000:+\t30\tyes\trna\t.\t.",
        "LMNA\tNTRK1\t1:156130000:+\t1:156874571:+\t30\tyes\trna\t.\t.",
    ]) + "\n")
    fusions, _ = run(path, panel)
    assert "read_through" in one(fusions, "NTRK1", "INSRR").flags
    lmna = one(fusions, "LMNA", "NTRK1")
    assert "read_through" not in lmna.flags  # 744 kb apart


def test_merge_keeps_best_supported():
    from kinres.models import Breakpoint, Fusion

    a = Fusion("EML4", "ALK", "x", "rna", Breakpoint("2", 100), Breakpoint("2", 50),
               supporting_reads=5)
    b = Fusion("EML4", "ALK", "x", "rna", Breakpoint("2", 104), Breakpoint("2", 50),
               supporting_reads=9)
    c = Fusion("EML4", "ALK", "x", "rna", Breakpoint("2", 500), Breakpoint("2", 50),
               supporting_reads=1)
    out, warnings = merge([a, b, c], tolerance=10)
    assert [f.supporting_reads for f in out] == [9, 1] and "duplicate_merged" in out[0].flags
    assert warnings


def test_fusioncatcher_vcf_real_file(shared_dir, panel):
    path = shared_dir / "data/fusion_examples/fusioncatcher/final-list_candidate-fusion-genes.vcf"
    fusions, warnings = run(path, panel)
    assert one(fusions, "CD74", "ROS1").junction_label == "CD74 exon 6 :: ROS1 exon 34"
    etv6 = one(fusions, "ETV6", "NTRK3")
    assert etv6.molecule == "rna" and etv6.actionable and "dna_only" not in etv6.flags
    assert any("synthetic immunoglobulin" in w for w in warnings)
