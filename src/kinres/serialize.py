"""Dataclass <-> JSON-ready values, driven by type hints (no dicts-of-dicts between modules)."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import enum
import json
import types
import typing
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from kinres.atomic import atomic_write_text

T = TypeVar("T")


def to_jsonable(obj: Any) -> Any:
    """Convert dataclasses/enums/paths/dates/tuples recursively into JSON types."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, (_dt.date, _dt.datetime)):
        return obj.isoformat()
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(x) for x in obj]
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, float) and obj != obj:  # NaN is not JSON
        return None
    return obj


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _convert(tp: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        non_none = [a for a in args if a is not type(None)]
        if len(non_none) == 1:
            return _convert(non_none[0], value)
        for cand in non_none:  # first that converts cleanly
            try:
                return _convert(cand, value)
            except (TypeError, ValueError):
                continue
        return value
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(args[0], v) for v in value)
        return tuple(_convert(a, v) for a, v in zip(args, value))
    if origin is list:
        return [_convert(args[0], v) for v in value]
    if origin is dict:
        return {k: _convert(args[1], v) for k, v in value.items()}
    if isinstance(tp, type):
        if dataclasses.is_dataclass(tp):
            return from_jsonable(tp, value)
        if issubclass(tp, enum.Enum):
            return tp(value)
        if tp is Path:
            return Path(value)
        if tp is _dt.date:
            return _dt.date.fromisoformat(value)
        if tp is float and isinstance(value, int):
            return float(value)
    return value


def from_jsonable(cls: type[T], data: dict[str, Any]) -> T:
    """Rebuild a dataclass instance from to_jsonable() output (unknown keys are an error)."""
    hints = _hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = set(data) - names
    if unknown:
        raise ValueError(f"{cls.__name__}: unknown field(s) {sorted(unknown)}")
    return cls(**{k: _convert(hints[k], v) for k, v in data.items()})


def dumps(obj: Any) -> str:
    """Deterministic JSON text (sorted keys, fixed indent, trailing newline)."""
    return json.dumps(to_jsonable(obj), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_json(path: str | Path, obj: Any) -> None:
    atomic_write_text(path, dumps(obj))


def read_json(path: str | Path, cls: type[T] | None = None) -> Any:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return from_jsonable(cls, data) if cls is not None else data
