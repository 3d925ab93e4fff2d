"""Annotated VCF output: matching by chrom/pos/ref/alt per ALT allele, counts, encoding."""

from __future__ import annotations

import pysam
import pytest
from report_fixtures import DATA, fixture_data

from kinres.errors import InputError
from kinres.report.json import load_report, parse_report
from kinres.report.vcf_out import annotate_vcf, encode_info

HEADER = """##fileformat=VCFv4.2
##contig=<ID=chr2,length=242193529>
##contig=<ID=chr17,length=83257441>
##INFO=<ID=DP,Number=1,Type=Integer,Description="Depth">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=AF,Number=A,Type=Float,Description="Allele fraction">
#CHROM	POS	ID	REF	ALT	QUAL	FILTER	INFO	FORMAT	TUMOR
"""
RECORDS = [
    "chr2\t29220747\t.\tC\tG,T\t50\tPASS\tDP=812\tGT:AF\t0/2:0.01,0.214",  # multiallelic, G1202R 2nd
    "chr2\t29220800\t.\tA\tG\t50\tPASS\tDP=700\tGT:AF\t0/1:0.3",  # not in the report
    "chr17\t7673802\t.\tCA\tTA\t50\tPASS\tDP=790\tGT:AF\t0/1:0.41",  # TP53 R273H, unnormalised
]


def _vcf(tmp_path, records=RECORDS, header=HEADER):
    path = tmp_path / "in.vcf"
    path.write_text(header + "\n".join(records) + "\n")
    return path


def _records(path):
    with pysam.VariantFile(str(path)) as fh:
        return list(fh)


def test_annotates_matching_alleles_only(tmp_path):
    report = load_report(DATA / "alk_g1202r_tissue.report.json")
    out = tmp_path / "P001-T1.kinres.vcf"
    res = annotate_vcf(_vcf(tmp_path), report, out)
    assert (res.records_in, res.records_out, res.annotated_records) == (3, 3, 2)
    assert res.matched_alterations == ("A2", "A3") and not res.warnings
    g1202r, other, tp53 = _records(out)
    assert g1202r.info["KINRES_GENE"] == (".", "ALK")
    assert g1202r.info["KINRES_HGVSP"] == (".", "p.G1202R")
    assert g1202r.info["KINRES_ROLE"] == (".", "on_target_resistance")
    assert g1202r.info["KINRES_CLASS"] == (".", "solvent_front")
    assert g1202r.info["KINRES_ALT_ID"] == (".", "A2")
    assert "KINRES_GENE" not in other.info
    assert tp53.info["KINRES_HGVSP"] == ("p.R273H",) and tp53.info["KINRES_CLASS"] == (".",)
    assert g1202r.samples["TUMOR"]["AF"] == pytest.approx((0.01, 0.214))  # FORMAT kept


def test_annotated_only_and_bgzip(tmp_path):
    report = load_report(DATA / "alk_g1202r_tissue.report.json")
    out = tmp_path / "x.kinres.vcf.gz"
    res = annotate_vcf(_vcf(tmp_path), report, out, records="annotated")
    assert res.records_out == 2
    assert out.read_bytes()[:2] == b"\x1f\x8b"
    assert [r.pos for r in _records(out)] == [29220747, 7673802]


def test_unmatched_and_coordinate_less_alterations_reported(tmp_path):
    data = fixture_data("alk_g1202r_tissue")
    data["alterations"][2]["pos"] = 7673000  # TP53 now matches nothing
    for key in ("chrom", "pos", "ref", "alt"):
        data["alterations"][1].pop(key)
    res = annotate_vcf(_vcf(tmp_path), parse_report(data), tmp_path / "o.vcf")
    assert res.unmatched_alterations == ("A3",)
    assert res.without_coordinates == ("A2",)
    assert res.annotated_records == 0 and len(res.warnings) == 2


def test_info_values_percent_encoded(tmp_path):
    assert encode_info("a b;c=d,e%") == "a%20b%3Bc%3Dd%2Ce%25"
    data = fixture_data("alk_g1202r_tissue")
    data["alterations"][1]["gene"] = "ALK;X=1 <b>"
    annotate_vcf(_vcf(tmp_path), parse_report(data), tmp_path / "o.vcf")
    rec = _records(tmp_path / "o.vcf")[0]
    assert rec.info["KINRES_GENE"] == (".", "ALK%3BX%3D1%20<b>")


def test_existing_kinres_tag_refused(tmp_path):
    header = HEADER.replace("##FORMAT=<ID=GT", '##INFO=<ID=KINRES_GENE,Number=A,Type=String,'
                            'Description="old">\n##FORMAT=<ID=GT')
    with pytest.raises(InputError, match="KINRES_GENE"):
        annotate_vcf(_vcf(tmp_path, header=header),
                     load_report(DATA / "alk_g1202r_tissue.report.json"), tmp_path / "o.vcf")
    assert not (tmp_path / "o.vcf").exists()


def test_missing_vcf(tmp_path):
    with pytest.raises(InputError, match="not found"):
        annotate_vcf(tmp_path / "none.vcf", load_report(DATA / "alk_g1202r_tissue.report.json"),
                     tmp_path / "o.vcf")
