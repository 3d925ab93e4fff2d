"""The scenario files (tests/scenarios/*.yaml) are well formed: every variant resolves to a real
coordinate through the panel, every sheet row passes the sample-sheet validator, and the checker
catches a violated expectation (the workflow run itself is tests/workflow/test_scenarios_workflow.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import scenario_harness as H

from kinres.io.samplesheet import read_samplesheet


def test_scenarios_resolve_and_sheet_validates(tmp_path):
    scenarios = H.load_scenarios()
    assert len(scenarios) >= 2
    sheet = read_samplesheet(H.write_batch(scenarios, tmp_path))
    assert len(sheet.samples) == len(scenarios)
    assert len({s.sample_id for s in scenarios}) == len(scenarios)
    for sc in scenarios:
        assert sc.data["case"].strip() and sc.forbidden


def test_variant_resolves_to_the_literature_coordinate():
    placed = H._mutation("ALK", "G1202R", None)
    # the same record scripts/make_demo.py wrote for the demo's G1202R (.test/data/P01-PL1.vep.vcf)
    demo = (H.REPO / ".test" / "data" / "P01-PL1.vep.vcf").read_text().splitlines()[-1].split("\t")
    assert (f"chr{placed.chrom}", str(placed.pos), placed.ref, placed.alt) == tuple(demo[:2] + demo[3:5])
    with pytest.raises(H.ScenarioError, match="codon"):
        H._mutation("ALK", "G1202R", "c.3610G>A")
    with pytest.raises(H.ScenarioError, match="HGVS c"):
        H._mutation("ALK", "Q1999K", None)


def test_checker_reports_expected_and_forbidden_violations():
    sc = H.Scenario("x", Path("x.yaml"), {
        "case": "c", "sample": {},
        "expect": {"top_option": "lorlatinib", "calls": {"alectinib": "resistant"},
                   "html": ["solvent front"]},
        "forbidden": {"sensitive": ["alectinib"], "top_option": "alectinib",
                      "html": ["CLIN-approved"], "caveats": ["POSSIBLE_GERMLINE"]}})
    report = {"drug_calls": [{"drug": "alectinib", "call": "sensitive"}],
              "therapy_options": [{"option": "alectinib", "drugs": ["alectinib"]}],
              "mechanisms": [], "caveats": [{"code": "POSSIBLE_GERMLINE", "text": ""}],
              "alterations": []}
    fails = H.check(sc, report, "<p>CLIN-approved</p>", "")
    assert len(fails) == 7, fails
    assert not H.check(sc, {**report, "drug_calls": [{"drug": "alectinib", "call": "resistant"}],
                            "therapy_options": [{"option": "lorlatinib", "drugs": ["lorlatinib"]}],
                            "caveats": []}, "<b>Solvent</b>  front", "")
