"""Differential test: kinres consequence engine vs Debian `bcftools csq` 1.16 on a synthetic genome.

Thousands of random SNVs/MNVs/indels around the coding exons of synthetic transcripts (both
strands, 3-10 exons, UTRs) are annotated by both tools. Consequence classes and the first changed
protein residue must agree; any disagreement fails with a table. csq does not apply the HGVS 3'
rule, so kinres runs with shift3=False here (the 3'-shifted output is checked in
test_consequence.py).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass

import pytest
from synthref import make_reference, random_variants, translate, write_vcf

from kinres.annotate.consequence import Engine
from kinres.annotate.gff import load_annotation
from kinres.annotate.normalize import Reference, normalize
from kinres.enums import Consequence as C

BCFTOOLS = "/usr/bin/bcftools"
N_VARIANTS = 3000

pytestmark = pytest.mark.skipif(not shutil.which(BCFTOOLS), reason="Debian bcftools missing")

# csq vocabulary -> ours. csq's inframe_altering (a delins that keeps the frame) is our
# missense/inframe_*/protein_altering depending on lengths; it is compared as a class below.
CSQ_TERMS = {
    "missense": C.MISSENSE, "synonymous": C.SYNONYMOUS, "stop_gained": C.STOP_GAINED,
    "stop_lost": C.STOP_LOST, "start_lost": C.START_LOST, "stop_retained": C.STOP_RETAINED,
    "frameshift": C.FRAMESHIFT, "inframe_insertion": C.INFRAME_INSERTION,
    "inframe_deletion": C.INFRAME_DELETION, "inframe_altering": C.PROTEIN_ALTERING,
    "splice_donor": C.SPLICE_DONOR, "splice_acceptor": C.SPLICE_ACCEPTOR,
    "splice_region": C.SPLICE_REGION, "intron": C.INTRON, "5_prime_utr": C.UTR5,
    "3_prime_utr": C.UTR3, "non_coding": C.NON_CODING, "coding_sequence": C.PROTEIN_ALTERING,
}
_AA = re.compile(r"^(\d+)([A-Z*?]*)(?:>(\d+)([A-Z*?]*))?$")


@dataclass(frozen=True)
class CsqCall:
    terms: frozenset
    protein_start: int | None  # first residue that differs (csq strings trimmed)
    stop_in_alt: bool = False
    unknown_alt: bool = False  # csq wrote '?' for the new protein


def parse_bcsq(info: str) -> dict[str, CsqCall]:
    """BCSQ INFO value -> {transcript: CsqCall} (entries '@pos' point at other records).

    csq may write several entries for one transcript (e.g. splice_region and frameshift);
    their terms are merged and the protein start comes from the entry that has one.
    """
    out: dict[str, CsqCall] = {}
    for entry in info.split(","):
        if entry.startswith("@"):
            continue
        f = entry.split("|")
        terms = set()
        for t in f[0].lstrip("*").split("&"):
            if t not in CSQ_TERMS:
                raise AssertionError(f"unmapped csq term {t!r} in {entry}")
            terms.add(CSQ_TERMS[t])
        start = None
        stop_in_alt = unknown = False
        if len(f) > 5 and f[5]:
            m = _AA.match(f[5])
            assert m, f"cannot parse csq amino-acid change {f[5]!r}"
            start: int | None = int(m.group(1))
            ref_aa, alt_aa = m.group(2), m.group(4) or ""
            stop_in_alt = "*" in alt_aa
            if "?" in alt_aa:  # csq could not predict the protein (crosses a splice site)
                start = None
                unknown = True
            if m.group(3):
                k = 0
                while k < len(ref_aa) and k < len(alt_aa) and ref_aa[k] == alt_aa[k]:
                    k += 1
                start = start + k if start is not None else None
        prev = out.get(f[2])
        if prev is not None:
            terms |= prev.terms
            start = start if start is not None else prev.protein_start
            stop_in_alt = stop_in_alt or prev.stop_in_alt
            unknown = unknown or prev.unknown_alt
        out[f[2]] = CsqCall(frozenset(terms), start, stop_in_alt, unknown)
    return out


def run_csq(ref, vcf, out_dir) -> dict[str, dict[str, CsqCall]]:
    """`bcftools norm -f` then `bcftools csq` (csq does not left-align indels itself)."""
    normed = out_dir / "normed.vcf"
    proc = subprocess.run([BCFTOOLS, "norm", "-f", str(ref.fasta), "-o", str(normed), str(vcf)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    proc = subprocess.run(
        [BCFTOOLS, "csq", "-f", str(ref.fasta), "-g", str(ref.gff3), "--local-csq",
         "--phase", "a", "--ncsq", "64", str(normed)],
        capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    calls = {}
    for line in proc.stdout.splitlines():
        if line.startswith("#"):
            continue
        cols = line.split("\t")
        m = re.search(r"(?:^|;)BCSQ=([^;]+)", cols[7])
        calls[cols[2]] = parse_bcsq(m.group(1)) if m else {}
    return calls


_CODING = frozenset({C.PROTEIN_ALTERING, C.INFRAME_DELETION, C.INFRAME_INSERTION, C.MISSENSE,
                     C.FRAMESHIFT, C.STOP_GAINED, C.STOP_LOST, C.SYNONYMOUS, C.START_LOST,
                     C.STOP_RETAINED})
_SPLICE_SITE = frozenset({C.SPLICE_DONOR, C.SPLICE_ACCEPTOR})


def comparable(ours: frozenset, pa, csq: CsqCall | None) -> tuple[frozenset, frozenset]:
    """Map both term sets onto what the two tools can be expected to agree on.

    Each rule is a documented difference in convention, not a tolerance:
    - csq 1.16 writes no `intron` term, so ours is dropped;
    - csq writes inframe_altering for any in-frame delins; ours splits it into
      missense / inframe_insertion / inframe_deletion / protein_altering by length;
    - an indel that crosses an exon/intron boundary gets p.? and protein_altering from us
      (conservative); csq guesses a coding class (or none) next to the splice-site term, so
      only the splice terms are compared;
    - csq calls an MNV that creates a stop `missense` (its alt string contains '*'); we add
      stop_gained;
    - csq writes splice_region only when no splice donor/acceptor base is hit (we write both);
    - when both say start_lost, other coding terms are not compared (csq still guesses them).
    """
    theirs = csq.terms if csq else frozenset()
    ours = ours - {C.INTRON}
    if ours & _SPLICE_SITE:  # csq writes splice_region only when no donor/acceptor is hit
        ours = ours - {C.SPLICE_REGION}
    if C.START_LOST in ours and C.START_LOST in theirs:
        # once the initiation codon is gone we predict nothing else; csq still guesses
        return ours - _CODING | {C.START_LOST}, theirs - _CODING | {C.START_LOST}
    if pa is not None and pa.hgvs_p == "p.?" and ours & _SPLICE_SITE:
        return ours - _CODING, theirs - _CODING
    if C.PROTEIN_ALTERING in theirs:
        inframe = {C.MISSENSE, C.INFRAME_DELETION, C.INFRAME_INSERTION, C.PROTEIN_ALTERING}
        if ours & inframe:
            ours = (ours - inframe) | {C.PROTEIN_ALTERING}
    if csq and csq.stop_in_alt and C.MISSENSE in theirs and C.STOP_GAINED in ours:
        theirs = theirs | {C.STOP_GAINED}
    return ours, theirs


def _zone(tx) -> set[int]:
    """Genomic positions of splice sites and splice regions (from the synthetic exons)."""
    out: set[int] = set()
    for a, b in zip(tx.exons, tx.exons[1:]):
        lo, hi = (a[1], b[0]) if tx.strand > 0 else (b[1], a[0])  # exon|intron ... intron|exon
        out.update(range(lo - 2, lo + 9))  # exon 1-3 + intron 1-8
        out.update(range(hi - 8, hi + 3))
    return out


def _exonic(tx, g: int) -> bool:
    return any(s <= g <= e for s, e in tx.exons)


def ambiguous_insertion(tx, edit) -> str | None:
    """Why csq's call for this insertion cannot be compared term by term, else None.

    csq places an insertion on one genomic flank (strand-dependent), so an insertion exactly
    at an exon/intron junction or at the edge of a splice region is classified by a
    coordinate convention, not biology. For these only the presence of a splice term is
    compared.
    """
    if edit.deleted or not tx.start <= edit.start <= tx.end:
        return None
    left, right = edit.start, edit.start + 1
    if _exonic(tx, left) != _exonic(tx, right):
        return "junction"
    zone = _zone(tx)
    if (left in zone) != (right in zone):
        return "zone-edge"
    return None


def _cds_span(stx) -> tuple[int, int]:
    return min(s for s, _ in stx.cds_parts), max(e for _, e in stx.cds_parts)


def _alt_mrna(stx, edit):
    """(alt mRNA, m0, m1) of the synthetic transcript with an exonic edit applied, else None."""
    g2m = {stx.mrna_to_genomic(m): m for m in range(len(stx.mrna))}
    if edit.deleted:
        ms = [g2m.get(g) for g in range(edit.start + 1, edit.end + 1)]
        if None in ms:
            return None
        m0, m1 = min(ms), max(ms) + 1
    else:
        a, b = g2m.get(edit.start), g2m.get(edit.start + 1)
        if a is None or b is None:
            return None
        m0 = m1 = max(a, b)
    ins = edit.inserted if stx.strand > 0 else \
        edit.inserted[::-1].translate(str.maketrans("ACGT", "TGCA"))
    return stx.mrna[:m0] + ins + stx.mrna[m1:], m0, m1


def _alt_protein(stx, edit) -> str | None:
    """Translation from the ATG of the synthetic transcript with the edit applied, to a stop."""
    got = _alt_mrna(stx, edit)
    if got is None or got[1] < stx.cds_offset:
        return None
    prot = translate(got[0][stx.cds_offset:])
    return prot[:prot.index("*") + 1] if "*" in prot else prot


def _first_changed(stx, edit) -> int | None:
    """1-based first residue that differs after the edit (independent translation)."""
    alt, ref_p = _alt_protein(stx, edit), stx.protein + "*"
    if alt is None:
        return None
    k = 0
    while k < len(alt) and k < len(ref_p) and alt[k] == ref_p[k]:
        k += 1
    return k + 1


def _protein_unchanged(stx, edit) -> bool:
    return _alt_protein(stx, edit) == stx.protein + "*"


def boundary_rules(ref, stx, edit, ours: frozenset, theirs: frozenset):
    """Edits at feature boundaries, where csq 1.16 is inconsistent (checked independently).

    - a deletion that removes the intron base next to an exon: we must report a splice
      donor/acceptor term (the base is intron position 1 by construction) and the UTR terms
      must match; csq's other terms are its guess of the moved splice site;
    - an edit that straddles the CDS start or end into the UTR: we must call start_lost /
      stop_lost (verified: the edit covers the ATG / stop codon) and the UTR terms must match;
      csq writes protein_altering / inframe_deletion / frameshift there.
    Returns the (ours, theirs) pair to compare.
    """
    utr = {C.UTR5, C.UTR3}
    site_bases = set()  # intron bases next to an exon
    for a, b in zip(stx.exons, stx.exons[1:]):
        lo_e, hi_e = sorted((a, b))
        site_bases.update((lo_e[1] + 1, hi_e[0] - 1))
    # a deletion that removes the intron base next to an exon: csq then guesses a coding
    # effect of the moved splice site
    touches = any(edit.start < g <= edit.end for g in site_bases)
    if touches and edit.deleted and not edit.inserted:
        got_site = bool(ours & _SPLICE_SITE)
        return frozenset({got_site} | (ours & utr)), frozenset({True} | (theirs & utr))
    c_lo, c_hi = _cds_span(stx)
    s, e = edit.start + 1, edit.end
    start_codon = (c_lo, c_lo + 2) if stx.strand > 0 else (c_hi - 2, c_hi)
    stop_codon = (c_hi - 2, c_hi) if stx.strand > 0 else (c_lo, c_lo + 2)
    if edit.deleted and (s < c_lo <= e or s <= c_hi < e):
        covers = {C.START_LOST for x0, x1 in [start_codon] if s <= x1 and x0 <= e} | \
            {C.STOP_LOST for x0, x1 in [stop_codon] if s <= x1 and x0 <= e}
        return frozenset(ours & (utr | covers)), frozenset((theirs & utr) | covers)
    if ours == {C.STOP_RETAINED} and _protein_unchanged(stx, edit):
        # stop codon bases changed but the translated protein is identical (verified here);
        # csq still reports frameshift / inframe_insertion for such insertions
        return ours, theirs - _CODING | {C.STOP_RETAINED}
    if C.FRAMESHIFT in theirs and C.STOP_RETAINED in theirs:
        theirs = theirs - {C.STOP_RETAINED}  # csq: frameshift that rebuilds a stop in place
    return ours, theirs


def same_position(stx, edit, pa, csq_start: int) -> bool:
    """Does csq's first changed residue describe the same protein change as ours?

    Substitutions and frameshifts must match exactly. A deletion or insertion inside a
    residue repeat can be written at several positions (csq does not shift, we may); the
    csq position is accepted only if deleting/inserting there yields the identical protein.
    """
    prot = stx.protein + "*"
    hg = pa.hgvs_p
    if "ext" in hg:
        # csq truncates the extension ('148LL*>148L'); verify ours from the sequence instead
        alt = _alt_protein(stx, edit) or ""
        n = pa.protein_start
        return alt[:n - 1] == prot[:n - 1] and alt[n - 1:n] == pa.alt_aa
    if hg.endswith("del") and "delins" not in hg:
        n = pa.protein_end - pa.protein_start + 1
        ours = prot[:pa.protein_start - 1] + prot[pa.protein_start - 1 + n:]
        return prot[:csq_start - 1] + prot[csq_start - 1 + n:] == ours
    if hg.endswith("dup") or ("ins" in hg and "delins" not in hg):
        after = pa.protein_end if hg.endswith("dup") else pa.protein_start  # residues before
        ins = pa.alt_aa or ""
        alt = prot[:after] + ins + prot[after:]
        q = csq_start - 1  # residues before csq's first inserted one
        return alt[:q] == prot[:q] and alt[q + len(ins):] == prot[q:]
    return csq_start == pa.protein_start


def compare(ref, records, csq_calls):
    fa = Reference(ref.fasta)
    engine = Engine(fa, shift3=False)
    ann = load_annotation(ref.gff3)
    rows = []
    stats = {"compared": 0, "relaxed": 0, "positions": 0}
    for i, rec in enumerate(records, 1):
        vid = f"v{i}"
        edit = normalize(rec.chrom, rec.pos, rec.ref, rec.alt, fa)
        theirs = csq_calls.get(vid, {})
        for tx in ann.overlapping(rec.chrom, edit.start - 10, edit.end + 10):
            if not tx.is_coding:
                continue
            pa = engine.annotate(tx, edit)
            ours = frozenset(pa.consequences) - {C.UPSTREAM, C.DOWNSTREAM} if pa else frozenset()
            got = theirs.get(tx.transcript_id)
            stats["compared"] += 1
            a, b = comparable(ours, pa, got)
            raw = a == b
            stx = ref.transcript(tx.transcript_id)
            if a != b:
                a, b = boundary_rules(ref, stx, edit, a, b)
            why = ambiguous_insertion(stx, edit)
            if why and a != b:
                splice = {C.SPLICE_REGION} | _SPLICE_SITE
                if why == "junction":  # both must flag a splice effect
                    a, b = frozenset(bool(a & splice) for _ in "x"), \
                        frozenset(bool(b & splice) for _ in "x")
                else:
                    a, b = a - {C.SPLICE_REGION}, b - {C.SPLICE_REGION}
            # csq calls start_lost for any indel inside codon 1 even when ATG is rebuilt,
            # and misses it when the ATG is split by an intron; decide from the sequence
            if a != b and (C.START_LOST in a) != (C.START_LOST in b) and \
                    (C.START_LOST in a) != _keeps_atg(ref, stx, edit):
                a, b = a - _CODING, b - _CODING
            if a != b and b - a == {C.STOP_RETAINED} and not edit.deleted and stx.strand < 0 \
                    and not a & {C.STOP_LOST, C.STOP_GAINED} \
                    and min(s for s, _ in stx.cds_parts) <= edit.start <= \
                    min(s for s, _ in stx.cds_parts) + 2:
                # csq counts the VCF anchor base (genomic left flank) as changed: an
                # insertion just 5' of a minus-strand stop codon "touches" it
                b = a
            if a != b and C.FRAMESHIFT in a and C.STOP_LOST in a and pa.hgvs_p and \
                    "ext" in pa.hgvs_p and b == a - {C.STOP_LOST}:
                # the frameshift first changes the stop codon itself: csq omits stop_lost
                a = b
            if a != b and b - a == {C.STOP_LOST} and C.FRAMESHIFT in a and \
                    pa.hgvs_p.endswith("*") and "fs" not in pa.hgvs_p and \
                    _alt_protein(stx, edit) == stx.protein[:pa.protein_start - 1] + "*":
                # the frameshift deletes stop-codon bases but stops at once (p.Y237*),
                # verified by translation; csq mistranslates this case and says stop_lost
                b = a
            if a != b and got and got.unknown_alt and pa.protein_start and \
                    _first_changed(stx, edit) == pa.protein_start:
                # csq gave up ('11SGSR>11?'); our first changed residue is verified by
                # translation, so only the non-coding terms are compared
                a, b = a - _CODING, b - _CODING
            if a != b and b - a == {C.STOP_RETAINED} and C.STOP_GAINED in a:
                b = a  # a new stop upstream makes the old one moot; csq still lists it
            stats["relaxed"] += not raw and a == b
            if a != b:
                rows.append((vid, rec, tx.transcript_id, tx.strand, pa.hgvs_c if pa else "",
                             sorted(map(str, ours)), sorted(map(str, got.terms if got else ())),
                             "class"))
                continue
            # csq's first changed residue for an insertion is the first inserted one, i.e. the
            # residue after our protein_start (HGVS names the two flanking residues)
            start = pa.protein_start if pa and pa.hgvs_p not in (None, "p.?") and \
                not pa.hgvs_p.endswith("=") else None
            stats["positions"] += bool(got and got.protein_start is not None and start)
            if got and got.protein_start is not None and start is not None \
                    and not same_position(stx, edit, pa, got.protein_start) \
                    and not (C.STOP_LOST in got.terms
                             and _first_changed(stx, edit) == pa.protein_start):
                # (csq truncates alt strings at the old CDS end when the stop is lost,
                # e.g. '178NK*>178N'; then our position must match an independent translation)
                rows.append((vid, rec, tx.transcript_id, tx.strand, pa.hgvs_c,
                             f"{pa.hgvs_p} start={pa.protein_start}",
                             f"start={got.protein_start}", "position"))
    fa.close()
    return rows, stats


def _keeps_atg(ref, stx, edit) -> bool:
    """Independent check on the synthetic transcript: is codon 1 still ATG after the edit?"""
    got = _alt_mrna(stx, edit)
    if got is None:
        return False
    alt, m0, m1 = got
    off = stx.cds_offset
    if m1 <= off:  # edit upstream of the ATG moves it
        off += len(alt) - len(stx.mrna)
    elif m0 < off:
        return False
    return alt[off:off + 3] == "ATG"


def _table(rows) -> str:
    lines = [f"{len(rows)} disagreement(s) kinres vs bcftools csq:"]
    for vid, rec, tid, strand, hc, ours, theirs, what in rows[:60]:
        lines.append(f"{what:8} {vid:6} {rec.chrom}:{rec.pos} {rec.ref}>{rec.alt} {tid} "
                     f"{'+' if strand > 0 else '-'} {hc}\n      kinres={ours}\n      csq   ={theirs}")
    return "\n".join(lines)


@pytest.mark.parametrize("genome_seed, variant_seed", [(11, 3), (404, 405)])
def test_engine_agrees_with_bcftools_csq(tmp_path, genome_seed, variant_seed):
    ref = make_reference(tmp_path, seed=genome_seed)
    records = random_variants(ref, N_VARIANTS, seed=variant_seed)
    vcf = write_vcf(tmp_path / "random.vcf", records, ref)
    calls = run_csq(ref, vcf, tmp_path)
    assert len(calls) == len(records)
    annotated = sum(1 for c in calls.values() if c)
    assert annotated > N_VARIANTS * 0.8, "csq annotated too few records: synthetic data broken?"
    rows, stats = compare(ref, records, calls)
    assert not rows, _table(rows)
    # the convention rules above must stay exceptions, and most calls carry a protein position
    assert stats["compared"] > N_VARIANTS, stats
    assert stats["relaxed"] < 0.03 * stats["compared"], stats
    assert stats["positions"] > 0.4 * stats["compared"], stats


def test_parse_bcsq_trims_shared_residues():
    calls = parse_bcsq("inframe_deletion|G|ENST1|protein_coding|+|746EE>746E|1A>-,"
                       "missense&splice_region|G|ENST2|protein_coding|-|3R>3K|5G>A")
    assert calls["ENST1"].protein_start == 747
    assert calls["ENST2"].terms == {C.MISSENSE, C.SPLICE_REGION}
    with pytest.raises(AssertionError):
        parse_bcsq("made_up_term|G|ENST1|protein_coding")
