"""MET exon 14 skipping variants recognised from the genomic position, as labs define them.

An annotator's consequence term is not enough: the last base of exon 14 (c.3028, codon D1010)
is "missense", deletions across the acceptor are often "intron_variant" or "coding_sequence",
and different annotators disagree. So the classes are read off the panel's reporting transcript
(ENST00000397752, 1390 aa; exon 14 = c.2888..c.3028 on both builds):

* ``splice_acceptor`` / ``splice_donor``: a substitution at the two intronic bases of the exon 14
  acceptor (c.2888-2, c.2888-1) or donor (c.3028+1, c.3028+2);
* ``last_exon_base``: a substitution of exon 14's last base (c.3028G, codon D1010);
* ``d1010``: any other amino-acid-changing substitution of codon D1010 (its 2nd base lies in
  exon 15; labs count every D1010 change as exon 14 skipping);
* ``deletion``: a deletion (or delins) removing any base of the acceptor or donor site;
* ``y1003``: a missense change of Y1003, the CBL E3-ligase binding site encoded in exon 14. It
  does not skip the exon but abolishes the same degradation signal, so the exon 14 skipping
  bypass rule applies with a label saying what it is.

References: Frampton et al., Cancer Discov 2015 (diverse exon 14 splice-site, D1010 and
deletion alterations); Peschard et al., Mol Cell 2001 (Y1003 is the c-Cbl binding site; its loss
makes MET transforming).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kinres.models import Variant

EXON = 14
D1010, Y1003 = 1010, 1003
_COMP = str.maketrans("ACGT", "TGCA")


@dataclass(frozen=True)
class Exon14Event:
    kind: str  # splice_acceptor | splice_donor | last_exon_base | d1010 | deletion | y1003
    label: str  # clinician-facing description (no internal codes)

    @property
    def skipping(self) -> bool:
        """True for exon 14 skipping proper; False for Y1003 (CBL-binding site) changes."""
        return self.kind != "y1003"


@dataclass(frozen=True)
class _Sites:
    acceptor: frozenset[int]
    donor: frozenset[int]
    last_base: int
    d1010: tuple[int, int, int]
    y1003: tuple[int, int, int]


def _sites(tx: Any) -> _Sites | None:
    """Genomic positions of the exon 14 splice sites and codons on the MET transcript."""
    try:
        exon = tx.exon(EXON)
        d, y = tx.codon_positions(D1010), tx.codon_positions(Y1003)
    except (KeyError, ValueError, LookupError, AttributeError):
        return None
    plus = tx.strand > 0
    first, last = (exon.start, exon.end) if plus else (exon.end, exon.start)
    step = 1 if plus else -1
    sites = _Sites(acceptor=frozenset({first - step, first - 2 * step}),
                   donor=frozenset({last + step, last + 2 * step}), last_base=last,
                   d1010=d, y1003=y)
    # the panel's exon 14 must be the one that ends in codon D1010 (c.3028 = D1010 base 1)
    return sites if sites.d1010[0] == last and y[0] in range(min(first, last), max(first, last) + 1) else None


def _coding(base: str, tx: Any) -> str:
    return base if tx.strand > 0 else base.translate(_COMP)


def _changed(v: Variant) -> tuple[set[int], dict[int, str], bool]:
    """(genomic positions altered, plus-strand ALT base per substituted position, is_deletion)."""
    ref, alt = v.ref.upper(), v.alt.upper()
    if alt == "-" or ref == "-":  # MAF convention: '-' is the empty allele
        if alt == "-":
            return set(range(v.pos, v.pos + len(ref))), {}, True
        return set(), {}, False  # insertion between two bases: removes no splice base
    if len(ref) == len(alt):
        subs = {v.pos + i: a for i, (r, a) in enumerate(zip(ref, alt)) if r != a}
        return set(subs), subs, False
    if len(ref) > len(alt):
        k = 0  # shared leading (anchor) bases are not deleted
        while k < len(alt) and ref[k] == alt[k]:
            k += 1
        return set(range(v.pos + k, v.pos + len(ref))), {}, True
    return set(), {}, False  # insertion


def classify(v: Variant, tx: Any) -> Exon14Event | None:
    """The MET exon 14 class of variant `v` on MET transcript `tx`, or None."""
    if tx is None or v.chrom != tx.chrom:
        return None
    sites = _sites(tx)
    if sites is None:
        return None
    hit, subs, deletion = _changed(v)
    if not hit:
        return None
    if deletion:
        if hit & sites.acceptor:
            return Exon14Event("deletion", "deletion across the MET exon 14 splice acceptor site")
        if hit & sites.donor:
            return Exon14Event("deletion", "deletion across the MET exon 14 splice donor site")
        return None
    if hit & sites.acceptor:
        return Exon14Event("splice_acceptor", "MET exon 14 splice acceptor site substitution")
    if hit & sites.donor:
        return Exon14Event("splice_donor", "MET exon 14 splice donor site substitution")
    if sites.last_base in hit:
        return Exon14Event("last_exon_base",
                           "substitution of the last base of MET exon 14 (codon D1010)")
    _, d2, d3 = sites.d1010  # base 1 is the last exon base, handled above
    # D = GAY: any change of base 1 or 2 changes the residue; base 3 only to A/G (Glu)
    if d2 in hit or (d3 in subs and _coding(subs[d3], tx) in "AG"):
        return Exon14Event("d1010", "MET D1010 substitution (exon 14 splice region)")
    y1, y2, _ = sites.y1003
    # Y = TAY: base 1 or 2 changes are missense; base 3 gives Tyr (same) or a stop codon
    if y1 in hit or y2 in hit:
        return Exon14Event("y1003", "MET Y1003 substitution (CBL-binding site lost; "
                                    "acts like exon 14 skipping, the exon is kept)")
    return None
