"""Arriba fusions.tsv (and fusions.discarded.tsv) -> Fusion records.

Column meanings follow Arriba's documentation (documentation/output-files.md): gene1 is the 5'
gene when the transcribed strand could be predicted; otherwise the 5'/3' order is recovered from
direction1/direction2 and the gene strands.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from kinres.enums import Build, FusionFormat
from kinres.errors import InputError
from kinres.io.fusions.contigs import ContigChecker
from kinres.io.fusions.orientation import FIVE, THREE, arriba_keeps, gene_portion
from kinres.io.fusions.table import (
    FusionReadResult,
    Row,
    read_table,
    rna_caller_fusion,
    tag_list,
    to_int,
)
from kinres.models import Fusion

CALLER = "arriba"
REQUIRED = ("gene1", "gene2", "strand1(gene/fusion)", "strand2(gene/fusion)", "breakpoint1",
            "breakpoint2", "type", "split_reads1", "split_reads2", "discordant_mates",
            "confidence")
INTERGENIC = "intergenic/unknown"
_FILTER_COUNT = re.compile(r"^(?P<name>[^()]+)(\((?P<n>\d+)\))?$")


def _gene(text: str) -> str:
    # intergenic breakpoints list the neighbours with distances: "GENEA(1234),GENEB(567)"
    text = text.strip()
    return INTERGENIC if ("(" in text or text in ("", ".")) else text


def _strands(path: Path, row: Row, column: str) -> tuple[str | None, str | None]:
    text = row.get(column).strip()
    parts = text.split("/")
    if len(parts) != 2 or any(p not in ("+", "-", ".") for p in parts):
        raise InputError(path, f"column {column}: {text!r} is not gene/fusion strands like '+/-'",
                         line=row.line, record=row.raw[:80])
    return tuple(None if p == "." else p for p in parts)  # type: ignore[return-value]


def _frame(text: str) -> tuple[bool | None, tuple[str, ...]]:
    text = text.strip()
    if text == "in-frame":
        return True, ()
    if text == "out-of-frame":
        return False, ()
    if text == "stop-codon":  # stop before the junction: the 3' gene is not translated
        return False, ("stop_codon_before_junction",)
    return None, ()


def parse(path: str | Path, build: Build) -> FusionReadResult:
    """Read an Arriba fusions.tsv into Fusion records (structure is annotated later)."""
    path = Path(path)
    _, rows = read_table(path, REQUIRED)
    check = ContigChecker(str(path), build)
    fusions: list[Fusion] = []
    warnings: list[str] = []
    n = 0
    swapped = 0
    for row in rows:
        n += 1
        rec = f"{row.get('gene1')}--{row.get('gene2')}"
        g1, g2 = _gene(row.get("gene1")), _gene(row.get("gene2"))
        s1_gene, s1_fusion = _strands(path, row, "strand1(gene/fusion)")
        s2_gene, s2_fusion = _strands(path, row, "strand2(gene/fusion)")
        b1 = check.parse(row.get("breakpoint1"), row.line, rec)
        b2 = check.parse(row.get("breakpoint2"), row.line, rec)
        b1, b2 = replace(b1, strand=s1_gene), replace(b2, strand=s2_gene)
        split = (to_int(path, row, "split_reads1") or 0) + (to_int(path, row, "split_reads2") or 0)
        span = to_int(path, row, "discordant_mates") or 0
        in_frame, flags = _frame(row.get("reading_frame", "."))
        flags = list(flags)
        event = row.get("type").strip()
        if "read-through" in event:
            flags.append("read_through")
        if "non-canonical-splicing" in event:
            flags.append("possible_circular_rna")
        if event.startswith(("5'-5'", "3'-3'")):
            flags.append("no_chimeric_orientation")
        conf = row.get("confidence").strip()
        if conf not in ("low", "medium", "high"):
            raise InputError(path, f"confidence {conf!r} is not low/medium/high", line=row.line,
                             record=rec)
        if conf == "low":
            flags.append("low_confidence")
        # A filter listed without a read count discarded the whole event (Arriba docs): that
        # only happens in fusions.discarded.tsv and marks a known artefact / healthy-tissue call.
        for f in tag_list(row.get("filters", ".")):
            m = _FILTER_COUNT.match(f)
            if m and m.group("n") is None:
                flags.append(f"known_artefact:{m.group('name')}")
        five, three, fb, tb = g1, g2, b1, b2
        if s1_fusion is None or s2_fusion is None:
            # transcribed strand unknown: gene1/gene2 need not be 5'/3'; use the directions
            k1 = arriba_keeps(row.get("direction1", ""))
            k2 = arriba_keeps(row.get("direction2", ""))
            p1 = gene_portion(s1_gene, k1) if k1 else None
            p2 = gene_portion(s2_gene, k2) if k2 else None
            if p1 == THREE and p2 == FIVE:
                five, three, fb, tb = g2, g1, b2, b1
                swapped += 1
            elif p1 is None or p2 is None:
                flags.append("orientation_uncertain")
            elif p1 == p2:
                flags.append("no_chimeric_orientation")
        fusions.append(rna_caller_fusion(path, row, CALLER, five, three, fb, tb, in_frame,
                                         split, span, flags))
    if swapped:
        warnings.append(f"{path.name}: {swapped} Arriba record(s) without a predicted transcript "
                        "strand were oriented 5'->3' from breakpoint directions and gene strands")
    return FusionReadResult(tuple(fusions), tuple(warnings), FusionFormat.ARRIBA.value, n)
