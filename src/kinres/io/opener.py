"""One robust opener for every text input (VCF, MAF, CNV tables, fusion tables, sheets, config).

Decides from the bytes, never from the name: plain text, gzip and bgzip (both read by
`gzip`, which handles bgzip's many members) and BCF (binary, reported so callers can hand it to
htslib or refuse it). Strips a UTF-8 byte-order mark and CR of CRLF line ends. Every odd case
(missing, directory, FIFO/device, unreadable, name too long, corrupt or truncated compression,
non-UTF-8 bytes) becomes an InputError naming the file, the line where known and the problem, so
no reader has to repeat these checks or lets an OSError/zlib.error/UnicodeDecodeError escape.
"""

from __future__ import annotations

import errno
import gzip
import os
import stat
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from kinres.errors import InputError

GZIP_MAGIC = b"\x1f\x8b"
BOM = b"\xef\xbb\xbf"
_BLOCK = 4 << 20
# what a failing decompressor may raise (gzip.BadGzipFile is an OSError)
DECOMPRESS_ERRORS = (OSError, EOFError, zlib.error)


@dataclass(frozen=True)
class Sniffed:
    """What the first bytes say: compression and whether the payload is BCF."""

    path: Path
    compression: str  # "none" | "gzip" | "bgzf"
    bcf: bool
    head: bytes  # first decompressed bytes (<= 64 KiB), BOM included when present

    @property
    def compressed(self) -> bool:
        return self.compression != "none"


def os_problem(exc: OSError) -> str:
    """A short reason for an OSError (no traceback text, no duplicated path)."""
    if exc.errno == errno.ENAMETOOLONG:
        return "file name too long for the file system"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied (file not readable by this user)"
    if exc.errno == errno.ENOSPC:
        return "no space left on device"
    if exc.errno == errno.EROFS:
        return "read-only file system"
    if exc.errno == errno.ENOTDIR:
        return "a parent of this path is not a folder"
    if exc.errno == errno.ELOOP:
        return "too many levels of symbolic links"
    return exc.strerror or str(exc)


def check_file(path: str | Path, what: str = "input file") -> Path:
    """`path` as a Path if it is an existing, readable regular file; else InputError.

    FIFOs and devices are refused: a reader would block forever or read a stream that cannot
    be read a second time (validate and the run both read each input).
    """
    path = Path(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputError(path, f"{what} not found") from None
    except OSError as exc:
        raise InputError(path, f"cannot access {what}: {os_problem(exc)}") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(path, f"{what} is a folder, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise InputError(path, f"{what} is not a regular file (a FIFO, socket or device "
                               "cannot be read reliably)")
    if not os.access(path, os.R_OK):
        raise InputError(path, f"cannot read {what}: permission denied (file not readable by "
                               "this user)")
    return path


def _raw_open(path: Path, what: str) -> BinaryIO:
    try:
        return open(path, "rb")
    except OSError as exc:
        raise InputError(path, f"cannot read {what}: {os_problem(exc)}") from None


def sniff(path: str | Path, what: str = "input file") -> Sniffed:
    """Check the file and classify its bytes (InputError if unreadable or a broken gzip)."""
    path = check_file(path, what)
    with _raw_open(path, what) as fh:
        magic = fh.read(18)
    if magic[:2] != GZIP_MAGIC:
        with _raw_open(path, what) as fh:
            head = fh.read(1 << 16)
        return Sniffed(path, "none", head.startswith(b"BCF\x02"), head)
    # bgzip = gzip with the BC extra field (FEXTRA flag, SI1='B', SI2='C')
    bgzf = len(magic) >= 14 and magic[3] & 4 and magic[12:14] == b"BC"
    try:
        with gzip.open(path, "rb") as gz:
            head = gz.read(1 << 16)
    except DECOMPRESS_ERRORS as exc:
        raise InputError(path, f"{what} is not a readable gzip/bgzip file ({exc})",
                         line=1) from None
    return Sniffed(path, "bgzf" if bgzf else "gzip", head.startswith(b"BCF\x02"), head)


def open_binary(path: str | Path, what: str = "input file") -> BinaryIO:
    """Decompressed bytes of `path` (gzip/bgzip transparently)."""
    s = sniff(path, what)
    if s.compressed:
        return gzip.open(s.path, "rb")  # type: ignore[return-value]
    return _raw_open(s.path, what)


def iter_blocks(path: str | Path, what: str = "input file", *,
                external: bool = False) -> Iterator[bytes]:
    """Decompressed bytes in ~4 MB blocks, each ending at a line end ('\\n' added at EOF).

    A corrupt/truncated compressed stream raises InputError after the last good line.
    `external` decompresses in a `bgzip -dc` child when bgzip is on PATH (libdeflate, about 4x
    Python's zlib, and on another core) - for the large-file copies where speed matters.
    """
    path = Path(path)
    if external and sniff(path, what).compressed:
        import shutil

        bgzip = shutil.which("bgzip")
        if bgzip:
            yield from _external_blocks(path, what, bgzip)
            return
    fh = open_binary(path, what)
    lines = 0  # complete lines handed out: the last good line when decompression fails
    with fh:
        try:
            for block in line_blocks(iter(lambda: fh.read(_BLOCK), b"")):
                lines += block.count(b"\n")
                yield block
        except DECOMPRESS_ERRORS as exc:
            raise InputError(path, f"compressed data truncated or corrupt after line "
                                   f"{lines} ({exc})", line=lines + 1) from None


def line_blocks(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Re-cut raw byte chunks into blocks that end at a line end ('\\n' added at EOF)."""
    carry = b""
    for chunk in chunks:
        block = carry + chunk
        cut = block.rfind(b"\n") + 1
        if cut == 0:
            carry = block
            continue
        carry = block[cut:]
        yield block[:cut]
    if carry:
        yield carry + b"\n"


def _external_blocks(path: Path, what: str, bgzip: str) -> Iterator[bytes]:
    import subprocess

    proc = subprocess.Popen([bgzip, "-dc", str(path)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    lines = 0  # complete lines handed out

    def chunks() -> Iterator[bytes]:
        while block := proc.stdout.read(_BLOCK):  # type: ignore[union-attr]
            yield block
        # checked before the unterminated last line is handed out: a truncated stream fails
        err = proc.stderr.read().decode(errors="replace").strip()  # type: ignore[union-attr]
        if proc.wait():
            raise InputError(path, f"compressed data truncated or corrupt after line {lines} "
                                   f"({err.splitlines()[-1] if err else 'bgzip -d failed'})",
                             line=lines + 1)

    try:
        for block in line_blocks(chunks()):
            lines += block.count(b"\n")
            yield block
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()  # type: ignore[union-attr]
        proc.stderr.close()  # type: ignore[union-attr]


def decode_line(path: Path, raw: bytes, line: int) -> str:
    """UTF-8 text of one line; InputError naming the line and the offending byte."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = raw[exc.start]
        raise InputError(path, f"not UTF-8 text: byte 0x{bad:02x} at column {exc.start + 1} "
                               "(save the file as UTF-8)", line=line) from None


def iter_lines(path: str | Path, what: str = "input file", *,
               allow_bcf: bool = False) -> Iterator[tuple[int, str]]:
    """(1-based line number, text without line end) for every line of a text input.

    BOM stripped, CRLF/CR-LF handled, gzip/bgzip decompressed, non-UTF-8 refused with its line.
    A BCF is refused (it is binary) unless `allow_bcf` - then the caller must not use this.
    """
    path = Path(path)
    s = sniff(path, what)
    if s.bcf and not allow_bcf:
        raise InputError(path, f"{what} is BCF (binary VCF); this input must be text: convert "
                               "with 'bcftools view -Ov'")
    if not s.compressed and b"\x00" in s.head[:8192]:
        raise InputError(path, f"{what} is binary, not text (NUL bytes near the start)", line=1)
    n = 0
    first = True
    for block in iter_blocks(path, what):
        if first:
            first = False
            block = block.removeprefix(BOM)
        parts = block.split(b"\n")
        parts.pop()  # blocks end with '\n'
        for raw in parts:
            n += 1
            if raw.endswith(b"\r"):
                raw = raw[:-1]
            yield n, decode_line(path, raw, n)


def read_lines(path: str | Path, what: str = "input file") -> list[str]:
    """All lines of a text input (see iter_lines); list index i is line i + 1."""
    return [text for _, text in iter_lines(path, what)]


def read_text(path: str | Path, what: str = "input file") -> str:
    """Whole text of a small input (config, sheet, knowledge table) with '\\n' line ends."""
    lines = read_lines(path, what)
    return "\n".join(lines) + ("\n" if lines else "")


@contextmanager
def htslib_readable(path: str | Path, what: str = "input file") -> Iterator[Path]:
    """`path`, or a temporary plain copy when htslib (pysam) cannot stream the file as it is:
    plain gzip (pysam.VariantFile calls tell(), which htslib refuses for non-BGZF gzip) or a
    UTF-8 byte-order mark (hides '##fileformat'). Line numbers are unchanged in the copy."""
    import tempfile

    s = sniff(path, what)
    if s.bcf or (s.compression != "gzip" and not s.head.startswith(BOM)):
        yield s.path
        return
    with tempfile.TemporaryDirectory(prefix="kinres-in-") as tmp:
        copy = Path(tmp) / "input.txt"
        with open(copy, "wb") as fh:
            fh.writelines(block.removeprefix(BOM) if i == 0 else block
                          for i, block in enumerate(iter_blocks(s.path, what)))
        yield copy
