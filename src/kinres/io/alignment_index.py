"""Does the .bai/.csi/.crai beside a BAM/CRAM describe *this* file?

htslib trusts whatever index it finds: an index older than its BAM (the BAM was rewritten) or
copied from another BAM makes region fetches return nothing (or garbage), and every hotspot
depth silently became 0. Before any fetch we check, cheaply (index header and meta data, a few
records; no full scan):

- the index is not older than the data file (htslib's own rule: whole seconds);
- it describes as many reference sequences as the alignment header;
- BAI/CSI: its meta data say where the last placed read ends; from there the file must hold
  only unplaced reads or end (an index of another file points elsewhere, usually not even at a
  BGZF block), and the first placed read lies at the offset the index gives for it;
- the first reads of the file, read sequentially, are found again through the index.

Any failure is an InputError naming the file and the problem, with the fix (re-index).
"""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import pysam

from kinres.errors import InputError

SPOT_RECORDS = 5000  # reads read sequentially from the start; spot checks come from these
SPOT_CHECKS = 8


def index_candidates(path: Path, cram: bool) -> list[Path]:
    """Index files htslib looks for beside `path`, in its order."""
    exts = (".crai",) if cram else (".csi", ".bai")
    return ([Path(f"{path}{e}") for e in exts]
            + [path.with_suffix(e) for e in exts if path.suffix])


def check_index(aln: pysam.AlignmentFile, path: Path, cram: bool,
                reference: str | Path | None = None) -> None:
    """Raise InputError unless the index found beside `path` matches it (`aln`: the open
    file; `reference`: the CRAM's FASTA)."""
    index = next((p for p in index_candidates(path, cram) if p.is_file()), None)
    if index is None:
        return  # htslib found it elsewhere (e.g. a URL); nothing local to compare
    fix = f"re-index with samtools index {path}"

    def refuse(problem: str) -> InputError:
        return InputError(path, f"index {index.name}: {problem}; {fix}")

    if int(index.stat().st_mtime) < int(path.stat().st_mtime):
        raise refuse("older than the alignment file, so it may describe an earlier version "
                     "of it")
    try:
        with pysam.AlignmentFile(str(path), "rc" if cram else "rb",
                                 reference_filename=str(reference) if reference else None
                                 ) as sequential:
            first_placed, sample = _leading_reads(sequential)
        if cram:
            _check_crai(aln, index, path, refuse)
        else:
            _check_bai_csi(aln, index, path, refuse, first_placed)
        _spot_check(aln, sample, refuse)
    except InputError:
        raise
    except (OSError, ValueError, EOFError, struct.error) as exc:
        raise refuse(f"does not fit the alignment file ({exc}): stale or of another "
                     "file") from None


def _itf8(buf: bytes, pos: int) -> tuple[int, int]:
    """CRAM ITF8 integer at buf[pos]: (value as int32, next position)."""
    b0 = buf[pos]
    if b0 < 0x80:
        return b0, pos + 1
    if b0 < 0xC0:
        v, n = ((b0 & 0x3F) << 8) | buf[pos + 1], 2
    elif b0 < 0xE0:
        v, n = ((b0 & 0x1F) << 16) | (buf[pos + 1] << 8) | buf[pos + 2], 3
    elif b0 < 0xF0:
        v, n = (((b0 & 0x0F) << 24) | (buf[pos + 1] << 16) | (buf[pos + 2] << 8)
                | buf[pos + 3]), 4
    else:
        v, n = (((b0 & 0x0F) << 28) | (buf[pos + 1] << 20) | (buf[pos + 2] << 12)
                | (buf[pos + 3] << 4) | (buf[pos + 4] & 0x0F)), 5
    return (v - (1 << 32) if v >= 1 << 31 else v), pos + n


CRAI_CHECKS = 200  # container headers compared with their index lines


def _check_crai(aln, index: Path, path: Path, refuse) -> None:
    """Each index line must name a container of the file that holds its reference span."""
    size = path.stat().st_size
    with gzip.open(index, "rt") as fh:
        lines = [line.split("\t") for line in fh if line.strip()]
    with open(path, "rb") as data:
        for n, cells in enumerate(lines):
            if len(cells) < 6:
                raise refuse("not a CRAM index")
            tid, start, span, offset = (int(c) for c in cells[:4])
            if tid >= aln.nreferences:
                raise refuse(f"names reference sequence #{tid + 1}, the alignment header has "
                             f"{aln.nreferences}: it belongs to another file")
            if offset >= size:
                raise refuse("points past the end of the alignment file: it belongs to "
                             "another (or an earlier) file")
            if n >= CRAI_CHECKS or tid < 0:
                continue
            data.seek(offset)
            head = data.read(32)
            c_tid, pos = _itf8(head, 4)  # after the int32 container length
            c_start, pos = _itf8(head, pos)
            c_span, _ = _itf8(head, pos)
            inside = c_tid == -2 or (c_tid == tid and c_start <= start
                                     and start + span <= c_start + c_span)
            if not inside:
                raise refuse(f"its entry for {aln.get_reference_name(tid)}:{start} does not "
                             "match the file's data there: stale or of another file")


def _read_index(index: Path) -> tuple[int, list[tuple[int, int]]]:
    """(n_ref, [(first_offset, end_offset) of placed reads per reference with meta data])."""
    raw = index.read_bytes()
    if raw[:4] == b"BAI\1":
        n_bins, data = 37449, raw
        pos = 4
        csi = False
    else:
        data = gzip.decompress(raw)
        if data[:4] != b"CSI\1":
            raise ValueError("neither a BAI nor a CSI index")
        _min_shift, depth, l_aux = struct.unpack_from("<3i", data, 4)
        n_bins = ((1 << (3 * depth + 3)) - 1) // 7
        pos = 16 + l_aux
        csi = True
    meta_bin = n_bins + 1
    (n_ref,) = struct.unpack_from("<i", data, pos)
    pos += 4
    spans = []
    for _ in range(n_ref):
        (n_bin,) = struct.unpack_from("<i", data, pos)
        pos += 4
        for _ in range(n_bin):
            (bin_id,) = struct.unpack_from("<I", data, pos)
            pos += 12 if csi else 4  # CSI: bin + loffset
            (n_chunk,) = struct.unpack_from("<i", data, pos)
            pos += 4
            if bin_id == meta_bin and n_chunk == 2:
                beg, end = struct.unpack_from("<2Q", data, pos)
                spans.append((beg, end))
            pos += 16 * n_chunk
        if not csi:
            (n_intv,) = struct.unpack_from("<i", data, pos)
            pos += 4 + 8 * n_intv
    return n_ref, spans


def _same(a: pysam.AlignedSegment | None, b: pysam.AlignedSegment | None) -> bool:
    return a is not None and b is not None and (a.query_name, a.flag, a.reference_id,
                                                a.reference_start) == (
        b.query_name, b.flag, b.reference_id, b.reference_start)


def _check_bai_csi(aln, index: Path, path: Path, refuse, first_placed) -> None:
    n_ref, spans = _read_index(index)
    if n_ref != aln.nreferences:
        raise refuse(f"describes {n_ref} reference sequence(s), the alignment header "
                     f"{aln.nreferences}: it belongs to another file")
    if not spans:
        return
    size = path.stat().st_size
    first, end = min(b for b, _ in spans), max(e for _, e in spans)
    if (end >> 16) > size:
        raise refuse("points past the end of the alignment file: it belongs to another (or "
                     "an earlier) file")
    aln.seek(end)
    after = next(aln, None)
    if after is not None and after.reference_id >= 0:
        raise refuse("does not end where the file's placed reads end: stale or of another "
                      "file")
    aln.seek(first)
    if first_placed is not None and not _same(next(aln, None), first_placed):
        raise refuse("its first read is not the file's first placed read: stale or of "
                     "another file")


def _leading_reads(aln) -> tuple[pysam.AlignedSegment | None, list[pysam.AlignedSegment]]:
    """The file's first placed read and the aligned reads among its first SPOT_RECORDS."""
    first_placed, sample = None, []
    for n, read in enumerate(aln.fetch(until_eof=True)):
        if n >= SPOT_RECORDS:
            break
        if first_placed is None and read.reference_id >= 0:
            first_placed = read
        if not read.is_unmapped and read.reference_end is not None \
                and read.reference_end > read.reference_start:
            sample.append(read)
    return first_placed, sample


def _spot_check(aln, sample, refuse) -> None:
    """Reads from the start of the file must come back through the index."""
    if not sample:
        return
    step = max(1, len(sample) // SPOT_CHECKS)
    for read in sample[::step][:SPOT_CHECKS] + [sample[-1]]:
        contig, start = read.reference_name, read.reference_start
        if not any(_same(r, read) for r in aln.fetch(contig, start, start + 1)):
            raise refuse(f"read {read.query_name} at {contig}:{start + 1} is in the file but "
                         "not found through the index: stale or of another file")
