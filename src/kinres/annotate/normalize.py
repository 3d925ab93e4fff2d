"""Variant normalisation against the reference: trim, left-align (VCF) or 3'-shift (HGVS).

Own implementation (a few thousand records are normalised in milliseconds, no temp files);
tests cross-check it against `bcftools norm` (pysam.bcftools.norm).

Internally a variant is an `Edit`: 0-based `start` of the deleted reference bases `deleted`
replaced by `inserted` (a pure insertion has deleted == "" and goes before `start`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pysam

from kinres.errors import InputError

_WINDOW = 256
_IUPAC = set("ACGTNRYSWKMBDHV")


@dataclass(frozen=True)
class Edit:
    """A trimmed reference edit on one contig (0-based start, may be an empty deletion)."""

    chrom: str
    start: int
    deleted: str
    inserted: str

    @property
    def end(self) -> int:
        """0-based exclusive end of the deleted bases."""
        return self.start + len(self.deleted)

    @property
    def is_indel(self) -> bool:
        return (not self.deleted) != (not self.inserted)


class Reference:
    """Thin cached wrapper around pysam.FastaFile with naming-aware error messages."""

    def __init__(self, fasta: str | Path):
        self.path = Path(fasta)
        if not self.path.is_file():
            raise InputError(self.path, "reference FASTA not found")
        try:
            self._fa = pysam.FastaFile(str(self.path))
        except (OSError, ValueError) as exc:
            raise InputError(self.path, f"cannot open FASTA (is it indexed/bgzipped?): {exc}") \
                from None
        self.lengths = dict(zip(self._fa.references, self._fa.lengths))
        self._cache: dict[tuple[str, int], str] = {}

    def naming(self) -> str:
        """Human description of the contig naming the FASTA uses."""
        names = list(self.lengths)
        chr_style = sum(n.lower().startswith("chr") for n in names) > len(names) / 2
        examples = ", ".join(names[:3])
        return f"'chr'-prefixed names (e.g. {examples})" if chr_style else \
            f"names without 'chr' (e.g. {examples})"

    def has(self, chrom: str) -> bool:
        return chrom in self.lengths

    def fetch(self, chrom: str, start: int, end: int) -> str:
        """Upper-case bases [start, end) 0-based, clipped to the contig."""
        start = max(0, start)
        end = min(end, self.lengths[chrom])
        if end <= start:
            return ""
        # cache 256-bp blocks: annotation touches the same codons and flanks repeatedly
        b0, b1 = start // _WINDOW, (end - 1) // _WINDOW
        if b0 == b1:
            key = (chrom, b0)
            block = self._cache.get(key)
            if block is None:
                if len(self._cache) > 50000:
                    self._cache.clear()
                block = self._fa.fetch(chrom, b0 * _WINDOW,
                                       min((b0 + 1) * _WINDOW, self.lengths[chrom])).upper()
                self._cache[key] = block
            return block[start - b0 * _WINDOW:end - b0 * _WINDOW]
        return self._fa.fetch(chrom, start, end).upper()

    def close(self) -> None:
        self._fa.close()


def trim(chrom: str, pos: int, ref: str, alt: str) -> Edit:
    """VCF (1-based pos, REF, ALT) -> Edit, trimming the shared suffix, then prefix."""
    ref, alt = ref.upper(), alt.upper()
    while ref and alt and ref[-1] == alt[-1]:
        ref, alt = ref[:-1], alt[:-1]
    k = 0
    while k < len(ref) and k < len(alt) and ref[k] == alt[k]:
        k += 1
    return Edit(chrom, pos - 1 + k, ref[k:], alt[k:])


def shift_left(edit: Edit, ref: Reference, floor: int = 0) -> Edit:
    """Left-align an insertion/deletion in repeats (VCF normalisation), not below `floor`.

    `floor` is the smallest 0-based start allowed (e.g. the exon start on a minus-strand
    transcript, so a coding indel is not moved into an intron).
    """
    if not edit.is_indel:
        return edit
    start, dele, ins = edit.start, edit.deleted, edit.inserted
    floor = max(0, floor)
    while start > floor:
        left = ref.fetch(edit.chrom, max(floor, start - _WINDOW), start)
        for base in reversed(left):
            unit = dele or ins
            if base != unit[-1]:
                return Edit(edit.chrom, start, dele, ins)
            if dele:
                dele = base + dele[:-1]
            else:
                ins = base + ins[:-1]
            start -= 1
    return Edit(edit.chrom, start, dele, ins)


def shift_right(edit: Edit, ref: Reference, limit: int | None = None) -> Edit:
    """3'-shift (genomic right) an insertion/deletion, not past 0-based position `limit`.

    `limit` is the exclusive end of the region the indel may occupy (e.g. the exon end) so a
    coding indel is not moved into an intron.
    """
    if not edit.is_indel:
        return edit
    start, dele, ins = edit.start, edit.deleted, edit.inserted
    stop = ref.lengths[edit.chrom] if limit is None else min(limit, ref.lengths[edit.chrom])
    while start + len(dele) < stop:
        end = start + len(dele)
        right = ref.fetch(edit.chrom, end, min(stop, end + _WINDOW))
        for base in right:
            unit = dele or ins
            if base != unit[0]:
                return Edit(edit.chrom, start, dele, ins)
            if dele:
                dele = dele[1:] + base
            else:
                ins = ins[1:] + base
            start += 1
    return Edit(edit.chrom, start, dele, ins)


def to_vcf(edit: Edit, ref: Reference) -> tuple[int, str, str]:
    """Edit -> (1-based pos, REF, ALT) with the VCF anchor base for indels."""
    if edit.deleted and edit.inserted:
        return edit.start + 1, edit.deleted, edit.inserted
    if edit.start > 0:
        anchor = ref.fetch(edit.chrom, edit.start - 1, edit.start)
        return edit.start, anchor + edit.deleted, anchor + edit.inserted
    # at the contig start VCF anchors on the base after the event
    after = ref.fetch(edit.chrom, edit.end, edit.end + 1)
    return 1, edit.deleted + after, edit.inserted + after


def check_ref(chrom: str, pos: int, ref_allele: str, ref: Reference, *,
              path: str | None, line: int | None, record: str) -> None:
    """Raise InputError when the contig is missing or REF disagrees with the FASTA."""
    if not ref.has(chrom):
        raise InputError(path, f"contig {chrom!r} is not in the reference FASTA {ref.path}, which "
                               f"uses {ref.naming()}", line=line, record=record)
    bad = set(ref_allele.upper()) - _IUPAC
    if bad or not ref_allele:
        raise InputError(path, f"REF {ref_allele!r} is not a DNA sequence", line=line,
                         record=record)
    if pos < 1 or pos - 1 + len(ref_allele) > ref.lengths[chrom]:
        raise InputError(path, f"position {pos} lies outside contig {chrom} "
                               f"(length {ref.lengths[chrom]})", line=line, record=record)
    expected = ref.fetch(chrom, pos - 1, pos - 1 + len(ref_allele))
    for a, b in zip(ref_allele.upper(), expected):
        if a != b and a != "N" and b != "N":
            raise InputError(path, f"REF {ref_allele} does not match the reference FASTA "
                                   f"{ref.path.name}, which has {expected} at {chrom}:{pos}",
                             line=line, record=record)


def normalize(chrom: str, pos: int, ref_allele: str, alt: str, ref: Reference) -> Edit:
    """Trim and left-align one biallelic record (like `bcftools norm -f`), as an Edit."""
    return shift_left(trim(chrom, pos, ref_allele, alt), ref)


def split_alts(alt: str) -> list[str]:
    """Split a multi-allelic ALT field ('A,T') into its alleles."""
    return [a for a in alt.split(",") if a]
