"""Variants annotated only on a non-reporting isoform, re-expressed on the reporting transcript.

Upstream annotators (VEP, snpEff, bcftools csq, vcf2maf) may describe a panel variant only on
another transcript of the gene (e.g. MET ENST00000318493, 1408 aa, vs the reporting
ENST00000397752, 1390 aa). The genomic position fixes the reporting c. position, exon and codon;
see `reexpress` for when the protein change can be carried over.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from kinres.annotate.hgvs import translate
from kinres.models import ProteinAnnotation, Variant

_SNV_C = re.compile(r"^c\.(\d+)([ACGT])>([ACGT])$")
_SIMPLE_P = re.compile(r"^p\.([A-Z*])(\d+)([A-Z*]|=)$")
_COMP = str.maketrans("ACGT", "TGCA")


def _coding_alleles(variant: Variant, rep: Any) -> tuple[str, str]:
    if rep.strand > 0:
        return variant.ref.upper(), variant.alt.upper()
    return variant.ref.upper().translate(_COMP)[::-1], variant.alt.upper().translate(_COMP)[::-1]


def genomic_exon(variant: Variant, rep: Any) -> dict[str, int | None]:
    """Exon/intron of the reporting transcript at the variant's position (isoform-independent)."""
    if not hasattr(rep, "exon_at"):
        return {}
    exon = rep.exon_at(variant.pos)
    return {"exon": exon, "intron": None if exon is not None else rep.intron_at(variant.pos)}


def reporting_c(variant: Variant, rep: Any) -> str | None:
    """HGVS c. of an SNV on the reporting transcript, from its genomic position alone."""
    if len(variant.ref) != 1 or len(variant.alt) != 1 or not getattr(rep, "has_cds", False) \
            or not {variant.ref.upper(), variant.alt.upper()} <= set("ACGT"):
        return None  # MAF '-' alleles are indels, not SNVs
    ref, alt = _coding_alleles(variant, rep)
    try:
        return f"c.{rep.c_position(variant.pos)}{ref}>{alt}"
    except (ValueError, LookupError):
        return None


class ReferenceCodons:
    """Codons of the reporting transcript read from the configured reference FASTA, so that a
    re-expressed change is checked against the real codon (opened on first use)."""

    def __init__(self, fasta: str | Path):
        self.fasta = str(fasta)
        self._fa = None

    def codon(self, rep: Any, aa: int) -> str | None:
        """Coding-strand codon `aa` of `rep`, or None when the FASTA cannot give it."""
        import pysam

        try:
            if self._fa is None:
                self._fa = pysam.FastaFile(self.fasta)
            names = set(self._fa.references)
            contig = next((c for c in (rep.chrom, f"chr{rep.chrom}") if c in names), None)
            if contig is None:
                return None
            bases = "".join(self._fa.fetch(contig, g - 1, g).upper()
                            for g in rep.codon_positions(aa))
        except (OSError, ValueError, KeyError):
            return None
        bases = bases if rep.strand > 0 else bases.translate(_COMP)
        return bases if len(bases) == 3 and set(bases) <= set("ACGT") else None


def _codon_problem(reference: ReferenceCodons | None, rep: Any, aa: int, ci: int,
                   alt_base: str, ref_aa: str, alt_aa: str) -> str | None:
    """Why the reference codon contradicts the annotated change (None: agrees or unknown)."""
    if reference is None:
        return None
    codon = reference.codon(rep, aa)
    if codon is None:
        return None
    k = (ci - 1) % 3
    mutated = codon[:k] + alt_base + codon[k + 1:]
    got_ref, got_alt = translate(codon), translate(mutated)
    if (got_ref, got_alt) != (ref_aa, alt_aa):
        return (f"the reference codon {aa} of {rep.transcript_id} is {codon} ({got_ref}>{got_alt} "
                f"with this change), not {ref_aa}>{alt_aa}")
    return None


def reexpress(tc: Any, variant: Variant, rep: Any, base: ProteinAnnotation,
              reference: ReferenceCodons | None = None) -> tuple[ProteinAnnotation, str | None]:
    """Re-express an entry annotated only on another isoform on the reporting transcript.

    `tc` is the annotator's entry (kinres.annotate.preannotated.TranscriptConsequence), `base`
    its consequence class on the reporting transcript without protein fields.

    The genomic position gives the reporting c. position, exon and codon. For an SNV whose base
    sits at the same codon position (c. index mod 3) on both transcripts, with the annotated
    bases matching the VCF alleles, the codon is taken as shared: same amino-acid change, the
    reporting transcript's residue number (MET c.3082G>C p.D1028H on ENST00000318493 is
    c.3028G>C p.D1010H on ENST00000397752; NTRK3 825-aa numbering becomes 839-aa numbering).
    Otherwise the annotated transcript's HGVS is kept with its ID (isoform_hgvs_p, prefixed
    hgvs_c), never used as reporting-transcript numbering, and a warning is returned.
    With a reference FASTA (`reference`), the reporting codon is read and must translate to the
    annotated residues, else the change is not re-expressed. Without one the codon's other two
    bases are assumed spliced alike in both isoforms (isoforms differ by whole exons or exon ends
    far more often than by a shifted junction inside one codon).
    """
    where = f"{variant.key}: {rep.gene} annotated on {tc.transcript} ({tc.annotator})"
    rep_c = reporting_c(variant, rep)
    base = replace(base, **genomic_exon(variant, rep))
    m = _SNV_C.match(tc.hgvs_c or "")
    pm = _SIMPLE_P.match(tc.hgvs_p or "")
    if rep_c is not None and m and getattr(rep, "has_cds", False):
        ci = rep.c_index(variant.pos)
        ac, aref, aalt = int(m.group(1)), m.group(2), m.group(3)
        if ci is not None and (ci - 1) % 3 == (ac - 1) % 3 \
                and (aref, aalt) == _coding_alleles(variant, rep):
            new_aa = (ci + 2) // 3
            ref_aa = pm.group(1) if pm else ""
            alt_aa = (ref_aa if pm.group(3) == "=" else pm.group(3)) if pm else ""
            bad = _codon_problem(reference, rep, new_aa, ci, aalt, ref_aa, alt_aa) if pm else None
            if bad:
                shown = " ".join(x for x in (tc.hgvs_c, tc.hgvs_p) if x)
                iso_p = f"{tc.transcript}:{tc.hgvs_p}" if tc.hgvs_p else None
                return replace(base, hgvs_c=rep_c, isoform_hgvs_p=iso_p, note=(
                    f"annotated on {tc.transcript} ({shown}); {bad}: not re-expressed")), (
                    f"{where} as {shown}; not re-expressible on the reporting transcript "
                    f"{rep.transcript_id}: {bad}")
            if pm and int(pm.group(2)) == (ac + 2) // 3 and new_aa > 1:
                hgvs_p = f"p.{pm.group(1)}{new_aa}{pm.group(3)}"
                checked = "; codon checked against the reference" if reference else ""
                return replace(base, hgvs_c=rep_c, hgvs_p=hgvs_p, protein_start=new_aa,
                               protein_end=new_aa, ref_aa=ref_aa, alt_aa=alt_aa, note=(
                                   f"re-expressed on the reporting transcript {rep.transcript_id} "
                                   f"from the genomic position (annotated on {tc.transcript} as "
                                   f"{tc.hgvs_c} {tc.hgvs_p}; same codon{checked})")), None
    if rep_c is not None and rep.c_index(variant.pos) is None:
        # outside the reporting CDS (intron, splice site, UTR): c. from the position says it all
        return replace(base, hgvs_c=rep_c, note=(
            f"c. numbering from the genomic position on the reporting transcript "
            f"{rep.transcript_id} (annotated on {tc.transcript})")), None
    iso_p = f"{tc.transcript}:{tc.hgvs_p}" if tc.hgvs_p else None
    iso_c = f"{tc.transcript}:{tc.hgvs_c}" if tc.hgvs_c else None
    shown = " ".join(x for x in (tc.hgvs_c, tc.hgvs_p) if x) or "no HGVS"
    ann = replace(base, hgvs_c=rep_c or iso_c, isoform_hgvs_p=iso_p, note=(
        f"annotated on {tc.transcript} ({shown}), not the reporting transcript "
        f"{rep.transcript_id}; protein numbering may differ and could not be re-expressed"))
    return ann, (f"{where} as {shown}; not re-expressible on the reporting transcript "
                 f"{rep.transcript_id}: reported in {tc.transcript} numbering")
