"""MAF ingestion: the real oncokb-annotator example MAFs plus small synthetic vcf2maf rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from kinres.annotate.transcripts import Panel
from kinres.enums import Consequence as C
from kinres.errors import InputError
from kinres.io.maf import read_maf

VCF2MAF_COLS = ["Hugo_Symbol", "Center", "NCBI_Build", "Chromosome", "Start_Position",
                "End_Position", "Variant_Classification", "Reference_Allele",
                "Tumor_Seq_Allele1", "Tumor_Seq_Allele2", "Tumor_Sample_Barcode", "HGVSc",
                "HGVSp_Short", "Transcript_ID", "Exon_Number", "t_depth", "t_ref_count",
                "t_alt_count", "FILTER"]


def maf(tmp_path: Path, rows: list[list[str]], cols=VCF2MAF_COLS) -> Path:
    p = tmp_path / "s.maf"
    p.write_text("#version 2.4\n" + "\t".join(cols) + "\n" +
                 "".join("\t".join(r) + "\n" for r in rows))
    return p


def row(gene="ALK", build="GRCh38", chrom="2", start="29220747", end="29220747",
        vc="Missense_Mutation", ref="C", alt="T", barcode="T1", hgvsc="c.3604G>A",
        hgvsp="p.G1202R", tx="ENST00000389048", exon="23/29", depth="200", refc="180",
        altc="20", filt="PASS"):
    return [gene, "kinres-test", build, chrom, start, end, vc, ref, ref, alt, barcode, hgvsc,
            hgvsp, tx, exon, depth, refc, altc, filt]


def test_oncokb_example_maf(shared_dir):
    path = shared_dir / "data/examples/oncokb-annotator/example_maf.txt"
    panel = Panel.load("GRCh37")
    with pytest.raises(InputError, match="tumour samples"):
        read_maf(path, "GRCh37", panel)
    res = read_maf(path, "GRCh37", panel, sample="TCGA-05-4417-01")
    by_gene = {v.annotation.gene: v for v in res.variants}
    kras = [v for v in res.variants if v.annotation.gene == "KRAS"]
    assert len(kras) == 2  # the SNV and the CA>AG di-nucleotide row
    snv = next(v for v in kras if v.ref == "C")
    assert (snv.chrom, snv.pos, snv.alt) == ("12", 25398285, "A")
    assert snv.annotation.hgvs_p == "p.G12C" and snv.annotation.consequences == (C.MISSENSE,)
    assert snv.annotation.annotator == "MAF" and snv.annotation.transcript == "ENST00000311936"
    assert "no Transcript_ID" in snv.annotation.note
    assert snv.vaf is None  # no t_depth/t_alt_count columns: unknown, not 0
    w = "\n".join(res.warnings)
    # EGFR T790M, FGFR3 V271M, STK11 H168R ... have no coordinates: counted and named
    assert "without genomic coordinates" in w and "EGFR p.T790M" in w
    assert "outside the panel" in w  # AKT3, MYD88, TERT, ATM, ...
    assert "t_depth" in w
    assert "EGFR" not in by_gene or by_gene["EGFR"].pos != 0


def test_oncokb_grch38_build_checked(shared_dir):
    path = shared_dir / "data/examples/oncokb-annotator/example_maf_grch38.txt"
    with pytest.raises(InputError, match="NCBI_Build GRCh38 does not match") as exc:
        read_maf(path, "GRCh37", Panel.load("GRCh37"), sample="TCGA-05-4417-01")
    assert exc.value.line is not None


def test_vcf2maf_rows_vaf_transcripts_and_indels(tmp_path):
    rows = [
        row(),
        # NTRK3 annotated on the 825-aa isoform: numbering not transferred
        row(gene="NTRK3", chrom="15", start="87933034", end="87933034", hgvsc="c.1868G>A",
            hgvsp="p.G623E", tx="ENST00000394480.6"),
        # EGFR exon 19 deletion: MAF alleles, no anchor base
        row(gene="EGFR", chrom="7", start="55174772", end="55174786", vc="In_Frame_Del",
            ref="GGAATTAAGAGAAGC", alt="-", hgvsc="c.2235_2249del", hgvsp="p.E746_A750del",
            tx="ENST00000275493.7", exon="19/28"),
        row(filt="common_variant"),
        row(gene="TTN", chrom="2", start="178527000", end="178527000"),
    ]
    res = read_maf(maf(tmp_path, rows), "GRCh38", Panel.load("GRCh38"))
    alk, ntrk3, egfr = res.variants
    assert (alk.vaf, alk.depth, alk.alt_reads, alk.source.line) == (0.1, 200, 20, 3)
    assert alk.annotation.hgvs_p == "p.G1202R" and alk.annotation.exon == 23
    assert alk.annotation.note is None and alk.annotation.hgvs_c == "c.3604G>A"
    assert ntrk3.annotation.hgvs_p is None and "ENST00000394480" in ntrk3.annotation.note
    assert egfr.allele_convention == "maf" and egfr.kind.value == "deletion"
    assert egfr.annotation.hgvs_p == "p.E746_A750del"
    assert egfr.annotation.consequences == (C.INFRAME_DELETION,)
    w = "\n".join(res.warnings)
    assert "1 row(s) failed FILTER (reasons: common_variant x1)" in w
    assert "1 row(s) in genes outside the panel" in w


def test_missing_columns_named(tmp_path):
    cols = [c for c in VCF2MAF_COLS if c not in ("HGVSp_Short", "Tumor_Seq_Allele2")]
    p = maf(tmp_path, [], cols=cols)
    with pytest.raises(InputError, match="Tumor_Seq_Allele2, HGVSp_Short") as exc:
        read_maf(p, "GRCh38", Panel.load("GRCh38"))
    assert exc.value.line == 2


def test_bad_number_names_line(tmp_path):
    p = maf(tmp_path, [row(), row(start="29,220,747")])
    with pytest.raises(InputError, match="Start_Position") as exc:
        read_maf(p, "GRCh38", Panel.load("GRCh38"))
    assert exc.value.line == 4
