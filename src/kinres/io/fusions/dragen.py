"""Illumina DRAGEN RNA gene fusion calls (`<prefix>.fusion_candidates.final`) -> Fusion records.

Header (DRAGEN >= 3.9): `#FusionGene Score LeftBreakpoint RightBreakpoint Gene1Location
Gene2Location Gene1Sense Gene2Sense Gene1Id Gene2Id NumSplitReads NumSoftClippedReads
NumPairedReads ReadNames`; DRAGEN 3.7 wrote only `#FusionGene Score LeftBreakpoint
RightBreakpoint ReadNames` (real examples: umccr/RNAsum test data, see tests/data/fusions/README.md).
FusionGene is `5'GENE--3'GENE` (LeftBreakpoint = 5' partner); a side overlapping several genes
lists them with ';' (the panel gene is taken when one of them is on the panel). Breakpoints are
chrom:pos:strand with the gene strand. DRAGEN gives no reading frame: kinres computes it.
Supporting reads = split + soft-clipped + paired reads (their sum equals the ReadNames listed).
"""

from __future__ import annotations

from pathlib import Path

from kinres.enums import Build
from kinres.errors import InputError
from kinres.io.fusions.contigs import ContigChecker
from kinres.io.fusions.table import FusionReadResult, read_table, to_int
from kinres.models import Fusion, SourceRef

CALLER = "dragen"
FORMAT = "dragen"
REQUIRED = ("FusionGene", "Score", "LeftBreakpoint", "RightBreakpoint")
COUNTS = ("NumSplitReads", "NumSoftClippedReads", "NumPairedReads")


def _pick(names: str, panel_genes) -> str:
    genes = [g.strip() for g in names.split(";") if g.strip()]
    if not genes:
        return "intergenic/unknown"
    return next((g for g in genes if g in panel_genes), genes[0])


def parse(path: str | Path, build: Build, panel_genes=()) -> FusionReadResult:
    """Read a DRAGEN fusion_candidates.final table."""
    path = Path(path)
    header, rows = read_table(path, REQUIRED)
    has_counts = all(c in header for c in COUNTS)
    check = ContigChecker(str(path), build)
    fusions: list[Fusion] = []
    n = 0
    for row in rows:
        n += 1
        name = row.get("FusionGene").strip()
        left, sep, right = name.partition("--")
        if not sep or not left or not right:
            raise InputError(path, f"FusionGene {name!r} is not GENE1--GENE2", line=row.line,
                             record=name[:80])
        five, three = _pick(left, panel_genes), _pick(right, panel_genes)
        b5 = check.parse(row.get("LeftBreakpoint"), row.line, name, strand_required=True)
        b3 = check.parse(row.get("RightBreakpoint"), row.line, name, strand_required=True)
        split = spanning = support = None
        if has_counts:
            split = (to_int(path, row, "NumSplitReads") or 0) + (
                to_int(path, row, "NumSoftClippedReads") or 0)
            spanning = to_int(path, row, "NumPairedReads") or 0
            support = split + spanning
        flags = ["multiple_genes_at_breakpoint"] if ";" in left or ";" in right else []
        fusions.append(Fusion(
            five_prime_gene=five, three_prime_gene=three, caller=CALLER, molecule="rna",
            five_prime_breakpoint=b5, three_prime_breakpoint=b3, supporting_reads=support,
            split_reads=split, spanning_reads=spanning, flags=tuple(flags),
            source=SourceRef(str(path), row.line)))
    warnings = []
    if not has_counts and n:
        warnings.append(f"{path.name}: DRAGEN fusion table without read counts (DRAGEN < 3.9: "
                        "columns NumSplitReads/NumSoftClippedReads/NumPairedReads absent); "
                        "supporting reads unknown")
    return FusionReadResult(tuple(fusions), tuple(warnings), FORMAT, n)
