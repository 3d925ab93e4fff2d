"""report.json reader: schema validation, cross-references, typed views, copy-through."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from report_fixtures import DATA, FIXTURES, fixture_data, write_report

from kinres.enums import Role, Specimen, StructuralClass
from kinres.errors import InputError
from kinres.report.json import load_report, parse_report, write_report_json


@pytest.mark.parametrize("name", FIXTURES)
def test_fixtures_validate_against_contract_schema(name):
    report = load_report(DATA / f"{name}.report.json")
    assert report.schema_version == "1"
    assert report.sample.id


def test_typed_view_of_alk_case():
    r = load_report(DATA / "alk_g1202r_tissue.report.json")
    assert r.sample.specimen is Specimen.TISSUE
    g = r.alteration("A2")
    assert (g.gene, g.hgvs_p, g.role, g.structural_class) == (
        "ALK", "p.G1202R", Role.ON_TARGET_RESISTANCE, StructuralClass.SOLVENT_FRONT)
    assert (g.chrom, g.pos, g.ref, g.alt) == ("2", 29220747, "C", "T")
    assert r.alteration("A1").fusion.junction_label == "EML4 exon 6 :: ALK exon 20"
    assert [t.rank for t in r.therapy_options] == [1, 2, 3]


def test_extension_fields_are_tolerated_and_copied_through(tmp_path):
    data = fixture_data("alk_g1202r_tissue")
    data["alterations"][1]["lims_code"] = "X-17"
    data["lab_extension"] = {"run": 5}
    src = write_report(tmp_path / "in", data)
    out = tmp_path / "out" / "report.json"
    write_report_json(load_report(src), out)
    copied = json.loads(out.read_text())
    assert copied == data


def test_invalid_json_names_line(tmp_path):
    path = tmp_path / "report.json"
    path.write_text('{\n "schema_version": "1",\n oops\n}')
    with pytest.raises(InputError) as exc:
        load_report(path)
    assert exc.value.line == 3 and str(path) in exc.value.message()


def test_schema_violation_names_record(tmp_path):
    data = fixture_data("alk_g1202r_tissue")
    data["drug_calls"][0]["call"] = "maybe"
    with pytest.raises(InputError) as exc:
        load_report(write_report(tmp_path, data))
    assert exc.value.record == "drug_calls/0/call"


def test_wrong_schema_version_rejected():
    data = fixture_data("chip_only_plasma")
    data["schema_version"] = "2"
    with pytest.raises(InputError, match="schema_version"):
        parse_report(data)


def test_dangling_alteration_reference_rejected():
    data = fixture_data("alk_g1202r_tissue")
    data["drug_calls"][5]["based_on"] = ["A9"]
    with pytest.raises(InputError) as exc:
        parse_report(data)
    assert exc.value.record == "drug_calls/5" and "A9" in exc.value.problem


def test_duplicate_alteration_ids_rejected():
    data = fixture_data("alk_g1202r_tissue")
    data["alterations"][2]["id"] = "A2"
    with pytest.raises(InputError, match="duplicate"):
        parse_report(data)


def test_impossible_date_rejected():
    data = copy.deepcopy(fixture_data("alk_g1202r_tissue"))
    data["sample"]["collection_date"] = "2024-02-30"
    with pytest.raises(InputError, match="not a real date"):
        parse_report(data)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_report(tmp_path / "nope.json")


def test_report_json_flag_prints_the_contract_content(tmp_path):
    """report-contract.md: report.json 'and the same content through `kinres report --json`'."""
    import json
    import subprocess
    import sys

    from kinres.report.json import load_report, write_report_json

    src = sorted((Path(__file__).resolve().parents[1] / "data" / "report").glob("*.json"))[0]
    copy = tmp_path / "report.json"
    write_report_json(load_report(src), copy)
    proc = subprocess.run([sys.executable, "-m", "kinres.cli", "report", "--json", "--report", str(copy)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == copy.read_text()
    assert json.loads(proc.stdout)["schema_version"] == "1"
    assert list(tmp_path.iterdir()) == [copy]  # --json alone renders nothing


def test_reloading_unchanged_report_reuses_the_parse(tmp_path):
    """A patient job loads each sibling report once per sample; same path and bytes parse once."""
    path = write_report(tmp_path, fixture_data("alk_g1202r_tissue"))
    first = load_report(path)
    assert load_report(path) is first
    data = fixture_data("alk_g1202r_tissue")
    data["sample"]["tumor_type"] = "changed"
    write_report(tmp_path, data)
    changed = load_report(path)
    assert changed is not first and changed.sample.tumor_type == "changed"
    path.write_text("{not json")
    for _ in range(2):  # errors are not cached
        with pytest.raises(InputError, match="not valid JSON"):
            load_report(path)
