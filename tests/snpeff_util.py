"""Harness around Debian `snpEff` (5.1) for cross-checking kinres annotations on a synthetic genome.

Functions
---------
find_snpeff() -> list[str]
    The command prefix that runs snpEff (`snpEff` on PATH, else `java -jar` on the Debian jar).
    Raises RuntimeError with an install hint when neither exists: a cross-check that silently
    skips would report agreement that was never measured.
build_database(ref, workdir, genome="synth") -> SnpEffDb
    Writes a private snpEff config + data dir, converts the synthetic GFF3 (see `snpeff_gff3`),
    adds cds.fa / protein.fa from the synthetic truth so snpEff's own build check compares its
    models with the real CDS/protein, builds offline, and raises unless every coding transcript
    passes both checks.
annotate(db, vcf) -> dict[str, list[AnnEntry]]
    Runs `snpEff ann` and parses ANN per VCF record ID.
parse_ann(value) -> list[AnnEntry]
    One INFO/ANN value -> entries (16 pipe-separated fields each, effects split on '&').
snpeff_p_short(hgvs_p) -> str
    snpEff 3-letter p. (p.Gly12Arg, p.Leu5Leu, p.Ter181Glnext*?) -> kinres short form
    (p.G12R, p.L5=, p.*181Qext*?).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from kinres.annotate.hgvs import p_long_to_short

SNPEFF_JAR = Path("/usr/share/java/snpeff.jar")
_ANN_FIELDS = 16


def find_snpeff() -> list[str]:
    """Command prefix for snpEff; RuntimeError (not a skip) when it is not installed."""
    exe = shutil.which("snpEff") or shutil.which("snpeff")
    if exe:
        return [exe]
    java = shutil.which("java")
    if java and SNPEFF_JAR.is_file():
        return [java, "-jar", str(SNPEFF_JAR)]
    raise RuntimeError("snpEff is not installed (no `snpEff` on PATH and no "
                       f"{SNPEFF_JAR}); install the Debian package: apt-get install snpeff")


@dataclass(frozen=True)
class SnpEffDb:
    config: Path
    genome: str
    cmd: tuple[str, ...]
    build_log: str


@dataclass(frozen=True)
class AnnEntry:
    """One ANN entry (one allele on one feature)."""

    allele: str
    effects: tuple[str, ...]  # SO terms as snpEff writes them
    impact: str
    gene: str
    feature_type: str
    feature_id: str
    biotype: str
    rank: str
    hgvs_c: str
    hgvs_p: str
    cdna_pos: str
    cds_pos: str
    aa_pos: int | None  # AA.pos of "AA.pos / AA.length"
    aa_len: int | None
    distance: str
    messages: tuple[str, ...]  # ERRORS / WARNINGS / INFO codes


def snpeff_gff3(text: str) -> str:
    """The synthetic Ensembl-style GFF3 rewritten for snpEff's GFF3 reader.

    snpEff 5.1 takes a transcript's ID from its `transcript_id` attribute (ENST...) but looks
    exon/CDS parents up by the raw `Parent` value (transcript:ENST...), so with Ensembl's type
    prefixes every transcript is silently split in two (a CDS-less mRNA and an orphan
    exon-only transcript; build check: 50% start-codon errors). The prefixes are dropped so both
    agree. `lnc_RNA` is not a transcript type snpEff knows, so it becomes `transcript`.
    Coordinates, strands, phases and biotypes are untouched.
    """
    out = []
    for line in text.splitlines():
        if line and not line.startswith("#"):
            cols = line.split("\t")
            if cols[2] == "lnc_RNA":
                cols[2] = "transcript"
            cols[8] = re.sub(r"\b(ID|Parent)=(?:transcript|gene|CDS|exon):", r"\1=", cols[8])
            line = "\t".join(cols)
        out.append(line)
    return "\n".join(out) + "\n"


# "CDS check: synth OK: 8 Warnings: 0 Not found: 1 Errors: 0" (Protein: no Warnings field);
# "Not found" counts transcripts without an entry in cds.fa (the lncRNA)
_CHECK = re.compile(r"(CDS|Protein) check:\s+\S+\s+OK: (\d+)\s+(?:Warnings: \d+\s+)?"
                    r"Not found: \d+\s+Errors: (\d+)")


def build_database(ref, workdir: Path, genome: str = "synth") -> SnpEffDb:
    """Build a snpEff database for a synthref.SynthRef (offline, private config)."""
    cmd = find_snpeff()
    workdir = Path(workdir)
    data = workdir / "data" / genome
    data.mkdir(parents=True, exist_ok=True)
    shutil.copy(ref.fasta, data / "sequences.fa")
    (data / "genes.gff").write_text(snpeff_gff3(Path(ref.gff3).read_text()))
    coding = ref.coding()
    # snpEff compares its translated models with these (with and without the stop codon)
    (data / "cds.fa").write_text("".join(f">{t.transcript_id}\n{t.cds}\n" for t in coding))
    (data / "protein.fa").write_text("".join(f">{t.transcript_id}\n{t.protein}\n" for t in coding))
    config = workdir / "snpEff.config"
    config.write_text(f"data.dir = {workdir / 'data'}/\n{genome}.genome : {genome}\n"
                      f"{genome}.codonTable : Standard\n")
    # -v: the per-check summary lines are only printed in verbose mode
    proc = subprocess.run([*cmd, "build", "-gff3", "-v", "-noLog", "-c", str(config), "-Xmx1g",
                           genome], capture_output=True, text=True, timeout=180, check=False)
    log = proc.stdout + proc.stderr
    if proc.returncode != 0:
        raise RuntimeError(f"snpEff build failed ({proc.returncode}):\n{log[-3000:]}")
    checks = {m.group(1): tuple(map(int, m.groups()[1:])) for m in _CHECK.finditer(log)}
    for kind in ("CDS", "Protein"):
        got = checks.get(kind)
        if got is None or got != (len(coding), 0):
            raise RuntimeError(f"snpEff {kind} check did not pass for all {len(coding)} coding "
                               f"transcripts (OK, errors = {got}):\n"
                               f"{log[-3000:]}")
    if "WARNING_TRANSCRIPT_NOT_FOUND" in log:
        raise RuntimeError("snpEff split transcripts while reading the GFF3:\n" + log[-3000:])
    return SnpEffDb(config, genome, tuple(cmd), log)


def _int(x: str) -> int | None:
    return int(x) if x.strip().isdigit() else None


def parse_ann(value: str) -> list[AnnEntry]:
    """Parse one INFO/ANN value (comma-separated entries)."""
    out = []
    for entry in value.split(","):
        f = entry.split("|")
        if len(f) != _ANN_FIELDS:
            raise ValueError(f"ANN entry with {len(f)} fields (expected {_ANN_FIELDS}): {entry!r}")
        aa = f[13].split("/")
        out.append(AnnEntry(
            allele=f[0], effects=tuple(f[1].split("&")), impact=f[2], gene=f[3],
            feature_type=f[5], feature_id=f[6], biotype=f[7], rank=f[8], hgvs_c=f[9],
            hgvs_p=f[10], cdna_pos=f[11], cds_pos=f[12],
            aa_pos=_int(aa[0]) if aa[0] else None,
            aa_len=_int(aa[1]) if len(aa) > 1 else None, distance=f[14],
            messages=tuple(m for m in f[15].split("&") if m)))
    return out


def annotate(db: SnpEffDb, vcf: Path) -> dict[str, list[AnnEntry]]:
    """`snpEff ann` on a VCF whose records have unique IDs -> {ID: entries}."""
    proc = subprocess.run([*db.cmd, "ann", "-noStats", "-noLog", "-c", str(db.config), "-Xmx1g",
                           db.genome, str(vcf)], capture_output=True, text=True, timeout=300,
                          check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"snpEff ann failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    out: dict[str, list[AnnEntry]] = {}
    lines = proc.stdout.splitlines()
    # the Debian wrapper script echoes its arguments to stdout before the VCF starts
    start = next((i for i, ln in enumerate(lines) if ln.startswith("##fileformat")), None)
    if start is None:
        raise RuntimeError(f"snpEff ann wrote no VCF:\n{proc.stdout[:1000]}{proc.stderr[-2000:]}")
    for line in lines[start:]:
        if line.startswith("#") or not line:
            continue
        cols = line.split("\t")
        m = re.search(r"(?:^|;)ANN=([^;]+)", cols[7])
        out[cols[2]] = parse_ann(m.group(1)) if m else []
    return out


def snpeff_p_short(hgvs_p: str) -> str:
    """snpEff three-letter p. -> kinres one-letter short form (synonymous as '=')."""
    if not hgvs_p:
        return ""
    one = p_long_to_short(hgvs_p)
    # snpEff writes synonymous / stop-retained changes as p.Leu5Leu / p.Ter181Ter
    return re.sub(r"^p\.([A-Z*])(\d+)\1$", r"p.\1\2=", one)
