"""Synthetic reference genome + gene annotation for tests (reusable by any test module).

Functions
---------
make_reference(tmp_path, seed=7, chr_prefix="") -> SynthRef
    Writes `ref.fa` (+ `.fai`), an Ensembl-style `ann.gff3` (accepted by `bcftools csq` 1.16 and
    by `kinres.annotate.gff`) and a GENCODE-style `ann.gtf` (CDS rows exclude the stop codon,
    start_codon/stop_codon rows, versioned IDs) into `tmp_path`. Three contigs (~60-130 kb) carry
    seven protein-coding genes on both strands with 3-10 exons, UTRs (one gene's first exon is
    all 5' UTR), a canonical ATG, a single in-frame stop codon (CDS built codon by codon without
    premature stops) and GT..AG introns. Gene SYN2 has a second, non-canonical transcript (same
    CDS, shorter UTRs); gene SYNNC is a non-coding (lncRNA) transcript.
random_variants(ref, n, seed=1, max_indel=10, flank=25) -> list[VcfRecord]
    Random SNVs, MNVs and 1..max_indel bp insertions/deletions within `flank` bp of coding exons,
    with REF taken from the genome (VCF convention: indels carry the left anchor base). Sorted,
    deduplicated.
write_vcf(path, records, ref) -> Path
    A sites-only VCF 4.2 with ##contig lines; records get IDs v1, v2, ... in order.

SynthTranscript gives exons/CDS in transcript order (1-based, inclusive genomic coordinates),
the spliced mRNA, CDS (with stop codon) and protein, plus cds_to_genomic(c) and
codon_positions(aa) so tests can place a variant at a known codon and know the expected change.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pysam

COMP = str.maketrans("ACGTNacgtn", "TGCANtgcan")
BASES = "ACGT"
STOPS = {"TAA", "TAG", "TGA"}
CODON_TABLE = {
    a + b + c: aa
    for (a, b, c), aa in zip(
        ((x, y, z) for x in "TCAG" for y in "TCAG" for z in "TCAG"),
        "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG",
    )
}


def revcomp(seq: str) -> str:
    return seq.translate(COMP)[::-1]


def translate(seq: str) -> str:
    return "".join(CODON_TABLE.get(seq[i:i + 3], "X") for i in range(0, len(seq) - 2, 3))


@dataclass(frozen=True)
class SynthTranscript:
    gene: str
    gene_id: str
    transcript_id: str
    protein_id: str
    chrom: str
    strand: int  # +1 / -1
    exons: tuple[tuple[int, int], ...]  # transcript order, (start, end) 1-based inclusive
    cds_parts: tuple[tuple[int, int], ...]  # transcript order, includes the stop codon
    mrna: str  # spliced transcript, transcript strand
    cds_offset: int  # 0-based index in mrna of the A of ATG (-1 when non-coding)
    cds: str  # ATG ... stop codon ("" when non-coding)
    protein: str  # without the stop
    canonical: bool
    biotype: str = "protein_coding"

    @property
    def start(self) -> int:
        return min(s for s, _ in self.exons)

    @property
    def end(self) -> int:
        return max(e for _, e in self.exons)

    def mrna_to_genomic(self, m: int) -> int:
        """0-based mRNA index -> 1-based genomic position."""
        off = 0
        for s, e in self.exons:
            n = e - s + 1
            if m < off + n:
                return s + (m - off) if self.strand > 0 else e - (m - off)
            off += n
        raise IndexError(m)

    def cds_to_genomic(self, c: int) -> int:
        """1-based c. position (inside the CDS) -> 1-based genomic position."""
        return self.mrna_to_genomic(self.cds_offset + c - 1)

    def codon_positions(self, aa: int) -> tuple[int, int, int]:
        """Genomic positions of codon `aa` (1-based) in transcript order."""
        return tuple(self.cds_to_genomic(3 * (aa - 1) + k) for k in (1, 2, 3))  # type: ignore

    def intron(self, n: int) -> tuple[int, int]:
        """Intron n (1-based, transcript order) as genomic (start, end)."""
        a, b = self.exons[n - 1], self.exons[n]
        return (a[1] + 1, b[0] - 1) if self.strand > 0 else (b[1] + 1, a[0] - 1)


@dataclass(frozen=True)
class SynthRef:
    fasta: Path
    gff3: Path
    gtf: Path
    contigs: dict[str, str]
    transcripts: tuple[SynthTranscript, ...]

    def transcript(self, transcript_id: str) -> SynthTranscript:
        return next(t for t in self.transcripts if t.transcript_id == transcript_id)

    def gene(self, gene: str) -> SynthTranscript:
        """The canonical transcript of `gene`."""
        return next(t for t in self.transcripts if t.gene == gene and t.canonical)

    def coding(self) -> tuple[SynthTranscript, ...]:
        return tuple(t for t in self.transcripts if t.cds)


@dataclass(frozen=True)
class VcfRecord:
    chrom: str
    pos: int
    ref: str
    alt: str


# gene name, contig index, strand, exon count, codons, force_utr_exon
_LAYOUT = (
    ("SYN1", 0, +1, 5, 180, False),
    ("SYN2", 0, -1, 7, 260, True),
    ("SYN3", 0, +1, 3, 90, False),
    ("SYN4", 1, -1, 10, 320, False),
    ("SYN5", 1, +1, 4, 150, True),
    ("SYNNC", 1, +1, 3, 0, False),
    ("SYN6", 2, -1, 6, 210, False),
    ("SYN7", 2, +1, 8, 240, False),
)


def _random_cds(rng: random.Random, codons: int) -> str:
    out = ["ATG"]
    while len(out) < codons - 1:
        c = "".join(rng.choice(BASES) for _ in range(3))
        if c not in STOPS:
            out.append(c)
    out.append(rng.choice(sorted(STOPS)))
    return "".join(out)


def _cuts(rng: random.Random, length: int, n: int, first: int | None,
          lo: int, hi: int) -> list[int]:
    """n-1 exon boundaries in an mRNA of `length` (mostly within [lo, hi)), exons >= 12 nt."""
    lo, hi = max(15, lo), min(length - 15, hi)
    while True:
        cuts = sorted(rng.sample(range(lo, hi), n - 1))
        if first is not None:
            cuts[0] = first
            cuts.sort()
        bounds = [0, *cuts, length]
        if all(b - a >= 12 for a, b in pairwise(bounds)):
            return cuts


def make_reference(tmp_path: Path, seed: int = 7, chr_prefix: str = "") -> SynthRef:
    """Build and write the synthetic genome, GFF3 and GTF (see module docstring)."""
    rng = random.Random(seed)
    tmp_path = Path(tmp_path)
    tmp_path.mkdir(parents=True, exist_ok=True)
    names = [f"{chr_prefix}{i}" for i in (1, 2, 3)]
    genome: list[list[str]] = [[], [], []]  # pieces per contig
    cursor = [0, 0, 0]  # current length (0-based next position)
    transcripts: list[SynthTranscript] = []

    def pad(ci: int, n: int) -> None:
        genome[ci].append("".join(rng.choice(BASES) for _ in range(n)))
        cursor[ci] += n

    for gi, (gene, ci, strand, n_exons, codons, utr_exon) in enumerate(_LAYOUT):
        pad(ci, rng.randint(8000, 20000))
        utr5 = "".join(rng.choice(BASES) for _ in range(rng.randint(60, 140) if utr_exon else
                                                         rng.randint(10, 90)))
        utr3 = "".join(rng.choice(BASES) for _ in range(rng.randint(30, 250)))
        cds = _random_cds(rng, codons) if codons else ""
        if not codons:  # non-coding: just random exonic sequence
            utr5, utr3 = "", ""
            cds_body = "".join(rng.choice(BASES) for _ in range(rng.randint(400, 900)))
        else:
            cds_body = cds
        mrna = utr5 + cds_body + utr3
        cuts = _cuts(rng, len(mrna), n_exons, first=len(utr5) // 2 if utr_exon else None,
                     lo=len(utr5) - 6, hi=len(utr5) + len(cds_body) + 6)
        bounds = [0, *cuts, len(mrna)]
        exon_seqs = [mrna[a:b] for a, b in pairwise(bounds)]
        introns = []
        for _ in range(n_exons - 1):
            body = "".join(rng.choice(BASES) for _ in range(rng.randint(80, 1500)))
            introns.append("GT" + body + "AG")
        pre = exon_seqs[0] + "".join(i + e for i, e in zip(introns, exon_seqs[1:]))
        g0 = cursor[ci] + 1  # 1-based first genomic base of the gene
        g1 = g0 + len(pre) - 1
        genome[ci].append(pre if strand > 0 else revcomp(pre))
        cursor[ci] += len(pre)
        # exon coordinates in transcript order
        exons = []
        t = 0
        for k, e in enumerate(exon_seqs):
            a, b = t, t + len(e) - 1  # pre-mRNA indices
            exons.append((g0 + a, g0 + b) if strand > 0 else (g1 - b, g1 - a))
            t += len(e) + (len(introns[k]) if k < len(introns) else 0)
        tx = _transcript(gene, gi, names[ci], strand, tuple(exons), mrna,
                         len(utr5) if codons else -1, cds, canonical=True,
                         biotype="protein_coding" if codons else "lncRNA")
        transcripts.append(tx)
        if gene == "SYN2":  # an alternative transcript: same CDS, trimmed UTRs
            ex = list(exons)
            f_s, f_e = ex[0]
            l_s, l_e = ex[-1]
            trim5 = min(10, len(exon_seqs[0]) - 1)
            trim3 = min(15, len(utr3) - 1)
            ex[0] = (f_s + 0, f_e - trim5) if strand < 0 else (f_s + trim5, f_e)
            ex[-1] = (l_s + trim3, l_e) if strand < 0 else (l_s, l_e - trim3)
            alt_mrna = mrna[trim5:len(mrna) - trim3]
            transcripts.append(_transcript(gene, gi, names[ci], strand, tuple(ex), alt_mrna,
                                           len(utr5) - trim5, cds, canonical=False,
                                           tid=f"ENST{90000000000 + gi:011d}"))
    for ci in range(3):
        pad(ci, rng.randint(8000, 20000))
    contigs = {n: "".join(p) for n, p in zip(names, genome)}
    fasta = tmp_path / "ref.fa"
    with open(fasta, "w") as fh:
        for n, s in contigs.items():
            fh.write(f">{n}\n")
            fh.writelines(s[i:i + 60] + "\n" for i in range(0, len(s), 60))
    pysam.faidx(str(fasta))
    ref = SynthRef(fasta, tmp_path / "ann.gff3", tmp_path / "ann.gtf", contigs,
                   tuple(transcripts))
    _write_gff3(ref)
    _write_gtf(ref)
    return ref


def _transcript(gene, gi, chrom, strand, exons, mrna, cds_offset, cds, canonical,
                biotype="protein_coding", tid=None) -> SynthTranscript:
    parts = []
    if cds:
        lo, hi = cds_offset, cds_offset + len(cds)  # mRNA half-open
        off = 0
        for s, e in exons:
            n = e - s + 1
            a, b = max(lo, off), min(hi, off + n)
            if a < b:
                parts.append((s + a - off, s + b - 1 - off) if strand > 0 else
                             (e - (b - 1 - off), e - (a - off)))
            off += n
    return SynthTranscript(
        gene=gene, gene_id=f"ENSG{10000000000 + gi:011d}",
        transcript_id=tid or f"ENST{10000000000 + gi:011d}", protein_id=f"ENSP{10000000000 + gi:011d}",
        chrom=chrom, strand=strand, exons=exons, cds_parts=tuple(parts), mrna=mrna,
        cds_offset=cds_offset, cds=cds, protein=translate(cds)[:-1] if cds else "", canonical=canonical, biotype=biotype)


def _phases(tx: SynthTranscript) -> list[int]:
    """GFF phase of each CDS part (bases to skip at its 5' end to reach a codon start)."""
    out, done = [], 0
    for s, e in tx.cds_parts:
        out.append((3 - done % 3) % 3)
        done += e - s + 1
    return out


def _utrs(tx: SynthTranscript) -> list[tuple[str, int, int]]:
    """(kind, start, end) UTR segments (five_prime_UTR / three_prime_UTR)."""
    if not tx.cds:
        return []
    out = []
    c_lo = min(s for s, _ in tx.cds_parts)
    c_hi = max(e for _, e in tx.cds_parts)
    for s, e in tx.exons:
        left = (s, min(e, c_lo - 1))
        right = (max(s, c_hi + 1), e)
        for (a, b), side in ((left, "left"), (right, "right")):
            if a <= b:
                five = (side == "left") == (tx.strand > 0)
                out.append(("five_prime_UTR" if five else "three_prime_UTR", a, b))
    return out


def _write_gff3(ref: SynthRef) -> None:
    lines = ["##gff-version 3"]
    for n, s in ref.contigs.items():
        lines.append(f"##sequence-region   {n} 1 {len(s)}")
    genes: dict[str, list[SynthTranscript]] = {}
    for t in ref.transcripts:
        genes.setdefault(t.gene, []).append(t)
    for gene, txs in genes.items():
        t0 = txs[0]
        st = "+" if t0.strand > 0 else "-"
        gs, ge = min(t.start for t in txs), max(t.end for t in txs)
        lines.append(f"{t0.chrom}\tensembl_havana\tgene\t{gs}\t{ge}\t.\t{st}\t.\t"
                     f"ID=gene:{t0.gene_id};Name={gene};biotype={t0.biotype};"
                     f"description=synthetic gene {gene};gene_id={t0.gene_id};version=1")
        for t in txs:
            ftype = "mRNA" if t.cds else "lnc_RNA"
            tags = "basic,Ensembl_canonical,MANE_Select" if t.canonical else "basic"
            lines.append(f"{t.chrom}\tensembl_havana\t{ftype}\t{t.start}\t{t.end}\t.\t{st}\t.\t"
                         f"ID=transcript:{t.transcript_id};Parent=gene:{t.gene_id};"
                         f"Name={gene}-20{1 if t.canonical else 2};biotype={t.biotype};"
                         f"tag={tags};transcript_id={t.transcript_id};version=3")
            rows = []
            for k, (s, e) in enumerate(t.exons, 1):
                rows.append((s, (f"{t.chrom}\tensembl_havana\texon\t{s}\t{e}\t.\t{st}\t.\t"
                                 f"Parent=transcript:{t.transcript_id};Name={t.transcript_id}E{k};"
                                 f"exon_id={t.transcript_id}E{k};rank={k};version=1")))
            for (s, e), ph in zip(t.cds_parts, _phases(t)):
                rows.append((s, (f"{t.chrom}\tensembl_havana\tCDS\t{s}\t{e}\t.\t{st}\t{ph}\t"
                                 f"ID=CDS:{t.protein_id};Parent=transcript:{t.transcript_id};"
                                 f"protein_id={t.protein_id}")))
            for kind, s, e in _utrs(t):
                rows.append((s, (f"{t.chrom}\tensembl_havana\t{kind}\t{s}\t{e}\t.\t{st}\t.\t"
                                 f"Parent=transcript:{t.transcript_id}")))
            lines.extend(r for _, r in sorted(rows, key=lambda x: x[0]))
        lines.append("###")
    ref.gff3.write_text("\n".join(lines) + "\n")


def _write_gtf(ref: SynthRef) -> None:
    lines = ["##description: synthetic GENCODE-style annotation", "##format: gtf"]

    def attrs(t: SynthTranscript, extra: str = "", tx: bool = True) -> str:
        a = f'gene_id "{t.gene_id}.5"; '
        if tx:
            a += f'transcript_id "{t.transcript_id}.3"; '
        a += f'gene_type "{t.biotype}"; gene_name "{t.gene}"; '
        if tx:
            a += (f'transcript_type "{t.biotype}"; transcript_name "{t.gene}-20'
                  f'{1 if t.canonical else 2}"; ')
        return a + extra + "level 2;"

    done_genes = set()
    for t in ref.transcripts:
        st = "+" if t.strand > 0 else "-"
        if t.gene not in done_genes:
            done_genes.add(t.gene)
            txs = [x for x in ref.transcripts if x.gene == t.gene]
            lines.append(f"{t.chrom}\tHAVANA\tgene\t{min(x.start for x in txs)}\t"
                         f"{max(x.end for x in txs)}\t.\t{st}\t.\t{attrs(t, tx=False)}")
        tags = 'tag "basic"; tag "Ensembl_canonical"; tag "MANE_Select"; ' if t.canonical else \
            'tag "basic"; '
        lines.append(f"{t.chrom}\tHAVANA\ttranscript\t{t.start}\t{t.end}\t.\t{st}\t.\t"
                     f"{attrs(t, tags)}")
        # GTF CDS excludes the stop codon; start/stop codons may be split across exons
        cds_len = len(t.cds)
        stop_g = {t.cds_to_genomic(c) for c in (cds_len - 2, cds_len - 1, cds_len)} if t.cds else set()
        start_g = {t.cds_to_genomic(c) for c in (1, 2, 3)} if t.cds else set()
        for k, (s, e) in enumerate(t.exons, 1):
            exon_attr = attrs(t, f'exon_number {k}; exon_id "{t.transcript_id}E{k}"; ')
            lines.append(f"{t.chrom}\tHAVANA\texon\t{s}\t{e}\t.\t{st}\t.\t{exon_attr}")
            for (cs, ce), ph in zip(t.cds_parts, _phases(t)):
                if cs < s or ce > e:
                    continue
                body = [g for g in range(cs, ce + 1) if g not in stop_g]
                if body:
                    lines.append(f"{t.chrom}\tHAVANA\tCDS\t{min(body)}\t{max(body)}\t.\t{st}\t{ph}\t"
                                 f'{attrs(t, f"exon_number {k}; ")}')
                for kind, pos in (("start_codon", start_g), ("stop_codon", stop_g)):
                    inside = [g for g in pos if cs <= g <= ce]
                    if inside:
                        frame = 0 if kind == "start_codon" or t.strand > 0 and min(inside) == min(pos) \
                            or t.strand < 0 and max(inside) == max(pos) else \
                            (3 - len(set(pos) - set(inside))) % 3
                        lines.append(f"{t.chrom}\tHAVANA\t{kind}\t{min(inside)}\t{max(inside)}\t.\t"
                                     f'{st}\t{frame}\t{attrs(t, f"exon_number {k}; ")}')
        for kind, s, e in _utrs(t):
            lines.append(f"{t.chrom}\tHAVANA\tUTR\t{s}\t{e}\t.\t{st}\t.\t{attrs(t)}")
    ref.gtf.write_text("\n".join(lines) + "\n")


def random_variants(ref: SynthRef, n: int, seed: int = 1, max_indel: int = 10,
                    flank: int = 25) -> list[VcfRecord]:
    """n random SNV/MNV/indel records within `flank` bp of coding exons (see module doc)."""
    rng = random.Random(seed)
    windows = []
    for t in ref.coding():
        for s, e in t.exons:
            windows.append((t.chrom, max(2, s - flank), e + flank))
    weights = [e - s + 1 for _, s, e in windows]
    out: set[VcfRecord] = set()
    while len(out) < n:
        chrom, s, e = rng.choices(windows, weights)[0]
        seq = ref.contigs[chrom]
        pos = rng.randint(s, e)
        kind = rng.random()
        if kind < 0.45:  # SNV
            r = seq[pos - 1]
            a = rng.choice([b for b in BASES if b != r])
        elif kind < 0.5:  # MNV 2-3 bp
            k = rng.randint(2, 3)
            r = seq[pos - 1:pos - 1 + k]
            a = "".join(rng.choice([b for b in BASES if b != x]) for x in r)
        elif kind < 0.75:  # deletion
            k = rng.randint(1, max_indel)
            r = seq[pos - 1:pos + k]
            a = r[0]
        else:  # insertion; sometimes a duplication of the following/preceding bases
            k = rng.randint(1, max_indel)
            r = seq[pos - 1]
            if rng.random() < 0.3:
                ins = seq[pos - k:pos]  # duplicates the k bases ending at pos
            else:
                ins = "".join(rng.choice(BASES) for _ in range(k))
            a = r + ins
        out.add(VcfRecord(chrom, pos, r, a))
    order = {c: i for i, c in enumerate(ref.contigs)}
    return sorted(out, key=lambda v: (order[v.chrom], v.pos, v.ref, v.alt))


def write_vcf(path: Path, records: list[VcfRecord], ref: SynthRef) -> Path:
    """Sites-only VCF 4.2 with contig lines; IDs v1.. in record order."""
    lines = ["##fileformat=VCFv4.2"]
    lines += [f"##contig=<ID={n},length={len(s)}>" for n, s in ref.contigs.items()]
    lines.append("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO")
    for i, v in enumerate(records, 1):
        lines.append(f"{v.chrom}\t{v.pos}\tv{i}\t{v.ref}\t{v.alt}\t.\tPASS\t.")
    Path(path).write_text("\n".join(lines) + "\n")
    return Path(path)
