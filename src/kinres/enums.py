"""Controlled vocabularies shared across modules (values are the report-contract strings)."""

from __future__ import annotations

from enum import Enum


class StrEnum(str, Enum):
    """str-valued enum whose str() is its value (Python 3.10 has no enum.StrEnum)."""

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.value


class Build(StrEnum):
    GRCh37 = "GRCh37"
    GRCh38 = "GRCh38"


class Specimen(StrEnum):
    TISSUE = "tissue"
    PLASMA = "plasma"
    CSF = "csf"

    @property
    def is_liquid(self) -> bool:
        return self is not Specimen.TISSUE

    @property
    def label(self) -> str:
        """Clinician-facing name: "tissue", "plasma", "CSF" (an abbreviation stays upper case)."""
        return "CSF" if self is Specimen.CSF else self.value

    @property
    def label_capitalised(self) -> str:
        """Label at the start of a sentence: "Tissue", "Plasma", "CSF"."""
        return self.label[0].upper() + self.label[1:]


class Progression(StrEnum):
    """Course of disease at collection (sample sheet `progression`); None = not stated."""

    SYSTEMIC = "systemic"
    OLIGOPROGRESSION = "oligoprogression"  # 1-3 progressing sites, rest controlled
    CNS_ONLY = "cns_only"  # intracranial / leptomeningeal progression only
    NONE = "none"  # on therapy without progression (monitoring / response sample)


class AltKind(StrEnum):
    SNV = "snv"
    MNV = "mnv"
    INSERTION = "insertion"
    DELETION = "deletion"
    DELINS = "delins"
    FUSION = "fusion"
    AMPLIFICATION = "amplification"
    DELETION_CN = "deletion_cn"
    LOSS_OF_FUNCTION = "loss_of_function"
    SPLICE = "splice"
    OTHER = "other"


class Consequence(StrEnum):
    """Sequence Ontology terms; every annotator's vocabulary is mapped onto these."""

    MISSENSE = "missense_variant"
    SYNONYMOUS = "synonymous_variant"
    STOP_GAINED = "stop_gained"
    STOP_LOST = "stop_lost"
    START_LOST = "start_lost"
    STOP_RETAINED = "stop_retained_variant"
    FRAMESHIFT = "frameshift_variant"
    INFRAME_INSERTION = "inframe_insertion"
    INFRAME_DELETION = "inframe_deletion"
    PROTEIN_ALTERING = "protein_altering_variant"
    SPLICE_ACCEPTOR = "splice_acceptor_variant"
    SPLICE_DONOR = "splice_donor_variant"
    SPLICE_REGION = "splice_region_variant"
    INTRON = "intron_variant"
    UTR5 = "5_prime_UTR_variant"
    UTR3 = "3_prime_UTR_variant"
    NON_CODING = "non_coding_transcript_variant"
    UPSTREAM = "upstream_gene_variant"
    DOWNSTREAM = "downstream_gene_variant"
    INTERGENIC = "intergenic_variant"


class FusionFormat(StrEnum):
    ARRIBA = "arriba"
    STAR_FUSION = "star_fusion"
    FUSIONCATCHER = "fusioncatcher"
    SV_VCF = "sv_vcf"
    DRAGEN = "dragen"
    GENERIC = "generic"


class CnvFormat(StrEnum):
    CNVKIT = "cnvkit"
    GENE_TSV = "gene_tsv"
    VCF = "vcf"


class CopyNumberCall(StrEnum):
    AMPLIFICATION = "amplification"
    GAIN = "gain"
    NEUTRAL = "neutral"
    LOSS = "loss"
    DEEP_DELETION = "deep_deletion"
    NOT_ASSESSABLE = "not_assessable"


class Role(StrEnum):
    DRIVER = "driver"
    ON_TARGET_RESISTANCE = "on_target_resistance"
    BYPASS = "bypass"
    TRANSFORMATION_MARKER = "transformation_marker"
    PASSENGER = "passenger"
    UNCERTAIN = "uncertain"


class StructuralClass(StrEnum):
    SOLVENT_FRONT = "solvent_front"
    GATEKEEPER = "gatekeeper"
    XDFG = "xdfg"
    ALPHA_C_HELIX = "alpha_c_helix"
    ACTIVATION_LOOP = "activation_loop"
    OTHER_KINASE_DOMAIN = "other_kinase_domain"

    @property
    def label(self) -> str:
        """Display name used in report text and tables."""
        return _CLASS_LABELS[self]


_CLASS_LABELS = {
    StructuralClass.SOLVENT_FRONT: "solvent front",
    StructuralClass.GATEKEEPER: "gatekeeper",
    StructuralClass.XDFG: "xDFG motif",
    StructuralClass.ALPHA_C_HELIX: "\u03b1C helix",
    StructuralClass.ACTIVATION_LOOP: "activation loop",
    StructuralClass.OTHER_KINASE_DOMAIN: "other kinase-domain residue",
}


class DrugCallValue(StrEnum):
    SENSITIVE = "sensitive"
    REDUCED = "reduced"
    RESISTANT = "resistant"
    UNKNOWN = "unknown"


class EvidenceType(StrEnum):
    CLINICAL = "clinical"
    CASE = "case"
    PRECLINICAL = "preclinical"
    INFERRED = "inferred"


class Confidence(StrEnum):
    HIGH = "H"
    MEDIUM = "M"
    LOW = "L"


class MechanismClass(StrEnum):
    ON_TARGET = "on_target"
    OFF_TARGET = "off_target"
    PHENOTYPIC = "phenotypic"
    NONE_IDENTIFIED = "none_identified"


class Phase(StrEnum):
    CIS = "cis"
    TRANS = "trans"
    UNKNOWN = "unknown"


class MatchLevel(StrEnum):
    """Knowledge-match specificity, most specific first."""

    EXACT = "exact"
    CODON = "codon"
    DOMAIN = "domain"
    GENE = "gene"
    FUSION_VARIANT = "fusion_variant"


class Origin(StrEnum):
    """Likely origin of a small variant (interpret/origin.py); a hint for the reader, never a filter."""

    SOMATIC = "somatic"
    POSSIBLE_GERMLINE = "possible_germline"
    POSSIBLE_CH = "possible_ch"
    UNKNOWN = "unknown"


class GermlineStatus(StrEnum):
    """Germline testing status from the sample sheet (`germline_status` column)."""

    NOT_TESTED = "not_tested"
    PENDING = "pending"
    NEGATIVE = "negative"
    POSITIVE = "positive"
    MATCHED_NORMAL = "matched_normal"  # tumour-normal calling: germline (and blood CH) subtracted


class CaveatCode(StrEnum):
    POSSIBLE_CHIP = "POSSIBLE_CHIP"
    POSSIBLE_GERMLINE = "POSSIBLE_GERMLINE"
    LOW_TUMOR_FRACTION = "LOW_TUMOR_FRACTION"
    PLASMA_CNV_INSENSITIVE = "PLASMA_CNV_INSENSITIVE"
    SUBCLONAL = "SUBCLONAL"
    PRECLINICAL_EVIDENCE_ONLY = "PRECLINICAL_EVIDENCE_ONLY"
    COMPOUND_PHASE_UNKNOWN = "COMPOUND_PHASE_UNKNOWN"
    FUSION_FRAME_UNKNOWN = "FUSION_FRAME_UNKNOWN"
    FUSION_FRAME_CONFLICT = "FUSION_FRAME_CONFLICT"
    NOT_INFORMATIVE = "NOT_INFORMATIVE"
    INVESTIGATIONAL_COMBINATION = "INVESTIGATIONAL_COMBINATION"
    JURISDICTION_AVAILABILITY = "JURISDICTION_AVAILABILITY"
    DNA_ONLY_FUSION = "DNA_ONLY_FUSION"
    HISTOLOGY_REQUIRED = "HISTOLOGY_REQUIRED"
    UNPARSED_RECORDS = "UNPARSED_RECORDS"
    CSF_CLONE_MAY_DIFFER = "CSF_CLONE_MAY_DIFFER"
    AGE_OUTSIDE_APPROVAL = "AGE_OUTSIDE_APPROVAL"
    AGE_NOT_GIVEN = "AGE_NOT_GIVEN"
    INVESTIGATIONAL_AGENT = "INVESTIGATIONAL_AGENT"
    LIQUID_OFF_TARGET_INSENSITIVE = "LIQUID_OFF_TARGET_INSENSITIVE"
    DETECTION_LIMIT = "DETECTION_LIMIT"
    CNS_DISEASE_PLASMA = "CNS_DISEASE_PLASMA"
    PROGRESSION_UNEXPLAINED = "PROGRESSION_UNEXPLAINED"
    EARLIER_TKI_AFTER_FAILURE = "EARLIER_TKI_AFTER_FAILURE"
    AMPLIFICATION_NOT_INDICATION = "AMPLIFICATION_NOT_INDICATION"
    NON_NSCLC_INDICATION = "NON_NSCLC_INDICATION"
    ORTHOGONAL_DISCORDANT = "ORTHOGONAL_DISCORDANT"
