"""Age-aware therapy options: drugs.tsv min_age_years, ranking and AGE_* caveats."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kinres.enums import Build, Consequence, Specimen
from kinres.errors import KnowledgeError
from kinres.interpret.report_json import Stages, build_report, report_to_jsonable, validate_report
from kinres.interpret.therapy import age_text, is_paediatric_entity
from kinres.knowledge import load_knowledge, manifest
from kinres.knowledge.loader import KnowledgeBase
from kinres.models import Fusion, ProteinAnnotation, Sample, StageResult, Variant
from kinres.paths import KNOWLEDGE_DIR

KB = load_knowledge()
NTRK3_TX = "ENST00000394480"
ROS1_TX = "ENST00000368508"
AGE_CODES = {"AGE_OUTSIDE_APPROVAL", "AGE_NOT_GIVEN"}


def _sample(tumor: str, age: float | None, prior=("larotrectinib",)) -> Sample:
    return Sample("S1", "P1", Specimen.TISSUE, tumor, Build.GRCh38, prior_therapies=tuple(prior), age_years=age)


def _fusion(five: str, kinase: str, e5: int, e3: int) -> Fusion:
    return Fusion(five, kinase, "arriba", "rna", kinase_gene=kinase, five_prime_exon=e5, three_prime_exon=e3,
                  in_frame=True, kinase_domain_retained=True, actionable=True, supporting_reads=30)


def _snv(gene: str, tx: str, p: str, pos: int) -> Variant:
    aa = int("".join(c for c in p if c.isdigit()))
    return Variant("15", pos, "C", "T", vaf=0.3, depth=800, alt_reads=240,
                   annotation=ProteinAnnotation(gene, tx, (Consequence.MISSENSE,), hgvs_p=p, protein_start=aa))


def _run(sample: Sample, fusions, variants=()) -> dict:
    stages = Stages(variants=StageResult("variants", "S1", variants=tuple(variants)),
                    fusions=StageResult("fusions", "S1", fusions=tuple(fusions)))
    data = report_to_jsonable(build_report(sample, stages, KB))
    validate_report(data)
    return data


def _g623r(tumor: str, age: float | None) -> dict:
    """ETV6-NTRK3 (exon 5 :: exon 15) with NTRK3 G623R after larotrectinib (demo P05-T1)."""
    return _run(_sample(tumor, age), [_fusion("ETV6", "NTRK3", 5, 15)],
                [_snv("NTRK3", NTRK3_TX, "p.G623R", 88_127_000)])


def _options(d: dict) -> list[str]:
    return [o["option"] for o in d["therapy_options"]]


def _caveats(d: dict, code: str) -> list[str]:
    return [c["text"] for c in d["caveats"] if c["code"] == code]


# ------------------------------------------------------------------ knowledge
def test_min_age_years_are_loaded_per_driver_family():
    assert KB.drug("repotrectinib").min_age_for("NTRK3") == 12  # FDA accelerated approval 13 Jun 2024
    assert KB.drug("repotrectinib").min_age_for("ROS1") == 18  # ROS1 NSCLC: adults
    assert KB.drug("zurletrectinib").min_age_for("NTRK1") == 12  # NMPA: adults and adolescents >= 12
    assert KB.drug("entrectinib").min_age_for("NTRK2") == pytest.approx(1 / 12, abs=1e-3)  # FDA Oct 2023
    assert KB.drug("larotrectinib").min_age_for("NTRK3") == 0  # no lower age limit
    assert KB.drug("selitrectinib").min_age_for("NTRK3") is None  # investigational: no approval
    assert KB.drug("crizotinib").min_age_for("ALK") is None  # not curated: unknown, never guessed
    assert KB.drug("larotrectinib").min_age_for("ROS1") is None
    for d in ("repotrectinib", "zurletrectinib", "entrectinib", "larotrectinib"):
        assert "age" in KB.drug(d).approvals.lower() or "adults" in KB.drug(d).approvals.lower(), d


def _knowledge_with(tmp_path: Path, drug: str, value: str) -> tuple[Path, int]:
    copy = tmp_path / "k"
    shutil.copytree(KNOWLEDGE_DIR, copy)
    path = copy / "drugs.tsv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\n").split("\t")
    col = header.index("min_age_years")
    for i, line in enumerate(lines):
        cells = line.rstrip("\n").split("\t")
        if cells[0] == drug:
            cells[col] = value
            lines[i] = "\t".join(cells) + "\n"
            lineno = i + 1
    path.write_text("".join(lines), encoding="utf-8")
    recorded = manifest.read(copy)
    manifest.write(copy, manifest.compute(copy, recorded.version, recorded.date))
    return copy, lineno


@pytest.mark.parametrize("drug, value, fragment", [
    ("repotrectinib", "NTRK:12;NTRK:18", "NTRK twice"),
    ("larotrectinib", "ALK:18", "does not target"),
    ("selitrectinib", "NTRK:12", "investigational"),
    ("repotrectinib", "NTRK:twelve", "min_age_years"),
    ("repotrectinib", "NTRK1:12", "min_age_years"),
])
def test_bad_min_age_years_names_table_and_line(tmp_path, drug, value, fragment):
    copy, lineno = _knowledge_with(tmp_path, drug, value)
    with pytest.raises(KnowledgeError, match=rf"drugs.tsv, line {lineno}: .*{fragment}"):
        KnowledgeBase(copy)


# ------------------------------------------------------------------ helpers
def test_paediatric_entities_and_age_text():
    assert is_paediatric_entity("Infantile fibrosarcoma")
    assert is_paediatric_entity("congenital mesoblastic nephroma")
    assert is_paediatric_entity("neuroblastoma")
    assert not is_paediatric_entity("salivary secretory carcinoma")
    assert not is_paediatric_entity("lung adenocarcinoma")
    assert age_text(0.0833) == "1 month" and age_text(0.8) == "10 months"
    assert age_text(12) == "12 years" and age_text(1) == "1 year" and age_text(0.02) == "7 days"


# ------------------------------------------------------------------ scenarios
def test_infant_g623r_restricted_drugs_kept_but_ranked_last_and_labelled():
    d = _g623r("infantile fibrosarcoma", 0.8)
    opts = d["therapy_options"]
    names = _options(d)
    # not dropped: the two next-generation approvals are still offered ...
    assert {"repotrectinib", "zurletrectinib"} <= set(names)
    # ... but after every age-appropriate treatment option, and the first option is not one of them
    assert names[0] not in {"repotrectinib", "zurletrectinib"}
    restricted = [i for i, o in enumerate(opts) if o["option"] in {"repotrectinib", "zurletrectinib"}]
    advice = [i for i, o in enumerate(opts) if o["option"].startswith("Re-biopsy")]
    treatments = [i for i in range(len(opts)) if i not in restricted and i not in advice]
    assert max(treatments) < min(restricted)
    # review defect H: a drug option never falls below the generic re-biopsy advice
    assert advice and max(restricted) < min(advice)
    assert [o["rank"] for o in opts] == list(range(1, len(opts) + 1))
    for o in opts:
        if o["option"] in {"repotrectinib", "zurletrectinib"}:
            assert "approved from age 12 years" in o["rationale"] and "off-label / trial" in o["rationale"]
            assert "10 months" in o["rationale"]
        else:
            assert "approved from age" not in o["rationale"]
    texts = _caveats(d, "AGE_OUTSIDE_APPROVAL")
    assert len(texts) == 2
    assert any(t.startswith("repotrectinib:") and "12 years" in t and "10 months" in t for t in texts)
    assert any(t.startswith("zurletrectinib:") for t in texts)
    assert not _caveats(d, "AGE_NOT_GIVEN")
    # the tumour progressed on larotrectinib: still excluded, age does not bring it back
    assert "larotrectinib" not in names
    assert d["sample"]["age_years"] == 0.8  # the age behind the ranking is in report.json


def test_adult_same_case_unchanged():
    adult = _g623r("salivary secretory carcinoma", 45)
    no_age = _g623r("salivary secretory carcinoma", None)
    assert adult["therapy_options"] == no_age["therapy_options"]
    assert adult["caveats"] == no_age["caveats"]
    assert _options(adult)[0] == "repotrectinib"
    assert not {c["code"] for c in adult["caveats"]} & AGE_CODES
    assert all("approved from age" not in o["rationale"] for o in adult["therapy_options"])


def test_unknown_age_in_infantile_fibrosarcoma_gives_caveat_without_reranking():
    d = _g623r("infantile fibrosarcoma", None)
    (text,) = _caveats(d, "AGE_NOT_GIVEN")
    assert "age not given" in text and "repotrectinib from 12 years" in text and "zurletrectinib from 12 years" in text
    assert not _caveats(d, "AGE_OUTSIDE_APPROVAL")
    adult = _g623r("salivary secretory carcinoma", None)
    assert _options(d) == _options(adult)  # nothing invented: without age the ranking is unchanged


def test_age_boundary_is_inclusive():
    assert not _caveats(_g623r("infantile fibrosarcoma", 12), "AGE_OUTSIDE_APPROVAL")
    assert len(_caveats(_g623r("infantile fibrosarcoma", 11.9), "AGE_OUTSIDE_APPROVAL")) == 2


def test_naive_infant_larotrectinib_first_and_entrectinib_from_one_month():
    fus = [_fusion("ETV6", "NTRK3", 5, 15)]
    infant = _run(_sample("infantile fibrosarcoma", 0.5, prior=()), fus)
    assert _options(infant)[0] == "larotrectinib"
    flagged = {t.split(":")[0] for t in _caveats(infant, "AGE_OUTSIDE_APPROVAL")}
    assert "entrectinib" not in flagged and "larotrectinib" not in flagged
    newborn = _run(_sample("infantile fibrosarcoma", 0.02, prior=()), fus)  # about one week old
    assert _options(newborn)[0] == "larotrectinib"
    assert any(t.startswith("entrectinib:") and "from age 1 month" in t and "7 days" in t
               for t in _caveats(newborn, "AGE_OUTSIDE_APPROVAL"))
    assert _options(newborn).index("entrectinib") > _options(newborn).index("larotrectinib")


def test_ros1_adolescent_adult_only_approvals_flagged():
    d = _run(_sample("lung adenocarcinoma", 16, prior=("crizotinib",)), [_fusion("CD74", "ROS1", 6, 34)],
             [_snv("ROS1", ROS1_TX, "p.G2032R", 117_310_000)])
    names = _options(d)
    assert "repotrectinib" in names
    flagged = {t.split(":")[0] for t in _caveats(d, "AGE_OUTSIDE_APPROVAL")}
    assert "repotrectinib" in flagged
    assert all("18 years" in t for t in _caveats(d, "AGE_OUTSIDE_APPROVAL"))
    grown = _run(_sample("lung adenocarcinoma", 30, prior=("crizotinib",)), [_fusion("CD74", "ROS1", 6, 34)],
                 [_snv("ROS1", ROS1_TX, "p.G2032R", 117_310_000)])
    assert not _caveats(grown, "AGE_OUTSIDE_APPROVAL")
    assert _options(grown)[0] in {"repotrectinib", "taletrectinib"}
