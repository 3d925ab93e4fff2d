"""Independent-annotator cross-check: kinres raw-VCF annotation path vs Debian snpEff 5.1.

Random SNVs, MNVs and 1-10 bp indels around the coding exons of a synthetic genome (both
strands, 3-10 exons, UTRs; tests/synthref.py) go through the real path - `read_vcf` then
`annotate_variants` (HGVS 3' rule on) - and through `snpEff ann` with a database built offline
from the same FASTA + GFF3 (its own build check must confirm every CDS and protein). On the
reporting transcript we compare the consequence classes and protein positions of every record,
and the exact HGVS c. and p. of every SNV.

Documented convention differences between the two tools are normalised one by one in
`normalise()` (each rule verified independently from the synthetic transcript, and counted);
everything else fails the test with a table. snpEff is required: a missing install fails.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pytest
from snpeff_util import annotate, build_database, find_snpeff, parse_ann, snpeff_p_short
from synthref import VcfRecord, make_reference, random_variants, revcomp, translate, write_vcf

from kinres.annotate.consequence import Engine, annotate_variants
from kinres.annotate.gff import load_annotation
from kinres.annotate.normalize import Edit, Reference, normalize, shift_right
from kinres.enums import Consequence as C
from kinres.io.vcf import read_vcf
from kinres.models import ProteinAnnotation

N_VARIANTS = 2000

# snpEff 5.1 vocabulary -> ours. snpEff splits in-frame indels into conservative/disruptive
# (codon-aligned or not); 5_prime_UTR_premature_start_codon_gain_variant is an extra 5' UTR
# sub-term (it always comes with 5_prime_UTR_variant). Any other term fails the test.
SNPEFF_TERMS = {
    "missense_variant": C.MISSENSE, "synonymous_variant": C.SYNONYMOUS,
    "stop_gained": C.STOP_GAINED, "stop_lost": C.STOP_LOST, "start_lost": C.START_LOST,
    "stop_retained_variant": C.STOP_RETAINED, "frameshift_variant": C.FRAMESHIFT,
    "conservative_inframe_deletion": C.INFRAME_DELETION,
    "disruptive_inframe_deletion": C.INFRAME_DELETION,
    "conservative_inframe_insertion": C.INFRAME_INSERTION,
    "disruptive_inframe_insertion": C.INFRAME_INSERTION,
    "splice_acceptor_variant": C.SPLICE_ACCEPTOR, "splice_donor_variant": C.SPLICE_DONOR,
    "splice_region_variant": C.SPLICE_REGION, "intron_variant": C.INTRON,
    "5_prime_UTR_variant": C.UTR5, "3_prime_UTR_variant": C.UTR3,
    "5_prime_UTR_premature_start_codon_gain_variant": C.UTR5,
    # snpEff 5.1 writes start_retained_variant (alone) for a 5' UTR indel ending at the ATG
    # (c.-8_-1del, c.-1_1ins...) that leaves the start codon intact: a 5' UTR change
    "start_retained_variant": C.UTR5,
    "upstream_gene_variant": C.UPSTREAM, "downstream_gene_variant": C.DOWNSTREAM,
    "non_coding_transcript_variant": C.NON_CODING,
    "non_coding_transcript_exon_variant": C.NON_CODING,
}
CODING = frozenset({C.MISSENSE, C.SYNONYMOUS, C.STOP_GAINED, C.STOP_LOST, C.START_LOST,
                    C.STOP_RETAINED, C.FRAMESHIFT, C.INFRAME_INSERTION, C.INFRAME_DELETION,
                    C.PROTEIN_ALTERING})
SITES = frozenset({C.SPLICE_DONOR, C.SPLICE_ACCEPTOR})
SPLICE = SITES | {C.SPLICE_REGION}


# ----------------------------------------------------------------------------- snpEff side
@dataclass(frozen=True)
class SnpEffCall:
    """snpEff's entries for one transcript merged (it writes e.g. splice_region separately)."""

    terms: frozenset
    hgvs_c: str  # deleted/duplicated bases stripped ("c.5_7delGCA" -> "c.5_7del")
    hgvs_p: str  # kinres short form
    aa_pos: int | None


def snpeff_calls(entries) -> dict[str, SnpEffCall]:
    """ANN entries of one record -> {transcript: SnpEffCall} (transcript features only)."""
    merged: dict[str, list] = {}
    for e in entries:
        if e.feature_type == "transcript":
            merged.setdefault(e.feature_id, []).append(e)
    out = {}
    for tid, es in merged.items():
        terms = set()
        for e in es:
            for t in e.effects:
                if t not in SNPEFF_TERMS:
                    raise AssertionError(f"unmapped snpEff term {t!r} ({tid} {e.hgvs_c})")
                terms.add(SNPEFF_TERMS[t])
        cs = {e.hgvs_c for e in es if e.hgvs_c}
        ps = {e.hgvs_p for e in es if e.hgvs_p}
        aas = {e.aa_pos for e in es if e.aa_pos is not None}
        assert len(cs) <= 1 and len(ps) <= 1 and len(aas) <= 1, (tid, es)
        # HGVS recommends not repeating deleted/duplicated bases; snpEff writes them
        c = re.sub(r"(del|dup)[ACGTN]+$", r"\1", cs.pop()) if cs else ""
        c = re.sub(r"del[ACGTN]+ins", "delins", c)
        out[tid] = SnpEffCall(frozenset(terms), c, snpeff_p_short(ps.pop()) if ps else "",
                              aas.pop() if aas else None)
    return out


# ----------------------------------------------------------------------------- independent truth
def _mrna_map(stx) -> dict[int, int]:
    return {stx.mrna_to_genomic(m): m for m in range(len(stx.mrna))}


def alt_protein(stx, edit: Edit) -> str | None:
    """Translation from the ATG of the synthetic transcript with an exonic edit applied (to the
    first stop, or to the transcript end); None when the edit is not fully exonic or starts
    before the ATG."""
    g2m = _mrna_map(stx)
    if edit.deleted:
        ms = [g2m.get(g) for g in range(edit.start + 1, edit.end + 1)]
        if None in ms:
            return None
        m0, m1 = min(ms), max(ms) + 1
    else:
        a, b = g2m.get(edit.start), g2m.get(edit.start + 1)
        if a is not None and b is not None:
            if abs(a - b) != 1:
                return None
            m0 = m1 = max(a, b)
        elif a is None and b is None:
            return None
        else:
            # at an exon/intron junction the inserted bases join the exon (both tools agree
            # on the class whenever this is reached)
            m0 = m1 = (a if a is not None else b) + (1 if (a is not None) == (stx.strand > 0)
                                                     else 0)
    if m0 < stx.cds_offset:
        return None
    ins = edit.inserted if stx.strand > 0 else revcomp(edit.inserted)
    prot = translate((stx.mrna[:m0] + ins + stx.mrna[m1:])[stx.cds_offset:])
    return prot[:prot.index("*") + 1] if "*" in prot else prot


def first_changed(stx, edit: Edit) -> int | None:
    """1-based first residue that differs after the edit (independent translation)."""
    alt = alt_protein(stx, edit)
    if alt is None:
        return None
    ref_p = stx.protein + "*"
    k = 0
    while k < len(alt) and k < len(ref_p) and alt[k] == ref_p[k]:
        k += 1
    return k + 1


def affected(edit: Edit) -> range:
    """Genomic positions an edit touches (an insertion: both flanking bases)."""
    return range(edit.start + 1, edit.end + 1) if edit.deleted else \
        range(edit.start, edit.start + 2)


def _introns(stx) -> list[tuple[int, int]]:
    """(first, last) genomic base of each intron, genome order."""
    ex = sorted(stx.exons)
    return [(a[1] + 1, b[0] - 1) for a, b in pairwise(ex)]


def splice_site_bases(stx) -> set[int]:
    """The two donor and two acceptor bases of every intron."""
    out: set[int] = set()
    for s, e in _introns(stx):
        out |= {s, s + 1, e - 1, e}
    return out


def crosses_exon_boundary(stx, edit: Edit) -> bool:
    """A deletion/delins that removes both exonic and non-exonic bases of the transcript."""
    if not edit.deleted:
        return False
    exonic = {any(s <= g <= e for s, e in stx.exons) for g in affected(edit)}
    return len(exonic) == 2


def sticks_out(stx, edit: Edit) -> bool:
    """A deletion that removes bases both inside and outside the transcript."""
    inside = {stx.start <= g <= stx.end for g in affected(edit)}
    return bool(edit.deleted) and len(inside) == 2


_CPOS = re.compile(r"^([-*]?)(\d+)([+-]\d+)?$")
_CDESC = re.compile(r"^c\.([-*+\d]+)(?:_([-*+\d]+))?(?:([ACGT])>([ACGT])|(del|dup|ins|delins)"
                    r"([ACGT]*))$")


def c_to_genomic(stx, pos: str) -> int:
    """Independent c. position -> 1-based genomic position on the synthetic transcript
    (5'/3' UTR and outside the transcript by counting on, intronic offsets from the anchor)."""
    m = _CPOS.match(pos)
    if not m:
        raise ValueError(f"unparsable c. position {pos!r}")
    sign, n, off = m.group(1), int(m.group(2)), int(m.group(3) or 0)
    cds_end = stx.cds_offset + len(stx.cds) - 1  # 0-based mRNA index of the last stop base
    idx = stx.cds_offset - n if sign == "-" else cds_end + n if sign == "*" else \
        stx.cds_offset + n - 1
    last = len(stx.mrna) - 1
    if idx < 0:
        g = stx.mrna_to_genomic(0) + idx * stx.strand
    elif idx > last:
        g = stx.mrna_to_genomic(last) + (idx - last) * stx.strand
    else:
        g = stx.mrna_to_genomic(idx)
    return g + off * stx.strand


def c_to_edit(stx, contig: str, hgvs_c: str) -> Edit:
    """Independent HGVS c. -> genomic Edit (dup = insertion 3' of the copy on the transcript).
    A substitution's reference base is checked against the genome."""
    m = _CDESC.match(hgvs_c)
    if not m:
        raise ValueError(f"unparsable c. description {hgvs_c!r}")
    a = c_to_genomic(stx, m.group(1))
    b = c_to_genomic(stx, m.group(2)) if m.group(2) else a
    lo, hi = min(a, b), max(a, b)
    plus = stx.strand > 0
    fwd = (lambda x: x) if plus else revcomp
    if m.group(3):
        if contig[lo - 1] != fwd(m.group(3)):
            raise ValueError(f"{hgvs_c}: reference base is {fwd(contig[lo - 1])}")
        return Edit(stx.chrom, lo - 1, contig[lo - 1], fwd(m.group(4)))
    op, seq = m.group(5), fwd(m.group(6))
    if op == "del":
        return Edit(stx.chrom, lo - 1, contig[lo - 1:hi], "")
    if op == "delins":
        return Edit(stx.chrom, lo - 1, contig[lo - 1:hi], seq)
    if op == "dup":
        return Edit(stx.chrom, hi if plus else lo - 1, "", contig[lo - 1:hi])
    if hi - lo != 1:
        raise ValueError(f"{hgvs_c}: insertion flanks are not adjacent")
    return Edit(stx.chrom, hi - 1, "", seq)


def is_3prime_most(contig: str, edit: Edit, strand: int) -> bool:
    """Independent HGVS 3' rule check: the indel cannot move one base further 3' on the
    transcript strand (the base beyond it differs from the unit's base that would rotate)."""
    unit = edit.deleted or edit.inserted
    if strand > 0:
        return edit.end >= len(contig) or contig[edit.end] != unit[0]
    return edit.start == 0 or contig[edit.start - 1] != unit[-1]


def snpeff_stuck_at_transcript_end(stx, ours: Edit, theirs: Edit) -> bool:
    """snpEff's placement is not wholly inside the transcript (snpEff 5.1 leaves such indels
    where the VCF puts them), or ours reaches past the transcript end (snpEff stops there)."""
    return not all(stx.start <= g <= stx.end for g in affected(theirs)) or \
        max(affected(ours)) > stx.end


def same_alt(contig: str, e1: Edit, e2: Edit) -> bool:
    """Do two genomic edits give the same sequence?"""
    lo = max(0, min(e1.start, e2.start) - 50)
    hi = max(e1.end, e2.end) + 50

    def apply(e: Edit) -> str:
        return contig[lo:e.start] + e.inserted + contig[e.end:hi]
    return apply(e1) == apply(e2)


_P = re.compile(r"^p\.(?P<r1>[A-Z*]+)(?P<n1>\d+)(?:_(?P<r2>[A-Z*])(?P<n2>\d+))?"
                r"(?P<op>=|delins|del|dup|ins|fs|ext|[A-Z*]+)?(?P<rest>.*)$")


def apply_p(prot: str, hgvs_p: str) -> str | None:
    """Independent short-form p. (also snpEff's two-codon 'p.DV178AL') applied to the protein
    (with its '*'), cut after the first stop; None for frameshifts, extensions, p.?, M1?."""
    m = _P.match(hgvs_p)
    if not m or m.group("op") in (None, "fs", "ext") or m.group("rest").startswith(("fs", "ext")):
        return None
    n1, r1, op, rest = int(m.group("n1")), m.group("r1"), m.group("op"), m.group("rest")
    n2 = int(m.group("n2")) if m.group("n2") else n1 + len(r1) - 1
    if prot[n1 - 1:n1 - 1 + len(r1)] != r1 or (m.group("r2") and prot[n2 - 1] != m.group("r2")):
        raise AssertionError(f"{hgvs_p}: reference residues do not match the protein")
    if op == "=":
        alt = prot
    elif op == "del":
        alt = prot[:n1 - 1] + prot[n2:]
    elif op == "dup":
        alt = prot[:n2] + prot[n1 - 1:n2] + prot[n2:]
    elif op == "ins":
        alt = prot[:n1] + rest + prot[n1:]
    elif op == "delins":
        alt = prot[:n1 - 1] + rest + prot[n2:]
    else:  # substitution of one or (snpEff) several residues
        alt = prot[:n1 - 1] + op + prot[n1 - 1 + len(r1):]
    return alt[:alt.index("*") + 1] if "*" in alt else alt


def p_first(hgvs_p: str) -> int | None:
    """First residue number of a p. description."""
    m = re.match(r"^p\.[A-Z*]+(\d+)", hgvs_p or "")
    return int(m.group(1)) if m else None


# ----------------------------------------------------------------------------- normalisation
def normalise(stx, edit: Edit, ours: frozenset, theirs: frozenset, pa: ProteinAnnotation,
              used: Counter) -> tuple[frozenset, frozenset]:
    """Apply the documented snpEff-vs-kinres convention differences (each verified, counted)."""

    def rule(name: str, a: frozenset, b: frozenset) -> tuple[frozenset, frozenset]:
        if (a, b) != (ours, theirs):
            used[name] += 1
        return a, b

    plus = stx.strand > 0
    last3 = set(range(stx.end - 2, stx.end + 1)) if plus else set(range(stx.start, stx.start + 3))
    hit = set(affected(edit))
    # 1. snpEff 5.1 marks the last 3 bases of the last exon (transcript 3' end, no intron
    #    follows) as splice_region (SNVs at every transcript end checked in
    #    test_snpeff_splice_region_at_transcript_end); real splice zones keep the term
    if C.SPLICE_REGION in theirs - ours and hit & last3 and not hit & _splice_zone(stx):
        ours, theirs = rule("snpEff splice_region at transcript 3' end", ours,
                            theirs - {C.SPLICE_REGION})
    # 2. a deletion hanging over the transcript end / an exon-intron boundary in a UTR: snpEff
    #    adds non_coding_transcript_variant (and up/downstream for the outside part) to the
    #    protein-coding transcript; we report the transcript-internal terms only
    if (sticks_out(stx, edit) or crosses_exon_boundary(stx, edit)) and \
            theirs - ours <= {C.NON_CODING, C.UPSTREAM, C.DOWNSTREAM}:
        ours, theirs = rule("snpEff non_coding/up/downstream on overhanging deletion", ours,
                            theirs - {C.NON_CODING, C.UPSTREAM, C.DOWNSTREAM})
    # 3. a coding deletion crossing an exon/intron boundary: we say protein_altering + p.?
    #    (the protein cannot be predicted without knowing the splicing outcome); snpEff
    #    translates as if the intron bases were exonic and calls frameshift / in-frame / missense
    if crosses_exon_boundary(stx, edit) and pa.hgvs_p == "p.?" and C.PROTEIN_ALTERING in ours:
        guess = {C.FRAMESHIFT, C.INFRAME_DELETION, C.INFRAME_INSERTION, C.MISSENSE,
                 C.SYNONYMOUS, C.STOP_GAINED}
        if theirs & guess and not ours & guess:
            ours, theirs = rule("boundary-crossing deletion: p.? vs snpEff's guess", ours,
                                (theirs - guess) | {C.PROTEIN_ALTERING})
    # 4. both say start_lost: we predict nothing else; snpEff still describes the deletion
    if C.START_LOST in ours and C.START_LOST in theirs:
        ours, theirs = rule("start_lost: other coding terms", ours, theirs - (CODING - ours))
    # 5. a frameshift whose new frame has its stop inside the inserted/joined codons: snpEff
    #    adds stop_gained (p.Leu27fs + stop_gained), we call it frameshift (p.L27Yfs*3 or
    #    p.I181*); verified by independent translation
    if theirs - ours == {C.STOP_GAINED} and C.FRAMESHIFT in ours and \
            _stop_in_edited_codons(stx, edit):
        ours, theirs = rule("frameshift with stop in the edited codons: snpEff adds stop_gained",
                            ours, theirs - {C.STOP_GAINED})
    # 6. a frameshift through the stop codon: we add stop_lost (VEP does the same); snpEff
    #    writes frameshift only. Verified: the original stop is no longer at its place
    if ours - theirs == {C.STOP_LOST} and C.FRAMESHIFT in ours and _stop_destroyed(stx, edit):
        ours, theirs = rule("frameshift through the stop: we add stop_lost", ours - {C.STOP_LOST},
                            theirs)
    # 7. snpEff calls stop_retained for an indel whose left-aligned form touches the stop codon
    #    though the 3'-shifted form lies in the 3' UTR; the protein is verified unchanged
    if theirs - ours == {C.STOP_RETAINED} and C.UTR3 in ours and not ours & CODING and \
            _protein_unchanged(stx, edit):
        ours, theirs = rule("snpEff stop_retained for a 3' UTR indel", ours,
                            theirs - {C.STOP_RETAINED})
    # 8. snpEff classifies an insertion by the base on its genomic right (VCF POS+1); we use
    #    both flanks: a splice site is hit only when the insertion goes between its two bases,
    #    splice_region needs both flanks in the zone, and an insertion at an exon/intron
    #    junction joins the exon. Where the two flanks differ, each tool's splice terms are
    #    checked against its own convention (independent geometry), then the rest compared
    if not edit.deleted and _flank_class(stx, edit.start) != _flank_class(stx, edit.start + 1):
        se_view = _splice_terms_of_base(stx, edit.start + 1)
        left, right = _flank_class(stx, edit.start), _flank_class(stx, edit.start + 1)
        ours_view = frozenset({C.SPLICE_REGION}) if left[1] and right[1] else frozenset()
        if theirs & SPLICE == se_view and ours & SPLICE == ours_view:
            if left[0] != right[0]:  # junction: exonic for us, the right base's side for snpEff
                ours, theirs = rule("insertion at an exon/intron junction", ours & SPLICE,
                                    ours & SPLICE)
            else:
                ours, theirs = rule("insertion flanks: snpEff uses the genomic-right base",
                                    ours, (theirs - SPLICE) | ours_view)
    # 9. an in-frame insertion between the bases of the stop codon that rebuilds it after the
    #    inserted residues: we add stop_retained (a stop-codon base is changed, the stop stays),
    #    snpEff does not. Verified by translation
    if ours - theirs == {C.STOP_RETAINED} and C.INFRAME_INSERTION in ours and \
            not edit.deleted and _inside_stop_codon(stx, edit):
        alt = alt_protein(stx, edit) or ""
        if alt.endswith("*") and alt.startswith(stx.protein) and len(alt) > len(stx.protein) + 1:
            ours, theirs = rule("insertion inside the stop codon: we add stop_retained",
                                ours - {C.STOP_RETAINED}, theirs)
    return ours, theirs


def _flank_class(stx, g: int) -> tuple[bool, frozenset]:
    """(exonic, splice term) of genomic base g."""
    return any(s <= g <= e for s, e in stx.exons), _splice_terms_of_base(stx, g)


def _splice_terms_of_base(stx, g: int) -> frozenset:
    """Splice term of one base: donor/acceptor site bases, else splice region zone."""
    for s, e in _introns(stx):
        donor, acceptor = ((s, s + 1), (e - 1, e)) if stx.strand > 0 else ((e - 1, e), (s, s + 1))
        if g in donor:
            return frozenset({C.SPLICE_DONOR})
        if g in acceptor:
            return frozenset({C.SPLICE_ACCEPTOR})
    return frozenset({C.SPLICE_REGION}) if g in _splice_zone(stx) else frozenset()


def _inside_stop_codon(stx, edit: Edit) -> bool:
    stop = {stx.cds_to_genomic(len(stx.cds) - k) for k in (0, 1, 2)}
    return edit.start in stop and edit.start + 1 in stop


def _splice_zone(stx) -> set[int]:
    """Exon bases 1-3 and intron bases 1-8 at both ends of every intron."""
    out: set[int] = set()
    for s, e in _introns(stx):
        out |= set(range(s - 3, s + 8)) | set(range(e - 7, e + 4))
    return out


def _stop_in_edited_codons(stx, edit: Edit) -> bool:
    alt = alt_protein(stx, edit)
    n = first_changed(stx, edit)
    if alt is None or n is None or not alt.endswith("*"):
        return False
    # codons spanned by the edit on the alt transcript: from the first changed residue to
    # the residue holding the last inserted base
    span = -(-len(edit.inserted) // 3) + 1
    return len(alt) <= n + span


def _stop_destroyed(stx, edit: Edit) -> bool:
    alt = alt_protein(stx, edit)
    stop = len(stx.protein) + 1
    return alt is not None and (len(alt) < stop or alt[stop - 1:stop] != "*") and \
        first_changed(stx, edit) == stop


def _protein_unchanged(stx, edit: Edit) -> bool:
    return alt_protein(stx, edit) == stx.protein + "*"


# ----------------------------------------------------------------------------- comparison
@dataclass
class Result:
    rows: list
    stats: Counter
    rules: Counter
    placements: list  # plus-strand indels placed differently (kinres c., snpEff c.)


def _kind(rec: VcfRecord) -> str:
    if len(rec.ref) == len(rec.alt):
        return "snv" if len(rec.ref) == 1 else "mnv"
    return "indel"


def compare(ref, records, kinres_variants, se_calls) -> Result:
    """kinres annotations (public path) vs snpEff, record by record."""
    fa = Reference(ref.fasta)
    plain = Engine(fa, shift3=False)  # annotates an edit exactly where it is placed
    ann = load_annotation(ref.gff3)
    rows, stats, rules = [], Counter(), Counter()
    placements: list = []

    def bad(what, rec, tid, ours, theirs):
        rows.append((what, rec, tid, ours, theirs))

    for i, (rec, v) in enumerate(zip(records, kinres_variants, strict=True), 1):
        pa = v.annotation
        kind = _kind(rec)
        if pa is None:
            bad("kinres-none", rec, "", None, se_calls.get(f"v{i}"))
            continue
        calls = snpeff_calls(se_calls[f"v{i}"])
        got = calls.get(pa.transcript)
        if got is None:
            bad("snpEff-none", rec, pa.transcript, pa, sorted(calls))
            continue
        stx = ref.transcript(pa.transcript)
        tx = ann.by_id(pa.transcript)
        contig = ref.contigs[rec.chrom]
        truth = Edit(rec.chrom, rec.pos - 1, rec.ref, rec.alt)
        edit = normalize(rec.chrom, rec.pos, rec.ref, rec.alt, fa)
        stats[f"{kind} compared"] += 1
        # both c. descriptions must reproduce the VCF record on the genome (independent parser)
        try:
            ours_e = c_to_edit(stx, contig, pa.hgvs_c)
            theirs_e = c_to_edit(stx, contig, got.hgvs_c)
        except ValueError as exc:
            bad("c. parse", rec, pa.transcript, pa.hgvs_c, f"{got.hgvs_c}: {exc}")
            continue
        if not same_alt(contig, ours_e, truth):
            bad("kinres c. is not the VCF change", rec, pa.transcript, pa.hgvs_c, got.hgvs_c)
            continue
        if ours_e.is_indel and not is_3prime_most(contig, ours_e, stx.strand):
            bad("kinres c. is not the HGVS 3'-most placement", rec, pa.transcript, pa.hgvs_c,
                got.hgvs_c)
            continue
        misnumbered = False
        if not same_alt(contig, theirs_e, truth):
            end3 = stx.mrna_to_genomic(len(stx.mrna) - 1)
            reach = set(affected(edit)) | set(affected(shift_right(edit, fa)))
            if edit.is_indel and (end3 in reach or not all(stx.start <= g <= stx.end
                                                           for g in reach)):
                # snpEff 5.1 misnumbers an indel touching the transcript's last base
                # (c.*225_*227del for the last three bases c.*236_*238 of a 238-nt UTR)
                rules["snpEff c. misnumbered past the transcript end"] += 1
                theirs_e, misnumbered = ours_e, True
            else:
                bad("snpEff c. is not the VCF change", rec, pa.transcript, pa.hgvs_c,
                    got.hgvs_c)
                continue
        ours = frozenset(pa.consequences)
        if edit.is_indel:
            # our consequence must be the one of the placement our c. names
            own = plain.annotate(tx, ours_e)
            if frozenset(own.consequences) != ours:
                bad("kinres class differs from the class at its own c. placement", rec,
                    pa.transcript, (pa.hgvs_c, sorted(map(str, ours))),
                    ("kinres at that placement", sorted(map(str, own.consequences))))
                continue
        pa_cmp = pa
        if ours_e != theirs_e:
            # an indel in a repeat: snpEff places it 3' on the genome (the HGVS 3' rule only on
            # plus-strand transcripts) and calls its consequence there; we shift 3' on the
            # transcript strand as far as the genome allows. Our engine is then also run at
            # snpEff's placement (same alt sequence, verified above) and that call is compared
            if stx.strand > 0:
                # both tools apply the 3' rule here, across exon/intron junctions; snpEff
                # realigns only inside the transcript's genomic span, so an indel lying
                # (partly) outside the transcript, or one whose 3'-most copy (ours, checked
                # above) reaches past the transcript end, stays where snpEff found it
                if not snpeff_stuck_at_transcript_end(stx, ours_e, theirs_e):
                    bad("indel placement (+ strand) differs", rec, pa.transcript, pa.hgvs_c,
                        got.hgvs_c)
                    continue
                rules["indel placement (+ strand): snpEff does not shift outside the "
                      "transcript"] += 1
                placements.append((rec, pa.hgvs_c, got.hgvs_c))
            else:
                rules["indel placement (- strand): snpEff 3' on the genome"] += 1
            pa_cmp = plain.annotate(tx, theirs_e)
            ours = frozenset(pa_cmp.consequences)
        elif pa.hgvs_c != got.hgvs_c and not misnumbered:
            # same placement, so the strings must agree; HGVS prefers dup where the inserted
            # bases repeat the 5' flank, which snpEff 5.1 misses in UTRs / outside the transcript
            if pa.hgvs_c.endswith("dup") and "ins" in got.hgvs_c:
                rules["c.: snpEff writes ins for a duplication"] += 1
            else:
                bad("hgvs_c", rec, pa.transcript, pa.hgvs_c, got.hgvs_c)
                continue
        placed = theirs_e if pa_cmp is not pa else ours_e  # the placement compared
        ours, theirs = normalise(stx, placed, ours, got.terms, pa_cmp, rules)
        if ours != theirs:
            bad("class", rec, pa.transcript,
                (pa_cmp.hgvs_c, pa_cmp.hgvs_p, sorted(map(str, ours))),
                (got.hgvs_c, got.hgvs_p, sorted(map(str, theirs))))
            continue
        stats[f"{kind} class agree"] += 1
        why = check_protein(stx, ours_e, kind, pa, pa_cmp, got, rules)
        if why:
            bad(f"protein: {why}", rec, pa.transcript, (pa.hgvs_c, pa.hgvs_p, pa.protein_start),
                (got.hgvs_c, got.hgvs_p, got.aa_pos))
            continue
        if pa.hgvs_p and pa.hgvs_p != "p.?" and got.hgvs_p:
            stats[f"{kind} protein agree"] += 1
        if kind == "snv":
            stats["snv hgvs agree"] += 1
    fa.close()
    return Result(rows, stats, rules, placements)


def check_protein(stx, edit: Edit, kind: str, pa, pa_cmp, got, rules: Counter) -> str | None:
    """Why the protein-level calls disagree, else None (see the rules inline)."""
    ours_p, theirs_p = pa.hgvs_p or "", got.hgvs_p
    if kind == "snv":
        # exact p. (and AA.pos, reliable for SNVs in snpEff 5.1)
        if theirs_p.endswith("ext*?") and re.search(r"ext\*\d+$", ours_p):
            # snpEff does not count the extension; ours is checked by translation
            alt = alt_protein(stx, edit) or ""
            if alt.endswith("*") and len(alt) - len(stx.protein) == int(ours_p.rsplit("*", 1)[1]):
                rules["stop_lost: snpEff writes ext*?"] += 1
                ours_p = re.sub(r"ext\*\d+$", "ext*?", ours_p)
        if ours_p != theirs_p:
            return "SNV p. differs"
        if got.aa_pos is not None and got.aa_pos != pa.protein_start:
            return "SNV protein position differs"
        return None
    if not theirs_p or not ours_p or ours_p == "p.?" or pa_cmp.hgvs_p == "p.?" or \
            ours_p.endswith("?") or theirs_p.endswith("?"):
        # no protein call on one side: the class comparison decided (p.? for splice-crossing
        # edits and p.M1? for start loss are our conventions, normalised above)
        return None
    prot = stx.protein + "*"
    truth = alt_protein(stx, edit)  # independent translation of the edited transcript
    if truth is None:  # not a plain exonic edit: the two descriptions must still agree
        a, b = apply_p(prot, ours_p), apply_p(prot, theirs_p)
        if a is None or a != b:
            return "p. descriptions give different proteins"
        return None
    first = first_changed(stx, edit)
    why = _p_matches(prot, truth, first, ours_p)
    if why:
        return f"kinres {why}"
    if _p_matches(prot, truth, first, theirs_p):
        # ours matches the translation; snpEff's does not: its frameshift position is the
        # codon of the first edited base (p.R259fs where residue 259 is unchanged and the
        # stop is lost: p.*260Rext*18), a stop-losing deletion is written p.L149_*150del, and
        # minus-strand duplications can be numbered one residue off (p.W179dup for p.A180dup)
        rules["p.: snpEff's p. differs from the translation, ours matches"] += 1
    elif ours_p != theirs_p and not re.search(r"fs|ext", ours_p + theirs_p):
        # same protein: we write the HGVS 3'-most residues and dup for repeated residues,
        # snpEff does not shift on the protein and writes ins for some duplications
        rules["p.: same protein, HGVS 3' / dup notation"] += 1
    return None


def _p_matches(prot: str, truth: str, first: int, hgvs_p: str) -> str | None:
    """Why a short p. does not describe the translated alt protein `truth`, else None."""
    m = re.search(r"(fs|ext)\*(\d+|\?)$", hgvs_p) or re.search(r"fs$", hgvs_p)
    if m:  # frameshift / extension: first changed residue, its replacement, new stop
        if p_first(hgvs_p) != first:
            return f"first changed residue {p_first(hgvs_p)} != {first} (translation)"
        alt_aa = re.match(r"^p\.[A-Z*]+\d+([A-Z*]?)", hgvs_p).group(1)
        if alt_aa and truth[first - 1:first] != alt_aa:
            return f"new residue {alt_aa} != {truth[first - 1:first]}"
        n = m.group(2) if m.lastindex and m.lastindex >= 2 else None
        if n and n != "?" and not (truth.endswith("*") and len(truth) - first + 1 == int(n)):
            return f"new stop *{n} != translation {truth[first - 1:]}"
        return None
    got = apply_p(prot, hgvs_p)
    return None if got == truth else "p. does not give the translated protein"


def table(rows) -> str:
    lines = [f"{len(rows)} disagreement(s) kinres vs snpEff:"]
    for what, rec, tid, ours, theirs in rows[:60]:
        lines.append(f"{what:9} {rec.chrom}:{rec.pos} {rec.ref}>{rec.alt} {tid}\n"
                     f"      kinres={ours}\n      snpEff={theirs}")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- fixtures / tests
CASES = [(11, 12), (404, 405)]  # (genome seed, variant seed)


@pytest.fixture(scope="module")
def snpeff_cmd() -> list[str]:
    try:
        return find_snpeff()
    except RuntimeError as exc:  # CI installs the Debian package: never skip silently
        pytest.fail(str(exc))


@pytest.fixture(scope="module", params=CASES, ids=lambda c: f"genome{c[0]}-variants{c[1]}")
def case(request, snpeff_cmd, tmp_path_factory):
    """Synthetic genome, snpEff database, 2000 random records annotated by both tools."""
    genome_seed, variant_seed = request.param
    tmp = tmp_path_factory.mktemp(f"snpeff{genome_seed}")
    ref = make_reference(tmp / "genome", seed=genome_seed)
    db = build_database(ref, tmp / "snpeff")
    records = random_variants(ref, N_VARIANTS, seed=variant_seed)
    vcf = write_vcf(tmp / "random.vcf", records, ref)
    se = annotate(db, vcf)
    assert len(se) == len(records), "snpEff dropped records"
    # the raw-VCF path exactly as `kinres variants` runs it (no panel: canonical transcripts)
    read = read_vcf(vcf, "GRCh38")
    variants, warnings = annotate_variants(read.variants, ref.fasta, ref.gff3, None)
    assert not warnings, warnings
    return ref, db, records, variants, compare(ref, records, variants, se)


def test_snpeff_missing_is_a_failure(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr("snpeff_util.SNPEFF_JAR", Path("/nonexistent/snpeff.jar"))
    with pytest.raises(RuntimeError, match="apt-get install snpeff"):
        find_snpeff()


def test_snpeff_models_match_the_synthetic_transcripts(case):
    """snpEff's own CDS/protein check passed for every coding transcript (build_database)."""
    ref, db, *_ = case
    assert f"OK: {len(ref.coding())}" in db.build_log
    assert "WARNING_TRANSCRIPT_NOT_FOUND" not in db.build_log


def test_kinres_agrees_with_snpeff(case):
    _ref, _db, records, _variants, res = case
    print(f"\nstats: {dict(res.stats)}\nrules: {dict(res.rules)}")
    assert not res.rows, table(res.rows)
    n_indel, n_snv = res.stats["indel compared"], res.stats["snv compared"]
    assert res.stats["snv compared"] + res.stats["mnv compared"] + n_indel == len(records)
    # enough of each kind actually compared at the protein level
    assert n_snv > 700 and n_indel > 800, res.stats
    assert res.stats["snv protein agree"] > 400 and res.stats["indel protein agree"] > 400, \
        res.stats
    # the convention rules stay exceptions (placement is common: every minus-strand repeat)
    minor = sum(n for k, n in res.rules.items() if "placement" not in k and "p.:" not in k)
    assert minor < 0.05 * len(records), res.rules
    # plus-strand placements agree except where snpEff does not realign (outside the transcript)
    assert res.rules["indel placement (+ strand): snpEff does not shift outside the "
                     "transcript"] < 0.02 * n_indel, res.placements


def test_snpeff_splice_region_at_transcript_end(case, tmp_path):
    """Evidence for normalisation rule 1: snpEff 5.1 writes splice_region for the last three
    bases of every transcript (no intron follows), never for the first three; we write neither."""
    ref, db, *_ = case
    recs, expect = [], []
    for t in ref.coding():
        seq = ref.contigs[t.chrom]
        first = t.mrna_to_genomic(0)
        last = t.mrna_to_genomic(len(t.mrna) - 1)
        for k in range(3):
            for g, is_end in ((first + k * t.strand, False), (last - k * t.strand, True)):
                r = seq[g - 1]
                recs.append(VcfRecord(t.chrom, g, r, "A" if r != "A" else "C"))
                expect.append((t.transcript_id, is_end))
    order = {c: i for i, c in enumerate(ref.contigs)}
    idx = sorted(range(len(recs)), key=lambda i: (order[recs[i].chrom], recs[i].pos))
    recs, expect = [recs[i] for i in idx], [expect[i] for i in idx]
    calls = annotate(db, write_vcf(tmp_path / "ends.vcf", recs, ref))
    fa = Reference(ref.fasta)
    engine = Engine(fa)
    ann = load_annotation(ref.gff3)
    for i, (rec, (tid, is_end)) in enumerate(zip(recs, expect), 1):
        got = snpeff_calls(calls[f"v{i}"])[tid]
        assert (C.SPLICE_REGION in got.terms) == is_end, (rec, tid, got)
        ours = engine.annotate(ann.by_id(tid), normalize(rec.chrom, rec.pos, rec.ref, rec.alt, fa))
        assert C.SPLICE_REGION not in ours.consequences, (rec, tid, ours)
    fa.close()


# ----------------------------------------------------------------------------- helper tests
def test_snpeff_ann_parsing_and_p_conversion():
    ann = ("T|missense_variant&splice_region_variant|MODERATE|SYN1|ENSG1|transcript|ENST1|"
           "protein_coding|3/5|c.35G>T|p.Gly12Val|120/900|35/540|12/179||,"
           "T|splice_region_variant|LOW|SYN1|ENSG1|transcript|ENST1|protein_coding|3/5|"
           "c.35G>T|p.Gly12Val|120/900|35/540|12/179||INFO_REALIGN_3_PRIME,"
           "T|intergenic_region|MODIFIER|A-B|X-Y|intergenic_region|X-Y|||n.100G>T||||||")
    entries = parse_ann(ann)
    assert entries[1].messages == ("INFO_REALIGN_3_PRIME",) and entries[0].aa_pos == 12
    calls = snpeff_calls(entries)
    assert set(calls) == {"ENST1"}
    assert calls["ENST1"] == SnpEffCall(frozenset({C.MISSENSE, C.SPLICE_REGION}), "c.35G>T",
                                        "p.G12V", 12)
    assert snpeff_p_short("p.Leu5Leu") == "p.L5="
    assert snpeff_p_short("p.Ter181Glnext*?") == "p.*181Qext*?"
    assert snpeff_p_short("p.AspVal178AlaLeu") == "p.DV178AL"
    with pytest.raises(AssertionError, match="unmapped snpEff term"):
        snpeff_calls(parse_ann("T|made_up_variant|LOW|G|G|transcript|ENST1|protein_coding|"
                               "|||||||"))
    with pytest.raises(ValueError):
        parse_ann("T|missense_variant|MODERATE")


def test_independent_hgvs_helpers(tmp_path):
    ref = make_reference(tmp_path, seed=11)
    for t in (ref.gene("SYN1"), ref.gene("SYN2")):  # plus and minus strand
        contig = ref.contigs[t.chrom]
        g = t.cds_to_genomic(4)  # first base of codon 2
        base = t.cds[3]
        alt = "A" if base != "A" else "C"
        e = c_to_edit(t, contig, f"c.4{base}>{alt}")
        assert e.start == g - 1 and same_alt(contig, e, Edit(t.chrom, g - 1, contig[g - 1],
                                                             alt if t.strand > 0 else
                                                             revcomp(alt)))
        with pytest.raises(ValueError, match="reference base"):
            c_to_edit(t, contig, f"c.4{alt}>{base}")
        # c.-1 is the base before the ATG; c.*1 the base after the stop codon
        assert c_to_genomic(t, "-1") == t.cds_to_genomic(1) - t.strand
        assert c_to_genomic(t, "*1") == t.cds_to_genomic(len(t.cds)) + t.strand
        # a deletion of codon 2 and the same as delins / dup vs its insertion
        d = c_to_edit(t, contig, "c.4_6del")
        assert d.deleted == (t.cds[3:6] if t.strand > 0 else revcomp(t.cds[3:6]))
        dup = c_to_edit(t, contig, "c.4_6dup")
        ins = c_to_edit(t, contig, f"c.6_7ins{t.cds[3:6]}")
        assert same_alt(contig, dup, ins) and not same_alt(contig, dup, d)
    prot = "MGSLRK*"
    assert apply_p(prot, "p.S3_L4del") == "MGRK*"
    assert apply_p(prot, "p.S3_L4dup") == "MGSLSLRK*"
    assert apply_p(prot, "p.G2_S3insW") == "MGWSLRK*"
    assert apply_p(prot, "p.S3_L4delinsQ") == "MGQRK*"
    assert apply_p(prot, "p.SL3*") == "MG*" == apply_p(prot, "p.S3*")
    assert apply_p(prot, "p.L4Rfs*3") is None and apply_p(prot, "p.M1?") is None
    with pytest.raises(AssertionError):
        apply_p(prot, "p.G3del")
