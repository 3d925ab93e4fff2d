"""Small-variant VCF edge cases from real files: BOM, stale/foreign index, range checks."""

from __future__ import annotations

import os
import time

import pytest
from test_preannotated import PANEL38
from test_vcf import MUTECT_META, bgzip_index, vcf_text, write

from kinres.errors import InputError
from kinres.io.vcf import read_vcf

OTHER_POS = "chr2\t29100000\t.\tA\tG\t.\tPASS\t.\tGT:AD:AF:DP\t0/1:80,20:0.2:100"
BRAF = "chr7\t140753336\t.\tA\tT\t.\tPASS\t.\tGT:AD:AF:DP\t0/1:80,20:0.2:100"
G1202R = "chr2\t29220747\t.\tC\tT\t.\tPASS\t.\tGT:AD:AF:DP\t0/1:80,20:{af}:{dp}"


def _vcf(tmp_path, records, name="x.vcf", contigs=None):
    kw = {} if contigs is None else {"contigs": contigs}
    return write(tmp_path, vcf_text(MUTECT_META, ["TUMOR"], records, **kw), name)


def test_bom_and_crlf_and_no_contig_lines(tmp_path):
    p = _vcf(tmp_path, [G1202R.format(af=0.2, dp=100)], contigs="")
    p.write_bytes(b"\xef\xbb\xbf" + p.read_bytes().replace(b"\n", b"\r\n"))
    res = read_vcf(p, "GRCh38", panel=PANEL38)
    assert [(v.pos, v.vaf) for v in res.variants] == [(29220747, 0.2)]
    assert res.variants[0].source.path == str(p)


@pytest.mark.parametrize("af", ["1.7", "-0.2"])
def test_af_out_of_range_falls_back_to_ad_with_a_warning(tmp_path, af):
    res = read_vcf(_vcf(tmp_path, [G1202R.format(af=af, dp=100)]), "GRCh38", panel=PANEL38)
    assert res.variants[0].vaf == 0.2  # 20 / (80 + 20)
    assert any("outside 0..1" in w and "taken from AD" in w for w in res.warnings)


def test_af_out_of_range_without_ad_is_an_error(tmp_path):
    rec = "chr2\t29220747\t.\tC\tT\t.\tPASS\t.\tGT:AF:DP\t0/1:3.5:100"
    with pytest.raises(InputError, match=r"line \d+.*outside 0\.\.1"):
        read_vcf(_vcf(tmp_path, [rec]), "GRCh38", panel=PANEL38)


@pytest.mark.parametrize("rec, problem", [
    (G1202R.format(af=0.2, dp=-5), "negative depth"),
    ("chr2\t29220747\t.\tC\tT\t.\tPASS\t.\tGT:AD:AF:DP\t0/1:80,-20:0.2:100", "negative alt"),
    (G1202R.format(af=0.2, dp=2000000000), "implausible depth"),
    ("chr2\t29220747\t.\tC\tC\t.\tPASS\t.\tGT:AD:AF:DP\t0/1:80,20:0.2:100", "equals REF"),
])
def test_nonsense_values_name_the_line(tmp_path, rec, problem):
    p = _vcf(tmp_path, [rec])
    line = p.read_text().splitlines().index(rec) + 1
    with pytest.raises(InputError, match=problem) as err:
        read_vcf(p, "GRCh38", panel=PANEL38)
    assert err.value.line == line


def test_stale_index_falls_back_to_streaming(tmp_path):
    gz = bgzip_index(_vcf(tmp_path, [OTHER_POS]))
    # the data is rewritten after indexing: the old index points nowhere useful
    gz2 = bgzip_index(_vcf(tmp_path, [G1202R.format(af=0.2, dp=100)], name="y.vcf"))
    os.replace(gz2, gz)
    past = time.time() - 3600
    os.utime(str(gz) + ".tbi", (past, past))
    res = read_vcf(gz, "GRCh38", panel=PANEL38)
    assert [v.pos for v in res.variants] == [29220747]
    assert not res.used_index and any("stale" in w for w in res.warnings)


def test_foreign_index_falls_back_to_streaming(tmp_path):
    other = bgzip_index(_vcf(tmp_path, [BRAF], name="other.vcf"))
    gz = bgzip_index(_vcf(tmp_path, [G1202R.format(af=0.2, dp=100)]))
    os.replace(str(other) + ".tbi", str(gz) + ".tbi")  # newer than the data, wrong file
    res = read_vcf(gz, "GRCh38", panel=PANEL38)
    assert [v.pos for v in res.variants] == [29220747]
    assert not res.used_index and any("does not match" in w or "another file" in w
                                      for w in res.warnings)


def test_matching_index_is_used(tmp_path):
    gz = bgzip_index(_vcf(tmp_path, [G1202R.format(af=0.2, dp=100)]))
    res = read_vcf(gz, "GRCh38", panel=PANEL38)
    assert res.used_index and [v.pos for v in res.variants] == [29220747]


@pytest.mark.parametrize("case", ["directory", "fifo", "long_name"])
def test_odd_paths_are_input_errors(tmp_path, case):
    if case == "directory":
        p = tmp_path / "d.vcf"
        p.mkdir()
    elif case == "fifo":
        p = tmp_path / "f.vcf"
        os.mkfifo(p)
    else:
        p = tmp_path / ("n" * 300 + ".vcf")
    with pytest.raises(InputError):
        read_vcf(p, "GRCh38", panel=PANEL38)


def test_non_utf8_header_names_the_line(tmp_path):
    p = _vcf(tmp_path, [G1202R.format(af=0.2, dp=100)])
    lines = p.read_bytes().split(b"\n")
    chrom = next(i for i, t in enumerate(lines) if t.startswith(b"#CHROM"))
    lines[chrom] = lines[chrom].replace(b"TUMOR", b"TUM\xf2R")
    p.write_bytes(b"\n".join(lines))
    with pytest.raises(InputError, match="not UTF-8") as err:
        read_vcf(p, "GRCh38", panel=PANEL38)
    assert err.value.line == chrom + 1


def test_duplicated_record_in_an_indexed_vcf_is_kept_for_the_merge_warning(tmp_path):
    from kinres.io.duplicates import merge_duplicates

    rec = G1202R.format(af=0.2, dp=100)
    gz = bgzip_index(_vcf(tmp_path, [rec, rec]))
    res = read_vcf(gz, "GRCh38", panel=PANEL38)
    assert res.used_index and len(res.variants) == 2
    kept, warnings = merge_duplicates(res.variants, gz)
    assert len(kept) == 1 and "duplicate record 2:29220747 C>T" in warnings[0]
