"""Benchmark: Snakemake's own cost (parse + DAG + scheduling) as the batch grows.

For each N the demo batch is replicated to N samples (bench/batch.py's `replicate`) and
`snakemake -n` runs in its own process; the CPU-seconds and peak RSS printed are that process's
own (getrusage(RUSAGE_SELF) at exit), so no job is counted. With --stub the workflow really runs,
but `kinres` on PATH is a stub that only creates the declared outputs: the figure is then
Snakemake's scheduling and bookkeeping per job, with the jobs' own CPU reported apart.

    python bench/snakemake_plan.py --samples 12 120 480 2000 [--patients-per-job 1|auto|N]
                                   [--stub] [--cores 2] [--workdir /tmp/kinres_plan]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from batch import ROOT, replicate

# runs Snakemake in this interpreter and reports its own rusage on exit
WRAPPER = """
import atexit, resource, runpy, sys
def _report():
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    sys.stderr.write(f"\\nKINRES_PLAN {s.ru_utime + s.ru_stime:.3f} {s.ru_maxrss} "
                     f"{c.ru_utime + c.ru_stime:.3f}\\n")
atexit.register(_report)
sys.argv = ["snakemake"] + sys.argv[1:]
runpy.run_module("snakemake", run_name="__main__")
"""

STUB = """#!{python}
# kinres stub for bench/snakemake_plan.py --stub: creates the declared outputs, does no work
import json, os, sys
args = sys.argv[1:]
def opt(name):
    out, on = [], False
    for x in args[1:]:
        if x.startswith("--"):
            on = x == name
        elif on:
            out.append(x)
    return out
def touch(path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    open(path, "w").close()
if args[0] == "sample":
    res = opt("--results")[0]
    for row in opt("--rows"):
        s = json.load(open(row))["sample"]
        for name in ("report.json", "report.html", "alterations.tsv", "drug_calls.tsv"):
            touch(f"{{res}}/{{s['sample_id']}}/{{name}}")
        for stage, col in (("variants", "vcf"), ("fusions", "fusions"), ("cnv", "cnv"),
                           ("coverage", "bam")):
            if s.get(col):
                touch(f"{{res}}/{{s['sample_id']}}/{{stage}}.json")
elif args[0] == "pdf":
    for html in opt("--html"):
        touch(os.path.join(os.path.dirname(html), "report.pdf"))
elif args[0] == "batch":
    for name in ("summary.html", "summary.tsv", "kinres_mqc.tsv", "failed_samples.tsv"):
        touch(os.path.join(opt("--outdir")[0], name))
"""


def run(n: int, workdir: Path, ppj: str, stub: bool, cores: int) -> dict:
    folder = workdir / f"n{n}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    sheet = replicate(n, folder / "samples.tsv")
    config = folder / "config.yaml"
    config.write_text(yaml.safe_dump({
        "samples": str(sheet), "results": str(folder / "results"),
        "patients_per_job": ppj if ppj == "auto" else int(ppj)}))
    cmd = [sys.executable, "-c", WRAPPER, "--nolock", "--cores", str(cores),
           "--configfile", str(config)]
    env = dict(os.environ)
    if stub:
        bindir = folder / "stub"
        bindir.mkdir()
        (bindir / "kinres").write_text(STUB.format(python=sys.executable))
        (bindir / "kinres").chmod(0o755)
        env["PATH"] = f"{bindir}{os.pathsep}{env['PATH']}"
    else:
        cmd.append("-n")
    # the first dry run writes the row files; measure a second one (what a rerun costs)
    for _ in range(1 if stub else 2):
        proc = subprocess.run(cmd, check=False, cwd=ROOT, capture_output=True, text=True, env=env)
    m = re.search(r"KINRES_PLAN (\S+) (\S+) (\S+)", proc.stderr)
    if proc.returncode != 0 or not m:
        sys.stderr.write(proc.stderr[-3000:])
        raise SystemExit(f"snakemake failed at {n} samples")
    jobs = re.search(r"^total\s+(\d+)", proc.stdout + proc.stderr, re.MULTILINE)
    return {"cpu": float(m.group(1)), "rss_mb": int(m.group(2)) / 1024,
            "jobs_cpu": float(m.group(3)), "jobs": int(jobs.group(1)) if jobs else -1}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, nargs="+", default=[12, 120, 480, 2000])
    parser.add_argument("--patients-per-job", default="auto")
    parser.add_argument("--stub", action="store_true",
                        help="really run, with a stub kinres (Snakemake's scheduling cost)")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="kinres_plan_"))
    print(f"# snakemake {'run, stub kinres' if args.stub else '-n'}; patients_per_job "
          f"{args.patients_per_job}; PYTHONDONTWRITEBYTECODE="
          f"{os.environ.get('PYTHONDONTWRITEBYTECODE', '')}; workdir {workdir}")
    print(f"{'samples':>8} {'jobs':>5} {'snakemake_cpu_s':>16} {'rss_mb':>7} "
          f"{'ms/sample':>10} {'jobs_cpu_s':>11}")
    for n in args.samples:
        r = run(n, workdir, args.patients_per_job, args.stub, args.cores)
        print(f"{n:>8} {r['jobs']:>5} {r['cpu']:>16.2f} {r['rss_mb']:>7.0f} "
              f"{1000 * r['cpu'] / n:>10.1f} {r['jobs_cpu']:>11.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
