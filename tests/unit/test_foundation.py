"""Foundation modules: serialisation round-trips, atomic writes, error formatting, CLI errors."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kinres import serialize
from kinres.atomic import atomic_open, atomic_write_text
from kinres.enums import Build, Consequence, Specimen
from kinres.errors import ConfigError, InputError
from kinres.models import ProteinAnnotation, Sample, SourceRef, StageResult, Variant


def _variant() -> Variant:
    ann = ProteinAnnotation(gene="ALK", transcript="ENST00000389048",
                            consequences=(Consequence.MISSENSE,), hgvs_c="c.3604G>A",
                            hgvs_p="p.G1202R", protein_start=1202, protein_end=1202)
    return Variant(chrom="2", pos=29196850, ref="C", alt="T", vaf=0.12, depth=800,
                   alt_reads=96, source=SourceRef("x.vcf", 12), annotation=ann)


def test_stage_result_round_trip_is_lossless():
    stage = StageResult(stage="variants", sample_id="S1", variants=(_variant(),),
                        warnings=("1 record failed FILTER",))
    text = serialize.dumps(stage)
    back = serialize.from_jsonable(StageResult, json.loads(text))
    assert back == stage
    assert back.variants[0].annotation.consequences == (Consequence.MISSENSE,)


def test_dumps_is_deterministic_and_sorted():
    a = serialize.dumps({"b": 1, "a": [1.5, None]})
    assert a == serialize.dumps({"a": [1.5, None], "b": 1})
    assert a.index('"a"') < a.index('"b"') and a.endswith("\n")


def test_sample_round_trip_with_dates_paths_enums():
    s = Sample(sample_id="P1-T1", patient_id="P1", specimen=Specimen.PLASMA, tumor_type="NSCLC",
               genome_build=Build.GRCh38, collection_date=dt.date(2026, 3, 1),
               prior_therapies=("alectinib",), vcf=Path("a.vcf.gz"))
    assert serialize.from_jsonable(Sample, serialize.to_jsonable(s)) == s


def test_from_jsonable_rejects_unknown_fields():
    with pytest.raises(ValueError, match="unknown field"):
        serialize.from_jsonable(SourceRef, {"path": "x", "line": 1, "bogus": 2})


def test_variant_kind():
    assert Variant("1", 10, "A", "G").kind.value == "snv"
    assert Variant("1", 10, "AT", "GC").kind.value == "mnv"
    assert Variant("1", 10, "A", "AT").kind.value == "insertion"
    assert Variant("1", 10, "AT", "A").kind.value == "deletion"
    assert Variant("1", 10, "AT", "G").kind.value == "delins"


def test_atomic_write_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "out.json"
    with pytest.raises(RuntimeError), atomic_open(target) as fh:
        fh.write("partial")
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []
    atomic_write_text(target, "done")
    assert target.read_text() == "done" and len(list(tmp_path.iterdir())) == 1


def test_input_error_names_file_line_and_problem():
    err = InputError("s.tsv", "bad specimen 'blood'", line=4)
    assert err.message() == "s.tsv, line 4: bad specimen 'blood'"
    assert isinstance(ConfigError("c.yaml", "x"), InputError)


def test_cli_reports_errors_without_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "kinres.cli", "validate", "--config",
                           str(tmp_path / "missing.yaml")], capture_output=True, text=True)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert "missing.yaml" in proc.stderr


def test_atomic_output_gets_normal_permissions(tmp_path):
    import os
    target = tmp_path / "x.txt"
    atomic_write_text(target, "x")
    mask = os.umask(0)
    os.umask(mask)
    assert (target.stat().st_mode & 0o777) == (0o666 & ~mask)
