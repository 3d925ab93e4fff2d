"""Benchmark: the whole workflow on the demo batch replicated to N samples (unique IDs).

Each replicate k of the demo sheet gets sample and patient IDs suffixed `-r<k>` (same input
files), so patients stay patients. For every N the workflow runs from scratch in a scratch
folder with `snakemake --cores C`; the script prints wall time, the CPU of the whole process
tree (Snakemake and every job, from the children's rusage) and CPU per sample. A flat CPU per
sample from the smallest to the largest N means no per-job cost grows with the batch.

The floor, measured in the same run (issue 12): after every batch, its first --floor-patients
patients in sheet order (the demo's mix) are run again outside Snakemake into a scratch folder: one bare `kinres sample
--no-pdf` process per patient, then all their PDFs in one `kinres pdf` process (WeasyPrint imported
once). Their CPU per sample is the floor: the work itself, one process per patient. Every batch
prints its per-sample CPU as a ratio to it (what the workflow adds on top of the work).

    python bench/batch.py --samples 12 120 [--cores 2] [--no-pdf] [--patients-per-job auto|N]
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


# A normal install caches bytecode (pip compiles it, or Python writes __pycache__ on first import);
# some sandboxes set PYTHONDONTWRITEBYTECODE, which would make every job recompile kinres (~0.13 CPU-s).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


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


def run(n: int, workdir: Path, cores: int, pdf: bool, patients_per_job: str = "auto") -> dict:
    folder = workdir / f"n{n}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    sheet = replicate(n, folder / "samples.tsv")
    config = folder / "config.yaml"
    config.write_text(yaml.safe_dump({"samples": str(sheet), "results": str(folder / "results"),
                                      "report": {"pdf": pdf},
                                      "patients_per_job": patients_per_job
                                      if patients_per_job == "auto" else int(patients_per_job)}))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "snakemake", "--cores", str(cores), "--nolock",
                           "--keep-going", "--configfile", str(config)],
                          check=False, cwd=ROOT, env=ENV, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    jobs = proc.stdout.count("\nrule ") + proc.stderr.count("\nrule ") \
        + proc.stdout.count("\nlocalrule ") + proc.stderr.count("\nlocalrule ")
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-3000:])
    return {"n": n, "rc": proc.returncode, "wall": wall, "cpu": cpu, "jobs": jobs}


def measure_floor(folder: Path, max_patients: int, pdf: bool) -> dict:
    """CPU of the batch's first patients run as one bare `kinres sample` process per patient."""
    # The sheet's first patients (the demo batch's own mix of 1- and 3-sample patients), not the
    # first row files by name, which would all be replicates of one patient.
    samples_dir = folder / "results" / ".kinres" / "samples"
    sheet = (folder / "samples.tsv").read_text().splitlines()
    col = {name: i for i, name in enumerate(sheet[0].split("\t"))}
    patients: dict[str, list[Path]] = {}
    for line in sheet[1:]:
        cells = line.split("\t")
        pid = cells[col["patient_id"]]
        if pid in patients or len(patients) < max_patients:
            patients.setdefault(pid, []).append(samples_dir / f"{cells[col['sample_id']]}.json")
    config = folder / "results" / ".kinres" / "config.yaml"
    out = folder / "floor"
    shutil.rmtree(out, ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    commands = [["kinres", "sample", "--config", str(config), "--rows", *map(str, paths),
                 "--results", str(out), "--no-pdf"] for paths in patients.values()]
    if pdf:  # every PDF in one warm process: the least a PDF can cost
        commands.append(["kinres", "pdf", "--html", *(str(out / r.stem / "report.html")
                                                       for paths in patients.values() for r in paths)])
    for command in commands:
        proc = subprocess.run(command, check=False, env=ENV, capture_output=True, text=True)
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr[-2000:])
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    samples = sum(len(p) for p in patients.values())
    return {"patients": len(patients), "samples": samples, "cpu": cpu,
            "per_sample": cpu / max(samples, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, nargs="+", default=[12, 120])
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--no-pdf", dest="pdf", action="store_false")
    parser.add_argument("--patients-per-job", default="auto",
                        help="config patients_per_job: auto (the default) or a number "
                             "(docs/scaling.md)")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--floor-patients", type=int, default=10,
                        help="patients of the first batch re-run as one bare process each (0: skip)")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="kinres_bench_"))
    print(f"# kinres {os.environ.get('PYTHONPATH', '(installed)')}; cores {args.cores}; "
          f"pdf {args.pdf}; patients_per_job {args.patients_per_job}; workdir {workdir}; "
          "bytecode caching on")
    print(f"{'samples':>8} {'rc':>3} {'jobs':>5} {'wall_s':>8} {'cpu_s':>8} {'cpu_s/sample':>13}")
    for n in args.samples:
        r = run(n, workdir, args.cores, args.pdf, args.patients_per_job)
        floor = None
        if args.floor_patients and r["rc"] == 0:  # after every batch: this machine's speed drifts
            floor = measure_floor(workdir / f"n{n}", args.floor_patients, args.pdf)
            print(f"# floor: {floor['samples']} samples of {floor['patients']} patients, one bare "
                  f"`kinres sample` per patient + one `kinres pdf`: {floor['cpu']:.1f} CPU-s, "
                  f"{floor['per_sample']:.2f} CPU-s/sample", flush=True)
        per = r["cpu"] / n
        ratio = f"  (x{per / floor['per_sample']:.2f} of the floor)" if floor else ""
        print(f"{n:>8} {r['rc']:>3} {r['jobs']:>5} {r['wall']:>8.1f} {r['cpu']:>8.1f} "
              f"{per:>13.2f}{ratio}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
