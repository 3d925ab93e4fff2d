"""MultiQC content: the custom-content table and General Statistics columns, checked by running
the real MultiQC (skipped with the reason when it is not installed: pip install multiqc)."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess

import pytest
import yaml
from report_fixtures import fixture_data

from kinres.report.batch import write_batch
from kinres.report.json import parse_report


@pytest.fixture(scope="module")
def batch_dir(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("mqc")
    reports = []
    for i, name in enumerate(("alk_g1202r_tissue", "chip_only_plasma", "ntrk3_etv6_g623r")):
        data = copy.deepcopy(fixture_data(name))
        if i == 0:  # a text cell with commas and a list of mechanisms
            data["therapy_options"][0]["option"] = "Continue the TKI, add capmatinib, tepotinib or savolitinib"
        path = tmp / name / "report.json"
        path.parent.mkdir()
        path.write_text(json.dumps(data))
        reports.append(parse_report(data, path))
    write_batch(reports, tmp / "batch")
    return tmp / "batch"


def _header(path):
    return yaml.safe_load("\n".join(l[2:] for l in path.read_text().splitlines() if l.startswith("# ")))


def test_headers_are_valid_yaml_with_general_stats(batch_dir):
    table = _header(batch_dir / "kinres_mqc.tsv")
    assert table["plot_type"] == "table" and "negative_result" in table["headers"]
    gs = _header(batch_dir / "kinres_general_stats_mqc.tsv")
    assert gs["plot_type"] == "generalstats"
    assert set(gs["headers"]) == {"kinres_tf_pct", "kinres_alterations", "kinres_mechanism"}


def test_badge_values_mean_what_they_say(batch_dir):
    rows = [l.split("\t") for l in (batch_dir / "kinres_mqc.tsv").read_text().splitlines()
            if not l.startswith("#")]
    col = rows[0].index("negative_result")
    values = {r[0]: r[col] for r in rows[1:]}
    assert values["P001-T1"] == "n/a (finding reported)"  # positive sample: not a red 'false'
    assert "not informative" in values.values()
    assert not {"true", "false"} & set(values.values())


def test_real_multiqc_reads_both_files(batch_dir, tmp_path):
    exe = shutil.which("multiqc")
    if exe is None:
        pytest.skip("multiqc not installed (pip install multiqc; it is in the test extras)")
    proc = subprocess.run([exe, "-q", "-f", str(batch_dir), "-o", str(tmp_path / "out"),
                           "--no-ansi"], capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "broke" not in proc.stderr and "Traceback" not in proc.stderr
    data = json.loads((tmp_path / "out" / "multiqc_data" / "multiqc_data.json").read_text())
    gs = data["report_general_stats_data"]
    stats = next(iter(gs.values())) if isinstance(gs, dict) else gs[0]
    assert stats["P001-T1"]["kinres_alterations"] == 3
    assert stats["P001-T1"]["kinres_mechanism"] == "on target"
    assert 0 < stats["P001-T1"]["kinres_tf_pct"] <= 100
    table = data["report_saved_raw_data"]["multiqc_kinres_table"]
    assert table["P001-T1"]["top_option"].startswith(
        "Continue the TKI, add capmatinib, tepotinib or savolitinib")  # commas intact
    assert table["P001-T1"]["negative_result"] == "n/a (finding reported)"
