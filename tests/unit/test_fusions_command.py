"""`kinres fusions`: sample sheet + config -> fusions.json StageResult."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from kinres.commands import fusions as command
from kinres.errors import InputError
from kinres.models import StageResult
from kinres.serialize import read_json

pytest.importorskip("kinres.annotate.transcripts")


def main(argv: list[str]) -> int:
    # the command module alone (cli.py discovery would import every other command too)
    parser = argparse.ArgumentParser()
    command.add_arguments(parser)
    assert argv[0] == "fusions"
    try:
        return command.run(parser.parse_args(argv[1:]))
    except InputError as exc:
        print(f"kinres error: {exc.message()}", file=__import__("sys").stderr)
        return exc.exit_code

HEADER = "sample_id\tpatient_id\tspecimen\ttumor_type\tgenome_build\tvcf\tfusions\tfusion_format"


def _setup(tmp_path: Path, fusions: str = "", fmt: str = "", extra_config: str = "") -> tuple[Path, Path]:
    sheet = tmp_path / "samples.tsv"
    vcf = tmp_path / "s1.vcf"  # the sheet needs some input; the fusions stage ignores the VCF
    vcf.write_text("##fileformat=VCFv4.2\n")
    sheet.write_text(HEADER + "\n" + "\t".join(["S1", "P1", "tissue", "NSCLC", "GRCh38",
                                                str(vcf), fusions, fmt]) + "\n")
    config = tmp_path / "config.yaml"
    config.write_text(f"samples: {sheet}\nfusions:\n  merge_tolerance_bp: 10\n{extra_config}")
    return config, sheet


def test_command_writes_stage_result(tmp_path, shared_dir):
    src = shared_dir / "data/fusion_examples/fusioncatcher/final-list_candidate-fusion-genes.txt"
    config, sheet = _setup(tmp_path, str(src))
    out = tmp_path / "results/S1/fusions.json"
    assert main(["fusions", "--config", str(config), "--sample-sheet", str(sheet),
                 "--sample", "S1", "--out", str(out)]) == 0
    result = read_json(out, StageResult)
    assert result.stage == "fusions" and result.sample_id == "S1"
    assert result.inputs[0].path == str(src) and len(result.inputs[0].sha256) == 64
    labels = {f.junction_label for f in result.fusions if f.actionable}
    assert {"ETV6 exon 5 :: NTRK3 exon 15", "CD74 exon 6 :: ROS1 exon 34"} <= labels
    assert any("no panel kinase" in w for w in result.warnings)
    assert ("fusions.format", "fusioncatcher") in result.parameters


def test_command_without_fusion_file_is_empty(tmp_path):
    config, sheet = _setup(tmp_path)
    out = tmp_path / "fusions.json"
    assert main(["fusions", "--config", str(config), "--sample-sheet", str(sheet),
                 "--sample", "S1", "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["fusions"] == [] and "not assessed" in data["warnings"][0]


def test_command_bad_file_exits_2_without_output(tmp_path, capsys):
    bad = tmp_path / "calls.tsv"
    bad.write_text("five_prime_gene\tthree_prime_gene\tfive_prime_breakpoint\t"
                   "three_prime_breakpoint\tsupporting_reads\tin_frame\tmolecule\n"
                   "EML4\tALK\tchr2:x\tchr2:29223528\t5\tyes\trna\n")
    config, sheet = _setup(tmp_path, str(bad), "generic")
    out = tmp_path / "fusions.json"
    assert main(["fusions", "--config", str(config), "--sample-sheet", str(sheet),
                 "--sample", "S1", "--out", str(out)]) == 2
    assert not out.exists()
    err = capsys.readouterr().err
    assert "calls.tsv, line 2" in err and "not an integer" in err


def test_unknown_config_key_rejected(tmp_path):
    config, sheet = _setup(tmp_path, extra_config="  merge_tolerance: 5\n")
    assert main(["fusions", "--config", str(config), "--sample-sheet", str(sheet),
                 "--sample", "S1", "--out", str(tmp_path / "x.json")]) == 2
