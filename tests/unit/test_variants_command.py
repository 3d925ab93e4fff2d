"""`kinres variants`: sheet row -> variants.json, through the CLI dispatcher."""

from __future__ import annotations

import json
from pathlib import Path

from test_preannotated import VEP_HEADER, vep, write_vcf

from kinres.cli import main
from kinres.models import StageResult
from kinres.serialize import read_json

SHEET_COLS = ["sample_id", "patient_id", "specimen", "tumor_type", "genome_build", "vcf",
              "vcf_sample", "fusions"]


def setup(tmp_path: Path, vcf: str, vcf_sample: str = "", variants_cfg: str = "",
          fusions: str = "") -> tuple[Path, Path]:
    sheet = tmp_path / "samples.tsv"
    sheet.write_text("\t".join(SHEET_COLS) + "\n" + "\t".join(
        ["S1", "P1", "tissue", "NSCLC", "GRCh38", vcf, vcf_sample, fusions]) + "\n")
    cfg = tmp_path / "config.yaml"
    cfg.write_text(f"samples: {sheet}\nresults: {tmp_path / 'results'}\n" + variants_cfg)
    return cfg, sheet


def run(cfg: Path, sheet: Path, out: Path) -> int:
    return main(["-q", "variants", "--config", str(cfg), "--sample-sheet", str(sheet),
                 "--sample", "S1", "--out", str(out)])


def test_vep_annotated_vcf_to_json(tmp_path):
    csq = vep("T", "missense_variant", "ALK", "ENST00000389048.7", "23/29",
              "ENST00000389048.7:c.3604G>A", "ENSP00000373700.3:p.Gly1202Arg", "1202", "G/R")
    vcf = write_vcf(tmp_path, VEP_HEADER, [
        f"chr2\t29220747\t.\tC\tT\t.\tPASS\tCSQ={csq}\tGT:AD:AF:DP\t0/1:180,20:0.1:200",
        f"chr2\t29220750\t.\tC\tT\t.\tweak_evidence\tCSQ={csq}\tGT:AD:AF:DP\t0/1:180,2:0.01:182"])
    cfg, sheet = setup(tmp_path, str(vcf), variants_cfg="variants:\n  region_padding: 30\n")
    out = tmp_path / "results/S1/variants.json"
    assert run(cfg, sheet, out) == 0
    res = read_json(out, StageResult)
    (v,) = res.variants
    assert (v.annotation.hgvs_p, v.annotation.transcript, v.vaf) == (
        "p.G1202R", "ENST00000389048", 0.1)
    assert res.inputs[0].path == str(vcf) and len(res.inputs[0].sha256) == 64
    params = dict(res.parameters)
    assert params["variants.region_padding"] == "30" and params["variants.annotation"] == "CSQ"
    assert any("failed FILTER" in w for w in res.warnings)


def test_raw_vcf_without_reference_is_a_clear_error(tmp_path, shared_dir, capsys):
    vcf = shared_dir / "data/examples/pcgr/T001-COAD.grch38.vcf.gz"
    cfg, sheet = setup(tmp_path, str(vcf))
    out = tmp_path / "v.json"
    assert run(cfg, sheet, out) == 2
    err = capsys.readouterr().err
    assert "no consequence annotation (CSQ/ANN/BCSQ) and no reference configured" in err
    assert "reference.GRCh38.fasta" in err and str(vcf) in err
    assert not out.exists()  # no partial output


def test_sample_without_vcf_writes_empty_result(tmp_path, shared_dir):
    fusions = shared_dir / "data/fusion_examples/arriba/arriba_test_fusions.tsv"
    cfg, sheet = setup(tmp_path, "", fusions=str(fusions))
    out = tmp_path / "v.json"
    assert run(cfg, sheet, out) == 0
    data = json.loads(out.read_text())
    assert data["variants"] == [] and data["stage"] == "variants"
    assert "small variants not assessed" in data["warnings"][0]


def test_maf_input(tmp_path):
    maf = tmp_path / "s.maf"
    maf.write_text("Hugo_Symbol\tNCBI_Build\tChromosome\tStart_Position\tReference_Allele\t"
                   "Tumor_Seq_Allele2\tHGVSp_Short\tTranscript_ID\tt_depth\tt_alt_count\n"
                   "ALK\tGRCh38\t2\t29220747\tC\tT\tp.G1202R\tENST00000389048.7\t400\t40\n")
    cfg, sheet = setup(tmp_path, str(maf))
    out = tmp_path / "v.json"
    assert run(cfg, sheet, out) == 0
    (v,) = read_json(out, StageResult).variants
    assert (v.annotation.hgvs_p, v.vaf, v.annotation.annotator) == ("p.G1202R", 0.1, "MAF")


def test_unknown_variants_config_key_rejected(tmp_path, capsys):
    cfg, sheet = setup(tmp_path, "", variants_cfg="variants:\n  filter: [PASS]\n")
    assert run(cfg, sheet, tmp_path / "v.json") == 2
    err = capsys.readouterr().err
    assert "config.yaml" in err and "variants" in err and "'filter'" in err


def test_settings_defaults_match_schema():
    from kinres.io.vcf import VariantSettings
    from kinres.paths import SCHEMAS

    schema = json.loads((SCHEMAS / "config/variants.schema.json").read_text())
    defaults = {k: v["default"] for k, v in schema["properties"].items()}
    s = VariantSettings.from_mapping({})
    for key, value in defaults.items():
        got = getattr(s, key)
        assert (list(got) if isinstance(got, tuple) else got) == value, key
    assert all("description" in v for v in schema["properties"].values())


def test_duplicate_vcf_records_are_merged_with_a_warning(tmp_path):
    """A repeated record must not become '2 ALK mutations (p.G1202R + p.G1202R)'."""
    csq = vep("T", "missense_variant", "ALK", "ENST00000389048.7", "23/29",
              "ENST00000389048.7:c.3604G>A", "ENSP00000373700.3:p.Gly1202Arg", "1202", "G/R")
    rec = f"chr2\t29220747\t.\tC\tT\t.\tPASS\tCSQ={csq}\tGT:AD:AF:DP\t0/1:180,20:0.1:200"
    vcf = write_vcf(tmp_path, VEP_HEADER, [rec, rec])
    cfg, sheet = setup(tmp_path, str(vcf))
    out = tmp_path / "v.json"
    assert run(cfg, sheet, out) == 0
    res = read_json(out, StageResult)
    assert [v.annotation.hgvs_p for v in res.variants] == ["p.G1202R"]
    assert any("duplicate record 2:29220747 C>T (ALK p.G1202R)" in w and "merged" in w
               for w in res.warnings)


def test_duplicate_maf_rows_are_merged_with_a_warning(tmp_path):
    maf = tmp_path / "s.maf"
    row = "ALK\tGRCh38\t2\t29220747\tC\tT\tp.G1202R\tENST00000389048.7\t400\t40\n"
    maf.write_text("Hugo_Symbol\tNCBI_Build\tChromosome\tStart_Position\tReference_Allele\t"
                   "Tumor_Seq_Allele2\tHGVSp_Short\tTranscript_ID\tt_depth\tt_alt_count\n"
                   + row + row.replace("\t40\n", "\t44\n"))
    cfg, sheet = setup(tmp_path, str(maf))
    out = tmp_path / "v.json"
    assert run(cfg, sheet, out) == 0
    res = read_json(out, StageResult)
    assert len(res.variants) == 1 and res.variants[0].vaf == 0.1
    (w,) = [w for w in res.warnings if "duplicate record" in w]
    assert "line 2 and line 3" in w and "disagree" in w
