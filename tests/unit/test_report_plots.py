"""SVG figures and the serial-sample trend logic."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from report_fixtures import DATA, XSS, fixture_data, hostile

from kinres.report import plots
from kinres.report.json import load_report, parse_report
from kinres.report.timeline import build_timeline, classify_trend

NS = "{http://www.w3.org/2000/svg}"


def _load(name):
    return load_report(DATA / f"{name}.report.json")


@pytest.mark.parametrize("values,trend", [
    ((0.0, 0.01), "emerging"), ((0.008, 0.046), "rising"), ((0.05, 0.0), "clearing"),
    ((0.2, 0.05), "falling"), ((0.012, 0.013), "stable"), ((0.001, 0.002), "stable"),
    ((None, 0.01), "single"), ((0.01, None, 0.03), "rising"),
])
def test_classify_trend(values, trend):
    assert classify_trend(values) == trend


def test_timeline_orders_by_date_and_classifies():
    tl = build_timeline([_load("serial_plasma_t2"), _load("serial_plasma_t1")])
    assert [p.sample_id for p in tl.points] == ["P002-P1", "P002-P2"]
    trends = {s.key: (s.values, s.trend) for s in tl.series}
    assert trends["ALK G1202R"] == ((0.008, 0.046), "rising")
    assert trends["DNMT3A R882H"][1] == "stable"


def test_timeline_gap_when_not_assessable():
    t1 = fixture_data("serial_plasma_t1")
    t1["alterations"] = [a for a in t1["alterations"] if a["id"] != "A2"]
    t1["mechanisms"], t1["drug_calls"] = [], []
    t1["not_detected"].append({"gene": "ALK", "hgvs_p": "p.G1202R", "depth": 20, "lod_vaf": None,
                               "assessable": False})
    tl = build_timeline([parse_report(t1), _load("serial_plasma_t2")])
    g = next(s for s in tl.series if s.key == "ALK G1202R")
    assert g.values == (None, 0.046) and g.trend == "single"


def test_svgs_are_well_formed_xml():
    r = _load("serial_plasma_t2")
    figs = [plots.fusion_diagram(r.alteration("A1")), plots.vaf_bars(r.alterations, 0.1),
            plots.lollipop("ALK", r.alterations),
            plots.vaf_timeline(build_timeline([r, _load("serial_plasma_t1")]))]
    for svg in figs:
        root = ET.fromstring(str(svg))
        assert root.tag == f"{NS}svg" and root.find(f"{NS}title") is not None


def test_svg_text_escaped():
    r = parse_report(hostile())
    svg = str(plots.fusion_diagram(r.alteration("A1"))) + str(plots.lollipop(r.alteration("A2").gene,
                                                                               r.alterations))
    assert XSS not in svg and "&lt;script&gt;" in svg
    ET.fromstring(str(plots.fusion_diagram(r.alteration("A1"))))


def test_lollipop_uses_panel_domain_without_inventing():
    model = plots.ProteinModel("ALK", 1620, (1116, 1383))
    svg = str(plots.lollipop("ALK", _load("alk_g1202r_tissue").alterations, model))
    assert "kinase domain 1116\u20131383" in svg and "G1202R (21.4%)" in svg
    bare = str(plots.lollipop("ALK", _load("alk_g1202r_tissue").alterations,
                              plots.ProteinModel("ALK", None, None)))
    assert "kinase-domain coordinates unavailable" in bare


def test_fusion_diagram_states_domain_and_frame():
    data = fixture_data("alk_g1202r_tissue")
    data["alterations"][0]["fusion"].update(kinase_domain_retained=False, in_frame=None)
    svg = str(plots.fusion_diagram(parse_report(data).alteration("A1")))
    assert "domain lost" in svg and "in frame: unknown" in svg
