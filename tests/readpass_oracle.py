"""The per-site read fetching that io/readpass.py replaced (kept verbatim as a test oracle).

Each hotspot / variant fetched its own reads and built a position dict per read per site; the
single-pass code must give exactly the same HotspotCoverage and PhaseCall records.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from kinres.enums import AltKind, Phase
from kinres.io.coverage import (
    CODON_TABLE,
    DELETED,
    Settings,
    _classify,
    lod_vaf,
    resolve_contig,
)
from kinres.io.phasing import Allele, decide
from kinres.io.readpass import usable
from kinres.models import HotspotCoverage, PhaseCall

_COMP = str.maketrans("ACGTN", "TGCAN")


def fetch_fragments(aln, contig, start0, end0, min_mapq):
    for read in aln.fetch(contig, start0, end0):
        if usable(read, min_mapq):
            yield read.query_name, read


def read_codon(read, positions, strand, min_baseq):
    pairs = {r: q for q, r in read.get_aligned_pairs() if r is not None}
    seq, quals = read.query_sequence, read.query_qualities
    bases = []
    for g in positions:
        if g - 1 not in pairs:
            return None
        q = pairs[g - 1]
        if q is None:
            return DELETED
        if quals is not None and quals[q] < min_baseq:
            return None
        bases.append(seq[q].upper())
    codon = "".join(bases)
    if strand < 0:
        codon = codon.translate(_COMP)
    return CODON_TABLE.get(codon)


def hotspot_coverage(aln, hotspot, transcript, settings=None):
    settings = settings or Settings()
    positions = tuple(transcript.codon_positions(hotspot.aa_pos))
    strand = transcript.strand
    tx_id = getattr(transcript, "transcript_id", None)
    warnings = []
    contig = resolve_contig(aln, transcript.chrom)
    first = positions[0]
    if contig is None:
        return HotspotCoverage(
            gene=hotspot.gene, hgvs_p=hotspot.hgvs_p, chrom=transcript.chrom, pos=first,
            depth=0, alt_reads=0, lod_vaf=None, transcript=tx_id,
            note=f"contig {transcript.chrom} not in the alignment header"), [
            f"{hotspot.gene} {hotspot.hgvs_p}: contig {transcript.chrom} not in the BAM header"]
    per_fragment = defaultdict(set)
    lo, hi = min(positions) - 1, max(positions)
    for qname, read in fetch_fragments(aln, contig, lo, hi, settings.min_mapq):
        residue = read_codon(read, positions, strand, settings.min_baseq)
        if residue is not None:
            per_fragment[qname].add(residue)
    seen = Counter()
    discordant = 0
    for residues in per_fragment.values():
        if len(residues) == 1:
            seen[next(iter(residues))] += 1
        elif len(residues) > 1:
            discordant += 1
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
        gene=hotspot.gene, hgvs_p=hotspot.hgvs_p, chrom=transcript.chrom, pos=first,
        depth=depth, alt_reads=classes["alt"],
        lod_vaf=lod_vaf(depth, settings.min_alt_reads, settings.lod_confidence),
        transcript=tx_id, ref_reads=classes["ref"], observed_aa=tuple(sorted(seen.items())),
        note="; ".join(notes) or None), warnings


def read_allele(read, variant, min_baseq):
    pairs = read.get_aligned_pairs()
    anchor = variant.pos - 1
    kind = variant.kind
    if kind in (AltKind.SNV, AltKind.MNV):
        return _substitution(read, pairs, anchor, variant, min_baseq)
    if kind in (AltKind.DELETION, AltKind.INSERTION):
        return _indel(read, pairs, anchor, variant)
    return None


def _substitution(read, pairs, anchor, variant, min_baseq):
    r2q = {r: q for q, r in pairs if r is not None}
    seq, quals = read.query_sequence, read.query_qualities
    bases = []
    for i in range(len(variant.ref)):
        q = r2q.get(anchor + i, -1)
        if q is None or q == -1:
            return None
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
    if nxt[0] is not None and nxt[1] == anchor + 1:
        return Allele.REF
    return None


def phase_pair(aln, a, b, settings=None, gene=None):
    settings = settings or Settings()
    contig_a, contig_b = resolve_contig(aln, a.chrom), resolve_contig(aln, b.chrom)
    if contig_a is None or contig_a != contig_b:
        return PhaseCall(a.key, b.key, Phase.UNKNOWN, 0, 0, 0, 0, gene=gene,
                         note="variants not on one contig of the alignment file")
    alleles = defaultdict(lambda: {"a": set(), "b": set()})
    for label, v in (("a", a), ("b", b)):
        start0, end0 = v.pos - 1, v.pos - 1 + max(len(v.ref), 2)
        for qname, read in fetch_fragments(aln, contig_a, start0, end0, settings.min_mapq):
            allele = read_allele(read, v, settings.min_baseq)
            if allele is not None:
                alleles[qname][label].add(allele)
    both = a_only = b_only = neither = 0
    for obs in alleles.values():
        if len(obs["a"]) != 1 or len(obs["b"]) != 1:
            continue
        alt_a, alt_b = Allele.ALT in obs["a"], Allele.ALT in obs["b"]
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
