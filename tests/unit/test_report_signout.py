"""Sign-out content of the per-sample report: laboratory, assay, status and reviewer, methods
generated from what ran, page-one answer, no internal codes, one number formatter."""

from __future__ import annotations

import base64
import re

import pytest
from layout_checks import visible_text
from report_fixtures import DATA, fixture_data

from kinres.errors import ConfigError
from kinres.report.html import render_report_html
from kinres.report.json import parse_report
from kinres.report.settings import Settings
from kinres.report.text import clinical_text, leaks, public_citations

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


def _html(data, settings=None):
    return render_report_html(parse_report(data, DATA / "x.report.json"), settings=settings)


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html.split("<body>")[1]).split())


def test_default_banner_says_the_lab_is_not_configured():
    html = _html(fixture_data("alk_g1202r_tissue"))
    assert "Laboratory not configured" in html and "Assay not configured" in html
    assert "kinres molecular diagnostics" not in html.lower()
    assert "DRAFT" in html  # default status


def test_lab_assay_and_signout_from_config(tmp_path):
    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG)
    settings = Settings.from_mapping({
        "lab_name": "Molecular Pathology, St Example", "lab_address": "1 Road, Town",
        "lab_accreditation": ["CAP 1234567", "CLIA 99D1234567"], "lab_logo": str(logo),
        "assay_name": "LungFusion DNA/RNA", "assay_version": "2.1",
        "assay_lod": "SNV 0.5% VAF", "status": "final", "reviewed_by": "Dr A. Reviewer",
        "review_date": "2024-06-01"})
    text = _text(html := _html(fixture_data("alk_g1202r_tissue"), settings))
    for key in ("Molecular Pathology, St Example", "1 Road, Town", "CAP 1234567 · CLIA 99D1234567",
                "LungFusion DNA/RNA v2.1", "SNV 0.5% VAF", "FINAL", "Dr A. Reviewer", "2024-06-01",
                "ALK (NM_004304.5)", "NTRK3 (NM_001012338)", "KRAS"):
        assert key in text, key
    assert 'src="data:image/png;base64,' in html  # logo inline: the report stays one file
    assert "not configured" not in text


def test_sheet_signout_overrides_config_and_sample_identifiers_print():
    data = fixture_data("alk_g1202r_tissue")
    data["sample"].update(accession="ACC-24-0042", ordering_clinician="Dr O. Ncologist")
    data["signout"] = {"status": "amended", "reviewed_by": "Dr B", "review_date": "2024-07-02"}
    text = _text(_html(data, Settings(status="final", reviewed_by="Dr A")))
    for key in ("ACC-24-0042", "Dr O. Ncologist", "AMENDED", "Dr B", "2024-07-02"):
        assert key in text, key
    assert "Dr A " not in text


@pytest.mark.parametrize("mapping, problem", [
    ({"status": "signed"}, None), ({"review_date": "01/02/2024"}, "ISO date"),
    ({"lab_logo": "logo.gif"}, ".png"),
])
def test_bad_report_settings_are_config_errors(mapping, problem, tmp_path):
    from kinres.config import validate_mapping

    if problem is None:  # the schema rejects it before Settings sees it
        with pytest.raises(Exception, match="signed"):
            validate_mapping({"report": mapping}, "config.schema.json", "config")
        return
    with pytest.raises(ConfigError, match=re.escape(problem)):
        _html(fixture_data("alk_g1202r_tissue"), Settings.from_mapping(mapping))


def test_rule_codes_and_non_public_citations_never_printed():
    data = fixture_data("alk_g1202r_tissue")
    data["therapy_options"][0]["rationale"] = "A11/MET_AMP: MET amplification (bypass); Bypass-directed combination (see bypass rule)"
    data["therapy_options"][1]["rationale"] = "N9: Consensus"
    data["therapy_options"][1]["citations"] = ["Digest section 4 (seeds S0, S3)"]
    data["drug_calls"][0]["citations"] = ["Digest section 3 (seed S3)", "PMID:27432227"]
    data["mechanisms"][0]["evidence"] = ["Digest section 3", "PMID:1"]
    data["caveats"][0]["text"] = "A2 ALK p.G1202R: X2: check"
    text = _text(_html(data))
    assert leaks(text) == [], leaks(text)
    assert "MET amplification (bypass); Bypass-directed combination" in text
    assert "PMID:27432227" in text and "Consensus" in text


def test_every_caveat_code_has_a_written_title():
    """A caveat heading is clinical wording, never the code reworded ('Liquid off target
    insensitive' reached page one of plasma reports before each code had a title)."""
    from kinres.enums import CaveatCode
    from kinres.report.labels import CAVEAT_TITLES

    assert sorted(set(CaveatCode) - set(CAVEAT_TITLES)) == []


def test_clinical_text_helpers():
    assert clinical_text("A8: Post-lorlatinib compounds; N3: next") == "Post-lorlatinib compounds; next"
    assert clinical_text("R2: Repotrectinib. X1: none") == "Repotrectinib. none"
    assert public_citations(["Digest s4 (seeds S0, S3)", "PMID:1", "PMID:1", "TRIDENT-1"]) == (
        "PMID:1", "TRIDENT-1")
    assert leaks("Lin 2021 Clin Cancer Res 27:2899; DOI:10.1158/1078-0432; ALK p.G1202R; P01-PL1") == []
    assert leaks("N9: Consensus") and leaks("see bypass rule") and leaks("A11/MET_AMP")


def test_copy_number_rounded_by_one_formatter_everywhere():
    data = fixture_data("alk_g1202r_tissue")
    data["alterations"].append({
        "id": "A4", "kind": "amplification", "gene": "MET", "role": "bypass", "transcript": None,
        "hgvs_c": None, "hgvs_p": None, "exon": None, "vaf": None, "depth": None,
        "alt_reads": None, "copy_number": 23.548, "fusion": None, "in_kinase_domain": None,
        "structural_class": None, "flags": []})
    data["mechanisms"].append({"class": "off_target", "label": "MET amplification (bypass)",
                               "alteration_ids": ["A4"], "compound": False, "phase": None,
                               "evidence": []})
    html = _html(data)
    assert "23.548" not in html and "copy number 23.5" in html and ">23.5<" in html


def test_tissue_purity_label_and_liquid_tumour_fraction():
    tissue = _text(_html(fixture_data("alk_g1202r_tissue")))
    assert "Tumour purity" in tissue and "Tumour fraction" not in tissue
    plasma = _text(_html(fixture_data("serial_plasma_t2")))
    assert "Tumour fraction" in plasma and "Tumour purity" not in plasma


def test_no_bam_summarises_hotspots_and_negative_is_not_a_plain_yes():
    data = fixture_data("alk_g1202r_tissue")
    data["qc"]["informative_negative"] = True
    data["not_detected"] = [{"gene": "ALK", "hgvs_p": f"p.X{i}Y", "depth": None, "lod_vaf": None,
                             "assessable": False} for i in range(22)] + [
        {"gene": "ALK", "hgvs_p": f"p.Z{i}W", "depth": 900, "lod_vaf": 0.01, "assessable": True}
        for i in range(7)]
    html = _html(data)
    text = _text(html)
    assert "22 of 29 resistance hotspots (ALK) could not be assessed because no BAM was supplied" in text
    assert "not excluded" in text and html.count("<tr><td>ALK</td>") == 7  # only assessable rows
    qc = text.split("Negative result informative")[1][:200]
    assert qc.startswith(" limited") and "22 of 29" in qc
    assert "no — not excluded" not in text


def test_methods_follow_what_was_run():
    data = fixture_data("alk_g1202r_tissue")
    data["provenance"]["parameters"] = {
        "variants": {"variants.annotation": "CSQ", "variants.caller": "Mutect2", "variants.filters": "PASS"},
        "fusions": {"fusions.format": "arriba"}}
    text = _text(_html(data))
    assert "VEP-annotated VCF from Mutect2" in text and "arriba calls" in text
    assert "no copy-number calls were supplied" in text and "no BAM was supplied" in text
    assert "Not assessed for lack of input: copy number." in text
    data["provenance"]["parameters"]["coverage"] = {"coverage.min_alt_reads": "3"}
    assert "were read from the BAM" in _text(_html(data))


def test_page_one_order():
    html = _html(fixture_data("alk_g1202r_tissue"))
    order = [html.index(f'id="{s}"') for s in ("summary", "next", "drug-grid", "key-caveats",
                                               "mechanisms", "alterations", "drugs", "methods", "signout")]
    assert order == sorted(order)


def test_visible_text_of_generated_files_is_clean(tmp_path):
    from report_fixtures import write_report

    from kinres.report.render import render_sample

    data = fixture_data("alk_g1202r_tissue")
    data["therapy_options"][0]["rationale"] = "N9: Consensus"
    data["drug_calls"][0]["citations"] = ["Digest section 4 (seeds S0, S3)"]
    path = write_report(tmp_path / "in", data)
    out = render_sample(path, tmp_path / "out", pdf=False)
    for f in (out.html, out.alterations_tsv, out.drug_calls_tsv):
        assert leaks(visible_text(f)) == [], f
