"""A stale or foreign .bai/.csi/.crai is refused (io/alignment_index.py), never read as depth 0."""

from __future__ import annotations

import os
import random
import shutil

import pysam
import pytest
from bam_builder import Read, write_alignments

from kinres.errors import InputError
from kinres.io.coverage import open_alignment

CONTIGS = [("c1", 200_000), ("c2", 100_000)]


def reads(seed: int, n: int, lo: int, hi: int, contig: str = "c1") -> list[Read]:
    rng = random.Random(seed)
    return [Read(f"s{seed}_{i}", contig, rng.randint(lo, hi),
                 "".join(rng.choice("ACGT") for _ in range(100))) for i in range(n)]


def bam(tmp_path, name, rs, contigs=CONTIGS, reference=None):
    return write_alignments(tmp_path / name, contigs, rs, reference=reference)


def index_of(path):
    return next(p for p in (f"{path}.bai", f"{path}.csi", f"{path}.crai")
                if os.path.exists(p))


def foreign(src, dst):
    """Put src's index beside dst under dst's name, newer than dst (a copied index)."""
    target = dst.parent / (dst.name + os.path.splitext(index_of(src))[1])
    for old in (f"{dst}.bai", f"{dst}.csi", f"{dst}.crai"):
        if os.path.exists(old):
            os.unlink(old)
    shutil.copy(index_of(src), target)
    later = os.stat(dst).st_mtime + 5
    os.utime(target, (later, later))


def refused(path, match, **kw):
    with pytest.raises(InputError, match=match) as err:
        open_alignment(path, **kw)
    assert err.value.path == str(path)
    assert "samtools index" in str(err.value)
    return str(err.value)


def test_own_index_passes_and_depth_is_read(tmp_path):
    b = bam(tmp_path, "a.bam", reads(1, 3000, 1000, 5000))
    with open_alignment(b) as aln:
        assert sum(1 for _ in aln.fetch("c1", 2000, 2001)) > 0


def test_index_older_than_bam(tmp_path):
    b = bam(tmp_path, "a.bam", reads(1, 50, 1000, 5000))
    earlier = os.stat(b).st_mtime - 60
    os.utime(index_of(b), (earlier, earlier))
    refused(b, "older than the alignment file")


def test_index_of_a_bam_with_another_header(tmp_path):
    a = bam(tmp_path, "a.bam", reads(1, 50, 1000, 5000), contigs=CONTIGS + [("c3", 5000)])
    b = bam(tmp_path, "b.bam", reads(2, 50, 1000, 5000))
    foreign(a, b)
    refused(b, "describes 3 reference sequence")


@pytest.mark.parametrize("a_range, b_range", [
    ((1000, 5000), (1000, 5000)),      # same panel, another sample: same header, other layout
    ((1000, 5000), (50_000, 60_000)),  # reads where the other index has none (depth 0 before)
    ((50_000, 60_000), (1000, 5000)),
])
def test_index_of_another_bam_with_the_same_header(tmp_path, a_range, b_range):
    a = bam(tmp_path, "a.bam", reads(1, 4000, *a_range))
    b = bam(tmp_path, "b.bam", reads(2, 3000, *b_range))
    foreign(a, b)
    message = refused(b, "index b.bam.bai")
    assert "stale or of another file" in message or "another" in message


def test_index_of_the_bam_before_it_was_rewritten(tmp_path):
    b = bam(tmp_path, "a.bam", reads(1, 3000, 1000, 5000))
    saved = tmp_path / "saved.bai"
    shutil.copy(index_of(b), saved)
    bam(tmp_path, "a.bam", reads(1, 3000, 1000, 5000) + reads(3, 500, 20_000, 30_000))
    shutil.copy(saved, index_of(b))  # copied back: newer than the BAM, still the old index
    refused(b, "index a.bam.bai")


def test_csi_index(tmp_path):
    a = write_alignments(tmp_path / "a.bam", CONTIGS, reads(1, 3000, 1000, 5000), index=False)
    pysam.index("-c", str(a))
    with open_alignment(a) as aln:
        assert sum(1 for _ in aln.fetch("c1", 2000, 2001)) > 0
    b = write_alignments(tmp_path / "b.bam", CONTIGS, reads(2, 3000, 50_000, 60_000),
                         index=False)
    foreign(a, b)
    refused(b, "index b.bam.csi")


def test_cram_index(tmp_path):
    rng = random.Random(0)
    fasta = tmp_path / "ref.fa"
    fasta.write_text("".join(f">{n}\n{''.join(rng.choice('ACGT') for _ in range(ln))}\n"
                             for n, ln in CONTIGS))
    pysam.faidx(str(fasta))
    a = bam(tmp_path, "a.cram", reads(1, 3000, 1000, 5000), reference=fasta)
    with open_alignment(a, fasta) as aln:
        assert sum(1 for _ in aln.fetch("c1", 2000, 2001)) > 0
    b = bam(tmp_path, "b.cram", reads(2, 300, 50_000, 60_000), reference=fasta)
    foreign(a, b)
    refused(b, "index b.cram.crai", reference=fasta)
    earlier = os.stat(a).st_mtime - 60
    os.utime(index_of(a), (earlier, earlier))
    refused(a, "older than the alignment file", reference=fasta)


def test_coverage_command_refuses_a_foreign_index(tmp_path, capsys):
    """Through the CLI: a clear kinres error naming the BAM, no coverage.json, never depth 0."""
    from kinres.cli import main

    a = bam(tmp_path, "a.bam", reads(1, 3000, 1000, 5000))
    b = bam(tmp_path, "b.bam", reads(2, 3000, 50_000, 60_000))
    foreign(a, b)
    (tmp_path / "config.yaml").write_text("results: res\n")
    (tmp_path / "samples.tsv").write_text(
        "sample_id\tpatient_id\tspecimen\ttumor_type\tgenome_build\tbam\n"
        f"S1\tP1\ttissue\tNSCLC\tGRCh38\t{b}\n")
    (tmp_path / "hotspots.tsv").write_text("gene\thgvs_p\nALK\tp.G1202R\n")
    out = tmp_path / "coverage.json"
    rc = main(["coverage", "--config", str(tmp_path / "config.yaml"), "--sample-sheet",
               str(tmp_path / "samples.tsv"), "--sample", "S1",
               "--hotspots", str(tmp_path / "hotspots.tsv"), "--out", str(out)])
    err = capsys.readouterr().err
    assert rc != 0 and not out.exists()
    assert "b.bam" in err and "re-index with samtools index" in err


def test_fetch_error_is_an_input_error(tmp_path):
    """htslib failing mid-read (damaged file, index of another file) names the file."""
    from kinres.io.readpass import Site, reads_by_site

    class Broken:
        filename = str(tmp_path / "x.bam").encode()

        def fetch(self, contig, start, end):
            raise OSError("truncated file")

    with pytest.raises(InputError, match="x.bam.*c1:11-20 failed.*samtools index"):
        list(reads_by_site(Broken(), [Site("c1", 10, 20, None)], 20))
