"""Command-line entry point: the only place exceptions become messages and exit codes.

Subcommands live in kinres.commands.<name>; each module defines HELP, add_arguments(parser)
and run(args) -> int. They are discovered, so adding a command touches no other file.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys

from kinres import __version__, commands
from kinres.errors import KinresError

log = logging.getLogger("kinres")


def _command_modules():
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            yield info.name, importlib.import_module(f"kinres.commands.{info.name}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kinres", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"kinres {__version__}")
    parser.add_argument("-q", "--quiet", action="store_true", help="only warnings and errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, module in _command_modules():
        p = sub.add_parser(name.replace("_", "-"), help=module.HELP, description=module.HELP)
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
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
