"""Bounded fuzz test (issue 10): a few hundred mutants per parser, fixed seed, through the CLI.

Each parser's seed files (VEP VCF + MAF; Arriba + Manta SV VCF; CNVkit .cns + CNV VCF) are
damaged the way real files are (nonsense cells, dropped/duplicated/swapped lines, spaces for
tabs, truncation, flipped bytes, BOM/CRLF, gzip and truncated gzip, latin-1/NUL bytes) by
tests/fuzz_inputs_driver.py, which runs every mutant through `kinres variants|fusions|cnv`
in-process (accepted VCFs also through the report's annotated copy; every second mutant also
through `kinres validate`). The test fails on any traceback, on an exit code other than 0/2, on
`kinres validate` passing a mutant the run rejects, on a hang (timeout) and on the driver
process dying - which is what an htslib exit(1) looks like - naming the mutant file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e]

REPO = Path(__file__).resolve().parents[2]
DRIVER = REPO / "tests" / "fuzz_inputs_driver.py"
MUTANTS = 200
SEED = 20261201
TIMEOUT = 600  # seconds for all mutants of one parser; a hang fails the test


@pytest.mark.parametrize("parser", ["variants", "fusions", "cnv"])
def test_fuzzed_inputs_never_crash(tmp_path, parser):
    work = tmp_path / parser
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO / "src") + os.pathsep + env.get("PYTHONPATH", "")
    try:
        proc = subprocess.run([sys.executable, str(DRIVER), parser, str(MUTANTS), str(SEED),
                               str(work)], check=False, capture_output=True, text=True, errors="replace", timeout=TIMEOUT,
                              cwd=REPO, env=env)
    except subprocess.TimeoutExpired:
        where = (work / "progress").read_text() if (work / "progress").exists() else "?"
        pytest.fail(f"fuzz driver hung (> {TIMEOUT} s); last mutant: {where}")
    progress = (work / "progress").read_text() if (work / "progress").exists() else "?"
    assert proc.returncode == 0 and progress == "done", (
        f"driver died (rc {proc.returncode}) at mutant {progress} - an htslib exit or a crash "
        f"outside the CLI:\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    failures = result["failures"]
    assert not failures, "\n\n".join(f"mutant {f['mutant']} ({f['file']}):\n{f['error']}"
                                     for f in failures[:5])
    # both outcomes occur, so the mutants really exercise acceptance and refusal
    assert result["outcomes"]["ok"] > 0 and result["outcomes"]["input_error"] > 0
