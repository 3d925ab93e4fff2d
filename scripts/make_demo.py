#!/usr/bin/env python3
"""Write the bundled demo batch (.test/data/*, config/samples.tsv) from the panel tables.

Every genomic coordinate comes from kinres.annotate.transcripts.Panel (the committed panel
transcript tables), never typed in: a literature HGVS c. change (e.g. ALK c.3604G>A = p.G1202R)
is placed with `Transcript.codon_positions()`, and fusion breakpoints are exon boundaries of the
reporting transcripts. The reference base written to the VCF is the coding base the HGVS c.
names (complemented on minus-strand genes), so only positions whose base the literature states
are used. Where an independent genomic anchor is known (CDS-HINTS.md, public test fixtures) the
script asserts it, so a wrong panel table fails here rather than producing a plausible demo.

    python scripts/make_demo.py            # rewrite the demo files
    python scripts/make_demo.py --check    # exit 1 if the committed files differ
"""

from __future__ import annotations

import argparse
import difflib
import sys
from dataclasses import dataclass
from pathlib import Path

from kinres.annotate.transcripts import Panel

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / ".test" / "data"
SHEET = REPO / "config" / "samples.tsv"
COMPLEMENT = str.maketrans("ACGT", "TGCA")
AA3 = {"A": "Ala", "R": "Arg", "N": "Asn", "D": "Asp", "C": "Cys", "Q": "Gln", "E": "Glu",
       "G": "Gly", "H": "His", "I": "Ile", "L": "Leu", "K": "Lys", "M": "Met", "F": "Phe",
       "P": "Pro", "S": "Ser", "T": "Thr", "W": "Trp", "Y": "Tyr", "V": "Val"}
# GRCh38 / GRCh37 primary-assembly lengths of the chromosomes the demo uses (VCF ##contig lines)
CONTIGS = {
    "GRCh38": {"2": 242193529, "5": 181538259, "6": 170805979, "7": 159345973,
               "12": 133275309, "15": 101991189},
    "GRCh37": {"2": 243199373},
}
# Ensembl gene IDs and HGNC IDs written by the annotators (stable identifiers, not versioned)
GENE_IDS = {"ALK": ("ENSG00000171094", "HGNC:427"), "ROS1": ("ENSG00000047936", "HGNC:10261"),
            "NTRK3": ("ENSG00000140538", "HGNC:8033"), "KRAS": ("ENSG00000133703", "HGNC:6407"),
            "DNMT3A": ("ENSG00000119772", "HGNC:2978"), "EML4": ("ENSG00000143924", "HGNC:1316"),
            "CD74": ("ENSG00000019582", "HGNC:1697"), "ETV6": ("ENSG00000139083", "HGNC:3495"),
            "MET": ("ENSG00000105976", "HGNC:7029")}
# VEP writes the protein ID in HGVSp; only ALK's is used (ENSP00000373700, seen in public
# annotation test fixtures for ENST00000389048).
ENSP = {"ALK": "ENSP00000373700"}


@dataclass(frozen=True)
class PointMutation:
    """A literature missense change: `codon_base` (1-3) of codon `aa_pos` changes ref -> alt."""

    gene: str
    aa_pos: int
    ref_aa: str
    alt_aa: str
    codon_base: int
    ref: str  # coding-strand base stated by the HGVS c.
    alt: str
    source: str
    anchor: dict | None = None  # build -> (chrom, pos, ref, alt) known independently
    exon: tuple[int, int] | None = None  # (number, total) from the literature transcript

    @property
    def c_pos(self) -> int:
        return 3 * (self.aa_pos - 1) + self.codon_base

    @property
    def hgvs_c(self) -> str:
        return f"c.{self.c_pos}{self.ref}>{self.alt}"

    @property
    def hgvs_p3(self) -> str:
        return f"p.{AA3[self.ref_aa]}{self.aa_pos}{AA3[self.alt_aa]}"

    @property
    def hgvs_p1(self) -> str:
        return f"p.{self.ref_aa}{self.aa_pos}{self.alt_aa}"


G1202R = PointMutation("ALK", 1202, "G", "R", 1, "G", "A",
                       "ALK c.3604G>A (Gainor 2016, PMID 27432227)")
I1171N = PointMutation("ALK", 1171, "I", "N", 2, "T", "A",
                       "ALK c.3512T>A (CDS-HINTS: GRCh37 chr2:29445213 A>T)",
                       anchor={"GRCh37": ("2", 29445213, "A", "T")})
G2032R = PointMutation("ROS1", 2032, "G", "R", 1, "G", "A",
                       "ROS1 c.6094G>A (Awad 2013 NEJM)")
G623R = PointMutation("NTRK3", 623, "G", "R", 1, "G", "A",
                      "NTRK3 c.1867G>A on NM_001012338 (Drilon 2017 Cancer Discov, LOXO-195)")
G12C = PointMutation("KRAS", 12, "G", "C", 1, "G", "T",
                     "KRAS c.34G>T (GRCh38 chr12:25245351 C>A)",
                     anchor={"GRCh38": ("12", 25245351, "C", "A")})
# The panel has no verified CDS for DNMT3A (a CHIP gene, not annotated at protein level), so
# R882H is placed by its ClinVar coordinate (NC_000002.12:g.25234373C>T, NM_022552.4 exon 23).
R882H = PointMutation("DNMT3A", 882, "R", "H", 2, "G", "A",
                      "DNMT3A c.2645G>A (ClinVar GRCh38 chr2:25234373 C>T)",
                      anchor={"GRCh38": ("2", 25234373, "C", "T")}, exon=(23, 23))


@dataclass(frozen=True)
class Placed:
    """A PointMutation placed on one build: VCF fields plus transcript facts for annotators."""

    mut: PointMutation
    build: str
    chrom: str
    pos: int
    ref: str
    alt: str
    transcript: str
    refseq: str
    strand: int
    exon: int
    n_exons: int
    cdna_pos: int | None
    cdna_len: int | None
    cds_len: int
    protein_len: int


def _exon_bounds(exon) -> tuple[int, int]:
    return exon.start, exon.end


def place(panel: Panel, mut: PointMutation) -> Placed:
    tx = panel.transcript(mut.gene)
    build = panel_build(panel)
    if not (tx.has_cds and tx.cds_verified):
        return _place_by_anchor(panel, tx, mut, build)
    g = tx.codon_positions(mut.aa_pos)[mut.codon_base - 1]
    ref, alt = mut.ref, mut.alt
    if tx.strand < 0:
        ref, alt = ref.translate(COMPLEMENT), alt.translate(COMPLEMENT)
    if mut.anchor and panel_build(panel) in mut.anchor:
        expect = mut.anchor[panel_build(panel)]
        got = (tx.chrom, g, ref, alt)
        if got != expect:
            raise SystemExit(f"{mut.gene} {mut.hgvs_c}: panel places it at {got}, the literature "
                             f"anchor is {expect}; fix the panel table before making the demo")
    c_label = tx.c_position(g)
    if c_label != str(mut.c_pos):
        raise SystemExit(f"{mut.gene}: c_position({g}) = {c_label}, expected c.{mut.c_pos}")
    # cDNA position: transcript-order exon lengths before the exon holding g, plus the offset
    cdna = 0
    exon_no = tx.exon_at(g)
    for exon in tx.exons:
        start, end = _exon_bounds(exon)
        if exon.number == exon_no:
            cdna += (g - start + 1) if tx.strand > 0 else (end - g + 1)
            break
        cdna += end - start + 1
    assert exon_no is not None, f"{mut.gene}: {g} not in an exon"
    cdna_len = sum(e - s + 1 for s, e in map(_exon_bounds, tx.exons))
    return Placed(mut, panel_build(panel), tx.chrom, g, ref, alt, tx.transcript_id,
                  tx.refseq or "", tx.strand, exon_no, len(tx.exons), cdna, cdna_len,
                  3 * (tx.protein_length + 1), tx.protein_length)


def _place_by_anchor(panel: Panel, tx, mut: PointMutation, build: str) -> Placed:
    """For genes without a verified panel CDS: the literature coordinate, checked to lie in an
    exon of the panel transcript on the strand that makes the HGVS base the reference."""
    if not mut.anchor or build not in mut.anchor or mut.exon is None:
        raise SystemExit(f"{mut.gene}: no verified CDS in the panel and no literature anchor")
    chrom, pos, ref, alt = mut.anchor[build]
    expect_ref = mut.ref if tx.strand > 0 else mut.ref.translate(COMPLEMENT)
    if chrom != tx.chrom or ref != expect_ref:
        raise SystemExit(f"{mut.gene}: anchor {mut.anchor[build]} disagrees with panel strand/chrom")
    if not any(s <= pos <= e for s, e in map(_exon_bounds, tx.exons)):
        raise SystemExit(f"{mut.gene}: anchor {pos} is not in an exon of {tx.transcript_id}")
    return Placed(mut, build, chrom, pos, ref, alt, tx.transcript_id, tx.refseq or "",
                  tx.strand, mut.exon[0], mut.exon[1], None, None,
                  3 * (tx.protein_length + 1), tx.protein_length)


def panel_build(panel: Panel) -> str:
    return str(panel.build)


def exon_boundary(panel: Panel, gene: str, exon_number: int, side: str) -> tuple[str, int]:
    """Genomic base at the 3' end ('donor') or 5' start ('acceptor') of an exon, in transcript
    orientation: the breakpoint a caller reports for a junction at that exon boundary."""
    tx = panel.transcript(gene)
    start, end = _exon_bounds(tx.exon(exon_number))
    if side == "donor":
        return tx.chrom, end if tx.strand > 0 else start
    return tx.chrom, start if tx.strand > 0 else end


# --------------------------------------------------------------------------- writers
def _vcf_header(build: str, sample: str, extra: list[str]) -> list[str]:
    chrom_prefix = "chr" if build == "GRCh38" else ""
    lines = ["##fileformat=VCFv4.2",
             '##FILTER=<ID=PASS,Description="All filters passed">',
             "##source=Mutect2",
             f"##reference={build}"]
    lines += [f"##contig=<ID={chrom_prefix}{c},length={n},assembly={build}>"
              for c, n in CONTIGS[build].items()]
    lines += ['##INFO=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth; some reads '
              'may have been filtered">',
              '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
              '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths for the ref and '
              'alt alleles in the order listed">',
              '##FORMAT=<ID=AF,Number=A,Type=Float,Description="Allele fractions of alternate '
              'alleles in the tumor">',
              '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth (reads '
              'with MQ=255 or with bad mates are filtered)">']
    lines += extra
    lines.append("\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO",
                            "FORMAT", sample]))
    return lines


def _vcf_record(p: Placed, depth: int, alt_reads: int, info: str) -> str:
    chrom = f"chr{p.chrom}" if p.build == "GRCh38" else p.chrom
    af = alt_reads / depth
    return "\t".join([chrom, str(p.pos), ".", p.ref, p.alt, ".", "PASS",
                      f"DP={depth};{info}", "GT:AD:AF:DP",
                      f"0/1:{depth - alt_reads},{alt_reads}:{af:.4f}:{depth}"])


VEP_FIELDS = ("Allele|Consequence|IMPACT|SYMBOL|Gene|Feature_type|Feature|BIOTYPE|EXON|INTRON|"
              "HGVSc|HGVSp|cDNA_position|CDS_position|Protein_position|Amino_acids|Codons|"
              "Existing_variation|DISTANCE|STRAND|FLAGS|SYMBOL_SOURCE|HGNC_ID|CANONICAL|"
              "MANE_SELECT|ENSP|RefSeq")


def vep_vcf(sample: str, build: str, records: list[tuple[Placed, int, int]]) -> str:
    extra = [f'##VEP="v110" time="2023-08-04 10:12:31" cache="/opt/vep/.vep/homo_sapiens/'
             f'110_{build}" assembly="{build}.p14"',
             '##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from '
             f'Ensembl VEP. Format: {VEP_FIELDS}">',
             "##VEP-command-line='vep --assembly GRCh38 --cache --offline --format vcf --vcf "
             "--hgvs --symbol --canonical --mane_select --protein --refseq --numbers "
             "--input_file input.vcf --output_file output.vcf'"]
    lines = _vcf_header(build, sample, extra)
    for p, depth, alt_reads in records:
        gene_id, hgnc = GENE_IDS[p.mut.gene]
        ensp = ENSP[p.mut.gene]  # KeyError = do not use VEP for a gene whose ENSP we lack
        # Codons would need the other two reference bases, which the HGVS c. does not state
        csq = "|".join([p.alt, "missense_variant", "MODERATE", p.mut.gene, gene_id, "Transcript",
                        p.transcript, "protein_coding", f"{p.exon}/{p.n_exons}", "",
                        f"{p.transcript}:{p.mut.hgvs_c}", f"{ensp}:{p.mut.hgvs_p3}",
                        str(p.cdna_pos), str(p.mut.c_pos), str(p.mut.aa_pos),
                        f"{p.mut.ref_aa}/{p.mut.alt_aa}", "", "", "", str(p.strand), "", "HGNC",
                        hgnc, "YES", p.refseq, ensp, p.refseq.split(".")[0]])
        lines.append(_vcf_record(p, depth, alt_reads, f"CSQ={csq}"))
    return "\n".join(lines) + "\n"


def snpeff_vcf(sample: str, build: str, records: list[tuple[Placed, int, int]]) -> str:
    extra = ['##SnpEffVersion="4.3t (build 2017-11-24 10:18), by Pablo Cingolani"',
             f'##SnpEffCmd="SnpEff  -noStats {build}.86 input.vcf "',
             '##INFO=<ID=ANN,Number=.,Type=String,Description="Functional annotations: \'Allele | '
             'Annotation | Annotation_Impact | Gene_Name | Gene_ID | Feature_Type | Feature_ID | '
             'Transcript_BioType | Rank | HGVS.c | HGVS.p | cDNA.pos / cDNA.length | CDS.pos / '
             'CDS.length | AA.pos / AA.length | Distance | ERRORS / WARNINGS / INFO\' ">',
             '##INFO=<ID=LOF,Number=.,Type=String,Description="Predicted loss of function effects '
             'for this variant. Format: \'Gene_Name | Gene_ID | Number_of_transcripts_in_gene | '
             'Percent_of_transcripts_affected\'">',
             '##INFO=<ID=NMD,Number=.,Type=String,Description="Predicted nonsense mediated decay '
             'effects for this variant. Format: \'Gene_Name | Gene_ID | '
             'Number_of_transcripts_in_gene | Percent_of_transcripts_affected\'">']
    lines = _vcf_header(build, sample, extra)
    for p, depth, alt_reads in records:
        gene_id, _ = GENE_IDS[p.mut.gene]
        cdna = f"{p.cdna_pos}/{p.cdna_len}" if p.cdna_pos else ""  # unknown UTR: left empty
        ann = "|".join([p.alt, "missense_variant", "MODERATE", p.mut.gene, gene_id, "transcript",
                        p.transcript, "protein_coding", f"{p.exon}/{p.n_exons}", p.mut.hgvs_c,
                        p.mut.hgvs_p3, cdna, f"{p.mut.c_pos}/{p.cds_len}",
                        f"{p.mut.aa_pos}/{p.protein_len}", "", ""])
        lines.append(_vcf_record(p, depth, alt_reads, f"ANN={ann}"))
    return "\n".join(lines) + "\n"


MAF_COLUMNS = (
    "Hugo_Symbol Entrez_Gene_Id Center NCBI_Build Chromosome Start_Position End_Position Strand "
    "Variant_Classification Variant_Type Reference_Allele Tumor_Seq_Allele1 Tumor_Seq_Allele2 "
    "dbSNP_RS dbSNP_Val_Status Tumor_Sample_Barcode Matched_Norm_Sample_Barcode "
    "Match_Norm_Seq_Allele1 Match_Norm_Seq_Allele2 Tumor_Validation_Allele1 "
    "Tumor_Validation_Allele2 Match_Norm_Validation_Allele1 Match_Norm_Validation_Allele2 "
    "Verification_Status Validation_Status Mutation_Status Sequencing_Phase Sequence_Source "
    "Validation_Method Score BAM_File Sequencer Tumor_Sample_UUID Matched_Norm_Sample_UUID HGVSc "
    "HGVSp HGVSp_Short Transcript_ID Exon_Number t_depth t_ref_count t_alt_count n_depth "
    "n_ref_count n_alt_count all_effects Allele Gene Feature Feature_type Consequence "
    "cDNA_position CDS_position Protein_position Amino_acids Codons Existing_variation ALLELE_NUM "
    "DISTANCE STRAND_VEP SYMBOL SYMBOL_SOURCE HGNC_ID BIOTYPE CANONICAL CCDS ENSP SWISSPROT "
    "TREMBL UNIPARC RefSeq SIFT PolyPhen EXON INTRON DOMAINS AF AFR_AF AMR_AF ASN_AF EAS_AF "
    "EUR_AF SAS_AF AA_AF EA_AF CLIN_SIG SOMATIC PUBMED MOTIF_NAME MOTIF_POS HIGH_INF_POS "
    "MOTIF_SCORE_CHANGE IMPACT PICK VARIANT_CLASS TSL HGVS_OFFSET PHENO MINIMISED ExAC_AF "
    "ExAC_AF_AFR ExAC_AF_AMR ExAC_AF_EAS ExAC_AF_FIN ExAC_AF_NFE ExAC_AF_OTH ExAC_AF_SAS "
    "GENE_PHENO FILTER flanking_bps vcf_id vcf_qual ExAC_AF_Adj ExAC_AC_AN_Adj ExAC_AC_AN "
    "ExAC_AC_AN_AFR ExAC_AC_AN_AMR ExAC_AC_AN_EAS ExAC_AC_AN_FIN ExAC_AC_AN_NFE ExAC_AC_AN_OTH "
    "ExAC_AC_AN_SAS ExAC_FILTER gnomAD_AF gnomAD_AFR_AF gnomAD_AMR_AF gnomAD_ASJ_AF "
    "gnomAD_EAS_AF gnomAD_FIN_AF gnomAD_NFE_AF gnomAD_OTH_AF gnomAD_SAS_AF vcf_pos").split()
ENTREZ = {"ALK": "238"}


def vcf2maf(sample: str, build: str, records: list[tuple[Placed, int, int]]) -> str:
    """A MAF as vcf2maf.pl 1.6 writes it (its #version line and column order)."""
    lines = ["#version 2.4", "\t".join(MAF_COLUMNS)]
    for p, depth, alt_reads in records:
        # MAF alleles are on the + strand, like the VCF
        gene_id, hgnc = GENE_IDS[p.mut.gene]
        values = {
            "Hugo_Symbol": p.mut.gene, "Entrez_Gene_Id": ENTREZ[p.mut.gene], "Center": ".",
            "NCBI_Build": build, "Chromosome": p.chrom, "Start_Position": str(p.pos),
            "End_Position": str(p.pos), "Strand": "+", "Variant_Classification":
            "Missense_Mutation", "Variant_Type": "SNP", "Reference_Allele": p.ref,
            "Tumor_Seq_Allele1": p.ref, "Tumor_Seq_Allele2": p.alt, "Tumor_Sample_Barcode": sample,
            "HGVSc": p.mut.hgvs_c, "HGVSp": p.mut.hgvs_p3, "HGVSp_Short": p.mut.hgvs_p1,
            "Transcript_ID": p.transcript, "Exon_Number": f"{p.exon}/{p.n_exons}",
            "t_depth": str(depth), "t_ref_count": str(depth - alt_reads),
            "t_alt_count": str(alt_reads),
            "all_effects": f"{p.mut.gene},missense_variant,{p.mut.hgvs_p1},{p.transcript},"
                           f"{p.mut.hgvs_c},{p.mut.hgvs_p3},",
            "Allele": p.alt, "Gene": gene_id, "Feature": p.transcript,
            "Feature_type": "Transcript", "Consequence": "missense_variant",
            "cDNA_position": f"{p.cdna_pos}/{p.cdna_len}",
            "CDS_position": f"{p.mut.c_pos}/{p.cds_len}",
            "Protein_position": f"{p.mut.aa_pos}/{p.protein_len}",
            "Amino_acids": f"{p.mut.ref_aa}/{p.mut.alt_aa}", "ALLELE_NUM": "1",
            "STRAND_VEP": str(p.strand), "SYMBOL": p.mut.gene, "SYMBOL_SOURCE": "HGNC",
            "HGNC_ID": hgnc, "BIOTYPE": "protein_coding", "CANONICAL": "YES",
            "RefSeq": p.refseq.split(".")[0], "EXON": f"{p.exon}/{p.n_exons}",
            "IMPACT": "MODERATE", "PICK": "1", "VARIANT_CLASS": "SNV", "FILTER": "PASS",
            "vcf_id": ".", "vcf_qual": ".", "vcf_pos": str(p.pos),
        }
        lines.append("\t".join(values.get(c, "") for c in MAF_COLUMNS))
    return "\n".join(lines) + "\n"


ARRIBA_COLUMNS = ("#gene1 gene2 strand1(gene/fusion) strand2(gene/fusion) breakpoint1 breakpoint2 "
                  "site1 site2 type split_reads1 split_reads2 discordant_mates coverage1 coverage2 "
                  "confidence reading_frame tags retained_protein_domains "
                  "closest_genomic_breakpoint1 closest_genomic_breakpoint2 gene_id1 gene_id2 "
                  "transcript_id1 transcript_id2 direction1 direction2 filters fusion_transcript "
                  "peptide_sequence read_identifiers").split()


def arriba(panel: Panel, five: str, five_exon: int, three: str, three_exon: int) -> str:
    c1, b1 = exon_boundary(panel, five, five_exon, "donor")
    c2, b2 = exon_boundary(panel, three, three_exon, "acceptor")
    t1, t2 = panel.transcript(five), panel.transcript(three)
    s1 = "+" if t1.strand > 0 else "-"
    s2 = "+" if t2.strand > 0 else "-"
    row = [five, three, f"{s1}/{s1}", f"{s2}/{s2}", f"{c1}:{b1}", f"{c2}:{b2}", "splice-site",
           "splice-site", "inversion" if c1 == c2 and s1 != s2 else "translocation", "14", "19",
           "23", "212", "96", "high", "in-frame", "Mitelman",
           "WD40_repeat(100%)|Protein_kinase_domain(100%)", ".", ".", GENE_IDS[five][0],
           GENE_IDS[three][0], t1.transcript_id, t2.transcript_id, "downstream", "upstream", ".",
           ".", ".", "."]
    return "\t".join(ARRIBA_COLUMNS) + "\n" + "\t".join(row) + "\n"


def star_fusion(panel: Panel, five: str, five_exon: int, three: str, three_exon: int) -> str:
    c1, b1 = exon_boundary(panel, five, five_exon, "donor")
    c2, b2 = exon_boundary(panel, three, three_exon, "acceptor")
    t1, t2 = panel.transcript(five), panel.transcript(three)
    header = ["#FusionName", "JunctionReadCount", "SpanningFragCount", "SpliceType", "LeftGene",
              "LeftBreakpoint", "RightGene", "RightBreakpoint", "LargeAnchorSupport", "FFPM",
              "LeftBreakDinuc", "LeftBreakEntropy", "RightBreakDinuc", "RightBreakEntropy",
              "annots"]
    row = [f"{five}--{three}", "31", "12", "ONLY_REF_SPLICE", f"{five}^{GENE_IDS[five][0]}",
           f"chr{c1}:{b1}:{'+' if t1.strand > 0 else '-'}", f"{three}^{GENE_IDS[three][0]}",
           f"chr{c2}:{b2}:{'+' if t2.strand > 0 else '-'}", "YES_LDAS", "1.2403", "GT", "1.8892",
           "AG", "1.9656", f'["{five}--{three}","Mitelman","ChimerKB","ChimerPub","INTERCHROMOSOMAL'
           f'[chr{c1}--chr{c2}]"]']
    return "\t".join(header) + "\n" + "\t".join(row) + "\n"


FUSIONCATCHER_COLUMNS = [
    "Gene_1_symbol(5end_fusion_partner)", "Gene_2_symbol(3end_fusion_partner)",
    "Fusion_description", "Counts_of_common_mapping_reads", "Spanning_pairs",
    "Spanning_unique_reads", "Longest_anchor_found", "Fusion_finding_method",
    "Fusion_point_for_gene_1(5end_fusion_partner)", "Fusion_point_for_gene_2(3end_fusion_partner)",
    "Gene_1_id(5end_fusion_partner)", "Gene_2_id(3end_fusion_partner)",
    "Exon_1_id(5end_fusion_partner)", "Exon_2_id(3end_fusion_partner)", "Fusion_sequence",
    "Predicted_effect"]


def fusioncatcher(panel: Panel, five: str, five_exon: int, three: str, three_exon: int) -> str:
    c1, b1 = exon_boundary(panel, five, five_exon, "donor")
    c2, b2 = exon_boundary(panel, three, three_exon, "acceptor")
    t1, t2 = panel.transcript(five), panel.transcript(three)
    row = [five, three, "known,oncogene,cosmic,chimerdb2,cgp,ticdb,cancer,tumor,exon-exon", "0",
           "11", "9", "31", "BOWTIE;BOWTIE+BLAT",
           f"{c1}:{b1}:{'+' if t1.strand > 0 else '-'}",
           f"{c2}:{b2}:{'+' if t2.strand > 0 else '-'}", GENE_IDS[five][0], GENE_IDS[three][0],
           "", "", "", "in-frame"]
    return "\t".join(FUSIONCATCHER_COLUMNS) + "\n" + "\t".join(row) + "\n"


def cnvkit_cns(panel: Panel, amplified: dict[str, float], neutral: list[str]) -> str:
    """CNVkit segment table (.cns): 0-based start; one segment per panel gene span."""
    rows = []
    for gene in [*amplified, *neutral]:
        tx = panel.transcript(gene)
        start = min(e.start for e in tx.exons) - 1
        end = max(e.end for e in tx.exons)
        log2 = amplified.get(gene, 0.0)
        probes = max(4, len(tx.exons))
        rows.append((tx.chrom, start, end, gene, log2, probes))
    rows.sort(key=lambda r: (int(r[0]) if r[0].isdigit() else 99, r[1]))
    out = ["chromosome\tstart\tend\tgene\tlog2\tdepth\tprobes\tweight"]
    for chrom, start, end, gene, log2, probes in rows:
        depth = 512.0 * 2 ** log2
        out.append(f"chr{chrom}\t{start}\t{end}\t{gene}\t{log2:.4f}\t{depth:.2f}\t{probes}\t"
                   f"{probes * 0.92:.3f}")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- the demo batch
SHEET_COLUMNS = ("sample_id patient_id specimen tumor_type collection_date genome_build "
                 "prior_therapies current_therapy vcf vcf_sample fusions fusion_format cnv "
                 "cnv_format tumor_fraction purity cns_involvement").split()


def _mutation_note(p: Placed) -> str:
    m = p.mut
    strand = "minus" if p.strand < 0 else "plus"
    how = (f"codon {m.aa_pos} base {m.codon_base} = {m.hgvs_c.split('>')[0][2:]}; "
           f"`Transcript.codon_positions({m.aa_pos})[{m.codon_base - 1}]` = {p.pos}"
           if p.cdna_pos is not None else
           "panel has no verified CDS for this gene; literature coordinate, checked to lie in an "
           "exon of the panel transcript")
    comp = (f"{strand} strand, so VCF REF/ALT are the complements {p.ref}>{p.alt}"
            if p.strand < 0 else f"{strand} strand, VCF REF/ALT = {p.ref}>{p.alt}")
    return (f"| {m.gene} {m.hgvs_p1} | {p.build} | {p.transcript} ({p.refseq}) | {m.hgvs_c} | "
            f"{how} | {comp} | {p.chrom}:{p.pos} {p.ref}>{p.alt} | {m.source} |")


def _fusion_note(panel: Panel, five: str, five_exon: int, three: str, three_exon: int,
                 caller: str) -> str:
    c1, b1 = exon_boundary(panel, five, five_exon, "donor")
    c2, b2 = exon_boundary(panel, three, three_exon, "acceptor")
    t1, t2 = panel.transcript(five), panel.transcript(three)
    return (f"| {five} exon {five_exon} :: {three} exon {three_exon} | {panel_build(panel)} | "
            f"{caller} | last base of {five} exon {five_exon} ({t1.transcript_id}, "
            f"{'+' if t1.strand > 0 else '-'} strand) = {c1}:{b1} | first base of {three} exon "
            f"{three_exon} ({t2.transcript_id}, {'+' if t2.strand > 0 else '-'} strand) = "
            f"{c2}:{b2} |")


def build_demo() -> dict[Path, str]:
    """All demo files, keyed by path (nothing written yet)."""
    p38, p37 = Panel.load("GRCh38"), Panel.load("GRCh37")
    files: dict[Path, str] = {}
    rows: list[dict[str, str]] = []

    def add(row: dict[str, str]) -> None:
        rows.append(row)

    # P01: EML4-ALK NSCLC on alectinib; G1202R rising across three plasma draws (VEP CSQ)
    g1202r = place(p38, G1202R)
    for i, (date, depth, alt) in enumerate([("2023-02-01", 8200, 25), ("2023-05-03", 7900, 118),
                                            ("2023-08-02", 8400, 412)], start=1):
        sid = f"P01-PL{i}"
        files[DATA / f"{sid}.vep.vcf"] = vep_vcf(sid, "GRCh38", [(g1202r, depth, alt)])
        add({"sample_id": sid, "patient_id": "P01", "specimen": "plasma", "tumor_type": "NSCLC",
             "collection_date": date, "genome_build": "GRCh38",
             "prior_therapies": "crizotinib", "current_therapy": "alectinib",
             "vcf": f"../.test/data/{sid}.vep.vcf", "vcf_sample": sid})
    # P02: EML4-ALK v1 (E13;A20, Arriba) tissue after lorlatinib; MET amplification (CNVkit)
    # and KRAS G12C (snpEff) as ALK-independent bypass
    g12c = place(p38, G12C)
    files[DATA / "P02-T1.snpeff.vcf"] = snpeff_vcf("P02-T1", "GRCh38", [(g12c, 640, 118)])
    files[DATA / "P02-T1.arriba.tsv"] = arriba(p38, "EML4", 13, "ALK", 20)
    files[DATA / "P02-T1.cns"] = cnvkit_cns(p38, {"MET": 2.9}, ["ALK", "EGFR", "KRAS"])
    add({"sample_id": "P02-T1", "patient_id": "P02", "specimen": "tissue", "tumor_type": "NSCLC",
         "collection_date": "2023-06-14", "genome_build": "GRCh38",
         "prior_therapies": "alectinib;lorlatinib", "current_therapy": "lorlatinib",
         "vcf": "../.test/data/P02-T1.snpeff.vcf", "fusions": "../.test/data/P02-T1.arriba.tsv",
         "fusion_format": "arriba", "cnv": "../.test/data/P02-T1.cns", "cnv_format": "cnvkit",
         "purity": "0.6"})
    # P03: CSF ctDNA, brain-only progression on alectinib; ALK I1171N, GRCh37 MAF (vcf2maf)
    i1171n = place(p37, I1171N)
    files[DATA / "P03-CSF1.maf"] = vcf2maf("P03-CSF1", "GRCh37", [(i1171n, 1900, 228)])
    add({"sample_id": "P03-CSF1", "patient_id": "P03", "specimen": "csf", "tumor_type": "NSCLC",
         "collection_date": "2022-11-21", "genome_build": "GRCh37",
         "prior_therapies": "crizotinib;alectinib", "current_therapy": "alectinib",
         "vcf": "../.test/data/P03-CSF1.maf", "cns_involvement": "yes"})
    # P04: CD74-ROS1 (C6;R34, STAR-Fusion) NSCLC after crizotinib; ROS1 G2032R (snpEff)
    g2032r = place(p38, G2032R)
    files[DATA / "P04-T1.snpeff.vcf"] = snpeff_vcf("P04-T1", "GRCh38", [(g2032r, 720, 151)])
    files[DATA / "P04-T1.star-fusion.tsv"] = star_fusion(p38, "CD74", 6, "ROS1", 34)
    add({"sample_id": "P04-T1", "patient_id": "P04", "specimen": "tissue", "tumor_type": "NSCLC",
         "collection_date": "2024-01-09", "genome_build": "GRCh38",
         "prior_therapies": "crizotinib", "current_therapy": "crizotinib",
         "vcf": "../.test/data/P04-T1.snpeff.vcf",
         "fusions": "../.test/data/P04-T1.star-fusion.tsv", "fusion_format": "star_fusion",
         "purity": "0.5"})
    # P05: ETV6-NTRK3 (E5;N15, FusionCatcher) infantile fibrosarcoma after larotrectinib; G623R
    g623r = place(p38, G623R)
    files[DATA / "P05-T1.snpeff.vcf"] = snpeff_vcf("P05-T1", "GRCh38", [(g623r, 540, 97)])
    files[DATA / "P05-T1.fusioncatcher.txt"] = fusioncatcher(p38, "ETV6", 5, "NTRK3", 15)
    add({"sample_id": "P05-T1", "patient_id": "P05", "specimen": "tissue",
         "tumor_type": "infantile fibrosarcoma", "collection_date": "2022-04-27",
         "genome_build": "GRCh38", "prior_therapies": "larotrectinib",
         "current_therapy": "larotrectinib", "vcf": "../.test/data/P05-T1.snpeff.vcf",
         "fusions": "../.test/data/P05-T1.fusioncatcher.txt", "fusion_format": "fusioncatcher",
         "purity": "0.7"})
    # P06: plasma with only a clonal-haematopoiesis variant (DNMT3A R882H) and low tumour fraction
    r882h = place(p38, R882H)
    files[DATA / "P06-PL1.snpeff.vcf"] = snpeff_vcf("P06-PL1", "GRCh38", [(r882h, 6100, 67)])
    add({"sample_id": "P06-PL1", "patient_id": "P06", "specimen": "plasma", "tumor_type": "NSCLC",
         "collection_date": "2024-02-19", "genome_build": "GRCh38",
         "prior_therapies": "alectinib", "current_therapy": "alectinib",
         "vcf": "../.test/data/P06-PL1.snpeff.vcf", "tumor_fraction": "0.004"})

    mutation_notes = [_mutation_note(p) for p in (g1202r, i1171n, g2032r, g623r, g12c, r882h)]
    fusion_notes = [_fusion_note(p38, "EML4", 13, "ALK", 20, "Arriba (P02-T1)"),
                    _fusion_note(p38, "CD74", 6, "ROS1", 34, "STAR-Fusion (P04-T1)"),
                    _fusion_note(p38, "ETV6", 5, "NTRK3", 15, "FusionCatcher (P05-T1)")]
    met = p38.transcript("MET")
    files[REPO / ".test" / "README.md"] = README_TEMPLATE.format(
        mutations="\n".join(mutation_notes), fusions="\n".join(fusion_notes),
        met=f"{met.chrom}:{min(e.start for e in met.exons)}-{max(e.end for e in met.exons)}")

    sheet = ["# kinres demo batch: written by scripts/make_demo.py (see .test/README.md)",
             "\t".join(SHEET_COLUMNS)]
    sheet += ["\t".join(row.get(c, "") for c in SHEET_COLUMNS) for row in rows]
    files[SHEET] = "\n".join(sheet) + "\n"
    return files


README_TEMPLATE = """# kinres demo batch

Written by `scripts/make_demo.py` (do not edit by hand; rerun the script). The sample sheet is
`config/samples.tsv`; `config/config.yaml` runs it by default. The files are small synthetic
*records* placed on **real coordinates**: every position comes from the committed panel tables
(`resources/panel/`, via `kinres.annotate.transcripts.Panel`), and every reference base from the
literature HGVS c. notation, so nothing here needs a genome sequence.

## Cases

| sample | specimen | scenario | files (annotator / caller) |
|---|---|---|---|
| P01-PL1, P01-PL2, P01-PL3 | plasma | EML4-ALK NSCLC after crizotinib, on alectinib; ALK G1202R VAF 0.3% -> 1.5% -> 4.9% over three draws | `P01-PL*.vep.vcf` (Ensembl VEP CSQ) |
| P02-T1 | tissue | EML4-ALK v1 after alectinib and lorlatinib; ALK-independent resistance: MET focal amplification (log2 2.9, purity 0.6) and KRAS G12C | `P02-T1.arriba.tsv` (Arriba), `P02-T1.cns` (CNVkit), `P02-T1.snpeff.vcf` (snpEff ANN) |
| P03-CSF1 | CSF | brain-only progression on alectinib; ALK I1171N; GRCh37 | `P03-CSF1.maf` (vcf2maf 1.6 MAF) |
| P04-T1 | tissue | CD74-ROS1 NSCLC progressing on crizotinib; ROS1 G2032R | `P04-T1.star-fusion.tsv` (STAR-Fusion), `P04-T1.snpeff.vcf` |
| P05-T1 | tissue | ETV6-NTRK3 infantile fibrosarcoma progressing on larotrectinib; NTRK3 G623R | `P05-T1.fusioncatcher.txt` (FusionCatcher), `P05-T1.snpeff.vcf` |
| P06-PL1 | plasma | ALK NSCLC on alectinib; only DNMT3A R882H (clonal haematopoiesis) at 1.1%, tumour fraction 0.4% | `P06-PL1.snpeff.vcf` |

## How each point mutation was placed

The HGVS c. position of codon *n* base *k* is 3(n-1)+k. The literature names the coding-strand
reference base at that position (c.3604**G**>A); for a glycine codon (GGN) the first base is G by
the genetic code as well. `Transcript.codon_positions(n)` maps the codon to genomic positions on
the reporting transcript, and `Transcript.c_position()` is checked to give back the same c.
position. On minus-strand genes (ALK, ROS1, NTRK3, KRAS, DNMT3A) the VCF REF/ALT are the
complements of the coding bases. The other two bases of each codon are unknown here, so VEP's
`Codons` field is left empty. Where an independent genomic anchor is known the script asserts the
panel reproduces it (ALK I1171N GRCh37, KRAS G12C GRCh38).

| change | build | transcript | HGVS c. | derivation | strand | VCF position | source |
|---|---|---|---|---|---|---|---|
{mutations}

## How each fusion breakpoint was placed

Junctions are at exon boundaries of the reporting transcripts (RNA callers report the last
transcribed base of the 5' partner's exon and the first base of the 3' partner's exon, in
transcript orientation; on a minus-strand gene that is the exon's lowest / highest coordinate).

| junction | build | caller | 5' breakpoint | 3' breakpoint |
|---|---|---|---|---|
{fusions}

The CNVkit segments span each gene's panel transcript (0-based start, as CNVkit writes);
MET = chr{met} (1-based). Read counts, VAFs and caller scores are illustrative.

## Header lines

VCF headers carry the annotators' real definition lines (VEP `##VEP` / CSQ `Format:`; snpEff
`##SnpEffVersion` / ANN `Functional annotations:`), the MAF uses vcf2maf's `#version 2.4` line and
column order, and the fusion files use each caller's own column header.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    files = build_demo()
    stale = []
    for path, text in files.items():
        current = path.read_text() if path.is_file() else ""
        if current == text:
            continue
        if args.check:
            stale.append(path)
            sys.stdout.writelines(difflib.unified_diff(current.splitlines(True),
                                                       text.splitlines(True), str(path), "new"))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            print(f"wrote {path.relative_to(REPO)}")
    if stale:
        print(f"{len(stale)} demo file(s) out of date; run scripts/make_demo.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
