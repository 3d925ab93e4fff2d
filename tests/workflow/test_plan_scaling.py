"""Snakemake's own planning cost grows linearly with the batch (issue 12: `snakemake -n` took
53 CPU-s and 628 MB at 5,000 samples before the job layout of docs/scaling.md).

Dry runs of the demo batch replicated to N0 (fixed cost: imports, parse), N and 2N samples with
one generated rule per patient (the layout with the most rules). The marginal CPU of the second
N samples over the first N is ~1 when planning is linear and ~3 when it is quadratic; the test
allows 2. CPU is the Snakemake process's own (no jobs run); no absolute timings.
"""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench"))
from batch import replicate  # the demo rows repeated with -r<k> IDs

N0, N = 12, 400


def _dry_run_cpu(n: int, folder: Path) -> float:
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "config.yaml"
    config.write_text(yaml.safe_dump({"samples": str(replicate(n, folder / "samples.tsv")),
                                      "results": str(folder / "results"),
                                      "patients_per_job": 1}))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run([sys.executable, "-m", "snakemake", "-n", "--quiet", "--nolock",
                           "--cores", "2", "--configfile", str(config)],
                          check=False, cwd=REPO, capture_output=True, text=True, timeout=300)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def test_dry_run_planning_is_linear_in_samples(tmp_path):
    ratios = []
    for attempt in range(2):  # a second try absorbs a burst of load on a shared machine
        t0, t1, t2 = (_dry_run_cpu(n, tmp_path / f"a{attempt}-n{n}") for n in (N0, N, 2 * N))
        first, second = (t1 - t0) / (N - N0), (t2 - t1) / N
        ratios.append(second / first if first > 0 else float("inf"))
        if ratios[-1] <= 2.0:
            return
    pytest.fail(f"planning CPU per extra sample grew {ratios} x from {N} to {2 * N} samples "
                f"(linear ~1, quadratic ~3): something in the Snakefile scales with the batch")
