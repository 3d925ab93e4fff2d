"""GFF3 / GTF reader: transcript models, stop codon handling, filtering and bad input."""

from __future__ import annotations

import gzip
import shutil

import pytest
from synthref import make_reference

from kinres.annotate.gff import detect_format, load_annotation
from kinres.errors import InputError


@pytest.fixture(scope="module")
def ref(tmp_path_factory):
    return make_reference(tmp_path_factory.mktemp("synth"), seed=3)


@pytest.mark.parametrize("which", ["gff3", "gtf"])
def test_models_match_the_synthetic_truth(ref, which):
    ann = load_annotation(getattr(ref, which))
    assert detect_format(getattr(ref, which)) == which
    for st in ref.transcripts:
        tx = ann.by_id(st.transcript_id)
        assert tx is not None, st.transcript_id
        assert tx.gene == st.gene and tx.strand == st.strand
        assert tx.exons == st.exons  # transcript order
        assert tx.cds == st.cds_parts  # GTF: stop_codon rows merged back into the CDS
        if st.cds:
            assert tx.cds_length == len(st.cds) and tx.cds_range[0] == st.cds_offset
            assert tx.biotype == "protein_coding"
        else:
            assert not tx.is_coding and tx.biotype == "lncRNA"
        for m in (0, len(st.mrna) // 2, len(st.mrna) - 1):
            g = st.mrna_to_genomic(m)
            assert tx.mrna_index(g) == m and tx.genomic(m) == g


def test_versions_tags_and_default_transcript(ref):
    for path in (ref.gff3, ref.gtf):
        ann = load_annotation(path)
        assert ann.by_id("ENST10000000001.3") is ann.by_id("ENST10000000001")
        tx = ann.default_transcript("SYN2")
        assert tx.transcript_id == "ENST10000000001" and "MANE_Select" in tx.tags
        assert not ann.by_id("ENST90000000001").is_canonical


def test_gene_filter_and_overlap(ref):
    ann = load_annotation(ref.gff3, genes={"SYN2", "SYN5"})
    assert ann.genes == {"SYN2", "SYN5"}
    assert len(ann.for_gene("SYN2")) == 2
    st = ref.gene("SYN5")
    assert [t.gene for t in ann.overlapping(st.chrom, st.start, st.start)] == ["SYN5"]
    assert [t.gene for t in ann.overlapping("chr" + st.chrom, st.end, st.end)] == ["SYN5"]
    assert ann.overlapping(st.chrom, st.end + 1, st.end + 100) == []
    gtf = load_annotation(ref.gtf, genes=["SYN5"])
    assert gtf.genes == {"SYN5"}


def test_gzip_input(ref, tmp_path):
    gz = tmp_path / "ann.gff3.gz"
    with open(ref.gff3, "rb") as src, gzip.open(gz, "wb") as dst:
        shutil.copyfileobj(src, dst)
    ann = load_annotation(gz)
    assert len(ann.transcripts) == len(ref.transcripts)


def test_longest_cds_when_no_tags(tmp_path):
    lines = ["##gff-version 3",
             "1\tx\tgene\t100\t400\t.\t+\t.\tID=gene:G1;Name=GENEA;biotype=protein_coding",
             "1\tx\tmRNA\t100\t400\t.\t+\t.\tID=transcript:T1;Parent=gene:G1;biotype=protein_coding",
             "1\tx\texon\t100\t400\t.\t+\t.\tParent=transcript:T1",
             "1\tx\tCDS\t110\t199\t.\t+\t0\tParent=transcript:T1",
             "1\tx\tmRNA\t100\t400\t.\t+\t.\tID=transcript:T2;Parent=gene:G1;biotype=protein_coding",
             "1\tx\texon\t100\t400\t.\t+\t.\tParent=transcript:T2",
             "1\tx\tCDS\t110\t307\t.\t+\t0\tParent=transcript:T2"]
    p = tmp_path / "a.gff3"
    p.write_text("\n".join(lines) + "\n")
    assert load_annotation(p).default_transcript("GENEA").transcript_id == "T2"


@pytest.mark.parametrize("bad_line, problem", [
    ("1\tx\texon\t100\t400\t.\t+\tParent=transcript:T1", "9 tab-separated columns"),
    ("1\tx\texon\tten\t400\t.\t+\t.\tParent=transcript:T1", "not integers"),
    ("1\tx\texon\t500\t400\t.\t+\t.\tParent=transcript:T1", "invalid interval"),
    ("1\tx\texon\t100\t400\t.\t*\t.\tParent=transcript:T1", "strand"),
    ("1\tx\tCDS\t100\t400\t.\t+\t0\tID=x", "no Parent"),
])
def test_malformed_gff3_line_names_file_and_line(tmp_path, bad_line, problem):
    lines = ["##gff-version 3",
             "1\tx\tgene\t100\t400\t.\t+\t.\tID=gene:G1;Name=GENEA",
             "1\tx\tmRNA\t100\t400\t.\t+\t.\tID=transcript:T1;Parent=gene:G1",
             bad_line]
    p = tmp_path / "bad.gff3"
    p.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as exc:
        load_annotation(p)
    assert exc.value.line == 4 and problem in exc.value.problem and "bad.gff3" in str(exc.value)


def test_malformed_gtf_attributes(tmp_path):
    p = tmp_path / "bad.gtf"
    p.write_text('1\tx\texon\t100\t400\t.\t+\t.\tgene_id "G1"; transcript_id "T1"; gene_name\n')
    with pytest.raises(InputError) as exc:
        load_annotation(p)
    assert exc.value.line == 1


def test_missing_file(tmp_path):
    with pytest.raises(InputError):
        load_annotation(tmp_path / "nope.gff3")


def test_children_before_parents_are_kept(ref, tmp_path):
    """Non-Ensembl GFF3 may list exon/CDS rows before their transcript row."""
    lines = ref.gff3.read_text().splitlines()
    header = [x for x in lines if x.startswith("#")]
    body = [x for x in lines if not x.startswith("#")]
    p = tmp_path / "reordered.gff3"
    p.write_text("\n".join(header + body[::-1]) + "\n")
    a, b = load_annotation(ref.gff3), load_annotation(p, genes={"SYN4"})
    assert b.by_id("ENST10000000003").exons == a.by_id("ENST10000000003").exons
    assert b.by_id("ENST10000000003").cds == a.by_id("ENST10000000003").cds
