# kinres: ALK/ROS1/NTRK resistance report annotation.
#   snakemake --profile profiles/default                 # demo batch (config/config.yaml)
#   snakemake --profile profiles/default --configfile my.yaml
# Every rule is one `kinres <command>`; all logic lives in the Python package.

import os
import shlex
import sys

import yaml
from snakemake.exceptions import WorkflowError
from snakemake.utils import min_version

from kinres.config import validate_mapping
from kinres.errors import KinresError
from kinres.io.samplesheet import read_samplesheet
from kinres.workflow_settings import Settings

min_version("8.0")


configfile: "config/config.yaml"


# Validate the merged config (file + --config overrides) with the same schema `kinres` uses,
# so a typo fails here with the key's path rather than deep inside a job.
_CONFIG_SOURCES = " + ".join(dict.fromkeys(
    os.path.relpath(os.path.abspath(f)) for f in (getattr(workflow, "configfiles", None) or ["config/config.yaml"])))
try:
    validate_mapping(dict(config), "config.schema.json", f"config ({_CONFIG_SOURCES} + --config)")
    SETTINGS = Settings.from_mapping(config)
    SHEET = read_samplesheet(SETTINGS.samples, check_files=True)
except KinresError as exc:
    raise WorkflowError(f"kinres: {exc.message()}") from None
for _warning in SHEET.warnings:
    print(f"kinres warning: {_warning}", file=sys.stderr)

RESULTS = str(SETTINGS.results)
LOGS = f"{RESULTS}/logs"
SAMPLE_SHEET = str(SHEET.path)
SAMPLES = {s.sample_id: s for s in SHEET.samples}
# the PDF is optional (config report.pdf); its absence must not leave rule all unsatisfiable
WRITE_PDF = bool((config.get("report") or {}).get("pdf", True))
PER_SAMPLE = ["report.json", "report.html", "alterations.tsv", "drug_calls.tsv"]
PER_SAMPLE += ["report.pdf"] if WRITE_PDF else []


wildcard_constraints:
    sample="[A-Za-z0-9][A-Za-z0-9._-]{0,63}",


include: "workflow/rules/common.smk"
include: "workflow/rules/ingest.smk"
include: "workflow/rules/fusions.smk"
include: "workflow/rules/cnv.smk"
include: "workflow/rules/interpret.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/batch.smk"


rule all:
    input:
        expand(
            f"{RESULTS}/{{sample}}/{{name}}",
            sample=SAMPLES,
            name=PER_SAMPLE,
        ),
        f"{RESULTS}/batch/summary.html",
        f"{RESULTS}/batch/summary.tsv",
    default_target: True
