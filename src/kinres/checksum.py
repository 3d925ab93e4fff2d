"""File checksums recorded in provenance."""

from __future__ import annotations

import hashlib
from pathlib import Path

from kinres.models import InputFile


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def input_file(path: str | Path) -> InputFile:
    return InputFile(path=str(path), sha256=sha256_file(path))
