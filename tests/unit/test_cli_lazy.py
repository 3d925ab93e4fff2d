"""The CLI imports only the chosen command (every workflow job pays the CLI's start-up)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kinres import cli

HEAVY = ("kinres.commands.", "jinja2", "jsonschema", "pysam", "cyvcf2", "weasyprint")


def _imported_after(code: str) -> set[str]:
    proc = subprocess.run([sys.executable, "-c", code + "\nimport sys\nprint('\\n'.join(sys.modules))"],
                          capture_output=True, text=True, timeout=60)
    return set(proc.stdout.split())


def test_help_imports_no_command_module():
    code = ("import contextlib, io\nfrom kinres import cli\n"
            "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
            "    cli.main(['--help'])")
    mods = _imported_after(code)
    assert "kinres.cli" in mods
    assert not [m for m in mods if m.startswith(HEAVY)], sorted(m for m in mods if m.startswith(HEAVY))


def test_chosen_command_imports_only_itself():
    code = ("import contextlib, io\nfrom kinres import cli\n"
            "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
            "    cli.main(['batch', '--help'])")
    commands = {m for m in _imported_after(code) if m.startswith("kinres.commands.")}
    assert commands == {"kinres.commands.batch"}


def test_top_level_help_lists_every_command_with_its_help(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    out = capsys.readouterr().out
    for name in cli.command_names():
        assert name.replace("_", "-") in out
        assert cli.command_help(name), f"{name} has no HELP string"


def test_unknown_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["no-such-command"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_full_parser_still_buildable():
    parser = cli.build_parser()
    args = parser.parse_args(["-q", "batch", "--reports", "a.json", "--outdir", "o"])
    assert args.command == "batch" and args.quiet


def test_help_is_read_from_the_HELP_statement_only(tmp_path, monkeypatch):
    """Lookalike names (HELPER, HELP_URL) are not the help; a HELP over several lines is."""
    (tmp_path / "demo.py").write_text(
        'HELPER = "not this"\nHELP_URL = "nor this"\n'
        'HELP = ("first half, "\n        "second half")\nX = 1\n', encoding="utf-8")
    (tmp_path / "nohelp.py").write_text('HELPER = "not this"\n', encoding="utf-8")
    monkeypatch.setattr(cli.commands, "__path__", [str(tmp_path)])
    assert cli.command_help("demo") == "first half, second half"
    assert cli.command_help("nohelp") == ""
