"""Citations of a single-drug option merged from several rules name only that drug's evidence
(review defect I: lorlatinib cited "ALTA (brigatinib after crizotinib)")."""

from __future__ import annotations

from kinres.enums import Build, Specimen
from kinres.interpret.report_json import Stages, build_report, report_to_jsonable
from kinres.interpret.therapy import citations_for_drug
from kinres.knowledge import load_knowledge
from kinres.models import Fusion, Sample, StageResult

KB = load_knowledge()


def test_citations_for_drug_drops_other_drugs_trials_keeps_generic():
    cites = ("NCCN NSCLC", "ALTA (brigatinib after crizotinib)", "CROWN", "ALEX", "ALTA-1L", "PMID:27432227")
    assert citations_for_drug("lorlatinib", cites, KB) == ("CROWN", "NCCN NSCLC", "PMID:27432227")
    assert "ALTA (brigatinib after crizotinib)" in citations_for_drug("brigatinib", cites, KB)


def test_lorlatinib_after_crizotinib_and_alectinib_cites_no_brigatinib_trial():
    fusion = Fusion("EML4", "ALK", "arriba", "rna", kinase_gene="ALK", five_prime_exon=13, three_prime_exon=20,
                    in_frame=True, kinase_domain_retained=True, actionable=True, supporting_reads=30)
    sample = Sample("S1", "P1", Specimen.TISSUE, "NSCLC", Build.GRCh38, prior_therapies=("crizotinib",),
                    current_therapy="alectinib")
    d = report_to_jsonable(build_report(sample, Stages(fusions=StageResult("fusions", "S1", fusions=(fusion,))), KB))
    opts = {o["option"]: o for o in d["therapy_options"]}
    lor = opts["lorlatinib"]
    assert len(lor["rule_ids"]) > 1, lor  # merged from several rules
    assert not any("ALTA" in c or "brigatinib" in c for c in lor["citations"]), lor["citations"]
    assert lor["citations"]
    if "brigatinib" in opts:
        assert not any("CROWN" in c for c in opts["brigatinib"]["citations"])
