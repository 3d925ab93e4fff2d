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


# --------------------------------------------------------------------------- real-world inputs
NO_CONTIG_HEADER = "\n".join(line for line in HEADER.splitlines()
                             if not line.startswith(("##contig", "##INFO=<ID=DP"))) + "\n"


def _report():
    return load_report(DATA / "alk_g1202r_tissue.report.json")


def _check_copy(out, n=3):
    recs = _records(out)
    assert len(recs) == n
    assert recs[0].info["KINRES_HGVSP"] == (".", "p.G1202R")
    return recs


@pytest.mark.parametrize("out_name", ["o.vcf", "o.vcf.gz"])
def test_vcf_without_contig_lines_and_undeclared_tags(tmp_path, out_name):
    """VEP/VAtools VCFs often lack ##contig; undeclared INFO/FILTER made htslib exit(1)."""
    records = [r.replace("\tPASS\t", "\tLowQual;PASS\t", 1) if i == 1 else r
               for i, r in enumerate(RECORDS)]
    records.append("chr5\t100\t.\tA\tG\t50\tweird_filter\tNEWTAG=1;DP=3\tGT:AF\t0/1:0.2")
    vcf = _vcf(tmp_path, records=records, header=NO_CONTIG_HEADER)
    res = annotate_vcf(vcf, _report(), tmp_path / out_name)
    assert (res.records_in, res.records_out, res.annotated_records) == (4, 4, 2)
    text = (tmp_path / out_name).read_bytes()
    if out_name.endswith(".gz"):
        import gzip
        text = gzip.decompress(text)
    body = [line for line in text.decode().splitlines() if not line.startswith("#")]
    assert body[1] == records[1] and body[3] == records[3]  # untouched records byte-identical
    assert "KINRES_HGVSP=.,p.G1202R" in body[0]


@pytest.mark.parametrize("compress", ["gzip", "bgzip"])
def test_plain_gzip_and_bgzip_input(tmp_path, compress):
    """Plain gzip used to fail with 'seek not implemented in files compressed by method 1'."""
    import gzip

    vcf = _vcf(tmp_path)
    if compress == "gzip":
        gz = tmp_path / "in.vcf.gz"
        gz.write_bytes(gzip.compress(vcf.read_bytes()))
    else:
        pysam.tabix_compress(str(vcf), str(tmp_path / "in.vcf.gz"))
        gz = tmp_path / "in.vcf.gz"
    _check_copy(annotate_vcf(gz, _report(), tmp_path / "o.vcf.gz") and tmp_path / "o.vcf.gz")


def test_crlf_and_bom_input(tmp_path):
    vcf = tmp_path / "in.vcf"
    vcf.write_bytes(b"\xef\xbb\xbf" + (HEADER + "\n".join(RECORDS) + "\n").replace(
        "\n", "\r\n").encode())
    res = annotate_vcf(vcf, _report(), tmp_path / "o.vcf")
    assert res.annotated_records == 2
    assert b"\r" not in (tmp_path / "o.vcf").read_bytes()
    _check_copy(tmp_path / "o.vcf")


def test_bcf_input(tmp_path):
    vcf = _vcf(tmp_path)
    bcf = tmp_path / "in.bcf"
    with pysam.VariantFile(str(vcf)) as src, pysam.VariantFile(str(bcf), "wb",
                                                               header=src.header) as dst:
        for rec in src:
            dst.write(rec)
    res = annotate_vcf(bcf, _report(), tmp_path / "o.vcf.gz")
    assert res.records_in == 3 and res.annotated_records == 2
    _check_copy(tmp_path / "o.vcf.gz")


def test_last_record_without_newline_and_no_chrom_line(tmp_path):
    vcf = tmp_path / "in.vcf"
    vcf.write_text(HEADER + "\n".join(RECORDS))
    assert annotate_vcf(vcf, _report(), tmp_path / "o.vcf").records_out == 3
    bad = tmp_path / "bad.vcf"
    bad.write_text("".join(line + "\n" for line in HEADER.splitlines()[:-1]) + RECORDS[0] + "\n")
    with pytest.raises(InputError, match="#CHROM"):
        annotate_vcf(bad, _report(), tmp_path / "o2.vcf")
    assert not (tmp_path / "o2.vcf").exists()


@pytest.mark.parametrize("case", ["directory", "empty", "fifo", "long_name"])
def test_odd_files_refused(tmp_path, case):
    import os

    if case == "directory":
        path = tmp_path / "d.vcf"
        path.mkdir()
    elif case == "empty":
        path = tmp_path / "e.vcf"
        path.write_text("")
    elif case == "fifo":
        path = tmp_path / "f.vcf"
        os.mkfifo(path)
    else:
        path = tmp_path / ("x" * 300 + ".vcf")
    with pytest.raises(InputError):
        annotate_vcf(path, _report(), tmp_path / "o.vcf")


def test_results_path_under_a_file_is_an_output_error(tmp_path):
    from kinres.errors import OutputError

    (tmp_path / "results").write_text("a file, not a folder")
    with pytest.raises(OutputError, match="results"):
        annotate_vcf(_vcf(tmp_path), _report(), tmp_path / "results" / "o.vcf")


def test_read_only_results_folder_is_an_output_error(tmp_path):
    import os

    from kinres.errors import OutputError

    if os.geteuid() == 0:
        pytest.skip("root ignores folder permissions")
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        with pytest.raises(OutputError, match="permission"):
            annotate_vcf(_vcf(tmp_path), _report(), ro / "o.vcf")
    finally:
        ro.chmod(0o700)


@pytest.mark.parametrize("compress", ["gzip", "bgzip"])
def test_truncated_compressed_input_is_an_input_error(tmp_path, compress):
    import gzip

    text = (HEADER + "\n".join(RECORDS * 3000) + "\n").encode()
    gz = tmp_path / "in.vcf.gz"
    if compress == "gzip":
        gz.write_bytes(gzip.compress(text))
    else:
        (tmp_path / "in.vcf").write_bytes(text)
        pysam.tabix_compress(str(tmp_path / "in.vcf"), str(gz))
    gz.write_bytes(gz.read_bytes()[: gz.stat().st_size // 2])
    with pytest.raises(InputError, match="truncated or corrupt"):
        annotate_vcf(gz, _report(), tmp_path / "o.vcf.gz")
    assert not (tmp_path / "o.vcf.gz").exists()
