"""Compare the kinres knowledge tables with public knowledge-base exports (curator tool).

Every normalised source statement (kinres.knowledge.sources) is looked up in the tables and put
into one category, most severe first:

  kinres_sensitive_source_resistant  kinres calls the drug sensitive, the source resistant/reduced
  kinres_resistant_source_sensitive  kinres resistant/reduced, the source sensitive
  kinres_unknown                     kinres has the variant but calls the drug unknown / has no row
  missing_in_kinres                  variant or drug absent from the tables
  weaker                             same direction, kinres weaker (reduced vs resistant, or a lower level)
  agree                              same direction, kinres level at least as strong
  out_of_scope                       not a driver-kinase statement kinres models (other genes, class-level
                                     alterations, combinations, non-predictive evidence ...)
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from kinres.atomic import atomic_write_text
from kinres.enums import MatchLevel
from kinres.knowledge.loader import TUMOUR_WORDS, KnowledgeBase, tumour_matches
from kinres.knowledge.records import DrugEvidence, level_rank
from kinres.knowledge.sources import FUSION, SourceStatement, read_source

CATEGORIES = ("kinres_sensitive_source_resistant", "kinres_resistant_source_sensitive", "kinres_unknown",
              "missing_in_kinres", "weaker", "agree", "out_of_scope")
TITLES = {
    "kinres_sensitive_source_resistant": "kinres sensitive vs source resistant (most severe)",
    "kinres_resistant_source_sensitive": "kinres resistant vs source sensitive",
    "kinres_unknown": "kinres unknown vs source evidence",
    "missing_in_kinres": "variant or drug missing in kinres",
    "weaker": "same direction but weaker in kinres",
    "agree": "agree",
    "out_of_scope": "out of scope",
}
COLUMNS = ("category", "gene", "variant", "drug", "source", "source_direction", "source_level",
           "source_level_internal", "source_disease", "kinres_call", "kinres_level", "kinres_ids",
           "source_reference", "source_file", "source_line", "note")
_AGAINST = ("resistant", "reduced")


@dataclass(frozen=True)
class Comparison:
    statement: SourceStatement
    category: str
    kinres_call: str  # sensitive | reduced | resistant | unknown | "" (missing / out of scope)
    kinres_level: str
    kinres_ids: tuple[str, ...]
    note: str


def _indication(disease: str) -> str:
    return "neuroblastoma" if "neuroblastoma" in disease.lower() else "fusion"


def _kinres_rows(kb: KnowledgeBase, st: SourceStatement) -> tuple[list[DrugEvidence] | None, str]:
    """Rows for (gene, variant, drug) in the tables; None when the variant itself is absent."""
    if st.variant == FUSION:
        rows = [r for r in kb.fusion_rows if r.gene == st.gene and (not st.drug or r.evidence.drug == st.drug)
                and (r.indication not in TUMOUR_WORDS or tumour_matches(st.disease, r.indication))]
        own = [r for r in rows if r.indication in TUMOUR_WORDS]
        if own:  # tumour-specific rows (e.g. crizotinib in ALK+ IMT) are the comparison for that tumour
            return [r.evidence for r in own], f"kinres {own[0].indication.upper()}-specific row"
        lung = any(w in st.disease.lower() for w in ("lung", "nsclc", "luad"))
        note = ("kinres fusion row is scoped to NSCLC; source disease "
                f"'{st.disease}'" if rows and all(r.indication == "nsclc" for r in rows) and st.disease and not lung else "")
        return [r.evidence for r in rows], note
    ind = _indication(st.disease)
    m = kb.match_variant(st.gene, st.variant, indication=ind)
    if not st.drug and (m is None or not m.rows):  # variant-level statement: any context counts
        m = kb.match_variant(st.gene, st.variant, indication="neuroblastoma")
    if m is None or m.level not in (MatchLevel.EXACT, MatchLevel.CODON) or not m.rows:
        other = "neuroblastoma" if ind == "fusion" else "fusion"
        alt = kb.match_variant(st.gene, st.variant, indication=other)
        if alt is not None and alt.rows and alt.indication == other:
            return None, f"kinres has this variant only in the {other} context"
        return None, ""
    note = ""
    if m.indication != ind:
        note = f"kinres row is for the {m.indication} context, source disease '{st.disease}'"
    elif ind == "neuroblastoma":
        note = "neuroblastoma (full-length ALK) context"
    if m.level is MatchLevel.CODON:
        note = "; ".join(x for x in (note, m.note) if x)
    return [r.evidence for r in m.rows if not st.drug or r.evidence.drug == st.drug], note


def classify(kb: KnowledgeBase, st: SourceStatement) -> Comparison:
    def out(category: str, note: str, rows: list[DrugEvidence] = ()) -> Comparison:
        call = _worst(rows)
        level = min((r.level for r in rows if r.call.value == call), key=level_rank, default="") if rows else ""
        return Comparison(st, category, call, level, tuple(sorted({r.id for r in rows})), note)

    if st.scope_note:
        return out("out_of_scope", st.scope_note)
    if st.gene not in kb.genes:
        return out("out_of_scope", f"{st.gene} is not a driver kinase in the kinres tables")
    rows, context = _kinres_rows(kb, st)
    if not st.drug:  # variant-level statement (OncoKB allAnnotatedVariants)
        if rows is None:
            return out("missing_in_kinres", f"variant not in the kinres tables ({st.level})")
        return out("agree", "; ".join(x for x in ("variant present in the kinres tables", context) if x), rows)
    if rows is None:
        return out("missing_in_kinres", "; ".join(x for x in (f"{st.gene} {st.variant} has no kinres row", context) if x))
    if st.drug not in kb.drugs:
        return out("missing_in_kinres", f"drug '{st.drug}' is not in drugs.tsv")
    if not rows:
        return out("kinres_unknown", "; ".join(x for x in (f"no kinres row for {st.drug}", context) if x))
    c = out("", context, rows)
    call = c.kinres_call
    if call == "unknown":
        return _with(c, "kinres_unknown", "kinres row withheld or unknown")
    if call == "sensitive" and st.direction in _AGAINST:
        return _with(c, "kinres_sensitive_source_resistant", "")
    if call in _AGAINST and st.direction == "sensitive":
        return _with(c, "kinres_resistant_source_sensitive", "")
    if call == "reduced" and st.direction == "resistant":
        return _with(c, "weaker", "kinres reduced, source resistant")
    if level_rank(c.kinres_level) > level_rank(st.internal_level):
        return _with(c, "weaker", f"kinres level {c.kinres_level} below source {st.level} ({st.internal_level})")
    return _with(c, "agree", "kinres resistant, source reduced" if (call, st.direction) == ("resistant", "reduced") else "")


def _with(c: Comparison, category: str, note: str) -> Comparison:
    return Comparison(c.statement, category, c.kinres_call, c.kinres_level, c.kinres_ids,
                      "; ".join(x for x in (note, c.note) if x))


def _worst(rows) -> str:
    order = {"resistant": 3, "reduced": 2, "unknown": 1, "sensitive": 0}
    calls = [r.call.value for r in rows]
    return max(calls, key=order.__getitem__) if calls else ""


def compare_files(kb: KnowledgeBase, paths: list[Path], fmt: str | None = None) -> list[Comparison]:
    results = []
    for path in paths:
        _, statements = read_source(path, fmt)
        results += [classify(kb, st) for st in statements]
    order = {c: i for i, c in enumerate(CATEGORIES)}
    return sorted(results, key=lambda c: (order[c.category], c.statement.gene, c.statement.variant,
                                          c.statement.drug, c.statement.source, c.statement.line))


# ------------------------------------------------------------------------------ output
def _cell(value: object) -> str:
    """One TSV cell: no tabs/newlines; a leading = + - @ is neutralised so spreadsheets show text."""
    text = str(value).replace("\t", " ").replace("\r", " ").replace("\n", " ")
    return "'" + text if text[:1] in ("=", "+", "@") or (text[:1] == "-" and len(text) > 1) else text


def to_rows(results: list[Comparison]) -> list[tuple]:
    return [(c.category, c.statement.gene, c.statement.variant, c.statement.drug or "-", c.statement.source,
             c.statement.direction or "-", c.statement.level, c.statement.internal_level or "-",
             c.statement.disease, c.kinres_call or "-", c.kinres_level or "-", ";".join(c.kinres_ids) or "-",
             c.statement.reference, Path(c.statement.path).name, c.statement.line, c.note) for c in results]


def write_tsv(path: Path, results: list[Comparison]) -> None:
    lines = ["\t".join(COLUMNS)] + ["\t".join(_cell(v) for v in row) for row in to_rows(results)]
    atomic_write_text(path, "\n".join(lines) + "\n")


def summary_markdown(results: list[Comparison], kb: KnowledgeBase, sources: list[Path]) -> str:
    counts = Counter(c.category for c in results)
    out = [f"# kinres knowledge compare (knowledge {kb.version}, set sha256 {kb.sha256[:12]})", "",
           "Sources: " + ", ".join(f"`{Path(p).name}`" for p in sources), "",
           "| category | statements |", "|---|---|"]
    out += [f"| {TITLES[c]} | {counts.get(c, 0)} |" for c in CATEGORIES]
    for cat in CATEGORIES:
        items = [c for c in results if c.category == cat]
        if not items or cat == "out_of_scope":
            continue
        # one line per variant and drug; every source statement behind it listed
        groups: dict[tuple[str, str, str], list[Comparison]] = {}
        for c in items:
            groups.setdefault((c.statement.gene, c.statement.variant, c.statement.drug), []).append(c)
        out += ["", f"## {TITLES[cat]} ({len(groups)} variant/drug pairs, {len(items)} statements)", ""]
        for (gene, variant, drug), cs in groups.items():
            c0 = cs[0]
            kin = f"kinres {c0.kinres_call} [{c0.kinres_level}]" if c0.kinres_call else "kinres: no row"
            srcs = "; ".join(
                f"{c.statement.source} {c.statement.direction or 'variant'} [{c.statement.level}], "
                f"{c.statement.disease or 'any disease'} ({Path(c.statement.path).name}:{c.statement.line}; "
                f"{c.statement.reference or 'no reference'})" + (f" — {c.note}" if c.note else "") for c in cs)
            out.append(f"- {gene} {variant} / {drug or '-'}: {kin} vs {srcs}")
    scope = Counter(c.note.split(" (")[0] for c in results if c.category == "out_of_scope")
    if scope:
        out += ["", f"## {TITLES['out_of_scope']} ({counts['out_of_scope']})", ""]
        out += [f"- {n} x {reason}" for reason, n in scope.most_common()]
    return "\n".join(out) + "\n"
