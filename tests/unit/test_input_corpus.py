"""The real-format edge-case corpus under tests/data (see tests/data/README.md for origins)."""

from __future__ import annotations

from pathlib import Path

from test_preannotated import annotate

from kinres.annotate.transcripts import Panel
from kinres.io.cnv import read_cnv
from kinres.io.vcf import read_vcf

DATA = Path(__file__).resolve().parents[1] / "data"


def test_cnvkit_zero_probe_segments_corpus():
    table = read_cnv(DATA / "cnv/zero_probe_segments.cns")
    assert [o.genes for o in table.observations] == [("MET",), ("ALK",)]
    (w,) = table.warnings
    assert "2 CNVkit segment(s)" in w and "line 3, 4" in w


def test_vep_alternative_isoform_corpus():
    path = DATA / "variants/met_alt_isoform.vep.vcf"
    panel = Panel.load("GRCh38")
    read = read_vcf(path, "GRCh38", panel=panel)
    assert any("FILTER '.'" in w and "read as PASS" in w for w in read.warnings)
    variants, warnings = annotate(path, panel)
    met, ntrk3 = variants
    assert met.filters == (".",)
    assert (met.annotation.transcript, met.annotation.hgvs_c, met.annotation.hgvs_p,
            met.annotation.exon) == ("ENST00000397752", "c.3028G>C", "p.D1010H", 14)
    assert (ntrk3.annotation.transcript, ntrk3.annotation.hgvs_c, ntrk3.annotation.hgvs_p) == (
        "ENST00000360948", "c.1868G>A", "p.G623E")
    assert not any("not re-expressible" in w for w in warnings)
