"""Hotspot depth, alt support and limit of detection from a BAM/CRAM (pysam).

Counting unit: the *fragment* (read pair, grouped by query name), so overlapping mates are not
counted twice. A fragment is informative at a hotspot when every read of it that covers the
codon shows the same codon (all three bases at base quality >= min_baseq, or a deletion); mates
that disagree are dropped and counted. Reads are filtered: unmapped, secondary, supplementary,
duplicate, QC-fail and MAPQ < min_mapq reads never count.

The codon is read at Transcript.codon_positions(aa) (transcript order), complemented on the
minus strand and translated; "ref" and "alt" come from the knowledge row's residues, never from
the genome: a fragment is ref when its codon translates to the reference residue, alt when it
translates to the hotspot's alt residue (codon-level rows such as "p.G1202": any other residue
or a deletion; "p.G1202del": a deletion in the codon).

Limit of detection (LoD): the smallest VAF f for which a binomial sample of `depth` fragments
holds at least `min_alt_reads` alt fragments with probability >= `lod_confidence`:

    LoD = min f  such that  P(X >= k | n = depth, f) = 1 - sum_{i<k} C(n,i) f^i (1-f)^(n-i) >= 0.95

solved by bisection (P increases with f). With depth < k nothing is detectable: LoD = None.
LoD falls monotonically as depth rises.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pysam

from kinres.config import section_values
from kinres.enums import Build
from kinres.errors import AnnotationError, ConfigError, InputError
from kinres.io.alignment_index import check_index
from kinres.io.readpass import NOT_COVERED, RefLookup, Site, per_read, reads_by_site
from kinres.models import HotspotCoverage


@dataclass(frozen=True)
class Settings:
    """`coverage` config section (workflow/schemas/config/coverage.schema.json)."""

    min_mapq: int = 20
    min_baseq: int = 20
    min_alt_reads: int = 3
    lod_confidence: float = 0.95
    min_phase_reads: int = 3
    phase_max_discordant_fraction: float = 0.1

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any] | None) -> Settings:
        s = section_values(cls, mapping, "coverage")
        if not 0 < s.lod_confidence < 1 or s.min_alt_reads < 1 or s.min_phase_reads < 1:
            raise ConfigError(None, "coverage: lod_confidence must be in (0,1) and read "
                                    "minimums >= 1")
        return s


# --------------------------------------------------------------------------- hotspots
@dataclass(frozen=True)
class Hotspot:
    """A knowledge-table hotspot: residue `ref_aa` at `aa_pos` of `gene`'s reporting transcript.

    kind: "substitution" (alt_aa set), "codon" (any change), "deletion" (p.X123del) or
    "other" (insertions, multi-residue changes: depth only, alt counts any change).
    """

    gene: str
    hgvs_p: str
    aa_pos: int
    ref_aa: str
    alt_aa: str | None
    kind: str


_HGVS_P = re.compile(r"^p\.\(?([A-Z*])(\d+)(?:([A-Z*])|(del)|(_[A-Z*]\d+.*)|(.+))?\)?$")


def parse_hotspot(gene: str, hgvs_p: str) -> Hotspot:
    """Hotspot from a one-letter short-form HGVS p. ("p.G1202R", "p.G1202", "p.G1202del")."""
    m = _HGVS_P.match(hgvs_p.strip())
    if not m:
        raise ValueError(f"{gene} {hgvs_p}: not a one-letter HGVS protein change")
    ref, pos, alt, dele, rng, other = m.groups()
    if alt:
        kind = "substitution"
    elif dele:
        kind = "deletion"
    elif rng or other:
        kind = "other"
    else:
        kind = "codon"
    return Hotspot(gene, hgvs_p.strip(), int(pos), ref, alt, kind)


def hotspots_from_knowledge(rows: Iterable[Any]) -> tuple[list[Hotspot], list[str]]:
    """Distinct hotspots from knowledge rows (objects with .gene and .hgvs_p), with warnings."""
    seen: dict[tuple[str, str], Hotspot] = {}
    problems = []
    for row in rows:
        gene, hgvs = row.gene, row.hgvs_p
        if (gene, hgvs) in seen:
            continue
        try:
            seen[(gene, hgvs)] = parse_hotspot(gene, hgvs)
        except ValueError as exc:
            problems.append(f"hotspot not assessable: {exc}")
    return list(seen.values()), problems


# --------------------------------------------------------------------------- LoD
def detection_probability(depth: int, vaf: float, min_alt_reads: int) -> float:
    """P(X >= k) for X ~ Binomial(depth, vaf)."""
    if vaf <= 0.0:
        return 0.0
    if vaf >= 1.0:
        return 1.0 if depth >= min_alt_reads else 0.0
    below = 0.0
    lf, l1f = math.log(vaf), math.log1p(-vaf)
    for i in range(min(min_alt_reads, depth + 1)):
        below += math.exp(math.lgamma(depth + 1) - math.lgamma(i + 1)
                          - math.lgamma(depth - i + 1) + i * lf + (depth - i) * l1f)
    return max(0.0, 1.0 - below)


def lod_vaf(depth: int, min_alt_reads: int = 3, confidence: float = 0.95) -> float | None:
    """Smallest VAF detected with >= min_alt_reads alt reads with probability >= confidence."""
    if depth < min_alt_reads or depth <= 0:
        return None
    lo, hi = 0.0, 1.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if detection_probability(depth, mid, min_alt_reads) >= confidence:
            hi = mid
        else:
            lo = mid
    return math.ceil(hi * 1e6) / 1e6  # round up: the LoD must still reach the confidence


# --------------------------------------------------------------------------- alignment files
# Exact primary-assembly lengths: a contig length equal to the *other* build's is a build mix-up.
_LENGTHS = {
    Build.GRCh37: dict(zip(
        [str(i) for i in range(1, 23)] + ["X", "Y"],
        [249250621, 243199373, 198022430, 191154276, 180915260, 171115067, 159138663,
         146364022, 141213431, 135534747, 135006516, 133851895, 115169878, 107349540,
         102531392, 90354753, 81195210, 78077248, 59128983, 63025520, 48129895, 51304566,
         155270560, 59373566])),
    Build.GRCh38: dict(zip(
        [str(i) for i in range(1, 23)] + ["X", "Y"],
        [248956422, 242193529, 198295559, 190214555, 181538259, 170805979, 159345973,
         145138636, 138394717, 133797422, 135086622, 133275309, 114364328, 107043718,
         101991189, 90338345, 83257441, 80373285, 58617616, 64444167, 46709983, 50818468,
         156040895, 57227415])),
}


def open_alignment(path: str | Path, reference: str | Path | None = None,
                   build: Build | None = None) -> pysam.AlignmentFile:
    """Open an indexed BAM/CRAM; clear InputErrors for missing file, index or CRAM reference."""
    from kinres.io.opener import check_file

    path = check_file(path, "alignment file")  # missing, folder, FIFO, unreadable, long name
    with open(path, "rb") as fh:
        is_cram = fh.read(4) == b"CRAM"
    if is_cram:
        if reference is None:
            raise InputError(path, "CRAM input needs the reference FASTA: set "
                                   f"reference.{build or '<build>'}.fasta in the config")
        if not Path(reference).is_file():
            raise InputError(reference, "reference FASTA for the CRAM not found")
    try:
        aln = pysam.AlignmentFile(str(path), "rc" if is_cram else "rb",
                                  reference_filename=str(reference) if reference else None)
    except (OSError, ValueError) as exc:
        raise InputError(path, f"cannot open alignment file: {exc}") from None
    if not aln.has_index():
        aln.close()
        raise InputError(path, f"no index (.bai/.csi/.crai) beside the alignment file: run "
                               f"`samtools index {path}` (or python -c \"import pysam; "
                               f"pysam.index('{path}')\")")
    try:
        check_index(aln, path, is_cram, reference)
    except InputError:
        try:
            aln.close()
        except OSError:  # htslib reports the failed read again on close
            pass
        raise
    if build is not None:
        _check_build(aln, path, build)
    return aln


def _check_build(aln: pysam.AlignmentFile, path: Path, build: Build) -> None:
    other = Build.GRCh37 if build is Build.GRCh38 else Build.GRCh38
    for name, length in zip(aln.references, aln.lengths):
        key = name[3:] if name.lower().startswith("chr") else name
        if key in _LENGTHS[other] and length == _LENGTHS[other][key] \
                and length != _LENGTHS[build].get(key):
            aln.close()
            raise InputError(path, f"contig {name} has the {other} length ({length:,}); the "
                                   f"sample sheet says {build}")


def resolve_contig(aln: pysam.AlignmentFile, chrom: str) -> str | None:
    """The alignment file's name for `chrom` ("2" / "chr2", "MT" / "chrM"), or None."""
    refs = set(aln.references)
    bare = chrom[3:] if chrom.lower().startswith("chr") else chrom
    names = [chrom, bare, "chr" + bare]
    if bare.upper() in ("M", "MT"):
        names += ["MT", "chrM", "chrMT", "M"]
    return next((n for n in names if n in refs), None)


def ref_to_query(read: pysam.AlignedSegment) -> dict[int, int | None]:
    """0-based reference position -> query position (None where the read has a deletion)."""
    return {r: q for q, r in read.get_aligned_pairs() if r is not None}


# --------------------------------------------------------------------------- codons
_COMP = str.maketrans("ACGTN", "TGCAN")
CODON_TABLE = {
    a + b + c: aa
    for (a, b, c), aa in zip(
        ((x, y, z) for x in "TCAG" for y in "TCAG" for z in "TCAG"),
        "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG")
}
DELETED = "del"
_DISCORDANT = "discordant"  # fragment whose reads showed different residues
# residue by the codon's bases as read on the genome's + strand (transcript order), keyed by
# "minus strand?"
_GENOMIC_CODONS = {False: CODON_TABLE,
                   True: {c.translate(_COMP): aa for c, aa in CODON_TABLE.items()}}


def read_codon(read: pysam.AlignedSegment, positions: Sequence[int], strand: int,
               min_baseq: int, pairs: dict[int, int | None] | None = None) -> str | None:
    """The residue this read shows at a codon (1-based genomic positions in transcript order).

    Returns a one-letter residue, DELETED, or None (codon not fully covered, low quality or N).
    """
    lookup = RefLookup(read) if pairs is None else (lambda r: pairs.get(r, NOT_COVERED))
    return _codon(read.query_sequence, read.query_qualities, lookup, positions, strand,
                  min_baseq)


def _codon(seq: str | None, quals: Any, lookup: Callable[[int], int | None],
           positions: Sequence[int], strand: int, min_baseq: int) -> str | None:
    bases = []
    for g in positions:
        q = lookup(g - 1)
        if q == NOT_COVERED:
            return None
        if q is None:
            return DELETED
        if seq is None or (quals is not None and quals[q] < min_baseq):
            return None
        bases.append(seq[q])
    codon = "".join(bases).upper()
    if strand < 0:
        codon = codon.translate(_COMP)
    return CODON_TABLE.get(codon)


def _classify(hotspot: Hotspot, residue: str) -> str:
    if residue == hotspot.ref_aa:
        return "ref"
    if hotspot.kind == "substitution":
        return "alt" if residue == hotspot.alt_aa else "other"
    if hotspot.kind == "deletion":
        return "alt" if residue == DELETED else "other"
    return "alt"  # codon-level / other: any change at the codon


@dataclass
class _Target:
    """One hotspot being counted: its codon and the residues each fragment showed there."""

    hotspot: Hotspot
    positions: tuple[int, ...]
    strand: int
    chrom: str
    contig: str | None
    tx_id: str | None
    # query name -> the residue its reads showed, or _DISCORDANT when mates disagree
    per_fragment: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        p = self.positions  # 0-based codon and its genomic-order table, for the fast path
        self.codon0 = (p[0] - 1, p[1] - 1, p[2] - 1) if len(p) == 3 else None
        self.table = _GENOMIC_CODONS[self.strand < 0]


def _target(aln: pysam.AlignmentFile, hotspot: Hotspot, transcript: Any) -> _Target:
    positions = tuple(transcript.codon_positions(hotspot.aa_pos))  # may raise: not assessable
    return _Target(hotspot, positions, transcript.strand, transcript.chrom,
                   resolve_contig(aln, transcript.chrom),
                   getattr(transcript, "transcript_id", None))


def _count(aln: pysam.AlignmentFile, targets: Sequence[_Target], settings: Settings) -> None:
    """Fill every target's per-fragment residues from ONE pass over the reads."""
    sites = [Site(t.contig, min(t.positions) - 1, max(t.positions), t)
             for t in targets if t.contig is not None]
    min_baseq = settings.min_baseq
    for read, hit in reads_by_site(aln, sites, settings.min_mapq):
        seq, quals, lookup = per_read(read)
        qname = read.query_name
        offset = lookup.offset if seq is not None else None
        start, end = read.reference_start, read.reference_end
        for site in hit:
            t = site.key
            if offset is not None and t.codon0 is not None:
                # fast path (most reads): codon fully inside one aligned block, or not covered
                if site.start0 < start or site.end0 > end:
                    continue
                g0, g1, g2 = t.codon0
                q0, q1, q2 = g0 - offset, g1 - offset, g2 - offset
                if quals is not None and (quals[q0] < min_baseq or quals[q1] < min_baseq
                                          or quals[q2] < min_baseq):
                    continue
                residue = t.table.get(seq[q0] + seq[q1] + seq[q2])
            else:
                residue = _codon(seq, quals, lookup, t.positions, t.strand, min_baseq)
            if residue is not None:
                seen = t.per_fragment.get(qname)
                if seen is None:
                    t.per_fragment[qname] = residue
                elif seen != residue:
                    t.per_fragment[qname] = _DISCORDANT


def _record(t: _Target, settings: Settings) -> tuple[HotspotCoverage, list[str]]:
    hotspot, first = t.hotspot, t.positions[0]
    if t.contig is None:
        return HotspotCoverage(
            gene=hotspot.gene, hgvs_p=hotspot.hgvs_p, chrom=t.chrom, pos=first,
            depth=0, alt_reads=0, lod_vaf=None, transcript=t.tx_id,
            note=f"contig {t.chrom} not in the alignment header"), [
            f"{hotspot.gene} {hotspot.hgvs_p}: contig {t.chrom} not in the BAM header"]
    warnings: list[str] = []
    seen: Counter[str] = Counter()
    discordant = 0
    for residue in t.per_fragment.values():
        if residue is _DISCORDANT:
            discordant += 1
        else:
            seen[residue] += 1
    classes = Counter()
    for residue, n in seen.items():
        classes[_classify(hotspot, residue)] += n
    depth = sum(seen.values())
    notes = []
    if discordant:
        notes.append(f"{discordant} fragment(s) with discordant mates excluded")
    top = seen.most_common(1)
    if depth >= 10 and classes["ref"] < depth / 2 and top and top[0][0] != hotspot.ref_aa:
        warnings.append(
            f"{hotspot.gene} {hotspot.hgvs_p}: {top[0][1]}/{depth} fragments read "
            f"'{top[0][0]}' at codon {hotspot.aa_pos}, not the reference {hotspot.ref_aa}: "
            "check transcript numbering and genome build")
    if hotspot.kind == "other":
        notes.append("insertion/complex hotspot: alt = any change at the first codon")
    return HotspotCoverage(
        gene=hotspot.gene, hgvs_p=hotspot.hgvs_p, chrom=t.chrom, pos=first,
        depth=depth, alt_reads=classes["alt"],
        lod_vaf=lod_vaf(depth, settings.min_alt_reads, settings.lod_confidence),
        transcript=t.tx_id, ref_reads=classes["ref"], observed_aa=tuple(sorted(seen.items())),
        note="; ".join(notes) or None), warnings


def hotspot_coverage(aln: pysam.AlignmentFile, hotspot: Hotspot, transcript: Any,
                     settings: Settings = Settings()) -> tuple[HotspotCoverage, list[str]]:
    """Depth, alt support and LoD at one hotspot codon; `transcript` follows the Panel API."""
    target = _target(aln, hotspot, transcript)
    _count(aln, [target], settings)
    return _record(target, settings)


def assess_hotspots(aln: pysam.AlignmentFile, hotspots: Sequence[Hotspot],
                    transcript_for: Callable[[str], Any | None],
                    settings: Settings = Settings()
                    ) -> tuple[tuple[HotspotCoverage, ...], float | None, tuple[str, ...]]:
    """All hotspots, from one pass over the reads: (records, mean depth over assessed
    hotspots, warnings)."""
    slots: list[_Target | str] = []  # per hotspot on the panel: its target or why not assessed
    missing: set[str] = set()
    for hs in hotspots:
        tx = transcript_for(hs.gene)
        if tx is None:
            missing.add(hs.gene)
            continue
        try:
            slots.append(_target(aln, hs, tx))
        except (ValueError, AnnotationError) as exc:  # codon outside / CDS not verified
            slots.append(f"{hs.gene} {hs.hgvs_p} not assessed: {exc}")
    _count(aln, [t for t in slots if isinstance(t, _Target)], settings)
    records, warnings = [], []
    for slot in slots:
        if isinstance(slot, str):
            warnings.append(slot)
            continue
        rec, warn = _record(slot, settings)
        records.append(rec)
        warnings.extend(warn)
    if missing:
        warnings.append(f"hotspots of {', '.join(sorted(missing))} not assessed: gene not on "
                        "the panel")
    assessed = [r.depth for r in records if r.note is None or "contig" not in r.note]
    mean = round(sum(assessed) / len(assessed), 2) if assessed else None
    return tuple(records), mean, tuple(warnings)
