"""Tumour-board presentation defects: percent formatting, specimen names, ages, repeated notes,
synonymous changes in the lollipop and prognostic alterations not called 'uncertain'."""

from __future__ import annotations

import copy
import re

from report_fixtures import fixture_data

from kinres.enums import Build, CaveatCode, CopyNumberCall, Specimen
from kinres.fmt import fmt_pct
from kinres.interpret import caveats as caveat_rules
from kinres.interpret.ctdna import estimate_tumor_fraction
from kinres.interpret.evidence import cn_threshold
from kinres.interpret.frames import is_paediatric
from kinres.interpret.settings import Settings
from kinres.models import Sample, Variant
from kinres.report import labels
from kinres.report.html import caveat_groups, render_report_html
from kinres.report.json import parse_report
from kinres.report.plots import lollipop
from kinres.report.summary import sample_summary, summary_sentences

# a raw fraction printed next to a clinical quantity ("VAF 0.003", "tumour fraction 0.35")
RAW_FRACTION = re.compile(r"(?i)\b(?:VAF|AF|tumou?r fraction|purity|minimum)\s+0\.\d+(?!\d*%)")


def _sample(**kw) -> Sample:
    base = {"sample_id": "S1", "patient_id": "P1", "specimen": Specimen.PLASMA, "tumor_type": "NSCLC",
            "genome_build": Build.GRCh38}
    return Sample(**{**base, **kw})


def _report(mutate=None, name: str = "alk_g1202r_tissue"):
    data = copy.deepcopy(fixture_data(name))
    if mutate:
        mutate(data)
    return parse_report(data)


# --- D: one percent formatter, British spelling ------------------------------------------------
def test_fmt_pct_is_the_report_formatter():
    assert labels.fmt_pct is fmt_pct
    assert fmt_pct(0.006) == "0.60%" and fmt_pct(0.35) == "35.0%"


def test_interpret_texts_print_percentages_not_fractions():
    s = Settings()
    texts = [
        caveat_rules.negative_statement([], _sample(), 0.006, s),
        *(c.text for c in caveat_rules.liquid_caveats(_sample(), [], [], 0.006, s)),
        cn_threshold(CopyNumberCall.DEEP_DELETION,
                     {"cnv.deep_deletion_cn": "0.5", "cnv.purity_used": "0.35",
                      "cnv.purity_source": "tumor_fraction"}),
    ]
    for text in texts:
        assert not RAW_FRACTION.search(text), text
    assert "tumour fraction 35.0%" in texts[-1] and "tumor" not in texts[-1]
    assert "0.60%" in texts[0] and "0.30%" in texts[0]


def test_tumour_fraction_method_prints_vaf_as_percent():
    v = Variant(chrom="chr2", pos=1, ref="C", alt="T", vaf=0.003, filters=("PASS",))
    tf = estimate_tumor_fraction(_sample(), [v], [])
    assert "VAF 0.30%" in tf.method and not RAW_FRACTION.search(tf.method)


# --- F: specimen display names -------------------------------------------------------------------
def test_specimen_labels():
    assert [s.label for s in Specimen] == ["tissue", "plasma", "CSF"]
    assert Specimen.CSF.label_capitalised == "CSF" and Specimen.PLASMA.label_capitalised == "Plasma"
    assert labels.specimen_label("csf") == "CSF" and labels.specimen_label("odd") == "odd"


def test_summary_says_csf_sample():
    def csf(d):
        d["sample"]["specimen"] = "csf"
    first = summary_sentences(_report(csf))[0]
    assert first.startswith("CSF sample ") and "Csf" not in first


# --- G: ages through age_text --------------------------------------------------------------------
def test_paediatric_reason_uses_age_text():
    _, why = is_paediatric(_sample(specimen=Specimen.TISSUE, age_years=10 / 12))
    assert why == "patient aged 10 months"
    _, why = is_paediatric(_sample(specimen=Specimen.TISSUE, age_years=7.0))
    assert why == "patient aged 7 years"


# --- M: repeated notes ---------------------------------------------------------------------------
def _three_availability(d):
    d["caveats"] = [{"code": "JURISDICTION_AVAILABILITY", "text": f"{drug}: availability varies"}
                    for drug in ("adagrasib", "savolitinib", "sotorasib")]
    d["caveats"].append({"code": "JURISDICTION_AVAILABILITY", "text": "sotorasib: availability varies"})


def test_repeated_caveat_code_gets_one_title():
    html = render_report_html(_report(_three_availability))
    assert html.count("Availability differs by country") == 1
    for drug in ("adagrasib", "savolitinib", "sotorasib"):
        assert html.count(f"{drug}: availability varies") == 1


def test_caveat_groups_keep_order_and_drop_identical_texts():
    r = _report(_three_availability)
    groups = caveat_groups(r.caveats)
    assert [code for code, _ in groups] == [CaveatCode.JURISDICTION_AVAILABILITY.value]
    assert len(groups[0][1]) == 3


def test_batch_row_lists_each_caveat_code_once():
    row = sample_summary(_report(_three_availability))
    assert row.caveat_codes == ("JURISDICTION_AVAILABILITY",)


# --- O: synonymous changes are not drawn as resistance --------------------------------------------
def test_synonymous_change_is_grey_hollow_and_not_in_class_legend():
    r = _report(lambda d: d["alterations"][1].update(hgvs_p="p.G1202=", role="passenger"))
    alt = r.alterations[1]
    assert labels.synonymous(alt)
    svg = str(lollipop("ALK", [alt]))
    assert 'data-synonymous="1"' in svg and 'fill="none"' in svg and "synonymous" in svg
    assert alt.structural_class is None or labels.CLASS_TITLES[alt.structural_class] not in svg
    html = render_report_html(r)
    assert "synonymous (not protein-altering)" in html
    assert not labels.synonymous(_report().alterations[1])


# --- P: prognostic alteration not listed as uncertain significance --------------------------------
def test_prognostic_alteration_is_not_uncertain_significance():
    def prognostic(d):
        d["alterations"][2]["role"] = "uncertain"
        d["alterations"][2]["hgvs_p"] = "p.V272M"
        d["clinical_context"] = {"frame": "progression", "indication": "nsclc", "paediatric": False,
                                 "progressing_on": None, "progression": None, "progression_explained": False,
                                 "notes": [{
            "kind": "prognostic", "citations": [],
            "text": "Prognostic (not a reason to choose a drug): TP53 co-alteration (p.V272M) in ALK-rearranged NSCLC"}]}
    html = render_report_html(_report(prognostic))
    row = re.search(r"<strong>TP53 V272M</strong>.*?</tr>", html, re.DOTALL).group(0)
    assert labels.PROGNOSTIC_ROLE in row and "Uncertain significance" not in row


def test_ch_note_prints_age_with_age_text():
    from test_origin import S, classify, smp, var

    for age, words in ((72, "common at age 72 years"), (0.5, "at age 6 months")):
        call = classify(var("DNMT3A", "p.R882H", 0.03), smp("plasma", age=age), None, S,
                        strong_somatic=False, amplified=False, tumour_max_vaf=None)
        assert words in call.reason, call.reason
