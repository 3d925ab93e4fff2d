"""One read pass for all hotspots and phase pairs (io/readpass.py) == the per-site fetching it
replaced (tests/readpass_oracle.py), on random BAMs over the synthetic reference."""

from __future__ import annotations

import random

import pysam
import pytest
import readpass_oracle as oracle
from bam_builder import Read, write_alignments
from synthref import make_reference

from kinres.io.coverage import Settings, assess_hotspots, open_alignment, parse_hotspot
from kinres.io.phasing import phase_pairs
from kinres.io.readpass import NOT_COVERED, RefLookup, Site, merge_windows
from kinres.models import Variant

AAS = "ACDEFGHIKLMNPQRSTVWY"


@pytest.fixture(scope="module")
def ref(tmp_path_factory):
    return make_reference(tmp_path_factory.mktemp("ref"))


def random_cigar(rng: random.Random) -> tuple[str, int]:
    """A CIGAR with every op pysam knows except B, and its query length."""
    ops, qlen = [], 0
    if rng.random() < 0.3:
        ops.append(f"{rng.randint(1, 3)}H")
    if rng.random() < 0.4:
        n = rng.randint(1, 5)
        ops.append(f"{n}S")
        qlen += n
    for _ in range(rng.randint(1, 5)):
        n = rng.randint(1, 12)
        op = rng.choice("MMM=XIDNP")
        ops.append(f"{n}{op}")
        qlen += n if op in "M=XIP" else 0
    ops.append("3M")
    return "".join(ops), qlen + 3


def test_ref_lookup_matches_pysam_aligned_pairs():
    rng = random.Random(3)
    header = pysam.AlignmentHeader.from_dict({"SQ": [{"SN": "c", "LN": 10_000}]})
    for _ in range(400):
        cigar, qlen = random_cigar(rng)
        read = pysam.AlignedSegment(header)
        read.query_sequence = "A" * qlen
        read.reference_id, read.reference_start = 0, rng.randint(0, 50)
        read.cigarstring = cigar
        pairs = {r: q for q, r in read.get_aligned_pairs() if r is not None}
        lookup = RefLookup(read)
        for r in range(200):
            assert lookup(r) == pairs.get(r, NOT_COVERED), (cigar, r)


def test_merge_windows_groups_close_sites_only():
    sites = [Site("2", 100, 103, "a"), Site("2", 600, 603, "b"), Site("2", 5000, 5003, "c"),
             Site("1", 10, 11, "d")]
    merged = merge_windows(sites, gap=1000)
    assert [(c, s, e, [m.key for m in ms]) for c, s, e, ms in merged] == [
        ("1", 10, 11, ["d"]), ("2", 100, 603, ["a", "b"]), ("2", 5000, 5003, ["c"])]


# --------------------------------------------------------------------------- random BAMs
def make_variants(rng, ref, tx, n):
    """Random SNV/MNV/deletion/insertion at hotspot-like codons of `tx`."""
    seq = ref.contigs[tx.chrom]
    out = []
    first = rng.randint(5, len(tx.protein) - 40)  # close together: reads span several
    for aa in rng.sample(range(first, first + 30), n):
        g = tx.codon_positions(aa)[rng.randint(0, 2)]
        kind = rng.choice(["snv", "snv", "mnv", "del", "ins"])
        if kind == "snv":
            r = seq[g - 1]
            out.append(Variant(tx.chrom, g, r, rng.choice([b for b in "ACGT" if b != r])))
        elif kind == "mnv":
            r = seq[g - 1:g + 1]
            out.append(Variant(tx.chrom, g, r, "".join(
                rng.choice([b for b in "ACGT" if b != x]) for x in r)))
        elif kind == "del":
            n_del = rng.randint(1, 3)
            out.append(Variant(tx.chrom, g, seq[g - 1:g + n_del], seq[g - 1]))
        else:
            out.append(Variant(tx.chrom, g, seq[g - 1],
                               seq[g - 1] + "".join(rng.choice("ACGT") for _ in range(3))))
    return sorted({v.key: v for v in out}.values(), key=lambda v: v.pos)


def haplotype_read(rng, ref, chrom, name, start0, span, variants, **kw) -> Read:
    """A read of `span` reference bases carrying `variants` (non-overlapping ones), with
    sequencing errors, random base qualities and sometimes soft clips."""
    genome = ref.contigs[chrom]
    seq, cigar, pos = [], [], start0
    end0 = start0 + span

    def match(upto):
        nonlocal pos
        if upto > pos:
            seq.extend(genome[pos:upto])
            cigar.append(("M", upto - pos))
            pos = upto

    for v in variants:
        v0 = v.pos - 1
        if v0 < pos or v0 + len(v.ref) + 1 >= end0:
            continue
        if len(v.ref) == len(v.alt):
            match(v0)
            seq.extend(v.alt)
            cigar.append(("M", len(v.alt)))
            pos = v0 + len(v.ref)
        elif len(v.ref) > len(v.alt):  # deletion after the anchor
            match(v0 + 1)
            cigar.append(("D", len(v.ref) - 1))
            pos = v0 + len(v.ref)
        else:  # insertion after the anchor
            match(v0 + 1)
            seq.extend(v.alt[1:])
            cigar.append(("I", len(v.alt) - 1))
    match(end0)
    seq = [rng.choice("ACGT") if rng.random() < 0.01 else b for b in seq]
    if rng.random() < 0.2:
        seq = ["N"] * 4 + seq
        cigar.insert(0, ("S", 4))
    merged = []
    for op, n in cigar:
        if merged and merged[-1][0] == op:
            merged[-1] = (op, merged[-1][1] + n)
        else:
            merged.append((op, n))
    quals = [rng.choice([2, 15, 25, 30, 38, 38, 38]) for _ in seq]
    return Read(name, chrom, start0, "".join(seq), "".join(f"{n}{op}" for op, n in merged),
                qual=quals, **kw)


def random_bam(rng, ref, path, genes=("SYN1", "SYN2", "SYN3")):
    hotspots, variants, reads = [], [], []
    for gene in genes:
        tx = ref.gene(gene)
        vs = make_variants(rng, ref, tx, 4)
        variants.append((gene, vs))
        for v in vs:  # hotspots at the variants' codons (all kinds) and at random codons
            aa = next(a for a in range(1, len(tx.protein) + 1)
                      if v.pos in tx.codon_positions(a) or
                      min(tx.codon_positions(a)) <= v.pos <= max(tx.codon_positions(a)))
            r = tx.protein[aa - 1]
            hotspots += [parse_hotspot(gene, f"p.{r}{aa}{rng.choice(AAS)}"),
                         parse_hotspot(gene, f"p.{r}{aa}"), parse_hotspot(gene, f"p.{r}{aa}del"),
                         parse_hotspot(gene, f"p.{r}{aa}_{AAS[0]}{aa + 1}insG")]
        for aa in rng.sample(range(2, len(tx.protein)), 3):
            hotspots.append(parse_hotspot(gene, f"p.{tx.protein[aa - 1]}{aa}"))
        for i in range(120):
            v = rng.choice(vs)
            start0 = v.pos - 1 - rng.randint(5, 90)
            carried = [w for w in vs if rng.random() < 0.5]
            flags = {"mapq": rng.choice([60, 60, 60, 10]), "duplicate": rng.random() < 0.05,
                     "secondary": rng.random() < 0.03}
            name = f"{gene}_{i}"
            if rng.random() < 0.4:  # a mate pair, sometimes disagreeing
                mate_vs = carried if rng.random() < 0.8 else [w for w in vs if w not in carried]
                reads.append(haplotype_read(rng, ref, tx.chrom, name, start0, 100, carried,
                                            mate_start0=start0 + 30, read1=True, **flags))
                reads.append(haplotype_read(rng, ref, tx.chrom, name, start0 + 30, 100, mate_vs,
                                            mate_start0=start0, read1=False, reverse=True))
            else:
                reads.append(haplotype_read(rng, ref, tx.chrom, name, start0,
                                            rng.randint(40, 150), carried, **flags))
    contigs = [(n, len(s)) for n, s in ref.contigs.items()]
    return write_alignments(path, contigs, reads), hotspots, variants


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("settings", [Settings(), Settings(min_mapq=0, min_baseq=0)])
def test_single_pass_equals_per_site_fetching(tmp_path, ref, seed, settings):
    rng = random.Random(seed)
    bam, hotspots, variants = random_bam(rng, ref, tmp_path / "r.bam")
    txs = {g: ref.gene(g) for g in ("SYN1", "SYN2", "SYN3")}
    with open_alignment(bam) as aln:
        records, _, warnings = assess_hotspots(aln, hotspots, txs.get, settings)
        expected = [oracle.hotspot_coverage(aln, hs, txs[hs.gene], settings) for hs in hotspots]
        pairs = [(gene, a, b) for gene, vs in variants for i, a in enumerate(vs)
                 for b in vs[i + 1:]]
        calls = phase_pairs(aln, pairs, settings)
        expected_calls = [oracle.phase_pair(aln, a, b, settings, gene) for gene, a, b in pairs]
    assert list(records) == [rec for rec, _ in expected]
    assert list(warnings) == [w for _, ws in expected for w in ws]
    assert list(calls) == expected_calls
    # the random data exercise what matters: alt support, discordant mates, every phase
    assert sum(r.alt_reads for r in records) > 0
    assert any(r.note and "discordant" in r.note for r in records)
    assert {c.phase.value for c in calls} >= {"unknown"}
    assert sum(c.reads_both + c.reads_a_only + c.reads_b_only for c in calls) > 0
