"""FusionCatcher final-list_candidate-fusion-genes.txt -> Fusion records (header-driven).

Gene 1 is the 5' partner. Fusion points are chrom:pos:strand, 1-based. Fusion_description holds
FusionCatcher's database labels (known, readthrough, banned, healthy, ...).
"""

from __future__ import annotations

from pathlib import Path

from kinres.enums import Build, FusionFormat
from kinres.errors import InputError
from kinres.io.fusions.contigs import ContigChecker
from kinres.io.fusions.table import (
    FusionReadResult,
    read_table,
    rna_caller_fusion,
    tag_list,
    to_int,
)
from kinres.models import Fusion

CALLER = "fusioncatcher"
G1 = "Gene_1_symbol(5end_fusion_partner)"
G2 = "Gene_2_symbol(3end_fusion_partner)"
P1 = "Fusion_point_for_gene_1(5end_fusion_partner)"
P2 = "Fusion_point_for_gene_2(3end_fusion_partner)"
ID1 = "Gene_1_id(5end_fusion_partner)"
ID2 = "Gene_2_id(3end_fusion_partner)"
REQUIRED = (G1, G2, "Fusion_description", "Spanning_pairs", "Spanning_unique_reads", P1, P2)

# Labels FusionCatcher gives to calls also found in healthy samples or known false positives.
DEFAULT_ARTEFACT_TAGS = ("banned", "healthy", "1000genomes", "bodymap2", "gtex", "hpa",
                         "non_cancer_tissues", "non_tumor_cells", "paralogs", "similar_reads",
                         "ambiguous", "rrna", "mt")
READ_THROUGH_TAGS = ("readthrough", "conjoing")


def _synthetic_locus(gene_id: str) -> bool:
    # FusionCatcher models IG loci (IGH@, IGK@, ...) as custom genes 'ENSG09...' on pseudo
    # coordinates that may exceed the real chromosome: not a genome position.
    return gene_id.strip().startswith("ENSG09")


def parse(path: str | Path, build: Build,
          artefact_tags: tuple[str, ...] = DEFAULT_ARTEFACT_TAGS) -> FusionReadResult:
    """Read FusionCatcher's final list into Fusion records."""
    path = Path(path)
    _, rows = read_table(path, REQUIRED, header_hash=False)
    check = ContigChecker(str(path), build)
    fusions: list[Fusion] = []
    n = 0
    synthetic = 0
    for row in rows:
        n += 1
        five, three = row.get(G1).strip(), row.get(G2).strip()
        rec = f"{five}--{three}"
        bps = []
        for col, idcol in ((P1, ID1), (P2, ID2)):
            if _synthetic_locus(row.get(idcol, "")):
                synthetic += 1
                bps.append(None)
            else:
                bps.append(check.parse(row.get(col), row.line, rec, strand_required=True))
        pairs = to_int(path, row, "Spanning_pairs") or 0
        unique = to_int(path, row, "Spanning_unique_reads") or 0
        effect = row.get("Predicted_effect", "").strip()
        in_frame = {"in-frame": True, "out-of-frame": False}.get(effect)
        tags = tag_list(row.get("Fusion_description"))
        flags: list[str] = []
        if any(t.startswith(READ_THROUGH_TAGS) for t in tags):
            flags.append("read_through")
        flags += [f"known_artefact:{t}" for t in tags if t in artefact_tags]
        if effect and in_frame is None:
            flags.append(f"caller_effect:{effect}")
        if not five or not three:
            raise InputError(path, "gene symbol is empty", line=row.line, record=rec)
        fusions.append(rna_caller_fusion(path, row, CALLER, five, three, bps[0], bps[1],
                                         in_frame, unique, pairs, flags))
    warnings = []
    if synthetic:
        warnings.append(f"{path.name}: {synthetic} breakpoint(s) on FusionCatcher's synthetic "
                        "immunoglobulin loci (gene ids ENSG09...) have no genome position")
    return FusionReadResult(tuple(fusions), tuple(warnings), FusionFormat.FUSIONCATCHER.value, n)
