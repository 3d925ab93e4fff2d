"""kinres.cache: the start-up cache (knowledge validation stamps, template bytecode) may only
save time: off, unwritable or warm, the results and the errors are the same."""

from __future__ import annotations

import datetime
import os
import shutil
from pathlib import Path

import jsonschema
import pytest

from kinres import cache
from kinres.errors import KnowledgeError
from kinres.knowledge import manifest
from kinres.knowledge.loader import KnowledgeBase
from kinres.paths import KNOWLEDGE_DIR
from kinres.report import html
from kinres.report.json import load_report

DATA = Path(__file__).resolve().parents[1] / "data" / "report"


@pytest.fixture
def cache_at(monkeypatch):
    """Point KINRES_CACHE_DIR somewhere for one test (the settings are read once per process)."""
    def use(value: str | Path) -> Path | None:
        monkeypatch.setenv("KINRES_CACHE_DIR", str(value))
        cache.cache_dir.cache_clear()
        html.environment.cache_clear()
        return cache.cache_dir()

    yield use
    cache.cache_dir.cache_clear()
    html.environment.cache_clear()


@pytest.fixture
def validators(monkeypatch):
    """Counts the knowledge-row validators built (one per table validated)."""
    built = []
    real = jsonschema.Draft202012Validator

    def counting(*args, **kwargs):
        built.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(jsonschema, "Draft202012Validator", counting)
    return built


def test_stamps_round_trip_in_a_version_folder(cache_at, tmp_path):
    folder = cache_at(tmp_path / "c")
    assert folder is not None and folder.parent == tmp_path / "c" and folder.is_dir()
    key = cache.digest(b"table", b"schema")
    assert not cache.has_stamp("knowledge", key)
    cache.write_stamp("knowledge", key)
    assert cache.has_stamp("knowledge", key)
    assert not cache.has_stamp("knowledge", cache.digest(b"table", b"schema2"))
    assert [p.name for p in (folder / "stamps").iterdir()] == [f"knowledge-{key}"]  # no temp files


def test_digest_parts_are_delimited():
    assert cache.digest("ab", "c") != cache.digest("a", "bc")


@pytest.mark.parametrize("value", ["off", "OFF", "none", "0", "false"])
def test_cache_can_be_disabled(cache_at, value, tmp_path):
    assert cache_at(value) is None
    cache.write_stamp("knowledge", "k")
    assert not cache.has_stamp("knowledge", "k")
    assert cache.jinja_bytecode_cache("x") is None


def test_default_location_follows_xdg(cache_at, monkeypatch, tmp_path):
    monkeypatch.delenv("KINRES_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    cache.cache_dir.cache_clear()
    assert cache.cache_dir().parent == tmp_path / "xdg" / "kinres"


def test_unusable_folder_turns_caching_off(cache_at, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert cache_at(blocker / "cache") is None  # cannot be created
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    version_dir = cache_at(shared)
    assert version_dir is not None
    os.chmod(version_dir, 0o777)  # another account could plant template bytecode there
    assert cache_at(shared) is None


def test_knowledge_validated_once_then_stamped(cache_at, validators, tmp_path):
    cache_at(tmp_path / "c")
    first = KnowledgeBase(KNOWLEDGE_DIR)
    assert len(validators) == 10  # every table validated on a cold cache
    validators.clear()
    second = KnowledgeBase(KNOWLEDGE_DIR)
    assert validators == []  # warm: same bytes, no row validation
    assert second.mutations == first.mutations and second.drugs == first.drugs


def test_knowledge_without_cache_always_validates(cache_at, validators):
    cache_at("off")
    KnowledgeBase(KNOWLEDGE_DIR)
    KnowledgeBase(KNOWLEDGE_DIR)
    assert len(validators) == 20


def test_edited_row_is_validated_with_a_warm_cache(cache_at, validators, tmp_path):
    cache_at(tmp_path / "c")
    KnowledgeBase(KNOWLEDGE_DIR)  # warm every packaged table
    copy = tmp_path / "k"
    shutil.copytree(KNOWLEDGE_DIR, copy)
    path = copy / "mutations.tsv"
    lines = path.read_text().splitlines(keepends=True)
    i = next(n for n, line in enumerate(lines) if "\tpreclinical\t" in line)
    lines[i] = lines[i].replace("\tpreclinical\t", "\tanecdotal\t", 1)
    path.write_text("".join(lines))
    recorded = manifest.read(copy)
    manifest.write(copy, manifest.compute(copy, recorded.version, recorded.date))
    validators.clear()
    for _ in range(2):  # a failed validation writes no stamp: the error stays
        with pytest.raises(KnowledgeError, match=rf"mutations.tsv, line {i + 1}: evidence_type"):
            KnowledgeBase(copy)
    assert len(validators) == 2  # only the edited table, once per attempt (the others are warm)


def test_template_bytecode_cache_gives_identical_html(cache_at, tmp_path):
    report = load_report(DATA / "alk_g1202r_tissue.report.json")
    date = datetime.date(2025, 1, 2)
    cache_at("off")
    assert html.environment().bytecode_cache is None
    plain = html.render_report_html(report, report_date=date)
    folder = cache_at(tmp_path / "c")
    cold = html.render_report_html(report, report_date=date)
    entries = list(folder.glob("jinja-*/*.cache"))
    assert entries  # the templates' bytecode was written
    html.environment.cache_clear()
    warm_env = html.environment()
    assert warm_env.bytecode_cache is not None
    warm = html.render_report_html(report, report_date=date)
    assert plain == cold == warm


def test_corrupt_template_cache_entry_is_recompiled(cache_at, tmp_path):
    report = load_report(DATA / "alk_g1202r_tissue.report.json")
    date = datetime.date(2025, 1, 2)
    folder = cache_at(tmp_path / "c")
    expected = html.render_report_html(report, report_date=date)
    for entry in folder.glob("jinja-*/*.cache"):
        entry.write_bytes(entry.read_bytes()[:30])  # truncated mid-pickle
    html.environment.cache_clear()
    assert html.render_report_html(report, report_date=date) == expected
