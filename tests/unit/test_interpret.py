"""report.json: schema validity, determinism, CLI, and the interpret/knowledge config fragments."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from kinres import cli
from kinres.enums import Build, Consequence, CopyNumberCall, Specimen
from kinres.interpret.report_json import (
    ReportSchemaError,
    Stages,
    build_report,
    report_text,
    report_to_jsonable,
    validate_report,
)
from kinres.interpret.settings import Settings
from kinres.knowledge import load_knowledge
from kinres.knowledge.settings import Settings as KnowledgeSettings
from kinres.models import (
    CopyNumber,
    Fusion,
    InputFile,
    ProteinAnnotation,
    Sample,
    StageResult,
    Variant,
)
from kinres.paths import SCHEMAS
from kinres.serialize import write_json

KB = load_knowledge()


def _variant(gene, p, pos, vaf, cons=Consequence.MISSENSE):
    return Variant("2", pos, "G", "A", vaf=vaf, depth=600, alt_reads=int(600 * vaf),
                   annotation=ProteinAnnotation(gene, "ENST00000389048", (cons,), hgvs_c="c.1A>G", hgvs_p=p,
                                                protein_start=int(p[3:-1])))


def _stages(shuffle: int | None = None) -> Stages:
    variants = [_variant("ALK", "p.G1202R", 29220829, 0.21), _variant("ALK", "p.L1196M", 29220847, 0.05),
                _variant("KRAS", "p.G12C", 25245350, 0.1), _variant("DNMT3A", "p.R882H", 25234373, 0.02),
                _variant("ALK", "p.A1300T", 29212000, 0.1), _variant("ALK", "p.S5S", 29900000, 0.1,
                                                                      Consequence.SYNONYMOUS)]
    copies = [CopyNumber("MET", CopyNumberCall.AMPLIFICATION, copy_number=9.0), CopyNumber("EGFR", CopyNumberCall.NEUTRAL)]
    fusions = [Fusion("EML4", "ALK", "arriba", "rna", kinase_gene="ALK", five_prime_exon=13, three_prime_exon=20,
                      in_frame=True, kinase_domain_retained=True, actionable=True, supporting_reads=12, fusion_af=0.2)]
    if shuffle is not None:
        random.Random(shuffle).shuffle(variants)
        copies.reverse()
    return Stages(variants=StageResult("variants", "S1", variants=tuple(variants), warnings=("line 9: bad record",),
                                       inputs=(InputFile("in.vcf", "0" * 64),)),
                  fusions=StageResult("fusions", "S1", fusions=tuple(fusions)),
                  cnv=StageResult("cnv", "S1", copy_numbers=tuple(copies)))


SAMPLE = Sample("S1", "P1", Specimen.PLASMA, "lung adenocarcinoma", Build.GRCh38,
                prior_therapies=("alectinib",), current_therapy="alectinib")


def test_report_validates_and_lists_everything():
    data = report_to_jsonable(build_report(SAMPLE, _stages(), KB))
    validate_report(data)
    assert data["schema_version"] == "1" and data["provenance"]["knowledge_sha256"] == KB.sha256
    assert data["provenance"]["created_by"].startswith("kinres ")
    genes = sorted(a["gene"] for a in data["alterations"])
    assert genes == ["ALK", "ALK", "ALK", "ALK", "ALK", "DNMT3A", "KRAS", "MET"]  # nothing dropped
    assert {a["role"] for a in data["alterations"]} >= {"driver", "on_target_resistance", "bypass", "uncertain",
                                                        "passenger"}
    assert data["qc"]["warnings"][0] == "variants: line 9: bad record"
    assert "UNPARSED_RECORDS" in {c["code"] for c in data["caveats"]}
    assert "PLASMA_CNV_INSENSITIVE" in {c["code"] for c in data["caveats"]}
    assert all("class" in m and "mechanism_class" not in m for m in data["mechanisms"])
    assert [a["id"] for a in data["alterations"]] == [f"A{i}" for i in range(1, 9)]


def test_schema_rejects_missing_contract_field():
    data = report_to_jsonable(build_report(SAMPLE, _stages(), KB))
    del data["qc"]["informative_negative"]
    with pytest.raises(ReportSchemaError, match="informative_negative"):
        validate_report(data)
    data = report_to_jsonable(build_report(SAMPLE, _stages(), KB))
    data["drug_calls"][0]["call"] = "maybe"
    with pytest.raises(ReportSchemaError):
        validate_report(data)


def test_deterministic_bytes_regardless_of_input_order():
    a = report_text(build_report(SAMPLE, _stages(), KB))
    b = report_text(build_report(SAMPLE, _stages(), KB))
    c = report_text(build_report(SAMPLE, _stages(shuffle=3), KB))
    assert a == b == c


def test_config_fragments_match_settings():
    for name, settings in (("interpret", Settings()), ("knowledge", KnowledgeSettings())):
        schema = json.loads((SCHEMAS / "config" / f"{name}.schema.json").read_text())
        assert schema["additionalProperties"] is False and schema["type"] == "object"
        for key, prop in schema["properties"].items():
            assert prop["description"] and "default" in prop
            value = getattr(settings, key)
            assert (list(value) if isinstance(value, tuple) else value) == prop["default"], key
    s = Settings.from_mapping({"min_tumor_fraction": 0.1, "chip_genes": ["TET2"]})
    assert s.min_tumor_fraction == 0.1 and s.chip_genes == ("TET2",)


def test_cli_interpret(tmp_path: Path, capsys):
    (tmp_path / "config.yaml").write_text(
        "samples: samples.tsv\ninterpret:\n  min_tumor_fraction: 0.05\nknowledge: {}\n")
    (tmp_path / "samples.tsv").write_text(
        "sample_id\tpatient_id\tspecimen\ttumor_type\tgenome_build\tprior_therapies\tcollection_date\tfusions\n"
        "S1\tP1\tplasma\tlung adenocarcinoma\tGRCh38\talectinib\t2025-03-01\tS1.fusions.tsv\n")
    st = _stages()
    for name in ("variants", "fusions", "cnv"):
        write_json(tmp_path / f"{name}.json", getattr(st, name))
    out = tmp_path / "results" / "S1" / "report.json"
    argv = ["interpret", "--config", str(tmp_path / "config.yaml"), "--sample-sheet", str(tmp_path / "samples.tsv"),
            "--sample", "S1", "--variants", str(tmp_path / "variants.json"), "--fusions", str(tmp_path / "fusions.json"),
            "--cnv", str(tmp_path / "cnv.json"), "--out", str(out)]
    assert cli.main(argv) == 0
    data = json.loads(out.read_text())
    validate_report(data)
    assert data["sample"]["collection_date"] == "2025-03-01"
    assert any(i["path"].endswith("variants.json") for i in data["provenance"]["inputs"])
    first = out.read_bytes()
    assert cli.main(argv) == 0 and out.read_bytes() == first
    # wrong stage file -> InputError naming the file, no output written
    bad = tmp_path / "bad" / "report.json"
    argv_bad = argv[:-1] + [str(bad)]
    argv_bad[argv_bad.index("--variants") + 1] = str(tmp_path / "cnv.json")
    assert cli.main(argv_bad) == 2
    assert "cnv.json" in capsys.readouterr().err and not bad.exists()


def test_scenario_files_run(tmp_path: Path):
    """tests/scenarios/*.json: stage results + expectations kept as small JSON files."""
    folder = Path(__file__).resolve().parents[1] / "scenarios"
    files = sorted(folder.glob("*.json"))
    assert files
    from kinres.serialize import from_jsonable
    for path in files:
        spec = json.loads(path.read_text())
        sample = from_jsonable(Sample, spec["sample"])
        stages = Stages(**{k: from_jsonable(StageResult, v) for k, v in spec["stages"].items()})
        data = report_to_jsonable(build_report(sample, stages, KB))
        validate_report(data)
        exp = spec["expect"]
        got = {c["drug"]: c["call"] for c in data["drug_calls"]}
        for drug, call in exp.get("calls", {}).items():
            assert got[drug] == call, (path.name, drug)
        if "top_option" in exp:
            assert data["therapy_options"][0]["option"] == exp["top_option"], path.name
        if "mechanism_classes" in exp:
            assert sorted(m["class"] for m in data["mechanisms"]) == exp["mechanism_classes"], path.name


def test_bypass_note_does_not_claim_untested_negatives():
    """A fusion + CNV sample with no small-variant file must not read 'on-target mutation not detected'."""
    full = _stages()
    tissue = Sample("S1", "P1", Specimen.TISSUE, "lung adenocarcinoma", Build.GRCh38,
                    prior_therapies=("alectinib",), current_therapy="alectinib", purity=0.6)
    no_vcf = Stages(fusions=full.fusions, cnv=full.cnv)
    notes = [m["note"] for m in report_to_jsonable(build_report(tissue, no_vcf, KB))["mechanisms"]
             if m["class"] == "off_target"]
    assert notes and all("on-target mutation not assessed (no small-variant input)" in n for n in notes)
    assert all("driver fusion still detected (EML4-ALK)" in n for n in notes)
    no_fusion = Stages(cnv=full.cnv)
    notes = [m["note"] for m in report_to_jsonable(build_report(tissue, no_fusion, KB))["mechanisms"]
             if m["class"] == "off_target"]
    assert notes and all(n.startswith("driver fusion not assessed (no fusion input); on-target mutation not assessed")
                         for n in notes)
    # with a VCF that has no on-target mutation the negative is still stated
    no_on_target = Stages(variants=StageResult("variants", "S1", variants=(_variant("KRAS", "p.G12C", 25245350, 0.1),)),
                          fusions=full.fusions, cnv=full.cnv)
    notes = [m["note"] for m in report_to_jsonable(build_report(tissue, no_on_target, KB))["mechanisms"]
             if m["class"] == "off_target"]
    assert notes and all("on-target mutation not detected" in n for n in notes)
