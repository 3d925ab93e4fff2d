"""Typed records that cross module boundaries.

Ingestion records (Sample, Variant, Fusion, CopyNumber, ...) are produced by io/ and
annotate/; report records (Alteration, DrugCall, ...) mirror the report contract
(shared/design/report-contract.md, schema_version "1") and are produced by interpret/.
All are frozen; use dataclasses.replace() to derive.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path

from kinres.enums import (
    AltKind,
    Build,
    CaveatCode,
    CnvFormat,
    Consequence,
    CopyNumberCall,
    DrugCallValue,
    EvidenceType,
    FusionFormat,
    GermlineStatus,
    MatchLevel,
    MechanismClass,
    Origin,
    Phase,
    Progression,
    Role,
    Specimen,
    StructuralClass,
)


@dataclass(frozen=True)
class SourceRef:
    """Where a record came from: file and 1-based line (or record number)."""

    path: str
    line: int | None = None


# --------------------------------------------------------------------------- sample sheet
@dataclass(frozen=True)
class Sample:
    sample_id: str
    patient_id: str
    specimen: Specimen
    tumor_type: str
    genome_build: Build
    collection_date: _dt.date | None = None
    prior_therapies: tuple[str, ...] = ()  # lower-case INN, oldest first
    current_therapy: str | None = None
    vcf: Path | None = None
    vcf_sample: str | None = None  # tumour column override
    fusions: Path | None = None
    fusion_format: FusionFormat | None = None  # None = detect from header
    cnv: Path | None = None
    cnv_format: CnvFormat | None = None
    bam: Path | None = None
    tumor_fraction: float | None = None  # from the sheet (e.g. orthogonal assay), 0..1
    purity: float | None = None  # tissue purity, 0..1
    ploidy: float | None = None
    cns_involvement: bool | None = None  # brain / leptomeningeal disease known
    source: SourceRef | None = None
    age_years: float | None = None  # patient age at collection (decimals: 0.5 = 6 months)
    # a sample_id of the same batch or an earlier report.json (resolved path): the reference for
    # acquired vs pre-existing alterations (interpret/patient.py)
    baseline: str | None = None
    germline_status: GermlineStatus | None = None  # None = not given
    progression: Progression | None = None  # course at collection; None = not stated
    histology: str | None = None  # free text from the sheet, e.g. "adenocarcinoma", "SCLC"
    # orthogonal results (io/orthogonal.py vocabulary), e.g. (("ALK_IHC", "negative"),)
    orthogonal: tuple[tuple[str, str | float], ...] = ()
    # report-only fields (printed, never interpreted): LIMS identifiers and sign-out
    accession: str | None = None
    ordering_clinician: str | None = None
    report_status: str | None = None  # draft | final | amended (None = config default)
    reviewed_by: str | None = None
    review_date: _dt.date | None = None

    def inputs(self) -> tuple[Path, ...]:
        return tuple(p for p in (self.vcf, self.fusions, self.cnv, self.bam) if p is not None)


# --------------------------------------------------------------------------- small variants
@dataclass(frozen=True)
class ProteinAnnotation:
    """A consequence on the panel's reporting transcript."""

    gene: str
    transcript: str  # reporting transcript, Ensembl ID without version
    consequences: tuple[Consequence, ...]
    hgvs_c: str | None = None  # "c.3604G>A"
    hgvs_p: str | None = None  # one-letter short form "p.G1202R"; None if non-coding
    protein_start: int | None = None
    protein_end: int | None = None
    ref_aa: str | None = None  # one-letter, may be several residues / "*"
    alt_aa: str | None = None
    exon: int | None = None
    intron: int | None = None
    refseq: str | None = None
    annotator: str = "kinres"  # "VEP", "snpEff", "bcftools-csq", "MAF", "kinres"
    note: str | None = None  # e.g. numbering mapped from another transcript
    # Another transcript's protein change, with its ID ("ENST00000394480:p.G623E"), when it could
    # not be re-expressed on the reporting transcript: shown in reports, never matched against
    # knowledge (its numbering is not the reporting transcript's).
    isoform_hgvs_p: str | None = None

    @property
    def is_protein_altering(self) -> bool:
        return self.hgvs_p is not None and not self.hgvs_p.endswith("=")


@dataclass(frozen=True)
class Variant:
    chrom: str
    pos: int  # 1-based, VCF convention
    ref: str
    alt: str
    vaf: float | None = None
    depth: int | None = None
    alt_reads: int | None = None
    filters: tuple[str, ...] = ("PASS",)
    caller: str | None = None
    source: SourceRef | None = None
    annotation: ProteinAnnotation | None = None
    info: tuple[tuple[str, str], ...] = ()  # selected raw INFO values, for the report appendix
    # "vcf" (anchored REF/ALT) or "maf": MAF alleles kept as written ('-' for an empty allele,
    # pos = Start_Position) because re-anchoring an indel needs the reference FASTA
    allele_convention: str = "vcf"

    @property
    def kind(self) -> AltKind:
        if self.allele_convention == "maf" and "-" in (self.ref, self.alt):
            return AltKind.INSERTION if self.ref == "-" else AltKind.DELETION
        r, a = len(self.ref), len(self.alt)
        if r == a == 1:
            return AltKind.SNV
        if r == a:
            return AltKind.MNV
        if r == 1 and a > 1 and self.ref[0] == self.alt[0]:
            return AltKind.INSERTION
        if a == 1 and r > 1 and self.ref[0] == self.alt[0]:
            return AltKind.DELETION
        return AltKind.DELINS

    @property
    def key(self) -> str:
        return f"{self.chrom}:{self.pos}:{self.ref}>{self.alt}"


# --------------------------------------------------------------------------- fusions
@dataclass(frozen=True)
class Breakpoint:
    chrom: str
    pos: int
    strand: str | None = None  # "+", "-" or None when the caller does not say
    ci: tuple[int, int] = (0, 0)  # imprecise DNA calls: CIPOS-style offsets around pos


@dataclass(frozen=True)
class Fusion:
    five_prime_gene: str
    three_prime_gene: str
    caller: str
    molecule: str  # "rna" or "dna"
    five_prime_breakpoint: Breakpoint | None = None
    three_prime_breakpoint: Breakpoint | None = None
    kinase_gene: str | None = None  # the panel kinase involved (ALK/ROS1/NTRK1-3/...)
    five_prime_exon: int | None = None
    three_prime_exon: int | None = None
    five_prime_intron: int | None = None  # DNA breakpoints in introns
    three_prime_intron: int | None = None
    junction_label: str | None = None  # "EML4 exon 6 :: ALK exon 20"
    variant_label: str | None = None  # "v3a"
    in_frame: bool | None = None
    frame_source: str | None = None  # "caller" | "computed" | None
    kinase_domain_retained: bool | None = None
    supporting_reads: int | None = None
    split_reads: int | None = None
    spanning_reads: int | None = None
    fusion_af: float | None = None  # DNA calls
    flags: tuple[str, ...] = ()  # read_through, known_artefact, reciprocal_merged, ...
    actionable: bool = False
    not_actionable_reasons: tuple[str, ...] = ()
    source: SourceRef | None = None


# --------------------------------------------------------------------------- copy number
@dataclass(frozen=True)
class CopyNumber:
    gene: str
    call: CopyNumberCall
    chrom: str | None = None
    start: int | None = None
    end: int | None = None
    copy_number: float | None = None  # as observed
    log2: float | None = None
    adjusted_copy_number: float | None = None  # purity / tumour-fraction corrected
    focal: bool | None = None
    segment_size: int | None = None
    caveats: tuple[CaveatCode, ...] = ()
    source: SourceRef | None = None
    purity_used: float | None = None  # purity / tumour fraction applied; None = unadjusted
    purity_source: str | None = None  # "purity" | "tumor_fraction" (sheet column) | None
    ploidy_used: float | None = None
    note: str | None = None  # why the call is what it is (unadjusted, broad, not assessable)


# --------------------------------------------------------------------------- BAM evidence
@dataclass(frozen=True)
class HotspotCoverage:
    gene: str
    hgvs_p: str  # knowledge-table hotspot, e.g. "p.G1202R" or codon "p.G1202"
    chrom: str
    pos: int  # first base of the codon (genomic, 1-based)
    depth: int
    alt_reads: int
    lod_vaf: float | None
    transcript: str | None = None
    ref_reads: int = 0  # fragments whose codon translates to the reference residue
    observed_aa: tuple[tuple[str, int], ...] = ()  # residue (or "del") -> fragment count
    note: str | None = None


@dataclass(frozen=True)
class PhaseCall:
    variant_a: str  # Variant.key
    variant_b: str
    phase: Phase
    reads_both: int
    reads_a_only: int
    reads_b_only: int
    reads_neither: int
    gene: str | None = None
    note: str | None = None  # why unknown (no spanning fragments, mixed evidence, ...)


# --------------------------------------------------------------------------- stage outputs
@dataclass(frozen=True)
class InputFile:
    path: str
    sha256: str


@dataclass(frozen=True)
class StageResult:
    """What one ingestion stage hands to the next (serialised as JSON between rules)."""

    stage: str  # "variants" | "fusions" | "cnv" | "coverage"
    sample_id: str
    variants: tuple[Variant, ...] = ()
    fusions: tuple[Fusion, ...] = ()
    copy_numbers: tuple[CopyNumber, ...] = ()
    hotspots: tuple[HotspotCoverage, ...] = ()
    phases: tuple[PhaseCall, ...] = ()
    mean_depth: float | None = None
    warnings: tuple[str, ...] = ()  # unparsable / skipped records, counted and named
    inputs: tuple[InputFile, ...] = ()
    parameters: tuple[tuple[str, str], ...] = ()


# --------------------------------------------------------------------------- report records
@dataclass(frozen=True)
class FusionSummary:
    five_prime_gene: str
    three_prime_gene: str
    five_prime_exon: int | None
    three_prime_exon: int | None
    junction_label: str | None
    variant_label: str | None
    in_frame: bool | None
    kinase_domain_retained: bool | None
    supporting_reads: int | None
    caller: str


@dataclass(frozen=True)
class Alteration:
    id: str
    kind: AltKind
    gene: str
    role: Role
    transcript: str | None = None
    hgvs_c: str | None = None
    hgvs_p: str | None = None
    exon: int | None = None
    vaf: float | None = None
    depth: int | None = None
    alt_reads: int | None = None
    copy_number: float | None = None
    fusion: FusionSummary | None = None
    in_kinase_domain: bool | None = None
    structural_class: StructuralClass | None = None
    flags: tuple[str, ...] = ()
    match_level: MatchLevel | None = None
    knowledge_ids: tuple[str, ...] = ()
    # Genomic coordinates of small variants (VCF convention), so reports can be joined back to
    # input VCF records (report/vcf_out.py); null for fusions and copy-number events.
    chrom: str | None = None
    pos: int | None = None
    ref: str | None = None
    alt: str | None = None
    # small variants: likely origin (interpret/origin.py) and why; a hint, never a filter
    origin: Origin | None = None
    origin_note: str | None = None
    # relative to the baseline / an earlier sample of the patient: "acquired" | "pre_existing" | "persisting" | None
    acquisition: str | None = None
    # reporting transcript: RefSeq ID and protein length (e.g. NTRK3 NM_001012338, 839 aa)
    refseq: str | None = None
    protein_length: int | None = None
    cn_threshold: str | None = None  # copy-number calls: the threshold rule the call met


@dataclass(frozen=True)
class PhaseEvidence:
    """Read-level evidence behind a phase call of two alterations (report ids)."""

    alteration_a: str
    alteration_b: str
    phase: Phase
    reads_both: int
    reads_a_only: int
    reads_b_only: int
    reads_neither: int
    note: str | None = None


@dataclass(frozen=True)
class ClinicalFigure:
    """A figure from the knowledge tables (figures.tsv) shown next to the call or mechanism it supports."""

    kind: str  # response_rate | median_pfs | median_dor | landmark_pfs | frequency_after_drug
    value: float
    unit: str  # "%" | "months"
    numerator: int | None
    denominator: int | None  # subgroup size (n)
    subgroup: str
    after_drug: str | None
    trial: str | None
    text: str  # reader-facing sentence, e.g. "response rate 59% (10/17) in ROS1 G2032R ... (TRIDENT-1)"
    citations: tuple[str, ...] = ()
    knowledge_id: str = ""  # figures.tsv id


@dataclass(frozen=True)
class Mechanism:
    mechanism_class: MechanismClass  # serialised as "class"
    label: str
    alteration_ids: tuple[str, ...]
    compound: bool = False
    phase: Phase | None = None
    evidence: tuple[str, ...] = ()
    # interpret: context the report must state (e.g. bypass: driver still detected? co-existing
    # on-target mutation?), and the knowledge rows behind the mechanism
    note: str | None = None
    knowledge_ids: tuple[str, ...] = ()
    phase_evidence: tuple[PhaseEvidence, ...] = ()  # read counts behind the phase call
    figures: tuple[ClinicalFigure, ...] = ()  # e.g. how often this mechanism follows a given drug


@dataclass(frozen=True)
class DrugCall:
    drug: str
    call: DrugCallValue
    evidence_type: EvidenceType
    level: str
    based_on: tuple[str, ...]
    citations: tuple[str, ...]
    rationale: str | None = None
    # interpret: curator confidence (H/M/L) of the deciding row and the rows considered
    confidence: str | None = None
    knowledge_ids: tuple[str, ...] = ()
    figures: tuple[ClinicalFigure, ...] = ()  # response rates etc. of the rows that decided the call
    # interpret/course.py: what the patient's course says beside the knowledge call, e.g.
    # "observed_progression" for the drug the tumour is progressing on (None = nothing known)
    clinical_status: str | None = None
    clinical_note: str | None = None


@dataclass(frozen=True)
class TherapyOption:
    rank: int
    option: str
    rationale: str
    evidence_level: str
    investigational: bool
    citations: tuple[str, ...] = ()
    # interpret: therapy rules (knowledge therapies.tsv) and drugs behind the option
    rule_ids: tuple[str, ...] = ()
    drugs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Caveat:
    code: CaveatCode
    text: str


@dataclass(frozen=True)
class ReportSample:
    """report.json `sample` (contract field names)."""

    id: str
    patient_id: str
    specimen: Specimen
    tumor_type: str
    collection_date: _dt.date | None
    genome_build: Build
    prior_therapies: tuple[str, ...]
    current_therapy: str | None
    cns_involvement: bool | None = None
    age_years: float | None = None  # from the sample sheet; drives age-restricted approvals
    progression: Progression | None = None
    histology: str | None = None
    orthogonal: dict[str, str | float] | None = None
    accession: str | None = None  # printed only
    ordering_clinician: str | None = None  # printed only


@dataclass(frozen=True)
class SignOut:
    """report.json `signout` (optional): status and reviewer set per sample in the sheet."""

    status: str | None = None  # draft | final | amended
    reviewed_by: str | None = None
    review_date: _dt.date | None = None


@dataclass(frozen=True)
class QC:
    """report.json `qc`."""

    tumor_fraction: float | None
    tumor_fraction_method: str
    informative_negative: bool | None
    mean_depth: float | None
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class ReportReference:
    """report.json `provenance.reference`."""

    build: Build
    annotation: str | None = None
    fasta: str | None = None


@dataclass(frozen=True)
class NotDetected:
    gene: str
    hgvs_p: str
    depth: int | None
    lod_vaf: float | None
    assessable: bool
    lod_source: str | None = None  # "bam" (per-hotspot, from reads) | "assay" (configured) | None


__all__ = [name for name in dir() if name[0].isupper() and not name.startswith("_")]
_ = field  # re-exported for callers that build records with default factories
