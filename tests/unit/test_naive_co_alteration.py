"""Treatment-naive frame: a KRAS co-mutation beside an ALK fusion is a co-alteration at diagnosis,
not an acquired bypass (tumour-board review, defect B): ALK drugs keep their fusion-level calls,
the first-line ALK TKI is offered, the co-mutation is noted, never "continue the driver TKI"."""

from __future__ import annotations

from test_kras_g12c_bypass import _fusion, _report

FIRST_LINE = {"lorlatinib", "alectinib", "brigatinib"}


def test_naive_alk_with_kras_keeps_first_line_tki():
    d = _report("lung adenocarcinoma", _fusion("EML4", "ALK", 13, 20), (), None, change="p.G12V")
    calls = {c["drug"]: c["call"] for c in d["drug_calls"]}
    assert all(calls[x] == "sensitive" for x in FIRST_LINE), calls
    top = d["therapy_options"][0]
    assert set(top["drugs"]) <= FIRST_LINE and top["drugs"], top
    assert not any("continue the" in o["option"].lower() for o in d["therapy_options"])
    assert not any("trametinib" in o["drugs"] for o in d["therapy_options"])
    assert d["clinical_context"]["frame"] == "treatment_naive"
    assert [m["class"] for m in d["mechanisms"]] == ["none_identified"]
    kras = next(a for a in d["alterations"] if a["gene"] == "KRAS")
    assert kras["hgvs_p"] == "p.G12V" and kras["role"] != "bypass"  # kept in the report, not a bypass
    notes = [n["text"] for n in d["clinical_context"]["notes"]]
    assert any("Co-alteration at diagnosis" in t and "KRAS p.G12V" in t and "may limit" in t for t in notes), notes


def test_after_tki_kras_is_still_a_bypass():
    d = _report("lung adenocarcinoma", _fusion("EML4", "ALK", 13, 20), ("alectinib",), "lorlatinib",
                change="p.G12V")
    kras = next(a for a in d["alterations"] if a["gene"] == "KRAS")
    assert kras["role"] == "bypass"
    assert {c["drug"]: c["call"] for c in d["drug_calls"]}["lorlatinib"] != "sensitive"
