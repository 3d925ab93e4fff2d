"""Batch summary for a lab lead: counts, run QC, versions, failed samples, sortable/filterable
table (inline script on this page only), three glyphs, row and matrix agree, no overflow."""

from __future__ import annotations

import copy
import json
import re

import pytest
from layout_checks import chromium_overflow
from report_fixtures import fixture_data

from kinres.failure import Failure
from kinres.report.batch import GLYPHS, write_batch
from kinres.report.json import parse_report


def _reports(tmp_path, n=14):
    """n samples built from the fixtures (distinct ids/patients), some without fusion input."""
    out = []
    names = ("alk_g1202r_tissue", "serial_plasma_t2", "ntrk3_etv6_g623r", "chip_only_plasma")
    for i in range(n):
        data = copy.deepcopy(fixture_data(names[i % len(names)]))
        data["sample"]["id"] = f"S{i:02d}-{data['sample']['specimen']}-long-sample-identifier"
        data["sample"]["patient_id"] = f"P{i:02d}"
        params = {"variants": {"variants.caller": "Mutect2"}}
        if i % 3:
            params["fusions"] = {"fusions.format": "arriba"}
        data["provenance"]["parameters"] = params
        path = tmp_path / data["sample"]["id"] / "report.json"
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps(data))
        out.append(parse_report(data, path))
    return out


@pytest.fixture
def batch(tmp_path):
    reports = _reports(tmp_path)
    failed = [Failure("S99", "P99", "variants", "x.vcf, line 7: bad <b>REF</b>")]
    write_batch(reports, tmp_path / "batch", failed=failed)
    return reports, (tmp_path / "batch" / "summary.html").read_text()


def test_counts_run_qc_versions_and_failed(batch):
    reports, html = batch
    text = " ".join(re.sub(r"<[^>]+>", " ", html.split("<body>")[1].split("<script>")[0]).split())
    assert "Mechanism class Samples" in text and "Specimen Samples" in text
    assert "failed (no report) 1" in text and "Samples failed (no report) 1 S99" in text
    assert "Negative result not informative" in text and "Without BAM" in text
    assert reports[0].provenance.knowledge_version in text and "report.json schema 1" in text
    assert "bad &lt;b&gt;REF&lt;/b&gt;" in html  # error text escaped


def test_sortable_filterable_with_inline_script_only_here(batch):
    _, html = batch
    assert html.count("<script>") == 1 and 'id="samples-table"' in html
    assert 'id="f-text"' in html and 'id="f-specimen"' in html and 'id="f-mech"' in html
    assert re.search(r'data-sort="0\.\d+"', html)  # numeric sort key for TF
    assert not re.search(r"<script[^>]+src=", html)


def test_three_distinct_glyphs_and_not_tested(batch):
    _, html = batch
    assert len(set(GLYPHS.values())) == 3
    matrix = html.split('id="matrix"')[1]
    assert "cell-detected" in matrix and "cell-not_detected" in matrix and "cell-not_tested" in matrix
    assert "–" not in matrix.split("</table>")[0]  # no dash with two meanings


def test_row_and_matrix_agree(batch):
    reports, html = batch
    rows = html.split('id="samples-table"')[1].split("</table>")[0]
    matrix = html.split('id="matrix"')[1].split("</table>")[0]
    for r in reports:
        row = rows.split(f">{r.sample.id}<")[1].split("</tr>")[0]
        mrow = matrix.split(f">{r.sample.id}<")[1].split("</tr>")[0]
        if "none detected" in row:
            assert "cell-detected" not in mrow or "(" in mrow  # only non-key roles
        else:
            assert "cell-detected" in mrow


def test_no_caveat_codes_or_rule_codes_in_batch(batch):
    from kinres.report.text import leaks

    _, html = batch
    body = html.split("<script>")[0]
    assert "LOW_TUMOR_FRACTION" not in body and leaks(re.sub(r"<[^>]+>", " ", body)) == []


@pytest.mark.parametrize("width", [794, 1200])
def test_fourteen_samples_do_not_overflow(batch, tmp_path, width):
    html_path = tmp_path / "batch" / "summary.html"
    assert chromium_overflow(html_path, tmp_path, width) == []
