"""kinres generic fusion TSV (docs/generic_fusion_format.md) and the PCGR fusion TSV.

The generic table is what other tools' output is converted into; the PCGR table
(FusionGene 'A--B', LeftBreakpoint, RightBreakpoint, SplitReads) is accepted directly.
"""

from __future__ import annotations

from pathlib import Path

from kinres.enums import Build, FusionFormat
from kinres.errors import InputError
from kinres.io.fusions.contigs import ContigChecker
from kinres.io.fusions.table import FusionReadResult, Row, read_table, tag_list, to_int
from kinres.models import Breakpoint, Fusion, SourceRef

REQUIRED = ("five_prime_gene", "three_prime_gene", "five_prime_breakpoint",
            "three_prime_breakpoint", "supporting_reads", "in_frame", "molecule")
OPTIONAL = ("five_prime_exon", "three_prime_exon", "split_reads", "spanning_reads", "caller",
            "fusion_af", "flags")
PCGR_REQUIRED = ("FusionGene", "LeftBreakpoint", "RightBreakpoint", "SplitReads")
_MISSING = ("", ".", "NA", "na", "n/a")


def _breakpoint(check: ContigChecker, row: Row, column: str, rec: str) -> Breakpoint | None:
    text = row.get(column).strip()
    if text in _MISSING:
        return None
    return check.parse(text, row.line, rec)


def _exon(path: Path, row: Row, column: str) -> int | None:
    value = to_int(path, row, column, allow_missing=True)
    if value is not None and value < 1:
        raise InputError(path, f"column {column}: exon numbers start at 1", line=row.line,
                         record=row.raw[:80])
    return value


def parse(path: str | Path, build: Build) -> FusionReadResult:
    """Read a kinres generic fusion TSV."""
    path = Path(path)
    _, rows = read_table(path, REQUIRED)
    check = ContigChecker(str(path), build)
    fusions: list[Fusion] = []
    n = 0
    for row in rows:
        n += 1
        five, three = row.get("five_prime_gene").strip(), row.get("three_prime_gene").strip()
        rec = f"{five}--{three}"
        if not five or not three:
            raise InputError(path, "five_prime_gene and three_prime_gene must not be empty",
                             line=row.line, record=rec)
        frame_text = row.get("in_frame").strip().lower()
        if frame_text not in ("yes", "no", "unknown", *_MISSING):
            raise InputError(path, f"in_frame {frame_text!r} must be yes, no or unknown",
                             line=row.line, record=rec)
        in_frame = {"yes": True, "no": False}.get(frame_text)
        molecule = row.get("molecule").strip().lower()
        if molecule not in ("rna", "dna"):
            raise InputError(path, f"molecule {molecule!r} must be rna or dna", line=row.line,
                             record=rec)
        af_text = row.get("fusion_af").strip()
        fusion_af = None
        if af_text not in _MISSING:
            try:
                fusion_af = float(af_text)
            except ValueError:
                fusion_af = -1.0
            if not 0.0 <= fusion_af <= 1.0:
                raise InputError(path, f"fusion_af {af_text!r} must be a number in 0..1",
                                 line=row.line, record=rec)
        caller = row.get("caller").strip() or "generic"
        fusions.append(Fusion(
            five_prime_gene=five, three_prime_gene=three, caller=caller, molecule=molecule,
            five_prime_breakpoint=_breakpoint(check, row, "five_prime_breakpoint", rec),
            three_prime_breakpoint=_breakpoint(check, row, "three_prime_breakpoint", rec),
            five_prime_exon=_exon(path, row, "five_prime_exon"),
            three_prime_exon=_exon(path, row, "three_prime_exon"),
            in_frame=in_frame, frame_source="caller" if in_frame is not None else None,
            supporting_reads=to_int(path, row, "supporting_reads", allow_missing=True),
            split_reads=to_int(path, row, "split_reads", allow_missing=True),
            spanning_reads=to_int(path, row, "spanning_reads", allow_missing=True),
            fusion_af=fusion_af, flags=tag_list(row.get("flags")),
            source=SourceRef(str(path), row.line)))
    return FusionReadResult(tuple(fusions), (), FusionFormat.GENERIC.value, n)


def parse_pcgr(path: str | Path, build: Build) -> FusionReadResult:
    """Read PCGR's fusion TSV ('5'--3'' gene pair, chrom:pos breakpoints, split reads; RNA)."""
    path = Path(path)
    _, rows = read_table(path, PCGR_REQUIRED)
    check = ContigChecker(str(path), build)
    fusions: list[Fusion] = []
    n = 0
    for row in rows:
        n += 1
        rec = row.get("FusionGene").strip()
        genes = rec.split("--")
        if len(genes) != 2:
            raise InputError(path, f"FusionGene {rec!r} is not 'GENE5--GENE3'", line=row.line,
                             record=rec)
        # PCGR writes '--ALK' when a partner is unnamed (intergenic)
        five, three = (g.strip() or "intergenic/unknown" for g in genes)
        split = to_int(path, row, "SplitReads", allow_missing=True)
        fusions.append(Fusion(
            five_prime_gene=five, three_prime_gene=three, caller="pcgr", molecule="rna",
            five_prime_breakpoint=_breakpoint(check, row, "LeftBreakpoint", rec),
            three_prime_breakpoint=_breakpoint(check, row, "RightBreakpoint", rec),
            supporting_reads=split, split_reads=split, source=SourceRef(str(path), row.line)))
    warnings = (f"{path.name}: PCGR fusion table has no molecule column; calls treated as RNA",) \
        if n else ()
    return FusionReadResult(tuple(fusions), warnings, "pcgr", n)
