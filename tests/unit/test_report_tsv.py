"""alterations.tsv / drug_calls.tsv."""

from __future__ import annotations

import csv

from report_fixtures import DATA, fixture_data

from kinres.report.json import load_report, parse_report
from kinres.report.tsv import (
    ALTERATION_COLUMNS,
    DRUG_CALL_COLUMNS,
    write_alterations_tsv,
    write_drug_calls_tsv,
)


def _read(path):
    with open(path) as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def test_alterations_tsv(tmp_path):
    r = load_report(DATA / "alk_g1202r_tissue.report.json")
    assert write_alterations_tsv(r, tmp_path / "a.tsv") == 3
    rows = _read(tmp_path / "a.tsv")
    assert list(rows[0]) == list(ALTERATION_COLUMNS)
    fusion, g1202r, _ = rows
    assert fusion["fusion_junction"] == "EML4 exon 6 :: ALK exon 20"
    assert fusion["fusion_in_frame"] == "true" and fusion["vaf"] == ""
    assert (g1202r["hgvs_p"], g1202r["vaf"], g1202r["structural_class"], g1202r["pos"]) == (
        "p.G1202R", "0.214", "solvent_front", "29220747")


def test_drug_calls_tsv_and_cell_sanitising(tmp_path):
    data = fixture_data("ntrk3_etv6_g623r")
    data["drug_calls"][0]["citations"] = ["line\tone", "two\nthree"]
    r = parse_report(data)
    assert write_drug_calls_tsv(r, tmp_path / "d.tsv") == 5
    rows = _read(tmp_path / "d.tsv")
    assert list(rows[0]) == list(DRUG_CALL_COLUMNS)
    assert rows[0]["citations"] == "line one;two three"
    assert rows[2]["drug"] == "repotrectinib" and rows[2]["call"] == "sensitive"
    assert rows[2]["based_on"] == "A1;A2"
    assert all(len(line.split("\t")) == len(DRUG_CALL_COLUMNS)
               for line in (tmp_path / "d.tsv").read_text().splitlines())
