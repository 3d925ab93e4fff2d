"""Shared vocabulary of upstream annotations: annotator terms -> SO consequences, severity,
the normalised TranscriptConsequence entry and short HGVS p. helpers (VEP, snpEff, BCSQ, MAF)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import unquote

from kinres.enums import Consequence

VEP, SNPEFF, BCSQ, MAF = "VEP", "snpEff", "bcftools-csq", "MAF"

_C = Consequence
# Annotator terms -> SO terms. Keys are lower-case; bcftools and MAF use their own words.
TERM_MAP: dict[str, Consequence | None] = {
    # Sequence Ontology (VEP, snpEff)
    "missense_variant": _C.MISSENSE, "synonymous_variant": _C.SYNONYMOUS,
    "stop_gained": _C.STOP_GAINED, "stop_lost": _C.STOP_LOST, "start_lost": _C.START_LOST,
    "stop_retained_variant": _C.STOP_RETAINED, "start_retained_variant": _C.SYNONYMOUS,
    "frameshift_variant": _C.FRAMESHIFT, "inframe_insertion": _C.INFRAME_INSERTION,
    "inframe_deletion": _C.INFRAME_DELETION, "protein_altering_variant": _C.PROTEIN_ALTERING,
    "splice_acceptor_variant": _C.SPLICE_ACCEPTOR, "splice_donor_variant": _C.SPLICE_DONOR,
    "splice_region_variant": _C.SPLICE_REGION, "splice_donor_5th_base_variant": _C.SPLICE_REGION,
    "splice_donor_region_variant": _C.SPLICE_REGION,
    "splice_polypyrimidine_tract_variant": _C.SPLICE_REGION,
    "intron_variant": _C.INTRON, "5_prime_utr_variant": _C.UTR5, "3_prime_utr_variant": _C.UTR3,
    "non_coding_transcript_exon_variant": _C.NON_CODING,
    "non_coding_transcript_variant": _C.NON_CODING, "upstream_gene_variant": _C.UPSTREAM,
    "downstream_gene_variant": _C.DOWNSTREAM, "intergenic_variant": _C.INTERGENIC,
    "coding_sequence_variant": _C.PROTEIN_ALTERING,
    "incomplete_terminal_codon_variant": _C.PROTEIN_ALTERING,
    # terms that qualify another consequence; carry no class of their own
    "nmd_transcript_variant": None, "feature_elongation": None, "feature_truncation": None,
    "regulatory_region_variant": None, "tf_binding_site_variant": None,
    "mature_mirna_variant": None, "transcript_ablation": None, "transcript_amplification": None,
    # snpEff-only
    "conservative_inframe_insertion": _C.INFRAME_INSERTION,
    "disruptive_inframe_insertion": _C.INFRAME_INSERTION,
    "conservative_inframe_deletion": _C.INFRAME_DELETION,
    "disruptive_inframe_deletion": _C.INFRAME_DELETION,
    "intergenic_region": _C.INTERGENIC, "exon_loss_variant": _C.PROTEIN_ALTERING,
    "initiator_codon_variant": _C.START_LOST,
    "5_prime_utr_premature_start_codon_gain_variant": _C.UTR5,
    "non_canonical_start_codon": None, "intragenic_variant": _C.NON_CODING,
    "gene_variant": None, "transcript_variant": None, "exon_variant": None,
    "sequence_feature": None, "structural_interaction_variant": None,
    "protein_protein_contact": None,
    # bcftools csq
    "missense": _C.MISSENSE, "synonymous": _C.SYNONYMOUS, "stop_retained": _C.STOP_RETAINED,
    "start_retained": _C.SYNONYMOUS, "frameshift": _C.FRAMESHIFT,
    "inframe_altering": _C.PROTEIN_ALTERING, "splice_acceptor": _C.SPLICE_ACCEPTOR,
    "splice_donor": _C.SPLICE_DONOR, "splice_region": _C.SPLICE_REGION, "intron": _C.INTRON,
    "5_prime_utr": _C.UTR5, "3_prime_utr": _C.UTR3, "non_coding": _C.NON_CODING,
    "coding_sequence": _C.PROTEIN_ALTERING, "intergenic": _C.INTERGENIC,
    # MAF Variant_Classification
    "missense_mutation": _C.MISSENSE, "nonsense_mutation": _C.STOP_GAINED,
    "silent": _C.SYNONYMOUS, "frame_shift_del": _C.FRAMESHIFT, "frame_shift_ins": _C.FRAMESHIFT,
    "in_frame_del": _C.INFRAME_DELETION, "in_frame_ins": _C.INFRAME_INSERTION,
    "splice_site": _C.SPLICE_DONOR, "translation_start_site": _C.START_LOST,
    "nonstop_mutation": _C.STOP_LOST, "3'utr": _C.UTR3, "5'utr": _C.UTR5,
    "3'flank": _C.DOWNSTREAM, "5'flank": _C.UPSTREAM, "igr": _C.INTERGENIC,
    "rna": _C.NON_CODING, "targeted_region": None,
}

# Most severe first (Ensembl's ranking), used to order a transcript's terms.
SEVERITY: tuple[Consequence, ...] = (
    _C.SPLICE_ACCEPTOR, _C.SPLICE_DONOR, _C.STOP_GAINED, _C.FRAMESHIFT, _C.STOP_LOST,
    _C.START_LOST, _C.INFRAME_INSERTION, _C.INFRAME_DELETION, _C.MISSENSE, _C.PROTEIN_ALTERING,
    _C.SPLICE_REGION, _C.STOP_RETAINED, _C.SYNONYMOUS, _C.UTR5, _C.UTR3, _C.NON_CODING,
    _C.INTRON, _C.UPSTREAM, _C.DOWNSTREAM, _C.INTERGENIC)
_RANK = {c: i for i, c in enumerate(SEVERITY)}

AA3 = {"Ala": "A", "Arg": "R", "Asn": "N", "Asp": "D", "Cys": "C", "Gln": "Q", "Glu": "E",
       "Gly": "G", "His": "H", "Ile": "I", "Leu": "L", "Lys": "K", "Met": "M", "Phe": "F",
       "Pro": "P", "Ser": "S", "Thr": "T", "Trp": "W", "Tyr": "Y", "Val": "V", "Ter": "*",
       "Sec": "U", "Pyl": "O", "Xaa": "X", "Asx": "B", "Glx": "Z", "Xle": "J"}
_AA3_RE = re.compile("|".join(AA3))
_SHORT_RE = re.compile(r"^p\.([A-Z*])(\d+)(?:_([A-Z*])(\d+))?(.*)$")


class PanelLike(Protocol):
    """What this module needs from kinres.annotate.transcripts.Panel."""

    def transcript(self, gene: str) -> Any: ...
    def by_id(self, transcript_id: str) -> Any: ...
    def overlapping(self, chrom: str, pos: int) -> list[Any]: ...


@dataclass(frozen=True)
class TranscriptConsequence:
    """One annotator entry (one allele on one transcript), already normalised."""

    annotator: str
    allele: str | None
    gene: str | None
    transcript: str | None  # version and "transcript:" prefix removed
    consequences: tuple[Consequence, ...]
    terms: tuple[str, ...]  # as written, for warnings about unmapped terms
    hgvs_c: str | None = None
    hgvs_p: str | None = None  # one-letter short form
    protein_start: int | None = None
    protein_end: int | None = None
    ref_aa: str | None = None
    alt_aa: str | None = None
    exon: int | None = None
    intron: int | None = None
    allele_num: int | None = None  # VEP ALLELE_NUM (1-based ALT index) when present
    dna_change: str | None = None  # bcftools csq genomic change(s), "+"-joined
    back_ref: int | None = None  # bcftools "@pos": consequence written at another record
    compound_with: str | None = None  # bcftools: the other change(s) of a joint consequence
    unmapped: tuple[str, ...] = ()


# --------------------------------------------------------------------------- small helpers
def strip_version(tx: str | None) -> str | None:
    """ENST00000389048.7 / NM_004304.5 / transcript:ENST.. -> accession without version."""
    if not tx:
        return None
    tx = tx.split(":", 1)[1] if tx.startswith(("transcript:", "rna-")) else tx
    return tx.split(".", 1)[0] or None


def map_terms(terms: Iterable[str]) -> tuple[tuple[Consequence, ...], tuple[str, ...]]:
    """Annotator terms -> (SO consequences most severe first, unmapped terms)."""
    found: set[Consequence] = set()
    unmapped: list[str] = []
    for raw in terms:
        term = raw.strip().lstrip("*").lower()  # bcftools "*missense": downstream of a frameshift
        if not term:
            continue
        if term in TERM_MAP:
            c = TERM_MAP[term]
            if c is not None:
                found.add(c)
        else:
            unmapped.append(raw)
    return tuple(sorted(found, key=_RANK.__getitem__)), tuple(unmapped)


def short_hgvs_p(text: str | None) -> str | None:
    """Any p. notation -> one-letter short form: 'ENSP..:p.Gly1202Arg' -> 'p.G1202R'.

    Handles fs/fsTer, del, ins, delins, dup, ext, '*', '=', '%3D' (VEP's escaped '='),
    'p.(...)' predicted parentheses and MAF splice forms ('p.X1445_splice'). Returns None for
    empty / '.' / non-protein values.
    """
    if text is None:
        return None
    text = unquote(text.strip())
    if ":" in text:
        text = text.rsplit(":", 1)[1]
    if not text or text in (".", "-", "p.?"):
        return None if text != "p.?" else "p.?"
    if not text.startswith("p."):
        # MAF HGVSp_Short is occasionally written without the prefix ("T790M")
        if re.match(r"^[A-Z*][a-z]{0,2}\d", text):
            text = "p." + text
        else:
            return None
    body = text[2:]
    if body.startswith("(") and body.endswith(")"):
        body = body[1:-1]
    body = _AA3_RE.sub(lambda m: AA3[m.group(0)], body)
    body = body.replace("fs*", "fs*")
    # snpEff writes synonymous changes as p.Leu47Leu; HGVS short form is p.L47=
    m = re.match(r"^([A-Z*])(\d+)([A-Z*])$", body)
    if m and m.group(1) == m.group(3):
        body = f"{m.group(1)}{m.group(2)}="
    return "p." + body


@dataclass(frozen=True)
class ProteinChange:
    start: int | None
    end: int | None
    ref_aa: str | None
    alt_aa: str | None


_HGVSP_REST = re.compile(r"^[A-Za-z*=?_\d-]*$")


def plausible_short_p(short: str | None) -> bool:
    """True for a one-letter p. string kinres can carry (after short_hgvs_p); False for a
    garbled cell ('p.<b>x</b>', 'banana') that must not pass as a protein change. An isoform
    prefix ('ENST...:p.G623E') is allowed."""
    if not short:
        return True
    short = short.rsplit(":", 1)[-1]
    if short in ("p.?", "p.0", "p.="):
        return True
    m = _SHORT_RE.match(short)
    return bool(m and _HGVSP_REST.match(m.group(5)))


def parse_short_p(hgvs_p: str | None) -> ProteinChange:
    """Positions and residues from a one-letter p. string (what can be read off it)."""
    if not hgvs_p:
        return ProteinChange(None, None, None, None)
    m = _SHORT_RE.match(hgvs_p)
    if not m:
        return ProteinChange(None, None, None, None)
    ref1, pos1, ref2, pos2, rest = m.groups()
    start = int(pos1)
    end = int(pos2) if pos2 else start
    ref = ref1 if not ref2 else None
    alt: str | None = None
    if rest == "=":
        alt = ref1
    elif re.fullmatch(r"[A-Z*]", rest):
        alt = rest
    elif rest.startswith("delins"):
        alt = rest[6:] or None
    elif rest == "del":
        alt = ""
    return ProteinChange(start, end, ref, alt)


def consequence_from_short_p(hgvs_p: str | None) -> tuple[Consequence, ...]:
    """Consequence class implied by a one-letter p. string (MAF rows without a classification)."""
    if not hgvs_p:
        return ()
    if hgvs_p.endswith("_splice"):
        return (_C.SPLICE_DONOR,)  # MAF Splice_Site: donor or acceptor, not stated
    pc = parse_short_p(hgvs_p)
    rest = _SHORT_RE.match(hgvs_p).group(5) if _SHORT_RE.match(hgvs_p) else ""
    if "fs" in rest:
        return (_C.FRAMESHIFT,)
    if rest == "=":
        return (_C.SYNONYMOUS,)
    if rest.startswith("delins"):
        return (_C.PROTEIN_ALTERING,)
    if rest == "del":
        return (_C.INFRAME_DELETION,)
    if rest.startswith(("ins", "dup")):
        return (_C.INFRAME_INSERTION,)
    if "ext" in rest:
        return (_C.STOP_LOST,) if pc.ref_aa == "*" else (_C.START_LOST,)
    if pc.alt_aa == "*":
        return (_C.STOP_GAINED,)
    if pc.start == 1 and pc.ref_aa == "M" and pc.alt_aa != "M":
        return (_C.START_LOST,)
    if pc.ref_aa and pc.alt_aa and len(pc.alt_aa) == 1:
        return (_C.MISSENSE,)
    return (_C.PROTEIN_ALTERING,)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "", ".") else None
    except ValueError:
        return None


def _rank(value: str | None) -> int | None:
    """'23/29' -> 23 (VEP EXON/INTRON, snpEff Rank)."""
    if not value:
        return None
    return _int(value.split("/", 1)[0])


def _strip_prefix(hgvs: str | None) -> str | None:
    if not hgvs or hgvs in (".", "-"):
        return None
    return unquote(hgvs).rsplit(":", 1)[-1]
