"""Clinical scenarios through the real Snakemake workflow (tests/scenarios/*.yaml).

All scenarios are written into ONE sample sheet + input folder and the workflow runs once per
session (PDF off via a temporary config file); each scenario is then one test checking its
`expect` and `forbidden` entries on report.json, report.html and drug_calls.tsv. The format is
described in tests/scenarios/README.md.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import scenario_harness as H

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SCENARIOS = H.load_scenarios()


@pytest.fixture(scope="session")
def scenario_results(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("kinres_scenarios")
    sheet = H.write_batch(SCENARIOS, root / "inputs")
    results = root / "results"
    config = root / "config.yaml"
    config.write_text(yaml.safe_dump({"report": {"pdf": False, "timeline": False}}))
    proc = subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2", "--nolock", "--keep-going",
         "--rerun-incomplete", "--configfile", str(H.REPO / "config" / "config.yaml"), str(config),
         "--config", f"results={results}", f"samples={sheet}"],
        check=False, cwd=H.REPO, capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        failed = sorted(p.parent.name for p in results.glob("*/") if not (p / "report.json").exists())
        pytest.fail(f"scenario workflow failed (samples without report: {failed[:10]})\n"
                    f"{proc.stderr[-4000:]}", pytrace=False)
    return results


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
