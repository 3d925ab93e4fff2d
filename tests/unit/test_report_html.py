"""Per-sample HTML: content generated from the JSON, escaping, self-containment, figures."""

from __future__ import annotations

import re

import pytest
from report_fixtures import DATA, XSS, fixture_data, hostile

from kinres.errors import InputError
from kinres.report.html import render_report_html
from kinres.report.json import load_report, parse_report
from kinres.report.summary import summary_text


def _load(name):
    return load_report(DATA / f"{name}.report.json")


@pytest.fixture(scope="module")
def alk_html():
    return render_report_html(_load("alk_g1202r_tissue"))


def test_header_and_sections(alk_html):
    for text in ("P001-T1", "P001", "tissue", "lung adenocarcinoma", "2024-05-14", "alectinib",
                 "Result", "What to do next", "Drug activity", "Key caveats", "Drug calls",
                 "Therapy options", "Caveats", "not detected", "Quality control", "Knowledge",
                 "support, not replace", "p.L1196M", "EML4 exon 6 :: ALK exon 20",
                 "kinres-kb 2025.06", "Sign-out", "Tumour purity"):
        assert text in alk_html, text
    sha = load_report(DATA / "alk_g1202r_tissue.report.json").provenance.knowledge_sha256
    assert sha[:16] in alk_html  # shortened on paper; the full hash is in report.json


def test_drug_table_has_symbol_word_and_level(alk_html):
    detail = alk_html.split('id="drugs"')[1]
    row = re.search(r"<strong>lorlatinib</strong>.*?</tr>", detail, re.DOTALL).group(0)
    assert "call-sensitive" in row and "\u2714" in row and "Sensitive" in row
    assert "CLIN-cohort" in row and "clinical" in row
    row = re.search(r"<strong>[a-z, ]*alectinib[a-z, ]*</strong>.*?</tr>", detail, re.DOTALL).group(0)
    assert "call-resistant" in row and "\u2716" in row and "PRE" in row


def test_page_one_drug_grid(alk_html):
    grid = alk_html.split('id="drug-grid"')[1].split("</section>")[0]
    for drug in ("crizotinib", "alectinib", "lorlatinib"):
        assert f'<span class="drug">{drug}</span>' in grid
    cell = re.search(r'<div class="cell call-(\w+)"><span class="sym">.</span><span class="drug">'
                     r'lorlatinib</span>.*?</div>', grid, re.DOTALL)
    assert cell.group(1) == "sensitive" and "clinical · CLIN-cohort" in cell.group(0)
    # page one comes before the detail sections
    assert alk_html.index('id="drug-grid"') < alk_html.index('id="mechanisms"')


def test_summary_reflects_json():
    text = summary_text(_load("alk_g1202r_tissue"))
    assert "ALK G1202R (VAF 21.4%)" in text
    assert "Predicted resistance: crizotinib, ceritinib, alectinib and ensartinib." in text
    assert "Predicted sensitivity: lorlatinib." in text
    assert text.index("1. lorlatinib") < text.index("2. clinical trial")
    chip = summary_text(_load("chip_only_plasma"))
    assert "No resistance mechanism was identified" in chip
    assert "not informative" in chip and "clonal haematopoiesis" in chip
    assert "Predicted" not in chip  # no drug calls in the JSON -> none invented


def test_summary_changes_with_input():
    data = fixture_data("alk_g1202r_tissue")
    data["drug_calls"][5]["call"] = "resistant"
    text = summary_text(parse_report(data))
    assert "Predicted sensitivity" not in text and "lorlatinib" in text.split("Predicted resistance")[1]


def test_self_contained_no_external_references(alk_html):
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", alk_html, re.IGNORECASE)
    assert "<script" not in alk_html and "@import" not in alk_html and "<link" not in alk_html
    assert "url(" not in alk_html
    # the only absolute URL allowed is the SVG namespace (an identifier, never fetched)
    urls = set(re.findall(r"https?://[^\s\"'<>]+", alk_html))
    assert urls <= {"http://www.w3.org/2000/svg"}


def test_figures_inline(alk_html):
    assert alk_html.count("<svg") == 3  # fusion diagram, lollipop, VAF bars
    assert "G1202R (21.4%)" in alk_html
    assert "TF/2 = 22.5%" in alk_html


def test_injection_escaped_in_html_and_svg():
    html = render_report_html(parse_report(hostile()))
    assert XSS not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    svg_parts = re.findall(r"<svg.*?</svg>", html, re.DOTALL)
    assert svg_parts and any("&lt;script&gt;" in s for s in svg_parts)  # gene in SVG text
    assert not any("<script" in s for s in svg_parts)


def test_timeline_drawn_with_other_samples():
    t2, t1 = _load("serial_plasma_t2"), _load("serial_plasma_t1")
    html = render_report_html(t2, [t1])
    assert 'id="timeline"' in html
    assert "ALK G1202R [subclonal]: 0.80% \u2192 4.6% \u2014 rising" in html
    assert 'id="timeline"' not in render_report_html(t2)


def test_other_patient_rejected():
    with pytest.raises(InputError, match="patient"):
        render_report_html(_load("serial_plasma_t2"), [_load("alk_g1202r_tissue")])


def test_uninformative_negative_is_highlighted():
    html = render_report_html(_load("chip_only_plasma"))
    assert "answer uninformative" in html
    assert "no — tumour content inadequate or unknown" in html
    assert "No drug calls" in html


def test_mechanism_note_is_rendered_and_escaped():
    """Digest s3 rule: a bypass mechanism must state whether the driver is still detected."""
    data = fixture_data("alk_g1202r_tissue")
    assert data["mechanisms"], "fixture must carry a mechanism"
    data["mechanisms"][0]["note"] = "driver fusion still detected (EML4-ALK) <b>x</b>"
    html = render_report_html(parse_report(data, DATA / "alk_g1202r_tissue.report.json"))
    assert "driver fusion still detected (EML4-ALK) &lt;b&gt;x&lt;/b&gt;" in html
