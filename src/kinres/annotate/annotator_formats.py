"""Per-annotator field parsers: VEP CSQ, snpEff ANN and bcftools BCSQ into TranscriptConsequence."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from kinres.annotate.annotator_terms import (
    _C,
    BCSQ,
    SNPEFF,
    VEP,
    TranscriptConsequence,
    _int,
    _rank,
    _strip_prefix,
    map_terms,
    parse_short_p,
    short_hgvs_p,
    strip_version,
)
from kinres.enums import Consequence
from kinres.models import Variant

# The standard snpEff ANN layout (fixed by the ANN specification, not declared per file).
ANN_FIELDS = ("Allele", "Annotation", "Annotation_Impact", "Gene_Name", "Gene_ID", "Feature_Type",
              "Feature_ID", "Transcript_BioType", "Rank", "HGVS.c", "HGVS.p", "cDNA.pos",
              "CDS.pos", "AA.pos", "Distance", "Messages")


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
