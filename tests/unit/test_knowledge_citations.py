"""Every knowledge citation is a public reference; no knowledge text names the internal digest,
its seed articles or internal rule codes (these would reach clinicians through citations,
therapy rationales, approvals and notes)."""

from __future__ import annotations

import csv
import re

import pytest

from kinres.knowledge import manifest
from kinres.paths import KNOWLEDGE_DIR

# Public reference forms: identifiers, trial names, labels, guidelines, author-year journal refs.
PUBLIC = [
    r"PMID:\d{6,9}",
    r"PMC\d{5,9}",
    r"DOI:10\.\d{4,9}/\S+",
    r"NCT\d{8}",
    r"(FDA|EMA|NMPA) label: .+",
    r"(NCCN|ESMO|IASLC|CSCO|ASCO) .+",
    # trial acronyms, optionally with a number/suffix and an NCT id in brackets
    r"(CROWN|ALEX|ALTA|ALTA-1L|ASCEND-4|eXalt3|PROFILE \d{4}|STARTRK-2|TRIDENT-1|TRUST-I|TRUST-II|ALKOVE-1)"
    r"( \((NCT\d{8}|[^()]+)\))?",
    # author-year journal reference (the identifier may be missing where no PMID was verified)
    r"[A-Z][a-z]+(-[A-Z][a-z]+)? (\d{4}) [A-Za-z].*",
    r"(Clin Cancer Res|npj Precis Oncol) \d{4}.*",
]
PUBLIC_RE = re.compile("|".join(f"(?:{p})" for p in PUBLIC))

# Non-public or internal references that must never appear in knowledge text.
FORBIDDEN = re.compile(
    r"\bdigest\b|\bseeds?\b|\bS[0-4]\b|\bsection \d|\bs\d\.\d|"
    r"\((?:A\d+[a-z]?|R\d+|N\d+b?|X\d+|NB\d+)\)|\b(?:rule|row) (?:A|R|N|X)\d+\b",
    re.IGNORECASE)

CITATION_COLUMNS = ("citations", "verified_citation")


def _tables():
    for path in manifest.table_files(KNOWLEDGE_DIR):
        with open(path, newline="", encoding="utf-8") as fh:
            yield path.name, list(csv.DictReader(fh, delimiter="\t"))


def _cells():
    for name, rows in _tables():
        for i, row in enumerate(rows, start=2):
            for col, value in row.items():
                if value:
                    yield name, i, col, value


def test_every_citation_token_is_public():
    problems = []
    for name, line, col, value in _cells():
        if col != "citations":
            continue
        for token in (t.strip() for t in value.split(";")):
            if not PUBLIC_RE.fullmatch(token):
                problems.append(f"{name}:{line} {col}: {token!r}")
    assert not problems, "non-public citation forms:\n" + "\n".join(problems)


@pytest.mark.parametrize("column_kind", ["citations", "text"])
def test_no_internal_reference_in_any_table(column_kind):
    problems = []
    for name, line, col, value in _cells():
        is_cite = col in CITATION_COLUMNS
        if (column_kind == "citations") != is_cite or col in ("rule_id", "id", "trigger"):
            continue
        m = FORBIDDEN.search(value)
        if m:
            problems.append(f"{name}:{line} {col}: ...{value[max(0, m.start() - 30):m.end() + 30]}...")
    assert not problems, "internal references in knowledge text:\n" + "\n".join(problems)


def test_forbidden_pattern_catches_the_old_forms():
    for bad in ("Digest section 3 (seed S3)", "Digest section 4 (seeds S0, S3)", "not S3's 63%",
                "option after crizotinib (digest R4)", "InnoCare announcement; digest s2.3", "(A8)"):
        assert FORBIDDEN.search(bad), bad
    for good in ("PMID:27432227", "CROWN 5-year PFS 60% (JCO 2024)", "ALK TKI plus MET inhibitor",
                 "Lorlatinib sensitive (S)", "ROS1 S1986F"):
        assert not FORBIDDEN.search(good), good
