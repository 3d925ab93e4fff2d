"""The panel's reporting transcripts: exon/CDS structure, HGVS c. numbering and fast lookups.

Tables are built by scripts/build_panel.py into resources/panel/ (see its README):
``<build>.transcripts.tsv``, ``<build>.exons.tsv`` and ``kinase_domains.tsv``. Coordinates are
1-based inclusive genomic positions; exons are held in transcript order (descending on the minus
strand). A transcript whose CDS could not be verified (``cds_verified`` false) has no CDS: its
exon/intron lookups work, its c./protein methods raise ``AnnotationError``.
"""

from __future__ import annotations

import csv
import functools
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from pathlib import Path

from kinres.enums import Build
from kinres.errors import AnnotationError, InputError
from kinres.paths import PANEL_DIR

__all__ = ["Exon", "Panel", "Transcript", "normalise_chrom", "strip_version"]

_CHROM_ORDER = {str(i): i for i in range(1, 23)} | {"X": 23, "Y": 24, "MT": 25}


def normalise_chrom(chrom: str) -> str:
    """Chromosome name without "chr": "chr2" -> "2", "chrM"/"M" -> "MT", "chrX" -> "X"."""
    c = str(chrom).strip()
    if c[:3].lower() == "chr":
        c = c[3:]
    if c.upper() in ("M", "MT"):
        return "MT"
    return c.upper() if c.upper() in ("X", "Y") else c


def strip_version(identifier: str) -> str:
    """"ENST00000389048.7" -> "ENST00000389048"; "NM_004304.5" -> "NM_004304"."""
    return identifier.strip().split(".", 1)[0]


def _chrom_key(chrom: str) -> tuple[int, str]:
    return (_CHROM_ORDER.get(chrom, 99), chrom)


@dataclass(frozen=True)
class Exon:
    """One exon (1-based inclusive genomic coordinates); cds_* is its coding part, if any."""

    number: int
    start: int
    end: int
    cds_start: int | None = None
    cds_end: int | None = None
    phase: int | None = None  # coding bases before this exon mod 3 (None: exon starts in UTR)
    end_phase: int | None = None  # coding bases through this exon mod 3 (None: ends in UTR)

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    @property
    def is_coding(self) -> bool:
        return self.cds_start is not None


@dataclass(frozen=True)
class Transcript:
    """A panel reporting transcript with HGVS c. numbering helpers.

    Genomic positions are 1-based. ``codon_positions`` and ``c_to_genomic`` return positions in
    transcript order (on the minus strand the first codon base has the highest coordinate).
    """

    gene: str
    transcript_id: str  # Ensembl ID without version ("" when the shared data gave none)
    version: str
    refseq: str
    chrom: str
    strand: int  # +1 / -1
    tx_start: int
    tx_end: int
    cds_start: int | None  # lowest genomic coordinate of the CDS (stop codon included)
    cds_end: int | None  # highest genomic coordinate of the CDS
    protein_length: int | None
    mane_select: bool
    equivalent_transcripts: tuple[str, ...]
    role: str  # kinase | bypass | chip | partner | tumour_suppressor
    cds_verified: bool
    exons: tuple[Exon, ...]
    kinase_domain: tuple[int, int] | None = None
    different_transcripts: tuple[str, ...] = ()  # ENSTs known to encode a different protein
    # derived lookup arrays (built in __post_init__)
    _asc_starts: tuple[int, ...] = field(default=(), init=False, repr=False, compare=False)
    _asc_exons: tuple[Exon, ...] = field(default=(), init=False, repr=False, compare=False)
    _offsets: tuple[int, ...] = field(default=(), init=False, repr=False, compare=False)
    _cds_tx: tuple[int, int] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        asc = tuple(sorted(self.exons, key=lambda e: e.start))
        offsets, acc = [], 0
        for e in self.exons:
            offsets.append(acc)
            acc += e.length
        object.__setattr__(self, "_asc_exons", asc)
        object.__setattr__(self, "_asc_starts", tuple(e.start for e in asc))
        object.__setattr__(self, "_offsets", tuple(offsets))
        if self.cds_verified and self.cds_start is not None and self.cds_end is not None:
            five, three = ((self.cds_start, self.cds_end) if self.strand > 0
                           else (self.cds_end, self.cds_start))
            a, b = self._tx_index(five), self._tx_index(three)
            if a is None or b is None or (b - a + 1) % 3:
                raise AnnotationError(f"{self.transcript_id}: CDS ends are not exonic or not codon-aligned")
            object.__setattr__(self, "_cds_tx", (a, b))

    # ------------------------------------------------------------------ structure
    @property
    def strand_symbol(self) -> str:
        return "+" if self.strand > 0 else "-"

    @property
    def label(self) -> str:
        """"ENST00000389048.7 (NM_004304.5)" style label for reports."""
        tid = f"{self.transcript_id}.{self.version}" if self.version else self.transcript_id
        return f"{tid} ({self.refseq})" if self.refseq else tid

    @property
    def cds_length(self) -> int | None:
        """Coding length in bases, stop codon included."""
        if self._cds_tx is None:
            return None
        return self._cds_tx[1] - self._cds_tx[0] + 1

    @property
    def has_cds(self) -> bool:
        return self._cds_tx is not None

    def exon(self, number: int) -> Exon:
        """Exon by its number (1-based, transcript order)."""
        if not 1 <= number <= len(self.exons):
            raise KeyError(f"{self.gene} {self.transcript_id} has no exon {number}")
        return self.exons[number - 1]

    def _exon_containing(self, pos: int) -> Exon | None:
        i = bisect_right(self._asc_starts, pos) - 1
        if i >= 0 and pos <= self._asc_exons[i].end:
            return self._asc_exons[i]
        return None

    def exon_at(self, pos: int) -> int | None:
        """Number of the exon containing genomic ``pos``, or None."""
        e = self._exon_containing(pos)
        return e.number if e else None

    def intron_at(self, pos: int) -> int | None:
        """Intron n (between exon n and n+1, transcript order) containing ``pos``, or None."""
        if not self.tx_start <= pos <= self.tx_end or self._exon_containing(pos):
            return None
        i = bisect_right(self._asc_starts, pos) - 1  # exon just below pos (genomic order)
        below, above = self._asc_exons[i], self._asc_exons[i + 1]
        return min(below.number, above.number)

    def _tx_index(self, pos: int) -> int | None:
        """0-based position in the spliced transcript, or None when not exonic."""
        e = self._exon_containing(pos)
        if e is None:
            return None
        off = self._offsets[e.number - 1]
        return off + (pos - e.start if self.strand > 0 else e.end - pos)

    def _genomic(self, tx_index: int) -> int:
        if tx_index < 0 or tx_index >= self._offsets[-1] + self.exons[-1].length:
            raise ValueError(f"{self.gene}: transcript position {tx_index} is outside {self.transcript_id}")
        n = bisect_right(self._offsets, tx_index) - 1
        e, within = self.exons[n], tx_index - self._offsets[n]
        return e.start + within if self.strand > 0 else e.end - within

    def _require_cds(self) -> tuple[int, int]:
        if self._cds_tx is None:
            raise AnnotationError(
                f"{self.gene} {self.transcript_id}: CDS not verified in the panel tables; "
                "no c./p. numbering is available for this gene")
        return self._cds_tx

    # ------------------------------------------------------------------ HGVS c. numbering
    def _c_label(self, tx_index: int) -> str:
        a, b = self._cds_tx  # type: ignore[misc]
        if tx_index < a:
            return f"-{a - tx_index}"
        if tx_index > b:
            return f"*{tx_index - b}"
        return str(tx_index - a + 1)

    def c_position(self, pos: int) -> str:
        """HGVS c. position of genomic ``pos``: "3604", "3603+5", "3604-12", "-12", "*30", "-45+3".

        Intronic positions are numbered from the nearer exon boundary (the exact middle of an
        odd-length intron takes "+"); positions beyond the transcript continue the 5'/3' UTR counts.
        """
        self._require_cds()
        i = self._tx_index(pos)
        if i is not None:
            return self._c_label(i)
        first, last = self.exons[0], self.exons[-1]
        five_end = first.start if self.strand > 0 else first.end
        three_end = last.end if self.strand > 0 else last.start
        up = (five_end - pos) * self.strand  # >0 upstream of the transcript
        if up > 0:
            return self._c_label(-up)
        down = (pos - three_end) * self.strand
        if down > 0:
            return self._c_label(self._offsets[-1] + last.length - 1 + down)
        n = self.intron_at(pos)
        assert n is not None
        prev, nxt = self.exons[n - 1], self.exons[n]
        donor = prev.end if self.strand > 0 else prev.start  # last base of exon n
        acceptor = nxt.start if self.strand > 0 else nxt.end  # first base of exon n+1
        d5, d3 = abs(pos - donor), abs(acceptor - pos)
        if d5 <= d3:
            return f"{self._c_label(self._tx_index(donor))}+{d5}"  # type: ignore[arg-type]
        return f"{self._c_label(self._tx_index(acceptor))}-{d3}"  # type: ignore[arg-type]

    def c_index(self, pos: int) -> int | None:
        """Integer c. position for a coding (CDS, stop included) genomic position, else None."""
        a, b = self._require_cds()
        i = self._tx_index(pos)
        if i is None or not a <= i <= b:
            return None
        return i - a + 1

    def protein_position(self, pos: int) -> int | None:
        """Codon number (1-based; protein_length + 1 is the stop codon) of a coding position."""
        c = self.c_index(pos)
        return None if c is None else (c + 2) // 3

    def c_to_genomic(self, c: int) -> int:
        """Genomic position of c.``c`` (1..cds_length; negative values walk into the 5' UTR)."""
        a, _ = self._require_cds()
        if c == 0:
            raise ValueError("c.0 does not exist in HGVS numbering")
        return self._genomic(a + c - 1 if c > 0 else a + c)

    def c_star_to_genomic(self, n: int) -> int:
        """Genomic position of c.*``n`` (3' UTR, n >= 1)."""
        _, b = self._require_cds()
        if n < 1:
            raise ValueError("c.* positions start at 1")
        return self._genomic(b + n)

    def codon_positions(self, aa: int) -> tuple[int, int, int]:
        """Genomic positions of codon ``aa``'s bases 1, 2, 3 (transcript order)."""
        a, b = self._require_cds()
        if not 1 <= aa <= (b - a + 1) // 3:
            raise ValueError(f"{self.gene}: codon {aa} is outside the CDS of {self.transcript_id}")
        return (self.c_to_genomic(3 * aa - 2), self.c_to_genomic(3 * aa - 1), self.c_to_genomic(3 * aa))

    def cds_phase_at_exon_end(self, exon_number: int) -> int | None:
        """Bases of an incomplete codon left at the 3' end of exon ``exon_number`` (0, 1, 2):
        the frame a fusion junction after this exon carries. None if the exon ends outside the
        CDS (UTR, or the last coding exon) or the CDS is not verified."""
        if self._cds_tx is None:
            return None
        e = self.exon(exon_number)
        if e.end_phase is None:
            return None
        last_coding = max(x.number for x in self.exons if x.is_coding)
        return None if exon_number >= last_coding else e.end_phase

    def in_kinase_domain(self, aa: int) -> bool | None:
        """True/False for residue ``aa``; None when the panel has no kinase domain for this gene."""
        if self.kinase_domain is None:
            return None
        return self.kinase_domain[0] <= aa <= self.kinase_domain[1]

    def coding_segments(self) -> tuple[tuple[int, int], ...]:
        """(start, end) genomic coding parts of the exons, transcript order."""
        return tuple((e.cds_start, e.cds_end) for e in self.exons if e.cds_start is not None)  # type: ignore[misc]


# ---------------------------------------------------------------------------------- tables
def _read_tsv(path: Path) -> list[tuple[int, dict[str, str]]]:
    if not path.is_file():
        raise InputError(path, "panel table not found (run scripts/build_panel.py)")
    with path.open(newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t")
        return [(n, row) for n, row in enumerate(reader, start=2)]


def _int(path: Path, line: int, row: dict[str, str], key: str, optional: bool = False) -> int | None:
    value = (row.get(key) or "").strip()
    if not value and optional:
        return None
    try:
        return int(value)
    except ValueError:
        raise InputError(path, f"column {key!r} is not an integer: {value!r}", line=line) from None


def _bool(path: Path, line: int, value: str) -> bool:
    if value in ("true", "false"):
        return value == "true"
    raise InputError(path, f"expected true/false, found {value!r}", line=line)


def _ids(value: str) -> tuple[str, ...]:
    return tuple(x for x in (value or "").split(",") if x)


class Panel:
    """The panel for one genome build (load with ``Panel.load(build)``, cached)."""

    def __init__(self, build: Build, transcripts: tuple[Transcript, ...]):
        self.build = build
        self.transcripts = transcripts
        self.genes: tuple[str, ...] = tuple(t.gene for t in transcripts)
        self._by_gene = {t.gene: t for t in transcripts}
        self._by_id: dict[str, Transcript] = {}
        self._id_gene: dict[str, tuple[str, str]] = {}  # id -> (gene, "same"|"different")
        for t in transcripts:
            for key in (t.transcript_id, strip_version(t.refseq) if t.refseq else ""):
                if key:
                    self._by_id[key] = t
            for key in (t.transcript_id, *t.equivalent_transcripts):
                if key:
                    self._id_gene[key] = (t.gene, "same")
            for key in t.different_transcripts:
                self._id_gene.setdefault(key, (t.gene, "different"))
        # per-chromosome arrays sorted by tx_start for bisect; max span bounds the look-back
        self._chrom_index: dict[str, tuple[list[int], list[Transcript], int]] = {}
        for chrom in {t.chrom for t in transcripts}:
            txs = sorted((t for t in transcripts if t.chrom == chrom), key=lambda t: (t.tx_start, t.gene))
            span = max(t.tx_end - t.tx_start + 1 for t in txs)
            self._chrom_index[chrom] = ([t.tx_start for t in txs], txs, span)

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, build: Build | str, directory: Path = PANEL_DIR) -> Panel:
        """Read (once per build and folder) the committed panel tables."""
        try:
            b = Build(str(build))
        except ValueError:
            raise InputError(None, f"unknown genome build {build!r} (expected GRCh37 or GRCh38)") from None
        return _load_cached(b, str(Path(directory).resolve()))

    @classmethod
    def _read(cls, build: Build, directory: Path) -> Panel:
        tx_path = directory / f"{build}.transcripts.tsv"
        ex_path = directory / f"{build}.exons.tsv"
        dom_path = directory / "kinase_domains.tsv"
        exons: dict[str, list[Exon]] = {}
        for line, row in _read_tsv(ex_path):
            gene = row.get("gene") or ""
            n = _int(ex_path, line, row, "exon_number")
            phase = _int(ex_path, line, row, "phase")
            end_phase = _int(ex_path, line, row, "end_phase")
            exon = Exon(
                number=n, start=_int(ex_path, line, row, "start"), end=_int(ex_path, line, row, "end"),
                cds_start=_int(ex_path, line, row, "cds_start", optional=True),
                cds_end=_int(ex_path, line, row, "cds_end", optional=True),
                phase=None if phase is None or phase < 0 else phase,
                end_phase=None if end_phase is None or end_phase < 0 else end_phase,
            )
            if exon.start > exon.end:
                raise InputError(ex_path, "exon start after end", line=line, record=gene)
            lst = exons.setdefault(gene, [])
            if exon.number != len(lst) + 1:
                raise InputError(ex_path, f"exon {exon.number} out of order", line=line, record=gene)
            lst.append(exon)
        domains: dict[tuple[str, str], tuple[int, int]] = {}
        if dom_path.is_file():
            for line, row in _read_tsv(dom_path):
                domains[(row["gene"], row["transcript"])] = (
                    _int(dom_path, line, row, "aa_start"), _int(dom_path, line, row, "aa_end"))
        txs = []
        for line, row in _read_tsv(tx_path):
            gene = row.get("gene") or ""
            if gene not in exons:
                raise InputError(tx_path, "transcript has no exons in " + ex_path.name, line=line, record=gene)
            strand = _int(tx_path, line, row, "strand")
            if strand not in (1, -1):
                raise InputError(tx_path, f"strand must be 1 or -1, found {strand}", line=line, record=gene)
            try:
                t = Transcript(
                    gene=gene, transcript_id=row["transcript_id"], version=row["version"],
                    refseq=row["refseq"], chrom=normalise_chrom(row["chrom"]), strand=strand,
                    tx_start=_int(tx_path, line, row, "tx_start"), tx_end=_int(tx_path, line, row, "tx_end"),
                    cds_start=_int(tx_path, line, row, "cds_start", optional=True),
                    cds_end=_int(tx_path, line, row, "cds_end", optional=True),
                    protein_length=_int(tx_path, line, row, "protein_length", optional=True),
                    mane_select=_bool(tx_path, line, row["mane_select"]),
                    equivalent_transcripts=_ids(row["equivalent_transcripts"]),
                    role=row["role"], cds_verified=_bool(tx_path, line, row["cds_verified"]),
                    exons=tuple(exons[gene]),
                    kinase_domain=domains.get((gene, row["transcript_id"])),
                    different_transcripts=_ids(row.get("different_transcripts", "")),
                )
            except (KeyError, AnnotationError) as exc:
                raise InputError(tx_path, f"bad transcript record: {exc}", line=line, record=gene) from None
            if t.cds_verified and t.cds_length != 3 * ((t.protein_length or 0) + 1):
                raise InputError(tx_path, "CDS length does not match protein_length", line=line, record=gene)
            txs.append(t)
        return cls(build, tuple(txs))

    # ------------------------------------------------------------------ lookups
    def transcript(self, gene: str) -> Transcript:
        """Reporting transcript of ``gene``; KeyError if the gene is not on the panel."""
        return self._by_gene[gene]

    def __contains__(self, gene: object) -> bool:
        return gene in self._by_gene

    def by_id(self, transcript_id_or_refseq: str) -> Transcript | None:
        """Reporting transcript by its Ensembl or RefSeq ID (version optional), else None.
        Equivalent (protein-identical) transcripts are not resolved here: see protein_identical."""
        if not transcript_id_or_refseq:
            return None
        return self._by_id.get(strip_version(transcript_id_or_refseq))

    def overlapping(self, chrom: str, pos: int, end: int | None = None) -> list[Transcript]:
        """Transcripts whose span [tx_start, tx_end] overlaps [pos, end] (1-based, inclusive)."""
        entry = self._chrom_index.get(normalise_chrom(chrom))
        if entry is None:
            return []
        starts, txs, span = entry
        end = pos if end is None else end
        lo = bisect_left(starts, pos - span + 1)
        hi = bisect_right(starts, end)
        return [t for t in txs[lo:hi] if t.tx_end >= pos]

    def regions(self, padding: int = 10) -> list[tuple[str, int, int]]:
        """Sorted, merged BED-like regions (0-based half-open): CDS exons ± padding; whole exons
        for transcripts whose CDS is not verified."""
        raw = []
        for t in self.transcripts:
            parts = t.coding_segments() if t.has_cds else tuple((e.start, e.end) for e in t.exons)
            raw.extend((t.chrom, max(0, s - 1 - padding), e + padding) for s, e in parts)
        raw.sort(key=lambda r: (_chrom_key(r[0]), r[1], r[2]))
        out: list[tuple[str, int, int]] = []
        for c, s, e in raw:
            if out and out[-1][0] == c and s <= out[-1][2]:
                out[-1] = (c, out[-1][1], max(out[-1][2], e))
            else:
                out.append((c, s, e))
        return out

    def is_reporting(self, transcript_id: str) -> bool:
        """Is this Ensembl/RefSeq ID (version optional) a panel reporting transcript?"""
        return self.by_id(transcript_id) is not None

    def protein_identical(self, tx_a: str, tx_b: str) -> bool | None:
        """True if both IDs encode the same protein (same ID, or recorded as equivalent), False if
        known to differ, None if the panel has no information about one of them."""
        a, b = strip_version(tx_a), strip_version(tx_b)
        if a == b:
            return True
        ga, gb = self._resolve(a), self._resolve(b)
        if ga is None or gb is None:
            return None
        if ga[0] != gb[0]:
            return False
        return ga[1] == gb[1] == "same"

    def _resolve(self, ident: str) -> tuple[str, str] | None:
        t = self._by_id.get(ident)
        if t is not None:
            return (t.gene, "same")
        return self._id_gene.get(ident)


@functools.lru_cache(maxsize=8)
def _load_cached(build: Build, directory: str) -> Panel:
    return Panel._read(build, Path(directory))
