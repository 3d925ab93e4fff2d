"""Per-user cache of start-up work that depends only on packaged files (issue 12).

Every workflow job is a new `kinres sample` process. Without this cache each one re-validated
every knowledge-table row against its JSON schema (~0.3 CPU-s) and compiled the report templates
(~0.2 CPU-s), although neither the tables nor the templates change between runs. Two things are
kept:

- stamps (`stamps/<kind>-<sha256>`): "this exact content passed validation". The key is a hash
  of the validated bytes (table and schema) and of the validator's version, so an edited row
  has a new key and is validated again, with the same file/line errors;
- Jinja2 template bytecode (`jinja-<hash>/`), keyed by Jinja2 on the template source checksum.

Location: $KINRES_CACHE_DIR, else $XDG_CACHE_HOME/kinres, else ~/.cache/kinres; one
sub-directory per kinres version. KINRES_CACHE_DIR=off (or none/0/false/no) disables it. The cache
can only save time: a folder that cannot be created or written, a world-writable folder (another
account could plant bytecode) or an unreadable entry turns it off, and a run never fails because
of it. Writes are atomic (temp file + rename), so concurrent jobs on a cluster may share it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import stat
import tempfile
from functools import cache
from pathlib import Path

log = logging.getLogger(__name__)

ENV = "KINRES_CACHE_DIR"
OFF_VALUES = frozenset({"off", "none", "no", "false", "0", "disable", "disabled"})


def _base() -> Path | None:
    raw = os.environ.get(ENV, "").strip()
    if raw.lower() in OFF_VALUES:
        return None
    if raw:
        return Path(raw).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    if xdg and os.path.isabs(xdg):  # the XDG spec says to ignore a relative value
        return Path(xdg) / "kinres"
    return Path.home() / ".cache" / "kinres"


@cache
def cache_dir() -> Path | None:
    """This kinres version's cache folder, created if needed; None when caching is off."""
    from kinres._build_info import version

    try:
        base = _base()
        if base is None:
            return None
        folder = base / re.sub(r"[^A-Za-z0-9._+-]", "_", version())
        folder.mkdir(parents=True, exist_ok=True)
        mode = folder.stat().st_mode
        if mode & stat.S_IWOTH or not os.access(folder, os.W_OK | os.X_OK):
            log.debug("cache %s is world-writable or not writable: caching off", folder)
            return None
        return folder
    except (OSError, RuntimeError) as exc:  # RuntimeError: no home directory
        log.debug("no kinres cache (%s): caching off", exc)
        return None


def digest(*parts: bytes | str) -> str:
    """sha256 over the parts, each length-prefixed so ('ab', 'c') != ('a', 'bc')."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def _stamp(kind: str, key: str) -> Path | None:
    folder = cache_dir()
    return None if folder is None else folder / "stamps" / f"{kind}-{key}"


def has_stamp(kind: str, key: str) -> bool:
    """True if content with this key was validated before (by any process sharing the cache)."""
    path = _stamp(kind, key)
    try:
        return path is not None and path.is_file()
    except OSError:
        return False


def write_stamp(kind: str, key: str) -> None:
    """Record that content with this key passed validation; failures are ignored."""
    path = _stamp(kind, key)
    if path is None:
        return
    tmp = None
    try:
        path.parent.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            os.write(fd, b"validated\n")
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError as exc:
        log.debug("cannot write cache stamp %s: %s", path, exc)
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass

def jinja_bytecode_cache(*options: object):
    """A Jinja2 bytecode cache in the cache folder, or None when caching is off.

    `options` are the Environment settings that change the generated code (trim_blocks, ...);
    they and the Jinja2 version name the sub-folder, because Jinja2's own key covers only the
    template name and source.
    """
    folder = cache_dir()
    if folder is None:
        return None
    import jinja2
    from jinja2 import FileSystemBytecodeCache

    class _SafeBytecodeCache(FileSystemBytecodeCache):
        """Jinja2's cache (atomic writes since 3.x), but an unreadable or unwritable entry only
        means compiling from source, never an error."""

        def load_bytecode(self, bucket) -> None:
            try:
                super().load_bytecode(bucket)
            except Exception as exc:  # a truncated/corrupt entry: compile from source
                log.debug("ignoring unreadable template cache entry: %s", exc)
                bucket.reset()

        def dump_bytecode(self, bucket) -> None:
            try:
                super().dump_bytecode(bucket)
            except OSError as exc:
                log.debug("cannot write template cache: %s", exc)

    sub = folder / f"jinja-{digest(jinja2.__version__, repr(options))[:16]}"
    try:
        sub.mkdir(exist_ok=True)
    except OSError as exc:
        log.debug("cannot create %s: %s", sub, exc)
        return None
    return _SafeBytecodeCache(str(sub))
