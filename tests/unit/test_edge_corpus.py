"""The real-format edge corpus (tests/data/edge/, README there): each file gives its expected
variants and warnings through `kinres variants`, and the report's annotated VCF copy works."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from report_fixtures import DATA as REPORTS

from kinres.cli import main
from kinres.models import StageResult
from kinres.report.json import load_report
from kinres.report.vcf_out import annotate_vcf
from kinres.serialize import read_json

EDGE = Path(__file__).resolve().parents[1] / "data" / "edge"
EXPECTED = json.loads((EDGE / "expected.json").read_text())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_edge_file_through_kinres_variants(tmp_path, name):
    exp = EXPECTED[name]
    sheet = tmp_path / "s.tsv"
    sheet.write_text("sample_id\tpatient_id\tspecimen\ttumor_type\tgenome_build\tvcf\n"
                     f"S1\tP1\ttissue\tNSCLC\t{exp['build']}\t{EDGE / name}\n")
    cfg = tmp_path / "c.yaml"
    cfg.write_text(f"samples: {sheet}\nresults: {tmp_path / 'r'}\n")
    out = tmp_path / "v.json"
    assert main(["-q", "variants", "--config", str(cfg), "--sample-sheet", str(sheet),
                 "--sample", "S1", "--out", str(out)]) == 0
    res = read_json(out, StageResult)
    assert [v.annotation.hgvs_p for v in res.variants] == exp["hgvs_p"]
    for text in exp["warnings"]:
        assert any(text in w for w in res.warnings), (text, res.warnings)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_edge_file_annotated_copy(tmp_path, name):
    """No ##contig, plain gzip, BOM/CRLF: the report's VCF copy never dies inside htslib."""
    report = load_report(REPORTS / "alk_g1202r_tissue.report.json")
    out = tmp_path / "copy.vcf.gz"
    res = annotate_vcf(EDGE / name, report, out)
    assert res.records_in == res.records_out == EXPECTED[name]["copy_records"]
    import pysam

    with pysam.VariantFile(str(out)) as fh:
        assert "KINRES_GENE" in fh.header.info
        assert len(list(fh)) == EXPECTED[name]["copy_records"]
