"""Consequence + HGVS engine for raw VCF records (pure Python, pysam.FastaFile for sequence).

Conventions (documented for the report):
- c. on the reporting transcript; indels are 3'-shifted on the transcript strand as far as the
  genome allows, across exon/intron junctions and transcript ends (HGVS 3' rule; its exon/exon
  exception cannot arise on the genome), so an insertion repeating its 5' neighbour is a `dup`.
  The consequence is called at that same 3'-shifted placement (as snpEff does): an indel in a
  repeat that reaches past the end of an exon is described, and classified, at its 3'-most copy.
- p. in one-letter short form: p.G1202R, p.R248*, p.L858= (synonymous), p.M1? (start lost),
  p.G1202del, p.E746_A750del, p.T1151_L1152insT, p.S768_D770dup, p.K2_R3delinsN*,
  frameshifts as p.L858Rfs*12 (first changed residue, its replacement, and the position of the
  new stop counting that residue as 1; fs*? when no stop before the transcript end),
  stop loss as p.*1621Qext*12 (same counting), p.*1621= for a retained stop. Protein-level
  deletions/insertions/duplications are also shifted to the most C-terminal position.
- Indels crossing an exon/intron boundary get the splice term(s) plus
  protein_altering_variant with p.? (the protein effect cannot be predicted safely).
- Splice terms: donor/acceptor = intron bases 1-2 from the exon; splice_region = intron bases
  3-8 or exon bases 1-3 next to an intron.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from kinres.annotate.gff import Annotation, TranscriptModel, load_annotation
from kinres.annotate.normalize import (
    Edit,
    Reference,
    check_ref,
    normalize,
    shift_left,
    shift_right,
    split_alts,
    to_vcf,
)
from kinres.enums import Consequence as C
from kinres.models import ProteinAnnotation, Variant

if TYPE_CHECKING:  # pragma: no cover
    from kinres.annotate.transcripts import Panel

_COMP = str.maketrans("ACGTNacgtn", "TGCANtgcan")
CODONS = {
    a + b + c: aa
    for (a, b, c), aa in zip(
        ((x, y, z) for x in "TCAG" for y in "TCAG" for z in "TCAG"),
        "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG",
    )
}
# most severe first (Ensembl order); used to pick one gene when several overlap a variant
SEVERITY: tuple[C, ...] = (
    C.SPLICE_ACCEPTOR, C.SPLICE_DONOR, C.STOP_GAINED, C.FRAMESHIFT, C.STOP_LOST, C.START_LOST,
    C.INFRAME_INSERTION, C.INFRAME_DELETION, C.MISSENSE, C.PROTEIN_ALTERING, C.SPLICE_REGION,
    C.STOP_RETAINED, C.SYNONYMOUS, C.UTR5, C.UTR3, C.NON_CODING, C.INTRON, C.UPSTREAM,
    C.DOWNSTREAM, C.INTERGENIC)
_RANK = {c: i for i, c in enumerate(SEVERITY)}
FLANK = 5000  # upstream/downstream reach


def revcomp(seq: str) -> str:
    return seq.translate(_COMP)[::-1]


def translate(seq: str) -> str:
    """Standard code; incomplete trailing codon ignored; codons with N give 'X'."""
    return "".join(CODONS.get(seq[i:i + 3], "X") for i in range(0, len(seq) - 2, 3))


def _sorted(cons: Iterable[C]) -> tuple[C, ...]:
    return tuple(sorted(set(cons), key=_RANK.__getitem__))


# ---------------------------------------------------------------------------- transcript cache
@dataclass
class _TxSeq:
    mrna: str
    protein: str  # translation of the CDS incl. the terminal '*'


class Engine:
    """Annotates normalised edits on transcript models (sequence cached per transcript)."""

    def __init__(self, ref: Reference, shift3: bool = True):
        # shift3=False keeps indels where they are (left-aligned VCF) on DNA and protein level;
        # only for comparison with tools that do not apply the HGVS 3' rule (bcftools csq)
        self.ref = ref
        self.shift3 = shift3
        self._seqs: dict[str, _TxSeq] = {}

    def _chrom(self, tx: TranscriptModel) -> str:
        """The FASTA contig name for the transcript's chromosome (chr prefix tolerant)."""
        if tx.chrom in self.ref.lengths:
            return tx.chrom
        alt = tx.chrom[3:] if tx.chrom.lower().startswith("chr") else "chr" + tx.chrom
        if alt in self.ref.lengths:
            return alt
        if tx.chrom in ("MT", "chrM"):
            for c in ("chrM", "MT"):
                if c in self.ref.lengths:
                    return c
        return tx.chrom

    def seq(self, tx: TranscriptModel) -> _TxSeq:
        got = self._seqs.get(tx.transcript_id)
        if got is None:
            chrom = self._chrom(tx)
            parts = [self.ref.fetch(chrom, s - 1, e) for s, e in tx.exons]
            mrna = "".join(parts if tx.strand > 0 else [revcomp(p) for p in parts])
            prot = ""
            if tx.cds_range:
                c0, c1 = tx.cds_range
                prot = translate(mrna[c0:c1])
            got = self._seqs[tx.transcript_id] = _TxSeq(mrna, prot)
        return got

    # ------------------------------------------------------------------ coordinates
    def c_pos(self, tx: TranscriptModel, g: int) -> str:
        """HGVS c. (or n. for non-coding) position string of 1-based genomic position g."""
        m = tx.mrna_index(g)
        if m is not None:
            return self._c_of_m(tx, m)
        plus = tx.strand > 0
        if g < tx.start or g > tx.end:
            before = (g < tx.start) == plus  # 5' of the transcript
            if before:
                return self._c_of_m(tx, 0, extra=-(tx.start - g if plus else g - tx.end))
            last = tx.mrna_length - 1
            return self._c_of_m(tx, last, extra=(g - tx.end if plus else tx.start - g))
        k, d5, d3 = self._intron_at(tx, g)
        if d5 <= d3:
            anchor = tx.exons[k][1] if plus else tx.exons[k][0]
            return f"{self._c_of_m(tx, tx.mrna_index(anchor))}+{d5}"
        anchor = tx.exons[k + 1][0] if plus else tx.exons[k + 1][1]
        return f"{self._c_of_m(tx, tx.mrna_index(anchor))}-{d3}"

    def _c_of_m(self, tx: TranscriptModel, m: int, extra: int = 0) -> str:
        if not tx.cds_range:
            return str(m + 1 + extra)
        c0, c1 = tx.cds_range
        m2 = m + extra
        if m2 < c0:
            return f"-{c0 - m2}"
        if m2 >= c1:
            return f"*{m2 - c1 + 1}"
        return str(m2 - c0 + 1)

    @staticmethod
    def _intron_at(tx: TranscriptModel, g: int) -> tuple[int, int, int]:
        """(k, d5, d3): g lies in the intron after exon k (0-based, transcript order)."""
        for k in range(len(tx.exons) - 1):
            a, b = tx.exons[k], tx.exons[k + 1]
            if tx.strand > 0 and a[1] < g < b[0]:
                return k, g - a[1], b[0] - g
            if tx.strand < 0 and b[1] < g < a[0]:
                return k, a[0] - g, g - b[1]
        raise ValueError(f"{g} is not intronic in {tx.transcript_id}")

    # ------------------------------------------------------------------ main entry
    def annotate(self, tx: TranscriptModel, edit: Edit) -> ProteinAnnotation | None:
        """Consequence of `edit` (trimmed, any alignment) on `tx`; None when > FLANK away."""
        lo = edit.start + 1  # 1-based first affected base (insertion: right flank)
        hi = edit.end if edit.deleted else edit.start  # last affected / left flank
        if hi < tx.start - FLANK or lo > tx.end + FLANK:
            return None
        if self.shift3 and edit.is_indel:
            edit = self._shift3(tx, edit)
            lo = edit.start + 1
            hi = edit.end if edit.deleted else edit.start
        base = {"gene": tx.gene, "transcript": tx.transcript_id, "annotator": "kinres"}
        if hi < tx.start or lo > tx.end:
            five = (hi < tx.start) == (tx.strand > 0)
            return ProteinAnnotation(consequences=(C.UPSTREAM if five else C.DOWNSTREAM,),
                                     hgvs_c=self._hgvs_c(tx, edit), **base)
        regions = self._regions(tx, edit)
        cons: set[C] = set()
        exon_no = intron_no = None
        exon_idx = {r[1] for r in regions if r[0] == "exon"}
        intron_idx = {r[1] for r in regions if r[0] == "intron"}
        if exon_idx:
            exon_no = min(exon_idx) + 1
        if intron_idx:
            intron_no = min(intron_idx) + 1
        cons |= self._splice(tx, edit)
        if intron_idx:
            cons.add(C.INTRON)
        if len(regions) == 1 and regions[0][0] == "exon":
            prot = self._exonic(tx, edit) if tx.is_coding else None
            if not tx.is_coding:
                cons.add(C.NON_CODING)
                return ProteinAnnotation(consequences=_sorted(cons), hgvs_c=self._hgvs_c(tx, edit),
                                         exon=exon_no, **base)
            pcons, fields = prot
            cons |= pcons
            return ProteinAnnotation(consequences=_sorted(cons), hgvs_c=self._hgvs_c(tx, edit),
                                     exon=exon_no, intron=None, **fields, **base)
        if exon_idx and intron_idx and tx.is_coding:
            # crosses an exon/intron boundary: say which codons are touched, but not p.
            cds_m = self._cds_m_hit(tx, edit)
            if cds_m:
                c0, c1 = tx.cds_range
                a0, a1 = (min(cds_m) - c0) // 3 + 1, (max(cds_m) - c0) // 3 + 1
                cons.add(C.PROTEIN_ALTERING)
                cons |= self._utr_terms(tx, edit)
                if min(cds_m) < c0 + 3:
                    cons.add(C.START_LOST)
                if max(cds_m) >= c1 - 3:
                    cons.add(C.STOP_LOST)
                return ProteinAnnotation(consequences=_sorted(cons), hgvs_c=self._hgvs_c(tx, edit),
                                         hgvs_p="p.?", protein_start=a0, protein_end=a1,
                                         exon=exon_no, intron=intron_no, **base)
            cons |= self._utr_terms(tx, edit)
        elif exon_idx and not tx.is_coding:
            cons.add(C.NON_CODING)
        elif exon_idx:
            cons |= self._utr_terms(tx, edit)
        if not tx.is_coding and C.NON_CODING not in cons:
            cons.add(C.NON_CODING)
        return ProteinAnnotation(consequences=_sorted(cons), hgvs_c=self._hgvs_c(tx, edit),
                                 exon=exon_no if exon_idx else None,
                                 intron=intron_no if intron_idx else None, **base)

    # ------------------------------------------------------------------ helpers
    def _shift3(self, tx: TranscriptModel, edit: Edit) -> Edit:
        """Shift an indel 3' on the transcript strand as far as the genome allows (HGVS 3' rule).

        HGVS applies the 3' rule across exon/intron and intron/exon junctions and the shift may
        carry an indel into or out of the transcript (genomic-based c. numbering); its only
        exception (deletions/duplications at exon/exon junctions of a c. sequence) cannot
        arise on the genome, where an intron separates the exons. The consequence is then
        called at this placement, so c., p. and the consequence describe the same edit.
        """
        if tx.strand > 0:
            return shift_right(edit, self.ref)
        return shift_left(edit, self.ref)

    def _regions(self, tx: TranscriptModel, edit: Edit) -> list[tuple[str, int]]:
        """Distinct (kind, index) regions touched: ('exon', i) / ('intron', k)."""
        if edit.deleted:
            positions: Iterable[int] = range(edit.start + 1, edit.end + 1)
        else:
            positions = (edit.start, edit.start + 1)  # both flanks of an insertion
        out: list[tuple[str, int]] = []
        for g in positions:
            if g < tx.start or g > tx.end:
                r = ("outside", 0)
            else:
                i = tx.exon_index(g)
                r = ("exon", i) if i is not None else ("intron", self._intron_at(tx, g)[0])
            if r not in out:
                out.append(r)
        if not edit.deleted and len(out) == 2:
            # an insertion next to an exon keeps the splice dinucleotide intact and becomes
            # part of that exon (as bcftools csq and VEP treat it)
            exonic = [r for r in out if r[0] == "exon"]
            if len(exonic) == 1:
                out = exonic
        return out

    def _splice(self, tx: TranscriptModel, edit: Edit) -> set[C]:
        out: set[C] = set()
        ins = not edit.deleted
        lo, hi = (edit.start, edit.start + 1) if ins else (edit.start + 1, edit.end)
        n = len(tx.exons)
        for k in range(n - 1):
            a, b = tx.exons[k], tx.exons[k + 1]
            if tx.strand > 0:
                donor_site = (a[1] + 1, a[1] + 2)
                acc_site = (b[0] - 2, b[0] - 1)
                region = [(a[1] - 2, a[1]), (a[1] + 3, a[1] + 8), (b[0] - 8, b[0] - 3),
                          (b[0], b[0] + 2)]
            else:
                donor_site = (a[0] - 2, a[0] - 1)
                acc_site = (b[1] + 1, b[1] + 2)
                region = [(a[0], a[0] + 2), (a[0] - 8, a[0] - 3), (b[1] + 3, b[1] + 8),
                          (b[1] - 2, b[1])]
            if ins:
                # an insertion disrupts a 2-bp site only when it goes between its two bases;
                # it is in the splice region when both flanking bases are (site bases count)
                if donor_site == (lo, hi):
                    out.add(C.SPLICE_DONOR)
                elif acc_site == (lo, hi):
                    out.add(C.SPLICE_ACCEPTOR)
                else:
                    zone = [*region, donor_site, acc_site]
                    if all(any(s <= x <= e for s, e in zone) for x in (lo, hi)):
                        out.add(C.SPLICE_REGION)
                continue
            if lo <= donor_site[1] and donor_site[0] <= hi:
                out.add(C.SPLICE_DONOR)
            if lo <= acc_site[1] and acc_site[0] <= hi:
                out.add(C.SPLICE_ACCEPTOR)
            if any(lo <= e and s <= hi for s, e in region):
                out.add(C.SPLICE_REGION)
        return out

    def _cds_m_hit(self, tx: TranscriptModel, edit: Edit) -> list[int]:
        c0, c1 = tx.cds_range  # type: ignore[misc]
        out = []
        rng = range(edit.start + 1, edit.end + 1) if edit.deleted else (edit.start, edit.start + 1)
        for g in rng:
            m = tx.mrna_index(g)
            if m is not None and c0 <= m < c1:
                out.append(m)
        return out

    def _utr_terms(self, tx: TranscriptModel, edit: Edit) -> set[C]:
        c0, c1 = tx.cds_range  # type: ignore[misc]
        out: set[C] = set()
        rng = range(edit.start + 1, edit.end + 1) if edit.deleted else (edit.start, edit.start + 1)
        for g in rng:
            m = tx.mrna_index(g)
            if m is None:
                continue
            if m < c0:
                out.add(C.UTR5)
            elif m >= c1:
                out.add(C.UTR3)
        return out

    def _mrna_edit(self, tx: TranscriptModel, edit: Edit) -> tuple[int, int, str]:
        """Exonic edit -> (m0, m1, inserted) on the spliced transcript (half-open)."""
        if edit.deleted:
            ma = tx.mrna_index(edit.start + 1)
            mb = tx.mrna_index(edit.end)
            m0, m1 = min(ma, mb), max(ma, mb) + 1  # type: ignore[type-var]
        else:
            ma = tx.mrna_index(edit.start)
            mb = tx.mrna_index(edit.start + 1)
            if ma is None or mb is None:  # at an exon edge: insert at the exon's outer side
                left_is_exon = ma is not None
                m = ma if left_is_exon else mb
                # the genomic-left flank is 5' on the plus strand
                m0 = m1 = m + 1 if left_is_exon == (tx.strand > 0) else m  # type: ignore
            else:
                m0 = m1 = max(ma, mb)
        ins = edit.inserted if tx.strand > 0 else revcomp(edit.inserted)
        return m0, m1, ins

    # ------------------------------------------------------------------ coding effect
    def _exonic(self, tx: TranscriptModel, edit: Edit) -> tuple[set[C], dict]:
        m0, m1, ins = self._mrna_edit(tx, edit)
        c0, c1 = tx.cds_range  # type: ignore[misc]
        seq = self.seq(tx)
        if m1 <= c0:
            return {C.UTR5}, {}
        if m0 >= c1:
            return {C.UTR3}, {}
        if m0 < c0 or m1 > c1:
            # straddles a CDS end: start or stop codon region
            cons: set[C] = {C.UTR5} if m0 < c0 else {C.UTR3}
            if m0 < c0:
                cons.add(C.START_LOST)
                return cons, {"hgvs_p": "p.M1?", "protein_start": 1, "protein_end": 1, "ref_aa": "M"}
            n = (c1 - c0) // 3
            cons.add(C.STOP_LOST)
            delta = len(ins) - (m1 - m0)
            if delta % 3:
                cons.add(C.FRAMESHIFT)
            elif delta:  # codons removed/added together with the stop (as snpEff and VEP say)
                cons.add(C.INFRAME_DELETION if delta < 0 else C.INFRAME_INSERTION)
            a0 = (m0 - c0) // 3 + 1
            return cons, {"hgvs_p": "p.?", "protein_start": a0, "protein_end": n}
        i, j = m0 - c0, m1 - c0
        return self._coding(seq, c0, c1, i, j, ins)

    def _coding(self, seq: _TxSeq, c0: int, c1: int, i: int, j: int, ins: str,
                ) -> tuple[set[C], dict]:
        cds = seq.mrna[c0:c1]
        delta = len(ins) - (j - i)
        w0 = (i // 3) * 3
        w1 = max(w0, -(-j // 3) * 3)
        if i < 3 and (cds[:i] + ins + cds[j:])[:3] != cds[:3]:
            # the initiation codon itself is changed: nothing downstream can be predicted
            return {C.START_LOST}, {"hgvs_p": "p.M1?", "protein_start": 1, "protein_end": 1,
                                        "ref_aa": "M", "alt_aa": None}
        hits_stop = j > len(cds) - 3 or (i == j and i > len(cds) - 3)
        if delta % 3:
            cons, fields = self._frameshift(seq, c0, i, j, ins)
            return (cons | {C.STOP_LOST} if hits_stop and C.STOP_LOST not in cons and
                    "*" not in (fields.get("alt_aa") or "") else cons), fields
        cons, fields = self._inframe(seq, c0, cds, i, j, ins, delta, w0, w1)
        if hits_stop and not cons & {C.STOP_LOST, C.STOP_RETAINED, C.STOP_GAINED}:
            cons.add(C.STOP_RETAINED)  # stop codon bases changed, terminator kept
        return cons, fields

    def _inframe(self, seq: _TxSeq, c0: int, cds: str, i: int, j: int, ins: str, delta: int,
                 w0: int, w1: int) -> tuple[set[C], dict]:
        prot = seq.protein
        nres = len(prot)
        ref_win = cds[w0:w1]
        alt_win = cds[w0:i] + ins + cds[j:w1]
        ref_aa, alt_aa = translate(ref_win), translate(alt_win)
        p0 = w0 // 3  # 0-based residue index of the window start
        # trim shared residues (suffix first keeps the 5'-most change for substitutions)
        k = 0
        while k < len(ref_aa) and k < len(alt_aa) and ref_aa[k] == alt_aa[k]:
            k += 1
        r, a = ref_aa[k:], alt_aa[k:]
        t = 0
        while t < len(r) and t < len(a) and r[-1 - t] == a[-1 - t]:
            t += 1
        r, a = r[:len(r) - t], a[:len(a) - t]
        p = p0 + k
        cons: set[C] = set()
        if not r and not a:
            # synonymous: report the first codon whose bases changed
            pos = i // 3
            aa = prot[pos]
            if aa == "*":
                return {C.STOP_RETAINED}, {"hgvs_p": f"p.*{pos + 1}=", "protein_start": pos + 1,
                                               "protein_end": pos + 1, "ref_aa": "*", "alt_aa": "*"}
            if pos == 0:  # ATG cannot change silently; inframe edits inside it re-create it
                pass
            return {C.SYNONYMOUS}, {"hgvs_p": f"p.{aa}{pos + 1}=", "protein_start": pos + 1,
                                        "protein_end": pos + 1, "ref_aa": aa, "alt_aa": aa}
        if p == 0 and r and r[0] == "M":
            return {C.START_LOST}, {"hgvs_p": "p.M1?", "protein_start": 1, "protein_end": 1,
                                        "ref_aa": "M", "alt_aa": None}
        if "*" in r:  # the stop codon is hit
            if "*" in a and r.index("*") == a.index("*") and r[:r.index("*")] == a[:a.index("*")]:
                pos = p + r.index("*")
                return {C.STOP_RETAINED}, {"hgvs_p": f"p.*{pos + 1}=", "protein_start": pos + 1,
                                               "protein_end": pos + 1, "ref_aa": "*", "alt_aa": "*"}
            if "*" not in a:
                cons, fields = self._stop_lost(seq, c0, i, j, ins, p)
                if delta:
                    cons.add(C.INFRAME_DELETION if delta < 0 else C.INFRAME_INSERTION)
                return cons, fields
        if "*" in a:
            a = a[:a.index("*") + 1]
            cons.add(C.STOP_GAINED)
            if a == "*" or len(r) == 1 and a[0] == "*":
                pos = p + 1
                return cons | ({C.INFRAME_DELETION} if delta < 0 else
                               {C.INFRAME_INSERTION} if delta > 0 else set()), {
                    "hgvs_p": f"p.{r[0]}{pos}*" if r else f"p.{prot[p]}{pos}*",
                    "protein_start": pos, "protein_end": pos, "ref_aa": r[:1] or prot[p], "alt_aa": "*"}
        if not r and p >= nres:  # inserted after the (rebuilt) stop codon
            return {C.STOP_RETAINED}, {"hgvs_p": f"p.*{nres}=", "protein_start": nres,
                                           "protein_end": nres, "ref_aa": "*", "alt_aa": "*"}
        if not r:  # pure insertion between residues p-1 and p (0-based)
            if not cons and self.shift3:
                p, a = self._shift_ins(prot, p, a)
            lenA = len(a)
            cons.add(C.INFRAME_INSERTION)
            if p - lenA >= 0 and prot[p - lenA:p] == a:
                s, e = p - lenA + 1, p
                hg = f"p.{prot[s - 1]}{s}dup" if s == e else \
                    f"p.{prot[s - 1]}{s}_{prot[e - 1]}{e}dup"
                return cons, {"hgvs_p": hg, "protein_start": s, "protein_end": e, "ref_aa": None,
                                  "alt_aa": a}
            if p == 0 or p >= nres:
                return cons, {"hgvs_p": "p.?", "protein_start": max(p, 1), "protein_end": max(p, 1),
                                  "alt_aa": a}
            hg = f"p.{prot[p - 1]}{p}_{prot[p]}{p + 1}ins{a}"
            return cons, {"hgvs_p": hg, "protein_start": p, "protein_end": p + 1, "ref_aa": None,
                              "alt_aa": a}
        if not a:  # pure deletion of residues p .. p+len(r)-1
            if self.shift3:
                p = self._shift_del(prot, p, len(r))
                r = prot[p:p + len(r)]
            cons.add(C.INFRAME_DELETION)
            s, e = p + 1, p + len(r)
            hg = f"p.{r}{s}del" if s == e else f"p.{r[0]}{s}_{r[-1]}{e}del"
            return cons, {"hgvs_p": hg, "protein_start": s, "protein_end": e, "ref_aa": r, "alt_aa": None}
        s, e = p + 1, p + len(r)
        if len(r) == 1 and len(a) == 1:
            cons.add(C.MISSENSE)
            return cons, {"hgvs_p": f"p.{r}{s}{a}", "protein_start": s, "protein_end": s, "ref_aa": r,
                              "alt_aa": a}
        cons.add(C.MISSENSE if len(r) == len(a) else
                 C.INFRAME_DELETION if delta < 0 else C.INFRAME_INSERTION if delta > 0
                 else C.PROTEIN_ALTERING)
        hg = f"p.{r}{s}delins{a}" if s == e else f"p.{r[0]}{s}_{r[-1]}{e}delins{a}"
        return cons, {"hgvs_p": hg, "protein_start": s, "protein_end": e, "ref_aa": r, "alt_aa": a}

    @staticmethod
    def _shift_del(prot: str, p: int, n: int) -> int:
        """Most C-terminal equivalent start of a deletion of prot[p:p+n] (before the stop)."""
        while p + n < len(prot) - 1 and prot[p] == prot[p + n]:
            p += 1
        return p

    @staticmethod
    def _shift_ins(prot: str, p: int, a: str) -> tuple[int, str]:
        """Most C-terminal equivalent (position, residues) of inserting `a` before prot[p]."""
        while p < len(prot) - 1 and prot[p] == a[0]:
            a = a[1:] + a[0]
            p += 1
        return p, a

    def _frameshift(self, seq: _TxSeq, c0: int, i: int, j: int, ins: str) -> tuple[set[C], dict]:
        prot = seq.protein
        w0 = (i // 3) * 3
        tail = seq.mrna[c0 + w0:c0 + i] + ins + seq.mrna[c0 + j:]
        p0 = w0 // 3
        k = 0
        alt = []
        stop_at = None
        for q in range(0, len(tail) - 2, 3):
            aa = CODONS.get(tail[q:q + 3], "X")
            alt.append(aa)
            if aa == "*":
                stop_at = len(alt) - 1
                break
        while k < len(alt) and p0 + k < len(prot) and alt[k] == prot[p0 + k]:
            if alt[k] == "*":  # the new frame rebuilds the same stop: protein unchanged
                n = p0 + k + 1
                return {C.STOP_RETAINED}, {"hgvs_p": f"p.*{n}=", "protein_start": n,
                                               "protein_end": n, "ref_aa": "*", "alt_aa": "*"}
            k += 1
        pos = p0 + k + 1
        cons = {C.FRAMESHIFT}
        if k >= len(alt):  # identical until the transcript ends (no stop): unusual
            return cons, {"hgvs_p": "p.?", "protein_start": pos, "protein_end": pos}
        r = prot[p0 + k] if p0 + k < len(prot) else "*"
        a = alt[k]
        if r == "*":
            n = "?" if stop_at is None else str(stop_at - k + 1)
            return {C.FRAMESHIFT, C.STOP_LOST}, {"hgvs_p": f"p.*{pos}{a}ext*{n}",
                                                     "protein_start": pos, "protein_end": pos,
                                                     "ref_aa": "*", "alt_aa": a}
        if a == "*":
            return {C.FRAMESHIFT}, {"hgvs_p": f"p.{r}{pos}*", "protein_start": pos,
                                                       "protein_end": pos, "ref_aa": r, "alt_aa": "*"}
        n = "?" if stop_at is None else str(stop_at - k + 1)
        return cons, {"hgvs_p": f"p.{r}{pos}{a}fs*{n}", "protein_start": pos, "protein_end": pos,
                          "ref_aa": r, "alt_aa": a}

    def _stop_lost(self, seq: _TxSeq, c0: int, i: int, j: int, ins: str, p: int
                   ) -> tuple[set[C], dict]:
        prot = seq.protein
        nstop = len(prot)  # 1-based position of '*'
        w0 = (i // 3) * 3
        tail = seq.mrna[c0 + w0:c0 + i] + ins + seq.mrna[c0 + j:]
        alt = translate(tail)
        p0 = w0 // 3
        k = 0  # first residue that differs (may precede the stop when residues are deleted)
        while k < len(alt) and p0 + k < nstop - 1 and alt[k] == prot[p0 + k]:
            k += 1
        first = p0 + k  # 0-based
        rest = alt[k:]
        n = str(rest.index("*") + 1) if "*" in rest else "?"
        if first == nstop - 1:
            a = rest[:1] or "?"
            return {C.STOP_LOST}, {"hgvs_p": f"p.*{nstop}{a}ext*{n}", "protein_start": nstop,
                                       "protein_end": nstop, "ref_aa": "*", "alt_aa": a}
        # residues before the stop change too: a delins running into the extension
        new = rest[:rest.index("*") + 1] if "*" in rest else rest[:1]
        tail_txt = "" if "*" in rest else "ext*?"
        return {C.STOP_LOST}, {
            "hgvs_p": f"p.{prot[first]}{first + 1}_*{nstop}delins{new}{tail_txt}",
            "protein_start": first + 1, "protein_end": nstop, "ref_aa": prot[first:], "alt_aa": new}

    # ------------------------------------------------------------------ HGVS c.
    def _hgvs_c(self, tx: TranscriptModel, edit: Edit) -> str:
        prefix = "c." if tx.is_coding else "n."
        plus = tx.strand > 0
        rc = (lambda s: s) if plus else revcomp
        if edit.deleted:
            g5, g3 = (edit.start + 1, edit.end) if plus else (edit.end, edit.start + 1)
            p5, p3 = self.c_pos(tx, g5), self.c_pos(tx, g3)
            span = p5 if g5 == g3 else f"{p5}_{p3}"
            if not edit.inserted:
                return f"{prefix}{span}del"
            if len(edit.deleted) == 1 and len(edit.inserted) == 1:
                return f"{prefix}{p5}{rc(edit.deleted)}>{rc(edit.inserted)}"
            return f"{prefix}{span}delins{rc(edit.inserted)}"
        n = len(edit.inserted)
        chrom = edit.chrom
        before = self.ref.fetch(chrom, edit.start - n, edit.start)  # genomic left neighbour
        after = self.ref.fetch(chrom, edit.start, edit.start + n)
        # dup when the inserted copy repeats its 5' neighbour on the transcript strand
        five, three = (before, after) if plus else (after, before)
        if edit.inserted == five or edit.inserted == three:
            if edit.inserted == five:
                lo, hi = (edit.start - n + 1, edit.start) if plus else \
                    (edit.start + 1, edit.start + n)
            else:
                lo, hi = (edit.start + 1, edit.start + n) if plus else \
                    (edit.start - n + 1, edit.start)
            g5, g3 = (lo, hi) if plus else (hi, lo)
            p5, p3 = self.c_pos(tx, g5), self.c_pos(tx, g3)
            return f"{prefix}{p5}dup" if n == 1 else f"{prefix}{p5}_{p3}dup"
        g5, g3 = (edit.start, edit.start + 1) if plus else (edit.start + 1, edit.start)
        return f"{prefix}{self.c_pos(tx, g5)}_{self.c_pos(tx, g3)}ins{rc(edit.inserted)}"


# ---------------------------------------------------------------------------- public API
@lru_cache(maxsize=4)
def _cached_annotation(path: str, mtime: float, genes: frozenset[str] | None) -> Annotation:
    return load_annotation(path, genes)


def _load(annotation: Path, genes: set[str] | None) -> Annotation:
    p = Path(annotation)
    mtime = p.stat().st_mtime if p.exists() else 0.0
    return _cached_annotation(str(p), mtime, frozenset(genes) if genes is not None else None)


def annotate_variants(variants: Iterable[Variant], fasta: Path, annotation: Path,
                      panel: Panel | None, genes: set[str] | None = None,
                      ) -> tuple[list[Variant], list[str]]:
    """Normalise, check against the FASTA and annotate each variant on its reporting transcript.

    Multi-allelic ALTs are split into one Variant per allele; indels are left-aligned and
    trimmed (VCF convention). The reporting transcript is the panel's transcript for the gene
    when `panel` knows the gene, else the annotation's MANE/Ensembl-canonical transcript, else
    the longest CDS. When several genes overlap, the most severe consequence wins (genes
    restricted to `genes`, or to the panel's genes when a panel is given, if set). Variants
    outside every (wanted) gene keep annotation=None. REF mismatches and contigs missing from
    the FASTA raise InputError; symbolic ALTs are kept unannotated and reported as warnings.
    """
    warnings: list[str] = []
    ref = Reference(fasta)
    wanted = set(genes) if genes is not None else (set(panel.genes) if panel is not None
                                                     else None)
    ann = _load(Path(annotation), wanted)
    engine = Engine(ref)
    out: list[Variant] = []
    symbolic = 0
    missing_panel_tx: set[str] = set()
    reporting: dict[str, tuple[TranscriptModel | None, str | None]] = {}

    def reporting_tx(gene: str) -> tuple[TranscriptModel | None, str | None]:
        if gene in reporting:
            return reporting[gene]
        note = None
        tx = None
        if panel is not None and gene in set(panel.genes):
            ptx = panel.transcript(gene)
            for tid in (ptx.transcript_id, *getattr(ptx, "equivalent_transcripts", ())):
                tx = ann.by_id(tid) if tid else None
                if tx is not None:
                    break
            if tx is None:
                missing_panel_tx.add(f"{gene} {ptx.transcript_id}")
                note = f"panel transcript {ptx.transcript_id} not in the annotation"
            elif getattr(ptx, "protein_length", None) and tx.is_coding and \
                    tx.cds_length // 3 - 1 != ptx.protein_length:
                warnings.append(f"{gene}: annotation CDS of {tx.transcript_id} encodes "
                                f"{tx.cds_length // 3 - 1} aa but the panel says "
                                f"{ptx.protein_length} aa")
        if tx is None:
            tx = ann.default_transcript(gene)
            if tx is not None and note:
                note += f"; numbered on {tx.transcript_id}"
        reporting[gene] = (tx, note)
        return reporting[gene]

    for v in variants:
        src = v.source
        path, line = (src.path, src.line) if src else (None, None)
        for alt in split_alts(v.alt) or [v.alt]:
            if alt.startswith("<") or alt in ("*", ".") or "[" in alt or "]" in alt:
                symbolic += 1
                out.append(replace(v, alt=alt))
                continue
            check_ref(v.chrom, v.pos, v.ref, ref, path=path, line=line,
                      record=f"{v.chrom}:{v.pos}:{v.ref}>{alt}")
            if set(alt.upper()) - set("ACGTN"):
                from kinres.errors import InputError
                raise InputError(path, f"ALT {alt!r} is not a DNA sequence", line=line,
                                 record=f"{v.chrom}:{v.pos}:{v.ref}>{alt}")
            edit = normalize(v.chrom, v.pos, v.ref, alt, ref)
            if not edit.deleted and not edit.inserted:
                warnings.append(f"{v.chrom}:{v.pos}:{v.ref}>{alt}: ALT equals REF, not annotated")
                out.append(replace(v, alt=alt))
                continue
            pos, r, a = to_vcf(edit, ref)
            nv = replace(v, pos=pos, ref=r, alt=a)
            best: ProteinAnnotation | None = None
            lo, hi = edit.start + 1, max(edit.end, edit.start + 1)
            for gene in sorted({t.gene for t in ann.overlapping(v.chrom, lo - FLANK, hi + FLANK)}):
                if wanted is not None and gene not in wanted:
                    continue
                tx, note = reporting_tx(gene)
                if tx is None:
                    continue
                pa = engine.annotate(tx, edit)
                if pa is None:
                    continue
                if note:
                    pa = replace(pa, note=note)
                if getattr(panel, "genes", None) and gene in set(panel.genes):
                    rs = getattr(panel.transcript(gene), "refseq", None)
                    if rs:
                        pa = replace(pa, refseq=rs)
                if best is None or _RANK[pa.consequences[0]] < _RANK[best.consequences[0]]:
                    best = pa
            out.append(replace(nv, annotation=best))
    if symbolic:
        warnings.append(f"{symbolic} record(s) with symbolic/breakend ALT alleles were not "
                        "annotated")
    for m in sorted(missing_panel_tx):
        warnings.append(f"panel transcript {m} is missing from {Path(annotation).name}; "
                        "annotated on the annotation's canonical transcript instead")
    ref.close()
    return out, warnings
