"""Combination wording only for actual combinations (review defects K and L): the small-cell
transformation mechanism (option: chemotherapy) carries no 'overlapping toxicity' text, and the
investigational-combination caveat is decided from structured data, not from '+' in option text."""

from __future__ import annotations

from test_kras_g12c_bypass import _fusion, _report

from kinres.enums import Build, Consequence, Specimen
from kinres.interpret.report_json import Stages, build_report, report_to_jsonable
from kinres.knowledge import load_knowledge
from kinres.models import ProteinAnnotation, Sample, StageResult, Variant

KB = load_knowledge()


def _stop(gene, tx, p, pos):
    return Variant("13" if gene == "RB1" else "17", pos, "C", "T", vaf=0.4, depth=800, alt_reads=320,
                   annotation=ProteinAnnotation(gene, tx, (Consequence.STOP_GAINED,), hgvs_p=p,
                                                protein_start=int("".join(c for c in p if c.isdigit()))))


def _transformation_report(kb):
    """EML4::ALK NSCLC progressing on lorlatinib with TP53 and RB1 loss (transformation)."""
    sample = Sample("S1", "P1", Specimen.TISSUE, "NSCLC", Build.GRCh38, prior_therapies=("alectinib",),
                    current_therapy="lorlatinib")
    variants = (_stop("TP53", "ENST00000269305", "p.R196*", 7674945),
                _stop("RB1", "ENST00000267163", "p.R358*", 48367512))
    stages = Stages(variants=StageResult("variants", "S1", variants=variants),
                    fusions=StageResult("fusions", "S1", fusions=(_fusion("EML4", "ALK", 13, 20),)))
    return report_to_jsonable(build_report(sample, stages, kb))


def test_transformation_mechanism_has_no_combination_toxicity_wording():
    d = _transformation_report(KB)
    pheno = [m for m in d["mechanisms"] if m["class"] == "phenotypic"]
    assert pheno, [m["label"] for m in d["mechanisms"]]
    assert all("overlapping toxicity" not in (m["note"] or "") for m in pheno)
    combo = [c for c in d["caveats"] if c["code"] == "INVESTIGATIONAL_COMBINATION"]
    assert not any("etoposide" in c["text"] for c in combo)


def test_bypass_mechanism_keeps_combination_wording_and_caveat():
    d = _report("lung adenocarcinoma", _fusion("EML4", "ALK", 13, 20), ("alectinib",), "lorlatinib")
    off = [m for m in d["mechanisms"] if m["class"] == "off_target"]
    assert off and all("overlapping toxicity" in m["note"] for m in off)
    assert any(c["code"] == "INVESTIGATIONAL_COMBINATION" for c in d["caveats"])


def test_plus_minus_wording_alone_is_not_a_combination():
    """A single-regimen investigational option worded '+/-' gets the single-agent caveat, not the
    combination one (the caveat follows the rule kind / bypass structure, not the text)."""
    import dataclasses

    kb = load_knowledge()
    kb._therapies = tuple(dataclasses.replace(r, investigational=True) if r.rule_id == "A12" else r
                          for r in kb._therapies)
    d = _transformation_report(kb)
    a12 = next(o for o in d["therapy_options"] if "A12" in o["rule_ids"])
    assert "+/-" in a12["option"]
    texts = {c["code"]: c["text"] for c in d["caveats"]}
    assert a12["option"] not in texts.get("INVESTIGATIONAL_COMBINATION", "")
    assert a12["option"] in texts.get("INVESTIGATIONAL_AGENT", "")
