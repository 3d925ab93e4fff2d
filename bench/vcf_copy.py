#!/usr/bin/env python3
"""Annotated-VCF copy speed: `kinres` (report/vcf_out.py) vs `bcftools view -Oz`, whole processes.

Generates a bgzipped single-sample Mutect2-style VCF of --records records (default 5 M) with the
two small variants of tests/data/report/alk_g1202r_tissue.report.json among them, then times

  * bcftools view -Oz -o copy.vcf.gz input.vcf.gz           (parse + re-encode + BGZF)
  * python -c 'annotate_vcf(input, report, out.vcf.gz)'       (kinres as a whole process)

and prints both wall times and their ratio (kinres / bcftools). The input generation is not
timed. Needs bcftools and bgzip on PATH. Usage: python bench/vcf_copy.py [--records N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REPORT = REPO / "tests" / "data" / "report" / "alk_g1202r_tissue.report.json"
HEADER = """##fileformat=VCFv4.2
##source=Mutect2
##contig=<ID=chr2,length=242193529>
##contig=<ID=chr17,length=83257441>
##FILTER=<ID=PASS,Description="All filters passed">
##INFO=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth">
##INFO=<ID=TLOD,Number=A,Type=Float,Description="Log 10 likelihood ratio score of variant existing versus not existing">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths for the ref and alt alleles in the order listed">
##FORMAT=<ID=AF,Number=A,Type=Float,Description="Allele fractions of alternate alleles in the tumor">
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth">
##tumor_sample=TUMOR
#CHROM	POS	ID	REF	ALT	QUAL	FILTER	INFO	FORMAT	TUMOR
"""
SPECIAL = {("chr2", 29220747): "chr2\t29220747\t.\tC\tT\t.\tPASS\tDP=812;TLOD=55.1\tGT:AD:AF:DP\t0/1:638,174:0.214:812\n",
           ("chr17", 7673802): "chr17\t7673802\t.\tC\tT\t.\tPASS\tDP=790;TLOD=80.2\tGT:AD:AF:DP\t0/1:466,324:0.41:790\n"}


def generate(path: Path, n: int) -> None:
    """n records on chr2 then chr17 (sorted), bgzipped with the system bgzip."""
    bases = "ACGT"
    plain = path.with_suffix("")
    half = n // 2
    with open(plain, "w") as fh:
        fh.write(HEADER)
        for chrom, first, count in (("chr2", 29_220_747 - 3 * min(50_000, half // 2), half),
                                     ("chr17", 7_673_802 - 3 * min(50_000, (n - half) // 2), n - half)):
            rows = []
            for i in range(count):
                pos = first + 3 * i
                special = SPECIAL.get((chrom, pos))
                if special:
                    rows.append(special)
                    continue
                ref, alt = bases[i % 4], bases[(i + 1) % 4]
                dp = 300 + i % 500
                ad = i % 37
                rows.append(f"{chrom}\t{pos}\t.\t{ref}\t{alt}\t.\tPASS\tDP={dp};TLOD={ad / 3:.2f}\t"
                            f"GT:AD:AF:DP\t0/1:{dp - ad},{ad}:{ad / dp:.3f}:{dp}\n")
                if len(rows) >= 100_000:
                    fh.writelines(rows)
                    rows = []
            fh.writelines(rows)
    subprocess.run(["bgzip", "-f", "-@", "2", str(plain)], check=True)


def timed(cmd: list[str], env=None) -> tuple[float, float]:
    """(wall, CPU user+sys) seconds of one command and its children (e.g. bgzip)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, check=True, env=env)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=5_000_000)
    ap.add_argument("--keep", type=Path, help="work folder to keep (default: a temp folder)")
    args = ap.parse_args()
    for tool in ("bcftools", "bgzip"):
        if not shutil.which(tool):
            print(f"{tool} not on PATH", file=sys.stderr)
            return 2
    work = args.keep or Path(tempfile.mkdtemp(prefix="kinres-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    vcf = work / "input.vcf.gz"
    if not vcf.exists():
        generate(vcf, args.records)
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO / "src") + os.pathsep + env.get("PYTHONPATH", "")
    code = ("import sys; from kinres.report.json import load_report; "
            "from kinres.report.vcf_out import annotate_vcf; "
            "r = annotate_vcf(sys.argv[1], load_report(sys.argv[2]), sys.argv[3]); "
            "print(r.records_in, r.records_out, r.annotated_records, file=sys.stderr)")
    t_bcf = timed(["bcftools", "view", "-Oz", "-o", str(work / "bcftools.vcf.gz"), str(vcf)])
    t_kin = timed([sys.executable, "-c", code, str(vcf), str(REPORT), str(work / "kinres.vcf.gz")],
                  env=env)
    print(f"records           {args.records}")
    print(f"bcftools view -Oz wall {t_bcf[0]:.2f} s  cpu {t_bcf[1]:.2f} s")
    print(f"kinres vcf copy   wall {t_kin[0]:.2f} s  cpu {t_kin[1]:.2f} s")
    print(f"ratio (wall)      {t_kin[0] / t_bcf[0]:.2f}x (target <= 1.5x)")
    print(f"ratio (cpu)       {t_kin[1] / t_bcf[1]:.2f}x (on a busy machine the CPU ratio is the "
          "steadier one)")
    if not args.keep:
        shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
