"""Unit tests for bad-input fixes found by tests/workflow/test_bad_input_cli.py.

- io/vcf: a VCF without a #CHROM line names that problem and the first record's line (htslib
  only said "cannot parse VCF header").
- io/vcf: a truncated gzip/bgzip VCF names the line where the damage is, not "after line 0" of
  the 4 MB block that failed to decompress.
- io/cnv: a CNVkit .call.cns whose `cn` column is negative is an InputError (it was ignored).
"""

from __future__ import annotations

import gzip
import re

import pysam
import pytest

from kinres.annotate.transcripts import Panel
from kinres.enums import Build
from kinres.errors import InputError
from kinres.io.cnv import read_cnv
from kinres.io.vcf import _readable_lines, read_vcf

HEADER = ("##fileformat=VCFv4.2\n"
          "##contig=<ID=2,length=242193529>\n"
          '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n')
CHROM = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTUMOR\n"


def _records(n: int) -> str:
    return "".join(f"2\t{29192774 + 97 * i}\t.\tA\tG\t.\tPASS\t.\tGT\t0/1\n" for i in range(n))


def test_missing_chrom_line_names_the_first_record(tmp_path):
    vcf = tmp_path / "x.vcf"
    vcf.write_text(HEADER + _records(3))
    with pytest.raises(InputError) as exc:
        read_vcf(vcf, "GRCh38")
    assert exc.value.line == 4  # three header lines, then the first record
    assert "#CHROM" in exc.value.problem and "malformed header" in exc.value.problem


@pytest.mark.parametrize("bgzf", [True, False])
def test_truncated_gzip_names_the_damaged_line(tmp_path, bgzf):
    text = HEADER + CHROM + _records(6000)
    vcf = tmp_path / "x.vcf.gz"
    if bgzf:
        with pysam.BGZFile(str(vcf), "wb") as fh:
            fh.write(text.encode())
        data = vcf.read_bytes()
    else:
        data = gzip.compress(text.encode())
    vcf.write_bytes(data[:len(data) // 2])
    total = len(text.splitlines())
    good = _readable_lines(vcf)
    assert total // 4 < good < total  # close to where the bytes stop, not 0
    with pytest.raises(InputError) as exc:  # panel-restricted: the raw-text prescan path
        read_vcf(vcf, "GRCh38", panel=Panel.load("GRCh38"))
    assert exc.value.line is not None and exc.value.line > 4
    assert int(re.search(r"after line (\d+)", exc.value.problem).group(1)) == exc.value.line - 1


def test_readable_lines_of_an_intact_file(tmp_path):
    vcf = tmp_path / "ok.vcf.gz"
    vcf.write_bytes(gzip.compress((HEADER + CHROM + _records(10)).encode()))
    assert _readable_lines(vcf) == 14


def test_cnvkit_negative_cn_is_an_input_error(tmp_path):
    cns = tmp_path / "t.call.cns"
    cns.write_text("chromosome\tstart\tend\tgene\tlog2\tcn\tdepth\tprobes\tweight\n"
                   "2\t29192773\t29921586\tALK\t0.02\t2\t512.1\t60\t58.2\n"
                   "7\t116672195\t116798377\tMET\t2.5\t-3\t1840.7\t45\t44.1\n")
    with pytest.raises(InputError) as exc:
        read_cnv(cns)
    assert exc.value.line == 3 and "negative copy number" in exc.value.problem


def test_cnvkit_valid_cn_column_still_reads(tmp_path):
    cns = tmp_path / "t.call.cns"
    cns.write_text("chromosome\tstart\tend\tgene\tlog2\tcn\tdepth\tprobes\tweight\n"
                   "7\t116672195\t116798377\tMET\t2.5\t11\t1840.7\t45\t44.1\n")
    table = read_cnv(cns)
    assert len(table.observations) == 1 and table.observations[0].log2 == 2.5


# ------------------------------------------------------------------ commands/variants: FASTA build
def _n_fasta(path, contigs):
    """FASTA of all-N contigs [(name, length)], written in 60-column lines, indexed."""
    line = "N" * 60 + "\n"
    with open(path, "w") as fh:
        for name, length in contigs:
            fh.write(f">{name}\n")
            full, rest = divmod(length, 60)
            block = line * 10000
            fh.writelines(block for _ in range(full // 10000))
            fh.write(line * (full % 10000))
            if rest:
                fh.write("N" * rest + "\n")
    pysam.faidx(str(path))
    return path


def test_fasta_of_the_other_build_is_named(tmp_path):
    from kinres.commands.variants import check_fasta_build

    fa = _n_fasta(tmp_path / "b37.fa", [("chr21", 48129895), ("chrUn_KI270302v1", 2274)])
    with pytest.raises(InputError) as exc:
        check_fasta_build(fa, Build.GRCh38)
    assert exc.value.path == str(fa) and exc.value.record == "chr21"
    assert "the GRCh37 length" in exc.value.problem and "46,709,983" in exc.value.problem
    check_fasta_build(fa, Build.GRCh37)  # right build: no error; unplaced contigs are ignored


def test_fasta_with_a_shortened_chromosome_is_refused(tmp_path):
    from kinres.commands.variants import check_fasta_build

    fa = _n_fasta(tmp_path / "short.fa", [("2", 1000), ("MT", 16569)])
    with pytest.raises(InputError) as exc:
        check_fasta_build(fa, Build.GRCh38)
    assert "contig 2 is 1,000 bp" in exc.value.problem and "GRCh37" not in exc.value.problem
