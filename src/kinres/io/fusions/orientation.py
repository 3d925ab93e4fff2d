"""Which end of a gene a breakpoint keeps, from gene strand and the retained side.

A junction joins the sequence kept on one side of breakpoint A to the sequence kept on one side
of breakpoint B. "left" means the lower coordinates are kept, "right" the higher ones. A gene
contributes its 5' part when it keeps the side its transcription starts from.
"""

from __future__ import annotations

LEFT = "left"
RIGHT = "right"
FIVE = "5p"
THREE = "3p"


def gene_portion(strand: str | int | None, keeps: str) -> str | None:
    """'5p' / '3p' for the part of a gene retained at a breakpoint; None if strand unknown."""
    if strand in ("+", 1, "1"):
        return FIVE if keeps == LEFT else THREE
    if strand in ("-", -1, "-1"):
        return FIVE if keeps == RIGHT else THREE
    return None


def arriba_keeps(direction: str) -> str | None:
    """Arriba direction 'downstream' = partner fused at higher coordinates, so the left is kept."""
    return {"downstream": LEFT, "upstream": RIGHT}.get(direction.strip())
