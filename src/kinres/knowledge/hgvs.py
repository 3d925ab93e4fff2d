"""Normalise protein HGVS to the one-letter short form the knowledge tables use."""

from __future__ import annotations

import re

_THREE = {
    "Ala": "A", "Arg": "R", "Asn": "N", "Asp": "D", "Cys": "C", "Gln": "Q", "Glu": "E", "Gly": "G",
    "His": "H", "Ile": "I", "Leu": "L", "Lys": "K", "Met": "M", "Phe": "F", "Pro": "P", "Ser": "S",
    "Thr": "T", "Trp": "W", "Tyr": "Y", "Val": "V", "Ter": "*", "Sec": "U",
}
_THREE_RE = re.compile("|".join(_THREE))
SUBST_RE = re.compile(r"^p\.([A-Z])(\d+)([A-Z*])$")
POS_RE = re.compile(r"^p\.([A-Z])(\d+)")


def normalise_p(hgvs_p: str | None) -> str | None:
    """'ENSP..:p.(Gly1202Arg)' -> 'p.G1202R'; None stays None."""
    if not hgvs_p:
        return None
    text = hgvs_p.strip()
    if ":" in text:
        text = text.split(":", 1)[1]
    if not text.startswith("p."):
        text = "p." + text
    text = text.replace("(", "").replace(")", "")
    text = _THREE_RE.sub(lambda m: _THREE[m.group(0)], text)
    return text


def position(hgvs_p: str | None) -> tuple[str, int] | None:
    """(ref_aa, aa_pos) of the first residue named, e.g. ('G', 1202)."""
    norm = normalise_p(hgvs_p)
    m = POS_RE.match(norm) if norm else None
    return (m.group(1), int(m.group(2))) if m else None


def is_substitution(hgvs_p: str | None) -> bool:
    norm = normalise_p(hgvs_p)
    return bool(norm and SUBST_RE.match(norm) and not norm.endswith("*"))
