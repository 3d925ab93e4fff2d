"""Variants annotated only on a non-reporting isoform (issue 10 item 2), real panel coordinates.

MET: ENST00000318493 (1408 aa) carries 18 extra residues before exon 14, so its c.3082G>C
p.D1028H is the reporting ENST00000397752 c.3028G>C p.D1010H (GRCh38 chr7:116771989, the last
base of exon 14 - a MET exon 14 skipping variant). NTRK3: the 825-aa ENST00000394480 lacks the
14 residues 712-725 of the 839-aa reporting ENST00000360948, so residues after 725 are numbered
14 lower there (resources/panel/README.md). Amino-acid letters of the NTRK3 cases are
illustrative (no genome sequence offline); positions, strands and codon phases are real.
"""

from __future__ import annotations

from test_maf import maf, row
from test_preannotated import ANN_HEADER, VEP_HEADER, annotate, vep, write_vcf

from kinres.annotate.transcripts import Panel
from kinres.enums import Build, Specimen
from kinres.interpret.report_json import Stages, build_report, report_to_jsonable, validate_report
from kinres.io.maf import read_maf
from kinres.knowledge import load_knowledge
from kinres.models import Fusion, Sample, StageResult

PANEL = Panel.load("GRCh38")
MET_POS = 116771989
COMP = str.maketrans("ACGT", "TGCA")


def _met_vep():
    return vep("C", "missense_variant", "MET", "ENST00000318493.11", "14/21",
               "ENST00000318493.11:c.3082G>C", "ENSP00000317272.6:p.Asp1028His", "1028", "D/H")


def test_vep_met_d1028h_on_alternative_isoform_is_d1010h(tmp_path):
    p = write_vcf(tmp_path, VEP_HEADER, [
        f"chr7\t{MET_POS}\t.\tG\tC\t.\tPASS\tCSQ={_met_vep()}\tGT:AD:AF:DP\t0/1:90,10:0.1:100"])
    (v,), warnings = annotate(p, PANEL)
    a = v.annotation
    assert (a.transcript, a.hgvs_c, a.hgvs_p, a.exon) == ("ENST00000397752", "c.3028G>C",
                                                         "p.D1010H", 14)
    assert (a.protein_start, a.ref_aa, a.alt_aa, a.isoform_hgvs_p) == (1010, "D", "H", None)
    assert "ENST00000318493" in a.note and "p.D1028H" in a.note
    assert not any("re-expressible" in w for w in warnings)


def test_snpeff_and_maf_alternative_isoform_re_expressed(tmp_path):
    ann = ("C|missense_variant|MODERATE|MET|ENSG00000105976|transcript|ENST00000318493.11|"
           "protein_coding|14/21|c.3082G>C|p.Asp1028His|3270/6641|3082/4227|1028/1408||")
    p = write_vcf(tmp_path, ANN_HEADER, [
        f"chr7\t{MET_POS}\t.\tG\tC\t.\tPASS\tANN={ann}\tGT:AD:AF:DP\t0/1:90,10:0.1:100"])
    (v,), _ = annotate(p, PANEL)
    assert (v.annotation.hgvs_c, v.annotation.hgvs_p, v.annotation.exon) == (
        "c.3028G>C", "p.D1010H", 14)
    m = maf(tmp_path, [row(gene="MET", chrom="7", start=str(MET_POS), end=str(MET_POS), ref="G",
                           alt="C", hgvsc="c.3082G>C", hgvsp="p.D1028H", tx="ENST00000318493",
                           exon="14/21")])
    (mv,) = read_maf(m, "GRCh38", PANEL).variants
    assert (mv.annotation.hgvs_c, mv.annotation.hgvs_p, mv.annotation.exon) == (
        "c.3028G>C", "p.D1010H", 14)


def _ntrk3_case(aa839: int):
    """(genomic pos, plus-strand ref, alt) for base 1 of 839-aa codon `aa839` (minus strand)."""
    g1, _, _ = PANEL.transcript("NTRK3").codon_positions(aa839)
    return g1


def test_ntrk3_825_numbering_becomes_839_numbering(tmp_path):
    # codon 730 (839 aa) = codon 716 (825 aa): c.2188 vs c.2146, same codon phase
    g = _ntrk3_case(730)
    csq = vep("A", "missense_variant", "NTRK3", "ENST00000394480.6", "18/19",
              "ENST00000394480.6:c.2146G>T", "ENSP00000377993.2:p.Gly716Cys", "716", "G/C")
    # minus strand: coding G>T is plus-strand C>A
    p = write_vcf(tmp_path, VEP_HEADER, [
        f"chr15\t{g}\t.\tC\tA\t.\tPASS\tCSQ={csq}\tGT:AD:AF:DP\t0/1:90,10:0.1:100"])
    (v,), _ = annotate(p, PANEL)
    a = v.annotation
    assert a.transcript == "ENST00000360948"
    assert (a.hgvs_c, a.hgvs_p, a.protein_start) == ("c.2188G>T", "p.G730C", 730)
    # never the 825-aa number under the 839-aa transcript
    assert "716" not in (a.hgvs_p or "") and "2146" not in (a.hgvs_c or "")


def test_not_re_expressible_keeps_its_transcript_and_warns(tmp_path):
    # annotated codon phase differs from the reporting one: the codon is not shared
    g1 = _ntrk3_case(637)
    csq = vep("T", "missense_variant", "NTRK3", "ENST00000394480.6", "16/18",
              "ENST00000394480.6:c.1868G>A", "ENSP00000377993.2:p.Gly623Glu", "623", "G/E")
    p = write_vcf(tmp_path, VEP_HEADER, [
        f"chr15\t{g1}\t.\tC\tT\t.\tPASS\tCSQ={csq}\tGT:AD:AF:DP\t0/1:90,10:0.1:100"])
    (v,), warnings = annotate(p, PANEL)
    a = v.annotation
    assert a.hgvs_p is None and a.protein_start is None  # never matched as reporting numbering
    assert a.isoform_hgvs_p == "ENST00000394480:p.G623E"
    assert a.hgvs_c == "c.1909G>A" and a.exon is not None  # c./exon from the position
    (w,) = [w for w in warnings if "not re-expressible" in w]
    assert "ENST00000394480" in w and "ENST00000360948" in w
    # report.json shows the change with its transcript ID, not empty, and no knowledge match
    kb = load_knowledge()
    sample = Sample("S1", "P1", Specimen.TISSUE, "infantile fibrosarcoma", Build.GRCh38,
                    prior_therapies=("larotrectinib",), current_therapy="larotrectinib")
    fusion = Fusion("ETV6", "NTRK3", "arriba", "rna", kinase_gene="NTRK3", five_prime_exon=5,
                    three_prime_exon=15, in_frame=True, kinase_domain_retained=True,
                    actionable=True, supporting_reads=40)
    stages = Stages(variants=StageResult("variants", "S1", variants=(v,), warnings=(w,)),
                    fusions=StageResult("fusions", "S1", fusions=(fusion,)),
                    cnv=StageResult("cnv", "S1"))
    data = report_to_jsonable(build_report(sample, stages, kb))
    validate_report(data)
    (alt,) = [x for x in data["alterations"] if x["kind"] != "fusion"]
    assert alt["hgvs_p"] == "ENST00000394480:p.G623E" and alt["hgvs_c"] == "c.1909G>A"
    assert alt["exon"] is not None and alt["role"] not in ("on_target_resistance", "driver")
    assert alt["knowledge_ids"] == []
    assert any("not re-expressible" in x for x in data["qc"]["warnings"])
    # ... and so do the HTML and the alterations TSV
    from kinres.report.html import render_report_html
    from kinres.report.json import parse_report
    from kinres.report.tsv import alteration_rows

    report = parse_report(data)
    assert "ENST00000394480:p.G623E" in render_report_html(report)
    (row,) = [r for r in alteration_rows(report) if "ENST00000394480:p.G623E" in r]
    assert "c.1909G>A" in row


def test_met_alternative_isoform_reaches_exon14_bypass(tmp_path):
    p = write_vcf(tmp_path, VEP_HEADER, [
        f"chr7\t{MET_POS}\t.\tG\tC\t.\tPASS\tCSQ={_met_vep()}\tGT:AD:AF:DP\t0/1:90,10:0.1:100"])
    (v,), _ = annotate(p, PANEL)
    kb = load_knowledge()
    sample = Sample("S1", "P1", Specimen.TISSUE, "lung adenocarcinoma", Build.GRCh38,
                    prior_therapies=("alectinib",), current_therapy="alectinib")
    fusion = Fusion("EML4", "ALK", "arriba", "rna", kinase_gene="ALK", five_prime_exon=13,
                    three_prime_exon=20, in_frame=True, kinase_domain_retained=True,
                    actionable=True, supporting_reads=40)
    data = report_to_jsonable(build_report(sample, Stages(
        variants=StageResult("variants", "S1", variants=(v,)),
        fusions=StageResult("fusions", "S1", fusions=(fusion,)), cnv=StageResult("cnv", "S1")), kb))
    (met,) = [a for a in data["alterations"] if a["gene"] == "MET"]
    assert (met["hgvs_p"], met["hgvs_c"], met["exon"], met["role"]) == (
        "p.D1010H", "c.3028G>C", 14, "bypass")


def test_panel_variant_without_an_entry_still_gets_c_and_exon(tmp_path):
    # VEP --pick chose another gene's transcript: the MET SNV keeps a location on the panel CDS
    other = vep("C", "missense_variant", "CAPZA2", "ENST00000361183.8", "9/10",
                "ENST00000361183.8:c.800G>C", "ENSP00000354851.3:p.Gly267Ala", "267", "G/A")
    p = write_vcf(tmp_path, VEP_HEADER, [
        f"chr7\t{MET_POS}\t.\tG\tC\t.\tPASS\tCSQ={other}\tGT:AD:AF:DP\t0/1:90,10:0.1:100"])
    (v,), warnings = annotate(p, PANEL)
    assert (v.annotation.hgvs_c, v.annotation.exon) == ("c.3028G>C", 14)
    assert any("no entry for this allele" in w for w in warnings)


class _Codons:
    """Stands in for ReferenceCodons (a real FASTA of chr7 would be 159 Mb)."""

    def __init__(self, codon):
        self.codon_seq = codon

    def codon(self, rep, aa):
        return self.codon_seq


def test_reference_codon_confirms_or_refuses_re_expression(tmp_path):
    from test_preannotated import VEP_FORMAT

    from kinres.annotate.isoform import reexpress
    from kinres.annotate.preannotated import _to_annotation, parse_vep
    from kinres.models import Variant

    (tc,) = parse_vep(_met_vep(), VEP_FORMAT.split("|"))
    rep = PANEL.transcript("MET")
    v = Variant("7", MET_POS, "G", "C")
    base = _to_annotation(tc, rep, keep_protein=False)
    ok, problem = reexpress(tc, v, rep, base, _Codons("GAT"))  # Asp codon: GAT -> CAT His
    assert ok.hgvs_p == "p.D1010H" and problem is None and "checked against the reference" in ok.note
    bad, problem = reexpress(tc, v, rep, base, _Codons("GGT"))  # Gly: the isoforms' codons differ
    assert bad.hgvs_p is None and bad.isoform_hgvs_p == "ENST00000318493:p.D1028H"
    assert "GGT" in problem and "not re-expressible" in problem and bad.hgvs_c == "c.3028G>C"


def test_reference_codons_reads_a_fasta(tmp_path):
    import pysam

    from kinres.annotate.isoform import ReferenceCodons

    fa = tmp_path / "ref.fa"
    fa.write_text(">chr7\nAAAAAGATCCCCC\n")
    pysam.faidx(str(fa))

    class Rep:
        chrom, strand, transcript_id = "7", 1, "T1"

        def codon_positions(self, aa):
            return (6, 7, 8)

    assert ReferenceCodons(fa).codon(Rep(), 1) == "GAT"
    Rep.strand = -1  # minus strand: positions in transcript order, bases complemented
    assert ReferenceCodons(fa).codon(Rep(), 1) == "CTA"
    assert ReferenceCodons(tmp_path / "missing.fa").codon(Rep(), 1) is None
