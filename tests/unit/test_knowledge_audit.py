"""Independent clinical audit of the knowledge tables against the resistance digest.

Every expected value below was transcribed by hand from
/work/shared/knowledge/resistance-digest.md (sections 1, 2.1-2.3, 2.5, 3 and 4), NOT generated
from resources/knowledge/*.tsv. The digest cells are kept verbatim so a reviewer can compare them
with the digest line by line; `expected_call` applies the audit rules:
  - "R/Red" / "S/Red" cells -> the more conservative call (resistant > reduced > sensitive);
  - "S (PRE)" -> sensitive with evidence type preclinical;
  - "U" -> unknown (a missing row is also acceptable: interpretation then calls the drug unknown);
  - digest confidence L -> unknown unless the table row carries a verified citation.
The project's answers are read only through the public API (load_knowledge, match_variant,
match_compound, match_fusion, therapy_rules, bypass_rules, drug).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kinres.annotate.transcripts import Panel
from kinres.enums import (
    Confidence,
    DrugCallValue,
    EvidenceType,
    MatchLevel,
    MechanismClass,
    StructuralClass,
)
from kinres.knowledge import load_knowledge
from kinres.knowledge.loader import KnowledgeBase
from kinres.models import Fusion

S, RED, R, U = (DrugCallValue.SENSITIVE, DrugCallValue.REDUCED, DrugCallValue.RESISTANT,
                DrugCallValue.UNKNOWN)

ALK_DRUGS = ("crizotinib", "ceritinib", "alectinib", "brigatinib", "ensartinib", "lorlatinib")
ROS1_DRUGS = ("crizotinib", "entrectinib", "lorlatinib", "repotrectinib", "taletrectinib")
NTRK_DRUGS = ("larotrectinib", "entrectinib", "repotrectinib", "selitrectinib", "zurletrectinib")

# ---------------------------------------------------------------- digest 2.1 (ALK), verbatim cells
# (changes, cells in ALK_DRUGS order, digest confidence). Multi-allele rows are listed per allele.
# Where the digest gives "H (concept) / M (per-drug)" (L1198F) the per-drug confidence M is used.
ALK_SINGLE = [
    (["p.G1202R"], ["R", "R", "R", "Red", "R", "S"], "H"),
    (["p.G1202del"], ["Red", "Red", "Red", "Red", "U", "S"], "M"),
    (["p.D1203N"], ["Red", "S", "S", "S", "U", "S"], "M"),
    (["p.S1206Y", "p.S1206C"], ["R/Red", "S", "S", "S", "U", "S"], "M"),
    (["p.E1210K"], ["S/Red", "S", "S", "S (R when compound with S1206C or D1203N)", "U", "S"], "M"),
    (["p.L1196M"], ["R", "S", "S (clinical; Ba/F3 IC50 intermediate)", "S", "S", "S"], "H"),
    (["p.L1198F"], ["S (re-sensitised)", "R", "R", "Red", "U", "R"], "M"),
    (["p.V1180L"], ["R", "S", "R", "S", "U", "S"], "H"),
    (["p.I1171T"], ["Red", "S", "R", "S", "U", "S"], "H"),
    (["p.I1171N"], ["R", "Red/S", "R", "Red", "U", "S (reduced potency)"], "M"),
    (["p.I1171S"], ["R", "S", "R", "S", "U", "S"], "M"),
    (["p.F1174C", "p.F1174L", "p.F1174V"], ["R/Red", "R", "S", "S", "S", "S"], "M"),
    (["p.C1156Y", "p.C1156T"], ["R", "Red", "S", "S", "S", "S"], "M"),
    (["p.L1152R", "p.L1152P"], ["R", "R", "S", "S", "U", "S"], "M"),
    (["p.T1151_L1152insT"], ["R", "R", "S/Red", "S", "U", "S"], "M"),
    (["p.T1151M"], ["U", "U", "U", "U", "U", "U"], "L"),
    (["p.G1269A", "p.G1269S"], ["R", "S", "S", "S", "S", "S"], "H"),
    (["p.L1256F"], ["U", "U", "S", "U", "U", "R"], "L"),
    (["p.G1128A"], ["R", "U", "U", "U", "U", "U"], "L"),
]

# ---------------------------------------------------------------- digest 2.2 (ROS1)
ROS1_SINGLE = [
    (["p.G2032R"], ["R", "R", "R (no/low activity)", "S (CLIN 59%)", "S (CLIN 61.5%)"], "H"),
    (["p.D2033N"], ["R", "R", "S/Red", "S", "S (PRE)"], "M"),
    (["p.L2026M"], ["R", "R", "S", "S", "S (PRE)"], "M"),
    (["p.S1986F", "p.S1986Y"], ["R", "R", "S", "S", "U"], "M"),
    (["p.L1951R"], ["R", "U", "S (PRE)", "U", "U"], "L"),
    (["p.L2155S"], ["R", "U", "S (PRE)", "S (PRE)", "U"], "L"),
    (["p.F2004C", "p.F2004V"], ["Red", "R (reported after entrectinib)", "S (PRE)", "S (PRE)", "U"], "L"),
    (["p.L2086F"], ["R", "R", "R", "R (PRE)", "R (PRE)"], "M"),
    (["p.G2101A"], ["R/Red", "U", "U", "U", "U"], "L"),
]

# ---------------------------------------------------------------- digest 2.3 (NTRK1/2/3)
NTRK_SINGLE = [
    ("NTRK1", ["p.G595R"], ["R", "R", "S", "S", "S (PRE)"], "H"),
    ("NTRK1", ["p.F589L"], ["R", "R", "S", "S/Red", "S (PRE)"], "M"),
    ("NTRK1", ["p.G667C"], ["R", "R", "R/Red", "R", "U"], "H"),
    ("NTRK1", ["p.G667S"], ["R", "R", "R/Red", "R", "U"], "M"),
    ("NTRK1", ["p.G667A"], ["R", "R", "R/Red", "R", "U"], "M"),
    ("NTRK1", ["p.V573M"], ["Red/R", "U", "S (PRE)", "S (PRE)", "U"], "L"),
    ("NTRK2", ["p.G639R"], ["R", "R", "S (PRE/INF)", "S (PRE/INF)", "S (PRE/INF)"], "L"),
    ("NTRK2", ["p.F633L"], ["R", "R", "S (INF)", "S/Red (INF)", "U"], "L"),
    ("NTRK2", ["p.G709C", "p.G709S", "p.G709A"], ["R", "R", "R/Red (INF)", "R (INF)", "U"], "L"),
    ("NTRK3", ["p.G623R"], ["R", "R", "S", "S", "S (PRE)"], "H"),
    ("NTRK3", ["p.G623E"], ["R", "R", "S (PRE)", "S (PRE)", "U"], "M"),
    ("NTRK3", ["p.F617L", "p.F617I"], ["R", "R", "S", "S/Red", "S (PRE)"], "M"),
    ("NTRK3", ["p.G696A"], ["R", "R", "R/Red", "R", "U"], "H"),
    ("NTRK3", ["p.G696C", "p.G696S"], ["R", "R", "R/Red", "R", "U"], "M"),
]

# ---------------------------------------------------------------- digest 2.1 ALK compound table
# (changes, lorlatinib cell, {drug: cell} for "earlier-generation drug that regains activity",
#  "NONE" when the digest says none of the approved ALK TKIs regains activity, conf).
ALK_COMPOUNDS = [
    (["p.G1202R", "p.L1196M"], "R", "NONE", "M"),
    (["p.G1202R", "p.F1174C"], "R", "NONE", "M"),
    (["p.G1202R", "p.F1174L"], "R", "NONE", "M"),
    (["p.G1202R", "p.F1174V"], "R", "NONE", "M"),
    (["p.G1202R", "p.L1198F"], "R", {"crizotinib": "S"}, "L"),
    (["p.G1202R", "p.G1269A"], "R", {}, "L"),
    (["p.I1171N", "p.D1203N"], "R", {}, "M"),
    (["p.I1171N", "p.L1198F"], "R", {"crizotinib": "S", "alectinib": "S"}, "L"),
    (["p.I1171N", "p.L1198H"], "R", {"crizotinib": "S", "alectinib": "S"}, "L"),
    (["p.I1171N", "p.L1256F"], "R", {"alectinib": "S"}, "L"),
    (["p.C1156Y", "p.L1198F"], "R", {"crizotinib": "S"}, "H"),
    (["p.L1196M", "p.D1203N"], "R (high IC50)", {}, "M"),
    (["p.C1156Y", "p.G1269A"], "Red (less resistant than the above)", {}, "M"),
    (["p.E1210K", "p.S1206C"], "S (PRE, limited)", {}, "L"),
    (["p.E1210K", "p.D1203N"], "S (PRE, limited)", {}, "L"),
]

# digest 2.2 ROS1 compound row (crizotinib, entrectinib, lorlatinib, repotrectinib, taletrectinib)
ROS1_COMPOUNDS = [
    (["p.G2032R", "p.L2086F"], ["R", "R", "R", "R (PRE)", "U"], "M"),
    (["p.G2032R", "p.S1986F", "p.L2086F"], ["R", "R", "R", "R (PRE)", "U"], "M"),
]

_QUALIFIER_EVIDENCE = {"PRE": EvidenceType.PRECLINICAL, "INF": EvidenceType.INFERRED,
                       "PRE, limited": EvidenceType.PRECLINICAL}
_BASE = {"S": S, "Red": RED, "R": R, "U": U}
_SEVERITY = {S: 0, U: 1, RED: 2, R: 3}


def parse_cell(cell: str) -> tuple[DrugCallValue, EvidenceType | None]:
    """Digest cell -> (call, evidence type when the cell states it). Split cells -> more conservative."""
    m = re.fullmatch(r"([A-Za-z/]+)(?: \((.*)\))?", cell.strip())
    assert m, f"unparsable digest cell {cell!r}"
    calls = [_BASE[p] for p in m.group(1).split("/")]
    call = max(calls, key=lambda c: _SEVERITY[c] if c is not U else -1)
    return call, _QUALIFIER_EVIDENCE.get(m.group(2) or "")


def expected_call(cell: str, confidence: str, verified: bool) -> tuple[DrugCallValue, EvidenceType | None]:
    call, ev = parse_cell(cell)
    if confidence == "L" and not verified:
        return U, ev
    return call, ev


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge()


def _single_cases():
    for changes, cells, conf in ALK_SINGLE:
        for ch in changes:
            yield pytest.param("ALK", ch, dict(zip(ALK_DRUGS, cells)), conf, id=f"ALK:{ch}")
    for changes, cells, conf in ROS1_SINGLE:
        for ch in changes:
            yield pytest.param("ROS1", ch, dict(zip(ROS1_DRUGS, cells)), conf, id=f"ROS1:{ch}")
    for gene, changes, cells, conf in NTRK_SINGLE:
        for ch in changes:
            yield pytest.param(gene, ch, dict(zip(NTRK_DRUGS, cells)), conf, id=f"{gene}:{ch}")


def _check_rows(where: str, rows_by_drug: dict, cells: dict[str, str], conf: str) -> list[str]:
    """Mismatch lines 'where drug: expected X, actual Y' for one digest row."""
    problems = []
    for drug, cell in cells.items():
        rows = rows_by_drug.get(drug, [])
        if len(rows) > 1:
            problems.append(f"{where} {drug}: {len(rows)} rows for one drug")
            continue
        ev = rows[0] if rows else None
        verified = bool(ev and ev.verified_citation)
        exp, exp_type = expected_call(cell, conf, verified)
        if ev is None:
            if exp is not U:
                problems.append(f"{where} {drug}: expected {exp.value} (digest '{cell}', conf {conf}), actual: no row")
            continue
        if ev.call is not exp:
            problems.append(f"{where} {drug}: expected {exp.value} (digest '{cell}', conf {conf}), "
                            f"actual {ev.call.value} [{ev.id}]")
        if exp_type is not None and exp is not U and ev.evidence_type is not exp_type:
            problems.append(f"{where} {drug}: expected evidence {exp_type.value} (digest '{cell}'), "
                            f"actual {ev.evidence_type.value} [{ev.id}]")
        if ev.confidence.value != conf:
            problems.append(f"{where} {drug}: expected confidence {conf}, actual {ev.confidence.value} [{ev.id}]")
        if conf == "L" and not verified and ev.call is not U:
            problems.append(f"{where} {drug}: L row without verified citation must be unknown, actual {ev.call.value}")
    return problems


@pytest.mark.parametrize(("gene", "change", "cells", "conf"), list(_single_cases()))
def test_single_mutation_calls_match_digest(kb, gene, change, cells, conf):
    match = kb.match_variant(gene, change)
    assert match is not None and match.level is MatchLevel.EXACT, f"{gene} {change}: no exact knowledge match ({match})"
    assert match.indication == "fusion"
    by_drug: dict = {}
    for row in match.rows:
        by_drug.setdefault(row.evidence.drug, []).append(row.evidence)
    # cells reconciled against public knowledge bases are checked in test_reconciled_rows instead
    cells = {d: c for d, c in cells.items() if (gene, change, d, "fusion") not in RECONCILED}
    problems = _check_rows(f"{gene} {change}", by_drug, cells, conf)
    assert not problems, "\n".join(problems)


def _compound_rows(kb: KnowledgeBase, gene: str, changes: list[str]) -> dict:
    cm = kb.match_compound(gene, changes)
    by_drug: dict = {}
    for row in cm.rows if cm else ():
        by_drug.setdefault(row.evidence.drug, []).append(row.evidence)
    return by_drug


@pytest.mark.parametrize(("changes", "lorl", "regain", "conf"),
                         [pytest.param(*c, id="+".join(c[0])) for c in ALK_COMPOUNDS])
def test_alk_compound_calls_match_digest(kb, changes, lorl, regain, conf):
    where = f"ALK {'+'.join(changes)}"
    by_drug = _compound_rows(kb, "ALK", changes)
    # match_compound is order-insensitive: the reversed order must find the same rows
    assert _compound_rows(kb, "ALK", list(reversed(changes))).keys() == by_drug.keys()
    problems = _check_rows(where, by_drug, {"lorlatinib": lorl}, conf)
    if isinstance(regain, dict):
        problems += _check_rows(where, by_drug, regain, conf)
        others = set(ALK_DRUGS) - {"lorlatinib"} - set(regain)
    else:
        others = set(ALK_DRUGS) - {"lorlatinib"}
    # drugs the digest does not name as regaining activity must never be sensitive for the compound:
    # a compound row, if present, must not be sensitive; without one, the single-mutation rows are
    # combined conservatively, so at least one of them must be non-sensitive.
    for drug in sorted(others):
        rows = by_drug.get(drug, [])
        if rows:
            bad = [e.id for e in rows if e.call is S]
            if bad:
                problems.append(f"{where} {drug}: expected not sensitive (digest: no regain), actual sensitive {bad}")
            continue
        singles = []
        for ch in changes:
            m = kb.match_variant("ALK", ch)
            singles += [r.evidence.call for r in (m.rows if m else ()) if r.evidence.drug == drug]
        if singles and all(c is S for c in singles) and len(singles) == len(changes):
            problems.append(f"{where} {drug}: expected not sensitive, actual sensitive from every single-mutation row")
    assert not problems, "\n".join(problems)


def test_resensitisation_compound_c1156y_l1198f(kb):
    """Shaw 2016: crizotinib sensitive (case evidence, flagged re-sensitisation), lorlatinib resistant."""
    rows = _compound_rows(kb, "ALK", ["p.L1198F", "p.C1156Y"])
    criz, lorl = rows["crizotinib"][0], rows["lorlatinib"][0]
    assert (criz.call, criz.evidence_type, criz.resensitises) == (S, EvidenceType.CASE, True), criz
    assert lorl.call is R, lorl
    assert not lorl.resensitises
    # the single L1198F row is the only other crizotinib re-sensitisation row in the tables
    single = kb.match_variant("ALK", "p.L1198F")
    assert {r.evidence.drug for r in single.rows if r.evidence.resensitises} == {"crizotinib"}


@pytest.mark.parametrize(("changes", "cells", "conf"),
                         [pytest.param(*c, id="+".join(c[0])) for c in ROS1_COMPOUNDS])
def test_ros1_compound_calls_match_digest(kb, changes, cells, conf):
    by_drug = _compound_rows(kb, "ROS1", changes)
    problems = _check_rows(f"ROS1 {'+'.join(changes)}", by_drug, dict(zip(ROS1_DRUGS, cells)), conf)
    cabo = by_drug.get("cabozantinib", [])
    # digest: cabozantinib active in Ba/F3 (Lin 2021) -> at most sensitive/preclinical, never clinical
    if cabo and cabo[0].call is S and cabo[0].evidence_type is not EvidenceType.PRECLINICAL:
        problems.append(f"ROS1 compound cabozantinib: expected preclinical, actual {cabo[0].evidence_type.value}")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- codon-level rows (digest 2.3 prose)
# "First-generation drugs (larotrectinib, entrectinib) lose activity against all three classes."
NTRK_CLASS_CODONS = [("NTRK1", "G595", "K", StructuralClass.SOLVENT_FRONT),
                     ("NTRK1", "F589", "V", StructuralClass.GATEKEEPER),
                     ("NTRK1", "G667", "V", StructuralClass.XDFG),
                     ("NTRK3", "G623", "K", StructuralClass.SOLVENT_FRONT),
                     ("NTRK3", "F617", "V", StructuralClass.GATEKEEPER),
                     ("NTRK3", "G696", "R", StructuralClass.XDFG)]


@pytest.mark.parametrize(("gene", "codon", "alt", "sclass"), NTRK_CLASS_CODONS)
def test_unlisted_ntrk_class_substitution_is_never_sensitive_to_first_generation(kb, gene, codon, alt, sclass):
    match = kb.match_variant(gene, f"p.{codon}{alt}")
    assert match is not None and match.structural_class is sclass, match
    problems = []
    for drug in ("larotrectinib", "entrectinib"):
        calls = [r.evidence.call for r in match.rows if r.evidence.drug == drug]
        if any(c is S for c in calls):
            problems.append(f"{gene} p.{codon}{alt} {drug}: expected resistant/unknown, actual sensitive")
    # next-generation drugs have no class-level evidence in the digest: no sensitive codon row allowed
    for row in match.rows:
        if row.evidence.drug not in ("larotrectinib", "entrectinib") and row.evidence.call is S:
            problems.append(f"{gene} p.{codon}{alt} {row.evidence.drug}: codon-level row must not be sensitive")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- digest 1: genes and anchor residues
def test_reporting_transcripts_and_lengths(kb):
    """Digest 1: RefSeq + protein length fix the numbering; ENST checked where the digest is H/M."""
    expected = {"ALK": ("ENST00000389048", "NM_004304", 1620), "ROS1": ("ENST00000368508", "NM_002944", 2347),
                "NTRK1": ("ENST00000524377", "NM_002529", 796),
                # digest confidence L ("believed", "unclear"): ENST not asserted, numbering is
                "NTRK2": (None, "NM_006180", 822), "NTRK3": (None, "NM_001012338", 839)}
    problems = []
    for gene, (enst, refseq, length) in expected.items():
        g = kb.genes[gene]
        actual = (g.transcript if enst else None, g.refseq.split(".")[0], g.protein_length)
        if actual != (enst, refseq, length):
            problems.append(f"{gene}: expected {(enst, refseq, length)}, actual {actual}")
        # the panel that annotates variants must number on the same protein
        for build in ("GRCh38", "GRCh37"):
            tx = Panel.load(build).transcript(gene)
            if (tx.refseq.split(".")[0], tx.protein_length) != (refseq, length):
                problems.append(f"{gene} {build} panel: expected {(refseq, length)}, "
                                f"actual {(tx.refseq, tx.protein_length)} on {tx.transcript_id}")
    assert not problems, "\n".join(problems)


ANCHORS = [  # digest section 1 notes + 2.x class columns
    ("ALK", 1202, StructuralClass.SOLVENT_FRONT), ("ALK", 1203, StructuralClass.SOLVENT_FRONT),
    ("ALK", 1206, StructuralClass.SOLVENT_FRONT), ("ALK", 1196, StructuralClass.GATEKEEPER),
    ("ALK", 1269, StructuralClass.XDFG), ("ALK", 1171, StructuralClass.ALPHA_C_HELIX),
    ("ALK", 1174, StructuralClass.ALPHA_C_HELIX),
    ("ROS1", 2032, StructuralClass.SOLVENT_FRONT), ("ROS1", 2033, StructuralClass.SOLVENT_FRONT),
    ("ROS1", 2026, StructuralClass.GATEKEEPER), ("ROS1", 2101, StructuralClass.XDFG),
    ("ROS1", 1986, StructuralClass.ALPHA_C_HELIX),
    ("NTRK1", 595, StructuralClass.SOLVENT_FRONT), ("NTRK1", 589, StructuralClass.GATEKEEPER),
    ("NTRK1", 667, StructuralClass.XDFG),
    ("NTRK2", 639, StructuralClass.SOLVENT_FRONT), ("NTRK2", 633, StructuralClass.GATEKEEPER),
    ("NTRK2", 709, StructuralClass.XDFG),
    ("NTRK3", 623, StructuralClass.SOLVENT_FRONT), ("NTRK3", 617, StructuralClass.GATEKEEPER),
    ("NTRK3", 696, StructuralClass.XDFG),
]


def test_anchor_residue_classes(kb):
    problems = [f"{g} {pos}: expected {c.value}, actual {kb.structural_class(g, pos)}"
                for g, pos, c in ANCHORS if kb.structural_class(g, pos) is not c]
    # every anchor lies inside the kinase domain used for matching
    for g, pos, _ in ANCHORS:
        start, end = kb.kinase_domain(g)
        if not start <= pos <= end:
            problems.append(f"{g} {pos}: outside kinase domain {start}-{end}")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- digest 2.5 neuroblastoma
NB_HOTSPOTS = ["p.R1275Q", "p.F1174L", "p.F1174I", "p.F1174C", "p.F1174S", "p.F1174V",
               "p.F1245C", "p.F1245L", "p.F1245V", "p.F1245Y", "p.R1275L"]


@pytest.mark.parametrize("change", NB_HOTSPOTS)
def test_neuroblastoma_hotspots(kb, change):
    m = kb.match_variant("ALK", change, indication="neuroblastoma")
    assert m is not None and m.level is MatchLevel.EXACT and m.indication == "neuroblastoma", m
    problems = []
    lorl = [r.evidence for r in m.rows if r.evidence.drug == "lorlatinib"]
    expected_type = (EvidenceType.CLINICAL if ("ALK", change, "lorlatinib", "neuroblastoma") in RECONCILED
                     else EvidenceType.PRECLINICAL)
    if not lorl or lorl[0].call is not S or lorl[0].evidence_type is not expected_type:
        problems.append(f"ALK {change} (neuroblastoma) lorlatinib: expected sensitive/{expected_type.value}, actual "
                        f"{[(e.call.value, e.evidence_type.value) for e in lorl]}")
    for r in m.rows:
        # a different indication: NSCLC approvals must not transfer
        if r.evidence.level == "CLIN-approved":
            problems.append(f"ALK {change} (neuroblastoma) {r.evidence.drug}: NSCLC approval level transferred")
    if change == "p.F1174L":
        criz = [r.evidence.call for r in m.rows if r.evidence.drug == "crizotinib"]
        if criz and criz[0] is S:
            problems.append("ALK p.F1174L (neuroblastoma) crizotinib: digest says intrinsically less sensitive")
    assert not problems, "\n".join(problems)
    nb = [t for t in kb.therapy_rules("ALK") if "indication:neuroblastoma" in t.trigger]
    assert nb and all(t.investigational for t in nb) and "lorlatinib" in nb[0].drugs


# ---------------------------------------------------------------- fusion baselines (digest 1, 4)
def test_fusion_baselines(kb):
    problems = []
    cases = [("EML4", 13, "ALK", 20, ALK_DRUGS, "nsclc"),
             ("CD74", 6, "ROS1", 34, ("crizotinib", "entrectinib", "repotrectinib", "taletrectinib"), "nsclc"),
             ("TPM3", 7, "NTRK1", 10, ("larotrectinib", "entrectinib", "repotrectinib"), "tumour_agnostic"),
             ("ETV6", 5, "NTRK3", 15, ("larotrectinib", "entrectinib", "repotrectinib"), "tumour_agnostic")]
    for five, e5, three, e3, drugs, indication in cases:
        fm = kb.match_fusion(Fusion(five_prime_gene=five, three_prime_gene=three, caller="audit", molecule="rna",
                                    five_prime_exon=e5, three_prime_exon=e3, kinase_gene=three))
        rows = {r.evidence.drug: r for r in fm.rows if r.indication in ("nsclc", "tumour_agnostic")}
        for d in drugs:
            r = rows.get(d)
            if r is None or r.evidence.call is not S or r.evidence.level != "CLIN-approved" or r.indication != indication:
                problems.append(f"{five}-{three} {d}: expected sensitive CLIN-approved ({indication}), actual "
                                f"{None if r is None else (r.evidence.call.value, r.evidence.level, r.indication)}")
        for d, r in rows.items():
            if kb.drug(d).investigational and r.evidence.level == "CLIN-approved":
                problems.append(f"{five}-{three} {d}: investigational drug at CLIN-approved level")
    v3 = kb.match_fusion(Fusion(five_prime_gene="EML4", three_prime_gene="ALK", caller="audit", molecule="rna",
                                five_prime_exon=6,
                                three_prime_exon=20, kinase_gene="ALK"))
    if not any(v.associated_mutation == "p.G1202R" for v in v3.variants):
        problems.append("EML4 exon 6 :: ALK exon 20 (v3): expected association with G1202R")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- digest 3: bypass
BYPASS_CONF = {  # (gene, pattern prefix) -> digest confidence
    ("MET", "amplification"): "H", ("MET", "exon14_skipping"): "L", ("EGFR", "hotspots"): "M",
    ("KRAS", "codons"): "M", ("NRAS", "codons"): "M", ("BRAF", "hotspots"): "M", ("MAP2K1", "codons"): "M",
    ("PIK3CA", "codons"): "M", ("NF2", "loss"): "M", ("NF1", "loss"): "L", ("ERBB2", "amplification"): "L",
    ("KIT", "amplification"): "L", ("KRAS", "hotspots"): "M",
}


def test_bypass_rules(kb):
    rules = kb.bypass_rules()
    problems = []
    for rule in rules:
        # an off-target mechanism never makes a single-agent driver TKI look sensitive
        if rule.tki_call is S:
            problems.append(f"bypass {rule.id}: tki_call sensitive")
        if rule.mechanism_class is MechanismClass.OFF_TARGET and not rule.investigational:
            problems.append(f"bypass {rule.id}: combination must be flagged investigational (digest 3 rule)")
        for (gene, pat), conf in BYPASS_CONF.items():
            if rule.genes == (gene,) and rule.pattern.startswith(pat) and rule.confidence.value != conf:
                problems.append(f"bypass {rule.id}: expected confidence {conf}, actual {rule.confidence.value}")
    by = {(r.genes, r.pattern.split(":")[0]): r for r in rules}
    met = by.get((("MET",), "amplification"))
    if met is None or not {"capmatinib", "tepotinib", "savolitinib", "crizotinib"} <= set(met.option_drugs):
        problems.append("MET amplification: expected ALK TKI + MET inhibitor (crizotinib/capmatinib/tepotinib/savolitinib)")
    for gene in ("KRAS", "NRAS"):
        r = by.get(((gene,), "codons"))
        if r is None or "trametinib" not in r.option_drugs:
            problems.append(f"{gene}: expected MEK inhibitor (trametinib) option")
    braf = by.get((("BRAF",), "hotspots"))
    if braf is None or not {"dabrafenib", "trametinib"} <= set(braf.option_drugs) or "p.V600E" not in braf.pattern:
        problems.append("BRAF V600E: expected dabrafenib + trametinib")
    sclc = [r for r in rules if r.mechanism_class is MechanismClass.PHENOTYPIC and set(r.genes) == {"TP53", "RB1"}]
    if not sclc or "histolog" not in sclc[0].option.lower() or "etoposide" not in sclc[0].option.lower():
        problems.append("SCLC transformation: expected TP53+RB1 flag with re-biopsy for histology and platinum-etoposide")
    if any(r.confidence is Confidence.LOW and r.tki_call not in (U, RED) for r in rules):
        problems.append("L-confidence bypass rule with a definite call")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- digest 4: therapy rules
def _rule(kb, rule_id):
    rules = {r.rule_id: r for r in kb.therapy_rules()}
    assert rule_id in rules, f"therapy rule {rule_id} missing"
    return rules[rule_id]


THERAPY_DRUGS = [  # (rule, trigger token that must be present, drugs required, drugs forbidden)
    ("A1", "naive", {"lorlatinib", "alectinib", "brigatinib"}, set()),
    ("A2", "after:crizotinib", {"alectinib", "brigatinib", "ceritinib", "ensartinib", "lorlatinib"}, {"crizotinib"}),
    ("A3", "after:", {"lorlatinib"}, {"crizotinib", "alectinib"}),
    ("A4", "mutation:", {"lorlatinib"}, {"brigatinib", "alectinib", "crizotinib", "ceritinib", "ensartinib"}),
    ("A5", "mutation:p.L1196M", {"alectinib", "brigatinib", "ceritinib", "lorlatinib"}, {"crizotinib"}),
    ("A6", "mutation:", {"ceritinib", "brigatinib", "lorlatinib"}, {"alectinib", "crizotinib"}),
    ("A7", "compound_with:p.L1198F", {"crizotinib"}, set()),
    ("A9", "cns", {"lorlatinib", "alectinib"}, {"crizotinib", "ceritinib"}),
    ("R2", "mutation:p.G2032R", {"repotrectinib", "taletrectinib"}, {"lorlatinib", "crizotinib", "entrectinib"}),
    ("R3", "mutation:p.L2086F", {"cabozantinib"}, {"lorlatinib", "repotrectinib", "taletrectinib"}),
    ("R4", "after:crizotinib", {"lorlatinib", "repotrectinib", "taletrectinib"}, {"crizotinib"}),
    ("N1", "naive", {"larotrectinib", "entrectinib"}, {"selitrectinib"}),
    ("N3", "class:", {"repotrectinib", "zurletrectinib"}, {"larotrectinib", "entrectinib"}),
    ("N4", "class:xdfg", set(), {"repotrectinib", "selitrectinib", "zurletrectinib", "larotrectinib", "entrectinib"}),
    # 2026.2.1: KRAS G12C bypass (FDA Lumakras / Krazati labels, checked 2026-12-01)
    ("A17", "bypass:KRAS_G12C", {"sotorasib", "adagrasib"}, {"lorlatinib"}),
    ("A18", "bypass:KRAS_G12C", {"sotorasib", "adagrasib"}, {"lorlatinib", "trametinib"}),
    ("R10", "bypass:KRAS_G12C", {"sotorasib", "adagrasib"}, {"lorlatinib"}),
    ("R11", "bypass:KRAS_G12C", {"sotorasib", "adagrasib"}, {"lorlatinib", "trametinib"}),
    ("N11", "bypass:KRAS_G12C", {"sotorasib", "adagrasib"}, {"larotrectinib"}),
    ("N12", "bypass:KRAS_G12C", {"sotorasib", "adagrasib"}, {"larotrectinib", "trametinib"}),
]


@pytest.mark.parametrize(("rule_id", "trigger", "required", "forbidden"), THERAPY_DRUGS)
def test_therapy_rule_drugs(kb, rule_id, trigger, required, forbidden):
    rule = _rule(kb, rule_id)
    problems = []
    if not any(t.startswith(trigger) for t in rule.trigger):
        problems.append(f"{rule_id}: expected trigger {trigger!r}, actual {rule.trigger}")
    if not required <= set(rule.drugs):
        problems.append(f"{rule_id}: missing drugs {sorted(required - set(rule.drugs))}")
    if forbidden & set(rule.drugs):
        problems.append(f"{rule_id}: must not propose {sorted(forbidden & set(rule.drugs))}")
    assert not problems, "\n".join(problems)


def test_therapy_rule_semantics(kb):
    problems = []
    a4 = _rule(kb, "A4")
    if not {"mutation:p.G1202R,p.G1202del"} & set(a4.trigger) and not all(
            c in ",".join(a4.trigger) for c in ("p.G1202R", "p.G1202del")):
        problems.append(f"A4: expected G1202R and G1202del triggers, actual {a4.trigger}")
    a6 = ",".join(_rule(kb, "A6").trigger)
    for c in ("p.I1171T", "p.I1171N", "p.I1171S", "p.V1180L"):
        if c not in a6:
            problems.append(f"A6: trigger lacks {c}")
    for rid in ("A8", "A11", "A14", "N4", "N5", "N6"):
        if not _rule(kb, rid).investigational:
            problems.append(f"{rid}: digest says investigational/trial, actual not investigational")
    n3 = _rule(kb, "N3")
    if not {"solvent_front", "gatekeeper"} <= set(",".join(n3.trigger).replace("class:", "").split(",")):
        problems.append(f"N3: expected solvent_front and gatekeeper classes, actual {n3.trigger}")
    n9 = _rule(kb, "N9")
    if "progression" not in n9.trigger or "biops" not in n9.option.lower():
        problems.append("N9: re-biopsy at every progression")
    a12 = _rule(kb, "A12")
    if "etoposide" not in a12.option.lower():
        problems.append("A12: expected platinum-etoposide")
    # drug status facts from digest 2.3 / 4
    if not kb.drug("selitrectinib").investigational:
        problems.append("selitrectinib: investigational, not approved")
    if not kb.drug("neladalkib").investigational:
        problems.append("neladalkib (NVL-655): investigational")
    tal = kb.drug("taletrectinib")
    if "ALK" in tal.targets or "ALK" in tal.core_for:
        problems.append("taletrectinib (AB-106) is a ROS1/NTRK inhibitor, not an ALK TKI")
    for r in kb.therapy_rules("ALK"):
        if "taletrectinib" in r.drugs:
            problems.append(f"{r.rule_id}: taletrectinib proposed for ALK")
    zur = kb.drug("zurletrectinib")
    if "china" not in (zur.approvals + zur.jurisdiction_note).lower():
        problems.append("zurletrectinib: approval is China NMPA only")
    rep = kb.drug("repotrectinib")
    if "accelerated" not in (rep.approvals + rep.jurisdiction_note).lower() or "12" not in rep.approvals:
        problems.append("repotrectinib: NTRK approval is accelerated, age >= 12")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- digest 4: flagged seed figures
# Seed statements the digest says must not be copied into reports. Patterns are literal strings
# (or regexes for the trial attributions) searched in every text file of resources/ and src/.
FLAGGED = [
    ("63%", re.compile(r"(?<![\d.])63 ?%")),       # S3 CROWN 5-year PFS (the published value is 60%)
    # S3 CROWN intracranial CR 58%. TRIDENT-1's NTRK ORR of 58% (TKI-naive) is a real figure the
    # digest keeps, so 58% is flagged only next to CROWN / intracranial / complete-response wording.
    ("58%", re.compile(r"(CROWN|intracranial|\bCR\b|complete response)[^\n]{0,60}(?<![\d.])58 ?%|"
                       r"(?<![\d.])58 ?%[^\n]{0,60}(CROWN|intracranial|\bCR\b|complete response)", re.IGNORECASE)),
    ("AB-106 as ALK TKI", re.compile(r"AB-106")),
    ("1-5% NTRK frequency", re.compile(r"(?<![\d.])1\s*[–-]\s*5\s*%")),
    ("15.2 months", re.compile(r"(?<![\d.])15\.2(?!\d)")),
    ("19.4 months", re.compile(r"(?<![\d.])19\.4(?!\d)")),
    ("ALTA-1L after crizotinib", re.compile(r"ALTA-1L[^\n]{0,80}(after|post)[- ]crizotinib|"
                                            r"(after|post)[- ]crizotinib[^\n]{0,80}ALTA-1L", re.IGNORECASE)),
]
# The only sanctioned context for a flagged string: text (same line or the adjacent line of the
# same sentence) that itself says it is the seed's wrong figure, e.g. "not S3's 63%", "is from
# ALTA, not ALTA-1L", "not an ALK inhibitor", "flagged seed figures ... are not used".
_NEGATION = re.compile(r"not (S3's|S2's|ALTA-1L|an ALK|a fourth-generation)|flagged|must not|are not used|"
                       r"is from ALTA\b", re.IGNORECASE)
_REPO = Path(__file__).resolve().parents[2]


def _scan_text_files():
    for top in ("resources", "src"):
        for path in sorted((_REPO / top).rglob("*")):
            if path.is_file() and path.suffix in {".tsv", ".md", ".py", ".json", ".txt", ".html", ".j2", ".yaml", ".css"}:
                yield path


def flagged_hits(text: str) -> list[tuple[str, str]]:
    """(label, line) for every flagged seed figure not explicitly marked as the seed's error."""
    hits = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        window = " ".join(lines[max(0, i - 1):i + 2])
        for label, pat in FLAGGED:
            if pat.search(line) and not _NEGATION.search(window):
                hits.append((label, line.strip()[:160]))
    return hits


def test_flagged_seed_figures_absent_from_project():
    # this test file is under tests/, so its own patterns and samples are not scanned
    problems = []
    for path in _scan_text_files():
        if path.name.startswith("MANIFEST"):
            continue
        for label, line in flagged_hits(path.read_text(encoding="utf-8", errors="replace")):
            problems.append(f"{path.relative_to(_REPO)}: {label}: {line}")
    assert not problems, "flagged seed figures found:\n" + "\n".join(problems)


def test_flagged_figure_scanner_can_fail():
    """The scanner itself must catch each flagged figure (guards against a test that cannot fail)."""
    samples = {"CROWN 5-year PFS 63%": "63%", "intracranial CR 58%": "58%",
               "AB-106 is a fourth-gen ALK TKI": "AB-106 as ALK TKI", "NTRK in 1–5% of lung cancers": "1-5% NTRK frequency",
               "alectinib after crizotinib mPFS 15.2 months": "15.2 months",
               "lorlatinib subgroup 19.4 months": "19.4 months",
               "brigatinib after crizotinib in ALTA-1L": "ALTA-1L after crizotinib"}
    for text, label in samples.items():
        assert [h[0] for h in flagged_hits(text)] == [label], text
    assert flagged_hits("CROWN 5-year PFS 60% (JCO 2024); not S3's 63%") == []
    assert flagged_hits("ORR 57-63.5%; NTRK ORR 58% TKI-naive (TRIDENT-1)") == []
    assert [h[0] for h in flagged_hits("CROWN intracranial CR 58%")] == ["58%"]


def test_transcription_covers_every_digest_row():
    """Digest 2.4: 54 mutation rows (ALK 19 single + 11 compound, ROS1 10 incl. 1 compound, NTRK 14).

    Compound alternatives that the digest writes in one row (F1174C/L/V, L1198F/H, S1206C/D1203N
    with E1210K) are listed separately above, so they are folded back here before counting.
    """
    same_row = {("p.G1202R", "p.F1174L"): ("p.G1202R", "p.F1174C"), ("p.G1202R", "p.F1174V"): ("p.G1202R", "p.F1174C"),
                ("p.I1171N", "p.L1198H"): ("p.I1171N", "p.L1198F"), ("p.E1210K", "p.D1203N"): ("p.E1210K", "p.S1206C")}
    alk_compound_rows = {same_row.get(tuple(c), tuple(c)) for c, *_ in ALK_COMPOUNDS}
    ros1_compound_rows = 1  # G2032R + L2086F; G2032R + S1986F + L2086F share one digest row
    counts = {"ALK single": len(ALK_SINGLE), "ALK compound": len(alk_compound_rows),
              "ROS1": len(ROS1_SINGLE) + ros1_compound_rows,
              "NTRK1": sum(g == "NTRK1" for g, *_ in NTRK_SINGLE), "NTRK2": sum(g == "NTRK2" for g, *_ in NTRK_SINGLE),
              "NTRK3": sum(g == "NTRK3" for g, *_ in NTRK_SINGLE)}
    assert counts == {"ALK single": 19, "ALK compound": 11, "ROS1": 10, "NTRK1": 6, "NTRK2": 3, "NTRK3": 5}
    assert sum(counts.values()) == 54


def test_undetermined_fusion_variant_gets_no_variant_specific_match():
    """An exon pair guessed from an intronic breakpoint must not pull in v-specific evidence."""
    from kinres.knowledge import load_knowledge
    from kinres.models import Fusion

    kb = load_knowledge()
    exact = Fusion("EML4", "ALK", caller="arriba", molecule="rna", kinase_gene="ALK",
                   five_prime_exon=6, three_prime_exon=20, variant_label="v3a/b")
    assert [v.id for v in kb.match_fusion(exact).variants] == ["EML4-ALK:v3"]
    guessed = Fusion("EML4", "ALK", caller="fusioncatcher", molecule="rna", kinase_gene="ALK",
                     five_prime_exon=14, three_prime_exon=20, variant_label="variant undetermined")
    m = kb.match_fusion(guessed)
    assert m.variants == () and m.rows  # driver-level rows stay; no v7-specific link


# ---------------------------------------------------------------- knowledge 2026.2.0 reconciliation
# Transcribed by hand from the public sources (NOT from resources/knowledge), checked 2026-12-01:
#   OncoKB news pages in oncokb/oncokb-public (NewsPageContent.tsx entries 05052022, 06042024,
#   09252024, 10242024; markdown/NewsContent052026.md), the CGI biomarkers table
#   cgi_biomarkers_per_variant.tsv, and the primary abstracts named in the CHANGELOG.
# (gene, change, drug, indication) -> (call, evidence type, level, confidence, PMID that must be cited)
RECONCILED = {
    ("ALK", "p.T1151M", "crizotinib", "fusion"): (R, EvidenceType.CLINICAL, "CLIN-cohort", "L", "PMID:27009859"),  # OncoKB R2 2026
    ("ALK", "p.I1171T", "crizotinib", "fusion"): (R, EvidenceType.CLINICAL, "CLIN-cohort", "H", "PMID:25228534"),  # OncoKB R2 2026; CGI
    ("ALK", "p.G1202R", "brigatinib", "fusion"): (R, EvidenceType.CLINICAL, "CLIN-cohort", "H", "PMID:27432227"),  # OncoKB R2 2024
    ("ALK", "p.L1196Q", "alectinib", "fusion"): (R, EvidenceType.CLINICAL, "CLIN-cohort", "M", "PMID:27009859"),  # OncoKB R2 2026
    ("ALK", "p.G1123S", "ceritinib", "fusion"): (R, EvidenceType.CASE, "CASE", "L", "PMID:26134233"),  # CGI case report
    ("ALK", "p.G1202R", "neladalkib", "fusion"): (S, EvidenceType.CLINICAL, "CLIN-cohort", "M", "PMID:39269178"),  # OncoKB 3A 2024
    ("ALK", "p.F1174L", "lorlatinib", "neuroblastoma"): (S, EvidenceType.CLINICAL, "CLIN-cohort", "M", "PMID:37012551"),
    ("ALK", "p.F1174C", "lorlatinib", "neuroblastoma"): (S, EvidenceType.CLINICAL, "CLIN-cohort", "M", "PMID:37012551"),
    ("ALK", "p.F1245V", "lorlatinib", "neuroblastoma"): (S, EvidenceType.CLINICAL, "CLIN-cohort", "M", "PMID:37012551"),
    ("ALK", "p.F1245Y", "lorlatinib", "neuroblastoma"): (S, EvidenceType.CLINICAL, "CLIN-cohort", "M", "PMID:37012551"),
    ("ALK", "p.R1275Q", "lorlatinib", "neuroblastoma"): (S, EvidenceType.CLINICAL, "CLIN-cohort", "M", "PMID:37012551"),
    ("ALK", "p.R1275L", "lorlatinib", "neuroblastoma"): (S, EvidenceType.CLINICAL, "CLIN-cohort", "M", "PMID:37012551"),
    ("ROS1", "p.G2032R", "cabozantinib", "fusion"): (S, EvidenceType.PRECLINICAL, "PRE", "L", "PMID:25351743"),  # CGI pre-clinical
    ("ROS1", "p.S1986F", "ceritinib", "fusion"): (R, EvidenceType.CASE, "CASE", "L", "PMID:27401242"),  # CGI case report
    ("ROS1", "p.S1986Y", "ceritinib", "fusion"): (R, EvidenceType.CASE, "CASE", "L", "PMID:27401242"),
    # npj Precis Oncol 2024 (type II ROS1 TKI resistance); no PMID in the stored copy
    ("ROS1", "p.F2004C", "cabozantinib", "fusion"): (R, EvidenceType.PRECLINICAL, "PRE", "L", "npj Precis Oncol 2024 s41698-024-00663-1"),
    # 2026.2.1: OncoKB R2 (news 2024-06-04 for G1202R, May 2026 for I1171S) maps to CLIN-cohort, as for
    # G1202R/brigatinib; Gainor 2016 (PMID 27432227) found them in biopsies at progression on the drug
    ("ALK", "p.G1202R", "crizotinib", "fusion"): (R, EvidenceType.CLINICAL, "CLIN-cohort", "H", "PMID:27432227"),
    ("ALK", "p.G1202R", "ceritinib", "fusion"): (R, EvidenceType.CLINICAL, "CLIN-cohort", "H", "PMID:27432227"),
    ("ALK", "p.G1202R", "alectinib", "fusion"): (R, EvidenceType.CLINICAL, "CLIN-cohort", "H", "PMID:27432227"),
    ("ALK", "p.I1171S", "alectinib", "fusion"): (R, EvidenceType.CLINICAL, "CLIN-cohort", "M", "PMID:27432227"),
}
# digest cells that the public sources confirm (kept, with a note naming the source)
CONFIRMED = [("ALK", "p.I1171T", "alectinib"), ("ALK", "p.I1171S", "alectinib"), ("ALK", "p.V1180L", "alectinib"),
             ("ALK", "p.G1202R", "crizotinib"), ("ALK", "p.G1202R", "ceritinib"), ("ALK", "p.G1202R", "alectinib")]


@pytest.mark.parametrize("key", list(RECONCILED), ids=lambda k: ":".join(k))
def test_reconciled_rows(kb, key):
    gene, change, drug, indication = key
    call, ev_type, level, conf, pmid = RECONCILED[key]
    m = kb.match_variant(gene, change, indication=indication)
    assert m is not None and m.level is MatchLevel.EXACT and m.indication == indication, m
    rows = [r.evidence for r in m.rows if r.evidence.drug == drug]
    assert len(rows) == 1, f"{key}: {len(rows)} rows"
    ev = rows[0]
    assert (ev.call, ev.evidence_type, ev.level, ev.confidence.value) == (call, ev_type, level, conf), ev
    assert pmid in ev.citations, ev.citations
    if conf == "L":  # a low-confidence row may carry a call only with a verified public citation
        assert ev.verified_citation and "2026-12-01" in ev.verified_citation
    assert "2026-12-01" in ev.note and any(s in ev.note for s in ("OncoKB", "CGI")), ev.note


@pytest.mark.parametrize("key", CONFIRMED, ids=lambda k: ":".join(k))
def test_confirmed_rows_name_the_source(kb, key):
    gene, change, drug = key
    ev = next(r.evidence for r in kb.match_variant(gene, change).rows if r.evidence.drug == drug)
    assert ev.call is R and "OncoKB" in ev.note and "2026-12-01" in ev.note


def test_tumour_specific_alk_fusion_rows(kb):
    """FDA: crizotinib for ALK+ IMT (2022) and ALK+ ALCL (2021); NCCN: ceritinib/brigatinib for IMT
    (MOA assertions 826, 953, 16; OncoKB 2022-06-06), checked 2026-12-01."""
    fm = kb.match_fusion(Fusion(five_prime_gene="TPM3", three_prime_gene="ALK", caller="audit", molecule="rna",
                                five_prime_exon=7, three_prime_exon=20, kinase_gene="ALK"))
    by = {(r.indication, r.evidence.drug): r.evidence for r in fm.rows}
    assert by[("imt", "crizotinib")].level == "CLIN-approved" and by[("alcl", "crizotinib")].level == "CLIN-approved"
    assert by[("imt", "ceritinib")].level == by[("imt", "brigatinib")].level == "CLIN-cohort"
    assert all(e.call is S for (ind, _), e in by.items() if ind in ("imt", "alcl"))


def test_ceritinib_is_a_ros1_drug(kb):
    """OncoKB level 2 (2022, NCCN listing): ceritinib for ROS1-fusion NSCLC, not FDA-approved for ROS1."""
    assert "ROS1" in kb.drug("ceritinib").targets and "ROS1" in kb.drug("ceritinib").core_for
    fm = kb.match_fusion(Fusion(five_prime_gene="CD74", three_prime_gene="ROS1", caller="audit", molecule="rna",
                                five_prime_exon=6, three_prime_exon=34, kinase_gene="ROS1"))
    row = next(r for r in fm.rows if r.evidence.drug == "ceritinib")
    assert (row.evidence.call, row.evidence.level) == (S, "CLIN-cohort") and "PMID:28520527" in row.evidence.citations
    assert "not FDA" in kb.drug("ceritinib").approvals


def test_knowledge_version_bumped_with_changelog(kb):
    changelog = (Path(__file__).resolve().parents[2] / "resources" / "knowledge" / "CHANGELOG.md").read_text()
    assert f"## {kb.version}" in changelog and "## 2026.2.0" in changelog
    for gene, change, drug, _ in RECONCILED:
        assert f"{gene} {change}" in changelog and drug in changelog, (gene, change, drug)


# ---------------------------------------------------------------- knowledge 2026.2.1: KRAS G12C bypass
# Transcribed from the FDA labels (Lumakras: accelerated approval 28 May 2021; Krazati: 12 Dec 2022;
# both "KRAS G12C-mutated locally advanced or metastatic NSCLC ... who have received at least one
# prior systemic therapy"), CodeBreaK 200 (NCT04303780: other actionable drivers excluded) and
# Lin 2021 Clin Cancer Res (KRAS G12C after lorlatinib in ROS1+ NSCLC); checked 2026-12-01.
G12C_LABEL = "at least one prior systemic therapy"


def test_kras_g12c_bypass_rule(kb):
    rules = list(kb.bypass_rules())
    ids = [r.id for r in rules]
    g12c = rules[ids.index("KRAS_G12C")]
    # first matching rule wins: the G12C rule must precede the generic KRAS codon rule
    assert ids.index("KRAS_G12C") < ids.index("KRAS_MUT")
    assert g12c.genes == ("KRAS",) and g12c.pattern == "hotspots:p.G12C"
    assert g12c.tki_call is RED and g12c.investigational and g12c.confidence is Confidence.MEDIUM
    assert {"sotorasib", "adagrasib", "trametinib"} <= set(g12c.option_drugs)
    assert "investigational" in g12c.option.lower()
    assert "Lin 2021 Clin Cancer Res 27:2899" in g12c.citations
    # bypass citations reach every driver-TKI call the bypass lowers: no G12C inhibitor label there
    assert not any("sotorasib" in c or "adagrasib" in c for c in g12c.citations)
    # G12C inhibitors act on G12C only: never proposed for the other KRAS changes
    generic = rules[ids.index("KRAS_MUT")]
    assert not {"sotorasib", "adagrasib"} & set(generic.option_drugs) and "G12C inhibitor comb" not in generic.option


@pytest.mark.parametrize("rule_id", ["A17", "R10", "N11"])
def test_kras_g12c_combination_rules_are_investigational(kb, rule_id):
    r = _rule(kb, rule_id)
    # only after kinase-TKI therapy (a baseline G12C with a fusion is another question)
    assert r.trigger == ("bypass:KRAS_G12C", "min_prior_tkis:1") and r.kind == "combination"
    assert r.investigational and "INVESTIGATIONAL" in r.option and "clinical trial" in r.option
    assert (r.evidence_level, r.confidence.value) == ("INF", "M")
    assert {"FDA label: sotorasib (Lumakras)", "FDA label: adagrasib (Krazati)"} <= set(r.citations)


@pytest.mark.parametrize("rule_id", ["A18", "R11", "N12"])
def test_kras_g12c_single_agent_rules_state_the_label_and_its_limit(kb, rule_id):
    r = _rule(kb, rule_id)
    assert r.trigger[:2] == ("bypass:KRAS_G12C", "min_prior_tkis:1") and not r.investigational
    assert f"FDA-approved for KRAS G12C-mutated NSCLC after {G12C_LABEL}" in r.option
    assert "excluded" in r.option and "not studied" in r.option
    assert (r.evidence_level, r.confidence.value) == ("INF", "L")
    assert {"FDA label: sotorasib (Lumakras)", "FDA label: adagrasib (Krazati)", "NCT04303780"} <= set(r.citations)
    if rule_id == "N12":  # NTRK rules are tumour-agnostic: the NSCLC label statement only for NSCLC
        assert "indication:nsclc" in r.trigger


def test_kras_g12c_inhibitor_drugs(kb):
    for name, year in (("sotorasib", "2021"), ("adagrasib", "2022")):
        d = kb.drug(name)
        assert d is not None and not d.core_for and not d.investigational, name
        assert "KRAS" in d.targets and "NSCLC" in d.approvals and G12C_LABEL in d.approvals and year in d.approvals
        assert "accelerated" in d.approvals.lower()
    assert "panitumumab" in kb.drug("sotorasib").approvals and "cetuximab" in kb.drug("adagrasib").approvals


def test_changelog_lists_the_kras_g12c_rows(kb):
    changelog = (Path(__file__).resolve().parents[2] / "resources" / "knowledge" / "CHANGELOG.md").read_text()
    assert "## 2026.2.1" in changelog
    for token in ("KRAS_G12C", "KRAS_MUT", "A17", "A18", "R10", "R11", "N11", "N12", "adagrasib", "sotorasib"):
        assert token in changelog, token
