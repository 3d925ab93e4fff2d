"""PDF via WeasyPrint: text, drug table, page count, footer, nothing outside the page."""

from __future__ import annotations

import subprocess

import pytest
from layout_checks import inked_right_margin, pdf_pages, require, words_outside_page
from report_fixtures import DATA

from kinres.report.html import render_report_html
from kinres.report.json import load_report
from kinres.report.pdf import html_to_pdf, write_pdf


@pytest.fixture(scope="module")
def pdf(tmp_path_factory):
    path = tmp_path_factory.mktemp("pdf") / "report.pdf"
    write_pdf(render_report_html(load_report(DATA / "alk_g1202r_tissue.report.json")), path)
    return path


@pytest.fixture(scope="module")
def pdf_text(pdf):
    require("pdfinfo", "pdftotext")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return pdf_pages(pdf), info, text


def test_page_count_and_a4(pdf_text):
    pages, info, _ = pdf_text
    assert pages <= 3  # a typical sample fits in three A4 pages
    assert "(A4)" in info  # A4 in points


def test_page_one_answers_and_drug_table_in_text(pdf_text):
    _, _, text = pdf_text
    page_one = " ".join(text.split("\f")[0].split())
    for key in ("RESULT", "WHAT TO DO NEXT", "DRUG ACTIVITY", "KEY CAVEATS", "lorlatinib",
                "Sensitive", "Resistant", "G1202R"):
        assert key in page_one, key
    flat = " ".join(text.split())
    assert "PMID:27432227" in flat and "Reduced activity" in flat


def test_footer_has_sample_id_and_page_numbers(pdf_text):
    pages, _, text = pdf_text
    assert text.count("Sample P001-T1") >= pages
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text


def test_no_word_outside_the_page_and_blank_right_margin(pdf):
    assert words_outside_page(pdf) == []
    assert inked_right_margin(pdf) == []


def test_external_resources_are_not_fetched():
    html = '<html><body><p>x</p><img src="http://example.invalid/a.png"></body></html>'
    assert html_to_pdf(html).startswith(b"%PDF")  # fetch refused, rendering continues offline


def test_warm_renderer_writes_the_bytes_plain_weasyprint_writes():
    """The pre-parsed stylesheet and the collector settings only change the cost: the PDF is the
    one WeasyPrint writes from the same HTML with its inline <style> (issue 12)."""
    from weasyprint import HTML

    from kinres.report.pdf import _font_config

    html = render_report_html(load_report(DATA / "alk_g1202r_tissue.report.json"))
    plain = HTML(string=html).write_pdf(font_config=_font_config())
    assert html_to_pdf(html) == plain


def test_render_restores_the_collector_thresholds():
    import gc

    before = gc.get_threshold()
    html_to_pdf("<html><body><p>x</p></body></html>")
    assert gc.get_threshold() == before


def test_write_pdfs_renders_each_report_beside_its_html(tmp_path):
    from kinres.report.pdf import write_pdfs

    html = render_report_html(load_report(DATA / "alk_g1202r_tissue.report.json"))
    paths = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        path = tmp_path / name / "report.html"
        path.write_text(html, encoding="utf-8")
        paths.append(path)
    written = write_pdfs(paths)
    assert written == [p.with_name("report.pdf") for p in paths]
    assert written[0].read_bytes() == written[1].read_bytes()  # deterministic
