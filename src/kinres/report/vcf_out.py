"""Annotated VCF: the input VCF's records with kinres INFO fields on those matching a report
alteration (by chrom/pos/ref/alt after trimming shared bases, per ALT allele).

Report alterations carry `chrom`, `pos`, `ref`, `alt` (contract extension on small variants).
Alterations with coordinates that match no input record, and small variants without
coordinates, are returned (and logged by the command) - never dropped silently.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from kinres.annotate.normalize import trim
from kinres.atomic import atomic_path
from kinres.enums import AltKind
from kinres.errors import InputError, OutputError
from kinres.io import opener
from kinres.models import Alteration
from kinres.report.json import Report
from kinres.report.settings import VCF_RECORD_CHOICES

log = logging.getLogger(__name__)

SMALL_KINDS = {AltKind.SNV, AltKind.MNV, AltKind.INSERTION, AltKind.DELETION, AltKind.DELINS,
               AltKind.SPLICE, AltKind.LOSS_OF_FUNCTION}
INFO_FIELDS = (
    ("KINRES_GENE", "kinres reporting gene (HGNC symbol)"),
    ("KINRES_HGVSP", "kinres HGVS p. on the reporting transcript (1-letter short form)"),
    ("KINRES_ROLE", "kinres role: driver, on_target_resistance, bypass, transformation_marker, passenger, uncertain"),
    ("KINRES_CLASS", "kinres kinase-domain structural class (solvent_front, gatekeeper, xdfg, ...)"),
    ("KINRES_ALT_ID", "kinres report alteration id (report.json alterations[].id)"),
)
# VCF 4.3 §1.2: these characters must be percent-encoded inside INFO values.
_ENCODE = {"%": "%25", ":": "%3A", ";": "%3B", "=": "%3D", ",": "%2C", " ": "%20",
           "\t": "%09", "\n": "%0A", "\r": "%0D"}
_ENCODE_RE = re.compile("[%:;=, \t\n\r]")


def encode_info(value: str | None) -> str | None:
    """Percent-encode a value for a VCF INFO String field ('.' stays missing)."""
    if value is None or value == "":
        return None
    return _ENCODE_RE.sub(lambda m: _ENCODE[m.group(0)], value)


def _plain_chrom(chrom: str) -> str:
    try:
        from kinres.annotate.transcripts import normalise_chrom
    except ImportError:  # panel module not present yet: the same rule, minimal
        c = chrom[3:] if chrom.lower().startswith("chr") else chrom
        return "MT" if c.upper() == "M" else c
    return normalise_chrom(chrom)


def _key(chrom: str, pos: int, ref: str, alt: str) -> tuple[str, int, str, str]:
    e = trim(_plain_chrom(chrom), pos, ref, alt)
    return (e.chrom, e.start, e.deleted, e.inserted)


@dataclass(frozen=True)
class VcfAnnotationResult:
    records_in: int
    records_out: int
    annotated_records: int
    matched_alterations: tuple[str, ...]
    unmatched_alterations: tuple[str, ...]  # had coordinates, no input record matched
    without_coordinates: tuple[str, ...]  # small variants the producer gave no coordinates

    @property
    def warnings(self) -> tuple[str, ...]:
        out = []
        if self.unmatched_alterations:
            out.append(f"{len(self.unmatched_alterations)} alteration(s) with coordinates not found "
                       f"in the input VCF: {', '.join(self.unmatched_alterations)}")
        if self.without_coordinates:
            out.append(f"{len(self.without_coordinates)} small-variant alteration(s) without "
                       f"coordinates, not annotated: {', '.join(self.without_coordinates)}")
        return tuple(out)


def _index(report: Report) -> tuple[dict[tuple, Alteration], list[str]]:
    by_key: dict[tuple, Alteration] = {}
    missing = []
    for a in report.alterations:
        if None in (a.chrom, a.pos, a.ref, a.alt):
            if a.kind in SMALL_KINDS and a.fusion is None:
                missing.append(a.id)
            continue
        by_key[_key(a.chrom, a.pos, a.ref, a.alt)] = a
    return by_key, missing


def annotate_vcf(vcf_in: str | Path, report: Report, out_path: str | Path,
                 records: str = "all") -> VcfAnnotationResult:
    """Write `out_path` (bgzipped if it ends in .gz) with KINRES_* INFO on matched alleles.

    Text VCFs (plain, gzip or bgzip, CRLF, BOM) are copied as text: only the header and the
    matched records are rewritten, so records are never parsed or re-encoded by htslib (no
    exit on a missing ##contig or an undeclared FILTER/INFO, and the copy runs at
    decompress/compress speed). A BCF is decoded by pysam (its header is always complete).
    """
    if records not in VCF_RECORD_CHOICES:
        raise ValueError(f"records must be one of {VCF_RECORD_CHOICES}")
    vcf_in = Path(vcf_in)
    sniffed = opener.sniff(vcf_in, "VCF file")
    by_key, missing = _index(report)
    windows = _Windows(by_key)
    safe = re.sub(r"[^\w .:+/-]", "_", report.provenance.knowledge_version)
    extra = [f'##INFO=<ID={tag},Number=A,Type=String,Description="{desc}">'.encode()
             for tag, desc in INFO_FIELDS] + [f"##kinres_knowledge_version={safe}".encode()]
    blocks = (_bcf_blocks(vcf_in) if sniffed.bcf
              else opener.iter_blocks(vcf_in, "VCF file", external=True))
    matched: set[str] = set()
    n_in = n_out = n_ann = 0
    gz = str(out_path).endswith(".gz")
    with atomic_path(out_path) as tmp:
        try:
            with _writer(tmp, gz) as dst:
                header: list[bytes] = []
                in_header = True
                for block in blocks:
                    if b"\r" in block:
                        block = block.replace(b"\r\n", b"\n")
                    if in_header:
                        if not header and block.startswith(opener.BOM):
                            block = block[len(opener.BOM):]
                        block, done = _take_header(block, header)
                        if not done:
                            continue
                        in_header = False
                        dst.write(_header_out(vcf_in, header, extra))
                        if not block:
                            continue
                    n, out, ann, hits = _annotate_block(block, by_key, windows, records)
                    n_in += n
                    n_out += n if records == "all" else ann
                    n_ann += ann
                    matched.update(hits)
                    dst.write(out)
                if in_header:
                    _no_chrom_line(vcf_in, header)
        except OSError as exc:
            raise OutputError(out_path, f"cannot write the annotated VCF: "
                                        f"{opener.os_problem(exc)}") from None
    unmatched = tuple(a.id for a in by_key.values() if a.id not in matched)
    return VcfAnnotationResult(records_in=n_in, records_out=n_out, annotated_records=n_ann,
                               matched_alterations=tuple(sorted(matched)),
                               unmatched_alterations=unmatched,
                               without_coordinates=tuple(missing))


def _no_chrom_line(path: Path, header: list[bytes]) -> None:
    if not header:
        raise InputError(path, "VCF file is empty (no header, no records)")
    if not header or not header[0].startswith(b"##fileformat=VCF"):
        raise InputError(path, "malformed header: first line is not '##fileformat=VCF...'",
                         line=1)
    raise InputError(path, "malformed header: no '#CHROM POS ID REF ALT ...' line",
                     line=len(header))


def _take_header(block: bytes, header: list[bytes]) -> tuple[bytes, bool]:
    """Move leading '#' lines of `block` into `header`; (rest of the block, header complete)."""
    pos = 0
    while pos < len(block):
        end = block.index(b"\n", pos) + 1
        line = block[pos:end]
        pos = end
        if not line.strip():
            continue
        header.append(line)  # a record before #CHROM ends the header too (then refused)
        if not line.startswith(b"#") or line.startswith(b"#CHROM"):
            return block[pos:], True
    return b"", False


def _header_out(path: Path, header: list[bytes], extra: list[bytes]) -> bytes:
    if not header or not header[0].startswith(b"##fileformat=VCF"):
        raise InputError(path, "malformed header: first line is not '##fileformat=VCF...'",
                         line=1)
    if not header[-1].startswith(b"#CHROM"):
        raise InputError(path, "malformed header: no '#CHROM POS ID REF ALT ...' line before "
                               "the first record", line=len(header))
    for tag, _ in INFO_FIELDS:
        if any(h.startswith(f"##INFO=<ID={tag},".encode()) for h in header):
            raise InputError(path, f"input VCF already defines INFO/{tag}; "
                                   "refusing to overwrite kinres annotations")
    return b"".join(header[:-1]) + b"".join(e + b"\n" for e in extra) + header[-1]


class _Windows:
    """Per alteration the 1-based record POS range whose trimmed start can equal it."""

    def __init__(self, by_key: dict[tuple, Alteration]):
        import numpy as np

        # trimmed 0-based start s lies in [POS - 1, POS - 1 + len(REF)]: POS <= s + 1 <= POS + len
        self.targets = np.asarray(sorted({k[1] + 1 for k in by_key}), dtype=np.int64)


def _annotate_block(block: bytes, by_key: dict[tuple, Alteration], windows: _Windows,
                    records: str) -> tuple[int, bytes, int, list[str], int]:
    """(records, output bytes, annotated records, matched ids) for one block."""
    import numpy as np

    arr = np.frombuffer(block, dtype=np.uint8)
    nl = np.flatnonzero(arr == 10)
    starts = np.concatenate(([0], nl[:-1] + 1))
    data = (arr[starts] != 35) & (starts < nl)
    n_records = int(data.sum())
    targets = windows.targets
    if not len(targets) or not n_records:
        return n_records, block if records == "all" else b"", 0, []
    cand = _candidates(arr, starts[data], nl[data], targets)
    if not len(cand):
        return n_records, block if records == "all" else b"", 0, []
    out: list[bytes] = []
    prev = 0
    n_ann = 0
    hits_all: list[str] = []
    for s, e in cand:
        line = block[s:e]
        new, ids = _annotate_line(line, by_key)
        if ids:
            n_ann += 1
            hits_all.extend(ids)
            if records == "all":
                out.append(block[prev:s])
            out.append(new)
            prev = e
    if records == "all":
        out.append(block[prev:])
    return n_records, b"".join(out), n_ann, hits_all


def _candidates(arr, starts, ends, targets) -> list[tuple[int, int]]:
    """(start, end) byte offsets of lines whose [POS, POS+len(REF)] holds a target."""
    import numpy as np

    tabs = np.flatnonzero(arr == 9)
    first = np.searchsorted(tabs, starts)
    ntabs = np.searchsorted(tabs, ends) - first
    ok = ntabs >= 4
    starts, ends, first = starts[ok], ends[ok], first[ok]
    if not len(starts):
        return []
    t1, t2 = tabs[first], tabs[first + 1]  # around POS
    t3, t4 = tabs[first + 2], tabs[first + 3]  # around REF
    plen = t2 - t1 - 1
    width = 11
    k = np.arange(width)
    mask = k[None, :] < plen[:, None]
    digits = arr[np.minimum(t1[:, None] + 1 + k[None, :], len(arr) - 1)].astype(np.int64) - 48
    good = (plen >= 1) & (plen <= 10) & ~(mask & ((digits < 0) | (digits > 9))).any(axis=1)
    pow10 = 10 ** np.arange(width, dtype=np.int64)
    weights = np.where(mask, pow10[np.maximum(plen[:, None] - 1 - k[None, :], 0)], 0)
    pos = (digits * weights).sum(axis=1)
    reflen = t4 - t3 - 1
    # the first target >= POS must be <= POS + len(REF)
    j = np.searchsorted(targets, pos)
    jj = np.minimum(j, len(targets) - 1)
    hit = good & (j < len(targets)) & (targets[jj] <= pos + reflen)
    sel = np.flatnonzero(hit)
    return [(int(starts[i]), int(ends[i]) + 1) for i in sel]


def _annotate_line(line: bytes, by_key: dict[tuple, Alteration]) -> tuple[bytes, list[str]]:
    """The record with KINRES_* INFO on matched ALT alleles (unchanged line if none)."""
    text = line.decode("utf-8", "replace").rstrip("\n")
    cols = text.split("\t")
    if len(cols) < 8:
        return line, []
    try:
        pos = int(cols[1])
    except ValueError:
        return line, []
    alts = [a for a in cols[4].split(",")] if cols[4] not in ("", ".") else []
    hits = [by_key.get(_key_safe(cols[0], pos, cols[3], a)) if a and not a.startswith("<") else None
            for a in alts]
    if not any(hits):
        return line, []
    items = []
    for tag, getter in (
            ("KINRES_GENE", lambda a: a.gene),
            ("KINRES_HGVSP", lambda a: a.hgvs_p),
            ("KINRES_ROLE", lambda a: a.role.value),
            ("KINRES_CLASS", lambda a: a.structural_class and a.structural_class.value),
            ("KINRES_ALT_ID", lambda a: a.id)):
        items.append(f"{tag}=" + ",".join((encode_info(getter(a)) or ".") if a else "."
                                          for a in hits))
    info = cols[7]
    cols[7] = ";".join(items) if info in ("", ".") else info + ";" + ";".join(items)
    return ("\t".join(cols) + "\n").encode(), [a.id for a in hits if a]


def _key_safe(chrom: str, pos: int, ref: str, alt: str):
    try:
        return _key(chrom, pos, ref, alt)
    except Exception:  # noqa: BLE001 - a malformed allele simply matches nothing
        return None


class _writer:
    """Plain or BGZF output.

    BGZF goes through the system `bgzip` when it is on PATH: a second process compresses while
    this one reads (and htslib's bgzip uses libdeflate, about twice zlib's speed); otherwise
    pysam's BGZFile (bundled htslib, zlib) writes the same format.
    """

    def __init__(self, path: Path, gz: bool):
        self.path, self.gz = path, gz
        self.proc = None

    def __enter__(self):
        import shutil
        import subprocess

        if not self.gz:
            self.fh = open(self.path, "wb")
            return self.fh
        bgzip = shutil.which("bgzip")
        if bgzip:
            with open(self.path, "wb") as out:
                self.proc = subprocess.Popen([bgzip, "-c"], stdin=subprocess.PIPE, stdout=out,
                                             stderr=subprocess.PIPE)
            self.fh = self.proc.stdin
            return self.fh
        from pysam import BGZFile

        self.fh = BGZFile(str(self.path), "wb")
        return self.fh

    def __exit__(self, exc_type, *exc) -> None:
        if self.proc is None:
            self.fh.close()
            return
        try:
            self.fh.close()
        except BrokenPipeError:
            pass
        err = self.proc.stderr.read().decode(errors="replace").strip()
        rc = self.proc.wait()
        if rc and exc_type is None:
            raise OSError(f"bgzip failed (exit {rc}): {err}")


def _bcf_blocks(path: Path):
    """A BCF as VCF text blocks (pysam decodes; a BCF header defines every contig/tag)."""
    import pysam

    try:
        src = pysam.VariantFile(str(path))
    except (OSError, ValueError) as exc:
        raise InputError(path, f"cannot open BCF: {exc}") from None
    with src:
        yield str(src.header).encode()
        buf: list[str] = []
        n = 0
        while True:
            try:
                rec = next(src)
            except StopIteration:
                break
            except (OSError, ValueError) as exc:
                raise InputError(path, f"unreadable record after record {n}: {exc}",
                                 record=f"record {n + 1}") from None
            n += 1
            buf.append(str(rec))
            if len(buf) >= 10000:
                yield "".join(buf).encode()
                buf = []
        if buf:
            yield "".join(buf).encode()
