"""MANIFEST of the knowledge tables: version, date, per-table sha256 and a whole-set sha256.

Every report prints version + set sha256, so a stale MANIFEST is an error at load time;
scripts/update_knowledge_manifest.py regenerates it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

from kinres.atomic import atomic_write_text
from kinres.checksum import sha256_file
from kinres.errors import KnowledgeError

MANIFEST_TSV = "MANIFEST.tsv"
MANIFEST_JSON = "MANIFEST.json"


@dataclass(frozen=True)
class TableDigest:
    table: str
    rows: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    version: str
    date: str
    tables: tuple[TableDigest, ...]
    sha256: str  # of the whole set


def table_files(directory: Path) -> list[Path]:
    """The knowledge tables (every *.tsv except the MANIFEST itself), sorted by name."""
    return sorted(p for p in Path(directory).glob("*.tsv") if p.name != MANIFEST_TSV)


def _count_rows(path: Path) -> int:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise KnowledgeError(f"{path}, line {line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); "
                             "save the table as UTF-8") from None
    return max(sum(1 for _ in csv.reader(io.StringIO(text, newline=""), delimiter="\t")) - 1, 0)


def set_sha256(digests: tuple[TableDigest, ...]) -> str:
    """sha256 over 'name<TAB>sha256' lines sorted by name: changes when any table changes."""
    text = "".join(f"{d.table}\t{d.sha256}\n" for d in sorted(digests, key=lambda d: d.table))
    return hashlib.sha256(text.encode()).hexdigest()


def compute(directory: Path, version: str, date: str) -> Manifest:
    """Digest the tables currently in `directory`."""
    digests = tuple(TableDigest(p.name, _count_rows(p), sha256_file(p)) for p in table_files(directory))
    return Manifest(version=version, date=date, tables=digests, sha256=set_sha256(digests))


def read(directory: Path) -> Manifest:
    path = Path(directory) / MANIFEST_JSON
    if not path.is_file():
        raise KnowledgeError(f"{path}: MANIFEST missing; run scripts/update_knowledge_manifest.py")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        tables = tuple(TableDigest(t["table"], int(t["rows"]), t["sha256"]) for t in data["tables"])
        return Manifest(version=str(data["version"]), date=str(data["date"]), tables=tables,
                        sha256=str(data["sha256"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise KnowledgeError(f"{path}: malformed MANIFEST ({exc})") from None


def write(directory: Path, manifest: Manifest) -> None:
    """Write MANIFEST.json and the human-readable MANIFEST.tsv atomically."""
    directory = Path(directory)
    data = {"version": manifest.version, "date": manifest.date, "sha256": manifest.sha256,
            "tables": [{"table": t.table, "rows": t.rows, "sha256": t.sha256} for t in manifest.tables]}
    atomic_write_text(directory / MANIFEST_JSON, json.dumps(data, indent=2, sort_keys=True) + "\n")
    lines = [f"# kinres knowledge version {manifest.version} ({manifest.date}); set sha256 {manifest.sha256}",
             "table\trows\tsha256"]
    lines += [f"{t.table}\t{t.rows}\t{t.sha256}" for t in manifest.tables]
    atomic_write_text(directory / MANIFEST_TSV, "\n".join(lines) + "\n")


def verify(directory: Path) -> Manifest:
    """Return the MANIFEST if it matches the tables on disk, else raise KnowledgeError naming them."""
    recorded = read(directory)
    actual = compute(directory, recorded.version, recorded.date)
    rec = {t.table: t for t in recorded.tables}
    act = {t.table: t for t in actual.tables}
    problems = [f"{name}: not in MANIFEST" for name in sorted(set(act) - set(rec))]
    problems += [f"{name}: listed in MANIFEST but missing" for name in sorted(set(rec) - set(act))]
    problems += [f"{name}: sha256 differs from MANIFEST" for name in sorted(set(rec) & set(act))
                 if rec[name].sha256 != act[name].sha256]
    if not problems and recorded.sha256 != actual.sha256:
        problems.append("set sha256 differs from MANIFEST")
    if problems:
        raise KnowledgeError(f"{Path(directory) / MANIFEST_JSON}: stale MANIFEST ({'; '.join(problems)}); "
                             "run scripts/update_knowledge_manifest.py")
    return recorded
