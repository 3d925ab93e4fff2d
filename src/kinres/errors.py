"""One exception hierarchy. Only cli.py turns these into messages and exit codes."""

from __future__ import annotations

from pathlib import Path


class KinresError(Exception):
    """Root of every error kinres raises on purpose."""

    exit_code = 1

    def message(self) -> str:
        return str(self)


class InputError(KinresError):
    """Bad user input: names the file, the line/record (when known) and the problem."""

    exit_code = 2

    def __init__(self, path: str | Path | None, problem: str, line: int | None = None,
                 record: str | None = None):
        self.path = str(path) if path is not None else None
        self.line = line
        self.record = record
        self.problem = problem
        super().__init__(self.message())

    def message(self) -> str:
        where = self.path or "<input>"
        if self.line is not None:
            where += f", line {self.line}"
        if self.record:
            where += f" ({self.record})"
        return f"{where}: {self.problem}"


class ConfigError(InputError):
    """Invalid configuration or sample sheet setting."""


class OutputError(KinresError):
    """An output could not be written (full disk, read-only or missing results folder, ...)."""

    exit_code = 5

    def __init__(self, path: str | Path | None, problem: str):
        self.path = str(path) if path is not None else None
        self.problem = problem
        super().__init__(self.message())

    def message(self) -> str:
        return f"{self.path or '<output>'}: {self.problem}"


class KnowledgeError(KinresError):
    """The knowledge tables are inconsistent or fail their schema."""

    exit_code = 3


class AnnotationError(KinresError):
    """A variant could not be annotated for a reason that is not the user's input."""

    exit_code = 4
