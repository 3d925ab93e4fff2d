"""`kinres knowledge compare`: per-format readers on excerpts of real exports, each category, errors."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from kinres.cli import main
from kinres.errors import InputError
from kinres.knowledge import load_knowledge, manifest
from kinres.knowledge.compare import CATEGORIES, compare_files
from kinres.knowledge.loader import KnowledgeBase
from kinres.knowledge.sources import detect_format, read_source
from kinres.paths import KNOWLEDGE_DIR

DATA = Path(__file__).resolve().parents[1] / "data" / "knowledge_sources"
ONCOKB = DATA / "oncokb_allActionableVariants.excerpt.txt"
ONCOKB_ANN = DATA / "oncokb_allAnnotatedVariants.excerpt.txt"
CIVIC = DATA / "civic_ClinicalEvidenceSummaries.excerpt.tsv"
CGI = DATA / "cgi_biomarkers_per_variant.excerpt.tsv"
MOA = DATA / "moa_molecular-oncology-almanac.excerpt.json"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge()


def _by(results):
    return {(r.statement.gene, r.statement.variant, r.statement.drug, r.statement.line): r for r in results}


@pytest.mark.parametrize(("path", "fmt"), [(ONCOKB, "oncokb_actionable"), (ONCOKB_ANN, "oncokb_annotated"),
                                           (CIVIC, "civic"), (CGI, "cgi"), (MOA, "moa")])
def test_format_detection(path, fmt):
    assert detect_format(path) == fmt


def test_oncokb_actionable(kb):
    res = _by(compare_files(kb, [ONCOKB]))
    assert res[("ALK", "p.C1156Y", "crizotinib", 9)].category == "agree"
    # OncoKB R2 (clinical); since knowledge 2026.2.1 the kinres row is clinical CLIN-cohort too (was PRE: weaker)
    g1202 = res[("ALK", "p.G1202R", "alectinib", 10)]
    assert g1202.category == "agree" and g1202.kinres_call == "resistant"
    # IMT statements are compared with the IMT-specific rows: crizotinib FDA-approved (agree), ceritinib
    # NCCN-listed but kept at CLIN-cohort in kinres (OncoKB 2A: weaker)
    assert res[("ALK", "fusion", "crizotinib", 7)].category == "agree"
    assert "IMT-specific" in res[("ALK", "fusion", "crizotinib", 7)].note
    assert res[("ALK", "fusion", "ceritinib", 7)].category == "weaker"
    assert res[("EGFR", "p.T790M", "erlotinib", 2)].category == "out_of_scope"
    assert res[("ALK", "Oncogenic Mutations", "lorlatinib", 4)].category == "out_of_scope"


def test_oncokb_annotated_is_variant_level(kb):
    res = {(r.statement.gene, r.statement.variant): r for r in compare_files(kb, [ONCOKB_ANN])}
    assert res[("ALK", "p.L1122V")].category == "missing_in_kinres"  # OncoKB 'Resistance', no kinres row
    assert res[("ALK", "p.L1196Q")].category == "agree"  # added in knowledge 2026.2.0
    assert res[("ALK", "p.R1275Q")].category == "agree"  # neuroblastoma context counts for a variant
    assert res[("ALK", "p.G1123S")].category == "out_of_scope"  # OncoKB 'Inconclusive'


def test_cgi(kb):
    res = _by(compare_files(kb, [CGI]))
    assert res[("ALK", "p.G1123S", "ceritinib", 2)].category == "agree"
    assert res[("ROS1", "p.G2032R", "cabozantinib", 4)].category == "agree"
    # CGI 'Responsive' (preclinical, 2011) vs the kinres resistant call for I1171N
    assert res[("ALK", "p.I1171N", "crizotinib", 15)].category == "kinres_resistant_source_sensitive"
    assert res[("ALK", "p.G1128A", "crizotinib", 14)].category == "kinres_unknown"  # unverified L row
    r1275 = res[("ALK", "p.R1275Q", "crizotinib", 13)]
    assert r1275.category == "missing_in_kinres" and "neuroblastoma context" in r1275.note
    assert res[("ALK", "p.E1408V", "brigatinib", 7)].category == "missing_in_kinres"
    assert res[("ABL1", "p.T315I", "bosutinib", 9)].category == "out_of_scope"


def test_moa(kb):
    res = {(r.statement.gene, r.statement.variant, r.statement.drug): r for r in compare_files(kb, [MOA])}
    assert res[("ALK", "p.G1202R", "ceritinib")].category == "agree"
    assert res[("ALK", "p.L1196M", "ceritinib")].category == "agree"
    assert res[("ROS1", "fusion", "taletrectinib")].category == "agree"
    assert res[("ROS1", "fusion", "entrectinib")].note == "deprecated assertion"


def test_civic_every_category(kb):
    results = compare_files(kb, [CIVIC])
    cats = {r.category for r in results}
    assert cats == set(CATEGORIES)
    res = {(r.statement.gene, r.statement.variant, r.statement.drug): r for r in results}
    assert res[("ALK", "p.L1196M", "lorlatinib")].category == "kinres_sensitive_source_resistant"
    assert res[("ALK", "p.G1202R", "gilteritinib")].category == "missing_in_kinres"
    assert res[("ALK", "p.I1171N", "ceritinib")].category == "weaker"
    assert res[("ALK", "fusion", "lorlatinib")].category == "agree"  # "EML4::ALK Fusion"
    assert res[("ALK", "p.F1174L", "crizotinib")].category == "agree"  # EID 32
    compound = next(r for r in results if "AND" in r.statement.variant)
    assert compound.category == "out_of_scope" and "compound" in compound.note


def test_most_severe_category_on_real_oncokb_rows(tmp_path: Path):
    """A table calling crizotinib sensitive for ALK C1156Y contradicts OncoKB R2: most severe category."""
    copy = tmp_path / "k"
    shutil.copytree(KNOWLEDGE_DIR, copy)
    path = copy / "mutations.tsv"
    rows = list(csv.reader(path.open(newline=""), delimiter="\t"))
    for r in rows:
        if r[0] == "ALK:p.C1156Y:crizotinib":
            r[9] = "sensitive"
    csv.writer(path.open("w", newline=""), delimiter="\t", lineterminator="\n").writerows(rows)
    rec = manifest.read(copy)
    manifest.write(copy, manifest.compute(copy, rec.version, rec.date))
    res = _by(compare_files(KnowledgeBase(copy), [ONCOKB]))
    assert res[("ALK", "p.C1156Y", "crizotinib", 9)].category == "kinres_sensitive_source_resistant"


def test_cli_writes_tsv_and_summary(tmp_path: Path, capsys):
    out = tmp_path / "cmp.tsv"
    assert main(["knowledge", "compare", str(ONCOKB), str(CGI), str(MOA), str(CIVIC), "--out", str(out)]) == 0
    rows = list(csv.DictReader(out.open(), delimiter="\t"))
    assert rows and rows[0]["category"] == "kinres_sensitive_source_resistant"  # most severe first
    summary = (tmp_path / "cmp.summary.md").read_text()
    assert "## kinres sensitive vs source resistant (most severe)" in summary and "ALK p.L1196M / lorlatinib" in summary
    assert "agree" in capsys.readouterr().out


@pytest.mark.parametrize(("content", "problem"), [
    ("a\tb\n1\t2\n", "line 1: unknown knowledge-base export format"),
    ("Isoform\tGene\tAlteration\tCancer Type\tLevel\tDrugs(s)\nX\tALK\tG1202R\tNSCLC\tR9\tAlectinib\n",
     "line 2: unknown OncoKB level 'R9'"),
    ("Isoform\tGene\tAlteration\tCancer Type\tLevel\tDrugs(s)\nX\tALK\tG1202R\tNSCLC\n", "line 2: 4 columns, header has 6"),
    ("Isoform\tGene\tAlteration\tCancer Type\tLevel\tDrugs(s)\nX\t\tG1202R\tNSCLC\tR2\tAlectinib\n", "line 2: empty Gene"),
    ('[{"feature_type": "Somatic Variant"}]', "line 1 (assertion 1): assertion without feature_type/therapy_name"),
    ("[{", "not valid JSON"),
])
def test_bad_input_is_named(tmp_path: Path, content, problem):
    path = tmp_path / "export.txt"
    path.write_text(content)
    with pytest.raises(InputError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        read_source(path)
    assert main(["knowledge", "compare", str(path), "--out", str(tmp_path / "o.tsv")]) == 2
    assert not (tmp_path / "o.tsv").exists()  # no partial output that looks complete


def test_missing_file(tmp_path: Path):
    with pytest.raises(InputError, match="file not found"):
        read_source(tmp_path / "nope.txt")


def test_cgi_real_row_shapes(kb):
    """Combined CGI evidence levels and 'consequence' alterations are read, not rejected or misread."""
    results = compare_files(kb, [CGI])
    last = [r for r in results if r.statement.line >= 18]
    assert len({r.statement.line for r in last}) == 2
    ins = [r for r in last if "consequence" in r.statement.variant]
    assert ins and all(r.category == "out_of_scope" for r in ins)  # never mistaken for a fusion


def test_latin1_export_is_read_with_a_warning(tmp_path: Path, caplog):
    path = tmp_path / "ann.txt"
    path.write_bytes(ONCOKB_ANN.read_bytes().replace(b"Inconclusive", "Inconclusive \u00fc".encode("latin-1"), 1))
    with caplog.at_level("WARNING"):
        _, sts = read_source(path)
    assert sts and "read as Latin-1" in caplog.text
