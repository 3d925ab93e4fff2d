"""Atomic output: write to a temp file in the target directory, then rename.

An OSError while creating, writing or renaming the output (full disk, read-only or unwritable
results folder, a file where a folder should be) becomes kinres.errors.OutputError naming the
path, so the user sees which output failed instead of a traceback.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from kinres.errors import OutputError

# errors of the write side even when raised inside the block (input readers raise InputError)
_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS}


def _umask_mode() -> int:
    """Mode a normally created file would get: mkstemp's 0600 is wrong for shared results."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _problem(exc: OSError) -> str:
    from kinres.io.opener import os_problem

    return os_problem(exc)


def _mkstemp(path: Path, suffix: str) -> tuple[int, str]:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_dir():
            raise OutputError(path, "cannot write output: a folder of that name exists")
        return tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    except OSError as exc:
        raise OutputError(path, f"cannot create output: {_problem(exc)}") from None


def _finish(tmp: str, path: Path) -> None:
    try:
        os.chmod(tmp, _umask_mode())
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(path, f"cannot write output: {_problem(exc)}") from None


@contextlib.contextmanager
def _replace_on_success(tmp: str, path: Path) -> Iterator[None]:
    """Run the block; then move `tmp` over `path`, or remove `tmp` if anything failed.

    A write-side OSError (full disk, read-only) raised in the block becomes OutputError naming
    `path`; other exceptions (e.g. InputError of a reader feeding the output) pass unchanged.
    """
    try:
        try:
            yield
        except OSError as exc:
            if exc.errno in _WRITE_ERRNOS:
                raise OutputError(path, f"cannot write output: {_problem(exc)}") from None
            raise
        _finish(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def atomic_open(path: str | Path, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """Yield a handle to a temp file that replaces `path` only if the block succeeds."""
    path = Path(path)
    fd, tmp = _mkstemp(path, ".tmp")
    binary = "b" in mode
    # the handle is closed (flushed) before the rename, inside the write-error translation
    with _replace_on_success(tmp, path), \
            os.fdopen(fd, mode, encoding=None if binary else encoding) as handle:
        yield handle


def atomic_write_text(path: str | Path, text: str) -> None:
    with atomic_open(path, "w") as fh:
        fh.write(text)


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    with atomic_open(path, "wb") as fh:
        fh.write(data)


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temp path (for tools that write files themselves); renamed on success."""
    path = Path(path)
    fd, tmp = _mkstemp(path, ".tmp" + "".join(path.suffixes))
    os.close(fd)
    with _replace_on_success(tmp, path):
        yield Path(tmp)
