"""Benchmark: `kinres variants` on a large VCF vs bcftools doing the same panel extraction.

Generates an N-record bgzipped + indexed Mutect2-style VCF (default 5 M) over GRCh38 with VEP CSQ
annotations on a few panel positions, then times WHOLE PROCESSES in the same run (wall and CPU,
best of --repeats; interpreter start, imports, config, sheet and JSON included, as a job pays):

  indexed:   kinres variants (.tbi present)    vs  bcftools view -R panel.bed  (index jumps)
  streaming: kinres variants (no index)        vs  bcftools view -T panel.bed  (reads all records,
                                                   keeps the panel ones: the same filtering)

and prints the ratios, the in-process share of kinres (read_vcf + annotate after imports, in a
child process) for context, and each process's peak RSS at the smaller and the full size (memory
must stay flat).

    python bench/vcf_panel.py --records 5000000 [--workdir bench/out]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

CHROMS = [str(i) for i in range(1, 23)]
# GRCh38 lengths (chr1..chr22) so records are spread over the real genome
LENGTHS = [248956422, 242193529, 198295559, 190214555, 181538259, 170805979, 159345973,
           145138636, 138394717, 133797422, 135086622, 133275309, 114364328, 107043718,
           101991189, 90338345, 83257441, 80373285, 58617616, 64444167, 46709983, 50818468]
CSQ_FORMAT = ("Allele|Consequence|IMPACT|SYMBOL|Gene|Feature_type|Feature|BIOTYPE|EXON|INTRON|"
              "HGVSc|HGVSp|cDNA_position|CDS_position|Protein_position|Amino_acids|Codons")


def header() -> str:
    contigs = "".join(f"##contig=<ID=chr{c},length={n}>\n" for c, n in zip(CHROMS, LENGTHS))
    return (
        "##fileformat=VCFv4.2\n##source=Mutect2\n##tumor_sample=TUMOR\n"
        '##FILTER=<ID=PASS,Description="All filters passed">\n'
        '##FILTER=<ID=weak_evidence,Description="Mutation does not meet likelihood threshold">\n'
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths for the ref and alt alleles in the order listed">\n'
        '##FORMAT=<ID=AF,Number=A,Type=Float,Description="Allele fractions of alternate alleles in the tumor">\n'
        '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth">\n'
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
        '##INFO=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth">\n'
        '##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl '
        f'VEP. Format: {CSQ_FORMAT}">\n'
        + contigs + "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTUMOR\n")


def generate(path: Path, n: int, panel, seed: int = 7) -> int:
    """Write n records (sorted) through `bgzip -@2`; returns records placed in panel regions."""
    rng = np.random.default_rng(seed)
    weights = np.array(LENGTHS, dtype=float) / sum(LENGTHS)
    per_chrom = rng.multinomial(n, weights)
    regions = panel.regions(padding=0)
    hotspots: dict[str, list[tuple[int, str]]] = {}
    for gene, aa in (("ALK", 1202), ("ALK", 1196), ("ROS1", 2032), ("EGFR", 790),
                     ("NTRK1", 595), ("BRAF", 600), ("KRAS", 12), ("MET", 1010)):
        tx = panel.transcript(gene)
        g = tx.codon_positions(aa)[0]
        hotspots.setdefault(tx.chrom, []).append((g, gene))
    bases = np.array(list("ACGT"))
    with open(path, "wb") as out:
        proc = subprocess.Popen(["bgzip", "-@", "2", "-c"], stdin=subprocess.PIPE, stdout=out)
        proc.stdin.write(header().encode())
        in_panel = 0
        for chrom, count, length in zip(CHROMS, per_chrom, LENGTHS):
            pos = np.sort(rng.integers(1, length, size=count))
            extra = [p for p, _ in hotspots.get(chrom, [])]
            pos = np.unique(np.concatenate([pos, np.array(extra, dtype=pos.dtype)]))
            chrom_regions = [(s + 1, e) for c, s, e in regions if c == chrom]
            for s, e in chrom_regions:
                in_panel += int(np.searchsorted(pos, e, "right") - np.searchsorted(pos, s))
            hot = dict(hotspots.get(chrom, []))
            for lo in range(0, len(pos), 250_000):
                chunk = pos[lo:lo + 250_000]
                ref = bases[rng.integers(0, 4, size=len(chunk))]
                alt = bases[(np.searchsorted(bases, ref) + rng.integers(1, 4, size=len(chunk))) % 4]
                dp = rng.integers(80, 900, size=len(chunk))
                ac = rng.integers(1, 60, size=len(chunk))
                lines = []
                for p, r, a, d, k in zip(chunk.tolist(), ref.tolist(), alt.tolist(),
                                         dp.tolist(), ac.tolist()):
                    info = f"DP={d}"
                    if p in hot:
                        info += (f";CSQ={a}|missense_variant|MODERATE|{hot[p]}|ENSG0|Transcript|"
                                 f"{panel.transcript(hot[p]).transcript_id}.1|protein_coding|"
                                 f"1/1||c.1A>G|p.Gly1Arg||||G/R|")
                    lines.append(f"chr{chrom}\t{p}\t.\t{r}\t{a}\t50\tPASS\t{info}\tGT:AD:AF:DP\t"
                                 f"0/1:{d - k},{k}:{k / d:.3f}:{d}\n")
                proc.stdin.write("".join(lines).encode())
        proc.stdin.close()
        if proc.wait() != 0:
            raise SystemExit("bgzip failed")
    subprocess.run(["tabix", "-f", "-p", "vcf", str(path)], check=True)
    return in_panel


def kinres_run(path: str, padding: int) -> dict:
    """Child-process body: CPU time of read_vcf + annotate_preannotated, peak RSS."""
    from kinres.annotate.preannotated import PreannotationHeader, annotate_preannotated
    from kinres.annotate.transcripts import Panel
    from kinres.io.vcf import VariantSettings, read_vcf

    panel = Panel.load("GRCh38")
    t0 = time.process_time()
    res = read_vcf(path, "GRCh38", settings=VariantSettings(region_padding=padding), panel=panel)
    hdr = PreannotationHeader(tags=res.annotation_tags, csq_fields=res.csq_fields)
    variants, _ = annotate_preannotated(res.variants, res.raw_annotations, res.record_alts,
                                        res.alt_index, hdr, panel)
    elapsed = time.process_time() - t0
    return {"seconds": elapsed, "records_read": res.records_read,
            "variants": len(variants), "used_index": res.used_index,
            "annotated": sum(1 for v in variants if v.annotation and v.annotation.hgvs_p),
            "max_rss_mb": peak_rss_mb()}


def peak_rss_mb() -> float:
    """This process's peak RSS. VmHWM belongs to the current address space; ru_maxrss would
    also carry the forking parent's size across exec on Linux."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(path: Path, padding: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", str(path), "--padding",
                          str(padding)], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_process(cmd: list[str], cwd: Path | None = None, env: dict | None = None) -> dict:
    """Wall, CPU (user + sys) and peak RSS of one whole child process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-2000:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
            "rss_mb": usage.ru_maxrss / 1024}


def best_run(cmd, repeats, **kw) -> dict:
    runs = [run_process(cmd, **kw) for _ in range(repeats)]
    return {"wall": min(r["wall"] for r in runs), "cpu": min(r["cpu"] for r in runs),
            "rss_mb": max(r["rss_mb"] for r in runs)}


def kinres_setup(workdir: Path, vcf: Path, padding: int, name: str) -> tuple[list[str], Path]:
    """config + one-row sheet for `kinres variants` on `vcf`; returns (command, output)."""
    run = workdir / f"kinres_{name}"
    run.mkdir(exist_ok=True)
    (run / "config.yaml").write_text(f"results: results\nvariants:\n  region_padding: {padding}\n")
    (run / "samples.tsv").write_text(
        "sample_id\tpatient_id\tspecimen\ttumor_type\tgenome_build\tvcf\n"
        f"B1\tP1\ttissue\tNSCLC\tGRCh38\t{vcf.resolve()}\n")
    out = run / "variants.json"
    kinres = shutil.which("kinres") or sys.exit("kinres not on PATH")
    return [kinres, "variants", "--config", str(run / "config.yaml"), "--sample-sheet",
            str(run / "samples.tsv"), "--sample", "B1", "--out", str(out)], out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=5_000_000)
    ap.add_argument("--small", type=int, default=1_000_000, help="size for the RSS comparison")
    ap.add_argument("--workdir", type=Path, default=Path(__file__).parent / "out")
    ap.add_argument("--padding", type=int, default=20)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(kinres_run(args.child, args.padding)))
        return 0

    from kinres.annotate.transcripts import Panel

    panel = Panel.load("GRCh38")
    bcftools = shutil.which("bcftools") or sys.exit("bcftools not on PATH")
    args.workdir.mkdir(parents=True, exist_ok=True)
    bed = args.workdir / "panel.GRCh38.chr.bed"
    bed.write_text("".join(f"chr{c}\t{s}\t{e}\n" for c, s, e in panel.regions(padding=args.padding)))
    sizes = sorted({min(args.small, args.records), args.records})
    rss = {}
    for n in sizes:
        vcf = args.workdir / f"bench_{n}.vcf.gz"
        t0 = time.perf_counter()
        if not (vcf.exists() and Path(f"{vcf}.tbi").exists()):
            in_panel = generate(vcf, n, panel)
            print(f"generated {n:,} records ({in_panel:,} in panel CDS) in "
                  f"{time.perf_counter() - t0:.1f}s: {vcf} ({vcf.stat().st_size / 1e6:.0f} MB)")
        noidx_dir = args.workdir / "noindex"
        noidx_dir.mkdir(exist_ok=True)
        noidx = noidx_dir / vcf.name
        if noidx.exists():
            noidx.unlink()
        os.link(vcf, noidx) if vcf.stat().st_dev == noidx_dir.stat().st_dev else shutil.copy(vcf, noidx)

        idx_cmd, idx_out = kinres_setup(args.workdir, vcf, args.padding, "indexed")
        str_cmd, str_out = kinres_setup(args.workdir, noidx, args.padding, "streaming")
        k_idx = best_run(idx_cmd, args.repeats)
        k_str = best_run(str_cmd, args.repeats)
        b_idx = best_run([bcftools, "view", "-H", "-R", str(bed), str(vcf)], args.repeats)
        b_str = best_run([bcftools, "view", "-H", "-T", str(bed), str(vcf)], args.repeats)
        n_idx = len(json.loads(idx_out.read_text()).get("variants", []))
        n_str = len(json.loads(str_out.read_text()).get("variants", []))
        assert n_idx == n_str, f"indexed ({n_idx}) and streaming ({n_str}) reads disagree"
        n_bcf = int(subprocess.run(f"{bcftools} view -H -R {bed} {vcf} | wc -l", shell=True,
                                   check=True, capture_output=True, text=True).stdout)
        inner = child(vcf, args.padding)
        rss[n] = (k_idx["rss_mb"], k_str["rss_mb"])
        print(f"[{n:,} records] whole processes, best of {args.repeats} (wall s / CPU s):")
        print(f"  indexed   kinres variants {k_idx['wall']:.2f} / {k_idx['cpu']:.2f} "
              f"({n_idx} panel variants)   bcftools view -R {b_idx['wall']:.2f} / "
              f"{b_idx['cpu']:.2f} ({n_bcf} records)   ratio wall {k_idx['wall'] / b_idx['wall']:.1f}x"
              f", CPU {k_idx['cpu'] / b_idx['cpu']:.1f}x")
        print(f"  streaming kinres variants {k_str['wall']:.2f} / {k_str['cpu']:.2f}   "
              f"bcftools view -T {b_str['wall']:.2f} / {b_str['cpu']:.2f}   ratio wall "
              f"{k_str['wall'] / b_str['wall']:.2f}x, CPU {k_str['cpu'] / b_str['cpu']:.2f}x")
        print(f"  of which kinres work after imports (indexed, in-process): "
              f"{inner['seconds']:.2f} CPU s; the rest is start-up, imports, panel, sheet, "
              "JSON")
    for n, (a, b) in rss.items():
        print(f"kinres peak RSS at {n:,} records: indexed {a:.0f} MB, streaming {b:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
