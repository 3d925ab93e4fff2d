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
from kinres.io.fusions.contigs import CHROM_LENGTHS

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / ".test" / "data"
SHEET = REPO / "config" / "samples.tsv"
COMPLEMENT = str.maketrans("ACGT", "TGCA")
AA3 = {"A": "Ala", "R": "Arg", "N": "Asn", "D": "Asp", "C": "Cys", "Q": "Gln", "E": "Glu",
       "G": "Gly", "H": "His", "I": "Ile", "L": "Leu", "K": "Lys", "M": "Met", "F": "Phe",
       "P": "Pro", "S": "Ser", "T": "Thr", "W": "Trp", "Y": "Tyr", "V": "Val", "*": "*"}
# GRCh38 / GRCh37 primary-assembly lengths of the chromosomes the demo uses (VCF ##contig lines)
CONTIGS = {
    "GRCh38": {c: CHROM_LENGTHS["GRCh38"][c]
               for c in ("1", "2", "3", "5", "6", "7", "12", "13", "15", "17")},
    "GRCh37": {"2": 243199373},
}
# Ensembl gene IDs and HGNC IDs written by the annotators (stable identifiers, not versioned)
GENE_IDS = {"ALK": ("ENSG00000171094", "HGNC:427"), "ROS1": ("ENSG00000047936", "HGNC:10261"),
            "NTRK3": ("ENSG00000140538", "HGNC:8033"), "KRAS": ("ENSG00000133703", "HGNC:6407"),
            "DNMT3A": ("ENSG00000119772", "HGNC:2978"), "EML4": ("ENSG00000143924", "HGNC:1316"),
            "CD74": ("ENSG00000019582", "HGNC:1697"), "ETV6": ("ENSG00000139083", "HGNC:3495"),
            "MET": ("ENSG00000105976", "HGNC:7029"), "TP53": ("ENSG00000141510", "HGNC:11998"),
            "RB1": ("ENSG00000139687", "HGNC:9884"), "NTRK1": ("ENSG00000198400", "HGNC:8031"),
            "TPM3": ("ENSG00000143549", "HGNC:12012"), "BRAF": ("ENSG00000157764", "HGNC:1097"),
            "EGFR": ("ENSG00000146648", "HGNC:3236"), "LMNA": ("ENSG00000160789", "HGNC:6636"),
            "PIK3CA": ("ENSG00000121879", "HGNC:8975")}
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
        alt = "=" if self.alt_aa == self.ref_aa else self.alt_aa
        return f"p.{self.ref_aa}{self.aa_pos}{alt}"

    @property
    def consequence(self) -> tuple[str, str]:
        """(Sequence Ontology term, snpEff/VEP impact)."""
        if self.alt_aa == self.ref_aa:
            return "synonymous_variant", "LOW"
        if self.alt_aa == "*":
            return "stop_gained", "HIGH"
        return "missense_variant", "MODERATE"


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

# P07: the lorlatinib-resistant compound. ALK L1196M is c.3586C>A (CTG>ATG: Met has the single
# codon ATG, so the reference codon is CTG; that also fixes c.3588G for the synonymous noise).
L1196M = PointMutation("ALK", 1196, "L", "M", 1, "C", "A",
                       "ALK c.3586C>A (Choi 2010 NEJM; Met = ATG, so codon 1196 is CTG)")
L1196_SYN = PointMutation("ALK", 1196, "L", "L", 3, "G", "A",
                          "ALK c.3588G>A p.(Leu1196=) (CTG>CTA; codon fixed by L1196M = ATG)")
# P09: NTRK1 xDFG G667C, c.1999G>T (GGC/GGT > TGC/TGT: only base 1 changes Gly to Cys)
G667C = PointMutation("NTRK1", 667, "G", "C", 1, "G", "T",
                      "NTRK1 c.1999G>T (Cocco 2019 Cancer Discov, DOI 10.1158/2159-8290.CD-20-0571)")
# P08: TP53 R213* c.637C>T (CGA>TGA), a recurrent truncating TP53 mutation
R213X = PointMutation("TP53", 213, "R", "*", 1, "C", "T",
                      "TP53 c.637C>T (IARC TP53 database; CGA>TGA)")
# Noise. Real somatic calls from the public PCGR examples (shared/data/examples/pcgr, TCGA
# MC3 GRCh38 records, so the genome base is real): TP53 V272M and an LMNA intronic SNV.
V272M = PointMutation("TP53", 272, "V", "M", 1, "G", "A",
                      "TP53 c.814G>A (PCGR T001-BRCA GRCh38 chr17:7673806 C>T)",
                      anchor={"GRCh38": ("17", 7673806, "C", "T")})
V600E = PointMutation("BRAF", 600, "V", "E", 2, "T", "A",
                      "BRAF c.1799T>A (CDS-HINTS and PCGR T001-COAD: GRCh38 chr7:140753336 A>T)",
                      anchor={"GRCh38": ("7", 140753336, "A", "T")})
T790M = PointMutation("EGFR", 790, "T", "M", 2, "C", "T",
                      "EGFR c.2369C>T (GRCh38 chr7:55181378 C>T)",
                      anchor={"GRCh38": ("7", 55181378, "C", "T")})
G12D = PointMutation("KRAS", 12, "G", "D", 2, "G", "A",
                     "KRAS c.35G>A (GRCh38 chr12:25245350 C>T)",
                     anchor={"GRCh38": ("12", 25245350, "C", "T")})
G12V = PointMutation("KRAS", 12, "G", "V", 2, "G", "T",
                     "KRAS c.35G>T (GRCh38 chr12:25245350 C>A)",
                     anchor={"GRCh38": ("12", 25245350, "C", "A")})
H1047R = PointMutation("PIK3CA", 1047, "H", "R", 2, "A", "G",
                       "PIK3CA c.3140A>G (PCGR T001-BRCA GRCh38 chr3:179234297 A>G)",
                       anchor={"GRCh38": ("3", 179234297, "A", "G")})
# Off-panel records: real TCGA calls (PCGR T001-COAD) outside every panel gene
OFF_PANEL = (("1", 1042010, "G", "A"), ("1", 1046550, "C", "T"))
# LMNA intron 10 (c.1699-56C>T): real TCGA call (PCGR T001-COAD chr1:156138432 C>T)
LMNA_INTRONIC = ("1", 156138432, "C", "T", "c.1699-56C>T")


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
MUTECT2_FILTERS = {
    "weak_evidence": "Mutation does not meet likelihood threshold",
    "strand_bias": "Evidence for alt allele comes from one read direction only",
    "multiallelic": "Site filtered because too many alt alleles pass tumor LOD",
}


def _contig_lines(build: str) -> list[str]:
    chrom_prefix = "chr" if build == "GRCh38" else ""
    return [f"##contig=<ID={chrom_prefix}{c},length={n},assembly={build}>"
            for c, n in CONTIGS[build].items()]


def _vcf_header(build: str, sample: str, extra: list[str]) -> list[str]:
    lines = ["##fileformat=VCFv4.2",
             '##FILTER=<ID=PASS,Description="All filters passed">']
    lines += [f'##FILTER=<ID={k},Description="{v}">' for k, v in MUTECT2_FILTERS.items()]
    lines += ["##source=Mutect2", f"##reference={build}", f"##tumor_sample={sample}"]
    lines += _contig_lines(build)
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


@dataclass(frozen=True)
class Call:
    """One VCF data line: a case mutation or realistic noise (filtered calls, passengers,
    off-panel and multiallelic records). `ann` holds one snpEff ANN entry per ALT allele
    (empty: not annotated)."""

    chrom: str
    pos: int
    ref: str
    alts: tuple[str, ...]
    depth: int
    alt_reads: tuple[int, ...]
    filt: str = "PASS"
    ann: tuple[str, ...] = ()
    why: str = ""  # README note for noise records

    @property
    def vafs(self) -> tuple[float, ...]:
        return tuple(a / self.depth for a in self.alt_reads)


def _sort_key(build: str, chrom: str, pos: int) -> tuple[int, int]:
    return list(CONTIGS[build]).index(chrom), pos


def _chrom_name(build: str, chrom: str) -> str:
    return f"chr{chrom}" if build == "GRCh38" else chrom


def call_for(p: Placed, depth: int, alt_reads: int, filt: str = "PASS", why: str = "") -> Call:
    """A Call for a placed literature change, with its snpEff annotation."""
    return Call(p.chrom, p.pos, p.ref, (p.alt,), depth, (alt_reads,), filt, (snpeff_ann(p),), why)


def _mutect2_line(build: str, c: Call, info: str) -> str:
    ad = ",".join(map(str, (c.depth - sum(c.alt_reads), *c.alt_reads)))
    af = ",".join(f"{v:.4f}" for v in c.vafs)
    gt = "0/" + "/".join(str(i + 1) for i in range(len(c.alts)))
    return "\t".join([_chrom_name(build, c.chrom), str(c.pos), ".", c.ref, ",".join(c.alts), ".",
                      c.filt, f"DP={c.depth}" + (f";{info}" if info else ""), "GT:AD:AF:DP",
                      f"{gt}:{ad}:{af}:{c.depth}"])


def _vcf_record(p: Placed, depth: int, alt_reads: int, info: str) -> str:
    return _mutect2_line(p.build, Call(p.chrom, p.pos, p.ref, (p.alt,), depth, (alt_reads,)),
                         info)


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
        so, impact = p.mut.consequence
        # Codons would need the other two reference bases, which the HGVS c. does not state
        csq = "|".join([p.alt, so, impact, p.mut.gene, gene_id, "Transcript",
                        p.transcript, "protein_coding", f"{p.exon}/{p.n_exons}", "",
                        f"{p.transcript}:{p.mut.hgvs_c}", f"{ensp}:{p.mut.hgvs_p3}",
                        str(p.cdna_pos), str(p.mut.c_pos), str(p.mut.aa_pos),
                        f"{p.mut.ref_aa}/{p.mut.alt_aa}", "", "", "", str(p.strand), "", "HGNC",
                        hgnc, "YES", p.refseq, ensp, p.refseq.split(".")[0]])
        lines.append(_vcf_record(p, depth, alt_reads, f"CSQ={csq}"))
    return "\n".join(lines) + "\n"


SNPEFF_HEADER = [
    '##SnpEffVersion="4.3t (build 2017-11-24 10:18), by Pablo Cingolani"',
    '##SnpEffCmd="SnpEff  -noStats {build}.86 input.vcf "',
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


def snpeff_header(build: str) -> list[str]:
    return [line.replace("{build}", build) for line in SNPEFF_HEADER]


def snpeff_ann(p: Placed) -> str:
    """snpEff 4.3 ANN entry for a placed coding change on the reporting transcript."""
    gene_id, _ = GENE_IDS[p.mut.gene]
    so, impact = p.mut.consequence
    cdna = f"{p.cdna_pos}/{p.cdna_len}" if p.cdna_pos else ""  # unknown UTR: left empty
    hgvs_p = p.mut.hgvs_p3
    if p.mut.ref_aa == p.mut.alt_aa:  # snpEff writes synonymous changes as p.Leu1196Leu
        hgvs_p = f"p.{AA3[p.mut.ref_aa]}{p.mut.aa_pos}{AA3[p.mut.ref_aa]}"
    return "|".join([p.alt, so, impact, p.mut.gene, gene_id, "transcript", p.transcript,
                     "protein_coding", f"{p.exon}/{p.n_exons}", p.mut.hgvs_c, hgvs_p, cdna,
                     f"{p.mut.c_pos}/{p.cds_len}", f"{p.mut.aa_pos}/{p.protein_len}", "", ""])


def snpeff_vcf(sample: str, build: str, records: list[tuple[Placed, int, int]],
               noise: tuple[Call, ...] = ()) -> str:
    """Mutect2 VCF annotated by snpEff: the case's changes plus `noise` records, sorted."""
    lines = _vcf_header(build, sample, snpeff_header(build))
    calls = [call_for(p, depth, alt) for p, depth, alt in records] + list(noise)
    for c in sorted(calls, key=lambda c: _sort_key(build, c.chrom, c.pos)):
        lines.append(_mutect2_line(build, c, f"ANN={','.join(c.ann)}" if c.ann else ""))
    return "\n".join(lines) + "\n"


MAF_COLUMNS = ["Hugo_Symbol", "Entrez_Gene_Id", "Center", "NCBI_Build", "Chromosome", "Start_Position", "End_Position", "Strand", "Variant_Classification", "Variant_Type", "Reference_Allele", "Tumor_Seq_Allele1", "Tumor_Seq_Allele2", "dbSNP_RS", "dbSNP_Val_Status", "Tumor_Sample_Barcode", "Matched_Norm_Sample_Barcode", "Match_Norm_Seq_Allele1", "Match_Norm_Seq_Allele2", "Tumor_Validation_Allele1", "Tumor_Validation_Allele2", "Match_Norm_Validation_Allele1", "Match_Norm_Validation_Allele2", "Verification_Status", "Validation_Status", "Mutation_Status", "Sequencing_Phase", "Sequence_Source", "Validation_Method", "Score", "BAM_File", "Sequencer", "Tumor_Sample_UUID", "Matched_Norm_Sample_UUID", "HGVSc", "HGVSp", "HGVSp_Short", "Transcript_ID", "Exon_Number", "t_depth", "t_ref_count", "t_alt_count", "n_depth", "n_ref_count", "n_alt_count", "all_effects", "Allele", "Gene", "Feature", "Feature_type", "Consequence", "cDNA_position", "CDS_position", "Protein_position", "Amino_acids", "Codons", "Existing_variation", "ALLELE_NUM", "DISTANCE", "STRAND_VEP", "SYMBOL", "SYMBOL_SOURCE", "HGNC_ID", "BIOTYPE", "CANONICAL", "CCDS", "ENSP", "SWISSPROT", "TREMBL", "UNIPARC", "RefSeq", "SIFT", "PolyPhen", "EXON", "INTRON", "DOMAINS", "AF", "AFR_AF", "AMR_AF", "ASN_AF", "EAS_AF", "EUR_AF", "SAS_AF", "AA_AF", "EA_AF", "CLIN_SIG", "SOMATIC", "PUBMED", "MOTIF_NAME", "MOTIF_POS", "HIGH_INF_POS", "MOTIF_SCORE_CHANGE", "IMPACT", "PICK", "VARIANT_CLASS", "TSL", "HGVS_OFFSET", "PHENO", "MINIMISED", "ExAC_AF", "ExAC_AF_AFR", "ExAC_AF_AMR", "ExAC_AF_EAS", "ExAC_AF_FIN", "ExAC_AF_NFE", "ExAC_AF_OTH", "ExAC_AF_SAS", "GENE_PHENO", "FILTER", "flanking_bps", "vcf_id", "vcf_qual", "ExAC_AF_Adj", "ExAC_AC_AN_Adj", "ExAC_AC_AN", "ExAC_AC_AN_AFR", "ExAC_AC_AN_AMR", "ExAC_AC_AN_EAS", "ExAC_AC_AN_FIN", "ExAC_AC_AN_NFE", "ExAC_AC_AN_OTH", "ExAC_AC_AN_SAS", "ExAC_FILTER", "gnomAD_AF", "gnomAD_AFR_AF", "gnomAD_AMR_AF", "gnomAD_ASJ_AF", "gnomAD_EAS_AF", "gnomAD_FIN_AF", "gnomAD_NFE_AF", "gnomAD_OTH_AF", "gnomAD_SAS_AF", "vcf_pos"]
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


ARRIBA_COLUMNS = ["#gene1", "gene2", "strand1(gene/fusion)", "strand2(gene/fusion)", "breakpoint1", "breakpoint2", "site1", "site2", "type", "split_reads1", "split_reads2", "discordant_mates", "coverage1", "coverage2", "confidence", "reading_frame", "tags", "retained_protein_domains", "closest_genomic_breakpoint1", "closest_genomic_breakpoint2", "gene_id1", "gene_id2", "transcript_id1", "transcript_id2", "direction1", "direction2", "filters", "fusion_transcript", "peptide_sequence", "read_identifiers"]


def arriba(panel: Panel, five: str, five_exon: int, three: str, three_exon: int,
           frame: str = "in-frame") -> str:
    c1, b1 = exon_boundary(panel, five, five_exon, "donor")
    c2, b2 = exon_boundary(panel, three, three_exon, "acceptor")
    t1, t2 = panel.transcript(five), panel.transcript(three)
    s1 = "+" if t1.strand > 0 else "-"
    s2 = "+" if t2.strand > 0 else "-"
    row = [five, three, f"{s1}/{s1}", f"{s2}/{s2}", f"{c1}:{b1}", f"{c2}:{b2}", "splice-site",
           "splice-site", "inversion" if c1 == c2 and s1 != s2 else "translocation", "14", "19",
           "23", "212", "96", "high", frame, "Mitelman" if frame == "in-frame" else ".",
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


def intronic_call(panel: Panel, gene: str, site: tuple[str, int, str, str, str], depth: int,
                  alt_reads: int) -> Call:
    """A real intronic SNV annotated by snpEff (intron rank from the panel transcript)."""
    chrom, pos, ref, alt, hgvs_c = site
    tx = panel.transcript(gene)
    intron = tx.intron_at(pos)
    assert intron is not None and tx.chrom == chrom, f"{gene} {pos} is not intronic"
    assert tx.c_position(pos) == hgvs_c[2:].rstrip("ACGT>"), (tx.c_position(pos), hgvs_c)
    ann = "|".join([alt, "intron_variant", "MODIFIER", gene, GENE_IDS[gene][0], "transcript",
                    tx.transcript_id, "protein_coding", f"{intron}/{len(tx.exons) - 1}", hgvs_c,
                    "", "", "", "", "", ""])
    return Call(chrom, pos, ref, (alt,), depth, (alt_reads,), "PASS", (ann,),
                f"{gene} intron {intron} {hgvs_c}")


def off_panel_calls(panel: Panel, depth: int, alt_reads: int) -> tuple[Call, ...]:
    out = []
    for chrom, pos, ref, alt in OFF_PANEL:
        assert not panel.overlapping(chrom, pos), f"{chrom}:{pos} is in a panel gene"
        # annotated as snpEff would only with its database; the demo leaves ANN off (the panel
        # reader never opens these records)
        out.append(Call(chrom, pos, ref, (alt,), depth, (alt_reads,), "PASS", (),
                        "outside all panel genes"))
    return tuple(out)


# DRAGEN somatic small-variant VCF (tumour-only): its own header lines and FORMAT set
def dragen_vcf(sample: str, build: str, calls: list[Call]) -> str:
    lines = ["##fileformat=VCFv4.2",
             '##FILTER=<ID=PASS,Description="All filters passed">',
             '##FILTER=<ID=weak_evidence,Description="Somatic variant score does not meet '
             'threshold">',
             '##FILTER=<ID=base_quality,Description="Site filtered because median base quality '
             'of alt reads at this locus does not meet threshold">',
             '##DRAGENVersion=<ID=dragen,Version="SW: 07.021.624.3.10.4, HW: 07.021.624">',
             '##DRAGENCommandLine=<ID=dragen,Version="SW: 07.021.624.3.10.4, HW: 07.021.624",'
             'Date="Tue Mar 12 09:41:07 UTC 2024",CommandLineOptions="--tumor-fastq-list '
             'tumor.csv --enable-variant-caller true --vc-enable-liquid-tumor-mode true">',
             "##source=DRAGEN_SNV", f"##reference=file:///refs/{build}/reference.bin"]
    lines += _contig_lines(build)
    lines += ['##INFO=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth; some '
              'reads may have been filtered">',
              '##INFO=<ID=MQ,Number=1,Type=Float,Description="RMS Mapping Quality">',
              '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
              '##FORMAT=<ID=SQ,Number=A,Type=Float,Description="Somatic quality">',
              '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths (counting '
              'only informative reads out of the total reads) for the ref and alt alleles in '
              'the order listed">',
              '##FORMAT=<ID=AF,Number=A,Type=Float,Description="Allele fractions for alt '
              'alleles in the order listed">',
              '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth '
              '(reads with MQ=255 or with bad mates are filtered)">']
    lines += snpeff_header(build)
    lines.append("\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO",
                            "FORMAT", sample]))
    for c in sorted(calls, key=lambda c: _sort_key(build, c.chrom, c.pos)):
        ad = ",".join(map(str, (c.depth - sum(c.alt_reads), *c.alt_reads)))
        af = ",".join(f"{v:.3f}" for v in c.vafs)
        sq = ",".join(f"{min(60.0, 3.0 * a):.2f}" for a in c.alt_reads)  # illustrative
        info = f"DP={c.depth};MQ=60.00" + (f";ANN={','.join(c.ann)}" if c.ann else "")
        lines.append("\t".join([_chrom_name(build, c.chrom), str(c.pos), ".", c.ref,
                                ",".join(c.alts), ".", c.filt, info, "GT:SQ:AD:AF:DP",
                                f"0/1:{sq}:{ad}:{af}:{c.depth}"]))
    return "\n".join(lines) + "\n"


# Strelka2 somatic SNV VCF: NORMAL + TUMOR columns, tier-1/2 base counts AU/CU/GU/TU
STRELKA_INFO = [
    ("QSS", "1", "Integer", "Quality score for any somatic snv, ie. for the ALT allele to be "
     "present at a significantly different frequency in the tumor and normal"),
    ("TQSS", "1", "Integer", "Data tier used to compute QSS"),
    ("NT", "1", "String", "Genotype of the normal in all data tiers, as used to classify somatic "
     "variants. One of {ref,het,hom,conflict}."),
    ("QSS_NT", "1", "Integer", "Quality score reflecting the joint probability of a somatic "
     "variant and NT"),
    ("TQSS_NT", "1", "Integer", "Data tier used to compute QSS_NT"),
    ("SGT", "1", "String", "Most likely somatic genotype excluding normal noise states"),
    ("SOMATIC", "0", "Flag", "Somatic mutation"),
    ("DP", "1", "Integer", "Combined depth across samples"),
    ("MQ", "1", "Float", "RMS Mapping Quality"),
    ("MQ0", "1", "Integer", "Total Mapping Quality Zero Reads"),
    ("SomaticEVS", "1", "Float", "Somatic Empirical Variant Score (EVS) expressing the "
     "phred-scaled probability of the call being a false positive observation."),
]
STRELKA_FORMAT = [
    ("DP", "1", "Integer", "Read depth for tier1 (used+filtered)"),
    ("FDP", "1", "Integer", "Number of basecalls filtered from original read depth for tier1"),
    ("SDP", "1", "Integer", "Number of reads with deletions spanning this site at tier1"),
    ("SUBDP", "1", "Integer", "Number of reads below tier1 mapping quality threshold aligned "
     "across this site"),
    ("AU", "2", "Integer", "Number of 'A' alleles used in tiers 1,2"),
    ("CU", "2", "Integer", "Number of 'C' alleles used in tiers 1,2"),
    ("GU", "2", "Integer", "Number of 'G' alleles used in tiers 1,2"),
    ("TU", "2", "Integer", "Number of 'T' alleles used in tiers 1,2"),
]


def strelka2_vcf(build: str, calls: list[Call], normal_depth: int = 180) -> str:
    lines = ["##fileformat=VCFv4.1", "##fileDate=20240611", "##source=strelka",
             "##source_version=2.9.10", f"##reference=file:///refs/{build}.fa"]
    lines += _contig_lines(build)
    lines += ["##content=strelka somatic snv calls", "##priorSomaticSnvRate=0.0001"]
    lines += [f'##INFO=<ID={i},Number={n},Type={t},Description="{d}">'
              for i, n, t, d in STRELKA_INFO]
    lines += [f'##FORMAT=<ID={i},Number={n},Type={t},Description="{d}">'
              for i, n, t, d in STRELKA_FORMAT]
    lines += ['##FILTER=<ID=LowEVS,Description="Somatic Empirical Variant Score (SomaticEVS) is '
              'below threshold">',
              '##FILTER=<ID=LowDepth,Description="Tumor or normal sample read depth at this locus '
              'is below 2">']
    lines += snpeff_header(build)
    lines.append("\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO",
                            "FORMAT", "NORMAL", "TUMOR"]))

    def counts(ref: str, alt: str, n_ref: int, n_alt: int) -> str:
        by = {b: 0 for b in "ACGT"}
        by[ref], by[alt] = n_ref, n_alt
        # tier 2 (relaxed mapping) sees a few reads more; illustrative
        return ":".join(f"{by[b]},{by[b] + (1 if by[b] else 0)}" for b in "ACGT")

    for c in sorted(calls, key=lambda c: _sort_key(build, c.chrom, c.pos)):
        alt, n_alt = c.alts[0], c.alt_reads[0]
        evs = 18.62 if c.filt == "PASS" else 3.41
        info = (f"SOMATIC;QSS={60 if c.filt == 'PASS' else 9};TQSS=1;NT=ref;"
                f"QSS_NT={60 if c.filt == 'PASS' else 9};TQSS_NT=1;SGT={c.ref * 2}->{c.ref}{alt};"
                f"DP={c.depth + normal_depth};MQ=60.00;MQ0=0;SomaticEVS={evs:.2f}")
        if c.ann:
            info += f";ANN={','.join(c.ann)}"
        normal = f"{normal_depth}:0:0:0:" + counts(c.ref, alt, normal_depth, 0)
        tumour = f"{c.depth}:0:0:0:" + counts(c.ref, alt, c.depth - n_alt, n_alt)
        lines.append("\t".join([_chrom_name(build, c.chrom), str(c.pos), ".", c.ref, alt, ".",
                                c.filt, info, "DP:FDP:SDP:SUBDP:AU:CU:GU:TU", normal, tumour]))
    return "\n".join(lines) + "\n"


def intron_midpoint(panel: Panel, gene: str, intron: int) -> tuple[str, int]:
    """Middle base of an intron (between exons n and n+1, transcript order): a genomic DNA
    breakpoint position. Real rearrangement breakpoints fall anywhere in the intron."""
    tx = panel.transcript(gene)
    a, b = tx.exon(intron), tx.exon(intron + 1)
    lo, hi = (a.end, b.start) if tx.strand > 0 else (b.end, a.start)
    mid = (lo + hi) // 2
    assert tx.intron_at(mid) == intron, (gene, intron, mid, tx.intron_at(mid))
    return tx.chrom, mid


def manta_vcf(panel: Panel, sample: str, five: str, five_intron: int, three: str,
              three_intron: int) -> str:
    """Manta 1.6 tumour-only SV VCF: the fusion junction as a BND mate pair, plus one
    filtered deletion. REF bases are N: the genome base at an intronic breakpoint is not
    known offline (Manta writes the reference base there)."""
    c5, p5 = intron_midpoint(panel, five, five_intron)
    c3, p3 = intron_midpoint(panel, three, three_intron)
    t5, t3 = panel.transcript(five), panel.transcript(three)
    # The 5' partner keeps its 5' part: left of the break on a + strand gene, right on a -
    # strand gene; the 3' partner keeps its 3' part (right on +, left on -). BND ALT syntax:
    # t[p[ / t]p] keep the left side here, ]p]t / [p[t the right side; the bracket says which
    # side of the mate is joined (']' = the mate's left side).
    keep5_left, keep3_left = t5.strand > 0, t3.strand < 0

    def alt(keep_here_left: bool, mate_chrom: str, mate_pos: int, keep_mate_left: bool) -> str:
        mate = f"chr{mate_chrom}:{mate_pos}"
        br = "]" if keep_mate_left else "["
        return f"N{br}{mate}{br}" if keep_here_left else f"{br}{mate}{br}N"

    # Manta numbers the mates :0 (first in genome order) and :1
    first5 = _sort_key("GRCh38", c5, p5) < _sort_key("GRCh38", c3, p3)
    id5, id3 = (f"MantaBND:48211:0:1:0:0:0:{i}" for i in ((0, 1) if first5 else (1, 0)))
    rec5 = (c5, p5, id5, alt(keep5_left, c3, p3, keep3_left), id3)
    rec3 = (c3, p3, id3, alt(keep3_left, c5, p5, keep5_left), id5)
    lines = ["##fileformat=VCFv4.1", "##fileDate=20240312", "##source=GenerateSVCandidates 1.6.0",
             "##reference=file:///refs/GRCh38.fa"]
    lines += _contig_lines("GRCh38")
    lines += [
        '##INFO=<ID=IMPRECISE,Number=0,Type=Flag,Description="Imprecise structural variation">',
        '##INFO=<ID=SVTYPE,Number=1,Type=String,Description="Type of structural variant">',
        '##INFO=<ID=SVLEN,Number=.,Type=Integer,Description="Difference in length between REF '
        'and ALT alleles">',
        '##INFO=<ID=END,Number=1,Type=Integer,Description="End position of the variant '
        'described in this record">',
        '##INFO=<ID=CIPOS,Number=2,Type=Integer,Description="Confidence interval around POS">',
        '##INFO=<ID=CIEND,Number=2,Type=Integer,Description="Confidence interval around END">',
        '##INFO=<ID=MATEID,Number=.,Type=String,Description="ID of mate breakend">',
        '##INFO=<ID=HOMLEN,Number=.,Type=Integer,Description="Length of base pair identical '
        'homology at event breakpoints">',
        '##INFO=<ID=BND_DEPTH,Number=1,Type=Integer,Description="Read depth at local '
        'translocation breakend">',
        '##INFO=<ID=MATE_BND_DEPTH,Number=1,Type=Integer,Description="Read depth at remote '
        'translocation mate breakend">',
        '##FORMAT=<ID=PR,Number=.,Type=Integer,Description="Spanning paired-read support for '
        'the ref and alt alleles in the order listed">',
        '##FORMAT=<ID=SR,Number=.,Type=Integer,Description="Split reads for the ref and alt '
        'alleles in the order listed, for reads where P(allele|read)>0.999">',
        '##FILTER=<ID=MaxDepth,Description="Sample site depth is greater than 3x the median '
        'chromosome depth near one or both variant breakends">',
        '##FILTER=<ID=NoPairSupport,Description="For variants significantly larger than the '
        'paired read fragment size, no paired reads support the alternate allele in any '
        'sample.">',
        '##ALT=<ID=DEL,Description="Deletion">',
        '##cmdline=configManta.py --tumorBam=plasma.bam --referenceFasta=GRCh38.fa '
        '--runDir=manta',
        "\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT",
                   sample])]
    rows = []
    for chrom, pos, vid, alt_text, mate in (rec5, rec3):
        rows.append((chrom, pos, "\t".join([
            f"chr{chrom}", str(pos), vid, "N", alt_text, ".", "PASS",
            f"SVTYPE=BND;MATEID={mate};HOMLEN=2;BND_DEPTH=1850;MATE_BND_DEPTH=1790",
            "PR:SR", "318,61:297,66"])))
    # noise: a small deletion on chr2 away from every panel gene, failing NoPairSupport
    del_pos = 100000000
    assert not panel.overlapping("2", del_pos) and not panel.overlapping("2", del_pos + 1201)
    rows.append(("2", del_pos, "\t".join([
        "chr2", str(del_pos), "MantaDEL:51007:0:1:0:0:0", "N", "<DEL>", ".", "NoPairSupport",
        f"END={del_pos + 1201};SVTYPE=DEL;SVLEN=-1201;IMPRECISE;CIPOS=-150,151;CIEND=-140,141",
        "PR", "1688,2"])))
    for _, _, text in sorted(rows, key=lambda r: _sort_key("GRCh38", r[0], r[1])):
        lines.append(text)
    return "\n".join(lines) + "\n"


def dragen_cnv_vcf(panel: Panel, sample: str, purity: float,
                   events: list[tuple[str, int]]) -> str:
    """DRAGEN somatic CNV VCF over panel genes: (gene, tumour copy number) per segment.

    DRAGEN writes its purity estimate into the header and CN is then the tumour's own copy
    number; SM is the observed linear copy ratio, 1 + p x (CN - 2) / 2 for a diploid genome."""
    lines = ["##fileformat=VCFv4.2", "##source=DRAGEN_CNV",
             '##DRAGENVersion=<ID=dragen,Version="SW: 07.021.624.3.10.4, HW: 07.021.624">',
             f"##EstimatedTumorPurity={purity}", "##DiploidCoverage=412.33",
             "##OverallPloidy=2.00", "##reference=file:///refs/GRCh38/reference.bin"]
    lines += _contig_lines("GRCh38")
    lines += ['##FILTER=<ID=PASS,Description="All filters passed">',
              '##FILTER=<ID=cnvQual,Description="CNV with quality below 10">',
              '##FILTER=<ID=cnvLength,Description="CNV with length below 10000">',
              '##ALT=<ID=DEL,Description="Deletion">',
              '##ALT=<ID=DUP,Description="Duplication">',
              '##INFO=<ID=REFLEN,Number=1,Type=Integer,Description="Number of REF positions '
              'included in this record">',
              '##INFO=<ID=SVLEN,Number=.,Type=Integer,Description="Difference in length '
              'between REF and ALT alleles">',
              '##INFO=<ID=SVTYPE,Number=1,Type=String,Description="Type of structural '
              'variant">',
              '##INFO=<ID=END,Number=1,Type=Integer,Description="End position of the variant '
              'described in this record">',
              '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
              '##FORMAT=<ID=SM,Number=1,Type=Float,Description="Linear copy ratio of the '
              'segment mean">',
              '##FORMAT=<ID=CN,Number=1,Type=Integer,Description="Estimated copy number">',
              '##FORMAT=<ID=BC,Number=1,Type=Integer,Description="Number of bins in the '
              'region">',
              '##FORMAT=<ID=PE,Number=2,Type=Integer,Description="Number of improperly paired '
              'end reads at start and stop breakpoints">',
              "\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO",
                         "FORMAT", sample])]
    rows = []
    for gene, cn in events:
        tx = panel.transcript(gene)
        start, end = min(e.start for e in tx.exons), max(e.end for e in tx.exons)
        kind, alt = ("LOSS", "<DEL>") if cn < 2 else ("GAIN", "<DUP>") if cn > 2 else ("REF", ".")
        sm = 1 + purity * (cn - 2) / 2
        gt = "./1" if cn == 1 else "1" if cn != 2 else "0"
        info = f"REFLEN={end - start + 1};SVTYPE=CNV;END={end}" if kind != "REF" else \
            f"REFLEN={end - start + 1};END={end}"
        rows.append((tx.chrom, start - 1, "\t".join([
            f"chr{tx.chrom}", str(start - 1), f"DRAGEN:{kind}:chr{tx.chrom}:{start}-{end}", "N",
            alt, "150", "PASS", info, "GT:SM:CN:BC:PE",
            f"{gt}:{sm:.4f}:{cn}:{max(4, len(tx.exons))}:0,0"])))
    # noise: a short gain failing cnvLength (DRAGEN keeps it, filtered)
    rows.append(("1", 1042000, "\t".join([
        "chr1", "1042000", "DRAGEN:GAIN:chr1:1042001-1049000", "N", "<DUP>", "12",
        "cnvLength", "REFLEN=7000;SVTYPE=CNV;END=1049000", "GT:SM:CN:BC:PE",
        "1:1.1700:3:2:0,0"])))
    for _, _, text in sorted(rows, key=lambda r: _sort_key("GRCh38", r[0], r[1])):
        lines.append(text)
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- synthetic BAM
# Codons of ALK exon 23 whose reference residue the knowledge base names, with a codon for it.
# Codons fixed by a literature c. change: F1174 TTC (F1174L c.3522C>A = TTA), L1196 CTG (L1196M c.3586C>A = ATG), L1198 CTC
# (L1198F c.3592C>T = TTC), G1202 GGA (G1202R c.3604G>A = AGA), D1203 GAC (c.3607G>A = AAC),
# S1206 TCC (S1206Y c.3617C>A = TAC), E1210 GAG (c.3628G>A = AAG); V1180 any Val codon. The
# choice among synonymous codons, and every other base, is arbitrary (no genome sequence
# offline): the BAM is synthetic.
ALK_EXON23_CODONS = {1174: "TTC", 1180: "GTG", 1196: "CTG", 1198: "CTC", 1202: "GGA", 1203: "GAC",
                     1206: "TCC", 1210: "GAG"}
ALK_ALT_CODONS = {1196: "ATG", 1202: "AGA"}  # L1196M + G1202R in cis
BAM_READ_LEN = 76


def _arbitrary_base(pos: int) -> str:
    return "ACGT"[(pos * 2654435761) % 4]  # deterministic filler for unknown genome bases


def alk_window(panel: Panel, alt: bool) -> tuple[str, int, str]:
    """(chrom, 1-based start, + strand sequence) of ALK exon 23 with the reference codons, or
    with both compound alt codons."""
    tx = panel.transcript("ALK")
    exon = tx.exon(tx.exon_at(tx.codon_positions(1202)[0]))
    assert tx.exon_at(tx.codon_positions(1196)[0]) == exon.number
    seq = {g: _arbitrary_base(g) for g in range(exon.start, exon.end + 1)}
    codons = dict(ALK_EXON23_CODONS)
    if alt:
        codons.update(ALK_ALT_CODONS)
    from kinres.knowledge import load_knowledge

    in_exon = {h.aa_pos for h in load_knowledge().hotspots() if h.gene == "ALK"
               and all(exon.start <= g <= exon.end for g in tx.codon_positions(h.aa_pos))}
    assert in_exon <= set(ALK_EXON23_CODONS), f"no codon for hotspots {in_exon - set(codons)}"
    for aa, codon in codons.items():
        for g, base in zip(tx.codon_positions(aa), codon):
            assert exon.start <= g <= exon.end, (aa, g)
            seq[g] = base.translate(COMPLEMENT) if tx.strand < 0 else base
    return tx.chrom, exon.start, "".join(seq[g] for g in range(exon.start, exon.end + 1))


def compound_bam_reads(panel: Panel, n_ref: int, n_alt: int) -> list[dict]:
    """Read pairs over ALK exon 23: n_alt fragments carry both alt codons, n_ref neither."""
    _, start, ref_seq = alk_window(panel, alt=False)
    _, _, alt_seq = alk_window(panel, alt=True)
    span = len(ref_seq)
    reads = []
    for i in range(n_ref + n_alt):
        is_alt = i < n_alt
        seq = alt_seq if is_alt else ref_seq
        # R1 starts in the first 12 bases, R2 ends in the last 12: both cover codons 1196-1202
        off1 = (i * 7) % 12
        off2 = span - BAM_READ_LEN - (i * 5) % 12
        name = f"demoP07:{'alt' if is_alt else 'ref'}:{i:03d}"
        tlen = off2 + BAM_READ_LEN - off1
        for r, off, mate_off, flag in ((1, off1, off2, 99), (2, off2, off1, 147)):
            reads.append({"name": name, "flag": flag, "pos": start - 1 + off,
                          "mate_pos": start - 1 + mate_off,
                          "tlen": tlen if r == 1 else -tlen,
                          "seq": seq[off:off + BAM_READ_LEN]})
    return sorted(reads, key=lambda r: (r["pos"], r["name"], r["flag"]))


def write_bam(path: Path, reads: list[dict], chrom: str) -> None:
    import pysam

    header = {"HD": {"VN": "1.6", "SO": "coordinate"},
              "SQ": [{"SN": f"chr{c}", "LN": n} for c, n in CHROM_LENGTHS["GRCh38"].items()],
              "RG": [{"ID": "P07-T1", "SM": "P07-T1", "PL": "ILLUMINA", "LB": "demo"}],
              "CO": ["synthetic demo reads written by scripts/make_demo.py; see .test/README.md"]}
    path.parent.mkdir(parents=True, exist_ok=True)
    with pysam.AlignmentFile(str(path), "wb", header=header) as out:
        tid = out.get_tid(f"chr{chrom}")
        for r in reads:
            a = pysam.AlignedSegment(out.header)
            a.query_name, a.flag = r["name"], r["flag"]
            a.reference_id = a.next_reference_id = tid
            a.reference_start, a.next_reference_start = r["pos"], r["mate_pos"]
            a.mapping_quality, a.template_length = 60, r["tlen"]
            a.cigarstring = f"{len(r['seq'])}M"
            a.query_sequence = r["seq"]
            a.query_qualities = pysam.qualitystring_to_array("F" * len(r["seq"]))
            a.set_tag("RG", "P07-T1")
            out.write(a)
    pysam.index(str(path))


def bam_text(path: Path) -> str:
    """Header and records as SAM text (compared by --check instead of BGZF bytes)."""
    import pysam

    if not path.is_file():
        return ""
    with pysam.AlignmentFile(str(path), "rb") as fh:
        return str(fh.header) + "".join(r.to_string() + "\n" for r in fh)


# --------------------------------------------------------------------------- the demo batch
SHEET_COLUMNS = ["sample_id", "patient_id", "specimen", "tumor_type", "collection_date", "genome_build", "prior_therapies", "current_therapy", "vcf", "vcf_sample", "fusions", "fusion_format", "cnv", "cnv_format", "bam", "tumor_fraction", "purity", "cns_involvement", "age_years", "progression"]
# synthetic patient ages (years): P05 is an infant (ETV6-NTRK3 infantile fibrosarcoma), so
# age-restricted approvals (repotrectinib/zurletrectinib >= 12) are labelled in its report
DEMO_AGES = {"P01": "58", "P02": "49", "P03": "62", "P04": "41", "P05": "0.8", "P06": "71",
             "P07": "55", "P08": "60", "P09": "66", "P10": "52"}
# course at collection (sheet `progression`): P03 is the brain-only progression (CSF), the
# re-biopsies progressed systemically; P01 (monitoring series) and P06 leave it unstated
DEMO_PROGRESSION = {"P02": "systemic", "P03": "cns_only", "P04": "systemic", "P05": "systemic",
                    "P07": "systemic", "P08": "systemic", "P09": "systemic"}
# synthetic BAMs: sample -> (reference fragments, fragments with both alt codons)
BAM_FRAGMENTS = {"P07-T1": (72, 48)}


def _noise_note(sample: str, c: Call) -> str:
    where = f"{c.chrom}:{c.pos} {c.ref}>{','.join(c.alts)}"
    what = "; ".join(a.split("|")[3] + " " + (a.split("|")[10] or a.split("|")[9])
                     for a in c.ann) or "no panel gene"
    return f"| {sample} | {where} | {what} | {c.filt} | {c.why} |"


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
        rows.append({**row, "age_years": DEMO_AGES[row["patient_id"]],
                     "progression": DEMO_PROGRESSION.get(row["patient_id"], "")})

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
    # realistic noise: a TP53 passenger, a synonymous change at the gatekeeper codon, an intronic
    # SNV, two calls outside the panel and a BRAF V600E that Mutect2 filtered as weak evidence
    p02_noise = (call_for(place(p38, V272M), 655, 121, why="TP53 passenger missense"),
                 call_for(place(p38, L1196_SYN), 702, 96, why="synonymous at the gatekeeper codon"),
                 intronic_call(p38, "LMNA", LMNA_INTRONIC, 388, 71),
                 *off_panel_calls(p38, 412, 88),
                 call_for(place(p38, V600E), 610, 2, "weak_evidence", "filtered (2 alt reads)"))
    files[DATA / "P02-T1.snpeff.vcf"] = snpeff_vcf("P02-T1", "GRCh38", [(g12c, 640, 118)],
                                                   p02_noise)
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
    # noise: EGFR T790M failing strand_bias, and a KRAS codon-12 site with two alt alleles
    # (G12D, G12V) that Mutect2 filters as multiallelic
    g12d, g12v = place(p38, G12D), place(p38, G12V)
    assert (g12d.chrom, g12d.pos, g12d.ref) == (g12v.chrom, g12v.pos, g12v.ref)
    multi = Call(g12d.chrom, g12d.pos, g12d.ref, (g12d.alt, g12v.alt), 690, (5, 4),
                 "multiallelic", (snpeff_ann(g12d), snpeff_ann(g12v)), "two alt alleles")
    p04_noise = (call_for(place(p38, T790M), 702, 6, "strand_bias", "filtered (one strand)"),
                 multi)
    files[DATA / "P04-T1.snpeff.vcf"] = snpeff_vcf("P04-T1", "GRCh38", [(g2032r, 720, 151)],
                                                   p04_noise)
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

    # P07: ALK NSCLC after alectinib -> lorlatinib; L1196M + G1202R in cis (read-backed phasing
    # from a synthetic BAM over ALK exon 23); EML4-ALK v3 (E6;A20) by STAR-Fusion
    l1196m = place(p38, L1196M)
    n_ref, n_alt = BAM_FRAGMENTS["P07-T1"]
    depth = n_ref + n_alt
    files[DATA / "P07-T1.snpeff.vcf"] = snpeff_vcf("P07-T1", "GRCh38",
                                                   [(l1196m, depth, n_alt), (g1202r, depth, n_alt)])
    files[DATA / "P07-T1.star-fusion.tsv"] = star_fusion(p38, "EML4", 6, "ALK", 20)
    add({"sample_id": "P07-T1", "patient_id": "P07", "specimen": "tissue", "tumor_type": "NSCLC",
         "collection_date": "2024-03-05", "genome_build": "GRCh38",
         "prior_therapies": "alectinib;lorlatinib", "current_therapy": "lorlatinib",
         "vcf": "../.test/data/P07-T1.snpeff.vcf",
         "fusions": "../.test/data/P07-T1.star-fusion.tsv", "fusion_format": "star_fusion",
         "bam": "../.test/data/P07-T1.bam", "purity": "0.45"})
    # P08: plasma, EML4-ALK found at DNA level (Manta BND pair, EML4 intron 13 :: ALK intron 19)
    # plus TP53 R213* (DRAGEN, snpEff) and RB1 homozygous deletion (DRAGEN CNV); tumour
    # fraction 0.35, high enough for a deep deletion to be read from plasma copy number
    r213x = place(p38, R213X)
    files[DATA / "P08-PL1.dragen.snpeff.vcf"] = dragen_vcf("P08-PL1", "GRCh38", [
        call_for(r213x, 3900, 702),
        call_for(place(p38, G12D), 4100, 3, "weak_evidence", "filtered (3 alt reads)"),
        *off_panel_calls(p38, 3600, 410)])
    files[DATA / "P08-PL1.manta.vcf"] = manta_vcf(p38, "P08-PL1", "EML4", 13, "ALK", 19)
    files[DATA / "P08-PL1.dragen.cnv.vcf"] = dragen_cnv_vcf(
        p38, "P08-PL1", 0.35, [("RB1", 0), ("TP53", 2), ("ALK", 2), ("MET", 2)])
    add({"sample_id": "P08-PL1", "patient_id": "P08", "specimen": "plasma", "tumor_type": "NSCLC",
         "collection_date": "2024-05-21", "genome_build": "GRCh38",
         "prior_therapies": "alectinib;lorlatinib", "current_therapy": "lorlatinib",
         "vcf": "../.test/data/P08-PL1.dragen.snpeff.vcf", "vcf_sample": "P08-PL1",
         "fusions": "../.test/data/P08-PL1.manta.vcf", "fusion_format": "sv_vcf",
         "cnv": "../.test/data/P08-PL1.dragen.cnv.vcf", "cnv_format": "vcf",
         "tumor_fraction": "0.35"})
    # P09: TPM3-NTRK1 colorectal cancer (Arriba; TPM3 exon 8 :: NTRK1 exon 10, in frame on the
    # reporting transcripts) progressing on larotrectinib with NTRK1 G667C (Strelka2 + snpEff)
    g667c = place(p38, G667C)
    files[DATA / "P09-T1.strelka2.snpeff.vcf"] = strelka2_vcf("GRCh38", [
        call_for(g667c, 480, 139),
        call_for(place(p38, H1047R), 455, 3, "LowEVS", "filtered (3 alt reads)")])
    files[DATA / "P09-T1.arriba.tsv"] = arriba(p38, "TPM3", 8, "NTRK1", 10)
    add({"sample_id": "P09-T1", "patient_id": "P09", "specimen": "tissue",
         "tumor_type": "colorectal cancer", "collection_date": "2024-07-30",
         "genome_build": "GRCh38", "prior_therapies": "larotrectinib",
         "current_therapy": "larotrectinib", "vcf": "../.test/data/P09-T1.strelka2.snpeff.vcf",
         "vcf_sample": "TUMOR", "fusions": "../.test/data/P09-T1.arriba.tsv",
         "fusion_format": "arriba", "purity": "0.6"})

    # P10: treatment-naive NSCLC whose only finding is an out-of-frame EML4 exon 7 :: ALK exon 20
    # junction (CDS phase 2 at the end of EML4 exon 7, 1 before ALK exon 20): no ALK kinase
    # is expressed in frame, so nothing targeted may rest on it
    t_eml4, t_alk = p38.transcript("EML4"), p38.transcript("ALK")
    assert t_eml4.cds_phase_at_exon_end(7) != t_alk.cds_phase_at_exon_end(19)
    files[DATA / "P10-T1.arriba.tsv"] = arriba(p38, "EML4", 7, "ALK", 20, frame="out-of-frame")
    add({"sample_id": "P10-T1", "patient_id": "P10", "specimen": "tissue", "tumor_type": "NSCLC",
         "collection_date": "2024-09-12", "genome_build": "GRCh38",
         "fusions": "../.test/data/P10-T1.arriba.tsv", "fusion_format": "arriba",
         "purity": "0.5"})

    mutation_notes = [_mutation_note(p) for p in (g1202r, i1171n, g2032r, g623r, g12c, r882h,
                                                   l1196m, r213x, g667c)]
    noise_notes = [_noise_note(sid, c) for sid, calls in (("P02-T1", p02_noise),
                                                          ("P04-T1", p04_noise)) for c in calls]
    fusion_notes = [_fusion_note(p38, "EML4", 13, "ALK", 20, "Arriba (P02-T1)"),
                    _fusion_note(p38, "CD74", 6, "ROS1", 34, "STAR-Fusion (P04-T1)"),
                    _fusion_note(p38, "ETV6", 5, "NTRK3", 15, "FusionCatcher (P05-T1)"),
                    _fusion_note(p38, "EML4", 6, "ALK", 20, "STAR-Fusion (P07-T1)"),
                    _fusion_note(p38, "TPM3", 8, "NTRK1", 10, "Arriba (P09-T1)"),
                    _fusion_note(p38, "EML4", 7, "ALK", 20, "Arriba (P10-T1, out of frame)")]
    c5, b5 = intron_midpoint(p38, "EML4", 13)
    c3, b3 = intron_midpoint(p38, "ALK", 19)
    met = p38.transcript("MET")
    files[REPO / ".test" / "README.md"] = README_TEMPLATE.format(
        mutations="\n".join(mutation_notes), fusions="\n".join(fusion_notes),
        noise="\n".join(noise_notes), read_len=BAM_READ_LEN, manta=f"EML4 intron 13 midpoint {c5}:{b5} :: ALK intron 19 "
        f"midpoint {c3}:{b3}", bam_n=f"{n_alt} fragments carry both alt codons, {n_ref} neither",
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
| P07-T1 | tissue | EML4-ALK v3 NSCLC after alectinib then lorlatinib; compound ALK L1196M + G1202R **in cis** (read-backed phasing from the BAM) | `P07-T1.snpeff.vcf` (Mutect2 + snpEff), `P07-T1.star-fusion.tsv`, `P07-T1.bam` (synthetic) |
| P08-PL1 | plasma | ALK NSCLC after alectinib and lorlatinib; EML4-ALK at DNA level, TP53 R213* and RB1 homozygous deletion: possible small-cell transformation; tumour fraction 35% | `P08-PL1.manta.vcf` (Manta BND pair), `P08-PL1.dragen.snpeff.vcf` (DRAGEN + snpEff), `P08-PL1.dragen.cnv.vcf` (DRAGEN CNV) |
| P09-T1 | tissue | TPM3-NTRK1 colorectal cancer progressing on larotrectinib; NTRK1 G667C (xDFG) | `P09-T1.arriba.tsv` (Arriba), `P09-T1.strelka2.snpeff.vcf` (Strelka2 + snpEff) |
| P10-T1 | tissue | treatment-naive NSCLC; only an out-of-frame EML4 exon 7 :: ALK exon 20 junction (not actionable) | `P10-T1.arriba.tsv` (Arriba, reading_frame out-of-frame) |

## How each point mutation was placed

The HGVS c. position of codon *n* base *k* is 3(n-1)+k. The literature names the coding-strand
reference base at that position (c.3604**G**>A); for a glycine codon (GGN) the first base is G by
the genetic code as well. `Transcript.codon_positions(n)` maps the codon to genomic positions on
the reporting transcript, and `Transcript.c_position()` is checked to give back the same c.
position. On minus-strand genes (ALK, ROS1, NTRK3, KRAS, DNMT3A, TP53) the VCF REF/ALT are the
complements of the coding bases. The other two bases of each codon are unknown here, so VEP's
`Codons` field is left empty. Where an independent genomic anchor is known the script asserts the
panel reproduces it (ALK I1171N GRCh37, KRAS G12C GRCh38, and the noise records below).
ALK L1196M and G1202R are 18 bp apart in exon 23 (same exon, asserted by the script).

| change | build | transcript | HGVS c. | derivation | strand | VCF position | source |
|---|---|---|---|---|---|---|---|
{mutations}

## How each fusion breakpoint was placed

Junctions are at exon boundaries of the reporting transcripts (RNA callers report the last
transcribed base of the 5' partner's exon and the first base of the 3' partner's exon, in
transcript orientation; on a minus-strand gene that is the exon's lowest / highest coordinate).
TPM3-NTRK1 is reported as TPM3 exon 7/8 :: NTRK1 exon 9/10 (resistance digest); on the
reporting transcripts (ENST00000368530, ENST00000524377) exon 8 :: exon 10 is the in-frame pair
(TPM3 exon 8 ends at c.775, codon base 1; NTRK1 exon 10 starts at c.1196, codon base 2).

| junction | build | caller | 5' breakpoint | 3' breakpoint |
|---|---|---|---|---|
{fusions}

DNA-level breakpoints (P08-PL1, Manta) lie in introns: {manta} (GRCh38; the middle base of
each intron, from the panel exon table). The junction keeps EML4's 5' part (left of the break,
+ strand) and ALK's 3' part (left of the break, - strand), so both BND records are `N]mate]`.
Manta writes the genome base as REF; it is not known offline, so REF is `N`.

The CNVkit segments span each gene's panel transcript (0-based start, as CNVkit writes);
MET = chr{met} (1-based). The DRAGEN CNV records (P08-PL1) span the panel transcripts too,
with the purity in the header (so CN is the tumour copy number) and SM = 1 + p (CN - 2) / 2.
Read counts, VAFs and caller scores are illustrative.

## Noise records (nothing is silently dropped)

Besides the case mutations, some VCFs carry records a real run produces. Each must end up
either reported or counted in the report's `qc.warnings`. The TP53 V272M, LMNA intronic and
off-panel records are real TCGA calls copied from the public PCGR examples
(`shared/data/examples/pcgr`), so their genome bases are real; filtered records use
literature changes placed like the case mutations (BRAF V600E, EGFR T790M, KRAS G12D/G12V,
PIK3CA H1047R). Off-panel records carry no ANN (their annotation is not known offline). The
LMNA SNV lies 56 bp into the intron, beyond the 20 bp padding of the panel target regions, so
it is counted with the off-panel records ("outside the panel target regions").

| sample | record | annotation | FILTER | why it is there |
|---|---|---|---|---|
{noise}

P08-PL1 also has a KRAS G12D call DRAGEN filtered as `weak_evidence`, two off-panel records,
a Manta deletion failing `NoPairSupport` and a DRAGEN CNV gain failing `cnvLength`; P09-T1 has
a PIK3CA H1047R call Strelka2 filtered as `LowEVS`.

## The synthetic BAM (P07-T1)

`P07-T1.bam` is **synthetic**: read pairs (2 x {read_len} bp, MAPQ 60, base quality 37) over
ALK exon 23 ({bam_n}). No genome sequence is available offline, so only the bases the
literature fixes are real: codon 1196 is CTG (L1196M is c.3586C>A to ATG, and Met has one
codon), codon 1202 starts with G (c.3604G), and codons of other knowledge hotspots in the
exon (F1174, V1180, L1198, D1203, S1206, E1210) encode their reference residue. Every other base,
and the choice among synonymous codons, is arbitrary. On the minus strand the reads carry the
complements. The fragments give `kinres coverage` hotspot depths at those codons and a cis
phase call for the two VCF records.

## Header lines

VCF headers carry the annotators' real definition lines (VEP `##VEP` / CSQ `Format:`; snpEff
`##SnpEffVersion` / ANN `Functional annotations:`), the MAF uses vcf2maf's `#version 2.4` line and
column order, and the fusion files use each caller's own column header.
The Strelka2 VCF (P09-T1) has strelka's NORMAL/TUMOR columns and tier-1/2 AU/CU/GU/TU counts,
the DRAGEN VCFs (P08-PL1) the `##DRAGENVersion` line and DRAGEN's FORMAT fields, and the Manta
VCF the `GenerateSVCandidates` source line, MATEID-linked BND records and PR/SR support.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    files = build_demo()
    stale = []
    p38 = Panel.load("GRCh38")
    for sample, (n_ref, n_alt) in BAM_FRAGMENTS.items():
        path = DATA / f"{sample}.bam"
        reads = compound_bam_reads(p38, n_ref, n_alt)
        import tempfile

        with tempfile.TemporaryDirectory(prefix="kinres-demo-") as tmp:
            fresh = Path(tmp) / path.name
            write_bam(fresh, reads, p38.transcript("ALK").chrom)
            current_text, fresh_text = bam_text(path), bam_text(fresh)
            index_ok = Path(str(path) + ".bai").is_file()
            if current_text == fresh_text and index_ok:
                continue
            if args.check:
                stale.append(path)
                print(f"{path}: BAM content differs from the script's reads (or no .bai)")
            else:
                write_bam(path, reads, p38.transcript("ALK").chrom)
                print(f"wrote {path.relative_to(REPO)} (+ .bai)")
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
