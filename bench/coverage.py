"""Benchmark: kinres hotspot coverage + phasing vs a bare pysam pass over the same reads.

Writes a BAM with DEPTH single-end 150 bp reads over every knowledge hotspot codon of the chosen
genes (GRCh38 panel coordinates, contig lengths of GRCh38; two variants per gene carried by a
third of the reads so that phasing has work), then times in the same run, CPU seconds:

  kinres      assess_hotspots (all hotspots of the genes) + phase_pairs, one pass (io/readpass.py)
  bare pysam  one fetch per merged window, touching each read's sequence and qualities
  per-site    the previous implementation (tests/readpass_oracle.py: one fetch per hotspot and
              per phased variant, a position dict per read per site), unless --no-per-site
  processes   `kinres coverage` as a whole process (imports, config, sheet, JSON) vs
              `python -c <bare pysam pass>` as a whole process

and prints the ratios. Results are checked equal between kinres and the per-site oracle.

    python bench/coverage.py [--depth 20000] [--genes ALK] [--workdir bench/out]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pysam

REPO = Path(__file__).resolve().parent.parent
GRCH38_LENGTHS = {"2": 242193529, "6": 170805979, "1": 248956422, "9": 138394717,
                  "15": 101991189}
READ_LEN = 150

BARE = """
import sys, pysam
aln = pysam.AlignmentFile(sys.argv[1])
n = 0
for contig, start, end in [w.split(":") for w in sys.argv[2:]]:
    for read in aln.fetch(contig, int(start), int(end)):
        if read.is_unmapped or read.is_duplicate or read.mapping_quality < 20:
            continue
        seq, quals = read.query_sequence, read.query_qualities
        n += 1
print(n)
"""


def cpu() -> float:
    t = os.times()
    return t.user + t.system


def build(workdir: Path, genes: list[str], depth: int, seed: int = 5):
    from kinres.annotate.transcripts import Panel
    from kinres.io.coverage import hotspots_from_knowledge
    from kinres.io.readpass import Site, merge_windows
    from kinres.knowledge import load_knowledge
    from kinres.models import Variant

    panel = Panel.load("GRCh38")
    hotspots, _ = hotspots_from_knowledge(load_knowledge().hotspots())
    hotspots = [h for h in hotspots if h.gene in genes]
    sites, variants = [], []
    for h in hotspots:
        pos = panel.transcript(h.gene).codon_positions(h.aa_pos)
        sites.append(Site(panel.transcript(h.gene).chrom, min(pos) - 1, max(pos), h))
    windows = merge_windows(sites)
    rng = random.Random(seed)
    for gene in genes:  # two SNVs 30 bp apart at the gene's first hotspot, for phasing
        tx = panel.transcript(gene)
        first = next(s for s in sites if s.key.gene == gene)
        variants.append((gene, Variant(tx.chrom, first.start0 + 1, "A", "C"),
                         Variant(tx.chrom, first.start0 + 31, "A", "G")))
    contigs = sorted({c for c, *_ in windows}, key=lambda c: int(c) if c.isdigit() else 99)
    header = {"HD": {"VN": "1.6", "SO": "coordinate"},
              "SQ": [{"SN": c, "LN": GRCH38_LENGTHS[c]} for c in contigs]}
    tid = {c: i for i, c in enumerate(contigs)}
    starts = []
    for contig, start, end, _ in windows:
        n = depth * (end - start + READ_LEN - 1) // READ_LEN
        starts += [(tid[contig], rng.randint(start - READ_LEN + 1, end - 1)) for _ in range(n)]
    starts.sort()
    alt_at = {(v.chrom, v.pos): v.alt for _, a, b in variants for v in (a, b)}
    bam = workdir / f"coverage_{depth}.bam"
    qual = pysam.qualitystring_to_array("I" * READ_LEN)
    with pysam.AlignmentFile(str(bam), "wb", header=header) as out:
        for i, (t, s) in enumerate(starts):
            seq = bytearray(rng.choices(b"ACGT", k=READ_LEN))
            if i % 3 == 0:  # carries the phasing variants it covers
                for (chrom, pos), alt in alt_at.items():
                    if chrom == contigs[t] and s <= pos - 1 < s + READ_LEN:
                        seq[pos - 1 - s] = ord(alt)
            a = pysam.AlignedSegment()
            a.query_name = f"r{i}"
            a.query_sequence = seq.decode()
            a.reference_id, a.reference_start = t, s
            a.cigar = [(0, READ_LEN)]
            a.mapping_quality = 60
            a.query_qualities = qual
            out.write(a)
    pysam.index(str(bam))
    return bam, hotspots, variants, windows, len(starts)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--depth", type=int, default=20000)
    ap.add_argument("--genes", default="ALK", help="comma-separated knowledge genes")
    ap.add_argument("--workdir", type=Path, default=Path(__file__).parent / "out")
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--no-per-site", action="store_true", help="skip the old implementation")
    args = ap.parse_args()
    sys.path.insert(0, str(REPO / "tests"))
    from kinres.annotate.transcripts import Panel
    from kinres.io.coverage import Settings, assess_hotspots, open_alignment
    from kinres.io.phasing import phase_pairs

    args.workdir.mkdir(parents=True, exist_ok=True)
    genes = args.genes.split(",")
    t0 = time.perf_counter()
    bam, hotspots, pairs, windows, n_reads = build(args.workdir, genes, args.depth)
    print(f"wrote {bam}: {n_reads:,} reads, {len(hotspots)} hotspots of {','.join(genes)} in "
          f"{len(windows)} windows, {len(pairs)} phased pair(s) ({time.perf_counter() - t0:.1f}s)")
    panel = Panel.load("GRCh38")
    settings = Settings()

    def tx_for(gene):
        return panel.transcript(gene)

    def kinres_pass():
        with open_alignment(bam) as aln:
            return assess_hotspots(aln, hotspots, tx_for, settings), phase_pairs(aln, pairs,
                                                                                settings)

    def bare_pass():
        n = 0
        with pysam.AlignmentFile(str(bam)) as aln:
            for contig, start, end, _ in windows:
                for read in aln.fetch(contig, start, end):
                    if read.is_unmapped or read.is_duplicate or read.mapping_quality < 20:
                        continue
                    _seq, _quals = read.query_sequence, read.query_qualities
                    n += 1
        return n

    def per_site():
        import readpass_oracle as oracle
        with open_alignment(bam) as aln:
            recs = [oracle.hotspot_coverage(aln, h, tx_for(h.gene), settings)[0]
                    for h in hotspots]
            calls = [oracle.phase_pair(aln, a, b, settings, g) for g, a, b in pairs]
        return recs, calls

    def timed(fn):
        best, result = None, None
        for _ in range(args.repeats):
            c0 = cpu()
            result = fn()
            spent = cpu() - c0
            best = spent if best is None else min(best, spent)
        return best, result

    k_cpu, ((records, _mean, _w), calls) = timed(kinres_pass)
    b_cpu, n_pass = timed(bare_pass)
    print(f"in process, CPU s (best of {args.repeats}):")
    print(f"  kinres one pass   {k_cpu:.3f}  ({sum(r.depth for r in records):,} fragment-"
          f"hotspot observations, {len(calls)} phase call(s))")
    print(f"  bare pysam pass   {b_cpu:.3f}  ({n_pass:,} reads)   ratio kinres/bare "
          f"{k_cpu / b_cpu:.1f}x")
    if not args.no_per_site:
        o_cpu, (o_records, o_calls) = timed(per_site)
        assert list(records) == o_records and list(calls) == o_calls, "results differ"
        print(f"  per-site (before) {o_cpu:.3f}  ratio per-site/bare {o_cpu / b_cpu:.1f}x, "
              f"per-site/kinres {o_cpu / k_cpu:.1f}x (identical results)")

    # whole processes: what a job pays
    work = args.workdir / "coverage_run"
    work.mkdir(exist_ok=True)
    (work / "config.yaml").write_text("results: results\n")
    (work / "samples.tsv").write_text(
        "sample_id\tpatient_id\tspecimen\ttumor_type\tgenome_build\tbam\n"
        f"B1\tP1\ttissue\tNSCLC\tGRCh38\t{bam.resolve()}\n")
    (work / "hotspots.tsv").write_text(
        "gene\thgvs_p\n" + "".join(f"{h.gene}\t{h.hgvs_p}\n" for h in hotspots))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "src"),
                                                      env.get("PYTHONPATH")]))
    kinres_cmd = [shutil.which("kinres") or sys.exit("kinres not on PATH"), "coverage", "--config", "config.yaml",
                  "--sample-sheet", "samples.tsv", "--sample", "B1",
                  "--hotspots", "hotspots.tsv", "--out", "coverage.json"]
    bare_cmd = [sys.executable, "-c", BARE, str(bam)] + [f"{c}:{s}:{e}" for c, s, e, _ in windows]

    def child_cpu(cmd):
        best = None
        for _ in range(args.repeats):
            before = os.times()
            subprocess.run(cmd, cwd=work, env=env, check=True, stdout=subprocess.DEVNULL)
            after = os.times()
            spent = (after.children_user - before.children_user
                     + after.children_system - before.children_system)
            best = spent if best is None else min(best, spent)
        return best

    kp, bp = child_cpu(kinres_cmd), child_cpu(bare_cmd)
    depth = json.loads((work / "coverage.json").read_text())
    assert depth["hotspots"], "kinres coverage wrote no hotspots"
    print("whole processes, CPU s (incl. interpreter start and imports):")
    print(f"  kinres coverage   {kp:.3f}")
    print(f"  python+pysam pass {bp:.3f}   ratio {kp / bp:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
