"""Config schema composition, section fragments, workflow settings and the shipped config."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from kinres.config import load_config, schema_validator
from kinres.enums import Build
from kinres.errors import ConfigError
from kinres.workflow_settings import ReferenceFiles, Settings


def _fragments(repo: Path) -> list[Path]:
    return sorted((repo / "workflow" / "schemas" / "config").glob("*.schema.json"))


def test_top_level_schema_refs_every_fragment(repo_root):
    top = json.loads((repo_root / "workflow/schemas/config.schema.json").read_text())
    Draft202012Validator.check_schema(top)
    refs = {v["$ref"] for v in top["properties"].values() if "$ref" in v}
    files = {f"config/{p.name}" for p in _fragments(repo_root)}
    assert refs == files
    for section in ("variants", "fusions", "cnv", "coverage", "knowledge", "interpret", "report",
                    "reference"):
        assert f"config/{section}.schema.json" in refs


def _walk_properties(schema: dict, where: str):
    for name, prop in (schema.get("properties") or {}).items():
        yield f"{where}/{name}", prop


def test_fragments_follow_the_project_rules(repo_root):
    """Draft 2020-12, object, additionalProperties false, description + default everywhere."""
    problems = []
    for path in _fragments(repo_root):
        doc = json.loads(path.read_text())
        Draft202012Validator.check_schema(doc)
        types = doc.get("type") if isinstance(doc.get("type"), list) else [doc.get("type")]
        if "object" not in types:
            problems.append(f"{path.name}: type must be object")
        if doc.get("additionalProperties") is not False:
            problems.append(f"{path.name}: additionalProperties must be false")
        for loc, prop in _walk_properties(doc, path.name):
            if "description" not in prop or "default" not in prop:
                problems.append(f"{loc}: needs description and default")
    assert not problems, "\n".join(problems)


def test_shipped_config_is_valid_and_points_at_the_demo(repo_root):
    config = load_config(repo_root / "config/config.yaml")
    settings = Settings.from_mapping(config.data)
    assert settings.samples == Path("config/samples.tsv")
    assert settings.results == Path("results")
    assert settings.reference_for(Build.GRCh38) == ReferenceFiles()


def test_settings_defaults_match_schema(repo_root):
    top = json.loads((repo_root / "workflow/schemas/config.schema.json").read_text())
    defaults = Settings()
    assert str(defaults.samples) == top["properties"]["samples"]["default"]
    assert str(defaults.results) == top["properties"]["results"]["default"]
    assert defaults.pdf_per_job == top["properties"]["pdf_per_job"]["default"]
    assert defaults.patients_per_job == top["properties"]["patients_per_job"]["default"]
    assert defaults.reuse_outputs is top["properties"]["reuse_outputs"]["default"]
    assert Settings.from_mapping({"reuse_outputs": False}).reuse_outputs is False
    assert Settings.from_mapping({}) == defaults
    ref = json.loads((repo_root / "workflow/schemas/config/reference.schema.json").read_text())
    assert ref["default"] is None and defaults.reference == ()
    build = ref["$defs"]["build"]["properties"]
    assert ReferenceFiles() == ReferenceFiles(fasta=build["fasta"]["default"],
                                              annotation=build["annotation"]["default"])


def test_reference_settings(tmp_path):
    fasta = tmp_path / "g.fa"
    fasta.write_text(">1\nACGT\n")
    gff = tmp_path / "genes.gff3"
    gff.write_text("##gff-version 3\n")
    settings = Settings.from_mapping({"reference": {"GRCh37": {"fasta": str(fasta),
                                                               "annotation": str(gff)},
                                                    "GRCh38": None}})
    assert settings.reference_for(Build.GRCh37) == ReferenceFiles(fasta, str(gff))
    assert settings.reference_for(Build.GRCh38) == ReferenceFiles()
    with pytest.raises(ConfigError, match=r"index not found: .*g\.fa\.fai"):
        settings.check_reference_files("c.yaml")
    (tmp_path / "g.fa.fai").write_text("1\t4\t3\t4\t5\n")
    settings.check_reference_files("c.yaml")
    missing = Settings.from_mapping({"reference": {"GRCh38": {"fasta": str(tmp_path / "no.fa")}}})
    with pytest.raises(ConfigError, match="reference/GRCh38/fasta: file not found"):
        missing.check_reference_files("c.yaml")
    no_gtf = Settings.from_mapping({"reference": {"GRCh38": {"annotation": str(tmp_path / "x.gtf")}}})
    with pytest.raises(ConfigError, match="reference/GRCh38/annotation: file not found"):
        no_gtf.check_reference_files("c.yaml")


@pytest.mark.parametrize("text, fragment", [
    ("samples: s.tsv\nsampels: x\n", "sampels"),
    ("reference:\n  GRCh38:\n    fasta: a.fa\n    gtf: b.gtf\n", "reference/GRCh38"),
    ("reference:\n  hg19: {}\n", "hg19"),
    ("results: 5\n", "results"),
    ("variants: {not_a_key: 1}\n", "variants"),
    ("samples: [a\n", "not valid YAML"),
])
def test_bad_config_names_file_and_key(tmp_path, text, fragment):
    path = tmp_path / "config.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(path) in info.value.message() and fragment in info.value.message()


def test_validator_is_composed_through_refs():
    validator = schema_validator("config.schema.json")
    assert not list(validator.iter_errors({"reference": {"GRCh38": {"fasta": None}}}))
    assert list(validator.iter_errors({"reference": {"GRCh38": {"fasta": 3}}}))


def test_validate_cli_unknown_config_key_has_no_traceback(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("samples: s.tsv\nunknown_section: {}\n")
    proc = subprocess.run([sys.executable, "-m", "kinres.cli", "validate", "--config", str(path)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert str(path) in proc.stderr and "unknown_section" in proc.stderr


def test_config_yaml_documents_every_section_key(repo_root):
    """The commented key list in config/config.yaml matches the section schemas (no stale keys)."""
    import re

    documented: dict[str, set[str]] = {}
    section = None
    for line in (repo_root / "config/config.yaml").read_text().splitlines():
        head = re.match(r"^# (\w+):\s+#", line)
        if head:
            section = head.group(1)
            documented[section] = set()
            continue
        key = re.match(r"^#   (\w+): ", line)
        if key and section:
            documented[section].add(key.group(1))
    for name in ("variants", "fusions", "cnv", "coverage", "knowledge", "interpret", "report"):
        schema = json.loads((repo_root / f"workflow/schemas/config/{name}.schema.json").read_text())
        assert documented.get(name) == set(schema.get("properties", {})), name


def test_readme_quick_start_and_ci_agree(repo_root):
    """README's Quick start has exactly two commands and .ci/run ends with the second one."""
    import re

    readme = (repo_root / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", quick, re.DOTALL).group(1)
    commands = [line for line in block.splitlines() if line.strip() and not line.startswith("#")]
    assert len(commands) == 2
    assert "snakemake --profile profiles/default" in commands[0]
    ci = [line for line in (repo_root / ".ci/run").read_text().splitlines()
          if line.strip() and not line.lstrip().startswith("#")]
    assert ci[-1] == commands[1]
    assert "set -euo pipefail" in ci
