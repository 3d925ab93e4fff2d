"""PDF via WeasyPrint: text, drug table, page count, footer with the sample id."""

from __future__ import annotations

import subprocess

import pytest
from report_fixtures import DATA

from kinres.report.html import render_report_html
from kinres.report.json import load_report
from kinres.report.pdf import html_to_pdf, write_pdf


@pytest.fixture(scope="module")
def pdf_text(tmp_path_factory):
    path = tmp_path_factory.mktemp("pdf") / "report.pdf"
    r = load_report(DATA / "alk_g1202r_tissue.report.json")
    write_pdf(render_report_html(r), path)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    return pages, info, text


def test_page_count_and_a4(pdf_text):
    pages, info, _ = pdf_text
    assert 2 <= pages <= 8
    assert "(A4)" in info  # A4 in points


def test_summary_and_drug_table_in_text(pdf_text):
    _, _, text = pdf_text
    flat = " ".join(text.split())
    assert "Predicted sensitivity: lorlatinib" in flat
    assert "G1202R" in flat
    for drug, call in (("crizotinib", "Resistant"), ("brigatinib", "Reduced activity"),
                       ("lorlatinib", "Sensitive")):
        rows = [line for line in text.splitlines() if line.strip().startswith(drug + " ")]
        assert any(call in row and "PMID:27432227" in row for row in rows), (drug, rows)


def test_footer_has_sample_id_and_page_numbers(pdf_text):
    pages, _, text = pdf_text
    assert text.count("Sample P001-T1") >= pages
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text


def test_external_resources_are_not_fetched():
    html = '<html><body><p>x</p><img src="http://example.invalid/a.png"></body></html>'
    assert html_to_pdf(html).startswith(b"%PDF")  # fetch refused, rendering continues offline
