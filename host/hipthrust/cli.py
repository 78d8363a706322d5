"""`hipthrust` command line: thin commands over the library.

Each command lives in hipthrust/commands/<name>.py and exposes
`register(subparsers, common)`; it sets `func(args) -> int` on its parser.
A user error prints one line `Error: ...` and exits with status 2.
"""

import argparse
import importlib
import os
import sys

from hipthrust.errors import HipthrustError, ProtocolError

# Command modules, in the order `hipthrust --help` lists them.
COMMANDS = [
    "demo",
    "scan",
    "live",
    "simulate",
    "analyze",
    "sessions",
    "summary",
    "history",
    "tag",
    "export",
    "report",
    "device_sim",
    "flash",
]

DB_ENV = "HIPTHRUST_DB"


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.exit(2, f"Error: {message} (see `{self.prog} --help`)\n")


class Common:
    """Shared option groups, declared once and added to commands as parents."""

    def __init__(self):
        self.db = argparse.ArgumentParser(add_help=False)
        self.db.add_argument(
            "--db",
            metavar="PATH",
            default=os.environ.get(DB_ENV),
            help=f"session database (default: the user data folder; env {DB_ENV})",
        )
        self.output = argparse.ArgumentParser(add_help=False)
        self.output.add_argument("--json", action="store_true", help="print JSON on stdout")


def _wanted(argv):
    """The command named in argv, if it is a known one: only its module is then imported
    (pandas and matplotlib cost a second to import; `--help` imports them all)."""
    for arg in argv:
        if not arg.startswith("-"):
            name = arg.replace("-", "_")
            return [name] if name in COMMANDS else COMMANDS
    return COMMANDS


def build_parser(argv=None):
    """The argparse parser with the commands registered (all, or only the one argv names)."""
    parser = _Parser(
        prog="hipthrust",
        description="Rep, phase and tempo counter for the barbell hip thrust.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    common = Common()
    for name in _wanted(sys.argv[1:] if argv is None else argv):
        try:
            module = importlib.import_module(f"hipthrust.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"hipthrust.commands.{name}":
                raise
            continue  # command not built yet
        module.register(sub, common)
    return parser


def main(argv=None):
    """Entry point of the `hipthrust` console command; returns the exit status."""
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return args.func(args) or 0
    except (HipthrustError, ProtocolError) as exc:
        if args.debug:
            raise
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
