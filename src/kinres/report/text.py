"""Clinician-facing text: one place that decides what report.json text may be printed.

report.json keeps rule ids, knowledge ids and every citation for traceability; the HTML, PDF,
TSV and batch outputs print text only after it passes through here, so internal rule codes
("N9: ...", "A11/MET_AMP: ...", "(see bypass rule)") and non-public references (the internal
fact digest and its seeds) never reach a reader.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# "N9: ", "A11/MET_AMP: ", "X2: " at the start of a text or of a sentence/clause inside it.
_RULE_PREFIX = re.compile(r"(?:(?<=^)|(?<=[;.:,(]\s)|(?<=\())[A-Z]{1,3}\d{1,3}[a-z]?(?:/[A-Za-z0-9_]+)?:\s+")
_RULE_REFERENCE = re.compile(r"\s*\((?:see [^()]*\brule\b[^()]*)\)", re.IGNORECASE)
# Anything citing the internal digest or its seeds is not a public reference.
_NON_PUBLIC = re.compile(r"\bdigest\b|\bseeds?\s+S\d", re.IGNORECASE)

# Patterns a clinician-facing file must never contain (used by tests and by `leaks`).
LEAK_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"(?<![\w./:-])[A-Z]{1,3}\d{1,3}[a-z]?(?:/[A-Z][A-Za-z0-9_]+)?:\s"),  # "N9: ", "A11/MET_AMP: "
    re.compile(r"\b[A-Z]\d{1,3}/[A-Z][A-Z0-9_]+\b"),  # "A11/MET_AMP"
    re.compile(r"\bDigest\b"),
    re.compile(r"\bseeds?\s+S\d"),
    re.compile(r"see [a-z ]*\brule\b", re.IGNORECASE),
)


def clinical_text(text: str | None) -> str:
    """Text with internal rule codes and rule cross-references removed ('' for None)."""
    if not text:
        return ""
    out = _RULE_REFERENCE.sub("", text)
    out = _RULE_PREFIX.sub("", out)
    return re.sub(r"\s{2,}", " ", out).strip()


def is_public_citation(citation: str) -> bool:
    """False for references to internal, non-public material."""
    return bool(citation.strip()) and not _NON_PUBLIC.search(citation)


def public_citations(citations: Iterable[str]) -> tuple[str, ...]:
    """The citations a reader can look up (order kept, duplicates dropped)."""
    return tuple(dict.fromkeys(c.strip() for c in citations if is_public_citation(c)))


def strip_alteration_ids(text: str, ids: Iterable[str]) -> str:
    """'A3 KRAS p.G12C: ...' -> 'KRAS p.G12C: ...' for the report's own alteration ids."""
    for alt_id in sorted(set(ids), key=len, reverse=True):
        text = re.sub(rf"(?<![\w-]){re.escape(alt_id)}\s+(?=\S)", "", text)
        text = re.sub(rf"\s*\({re.escape(alt_id)}\)", "", text)
    return text


def leaks(text: str) -> list[str]:
    """Internal codes or non-public references found in rendered text (empty = clean)."""
    found = []
    for pattern in LEAK_PATTERNS:
        found += [m.group(0) for m in pattern.finditer(text)]
    return found
