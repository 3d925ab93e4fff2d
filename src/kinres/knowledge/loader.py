"""Load, validate and query the versioned knowledge tables (resources/knowledge/).

Every table is checked row by row against workflow/schemas/knowledge/<table>.schema.json and
cross-checked (drugs exist, no duplicates, MANIFEST checksums); any problem is a KnowledgeError
naming the table, line and problem. Matching is ordered by specificity: exact variant, codon,
kinase domain, gene.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from kinres import cache as _cache
from kinres.annotate.fusion_structure import UNDETERMINED
from kinres.enums import (
    Confidence,
    DrugCallValue,
    EvidenceType,
    MatchLevel,
    MechanismClass,
    StructuralClass,
)
from kinres.errors import KnowledgeError
from kinres.knowledge import manifest as _manifest
from kinres.knowledge.hgvs import is_substitution, normalise_p, position
from kinres.knowledge.records import (
    BypassRule,
    CompoundMatch,
    CompoundRow,
    Drug,
    DrugEvidence,
    Figure,
    FusionMatch,
    FusionRow,
    FusionVariant,
    GeneInfo,
    Hotspot,
    Match,
    MutationRow,
    StructuralResidue,
    TherapyRule,
)
from kinres.models import Fusion
from kinres.paths import KNOWLEDGE_DIR, PANEL_DIR, SCHEMAS

log = logging.getLogger(__name__)

TABLES = ("genes", "structural_classes", "mutations", "compounds", "fusions", "fusion_variants",
          "drugs", "bypass", "therapies", "figures")
DRIVER_GENES = ("ALK", "ROS1", "NTRK1", "NTRK2", "NTRK3")
# fusions.tsv indications scoped to one tumour type, and the words naming it in a sample sheet
TUMOUR_WORDS = {"imt": (r"\binflammatory myofibroblastic", r"\bimt\b"),
                "alcl": (r"\banaplastic large[- ]cell", r"\balcl\b")}


def tumour_matches(tumor_type: str, indication: str) -> bool:
    """True when the tumour type names this tumour-scoped indication (e.g. 'imt')."""
    return any(re.search(w, tumor_type.lower()) for w in TUMOUR_WORDS.get(indication, ()))


# mutations.tsv `indication` contexts, as named to readers
CONTEXT_LABELS = {"fusion": "fusion-positive (acquired resistance)",
                  "neuroblastoma": "neuroblastoma (full-length ALK, primary driver)"}


def _split(value: str, sep: str = ";") -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(sep) if v.strip())


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        from kinres.io.opener import os_problem

        raise KnowledgeError(f"{path}: cannot read knowledge table: {os_problem(exc)}") from None


def _utf8_text(path: Path, data: bytes | None = None) -> str:
    """Text of a knowledge table; KnowledgeError naming the line of a non-UTF-8 byte."""
    if data is None:
        data = _read_bytes(path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise KnowledgeError(f"{path}, line {line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); "
                             "save the table as UTF-8") from None


def _read_table(directory: Path, name: str) -> list[tuple[int, dict[str, str]]]:
    """Rows of <name>.tsv with their 1-based file line, validated against the table schema.

    Row validation is skipped when exactly these table and schema bytes passed it before (a
    stamp in kinres.cache): it was most of a job's start-up, and the packaged tables rarely
    change. Any edit changes the key, so an edited table is validated again, same errors.
    """
    path = directory / f"{name}.tsv"
    if not path.is_file():
        raise KnowledgeError(f"{path}: knowledge table missing")
    schema_bytes = (SCHEMAS / "knowledge" / f"{name}.schema.json").read_bytes()
    data = _read_bytes(path)
    validator = None
    stamp_key = ""
    if _cache.cache_dir() is not None:
        stamp_key = _cache.digest(data, schema_bytes, _jsonschema_version())
    if not stamp_key or not _cache.has_stamp("knowledge", stamp_key):
        from jsonschema import Draft202012Validator

        validator = Draft202012Validator(json.loads(schema_bytes))
    rows = []
    with io.StringIO(_utf8_text(path, data), newline="") as fh:
        reader = csv.reader(fh, delimiter="\t")
        header = next(reader, None)
        if not header:
            raise KnowledgeError(f"{path}: empty table")
        for lineno, values in enumerate(reader, start=2):
            if not values or values[0].startswith("#"):
                continue
            if len(values) != len(header):
                raise KnowledgeError(f"{path}, line {lineno}: {len(values)} columns, header has {len(header)}")
            row = dict(zip(header, values))
            if validator is not None:
                errors = sorted(validator.iter_errors(row), key=lambda e: list(map(str, e.absolute_path)))
                if errors:
                    err = errors[0]
                    col = "/".join(map(str, err.absolute_path)) or "(row)"
                    raise KnowledgeError(f"{path}, line {lineno}: {col}: {err.message}")
            rows.append((lineno, row))
    if validator is not None and stamp_key:
        _cache.write_stamp("knowledge", stamp_key)
    return rows


@lru_cache(maxsize=1)
def _jsonschema_version() -> str:
    """Part of the stamp key: another jsonschema may judge the same rows differently. The
    installed files' size and mtime, not importlib.metadata (25 ms) or an import (60 ms)."""
    import importlib.util

    spec = importlib.util.find_spec("jsonschema")
    if spec is None or not spec.origin:
        return "unknown"
    folder = Path(spec.origin).parent
    parts = []
    for name in ("__init__.py", "validators.py", "_keywords.py", "_format.py"):
        try:
            st = (folder / name).stat()
        except OSError:
            continue
        parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
    return f"{folder}|" + "|".join(parts)


def _evidence(table: str, line: int, row: dict[str, str]) -> DrugEvidence:
    return DrugEvidence(
        id=row["id"], drug=row["drug"], call=DrugCallValue(row["call"]),
        evidence_type=EvidenceType(row["evidence_type"]), level=row["level"],
        confidence=Confidence(row["confidence"]), citations=_split(row["citations"]),
        verified_citation=row.get("verified_citation", ""),
        resensitises=row.get("resensitises") == "yes", source_call=row.get("source_call", ""),
        note=row.get("note", ""), table=table, line=line)


def _panel_domains() -> dict[str, tuple[int, int]]:
    """Kinase-domain ranges written by the panel engineer (resources/panel/kinase_domains.tsv)."""
    path = PANEL_DIR / "kinase_domains.tsv"
    if not path.is_file():
        return {}
    out: dict[str, tuple[int, int]] = {}
    with open(path, encoding="utf-8", newline="") as fh:
        lines = [ln for ln in fh if not ln.startswith("##")]
    reader = csv.DictReader(lines, delimiter="\t")
    for row in reader:
        row = {k.lstrip("#").strip().lower(): (v or "").strip() for k, v in row.items() if k}
        gene = row.get("gene") or row.get("symbol")
        start = next((row[k] for k in ("kinase_start", "aa_start", "start", "domain_start") if row.get(k)), None)
        end = next((row[k] for k in ("kinase_end", "aa_end", "end", "domain_end") if row.get(k)), None)
        try:
            if gene and start and end:
                out[gene] = (int(start), int(end))
        except ValueError:
            log.warning("%s: unreadable kinase-domain row for %s", path, gene)
    return out


class KnowledgeBase:
    """Typed, validated view of the knowledge tables. Build with load_knowledge()."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        man = _manifest.verify(self.directory)
        self.version: str = man.version
        self.date: str = man.date
        self.sha256: str = man.sha256
        self.manifest = man
        raw = {name: _read_table(self.directory, name) for name in TABLES}

        panel = _panel_domains()
        self.genes: dict[str, GeneInfo] = {}
        for _, r in raw["genes"]:
            dom = panel.get(r["gene"])
            self.genes[r["gene"]] = GeneInfo(
                gene=r["gene"], transcript=r["transcript"], refseq=r["refseq"],
                protein_length=int(r["protein_length"]),
                kinase_domain=dom or (int(r["kinase_domain_start"]), int(r["kinase_domain_end"])),
                indications=_split(r["indications"]), domain_source="panel" if dom else "genes.tsv")
        self.residues: dict[tuple[str, int], StructuralResidue] = {}
        for line, r in raw["structural_classes"]:
            key = (r["gene"], int(r["aa_pos"]))
            if key in self.residues:
                raise KnowledgeError(f"{self._path('structural_classes')}, line {line}: duplicate residue {r['residue']}")
            self.residues[key] = StructuralResidue(r["gene"], int(r["aa_pos"]), r["ref_aa"],
                                                   StructuralClass(r["structural_class"]), r["note"])
        self.drugs: dict[str, Drug] = {}
        for line, r in raw["drugs"]:
            if r["drug"] in self.drugs:
                raise KnowledgeError(f"{self._path('drugs')}, line {line}: duplicate drug {r['drug']}")
            self.drugs[r["drug"]] = Drug(
                drug=r["drug"], targets=_split(r["targets"]), core_for=_split(r["core_for"]),
                generation=r["generation"], inhibitor_type=r["inhibitor_type"],
                brain_penetrant=r["brain_penetrant"], cns_rank=int(r["cns_rank"]) if r["cns_rank"] else None,
                approval_status=r["approval_status"], approvals=r["approvals"],
                jurisdiction_note=r["jurisdiction_note"], note=r["note"],
                min_age_years=self._min_ages(line, r))
        self.mutations: tuple[MutationRow, ...] = tuple(
            MutationRow(gene=r["gene"], hgvs_p=r["hgvs_p"], aa_pos=int(r["aa_pos"]), ref_aa=r["ref_aa"],
                        alt_aa=r["alt_aa"], indication=r["indication"],
                        structural_class=StructuralClass(r["structural_class"]),
                        evidence=_evidence("mutations", line, r))
            for line, r in raw["mutations"])
        self.compounds: tuple[CompoundRow, ...] = tuple(
            CompoundRow(gene=r["gene"], changes=_split(r["changes"], "+"), evidence=_evidence("compounds", line, r))
            for line, r in raw["compounds"])
        self.fusion_rows: tuple[FusionRow, ...] = tuple(
            FusionRow(gene=r["gene"], indication=r["indication"], evidence=_evidence("fusions", line, r))
            for line, r in raw["fusions"])
        self.fusion_variants: tuple[FusionVariant, ...] = tuple(
            FusionVariant(id=r["id"], gene=r["gene"], partner=r["partner"],
                          five_prime_exon=int(r["five_prime_exon"]), three_prime_exon=int(r["three_prime_exon"]),
                          variant_label=r["variant_label"], association=r["association"],
                          associated_mutation=r["associated_mutation"], confidence=Confidence(r["confidence"]),
                          citations=_split(r["citations"]))
            for _, r in raw["fusion_variants"])
        self._bypass: tuple[BypassRule, ...] = tuple(
            BypassRule(id=r["id"], genes=tuple(g for part in _split(r["gene"]) for g in part.split("+")),
                       pattern=r["pattern"], mechanism_class=MechanismClass(r["mechanism_class"]),
                       label=r["label"], driver_genes=_split(r["driver_genes"]),
                       tki_call=DrugCallValue(r["tki_call"]), evidence_type=EvidenceType(r["evidence_type"]),
                       level=r["level"], confidence=Confidence(r["confidence"]), option=r["option"],
                       option_drugs=_split(r["option_drugs"]), investigational=r["investigational"] == "yes",
                       citations=_split(r["citations"]), note=r["note"])
            for _, r in raw["bypass"])
        self._therapies: tuple[TherapyRule, ...] = tuple(
            TherapyRule(rule_id=r["rule_id"], driver_gene=r["driver_gene"], trigger=_split(r["trigger"]),
                        kind=r["kind"], option=r["option"], drugs=_split(r["drugs"]), priority=int(r["priority"]),
                        evidence_level=r["evidence_level"], investigational=r["investigational"] == "yes",
                        confidence=Confidence(r["confidence"]), citations=_split(r["citations"]), note=r["note"])
            for _, r in raw["therapies"])
        self.figures: tuple[Figure, ...] = tuple(
            Figure(id=r["id"], applies_to=_split(r["applies_to"]), driver_gene=r["driver_gene"], kind=r["kind"], value=float(r["value"]),
                   unit=r["unit"], numerator=int(r["numerator"]) if r["numerator"] else None,
                   denominator=int(r["denominator"]) if r["denominator"] else None, subgroup=r["subgroup"],
                   after_drug=r["after_drug"], trial=r["trial"], citations=_split(r["citations"]),
                   confidence=Confidence(r["confidence"]), note=r["note"])
            for _, r in raw["figures"])
        self._check_integrity(raw)
        self._by_variant: dict[tuple[str, str, str], tuple[MutationRow, ...]] = {}
        for row in self.mutations:
            key = (row.gene, row.hgvs_p, row.indication)
            self._by_variant[key] = self._by_variant.get(key, ()) + (row,)

    # ------------------------------------------------------------------ integrity
    def _path(self, table: str) -> Path:
        return self.directory / f"{table}.tsv"

    def _min_ages(self, line: int, r: dict[str, str]) -> tuple[tuple[str, float], ...]:
        """drugs.tsv min_age_years 'ROS1:18;NTRK:12' (schema-checked) -> (("ROS1", 18.0), ("NTRK", 12.0))."""
        out: dict[str, float] = {}
        families = {"NTRK" if g.startswith("NTRK") else g for g in _split(r["core_for"]) + _split(r["targets"])}
        for part in _split(r["min_age_years"]):
            family, _, age = part.partition(":")
            if family in out:
                raise KnowledgeError(f"{self._path('drugs')}, line {line}: min_age_years gives {family} twice")
            if family not in families:
                raise KnowledgeError(f"{self._path('drugs')}, line {line}: min_age_years names {family}, "
                                     f"which {r['drug']} does not target")
            if r["approval_status"] == "investigational":
                raise KnowledgeError(f"{self._path('drugs')}, line {line}: min_age_years on an investigational drug")
            out[family] = float(age)
        return tuple(out.items())

    def _check_integrity(self, raw: dict) -> None:
        """Cross-table checks the row schemas cannot express (drug names, duplicates, ids)."""
        def fail(table: str, line: int, problem: str) -> None:
            raise KnowledgeError(f"{self._path(table)}, line {line}: {problem}")

        for table in ("mutations", "compounds", "fusions"):
            seen_ids: set[str] = set()
            seen_keys: set[tuple] = set()
            for line, r in raw[table]:
                if r["drug"] not in self.drugs:
                    fail(table, line, f"drug '{r['drug']}' is not in drugs.tsv")
                if r["id"] in seen_ids:
                    fail(table, line, f"duplicate id {r['id']}")
                seen_ids.add(r["id"])
                key = tuple(r[k] for k in ("gene", "hgvs_p", "changes", "indication", "drug") if k in r)
                if key in seen_keys:
                    fail(table, line, f"duplicate row for {key}")
                seen_keys.add(key)
        for line, r in raw["mutations"]:
            pos = position(r["hgvs_p"])
            if pos != (r["ref_aa"], int(r["aa_pos"])):
                fail("mutations", line, f"aa_pos/ref_aa do not match {r['hgvs_p']}")
        for line, r in raw["compounds"]:
            changes = _split(r["changes"], "+")
            order = [position(c) for c in changes]
            if None in order or [p[1] for p in order] != sorted(p[1] for p in order):  # type: ignore[index]
                fail("compounds", line, f"changes must be protein-ordered HGVS: {r['changes']}")
        for table, col in (("bypass", "option_drugs"), ("therapies", "drugs")):
            for line, r in raw[table]:
                for d in _split(r[col]):
                    if d not in self.drugs:
                        fail(table, line, f"drug '{d}' is not in drugs.tsv")
        known = {r["id"] for t in ("mutations", "compounds", "fusions") for _, r in raw[t]}
        known |= {f"bypass:{r['id']}" for _, r in raw["bypass"]}
        seen_fig: set[str] = set()
        for line, r in raw["figures"]:
            if r["id"] in seen_fig:
                fail("figures", line, f"duplicate id {r['id']}")
            seen_fig.add(r["id"])
            for target in _split(r["applies_to"]):
                if target not in known:
                    fail("figures", line, f"applies_to '{target}' is not a knowledge row id")
            if r["numerator"] and (not r["denominator"] or int(r["numerator"]) > int(r["denominator"])):
                fail("figures", line, "numerator needs a denominator at least as large")

    def lint(self) -> list[str]:
        """Curation problems that do not stop loading (e.g. residues outside the kinase domain)."""
        problems = []
        for (gene, pos), res in sorted(self.residues.items()):
            start, end = self.genes[gene].kinase_domain
            if not start <= pos <= end:
                problems.append(f"structural_classes.tsv: {gene} {res.ref_aa}{pos} outside kinase domain {start}-{end}")
        for row in self.mutations:
            start, end = self.genes[row.gene].kinase_domain
            if not start <= row.aa_pos <= end:
                problems.append(f"mutations.tsv line {row.evidence.line}: {row.gene} {row.hgvs_p} outside kinase domain")
            res = self.residues.get((row.gene, row.aa_pos))
            if res is None:
                problems.append(f"mutations.tsv line {row.evidence.line}: {row.gene} {row.hgvs_p} has no structural_classes.tsv residue")
            elif res.structural_class is not row.structural_class or res.ref_aa != row.ref_aa:
                problems.append(f"mutations.tsv line {row.evidence.line}: {row.gene} {row.hgvs_p} class/ref disagree with structural_classes.tsv")
        return problems

    # ------------------------------------------------------------------ queries
    def kinase_domain(self, gene: str) -> tuple[int, int] | None:
        info = self.genes.get(gene)
        return info.kinase_domain if info else None

    def structural_class(self, gene: str, aa_pos: int | None) -> StructuralClass | None:
        """Curated class of a residue; other residues inside the kinase domain -> other_kinase_domain."""
        if aa_pos is None:
            return None
        res = self.residues.get((gene, aa_pos))
        if res is not None:
            return res.structural_class
        dom = self.kinase_domain(gene)
        if dom and dom[0] <= aa_pos <= dom[1]:
            return StructuralClass.OTHER_KINASE_DOMAIN
        return None

    def match_variant(self, gene: str, hgvs_p: str | None, protein_pos: int | None = None,
                      in_kinase_domain: bool | None = None, indication: str = "fusion") -> Match | None:
        """Most specific knowledge match: exact -> codon -> kinase domain -> gene; None if not a driver kinase.

        Only exact and curated codon-level rows carry drug rows; an unlisted substitution at a
        listed codon, or any other kinase-domain change, is matched without drug rows (uncertain).
        """
        if gene not in self.genes:
            return None
        norm = normalise_p(hgvs_p)
        pos_info = position(norm)
        pos = protein_pos if protein_pos is not None else (pos_info[1] if pos_info else None)
        sclass = self.structural_class(gene, pos)
        indications = (indication, "fusion") if indication != "fusion" else ("fusion",)
        def context_note(ind: str) -> str:
            # rows of another context are never used silently (full-length ALK in neuroblastoma is
            # not fusion-positive NSCLC): the match says so and interpretation treats them as inferred
            if ind == indication:
                return ""
            return (f"no {CONTEXT_LABELS.get(indication, indication)} row for this change; the rows shown are from "
                    f"the {CONTEXT_LABELS.get(ind, ind)} context and are not transferred")
        if norm:
            for ind in indications:
                rows = self._by_variant.get((gene, norm, ind))
                if rows:
                    return Match(MatchLevel.EXACT, gene, norm, rows, rows[0].structural_class,
                                 (f"{gene}:{norm}",), ind, note=context_note(ind), requested_indication=indication)
        if norm and pos_info and is_substitution(norm):
            codon = f"p.{pos_info[0]}{pos_info[1]}"
            for ind in indications:
                rows = self._by_variant.get((gene, codon, ind))
                if rows:
                    note = "; ".join(x for x in (f"codon-level row {codon}: no row for this exact substitution",
                                                 context_note(ind)) if x)
                    return Match(MatchLevel.CODON, gene, norm, rows, rows[0].structural_class,
                                 (f"{gene}:{codon}",), ind, note=note, requested_indication=indication)
            others = sorted({r.hgvs_p for r in self.mutations if r.gene == gene and r.aa_pos == pos_info[1]
                             and r.ref_aa == pos_info[0]})
            if others:
                return Match(MatchLevel.CODON, gene, norm, (), sclass, tuple(f"{gene}:{o}" for o in others),
                             indication, note=f"known resistance codon ({', '.join(others)}); "
                                              "no row for this substitution, effect unknown",
                             requested_indication=indication)
        dom = self.kinase_domain(gene)
        inside = in_kinase_domain if in_kinase_domain is not None else (
            bool(dom and pos is not None and dom[0] <= pos <= dom[1]))
        if inside:
            return Match(MatchLevel.DOMAIN, gene, norm, (), sclass, (), indication,
                         note="kinase-domain change without a knowledge row (uncertain significance)",
                         requested_indication=indication)
        return Match(MatchLevel.GENE, gene, norm, (), None, (), indication,
                     note="outside the kinase domain", requested_indication=indication)

    def match_compound(self, gene: str, changes: Iterable[str]) -> CompoundMatch | None:
        """Rows for exactly this set of changes (order-insensitive), or None."""
        norm = [normalise_p(c) for c in changes]
        if any(c is None or position(c) is None for c in norm):
            return None
        key = tuple(sorted(norm, key=lambda c: (position(c)[1], c)))  # type: ignore[index]
        rows = tuple(r for r in self.compounds if r.gene == gene and r.changes == key)
        return CompoundMatch(gene, key, rows) if rows else None

    def match_fusion(self, fusion: Fusion) -> FusionMatch | None:
        """Driver-level drug rows for the kinase plus partner/exon-pair associations (e.g. EML4-ALK v3)."""
        gene = fusion.kinase_gene or fusion.three_prime_gene
        if gene not in self.genes:
            return None
        rows = tuple(r for r in self.fusion_rows if r.gene == gene)
        if fusion.variant_label == UNDETERMINED:
            # the exon pair is only a nearest-exon guess (e.g. an intronic RNA breakpoint): no
            # variant-specific evidence may rest on it
            return FusionMatch(gene, rows, ())
        variants = tuple(v for v in self.fusion_variants
                         if v.gene == gene and v.partner == fusion.five_prime_gene
                         and v.five_prime_exon == fusion.five_prime_exon
                         and v.three_prime_exon == fusion.three_prime_exon)
        return FusionMatch(gene, rows, variants)

    def hotspots(self) -> list[Hotspot]:
        """Distinct knowledge-table positions (exact and codon-level), sorted by gene and position."""
        seen: dict[tuple[str, str], Hotspot] = {}
        for r in self.mutations:
            alt = r.alt_aa if (r.alt_aa and not r.is_codon) else None
            seen.setdefault((r.gene, r.hgvs_p), Hotspot(r.gene, r.hgvs_p, r.aa_pos, r.ref_aa, alt))
        return sorted(seen.values(), key=lambda h: (h.gene, h.aa_pos, h.hgvs_p))

    def drugs_for(self, driver_gene: str) -> tuple[Drug, ...]:
        """Drugs whose calls are always reported for this driver (drugs.tsv core_for), table order."""
        return tuple(d for d in self.drugs.values() if driver_gene in d.core_for)

    def drug(self, name: str) -> Drug | None:
        return self.drugs.get(name)

    def figures_for(self, knowledge_ids, drivers=None) -> tuple[Figure, ...]:
        """Clinical figures supporting any of these knowledge ids, table order; with `drivers`, figures
        measured in another driver (e.g. ROS1 bypass frequencies for an ALK sample) are left out."""
        ids = set(knowledge_ids)
        return tuple(f for f in self.figures if ids.intersection(f.applies_to)
                     and (drivers is None or not f.driver_gene or f.driver_gene in drivers))

    def bypass_rules(self) -> tuple[BypassRule, ...]:
        return self._bypass

    def therapy_rules(self, driver_gene: str | None = None) -> tuple[TherapyRule, ...]:
        """Rules for a driver (NTRK1-3 share 'NTRK') plus the generic '*' rules; all if None."""
        if driver_gene is None:
            return self._therapies
        family = "NTRK" if driver_gene.startswith("NTRK") else driver_gene
        return tuple(r for r in self._therapies if r.driver_gene in (family, "*"))


@lru_cache(maxsize=8)
def _load_cached(directory: str) -> KnowledgeBase:
    return KnowledgeBase(Path(directory))


def load_knowledge(directory: str | Path = KNOWLEDGE_DIR) -> KnowledgeBase:
    """Validated KnowledgeBase for `directory` (cached per resolved path)."""
    return _load_cached(str(Path(directory).resolve()))
