"""Load and validate config/config.yaml against workflow/schemas/config.schema.json.

The top-level schema $refs one fragment per section (workflow/schemas/config/<section>.schema.json),
each owned by the module that reads it; all use additionalProperties: false so typos fail.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from kinres.errors import ConfigError
from kinres.paths import SCHEMAS


@cache
def _registry(schema_dir: Path) -> Registry:
    resources = []
    for path in sorted(schema_dir.rglob("*.json")):
        doc = json.loads(path.read_text())
        rel = path.relative_to(schema_dir).as_posix()
        resources.append((rel, Resource.from_contents(doc, default_specification=DRAFT202012)))
    return Registry().with_resources(resources)


def schema_validator(name: str, schema_dir: Path = SCHEMAS) -> Draft202012Validator:
    """Validator for workflow/schemas/<name> with $refs resolved against that folder."""
    path = schema_dir / name
    schema = json.loads(path.read_text())
    schema.setdefault("$id", name)
    return Draft202012Validator(schema, registry=_registry(schema_dir))


def validate_mapping(data: Any, schema_name: str, path: str | Path, line_of=None) -> None:
    """Raise ConfigError naming the first (by path) schema violation in `data`."""
    errors = sorted(schema_validator(schema_name).iter_errors(data),
                    key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        err = errors[0]
        loc = "/".join(str(p) for p in err.absolute_path) or "(top level)"
        line = line_of(err) if line_of else None
        more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
        raise ConfigError(path, f"{loc}: {err.message}{more}", line=line)


@dataclass(frozen=True)
class Config:
    path: Path
    data: Mapping[str, Any]

    def section(self, name: str) -> Mapping[str, Any]:
        return self.data.get(name) or {}

    def resolve(self, value: str | None) -> Path | None:
        """Paths in the config are relative to the working directory Snakemake runs in."""
        return None if value in (None, "") else Path(value)


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping: plain YAML lets the last one
    win silently (e.g. a second `results:` redirecting every output)."""

    def construct_mapping(self, node, deep=False):
        seen: dict[object, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + 1
            try:
                first = seen.get(key)
            except TypeError:  # unhashable key: the base loader reports it
                continue
            if first is not None:
                raise _DuplicateKey(key, first, line)
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


class _DuplicateKey(Exception):
    def __init__(self, key, first: int, line: int):
        super().__init__(key)
        self.key, self.first, self.line = key, first, line


def load_yaml(path: Path, text: str) -> Any:
    """YAML with duplicate keys refused (ConfigError naming both lines)."""
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)
    except _DuplicateKey as dup:
        raise ConfigError(path, f"key {dup.key!r} is given twice (first on line {dup.first}); "
                                "remove one", line=dup.line) from None


def load_config(path: str | Path) -> Config:
    from kinres.io.opener import read_text

    path = Path(path)
    try:
        found = path.is_file()
    except OSError:  # e.g. a file name too long for the file system
        found = False
    if not found:
        raise ConfigError(path, "config file not found (or not a readable file)")
    try:
        data = load_yaml(path, read_text(path, "config file")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError(path, f"not valid YAML: {getattr(exc, 'problem', exc)}",
                          line=mark.line + 1 if mark else None) from None
    if not isinstance(data, dict):
        raise ConfigError(path, "top level must be a mapping of settings")
    validate_mapping(data, "config.schema.json", path)
    return Config(path=path, data=data)


S = TypeVar("S")


def section_values(cls: type[S], mapping: Mapping[str, Any] | None, section: str) -> S:
    """Build a section's frozen Settings dataclass from its config mapping.

    Missing keys take the dataclass defaults; YAML lists become tuples (settings are frozen);
    an unknown key is a ConfigError even though the schema already rejects it, because the
    Python API can be called without the schema.
    """
    mapping = dict(mapping or {})
    names = {f.name for f in fields(cls)}
    unknown = set(mapping) - names
    if unknown:
        raise ConfigError(None, f"{section}: unknown setting(s) {sorted(unknown)}")
    return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in mapping.items()})
