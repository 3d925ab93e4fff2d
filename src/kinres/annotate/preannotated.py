"""Consequences written by upstream annotators: VEP CSQ, snpEff ANN, bcftools BCSQ, MAF HGVSp_Short.

Each annotator's vocabulary is mapped onto kinres.enums.Consequence (SO terms) and its protein
change onto the one-letter short form (p.G1202R). The consequence used for reporting is the one on
the panel's reporting transcript. Another isoform's numbering is used as is only when the panel says
the two proteins are identical; otherwise the change is re-expressed on the reporting transcript
from its genomic position (kinres.annotate.isoform), because e.g. NTRK3 is numbered on the 839-aa
isoform and an 825-aa annotation would shift it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol
from urllib.parse import unquote

from kinres.annotate.isoform import ReferenceCodons, genomic_exon, reexpress, reporting_c
from kinres.enums import Consequence
from kinres.errors import InputError
from kinres.models import ProteinAnnotation, Variant

VEP, SNPEFF, BCSQ, MAF = "VEP", "snpEff", "bcftools-csq", "MAF"

# The standard snpEff ANN layout (fixed by the ANN specification, not declared per file).
ANN_FIELDS = ("Allele", "Annotation", "Annotation_Impact", "Gene_Name", "Gene_ID", "Feature_Type",
              "Feature_ID", "Transcript_BioType", "Rank", "HGVS.c", "HGVS.p", "cDNA.pos",
              "CDS.pos", "AA.pos", "Distance", "Messages")

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


# --------------------------------------------------------------------------- VEP CSQ
def csq_fields_from_description(description: str) -> tuple[str, ...]:
    """Field order from VEP's header: '... Format: Allele|Consequence|...'."""
    m = re.search(r"Format:\s*([^\"]+)", description)
    if not m:
        raise ValueError("CSQ header has no 'Format: ...' field list")
    return tuple(f.strip() for f in m.group(1).strip().strip("'").split("|"))


def parse_vep(value: str, fields: Sequence[str]) -> list[TranscriptConsequence]:
    """Parse one INFO/CSQ value (comma-separated entries) using the header's field order."""
    out = []
    idx = {name: i for i, name in enumerate(fields)}

    def get(parts: list[str], name: str) -> str | None:
        i = idx.get(name)
        if i is None or i >= len(parts):
            return None
        v = parts[i]
        return v if v not in ("", ".") else None

    for entry in value.split(","):
        parts = entry.split("|")
        if len(parts) != len(fields):
            raise ValueError(f"CSQ entry has {len(parts)} fields, header declares {len(fields)}")
        feature_type = get(parts, "Feature_type")
        if feature_type not in (None, "Transcript"):
            continue  # RegulatoryFeature / MotifFeature entries
        terms = tuple((get(parts, "Consequence") or "").split("&"))
        cons, unmapped = map_terms(terms)
        hgvs_p = short_hgvs_p(get(parts, "HGVSp"))
        pc = parse_short_p(hgvs_p)
        ref_aa, alt_aa = pc.ref_aa, pc.alt_aa
        aas = get(parts, "Amino_acids")
        if aas:
            a, _, b = aas.partition("/")
            ref_aa, alt_aa = a.replace("-", "") or None, (b or a).replace("-", "")
        pstart, pend = pc.start, pc.end
        ppos = get(parts, "Protein_position")
        if ppos and pstart is None and hgvs_p:
            s, _, e = ppos.partition("-")
            pstart, pend = _int(s), _int(e) or _int(s)
        out.append(TranscriptConsequence(
            annotator=VEP, allele=get(parts, "Allele"), gene=get(parts, "SYMBOL"),
            transcript=strip_version(get(parts, "Feature")), consequences=cons, terms=terms,
            hgvs_c=_strip_prefix(get(parts, "HGVSc")), hgvs_p=hgvs_p, protein_start=pstart,
            protein_end=pend, ref_aa=ref_aa, alt_aa=alt_aa, exon=_rank(get(parts, "EXON")),
            intron=_rank(get(parts, "INTRON")), allele_num=_int(get(parts, "ALLELE_NUM")),
            unmapped=unmapped))
    return out


# --------------------------------------------------------------------------- snpEff ANN
def parse_ann(value: str) -> list[TranscriptConsequence]:
    """Parse one INFO/ANN value (standard 16-field snpEff layout)."""
    out = []
    for entry in value.split(","):
        parts = [p.strip() for p in entry.split("|")]
        if len(parts) < 15:
            raise ValueError(f"ANN entry has {len(parts)} fields, expected 16")
        if parts[5] and parts[5].lower() != "transcript":
            continue  # motif / interaction / intergenic feature entries
        terms = tuple(parts[1].split("&"))
        cons, unmapped = map_terms(terms)
        hgvs_p = short_hgvs_p(parts[10] or None)
        pc = parse_short_p(hgvs_p)
        hgvs_c = parts[9] or None
        rank = _rank(parts[8])
        intronic = bool(hgvs_c and re.search(r"\d[+-]\d", hgvs_c)) or (
            _C.INTRON in cons and not hgvs_p)
        out.append(TranscriptConsequence(
            annotator=SNPEFF, allele=parts[0] or None, gene=parts[3] or None,
            transcript=strip_version(parts[6] or None), consequences=cons, terms=terms,
            hgvs_c=hgvs_c, hgvs_p=hgvs_p, protein_start=pc.start, protein_end=pc.end,
            ref_aa=pc.ref_aa, alt_aa=pc.alt_aa, exon=None if intronic else rank,
            intron=rank if intronic else None, unmapped=unmapped))
    return out


# --------------------------------------------------------------------------- bcftools BCSQ
_BCSQ_AA = re.compile(r"^(\d+)([A-Z*]+)(?:\.\.(\d+))?>(\d+)([A-Z*]*)(?:\.\.(\d+))?$")


def bcsq_to_hgvs_p(aa_change: str | None, cons: tuple[Consequence, ...]) -> tuple[
        str | None, int | None, int | None, str | None, str | None]:
    """bcftools amino_acid_change ('1202G>1202R', '7DF>7D') -> (hgvs_p, start, end, ref, alt).

    Only unambiguous forms get an hgvs_p: substitutions, synonymous, stop gain, and deletions /
    delins whose residues are all written out. Insertions and frameshifts need the protein
    sequence beyond what bcftools prints, so they keep positions but no hgvs_p.
    """
    if not aa_change:
        return None, None, None, None, None
    syn = re.fullmatch(r"(\d+)([A-Z*]+)", aa_change)  # synonymous: '47L'
    if syn:
        pos, seq = int(syn.group(1)), syn.group(2)
        hgvs = f"p.{seq}{pos}=" if len(seq) == 1 else None
        return hgvs, pos, pos + len(seq) - 1, seq, seq
    m = _BCSQ_AA.match(aa_change)
    if not m:
        return None, None, None, None, None
    rpos, rseq, _rtrim, apos, aseq, _atrim = m.groups()
    start = int(rpos)
    if _C.SYNONYMOUS in cons or _C.STOP_RETAINED in cons:
        if len(rseq) == 1:
            return f"p.{rseq}{start}=", start, start, rseq, rseq
        return None, start, start + len(rseq) - 1, rseq, aseq
    if _C.FRAMESHIFT in cons:
        return None, start, None, rseq[:1], None
    if _C.STOP_LOST in cons and rseq == "*" and len(aseq) == 1:
        return f"p.*{start}{aseq}ext*?", start, start, "*", aseq  # new stop not printed
    if len(rseq) == len(aseq) == 1:
        return f"p.{rseq}{start}{aseq}", start, start, rseq, aseq
    # trim shared leading residues (bcftools keeps an anchor residue for indels)
    k = 0
    while k < min(len(rseq), len(aseq)) and rseq[k] == aseq[k] and int(apos) == start:
        k += 1
    r, a, s = rseq[k:], aseq[k:], start + k
    if int(apos) != start or not r or _rtrim or _atrim:
        return None, start, start + len(rseq) - 1, rseq, aseq
    e = s + len(r) - 1
    rng = f"{r[0]}{s}" if len(r) == 1 else f"{r[0]}{s}_{r[-1]}{e}"
    if not a:
        return f"p.{rng}del", s, e, r, ""
    if len(r) == 1 and len(a) == 1:
        return f"p.{r}{s}{a}", s, s, r, a
    return f"p.{rng}delins{a}", s, e, r, a


def parse_bcsq(value: str) -> list[TranscriptConsequence]:
    """Parse one INFO/BCSQ value: 'Consequence|gene|transcript|biotype|strand|aa|dna' entries."""
    out = []
    for entry in value.split(","):
        if entry.startswith("@"):
            out.append(TranscriptConsequence(annotator=BCSQ, allele=None, gene=None,
                                             transcript=None, consequences=(), terms=(),
                                             back_ref=_int(entry[1:])))
            continue
        parts = entry.split("|")
        terms = tuple(parts[0].split("&"))
        cons, unmapped = map_terms(terms)
        aa = parts[5] if len(parts) > 5 and parts[5] else None
        hgvs_p, s, e, ref_aa, alt_aa = bcsq_to_hgvs_p(aa, cons)
        out.append(TranscriptConsequence(
            annotator=BCSQ, allele=None, gene=parts[1] if len(parts) > 1 else None,
            transcript=strip_version(parts[2]) if len(parts) > 2 else None,
            consequences=cons, terms=terms, hgvs_p=hgvs_p, protein_start=s, protein_end=e,
            ref_aa=ref_aa, alt_aa=alt_aa,
            dna_change=parts[6] if len(parts) > 6 and parts[6] else None, unmapped=unmapped))
    return out


def _with_compound(tc: TranscriptConsequence, v: Variant) -> TranscriptConsequence:
    """Mark a BCSQ entry whose dna_change joins this allele with other records' changes."""
    if tc.annotator != BCSQ or not tc.dna_change or "+" not in tc.dna_change:
        return tc
    own = f"{v.pos}{v.ref}>{v.alt}"
    others = [c for c in tc.dna_change.split("+") if c != own]
    return replace(tc, compound_with=", ".join(f"{v.chrom}:{c}" for c in others)) if others else tc


def bcsq_matches(tc: TranscriptConsequence, pos: int, ref: str, alt: str) -> bool:
    """Does this BCSQ entry describe this allele? bcftools writes 'POS REF>ALT' per change."""
    if tc.dna_change is None:
        return True  # e.g. splice_donor entries carry no dna_change; single-ALT sites only
    return f"{pos}{ref}>{alt}" in tc.dna_change.split("+")


# --------------------------------------------------------------------------- allele matching
def vep_allele(ref: str, alts: Sequence[str], alt: str) -> str:
    """The allele string VEP writes for `alt`: if REF and every ALT share the first base
    (indels in VCF anchor style), VEP drops it and writes '-' for an empty allele."""
    alleles = [ref, *alts]
    if len({a[:1] for a in alleles}) == 1 and any(len(a) != 1 for a in alleles):
        return alt[1:] or "-"
    return alt


def entries_for_allele(entries: Sequence[TranscriptConsequence], variant: Variant,
                       alts: Sequence[str], alt_index: int) -> list[TranscriptConsequence]:
    """Entries of one record that belong to one ALT (alt_index 0-based)."""
    out = []
    vep_form = vep_allele(variant.ref, alts, variant.alt)
    for tc in entries:
        if tc.back_ref is not None:
            continue
        if tc.annotator == BCSQ:
            ok = bcsq_matches(tc, variant.pos, variant.ref, variant.alt) if (
                len(alts) > 1 or tc.dna_change) else True
        elif tc.allele_num is not None:
            ok = tc.allele_num == alt_index + 1
        elif tc.annotator == SNPEFF:
            # snpEff writes the ALT as in the VCF; cancer mode writes 'ALT-REF'
            ok = tc.allele in (variant.alt, vep_form) or (
                tc.allele is not None and tc.allele.split("-")[0] == variant.alt)
        else:
            ok = tc.allele in (variant.alt, vep_form) or len(alts) == 1 and tc.allele is None
        if ok:
            out.append(tc)
    return out


# --------------------------------------------------------------------------- selection
def _reporting(panel: PanelLike, gene: str):
    try:
        return panel.transcript(gene)
    except (KeyError, LookupError):
        return None


def _ids(tx: Any) -> set[str]:
    ids = {strip_version(getattr(tx, "transcript_id", None))}
    refseq = getattr(tx, "refseq", None)
    if refseq:
        ids.add(strip_version(refseq))
    return {i for i in ids if i}


def _is_protein_identical(panel: Any, reporting: Any, other_tx: str) -> bool:
    fn = getattr(panel, "protein_identical", None)
    if fn is None:
        return False
    try:
        return bool(fn(reporting.transcript_id, other_tx))
    except (KeyError, LookupError, ValueError):
        return False


def _to_annotation(tc: TranscriptConsequence, reporting: Any, note: str | None = None,
                   keep_protein: bool = True) -> ProteinAnnotation:
    if tc.compound_with:
        joint = (f"haplotype-aware consequence joint with {tc.compound_with} "
                 "(bcftools csq); phase as given to csq")
        note = f"{note}; {joint}" if note else joint
    return ProteinAnnotation(
        gene=reporting.gene, transcript=reporting.transcript_id, consequences=tc.consequences,
        hgvs_c=tc.hgvs_c if keep_protein else None,
        hgvs_p=tc.hgvs_p if keep_protein else None,
        protein_start=tc.protein_start if keep_protein else None,
        protein_end=tc.protein_end if keep_protein else None,
        ref_aa=tc.ref_aa if keep_protein else None, alt_aa=tc.alt_aa if keep_protein else None,
        exon=tc.exon if keep_protein else None, intron=tc.intron if keep_protein else None,
        refseq=getattr(reporting, "refseq", None), annotator=tc.annotator, note=note)


def _severity(tc: TranscriptConsequence) -> int:
    return min((_RANK[c] for c in tc.consequences), default=len(SEVERITY))


def select_annotation(entries: Sequence[TranscriptConsequence], variant: Variant,
                      panel: PanelLike, reference: ReferenceCodons | None = None,
                      ) -> tuple[ProteinAnnotation | None, str | None]:
    """Pick the consequence on the panel's reporting transcript for one allele.

    Returns (annotation, warning). annotation is None when the variant overlaps no panel gene.
    """
    overlapping = list(panel.overlapping(variant.chrom, variant.pos))
    reporting_txs = []
    for tx in overlapping:
        rep = _reporting(panel, tx.gene)
        if rep is not None and all(r.transcript_id != rep.transcript_id for r in reporting_txs):
            reporting_txs.append(rep)
    if not reporting_txs:
        return None, None
    best: tuple[int, ProteinAnnotation, str | None] | None = None
    warning = None
    for rep in reporting_txs:
        problem = None
        ids = _ids(rep)
        on_rep = [tc for tc in entries if tc.transcript in ids]
        if on_rep:
            tc = min(on_rep, key=_severity)
            ann = _to_annotation(tc, rep)
            rank = _severity(tc)
        else:
            # same gene, another isoform: numbering is only safe if the proteins are identical
            others = [tc for tc in entries if tc.gene == rep.gene and tc.transcript]
            if not others:
                continue
            tc = min(others, key=lambda t: (_severity(t), t.hgvs_p is None))
            if _is_protein_identical(panel, rep, tc.transcript):
                ann = _to_annotation(tc, rep, note=(
                    f"numbering from {tc.transcript} ({tc.annotator}); its protein is identical "
                    f"to the reporting transcript {rep.transcript_id}"))
                ann = replace(ann, exon=None, intron=None)  # exon numbers may still differ
                ann = replace(ann, **genomic_exon(variant, rep))
            else:
                base = _to_annotation(tc, rep, keep_protein=False)
                ann, problem = reexpress(tc, variant, rep, base, reference)
            rank = _severity(tc)
        if best is None or rank < best[0]:
            best = (rank, ann, problem)
    if best is None:
        rep = reporting_txs[0]
        warning = (f"{variant.key}: overlaps {rep.gene} but the {entries[0].annotator if entries else 'pre-annotation'} "
                   f"annotation has no entry for this allele on {rep.gene}")
        # c. position and exon still follow from the genomic position (SNVs), so the report
        # never shows an empty location for a panel variant
        return ProteinAnnotation(gene=rep.gene, transcript=rep.transcript_id, consequences=(),
                                 hgvs_c=reporting_c(variant, rep),
                                 refseq=getattr(rep, "refseq", None),
                                 annotator=entries[0].annotator if entries else "none",
                                 note="no consequence for this allele in the input annotation",
                                 **genomic_exon(variant, rep)), warning
    return best[1], best[2]


# --------------------------------------------------------------------------- whole records
@dataclass(frozen=True)
class PreannotationHeader:
    """Which annotation tags a VCF carries, with VEP's declared field order."""

    tags: tuple[str, ...]  # subset of ("CSQ", "ANN", "BCSQ") in preference order
    csq_fields: tuple[str, ...] = ()


def parse_record_annotations(tag: str, value: str, header: PreannotationHeader
                             ) -> list[TranscriptConsequence]:
    """Dispatch on the tag name."""
    if tag == "CSQ":
        return parse_vep(value, header.csq_fields)
    if tag == "ANN":
        return parse_ann(value)
    if tag == "BCSQ":
        return parse_bcsq(value)
    raise ValueError(f"unknown annotation tag {tag}")


def annotate_preannotated(variants: Sequence[Variant], raw: Sequence[tuple[str, str] | None],
                          alts: Sequence[tuple[str, ...]], alt_index: Sequence[int],
                          header: PreannotationHeader, panel: PanelLike,
                          reference: ReferenceCodons | None = None,
                          ) -> tuple[tuple[Variant, ...], tuple[str, ...]]:
    """Attach the reporting-transcript consequence to each variant.

    `raw[i]` is (tag, value) of variant i's record (None when the record carries none),
    `alts[i]` that record's ALT alleles and `alt_index[i]` the variant's 0-based ALT index.
    Variants outside panel genes are dropped and counted; unparsable annotation strings raise
    ValueError naming the problem (the caller adds file/line).
    """
    # bcftools writes a compound consequence once and '@pos' at the other records
    by_pos: dict[tuple[str, int], list[TranscriptConsequence]] = {}
    parsed: list[list[TranscriptConsequence]] = []
    for v, r in zip(variants, raw):
        entries = parse_record_annotations(r[0], r[1], header) if r else []
        parsed.append(entries)
        if r and r[0] == "BCSQ":
            by_pos.setdefault((v.chrom, v.pos), entries)
    out: list[Variant] = []
    warnings: list[str] = []
    outside = 0
    no_annotation = 0
    unmapped: dict[str, int] = {}
    for v, entries, rec_alts, ai in zip(variants, parsed, alts, alt_index):
        if any(tc.back_ref is not None for tc in entries):
            for tc in entries:
                if tc.back_ref is not None:
                    entries = entries + [e for e in by_pos.get((v.chrom, tc.back_ref), [])
                                         if e.dna_change and e.back_ref is None]
        mine = entries_for_allele(entries, v, rec_alts, ai)
        mine = [_with_compound(tc, v) for tc in mine]
        for tc in mine:
            for t in tc.unmapped:
                unmapped[t] = unmapped.get(t, 0) + 1
        if not entries:
            no_annotation += 1
        ann, warn = select_annotation(mine, v, panel, reference)
        if ann is None:
            outside += 1
            continue
        if not plausible_short_p(ann.hgvs_p):
            src = v.source
            raise InputError(src.path if src else None,
                             f"{'/'.join(header.tags)} HGVSp {ann.hgvs_p[:60]!r} of {ann.gene} is "
                             "not HGVS protein notation (e.g. p.G1202R)",
                             line=src.line if src else None,
                             record=f"{v.chrom}:{v.pos} {v.ref}>{v.alt}")
        if warn:
            warnings.append(warn)
        out.append(replace(v, annotation=ann))
    if outside:
        warnings.append(f"{outside} variant(s) outside panel genes not reported")
    if no_annotation:
        warnings.append(f"{no_annotation} record(s) carry no {'/'.join(header.tags)} annotation")
    if unmapped:
        listed = ", ".join(f"{t} ({n})" for t, n in sorted(unmapped.items()))
        warnings.append(f"consequence terms not mapped to SO classes: {listed}")
    return tuple(out), tuple(warnings)
