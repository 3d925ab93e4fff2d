"""Knowledge tables: schema, MANIFEST checksums, curation linter, matching API."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from kinres.enums import DrugCallValue, MatchLevel, StructuralClass
from kinres.errors import KnowledgeError
from kinres.knowledge import load_knowledge, manifest
from kinres.knowledge.loader import KnowledgeBase
from kinres.models import Fusion
from kinres.paths import KNOWLEDGE_DIR

ALK_DRUGS = {"crizotinib", "ceritinib", "alectinib", "brigatinib", "ensartinib", "lorlatinib"}


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge()


def _rows(name: str) -> list[dict[str, str]]:
    with open(KNOWLEDGE_DIR / f"{name}.tsv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def test_manifest_matches_tables():
    recorded = manifest.read(KNOWLEDGE_DIR)
    actual = manifest.compute(KNOWLEDGE_DIR, recorded.version, recorded.date)
    assert {t.table: t.sha256 for t in recorded.tables} == {t.table: t.sha256 for t in actual.tables}
    assert recorded.sha256 == actual.sha256


def test_stale_manifest_and_bad_row_are_named(tmp_path: Path):
    copy = tmp_path / "k"
    shutil.copytree(KNOWLEDGE_DIR, copy)
    path = copy / "mutations.tsv"
    lines = path.read_text().splitlines(keepends=True)
    i = next(n for n, line in enumerate(lines) if "\tpreclinical\t" in line)  # any row, not a fixed one
    lines[i] = lines[i].replace("\tpreclinical\t", "\tanecdotal\t", 1)
    path.write_text("".join(lines))
    with pytest.raises(KnowledgeError, match="stale MANIFEST.*mutations.tsv"):
        KnowledgeBase(copy)
    recorded = manifest.read(copy)
    manifest.write(copy, manifest.compute(copy, recorded.version, recorded.date))
    with pytest.raises(KnowledgeError, match=rf"mutations.tsv, line {i + 1}: evidence_type"):
        KnowledgeBase(copy)


def test_unknown_drug_is_rejected(tmp_path: Path):
    copy = tmp_path / "k"
    shutil.copytree(KNOWLEDGE_DIR, copy)
    path = copy / "compounds.tsv"
    text = path.read_text().replace("\tlorlatinib\t", "\tlorlatinb\t", 1)
    path.write_text(text)
    recorded = manifest.read(copy)
    manifest.write(copy, manifest.compute(copy, recorded.version, recorded.date))
    with pytest.raises(KnowledgeError, match="compounds.tsv, line 2: drug 'lorlatinb' is not in drugs.tsv"):
        KnowledgeBase(copy)


def test_linter(kb: KnowledgeBase):
    assert kb.lint() == []
    for table in ("mutations", "compounds", "fusions"):
        seen = set()
        for r in _rows(table):
            assert r["evidence_type"] and r["citations"], r["id"]
            assert r["drug"] in kb.drugs, r["drug"]
            key = tuple(r.get(k) for k in ("gene", "hgvs_p", "changes", "indication", "drug"))
            assert key not in seen, key
            seen.add(key)
            if r["confidence"] == "L" and not r["verified_citation"]:
                assert r["call"] == "unknown", r["id"]
    for table, col in (("bypass", "option_drugs"), ("therapies", "drugs")):
        for r in _rows(table):
            for d in filter(None, r[col].split(";")):
                assert d in kb.drugs, (table, d)
    for (gene, pos) in kb.residues:
        start, end = kb.kinase_domain(gene)
        assert start <= pos <= end


def test_digest_coverage(kb: KnowledgeBase):
    alk = {r.hgvs_p for r in kb.mutations if r.gene == "ALK" and r.indication == "fusion"}
    # digest 2.1: 19 rows (multi-allele rows expanded)
    for p in ("p.G1202R", "p.G1202del", "p.D1203N", "p.S1206Y", "p.S1206C", "p.E1210K", "p.L1196M", "p.L1198F",
              "p.V1180L", "p.I1171T", "p.I1171N", "p.I1171S", "p.F1174C", "p.F1174L", "p.F1174V", "p.C1156Y",
              "p.C1156T", "p.L1152R", "p.L1152P", "p.T1151_L1152insT", "p.T1151M", "p.G1269A", "p.G1269S",
              "p.L1256F", "p.G1128A"):
        drugs = {r.evidence.drug for r in kb.mutations if r.gene == "ALK" and r.hgvs_p == p and r.indication == "fusion"}
        assert p in alk and ALK_DRUGS <= drugs, p
    assert len({(c.gene, c.changes) for c in kb.compounds if c.gene == "ALK"}) >= 11
    nb = {r.hgvs_p for r in kb.mutations if r.indication == "neuroblastoma"}
    assert {"p.F1174L", "p.R1275Q", "p.F1245C"} <= nb
    for gene, p in (("ROS1", "p.G2032R"), ("NTRK1", "p.G595R"), ("NTRK3", "p.G696A"), ("NTRK2", "p.G639R")):
        assert kb.match_variant(gene, p).level is MatchLevel.EXACT


def test_split_cells_take_the_conservative_call(kb: KnowledgeBase):
    def call(gene, p, drug):
        return next(r.evidence for r in kb.match_variant(gene, p).rows if r.evidence.drug == drug)
    ev = call("ALK", "p.S1206Y", "crizotinib")  # digest "R/Red"
    assert ev.call is DrugCallValue.RESISTANT and "split" in ev.note
    assert call("ALK", "p.E1210K", "crizotinib").call is DrugCallValue.REDUCED  # "S/Red"
    assert call("NTRK1", "p.G667C", "repotrectinib").call is DrugCallValue.RESISTANT  # "R/Red"
    z = call("NTRK1", "p.G595R", "zurletrectinib")  # "S (PRE)"
    assert z.call is DrugCallValue.SENSITIVE and z.evidence_type.value == "preclinical"
    g1128 = call("ALK", "p.G1128A", "crizotinib")  # unverified L row -> unknown, digest call kept
    assert g1128.call is DrugCallValue.UNKNOWN and g1128.source_call == "R" and not g1128.verified_citation
    # L1256F alectinib: verified against Okada 2019 EBioMedicine (PMC6441848) abstract -> digest "S" applies
    l1256 = call("ALK", "p.L1256F", "alectinib")
    assert l1256.call is DrugCallValue.SENSITIVE and l1256.source_call == "S" and "PMC6441848" in l1256.verified_citation


def test_match_levels(kb: KnowledgeBase):
    assert kb.match_variant("ALK", "p.Gly1202Arg").level is MatchLevel.EXACT
    codon = kb.match_variant("NTRK1", "p.G667V")
    assert codon.level is MatchLevel.CODON and codon.rows and codon.structural_class is StructuralClass.XDFG
    unlisted = kb.match_variant("ALK", "p.G1202K")
    assert unlisted.level is MatchLevel.CODON and unlisted.rows == ()
    assert kb.match_variant("ALK", "p.A1300T").level is MatchLevel.DOMAIN
    assert kb.match_variant("ALK", "p.A50T").level is MatchLevel.GENE
    assert kb.match_variant("KRAS", "p.G12C") is None
    nb = kb.match_variant("ALK", "p.F1174L", indication="neuroblastoma")
    assert nb.indication == "neuroblastoma"
    assert kb.match_variant("ALK", "p.F1174L").indication == "fusion"
    assert kb.structural_class("ALK", 1196) is StructuralClass.GATEKEEPER
    assert kb.structural_class("ALK", 1300) is StructuralClass.OTHER_KINASE_DOMAIN
    assert kb.structural_class("ALK", 100) is None


def test_rows_from_another_context_are_marked(kb: KnowledgeBase):
    nb_own = kb.match_variant("ALK", "p.F1174L", indication="neuroblastoma")
    assert nb_own.indication == "neuroblastoma" and not nb_own.borrowed
    borrowed = kb.match_variant("ALK", "p.I1171N", indication="neuroblastoma")
    assert borrowed.rows and borrowed.borrowed and borrowed.indication == "fusion"
    assert borrowed.requested_indication == "neuroblastoma" and "not transferred" in borrowed.note
    assert not kb.match_variant("ALK", "p.I1171N").borrowed


def test_compound_and_fusion_match(kb: KnowledgeBase):
    m = kb.match_compound("ALK", ["p.L1198F", "p.C1156Y"])
    crizo = next(r.evidence for r in m.rows if r.evidence.drug == "crizotinib")
    assert crizo.call is DrugCallValue.SENSITIVE and crizo.resensitises and crizo.evidence_type.value == "case"
    m2 = kb.match_compound("ALK", ["p.G1202R", "p.L1198F"])
    assert all(r.evidence.call is DrugCallValue.UNKNOWN for r in m2.rows)  # L rows
    assert kb.match_compound("ALK", ["p.G1202R", "p.D1203N"]) is None
    fu = Fusion("EML4", "ALK", "arriba", "rna", kinase_gene="ALK", five_prime_exon=6, three_prime_exon=20)
    fm = kb.match_fusion(fu)
    assert [v.associated_mutation for v in fm.variants] == ["p.G1202R"]
    assert {r.evidence.drug for r in fm.rows} == ALK_DRUGS


def test_hotspots_and_drugs(kb: KnowledgeBase):
    hs = kb.hotspots()
    g1202 = [h for h in hs if h.gene == "ALK" and h.hgvs_p == "p.G1202R"]
    assert g1202 and (g1202[0].aa_pos, g1202[0].ref_aa, g1202[0].alt_aa) == (1202, "G", "R")
    assert any(h.hgvs_p == "p.G667" and h.alt_aa is None for h in hs)
    assert [d.drug for d in kb.drugs_for("ALK")] == ["crizotinib", "ceritinib", "alectinib", "brigatinib",
                                                     "ensartinib", "lorlatinib"]
    assert kb.drug("selitrectinib").investigational
    assert "China" in kb.drug("zurletrectinib").jurisdiction_note
    assert {r.rule_id for r in kb.therapy_rules("NTRK3")} >= {"N1", "N3", "N4", "N9"}


def test_figures_table(kb: KnowledgeBase, tmp_path: Path):
    """figures.tsv: structured clinical figures tied to knowledge rows (issue 9 item 3)."""
    g2032 = kb.figures_for({"ROS1:p.G2032R:repotrectinib"})
    assert [(f.kind, f.value, f.numerator, f.denominator, f.trial) for f in g2032] == \
        [("response_rate", 59.0, 10, 17, "TRIDENT-1")]
    assert g2032[0].text == "response rate 59% (10/17) in ROS1 G2032R, after a prior ROS1 TKI (TRIDENT-1)"
    met = kb.figures_for({"bypass:MET_AMP"}, drivers=["ALK"])
    assert {(f.after_drug, f.value) for f in met} == {("lorlatinib", 22.0), ("a second-generation ALK TKI", 12.0)}
    assert all(f.citations for f in kb.figures)
    # a figure pointing at a row that does not exist is a load error naming table and line
    copy = tmp_path / "k"
    shutil.copytree(KNOWLEDGE_DIR, copy)
    path = copy / "figures.tsv"
    path.write_text(path.read_text().replace("ROS1:p.G2032R:repotrectinib", "ROS1:p.G2032X:repotrectinib", 1))
    recorded = manifest.read(copy)
    manifest.write(copy, manifest.compute(copy, recorded.version, recorded.date))
    with pytest.raises(KnowledgeError, match=r"figures.tsv, line 2: applies_to 'ROS1:p.G2032X:repotrectinib'"):
        KnowledgeBase(copy)


def test_unverified_low_confidence_rows_say_what_was_searched():
    """Issue 9 item 4: an L row stays 'unknown' only with a note of what was searched."""
    for table in ("mutations", "compounds"):
        for r in _rows(table):
            if r["confidence"] == "L" and not r["verified_citation"]:
                assert r["call"] == "unknown" and "L-row check 2026-12-01: searched" in r["note"], r["id"]
