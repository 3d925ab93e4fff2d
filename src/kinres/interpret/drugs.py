"""Per-drug calls for every drug relevant to the driver, from knowledge rows only.

Sources for one drug: the driver-level fusion row (baseline), each on-target mutation's row (or
the cis-compound row), and each bypass rule's effect on single-agent driver TKIs. The call is the
most conservative (resistant > reduced > unknown > sensitive); the rationale lists every row
considered when they disagree. A matched resistance mutation without a row for a drug makes that
drug 'unknown'. A drug with no row at all is 'unknown', evidence_type 'inferred', level 'NONE',
rationale 'no knowledge row'.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from kinres.enums import Confidence, DrugCallValue, EvidenceType, Role
from kinres.interpret.frames import is_lung
from kinres.interpret.mechanisms import Finding, OnTargetGroup
from kinres.knowledge.loader import CONTEXT_LABELS, TUMOUR_WORDS, KnowledgeBase, tumour_matches
from kinres.knowledge.records import DrugEvidence, call_severity, level_rank
from kinres.models import DrugCall, Sample

_SPECIFICITY = {"compounds": 0, "mutations": 1, "-": 1, "bypass": 2, "fusions": 3}
CONTEXT_TRANSFER = "other context"


@dataclass(frozen=True)
class Source:
    evidence: DrugEvidence
    alteration_ids: tuple[str, ...]
    what: str  # human label, e.g. "ALK p.G1202R"


def _no_row(drug: str, what: str) -> DrugEvidence:
    return DrugEvidence(id=f"none:{what}:{drug}", drug=drug, call=DrugCallValue.UNKNOWN,
                        evidence_type=EvidenceType.INFERRED, level="NONE", confidence=Confidence.LOW,
                        citations=(), note="no knowledge row", table="-")


def in_context(ev: DrugEvidence, match) -> DrugEvidence:
    """A row from another context (e.g. fusion-context row for a neuroblastoma ALK mutation) is not
    transferred: it contributes 'unknown' (inferred) and the rationale names what it says."""
    if match is None or not match.borrowed:
        return ev
    return replace(ev, call=DrugCallValue.UNKNOWN, evidence_type=EvidenceType.INFERRED, level="INF",
                   note=f"{CONTEXT_TRANSFER}: {CONTEXT_LABELS.get(match.indication, match.indication)} row "
                        f"says {ev.call.value}; not transferred to the "
                        f"{CONTEXT_LABELS.get(match.requested_indication, match.requested_indication)} context")


def driver_genes(findings: list[Finding], groups: list[OnTargetGroup]) -> list[str]:
    """Kinases whose drugs are called: actionable driver fusions, driver point mutations, on-target genes."""
    genes = {f.alteration.gene for f in findings if f.actionable_driver}
    genes |= {f.alteration.gene for f in findings if f.alteration.role is Role.DRIVER and f.usable}
    genes |= {g.gene for g in groups}
    return sorted(genes)


def _is_lung(tumor_type: str) -> bool:
    return is_lung(tumor_type)


def sources_for(drug: str, gene: str, findings: list[Finding], groups: list[OnTargetGroup],
                kb: KnowledgeBase, sample: Sample) -> list[Source]:
    out: list[Source] = []
    for f in findings:
        if f.actionable_driver and f.alteration.gene == gene and f.fusion is not None:
            fm = kb.match_fusion(f.fusion)
            for r in fm.rows if fm else ():
                if r.evidence.drug != drug:
                    continue
                ev = r.evidence
                if r.indication in TUMOUR_WORDS and not tumour_matches(sample.tumor_type, r.indication):
                    continue  # an IMT/ALCL approval is not transferred to another tumour type
                if r.indication == "nsclc" and not _is_lung(sample.tumor_type):
                    # approvals for NSCLC are not transferred to another tumour type
                    ev = replace(ev, level="CLIN-cohort",
                                 note=f"{ev.note}; approval is for NSCLC, not transferred to '{sample.tumor_type}'")
                out.append(Source(ev, (f.id,), f"{f.fusion.five_prime_gene}-{f.fusion.three_prime_gene} fusion"))
        if f.alteration.role is Role.DRIVER and f.usable and f.variant is not None and f.alteration.gene == gene:
            rows = [r for r in (f.match.rows if f.match else ()) if r.evidence.drug == drug]
            what = f"{gene} {f.alteration.hgvs_p} ({f.match.requested_indication if f.match else ''})"
            out += ([Source(in_context(r.evidence, f.match), (f.id,), what) for r in rows]
                    or [Source(_no_row(drug, what), (f.id,), what)])
    for g in (g for g in groups if g.gene == gene):
        if g.is_cis_compound and g.compound is not None:
            rows = [r for r in g.compound.rows if r.evidence.drug == drug]
            if rows:
                ids = tuple(f.id for f in g.findings)
                out += [Source(r.evidence, ids, f"{gene} {' + '.join(g.changes)} (cis)") for r in rows]
                if any(r.evidence.call is not DrugCallValue.UNKNOWN for r in rows):
                    continue
                # An 'unknown' compound row (sparse or low-confidence data) must not hide resistance
                # already established for a component, so the single-mutation rows are pooled in.
                # This can never yield 'sensitive': unknown outranks sensitive when combining.
        for f in g.findings:
            what = f"{gene} {f.alteration.hgvs_p}"
            rows = [r for r in (f.match.rows if f.match else ()) if r.evidence.drug == drug]
            out += ([Source(in_context(r.evidence, f.match), (f.id,), what) for r in rows]
                    or [Source(_no_row(drug, what), (f.id,), what)])
    core = kb.drug(drug)
    if core is not None and gene in core.core_for:
        for f in findings:
            rule = f.bypass
            if rule is None or not f.usable or gene not in rule.driver_genes or f.alteration.role is Role.ON_TARGET_RESISTANCE:
                continue
            ev = DrugEvidence(id=f"bypass:{rule.id}:{drug}", drug=drug, call=rule.tki_call,
                              evidence_type=rule.evidence_type, level=rule.level, confidence=rule.confidence,
                              citations=rule.citations, table="bypass",
                              note=f"{rule.label}: single-agent {gene} TKI activity expected to be limited")
            if rule.confidence is Confidence.LOW and rule.tki_call is not DrugCallValue.UNKNOWN:
                ev = replace(ev, call=DrugCallValue.UNKNOWN)
            out.append(Source(ev, (f.id,), rule.label))
    # one source per (row id, alterations): transitively identical rows from repeated matching
    uniq = {(s.evidence.id, s.alteration_ids): s for s in out}
    return [uniq[k] for k in sorted(uniq)]


def _id_key(i: str) -> tuple[int, str]:
    return (int(i[1:]) if i[1:].isdigit() else 10**9, i)


def combine(drug: str, sources: list[Source]) -> DrugCall:
    """Most conservative call across sources; deciding evidence = best-supported row with that call."""
    if not sources:
        return DrugCall(drug=drug, call=DrugCallValue.UNKNOWN, evidence_type=EvidenceType.INFERRED, level="NONE",
                        based_on=(), citations=(), rationale="no knowledge row", confidence=None)
    worst = max(call_severity(s.evidence.call) for s in sources)
    deciding = [s for s in sources if call_severity(s.evidence.call) == worst]
    # the most specific row decides (compound > mutation > bypass > fusion baseline), then evidence
    best = min(deciding, key=lambda s: (_SPECIFICITY.get(s.evidence.table, 1), level_rank(s.evidence.level),
                                        s.evidence.confidence.value, s.evidence.id))
    call = best.evidence.call
    based_on = tuple(sorted({i for s in sources for i in s.alteration_ids}, key=_id_key))
    cites = tuple(sorted({c for s in deciding for c in s.evidence.citations}))
    parts = []
    for s in sorted(sources, key=lambda s: (-call_severity(s.evidence.call), s.what, s.evidence.id)):
        e = s.evidence
        desc = f"{s.what}: {e.call.value} [{e.level}, {e.evidence_type.value}, conf {e.confidence.value}; {e.id}]"
        if "not transferred" in e.note:
            desc += " (approval is for NSCLC; not transferred to this tumour type)"
        if e.note == "no knowledge row":
            desc = f"{s.what}: no knowledge row for {drug} -> unknown"
        if e.note.startswith(CONTEXT_TRANSFER):
            desc = f"{s.what}: unknown ({e.note}) [{e.id}]"
        if e.confidence is Confidence.LOW and e.table in ("mutations", "compounds") and e.source_call not in ("", "U"):
            desc += (f" (low confidence; verified: {e.verified_citation})" if e.verified_citation
                     else f" (curated call '{e.source_call}' withheld: low confidence)")
        parts.append(desc)
    distinct = {s.evidence.call for s in sources}
    prefix = "conflicting rows, most conservative call taken: " if len(distinct) > 1 else ""
    rationale = prefix + "; ".join(parts)
    if best.evidence.resensitises and call is DrugCallValue.SENSITIVE:
        rationale += "; re-sensitisation documented"
    return DrugCall(drug=drug, call=call, evidence_type=best.evidence.evidence_type, level=best.evidence.level,
                    based_on=based_on, citations=cites, rationale=rationale,
                    confidence=best.evidence.confidence.value,
                    knowledge_ids=tuple(sorted({s.evidence.id for s in sources if s.evidence.table != "-"})))


_NAIVE_WORDS = ("tki-naive", "tki naive", "treatment-naive", "first-line", "first line")
_PRETREATED_WORDS = ("pretreated", "pre-treated", "prior", "after ", "relapsed", "refractory", "progression")


def figure_population(subgroup: str) -> str | None:
    """'naive' | 'pretreated' from a figure's subgroup wording; None when it does not say."""
    low = subgroup.lower()
    if any(w in low for w in _NAIVE_WORDS):
        return "naive"
    if any(w in low for w in _PRETREATED_WORDS):
        return "pretreated"
    return None


def figures_for_population(figs, pretreated: bool):
    """After a kinase TKI only figures measured in pretreated patients apply: TKI-naive figures are
    left out and figures that do not state their population are labelled as such."""
    if not pretreated:
        return tuple(figs)
    out = []
    for f in figs:
        pop = figure_population(f.subgroup)
        if pop == "naive":
            continue
        if pop is None:
            f = replace(f, text=f"{f.text}; population not restricted to TKI-pretreated patients")
        out.append(f)
    return tuple(out)


def drug_calls(findings: list[Finding], groups: list[OnTargetGroup], kb: KnowledgeBase,
               sample: Sample) -> tuple[list[DrugCall], dict[str, list[Source]]]:
    """One call per drug relevant to the driver(s) (core drugs + drugs with a matching row)."""
    calls: dict[str, DrugCall] = {}
    all_sources: dict[str, list[Source]] = {}
    given = (*sample.prior_therapies, *((sample.current_therapy,) if sample.current_therapy else ()))
    pretreated = any((x := kb.drug(d.lower())) is not None and x.core_for for d in given)
    for gene in driver_genes(findings, groups):
        names = [d.drug for d in kb.drugs_for(gene)]
        for f in findings:
            if f.match is not None and f.alteration.gene == gene and f.usable:
                names += [r.evidence.drug for r in f.match.rows]
        for g in groups:
            if g.gene == gene and g.compound is not None:
                names += [r.evidence.drug for r in g.compound.rows]
        for drug in dict.fromkeys(names):
            srcs = sources_for(drug, gene, findings, groups, kb, sample)
            if drug in all_sources:  # drug shared by two drivers (rare): pool the sources
                srcs = all_sources[drug] + [s for s in srcs if s not in all_sources[drug]]
            all_sources[drug] = srcs
            call = combine(drug, srcs)
            # figures of the rows that decided the call (not of rows overruled by a more conservative one)
            deciding = [x.evidence for x in srcs if x.evidence.call is call.call]
            specific = {e.id for e in deciding if e.table in ("mutations", "compounds")}
            # mutation-specific figures (ORR in G2032R) replace the driver-level ones (TKI-naive ORR)
            figs = figures_for_population(
                (f.as_clinical_figure() for f in (kb.figures_for(specific) or kb.figures_for({e.id for e in deciding}))),
                pretreated)
            calls[drug] = replace(call, figures=figs) if figs else call
    order = {d: i for i, d in enumerate(kb.drugs)}
    names_sorted = sorted(calls, key=lambda d: (order.get(d, 10**6), d))
    return [calls[d] for d in names_sorted], all_sources
