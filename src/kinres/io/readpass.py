"""One pass over the reads of many small sites (hotspot codons, variants to phase).

Sites close to each other on a contig are merged into windows and each window is fetched once;
every usable read is then offered to the sites it overlaps. This replaces one fetch per site
(and one position dict per read per site), which re-read the same reads for every hotspot of a
gene: at 20,000x that cost ~80x a bare pysam pass over the same reads (issue 12).

`RefLookup` maps reference positions of one read to query positions with the same answers as
`{r: q for q, r in read.get_aligned_pairs() if r is not None}` (pysam's conventions included:
N ref-skips read as deleted, P consumes a query position), walking the CIGAR instead of
materialising every aligned pair.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pysam

from kinres.errors import InputError

# Sites closer than this share one fetch; farther apart, skipping the gap beats reading it.
MERGE_GAP = 1000
NOT_COVERED = -1  # RefLookup answer for a position the read does not span

_MATCH = (0, 7, 8)        # M = X: reference and query advance together
_REF_ONLY = (2, 3)        # D N: reference only (pysam pairs them with query None)
_QUERY_ONLY = (1, 4, 6)   # I S P: query only (pysam counts P as a query position too)


def usable(read: pysam.AlignedSegment, min_mapq: int) -> bool:
    """Primary, mapped, non-duplicate, QC-passed read with MAPQ >= min_mapq."""
    return not (read.is_unmapped or read.is_secondary or read.is_supplementary
                or read.is_duplicate or read.is_qcfail or read.mapping_quality < min_mapq)


class RefLookup:
    """Reference position (0-based) -> query position, None (deleted/skipped) or NOT_COVERED."""

    __slots__ = ("_blocks", "_pairs", "offset")

    def __init__(self, read: pysam.AlignedSegment):
        self._pairs: dict[int, int | None] | None = None
        blocks: list[tuple[int, int, int | None]] = []
        pos, qpos = read.reference_start, 0
        for op, length in read.cigartuples or ():
            if op in _MATCH:
                blocks.append((pos, pos + length, qpos))
                pos += length
                qpos += length
            elif op in _REF_ONLY:
                blocks.append((pos, pos + length, None))
                pos += length
            elif op in _QUERY_ONLY:
                qpos += length
            elif op != 5:  # B (back) or unknown: let pysam decide
                self._pairs = {r: q for q, r in read.get_aligned_pairs() if r is not None}
                break
        self._blocks = blocks
        # one aligned block (no indel; clips allowed): query = reference - offset inside
        # [reference_start, reference_end); the fast path of callers reading a few positions
        self.offset = (blocks[0][0] - blocks[0][2]
                       if len(blocks) == 1 and blocks[0][2] is not None
                       and self._pairs is None else None)

    def __call__(self, ref0: int) -> int | None:
        if self._pairs is not None:
            return self._pairs.get(ref0, NOT_COVERED)
        for start, end, q in self._blocks:
            if start <= ref0 < end:
                return None if q is None else q + ref0 - start
        return NOT_COVERED


@dataclass(frozen=True)
class Site:
    """Half-open 0-based reference window [start0, end0) on `contig`; `key` names the site."""

    contig: str
    start0: int
    end0: int
    key: Any


def merge_windows(sites: Sequence[Site], gap: int = MERGE_GAP
                  ) -> list[tuple[str, int, int, list[Site]]]:
    """(contig, start0, end0, sites sorted by start) for groups of sites within `gap` bp."""
    out: list[tuple[str, int, int, list[Site]]] = []
    for s in sorted(sites, key=lambda s: (s.contig, s.start0, s.end0)):
        if out and out[-1][0] == s.contig and s.start0 <= out[-1][2] + gap:
            contig, start, end, members = out[-1]
            members.append(s)
            out[-1] = (contig, start, max(end, s.end0), members)
        else:
            out.append((s.contig, s.start0, s.end0, [s]))
    return out


def alignment_path(aln: pysam.AlignmentFile) -> str:
    name = aln.filename
    return name.decode() if isinstance(name, bytes) else str(name)


def reads_by_site(aln: pysam.AlignmentFile, sites: Sequence[Site], min_mapq: int
                  ) -> Iterator[tuple[pysam.AlignedSegment, list[Site]]]:
    """Each usable read once per window, with the sites of that window it overlaps.

    A read spanning two windows (a long deletion or ref-skip) comes once per window; callers
    collect per-fragment sets, so seeing it twice changes nothing. htslib errors while fetching
    (a damaged file or an index that does not belong to it) become an InputError.
    """
    for contig, start, end, members in merge_windows(sites):
        try:
            for read in aln.fetch(contig, start, end):
                if not usable(read, min_mapq):
                    continue
                rs, re_ = read.reference_start, read.reference_end
                if re_ is None:
                    continue
                hit = [s for s in members if s.start0 < re_ and s.end0 > rs]
                if hit:
                    yield read, hit
        except (OSError, ValueError) as exc:
            raise InputError(alignment_path(aln),
                             f"reading {contig}:{start + 1}-{end} failed ({exc}): the file is "
                             "damaged or its index is stale or belongs to another file; "
                             "re-index with samtools index") from None


def per_read(read: pysam.AlignedSegment) -> tuple[str | None, Any, Callable[[int], int | None]]:
    """(sequence, qualities, RefLookup) of a read, for callers reading a few positions."""
    return read.query_sequence, read.query_qualities, RefLookup(read)
