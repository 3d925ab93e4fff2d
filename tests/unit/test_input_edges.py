"""Issue 10 edge inputs: the opener, range checks and hardening of every reader and config.

Each case is either read correctly or refused with an InputError naming the file, the line and
the problem - never a traceback (OverflowError, UnicodeDecodeError, PermissionError, ...).
"""

from __future__ import annotations

import gzip
import os

import pytest
from test_fusions_ingest import ARRIBA_HEADER, arriba_row
from test_maf import maf, row

from kinres.annotate.transcripts import Panel
from kinres.config import load_config
from kinres.enums import Build
from kinres.errors import ConfigError, InputError, KnowledgeError
from kinres.io import opener
from kinres.io.cnv import read_cnv
from kinres.io.fusions import read_fusions
from kinres.io.maf import read_maf
from kinres.io.samplesheet import read_samplesheet


@pytest.fixture(scope="module")
def panel():
    return Panel.load(Build.GRCh38)


# --------------------------------------------------------------------------- opener
def test_opener_reads_gzip_bgzip_bom_crlf(tmp_path):
    text = "a\tb\r\nc\td\r\n"
    plain = tmp_path / "p.tsv"
    plain.write_bytes(opener.BOM + text.encode())
    gz = tmp_path / "g.tsv.gz"
    gz.write_bytes(gzip.compress(text.encode()))
    import pysam

    pysam.tabix_compress(str(plain), str(tmp_path / "b.tsv.gz"))
    for p in (plain, gz, tmp_path / "b.tsv.gz"):
        assert opener.read_lines(p) == ["a\tb", "c\td"], p
    assert opener.sniff(tmp_path / "b.tsv.gz").compression == "bgzf"
    assert opener.sniff(gz).compression == "gzip"


@pytest.mark.parametrize("case, problem", [
    ("missing", "not found"), ("directory", "folder"), ("fifo", "not a regular file"),
    ("long_name", "too long"), ("latin1", r"line 2: not UTF-8 text: byte 0xe9"),
    ("binary", "binary"), ("bad_gzip", "gzip"), ("truncated_gzip", "truncated or corrupt"),
])
def test_opener_refuses_odd_files(tmp_path, case, problem):
    p = tmp_path / "f.tsv"
    if case == "directory":
        p.mkdir()
    elif case == "fifo":
        os.mkfifo(p)
    elif case == "long_name":
        p = tmp_path / ("x" * 300)
    elif case == "latin1":
        p.write_bytes("ok\ncaf\xe9\n".encode("latin-1"))
    elif case == "binary":
        p.write_bytes(b"\x00\x01\x02" * 100)
    elif case == "bad_gzip":
        p.write_bytes(b"\x1f\x8b" + b"garbage" * 10)
    elif case == "truncated_gzip":
        p.write_bytes(gzip.compress(os.urandom(1 << 18).hex().encode() + b"\n")[:150000])
    with pytest.raises(InputError, match=problem):
        opener.read_lines(p)


def test_opener_refuses_bcf_as_text(tmp_path):
    p = tmp_path / "x.bcf"
    p.write_bytes(gzip.compress(b"BCF\x02\x02" + b"\x00" * 50))
    with pytest.raises(InputError, match="BCF"):
        opener.read_lines(p)


# --------------------------------------------------------------------------- MAF
@pytest.mark.parametrize("kw, problem", [
    ({"depth": "inf"}, "t_depth is not a whole number"),
    ({"depth": "nan"}, "t_depth is not a whole number"),
    ({"depth": "1e400"}, "t_depth is not a whole number"),
    ({"depth": "1e30"}, "t_depth 1e30 is out of range"),
    ({"depth": "-3"}, "t_depth -3 is out of range"),
    ({"altc": "-1"}, "t_alt_count -1 is out of range"),
    ({"start": "-5"}, "Start_Position -5 is out of range"),
    ({"altc": "250"}, "t_alt_count 250 is larger than t_depth 200"),
    ({"alt": "C"}, "equals Reference_Allele"),
    ({"hgvsp": "p.<b>garbage</b>"}, "not HGVS protein notation"),
    ({"hgvsp": "banana"}, "not HGVS protein notation"),
])
def test_maf_range_checks_name_the_line(tmp_path, panel, kw, problem):
    path = maf(tmp_path, [row(), row(**kw)])
    with pytest.raises(InputError, match=problem) as err:
        read_maf(path, "GRCh38", panel)
    assert err.value.line == 4  # '#version' line, header, first row


def test_maf_row_with_spaces_instead_of_tabs_is_an_error(tmp_path, panel):
    """It used to vanish as 'genes outside the panel' - losing ALK I1171N silently."""
    path = maf(tmp_path, [row()])
    bad = "    ".join(row(hgvsp="p.I1171N", start="29223528", end="29223528", ref="A", alt="T"))
    path.write_text(path.read_text() + bad + "\n")
    with pytest.raises(InputError, match="spaces instead of tabs") as err:
        read_maf(path, "GRCh38", panel)
    assert err.value.line == 4


def test_maf_crlf_bom_gzip_read(tmp_path, panel):
    path = maf(tmp_path, [row()])
    gz = tmp_path / "s.maf.gz"
    gz.write_bytes(gzip.compress(opener.BOM + path.read_bytes().replace(b"\n", b"\r\n")))
    (v,) = read_maf(gz, "GRCh38", panel).variants
    assert (v.pos, v.vaf, v.annotation.hgvs_p) == (29220747, 0.1, "p.G1202R")


# --------------------------------------------------------------------------- CNV
CNS = "chromosome\tstart\tend\tgene\tlog2\tdepth\tprobes\tweight\n"


@pytest.mark.parametrize("cells, problem", [
    ("7\t-100\t55300000\tEGFR\t3.2\t800\t40\t30", "negative value -100"),
    ("7\t55000000\t55300000\tEGFR\t1e400\t800\t40\t30", "not a finite number"),
    ("7\t55000000\t55300000\tEGFR\t-1e300\t800\t40\t30", "log2 ratio -1e300 is implausible"),
    ("7\t55000000\t1e400\tEGFR\t3.2\t800\t40\t30", "not a whole number"),
    ("7\t55000000\t55300000\tEGFR\t3.2\t800\t1e30\t30", "implausibly large"),
    ("7\t55000000\t55300000\tEGFR\tinf\t800\t40\t30", "not a finite number"),
])
def test_cnvkit_range_checks(tmp_path, cells, problem):
    p = tmp_path / "s.cns"
    p.write_text(CNS + "7\t1000\t2000\tX\t0.1\t800\t40\t30\n" + cells + "\n")
    with pytest.raises(InputError, match=problem) as err:
        read_cnv(p)
    assert err.value.line == 3


def test_gene_table_absurd_copy_number(tmp_path):
    p = tmp_path / "g.tsv"
    p.write_text("gene\tcopy_number\nMET\t1e12\n")
    with pytest.raises(InputError, match="copy number 1e12 is implausible"):
        read_cnv(p)


CNV_VCF = ("##fileformat=VCFv4.2\n##INFO=<ID=SVTYPE,Number=1,Type=String,Description=\"t\">\n"
           "##INFO=<ID=END,Number=1,Type=Integer,Description=\"e\">\n"
           "##FORMAT=<ID=CN,Number=1,Type=Integer,Description=\"c\">\n"
           "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n")


@pytest.mark.parametrize("body, line", [
    ("chr7\t55000000\t.\tN\t<DUP>\t.\tPASS\tSVTYPE=DUP;END=55300000\tCN\t9\nchr7\t56000000\t.\tN",
     7),
    ("chr7\t55000000\t.\tN\t<DUP>\t.\tPASS\tSVTYPE=DUP;END=55300000\tCN\n", 6),
])
def test_truncated_cnv_vcf_lines(tmp_path, body, line):
    p = tmp_path / "c.vcf"
    p.write_text(CNV_VCF + body)
    with pytest.raises(InputError) as err:
        read_cnv(p)
    assert err.value.line == line


def test_cnv_vcf_without_contig_lines_is_read(tmp_path):
    p = tmp_path / "c.vcf"
    p.write_text(CNV_VCF + "chr7\t55000000\t.\tN\t<DUP>\t.\tPASS\tSVTYPE=DUP;END=55300000\tCN\t9\n")
    (obs,) = read_cnv(p).observations
    assert (obs.chrom, obs.start, obs.end, obs.copy_number) == ("chr7", 55000001, 55300000, 9.0)


# --------------------------------------------------------------------------- fusions
def test_arriba_absurd_read_count(tmp_path):
    p = tmp_path / "fusions.tsv"
    p.write_text(ARRIBA_HEADER + "\n" + arriba_row(sr1="1e30") + "\n")
    with pytest.raises(InputError, match="implausibly large") as err:
        read_fusions(p, "arriba", Build.GRCh38)
    assert err.value.line == 2


def test_sv_support_not_a_number(tmp_path, panel):
    p = tmp_path / "sv.vcf"
    p.write_text(
        "##fileformat=VCFv4.2\n##source=Manta\n"
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTUMOR\n"
        "2\t42295516\tbnd1\tA\tA]2:29223528]\t.\tPASS\tSVTYPE=BND;MATEID=bnd2\tPR:SR\t10,abc:5,7\n")
    with pytest.raises(InputError, match="FORMAT/PR '10,abc' is not a read count") as err:
        read_fusions(p, "sv_vcf", Build.GRCh38, sample_name="TUMOR", panel=panel)
    assert err.value.line == 4


def test_fusion_table_non_utf8_names_the_line(tmp_path):
    p = tmp_path / "fusions.tsv"
    p.write_bytes((ARRIBA_HEADER + "\n").encode() + arriba_row(g1="EML\xe94").encode("latin-1"))
    with pytest.raises(InputError, match="line 2: not UTF-8"):
        read_fusions(p, "arriba", Build.GRCh38)


# --------------------------------------------------------------------------- config, knowledge
def test_duplicate_yaml_key_is_an_error(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text("samples: s.tsv\nresults: a\nresults: b\n")
    with pytest.raises(ConfigError, match="'results' is given twice \\(first on line 2\\)") as err:
        load_config(p)
    assert err.value.line == 3


def test_duplicate_nested_yaml_key_is_an_error(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text("samples: s.tsv\nvariants:\n  filters: [PASS]\n  filters: [PASS, '.']\n")
    with pytest.raises(ConfigError, match="'filters' is given twice"):
        load_config(p)


def test_non_utf8_config(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_bytes("samples: s.tsv\nresults: r\xe9s\n".encode("latin-1"))
    with pytest.raises(InputError, match="line 2: not UTF-8"):
        load_config(p)


def test_non_utf8_knowledge_table(tmp_path):
    import shutil

    from kinres.knowledge.loader import load_knowledge
    from kinres.paths import KNOWLEDGE_DIR

    kdir = tmp_path / "kb"
    shutil.copytree(KNOWLEDGE_DIR, kdir)
    table = kdir / "bypass.tsv"
    data = table.read_bytes()
    table.write_bytes(data + "x\xe9\n".encode("latin-1"))
    with pytest.raises(KnowledgeError, match="not UTF-8"):
        load_knowledge(kdir)


# --------------------------------------------------------------------------- sample sheet
SHEET = ("sample_id\tpatient_id\tspecimen\ttumor_type\tcollection_date\tgenome_build\tvcf\n"
         "S1\tP1\ttissue\tNSCLC\t{date}\tGRCh38\t{vcf}\n")


@pytest.mark.parametrize("date", ["1800-01-01", "2099-06-01", "1989-12-31"])
def test_implausible_collection_dates(tmp_path, date):
    (tmp_path / "v.vcf").write_text("x\n")
    p = tmp_path / "s.tsv"
    p.write_text(SHEET.format(date=date, vcf="v.vcf"))
    with pytest.raises(InputError, match="implausible") as err:
        read_samplesheet(p)
    assert err.value.line == 2


@pytest.mark.parametrize("case, problem", [
    ("directory", "folder"), ("long_name", "too long"), ("missing", "file not found")])
def test_sheet_input_paths(tmp_path, case, problem):
    if case == "directory":
        (tmp_path / "v.vcf").mkdir()
        vcf = "v.vcf"
    elif case == "long_name":
        vcf = "y" * 400 + ".vcf"
    else:
        vcf = "none.vcf"
    p = tmp_path / "s.tsv"
    p.write_text(SHEET.format(date="2024-01-01", vcf=vcf))
    with pytest.raises(InputError, match=problem) as err:
        read_samplesheet(p)
    assert err.value.line == 2 and err.value.path == str(p)


def test_non_utf8_sheet_names_the_line(tmp_path):
    (tmp_path / "v.vcf").write_text("x\n")
    p = tmp_path / "s.tsv"
    p.write_bytes(SHEET.format(date="2024-01-01", vcf="v.vcf").replace(
        "NSCLC", "NSCLC\xe9").encode("latin-1"))
    with pytest.raises(InputError, match="line 2: not UTF-8"):
        read_samplesheet(p)


def test_garbage_csq_hgvsp_names_the_line(tmp_path, panel):
    from test_preannotated import VEP_HEADER, vep, write_vcf

    from kinres.commands.variants import ingest
    from kinres.config import Config
    from kinres.models import Sample

    csq = vep("T", "missense_variant", "ALK", "ENST00000389048.7", "23/29",
              "ENST00000389048.7:c.3604G>A", "ENSP00000373700.3:p.<b>Gly</b>", "1202", "G/R")
    vcf = write_vcf(tmp_path, VEP_HEADER, [
        f"chr2\t29220747\t.\tC\tT\t.\tPASS\tCSQ={csq}\tGT:AD:AF:DP\t0/1:180,20:0.1:200"])
    sample = Sample(sample_id="S1", patient_id="P1", specimen="tissue", tumor_type="NSCLC",
                    genome_build=Build.GRCh38, vcf=vcf)
    with pytest.raises(InputError, match="not HGVS protein notation") as err:
        ingest(sample, Config(tmp_path / "c.yaml", {}), panel)
    assert err.value.line is not None and err.value.path == str(vcf)


# --------------------------------------------------------------------------- outputs
def test_full_disk_while_writing_is_an_output_error(tmp_path):
    import errno

    from kinres.atomic import atomic_open
    from kinres.errors import OutputError

    out = tmp_path / "report.html"
    with pytest.raises(OutputError, match="no space left") as err, atomic_open(out) as fh:
        fh.write("partial")
        raise OSError(errno.ENOSPC, "No space left on device")
    assert err.value.path == str(out)
    assert not out.exists() and not list(tmp_path.iterdir())  # no partial output, no temp file


def test_results_path_under_a_file_is_an_output_error(tmp_path):
    from kinres.errors import OutputError
    from kinres.serialize import write_json

    (tmp_path / "results").write_text("a file")
    with pytest.raises(OutputError, match="cannot create output"):
        write_json(tmp_path / "results" / "S1" / "variants.json", {"a": 1})


def test_maf_row_with_some_tabs_replaced_by_spaces(tmp_path, panel):
    cells = row(hgvsp="p.I1171N", start="29223528", end="29223528", ref="A", alt="T")
    bad = cells[0] + " " + cells[1] + "\t" + "\t".join(cells[2:]) + "\textra"
    path = maf(tmp_path, [row()])
    path.write_text(path.read_text() + bad + "\n")
    with pytest.raises(InputError, match="spaces") as err:
        read_maf(path, "GRCh38", panel)
    assert err.value.line == 4
