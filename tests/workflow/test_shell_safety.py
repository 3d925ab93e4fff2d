"""No sample-sheet path reaches a shell unquoted.

Sheet paths are user input. A path such as `real.vcf;touch X;#.vcf` or `x$(touch X).vcf` used to
run the injected command through the `report` rule's shell line and the workflow still ended
with rc 0. Here the demo inputs are copied under hostile names into a results folder whose path
has spaces and quotes; the workflow must either process them as plain file names or refuse them
cleanly, and must never create the marker files.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / ".test" / "data"

HOSTILE = {
    # sample: (vcf name, fusion name) -- each name tries a different shell metacharacter
    "S1": ("real.vcf;touch INJECTED_SEMI;#.vcf", "a b.arriba.tsv"),
    "S2": ("x$(touch INJECTED_SUBST).vcf", "it's `touch INJECTED_TICK`.tsv"),
    "S3": ('q"uote & touch INJECTED_AMP |.vcf', "plain.tsv"),
}


def _sheet(folder: Path) -> Path:
    header = ["sample_id", "patient_id", "specimen", "tumor_type", "collection_date",
              "genome_build", "prior_therapies", "current_therapy", "vcf", "fusions",
              "fusion_format"]
    rows = ["\t".join(header)]
    for i, (sample, (vcf, fusion)) in enumerate(HOSTILE.items()):
        shutil.copy(DATA / "P02-T1.snpeff.vcf", folder / vcf)
        shutil.copy(DATA / "P02-T1.arriba.tsv", folder / fusion)
        rows.append("\t".join([sample, f"PX{i}", "tissue", "NSCLC", "2024-01-0%d" % (i + 1),
                               "GRCh38", "alectinib", "lorlatinib", vcf, fusion, "arriba"]))
    sheet = folder / "samples sheet.tsv"
    sheet.write_text("\n".join(rows) + "\n")
    return sheet


def test_hostile_paths_run_nothing_and_work(tmp_path):
    base = tmp_path / "lab run's (1) $HOME"
    inputs = base / "in put"
    inputs.mkdir(parents=True)
    sheet = _sheet(inputs)
    results = base / "res ults"
    config = base / "my config.yaml"
    config.write_text(yaml.safe_dump({"samples": str(sheet), "results": str(results),
                                      "report": {"pdf": False}}))
    proc = subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2", "--nolock", "--configfile",
         str(config)],
        cwd=REPO, capture_output=True, text=True, timeout=600)
    markers = [p for p in list(tmp_path.rglob("INJECTED_*")) + list(REPO.rglob("INJECTED_*"))]
    assert not markers, f"shell injection ran: {markers}"
    assert proc.returncode == 0, proc.stderr[-3000:]
    for sample in HOSTILE:
        assert (results / sample / "report.html").stat().st_size > 0
    # the annotated VCF copy reads the hostile-named VCF itself: it must have been found
    assert (results / "S1" / "S1.kinres.vcf").exists()
    assert (results / "batch" / "summary.html").exists()
