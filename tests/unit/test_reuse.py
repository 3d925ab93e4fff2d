"""kinres.reuse: earlier outputs come back byte for byte only when nothing they depend on changed."""

from __future__ import annotations

import os
import time
from pathlib import Path

from kinres import reuse
from kinres.reuse import ReuseStore


def _outputs(base: Path, text: str = "report") -> list[Path]:
    files = [base / "S1" / "report.html", base / "S1" / "report.json"]
    for f in files:
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(f"{text} {f.name}")
    return files


def test_round_trip_keeps_bytes_and_makes_outputs_new(tmp_path):
    base, store = tmp_path / "results", ReuseStore(tmp_path / "store")
    files = _outputs(base)
    store.save("P1", "k1", base, files)
    old = time.time() - 3600
    for f in files:  # Snakemake deletes a job's outputs before running it
        os.utime(f, (old, old))
        f.unlink()
    restored = store.restore("P1", "k1", base)
    assert sorted(restored) == sorted(files)
    assert files[0].read_text() == "report report.html"
    assert all(f.stat().st_mtime > old + 3000 for f in files)  # newer than the job's inputs


def test_other_key_or_name_misses(tmp_path):
    base, store = tmp_path / "results", ReuseStore(tmp_path / "store")
    store.save("P1", "k1", base, _outputs(base))
    assert store.restore("P1", "k2", base) is None
    assert store.restore("P2", "k1", base) is None


def test_one_entry_per_name(tmp_path):
    base, store = tmp_path / "results", ReuseStore(tmp_path / "store")
    store.save("P1", "k1", base, _outputs(base, "first"))
    store.save("P1", "k2", base, _outputs(base, "second"))
    assert store.restore("P1", "k1", base) is None
    assert store.restore("P1", "k2", base) is not None
    assert (base / "S1" / "report.html").read_text() == "second report.html"
    assert len(list((tmp_path / "store").iterdir())) == 1
    assert [p.name for p in next((tmp_path / "store").iterdir()).iterdir()] == ["k2"]


def test_output_edited_in_place_is_not_reused(tmp_path):
    base, store = tmp_path / "results", ReuseStore(tmp_path / "store")
    files = _outputs(base)
    store.save("P1", "k1", base, files)
    with open(files[0], "a") as fh:  # in place: the entry shares the inode (hard link)
        fh.write(" edited")
    assert store.restore("P1", "k1", base) is None


def test_off_and_unwritable_store_never_fail(tmp_path):
    base = tmp_path / "results"
    files = _outputs(base)
    off = ReuseStore(None)
    off.save("P1", "k1", base, files)
    assert off.restore("P1", "k1", base) is None
    blocker = tmp_path / "store"
    blocker.write_text("a file where the store folder should be")
    broken = ReuseStore(blocker)
    broken.save("P1", "k1", base, files)  # no exception
    assert broken.restore("P1", "k1", base) is None


def test_names_are_free_text(tmp_path):
    base, store = tmp_path / "results", ReuseStore(tmp_path / "store")
    store.save("../P 1/x", "k1", base, _outputs(base))
    folder = next((tmp_path / "store").iterdir())
    assert folder.parent == tmp_path / "store" and not folder.name.startswith(".")
    assert store.restore("../P 1/x", "k1", base) is not None


def test_code_fingerprint_is_stable_and_follows_edits(tmp_path, monkeypatch):
    assert reuse.code_fingerprint() == reuse.code_fingerprint()
    assert len(reuse.code_fingerprint()) == 64
    import kinres.paths

    (tmp_path / "knowledge").mkdir()
    table = tmp_path / "knowledge" / "t.tsv"
    table.write_text("a\n")
    monkeypatch.setattr(kinres.paths, "RESOURCES", tmp_path)
    reuse.code_fingerprint.cache_clear()
    before = reuse.code_fingerprint()
    table.write_text("ab\n")  # an edited table: new size and time
    reuse.code_fingerprint.cache_clear()
    try:
        assert reuse.code_fingerprint() != before
    finally:
        reuse.code_fingerprint.cache_clear()


def test_folder_fingerprint_follows_content(tmp_path):
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "t.tsv").write_text("a\n")
    before = reuse.folder_fingerprint(tmp_path / "kb")
    (tmp_path / "kb" / "t.tsv").write_text("b\n")
    reuse.folder_fingerprint.cache_clear()  # cached per process: a job reads its tables once
    assert reuse.folder_fingerprint(tmp_path / "kb") != before
    assert reuse.folder_fingerprint(tmp_path / "missing") != before
