"""Consequence + HGVS engine for raw VCF records (pure Python, pysam.FastaFile for sequence).

Conventions (documented for the report):
- c. on the reporting transcript; indels are 3'-shifted on the transcript strand as far as the
  genome allows, across exon/intron junctions and transcript ends (HGVS 3' rule; its exon/exon
  exception cannot arise on the genome), so an insertion repeating its 5' neighbour is a `dup`.
  The consequence is called at that same 3'-shifted placement (as snpEff does): an indel in a
  repeat that reaches past the end of an exon is described, and classified, at its 3'-most copy.
- p. in one-letter short form: p.G1202R, p.R248*, p.L858= (synonymous), p.M1? (start lost),
  p.G1202del, p.E746_A750del, p.T1151_L1152insT, p.S768_D770dup, p.K2_R3delinsN*,
  frameshifts as p.L858Rfs*12 (first changed residue, its replacement, and the position of the
  new stop counting that residue as 1; fs*? when no stop before the transcript end),
  stop loss as p.*1621Qext*12 (same counting), p.*1621= for a retained stop. Protein-level
  deletions/insertions/duplications are also shifted to the most C-terminal position.
- Indels crossing an exon/intron boundary get the splice term(s) plus
  protein_altering_variant with p.? (the protein effect cannot be predicted safely).
- Splice terms: donor/acceptor = intron bases 1-2 from the exon; splice_region = intron bases
  3-8 or exon bases 1-3 next to an intron.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from kinres.annotate.annotator_terms import SEVERITY
from kinres.annotate.coding_effect import (
    _RANK,
    CODONS,
    CodingEffects,
    _sorted,
    _TxSeq,
    revcomp,
    translate,
)
from kinres.annotate.gff import Annotation, TranscriptModel, load_annotation
from kinres.annotate.normalize import (
    Edit,
    Reference,
    check_ref,
    normalize,
    shift_left,
    shift_right,
    split_alts,
    to_vcf,
)
from kinres.enums import Consequence as C
from kinres.models import ProteinAnnotation, Variant

if TYPE_CHECKING:  # pragma: no cover
    from kinres.annotate.transcripts import Panel

FLANK = 5000  # upstream/downstream reach

# the coding effect (codons, protein-level HGVS) lives in coding_effect; tests and callers import
# these names from here
__all__ = ["CODONS", "FLANK", "SEVERITY", "Engine", "annotate_variants", "revcomp", "translate"]


# ---------------------------------------------------------------------------- transcript cache
class Engine(CodingEffects):
    """Annotates normalised edits on transcript models (sequence cached per transcript)."""

    def __init__(self, ref: Reference, shift3: bool = True):
        # shift3=False keeps indels where they are (left-aligned VCF) on DNA and protein level;
        # only for comparison with tools that do not apply the HGVS 3' rule (bcftools csq)
        self.ref = ref
        self.shift3 = shift3
        self._seqs: dict[str, _TxSeq] = {}

    def _chrom(self, tx: TranscriptModel) -> str:
        """The FASTA contig name for the transcript's chromosome (chr prefix tolerant)."""
        if tx.chrom in self.ref.lengths:
            return tx.chrom
        alt = tx.chrom[3:] if tx.chrom.lower().startswith("chr") else "chr" + tx.chrom
        if alt in self.ref.lengths:
            return alt
        if tx.chrom in ("MT", "chrM"):
            for c in ("chrM", "MT"):
                if c in self.ref.lengths:
                    return c
        return tx.chrom

    def seq(self, tx: TranscriptModel) -> _TxSeq:
        got = self._seqs.get(tx.transcript_id)
        if got is None:
            chrom = self._chrom(tx)
            parts = [self.ref.fetch(chrom, s - 1, e) for s, e in tx.exons]
            mrna = "".join(parts if tx.strand > 0 else [revcomp(p) for p in parts])
            prot = ""
            if tx.cds_range:
                c0, c1 = tx.cds_range
                prot = translate(mrna[c0:c1])
            got = self._seqs[tx.transcript_id] = _TxSeq(mrna, prot)
        return got

    # ------------------------------------------------------------------ coordinates
    def c_pos(self, tx: TranscriptModel, g: int) -> str:
        """HGVS c. (or n. for non-coding) position string of 1-based genomic position g."""
        m = tx.mrna_index(g)
        if m is not None:
            return self._c_of_m(tx, m)
        plus = tx.strand > 0
        if g < tx.start or g > tx.end:
            before = (g < tx.start) == plus  # 5' of the transcript
            if before:
                return self._c_of_m(tx, 0, extra=-(tx.start - g if plus else g - tx.end))
            last = tx.mrna_length - 1
            return self._c_of_m(tx, last, extra=(g - tx.end if plus else tx.start - g))
        k, d5, d3 = self._intron_at(tx, g)
        if d5 <= d3:
            anchor = tx.exons[k][1] if plus else tx.exons[k][0]
            return f"{self._c_of_m(tx, tx.mrna_index(anchor))}+{d5}"
        anchor = tx.exons[k + 1][0] if plus else tx.exons[k + 1][1]
        return f"{self._c_of_m(tx, tx.mrna_index(anchor))}-{d3}"

    def _c_of_m(self, tx: TranscriptModel, m: int, extra: int = 0) -> str:
        if not tx.cds_range:
            return str(m + 1 + extra)
        c0, c1 = tx.cds_range
        m2 = m + extra
        if m2 < c0:
            return f"-{c0 - m2}"
        if m2 >= c1:
            return f"*{m2 - c1 + 1}"
        return str(m2 - c0 + 1)

    @staticmethod
    def _intron_at(tx: TranscriptModel, g: int) -> tuple[int, int, int]:
        """(k, d5, d3): g lies in the intron after exon k (0-based, transcript order)."""
        for k in range(len(tx.exons) - 1):
            a, b = tx.exons[k], tx.exons[k + 1]
            if tx.strand > 0 and a[1] < g < b[0]:
                return k, g - a[1], b[0] - g
            if tx.strand < 0 and b[1] < g < a[0]:
                return k, a[0] - g, g - b[1]
        raise ValueError(f"{g} is not intronic in {tx.transcript_id}")

    # ------------------------------------------------------------------ main entry
    def annotate(self, tx: TranscriptModel, edit: Edit) -> ProteinAnnotation | None:
        """Consequence of `edit` (trimmed, any alignment) on `tx`; None when > FLANK away."""
        lo = edit.start + 1  # 1-based first affected base (insertion: right flank)
        hi = edit.end if edit.deleted else edit.start  # last affected / left flank
        if hi < tx.start - FLANK or lo > tx.end + FLANK:
            return None
        if self.shift3 and edit.is_indel:
            edit = self._shift3(tx, edit)
            lo = edit.start + 1
            hi = edit.end if edit.deleted else edit.start
        base = {"gene": tx.gene, "transcript": tx.transcript_id, "annotator": "kinres"}
        if hi < tx.start or lo > tx.end:
            five = (hi < tx.start) == (tx.strand > 0)
            return ProteinAnnotation(consequences=(C.UPSTREAM if five else C.DOWNSTREAM,),
                                     hgvs_c=self._hgvs_c(tx, edit), **base)
        regions = self._regions(tx, edit)
        cons: set[C] = set()
        exon_no = intron_no = None
        exon_idx = {r[1] for r in regions if r[0] == "exon"}
        intron_idx = {r[1] for r in regions if r[0] == "intron"}
        if exon_idx:
            exon_no = min(exon_idx) + 1
        if intron_idx:
            intron_no = min(intron_idx) + 1
        cons |= self._splice(tx, edit)
        if intron_idx:
            cons.add(C.INTRON)
        if len(regions) == 1 and regions[0][0] == "exon":
            prot = self._exonic(tx, edit) if tx.is_coding else None
            if not tx.is_coding:
                cons.add(C.NON_CODING)
                return ProteinAnnotation(consequences=_sorted(cons), hgvs_c=self._hgvs_c(tx, edit),
                                         exon=exon_no, **base)
            pcons, fields = prot
            cons |= pcons
            return ProteinAnnotation(consequences=_sorted(cons), hgvs_c=self._hgvs_c(tx, edit),
                                     exon=exon_no, intron=None, **fields, **base)
        if exon_idx and intron_idx and tx.is_coding:
            # crosses an exon/intron boundary: say which codons are touched, but not p.
            cds_m = self._cds_m_hit(tx, edit)
            if cds_m:
                c0, c1 = tx.cds_range
                a0, a1 = (min(cds_m) - c0) // 3 + 1, (max(cds_m) - c0) // 3 + 1
                cons.add(C.PROTEIN_ALTERING)
                cons |= self._utr_terms(tx, edit)
                if min(cds_m) < c0 + 3:
                    cons.add(C.START_LOST)
                if max(cds_m) >= c1 - 3:
                    cons.add(C.STOP_LOST)
                return ProteinAnnotation(consequences=_sorted(cons), hgvs_c=self._hgvs_c(tx, edit),
                                         hgvs_p="p.?", protein_start=a0, protein_end=a1,
                                         exon=exon_no, intron=intron_no, **base)
            cons |= self._utr_terms(tx, edit)
        elif exon_idx and not tx.is_coding:
            cons.add(C.NON_CODING)
        elif exon_idx:
            cons |= self._utr_terms(tx, edit)
        if not tx.is_coding and C.NON_CODING not in cons:
            cons.add(C.NON_CODING)
        return ProteinAnnotation(consequences=_sorted(cons), hgvs_c=self._hgvs_c(tx, edit),
                                 exon=exon_no if exon_idx else None,
                                 intron=intron_no if intron_idx else None, **base)

    # ------------------------------------------------------------------ helpers
    def _shift3(self, tx: TranscriptModel, edit: Edit) -> Edit:
        """Shift an indel 3' on the transcript strand as far as the genome allows (HGVS 3' rule).

        HGVS applies the 3' rule across exon/intron and intron/exon junctions and the shift may
        carry an indel into or out of the transcript (genomic-based c. numbering); its only
        exception (deletions/duplications at exon/exon junctions of a c. sequence) cannot
        arise on the genome, where an intron separates the exons. The consequence is then
        called at this placement, so c., p. and the consequence describe the same edit.
        """
        if tx.strand > 0:
            return shift_right(edit, self.ref)
        return shift_left(edit, self.ref)

    def _regions(self, tx: TranscriptModel, edit: Edit) -> list[tuple[str, int]]:
        """Distinct (kind, index) regions touched: ('exon', i) / ('intron', k)."""
        if edit.deleted:
            positions: Iterable[int] = range(edit.start + 1, edit.end + 1)
        else:
            positions = (edit.start, edit.start + 1)  # both flanks of an insertion
        out: list[tuple[str, int]] = []
        for g in positions:
            if g < tx.start or g > tx.end:
                r = ("outside", 0)
            else:
                i = tx.exon_index(g)
                r = ("exon", i) if i is not None else ("intron", self._intron_at(tx, g)[0])
            if r not in out:
                out.append(r)
        if not edit.deleted and len(out) == 2:
            # an insertion next to an exon keeps the splice dinucleotide intact and becomes
            # part of that exon (as bcftools csq and VEP treat it)
            exonic = [r for r in out if r[0] == "exon"]
            if len(exonic) == 1:
                out = exonic
        return out

    def _splice(self, tx: TranscriptModel, edit: Edit) -> set[C]:
        out: set[C] = set()
        ins = not edit.deleted
        lo, hi = (edit.start, edit.start + 1) if ins else (edit.start + 1, edit.end)
        n = len(tx.exons)
        for k in range(n - 1):
            a, b = tx.exons[k], tx.exons[k + 1]
            if tx.strand > 0:
                donor_site = (a[1] + 1, a[1] + 2)
                acc_site = (b[0] - 2, b[0] - 1)
                region = [(a[1] - 2, a[1]), (a[1] + 3, a[1] + 8), (b[0] - 8, b[0] - 3),
                          (b[0], b[0] + 2)]
            else:
                donor_site = (a[0] - 2, a[0] - 1)
                acc_site = (b[1] + 1, b[1] + 2)
                region = [(a[0], a[0] + 2), (a[0] - 8, a[0] - 3), (b[1] + 3, b[1] + 8),
                          (b[1] - 2, b[1])]
            if ins:
                # an insertion disrupts a 2-bp site only when it goes between its two bases;
                # it is in the splice region when both flanking bases are (site bases count)
                if donor_site == (lo, hi):
                    out.add(C.SPLICE_DONOR)
                elif acc_site == (lo, hi):
                    out.add(C.SPLICE_ACCEPTOR)
                else:
                    zone = [*region, donor_site, acc_site]
                    if all(any(s <= x <= e for s, e in zone) for x in (lo, hi)):
                        out.add(C.SPLICE_REGION)
                continue
            if lo <= donor_site[1] and donor_site[0] <= hi:
                out.add(C.SPLICE_DONOR)
            if lo <= acc_site[1] and acc_site[0] <= hi:
                out.add(C.SPLICE_ACCEPTOR)
            if any(lo <= e and s <= hi for s, e in region):
                out.add(C.SPLICE_REGION)
        return out

    def _cds_m_hit(self, tx: TranscriptModel, edit: Edit) -> list[int]:
        c0, c1 = tx.cds_range  # type: ignore[misc]
        out = []
        rng = range(edit.start + 1, edit.end + 1) if edit.deleted else (edit.start, edit.start + 1)
        for g in rng:
            m = tx.mrna_index(g)
            if m is not None and c0 <= m < c1:
                out.append(m)
        return out

    def _utr_terms(self, tx: TranscriptModel, edit: Edit) -> set[C]:
        c0, c1 = tx.cds_range  # type: ignore[misc]
        out: set[C] = set()
        rng = range(edit.start + 1, edit.end + 1) if edit.deleted else (edit.start, edit.start + 1)
        for g in rng:
            m = tx.mrna_index(g)
            if m is None:
                continue
            if m < c0:
                out.add(C.UTR5)
            elif m >= c1:
                out.add(C.UTR3)
        return out

    def _mrna_edit(self, tx: TranscriptModel, edit: Edit) -> tuple[int, int, str]:
        """Exonic edit -> (m0, m1, inserted) on the spliced transcript (half-open)."""
        if edit.deleted:
            ma = tx.mrna_index(edit.start + 1)
            mb = tx.mrna_index(edit.end)
            m0, m1 = min(ma, mb), max(ma, mb) + 1  # type: ignore[type-var]
        else:
            ma = tx.mrna_index(edit.start)
            mb = tx.mrna_index(edit.start + 1)
            if ma is None or mb is None:  # at an exon edge: insert at the exon's outer side
                left_is_exon = ma is not None
                m = ma if left_is_exon else mb
                # the genomic-left flank is 5' on the plus strand
                m0 = m1 = m + 1 if left_is_exon == (tx.strand > 0) else m  # type: ignore
            else:
                m0 = m1 = max(ma, mb)
        ins = edit.inserted if tx.strand > 0 else revcomp(edit.inserted)
        return m0, m1, ins

    # ------------------------------------------------------------------ HGVS c.
    def _hgvs_c(self, tx: TranscriptModel, edit: Edit) -> str:
        prefix = "c." if tx.is_coding else "n."
        plus = tx.strand > 0
        rc = (lambda s: s) if plus else revcomp
        if edit.deleted:
            g5, g3 = (edit.start + 1, edit.end) if plus else (edit.end, edit.start + 1)
            p5, p3 = self.c_pos(tx, g5), self.c_pos(tx, g3)
            span = p5 if g5 == g3 else f"{p5}_{p3}"
            if not edit.inserted:
                return f"{prefix}{span}del"
            if len(edit.deleted) == 1 and len(edit.inserted) == 1:
                return f"{prefix}{p5}{rc(edit.deleted)}>{rc(edit.inserted)}"
            return f"{prefix}{span}delins{rc(edit.inserted)}"
        n = len(edit.inserted)
        chrom = edit.chrom
        before = self.ref.fetch(chrom, edit.start - n, edit.start)  # genomic left neighbour
        after = self.ref.fetch(chrom, edit.start, edit.start + n)
        # dup when the inserted copy repeats its 5' neighbour on the transcript strand
        five, three = (before, after) if plus else (after, before)
        if edit.inserted == five or edit.inserted == three:
            if edit.inserted == five:
                lo, hi = (edit.start - n + 1, edit.start) if plus else \
                    (edit.start + 1, edit.start + n)
            else:
                lo, hi = (edit.start + 1, edit.start + n) if plus else \
                    (edit.start - n + 1, edit.start)
            g5, g3 = (lo, hi) if plus else (hi, lo)
            p5, p3 = self.c_pos(tx, g5), self.c_pos(tx, g3)
            return f"{prefix}{p5}dup" if n == 1 else f"{prefix}{p5}_{p3}dup"
        g5, g3 = (edit.start, edit.start + 1) if plus else (edit.start + 1, edit.start)
        return f"{prefix}{self.c_pos(tx, g5)}_{self.c_pos(tx, g3)}ins{rc(edit.inserted)}"


# ---------------------------------------------------------------------------- public API
@lru_cache(maxsize=4)
def _cached_annotation(path: str, mtime: float, genes: frozenset[str] | None) -> Annotation:
    return load_annotation(path, genes)


def _load(annotation: Path, genes: set[str] | None) -> Annotation:
    p = Path(annotation)
    mtime = p.stat().st_mtime if p.exists() else 0.0
    return _cached_annotation(str(p), mtime, frozenset(genes) if genes is not None else None)


def annotate_variants(variants: Iterable[Variant], fasta: Path, annotation: Path,
                      panel: Panel | None, genes: set[str] | None = None,
                      ) -> tuple[list[Variant], list[str]]:
    """Normalise, check against the FASTA and annotate each variant on its reporting transcript.

    Multi-allelic ALTs are split into one Variant per allele; indels are left-aligned and
    trimmed (VCF convention). The reporting transcript is the panel's transcript for the gene
    when `panel` knows the gene, else the annotation's MANE/Ensembl-canonical transcript, else
    the longest CDS. When several genes overlap, the most severe consequence wins (genes
    restricted to `genes`, or to the panel's genes when a panel is given, if set). Variants
    outside every (wanted) gene keep annotation=None. REF mismatches and contigs missing from
    the FASTA raise InputError; symbolic ALTs are kept unannotated and reported as warnings.
    """
    warnings: list[str] = []
    ref = Reference(fasta)
    wanted = set(genes) if genes is not None else (set(panel.genes) if panel is not None
                                                     else None)
    ann = _load(Path(annotation), wanted)
    engine = Engine(ref)
    out: list[Variant] = []
    symbolic = 0
    missing_panel_tx: set[str] = set()
    reporting: dict[str, tuple[TranscriptModel | None, str | None]] = {}

    def reporting_tx(gene: str) -> tuple[TranscriptModel | None, str | None]:
        if gene in reporting:
            return reporting[gene]
        note = None
        tx = None
        if panel is not None and gene in set(panel.genes):
            ptx = panel.transcript(gene)
            for tid in (ptx.transcript_id, *getattr(ptx, "equivalent_transcripts", ())):
                tx = ann.by_id(tid) if tid else None
                if tx is not None:
                    break
            if tx is None:
                missing_panel_tx.add(f"{gene} {ptx.transcript_id}")
                note = f"panel transcript {ptx.transcript_id} not in the annotation"
            elif getattr(ptx, "protein_length", None) and tx.is_coding and \
                    tx.cds_length // 3 - 1 != ptx.protein_length:
                warnings.append(f"{gene}: annotation CDS of {tx.transcript_id} encodes "
                                f"{tx.cds_length // 3 - 1} aa but the panel says "
                                f"{ptx.protein_length} aa")
        if tx is None:
            tx = ann.default_transcript(gene)
            if tx is not None and note:
                note += f"; numbered on {tx.transcript_id}"
        reporting[gene] = (tx, note)
        return reporting[gene]

    for v in variants:
        src = v.source
        path, line = (src.path, src.line) if src else (None, None)
        for alt in split_alts(v.alt) or [v.alt]:
            if alt.startswith("<") or alt in ("*", ".") or "[" in alt or "]" in alt:
                symbolic += 1
                out.append(replace(v, alt=alt))
                continue
            check_ref(v.chrom, v.pos, v.ref, ref, path=path, line=line,
                      record=f"{v.chrom}:{v.pos}:{v.ref}>{alt}")
            if set(alt.upper()) - set("ACGTN"):
                from kinres.errors import InputError
                raise InputError(path, f"ALT {alt!r} is not a DNA sequence", line=line,
                                 record=f"{v.chrom}:{v.pos}:{v.ref}>{alt}")
            edit = normalize(v.chrom, v.pos, v.ref, alt, ref)
            if not edit.deleted and not edit.inserted:
                warnings.append(f"{v.chrom}:{v.pos}:{v.ref}>{alt}: ALT equals REF, not annotated")
                out.append(replace(v, alt=alt))
                continue
            pos, r, a = to_vcf(edit, ref)
            nv = replace(v, pos=pos, ref=r, alt=a)
            best: ProteinAnnotation | None = None
            lo, hi = edit.start + 1, max(edit.end, edit.start + 1)
            for gene in sorted({t.gene for t in ann.overlapping(v.chrom, lo - FLANK, hi + FLANK)}):
                if wanted is not None and gene not in wanted:
                    continue
                tx, note = reporting_tx(gene)
                if tx is None:
                    continue
                pa = engine.annotate(tx, edit)
                if pa is None:
                    continue
                if note:
                    pa = replace(pa, note=note)
                if getattr(panel, "genes", None) and gene in set(panel.genes):
                    rs = getattr(panel.transcript(gene), "refseq", None)
                    if rs:
                        pa = replace(pa, refseq=rs)
                if best is None or _RANK[pa.consequences[0]] < _RANK[best.consequences[0]]:
                    best = pa
            out.append(replace(nv, annotation=best))
    if symbolic:
        warnings.append(f"{symbolic} record(s) with symbolic/breakend ALT alleles were not "
                        "annotated")
    for m in sorted(missing_panel_tx):
        warnings.append(f"panel transcript {m} is missing from {Path(annotation).name}; "
                        "annotated on the annotation's canonical transcript instead")
    ref.close()
    return out, warnings
