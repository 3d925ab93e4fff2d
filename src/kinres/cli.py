"""Command-line entry point: the only place exceptions become messages and exit codes.

Subcommands live in kinres.commands.<name>; each module defines HELP, add_arguments(parser)
and run(args) -> int. They are discovered, so adding a command touches no other file.

Only the chosen command's module is imported: the command modules pull in pysam, jinja2,
jsonschema and the report stack, and importing all of them cost every workflow job ~0.25 CPU-s
before doing any work. The one-line help of the other commands is read from their source
(`HELP = "..."`) without importing them.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from pathlib import Path

from kinres import commands
from kinres.errors import KinresError

log = logging.getLogger("kinres")
_TOP_OPTIONS_WITH_VALUE: frozenset[str] = frozenset()  # none today; keep the scan honest


class _VersionAction(argparse.Action):
    """--version computes the version only when asked (it may run git)."""

    def __call__(self, parser, namespace, values, option_string=None):
        from kinres._build_info import version

        parser.exit(message=f"kinres {version()}\n")


def command_names() -> list[str]:
    """Module names of the subcommands (kinres.commands.<name>), without importing them."""
    folder = Path(commands.__path__[0])
    return sorted(p.stem for p in folder.glob("*.py") if not p.name.startswith("_"))


def command_help(name: str) -> str:
    """The module's HELP string, read from its source so the module is not imported.

    Only the `HELP = ...` statement is parsed (parsing whole modules cost `kinres --help`
    ~20 ms); it may span a few lines of implicitly joined string literals. `ast` is imported
    here, not at module level: only help output needs it.
    """
    import ast

    path = Path(commands.__path__[0]) / f"{name}.py"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, ValueError):
        return ""
    for i, line in enumerate(lines):
        if not line.startswith("HELP"):
            continue
        node = _first_statement(lines[i:i + 8])
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id == "HELP"):
            try:
                return str(ast.literal_eval(node.value))
            except ValueError:
                return ""
    return ""


def _first_statement(lines: list[str]):
    """The statement that starts on lines[0] (the shortest prefix of lines that parses)."""
    import ast

    for end in range(1, len(lines) + 1):
        try:
            return ast.parse("\n".join(lines[:end])).body[0]
        except SyntaxError:
            continue
    return None


def _chosen(argv: list[str], names: list[str]) -> str | None:
    """The subcommand named on the command line (the first non-option word), if valid."""
    for i, word in enumerate(argv):
        if word == "--":
            return None
        if word.startswith("-"):
            continue
        if i and argv[i - 1] in _TOP_OPTIONS_WITH_VALUE:
            continue
        name = word.replace("-", "_")
        return name if name in names else None
    return None


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser; only the command chosen in `argv` gets its arguments (and its import).

    argv=None builds every command's arguments (imports all command modules; for tools and
    tests that want the complete parser).
    """
    names = command_names()
    chosen = _chosen(argv, names) if argv is not None else None
    import kinres

    parser = argparse.ArgumentParser(prog="kinres", description=kinres.__doc__.splitlines()[0])
    parser.add_argument("--version", action=_VersionAction, nargs=0,
                        help="show the version and exit")
    parser.add_argument("-q", "--quiet", action="store_true", help="only warnings and errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in names:
        if argv is None or name == chosen:
            module = importlib.import_module(f"kinres.commands.{name}")
            p = sub.add_parser(name.replace("_", "-"), help=module.HELP, description=module.HELP)
            module.add_arguments(p)
            p.set_defaults(_run=module.run)
        else:
            help_text = command_help(name)
            sub.add_parser(name.replace("_", "-"), help=help_text, description=help_text)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO,
                        format="kinres %(levelname)s: %(message)s", stream=sys.stderr)
    try:
        return int(args._run(args) or 0)
    except KinresError as exc:
        print(f"kinres error: {exc.message()}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("kinres: interrupted", file=sys.stderr)
        return 130
    except MemoryError:
        print("kinres error: out of memory", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
