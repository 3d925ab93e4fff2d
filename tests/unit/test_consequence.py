"""Consequence + HGVS engine on synthetic transcripts with independently computed expectations."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import pytest
from synthref import make_reference, random_variants, revcomp, translate

from kinres.annotate.consequence import CODONS, annotate_variants
from kinres.enums import Consequence as C
from kinres.errors import InputError
from kinres.models import SourceRef, Variant

COMP = {"A": "T", "C": "G", "G": "C", "T": "A"}


@pytest.fixture(scope="module")
def ref(tmp_path_factory):
    return make_reference(tmp_path_factory.mktemp("synth"), seed=7)


def annotate(ref, chrom, pos, r, a, panel=None, annotation=None):
    v = Variant(chrom, pos, r, a, source=SourceRef("sample.vcf", 42))
    out, _warnings = annotate_variants([v], ref.fasta, annotation or ref.gff3, panel)
    assert len(out) == 1
    return out[0]


def snv_at(ref, tx, c: int, new_tx_base: str):
    """VCF (chrom, pos, REF, ALT) for a transcript-strand change at c. position c."""
    g = tx.cds_to_genomic(c)
    old = tx.cds[c - 1]
    if tx.strand > 0:
        return tx.chrom, g, old, new_tx_base
    return tx.chrom, g, COMP[old], COMP[new_tx_base]


def find_codon(tx, want):
    """(codon number, position in codon, new base) where one change gives `want(ref, alt)`."""
    for n in range(2, len(tx.protein)):
        codon = tx.cds[3 * (n - 1):3 * n]
        for k in range(3):
            for b in "ACGT":
                if b == codon[k]:
                    continue
                alt = codon[:k] + b + codon[k + 1:]
                if want(CODONS[codon], CODONS[alt]):
                    return n, k, b
    raise AssertionError("no suitable codon")


@pytest.mark.parametrize("gene", ["SYN1", "SYN2", "SYN4", "SYN7"])  # + and - strands
def test_missense_both_strands(ref, gene):
    tx = ref.gene(gene)
    n, k, b = find_codon(tx, lambda r, a: r != a and "*" not in (r, a))
    c = 3 * (n - 1) + k + 1
    v = annotate(ref, *snv_at(ref, tx, c, b))
    alt_aa = CODONS[tx.cds[3 * (n - 1):3 * n][:k] + b + tx.cds[3 * (n - 1):3 * n][k + 1:]]
    pa = v.annotation
    assert pa.gene == gene and pa.transcript == tx.transcript_id
    assert pa.hgvs_c == f"c.{c}{tx.cds[c - 1]}>{b}"
    assert pa.hgvs_p == f"p.{tx.protein[n - 1]}{n}{alt_aa}"
    assert pa.consequences[0] is C.MISSENSE
    assert (pa.protein_start, pa.ref_aa, pa.alt_aa) == (n, tx.protein[n - 1], alt_aa)
    exon = next(i for i, (s, e) in enumerate(tx.exons, 1) if s <= tx.cds_to_genomic(c) <= e)
    assert pa.exon == exon and pa.annotator == "kinres"


def test_minus_strand_known_codon(ref):
    """SYN2 is on the minus strand: VCF REF/ALT are the complement of the codon bases."""
    tx = ref.gene("SYN2")
    assert tx.strand == -1
    n = 30
    g1, g2, g3 = tx.codon_positions(n)
    assert g1 > g2 > g3  # transcript order runs down the genome (same exon here or not)
    codon = tx.cds[87:90]
    new = next(b for b in "ACGT" if b != codon[0] and CODONS[b + codon[1:]] not in
               (CODONS[codon], "*"))
    v = annotate(ref, tx.chrom, g1, COMP[codon[0]], COMP[new])
    assert v.annotation.hgvs_c == f"c.88{codon[0]}>{new}"
    assert v.annotation.hgvs_p == f"p.{tx.protein[29]}30{CODONS[new + codon[1:]]}"


def test_nonsense_synonymous_start_stop(ref):
    tx = ref.gene("SYN4")
    n, k, b = find_codon(tx, lambda r, a: a == "*")
    pa = annotate(ref, *snv_at(ref, tx, 3 * (n - 1) + k + 1, b)).annotation
    assert pa.hgvs_p == f"p.{tx.protein[n - 1]}{n}*" and C.STOP_GAINED in pa.consequences
    n, k, b = find_codon(tx, lambda r, a: r == a)
    pa = annotate(ref, *snv_at(ref, tx, 3 * (n - 1) + k + 1, b)).annotation
    assert pa.hgvs_p == f"p.{tx.protein[n - 1]}{n}=" and pa.consequences == (C.SYNONYMOUS,)
    pa = annotate(ref, *snv_at(ref, tx, 2, "C")).annotation  # ATG -> ACG
    assert pa.hgvs_p == "p.M1?" and pa.consequences[0] is C.START_LOST
    # stop codon -> sense codon: extension length from an independent translation
    last = len(tx.cds)
    stop = tx.cds[-3:]
    b = next(x for x in "ACGT" if CODONS.get(x + stop[1:]) not in ("*", None))
    pa = annotate(ref, *snv_at(ref, tx, last - 2, b)).annotation
    tail = translate(b + stop[1:] + tx.mrna[tx.cds_offset + last:])
    n_ext = tail.index("*") + 1 if "*" in tail else "?"
    assert pa.hgvs_p == f"p.*{len(tx.protein) + 1}{tail[0]}ext*{n_ext}"
    assert pa.consequences[0] is C.STOP_LOST


def _first_change(ref_prot: str, alt_prot: str) -> int:
    k = 0
    while ref_prot[k] == alt_prot[k]:
        k += 1
    return k


@pytest.mark.parametrize("gene", ["SYN1", "SYN6"])
def test_frameshift_matches_independent_translation(ref, gene):
    tx = ref.gene(gene)
    c = 3 * 40 + 2  # middle of codon 41
    g = tx.cds_to_genomic(c)
    chrom_seq = ref.contigs[tx.chrom]
    # 1-bp deletion of c.{c} (VCF: anchor on the genomic left)
    v = annotate(ref, tx.chrom, g - 1, chrom_seq[g - 2:g], chrom_seq[g - 2])
    alt_mrna = tx.mrna[:tx.cds_offset + c - 1] + tx.mrna[tx.cds_offset + c:]
    alt_prot = translate(alt_mrna[tx.cds_offset:])
    k = _first_change(tx.protein + "*", alt_prot)
    stop = alt_prot.index("*", k) - k + 1 if "*" in alt_prot[k:] else "?"
    pa = v.annotation
    assert pa.consequences[0] is C.FRAMESHIFT
    if alt_prot[k] == "*":
        assert pa.hgvs_p == f"p.{tx.protein[k]}{k + 1}*"
    else:
        assert pa.hgvs_p == f"p.{tx.protein[k]}{k + 1}{alt_prot[k]}fs*{stop}"
    assert re.fullmatch(r"c\.\d+del", pa.hgvs_c)


def test_inframe_deletion_dup_and_insertion_3prime_rule(ref):
    tx = ref.gene("SYN7")  # plus strand
    prot = tx.protein
    # pick a codon n whose residue differs from both neighbours: the protein position is fixed
    n = next(i for i in range(20, 200) if prot[i - 2] != prot[i - 1] != prot[i])
    s = ref.contigs[tx.chrom]
    g1 = tx.cds_to_genomic(3 * (n - 1) + 1)
    assert tx.cds_to_genomic(3 * n) == g1 + 2, "codon split by an intron; choose another"
    pa = annotate(ref, tx.chrom, g1 - 1, s[g1 - 2:g1 + 2], s[g1 - 2]).annotation
    assert pa.hgvs_p == f"p.{prot[n - 1]}{n}del"
    assert pa.consequences[0] is C.INFRAME_DELETION and pa.protein_start == n
    # duplicate the codon: p.X{n}dup, c. ...dup
    codon = s[g1 - 1:g1 + 2]
    pa = annotate(ref, tx.chrom, g1 + 2, s[g1 + 1], s[g1 + 1] + codon).annotation
    assert pa.hgvs_p == f"p.{prot[n - 1]}{n}dup", pa
    assert pa.hgvs_c.endswith("dup") and pa.consequences[0] is C.INFRAME_INSERTION
    # insertion of a residue that is not a copy: p.A{n}_B{n+1}insX (X differs from both)
    ins = next(c for c in ("TGG", "TGC", "CAT") if CODONS[c] not in (prot[n - 1], prot[n]))
    pa = annotate(ref, tx.chrom, g1 + 2, s[g1 + 1], s[g1 + 1] + ins).annotation
    assert pa.hgvs_p == f"p.{prot[n - 1]}{n}_{prot[n]}{n + 1}ins{CODONS[ins]}"
    assert pa.hgvs_c == f"c.{3 * n}_{3 * n + 1}ins{ins}"


def test_hgvs_dup_uses_3prime_rule_in_repeat(ref):
    """Insert one extra copy of a base inside a homopolymer run: described at its 3' end."""
    tx = ref.gene("SYN1")
    s = ref.contigs[tx.chrom]
    for c in range(10, len(tx.cds) - 10):
        g = tx.cds_to_genomic(c)
        if s[g - 1] == s[g] == s[g + 1] and tx.cds_to_genomic(c + 3) == g + 3 and s[g + 2] != s[g]:
            break
    else:
        pytest.skip("no homopolymer of 3 in SYN1 CDS")
    base = s[g - 1]
    # VCF left-aligned form would anchor before the run; write it at the run start on purpose
    pa = annotate(ref, tx.chrom, g, base, base + base).annotation
    assert pa.hgvs_c == f"c.{c + 2}dup"  # last base of the 3-base run


def test_splice_intron_and_utr_notation(ref):
    tx = ref.gene("SYN2")  # minus strand with UTR-only first exon
    s = ref.contigs[tx.chrom]
    # exon 2 donor side: intron 2 starts just below exon 2's lowest coordinate
    ex2 = tx.exons[1]
    c_last = next(c for c in range(1, len(tx.cds) + 1) if tx.cds_to_genomic(c) == ex2[0])
    for off, cons in ((1, C.SPLICE_DONOR), (2, C.SPLICE_DONOR), (5, C.SPLICE_REGION),
                      (12, C.INTRON)):
        g = ex2[0] - off
        ref_b = s[g - 1]
        alt_b = "A" if ref_b != "A" else "C"
        pa = annotate(ref, tx.chrom, g, ref_b, alt_b).annotation
        assert pa.hgvs_c == f"c.{c_last}+{off}{COMP[ref_b]}>{COMP[alt_b]}"
        assert pa.consequences[0] is cons and pa.intron == 2 and pa.hgvs_p is None
    # 5' UTR: 12 bases upstream of the ATG in the mRNA
    g = tx.mrna_to_genomic(tx.cds_offset - 12)
    pa = annotate(ref, tx.chrom, g, s[g - 1], "A" if s[g - 1] != "A" else "C").annotation
    assert pa.hgvs_c.startswith("c.-12") and pa.consequences == (C.UTR5,)
    # 3' UTR: 30 bases after the stop codon
    g = tx.mrna_to_genomic(tx.cds_offset + len(tx.cds) + 29)
    pa = annotate(ref, tx.chrom, g, s[g - 1], "A" if s[g - 1] != "A" else "C").annotation
    assert pa.hgvs_c.startswith("c.*30") and pa.consequences == (C.UTR3,)
    # acceptor side of intron 1: c.{first base of exon 2}-1/-2 = acceptor
    first2 = tx.mrna_to_genomic(len(tx.mrna) - len(tx.mrna))  # noqa: F841 - readability
    g = ex2[1] + 1
    c_first = (f"-{tx.cds_offset - (tx.exons[0][1] - tx.exons[0][0] + 1)}"
               if tx.cds_offset > tx.exons[0][1] - tx.exons[0][0] + 1 else None)
    pa = annotate(ref, tx.chrom, g, s[g - 1], "A" if s[g - 1] != "A" else "C").annotation
    assert pa.consequences[0] is C.SPLICE_ACCEPTOR and pa.intron == 1
    if c_first:
        assert pa.hgvs_c.startswith(f"c.{c_first}-1")


def test_ref_mismatch_names_file_record_and_base(ref):
    tx = ref.gene("SYN1")
    g = tx.cds_to_genomic(20)
    wrong = next(b for b in "ACGT" if b != ref.contigs[tx.chrom][g - 1])
    with pytest.raises(InputError) as exc:
        annotate(ref, tx.chrom, g, wrong, "N" if wrong != "N" else "A")
    msg = str(exc.value)
    assert "sample.vcf" in msg and "line 42" in msg
    assert f"has {ref.contigs[tx.chrom][g - 1]}" in msg and f"{tx.chrom}:{g}" in msg


def test_contig_naming_error(ref):
    with pytest.raises(InputError) as exc:
        annotate(ref, "chr1", 100, ref.contigs["1"][99], "A")
    assert "names without 'chr'" in str(exc.value) and "chr1" in str(exc.value)


def test_multiallelic_split_normalised_and_symbolic(ref):
    tx = ref.gene("SYN3")
    g = tx.cds_to_genomic(30)
    s = ref.contigs[tx.chrom]
    b = s[g - 1]
    alts = [x for x in "ACGT" if x != b][:2]
    v = Variant(tx.chrom, g, b, ",".join(alts))
    sym = Variant(tx.chrom, g, b, "<DEL>")
    out, warnings = annotate_variants([v, sym], ref.fasta, ref.gff3, None)
    assert [o.alt for o in out] == [*alts, "<DEL>"]
    assert all(o.annotation for o in out[:2]) and out[2].annotation is None
    assert any("symbolic" in w for w in warnings)


@dataclass(frozen=True)
class _PanelTx:
    transcript_id: str
    refseq: str = "NM_999999.1"
    protein_length: int | None = None
    equivalent_transcripts: tuple[str, ...] = ()


class _Panel:
    """Duck-typed stand-in for kinres.annotate.transcripts.Panel (genes + transcript())."""

    def __init__(self, mapping):
        self._m = mapping
        self.genes = tuple(mapping)

    def transcript(self, gene):
        return self._m[gene]


def test_reporting_transcript_panel_canonical_and_missing(ref):
    tx = ref.gene("SYN2")
    alt_tx = ref.transcript("ENST90000000001")
    n, k, b = find_codon(tx, lambda r, a: r != a and "*" not in (r, a))
    rec = snv_at(ref, tx, 3 * (n - 1) + k + 1, b)
    assert annotate(ref, *rec).annotation.transcript == tx.transcript_id  # canonical tag
    panel = _Panel({"SYN2": _PanelTx(alt_tx.transcript_id, protein_length=len(tx.protein))})
    pa = annotate(ref, *rec, panel=panel).annotation
    assert pa.transcript == alt_tx.transcript_id and pa.refseq == "NM_999999.1"
    # panel transcript absent from the annotation: canonical used, said so in a note + warning
    panel = _Panel({"SYN2": _PanelTx("ENST00000000404")})
    v = Variant(*rec)
    out, warnings = annotate_variants([v], ref.fasta, ref.gff3, panel)
    assert out[0].annotation.transcript == tx.transcript_id
    assert "ENST00000000404" in out[0].annotation.note
    assert any("ENST00000000404" in w for w in warnings)
    # a gene not on the panel is not annotated when a panel is given
    other = ref.gene("SYN1")
    out, _ = annotate_variants([Variant(*snv_at(ref, other, 10, "A" if other.cds[9] != "A"
                                                  else "C"))], ref.fasta, ref.gff3, panel)
    assert out[0].annotation is None


def test_gff3_and_gtf_give_identical_annotations(ref):
    recs = random_variants(ref, 600, seed=5)
    vs = [Variant(r.chrom, r.pos, r.ref, r.alt) for r in recs]
    a, _ = annotate_variants(vs, ref.fasta, ref.gff3, None)
    b, _ = annotate_variants(vs, ref.fasta, ref.gtf, None)
    diffs = [(x.key, x.annotation, y.annotation) for x, y in zip(a, b)
             if x.annotation != y.annotation]
    assert not diffs, diffs[:5]
    assert sum(1 for x in a if x.annotation and x.annotation.hgvs_p) > 300


def test_thousands_of_variants_in_seconds(ref):
    recs = random_variants(ref, 5000, seed=9)
    vs = [Variant(r.chrom, r.pos, r.ref, r.alt) for r in recs]
    t0 = time.perf_counter()
    out, _ = annotate_variants(vs, ref.fasta, ref.gff3, None)
    elapsed = time.perf_counter() - t0
    assert len(out) == 5000 and elapsed < 10, elapsed


def test_revcomp_helper_consistent():
    assert revcomp("ATGC") == "GCAT"


# ------------------------------------------------------------------ HGVS 3' rule at the edges
# A hand-built two-exon plus-strand transcript (contig "1") and its exact mirror image on the
# minus strand (contig "2" = reverse complement of contig "1"): every edit on one has a mirror
# edit on the other that must get the same c., p. and consequence. Repeats are planted across
# the transcript start (4-bp unit), across its end (3-bp unit) and across the exon 1 donor.
_UTR5, _TX = (101, 120), (101, 400)
_EXONS = ((101, 160), (261, 400))
_CDS = ((121, 160), (261, 310))  # 30 codons: c.1 = 121, c.40 = 160, c.41 = 261, c.*1 = 311
_U5, _U3 = "CTGA", "TCA"  # copies at 97-100 + 101-104 and at 397-399 + 400-402


def _mirror_genome(tmp_path):
    import random

    rng = random.Random(5)
    seq = [rng.choice("ACGT") for _ in range(600)]
    sense = [c for c in CODONS if CODONS[c] != "*"]
    cds = "ATG" + "".join(rng.choice(sense) for _ in range(28)) + "TAA"
    # codon 13 ends with C (c.39), codon 14 starts with G (c.40 = last exon-1 base)
    cds = cds[:36] + "GCC" + "G" + cds[40:]
    cds_pos = [g for s, e in _CDS for g in range(s, e + 1)]
    for g, b in zip(cds_pos, cds):
        seq[g - 1] = b
    assert CODONS[cds[39:42]] != "*"

    def put(g: int, s: str) -> None:
        seq[g - 1:g - 1 + len(s)] = list(s)

    put(161, "GTAAGT")  # donor: intron +1 G repeats the last exon base (c.40 G)
    put(255, "TTTCAG")  # acceptor
    put(96, "G" + _U5 + _U5 + "G")  # 96 and 105 stop the 4-bp repeat
    put(396, "G" + _U3 + _U3 + "G")  # 396 and 403 stop the 3-bp repeat
    plus = "".join(seq)
    minus = revcomp(plus)
    n = len(plus)
    (tmp_path / "ref.fa").write_text(f">1\n{plus}\n>2\n{minus}\n")
    import pysam
    pysam.faidx(str(tmp_path / "ref.fa"))

    def rows(chrom, strand, gene):
        mir = (lambda s, e: (s, e)) if strand == "+" else (lambda s, e: (n + 1 - e, n + 1 - s))
        ts, te = mir(*_TX)
        out = [(f"{chrom}\tt\tgene\t{ts}\t{te}\t.\t{strand}\t.\tID=gene:G{gene};Name={gene};"
                "biotype=protein_coding"),
               (f"{chrom}\tt\tmRNA\t{ts}\t{te}\t.\t{strand}\t.\tID=transcript:T{gene};"
                f"Parent=gene:G{gene};biotype=protein_coding;tag=Ensembl_canonical;"
                f"transcript_id=T{gene}")]
        for s, e in _EXONS:
            s2, e2 = mir(s, e)
            out.append(f"{chrom}\tt\texon\t{s2}\t{e2}\t.\t{strand}\t.\tParent=transcript:T{gene}")
        for (s, e), ph in zip(_CDS, (0, 2)):
            s2, e2 = mir(s, e)
            out.append(f"{chrom}\tt\tCDS\t{s2}\t{e2}\t.\t{strand}\t{ph}\tID=CDS:P{gene};"
                       f"Parent=transcript:T{gene}")
        return out
    gff = ["##gff-version 3", *rows("1", "+", "PLUS"), *rows("2", "-", "MINUS")]
    (tmp_path / "ann.gff3").write_text("\n".join(gff) + "\n")
    return plus, tmp_path / "ref.fa", tmp_path / "ann.gff3"


def _mirror(edit, n):
    from kinres.annotate.normalize import Edit
    return Edit("2", n - edit.end, revcomp(edit.deleted), revcomp(edit.inserted))


def _vcf_variant(contig, edit):
    a = contig[edit.start - 1]
    return Variant(edit.chrom, edit.start, a + edit.deleted, a + edit.inserted,
                   source=SourceRef("sample.vcf", 7))


# (name, plus-strand edit as 0-based start / deleted / inserted - left-aligned as VCF
#  normalisation leaves it -, expected c., expected consequences)
_EDGE_CASES = [
    # finding 1: left-aligned upstream of the transcript; 3'-most copy is in the 5' UTR
    ("dup across the transcript start", 96, "", _U5, "c.-20_-17dup", (C.UTR5,)),
    ("del across the transcript start", 96, _U5, "", "c.-20_-17del", (C.UTR5,)),
    # left-aligned in the 3' UTR; the 3'-most copy reaches past the transcript end
    ("dup across the transcript end", 396, "", _U3, "c.*90_*92dup", (C.DOWNSTREAM,)),
    ("del across the transcript end", 396, _U3, "", "c.*90_*92del", (C.UTR3,)),
    # HGVS shifts across exon/intron junctions: the G of c.40 and of c.40+1 are one G-run
    ("del across the donor", 159, "G", "", "c.40+1del", (C.SPLICE_DONOR, C.INTRON)),
]


@pytest.mark.parametrize("case", _EDGE_CASES, ids=[c[0] for c in _EDGE_CASES])
def test_3prime_rule_crosses_transcript_and_exon_edges(tmp_path, case):
    """c. is the HGVS 3'-most placement and the consequence is the one of that placement, on a
    plus-strand transcript and on its minus-strand mirror (whose 3' end is genomic-left)."""
    from kinres.annotate.consequence import Engine
    from kinres.annotate.gff import load_annotation
    from kinres.annotate.normalize import Edit, Reference, normalize

    _name, start, dele, ins, want_c, want_cons = case
    plus, fasta, gff = _mirror_genome(tmp_path)
    n = len(plus)
    edit = Edit("1", start, dele, ins)
    v = _vcf_variant(plus, edit)
    assert normalize(v.chrom, v.pos, v.ref, v.alt, Reference(fasta)) == edit  # left-aligned
    out, warnings = annotate_variants([v, _vcf_variant(revcomp(plus), _mirror(edit, n))],
                                      fasta, gff, None)
    assert not warnings
    for got, tid in zip(out, ("TPLUS", "TMINUS")):
        pa = got.annotation
        assert pa.transcript == tid
        assert (pa.hgvs_c, pa.consequences) == (want_c, want_cons), tid
        assert pa.hgvs_p is None
    # the engine gives the same answer whatever placement of the repeat it is handed: the
    # mirror of the left-aligned plus edit is the 5'-most (right-aligned) minus edit
    ann = load_annotation(gff)
    eng = Engine(Reference(fasta))
    mirrored = eng.annotate(ann.by_id("TMINUS"), _mirror(edit, n))
    assert (mirrored.hgvs_c, mirrored.consequences) == (want_c, want_cons)
    right = eng.annotate(ann.by_id("TPLUS"), Edit("1", start + len(dele or ins), dele, ins)
                         if plus[start:start + len(dele or ins)] == (dele or ins) else edit)
    assert (right.hgvs_c, right.consequences) == (want_c, want_cons)
