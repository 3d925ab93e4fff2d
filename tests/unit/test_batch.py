"""kinres report / kinres batch end to end on the fixtures: outputs, links, timeline, MultiQC."""

from __future__ import annotations

import csv
import re
import shutil
import urllib.parse

import pytest
import yaml
from report_fixtures import DATA, FIXTURES

from kinres.cli import main


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    root = tmp_path_factory.mktemp("results")
    paths = []
    for name in FIXTURES:
        d = root / name
        d.mkdir()
        shutil.copy(DATA / f"{name}.report.json", d / "report.json")
        paths.append(d / "report.json")
    for p in paths:
        assert main(["-q", "report", "--report", str(p), "--outdir", str(p.parent), "--no-pdf"]) == 0
    assert main(["batch", "--reports", *map(str, paths), "--outdir", str(root / "batch")]) == 0
    return root


def test_per_sample_outputs(results):
    for name in FIXTURES:
        for out in ("report.json", "report.html", "alterations.tsv", "drug_calls.tsv"):
            assert (results / name / out).is_file(), (name, out)
        assert not (results / name / "report.pdf").exists()  # --no-pdf


def test_summary_row_per_sample(results):
    with open(results / "batch" / "summary.tsv") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    assert sorted(r["sample_id"] for r in rows) == sorted(
        ["P001-T1", "P002-P1", "P002-P2", "P003-T2", "P004-P1"])
    by_id = {r["sample_id"]: r for r in rows}
    assert by_id["P001-T1"]["resistance_alterations"] == "ALK G1202R"
    assert by_id["P001-T1"]["top_option"] == "lorlatinib"
    assert by_id["P004-P1"]["mechanism_classes"] == "none_identified"
    assert by_id["P004-P1"]["informative_negative"] == "false"
    assert by_id["P002-P2"]["bypass_alterations"] == "MET amplification"


def test_links_resolve(results):
    html = (results / "batch" / "summary.html").read_text()
    links = set(re.findall(r'href="([^"]+)"', html))
    assert len(links) == 5
    for link in links:
        target = (results / "batch" / urllib.parse.unquote(link)).resolve()
        assert target.is_file() and target.name == "report.html"
    assert not re.search(r"""(src|href)=["']?https?:""", html)


def test_timeline_for_serial_patient_only(results):
    html = (results / "batch" / "summary.html").read_text()
    assert html.count("Patient P002 (2 samples)") == 1
    assert "Patient P001 (" not in html
    timeline = html[html.index('id="timelines"'):]
    assert "ALK G1202R: rising" in timeline and "<svg" in timeline
    assert timeline.index("P002-P1") < timeline.index("P002-P2")


def test_multiqc_custom_content(results):
    text = (results / "batch" / "kinres_mqc.tsv").read_text()
    header = yaml.safe_load("\n".join(l[2:] for l in text.splitlines() if l.startswith("# ")))
    assert header["plot_type"] == "table" and header["id"] == "kinres"
    assert "tumor_fraction" in header["headers"] and "mechanism_class" in header["headers"]
    table = [l.split("\t") for l in text.splitlines() if not l.startswith("#")]
    assert table[0][0] == "Sample" and len(table) == 6
    assert {len(r) for r in table} == {len(table[0])}


def test_batch_warns_and_links_json_when_html_missing(tmp_path, caplog):
    d = tmp_path / "s1"
    d.mkdir()
    shutil.copy(DATA / "chip_only_plasma.report.json", d / "report.json")
    assert main(["batch", "--reports", str(d / "report.json"), "--outdir", str(tmp_path / "b")]) == 0
    html = (tmp_path / "b" / "summary.html").read_text()
    assert 'href="../s1/report.json"' in html
    assert "no HTML report" in caplog.text


def test_cli_input_error_is_reported_not_raised(tmp_path, capsys):
    bad = tmp_path / "report.json"
    bad.write_text("{}")
    assert main(["report", "--report", str(bad), "--outdir", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "kinres error" in err and str(bad) in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()  # no partial output


def test_report_command_with_vcf_pdf_and_timeline(tmp_path, caplog):
    caplog.set_level("INFO")
    out = tmp_path / "P002-P2"
    vcf = tmp_path / "in.vcf"
    vcf.write_text("##fileformat=VCFv4.2\n##contig=<ID=2,length=242193529>\n"
                   "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
                   "2\t29220747\t.\tC\tT\t.\tPASS\t.\n2\t25234373\t.\tC\tT\t.\tPASS\t.\n")
    assert main(["report", "--report", str(DATA / "serial_plasma_t2.report.json"),
                 "--outdir", str(out), "--vcf", str(vcf), "--pdf",
                 "--patient-reports", str(DATA / "serial_plasma_t1.report.json")]) == 0
    assert (out / "report.pdf").read_bytes()[:4] == b"%PDF"
    assert 'id="timeline"' in (out / "report.html").read_text()
    vcf_text = (out / "P002-P2.kinres.vcf").read_text()
    assert "KINRES_ALT_ID=A2" in vcf_text and "KINRES_ALT_ID=A3" in vcf_text
    steps = [r.getMessage() for r in caplog.records if r.getMessage().startswith("P002-P2:")]
    assert any("2 annotated" in s for s in steps) and any("(4 rows)" in s for s in steps)
