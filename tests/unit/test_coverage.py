"""Hotspot depth / alt support / LoD from BAMs built over the synthetic reference."""

from __future__ import annotations

import itertools
import math

import pytest
from bam_builder import Read, codon_to_genomic, write_alignments
from synthref import CODON_TABLE, make_reference

from kinres.enums import Build
from kinres.errors import InputError
from kinres.io.coverage import (
    Settings,
    assess_hotspots,
    detection_probability,
    hotspot_coverage,
    lod_vaf,
    open_alignment,
    parse_hotspot,
)

AA = 40  # hotspot codon used on the synthetic genes


@pytest.fixture(scope="module")
def ref(tmp_path_factory):
    return make_reference(tmp_path_factory.mktemp("ref"))


def alt_codons(ref_codon: str) -> tuple[str, str]:
    """Two single-base changes of `ref_codon` giving two different non-stop residues."""
    ref_aa = CODON_TABLE[ref_codon]
    found: dict[str, str] = {}
    for i in range(3):
        for b in "ACGT":
            c = ref_codon[:i] + b + ref_codon[i + 1:]
            aa = CODON_TABLE[c]
            if aa not in (ref_aa, "*") and aa not in found:
                found[aa] = c
    first, second = list(found.values())[:2]
    return first, second


def genomic_read(ref, tx, name, codon: str | None, start_offset=-40, length=100, **kw) -> Read:
    """A read over the codon of `tx` at AA carrying `codon` (transcript strand) or the genome."""
    positions = tx.codon_positions(AA)
    start0 = min(positions) - 1 + start_offset
    seq = list(ref.contigs[tx.chrom][start0:start0 + length])
    if codon is not None:
        for g, base in zip(positions, codon_to_genomic(codon, tx.strand)):
            seq[g - 1 - start0] = base
    return Read(name, tx.chrom, start0, "".join(seq), **kw)


def scenario(ref, tx):
    """20 ref fragments (10 as overlapping mate pairs), 5 alt, 2 other residue, plus reads
    that must not count (duplicate, MAPQ 5, low base quality, secondary, discordant mates)."""
    ref_codon = tx.cds[3 * (AA - 1):3 * AA]
    alt, other = alt_codons(ref_codon)
    reads = []
    for i in range(10):  # mate pairs: both mates over the codon = one fragment
        reads.append(genomic_read(ref, tx, f"pair{i}", None, mate_start0=0, read1=True))
        reads.append(genomic_read(ref, tx, f"pair{i}", None, start_offset=-20, read1=False,
                                  reverse=True, mate_start0=0))
    reads += [genomic_read(ref, tx, f"ref{i}", None) for i in range(10)]
    reads += [genomic_read(ref, tx, f"alt{i}", alt) for i in range(5)]
    reads += [genomic_read(ref, tx, f"oth{i}", other) for i in range(2)]
    reads += [genomic_read(ref, tx, "dup", alt, duplicate=True),
              genomic_read(ref, tx, "lowmq", alt, mapq=5),
              genomic_read(ref, tx, "lowbq", alt, qual=5),
              genomic_read(ref, tx, "sec", alt, secondary=True),
              genomic_read(ref, tx, "disc", alt, mate_start0=0, read1=True),
              genomic_read(ref, tx, "disc", None, start_offset=-10, read1=False,
                           mate_start0=0)]
    return CODON_TABLE[ref_codon], CODON_TABLE[alt], reads


def contigs(ref):
    return [(n, len(s)) for n, s in ref.contigs.items()]


@pytest.mark.parametrize("gene", ["SYN1", "SYN2"])  # plus and minus strand
def test_hotspot_counts_exact(tmp_path, ref, gene):
    tx = ref.gene(gene)
    ref_aa, alt_aa, reads = scenario(ref, tx)
    assert tx.protein[AA - 1] == ref_aa
    bam = write_alignments(tmp_path / "t.bam", contigs(ref), reads)
    hs = parse_hotspot(gene, f"p.{ref_aa}{AA}{alt_aa}")
    with open_alignment(bam) as aln:
        rec, warnings = hotspot_coverage(aln, hs, tx)
    assert (rec.depth, rec.alt_reads, rec.ref_reads) == (27, 5, 20)
    assert rec.pos == tx.codon_positions(AA)[0] and rec.chrom == tx.chrom
    assert "1 fragment(s) with discordant mates" in rec.note
    assert rec.lod_vaf == lod_vaf(27, 3)
    assert dict(rec.observed_aa)[ref_aa] == 20 and warnings == []
    # codon-level row: any non-reference residue counts
    with open_alignment(bam) as aln:
        codon, _ = hotspot_coverage(aln, parse_hotspot(gene, f"p.{ref_aa}{AA}"), tx)
    assert (codon.depth, codon.alt_reads) == (27, 7)


def test_stricter_filters_change_counts(tmp_path, ref):
    tx = ref.gene("SYN1")
    ref_aa, alt_aa, reads = scenario(ref, tx)
    bam = write_alignments(tmp_path / "t.bam", contigs(ref), reads)
    hs = parse_hotspot("SYN1", f"p.{ref_aa}{AA}{alt_aa}")
    with open_alignment(bam) as aln:
        loose, _ = hotspot_coverage(aln, hs, tx, Settings(min_mapq=0, min_baseq=0))
    # MAPQ-5 and BQ-5 alt reads now count; duplicate and secondary still never do
    assert (loose.depth, loose.alt_reads) == (29, 7)


def test_reference_residue_mismatch_is_warned(tmp_path, ref):
    tx = ref.gene("SYN1")
    ref_aa = tx.protein[AA - 1]
    wrong = next(a for a in "ACDEFGHIKLMNPQRSTVWY" if a != ref_aa)
    reads = [genomic_read(ref, tx, f"r{i}", None) for i in range(12)]
    bam = write_alignments(tmp_path / "t.bam", contigs(ref), reads)
    with open_alignment(bam) as aln:
        rec, warnings = hotspot_coverage(aln, parse_hotspot("SYN1", f"p.{wrong}{AA}"), tx)
    assert rec.depth == 12 and rec.ref_reads == 0
    assert warnings and "check transcript numbering" in warnings[0]


def test_deletion_hotspot_and_chr_prefix(tmp_path, ref):
    tx = ref.gene("SYN1")
    g1 = tx.codon_positions(AA)[0]
    chrom = "chr" + tx.chrom
    start0 = g1 - 1 - 40
    seqs = ref.contigs[tx.chrom]
    deleted = Read("del1", chrom, start0, seqs[start0:start0 + 40] + seqs[start0 + 43:start0 + 103],
                   cigar="40M3D60M")
    plain = Read("ref1", chrom, start0, seqs[start0:start0 + 100])
    bam = write_alignments(tmp_path / "t.bam", [("chr" + n, ln) for n, ln in contigs(ref)],
                           [deleted, plain])
    hs = parse_hotspot("SYN1", f"p.{tx.protein[AA - 1]}{AA}del")
    with open_alignment(bam) as aln:
        rec, _ = hotspot_coverage(aln, hs, tx, Settings(min_alt_reads=1))
    assert (rec.depth, rec.alt_reads, rec.ref_reads) == (2, 1, 1)


def test_real_alk_g1202_codon(tmp_path):
    """Reads at the real ALK G1202 codon on a chr2 of GRCh38 length (panel coordinates)."""
    transcripts = pytest.importorskip("kinres.annotate.transcripts")
    tx = transcripts.Panel.load(Build.GRCh38).transcript("ALK")
    positions = tx.codon_positions(1202)
    assert tx.strand == -1 and max(positions) - min(positions) == 2
    gly, arg = "GGC", "CGC"  # transcript-strand codons for G and R
    start0 = min(positions) - 1 - 50
    reads = []
    for i, codon in enumerate([gly] * 30 + [arg] * 4):
        seq = ["A"] * 100
        for g, base in zip(positions, codon_to_genomic(codon, tx.strand)):
            seq[g - 1 - start0] = base
        reads.append(Read(f"r{i}", "2", start0, "".join(seq)))
    bam = write_alignments(tmp_path / "alk.bam", [("2", 242193529)], reads)
    with open_alignment(bam, build=Build.GRCh38) as aln:
        recs, mean, _ = assess_hotspots(aln, [parse_hotspot("ALK", "p.G1202R")],
                                        lambda g: tx if g == "ALK" else None)
    assert (recs[0].depth, recs[0].alt_reads, recs[0].ref_reads) == (34, 4, 30)
    assert mean == 34.0
    with pytest.raises(InputError, match="GRCh37 length"):
        write_alignments(tmp_path / "b37.bam", [("2", 243199373)], reads[:1])
        open_alignment(tmp_path / "b37.bam", build=Build.GRCh38)


# --------------------------------------------------------------------------- LoD
def test_lod_definition_and_monotone():
    depths = [3, 5, 10, 30, 100, 300, 1000, 5000]
    lods = [lod_vaf(d, 3) for d in depths]
    assert all(a > b for a, b in itertools.pairwise(lods))
    assert lod_vaf(2, 3) is None and lod_vaf(0, 1) is None
    for d, f in zip(depths, lods):
        assert detection_probability(d, f, 3) >= 0.95
        assert detection_probability(d, f * 0.999, 3) < 0.95
    # k = 1 has a closed form: 1 - (1-f)^n = 0.95
    assert lod_vaf(100, 1) == pytest.approx(1 - 0.05 ** (1 / 100), abs=1e-6)
    # 1000 fragments, 3 alt reads: ~0.63% (Poisson: lambda = 6.3 for P(X>=3) = 0.95)
    assert lod_vaf(1000, 3) == pytest.approx(6.2958 / 1000, rel=0.01)
    assert lod_vaf(1000, 5) > lod_vaf(1000, 3)


def test_detection_probability_matches_direct_sum():
    n, f, k = 50, 0.07, 3
    direct = 1 - sum(math.comb(n, i) * f ** i * (1 - f) ** (n - i) for i in range(k))
    assert detection_probability(n, f, k) == pytest.approx(direct, rel=1e-12)


# --------------------------------------------------------------------------- files
def test_missing_index_and_file(tmp_path, ref):
    tx = ref.gene("SYN1")
    bam = write_alignments(tmp_path / "noidx.bam", contigs(ref),
                           [genomic_read(ref, tx, "r", None)], index=False)
    with pytest.raises(InputError, match="samtools index") as err:
        open_alignment(bam)
    assert err.value.path == str(bam)
    with pytest.raises(InputError, match="not found"):
        open_alignment(tmp_path / "absent.bam")


def test_cram_needs_reference(tmp_path, ref):
    tx = ref.gene("SYN1")
    ref_aa, alt_aa, reads = scenario(ref, tx)
    cram = write_alignments(tmp_path / "t.cram", contigs(ref), reads, reference=ref.fasta)
    with pytest.raises(InputError, match="reference.GRCh38.fasta"):
        open_alignment(cram, None, Build.GRCh38)
    with pytest.raises(InputError, match="FASTA for the CRAM not found"):
        open_alignment(cram, tmp_path / "nope.fa")
    with open_alignment(cram, ref.fasta) as aln:
        rec, _ = hotspot_coverage(aln, parse_hotspot("SYN1", f"p.{ref_aa}{AA}{alt_aa}"), tx)
    assert (rec.depth, rec.alt_reads) == (27, 5)


def test_missing_contig_and_unknown_gene(tmp_path, ref):
    tx = ref.gene("SYN1")
    bam = write_alignments(tmp_path / "t.bam", [("other", 1000)], [])
    with open_alignment(bam) as aln:
        recs, mean, warnings = assess_hotspots(
            aln, [parse_hotspot("SYN1", "p.G40R"), parse_hotspot("NOPE", "p.G1R")],
            lambda g: tx if g == "SYN1" else None)
    assert recs[0].depth == 0 and recs[0].lod_vaf is None and mean is None
    assert any("not in the BAM header" in w for w in warnings)
    assert any("NOPE not assessed" in w for w in warnings)


@pytest.mark.parametrize("text, kind, alt", [
    ("p.G1202R", "substitution", "R"), ("p.G1202", "codon", None),
    ("p.G1202del", "deletion", None), ("p.T1151_L1152insT", "other", None),
])
def test_parse_hotspot(text, kind, alt):
    hs = parse_hotspot("ALK", text)
    assert (hs.kind, hs.alt_aa, hs.ref_aa) == (kind, alt, text[2])
    with pytest.raises(ValueError):
        parse_hotspot("ALK", "c.3604G>A")


def test_schema_defaults_match_settings(repo_root):
    import json
    schema = json.loads((repo_root / "workflow/schemas/config/coverage.schema.json").read_text())
    defaults = {k: v["default"] for k, v in schema["properties"].items()}
    assert Settings.from_mapping(defaults) == Settings()


def test_command_without_bam(tmp_path):
    import argparse

    from kinres.commands import coverage as command
    from kinres.models import StageResult
    from kinres.serialize import read_json

    config = tmp_path / "config.yaml"
    config.write_text("coverage:\n  min_mapq: 30\n")
    sheet = tmp_path / "samples.tsv"
    (tmp_path / "s1.vcf").write_text("##fileformat=VCFv4.2\n")
    sheet.write_text("sample_id\tpatient_id\tspecimen\ttumor_type\tgenome_build\tvcf\n"
                     "S1\tP1\tplasma\tNSCLC\tGRCh38\ts1.vcf\n")
    out = tmp_path / "res" / "coverage.json"
    parser = argparse.ArgumentParser()
    command.add_arguments(parser)
    args = parser.parse_args(["--config", str(config), "--sample-sheet", str(sheet),
                              "--sample", "S1", "--out", str(out)])
    assert command.run(args) == 0
    result = read_json(out, StageResult)
    assert result.stage == "coverage" and result.hotspots == ()
    assert result.warnings == ("no BAM: hotspot depth not assessed",)
    assert ("coverage.min_mapq", "30") in result.parameters
