"""Fusion file format detection from the header (each caller's header is distinctive)."""

from __future__ import annotations

from pathlib import Path

from kinres.enums import FusionFormat
from kinres.errors import InputError
from kinres.io.fusions.table import open_text

SUPPORTED = ("arriba (fusions.tsv)", "star_fusion (star-fusion.fusion_predictions.tsv)",
             "fusioncatcher (final-list_candidate-fusion-genes.txt)",
             "sv_vcf (Manta/DELLY/GRIDSS structural-variant VCF)",
             "dragen (DRAGEN RNA <prefix>.fusion_candidates.final)",
             "generic (kinres generic fusion TSV, docs/generic_fusion_format.md)",
             "PCGR fusion TSV (read as generic)")
PCGR = "pcgr"
DRAGEN = "dragen"


def _first_lines(path: Path, limit: int = 200) -> list[str]:
    lines: list[str] = []
    with open_text(path) as fh:
        for raw in fh:
            line = raw.rstrip("\r\n")
            if line.strip():
                lines.append(line)
            if len(lines) >= limit or (line and not line.startswith("##")):
                break
    return lines


def detect_format(path: str | Path) -> str:
    """FusionFormat value (or "pcgr") for a fusion file; InputError listing supported formats."""
    path = Path(path)
    lines = _first_lines(path)
    if not lines:
        raise InputError(path, "fusion file is empty")
    if lines[0].startswith("##fileformat=VCF"):
        return FusionFormat.SV_VCF.value
    header = lines[-1].lstrip("#").split("\t")
    cols = {h.strip() for h in header}
    if {"gene1", "gene2", "breakpoint1", "breakpoint2", "strand1(gene/fusion)"} <= cols:
        return FusionFormat.ARRIBA.value
    if {"FusionName", "LeftBreakpoint", "RightBreakpoint", "JunctionReadCount"} <= cols:
        return FusionFormat.STAR_FUSION.value
    if {"Gene_1_symbol(5end_fusion_partner)", "Gene_2_symbol(3end_fusion_partner)"} <= cols:
        return FusionFormat.FUSIONCATCHER.value
    # DRAGEN before PCGR: both have FusionGene/LeftBreakpoint/RightBreakpoint
    if {"FusionGene", "Score", "LeftBreakpoint", "RightBreakpoint"} <= cols:
        return DRAGEN
    if {"five_prime_gene", "three_prime_gene"} <= cols:
        return FusionFormat.GENERIC.value
    if {"FusionGene", "LeftBreakpoint", "RightBreakpoint"} <= cols:
        return PCGR
    shown = "\t".join(header)[:120]
    raise InputError(path, f"unrecognised fusion file format (header: {shown!r}); formats "
                     "tried (none matched): " + "; ".join(SUPPORTED) + ". Set fusion_format in "
                     "the sample sheet or convert to the generic format", line=len(lines))
