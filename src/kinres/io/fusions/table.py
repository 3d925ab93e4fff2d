"""Header-driven reading of the tab-separated fusion tables (Arriba, STAR-Fusion, ...)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kinres.errors import InputError
from kinres.io import opener
from kinres.models import Breakpoint, Fusion, SourceRef


@dataclass(frozen=True)
class FusionReadResult:
    """What a caller-specific reader returns: the calls kept plus counted warnings."""

    fusions: tuple[Fusion, ...]
    warnings: tuple[str, ...]
    format: str  # FusionFormat value, or "pcgr" for the PCGR table read by generic.py
    records: int  # data records seen in the file


@dataclass(frozen=True)
class Row:
    """One data line of a table: its 1-based line number and cells keyed by header name."""

    line: int
    cells: dict[str, str]
    raw: str

    def get(self, name: str, default: str = "") -> str:
        return self.cells.get(name, default)


class _Lines:
    """File-like line iterator over kinres.io.opener (gzip/bgzip, BOM, CRLF, non-UTF-8 refused
    with its line); lines keep a trailing '\\n' like a text file's."""

    def __init__(self, path: Path):
        self._it = opener.iter_lines(path, "fusion file")

    def __iter__(self):
        return (text + "\n" for _, text in self._it)

    def close(self) -> None:
        self._it.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_text(path: str | Path) -> _Lines:
    """Open plain or gzip/bgzip text (gzip magic decides, not the suffix)."""
    path = Path(path)
    opener.sniff(path, "fusion file")  # missing, folder, FIFO, unreadable: InputError now
    return _Lines(path)


def read_table(path: str | Path, required: tuple[str, ...], *, comment_prefix: str = "##",
               header_hash: bool = True) -> tuple[list[str], Iterator[Row]]:
    """Return (header, rows); the header is the first non-comment line (leading '#' stripped).

    Raises InputError for an empty file, a missing header or missing required columns; rows with
    the wrong number of cells raise InputError naming the line.
    """
    path = Path(path)
    fh = open_text(path)
    header: list[str] | None = None
    header_line = 0
    try:
        for n, raw in enumerate(fh, start=1):
            line = raw.rstrip("\r\n")
            if not line.strip() or (comment_prefix and line.startswith(comment_prefix)):
                continue
            if header_hash and line.startswith("#"):
                line = line[1:]
            header = [h.strip() for h in line.split("\t")]
            header_line = n
            break
    except BaseException:
        fh.close()
        raise
    if header is None:
        fh.close()
        raise InputError(path, "fusion file is empty (no header line)")
    missing = [c for c in required if c not in header]
    if missing:
        fh.close()
        raise InputError(path, "missing required column(s): " + ", ".join(missing),
                         line=header_line)

    def rows() -> Iterator[Row]:
        with fh:
            for n, raw in enumerate(fh, start=header_line + 1):
                line = raw.rstrip("\r\n")
                if not line.strip() or line.startswith("#"):
                    continue
                cells = line.split("\t")
                if len(cells) != len(header):
                    # trailing optional cells trimmed by spreadsheet round-trips are tolerated
                    lost = header[len(cells):]
                    if len(cells) > len(header) or any(h in required for h in lost):
                        raise InputError(path, f"{len(cells)} cells but the header has "
                                         f"{len(header)} columns", line=n, record=line[:80])
                    cells = cells + [""] * len(lost)
                yield Row(line=n, cells=dict(zip(header, cells)), raw=line)

    return header, rows()


def to_int(path: str | Path, row: Row, column: str, *, allow_missing: bool = False) -> int | None:
    """Integer cell or InputError naming file, line and column ('.'/'' allowed if asked)."""
    text = row.get(column).strip()
    if allow_missing and text in ("", ".", "NA", "NaN", "nan"):
        return None
    try:
        number = float(text)
        if not number.is_integer():
            raise ValueError(text)
        value = int(number)
    except (ValueError, OverflowError):
        raise InputError(path, f"column {column}: {text!r} is not an integer", line=row.line,
                         record=row.raw[:80]) from None
    if value > 10**9:  # more reads than a sequencing run yields: a corrupt cell
        raise InputError(path, f"column {column}: {text!r} is implausibly large",
                         line=row.line, record=row.raw[:80])
    if value < 0:
        raise InputError(path, f"column {column}: {value} must not be negative", line=row.line,
                         record=row.raw[:80])
    return value


def tag_list(text: str, sep: str = ",") -> tuple[str, ...]:
    """Split a caller's tag cell ('.' / '' = none)."""
    text = text.strip()
    if text in ("", ".", "NA"):
        return ()
    return tuple(t.strip() for t in text.split(sep) if t.strip())


def rna_caller_fusion(path: Path, row: Row, caller: str, five: str, three: str,
                      five_bp: Breakpoint | None, three_bp: Breakpoint | None,
                      in_frame: bool | None, split: int, spanning: int,
                      flags: Iterable[str]) -> Fusion:
    """An RNA fusion caller's call: frame as the caller reports it, support = split + spanning
    reads, flags de-duplicated in their order (Arriba, STAR-Fusion, FusionCatcher)."""
    return Fusion(
        five_prime_gene=five, three_prime_gene=three, caller=caller, molecule="rna",
        five_prime_breakpoint=five_bp, three_prime_breakpoint=three_bp, in_frame=in_frame,
        frame_source="caller" if in_frame is not None else None,
        supporting_reads=split + spanning, split_reads=split, spanning_reads=spanning,
        flags=tuple(dict.fromkeys(flags)), source=SourceRef(str(path), row.line))
