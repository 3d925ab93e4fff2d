"""Fusion structure on the panel transcripts, duplicate/reciprocal merging and the target gate.

For each call: the exon joined on each side (RNA: the exon whose boundary is the breakpoint; DNA:
the intron, with the expected junction = last full 5' exon :: first 3' exon), the reading frame
(one rule for every caller: kinres's own from the panel CDS - intronic breakpoints snapped to the
exon boundary, exonic ones counted base by base - else the caller's; a disagreement is flagged
and reported as FUSION_FRAME_CONFLICT), whether the whole kinase
domain lies 3' of the breakpoint, the junction and EML4-ALK variant labels, read-through and
artefact flags, and the actionability gate of the report contract: a fusion is a target only if
the kinase is 3', the junction is in frame and the whole kinase domain is kept. Unknown frame is
*not* actionable (reason "frame unknown"; the report adds FUSION_FRAME_UNKNOWN).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass, replace

from kinres.errors import AnnotationError
from kinres.io.fusions.settings import Settings
from kinres.models import Breakpoint, Fusion

INTERGENIC = "intergenic/unknown"
UNDETERMINED = "variant undetermined"
# digest §1: EML4 exon joined to ALK exon 20 -> variant label
EML4_ALK_VARIANTS = {13: "v1", 20: "v2", 6: "v3a/b", 15: "v4'", 2: "v5a", 14: "v7", 17: "v8a/b"}


@dataclass(frozen=True)
class Site:
    """Where a breakpoint falls on a transcript, in transcript terms."""

    exon: int | None  # exon joined at the junction (5': last retained; 3': first retained)
    intron: int | None  # intron number when the breakpoint is intronic
    exact: bool  # junction at an exon boundary (RNA) or in an intron (DNA): exons are whole
    retained_from: int | None = None  # 3' side: genomic coordinate where retained sequence starts


# --------------------------------------------------------------------------- transcript geometry
def _exons(tx) -> list[tuple[int, int, int]]:
    """(number, start, end) in transcript order from the panel transcript."""
    out = []
    for i, e in enumerate(tx.exons, start=1):
        out.append((getattr(e, "number", None) or i, int(e.start), int(e.end)))
    return out


def _plus(tx) -> bool:
    return tx.strand in (1, "+", "1")


def _t(tx, pos: int) -> int:
    """Transcript-direction coordinate: increases 5'->3' on either strand."""
    return pos if _plus(tx) else -pos


def locate(tx, pos: int, side: str, tolerance: int = 0) -> Site | None:
    """Site of `pos` on `tx` for the 5' ("5p") or 3' ("3p") partner; None if outside the gene."""
    exons = _exons(tx)
    tp = _t(tx, pos)
    for idx, (num, start, end) in enumerate(exons):
        first, last = (start, end) if _plus(tx) else (end, start)  # transcript-order ends
        lo, hi = min(_t(tx, first), _t(tx, last)), max(_t(tx, first), _t(tx, last))
        if lo <= tp <= hi:
            if side == "5p":
                return Site(num, None, abs(tp - _t(tx, last)) <= tolerance)
            exact = abs(tp - _t(tx, first)) <= tolerance
            return Site(num, None, exact, first if exact else pos)
        if idx + 1 < len(exons):
            nnum, nstart, nend = exons[idx + 1]
            nfirst = nstart if _plus(tx) else nend
            if _t(tx, last) < tp < _t(tx, nfirst):
                if side == "5p":
                    return Site(num, num, True)
                return Site(nnum, num, True, nfirst)
    # outside the transcribed span (e.g. a promoter-region DNA breakpoint): no exon to name
    return None


def _intron_of(tx, pos: int) -> int | None:
    site = locate(tx, pos, "5p")
    return site.intron if site else None


# --------------------------------------------------------------------------- per-call structure
def _transcript(panel, gene: str):
    if gene in (INTERGENIC, "") or gene not in panel:
        return None
    return panel.transcript(gene)


def _phase_end(tx, exon: int) -> int | None:
    if not getattr(tx, "cds_verified", True):
        return None
    try:
        phase = tx.cds_phase_at_exon_end(exon)
    except (ValueError, IndexError, KeyError):
        return None
    # Ensembl convention: -1 = the exon end is outside the CDS
    return phase if phase is not None and phase >= 0 else None


def _c_index(tx, pos: int) -> int | None:
    if not getattr(tx, "cds_verified", True) or not hasattr(tx, "c_index"):
        return None
    try:
        return tx.c_index(pos)
    except (ValueError, LookupError, AnnotationError):
        return None


def _phase_5p(tx, site: Site | None, bp: Breakpoint | None) -> int | None:
    """Coding bases of the 5' partner up to the junction, mod 3."""
    if site is None or site.exon is None:
        return None
    if site.exact:  # whole exons (boundary or intronic breakpoint snapped to the exon end)
        return _phase_end(tx, site.exon)
    c = _c_index(tx, bp.pos) if bp is not None else None  # exonic: count the bases exactly
    return None if c is None else c % 3


def _phase_3p(tx, site: Site | None, bp: Breakpoint | None) -> int | None:
    """Coding bases of the 3' partner before its first retained base, mod 3."""
    if site is None or site.exon is None:
        return None
    if site.exact:
        return _phase_end(tx, site.exon - 1) if site.exon >= 2 else None
    c = _c_index(tx, bp.pos) if bp is not None else None
    return None if c is None else (c - 1) % 3


def _computed_frame(t5, s5: Site | None, t3, s3: Site | None, b5: Breakpoint | None = None,
                    b3: Breakpoint | None = None) -> bool | None:
    """kinres's own frame, the same for every caller: intronic breakpoints are snapped to the
    flanking exon boundary (a spliced transcript joins whole exons; `locate` marks them exact),
    exonic breakpoints off a boundary are counted base by base on the panel CDS."""
    if t5 is None or t3 is None:
        return None
    p5, p3 = _phase_5p(t5, s5, b5), _phase_3p(t3, s3, b3)
    if p5 is None or p3 is None:
        return None
    return p5 == p3


def _domain_kept_3p(tx, site: Site | None) -> bool | None:
    """True when every codon of the kinase domain lies 3' of where the 3' partner starts."""
    kd = getattr(tx, "kinase_domain", None)
    if kd is None or site is None or site.retained_from is None:
        return None
    start = _t(tx, site.retained_from)
    for aa in (kd[0], kd[1]):
        try:
            codon = tx.codon_positions(aa)
        except (ValueError, IndexError, KeyError):
            return None
        if any(g is None or _t(tx, g) < start for g in codon):
            return False
    return True


def _domain_kept_5p(tx, bp: Breakpoint | None) -> bool | None:
    """Kinase as 5' partner: the domain is kept only if it lies wholly 5' of the breakpoint."""
    kd = getattr(tx, "kinase_domain", None)
    if kd is None or bp is None:
        return None
    end = _t(tx, bp.pos)
    for aa in (kd[0], kd[1]):
        codon = tx.codon_positions(aa)
        if any(g is None or _t(tx, g) > end for g in codon):
            return False
    return True


def _ambiguous_dna(tx, bp: Breakpoint, site: Site | None) -> bool:
    """DNA intron inference is ambiguous when the breakpoint (or its CI) is not in one intron."""
    if site is None or site.intron is None:
        return True
    lo, hi = bp.pos + min(bp.ci), bp.pos + max(bp.ci)
    return _intron_of(tx, lo) != site.intron or _intron_of(tx, hi) != site.intron


def _read_through(f: Fusion, t5, t3, max_gap: int) -> bool | None:
    """Are the partners genomic neighbours, i.e. could this be a read-through transcript?

    Read-through (transcription-induced) chimeras join ADJACENT genes: same chromosome and
    strand, the 3' gene downstream, and a short gap between the 5' gene's 3' end and the 3'
    gene's 5' end. The gap is taken from the panel transcripts; a partner not on the panel is
    bounded by its breakpoint. Callers label by breakpoint distance alone (Arriba: same-strand
    deletions < 400 kb), which also tags real focal-deletion fusions such as GOPC-ROS1 (genes
    ~134 kb apart on 6q22, a ~240 kb deletion). None when the breakpoints cannot be placed.
    """
    b5, b3 = f.five_prime_breakpoint, f.three_prime_breakpoint
    if f.five_prime_gene == f.three_prime_gene:
        return False
    if b5 is None or b3 is None:
        return None
    if b5.chrom != b3.chrom:
        return False
    s5 = (("+" if _plus(t5) else "-") if t5 is not None else None) or b5.strand
    s3 = (("+" if _plus(t3) else "-") if t3 is not None else None) or b3.strand
    if s5 is None or s3 is None:
        return None
    if s5 != s3:
        return False
    plus = s5 == "+"
    if not (b3.pos > b5.pos if plus else b3.pos < b5.pos):
        return False  # 3' gene upstream: not a read-through
    end5 = (t5.tx_end if plus else t5.tx_start) if t5 is not None else b5.pos
    start3 = (t3.tx_start if plus else t3.tx_end) if t3 is not None else b3.pos
    gap = (start3 - end5) if plus else (end5 - start3)
    return max(gap, 0) <= max_gap


def annotate(f: Fusion, panel, settings: Settings) -> Fusion:
    """Fill exon/intron, labels, frame, kinase-domain retention, flags and the gate on one call."""
    kinases = set(settings.kinase_genes)
    kinase = (f.three_prime_gene if f.three_prime_gene in kinases else
              f.five_prime_gene if f.five_prime_gene in kinases else None)
    t5, t3 = _transcript(panel, f.five_prime_gene), _transcript(panel, f.three_prime_gene)
    flags = list(f.flags)
    # snapping exonic breakpoints is for RNA junctions shifted by microhomology; an exonic DNA
    # breakpoint says nothing certain about how the transcript is spliced
    tol = settings.exon_boundary_tolerance_bp if f.molecule != "dna" else 0
    b5, b3 = f.five_prime_breakpoint, f.three_prime_breakpoint
    s5 = s3 = None
    if t5 is not None and b5 is not None:
        s5 = locate(t5, b5.pos, "5p", tol) if b5.chrom == t5.chrom else None
        if s5 is None:
            flags.append("five_prime_breakpoint_outside_gene")
    if t3 is not None and b3 is not None:
        s3 = locate(t3, b3.pos, "3p", tol) if b3.chrom == t3.chrom else None
        if s3 is None:
            flags.append("three_prime_breakpoint_outside_gene")
    # caller-given exons (generic TSV) stand when there is no breakpoint to place
    e5 = s5.exon if s5 else f.five_prime_exon
    e3 = s3.exon if s3 else f.three_prime_exon
    if s3 is None and t3 is not None and e3 is not None and b3 is None:
        s3 = _site_from_exon(t3, e3)
    if s5 is None and t5 is not None and e5 is not None and b5 is None:
        s5 = Site(e5, None, True)
    dna = f.molecule == "dna"
    i5 = s5.intron if (s5 and dna) else None
    i3 = s3.intron if (s3 and dna) else None
    # exon pair is defined when both sides are whole exons at a clean junction
    ambiguous = s5 is None or s3 is None or not s5.exact or not s3.exact
    if dna and not ambiguous:
        ambiguous = ((b5 is not None and _ambiguous_dna(t5, b5, s5))
                     or (b3 is not None and _ambiguous_dna(t3, b3, s3)))
    # junction label
    left = f"{f.five_prime_gene} exon {e5}" if e5 is not None else f.five_prime_gene
    right = f"{f.three_prime_gene} exon {e3}" if e3 is not None else f.three_prime_gene
    junction = f"{left} :: {right}"
    variant = None
    if f.five_prime_gene == "EML4" and f.three_prime_gene == "ALK":
        if ambiguous or e5 is None or e3 is None:
            variant = UNDETERMINED
        elif e3 == 20:
            variant = EML4_ALK_VARIANTS.get(e5)
    # frame: kinres's own (one rule for every caller) wins; the caller's fills in when kinres
    # cannot compute one; a disagreement is kept as a flag (report caveat FUSION_FRAME_CONFLICT)
    counted = f.molecule != "dna"  # base-by-base counting needs the RNA junction itself
    computed = _computed_frame(t5, s5, t3, s3, b5 if counted else None, b3 if counted else None)
    in_frame, source = f.in_frame, f.frame_source
    if computed is not None:
        if in_frame is not None and in_frame != computed:
            flags.append("frame_conflict_caller_vs_computed")
            flags.append("caller_frame:" + ("in-frame" if in_frame else "out-of-frame"))
        in_frame, source = computed, "computed"
        if "stop_codon_before_junction" in flags and computed:
            in_frame = False  # the caller saw a stop codon in the 5' part: not translated
    # kinase domain
    kd: bool | None = None
    if kinase is not None and kinase == f.three_prime_gene and t3 is not None:
        kd = _domain_kept_3p(t3, s3)
    elif kinase is not None and kinase == f.five_prime_gene and t5 is not None:
        kd = _domain_kept_5p(t5, b5)
    neighbours = _read_through(f, t5, t3, settings.read_through_max_distance)
    if neighbours is not None:
        # the caller's read-through label is kept for information; the neighbour rule decides
        if "read_through" in flags:
            flags = [x for x in flags if x != "read_through"]
            if not neighbours:
                flags.append("caller_read_through")
        if neighbours:
            flags.append("read_through")
    if f.supporting_reads is not None and f.supporting_reads < settings.min_supporting_reads:
        flags.append("low_support")
    if dna and "dna_only" not in flags:
        flags.append("dna_only")
    flags = list(dict.fromkeys(flags))
    out = replace(f, kinase_gene=kinase, five_prime_exon=e5, three_prime_exon=e3,
                  five_prime_intron=i5, three_prime_intron=i3, junction_label=junction,
                  variant_label=variant, in_frame=in_frame, frame_source=source,
                  kinase_domain_retained=kd, flags=tuple(flags))
    reasons = gate(out)
    return replace(out, actionable=not reasons, not_actionable_reasons=reasons)


def _site_from_exon(tx, exon: int) -> Site | None:
    for num, start, end in _exons(tx):
        if num == exon:
            return Site(num, None, True, start if _plus(tx) else end)
    return None


def gate(f: Fusion) -> tuple[str, ...]:
    """Every failed condition of the fusion target gate (empty = actionable)."""
    reasons: list[str] = []
    if f.kinase_gene is None:
        reasons.append("no panel kinase involved")
        return tuple(reasons)
    if f.five_prime_gene == f.three_prime_gene:
        reasons.append("intragenic rearrangement, not a fusion")
    elif f.kinase_gene != f.three_prime_gene:
        reasons.append("kinase is not the 3' partner")
    if "no_chimeric_orientation" in f.flags:
        reasons.append("genes joined head-to-head or tail-to-tail")
    if f.in_frame is None:
        reasons.append("frame unknown")
    elif not f.in_frame:
        reasons.append("stop codon before the junction" if "stop_codon_before_junction" in f.flags
                       else "out of frame")
    if f.kinase_domain_retained is None:
        reasons.append("kinase domain retention unknown")
    elif not f.kinase_domain_retained:
        reasons.append("kinase domain not fully retained")
    if "read_through" in f.flags:
        reasons.append("read-through transcript")
    artefacts = [x.split(":", 1)[1] for x in f.flags if x.startswith("known_artefact:")]
    if artefacts:
        reasons.append("caller marks a known artefact (" + ", ".join(artefacts) + ")")
    return tuple(reasons)


# --------------------------------------------------------------------------- merging
def _near(a: Breakpoint | None, b: Breakpoint | None, tol: int) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return a.chrom == b.chrom and abs(a.pos - b.pos) <= tol


def _support(f: Fusion) -> int:
    return f.supporting_reads or 0


def _cell(bp: Breakpoint | None, width: int) -> tuple:
    """Grid cell of a breakpoint: cells are `width` = tolerance + 1 bases wide, so two positions
    in one cell are always within tolerance; None (no breakpoint) only meets None."""
    return ("none",) if bp is None else (bp.chrom, bp.pos // width)


def merge(fusions: Iterable[Fusion], tolerance: int) -> tuple[list[Fusion], list[str]]:
    """Merge duplicate calls (same genes, breakpoints within `tolerance`) and reciprocals.

    Calls are taken best supported first; a call merges into the earliest kept call with the same
    genes and exon pair whose breakpoints are both within `tolerance`. Kept calls are indexed by
    the grid cell of their breakpoint pair: two kept calls never share a cell (the later would
    have merged), so each call checks at most 3 x 3 neighbouring cells - O(n log n) overall
    (the sort), where comparing every call with every kept call was quadratic (issue 12).
    """
    tol = max(0, int(tolerance))
    width = tol + 1
    kept: list[Fusion] = []
    cells: dict[tuple, int] = {}  # (genes, exons, cell5, cell3) -> index into kept
    dup = 0
    for f in sorted(fusions, key=lambda x: -_support(x)):
        group = (f.five_prime_gene, f.three_prime_gene, f.five_prime_exon, f.three_prime_exon)
        c5 = _cell(f.five_prime_breakpoint, width)
        c3 = _cell(f.three_prime_breakpoint, width)
        n5 = [c5] if len(c5) == 1 else [(c5[0], c5[1] + d) for d in (-1, 0, 1)]
        n3 = [c3] if len(c3) == 1 else [(c3[0], c3[1] + d) for d in (-1, 0, 1)]
        best: int | None = None
        for a in n5:
            for b in n3:
                i = cells.get((group, a, b))
                if i is None or (best is not None and i > best):
                    continue
                k = kept[i]
                if _near(k.five_prime_breakpoint, f.five_prime_breakpoint, tol) \
                        and _near(k.three_prime_breakpoint, f.three_prime_breakpoint, tol):
                    best = i
        if best is not None:
            k = kept[best]
            kept[best] = replace(k, flags=tuple(dict.fromkeys(k.flags + ("duplicate_merged",))))
            dup += 1
        else:
            cells[(group, c5, c3)] = len(kept)
            kept.append(f)
    out: list[Fusion] = []
    # gene pair -> heap of indices into `out` currently holding that pair (first = smallest)
    by_pair: dict[tuple[str, str], list[int]] = {}
    recip = 0
    for f in kept:
        heap = by_pair.get((f.three_prime_gene, f.five_prime_gene))
        if f.five_prime_gene == f.three_prime_gene or not heap:
            heapq.heappush(by_pair.setdefault((f.five_prime_gene, f.three_prime_gene), []),
                           len(out))
            out.append(f)
            continue
        partner_idx = heap[0]
        k = out[partner_idx]
        # keep the product with the kinase 3' (the one that can be a target), else the better
        # supported; the other is the reciprocal product of the same rearrangement
        f_kinase3 = f.kinase_gene is not None and f.kinase_gene == f.three_prime_gene
        k_kinase3 = k.kinase_gene is not None and k.kinase_gene == k.three_prime_gene
        winner = f if (f_kinase3 and not k_kinase3) else k
        if winner is f:  # the slot now holds f's gene pair
            heapq.heappop(heap)
            heapq.heappush(by_pair.setdefault((f.five_prime_gene, f.three_prime_gene), []),
                           partner_idx)
        out[partner_idx] = replace(winner, flags=tuple(dict.fromkeys(winner.flags
                                                                      + ("reciprocal_merged",))))
        recip += 1
    warnings = []
    if dup:
        warnings.append(f"{dup} duplicate fusion call(s) (same genes, breakpoints within "
                        f"{tolerance} bp) merged")
    if recip:
        warnings.append(f"{recip} reciprocal fusion call(s) merged into their partner event")
    return out, warnings


def annotate_all(fusions: Iterable[Fusion], panel, settings: Settings
                 ) -> tuple[tuple[Fusion, ...], tuple[str, ...]]:
    """Annotate, merge and keep the calls that involve a panel kinase (others are counted)."""
    annotated = [annotate(f, panel, settings) for f in fusions]
    merged, warnings = merge(annotated, settings.merge_tolerance_bp)
    kept = [f for f in merged if f.kinase_gene is not None]
    dropped = [f for f in merged if f.kinase_gene is None]
    if dropped:
        names = sorted({f"{f.five_prime_gene}--{f.three_prime_gene}" for f in dropped})
        shown = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
        warnings.append(f"{len(dropped)} fusion record(s) involve no panel kinase; not reported "
                        f"({shown})")
    overruled = sorted({f"{f.five_prime_gene}-{f.three_prime_gene}" for f in kept
                        if "caller_read_through" in f.flags})
    if overruled:
        warnings.append(f"caller's read-through label not applied to {', '.join(overruled)}: "
                        "the genes are not genomic neighbours (gap above "
                        f"{settings.read_through_max_distance:,} bp; fusions.read_through_max_distance)")
    kept.sort(key=lambda f: (not f.actionable, -_support(f), f.five_prime_gene,
                             f.three_prime_gene, f.source.line if f.source and f.source.line
                             else 0))
    return tuple(kept), tuple(warnings)
