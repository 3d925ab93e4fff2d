"""Panel-region restriction of a VCF: region merging, index trust checks, indexed queries
and the numpy pre-scan of unindexed text VCFs."""

from __future__ import annotations

import warnings as warnings_mod
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from kinres.errors import InputError
from kinres.io import opener
from kinres.io.vcf_header import _contigs, _plain


def _has_index(path: Path) -> bool:
    return any(Path(str(path) + s).exists() for s in (".tbi", ".csi"))


def _index_problem(path: Path, vcf, text: bool) -> str | None:
    """Why the .tbi/.csi beside `path` must not be trusted, or None.

    A stale index (older than the data: the file was rewritten after indexing) or a foreign one
    (another file's) makes region queries return nothing, which would silently drop every panel
    variant and make a negative look informative. Checked: modification times, index contigs
    against the header's, and that the first record is found where the index says.
    """
    idx = next(Path(str(path) + s) for s in (".tbi", ".csi") if Path(str(path) + s).exists())
    try:
        if idx.stat().st_mtime + 1 < path.stat().st_mtime:
            return f"index {idx.name} is older than the data file (stale)"
        index_contigs = set(vcf.seqnames or ())
    except Exception:  # noqa: BLE001 - unreadable index
        return f"index {idx.name} cannot be read"
    header = set(_contigs(vcf.raw_header))
    if header and index_contigs and not index_contigs <= header:
        extra = sorted(index_contigs - header)[:3]
        return (f"index {idx.name} names contigs absent from the VCF header "
                f"({', '.join(extra)}): it belongs to another file")
    first = _first_record(path, text)
    if first is None:
        return None
    chrom, pos = first
    import cyvcf2

    try:
        probe = cyvcf2.VCF(str(path), lazy=True)
        try:
            with warnings_mod.catch_warnings():
                warnings_mod.simplefilter("ignore", UserWarning)
                found = any(r.POS == pos for r in probe(f"{chrom}:{pos}-{pos}"))
        finally:
            probe.close()
    except Exception:  # noqa: BLE001 - htslib cannot use it at all
        found = False
    if not found:
        return (f"index {idx.name} does not match the data (the first record {chrom}:{pos} is "
                "not where the index points)")
    return None


def _first_record(path: Path, text: bool) -> tuple[str, int] | None:
    """CHROM and POS of the first record (None if there is none or it is malformed)."""
    try:
        if text:
            for _, line in opener.iter_lines(path, "VCF file"):
                if line and not line.startswith("#"):
                    cols = line.split("\t", 2)
                    return (cols[0], int(cols[1])) if len(cols) > 2 else None
            return None
        import cyvcf2

        first = cyvcf2.VCF(str(path), lazy=True)
        try:
            rec = next(iter(first), None)
            return None if rec is None else (rec.CHROM, rec.POS)
        finally:
            first.close()
    except (InputError, ValueError, StopIteration):
        return None
    except Exception:  # noqa: BLE001 - cyvcf2's bare Exception: the read itself will report it
        return None


def _regions_for(panel, padding: int) -> list[tuple[str, int, int]]:
    """Panel regions as (chrom without chr, 1-based start, 1-based end), merged."""
    raw = panel.regions(padding=padding)
    ivs = []
    for r in raw:
        chrom = getattr(r, "chrom", None)
        if chrom is None:
            chrom, start, end = r[0], r[1], r[2]
            start = int(start) + 1  # BED-like: 0-based half-open
        else:
            start = int(r.start) + (0 if getattr(r, "one_based", False) else 1)
        end = int(getattr(r, "end", None) or r[2])
        ivs.append((_plain(str(chrom)), start, end))
    ivs.sort()
    merged: list[list] = []
    for c, s, e in ivs:
        if merged and merged[-1][0] == c and s <= merged[-1][2] + 1:
            merged[-1][2] = max(merged[-1][2], e)
        else:
            merged.append([c, s, e])
    return [(c, s, e) for c, s, e in merged]


_QUERY_GAP = 20_000  # panel intervals closer than this share one index query


def _windows(regions: Sequence[tuple[str, int, int]], gap: int) -> list[tuple[str, int, int]]:
    """Merge nearby intervals so a gene's exons cost one index query instead of dozens."""
    out: list[list] = []
    for c, s, e in regions:
        if out and out[-1][0] == c and s - out[-1][2] <= gap:
            out[-1][2] = max(out[-1][2], e)
        else:
            out.append([c, s, e])
    return [(c, s, e) for c, s, e in out]


class _IntervalIndex:
    """Sorted per-chromosome intervals: is a (chrom, pos) in the panel? (bisect, no parsing)."""

    def __init__(self, regions: list[tuple[str, int, int]]):
        import bisect

        self._bisect = bisect.bisect_right
        self.by_chrom: dict[str, tuple[list[int], list[int]]] = {}
        for c, s, e in regions:
            starts, ends = self.by_chrom.setdefault(c, ([], []))
            starts.append(s)
            ends.append(e)

    def contains(self, chrom: str, pos: int, end: int) -> bool:
        iv = self.by_chrom.get(chrom)
        if iv is None:
            return False
        starts, ends = iv
        k = self._bisect(starts, end) - 1
        return k >= 0 and ends[k] >= pos



_BLOCK = 4 << 20


def _iter_text_blocks(path: Path):
    """Decompressed text in ~4 MB blocks, each ending at a line boundary."""
    import gzip

    with open(path, "rb") as raw:
        gz = raw.read(2) == b"\x1f\x8b"
    fh = gzip.open(path, "rb") if gz else open(path, "rb")  # noqa: SIM115 - closed below
    with fh:
        # read errors propagate as they are: prescan_text names the last good line itself
        yield from opener.line_blocks(iter(lambda: fh.read(_BLOCK), b""))


def _readable_lines(path: Path) -> int:
    """Complete lines of a damaged gzip/bgzip file that decompress before the error."""
    import gzip

    n = 0
    try:
        with gzip.open(path, "rb") as fh:
            while chunk := fh.read(1 << 13):
                n += chunk.count(b"\n")
    except (OSError, EOFError, zlib.error):
        pass
    return n


def prescan_text(path: Path, regions: Sequence[tuple[str, int, int]], header_lines: int
                 ) -> tuple[list[tuple[int, bytes]], int]:
    """(line number, raw line) of records overlapping `regions`, and the number of records.

    Works on raw text with numpy: per block it finds line starts and the first tabs, parses POS
    and the REF length, and tests [POS, POS+len(REF)-1] against the merged intervals. Records
    with a non-numeric POS or fewer than 8 columns raise InputError with their line number.
    """
    import numpy as np

    by_chrom: dict[bytes, tuple[Any, Any]] = {}
    for c, s, e in regions:
        for name in {c, "chr" + c, "chrM" if c == "MT" else c}:
            starts, ends = by_chrom.setdefault(name.encode(), ([], []))
            starts.append(s)
            ends.append(e)
    iv = {k: (np.asarray(s_, dtype=np.int64), np.asarray(e_, dtype=np.int64))
          for k, (s_, e_) in by_chrom.items()}
    hits: list[tuple[int, bytes]] = []
    line_base = 0  # lines (header included) before the current block
    records = 0
    pow10 = 10 ** np.arange(11, dtype=np.int64)
    blocks = _iter_text_blocks(path)
    while True:
        try:
            block = next(blocks)
        except StopIteration:
            break
        except (OSError, EOFError, zlib.error) as exc:
            # the failing block is ~4 MB: count the lines that do decompress so the message
            # points at the damage rather than at the start of that block
            good = max(line_base, _readable_lines(path))
            raise InputError(path, f"compressed data truncated or corrupt after line {good} "
                                   f"({exc})", line=good + 1) from None
        arr = np.frombuffer(block, dtype=np.uint8)
        nl = np.flatnonzero(arr == 10)
        starts = np.concatenate(([0], nl[:-1] + 1))
        line_no = line_base + np.arange(1, len(starts) + 1)
        line_base += len(starts)
        data = arr[starts] != 35  # '#': header lines
        data &= starts < nl  # empty lines are not records
        if not data.any():
            continue
        starts, ends, line_no = starts[data], nl[data], line_no[data]
        records += len(starts)
        tabs = np.flatnonzero(arr == 9)
        first = np.searchsorted(tabs, starts)
        ntabs = np.searchsorted(tabs, ends) - first
        bad = np.flatnonzero(ntabs < 7)
        if len(bad):
            raise InputError(path, f"record has {int(ntabs[bad[0]]) + 1} tab-separated columns, "
                                   "a VCF record needs at least 8", line=int(line_no[bad[0]]))
        t1, t2, t3, t4 = (tabs[first + k] for k in (0, 1, 2, 3))  # after CHROM, POS, ID, REF
        plen = t2 - t1 - 1
        k = np.arange(11)
        mask = k[None, :] < plen[:, None]
        digits = arr[np.minimum(t1[:, None] + 1 + k[None, :], len(arr) - 1)].astype(np.int64) - 48
        badpos = ((plen < 1) | (plen > 10) | ((mask & ((digits < 0) | (digits > 9))).any(axis=1)))
        if badpos.any():
            i = int(np.flatnonzero(badpos)[0])
            text = block[t1[i] + 1:t2[i]].decode(errors="replace")
            raise InputError(path, f"POS is not a positive integer: {text!r}",
                             line=int(line_no[i]))
        weights = np.where(mask, pow10[np.maximum(plen[:, None] - 1 - k[None, :], 0)], 0)
        pos = (digits * weights).sum(axis=1)
        end = pos + (t4 - t3 - 1) - 1
        clen = t1 - starts
        # chromosome key: the first 8 bytes + length identifies every panel chromosome name
        key_bytes = arr[np.minimum(starts[:, None] + np.arange(8)[None, :], len(arr) - 1)]
        key_bytes = np.where(np.arange(8)[None, :] < clen[:, None], key_bytes, 0)
        keys = key_bytes.astype(np.uint64) @ (256 ** np.arange(8, dtype=np.uint64))
        for name, (s_arr, e_arr) in iv.items():
            if len(name) > 8:
                continue
            nkey = np.uint64(sum(b << (8 * j) for j, b in enumerate(name)))
            sel = np.flatnonzero((keys == nkey) & (clen == len(name)))
            if not len(sel):
                continue
            j = np.searchsorted(s_arr, end[sel], side="right") - 1
            ok = (j >= 0) & (e_arr[np.maximum(j, 0)] >= pos[sel])
            for i in sel[ok]:
                hits.append((int(line_no[i]), block[starts[i]:ends[i] + 1]))
    hits.sort()
    return hits, records


def _indexed_record_count(path: Path) -> int | None:
    """Total records from the .tbi/.csi index (`bcftools index -n`), None if unavailable."""
    try:
        import pysam.bcftools

        return int(str(pysam.bcftools.index("-n", str(path))).strip())
    except Exception:  # noqa: BLE001 - old index without counts, or bcftools error
        return None


def iter_regions(regions: Sequence[tuple[str, int, int]], style: str) -> Iterator[str]:
    """Region strings in the file's naming style (used by the benchmark too)."""
    for c, s, e in regions:
        yield f"{'chr' + c if style == 'chr' else c}:{s}-{e}"
