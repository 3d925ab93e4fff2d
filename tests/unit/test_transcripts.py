"""Panel API: literature anchors on both builds, HGVS c. numbering on synthetic transcripts,
lookups and table validation."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest

from kinres.annotate.transcripts import Exon, Panel, Transcript, normalise_chrom
from kinres.errors import AnnotationError, InputError
from kinres.paths import PANEL_DIR


@pytest.fixture(scope="module")
def p37() -> Panel:
    return Panel.load("GRCh37")


@pytest.fixture(scope="module")
def p38() -> Panel:
    return Panel.load("GRCh38")


# ------------------------------------------------------------------ literature anchors
# (gene, codon, c. of the named base, GRCh37 position, GRCh38 position)
# GRCh37 ALK I1171N chr2:29445213 and GRCh38 BRAF V600E chr7:140753336 come from the brief /
# shared CDS-HINTS; EGFR L858R, KRAS G12 and BRAF V600E positions are the widely published
# COSMIC/ClinVar coordinates; the remaining positions are what the panel derives and are pinned
# here so that a rebuild that shifts them fails.
ANCHORS = [
    ("ALK", 1171, 3512, 29445213, 29222347),   # I1171N c.3512T>A
    ("ALK", 1202, 3604, 29443613, 29220747),   # G1202R c.3604G>A
    ("ALK", 1196, 3586, 29443631, 29220765),   # L1196M c.3586C>A
    ("BRAF", 600, 1799, 140453136, 140753336),  # V600E c.1799T>A
    ("EGFR", 858, 2573, 55259515, 55191822),   # L858R c.2573T>G
    ("KRAS", 12, 35, 25398284, 25245350),      # G12D c.35G>A
    ("NTRK1", 595, 1783, 156846342, 156876550),  # G595R c.1783G>A (NM_002529)
    ("NTRK3", 623, 1867, 88476265, 87933034),  # G623R c.1867G>A (NM_001012338)
    ("ROS1", 2032, 6094, 117638347, 117317184),  # G2032R c.6094G>A
]


@pytest.mark.parametrize("gene,codon,c,g37,g38", ANCHORS)
def test_literature_anchor_positions(p37, p38, gene, codon, c, g37, g38):
    for panel, g in ((p37, g37), (p38, g38)):
        t = panel.transcript(gene)
        assert t.cds_verified
        assert t.c_to_genomic(c) == g
        assert t.c_position(g) == str(c)
        assert t.protein_position(g) == codon
        assert g in t.codon_positions(codon)
        assert t.codon_positions(codon)[(c - 1) % 3] == g


def test_kras_codon12_is_c34_36_on_minus_strand(p38):
    t = p38.transcript("KRAS")
    assert t.strand == -1 and t.protein_length == 188  # KRAS4B, NM_004985 / ENST00000311936
    g1, g2, g3 = t.codon_positions(12)
    assert (g1 - g2, g2 - g3) == (1, 1)
    assert [t.c_position(g) for g in (g1, g2, g3)] == ["34", "35", "36"]


def test_reporting_transcripts(p37, p38):
    for panel in (p37, p38):
        assert panel.transcript("ALK").transcript_id == "ENST00000389048"
        assert panel.transcript("ALK").refseq.startswith("NM_004304")
        assert panel.transcript("ROS1").transcript_id == "ENST00000368508"
        assert panel.transcript("NTRK1").transcript_id == "ENST00000524377"
        ntrk3 = panel.transcript("NTRK3")
        assert ntrk3.refseq.startswith("NM_001012338") and ntrk3.protein_length == 839
        # the 825-aa GeneFuse transcript must never be mapped onto 839-aa numbering
        assert panel.protein_identical("ENST00000394480", ntrk3.transcript_id) is False
        assert panel.protein_identical("ENST00000392302", "ENST00000524377") is False


@pytest.mark.parametrize("build", ["GRCh37", "GRCh38"])
def test_every_verified_cds_obeys_length_rule(build):
    panel = Panel.load(build)
    verified = [t for t in panel.transcripts if t.cds_verified]
    assert len(verified) >= 55
    for t in verified:
        assert t.cds_length == 3 * (t.protein_length + 1), t.gene
        segs = t.coding_segments()
        assert sum(e - s + 1 for s, e in segs) == t.cds_length
        # coding exons are contiguous in transcript order and phases chain
        coding = [e for e in t.exons if e.is_coding]
        assert [e.number for e in coding] == list(range(coding[0].number, coding[-1].number + 1))
        for prev, nxt in itertools.pairwise(coding):
            assert prev.end_phase == nxt.phase
    for gene in ("ALK", "ROS1", "NTRK1", "NTRK2", "NTRK3", "EGFR", "BRAF", "KRAS", "MET", "EML4"):
        assert panel.transcript(gene).cds_verified, gene


def test_unverified_gene_has_no_protein_numbering(p38):
    t = p38.transcript("DNMT3A")
    assert not t.cds_verified and t.cds_start is None
    with pytest.raises(AnnotationError):
        t.codon_positions(882)
    assert t.exon_at(t.exons[0].start) == 1


def test_kinase_domains_and_anchor_residues(p37, p38):
    for panel in (p37, p38):
        alk = panel.transcript("ALK")
        assert alk.kinase_domain == (1116, 1383)
        assert all(alk.in_kinase_domain(aa) for aa in (1171, 1196, 1202, 1269))
        assert alk.in_kinase_domain(1100) is False
        for gene, residues in {"ROS1": (2026, 2032, 2102), "NTRK1": (589, 595, 667),
                               "NTRK2": (633, 639, 709), "NTRK3": (617, 623, 696)}.items():
            assert all(panel.transcript(gene).in_kinase_domain(aa) for aa in residues), gene
        assert panel.transcript("EGFR").in_kinase_domain(858) is None


def test_fusion_exon_frames(p38):
    # EML4 exon 13 :: ALK exon 20 (variant 1) is a known in-frame fusion: the EML4 exon-13 end
    # phase must equal the phase ALK exon 20 starts with (end phase of ALK exon 19).
    eml4, alk = p38.transcript("EML4"), p38.transcript("ALK")
    assert eml4.cds_phase_at_exon_end(13) == alk.cds_phase_at_exon_end(19)
    assert eml4.cds_phase_at_exon_end(6) == alk.cds_phase_at_exon_end(19)  # v3
    assert eml4.cds_phase_at_exon_end(20) == alk.cds_phase_at_exon_end(19)  # v2
    assert alk.cds_phase_at_exon_end(len(alk.exons)) is None
    # ALK exon 20 starts upstream of the kinase domain; breakpoint after exon 19 keeps it
    exon20 = alk.exon(20)
    first_aa = alk.protein_position(exon20.start if alk.strand > 0 else exon20.end)
    assert 1000 < first_aa < 1116


def test_overlapping_and_lookup(p38):
    assert [t.gene for t in p38.overlapping("chr7", 140753336)] == ["BRAF"]
    assert [t.gene for t in p38.overlapping("7", 140753336, 140753340)] == ["BRAF"]
    assert p38.overlapping("7", 1) == []
    assert p38.overlapping("chrUn_gl000220", 5) == []
    alk = p38.transcript("ALK")
    assert p38.overlapping("2", alk.tx_start)[0] is alk
    assert p38.overlapping("2", alk.tx_end)[0] is alk
    assert p38.overlapping("2", alk.tx_end + 1) == []
    assert p38.by_id("ENST00000389048.8") is alk
    assert p38.by_id("NM_004304.5") is alk and p38.by_id("NM_004304") is alk
    assert p38.by_id("ENST00000000001") is None
    assert p38.is_reporting("ENST00000389048") and not p38.is_reporting("ENST00000392302")
    assert p38.protein_identical("ENST00000288602", "ENST00000646891") is True  # BRAF
    assert p38.protein_identical("ENST00000389048", "ENST00000646891") is False
    assert p38.protein_identical("ENST00000389048", "ENST99999999999") is None
    with pytest.raises(KeyError):
        p38.transcript("NOT_A_GENE")
    assert Panel.load("GRCh38") is p38  # cached


def test_regions_match_committed_bed(p37, p38):
    for panel in (p37, p38):
        bed = (PANEL_DIR / f"panel.{panel.build}.bed").read_text().split("\n")
        rows = [tuple(line.split("\t")) for line in bed if line]
        assert [(c, int(s), int(e)) for c, s, e in rows] == panel.regions(10)
        regions = panel.regions(10)
        assert all(s < e for _, s, e in regions)
    # the V600 codon lies inside a region (0-based half-open)
    assert any(c == "7" and s < 140753336 <= e for c, s, e in p38.regions())


def test_normalise_chrom():
    assert normalise_chrom("chr2") == "2"
    assert normalise_chrom("chrM") == "MT" and normalise_chrom("M") == "MT"
    assert normalise_chrom("chrX") == "X" and normalise_chrom("x") == "X"
    assert normalise_chrom("17") == "17"


# ------------------------------------------------------------------ synthetic transcripts
def _tx(strand: int) -> Transcript:
    """Three exons 100-199, 300-399, 500-599; CDS c.1 at 150 (plus) / 549 (minus), 180 bases."""
    if strand > 0:
        exons = (Exon(1, 100, 199, 150, 199, None, 2), Exon(2, 300, 399, 300, 399, 2, 0),
                 Exon(3, 500, 599, 500, 529, 0, None))
        cds = (150, 529)
    else:
        exons = (Exon(1, 500, 599, 500, 549, None, 2), Exon(2, 300, 399, 300, 399, 2, 0),
                 Exon(3, 100, 199, 170, 199, 0, None))
        cds = (170, 549)
    return Transcript("G", "ENSTX", "1", "NM_X", "1", strand, 100, 599, cds[0], cds[1], 59, False,
                      (), "bypass", True, exons, (10, 20))


def test_c_position_plus_strand():
    t = _tx(1)
    assert t.cds_length == 180
    assert t.c_position(150) == "1" and t.c_position(199) == "50"
    assert t.c_position(300) == "51" and t.c_position(529) == "180"
    assert t.c_position(149) == "-1" and t.c_position(100) == "-50"
    assert t.c_position(530) == "*1" and t.c_position(599) == "*70"
    assert t.c_position(200) == "50+1" and t.c_position(299) == "51-1"
    # intron 200..299 has 100 bases: 200..249 are "+", 250..299 are "-"
    assert t.c_position(249) == "50+50" and t.c_position(250) == "51-50"
    assert t.c_position(99) == "-51" and t.c_position(600) == "*71"
    assert t.exon_at(300) == 2 and t.exon_at(250) is None
    assert t.intron_at(250) == 1 and t.intron_at(450) == 2 and t.intron_at(150) is None
    assert t.intron_at(50) is None
    assert t.codon_positions(1) == (150, 151, 152)
    assert t.codon_positions(17) == (198, 199, 300)  # codon split across the junction
    assert t.c_to_genomic(-1) == 149
    assert t.cds_phase_at_exon_end(1) == 2 and t.cds_phase_at_exon_end(3) is None
    assert t.in_kinase_domain(15) and t.in_kinase_domain(21) is False
    with pytest.raises(ValueError):
        t.codon_positions(61)


def test_c_position_minus_strand():
    t = _tx(-1)
    assert t.c_position(549) == "1" and t.c_position(500) == "50"
    assert t.c_position(399) == "51" and t.c_position(170) == "180"
    assert t.c_position(550) == "-1" and t.c_position(169) == "*1"
    assert t.c_position(499) == "50+1" and t.c_position(400) == "51-1"
    assert t.c_position(600) == "-51" and t.c_position(99) == "*71"
    assert t.intron_at(450) == 1 and t.intron_at(250) == 2
    assert t.codon_positions(1) == (549, 548, 547)
    assert t.codon_positions(17) == (501, 500, 399)
    assert t.protein_position(399) == 17
    assert t.c_index(169) is None and t.c_index(549) == 1


def test_utr_intron_numbering():
    exons = (Exon(1, 100, 149), Exon(2, 200, 299, 250, 299, None, 2), Exon(3, 400, 499, 400, 430, 2, None))
    t = Transcript("G", "E", "", "", "1", 1, 100, 499, 250, 430, 26, False, (), "partner", True, exons)
    assert t.c_position(160) == "-51+11"  # intron inside the 5' UTR
    assert t.c_position(190) == "-50-10"


# ------------------------------------------------------------------ table validation
def _copy_panel(tmp_path: Path) -> Path:
    d = tmp_path / "panel"
    shutil.copytree(PANEL_DIR, d)
    return d


def test_bad_table_raises_input_error_with_line(tmp_path):
    d = _copy_panel(tmp_path)
    path = d / "GRCh38.transcripts.tsv"
    lines = path.read_text().splitlines()
    fields = lines[3].split("\t")
    fields[5] = "x"
    lines[3] = "\t".join(fields)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as err:
        Panel.load("GRCh38", d)
    assert err.value.line == 4 and "strand" in err.value.problem


def test_cds_length_mismatch_is_rejected(tmp_path):
    d = _copy_panel(tmp_path)
    path = d / "GRCh37.transcripts.tsv"
    text = path.read_text().replace("\t1620\t", "\t1621\t")
    path.write_text(text)
    with pytest.raises(InputError, match="protein_length"):
        Panel.load("GRCh37", d)


def test_missing_tables_and_bad_build(tmp_path):
    with pytest.raises(InputError):
        Panel.load("GRCh38", tmp_path)
    with pytest.raises(InputError):
        Panel.load("hg19")
