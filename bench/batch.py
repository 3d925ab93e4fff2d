"""Benchmark: the whole workflow on the demo batch replicated to N samples (unique IDs).

Each replicate k of the demo sheet gets sample and patient IDs suffixed `-r<k>` (same input
files), so patients stay patients. For every N the workflow runs from scratch in a scratch
folder with `snakemake --cores C`; the script prints wall time, the CPU of the whole process
tree (Snakemake and every job, from the children's rusage) and CPU per sample. A flat CPU per
sample from the smallest to the largest N means no per-job cost grows with the batch.

    python bench/batch.py --samples 12 120 [--cores 2] [--no-pdf] [--patients-per-job 10]
                          [--workdir /tmp/kinres_bench]
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

import yaml

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "config" / "samples.tsv"
FILE_COLUMNS = ("vcf", "fusions", "cnv", "bam")


def replicate(n: int, out: Path) -> Path:
    """A sheet of n rows: the demo rows repeated with -r<k> IDs and absolute input paths."""
    lines = [ln for ln in DEMO.read_text().splitlines() if ln.strip() and not ln.startswith("#")]
    header, rows = lines[0].split("\t"), [ln.split("\t") for ln in lines[1:]]
    col = {name: i for i, name in enumerate(header)}
    written = ["\t".join(header)]
    k = 0
    while len(written) - 1 < n:
        for row in rows:
            if len(written) - 1 >= n:
                break
            cells = list(row) + [""] * (len(header) - len(row))
            cells[col["sample_id"]] += f"-r{k}"
            cells[col["patient_id"]] += f"-r{k}"
            for name in FILE_COLUMNS:
                if name in col and cells[col[name]]:
                    cells[col[name]] = str((DEMO.parent / cells[col[name]]).resolve())
            written.append("\t".join(cells))
        k += 1
    out.write_text("\n".join(written) + "\n")
    return out


def run(n: int, workdir: Path, cores: int, pdf: bool, patients_per_job: int = 1) -> dict:
    folder = workdir / f"n{n}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    sheet = replicate(n, folder / "samples.tsv")
    config = folder / "config.yaml"
    config.write_text(yaml.safe_dump({"samples": str(sheet), "results": str(folder / "results"),
                                      "report": {"pdf": pdf},
                                      "patients_per_job": patients_per_job}))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "snakemake", "--cores", str(cores), "--nolock",
                           "--keep-going", "--configfile", str(config)],
                          cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    jobs = proc.stdout.count("\nrule ") + proc.stderr.count("\nrule ") \
        + proc.stdout.count("\nlocalrule ") + proc.stderr.count("\nlocalrule ")
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-3000:])
    return {"n": n, "rc": proc.returncode, "wall": wall, "cpu": cpu, "jobs": jobs}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, nargs="+", default=[12, 120])
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--no-pdf", dest="pdf", action="store_false")
    parser.add_argument("--patients-per-job", type=int, default=1,
                        help="config patients_per_job (docs/scaling.md)")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="kinres_bench_"))
    print(f"# kinres {os.environ.get('PYTHONPATH', '(installed)')}; cores {args.cores}; "
          f"pdf {args.pdf}; patients_per_job {args.patients_per_job}; workdir {workdir}")
    print(f"{'samples':>8} {'rc':>3} {'jobs':>5} {'wall_s':>8} {'cpu_s':>8} {'cpu_s/sample':>13}")
    first = None
    for n in args.samples:
        r = run(n, workdir, args.cores, args.pdf, args.patients_per_job)
        per = r["cpu"] / n
        first = first or per
        print(f"{n:>8} {r['rc']:>3} {r['jobs']:>5} {r['wall']:>8.1f} {r['cpu']:>8.1f} "
              f"{per:>13.2f}  (x{per / first:.2f} of the first)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
