"""STAR-Fusion star-fusion.fusion_predictions(.abridged).tsv -> Fusion records (header-driven).

LeftGene/LeftBreakpoint is the 5' partner, RightGene/RightBreakpoint the 3' partner; breakpoints
are chrom:pos:strand with the gene strand. PROT_FUSION_TYPE exists only when STAR-Fusion ran
with --examine_coding_effect; `annots` comes from FusionAnnotator.
"""

from __future__ import annotations

import re
from pathlib import Path

from kinres.enums import Build, FusionFormat
from kinres.errors import InputError
from kinres.io.fusions.contigs import ContigChecker
from kinres.io.fusions.table import FusionReadResult, read_table, rna_caller_fusion, to_int
from kinres.models import Fusion

CALLER = "star_fusion"
REQUIRED = ("FusionName", "JunctionReadCount", "SpanningFragCount", "LeftGene",
            "LeftBreakpoint", "RightGene", "RightBreakpoint")

# FusionAnnotator tags that mark fusions seen in normal tissue / paralog artefacts.
DEFAULT_ARTEFACT_TAGS = ("GTEx_recurrent", "BodyMap", "DGD_PARALOGS", "HGNC_GENEFAM",
                         "Greger_Normal", "Babiceanu_Normal", "ConjoinG")
READ_THROUGH_TAGS = ("NEIGHBORS", "NEIGHBORS_OVERLAP", "ConjoinG")
_TAG = re.compile(r"[A-Za-z0-9_.:-]+")


def _gene(text: str) -> str:
    return text.split("^", 1)[0].strip() or "intergenic/unknown"


def annot_tags(text: str) -> tuple[str, ...]:
    """FusionAnnotator annots cell '["Mitelman","INTRACHROMOSOMAL[chr17:1.2Mb]"]' -> tag names."""
    text = text.strip()
    if text in ("", ".", "[]"):
        return ()
    text = re.sub(r"\[[^\]\"]*\]", "", text.strip("[]"))  # drop bracketed details like [chr17:..]
    return tuple(t for t in (m.group(0) for m in _TAG.finditer(text)) if t)


def parse(path: str | Path, build: Build,
          artefact_tags: tuple[str, ...] = DEFAULT_ARTEFACT_TAGS) -> FusionReadResult:
    """Read STAR-Fusion predictions into Fusion records."""
    path = Path(path)
    _, rows = read_table(path, REQUIRED)
    check = ContigChecker(str(path), build)
    fusions: list[Fusion] = []
    n = 0
    for row in rows:
        n += 1
        rec = row.get("FusionName")
        five, three = _gene(row.get("LeftGene")), _gene(row.get("RightGene"))
        b5 = check.parse(row.get("LeftBreakpoint"), row.line, rec, strand_required=True)
        b3 = check.parse(row.get("RightBreakpoint"), row.line, rec, strand_required=True)
        junction = to_int(path, row, "JunctionReadCount") or 0
        spanning = to_int(path, row, "SpanningFragCount") or 0
        in_frame = None
        prot = row.get("PROT_FUSION_TYPE", ".").strip().upper()
        if prot == "INFRAME":
            in_frame = True
        elif prot == "FRAMESHIFT":
            in_frame = False
        elif prot not in ("", ".", "NA"):
            raise InputError(path, f"PROT_FUSION_TYPE {prot!r} is not INFRAME/FRAMESHIFT/.",
                             line=row.line, record=rec)
        flags: list[str] = []
        tags = annot_tags(row.get("annots", ""))
        if any(t in READ_THROUGH_TAGS for t in tags):
            flags.append("read_through")
        for t in tags:
            if any(t == a or t.startswith(a) for a in artefact_tags):
                flags.append(f"known_artefact:{t}")
        if row.get("SpliceType").strip() == "INCL_NON_REF_SPLICE":
            flags.append("non_reference_splice")
        fusions.append(rna_caller_fusion(path, row, CALLER, five, three, b5, b3, in_frame,
                                         junction, spanning, flags))
    return FusionReadResult(tuple(fusions), (), FusionFormat.STAR_FUSION.value, n)
