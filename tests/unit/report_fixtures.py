"""Helpers for the report tests: the hand-written fixtures in tests/data/report."""

from __future__ import annotations

import copy
import json
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data" / "report"
FIXTURES = ("alk_g1202r_tissue", "serial_plasma_t1", "serial_plasma_t2", "ntrk3_etv6_g623r",
            "chip_only_plasma")
XSS = "<script>alert(1)</script>"


def fixture_data(name: str) -> dict:
    return json.loads((DATA / f"{name}.report.json").read_text())


def write_report(tmp: Path, data: dict, name: str = "report.json") -> Path:
    tmp.mkdir(parents=True, exist_ok=True)
    path = tmp / name
    path.write_text(json.dumps(data, indent=1))
    return path


def hostile(name: str = "alk_g1202r_tissue") -> dict:
    """A fixture with markup in every free-text field the report prints."""
    data = copy.deepcopy(fixture_data(name))
    data["sample"]["id"] = f"S1{XSS}"
    data["sample"]["tumor_type"] = XSS
    data["qc"]["warnings"] = [f"INFO value {XSS}"]
    data["alterations"][1]["gene"] = f"ALK{XSS}"
    data["alterations"][1]["flags"] = [XSS]
    data["alterations"][0]["fusion"]["five_prime_gene"] = f"EML4{XSS}"
    data["caveats"][0]["text"] = XSS
    data["therapy_options"][0]["rationale"] = XSS
    data["mechanisms"][0]["label"] = XSS
    return data
