"""Synthetic GRCh38 reference carrying the real ALK transcript, for raw-VCF tests on real coordinates.

No genome sequence exists offline, so `build_alk_reference` writes a FASTA whose contig "2" (or
"chr2") has the real GRCh38 length (242,193,529 bp, so VCF ##contig lengths and build detection
behave as with a real genome), all N except the ALK transcript span
(`Panel.load("GRCh38").transcript("ALK")`, ENST00000389048, minus strand). That span holds random
bases with GT..AG introns and a CDS that starts with ATG, ends with a stop, has no internal stop
in frame, and carries the real residues the tests mutate: codon 1202 = GGG (Gly, c.3604 = G),
codon 1196 = CTG (Leu, c.3586 = C) and codon 1250 = CTG (Leu; a synonymous change at c.3750).
The CDS is written reverse-complemented at the panel's genomic positions. An Ensembl-style GFF3
(gene/mRNA/exon/CDS rows, CDS including the stop codon as Ensembl GFF3 does) describes ALK.

Also: `GRCH38_LENGTHS` / `GRCH37_LENGTHS` (primary contigs) and `write_mutect2_vcf`, a raw,
unannotated VCF with the header lines GATK Mutect2 writes (##source=Mutect2, ##tumor_sample,
##normal_sample, FORMAT GT:AD:AF:DP).
"""

from __future__ import annotations

import gzip
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pysam

from kinres.annotate.transcripts import Panel, Transcript

COMP = str.maketrans("ACGTN", "TGCAN")
STOPS = ("TAA", "TAG", "TGA")
LINE = 60

# Primary-assembly lengths (GRCh38 = GCA_000001405.15, GRCh37 = GRCh37.p13), chromosome order.
GRCH38_LENGTHS: dict[str, int] = {
    "1": 248956422, "2": 242193529, "3": 198295559, "4": 190214555, "5": 181538259,
    "6": 170805979, "7": 159345973, "8": 145138636, "9": 138394717, "10": 133797422,
    "11": 135086622, "12": 133275309, "13": 114364328, "14": 107043718, "15": 101991189,
    "16": 90338345, "17": 83257441, "18": 80373285, "19": 58617616, "20": 64444167,
    "21": 46709983, "22": 50818468, "X": 156040895, "Y": 57227415, "MT": 16569,
}
GRCH37_LENGTHS: dict[str, int] = {
    "1": 249250621, "2": 243199373, "3": 198022430, "4": 191154276, "5": 180915260,
    "6": 171115067, "7": 159138663, "8": 146364022, "9": 141213431, "10": 135534747,
    "11": 135006516, "12": 133851895, "13": 115169878, "14": 107349540, "15": 102531392,
    "16": 90354753, "17": 81195210, "18": 78077248, "19": 59128983, "20": 63025520,
    "21": 48129895, "22": 51304566, "X": 155270560, "Y": 59373566, "MT": 16569,
}
# fixed codons (1-based aa position -> codon on the transcript strand)
FIXED_CODONS = {1196: "CTG", 1202: "GGG", 1250: "CTG"}


def revcomp(seq: str) -> str:
    return seq.translate(COMP)[::-1]


@dataclass(frozen=True)
class AlkReference:
    """The files written by build_alk_reference and what the tests need to place variants."""

    fasta: Path
    gff3: Path
    chrom: str  # contig name in the FASTA/GFF ("2" or "chr2")
    transcript: Transcript  # panel transcript (real GRCh38 coordinates)
    cds: str  # transcript strand, ATG..stop
    span_start: int  # 1-based genomic start of the non-N span
    span_seq: str  # plus-strand bases of [span_start, span_start + len)

    def base(self, pos: int) -> str:
        """Plus-strand reference base at genomic position `pos` (N outside the ALK span)."""
        i = pos - self.span_start
        return self.span_seq[i] if 0 <= i < len(self.span_seq) else "N"

    def genomic(self, c: int) -> int:
        """Genomic position of c.`c` on ENST00000389048."""
        return self.transcript.c_to_genomic(c)

    def intron_position(self, intron: int, offset: int) -> int:
        """Genomic position `offset` bases into intron `intron` (transcript order, 5' side)."""
        ex = self.transcript.exons[intron - 1]
        return ex.start - offset if self.transcript.strand < 0 else ex.end + offset


def _random_cds(rng: random.Random, codons: int) -> str:
    out = ["ATG"]
    for aa in range(2, codons):
        fixed = FIXED_CODONS.get(aa)
        if fixed:
            out.append(fixed)
            continue
        while True:
            c = "".join(rng.choice("ACGT") for _ in range(3))
            if c not in STOPS:
                out.append(c)
                break
    out.append(rng.choice(STOPS))
    return "".join(out)


def _span_sequence(tx: Transcript, cds: str, rng: random.Random) -> tuple[int, str]:
    """Plus-strand sequence of the transcript span with the CDS placed at its exon parts."""
    lo, hi = min(e.start for e in tx.exons), max(e.end for e in tx.exons)
    seq = [rng.choice("ACGT") for _ in range(hi - lo + 1)]
    strand_seq = cds if tx.strand > 0 else revcomp(cds)  # plus-strand bases in genomic order
    parts = sorted(tx.coding_segments())
    k = 0
    for s, e in parts:
        for p in range(s, e + 1):
            seq[p - lo] = strand_seq[k]
            k += 1
    assert k == len(cds), (k, len(cds))
    # canonical GT..AG introns on the transcript strand
    exons = sorted((e.start, e.end) for e in tx.exons)
    for (_, e1), (s2, _) in zip(exons, exons[1:]):
        a, b = e1 + 1, s2 - 1  # intron, genomic order
        if tx.strand > 0:
            seq[a - lo:a - lo + 2], seq[b - 1 - lo:b - lo + 1] = list("GT"), list("AG")
        else:  # donor at the high end: transcript GT = genomic AC; acceptor AG = genomic CT
            seq[b - 1 - lo:b - lo + 1], seq[a - lo:a - lo + 2] = list("AC"), list("CT")
    return lo, "".join(seq)


def _write_fasta(path: Path, contigs: Sequence[tuple[str, int, int, str]]) -> None:
    """Write contigs (name, length, span_start, span_seq) in 60-column lines, streaming N blocks."""
    block_lines = 100_000
    n_block = ("N" * LINE + "\n") * block_lines
    with open(path, "w") as fh:
        for name, length, start, span in contigs:
            fh.write(f">{name}\n")
            s0, s1 = start - 1, start - 1 + len(span)  # 0-based half-open span
            pos = 0
            while pos < length:
                n = min(block_lines * LINE, length - pos)
                if pos + n <= s0 or pos >= s1:  # block entirely N
                    fh.write(n_block if n == block_lines * LINE else
                             "".join("N" * min(LINE, n - i) + "\n" for i in range(0, n, LINE)))
                else:
                    chunk = ["N"] * n
                    a, b = max(pos, s0), min(pos + n, s1)
                    chunk[a - pos:b - pos] = span[a - s0:b - s0]
                    text = "".join(chunk)
                    fh.write("".join(text[i:i + LINE] + "\n" for i in range(0, n, LINE)))
                pos += n


def _write_gff3(path: Path, tx: Transcript, chrom: str, cds_parts: Sequence[tuple[int, int]]
                ) -> None:
    strand = "+" if tx.strand > 0 else "-"
    lo, hi = min(e.start for e in tx.exons), max(e.end for e in tx.exons)
    gene_id, prot = "ENSG00000171094", "ENSP00000373700"
    rows = [
        (chrom, "ensembl_havana", "gene", lo, hi, ".", f"ID=gene:{gene_id};Name={tx.gene};"
         f"biotype=protein_coding;description=ALK receptor tyrosine kinase;gene_id={gene_id};"
         "logic_name=ensembl_havana_gene_homo_sapiens;version=12"),
        (chrom, "ensembl_havana", "mRNA", lo, hi, ".",
         f"ID=transcript:{tx.transcript_id};Parent=gene:{gene_id};Name={tx.gene}-201;"
         "biotype=protein_coding;tag=basic,Ensembl_canonical,MANE_Select;"
         f"transcript_id={tx.transcript_id};version=8"),
    ]
    for e in tx.exons:
        rows.append((chrom, "ensembl_havana", "exon", e.start, e.end, ".",
                     f"Parent=transcript:{tx.transcript_id};Name={tx.transcript_id}-E{e.number};"
                     f"constitutive=1;exon_id=E{e.number};rank={e.number};version=1"))
    done = 0
    for s, e in cds_parts:  # transcript order; phase = bases to skip to the next codon start
        rows.append((chrom, "ensembl_havana", "CDS", s, e, str((3 - done % 3) % 3),
                     f"ID=CDS:{prot};Parent=transcript:{tx.transcript_id};protein_id={prot}"))
        done += e - s + 1
    with open(path, "w") as fh:
        fh.write("##gff-version 3\n")
        fh.write(f"##sequence-region   {chrom} 1 {GRCH38_LENGTHS['2']}\n")
        fh.write("#!genome-build GRCh38.p14\n")
        for c, src, kind, s, e, phase, attrs in sorted(rows, key=lambda r: (r[3], r[2] != "gene")):
            fh.write(f"{c}\t{src}\t{kind}\t{s}\t{e}\t.\t{strand}\t{phase}\t{attrs}\n")


def _sequences(seed: int) -> tuple[Transcript, str, int, str]:
    """Panel ALK transcript, its CDS and the plus-strand span (deterministic for `seed`)."""
    tx = Panel.load("GRCh38").transcript("ALK")
    rng = random.Random(seed)
    codons = tx.cds_length // 3
    assert codons == tx.protein_length + 1
    cds = _random_cds(rng, codons)
    start, span = _span_sequence(tx, cds, rng)
    return tx, cds, start, span


def build_alk_reference(directory: Path, chrom_prefix: str = "", seed: int = 1202
                        ) -> AlkReference:
    """Write ref.fa (+ .fai) and alk.gff3 into `directory` (see the module docstring)."""
    directory.mkdir(parents=True, exist_ok=True)
    tx, cds, start, span = _sequences(seed)
    chrom = f"{chrom_prefix}{tx.chrom}"
    fasta = directory / "ref.fa"
    _write_fasta(fasta, [(chrom, GRCH38_LENGTHS[tx.chrom], start, span)])
    pysam.faidx(str(fasta))
    gff3 = directory / "alk.gff3"
    _write_gff3(gff3, tx, chrom, tx.coding_segments())
    return AlkReference(fasta=fasta, gff3=gff3, chrom=chrom, transcript=tx, cds=cds,
                        span_start=start, span_seq=span)


def cached_alk_reference(base: Path, chrom_prefix: str = "") -> AlkReference:
    """build_alk_reference into `base`/alk_ref<prefix>, reusing the files when a previous call
    (another test module of the same session; pass tmp_path_factory.getbasetemp()) wrote them."""
    directory = base / f"alk_ref{chrom_prefix}"
    done = directory / "DONE"
    if done.is_file():
        tx, cds, start, span = _sequences(1202)
        # the span is rebuilt from the same seed; recheck one codon against the file on disk
        with pysam.FastaFile(str(directory / "ref.fa")) as fa:
            g = sorted(tx.codon_positions(1202))
            assert fa.fetch(f"{chrom_prefix}{tx.chrom}", g[0] - 1, g[2]) == \
                span[g[0] - start:g[2] - start + 1]
        return AlkReference(fasta=directory / "ref.fa", gff3=directory / "alk.gff3",
                            chrom=f"{chrom_prefix}{tx.chrom}", transcript=tx, cds=cds,
                            span_start=start, span_seq=span)
    ref = build_alk_reference(directory, chrom_prefix, seed=1202)
    done.write_text("ok\n")
    return ref


@dataclass(frozen=True)
class Call:
    """One Mutect2-style record (tumour/normal AD; AF computed from AD unless given)."""

    chrom: str
    pos: int
    ref: str
    alt: str
    tumor_ad: tuple[int, int] = (180, 60)
    normal_ad: tuple[int, int] = (90, 0)
    filter: str = "PASS"
    af: float | None = None


_FORMAT_DEFS = {
    "GT": '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    "AD": '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths for the ref and alt '
          'alleles in the order listed">',
    "AF": '##FORMAT=<ID=AF,Number=A,Type=Float,Description="Allele fractions of alternate alleles '
          'in the tumor">',
    "DP": '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth (reads with '
          'MQ=255 or with bad mates are filtered)">',
}


def mutect2_text(calls: Sequence[Call], tumor: str = "TUMOR", normal: str = "NORMAL",
                 lengths: dict[str, int] | None = None, chrom_prefix: str = "",
                 format_keys: Sequence[str] = ("GT", "AD", "AF", "DP")) -> str:
    """Text of a raw (unannotated) Mutect2-like VCF; `format_keys` drops FORMAT fields."""
    lengths = GRCH38_LENGTHS if lengths is None else lengths
    assembly = "GRCh38" if lengths["2"] == GRCH38_LENGTHS["2"] else "GRCh37"
    head = [
        "##fileformat=VCFv4.2",
        '##FILTER=<ID=PASS,Description="All filters passed">',
        '##FILTER=<ID=weak_evidence,Description="Mutation does not meet likelihood threshold">',
        *(_FORMAT_DEFS[k] for k in sorted(format_keys)),
        '##GATKCommandLine=<ID=Mutect2,CommandLine="Mutect2 --output unfiltered.vcf.gz '
        '--input tumor.bam --input normal.bam --reference Homo_sapiens_assembly38.fasta",'
        'Version="4.4.0.0",Date="March 3, 2024 10:12:41 AM UTC">',
        '##INFO=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth; some reads may '
        'have been filtered">',
        '##INFO=<ID=TLOD,Number=A,Type=Float,Description="Log 10 likelihood ratio score of '
        'variant existing versus not existing">',
    ]
    head += [f"##contig=<ID={chrom_prefix}{c},length={n},assembly={assembly}>"
             for c, n in lengths.items()]
    head += [f"##normal_sample={normal}", "##source=Mutect2", f"##tumor_sample={tumor}",
             "\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT",
                        normal, tumor])]
    body = []
    for c in calls:
        cols = []
        for gt, ad, af in (("0/0", c.normal_ad, round(c.normal_ad[1] / max(1, sum(c.normal_ad)), 3)),
                           ("0/1", c.tumor_ad, c.af if c.af is not None else
                            round(c.tumor_ad[1] / max(1, sum(c.tumor_ad)), 3))):
            values = {"GT": gt, "AD": f"{ad[0]},{ad[1]}", "AF": str(af), "DP": str(sum(ad))}
            cols.append(":".join(values[k] for k in format_keys))
        body.append("\t".join([c.chrom, str(c.pos), ".", c.ref, c.alt, ".", c.filter,
                               f"DP={sum(c.tumor_ad) + sum(c.normal_ad)};TLOD=45.2",
                               ":".join(format_keys), *cols]))
    return "\n".join(head + body) + "\n"


def write_mutect2_vcf(path: Path, calls: Sequence[Call], **kwargs) -> Path:
    """mutect2_text(calls, **kwargs) written to `path`; BGZF-compressed when it ends in .gz."""
    text = mutect2_text(calls, **kwargs)
    if str(path).endswith(".gz"):
        with pysam.BGZFile(str(path), "wb") as fh:
            fh.write(text.encode())
    else:
        Path(path).write_text(text)
    return Path(path)


def gzip_bytes(text: str) -> bytes:
    """Plain gzip of `text` (for truncation tests)."""
    return gzip.compress(text.encode())
