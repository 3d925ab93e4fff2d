"""Pure HGVS/sequence helpers."""

from __future__ import annotations

import pytest

from kinres.annotate import hgvs


def test_codon_table_is_the_standard_code():
    assert len(hgvs.CODON_TABLE) == 64
    assert hgvs.CODON_TABLE["ATG"] == "M"
    assert {c for c, a in hgvs.CODON_TABLE.items() if a == "*"} == {"TAA", "TAG", "TGA"}
    assert hgvs.CODON_TABLE["GGA"] == "G" and hgvs.CODON_TABLE["AGA"] == "R"  # G1202R c.3604G>A
    assert hgvs.CODON_TABLE["GTG"] == "V" and hgvs.CODON_TABLE["GAG"] == "E"  # V600E c.1799T>A
    assert sum(1 for a in hgvs.CODON_TABLE.values() if a == "L") == 6


def test_translate_and_revcomp():
    assert hgvs.translate("ATGGCCTAA") == "MA*"
    assert hgvs.translate("ATGGCCTAAGGG", to_stop=True) == "MA"
    assert hgvs.translate("ATGNNN") == "MX"
    assert hgvs.translate("ATGGC") == "M"
    assert hgvs.revcomp("ACGTn") == "nACGT"
    assert hgvs.revcomp("AAGC") == "GCTT"
    assert hgvs.complement("ACGT") == "TGCA"


def test_amino_acid_codes():
    assert hgvs.aa1("Gly") == "G" and hgvs.aa1("GLY") == "G"
    assert hgvs.aa1("GlyArg") == "GR" and hgvs.aa1("Ter") == "*"
    assert hgvs.aa3("G") == "Gly" and hgvs.aa3("*") == "Ter" and hgvs.aa3("GR") == "GlyArg"
    with pytest.raises(ValueError):
        hgvs.aa1("Glx")
    with pytest.raises(ValueError):
        hgvs.aa3("B")


def test_format_c():
    assert hgvs.format_c("3604", "G", "A") == "c.3604G>A"
    assert hgvs.format_c("3603+5", "G", "A") == "c.3603+5G>A"
    assert hgvs.format_c("100", "AGT", "", end="102") == "c.100_102del"
    assert hgvs.format_c("100", "", "GT", end="101") == "c.100_101insGT"
    assert hgvs.format_c("100", "AG", "TT", end="101") == "c.100_101delinsTT"
    with pytest.raises(ValueError):
        hgvs.format_c("100", "", "GT")


def test_format_p_short_and_long():
    assert hgvs.format_p_short("G", 1202, "R") == "p.G1202R"
    assert hgvs.format_p_short("G", 1202, "G", "synonymous") == "p.G1202="
    assert hgvs.format_p_short("R", 100, "*", "nonsense") == "p.R100*"
    assert hgvs.format_p_short("R", 100, "", "frameshift") == "p.R100fs"
    assert hgvs.format_p_short("E", 746, "", "deletion", 750, "A") == "p.E746_A750del"
    assert hgvs.format_p_short("A", 767, "ASV", "insertion", 768, "S") == "p.A767_S768insASV"
    assert hgvs.format_p_short("L", 747, "P", "delins", 751, "T") == "p.L747_T751delinsP"
    assert hgvs.format_p_short("M", 1, "", "start_lost") == "p.M1?"
    with pytest.raises(ValueError):
        hgvs.format_p_short("G", 1, "R", "weird")
    assert hgvs.format_p_long("p.G1202R") == "p.Gly1202Arg"
    assert hgvs.format_p_long("p.R100fs") == "p.Arg100fs"
    assert hgvs.format_p_long("p.E746_A750del") == "p.Glu746_Ala750del"


def test_parse_p():
    assert hgvs.p_long_to_short("p.(Gly1202Arg)") == "p.G1202R"
    assert hgvs.p_long_to_short("p.Val600Glu") == "p.V600E"
    assert hgvs.parse_p_short("p.G1202R") == ("G", 1202, "R")
    assert hgvs.parse_p_short("p.Gly1202Arg") == ("G", 1202, "R")
    assert hgvs.parse_p_short("p.G1202") == ("G", 1202, None)
    assert hgvs.parse_p_short("p.R100*") == ("R", 100, "*")
    with pytest.raises(ValueError):
        hgvs.parse_p_short("G1202R")
