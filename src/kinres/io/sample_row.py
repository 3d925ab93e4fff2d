"""One sample-sheet row as its own JSON file: results/.kinres/samples/<sample_id>.json.

The Snakefile validates the whole sheet once and writes one file per sample, rewriting it only
when that row's content changed. Jobs read their own row file instead of re-reading and
re-validating the sheet (which made every job's cost grow with the batch), and Snakemake reruns
exactly the samples whose row changed (every job used to take the sheet itself as input).
The sheet line number is left out: inserting a row above must not rerun the samples below. The
sheet's warnings about the row (e.g. an unknown drug name) travel with it: they belong in the
report's qc.warnings.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from kinres.atomic import atomic_write_text
from kinres.errors import InputError
from kinres.models import Sample, SourceRef
from kinres.serialize import from_jsonable, to_jsonable

ROW_DIR = Path(".kinres") / "samples"


@dataclass(frozen=True)
class SampleRow:
    sample: Sample
    sheet_warnings: tuple[str, ...] = ()


def row_path(results: str | Path, sample_id: str) -> Path:
    return Path(results) / ROW_DIR / f"{sample_id}.json"


def row_warnings(sample: Sample, warnings) -> tuple[str, ...]:
    """The sheet warnings about this sample's line."""
    line_tag = f", line {sample.source.line}:" if sample.source and sample.source.line else None
    return tuple(w for w in warnings if line_tag and line_tag in w)


_LINE_TAG = re.compile(r", line (\d+):")


def warnings_by_line(warnings) -> dict[int, tuple[str, ...]]:
    """Sheet line -> the warnings about it, as row_warnings picks them, built in one pass
    (calling row_warnings for every row costs rows x warnings)."""
    by_line: dict[int, list[str]] = {}
    for w in warnings:
        for line in dict.fromkeys(int(m.group(1)) for m in _LINE_TAG.finditer(w)):
            by_line.setdefault(line, []).append(w)
    return {line: tuple(ws) for line, ws in by_line.items()}


def input_signature(paths) -> list[dict]:
    """Size and modification time (whole seconds: the same on every NFS client) of each input
    file, for the row file. A replaced input file changes its sample's row file, and the row file
    is the job's declared input, so the patient reruns: the data files themselves are not
    declared, because Snakemake's scheduler stats every declared input of every ready job in
    each scheduling round (~once a second), which grows with the batch squared."""
    signature = []
    for path in paths:
        try:
            st = os.stat(path)
            signature.append({"path": str(path), "size": st.st_size, "mtime": int(st.st_mtime)})
        except OSError:
            signature.append({"path": str(path), "missing": True})
    return signature


def row_text(sample: Sample, sheet_warnings=(), inputs=None) -> str:
    source = SourceRef(sample.source.path, None) if sample.source else None
    data = {"sample": to_jsonable(dataclasses.replace(sample, source=source)),
            "sheet_warnings": list(sheet_warnings)}
    if inputs is not None:
        data["inputs"] = list(inputs)
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_row(sample: Sample, path: str | Path, sheet_warnings=(), inputs=None) -> bool:
    """Write the row file unless it already holds this content; True when written.

    `inputs` (from input_signature) ties the row file to its input files' sizes and times."""
    path = Path(path)
    text = row_text(sample, sheet_warnings, inputs)
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    atomic_write_text(path, text)
    return True


def read_row(path: str | Path) -> SampleRow:
    """The sample (and its sheet warnings) of a row file written by write_row."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return SampleRow(from_jsonable(Sample, data["sample"]),
                         tuple(str(w) for w in data.get("sheet_warnings") or ()))
    except FileNotFoundError:
        raise InputError(path, "sample row file not found (written by the Snakefile from the "
                               "sample sheet)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, TypeError, ValueError,
            KeyError) as exc:
        raise InputError(path, f"not a kinres sample row file: {exc}") from None
