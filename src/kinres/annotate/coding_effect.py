"""Protein-level effect of an edit inside a transcript's exons: UTR/start/stop, missense,
in-frame indels (3'-shifted on the protein), frameshifts and stop loss, as HGVS p. short form.

`CodingEffects` is a mixin of kinres.annotate.consequence.Engine: it relies on the engine's
`seq(tx)`, `_mrna_edit(tx, edit)` and `shift3`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kinres.annotate.annotator_terms import SEVERITY
from kinres.annotate.gff import TranscriptModel
from kinres.annotate.normalize import Edit
from kinres.enums import Consequence as C

_COMP = str.maketrans("ACGTNacgtn", "TGCANtgcan")
CODONS = {
    a + b + c: aa
    for (a, b, c), aa in zip(
        ((x, y, z) for x in "TCAG" for y in "TCAG" for z in "TCAG"),
        "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG",
    )
}
# most severe first (Ensembl order, shared with the upstream annotators' ranking); used to pick
# one gene when several overlap a variant
_RANK = {c: i for i, c in enumerate(SEVERITY)}


def revcomp(seq: str) -> str:
    return seq.translate(_COMP)[::-1]


def translate(seq: str) -> str:
    """Standard code; incomplete trailing codon ignored; codons with N give 'X'."""
    return "".join(CODONS.get(seq[i:i + 3], "X") for i in range(0, len(seq) - 2, 3))


def _sorted(cons: Iterable[C]) -> tuple[C, ...]:
    return tuple(sorted(set(cons), key=_RANK.__getitem__))


@dataclass
class _TxSeq:
    mrna: str
    protein: str  # translation of the CDS incl. the terminal '*'


class CodingEffects:
    """Coding-effect methods of the consequence engine (see the module docstring)."""

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
