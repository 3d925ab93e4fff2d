"""Fusion ingestion: each caller's real example file, format detection and bad input."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from kinres.enums import Build, FusionFormat
from kinres.errors import InputError
from kinres.io.fusions import Settings, detect_format, read_fusions
from kinres.io.fusions.star_fusion import annot_tags
from kinres.io.fusions.sv_vcf import bnd_junction

ARRIBA_HEADER = ("#gene1\tgene2\tstrand1(gene/fusion)\tstrand2(gene/fusion)\tbreakpoint1\t"
                 "breakpoint2\tsite1\tsite2\ttype\tsplit_reads1\tsplit_reads2\tdiscordant_mates\t"
                 "coverage1\tcoverage2\tconfidence\treading_frame\ttags\tretained_protein_domains\t"
                 "closest_genomic_breakpoint1\tclosest_genomic_breakpoint2\tgene_id1\tgene_id2\t"
                 "transcript_id1\ttranscript_id2\tdirection1\tdirection2\tfilters\t"
                 "fusion_transcript\tpeptide_sequence\tread_identifiers")


def arriba_row(g1="EML4", g2="ALK", s1="+/+", s2="-/+", b1="2:42295516", b2="2:29223528",
               typ="inversion", sr1="12", sr2="9", dm="20", conf="high", frame="in-frame",
               d1="downstream", d2="upstream", filters="duplicates(3)") -> str:
    return "\t".join([g1, g2, s1, s2, b1, b2, "CDS/splice-site", "CDS/splice-site", typ, sr1, sr2,
                      dm, "100", "80", conf, frame, ".", ".", ".", ".", "ENSG1", "ENSG2",
                      "ENST1", "ENST2", d1, d2, filters, ".", ".", "."])


def write(tmp_path: Path, name: str, *lines: str) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


# ------------------------------------------------------------------ real example files
def test_arriba_real_bcr_abl1(shared_dir):
    path = shared_dir / "data/fusion_examples/arriba/arriba_test_fusions.tsv"
    assert detect_format(path) == "arriba"
    res = read_fusions(path, None, Build.GRCh38)
    assert res.records == 1 and len(res.fusions) == 1
    f = res.fusions[0]
    assert (f.five_prime_gene, f.three_prime_gene) == ("BCR", "ABL1")
    assert (f.five_prime_breakpoint.chrom, f.five_prime_breakpoint.pos) == ("22", 23632600)
    assert (f.three_prime_breakpoint.chrom, f.three_prime_breakpoint.pos) == ("9", 133729451)
    assert f.five_prime_breakpoint.strand == "+" and f.three_prime_breakpoint.strand == "+"
    assert f.in_frame is True and f.frame_source == "caller"
    assert (f.split_reads, f.spanning_reads, f.supporting_reads) == (11, 0, 11)
    assert f.molecule == "rna" and f.caller == "arriba"
    assert f.source.line == 2


def test_star_fusion_real_files(shared_dir):
    folder = shared_dir / "data/fusion_examples/star-fusion"
    path = folder / "kickstart.star-fusion.fusion_candidates.final.abridged.tsv"
    assert detect_format(path) == "star_fusion"
    res = read_fusions(path, None, Build.GRCh37)
    assert res.records == 24 == len(res.fusions)
    first = res.fusions[0]
    assert (first.five_prime_gene, first.three_prime_gene) == ("ACACA", "STAC2")
    assert first.five_prime_breakpoint == first.five_prime_breakpoint.__class__("17", 35479453, "-")
    assert (first.split_reads, first.spanning_reads, first.supporting_reads) == (12, 51, 63)
    assert first.in_frame is None  # no PROT_FUSION_TYPE column
    ffpm = read_fusions(folder / "saved.star-fusion.fusion_candidates.final.abridged.FFPM.tsv",
                        FusionFormat.STAR_FUSION, Build.GRCh37)
    assert ffpm.records == 29


def test_fusioncatcher_real_file(shared_dir):
    path = shared_dir / "data/fusion_examples/fusioncatcher/final-list_candidate-fusion-genes.txt"
    assert detect_format(path) == "fusioncatcher"
    res = read_fusions(path, None, Build.GRCh38)
    assert res.records == 25 == len(res.fusions)
    by = {(f.five_prime_gene, f.three_prime_gene, f.three_prime_breakpoint.pos
           if f.three_prime_breakpoint else None): f for f in res.fusions}
    etv6 = by[("ETV6", "NTRK3", 87940753)]
    assert etv6.five_prime_breakpoint.pos == 11869969 and etv6.five_prime_breakpoint.strand == "+"
    assert etv6.in_frame is True and etv6.supporting_reads == 14
    assert by[("GOPC", "ROS1", 117320030)].in_frame is False
    eml4 = by[("EML4", "ALK", 29223587)]
    assert eml4.in_frame is None and "caller_effect:CDS(truncated)/intronic" in eml4.flags
    # IGH@ pseudo-coordinates (beyond chr14) are not taken as genome positions, and are counted
    dux4 = [f for f in res.fusions if f.three_prime_gene == "IGH@"]
    assert dux4 and all(f.three_prime_breakpoint is None for f in dux4)
    assert any("synthetic immunoglobulin" in w for w in res.warnings)


def test_pcgr_tables(shared_dir):
    folder = shared_dir / "data/fusion_examples/pcgr"
    res = read_fusions(folder / "T001-BRCA.grch38.fusions.tsv", None, Build.GRCh38)
    assert res.format == "pcgr" and res.records == 9
    ntrk1 = next(f for f in res.fusions if "NTRK1" in (f.five_prime_gene, f.three_prime_gene))
    assert (ntrk1.five_prime_gene, ntrk1.three_prime_gene) == ("NTRK1", "TPM3")
    # the GRCh37 example has MYB--NFIB at 9:143000000, past the end of chr9 in GRCh37
    with pytest.raises(InputError) as err:
        read_fusions(folder / "T001-BRCA.grch37.fusions.tsv", None, Build.GRCh37)
    assert err.value.line == 10 and "beyond the end of chromosome 9" in err.value.problem


def test_grch38_file_against_grch37_build_is_caught(tmp_path):
    # chr1 is 248,956,422 bp in GRCh38 but 249,250,621 bp in GRCh37
    path = write(tmp_path, "f.tsv", ARRIBA_HEADER, arriba_row(b1="1:249000000", g1="X1"))
    with pytest.raises(InputError) as err:
        read_fusions(path, None, Build.GRCh38)
    assert "wrong genome build" in err.value.problem and err.value.line == 2
    assert read_fusions(path, None, Build.GRCh37).fusions


# ------------------------------------------------------------------ Arriba semantics
def test_arriba_flags_and_frame(tmp_path):
    path = write(tmp_path, "fusions.tsv", ARRIBA_HEADER,
                 arriba_row(frame="out-of-frame"),
                 arriba_row(frame="stop-codon", conf="low"),
                 arriba_row(typ="deletion/read-through", frame="."),
                 arriba_row(filters="duplicates(2),blacklist"))
    f = read_fusions(path, None, Build.GRCh38).fusions
    assert f[0].in_frame is False
    assert f[1].in_frame is False and "stop_codon_before_junction" in f[1].flags
    assert "low_confidence" in f[1].flags
    assert f[2].in_frame is None and f[2].frame_source is None and "read_through" in f[2].flags
    assert "known_artefact:blacklist" in f[3].flags and "known_artefact:duplicates" not in f[3].flags


def test_arriba_unpredicted_strand_is_oriented_from_directions(tmp_path):
    # gene1=ALK (minus strand, keeps the low side = its 3' part), gene2=EML4 (plus, keeps low
    # side = its 5' part): EML4 must become the 5' partner.
    path = write(tmp_path, "fusions.tsv", ARRIBA_HEADER,
                 arriba_row(g1="ALK", g2="EML4", s1="-/.", s2="+/.", b1="2:29223528",
                            b2="2:42295516", d1="downstream", d2="downstream"))
    res = read_fusions(path, None, Build.GRCh38)
    f = res.fusions[0]
    assert (f.five_prime_gene, f.three_prime_gene) == ("EML4", "ALK")
    assert f.five_prime_breakpoint.pos == 42295516 and f.three_prime_breakpoint.pos == 29223528
    assert any("oriented 5'->3'" in w for w in res.warnings)


# ------------------------------------------------------------------ STAR-Fusion / FusionCatcher
def test_star_fusion_coding_effect_and_annots(tmp_path):
    header = ("#FusionName\tJunctionReadCount\tSpanningFragCount\test_J\test_S\tSpliceType\t"
              "LeftGene\tLeftBreakpoint\tRightGene\tRightBreakpoint\tLargeAnchorSupport\tFFPM\t"
              "LeftBreakDinuc\tLeftBreakEntropy\tRightBreakDinuc\tRightBreakEntropy\tannots\t"
              "CDS_LEFT_ID\tCDS_LEFT_RANGE\tCDS_RIGHT_ID\tCDS_RIGHT_RANGE\tPROT_FUSION_TYPE")
    row = ("CD74--ROS1\t30\t12\t30\t12\tONLY_REF_SPLICE\tCD74^ENSG00000019582.15\t"
           "chr5:150404680:-\tROS1^ENSG00000047936.10\tchr6:117324415:-\tYES_LDAS\t3.2\tGT\t1.9\t"
           "AG\t1.9\t[\"Mitelman\",\"ChimerKB\",\"INTERCHROMOSOMAL[chr5--chr6]\"]\tENST1\t1-600\t"
           "ENST2\t5000-7000\tINFRAME")
    row2 = row.replace("INFRAME", "FRAMESHIFT").replace("\"Mitelman\"", "\"GTEx_recurrent_StarF2019\"")
    path = write(tmp_path, "star-fusion.fusion_predictions.abridged.coding_effect.tsv", header,
                 row, row2)
    f = read_fusions(path, None, Build.GRCh38).fusions
    assert f[0].in_frame is True and f[0].five_prime_breakpoint.chrom == "5"
    assert not any(x.startswith("known_artefact") for x in f[0].flags)
    assert f[1].in_frame is False and "known_artefact:GTEx_recurrent_StarF2019" in f[1].flags


def test_annot_tags():
    assert annot_tags('["Mitelman","INTRACHROMOSOMAL[chr17:1.23Mb]","NEIGHBORS[2345]"]') == (
        "Mitelman", "INTRACHROMOSOMAL", "NEIGHBORS")
    assert annot_tags(".") == ()


# ------------------------------------------------------------------ generic
GENERIC_HEADER = ("five_prime_gene\tthree_prime_gene\tfive_prime_breakpoint\t"
                  "three_prime_breakpoint\tsupporting_reads\tin_frame\tmolecule\t"
                  "five_prime_exon\tthree_prime_exon")


def test_generic_format_and_gzip(tmp_path):
    text = "\n".join([GENERIC_HEADER,
                      "ETV6\tNTRK3\tchr12:11869969:+\tchr15:87940753:-\t25\tyes\trna\t.\t.",
                      "EML4\tALK\t.\t.\t.\tunknown\tdna\t13\t20"]) + "\n"
    path = tmp_path / "calls.tsv.gz"
    path.write_bytes(gzip.compress(text.encode()))
    assert detect_format(path) == "generic"
    f = read_fusions(path, None, Build.GRCh38).fusions
    assert f[0].three_prime_breakpoint.chrom == "15" and f[0].in_frame is True
    assert f[1].five_prime_breakpoint is None and (f[1].five_prime_exon, f[1].three_prime_exon) == (13, 20)
    assert f[1].in_frame is None and f[1].molecule == "dna" and f[1].supporting_reads is None


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize("row, problem", [
    ("ETV6\tNTRK3\tchr12:abc:+\tchr15:87940753:-\t25\tyes\trna\t.\t.", "not an integer"),
    ("ETV6\tNTRK3\tchr12:0:+\tchr15:87940753:-\t25\tyes\trna\t.\t.", "must be >= 1"),
    ("ETV6\tNTRK3\tchr99:5:+\tchr15:87940753:-\t25\tyes\trna\t.\t.", "not a chromosome"),
    ("ETV6\tNTRK3\tchr12:11869969:+\t15:87940753:-\t25\tyes\trna\t.\t.", "inconsistent"),
    ("ETV6\tNTRK3\tchr12:11869969:+\tchr15:87940753:-\t25\tmaybe\trna\t.\t.", "in_frame"),
    ("ETV6\tNTRK3\tchr12:11869969:+\tchr15:87940753:-\t25\tyes\tprotein\t.\t.", "molecule"),
    ("ETV6\tNTRK3\tchr12:11869969:+\tchr15:87940753:-\t2.5\tyes\trna\t.\t.", "supporting_reads"),
    ("ETV6\tNTRK3\tchr12:11869969:x\tchr15:87940753:-\t25\tyes\trna\t.\t.", "strand"),
])
def test_generic_bad_records_name_file_and_line(tmp_path, row, problem):
    good = "ETV6\tNTRK3\tchr12:11869969:+\tchr15:87940753:-\t25\tyes\trna\t.\t."
    path = write(tmp_path, "calls.tsv", GENERIC_HEADER, good, row)
    with pytest.raises(InputError) as err:
        read_fusions(path, FusionFormat.GENERIC, Build.GRCh38)
    assert err.value.line == 3 and problem in err.value.problem
    assert err.value.path == str(path)


def test_missing_columns_empty_and_unknown_format(tmp_path):
    path = write(tmp_path, "a.tsv", "#gene1\tgene2\tbreakpoint1")
    with pytest.raises(InputError, match="missing required column"):
        read_fusions(path, FusionFormat.ARRIBA, Build.GRCh38)
    empty = tmp_path / "e.tsv"
    empty.write_text("")
    with pytest.raises(InputError, match="empty"):
        read_fusions(empty, None, Build.GRCh38)
    other = write(tmp_path, "o.tsv", "Tumor_Sample_Barcode\tFusion", "S1\tALK-EML4")
    with pytest.raises(InputError) as err:
        read_fusions(other, None, Build.GRCh38)
    assert "arriba" in err.value.problem and "generic" in err.value.problem
    with pytest.raises(InputError, match="fusion_format"):
        read_fusions(other, "defuse", Build.GRCh38)


def test_short_row_raises_with_line(tmp_path):
    path = write(tmp_path, "fusions.tsv", ARRIBA_HEADER, arriba_row(), "EML4\tALK\t+/+")
    with pytest.raises(InputError) as err:
        read_fusions(path, None, Build.GRCh38)
    assert err.value.line == 3


# ------------------------------------------------------------------ BND notation
@pytest.mark.parametrize("alt, expected", [
    ("G[17:198983[", ("17", "198983", "left", "right")),
    ("G]17:198982]", ("17", "198982", "left", "left")),
    ("]13:123456]T", ("13", "123456", "right", "left")),
    ("[13:123457[C", ("13", "123457", "right", "right")),
    ("A", None), (".A", None),
])
def test_bnd_notation(alt, expected):
    assert bnd_junction(alt) == expected


def test_settings_defaults_match_schema(repo_root):
    import json
    schema = json.loads((repo_root / "workflow/schemas/config/fusions.schema.json").read_text())
    defaults = Settings()
    for name, prop in schema["properties"].items():
        value = getattr(defaults, name)
        assert (list(value) if isinstance(value, tuple) else value) == prop["default"], name
        assert prop["description"]
    assert Settings.from_mapping({"merge_tolerance_bp": 3}).merge_tolerance_bp == 3
