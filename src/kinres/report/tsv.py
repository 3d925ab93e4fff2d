"""Flat machine outputs: alterations.tsv and drug_calls.tsv (one row per record, fixed columns)."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from kinres.atomic import atomic_open
from kinres.report.json import Report
from kinres.report.text import clinical_text, public_citations

ALTERATION_COLUMNS = (
    "sample_id", "patient_id", "id", "kind", "gene", "role", "transcript", "hgvs_c", "hgvs_p",
    "exon", "vaf", "depth", "alt_reads", "copy_number", "in_kinase_domain", "structural_class",
    "flags", "fusion_five_prime_gene", "fusion_three_prime_gene", "fusion_junction",
    "fusion_variant", "fusion_in_frame", "fusion_kinase_domain_retained",
    "fusion_supporting_reads", "chrom", "pos", "ref", "alt",
    # appended (report.json additive fields): reporting transcript, origin hint, course, CN rule
    "refseq", "protein_length", "origin", "acquisition", "cn_threshold",
)
DRUG_CALL_COLUMNS = (
    "sample_id", "patient_id", "drug", "call", "evidence_type", "level", "based_on", "citations",
    "clinical_status", "clinical_note",
)


# A spreadsheet runs a cell starting with one of these as a formula (=HYPERLINK(...), +cmd|...).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def neutralise(text: str) -> str:
    """Prefix text a spreadsheet would evaluate with an apostrophe; real numbers stay numbers."""
    if text.startswith(_FORMULA_START) and not _NUMBER.match(text) and text not in ("-", "+"):
        return "'" + text
    return text


def cell(value: Any) -> str:
    """One TSV cell: '' for null, lower-case booleans, ';'-joined lists, no tabs/newlines,
    formula-like text neutralised (OWASP CSV injection)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "value"):  # enums
        value = value.value
    if isinstance(value, (list, tuple)):
        return neutralise(";".join(cell(v) for v in value))
    if isinstance(value, (int, float)):
        return str(value)
    # A tab or newline inside a value would shift columns for every downstream reader; the
    # formula check runs on the raw text first so a leading tab/CR is caught too.
    text = neutralise(str(value))
    return " ".join(text.replace("\t", " ").splitlines())


def write_tsv(path: str | Path, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write a header + rows atomically; returns the number of data rows."""
    n = 0
    with atomic_open(path, "w") as fh:
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE,
                            escapechar=None, quotechar=None)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([cell(v) for v in row])
            n += 1
    return n


def alteration_rows(report: Report) -> list[tuple]:
    s = report.sample
    rows = []
    for a in report.alterations:
        f = a.fusion
        rows.append((
            s.id, s.patient_id, a.id, a.kind, a.gene, a.role, a.transcript, a.hgvs_c, a.hgvs_p,
            a.exon, a.vaf, a.depth, a.alt_reads, a.copy_number, a.in_kinase_domain,
            a.structural_class, a.flags,
            f and f.five_prime_gene, f and f.three_prime_gene, f and f.junction_label,
            f and f.variant_label, f.in_frame if f else None,
            f.kinase_domain_retained if f else None, f.supporting_reads if f else None,
            a.chrom, a.pos, a.ref, a.alt,
            a.refseq, a.protein_length, a.origin, a.acquisition, a.cn_threshold))
    return rows


def drug_call_rows(report: Report) -> list[tuple]:
    s = report.sample
    return [(s.id, s.patient_id, d.drug, d.call, d.evidence_type, d.level, d.based_on,
             public_citations(d.citations), d.clinical_status, clinical_text(d.clinical_note))
            for d in report.drug_calls]


def write_alterations_tsv(report: Report, path: str | Path) -> int:
    """alterations.tsv for one report; returns the row count."""
    return write_tsv(path, ALTERATION_COLUMNS, alteration_rows(report))


def write_drug_calls_tsv(report: Report, path: str | Path) -> int:
    """drug_calls.tsv for one report; returns the row count."""
    return write_tsv(path, DRUG_CALL_COLUMNS, drug_call_rows(report))
