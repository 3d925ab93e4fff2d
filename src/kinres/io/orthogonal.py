"""Orthogonal test results from the sample sheet (`orthogonal` column): a small controlled vocabulary.

Written as `;`-separated KEY=VALUE pairs, e.g. `ALK_IHC=negative; MET_FISH_ratio=4.5;
RNA_fusion=confirmed`. Keys are case-insensitive and stored in the spelling of VOCABULARY;
categorical values are lower-case words from the key's list, numeric values are non-negative
numbers. Anything else is an error naming the key and the allowed values, because a mistyped
IHC result silently ignored is worse than a rejected sheet row.
"""

from __future__ import annotations

from dataclasses import dataclass

_IHC = ("positive", "negative", "equivocal")
_FISH = ("positive", "negative", "equivocal")


@dataclass(frozen=True)
class Key:
    name: str
    values: tuple[str, ...] | None  # None = non-negative number
    meaning: str


VOCABULARY: tuple[Key, ...] = (
    Key("ALK_IHC", _IHC, "ALK immunohistochemistry (e.g. D5F3)"),
    Key("ALK_FISH", _FISH, "ALK break-apart FISH"),
    Key("ROS1_IHC", _IHC, "ROS1 immunohistochemistry (D4D6); screening only, confirm positives"),
    Key("ROS1_FISH", _FISH, "ROS1 break-apart FISH"),
    Key("PANTRK_IHC", _IHC, "pan-TRK immunohistochemistry; screening only, confirm positives"),
    Key("NTRK_FISH", _FISH, "NTRK1/2/3 break-apart FISH"),
    Key("RNA_fusion", ("confirmed", "not_confirmed", "failed"),
        "RNA-level confirmation of the reported fusion (RNA-seq / RNA panel / RT-PCR)"),
    Key("MET_FISH_ratio", None, "MET/CEP7 FISH ratio (>= 2.0 amplification)"),
    Key("MET_FISH_GCN", None, "MET mean gene copy number by FISH"),
    Key("MET_IHC", _IHC, "c-MET protein immunohistochemistry"),
    Key("NE_markers", ("positive", "negative"),
        "neuroendocrine markers (synaptophysin, chromogranin, INSM1) on the re-biopsy"),
    Key("RB1_IHC", ("retained", "lost"), "RB1 protein immunohistochemistry"),
    Key("TP53_IHC", ("wildtype", "aberrant"), "p53 immunohistochemistry pattern"),
)
_BY_LOWER = {k.name.lower(): k for k in VOCABULARY}


class OrthogonalError(ValueError):
    """A bad orthogonal entry; the message names the entry and what is allowed."""


def describe() -> str:
    """One line per key, for error messages and documentation."""
    return "; ".join(f"{k.name}={'|'.join(k.values) if k.values else '<number>'}" for k in VOCABULARY)


def parse_orthogonal(text: str) -> tuple[tuple[str, str | float], ...]:
    """`ALK_IHC=negative; MET_FISH_ratio=4.5` -> (("ALK_IHC", "negative"), ("MET_FISH_ratio", 4.5)).

    Order follows the text; a key given twice is an error (which value would count?)."""
    out: list[tuple[str, str | float]] = []
    seen: set[str] = set()
    for raw in text.split(";"):
        entry = raw.strip()
        if not entry:
            continue
        name, sep, value = (p.strip() for p in entry.partition("="))
        if not sep or not name or not value:
            raise OrthogonalError(f"{entry!r} is not KEY=VALUE (e.g. ALK_IHC=negative)")
        key = _BY_LOWER.get(name.lower())
        if key is None:
            raise OrthogonalError(f"unknown key {name!r}; allowed: {', '.join(k.name for k in VOCABULARY)}")
        if key.name in seen:
            raise OrthogonalError(f"{key.name} given twice")
        seen.add(key.name)
        if key.values is None:
            try:
                number = float(value)
            except ValueError:
                raise OrthogonalError(f"{key.name}={value!r}: not a number") from None
            if not number >= 0 or number == float("inf"):
                raise OrthogonalError(f"{key.name}={value!r}: must be a non-negative number")
            out.append((key.name, number))
            continue
        word = value.lower().replace(" ", "_").replace("-", "_")
        if word not in key.values:
            raise OrthogonalError(f"{key.name}={value!r}: allowed values are {', '.join(key.values)}")
        out.append((key.name, word))
    return tuple(out)
