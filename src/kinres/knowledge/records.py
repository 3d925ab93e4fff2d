"""Typed rows of the knowledge tables (resources/knowledge/*.tsv) and match results."""

from __future__ import annotations

from dataclasses import dataclass

from kinres.enums import (
    Confidence,
    DrugCallValue,
    EvidenceType,
    MatchLevel,
    MechanismClass,
    StructuralClass,
)

# Internal evidence scale (digest section 6), best first. "NONE" marks a drug with no row.
LEVELS: tuple[str, ...] = ("CLIN-approved", "CLIN-cohort", "CASE", "PRE", "INF", "NONE")


def level_rank(level: str) -> int:
    """0 for CLIN-approved ... 5 for NONE (lower is better)."""
    return LEVELS.index(level) if level in LEVELS else len(LEVELS)


# Most conservative first: resistant beats reduced beats unknown beats sensitive.
_CALL_SEVERITY = {DrugCallValue.RESISTANT: 3, DrugCallValue.REDUCED: 2, DrugCallValue.UNKNOWN: 1,
                  DrugCallValue.SENSITIVE: 0}


def call_severity(call: DrugCallValue) -> int:
    """Higher is more conservative (used to combine conflicting rows)."""
    return _CALL_SEVERITY[call]


@dataclass(frozen=True)
class DrugEvidence:
    """One knowledge row's statement about one drug (shared shape of mutation/compound/fusion rows)."""

    id: str
    drug: str
    call: DrugCallValue
    evidence_type: EvidenceType
    level: str
    confidence: Confidence
    citations: tuple[str, ...]
    verified_citation: str = ""
    resensitises: bool = False
    source_call: str = ""
    note: str = ""
    table: str = "mutations"
    line: int = 0


@dataclass(frozen=True)
class MutationRow:
    gene: str
    hgvs_p: str  # exact "p.G1202R" or codon-level "p.G1202"
    aa_pos: int
    ref_aa: str
    alt_aa: str  # "" for codon-level rows and indels
    indication: str  # "fusion" (acquired resistance) | "neuroblastoma" (primary driver)
    structural_class: StructuralClass
    evidence: DrugEvidence

    @property
    def is_codon(self) -> bool:
        return self.hgvs_p == f"p.{self.ref_aa}{self.aa_pos}"


@dataclass(frozen=True)
class CompoundRow:
    gene: str
    changes: tuple[str, ...]  # protein order
    evidence: DrugEvidence


@dataclass(frozen=True)
class FusionRow:
    gene: str
    indication: str  # "nsclc" | "tumour_agnostic"
    evidence: DrugEvidence


@dataclass(frozen=True)
class FusionVariant:
    id: str
    gene: str
    partner: str
    five_prime_exon: int
    three_prime_exon: int
    variant_label: str
    association: str
    associated_mutation: str
    confidence: Confidence
    citations: tuple[str, ...]


@dataclass(frozen=True)
class GeneInfo:
    gene: str
    transcript: str
    refseq: str
    protein_length: int
    kinase_domain: tuple[int, int]
    indications: tuple[str, ...]
    domain_source: str  # "panel" or "genes.tsv"


@dataclass(frozen=True)
class StructuralResidue:
    gene: str
    aa_pos: int
    ref_aa: str
    structural_class: StructuralClass
    note: str


@dataclass(frozen=True)
class Drug:
    drug: str
    targets: tuple[str, ...]
    core_for: tuple[str, ...]
    generation: str
    inhibitor_type: str
    brain_penetrant: str  # yes | no | partial
    cns_rank: int | None
    approval_status: str  # approved | investigational | approved_other_indication
    approvals: str
    jurisdiction_note: str
    note: str
    # youngest approved age per driver family ("ALK", "ROS1", "NTRK"); a family not listed = unknown
    min_age_years: tuple[tuple[str, float], ...] = ()

    @property
    def investigational(self) -> bool:
        return self.approval_status == "investigational"

    def min_age_for(self, driver_gene: str) -> float | None:
        """Youngest approved age (years) for this driver's approval; None if unknown or not approved."""
        family = "NTRK" if driver_gene.startswith("NTRK") else driver_gene
        return dict(self.min_age_years).get(family)


@dataclass(frozen=True)
class BypassRule:
    id: str
    genes: tuple[str, ...]
    pattern: str
    mechanism_class: MechanismClass
    label: str
    driver_genes: tuple[str, ...]
    tki_call: DrugCallValue  # effect on single-agent driver TKIs
    evidence_type: EvidenceType
    level: str
    confidence: Confidence
    option: str
    option_drugs: tuple[str, ...]
    investigational: bool
    citations: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class TherapyRule:
    rule_id: str
    driver_gene: str  # ALK | ROS1 | NTRK | *
    trigger: tuple[str, ...]  # conditions, all must hold
    kind: str
    option: str
    drugs: tuple[str, ...]
    priority: int
    evidence_level: str
    investigational: bool
    confidence: Confidence
    citations: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class Figure:
    """figures.tsv row: a clinical figure supporting knowledge rows (ids as in report.json knowledge_ids)."""

    id: str
    applies_to: tuple[str, ...]
    driver_gene: str  # "" = any; else only shown for samples with this driver (bypass frequencies)
    kind: str  # response_rate | median_pfs | median_dor | landmark_pfs | frequency_after_drug
    value: float
    unit: str  # % | months
    numerator: int | None
    denominator: int | None
    subgroup: str
    after_drug: str
    trial: str
    citations: tuple[str, ...]
    confidence: Confidence
    note: str

    @property
    def text(self) -> str:
        """Reader-facing sentence, e.g. 'ORR 59% (10/17) in ROS1 G2032R, after a prior ROS1 TKI (TRIDENT-1)'."""
        value = f"{self.value:g}{'%' if self.unit == '%' else ' months'}"
        if self.numerator is not None and self.denominator is not None:
            value += f" ({self.numerator}/{self.denominator})"
        elif self.denominator is not None:
            value += f" (n={self.denominator})"
        trial = f" ({self.trial})" if self.trial else ""
        if self.kind == "frequency_after_drug":
            return f"seen in {value} of {self.subgroup} after {self.after_drug}{trial}"
        label = {"response_rate": "response rate", "median_pfs": "median PFS", "median_dor": "median duration of response",
                 "landmark_pfs": "PFS rate"}[self.kind]
        return f"{label} {value} in {self.subgroup}{trial}"

    def as_clinical_figure(self):
        from kinres.models import ClinicalFigure

        return ClinicalFigure(kind=self.kind, value=self.value, unit=self.unit, numerator=self.numerator,
                              denominator=self.denominator, subgroup=self.subgroup,
                              after_drug=self.after_drug or None, trial=self.trial or None, text=self.text,
                              citations=self.citations, knowledge_id=self.id)


@dataclass(frozen=True)
class Hotspot:
    """A knowledge-table resistance position the coverage stage should check (API for io/coverage)."""

    gene: str
    hgvs_p: str  # "p.G1202R", "p.G1202del", "p.T1151_L1152insT" or codon-level "p.G1202"
    aa_pos: int
    ref_aa: str
    alt_aa: str | None  # None for codon-level rows and in-frame indels


@dataclass(frozen=True)
class Match:
    """Result of KnowledgeBase.match_variant, most specific level that matched."""

    level: MatchLevel
    gene: str
    hgvs_p: str | None
    rows: tuple[MutationRow, ...]  # empty at domain/gene level and for unlisted codon alleles
    structural_class: StructuralClass | None
    knowledge_ids: tuple[str, ...]
    indication: str = "fusion"  # context of the rows returned
    note: str = ""
    requested_indication: str = "fusion"  # context of the sample

    @property
    def actionable_rows(self) -> tuple[MutationRow, ...]:
        return self.rows

    @property
    def borrowed(self) -> bool:
        """Rows come from another context than the sample's (e.g. fusion-context rows for neuroblastoma)."""
        return bool(self.rows) and self.indication != self.requested_indication


@dataclass(frozen=True)
class CompoundMatch:
    gene: str
    changes: tuple[str, ...]
    rows: tuple[CompoundRow, ...]

    @property
    def key(self) -> str:
        return f"{self.gene}:{'+'.join(self.changes)}"


@dataclass(frozen=True)
class FusionMatch:
    gene: str
    rows: tuple[FusionRow, ...]
    variants: tuple[FusionVariant, ...]
