"""VCF/BCF ingestion: tumour column, per-caller AF/depth, multiallelic split, FILTER, regions, errors.

Header lines mimic what each caller writes (Mutect2, Strelka2 somatic SNV/indel, LoFreq,
FreeBayes, VarDict, DRAGEN, smCounter2); the real PCGR example VCF exercises the cyvcf2 path on
a published file.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pysam
import pysam.bcftools
import pytest
from test_preannotated import PANEL38, PanelDouble, Tx

from kinres.errors import InputError
from kinres.io.vcf import VariantSettings, detect_build, read_vcf

GT = '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">'
CONTIGS38 = ("##contig=<ID=chr1,length=248956422>\n##contig=<ID=chr2,length=242193529>\n"
             "##contig=<ID=chr7,length=159345973>")
COLS = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT"


def vcf_text(meta: list[str], samples: list[str], records: list[str], contigs=CONTIGS38) -> str:
    cols = COLS + "".join("\t" + s for s in samples) if samples else COLS.rsplit("\t", 1)[0]
    lines = ["##fileformat=VCFv4.2", *meta, contigs, f"{cols}", *records] if contigs else [
        "##fileformat=VCFv4.2", *meta, cols, *records]
    return "\n".join(lines) + "\n"


def write(tmp_path: Path, text: str, name="x.vcf") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def bgzip_index(path: Path) -> Path:
    gz = Path(str(path) + ".gz")
    pysam.tabix_compress(str(path), str(gz), force=True)
    pysam.tabix_index(str(gz), preset="vcf", force=True)
    return gz


MUTECT_META = [
    "##source=Mutect2", "##tumor_sample=TUMOR", "##normal_sample=NORMAL",
    '##FILTER=<ID=PASS,Description="All filters passed">',
    '##FILTER=<ID=weak_evidence,Description="Mutation does not meet likelihood threshold">',
    '##FILTER=<ID=germline,Description="Evidence indicates this site is germline, not somatic">',
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths for the ref and alt alleles in the order listed">',
    '##FORMAT=<ID=AF,Number=A,Type=Float,Description="Allele fractions of alternate alleles in the tumor">',
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth (reads with MQ=255 or with bad mates are filtered)">',
    GT,
]


def test_mutect2_tumor_sample_multiallelic_and_filter(tmp_path):
    recs = [
        "chr2\t29220829\t.\tC\tT,A\t.\tPASS\t.\tGT:AD:AF:DP\t0/0:100,0,0:0.01,0.01:100\t"
        "0/1/2:150,30,20:0.149,0.101:205",
        "chr2\t29220900\t.\tG\tA\t.\tweak_evidence\t.\tGT:AD:AF:DP\t0/0:50,0:0.02:50\t0/1:99,1:0.01:100",
        "chr2\t29220950\t.\tG\tA\t.\tgermline;weak_evidence\t.\tGT:AD:AF:DP\t0/1:25,25:0.5:50\t0/1:50,50:0.5:100",
    ]
    p = write(tmp_path, vcf_text(MUTECT_META, ["NORMAL", "TUMOR"], recs))
    res = read_vcf(p, "GRCh38")
    assert res.caller == "Mutect2" and res.sample == "TUMOR" and res.contig_style == "chr"
    t, a = res.variants
    assert (t.chrom, t.pos, t.ref, t.alt, t.vaf, t.depth, t.alt_reads) == (
        "2", 29220829, "C", "T", 0.149, 205, 30)
    assert (a.alt, a.vaf, a.alt_reads) == ("A", 0.101, 20)
    assert t.source.line == 16 and t.caller == "Mutect2"
    (w,) = res.warnings
    assert "2 record(s) failed FILTER" not in w  # counted per reason below
    assert "germline x1" in w and "weak_evidence x2" in w
    # explicit sample overrides the header; an unknown sample names the available ones
    assert read_vcf(p, "GRCh38", sample="NORMAL").variants[0].vaf == 0.01
    with pytest.raises(InputError, match="NORMAL, TUMOR") as exc:
        read_vcf(p, "GRCh38", sample="TUMOUR_1")
    assert str(p) in str(exc.value)


def test_filters_setting_accepts_dot(tmp_path):
    recs = ["chr2\t29220829\t.\tC\tT\t.\t.\t.\tGT:AD:AF:DP\t0/1:90,10:0.1:100"]
    p = write(tmp_path, vcf_text(MUTECT_META[:1] + MUTECT_META[4:], ["S"], recs))
    # "." (no filter applied) is PASS-equivalent by default, counted in a warning
    res = read_vcf(p, "GRCh38")
    assert len(res.variants) == 1 and res.variants[0].filters == (".",)
    assert any("1 record(s) with FILTER '.'" in w for w in res.warnings)
    strict = VariantSettings(unfiltered_as_pass=False)
    assert read_vcf(p, "GRCh38", settings=strict).variants == ()
    assert "failed FILTER (reasons: . x1)" in read_vcf(p, "GRCh38", settings=strict).warnings[0]
    res = read_vcf(p, "GRCh38", settings=VariantSettings(filters=("PASS", "."),
                                                         unfiltered_as_pass=False))
    assert len(res.variants) == 1 and res.variants[0].filters == (".",)
    assert not any("with FILTER '.'" in w for w in res.warnings)


def test_several_samples_without_choice_is_an_error(tmp_path):
    meta = [m for m in MUTECT_META if not m.startswith(("##tumor", "##normal", "##source"))]
    recs = ["chr2\t10\t.\tC\tT\t.\tPASS\t.\tGT:AD:AF:DP\t0/1:9,1:0.1:10\t0/1:9,1:0.1:10"]
    p = write(tmp_path, vcf_text(meta, ["S1", "S2"], recs))
    with pytest.raises(InputError, match=r"2 samples \(S1, S2\)"):
        read_vcf(p, "GRCh38")
    assert read_vcf(p, "GRCh38", settings=VariantSettings(tumor_sample="S2")).sample == "S2"


STRELKA_SNV_META = [
    "##source=strelka", "##source_version=2.9.10",
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth for tier1 (used+filtered)">',
    '##FORMAT=<ID=FDP,Number=1,Type=Integer,Description="Number of basecalls filtered from original read depth for tier1">',
    '##FORMAT=<ID=SDP,Number=1,Type=Integer,Description="Number of reads with deletions spanning this site at tier1">',
    '##FORMAT=<ID=SUBDP,Number=1,Type=Integer,Description="Number of reads below tier1 mapping quality threshold aligned across this site">',
    "##FORMAT=<ID=AU,Number=2,Type=Integer,Description=\"Number of 'A' alleles used in tiers 1,2\">",
    "##FORMAT=<ID=CU,Number=2,Type=Integer,Description=\"Number of 'C' alleles used in tiers 1,2\">",
    "##FORMAT=<ID=GU,Number=2,Type=Integer,Description=\"Number of 'G' alleles used in tiers 1,2\">",
    "##FORMAT=<ID=TU,Number=2,Type=Integer,Description=\"Number of 'T' alleles used in tiers 1,2\">",
    '##INFO=<ID=SOMATIC,Number=0,Type=Flag,Description="Somatic mutation">',
]
STRELKA_INDEL_META = [
    "##source=strelka", "##source_version=2.9.10",
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth for tier1">',
    '##FORMAT=<ID=DP2,Number=1,Type=Integer,Description="Read depth for tier2">',
    '##FORMAT=<ID=TAR,Number=2,Type=Integer,Description="Reads strongly supporting alternate allele for tiers 1,2">',
    '##FORMAT=<ID=TIR,Number=2,Type=Integer,Description="Reads strongly supporting indel allele for tiers 1,2">',
    '##FORMAT=<ID=TOR,Number=2,Type=Integer,Description="Other reads (weak support or insufficient indel breakpoint overlapping) for tiers 1,2">',
    '##INFO=<ID=SOMATIC,Number=0,Type=Flag,Description="Somatic mutation">',
]


def test_strelka2_snv_tier1_counts(tmp_path):
    rec = ("chr1\t24021818\t.\tC\tA\t.\tPASS\tSOMATIC\tDP:FDP:SDP:SUBDP:AU:CU:GU:TU\t"
           "68:0:0:0:0,0:68,70:0,0:0,0\t75:0:0:0:2,2:72,72:0,0:1,1")
    p = write(tmp_path, vcf_text(STRELKA_SNV_META, ["NORMAL", "TUMOR"], [rec]))
    res = read_vcf(p, "GRCh38")
    (v,) = res.variants
    assert res.caller == "Strelka2" and res.sample == "TUMOR"
    assert (v.vaf, v.alt_reads, v.depth) == (round(2 / 74, 6), 2, 75)


def test_strelka2_indel_tir_tar(tmp_path):
    rec = ("chr1\t1000\t.\tCAG\tC\t.\tPASS\tSOMATIC\tDP:DP2:TAR:TIR:TOR\t"
           "40:40:40,41:0,0:1,1\t60:60:45,46:12,12:3,3")
    p = write(tmp_path, vcf_text(STRELKA_INDEL_META, ["NORMAL", "TUMOR"], [rec]))
    (v,) = read_vcf(p, "GRCh38").variants
    assert (v.vaf, v.alt_reads, v.depth) == (round(12 / 57, 6), 12, 57)


def test_lofreq_info_af_dp4_no_samples(tmp_path):
    meta = ["##source=lofreq call --call-indels -f ref.fa -o out.vcf in.bam",
            '##INFO=<ID=DP,Number=1,Type=Integer,Description="Raw Depth">',
            '##INFO=<ID=AF,Number=1,Type=Float,Description="Allele Frequency">',
            '##INFO=<ID=SB,Number=1,Type=Integer,Description="Phred-scaled strand bias at this position">',
            '##INFO=<ID=DP4,Number=4,Type=Integer,Description="Counts for ref-forward bases, ref-reverse, alt-forward and alt-reverse bases">']
    rec = "chr2\t29220829\t.\tC\tT\t3000\tPASS\tDP=2000;AF=0.012500;SB=0;DP4=990,985,13,12"
    p = write(tmp_path, vcf_text(meta, [], [rec]))
    res = read_vcf(p, "GRCh38")
    (v,) = res.variants
    assert res.caller == "LoFreq" and res.sample is None
    assert (v.vaf, v.depth, v.alt_reads) == (0.0125, 2000, 25)


def test_freebayes_ao_ro(tmp_path):
    meta = ["##source=freeBayes v1.3.6",
            '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read Depth">',
            '##FORMAT=<ID=RO,Number=1,Type=Integer,Description="Reference allele observation count">',
            '##FORMAT=<ID=AO,Number=A,Type=Integer,Description="Alternate allele observation count">', GT]
    rec = "chr2\t29220829\t.\tC\tT,G\t50\t.\t.\tGT:DP:RO:AO\t0/1:104:80,16,4\t"
    rec = "chr2\t29220829\t.\tC\tT,G\t50\t.\t.\tGT:DP:RO:AO\t0/1/2:104:80:16,4"
    p = write(tmp_path, vcf_text(meta, ["S"], [rec]))
    t, g = read_vcf(p, "GRCh38", settings=VariantSettings(filters=(".",))).variants
    assert (t.vaf, t.alt_reads, t.depth) == (0.16, 16, 104)
    assert (g.vaf, g.alt_reads) == (0.04, 4)


def test_vardict_and_dragen_format_af(tmp_path):
    meta = ["##source=VarDict_v1.8.2",
            '##INFO=<ID=AF,Number=A,Type=Float,Description="Allele Frequency">',
            '##FORMAT=<ID=AF,Number=A,Type=Float,Description="Allele Frequency">',
            '##FORMAT=<ID=VD,Number=1,Type=Integer,Description="Variant Depth">',
            '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Total Depth">', GT]
    p = write(tmp_path, vcf_text(meta, ["T1"], [
        "chr2\t29220829\t.\tC\tT\t50\tPASS\tAF=0.05\tGT:DP:VD:AF\t0/1:400:20:0.05"]))
    res = read_vcf(p, "GRCh38")
    assert res.caller == "VarDict" and res.variants[0].vaf == 0.05
    assert (res.variants[0].alt_reads, res.variants[0].depth) == (20, 400)
    meta = ["##DRAGENVersion=<ID=dragen,Version=\"SW: 07.021.645.4.0.3, HW: 07.021.645\">",
            "##source=DRAGEN_SNV", MUTECT_META[4], MUTECT_META[5], MUTECT_META[6], GT]
    p = write(tmp_path, vcf_text(meta, ["T1"], [
        "chr2\t29220829\t.\tC\tT\t50\tPASS\t.\tGT:AD:AF:DP\t0/1:380,20:0.05:400"]), "d.vcf")
    res = read_vcf(p, "GRCh38")
    assert res.caller == "DRAGEN" and res.variants[0].vaf == 0.05


def test_smcounter2_umi_fraction(tmp_path):
    meta = ['##INFO=<ID=TYPE,Number=1,Type=String,Description="Variant type: SNP or INDEL">',
            '##INFO=<ID=DP,Number=1,Type=Integer,Description="Total read depth">',
            '##INFO=<ID=UMT,Number=1,Type=Integer,Description="Total used UMI depth">',
            '##INFO=<ID=VMT,Number=1,Type=Integer,Description="Variant UMI depth">',
            '##INFO=<ID=VMF,Number=1,Type=Float,Description="Variant UMI allele frequency">']
    p = write(tmp_path, vcf_text(meta, [], [
        "chr2\t29220829\t.\tC\tT\t80\tPASS\tTYPE=SNP;DP=9000;UMT=1200;VMT=6;VMF=0.005"]))
    res = read_vcf(p, "GRCh38")
    (v,) = res.variants
    assert res.caller == "smCounter2" and (v.vaf, v.alt_reads, v.depth) == (0.005, 6, 1200)


def test_missing_af_is_none_with_warning_never_zero(tmp_path):
    meta = ['##INFO=<ID=DP,Number=1,Type=Integer,Description="Total Depth">', GT]
    p = write(tmp_path, vcf_text(meta, ["S"], [
        "chr2\t29220829\t.\tC\tT\t50\tPASS\tDP=100\tGT\t0/1"]))
    res = read_vcf(p, "GRCh38")
    (v,) = res.variants
    assert v.vaf is None and v.depth == 100
    assert any("1 variant(s) without an obtainable allele fraction" in w and "line 8" in w
               for w in res.warnings)
    with pytest.raises(InputError, match="require_af") as exc:
        read_vcf(p, "GRCh38", settings=VariantSettings(require_af=True))
    assert exc.value.line == 8 and "chr2:29220829" in exc.value.record


def test_gatk_germline_info_af_is_not_a_vaf(tmp_path):
    meta = ['##GATKCommandLine=<ID=HaplotypeCaller,CommandLine="HaplotypeCaller">',
            '##INFO=<ID=AF,Number=A,Type=Float,Description="Allele Frequency, for each ALT allele, in the same order as listed">', GT]
    p = write(tmp_path, vcf_text(meta, ["S"], [
        "chr2\t29220829\t.\tC\tT\t50\tPASS\tAF=0.5\tGT\t0/1"]))
    assert read_vcf(p, "GRCh38").variants[0].vaf is None
    res = read_vcf(p, "GRCh38", settings=VariantSettings(af_tag="AF"))
    assert res.variants[0].vaf == 0.5  # only when the user says so


def test_real_pcgr_vcf_braf_v600e(shared_dir):
    path = shared_dir / "data/examples/pcgr/T001-COAD.grch38.vcf.gz"
    panel = PanelDouble([Tx("BRAF", "ENST00000646891", "NM_004333.4", "7", 140734479,
                            140924764)])
    res = read_vcf(path, "GRCh38", panel=panel)
    assert res.used_index and res.annotation_tags == ()
    braf = [v for v in res.variants if v.pos == 140753336]
    assert len(braf) == 1
    v = braf[0]
    assert (v.chrom, v.ref, v.alt, v.vaf, v.depth, v.alt_reads) == (
        "7", "A", "T", 0.314815, 54, 17)
    # the streaming path (no panel) reads every record with header-derived line numbers
    full = read_vcf(path, "GRCh38")
    assert len(full.variants) == 3313 and full.variants[0].source.line == 17
    assert [x for x in full.variants if x.pos == 140753336][0].vaf == v.vaf


def test_indexed_and_streaming_region_reads_agree(tmp_path):
    recs = []
    for pos in range(29192000, 29193500, 50):  # straddles the ALK start (29192774)
        recs.append(f"chr2\t{pos}\t.\tC\tT\t.\tPASS\t.\tGT:AD:AF:DP\t0/1:90,10:0.1:100")
    recs.append("chr7\t140753336\t.\tA\tT\t.\tPASS\t.\tGT:AD:AF:DP\t0/1:90,10:0.1:100")
    plain = write(tmp_path, vcf_text(MUTECT_META[4:], ["S"], recs))
    gz = bgzip_index(plain)
    settings = VariantSettings(region_padding=0)
    a = read_vcf(gz, "GRCh38", panel=PANEL38, settings=settings)
    shutil.copy(gz, tmp_path / "noindex.vcf.gz")
    b = read_vcf(tmp_path / "noindex.vcf.gz", "GRCh38", panel=PANEL38, settings=settings)
    assert a.used_index and not b.used_index
    key = lambda r: [(v.chrom, v.pos) for v in r.variants]
    assert key(a) == key(b)
    assert [p for _, p in key(a)] == [p for p in range(29192800, 29193500, 50)] + [140753336]


def test_bcf_input(tmp_path):
    recs = ["chr2\t29220829\t.\tC\tT\t.\tPASS\t.\tGT:AD:AF:DP\t0/1:90,10:0.1:100"]
    plain = write(tmp_path, vcf_text(MUTECT_META[4:], ["S"], recs))
    bcf = tmp_path / "x.bcf"
    pysam.bcftools.view("-Ob", "-o", str(bcf), str(plain), catch_stdout=False)
    (v,) = read_vcf(bcf, "GRCh38").variants
    assert (v.pos, v.vaf) == (29220829, 0.1)
    # unindexed BCF restricted to the panel: binary, so cyvcf2 streams with an interval check
    res = read_vcf(bcf, "GRCh38", panel=PANEL38)
    assert [x.pos for x in res.variants] == [29220829] and not res.used_index
    far = PanelDouble([Tx("BRAF", "ENST00000646891", None, "7", 140734479, 140924764)])
    assert read_vcf(bcf, "GRCh38", panel=far).variants == ()


# --------------------------------------------------------------------------- errors
def test_missing_and_empty_files(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_vcf(tmp_path / "nope.vcf", "GRCh38")
    with pytest.raises(InputError, match="empty"):
        read_vcf(write(tmp_path, ""), "GRCh38")
    with pytest.raises(InputError, match="malformed header") as exc:
        read_vcf(write(tmp_path, "chr2\t1\t.\tC\tT\t.\tPASS\t.\n", "n.vcf"), "GRCh38")
    assert exc.value.line == 1


def test_header_only_vcf_is_valid_with_warning(tmp_path):
    res = read_vcf(write(tmp_path, vcf_text(MUTECT_META, ["NORMAL", "TUMOR"], [])), "GRCh38")
    assert res.variants == () and any("no variant records" in w for w in res.warnings)


def test_malformed_record_names_line(tmp_path):
    recs = ["chr2\t29220829\t.\tC\tT\t.\tPASS\t.\tGT:AD:AF:DP\t0/1:90,10:0.1:100",
            "chr2\tabc\t.\tC\tT\t.\tPASS\t.\tGT:AD:AF:DP\t0/1:90,10:0.1:100"]
    p = write(tmp_path, vcf_text(MUTECT_META[4:], ["S"], recs))
    with pytest.raises(InputError) as exc:
        read_vcf(p, "GRCh38")
    assert exc.value.line == 13 and str(p) in exc.value.message()


def test_truncated_gzip_is_an_error_not_a_short_read(tmp_path):
    recs = [f"chr2\t{29192800 + i}\t.\tC\tT\t.\tPASS\t.\tGT:AD:AF:DP\t0/1:90,10:0.1:100"
            for i in range(20000)]
    gz = bgzip_index(write(tmp_path, vcf_text(MUTECT_META[4:], ["S"], recs)))
    data = gz.read_bytes()
    cut = tmp_path / "cut.vcf.gz"
    cut.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(InputError, match="cannot read") as exc:
        read_vcf(cut, "GRCh38")
    assert str(cut) in exc.value.message()


def test_build_mismatch_from_contig_lengths(tmp_path):
    contigs37 = "##contig=<ID=1,length=249250621>\n##contig=<ID=2,length=243199373>"
    p = write(tmp_path, vcf_text(MUTECT_META[4:], ["S"], [], contigs=contigs37))
    with pytest.raises(InputError, match="build mismatch.*GRCh37.*GRCh38"):
        read_vcf(p, "GRCh38")
    assert detect_build("##reference=file:///refs/hs37d5.fa\n") is not None
    assert str(detect_build("##reference=file:///refs/GRCh38_full_analysis_set.fa\n")) == "GRCh38"


def test_contig_naming_mismatch(tmp_path):
    contigs = "##contig=<ID=NC_000002.12,length=242193529>"
    p = write(tmp_path, vcf_text(MUTECT_META[4:], ["S"], [], contigs=contigs))
    with pytest.raises(InputError, match="contig names do not match"):
        read_vcf(p, "GRCh38", panel=PANEL38)


def test_plain_contigs_against_panel(tmp_path):
    contigs = "##contig=<ID=2,length=242193529>\n##contig=<ID=7,length=159345973>"
    recs = ["2\t29220829\t.\tC\tT\t.\tPASS\t.\tGT:AD:AF:DP\t0/1:90,10:0.1:100"]
    gz = bgzip_index(write(tmp_path, vcf_text(MUTECT_META[4:], ["S"], recs, contigs=contigs)))
    res = read_vcf(gz, "GRCh38", panel=PANEL38)
    assert res.contig_style == "plain" and res.used_index and len(res.variants) == 1


def test_streaming_prescan_errors_name_the_line(tmp_path):
    recs = [f"chr2\t{29192800 + i}\t.\tC\tT\t.\tPASS\t.\tGT:AD:AF:DP\t0/1:90,10:0.1:100"
            for i in range(30000)]
    gz = bgzip_index(write(tmp_path, vcf_text(MUTECT_META[4:], ["S"], recs)))
    cut = tmp_path / "cut.vcf.gz"
    cut.write_bytes(gz.read_bytes()[: gz.stat().st_size // 2])
    with pytest.raises(InputError, match="truncated or corrupt") as exc:
        read_vcf(cut, "GRCh38", panel=PANEL38)
    assert exc.value.line is not None and "after line" in exc.value.problem
    # a bad POS far outside the panel is still caught (the pre-scan validates every record)
    bad = recs[:3] + ["chr9\t1x00\t.\tC\tT\t.\tPASS\t.\tGT:AD:AF:DP\t0/1:90,10:0.1:100"]
    p = write(tmp_path, vcf_text(MUTECT_META[4:], ["S"], bad), "bad.vcf")
    with pytest.raises(InputError, match="POS is not a positive integer") as exc:
        read_vcf(p, "GRCh38", panel=PANEL38)
    assert exc.value.line == 15
    short = recs[:1] + ["chr2\t29192900\t.\tC"]
    p = write(tmp_path, vcf_text(MUTECT_META[4:], ["S"], short), "short.vcf")
    with pytest.raises(InputError, match="at least 8") as exc:
        read_vcf(p, "GRCh38", panel=PANEL38)
    assert exc.value.line == 13


def test_streaming_prescan_catches_long_deletion_overlapping_panel(tmp_path):
    # a 60-bp deletion starting before the ALK region must be read (REF span, not just POS)
    start = 29192774 - 50
    recs = [f"chr2\t{start}\t.\t{'A' * 61}\tA\t.\tPASS\t.\tGT:AD:AF:DP\t0/1:90,10:0.1:100"]
    p = write(tmp_path, vcf_text(MUTECT_META[4:], ["S"], recs))
    res = read_vcf(p, "GRCh38", panel=PANEL38, settings=VariantSettings(region_padding=0))
    assert [v.pos for v in res.variants] == [start] and not res.used_index


def test_streaming_bad_panel_record_names_its_line(tmp_path):
    recs = ["chr1\t100\t.\tC\tT\t.\tPASS\t.\tGT:AD:AF:DP\t0/1:90,10:0.1:100",
            "chr2\t29220747\t.\tC\tT\t.\tPASS\t.\tGT:AD:AF:DP\t0/1:90,10:0.1:100",
            "chr2\t29220800\t.\tC\tT\t.\tPASS\tUNDECLARED_FLAG=\"x\tGT:AD:AF:DP\t0/1:90,10:0.1:100"]
    p = write(tmp_path, vcf_text(MUTECT_META[4:], ["S"], recs))
    try:
        res = read_vcf(p, "GRCh38", panel=PANEL38)
    except InputError as exc:  # htslib may reject the record: then the line is named
        assert exc.line == 14
    else:  # or accept it: then both panel records are there, with their own line numbers
        assert [v.source.line for v in res.variants] == [13, 14]


def test_records_outside_the_panel_are_counted_not_silently_skipped(tmp_path, shared_dir):
    """Indexed, unindexed-text and real (PCGR) VCFs all report how many records lay outside the
    panel regions; a record inside them is never counted as outside."""
    recs = [f"chr2\t{pos}\t.\tC\tT\t.\tPASS\t.\tGT:AD:AF:DP\t0/1:90,10:0.1:100"
            for pos in (1_000_000, 2_000_000, 29192800)]  # two off-panel, one in ALK
    plain = write(tmp_path, vcf_text(MUTECT_META[4:], ["S"], recs))
    settings = VariantSettings(region_padding=0)
    for path in (plain, bgzip_index(plain)):
        res = read_vcf(path, "GRCh38", panel=PANEL38, settings=settings)
        assert [v.pos for v in res.variants] == [29192800]
        outside = [w for w in res.warnings if "outside the panel target regions" in w]
        assert len(outside) == 1 and ": 2 record(s)" in outside[0], res.warnings
    # no panel restriction: nothing is outside, so no such warning
    res = read_vcf(plain, "GRCh38", settings=VariantSettings(restrict_to_panel=False))
    assert not any("outside the panel" in w for w in res.warnings)
    # real file, index path: 3313 records, those not in the BRAF-only panel are counted
    panel = PanelDouble([Tx("BRAF", "ENST00000646891", "NM_004333.4", "7", 140734479,
                            140924764)])
    real = read_vcf(shared_dir / "data/examples/pcgr/T001-COAD.grch38.vcf.gz", "GRCh38",
                    panel=panel)
    n_in = real.records_read
    assert any(f": {3313 - n_in} record(s) outside" in w for w in real.warnings), real.warnings
