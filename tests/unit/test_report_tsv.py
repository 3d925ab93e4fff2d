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


def test_formula_like_cells_are_neutralised_numbers_stay_numbers(tmp_path):
    """Issue 10.7: a fusion partner '=HYPERLINK(...)' must not become a live spreadsheet formula."""
    data = fixture_data("alk_g1202r_tissue")
    fusion = next(a for a in data["alterations"] if a.get("fusion"))
    fusion["fusion"]["five_prime_gene"] = '=HYPERLINK("http://evil.example","EML4")'
    fusion["gene"] = "+cmd|' /C calc'!A0"
    data["alterations"][1]["hgvs_c"] = "@SUM(1+1)"
    data["alterations"][1]["vaf"] = 0.214
    data["sample"]["patient_id"] = "-P001"
    r = parse_report(data)
    write_alterations_tsv(r, tmp_path / "a.tsv")
    rows = _read(tmp_path / "a.tsv")
    assert rows[0]["fusion_five_prime_gene"] == '\'=HYPERLINK("http://evil.example","EML4")'
    assert rows[0]["gene"].startswith("'+cmd")
    assert rows[1]["hgvs_c"] == "'@SUM(1+1)" and rows[1]["vaf"] == "0.214"
    assert rows[0]["patient_id"] == "'-P001"
    for line in (tmp_path / "a.tsv").read_text().splitlines()[1:]:
        assert not any(c and c[0] in "=+@" for c in line.split("\t")), line


def test_cell_keeps_numbers_and_neutralises_tab_and_cr():
    from kinres.report.tsv import cell

    assert [cell(v) for v in (-0.5, "-0.5", "1e-3", 3, "-", "c.-14G>A")] == [
        "-0.5", "-0.5", "1e-3", "3", "-", "c.-14G>A"]
    assert cell("\t=1+1") == "' =1+1" and cell("\r=1") == "' =1"
    assert cell(["=a", "b"]) == "'=a;b" and cell("-x") == "'-x"


def test_drug_calls_tsv_prints_only_public_citations(tmp_path):
    data = fixture_data("ntrk3_etv6_g623r")
    data["drug_calls"][0]["citations"] = ["Digest section 4 (seeds S0, S3)", "PMID:1"]
    write_drug_calls_tsv(parse_report(data), tmp_path / "d.tsv")
    assert _read(tmp_path / "d.tsv")[0]["citations"] == "PMID:1"
