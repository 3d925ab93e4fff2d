"""Readers for public knowledge-base exports, normalised to one statement shape.

Supported (detected from the header / JSON shape, never from the file name):
- OncoKB `allActionableVariants.txt` (drug levels 1-4, R1/R2) and `allAnnotatedVariants.txt`
  (variant-level only: oncogenicity / mutation effect, no drugs);
- CIViC nightly `ClinicalEvidenceSummaries.tsv`, current (molecular_profile / therapies /
  significance) and v1 (gene / variant / drugs / clinical_significance) columns;
- CGI `cgi_biomarkers_per_variant.tsv`;
- Molecular Oncology Almanac `molecular-oncology-almanac.json` (list of assertions).
Anything else, and any row missing a required field, is an InputError naming file, line and
problem: a curator must never read a comparison that silently skipped part of a source.
"""

from __future__ import annotations

import csv
import json
import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kinres.errors import InputError
from kinres.knowledge.hgvs import normalise_p
from kinres.knowledge.records import level_rank

log = logging.getLogger(__name__)
FUSION = "fusion"
# one-letter protein change as written by the sources ("G1202R", "p.G1202R", "T1151_L1152insT")
_PROTEIN_RE = re.compile(r"^(p\.)?[A-Z][0-9]+([A-Z*]|del|_[A-Z][0-9]+ins[A-Z]+|fs\S*)?$")

# code names and spelling variants -> the lower-case INN used in drugs.tsv
DRUG_SYNONYMS = {
    "pf-02341066": "crizotinib", "pf-2341066": "crizotinib", "xalkori": "crizotinib",
    "ldk378": "ceritinib", "zykadia": "ceritinib",
    "ch5424802": "alectinib", "ro5424802": "alectinib", "alecensa": "alectinib",
    "ap26113": "brigatinib", "alunbrig": "brigatinib",
    "x-396": "ensartinib", "x396": "ensartinib",
    "pf-06463922": "lorlatinib", "lorbrena": "lorlatinib",
    "nvl-655": "neladalkib", "nvl655": "neladalkib",
    "rxdx-101": "entrectinib", "entrictinib": "entrectinib", "rozlytrek": "entrectinib",
    "tpx-0005": "repotrectinib", "augtyro": "repotrectinib",
    "ab-106": "taletrectinib", "ds-6051b": "taletrectinib", "ibtrozi": "taletrectinib",
    "loxo-101": "larotrectinib", "vitrakvi": "larotrectinib",
    "loxo-195": "selitrectinib", "bay 2731954": "selitrectinib", "bay2731954": "selitrectinib",
    "icp-723": "zurletrectinib",
    "xl184": "cabozantinib", "cabometyx": "cabozantinib",
}
GENE_SYNONYMS = {"TRKA": "NTRK1", "TRKB": "NTRK2", "TRKC": "NTRK3"}


@dataclass(frozen=True)
class SourceStatement:
    """One public statement about (gene, variant, drug); direction in kinres' call vocabulary."""

    source: str  # "OncoKB", "CIViC", "CGI", "MOA"
    path: str
    line: int  # 1-based line (TSV) or assertion index (JSON)
    gene: str
    variant: str  # "p.G1202R", "fusion", or the source's own label for other alterations
    drug: str  # normalised; "" for variant-level statements (allAnnotatedVariants)
    direction: str  # sensitive | reduced | resistant | "" (variant-level)
    level: str  # the source's own level, e.g. "R2", "B", "Case report", "Preclinical"
    internal_level: str  # kinres scale: CLIN-approved | CLIN-cohort | CASE | PRE | INF
    disease: str
    reference: str  # PMIDs / evidence id as given by the source
    scope_note: str = ""  # why the statement is out of scope ("" = in scope as far as the reader knows)


def norm_gene(gene: str) -> str:
    g = gene.strip().upper()
    return GENE_SYNONYMS.get(g, g)


def norm_drug(drug: str) -> str:
    d = re.sub(r"\s+", " ", drug.strip().lower())
    d = re.sub(r"\s*\(.*\)$", "", d)  # CGI "Cabozantinib (Pan-kinase inhibitor)"
    return DRUG_SYNONYMS.get(d, d)


def norm_variant(text: str) -> tuple[str, str]:
    """(normalised variant, scope note). Fusions -> 'fusion'; protein changes -> 'p.X123Y'."""
    t = text.strip()
    low = t.lower()
    if low in ("fusion", "fusions", "rearrangement", "rearrangements") or low.endswith(" fusion") \
            or re.match(r"^[A-Z0-9-]+::[A-Z0-9-]+$", t) or low.endswith("fusions") or low == "__.":
        return FUSION, ""
    if _PROTEIN_RE.match(t):
        return normalise_p(t) or t, ""
    return t, f"alteration '{t}' is not a single protein change or a fusion"


def _split_drugs(text: str) -> list[str]:
    return [d for d in (x.strip() for x in text.strip().strip("[]").split(",")) if d]


# ------------------------------------------------------------------------------ detection
@lru_cache(maxsize=64)
def _encoding(path: Path) -> str:
    """UTF-8 (with or without BOM); some redistributed exports are Latin-1: read them, but say so."""
    try:
        with open(path, encoding="utf-8-sig") as fh:
            for _ in fh:
                pass
        return "utf-8-sig"
    except UnicodeDecodeError as exc:
        log.warning("%s: not UTF-8 (%s); read as Latin-1", path, exc.reason)
        return "latin-1"
    except OSError as exc:
        raise InputError(path, f"cannot read file ({exc})") from None


def _read_header(path: Path) -> list[str]:
    with open(path, encoding=_encoding(path), newline="") as fh:
        first = fh.readline()
    return first.rstrip("\r\n").split("\t")


def detect_format(path: Path) -> str:
    """'oncokb_actionable' | 'oncokb_annotated' | 'civic' | 'cgi' | 'moa'; InputError otherwise."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "file not found")
    head = _read_header(path)
    if head and head[0].lstrip().startswith(("[", "{")):
        return "moa"
    cols = set(head)
    if {"Alteration", "Level"} <= cols and any(c.startswith("Drugs") for c in cols):
        return "oncokb_actionable"
    if {"Alteration", "Oncogenicity", "Mutation Effect"} <= cols:
        return "oncokb_annotated"
    if {"evidence_type", "evidence_direction", "evidence_level"} <= cols:
        return "civic"
    if {"Alteration", "Association", "Drug", "Evidence level", "Gene"} <= cols:
        return "cgi"
    shown = "\t".join(head)[:120]
    raise InputError(path, "unknown knowledge-base export format (expected OncoKB allActionableVariants/"
                           f"allAnnotatedVariants, CIViC ClinicalEvidenceSummaries, CGI biomarkers or MOA JSON); "
                           f"header starts {shown!r}", line=1)


def _rows(path: Path, required: tuple[str, ...]):
    """(line, dict) per data row; InputError for missing columns, ragged rows or empty required cells."""
    with open(path, encoding=_encoding(path), newline="") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader)
        missing = [c for c in required if c not in header]
        if missing:
            raise InputError(path, f"missing column(s) {', '.join(missing)}", line=1)
        for lineno, values in enumerate(reader, start=2):
            if not values or not "".join(values).strip():
                continue
            if len(values) != len(header):
                raise InputError(path, f"{len(values)} columns, header has {len(header)}", line=lineno)
            row = dict(zip(header, values))
            empty = [c for c in required if not row[c].strip()]
            if empty:
                raise InputError(path, f"empty {', '.join(empty)}", line=lineno)
            yield lineno, row


# ------------------------------------------------------------------------------ OncoKB
ONCOKB_LEVELS = {"1": ("sensitive", "CLIN-approved"), "2": ("sensitive", "CLIN-approved"),
                 "2A": ("sensitive", "CLIN-approved"), "2B": ("sensitive", "CLIN-cohort"),
                 "3A": ("sensitive", "CLIN-cohort"), "3B": ("sensitive", "INF"), "4": ("sensitive", "PRE"),
                 "R1": ("resistant", "CLIN-approved"), "R2": ("resistant", "CLIN-cohort")}


def read_oncokb_actionable(path: Path) -> list[SourceStatement]:
    header = _read_header(path)
    gene_col = "Hugo Symbol" if "Hugo Symbol" in header else "Gene"
    drug_col = next(c for c in header if c.startswith("Drugs"))
    out = []
    for line, r in _rows(path, (gene_col, "Alteration", "Cancer Type", "Level", drug_col)):
        level = r["Level"].strip().upper().removeprefix("LEVEL_")
        if level not in ONCOKB_LEVELS:
            raise InputError(path, f"unknown OncoKB level '{r['Level']}'", line=line)
        direction, internal = ONCOKB_LEVELS[level]
        variant, note = norm_variant(r["Alteration"])
        for drug in _split_drugs(r[drug_col]):
            combo = "+" in drug
            out.append(SourceStatement(
                "OncoKB", str(path), line, norm_gene(r[gene_col]), variant, norm_drug(drug), direction, level,
                internal, r["Cancer Type"].strip(), r.get("PMIDs for drug", "").strip(),
                note or ("combination therapy (not compared)" if combo else "")))
    return out


def read_oncokb_annotated(path: Path) -> list[SourceStatement]:
    header = _read_header(path)
    gene_col = "Hugo Symbol" if "Hugo Symbol" in header else "Gene"
    out = []
    for line, r in _rows(path, (gene_col, "Alteration", "Oncogenicity", "Mutation Effect")):
        variant, note = norm_variant(r["Alteration"])
        onc = r["Oncogenicity"].strip()
        effect = r["Mutation Effect"].strip()
        if not note and onc.lower() not in ("oncogenic", "likely oncogenic", "resistance", "predicted oncogenic"):
            note = f"oncogenicity '{onc}' (no predictive statement)"
        out.append(SourceStatement("OncoKB", str(path), line, norm_gene(r[gene_col]), variant, "", "",
                                   f"{onc}; {effect}", "", "", r.get("PMIDs for Mutation Effect", "").strip(), note))
    return out


# ------------------------------------------------------------------------------ CIViC
CIVIC_LEVELS = {"A": "CLIN-approved", "B": "CLIN-cohort", "C": "CASE", "D": "PRE", "E": "INF"}
CIVIC_SIGNIFICANCE = {"sensitivity/response": "sensitive", "sensitivity": "sensitive", "resistance": "resistant",
                      "reduced sensitivity": "reduced"}


def read_civic(path: Path) -> list[SourceStatement]:
    header = _read_header(path)
    v2 = "molecular_profile" in header
    profile_col, drug_col, sig_col = (("molecular_profile", "therapies", "significance") if v2
                                      else ("variant", "drugs", "clinical_significance"))
    required = (profile_col, "disease", "evidence_type", "evidence_direction", "evidence_level", "evidence_id")
    if not v2:
        required = ("gene",) + required
    out = []
    for line, r in _rows(path, required):
        level = r["evidence_level"].strip().upper()
        if level not in CIVIC_LEVELS:
            raise InputError(path, f"unknown CIViC evidence level '{r['evidence_level']}'", line=line)
        if v2:
            parts = r[profile_col].strip().split(" ", 1)
            rest = parts[1] if len(parts) > 1 else ""
            if "::" in parts[0]:  # "EML4::ALK", "EML4::ALK Fusion", "EML4::ALK G1202R"
                gene = parts[0].split("::")[-1]
                label = FUSION if rest.lower() in ("", "fusion") else rest
            else:
                gene, label = parts[0], rest
        else:
            gene, label = r["gene"].strip(), r[profile_col].strip()
            if "-" in label and label.upper().endswith(gene.upper()) or label.lower() in ("fusion", "fusions"):
                label = FUSION
        note = ""
        if re.search(r"\b(AND|OR|NOT)\b", r[profile_col]):
            note = "compound molecular profile (not compared)"
        variant, vnote = norm_variant(label) if label else (r[profile_col].strip(), "no variant named")
        note = note or vnote
        if r["evidence_type"].strip() != "Predictive":
            note = f"{r['evidence_type'].strip()} evidence (only predictive evidence is compared)"
        significance = r.get(sig_col, "").strip()
        direction = CIVIC_SIGNIFICANCE.get(significance.lower(), "")
        if not note and not direction:
            note = f"significance '{significance}' (not a response/resistance statement)"
        if not note and r["evidence_direction"].strip() != "Supports":
            note = f"direction '{r['evidence_direction'].strip()}' (only supporting evidence is compared)"
        drugs = _split_drugs(r.get(drug_col, ""))
        if not note and not drugs:
            note = "no therapy named"
        combo = r.get("therapy_interaction_type", r.get("drug_interaction_type", "")).strip() == "Combination"
        ref = f"EID{r['evidence_id'].strip()}" + (f"; PMID:{r['citation_id'].strip()}"
                                                  if r.get("source_type", "").strip() == "PubMed" else "")
        for drug in drugs or [""]:
            out.append(SourceStatement("CIViC", str(path), line, norm_gene(gene), variant, norm_drug(drug), direction,
                                       level, CIVIC_LEVELS[level], r["disease"].strip(), ref,
                                       note or ("combination therapy (not compared)" if combo else "")))
    return out


# ------------------------------------------------------------------------------ CGI
CGI_LEVELS = {"fda guidelines": "CLIN-approved", "nccn guidelines": "CLIN-approved", "cpic guidelines": "CLIN-approved",
              "european leukemianet guidelines": "CLIN-approved", "nccn/cap guidelines": "CLIN-approved",
              "late trials": "CLIN-cohort", "clinical trials": "CLIN-cohort", "early trials": "CLIN-cohort",
              "case report": "CASE", "pre-clinical": "PRE"}
CGI_ASSOCIATION = {"responsive": "sensitive", "resistant": "resistant"}


def read_cgi(path: Path) -> list[SourceStatement]:
    out = []
    for line, r in _rows(path, ("Alteration", "Association", "Evidence level", "Gene")):
        level = r["Evidence level"].strip()
        parts = [p.strip().lower() for p in level.split(",") if p.strip()]  # "Early Trials,Case Report"
        unknown = [p for p in parts if p not in CGI_LEVELS]
        if not parts or unknown:
            raise InputError(path, f"unknown CGI evidence level '{level}'", line=line)
        internal = min((CGI_LEVELS[p] for p in parts), key=level_rank)
        gene = norm_gene(r["Gene"])
        alteration = r["Alteration"].strip()
        individual = r.get("individual_mutation", "").strip()
        if individual:
            label = individual.split(":", 1)[1] if ":" in individual else individual
        elif alteration.startswith(f"{r['Gene'].strip()}__"):
            label = FUSION
        else:
            label = alteration.split(":", 1)[1] if ":" in alteration else alteration
        variant, note = norm_variant(label)
        direction = CGI_ASSOCIATION.get(r["Association"].strip().lower(), "")
        if not note and not direction:
            note = f"association '{r['Association'].strip()}' (not a response/resistance statement)"
        drugs = _split_drugs(r["Drug"])
        if not note and not drugs:
            note = f"drug family only ({r.get('Drug family', '').strip()})"
        for drug in drugs or [""]:
            out.append(SourceStatement("CGI", str(path), line, gene, variant, norm_drug(drug), direction, level,
                                       internal, r.get("Primary Tumor type", "").strip()
                                       or r.get("Primary Tumor acronym", "").strip(), r.get("Source", "").strip(), note))
    return out


# ------------------------------------------------------------------------------ MOA
MOA_LEVELS = {"fda-approved": "CLIN-approved", "guideline": "CLIN-approved", "clinical trial": "CLIN-cohort",
              "clinical evidence": "CASE", "preclinical": "PRE", "inferential": "INF"}


def read_moa(path: Path) -> list[SourceStatement]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(path, f"not valid JSON ({exc})") from None
    if not isinstance(data, list):
        raise InputError(path, "MOA export must be a JSON list of assertions (the 'referenced' GA4GH layout "
                               "is not supported)")
    out = []
    for i, a in enumerate(data, start=1):
        if not isinstance(a, dict) or "feature_type" not in a or "therapy_name" not in a:
            raise InputError(path, "assertion without feature_type/therapy_name", line=i, record=f"assertion {i}")
        ident = f"assertion {a.get('assertion_id', i)}"
        implication = str(a.get("predictive_implication", "")).strip()
        if implication.lower() not in MOA_LEVELS:
            raise InputError(path, f"unknown predictive_implication '{implication}'", line=i, record=ident)
        ftype = a["feature_type"]
        if ftype == "Somatic Variant":
            gene = a.get("gene", "")
            variant, note = norm_variant(a.get("protein_change") or "")
        elif ftype == "Rearrangement":
            genes = [g for g in (a.get("gene1"), a.get("gene2")) if g]
            gene = genes[-1] if genes else ""
            variant, note = FUSION, ""
        else:  # copy number, germline, MSI, signatures ...: not a statement kinres models
            gene, variant, note = a.get("gene", "") or "-", ftype, f"feature type '{ftype}' (not compared)"
        if not gene:
            raise InputError(path, f"{ftype} assertion without a gene", line=i, record=ident)
        sens, res = a.get("therapy_sensitivity"), a.get("therapy_resistance")
        direction = "sensitive" if sens in (1, True, "1") else "resistant" if res in (1, True, "1") else ""
        if not note and not direction:
            note = "neither sensitivity nor resistance stated"
        if a.get("_deprecated"):
            note = "deprecated assertion"
        therapy = str(a["therapy_name"])
        combo = " + " in therapy
        ref = f"MOA:{a.get('assertion_id', i)}" + (f"; PMID:{a['pmid']}" if a.get("pmid") else "")
        out.append(SourceStatement("MOA", str(path), i, norm_gene(gene), variant, norm_drug(therapy), direction,
                                   implication, MOA_LEVELS[implication.lower()], str(a.get("disease", "")), ref,
                                   note or ("combination therapy (not compared)" if combo else "")))
    return out


READERS = {"oncokb_actionable": read_oncokb_actionable, "oncokb_annotated": read_oncokb_annotated,
           "civic": read_civic, "cgi": read_cgi, "moa": read_moa}


def read_source(path: str | Path, fmt: str | None = None) -> tuple[str, list[SourceStatement]]:
    """(format, statements) of one export; format detected unless given."""
    path = Path(path)
    fmt = fmt or detect_format(path)
    if fmt not in READERS:
        raise InputError(path, f"unknown format '{fmt}' (choose {', '.join(sorted(READERS))})")
    try:
        return fmt, READERS[fmt](path)
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 text ({exc})") from None
    except csv.Error as exc:
        raise InputError(path, f"unreadable TSV ({exc})") from None
