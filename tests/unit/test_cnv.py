"""Copy-number parsing (io/cnv.py) and calling (interpret/cn_calls.py)."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest

from kinres.enums import Build, CaveatCode, CnvFormat, CopyNumberCall, Specimen
from kinres.errors import InputError
from kinres.interpret.cn_calls import (
    GeneSpan,
    Settings,
    adjusted_copy_number,
    call_copy_numbers,
    classify,
)
from kinres.io.cnv import CnvLayout, read_cnv
from kinres.models import Sample

AMP, GAIN, NEUTRAL = CopyNumberCall.AMPLIFICATION, CopyNumberCall.GAIN, CopyNumberCall.NEUTRAL
LOSS, DEEP, NA = CopyNumberCall.LOSS, CopyNumberCall.DEEP_DELETION, CopyNumberCall.NOT_ASSESSABLE


@pytest.fixture(scope="module")
def spans38(shared_dir) -> list[GeneSpan]:
    """Real GRCh38 gene spans of the panel (shared annotation table)."""
    out = []
    with open(shared_dir / "data/annotation/GRCh38.panel_genes.tsv") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if row["chrom"] != "NA":
                out.append(GeneSpan(row["gene_name"], row["chrom"], int(row["start"]),
                                    int(row["end"])))
    return out


def sample(specimen=Specimen.TISSUE, purity=None, tf=None, ploidy=None, **kw) -> Sample:
    return Sample("S1", "P1", specimen, "NSCLC", Build.GRCh38, purity=purity,
                  tumor_fraction=tf, ploidy=ploidy, **kw)


def by_gene(calls):
    return {c.gene: c for c in calls}


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


# MET (GRCh38 chr7:116672392-116798386) and ALK (chr2:29192774-29921566) segments, CNVkit
# writes 0-based starts.
CNS_HEADER = "chromosome\tstart\tend\tgene\tlog2\tdepth\tprobes\tweight\n"


def cns(tmp_path, rows: list[str]) -> Path:
    return write(tmp_path, "t.cns", CNS_HEADER + "".join(r + "\n" for r in rows))


# --------------------------------------------------------------------------- real files
def test_pcgr_allele_specific_segments_real_file(shared_dir, spans38):
    path = shared_dir / "data/examples/pcgr/T001-COAD.grch38.cna.tsv"
    table = read_cnv(path)
    assert table.layout is CnvLayout.ALLELE_SPECIFIC_SEGMENTS
    assert len(table.observations) == 260  # 261 lines minus header
    # purity must not be applied again to ASCAT-style absolute tumour CN
    calls = by_gene(call_copy_numbers(table, sample(purity=0.5), spans38)[0])
    erbb2 = calls["ERBB2"]
    assert erbb2.call is AMP and erbb2.adjusted_copy_number == 9.0 and erbb2.focal is True
    assert erbb2.chrom == "17" and erbb2.start <= 39700080 and erbb2.end >= 39728662
    # the row that holds ERBB2 really says nMajor + nMinor = 9
    line = Path(path).read_text().splitlines()[erbb2.source.line - 1].split("\t")
    assert int(line[3]) + int(line[4]) == 9
    assert calls["NRAS"].call is AMP and calls["NRAS"].copy_number == 24.0
    assert calls["ALK"].call is LOSS and calls["ALK"].copy_number == 1.0
    assert calls["MET"].call is GAIN
    assert "KIF5B" not in calls or calls["KIF5B"].call in (NEUTRAL, GAIN, LOSS)
    assert erbb2.purity_used is None and "already tumour-specific" in erbb2.note


def test_oncokb_matrix_real_file(shared_dir, spans38):
    path = shared_dir / "data/examples/oncokb-annotator/example_cna.txt"
    table = read_cnv(path, sample_id="TCGA-02-0033-01")
    assert table.layout is CnvLayout.DISCRETE_MATRIX and table.sample_column == "TCGA-02-0033-01"
    calls, warnings = call_copy_numbers(table, sample(), spans38)
    calls = by_gene(calls)
    assert calls["MET"].call is AMP and calls["ERBB2"].call is GAIN
    assert calls["CDK4"].call is AMP
    assert any("other sample column" in w for w in warnings)
    # the other sample: CDK4 has -2 and -1 rows; the deep deletion is reported
    other = by_gene(call_copy_numbers(read_cnv(path, sample_id="TCGA-05-4417-01"), sample(),
                                      spans38)[0])
    assert other["CDK4"].call is DEEP and other["CDK4"].source.line == 4
    with pytest.raises(InputError, match="none is called 'XYZ'") as err:
        read_cnv(path, sample_id="XYZ")
    assert err.value.path == str(path)


def test_oncokb_long_form_real_file(shared_dir, spans38):
    path = shared_dir / "data/examples/oncokb-annotator/example_individual_cna.txt"
    table = read_cnv(path, sample_id="TCGA-02-0033-01")
    assert table.layout is CnvLayout.DISCRETE_LONG
    assert [o.source.line for o in table.observations] == [6, 7, 8, 9]
    assert any("8 row(s) of other samples" in w for w in table.warnings)
    words = read_cnv(path, sample_id="TCGA-05-4417-01")
    assert {o.discrete for o in words.observations if o.source.line >= 10} == {AMP, DEEP, LOSS,
                                                                               GAIN}


# --------------------------------------------------------------------------- CNVkit + purity
def test_cnvkit_cns_coordinates_and_log2(tmp_path, spans38):
    # log2 = log2(3) -> observed 6 copies on a diploid baseline
    p = cns(tmp_path, [f"7\t116600000\t116900000\tMET\t{math.log2(3):.6f}\t500\t40\t30"])
    table = read_cnv(p, CnvFormat.CNVKIT)
    obs = table.observations[0]
    assert table.layout is CnvLayout.CNVKIT_SEGMENTS and obs.start == 116600001
    assert obs.end == 116900000 and obs.genes == ("MET",) and obs.probes == 40
    # unknown purity: observed CN is used and the record says so
    met = by_gene(call_copy_numbers(table, sample(), spans38)[0])["MET"]
    assert met.copy_number == pytest.approx(6.0) and met.adjusted_copy_number == pytest.approx(6.0)
    assert met.call is AMP and met.purity_used is None and "purity unknown" in met.note
    # purity 0.5: (6 - 2*0.5)/0.5 = 10
    met = by_gene(call_copy_numbers(table, sample(purity=0.5), spans38)[0])["MET"]
    assert met.adjusted_copy_number == pytest.approx(10.0)
    assert met.purity_used == 0.5 and met.purity_source == "purity" and met.ploidy_used == 2.0


def test_purity_unmasks_amplification_and_tumour_ploidy(tmp_path, spans38):
    # observed 3.5 copies at 30% purity = 7 tumour copies: an amplification a naive reading
    # (3.5 -> gain) would miss
    p = cns(tmp_path, [f"7\t116600000\t116900000\tMET\t{math.log2(3.5 / 2):.6f}\t500\t40\t30"])
    table = read_cnv(p)
    assert by_gene(call_copy_numbers(table, sample(), spans38)[0])["MET"].call is GAIN
    met = by_gene(call_copy_numbers(table, sample(purity=0.3), spans38)[0])["MET"]
    assert met.adjusted_copy_number == pytest.approx(7.0, abs=1e-3) and met.call is AMP
    # a tetraploid tumour: log2 is relative to ploidy 4, 4*2^log2(3.5/2) = 7 observed
    met4 = by_gene(call_copy_numbers(table, sample(purity=1.0, ploidy=4), spans38)[0])["MET"]
    assert met4.copy_number == pytest.approx(7.0, abs=1e-3) and met4.ploidy_used == 4


@pytest.mark.parametrize("tumour_cn", [0.0, 1.0, 2.0, 3.0, 6.0, 20.0])
@pytest.mark.parametrize("p", [0.1, 0.35, 0.8, 1.0])
@pytest.mark.parametrize("ploidy", [2.0, 3.0])
def test_adjustment_inverts_the_mixture(tumour_cn, p, ploidy):
    observed = ploidy * (1 - p) + p * tumour_cn
    assert adjusted_copy_number(observed, p, ploidy) == pytest.approx(tumour_cn)


def test_classify_thresholds():
    s = Settings()
    assert classify(6.0, True, 2, s) is AMP
    assert classify(7.0, False, 2, s) is GAIN  # broad: polysomy-like, not focal amplification
    assert classify(12.0, False, 2, s) is AMP
    assert classify(6.0, None, 2, s) is AMP  # size unknown (gene-level input)
    assert classify(3.0, True, 2, s) is GAIN and classify(2.9, True, 2, s) is NEUTRAL
    assert classify(4.0, True, 4, s) is NEUTRAL  # tetraploid baseline
    assert classify(1.5, True, 2, s) is LOSS and classify(0.4, True, 2, s) is DEEP
    assert classify(0.5, True, 2, s) is DEEP
    custom = Settings.from_mapping({"amplification_cn": 8, "gain_cn": 4})
    assert classify(7.0, True, 2, custom) is GAIN


def test_broad_segment_reported_as_gain_with_note(tmp_path, spans38):
    # 20 Mb segment over MET at 8 copies: chromosome-arm gain, not a focal amplicon
    p = cns(tmp_path, [f"7\t100000000\t120000000\tMET\t{math.log2(4):.6f}\t500\t900\t30"])
    met = by_gene(call_copy_numbers(read_cnv(p), sample(purity=1.0), spans38)[0])["MET"]
    assert met.focal is False and met.call is GAIN and "not focal" in met.note
    narrow = Settings.from_mapping({"focal_max_bp": 50_000_000})
    assert by_gene(call_copy_numbers(read_cnv(p), sample(purity=1.0), spans38,
                                     narrow)[0])["MET"].call is AMP


def test_cnvkit_bins_summarised_by_median(tmp_path, spans38):
    rows = [f"7\t{116700000 + i * 1000}\t{116700000 + i * 1000 + 200}\tMET\t{v}\t300\t1"
            for i, v in enumerate([1.6, 1.5, 5.0, 1.55, -3.0])]
    p = write(tmp_path, "t.cnr", "chromosome\tstart\tend\tgene\tlog2\tdepth\tweight\n"
              + "\n".join(rows) + "\n")
    table = read_cnv(p)
    assert table.layout is CnvLayout.CNVKIT_BINS and len(table.observations) == 1
    assert table.observations[0].log2 == pytest.approx(1.55)  # outliers 5.0 / -3.0 ignored


# --------------------------------------------------------------------------- liquid biopsy
def plasma_case(tmp_path, spans38, observed_cn: float, tf):
    log2 = math.log2(observed_cn / 2)
    p = cns(tmp_path, [f"7\t116600000\t116900000\tMET\t{log2:.6f}\t500\t40\t30"])
    return by_gene(call_copy_numbers(read_cnv(p), sample(Specimen.PLASMA, tf=tf),
                                     spans38)[0])["MET"]


def test_plasma_amplification_diluted_by_tumour_fraction(tmp_path, spans38):
    # digest 5.6: 10 tumour copies at TF 10% read as 2.8 in plasma
    met = plasma_case(tmp_path, spans38, 2.8, 0.10)
    assert met.adjusted_copy_number == pytest.approx(10.0, abs=1e-3) and met.call is AMP
    assert CaveatCode.PLASMA_CNV_INSENSITIVE in met.caveats
    assert CaveatCode.LOW_TUMOR_FRACTION in met.caveats
    assert met.purity_source == "tumor_fraction" and met.purity_used == 0.10


def test_plasma_negative_not_assessable_at_low_or_unknown_tf(tmp_path, spans38):
    for tf in (None, 0.05, 0.19):
        met = plasma_case(tmp_path, spans38, 2.0, tf)
        assert met.call is NA, tf
        assert CaveatCode.LOW_TUMOR_FRACTION in met.caveats
    # unknown TF: 2.8 is not a call on observed CN, and cannot be called negative either
    assert plasma_case(tmp_path, spans38, 2.8, None).call is NA
    adequate = plasma_case(tmp_path, spans38, 2.0, 0.4)
    assert adequate.call is NEUTRAL and adequate.caveats == (CaveatCode.PLASMA_CNV_INSENSITIVE,)


def test_plasma_deep_loss_needs_adequate_tf(tmp_path, spans38):
    # TF 10%: a homozygous deletion would read 1.8; not callable
    assert plasma_case(tmp_path, spans38, 1.8, 0.10).call is NA
    # TF 50%: 1.0 observed -> (1.0 - 1.0)/0.5 = 0 tumour copies
    deep = plasma_case(tmp_path, spans38, 1.0, 0.5)
    assert deep.call is DEEP and deep.adjusted_copy_number == pytest.approx(0.0, abs=1e-3)


def test_noise_near_baseline_is_not_scaled_up(tmp_path, spans38):
    # 2.1 observed at TF 5% would be 4 "tumour copies" if scaled; it is baseline noise
    met = plasma_case(tmp_path, spans38, 2.1, 0.05)
    assert met.adjusted_copy_number == pytest.approx(2.1, abs=1e-3) and met.call is NA


# --------------------------------------------------------------------------- other layouts
DRAGEN_VCF = """##fileformat=VCFv4.2
##source=DRAGEN_CNV
##contig=<ID=chr7,length=159345973>
##contig=<ID=chr2,length=242193529>
##ALT=<ID=DEL,Description="Deletion relative to the reference">
##ALT=<ID=DUP,Description="Region of elevated copy number relative to the reference">
##FILTER=<ID=PASS,Description="All filters passed">
##FILTER=<ID=cnvLength,Description="CNV too short">
##INFO=<ID=REFLEN,Number=1,Type=Integer,Description="Number of REF positions included in this record">
##INFO=<ID=SVLEN,Number=.,Type=Integer,Description="Difference in length between REF and ALT alleles">
##INFO=<ID=SVTYPE,Number=1,Type=String,Description="Type of structural variant">
##INFO=<ID=END,Number=1,Type=Integer,Description="End position of the variant described in this record">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=SM,Number=1,Type=Float,Description="Linear copy ratio of the segment mean">
##FORMAT=<ID=CN,Number=1,Type=Integer,Description="Estimated copy number">
##FORMAT=<ID=BC,Number=1,Type=Integer,Description="Number of bins in the region">
##FORMAT=<ID=PE,Number=2,Type=Integer,Description="Number of improperly paired end reads at start and stop breakpoints">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTUMOR
chr2\t29000000\tDRAGEN:REF:chr2:29000000-30000000\tN\t.\t81\tPASS\tEND=30000000;REFLEN=1000001\tGT:SM:CN:BC:PE\t./.:0.98:2:1434:0,0
chr7\t116600000\tDRAGEN:GAIN:chr7:116600001-116900000\tN\t<DUP>\t88\tPASS\tSVLEN=300000;SVTYPE=CNV;END=116900000;REFLEN=300000\tGT:SM:CN:BC:PE\t./1:4.1:8:300:0,0
chr7\t140700000\tDRAGEN:GAIN:chr7:140700001-140701000\tN\t<DUP>\t20\tcnvLength\tSVLEN=1000;SVTYPE=CNV;END=140701000;REFLEN=1000\tGT:SM:CN:BC:PE\t./1:1.5:3:2:0,0
"""


def test_dragen_vcf(tmp_path, spans38):
    p = write(tmp_path, "t.cnv.vcf", DRAGEN_VCF)
    table = read_cnv(p, CnvFormat.VCF, sample_id="S1")
    assert table.layout is CnvLayout.VCF and table.sample_column == "TUMOR"
    assert len(table.observations) == 2
    assert any("1 CNV record(s) not PASS" in w for w in table.warnings)
    gain = table.observations[1]
    assert (gain.chrom, gain.start, gain.end, gain.copy_number) == ("chr7", 116600001,
                                                                    116900000, 8.0)
    assert gain.source.line == 20
    calls = by_gene(call_copy_numbers(table, sample(purity=1.0), spans38)[0])
    assert calls["MET"].call is AMP and calls["ALK"].call is NEUTRAL
    assert "BRAF" not in calls  # the filtered record is not used
    with pytest.raises(InputError, match="cnv_format 'cnvkit'"):
        read_cnv(p, CnvFormat.CNVKIT)


def test_cnvkit_export_vcf_log2_only(tmp_path, spans38):
    lines = [
        "##fileformat=VCFv4.2",
        "##contig=<ID=7,length=159345973>",
        '##INFO=<ID=SVTYPE,Number=1,Type=String,Description="Type">',
        '##INFO=<ID=END,Number=1,Type=Integer,Description="End">',
        '##INFO=<ID=FOLD_CHANGE_LOG,Number=1,Type=Float,Description="Log fold change">',
        '##INFO=<ID=PROBES,Number=1,Type=Integer,Description="Probes">',
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO",
        "7\t116600000\t.\tN\t<DUP>\t.\t.\tSVTYPE=DUP;END=116900000;FOLD_CHANGE_LOG=1.0;PROBES=40",
        ""]
    text = "\n".join(lines)
    table = read_cnv(write(tmp_path, "c.vcf", text))
    assert table.observations[0].log2 == 1.0 and table.observations[0].copy_number is None
    met = by_gene(call_copy_numbers(table, sample(purity=0.5), spans38)[0])["MET"]
    assert met.adjusted_copy_number == pytest.approx(6.0)  # 4 observed -> (4-1)/0.5


def test_gene_table_and_panel_restriction(tmp_path, spans38):
    p = write(tmp_path, "g.tsv", "Gene\tCopy_Number\nMET\t12\nCDK4\t1\nNOTAGENE\t3\nALK\t2\n")
    table = read_cnv(p, CnvFormat.GENE_TSV)
    assert table.layout is CnvLayout.GENE_TABLE
    calls, warnings = call_copy_numbers(table, sample(purity=0.8), spans38)
    calls = by_gene(calls)
    assert set(calls) == {"MET", "CDK4", "ALK"}
    assert calls["MET"].adjusted_copy_number == pytest.approx(14.5) and calls["MET"].call is AMP
    assert calls["MET"].focal is None and calls["ALK"].call is NEUTRAL
    assert any("1 gene(s) not on the panel" in w for w in warnings)
    log2 = read_cnv(write(tmp_path, "l.tsv", "hugo_symbol\tlog2_ratio\nMET\t-1\n"))
    assert log2.observations[0].log2 == -1.0


def test_seg_file_selects_sample(tmp_path, spans38):
    p = write(tmp_path, "x.seg", "ID\tchrom\tloc.start\tloc.end\tnum.mark\tseg.mean\n"
              "S1\t7\t116600000\t116900000\t40\t1.0\nS2\t7\t116600000\t116900000\t40\t3.0\n")
    table = read_cnv(p, sample_id="S1")
    assert table.layout is CnvLayout.SEGMENTS and len(table.observations) == 1
    assert table.observations[0].log2 == 1.0 and table.warnings


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("text, problem, line", [
    ("", "empty", None),
    (CNS_HEADER, "no copy-number records", None),
    (CNS_HEADER + "7\t10\t20\tMET\tnan\t1\t1\t1\n", "not a finite number", 2),
    (CNS_HEADER + "7\t10\t20\tMET\tabc\t1\t1\t1\n", "not a number", 2),
    # a file whose only segment is a zero-probe artefact has no records (the skip is named)
    (CNS_HEADER + "7\t30\t20\tMET\t0.1\t1\t1\t1\n", "no copy-number records.*1 CNVkit segment", None),
    ("ID\tchrom\tloc.start\tloc.end\tnum.mark\tseg.mean\nS1\t7\t30\t20\t4\t1.0\n", "before its start", 2),
    (CNS_HEADER + "7\t10\t20\tMET\t0.1\t1\n", "expected 8 tab-separated columns", 2),
    ("gene\tcn\nMET\t3\nALK\t-1\n", "negative copy number", 3),
    ("gene\tcn\nMET\tNA\n", "not a number", 2),
    ("a\tb\n1\t2\n", "unrecognised copy-number table", 1),
    ("Hugo_Symbol\tS1\nMET\t7\n", "not a discrete copy-number value", 2),
])
def test_bad_input_names_file_and_line(tmp_path, text, problem, line):
    p = write(tmp_path, "bad.tsv", text)
    with pytest.raises(InputError, match=problem) as err:
        read_cnv(p)
    assert err.value.path == str(p) and err.value.line == line


def test_vcf_record_without_copy_number(tmp_path):
    text = DRAGEN_VCF.replace("GT:SM:CN:BC:PE\t./1:4.1:8:300:0,0", "GT\t./1")
    with pytest.raises(InputError, match="no CN") as err:
        read_cnv(write(tmp_path, "n.vcf", text))
    assert err.value.line == 20


def test_settings_reject_inconsistent_thresholds():
    with pytest.raises(Exception, match="thresholds"):
        Settings.from_mapping({"gain_cn": 7})
    with pytest.raises(Exception, match="unknown"):
        Settings.from_mapping({"amp_cn": 7})


def test_schema_defaults_match_settings(repo_root):
    schema = json.loads((repo_root / "workflow/schemas/config/cnv.schema.json").read_text())
    defaults = {k: v["default"] for k, v in schema["properties"].items()}
    assert Settings.from_mapping(defaults) == Settings()
    assert all("description" in v for v in schema["properties"].values())


def test_command_end_to_end_with_panel(tmp_path, shared_dir):
    """kinres cnv on the real PCGR CNA file, genes mapped with the committed panel tables."""
    import argparse

    from kinres.commands import cnv as command
    from kinres.models import StageResult
    from kinres.serialize import read_json

    pytest.importorskip("kinres.annotate.transcripts")
    cna = shared_dir / "data/examples/pcgr/T001-COAD.grch38.cna.tsv"
    (tmp_path / "config.yaml").write_text("cnv:\n  amplification_cn: 8\n")
    sheet = tmp_path / "samples.tsv"
    sheet.write_text("sample_id\tpatient_id\tspecimen\ttumor_type\tgenome_build\tcnv\tpurity\n"
                     f"T001\tP1\ttissue\tCOAD\tGRCh38\t{cna}\t0.4\n")
    out = tmp_path / "res" / "cnv.json"
    parser = argparse.ArgumentParser()
    command.add_arguments(parser)
    assert command.run(parser.parse_args(["--config", str(tmp_path / "config.yaml"),
                                          "--sample-sheet", str(sheet), "--sample", "T001",
                                          "--out", str(out)])) == 0
    result = read_json(out, StageResult)
    calls = by_gene(result.copy_numbers)
    assert result.stage == "cnv" and calls["ERBB2"].call is AMP  # 9 >= 8
    assert calls["MET"].call is GAIN and calls["ALK"].call is LOSS
    assert ("cnv.layout", "allele_specific_segments") in result.parameters
    assert ("cnv.purity_used", "0.4") in result.parameters
    assert result.inputs[0].path == str(cna) and len(result.inputs[0].sha256) == 64


def test_cnvkit_zero_probe_segments_are_skipped_and_counted(tmp_path, spans38):
    """etal/cnvkit#677: segmetrics writes segments with end < start (depth and weight 0);
    a 0-probe segment measures nothing either. Skip them with a counted warning, keep the rest."""
    text = (CNS_HEADER
            + "7\t116600000\t116900000\tMET\t2.5\t300\t40\t30\n"
            + "15\t46657639\t10488\t-\t-0.41756\t0\t1\t0\n"
            + "12\t57700000\t57800000\tCDK4\t0.1\t0\t0\t0\n")
    table = read_cnv(write(tmp_path, "s.cns", text))
    assert len(table.observations) == 1 and table.observations[0].genes == ("MET",)
    (w,) = table.warnings
    assert "2 CNVkit segment(s) with no probes or end before start skipped (line 3, 4)" in w
