"""Reuse a job's earlier outputs when everything they were made from is byte-identical.

Why: a workflow job covers several samples (patients grouped by `patients_per_job`, ~40 reports
per PDF job), Snakemake reruns a job as a whole when one of its inputs changed, and it deletes the
job's outputs before running it. Without this, editing one sample's row re-rendered (and re-dated)
every report of its job and re-rendered every PDF of the PDF jobs those reports fall in. With it,
only the changed sample is computed again; the others get their earlier files back, byte for byte
(docs/scaling.md, "Incremental reruns").

An entry is `<store>/<name>/<key>/`: the files last written for `name` (a patient, or one report's
PDF), as hard links to the outputs (no second copy on disk; a copy where the filesystem has no
hard links), and a MANIFEST with each file's path relative to the results folder, size and
sha256. `key` is a sha256 over everything the outputs depend on (the caller lists it: row files,
config, knowledge tables, the code itself...). Each name keeps one entry: saving a new one removes
the old, so the store never grows beyond the results it mirrors.

Restoring checks every file against the MANIFEST (an output edited in place would also change
the entry it shares an inode with), links it to a temp name beside the output and renames it into
place, then sets its time to now: Snakemake compares times, and an output older than the job's
new input would be planned again. Any doubt (missing entry, a mismatch, an OS error) means "not
reused": the caller computes the outputs as usual. A reuse store never fails a run.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from kinres.cache import digest

log = logging.getLogger(__name__)
MANIFEST = "MANIFEST"
_CHUNK = 1 << 20


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _tree_parts(root: Path) -> Iterable[bytes | str]:
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        yield str(path.relative_to(root))
        yield path.read_bytes()


def _tree_stats(root: Path, out: list[str]) -> None:
    """Relative path, size and modification time of every file under root (no bytecode)."""
    with os.scandir(root) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            if entry.name == "__pycache__":
                continue
            if entry.is_dir(follow_symlinks=False):
                _tree_stats(Path(entry.path), out)
            elif entry.is_file():
                st = entry.stat()
                out.append(f"{entry.path}\t{st.st_size}\t{st.st_mtime_ns}")


@cache
def code_fingerprint() -> str:
    """The installed kinres package, its resources and schemas, and WeasyPrint, by every file's
    path, size and modification time (~2 ms; as Python decides a .pyc is stale). A reused output
    must have been made by exactly this code and these tables, whatever the version string says
    (an editable install keeps its version across edits)."""
    import importlib.util

    import kinres
    from kinres.paths import RESOURCES, SCHEMAS

    stats: list[str] = []
    for root in (Path(kinres.__file__).resolve().parent, RESOURCES, SCHEMAS):
        stats.append(str(root))
        if root.is_dir():
            _tree_stats(root, stats)
    spec = importlib.util.find_spec("weasyprint")  # the PDF renderer, without importing it
    if spec is not None and spec.origin:
        st = os.stat(spec.origin)
        stats.append(f"{spec.origin}\t{st.st_size}\t{st.st_mtime_ns}")
    return digest(*stats)


@cache
def folder_fingerprint(folder: Path) -> str:
    """sha256 of every file under `folder` (e.g. a lab's own knowledge tables)."""
    return digest(*_tree_parts(folder)) if folder.is_dir() else digest("missing", str(folder))


class ReuseStore:
    """Entries under `root`; `root=None` turns reuse off (every lookup misses)."""

    def __init__(self, root: Path | None) -> None:
        self.root = root

    def _folder(self, name: str) -> Path:
        assert self.root is not None
        readable = "".join(c if c.isalnum() or c in "._-" else "_" for c in name)[:60].lstrip(".")
        return self.root / f"{readable}-{digest(name)[:12]}"  # names are free text (patient IDs)

    def restore(self, name: str, key: str, base: Path) -> list[Path] | None:
        """Put the entry's files back under `base`; None (nothing reliable to reuse) otherwise."""
        if self.root is None:
            return None
        entry = self._folder(name) / key
        try:
            lines = (entry / MANIFEST).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            return None
        try:
            files = []
            for line in lines:
                rel, size, sha = line.rsplit("\t", 2)
                source = entry / rel
                if (Path(rel).is_absolute() or ".." in Path(rel).parts
                        or source.stat().st_size != int(size) or _sha256(source) != sha):
                    log.debug("reuse entry %s: %s does not match its manifest", entry, rel)
                    return None
                files.append((source, base / rel))
            restored = []
            for source, target in files:
                _place(source, target)
                restored.append(target)
            return restored
        except (OSError, ValueError) as exc:
            log.debug("cannot reuse %s: %s", entry, exc)
            return None

    def save(self, name: str, key: str, base: Path, files: Iterable[Path]) -> None:
        """Record `files` (under `base`) as the entry for name + key, replacing older entries."""
        if self.root is None:
            return
        folder = self._folder(name)
        tmp = None
        try:
            folder.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=".new-", dir=folder))
            manifest = []
            for path in files:
                rel = path.relative_to(base)
                target = tmp / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                _link_or_copy(path, target)
                manifest.append(f"{rel}\t{target.stat().st_size}\t{_sha256(target)}")
            (tmp / MANIFEST).write_text("\n".join(manifest) + "\n", encoding="utf-8")
            entry = folder / key
            if entry.exists():
                shutil.rmtree(entry)
            os.replace(tmp, entry)
            tmp = None
            for old in folder.iterdir():
                if old.name != key:
                    shutil.rmtree(old, ignore_errors=True)
        except (OSError, ValueError) as exc:
            log.debug("cannot save reuse entry for %s: %s", name, exc)
        finally:
            if tmp is not None:
                shutil.rmtree(tmp, ignore_errors=True)


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # no hard links here (some network filesystems): a copy does the same job
        shutil.copyfile(source, target)


def _place(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(fd)
    try:
        os.unlink(tmp)
        _link_or_copy(source, Path(tmp))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    os.utime(target)  # now: Snakemake must not see it as older than the job's inputs
