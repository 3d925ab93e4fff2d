"""Minimal BAM/CRAM writer for tests: reads given explicitly, sorted and indexed with pysam."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pysam


@dataclass(frozen=True)
class Read:
    name: str
    contig: str
    start0: int  # 0-based leftmost reference position
    seq: str
    cigar: str | None = None  # default: len(seq)M
    mapq: int = 60
    qual: int | Sequence[int] = 35
    read1: bool = True
    reverse: bool = False
    duplicate: bool = False
    secondary: bool = False
    mate_start0: int | None = None  # paired when set


def _cigar(text: str) -> list[tuple[int, int]]:
    ops = {"M": 0, "I": 1, "D": 2, "N": 3, "S": 4}
    out, num = [], ""
    for ch in text:
        if ch.isdigit():
            num += ch
        else:
            out.append((ops[ch], int(num)))
            num = ""
    return out


def write_alignments(path: Path, contigs: Sequence[tuple[str, int]], reads: Sequence[Read],
                     index: bool = True, reference: Path | None = None) -> Path:
    """Write `reads` as a coordinate-sorted BAM (or CRAM when `reference` is given)."""
    header = {"HD": {"VN": "1.6", "SO": "unsorted"},
              "SQ": [{"SN": n, "LN": ln} for n, ln in contigs]}
    tid = {n: i for i, (n, _) in enumerate(contigs)}
    unsorted = path.with_suffix(".unsorted.bam")
    with pysam.AlignmentFile(str(unsorted), "wb", header=header) as out:
        for r in reads:
            a = pysam.AlignedSegment()
            a.query_name = r.name
            a.query_sequence = r.seq
            a.reference_id = tid[r.contig]
            a.reference_start = r.start0
            a.cigar = _cigar(r.cigar or f"{len(r.seq)}M")
            a.mapping_quality = r.mapq
            flag = 0
            if r.mate_start0 is not None:
                flag |= 0x1 | 0x2 | (0x40 if r.read1 else 0x80)
                a.next_reference_id = tid[r.contig]
                a.next_reference_start = r.mate_start0
            if r.reverse:
                flag |= 0x10
            if r.duplicate:
                flag |= 0x400
            if r.secondary:
                flag |= 0x100
            a.flag = flag
            q = [r.qual] * len(r.seq) if isinstance(r.qual, int) else list(r.qual)
            a.query_qualities = pysam.qualitystring_to_array("".join(chr(x + 33) for x in q))
            out.write(a)
    sorted_bam = path if reference is None else path.with_suffix(".sorted.bam")
    pysam.sort("-o", str(sorted_bam), str(unsorted))
    unsorted.unlink()
    if reference is not None:
        pysam.view("-C", "-T", str(reference), "-o", str(path), str(sorted_bam),
                   catch_stdout=False)
        sorted_bam.unlink()
    if index:
        pysam.index(str(path))
    return path


COMP = str.maketrans("ACGTN", "TGCAN")


def codon_to_genomic(codon: str, strand: int) -> list[str]:
    """Bases to place at codon_positions() (transcript order) for a transcript-strand codon."""
    return list(codon) if strand > 0 else list(codon.translate(COMP))
