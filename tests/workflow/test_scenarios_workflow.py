"""Clinical scenarios through the real Snakemake workflow (tests/scenarios/*.yaml).

All scenarios are written into ONE sample sheet + input folder and the workflow runs once per
session (PDF off via a temporary config file); each scenario is then one test checking its
`expect` and `forbidden` entries on report.json, report.html and drug_calls.tsv. The format is
described in tests/scenarios/README.md.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import scenario_harness as H

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SCENARIOS = H.load_scenarios()


def _failure_text(stderr: str, results: Path) -> str:
    """The failing rules' error blocks and job logs (not just the tail of Snakemake's output)."""
    blocks = re.findall(r"Error in rule .*?(?=\n\n|\Z)", stderr, flags=re.S)
    logs = []
    for log in sorted((results / "logs").rglob("*.log")) if (results / "logs").is_dir() else ():
        text = log.read_text(errors="replace")
        if "error" in text.lower() or "Traceback" in text:
            logs.append(f"--- {log.relative_to(results)}\n{text[-1500:]}")
    return "\n".join(blocks[:5] + logs[:5]) or stderr[-4000:]


@pytest.fixture(scope="session")
def scenario_results():
    # own temporary folder: pytest's basetemp is shared with other pytest runs of the same user,
    # which prune old folders while this (minutes-long) workflow may still be writing there
    root = Path(tempfile.mkdtemp(prefix="kinres-scenarios-"))
    sheet = H.write_batch(SCENARIOS, root / "inputs")
    results = root / "results"
    config = root / "config.yaml"
    # the batch runs with a configured plasma assay LoD (0.5% VAF) so negative plasma scenarios
    # can check that every "not detected" statement carries it
    config.write_text(yaml.safe_dump({"report": {"pdf": False, "timeline": False},
                                      "interpret": {"assay_lod_plasma": 0.005}}))
    proc = subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2", "--nolock", "--keep-going",
         "--rerun-incomplete", "--configfile", str(H.REPO / "config" / "config.yaml"), str(config),
         "--config", f"results={results}", f"samples={sheet}"],
        check=False, cwd=H.REPO, capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        missing = sorted(sc.sample_id for sc in SCENARIOS if not (results / sc.sample_id / "report.json").exists())
        pytest.fail(f"scenario workflow failed (kept in {root}; samples without report: {missing[:10]})\n"
                    f"{_failure_text(proc.stderr, results)}", pytrace=False)
    yield results
    if not os.environ.get("KINRES_KEEP_SCENARIOS"):  # set it to inspect the reports afterwards
        shutil.rmtree(root, ignore_errors=True)


def _params():
    out = []
    for sc in SCENARIOS:
        marks = []
        if sc.data.get("xfail"):
            marks.append(pytest.mark.xfail(reason=str(sc.data["xfail"]), strict=True))
        out.append(pytest.param(sc, id=sc.name, marks=marks))
    return out


@pytest.mark.parametrize("sc", _params())
def test_scenario(sc, scenario_results):
    folder = scenario_results / sc.sample_id
    report = json.loads((folder / "report.json").read_text())
    html = (folder / "report.html").read_text()
    tsv = (folder / "drug_calls.tsv").read_text()
    fails = H.check(sc, report, html, tsv)
    assert not fails, (f"{sc.path.name}: {sc.data['case'].strip()[:300]}\n  - " + "\n  - ".join(fails))
