"""After a kinase TKI a drug call shows only figures measured in pretreated patients (review
defect J: P05 showed repotrectinib's TKI-naive response rate 58% (n=40) in a larotrectinib-pretreated
tumour); figures that do not state their population are labelled."""

from __future__ import annotations

from test_interpret_age import _g623r

from kinres.interpret.drugs import figure_population


def test_population_from_subgroup_wording():
    assert figure_population("NTRK fusion, TKI-naive") == "naive"
    assert figure_population("first-line treatment, at 5 years") == "naive"
    assert figure_population("NTRK fusion, TRK TKI-pretreated") == "pretreated"
    assert figure_population("ROS1 G2032R, after a prior ROS1 TKI") == "pretreated"
    assert figure_population("NTRK fusion-positive solid tumours (first 55 patients)") is None


def test_pretreated_tumour_shows_no_tki_naive_figure():
    d = _g623r("infantile fibrosarcoma", 0.8)  # ETV6-NTRK3 G623R after larotrectinib
    figs = [f for c in d["drug_calls"] for f in c.get("figures") or ()]
    assert figs, "expected pretreated figures for the next-generation TRK TKIs"
    assert not any("naive" in f["subgroup"].lower() for f in figs), [f["text"] for f in figs]
    repo = next(c for c in d["drug_calls"] if c["drug"] == "repotrectinib")
    assert any("pretreated" in f["subgroup"] for f in repo["figures"])
    for f in figs:
        if "pretreated" not in f["subgroup"] and "prior" not in f["subgroup"]:
            assert "population not restricted to TKI-pretreated patients" in f["text"]
