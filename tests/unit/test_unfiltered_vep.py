"""FILTER "." (no filter applied, as VEP/VAtools VCFs carry) is PASS-equivalent by default."""

from __future__ import annotations

from test_preannotated import VEP_HEADER, vep, write_vcf
from test_variants_command import run, setup

from kinres.models import StageResult
from kinres.serialize import read_json


def test_vep_vcf_with_dot_filter_yields_its_alterations(tmp_path):
    csq = vep("T", "missense_variant", "ALK", "ENST00000389048.7", "23/29",
              "ENST00000389048.7:c.3604G>A", "ENSP00000373700.3:p.Gly1202Arg", "1202", "G/R")
    vcf = write_vcf(tmp_path, VEP_HEADER, [
        f"chr2\t29220747\t.\tC\tT\t.\t.\tCSQ={csq}\tGT:AD:AF:DP\t0/1:180,20:0.1:200"])
    cfg, sheet = setup(tmp_path, str(vcf))
    out = tmp_path / "results/S1/variants.json"
    assert run(cfg, sheet, out) == 0
    res = read_json(out, StageResult)
    (v,) = res.variants
    assert v.annotation.hgvs_p == "p.G1202R" and v.filters == (".",)
    assert not any("failed FILTER" in w for w in res.warnings)
    assert any("FILTER '.'" in w and "read as PASS" in w for w in res.warnings)
    # a lab that wants "." rejected says so explicitly
    cfg2, sheet2 = setup(tmp_path, str(vcf), variants_cfg="variants:\n  unfiltered_as_pass: false\n")
    assert run(cfg2, sheet2, out) == 0
    res = read_json(out, StageResult)
    assert res.variants == () and any("failed FILTER (reasons: . x1)" in w for w in res.warnings)
