"""Pre-annotated consequences: VEP CSQ, snpEff ANN, bcftools BCSQ, MAF p. strings.

Annotation strings below are laid out exactly as the tools write them: the snpEff and bcftools
lines were produced by running Debian snpEff 5 and bcftools 1.16 csq on a small synthetic
transcript; the VEP header is VEP's standard CSQ declaration.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from kinres.annotate.preannotated import (
    BCSQ,
    SNPEFF,
    VEP,
    PreannotationHeader,
    annotate_preannotated,
    bcsq_to_hgvs_p,
    consequence_from_short_p,
    csq_fields_from_description,
    map_terms,
    parse_ann,
    parse_bcsq,
    parse_vep,
    short_hgvs_p,
    vep_allele,
)
from kinres.enums import Consequence as C
from kinres.io.vcf import read_vcf


# --------------------------------------------------------------------------- panel double
@dataclass(frozen=True)
class Tx:
    gene: str
    transcript_id: str
    refseq: str | None
    chrom: str
    start: int
    end: int


class PanelDouble:
    """The slice of kinres.annotate.transcripts.Panel these modules use (documented API)."""

    def __init__(self, txs, identical=()):
        self.txs = {t.gene: t for t in txs}
        self.identical = {frozenset(p) for p in identical}

    @property
    def genes(self):
        return tuple(self.txs)

    def transcript(self, gene):
        return self.txs[gene]

    def by_id(self, tx_id):
        base = tx_id.split(".")[0]
        return next((t for t in self.txs.values() if base in (t.transcript_id,
                                                              (t.refseq or "").split(".")[0])),
                    None)

    def overlapping(self, chrom, pos):
        return [t for t in self.txs.values() if t.chrom == chrom and t.start <= pos <= t.end]

    def regions(self, padding=0):
        return [(t.chrom, t.start - 1 - padding, t.end + padding, t.gene)
                for t in self.txs.values()]

    def protein_identical(self, a, b):
        return a.split(".")[0] == b.split(".")[0] or frozenset(
            (a.split(".")[0], b.split(".")[0])) in self.identical


PANEL38 = PanelDouble([
    Tx("ALK", "ENST00000389048", "NM_004304.4", "2", 29192774, 29921566),
    Tx("NTRK3", "ENST00000360948", "NM_001012338.2", "15", 87859751, 88256747),
    Tx("BRAF", "ENST00000646891", "NM_004333.4", "7", 140734479, 140924764),
    Tx("EGFR", "ENST00000275493", "NM_005228.3", "7", 55019101, 55211628),
])

VEP_FORMAT = ("Allele|Consequence|IMPACT|SYMBOL|Gene|Feature_type|Feature|BIOTYPE|EXON|INTRON|"
              "HGVSc|HGVSp|cDNA_position|CDS_position|Protein_position|Amino_acids|Codons|"
              "Existing_variation|DISTANCE|STRAND|FLAGS|SYMBOL_SOURCE|HGNC_ID|CANONICAL")
VEP_HEADER = ('##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from '
              f'Ensembl VEP. Format: {VEP_FORMAT}">')
ANN_HEADER = ("##INFO=<ID=ANN,Number=.,Type=String,Description=\"Functional annotations: 'Allele | "
              "Annotation | Annotation_Impact | Gene_Name | Gene_ID | Feature_Type | Feature_ID | "
              "Transcript_BioType | Rank | HGVS.c | HGVS.p | cDNA.pos / cDNA.length | CDS.pos / "
              "CDS.length | AA.pos / AA.length | Distance | ERRORS / WARNINGS / INFO' \">")
BCSQ_HEADER = ('##INFO=<ID=BCSQ,Number=.,Type=String,Description="Haplotype-aware consequence '
               'annotation from BCFtools/csq, see http://samtools.github.io/bcftools/howtos/'
               'csq-calling.html for details. Format: Consequence|gene|transcript|biotype|strand|'
               'amino_acid_change|dna_change">')


def vep(allele, cons, gene, feature, exon, hgvsc, hgvsp, ppos, aas, canonical=""):
    fields = [allele, cons, "MODERATE", gene, "ENSG0", "Transcript", feature, "protein_coding",
              exon, "", hgvsc, hgvsp, "", "", ppos, aas, "", "", "", "-1", "", "HGNC", "", canonical]
    return "|".join(fields)


def write_vcf(tmp_path: Path, info_header: str, records: list[str], name="a.vcf") -> Path:
    text = ("##fileformat=VCFv4.2\n##source=Mutect2\n"
            "##contig=<ID=chr2,length=242193529>\n##contig=<ID=chr7,length=159345973>\n"
            "##contig=<ID=chr15,length=101991189>\n"
            '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
            '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths for the ref and alt alleles in the order listed">\n'
            '##FORMAT=<ID=AF,Number=A,Type=Float,Description="Allele fractions of alternate alleles in the tumor">\n'
            '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth">\n'
            f"{info_header}\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTUMOR\n")
    text += "".join(r + "\n" for r in records)
    p = tmp_path / name
    p.write_text(text)
    return p


def annotate(path: Path, panel=PANEL38):
    res = read_vcf(path, "GRCh38", panel=panel)
    header = PreannotationHeader(tags=res.annotation_tags, csq_fields=res.csq_fields)
    return annotate_preannotated(res.variants, res.raw_annotations, res.record_alts,
                                 res.alt_index, header, panel)


# --------------------------------------------------------------------------- p. notation
@pytest.mark.parametrize("raw,short", [
    ("ENSP00000373700.3:p.Gly1202Arg", "p.G1202R"),
    ("p.Leu1196Met", "p.L1196M"),
    ("ENSP00000373700.3:p.Gly1202%3D", "p.G1202="),
    ("p.Val14fs", "p.V14fs"),
    ("p.Gly623ArgfsTer12", "p.G623Rfs*12"),
    ("p.Glu746_Ala750del", "p.E746_A750del"),
    ("p.Leu747_Pro753delinsSer", "p.L747_P753delinsS"),
    ("p.Asp770_Asn771insGly", "p.D770_N771insG"),
    ("p.Gly11dup", "p.G11dup"),
    ("p.Gln4*", "p.Q4*"),
    ("p.Gln4Ter", "p.Q4*"),
    ("p.Ter90SerextTer?", "p.*90Sext*?"),
    ("p.(Gly12Cys)", "p.G12C"),
    ("p.Leu47Leu", "p.L47="),  # snpEff's synonymous form
    ("p.X1445_splice", "p.X1445_splice"),  # MAF convention kept for the splice note
    ("T790M", "p.T790M"),  # oncokb example MAF rows without the prefix
    ("", None), (".", None),
])
def test_short_hgvs_p(raw, short):
    assert short_hgvs_p(raw) == short


@pytest.mark.parametrize("hgvs,cons", [
    ("p.G1202R", C.MISSENSE), ("p.Q4*", C.STOP_GAINED), ("p.V14fs", C.FRAMESHIFT),
    ("p.F8del", C.INFRAME_DELETION), ("p.G11dup", C.INFRAME_INSERTION),
    ("p.L47=", C.SYNONYMOUS), ("p.*90Sext*?", C.STOP_LOST), ("p.M1?", C.START_LOST),
])
def test_consequence_from_short_p(hgvs, cons):
    assert consequence_from_short_p(hgvs) == (cons,)


def test_term_mapping_across_annotators():
    assert map_terms(["splice_donor_variant", "intron_variant"])[0] == (C.SPLICE_DONOR, C.INTRON)
    assert map_terms(["disruptive_inframe_deletion"])[0] == (C.INFRAME_DELETION,)
    assert map_terms(["*missense", "inframe_altering"])[0] == (C.MISSENSE, C.PROTEIN_ALTERING)
    assert map_terms(["Missense_Mutation"])[0] == (C.MISSENSE,)
    assert map_terms(["Nonsense_Mutation"])[0] == (C.STOP_GAINED,)
    cons, unmapped = map_terms(["missense_variant", "made_up_term"])
    assert cons == (C.MISSENSE,) and unmapped == ("made_up_term",)


@pytest.mark.parametrize("aa,cons,expected", [
    ("1202G>1202R", (C.MISSENSE,), "p.G1202R"),
    ("47L", (C.SYNONYMOUS,), "p.L47="),
    ("4Q>4*", (C.STOP_GAINED,), "p.Q4*"),
    ("7DF>7D", (C.INFRAME_DELETION,), "p.F8del"),
    ("90*>90S", (C.STOP_LOST,), "p.*90Sext*?"),
    ("10Q>9QG", (C.INFRAME_INSERTION,), None),  # not expressible without the protein sequence
    ("14VQDA>14GRML*", (C.FRAMESHIFT,), None),
])
def test_bcsq_amino_acid_change(aa, cons, expected):
    assert bcsq_to_hgvs_p(aa, cons)[0] == expected


def test_vep_allele_strips_shared_anchor_base():
    assert vep_allele("GT", ["G"], "G") == "-"
    assert vep_allele("G", ["GGGA"], "GGGA") == "GGA"
    assert vep_allele("A", ["G", "AT"], "AT") == "AT"  # first bases differ: nothing stripped
    assert vep_allele("C", ["T"], "T") == "T"


def test_csq_format_from_header():
    fields = csq_fields_from_description(
        f"Consequence annotations from Ensembl VEP. Format: {VEP_FORMAT}")
    assert fields[0] == "Allele" and fields[11] == "HGVSp" and len(fields) == 24
    with pytest.raises(ValueError):
        csq_fields_from_description("Consequence annotations from Ensembl VEP")


# --------------------------------------------------------------------------- real tool strings
def test_snpeff_ann_as_written_by_snpeff():
    ann = ("A|missense_variant|MODERATE|TESTG|gene:G1|transcript|transcript:ENST00000000001|"
           "protein_coding|2/2|c.140T>A|p.Leu47Gln|151/301|140/270|47/89||,"
           "C|missense_variant|MODERATE|TESTG|gene:G1|transcript|transcript:ENST00000000001|"
           "protein_coding|2/2|c.140T>C|p.Leu47Pro|151/301|140/270|47/89||")
    a, c = parse_ann(ann)
    assert (a.allele, a.transcript, a.hgvs_p, a.hgvs_c, a.exon) == (
        "A", "ENST00000000001", "p.L47Q", "c.140T>A", 2)
    assert c.hgvs_p == "p.L47P" and c.protein_start == 47
    (splice,) = parse_ann("C|splice_donor_variant&intron_variant|HIGH|TESTG|gene:G1|transcript|"
                          "transcript:ENST00000000001|protein_coding|1/1|c.90+1G>C||||||")
    assert splice.consequences == (C.SPLICE_DONOR, C.INTRON)
    assert splice.intron == 1 and splice.exon is None and splice.hgvs_p is None


def test_bcsq_with_compound_back_reference():
    entries = parse_bcsq("@1040,missense|TESTG|ENST00000000001|protein_coding|+|47L>47Q|1250T>A")
    assert entries[0].back_ref == 1040
    assert entries[1].hgvs_p == "p.L47Q" and entries[1].dna_change == "1250T>A"


def test_vep_field_count_mismatch_is_an_error():
    with pytest.raises(ValueError, match="fields"):
        parse_vep("T|missense_variant", VEP_FORMAT.split("|"))


# --------------------------------------------------------------------------- selection
def test_vep_picks_reporting_transcript_not_first_listed(tmp_path):
    csq = ",".join([
        vep("T", "missense_variant", "ALK", "ENST00000618119.4", "11/19",
            "ENST00000618119.4:c.1840G>A", "ENSP00000482733.1:p.Gly614Arg", "614", "G/R"),
        vep("T", "missense_variant", "ALK", "ENST00000389048.7", "23/29",
            "ENST00000389048.7:c.3604G>A", "ENSP00000373700.3:p.Gly1202Arg", "1202", "G/R",
            "YES"),
    ])
    p = write_vcf(tmp_path, VEP_HEADER, [
        f"chr2\t29220829\t.\tC\tT\t.\tPASS\tCSQ={csq}\tGT:AD:AF:DP\t0/1:180,20:0.1:200"])
    variants, warnings = annotate(p)
    (v,) = variants
    a = v.annotation
    assert (a.gene, a.transcript, a.hgvs_p, a.hgvs_c, a.exon) == (
        "ALK", "ENST00000389048", "p.G1202R", "c.3604G>A", 23)
    assert (a.protein_start, a.ref_aa, a.alt_aa, a.annotator, a.note) == (
        1202, "G", "R", VEP, None)
    assert a.consequences == (C.MISSENSE,)
    assert (v.vaf, v.depth, v.alt_reads, v.chrom) == (0.1, 200, 20, "2")


def test_vep_refseq_feature_accepted(tmp_path):
    csq = vep("T", "missense_variant", "ALK", "NM_004304.5", "23/29", "NM_004304.5:c.3604G>A",
              "NP_004295.2:p.Gly1202Arg", "1202", "G/R")
    p = write_vcf(tmp_path, VEP_HEADER, [
        f"chr2\t29220829\t.\tC\tT\t.\tPASS\tCSQ={csq}\tGT:AD:AF:DP\t0/1:180,20:0.1:200"])
    (v,), _ = annotate(p)
    assert v.annotation.hgvs_p == "p.G1202R" and v.annotation.note is None


def test_other_isoform_numbering_never_reported_as_reporting(tmp_path):
    # NTRK3: only the 825-aa isoform annotated; the panel reports on the 839-aa isoform
    csq = vep("T", "missense_variant", "NTRK3", "ENST00000394480.6", "16/18",
              "ENST00000394480.6:c.1868G>A", "ENSP00000377993.2:p.Gly623Glu", "623", "G/E")
    p = write_vcf(tmp_path, VEP_HEADER, [
        f"chr15\t88127000\t.\tC\tT\t.\tPASS\tCSQ={csq}\tGT:AD:AF:DP\t0/1:90,10:0.1:100"])
    (v,), warnings = annotate(p)
    a = v.annotation
    assert a.transcript == "ENST00000360948"
    # not re-expressible here (the test panel has no CDS): kept with its own transcript ID,
    # never as reporting-transcript numbering (hgvs_p/protein_start stay empty for matching)
    assert a.hgvs_p is None and a.protein_start is None
    assert a.hgvs_c == "ENST00000394480:c.1868G>A"
    assert a.isoform_hgvs_p == "ENST00000394480:p.G623E"
    assert a.consequences == (C.MISSENSE,)
    assert "ENST00000394480" in a.note and "ENST00000360948" in a.note
    assert "numbering may differ" in a.note and "p.G623E" in a.note
    assert any("not re-expressible" in w and "ENST00000394480" in w for w in warnings)
    # the same entry is used when the panel declares the two proteins identical
    panel = PanelDouble(list(PANEL38.txs.values()),
                        identical=[("ENST00000360948", "ENST00000394480")])
    (v2,), _ = annotate(p, panel)
    assert v2.annotation.hgvs_p == "p.G623E" and "identical" in v2.annotation.note


def test_vep_multiallelic_deletion_alleles(tmp_path):
    # REF GTT, ALT G and GT: VEP strips the shared G and writes TT->'-' and 'T'
    csq = ",".join([
        vep("-", "frameshift_variant", "EGFR", "ENST00000275493.7", "19/28",
            "ENST00000275493.7:c.2236_2237del", "ENSP00000275493.2:p.Glu746ArgfsTer3", "746",
            "E/X"),
        vep("T", "frameshift_variant", "EGFR", "ENST00000275493.7", "19/28",
            "ENST00000275493.7:c.2237del", "ENSP00000275493.2:p.Glu746GlyfsTer5", "746", "E/X"),
    ])
    p = write_vcf(tmp_path, VEP_HEADER, [
        f"chr7\t55174771\t.\tGTT\tG,GT\t.\tPASS\tCSQ={csq}\tGT:AD:AF:DP\t0/1/2:70,20,10:0.2,0.1:100"])
    (v1, v2), _ = annotate(p)
    assert (v1.alt, v1.vaf, v1.alt_reads, v1.annotation.hgvs_p) == ("G", 0.2, 20, "p.E746Rfs*3")
    assert (v2.alt, v2.vaf, v2.alt_reads, v2.annotation.hgvs_p) == ("GT", 0.1, 10, "p.E746Gfs*5")


def test_snpeff_vcf_multiallelic(tmp_path):
    ann = ("A|missense_variant|MODERATE|BRAF|ENSG00000157764|transcript|ENST00000646891.2|"
           "protein_coding|15/18|c.1799T>A|p.Val600Glu|1860/2480|1799/2301|600/766||,"
           "C|missense_variant|MODERATE|BRAF|ENSG00000157764|transcript|ENST00000646891.2|"
           "protein_coding|15/18|c.1799T>G|p.Val600Gly|1860/2480|1799/2301|600/766||")
    p = write_vcf(tmp_path, ANN_HEADER, [
        f"chr7\t140753336\t.\tA\tT,C\t.\tPASS\tANN={ann.replace('A|', 'T|', 1)}\t"
        "GT:AD:AF:DP\t0/1/2:60,30,10:0.3,0.1:100"])
    (t, c), _ = annotate(p)
    assert (t.alt, t.annotation.hgvs_p, t.annotation.annotator) == ("T", "p.V600E", SNPEFF)
    assert (c.alt, c.annotation.hgvs_p) == ("C", "p.V600G")


def test_bcsq_vcf_compound_and_split_alleles(tmp_path):
    # haplotype-aware csq: the frameshift at 1040 absorbs the 1250 T>C allele ('@1040')
    recs = [
        "chr2\t29221040\t.\tGT\tG\t.\tPASS\tBCSQ=*frameshift|ALK|ENST00000389048|protein_coding|-|"
        "1190VQ>1190GR|29221040GT>G+29221250T>C\tGT:AD:AF:DP\t0/1:80,20:0.2:100",
        "chr2\t29221250\t.\tT\tA,C\t.\tPASS\tBCSQ=@29221040,missense|ALK|ENST00000389048|"
        "protein_coding|-|1202G>1202R|29221250T>A\tGT:AD:AF:DP\t1/2:60,25,15:0.25,0.15:100",
    ]
    p = write_vcf(tmp_path, BCSQ_HEADER, recs)
    variants, warnings = annotate(p)
    fs, a, c = variants
    assert fs.annotation.consequences == (C.FRAMESHIFT,) and fs.annotation.hgvs_p is None
    assert fs.annotation.protein_start == 1190 and fs.annotation.annotator == BCSQ
    assert (a.alt, a.annotation.hgvs_p) == ("A", "p.G1202R")
    assert (c.alt, c.annotation.consequences) == ("C", (C.FRAMESHIFT,))
    assert "joint with 2:29221040GT>G" in c.annotation.note
    assert "joint with 2:29221250T>C" in fs.annotation.note and a.annotation.note is None


def test_outside_panel_counted_not_silently_dropped(tmp_path):
    csq = vep("T", "missense_variant", "TP53", "ENST00000269305.9", "7/11", "", "", "", "")
    p = write_vcf(tmp_path, VEP_HEADER, [
        f"chr2\t100000\t.\tC\tT\t.\tPASS\tCSQ={csq}\tGT:AD:AF:DP\t0/1:90,10:0.1:100"])
    res = read_vcf(p, "GRCh38", panel=PANEL38,
                   settings=__import__("kinres.io.vcf", fromlist=["x"]).VariantSettings(
                       restrict_to_panel=False))
    header = PreannotationHeader(tags=res.annotation_tags, csq_fields=res.csq_fields)
    variants, warnings = annotate_preannotated(res.variants, res.raw_annotations,
                                               res.record_alts, res.alt_index, header, PANEL38)
    assert variants == ()
    assert any("1 variant(s) outside panel genes" in w for w in warnings)


def test_panel_variant_without_entry_for_its_allele_is_kept_with_warning(tmp_path):
    csq = vep("G", "missense_variant", "ALK", "ENST00000389048.7", "23/29", "", "", "", "")
    p = write_vcf(tmp_path, VEP_HEADER, [
        f"chr2\t29220829\t.\tC\tT\t.\tPASS\tCSQ={csq}\tGT:AD:AF:DP\t0/1:90,10:0.1:100"])
    (v,), warnings = annotate(p)
    assert v.annotation.consequences == () and v.annotation.hgvs_p is None
    assert any("no entry for this allele" in w for w in warnings)


# --------------------------------------------------------------------------- real panel tables
def test_real_panel_equivalent_and_different_isoforms(tmp_path):
    """BRAF ENST00000288602 is recorded as protein-identical to the GRCh38 reporting
    ENST00000646891; NTRK3 ENST00000394480 (825 aa) as different from ENST00000360948."""
    from kinres.annotate.transcripts import Panel

    panel = Panel.load("GRCh38")
    braf = vep("T", "missense_variant", "BRAF", "ENST00000288602.11", "15/18",
               "ENST00000288602.11:c.1799T>A", "ENSP00000288602.6:p.Val600Glu", "600", "V/E")
    ntrk3 = vep("T", "missense_variant", "NTRK3", "ENST00000394480.6", "16/18",
                "ENST00000394480.6:c.1868G>A", "ENSP00000377993.2:p.Gly623Glu", "623", "G/E")
    g1, _, _ = panel.transcript("NTRK3").codon_positions(637)
    p = write_vcf(tmp_path, VEP_HEADER, [
        f"chr7\t140753336\t.\tA\tT\t.\tPASS\tCSQ={braf}\tGT:AD:AF:DP\t0/1:90,10:0.1:100",
        f"chr15\t{g1}\t.\tC\tT\t.\tPASS\tCSQ={ntrk3}\tGT:AD:AF:DP\t0/1:90,10:0.1:100"])
    (v_braf, v_ntrk3), _ = annotate(p, panel)
    assert v_braf.annotation.transcript == "ENST00000646891"
    assert v_braf.annotation.hgvs_p == "p.V600E" and "identical" in v_braf.annotation.note
    assert v_ntrk3.annotation.transcript == "ENST00000360948"
    assert v_ntrk3.annotation.hgvs_p is None and v_ntrk3.annotation.protein_start is None
    assert "not the reporting transcript ENST00000360948" in v_ntrk3.annotation.note
