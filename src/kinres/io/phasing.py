"""Read-backed phasing of two mutations in one gene (cis / trans / unknown).

Every fragment (read pair grouped by query name, reads filtered as in io/coverage.py) that
shows a determinate allele at *both* variants is classified: both alt, A only, B only or
neither. A read shows the alt of an SNV/MNV when every alt base is present at base quality
>= min_baseq; of a deletion / insertion when the read carries exactly that indel after the
anchor base; the ref when it spans the site without it. Mates that disagree make the fragment
indeterminate at that site.

    cis      reads_both >= min_phase_reads and the minority single-variant class is at most
             phase_max_discordant_fraction of (reads_both + that class) - i.e. the rarer
             variant is (almost) never seen without the other
    trans    reads_both == 0, A-only and B-only fragments both seen, and
             A-only + B-only >= min_phase_reads
    unknown  otherwise (too few spanning fragments, or mixed evidence)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from enum import Enum
from itertools import combinations
from typing import Any

import pysam

from kinres.enums import AltKind, Phase
from kinres.io.coverage import Settings, resolve_contig
from kinres.io.readpass import NOT_COVERED, RefLookup, Site, reads_by_site
from kinres.models import PhaseCall, Variant


class Allele(Enum):
    REF = "ref"
    ALT = "alt"


def read_allele(read: pysam.AlignedSegment, variant: Variant, min_baseq: int,
                pairs: list[tuple[int | None, int | None]] | None = None,
                lookup: Callable[[int], int | None] | None = None) -> Allele | None:
    """Which allele of `variant` this read shows (None: not covered / unreadable / other).

    `pairs` (read.get_aligned_pairs()) and `lookup` (a readpass.RefLookup) may be passed in by
    callers that ask one read about several variants.
    """
    anchor = variant.pos - 1  # 0-based
    kind = variant.kind
    if kind in (AltKind.SNV, AltKind.MNV):
        return _substitution(read, lookup or RefLookup(read), anchor, variant, min_baseq)
    if kind in (AltKind.DELETION, AltKind.INSERTION):
        return _indel(read, read.get_aligned_pairs() if pairs is None else pairs, anchor,
                      variant)
    return None  # complex delins: not phased from reads


def _substitution(read, lookup, anchor, variant, min_baseq):
    seq, quals = read.query_sequence, read.query_qualities
    bases = []
    for i in range(len(variant.ref)):
        q = lookup(anchor + i)
        if q is None or q == NOT_COVERED or seq is None:
            return None  # deleted or not covered
        if quals is not None and quals[q] < min_baseq:
            return None
        bases.append(seq[q].upper())
    observed = "".join(bases)
    if observed == variant.alt.upper():
        return Allele.ALT
    if observed == variant.ref.upper():
        return Allele.REF
    return None


def _indel(read, pairs, anchor, variant):
    # locate the anchor base in the alignment, then look at what follows it
    idx = next((i for i, (q, r) in enumerate(pairs) if r == anchor), None)
    if idx is None or pairs[idx][0] is None or idx + 1 >= len(pairs):
        return None
    seq = read.query_sequence
    nxt = pairs[idx + 1]
    if variant.kind is AltKind.DELETION:
        dlen = len(variant.ref) - len(variant.alt)
        run = pairs[idx + 1: idx + 1 + dlen]
        if len(run) == dlen and all(q is None and r == anchor + 1 + k
                                    for k, (q, r) in enumerate(run)):
            after = pairs[idx + 1 + dlen] if idx + 1 + dlen < len(pairs) else None
            return Allele.ALT if after is not None and after[0] is not None else None
    else:
        ins = variant.alt[1:].upper()
        run = pairs[idx + 1: idx + 1 + len(ins)]
        if len(run) == len(ins) and all(r is None and q is not None for q, r in run):
            got = "".join(seq[q] for q, _ in run).upper()
            after = pairs[idx + 1 + len(ins)] if idx + 1 + len(ins) < len(pairs) else None
            if got == ins and after is not None and after[1] == anchor + 1:
                return Allele.ALT
            return None
    # reference: the next reference base follows directly, with no indel between
    if nxt[0] is not None and nxt[1] == anchor + 1:
        return Allele.REF
    return None


def phase_pair(aln: pysam.AlignmentFile, a: Variant, b: Variant,
               settings: Settings | None = None, gene: str | None = None) -> PhaseCall:
    """Phase two variants from fragments that cover both."""
    return phase_pairs(aln, [(gene, a, b)], settings)[0]


def phase_pairs(aln: pysam.AlignmentFile, pairs: Sequence[tuple[str | None, Variant, Variant]],
                settings: Settings | None = None) -> tuple[PhaseCall, ...]:
    """Phase every (gene, a, b) pair from ONE pass over the reads of all their variants."""
    settings = settings or Settings()
    contig = {}
    for _, a, b in pairs:
        for v in (a, b):
            contig[_site_key(v)] = resolve_contig(aln, v.chrom)
    sites = [Site(c, key[1] - 1, key[1] - 1 + max(len(key[2]), 2), key)
             for key, c in contig.items() if c is not None]
    variants = {_site_key(v): v for _, a, b in pairs for v in (a, b)}
    # variant -> query name -> alleles its reads showed (a set: mates may disagree)
    alleles: dict[tuple, dict[str, set[Allele]]] = {key: defaultdict(set) for key in variants}
    for read, hit in reads_by_site(aln, sites, settings.min_mapq):
        lookup, aligned = RefLookup(read), None
        for site in hit:
            v = variants[site.key]
            if aligned is None and v.kind in (AltKind.DELETION, AltKind.INSERTION):
                aligned = read.get_aligned_pairs()
            allele = read_allele(read, v, settings.min_baseq, aligned, lookup)
            if allele is not None:
                alleles[site.key][read.query_name].add(allele)
    return tuple(_call(a, b, gene, contig, alleles, settings) for gene, a, b in pairs)


def _site_key(v: Variant) -> tuple[str, int, str, str]:
    return (v.chrom, v.pos, v.ref, v.alt)


def _call(a: Variant, b: Variant, gene: str | None, contig: dict, alleles: dict,
          settings: Settings) -> PhaseCall:
    ka, kb = _site_key(a), _site_key(b)
    if contig[ka] is None or contig[ka] != contig[kb]:
        return PhaseCall(a.key, b.key, Phase.UNKNOWN, 0, 0, 0, 0, gene=gene,
                         note="variants not on one contig of the alignment file")
    obs_a, obs_b = alleles[ka], alleles[kb]
    both = a_only = b_only = neither = 0
    for qname, seen_a in obs_a.items():
        seen_b = obs_b.get(qname)
        if seen_b is None or len(seen_a) != 1 or len(seen_b) != 1:
            continue  # not spanning both sites, or mates disagree
        alt_a, alt_b = Allele.ALT in seen_a, Allele.ALT in seen_b
        if alt_a and alt_b:
            both += 1
        elif alt_a:
            a_only += 1
        elif alt_b:
            b_only += 1
        else:
            neither += 1
    phase, note = decide(both, a_only, b_only, settings)
    return PhaseCall(a.key, b.key, phase, both, a_only, b_only, neither, gene=gene, note=note)


def decide(both: int, a_only: int, b_only: int, s: Settings) -> tuple[Phase, str | None]:
    """cis / trans / unknown from fragment counts (rules in the module docstring)."""
    minority = min(a_only, b_only)
    if both >= s.min_phase_reads and minority <= s.phase_max_discordant_fraction * (both
                                                                                     + minority):
        return Phase.CIS, None
    if both == 0 and a_only > 0 and b_only > 0 and a_only + b_only >= s.min_phase_reads:
        return Phase.TRANS, None
    if both + a_only + b_only < s.min_phase_reads or (both == 0 and not (a_only and b_only)):
        return Phase.UNKNOWN, (f"too few fragments carrying a mutation span both sites "
                               f"({both + a_only + b_only} < {s.min_phase_reads} or only one "
                               "variant seen)")
    return Phase.UNKNOWN, (f"mixed evidence: {both} fragment(s) with both, {a_only} with A "
                           f"only, {b_only} with B only")


def candidate_pairs(variants: Sequence[Variant],
                    in_kinase_domain: Callable[[Variant], bool | None] | None = None
                    ) -> list[tuple[str, Variant, Variant]]:
    """(gene, a, b) for every pair of PASS protein-altering variants of one gene.

    With `in_kinase_domain`, variants it rejects (False) are left out; None (unknown) keeps them.
    """
    by_gene: dict[str, list[Variant]] = defaultdict(list)
    for v in variants:
        ann = v.annotation
        if ann is None or not ann.is_protein_altering:
            continue
        if v.filters not in ((), ("PASS",)):
            continue
        if in_kinase_domain is not None and in_kinase_domain(v) is False:
            continue
        by_gene[ann.gene].append(v)
    out = []
    for gene in sorted(by_gene):
        vs = sorted({v.key: v for v in by_gene[gene]}.values(), key=lambda v: (v.chrom, v.pos))
        out.extend((gene, a, b) for a, b in combinations(vs, 2))
    return out


def kinase_domain_check(panel: Any) -> Callable[[Variant], bool | None]:
    """Predicate: is the variant's protein position inside its gene's kinase domain?"""
    def check(v: Variant) -> bool | None:
        ann = v.annotation
        try:
            tx = panel.transcript(ann.gene)
        except (KeyError, LookupError):
            return None
        dom = getattr(tx, "kinase_domain", None)
        if dom is None or ann.protein_start is None:
            return None
        return dom[0] <= ann.protein_start <= dom[1]
    return check
