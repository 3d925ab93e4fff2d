"""Normalisation: trim/left-align vs `bcftools norm` (pysam), 3' shift, REF checks."""

from __future__ import annotations

import random

import pysam
import pysam.bcftools
import pytest

from kinres.annotate.normalize import (
    Edit,
    Reference,
    check_ref,
    normalize,
    shift_left,
    shift_right,
    to_vcf,
    trim,
)
from kinres.errors import InputError

SEQ = ("GATTACA" + "CA" * 8 + "TTTT" + "G" * 7 + "ACGTACGT" + "ATG" * 5 + "CCGGA") * 3


@pytest.fixture(scope="module")
def fa(tmp_path_factory):
    d = tmp_path_factory.mktemp("norm")
    path = d / "r.fa"
    path.write_text(f">chr1\n{SEQ}\n")
    pysam.faidx(str(path))
    ref = Reference(path)
    yield ref
    ref.close()


def test_trim_and_anchor(fa):
    e = trim("chr1", 10, "CAC", "CAT")
    assert e == Edit("chr1", 11, "C", "T")
    e = normalize("chr1", 9, "ACA", "A", fa)  # deletes one CA unit inside the CA repeat
    # GATT|ACACAC...: the AC repeat starts at 0-based 4 (the A of GATTACA)
    assert e == Edit("chr1", 4, "AC", "")
    assert to_vcf(e, fa) == (4, SEQ[3:6], SEQ[3])


def test_shift_right_and_limits(fa):
    e = Edit("chr1", 7, "CA", "")  # first CA unit of the repeat
    right = shift_right(e, fa)
    assert right.start == 7 + 14 and right.deleted == "CA"
    assert shift_right(e, fa, limit=12).end <= 12
    assert shift_left(right, fa, floor=10).start >= 10
    ins = shift_right(Edit("chr1", 27, "", "T"), fa)  # inside TTTT, insertion point moves 3'
    assert SEQ[ins.start - 1] == "T" and SEQ[ins.start] != "T"


def _vcf(path, records):
    lines = ["##fileformat=VCFv4.2", f"##contig=<ID=chr1,length={len(SEQ)}>",
             "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"]
    lines += [f"chr1\t{p}\tr{i}\t{r}\t{a}\t.\tPASS\t." for i, (p, r, a) in enumerate(records)]
    path.write_text("\n".join(lines) + "\n")


def test_matches_bcftools_norm_on_random_repeat_indels(fa, tmp_path):
    rng = random.Random(4)
    recs = set()
    while len(recs) < 300:
        pos = rng.randint(2, len(SEQ) - 12)
        k = rng.randint(1, 6)
        if rng.random() < 0.5:
            recs.add((pos, SEQ[pos - 1:pos + k], SEQ[pos - 1]))
        else:
            recs.add((pos, SEQ[pos - 1], SEQ[pos - 1] + SEQ[pos:pos + k]))  # dups in repeats
    recs = sorted(recs)
    vcf = tmp_path / "in.vcf"
    _vcf(vcf, recs)
    out = pysam.bcftools.norm("-f", str(fa.path), str(vcf))
    theirs = {}
    for line in out.splitlines():
        if not line.startswith("#"):
            c = line.split("\t")
            theirs[c[2]] = (int(c[1]), c[3], c[4])
    diffs = []
    for i, (p, r, a) in enumerate(recs):
        ours = to_vcf(normalize("chr1", p, r, a, fa), fa)
        if ours != theirs[f"r{i}"]:
            diffs.append(((p, r, a), ours, theirs[f"r{i}"]))
    assert not diffs, diffs[:10]


def test_check_ref_errors(fa):
    check_ref("chr1", 1, SEQ[:3], fa, path="x.vcf", line=3, record="r")
    with pytest.raises(InputError) as exc:
        check_ref("chr1", 1, "TTT", fa, path="x.vcf", line=3, record="chr1:1:TTT>T")
    assert "x.vcf" in str(exc.value) and "line 3" in str(exc.value) and f"has {SEQ[:3]}" in \
        str(exc.value)
    with pytest.raises(InputError) as exc:
        check_ref("1", 1, "G", fa, path="x.vcf", line=3, record="1:1:G>A")
    assert "'chr'-prefixed" in str(exc.value)
    with pytest.raises(InputError):
        check_ref("chr1", len(SEQ), "GA", fa, path="x.vcf", line=3, record="end")
