"""Sheet clinical-context columns (progression, histology, orthogonal) and the course rules
(interpret/course.py) at unit level; the clinical cases themselves are workflow scenarios."""

from __future__ import annotations

import pytest

from kinres.enums import Build, Progression, Specimen
from kinres.errors import InputError
from kinres.interpret.course import course_of
from kinres.interpret.frames import indication_of, is_paediatric
from kinres.io.orthogonal import OrthogonalError, parse_orthogonal
from kinres.io.samplesheet import read_samplesheet
from kinres.models import Sample

HEADER = "sample_id\tpatient_id\tspecimen\ttumor_type\tgenome_build\tvcf\tprogression\thistology\torthogonal\n"


def _sheet(tmp_path, progression="", histology="", orthogonal=""):
    (tmp_path / "a.vcf").write_text("##fileformat=VCFv4.2\n")
    path = tmp_path / "s.tsv"
    path.write_text(HEADER + f"S1\tP1\ttissue\tNSCLC\tGRCh38\ta.vcf\t{progression}\t{histology}\t{orthogonal}\n")
    return path


@pytest.mark.parametrize(("cell", "value"), [("systemic", Progression.SYSTEMIC), ("Oligoprogression",
                         Progression.OLIGOPROGRESSION), ("cns-only", Progression.CNS_ONLY), ("none", Progression.NONE),
                         ("", None), ("NA", None)])
def test_progression_column(tmp_path, cell, value):
    assert read_samplesheet(_sheet(tmp_path, progression=cell)).samples[0].progression is value


def test_bad_progression_names_file_line_and_values(tmp_path):
    with pytest.raises(InputError) as err:
        read_samplesheet(_sheet(tmp_path, progression="slow"))
    msg = err.value.message()
    assert "line 2" in msg and "progression" in msg and "oligoprogression" in msg


def test_orthogonal_and_histology(tmp_path):
    s = read_samplesheet(_sheet(tmp_path, histology="small-cell carcinoma",
                                orthogonal="alk_ihc=Negative; MET_FISH_ratio=4.5;RNA_fusion=confirmed")).samples[0]
    assert s.histology == "small-cell carcinoma"
    assert s.orthogonal == (("ALK_IHC", "negative"), ("MET_FISH_ratio", 4.5), ("RNA_fusion", "confirmed"))


@pytest.mark.parametrize(("text", "problem"), [
    ("ALK_IHC", "KEY=VALUE"), ("FOO=1", "unknown key"), ("ALK_IHC=weak", "allowed values"),
    ("MET_FISH_ratio=high", "not a number"), ("MET_FISH_ratio=-1", "non-negative"),
    ("ALK_IHC=negative; ALK_IHC=positive", "twice")])
def test_orthogonal_errors(text, problem):
    with pytest.raises(OrthogonalError, match=problem):
        parse_orthogonal(text)


def test_bad_orthogonal_is_an_input_error_with_line(tmp_path):
    with pytest.raises(InputError) as err:
        read_samplesheet(_sheet(tmp_path, orthogonal="ALK_IHC=maybe"))
    msg = err.value.message()
    assert "line 2" in msg and "orthogonal" in msg and "ALK_IHC" in msg


def _sample(**kw):
    base = {"sample_id": "S1", "patient_id": "P1", "specimen": Specimen.TISSUE, "tumor_type": "NSCLC",
                "genome_build": Build.GRCh38}
    return Sample(**{**base, **kw})


def test_course_progressing_drug():
    c = course_of(_sample(prior_therapies=("alectinib",), current_therapy="lorlatinib",
                          progression=Progression.SYSTEMIC))
    assert c.progressing_on == "lorlatinib" and c.progressed_on == ("alectinib", "lorlatinib")
    # course not stated: a current drug is assumed failing (conservative)
    assert course_of(_sample(current_therapy="lorlatinib")).progressing_on == "lorlatinib"
    # no progression: the current drug is exposure, not failure
    c = course_of(_sample(current_therapy="lorlatinib", progression=Progression.NONE))
    assert c.progressing_on is None and c.progressed_on == () and c.exposed == ("lorlatinib",)


def test_indication_and_paediatric():
    assert indication_of(_sample(tumor_type="lung adenocarcinoma")) == "nsclc"
    assert indication_of(_sample(tumor_type="Neuroblastoma")) == "neuroblastoma"
    assert indication_of(_sample(tumor_type="papillary thyroid carcinoma")) == "other"
    assert is_paediatric(_sample(tumor_type="infantile fibrosarcoma"))[0]
    assert is_paediatric(_sample(tumor_type="NSCLC", age_years=15))[0]
    assert not is_paediatric(_sample(tumor_type="infantile fibrosarcoma", age_years=30))[0]


def test_orthogonal_discordance_both_ways():
    from kinres.interpret.frames import orthogonal_notes

    s = _sample(orthogonal=(("ALK_IHC", "positive"), ("MET_FISH_ratio", 4.5)))
    notes, caveats = orthogonal_notes(s, [])
    assert notes and "ALK_IHC=positive; MET_FISH_ratio=4.5" in notes[0].text
    texts = " | ".join(c.text for c in caveats)
    assert {c.code.value for c in caveats} == {"ORTHOGONAL_DISCORDANT"} and len(caveats) == 2
    assert "no ALK rearrangement" in texts and "MET/CEP7 FISH ratio 4.5" in texts
    assert orthogonal_notes(_sample(orthogonal=(("PANTRK_IHC", "negative"),)), [])[1] == []


def test_dna_only_fusion_caveat_names_sheet_rna_confirmation():
    from kinres.enums import Specimen as Sp
    from kinres.interpret.report_json import Stages, build_report, report_to_jsonable
    from kinres.knowledge import load_knowledge
    from kinres.models import Fusion, StageResult

    fusion = Fusion("EML4", "ALK", "manta", "dna", kinase_gene="ALK", five_prime_exon=13, three_prime_exon=20,
                    in_frame=True, kinase_domain_retained=True, actionable=True, supporting_reads=40)
    kb = load_knowledge()
    texts = []
    for ortho in ((), (("RNA_fusion", "confirmed"),)):
        data = report_to_jsonable(build_report(_sample(specimen=Sp.TISSUE, orthogonal=ortho),
                                               Stages(fusions=StageResult("fusions", "S1", fusions=(fusion,))), kb))
        texts.append(next(c["text"] for c in data["caveats"] if c["code"] == "DNA_ONLY_FUSION"))
    assert "not proven" in texts[0] and "RNA-level confirmation is recorded" in texts[1]
