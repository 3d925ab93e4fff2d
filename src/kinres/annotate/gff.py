"""Gene annotation reader: Ensembl GFF3 and GENCODE/Ensembl GTF -> transcript models.

Only the genes asked for are kept (a whole-genome GFF3 is streamed once, nothing else is
materialised), so loading the panel genes from a full Ensembl/GENCODE file takes seconds.

Coordinates are 1-based inclusive, exons and CDS parts in transcript order. CDS parts always
include the stop codon: Ensembl GFF3 CDS rows already do; GTF CDS rows exclude it, so GTF
`stop_codon` rows are merged back in.
"""

from __future__ import annotations

import gzip
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from kinres.annotate.transcripts import normalise_chrom, strip_version
from kinres.errors import InputError

_GTF_ATTR = re.compile(r'\s*([^\s;]+)\s+(?:"([^"]*)"|([^;\s]+))\s*;?')
_PREFIXES = ("transcript:", "gene:", "CDS:", "exon:")
_GENE_TYPES = {"gene", "ncRNA_gene", "pseudogene"}
_TX_SKIP = {"exon", "CDS", "five_prime_UTR", "three_prime_UTR", "UTR", "start_codon",
            "stop_codon", "Selenocysteine", "chromosome", "region", "biological_region",
            "scaffold", "supercontig"}


@dataclass(frozen=True)
class TranscriptModel:
    """One transcript: exons and CDS parts (incl. stop codon) in transcript order."""

    transcript_id: str  # without version
    gene: str  # gene symbol (Name / gene_name), falls back to the gene ID
    gene_id: str
    chrom: str  # as written in the annotation
    strand: int  # +1 / -1
    exons: tuple[tuple[int, int], ...]
    cds: tuple[tuple[int, int], ...] = ()
    biotype: str = ""
    tags: frozenset[str] = frozenset()
    version: str | None = None
    # derived, for fast coordinate mapping
    _exon_offsets: tuple[int, ...] = field(default=(), repr=False, compare=False)
    _cds_range: tuple[int, int] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        offs, acc = [], 0
        for s, e in self.exons:
            offs.append(acc)
            acc += e - s + 1
        object.__setattr__(self, "_exon_offsets", tuple(offs))
        if self.cds:
            first = self.cds[0][0] if self.strand > 0 else self.cds[0][1]
            m0 = self.mrna_index(first)
            length = sum(e - s + 1 for s, e in self.cds)
            if m0 is not None:
                object.__setattr__(self, "_cds_range", (m0, m0 + length))

    # ------------------------------------------------------------------ properties
    @property
    def start(self) -> int:
        return min(s for s, _ in self.exons)

    @property
    def end(self) -> int:
        return max(e for _, e in self.exons)

    @property
    def is_coding(self) -> bool:
        return self._cds_range is not None

    @property
    def cds_length(self) -> int:
        return sum(e - s + 1 for s, e in self.cds)

    @property
    def mrna_length(self) -> int:
        return sum(e - s + 1 for s, e in self.exons)

    @property
    def cds_range(self) -> tuple[int, int] | None:
        """Half-open 0-based mRNA interval of the CDS (incl. stop codon)."""
        return self._cds_range

    @property
    def is_canonical(self) -> bool:
        return bool(self.tags & {"Ensembl_canonical", "MANE_Select", "canonical"})

    # ------------------------------------------------------------------ mapping
    def exon_index(self, pos: int) -> int | None:
        """0-based transcript-order index of the exon containing genomic `pos`, else None."""
        for i, (s, e) in enumerate(self.exons):
            if s <= pos <= e:
                return i
        return None

    def mrna_index(self, pos: int) -> int | None:
        """0-based spliced-transcript index of genomic `pos` (None if not exonic)."""
        i = self.exon_index(pos)
        if i is None:
            return None
        s, e = self.exons[i]
        return self._exon_offsets[i] + (pos - s if self.strand > 0 else e - pos)

    def genomic(self, m: int) -> int:
        """1-based genomic position of 0-based spliced index `m` (must be inside the mRNA)."""
        k = bisect_right(self._exon_offsets, m) - 1
        s, e = self.exons[k]
        d = m - self._exon_offsets[k]
        if k < 0 or d > e - s:
            raise IndexError(f"{self.transcript_id}: mRNA index {m} outside the transcript")
        return s + d if self.strand > 0 else e - d


# ---------------------------------------------------------------------------- reading
def _open(path: Path) -> IO[str]:
    with open(path, "rb") as fh:
        magic = fh.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rt", encoding="utf-8", errors="replace")
    return open(path, encoding="utf-8", errors="replace")


def _gff_attrs(text: str) -> dict[str, str]:
    out = {}
    for part in text.strip().strip(";").split(";"):
        if not part:
            continue
        key, eq, value = part.partition("=")
        if not eq:
            raise ValueError(f"attribute {part!r} is not key=value")
        out[key.strip()] = value.strip()
    return out


def _gtf_attrs(text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _GTF_ATTR.match(text, pos)
        if not m or m.end() == pos:
            raise ValueError(f"cannot parse GTF attributes near {text[pos:pos + 40]!r}")
        out.setdefault(m.group(1), []).append(m.group(2) if m.group(2) is not None else m.group(3))
        pos = m.end()
    return out


def _strip_prefix(ident: str) -> str:
    for p in _PREFIXES:
        if ident.startswith(p):
            return ident[len(p):]
    return ident


def detect_format(path: Path) -> str:
    """'gff3' or 'gtf', from the header or the attribute syntax of the first feature line."""
    with _open(path) as fh:
        for line in fh:
            if line.startswith("##gff-version"):
                return "gff3"
            if line.startswith("#") or not line.strip():
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) == 9:
                return "gtf" if re.match(r'\s*\w+\s+"', cols[8]) else "gff3"
            break
    name = path.name.lower()
    if ".gtf" in name:
        return "gtf"
    if ".gff" in name:
        return "gff3"
    raise InputError(path, "cannot tell whether this is GFF3 or GTF (no feature lines)")


class _Acc:
    """Accumulates one transcript's rows while streaming."""

    __slots__ = (
        "biotype",
        "cds",
        "chrom",
        "exons",
        "gene",
        "gene_key",
        "line",
        "stops",
        "strand",
        "tags",
        "tid",
        "version",
    )

    def __init__(self, tid: str, chrom: str, strand: str, line: int):
        self.tid = tid
        self.gene_key = ""
        self.chrom = chrom
        self.strand = strand
        self.exons: list[tuple[int, int]] = []
        self.cds: list[tuple[int, int]] = []
        self.stops: list[tuple[int, int]] = []
        self.biotype = ""
        self.tags: set[str] = set()
        self.version: str | None = None
        self.gene = ""
        self.line = line


def _rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    with _open(path) as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.rstrip("\n\r").split("\t")
            if len(cols) != 9:
                raise InputError(path, f"expected 9 tab-separated columns, found {len(cols)}",
                                 line=n)
            yield n, cols


def _coords(path: Path, n: int, cols: list[str]) -> tuple[int, int]:
    try:
        s, e = int(cols[3]), int(cols[4])
    except ValueError:
        raise InputError(path, f"start/end {cols[3]!r}/{cols[4]!r} are not integers",
                         line=n) from None
    if s < 1 or e < s:
        raise InputError(path, f"invalid interval {s}-{e}", line=n)
    if cols[6] not in "+-" or len(cols[6]) != 1:
        raise InputError(path, f"strand {cols[6]!r} is not + or -", line=n)
    return s, e


def _merge(parts: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(set(parts)):
        if out and s <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _finish(path: Path, acc: _Acc, gene_names: dict[str, str]) -> TranscriptModel | None:
    if not acc.exons:
        if not acc.cds:
            return None
        acc.exons = list(acc.cds)  # some GFF3s give CDS without exon rows
    plus = acc.strand == "+"
    exons = _merge(acc.exons)
    cds = _merge(acc.cds + acc.stops)
    for s, e in cds:
        if not any(es <= s and e <= ee for es, ee in exons):
            raise InputError(path, f"transcript {acc.tid}: CDS {s}-{e} lies outside its exons",
                             line=acc.line)
    if not plus:
        exons.reverse()
        cds.reverse()
    gene = acc.gene or gene_names.get(acc.gene_key, "") or _strip_prefix(acc.gene_key)
    return TranscriptModel(
        transcript_id=strip_version(acc.tid), gene=gene, gene_id=strip_version(
            _strip_prefix(acc.gene_key)), chrom=acc.chrom, strand=1 if plus else -1,
        exons=tuple(exons), cds=tuple(cds), biotype=acc.biotype,
        tags=frozenset(acc.tags), version=acc.version)


def _read_gff3(path: Path, genes: set[str] | None) -> list[TranscriptModel]:
    gene_names: dict[str, str] = {}  # gene ID -> symbol
    gene_keep: dict[str, bool] = {}
    txs: dict[str, _Acc] = {}
    pending: dict[str, list[tuple[int, list[str]]]] = {}  # children seen before their parent
    dropped: set[str] = set()

    def add_child(n: int, cols: list[str], attrs: dict[str, str]) -> None:
        s, e = _coords(path, n, cols)
        for parent in attrs.get("Parent", "").split(","):
            acc = txs.get(parent)
            if acc is None:
                if parent not in dropped and parent:
                    pending.setdefault(parent, []).append((n, cols))
                continue
            kind = cols[2]
            if kind == "exon":
                acc.exons.append((s, e))
            elif kind == "CDS":
                acc.cds.append((s, e))
            elif kind == "stop_codon":
                acc.stops.append((s, e))

    for n, cols in _rows(path):
        kind = cols[2]
        if kind in ("exon", "CDS", "stop_codon"):
            # cheap Parent extraction: skip attribute parsing for unwanted transcripts
            attr = cols[8]
            i = attr.find("Parent=")
            if i < 0:
                raise InputError(path, f"{kind} row has no Parent attribute", line=n)
            parent = attr[i + 7:].split(";", 1)[0]
            if parent in dropped and "," not in parent:
                continue
            try:
                add_child(n, cols, _gff_attrs(attr))
            except ValueError as exc:
                raise InputError(path, str(exc), line=n) from None
            continue
        if kind in _TX_SKIP:
            continue
        try:
            attrs = _gff_attrs(cols[8])
        except ValueError as exc:
            raise InputError(path, str(exc), line=n) from None
        ident = attrs.get("ID", "")
        parent = attrs.get("Parent", "")
        if kind in _GENE_TYPES or ident.startswith("gene:") or (not parent and ident):
            name = attrs.get("Name") or attrs.get("gene_name") or _strip_prefix(ident)
            gene_names[ident] = name
            gene_keep[ident] = genes is None or name in genes
            continue
        if not ident or not parent:
            continue
        _coords(path, n, cols)
        if not gene_keep.get(parent, True):  # unknown yet (gene row later): decide at the end
            dropped.add(ident)
            pending.pop(ident, None)
            continue
        tid = attrs.get("transcript_id") or _strip_prefix(ident)
        acc = _Acc(tid, cols[0], cols[6], n)
        acc.gene_key = parent
        acc.gene = gene_names.get(parent, "")
        acc.biotype = (attrs.get("biotype") or attrs.get("transcript_biotype")
                       or attrs.get("transcript_type") or ("protein_coding" if kind == "mRNA"
                                                           else kind))
        acc.tags = {t for t in attrs.get("tag", "").split(",") if t}
        if attrs.get("Ensembl_canonical") or attrs.get("ensembl_canonical"):
            acc.tags.add("Ensembl_canonical")
        acc.version = attrs.get("version")
        txs[ident] = acc
        for pn, pcols in pending.pop(ident, []):
            add_child(pn, pcols, _gff_attrs(pcols[8]))
    out = []
    for acc in txs.values():
        if genes is not None and (acc.gene or gene_names.get(acc.gene_key, "")) not in genes:
            continue
        model = _finish(path, acc, gene_names)
        if model is not None:
            out.append(model)
    return out


def _read_gtf(path: Path, genes: set[str] | None) -> list[TranscriptModel]:
    txs: dict[str, _Acc] = {}
    needles = None if genes is None else [f'"{g}"' for g in genes]
    for n, cols in _rows(path):
        kind = cols[2]
        if kind not in ("transcript", "exon", "CDS", "stop_codon"):
            continue
        # fast reject before parsing attributes
        if needles is not None and not any(nd in cols[8] for nd in needles):
            continue
        try:
            attrs = _gtf_attrs(cols[8])
        except ValueError as exc:
            raise InputError(path, str(exc), line=n) from None
        name = (attrs.get("gene_name") or attrs.get("gene_id") or [""])[0]
        if genes is not None and name not in genes:
            continue
        tid = (attrs.get("transcript_id") or [""])[0]
        if not tid:
            raise InputError(path, f"{kind} row has no transcript_id", line=n)
        s, e = _coords(path, n, cols)
        acc = txs.get(tid)
        if acc is None:
            acc = txs[tid] = _Acc(tid, cols[0], cols[6], n)
            acc.gene_key = (attrs.get("gene_id") or [""])[0]
            acc.gene = name
        if kind == "transcript":
            acc.biotype = (attrs.get("transcript_type") or attrs.get("transcript_biotype")
                           or [""])[0]
            acc.tags = set(attrs.get("tag", []))
            if "Ensembl_canonical" in attrs.get("tag", []):
                acc.tags.add("Ensembl_canonical")
            v = attrs.get("transcript_version")
            acc.version = v[0] if v else (tid.rpartition(".")[2] if "." in tid else None)
        elif kind == "exon":
            acc.exons.append((s, e))
        elif kind == "CDS":
            acc.cds.append((s, e))
        else:
            acc.stops.append((s, e))
    out = []
    for acc in txs.values():
        if not acc.biotype:
            acc.biotype = "protein_coding" if acc.cds else ""
        if not acc.cds:
            acc.stops = []  # a stop codon alone does not make a CDS
        model = _finish(path, acc, {})
        if model is not None:
            out.append(model)
    return out


class Annotation:
    """Transcript models of one annotation file, indexed by gene, ID and position."""

    def __init__(self, path: Path, transcripts: Iterable[TranscriptModel]):
        self.path = Path(path)
        self.transcripts = tuple(transcripts)
        self._by_id = {t.transcript_id: t for t in self.transcripts}
        self._by_gene: dict[str, list[TranscriptModel]] = {}
        self._by_chrom: dict[str, list[TranscriptModel]] = {}
        for t in self.transcripts:
            self._by_gene.setdefault(t.gene, []).append(t)
            self._by_chrom.setdefault(normalise_chrom(t.chrom), []).append(t)
        self._starts: dict[str, tuple[list[int], int]] = {}
        for key, lst in self._by_chrom.items():
            lst.sort(key=lambda t: t.start)
            # sorted starts + the longest span bound a bisect look-up (whole-genome files)
            self._starts[key] = ([t.start for t in lst], max(t.end - t.start for t in lst))

    def by_id(self, transcript_id: str) -> TranscriptModel | None:
        return self._by_id.get(strip_version(transcript_id))

    def for_gene(self, gene: str) -> list[TranscriptModel]:
        return list(self._by_gene.get(gene, ()))

    @property
    def genes(self) -> set[str]:
        return set(self._by_gene)

    def overlapping(self, chrom: str, start: int, end: int) -> list[TranscriptModel]:
        """Transcripts whose span overlaps [start, end] (1-based; chr prefix ignored)."""
        key = normalise_chrom(chrom)
        lst = self._by_chrom.get(key)
        if not lst:
            return []
        starts, span = self._starts[key]
        lo = bisect_left(starts, start - span)
        hi = bisect_right(starts, end)
        return [t for t in lst[lo:hi] if t.start <= end and start <= t.end]

    def default_transcript(self, gene: str) -> TranscriptModel | None:
        """MANE/Ensembl-canonical coding transcript, else the longest CDS, else longest mRNA."""
        txs = self._by_gene.get(gene)
        if not txs:
            return None
        return max(txs, key=lambda t: ("MANE_Select" in t.tags, t.is_canonical and t.is_coding,
                                       t.is_coding, t.cds_length, t.mrna_length,
                                       # deterministic tie-break: smallest ID wins
                                       [-ord(c) for c in t.transcript_id]))


def load_annotation(path: str | Path, genes: Iterable[str] | None = None) -> Annotation:
    """Read a GFF3 or GTF (plain or gzip), keeping only `genes` (symbols) when given."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "annotation file not found")
    wanted = set(genes) if genes is not None else None
    fmt = detect_format(path)
    txs = _read_gff3(path, wanted) if fmt == "gff3" else _read_gtf(path, wanted)
    return Annotation(path, txs)
