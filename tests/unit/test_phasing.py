"""Read-backed phasing (io/phasing.py) on BAMs built over the synthetic reference."""

from __future__ import annotations

import pytest
from bam_builder import Read, codon_to_genomic, write_alignments
from synthref import make_reference

from kinres.enums import Consequence, Phase
from kinres.io.coverage import Settings, open_alignment
from kinres.io.phasing import candidate_pairs, decide, phase_pair
from kinres.models import ProteinAnnotation, Variant

COMP = {"A": "C", "C": "G", "G": "T", "T": "A"}


@pytest.fixture(scope="module")
def ref(tmp_path_factory):
    return make_reference(tmp_path_factory.mktemp("ref"))


@pytest.fixture(scope="module")
def site(ref):
    """Two SNV sites 30 bp apart inside SYN1's first coding exon region, plus the contig."""
    tx = ref.gene("SYN1")
    pa = tx.codon_positions(20)[0]
    pb = pa + 30
    seq = ref.contigs[tx.chrom]
    a = Variant(tx.chrom, pa, seq[pa - 1], COMP[seq[pa - 1]])
    b = Variant(tx.chrom, pb, seq[pb - 1], COMP[seq[pb - 1]])
    return tx.chrom, seq, a, b


def make_read(chrom, seq, name, start0, length=100, alts=(), **kw) -> Read:
    bases = list(seq[start0:start0 + length])
    for v in alts:
        for i, base in enumerate(v.alt):
            bases[v.pos - 1 + i - start0] = base
    return Read(name, chrom, start0, "".join(bases), **kw)


def bam_with(tmp_path, ref, reads):
    return write_alignments(tmp_path / "p.bam", [(n, len(s)) for n, s in ref.contigs.items()],
                            reads)


def phase(tmp_path, ref, reads, a, b, **settings):
    with open_alignment(bam_with(tmp_path, ref, reads)) as aln:
        return phase_pair(aln, a, b, Settings(**settings), gene="SYN1")


def test_cis(tmp_path, ref, site):
    chrom, seq, a, b = site
    start = a.pos - 40
    reads = [make_read(chrom, seq, f"both{i}", start, alts=(a, b)) for i in range(5)]
    reads += [make_read(chrom, seq, f"ref{i}", start) for i in range(6)]
    reads += [make_read(chrom, seq, f"aonly{i}", start, alts=(a,)) for i in range(4)]
    call = phase(tmp_path, ref, reads, a, b)
    assert call.phase is Phase.CIS
    assert (call.reads_both, call.reads_a_only, call.reads_b_only, call.reads_neither) == (5, 4,
                                                                                          0, 6)
    assert call.variant_a == a.key and call.gene == "SYN1"


def test_trans(tmp_path, ref, site):
    chrom, seq, a, b = site
    start = a.pos - 40
    reads = [make_read(chrom, seq, f"a{i}", start, alts=(a,)) for i in range(3)]
    reads += [make_read(chrom, seq, f"b{i}", start, alts=(b,)) for i in range(3)]
    call = phase(tmp_path, ref, reads, a, b)
    assert call.phase is Phase.TRANS and (call.reads_a_only, call.reads_b_only) == (3, 3)


def test_unknown_when_too_few_span(tmp_path, ref, site):
    chrom, seq, a, b = site
    # two spanning fragments carry both; the rest cover only one site each
    reads = [make_read(chrom, seq, f"both{i}", a.pos - 40, alts=(a, b)) for i in range(2)]
    reads += [make_read(chrom, seq, f"left{i}", a.pos - 80, length=90, alts=(a,))
              for i in range(10)]
    reads += [make_read(chrom, seq, f"right{i}", b.pos - 5, length=90, alts=(b,))
              for i in range(10)]
    call = phase(tmp_path, ref, reads, a, b)
    assert call.phase is Phase.UNKNOWN and call.reads_both == 2 and "too few" in call.note


def test_mates_are_one_fragment(tmp_path, ref, site):
    """Read 1 covers only A, read 2 only B: the pair still phases them."""
    chrom, seq, a, b = site
    reads = []
    for i in range(4):
        r1 = make_read(chrom, seq, f"frag{i}", a.pos - 60, length=70, alts=(a,),
                       mate_start0=b.pos - 5, read1=True)
        r2 = make_read(chrom, seq, f"frag{i}", b.pos - 5, length=70, alts=(b,),
                       mate_start0=a.pos - 60, read1=False, reverse=True)
        reads += [r1, r2]
    call = phase(tmp_path, ref, reads, a, b)
    assert call.phase is Phase.CIS and call.reads_both == 4


def test_filters_and_base_quality(tmp_path, ref, site):
    chrom, seq, a, b = site
    start = a.pos - 40
    reads = [make_read(chrom, seq, f"both{i}", start, alts=(a, b)) for i in range(2)]
    # these would make it cis (3 both) but are a duplicate, MAPQ 0 and low base quality
    reads += [make_read(chrom, seq, "dup", start, alts=(a, b), duplicate=True),
              make_read(chrom, seq, "mq0", start, alts=(a, b), mapq=0),
              make_read(chrom, seq, "bq", start, alts=(a, b), qual=3)]
    call = phase(tmp_path, ref, reads, a, b)
    assert call.reads_both == 2 and call.phase is Phase.UNKNOWN
    assert phase(tmp_path, ref, reads, a, b, min_mapq=0, min_baseq=0).reads_both == 4


def test_mnv_needs_every_alt_base(tmp_path, ref, site):
    chrom, seq, a, b = site
    mnv = Variant(chrom, a.pos, seq[a.pos - 1:a.pos + 1],
                  COMP[seq[a.pos - 1]] + COMP[seq[a.pos]])
    half = Variant(chrom, a.pos, seq[a.pos - 1], COMP[seq[a.pos - 1]])  # first base only
    start = a.pos - 40
    reads = [make_read(chrom, seq, f"full{i}", start, alts=(mnv, b)) for i in range(3)]
    reads += [make_read(chrom, seq, f"half{i}", start, alts=(half,)) for i in range(5)]
    call = phase(tmp_path, ref, reads, mnv, b)
    # half-MNV reads are neither ref nor alt at the MNV: not counted at all
    assert (call.reads_both, call.reads_a_only, call.reads_neither) == (3, 0, 0)
    assert call.phase is Phase.CIS


def test_deletion_and_insertion_alleles(tmp_path, ref, site):
    chrom, seq, a, b = site
    d = a.pos  # deletion of 3 bases after the anchor at d
    deletion = Variant(chrom, d, seq[d - 1:d + 3], seq[d - 1])
    start = d - 40
    reads = []
    for i in range(3):  # deletion + B in cis
        body = list(seq[start:start + 103])
        body[b.pos - 1 - start] = b.alt
        del body[40:43]  # bases d+1..d+3 (0-based d..d+2 relative to start at index 40)
        reads.append(Read(f"del{i}", chrom, start, "".join(body), cigar="40M3D60M"))
    reads += [make_read(chrom, seq, f"ref{i}", start) for i in range(3)]
    call = phase(tmp_path, ref, reads, deletion, b)
    assert (call.reads_both, call.reads_neither, call.phase) == (3, 3, Phase.CIS)

    insertion = Variant(chrom, d, seq[d - 1], seq[d - 1] + "GGT")
    reads = []
    for i in range(3):  # insertion only, B only: trans
        body = seq[start:start + 40] + "GGT" + seq[start + 40:start + 97]
        reads.append(Read(f"ins{i}", chrom, start, body, cigar="40M3I57M"))
        reads.append(make_read(chrom, seq, f"b{i}", start, alts=(b,)))
    call = phase(tmp_path, ref, reads, insertion, b)
    assert (call.reads_a_only, call.reads_b_only, call.phase) == (3, 3, Phase.TRANS)


@pytest.mark.parametrize("counts, expected", [
    ((3, 0, 0), Phase.CIS), ((10, 40, 0), Phase.CIS), ((10, 40, 1), Phase.CIS),
    ((10, 20, 8), Phase.UNKNOWN), ((2, 0, 0), Phase.UNKNOWN), ((0, 2, 1), Phase.TRANS),
    ((0, 1, 1), Phase.UNKNOWN), ((0, 9, 0), Phase.UNKNOWN), ((1, 5, 5), Phase.UNKNOWN),
])
def test_decision_rule(counts, expected):
    assert decide(*counts, Settings())[0] is expected


def annotated(gene, pos, hgvs_p, filters=("PASS",), start=None):
    ann = ProteinAnnotation(gene, "ENST0", (Consequence.MISSENSE,), hgvs_p=hgvs_p,
                            protein_start=start)
    return Variant("2", pos, "C", "T", filters=filters, annotation=ann)


def test_candidate_pairs():
    vs = [annotated("ALK", 300, "p.G1202R", start=1202),
          annotated("ALK", 100, "p.L1196M", start=1196),
          annotated("ALK", 500, "p.A10V", start=10),  # outside the kinase domain
          annotated("ALK", 700, "p.I1171N", filters=("LowQual",), start=1171),
          annotated("ROS1", 900, "p.G2032R", start=2032),
          annotated("ALK", 800, "p.G1202=", start=1202)]  # synonymous
    domain = lambda v: 1116 <= v.annotation.protein_start <= 1392
    pairs = candidate_pairs(vs, domain)
    assert [(g, x.pos, y.pos) for g, x, y in pairs] == [("ALK", 100, 300)]
    assert len(candidate_pairs(vs)) == 3  # without the domain filter A10V pairs too


def test_coverage_command_real_alk_compound(tmp_path):
    """kinres coverage on a chr2 BAM at real ALK coordinates: G1202R + L1196M in cis.

    Genomic alleles follow from the HGVS c. changes on the minus-strand transcript:
    c.3604G>A (G1202R) is C>T and c.3586C>A (L1196M) is G>T on the genome.
    """
    import argparse

    from kinres.commands import coverage as command
    from kinres.enums import Build
    from kinres.models import StageResult
    from kinres.serialize import read_json, write_json

    transcripts = pytest.importorskip("kinres.annotate.transcripts")
    tx = transcripts.Panel.load(Build.GRCh38).transcript("ALK")
    g1202, l1196 = tx.codon_positions(1202)[0], tx.codon_positions(1196)[0]
    assert tx.c_position(g1202) == "3604" and tx.c_position(l1196) == "3586"
    a = Variant("2", g1202, "C", "T", annotation=ProteinAnnotation(
        "ALK", tx.transcript_id, (Consequence.MISSENSE,), hgvs_p="p.G1202R", protein_start=1202))
    b = Variant("2", l1196, "G", "T", annotation=ProteinAnnotation(
        "ALK", tx.transcript_id, (Consequence.MISSENSE,), hgvs_p="p.L1196M", protein_start=1196))
    start0 = min(g1202, l1196) - 1 - 40
    reads = []
    for i in range(12):
        body = ["A"] * 100
        # transcript codons: G1202 GGA -> AGA (R), L1196 CTG -> ATG (M); 4 fragments carry both
        for aa, codon in ((1202, "AGA" if i < 4 else "GGA"), (1196, "ATG" if i < 4 else "CTG")):
            for g, base in zip(tx.codon_positions(aa), codon_to_genomic(codon, tx.strand)):
                body[g - 1 - start0] = base
        reads.append(Read(f"r{i}", "2", start0, "".join(body)))
    bam = write_alignments(tmp_path / "s.bam", [("2", 242193529)], reads)
    write_json(tmp_path / "variants.json", StageResult(stage="variants", sample_id="S1",
                                                       variants=(a, b)))
    (tmp_path / "hotspots.tsv").write_text("gene\thgvs_p\nALK\tp.G1202R\nALK\tp.L1196M\n")
    (tmp_path / "config.yaml").write_text("coverage:\n  min_alt_reads: 3\n")
    sheet = tmp_path / "samples.tsv"
    sheet.write_text("sample_id\tpatient_id\tspecimen\ttumor_type\tgenome_build\tbam\n"
                     f"S1\tP1\ttissue\tNSCLC\tGRCh38\t{bam}\n")
    parser = argparse.ArgumentParser()
    command.add_arguments(parser)
    out = tmp_path / "coverage.json"
    args = parser.parse_args(["--config", str(tmp_path / "config.yaml"), "--sample-sheet",
                              str(sheet), "--sample", "S1", "--variants",
                              str(tmp_path / "variants.json"), "--hotspots",
                              str(tmp_path / "hotspots.tsv"), "--out", str(out)])
    assert command.run(args) == 0
    result = read_json(out, StageResult)
    g, l_ = result.hotspots
    assert (g.hgvs_p, g.depth, g.alt_reads, g.ref_reads) == ("p.G1202R", 12, 4, 8)
    assert (l_.hgvs_p, l_.depth, l_.alt_reads) == ("p.L1196M", 12, 4)
    assert result.mean_depth == 12.0
    (call,) = result.phases
    assert call.phase is Phase.CIS and call.reads_both == 4 and call.reads_neither == 8
