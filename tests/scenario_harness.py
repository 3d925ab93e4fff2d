"""Clinical scenarios (tests/scenarios/*.yaml) -> real caller files, one sample sheet, checks.

A scenario describes a tumour-board case compactly (see tests/scenarios/README.md): the sheet
row, small variants as gene + protein change (+ the literature HGVS c. change), fusions as exon
pairs, copy number per gene, and what the report must (`expect`) and must never (`forbidden`)
say. This module turns them into the files a real run reads, using the writers and placement
code of scripts/make_demo.py (coordinates from the committed panel tables, never typed in):
snpEff-annotated Mutect2 VCFs, Arriba / STAR-Fusion / FusionCatcher rows and CNVkit .cns
segments. `check(scenario, report_json, html_text, tsv_text)` returns the list of failed
expectations (empty = pass).
"""

from __future__ import annotations

import html as _html
import importlib.util
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = REPO / "tests" / "scenarios"

# literature HGVS c. changes (reporting transcripts) so a scenario may name only the protein
# change; the coding reference base is the one the c. notation states (see make_demo.py)
KNOWN_C = {
    ("ALK", "G1202R"): "c.3604G>A", ("ALK", "I1171N"): "c.3512T>A",
    ("ALK", "I1171T"): "c.3512T>C", ("ALK", "L1196M"): "c.3586C>A",
    ("ALK", "L1198F"): "c.3592C>T", ("ALK", "D1203N"): "c.3607G>A",
    ("ALK", "F1174L"): "c.3522C>A", ("ALK", "C1156Y"): "c.3467G>A",
    ("ALK", "G1269A"): "c.3806G>C", ("ALK", "R1275Q"): "c.3824G>A",
    ("ALK", "S1206Y"): "c.3617C>A", ("ALK", "E1210K"): "c.3628G>A",
    ("ALK", "V1180L"): "c.3538G>C",
    ("ROS1", "G2032R"): "c.6094G>A", ("ROS1", "D2033N"): "c.6097G>A",
    ("ROS1", "G2101A"): "c.6302G>C",
    ("NTRK1", "G595R"): "c.1783G>A", ("NTRK1", "G667C"): "c.1999G>T",
    ("NTRK1", "F589L"): "c.1765T>C",
    ("NTRK3", "G623R"): "c.1867G>A", ("NTRK3", "G696A"): "c.2087G>C",
    ("KRAS", "G12C"): "c.34G>T", ("KRAS", "G12D"): "c.35G>A", ("KRAS", "G12V"): "c.35G>T",
    ("TP53", "R213*"): "c.637C>T", ("TP53", "V272M"): "c.814G>A",
    ("TP53", "R273H"): "c.818G>A", ("TP53", "R248Q"): "c.743G>A",
    ("BRAF", "V600E"): "c.1799T>A", ("EGFR", "T790M"): "c.2369C>T",
    ("PIK3CA", "H1047R"): "c.3140A>G", ("DNMT3A", "R882H"): "c.2645G>A",
}
# real genomic anchors needed for genes the panel has no verified CDS for
ANCHORS = {("DNMT3A", "R882H"): ({"GRCh38": ("2", 25234373, "C", "T")}, (23, 23))}
PROTEIN = re.compile(r"^(?:p\.)?([A-Z])(\d+)([A-Z*])$")
CDNA = re.compile(r"^c\.(\d+)([ACGT])>([ACGT])$")
FUSION_WRITERS = ("arriba", "star_fusion", "fusioncatcher")
SHEET_ORDER = ("sample_id", "patient_id", "specimen", "tumor_type", "collection_date",
               "genome_build", "prior_therapies", "current_therapy", "progression", "histology",
               "orthogonal", "baseline", "germline_status", "vcf", "vcf_sample", "fusions",
               "fusion_format", "cnv", "cnv_format", "bam", "tumor_fraction", "purity", "ploidy",
               "cns_involvement", "age_years")
EXPECT_KEYS = {"calls", "top_option", "top_option_in", "options_include", "mechanism_classes",
               "caveats", "html", "tsv", "alterations", "json", "excluded"}
FORBIDDEN_KEYS = {"top_option", "sensitive", "options", "option_text", "html", "tsv", "caveats",
                  "mechanism_classes", "calls", "json"}
TOP_KEYS = {"case", "sample", "variants", "fusions", "cnv", "expect", "forbidden", "xfail",
            "source"}


@lru_cache(maxsize=1)
def demo():
    """scripts/make_demo.py as a module (its writers and placement code)."""
    spec = importlib.util.spec_from_file_location("kinres_make_demo", REPO / "scripts" / "make_demo.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    from kinres.io.fusions.contigs import CHROM_LENGTHS

    # scenarios use genes on any chromosome (the demo lists only the ones it needs)
    mod.CONTIGS["GRCh38"] = dict(CHROM_LENGTHS["GRCh38"])

    class _Ids(dict):
        def __missing__(self, gene):  # Ensembl IDs only matter to humans reading the files
            return (".", ".")

    mod.GENE_IDS = _Ids(mod.GENE_IDS)
    return mod


@lru_cache(maxsize=1)
def panel():
    from kinres.annotate.transcripts import Panel

    return Panel.load("GRCh38")


@dataclass
class Scenario:
    name: str
    path: Path
    data: dict[str, Any]
    sample_id: str = ""
    files: dict[str, str] = field(default_factory=dict)  # file name -> text

    @property
    def expect(self) -> dict:
        return self.data.get("expect") or {}

    @property
    def forbidden(self) -> dict:
        return self.data.get("forbidden") or {}


class ScenarioError(ValueError):
    """A scenario file is malformed (named file and problem)."""


def load_scenarios(folder: Path = SCENARIOS) -> list[Scenario]:
    out = []
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        if not isinstance(data, dict):
            raise ScenarioError(f"{path}: not a mapping")
        unknown = set(data) - TOP_KEYS
        if unknown:
            raise ScenarioError(f"{path}: unknown keys {sorted(unknown)}")
        for key, allowed in (("expect", EXPECT_KEYS), ("forbidden", FORBIDDEN_KEYS)):
            bad = set(data.get(key) or {}) - allowed
            if bad:
                raise ScenarioError(f"{path}: unknown {key} keys {sorted(bad)}")
        if not data.get("case") or not data.get("sample"):
            raise ScenarioError(f"{path}: needs 'case' (the tumour-board text) and 'sample'")
        if not data.get("forbidden"):
            raise ScenarioError(f"{path}: every scenario states what must never be shown ('forbidden')")
        sid = "SC-" + path.stem.replace("_", "-")[:60]
        out.append(Scenario(path.stem, path, data, sid))
    return out


def _mutation(gene: str, change: str, cdna: str | None):
    d = demo()
    m = PROTEIN.match(change)
    if not m:
        raise ScenarioError(f"{gene} {change}: protein change must look like G1202R / p.G1202R / R213*")
    ref_aa, aa_pos, alt_aa = m.group(1), int(m.group(2)), m.group(3)
    cdna = cdna or KNOWN_C.get((gene, f"{ref_aa}{aa_pos}{alt_aa}"))
    if cdna is None:
        raise ScenarioError(f"{gene} {change}: give the literature HGVS c. change (c: c.NNNX>Y); "
                            "the reference base cannot be derived offline")
    c = CDNA.match(cdna)
    if not c:
        raise ScenarioError(f"{gene} {change}: bad c. change {cdna!r}")
    c_pos, ref, alt = int(c.group(1)), c.group(2), c.group(3)
    if (c_pos - 1) // 3 + 1 != aa_pos:
        raise ScenarioError(f"{gene} {change}: {cdna} is not in codon {aa_pos}")
    anchor, exon = ANCHORS.get((gene, f"{ref_aa}{aa_pos}{alt_aa}"), (None, None))
    mut = d.PointMutation(gene, aa_pos, ref_aa, alt_aa, (c_pos - 1) % 3 + 1, ref, alt,
                          f"{gene} {cdna} (scenario)", anchor=anchor, exon=exon)
    return d.place(panel(), mut)


def build_files(sc: Scenario) -> dict[str, str]:
    """The scenario's input files (name -> text) and sheet cells (sc.files / returned cells)."""
    d, p = demo(), panel()
    cells: dict[str, str] = {}
    sid = sc.sample_id
    variants = sc.data.get("variants") or []
    if variants:
        placed = []
        for v in variants:
            depth = int(v.get("depth", 600))
            alt_reads = max(1, round(float(v["vaf"]) * depth))
            placed.append((_mutation(v["gene"], str(v["change"]), v.get("c")), depth, alt_reads))
        name = f"{sid}.snpeff.vcf"
        sc.files[name] = d.snpeff_vcf(sid, "GRCh38", placed)
        cells["vcf"] = name
    fusions = sc.data.get("fusions") or []
    if fusions:
        writers = {f.get("caller", "arriba") for f in fusions}
        if len(writers) != 1 or not writers <= set(FUSION_WRITERS):
            raise ScenarioError(f"{sc.path}: fusions need one caller of {FUSION_WRITERS}")
        caller = writers.pop()
        texts = []
        for f in fusions:
            args = (p, f["five"], int(f["five_exon"]), f["three"], int(f["three_exon"]))
            if caller == "arriba":
                texts.append(d.arriba(*args, frame=f.get("frame", "in-frame")))
            else:
                texts.append(getattr(d, caller)(*args))
        # one header, every call's row
        text = texts[0] + "".join(t.split("\n", 1)[1] for t in texts[1:])
        ext = {"arriba": "arriba.tsv", "star_fusion": "star-fusion.tsv",
               "fusioncatcher": "fusioncatcher.txt"}[caller]
        name = f"{sid}.{ext}"
        sc.files[name] = text
        cells["fusions"], cells["fusion_format"] = name, caller
    cnv = sc.data.get("cnv") or {}
    if cnv:
        changed = {g: float(v) for g, v in (cnv.get("log2") or {}).items()}
        neutral = [g for g in cnv.get("neutral", []) if g not in changed]
        name = f"{sid}.cns"
        sc.files[name] = d.cnvkit_cns(p, changed, neutral)
        cells["cnv"], cells["cnv_format"] = name, "cnvkit"
    return cells


def sheet_row(sc: Scenario, cells: dict[str, str]) -> dict[str, str]:
    row = {"sample_id": sc.sample_id, "patient_id": sc.sample_id, "genome_build": "GRCh38"}
    for key, value in (sc.data.get("sample") or {}).items():
        if key in ("sample_id", "vcf", "fusions", "cnv", "bam"):
            raise ScenarioError(f"{sc.path}: sample.{key} is set by the harness")
        if isinstance(value, list):
            value = ";".join(map(str, value))
        elif isinstance(value, bool):
            value = "yes" if value else "no"
        row[key] = "" if value is None else str(value)
    row.update(cells)
    return row


def write_batch(scenarios: list[Scenario], folder: Path) -> Path:
    """All scenarios' inputs into `folder` and one sheet `folder/samples.tsv`; returns the sheet."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for sc in scenarios:
        cells = build_files(sc)
        for name, text in sc.files.items():
            (folder / name).write_text(text)
        rows.append(sheet_row(sc, cells))
    used = {k for r in rows for k in r}
    unknown = used - set(SHEET_ORDER)
    if unknown:
        raise ScenarioError(f"sheet columns not known to the harness: {sorted(unknown)}")
    columns = [c for c in SHEET_ORDER if c in used]
    lines = ["\t".join(columns)] + ["\t".join(r.get(c, "") for c in columns) for r in rows]
    sheet = folder / "samples.tsv"
    sheet.write_text("\n".join(lines) + "\n")
    return sheet


# ----------------------------------------------------------------------------- checks
def html_text(html: str) -> str:
    """Visible text of a report: tags removed, entities decoded, whitespace collapsed."""
    html = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", html)
    text = _html.unescape(re.sub(r"<[^>]+>", " ", html))
    return re.sub(r"\s+", " ", text).strip()


def _get(data: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(data, list):
            data = data[int(part)]
        elif isinstance(data, dict):
            data = data.get(part)
        else:
            return None
    return data


def _option_matches(option: dict, wanted: str) -> bool:
    w = wanted.lower()
    return option["option"].lower() == w or w in option["option"].lower() \
        or w in [d.lower() for d in option.get("drugs", [])]


def _is_option(option: dict, drug_or_name: str) -> bool:
    """Strict match for forbidden options: the option is this drug (or exactly this text); a
    combination that merely mentions it ("continue lorlatinib and add ...") is not."""
    w = drug_or_name.lower()
    return option["option"].lower() == w or [d.lower() for d in option.get("drugs", [])] == [w]


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def check(sc: Scenario, report: dict, html: str, tsv: str) -> list[str]:
    """Failed expectations of one scenario (empty list = all met)."""
    fails: list[str] = []
    calls = {c["drug"]: c["call"] for c in report["drug_calls"]}
    options = report["therapy_options"]
    top = options[0] if options else None
    classes = {m["class"] for m in report["mechanisms"]}
    codes = {c["code"] for c in report["caveats"]}
    text = html_text(html).lower()
    tsv_low = tsv.lower()
    e, f = sc.expect, sc.forbidden
    for drug, call in (e.get("calls") or {}).items():
        if calls.get(drug) != call:
            fails.append(f"expected {drug} call {call!r}, got {calls.get(drug)!r}")
    if "top_option" in e and (top is None or not _option_matches(top, e["top_option"])):
        fails.append(f"expected top option {e['top_option']!r}, got {top and top['option']!r}")
    if "top_option_in" in e and (top is None or not any(_option_matches(top, w) for w in e["top_option_in"])):
        fails.append(f"expected top option in {e['top_option_in']}, got {top and top['option']!r}")
    for want in e.get("options_include") or []:
        if not any(_option_matches(o, want) for o in options):
            fails.append(f"expected an option matching {want!r}; options: {[o['option'] for o in options]}")
    for cls in e.get("mechanism_classes") or []:
        if cls not in classes:
            fails.append(f"expected mechanism class {cls!r}; got {sorted(classes)}")
    for code in e.get("caveats") or []:
        if code not in codes:
            fails.append(f"expected caveat {code}; got {sorted(codes)}")
    for s in e.get("html") or []:
        if s.lower() not in text:
            fails.append(f"expected HTML text {s!r}")
    for s in e.get("tsv") or []:
        if s.lower() not in tsv_low:
            fails.append(f"expected drug_calls.tsv text {s!r}")
    for s in e.get("alterations") or []:
        gene, _, change = s.partition(" ")
        if not any(a["gene"] == gene and (not change or change in (a.get("hgvs_p") or "", a["kind"]))
                   for a in report["alterations"]):
            fails.append(f"expected alteration {s!r}")
    for path, value in (e.get("json") or {}).items():
        if _get(report, path) != value:
            fails.append(f"expected report.json {path} == {value!r}, got {_get(report, path)!r}")
    for opt in e.get("excluded") or []:
        if not any(x["option"] == opt for x in report.get("excluded_options", [])):
            fails.append(f"expected {opt!r} in excluded_options")
    # ---- forbidden
    for bad in _as_list(f.get("top_option") or []):
        if top is not None and _is_option(top, bad):
            fails.append(f"FORBIDDEN top option {bad!r} (top is {top['option']!r})")
    for drug in f.get("sensitive") or []:
        if calls.get(drug) == "sensitive":
            fails.append(f"FORBIDDEN: {drug} shown 'sensitive'")
    for drug, call in (f.get("calls") or {}).items():
        if calls.get(drug) in _as_list(call):
            fails.append(f"FORBIDDEN: {drug} call {calls.get(drug)!r}")
    for bad in f.get("options") or []:
        hit = [o["option"] for o in options if _is_option(o, bad)]
        if hit:
            fails.append(f"FORBIDDEN option {bad!r} offered: {hit}")
    for bad in f.get("option_text") or []:
        hit = [o["option"] for o in options if bad.lower() in o["option"].lower()]
        if hit:
            fails.append(f"FORBIDDEN option text {bad!r} in: {hit}")
    for s in f.get("html") or []:
        if s.lower() in text:
            fails.append(f"FORBIDDEN HTML text {s!r}")
    for s in f.get("tsv") or []:
        if s.lower() in tsv_low:
            fails.append(f"FORBIDDEN drug_calls.tsv text {s!r}")
    for code in f.get("caveats") or []:
        if code in codes:
            fails.append(f"FORBIDDEN caveat {code}")
    for cls in f.get("mechanism_classes") or []:
        if cls in classes:
            fails.append(f"FORBIDDEN mechanism class {cls}")
    for path, value in (f.get("json") or {}).items():
        if _get(report, path) == value:
            fails.append(f"FORBIDDEN report.json {path} == {value!r}")
    return fails
