"""`hipthrust analyze FILE.csv`: replay a raw recording through the shared detector."""

import json

from hipthrust.analyze import DEFAULT_SET_END_MS, analyze_file, format_table
from hipthrust.errors import UsageError


def register(subparsers, common):
    """Add the `analyze` command."""
    p = subparsers.add_parser(
        "analyze", parents=[common.output],
        help="find sets, reps and phases in a raw CSV recording",
        description="Replay a raw IMU recording (docs/raw-format.md) through the same rep "
        "detector the sensor runs and print its sets and reps (--json: machine-readable, "
        "times in seconds on the file's clock).",
    )
    p.add_argument("file", metavar="FILE.csv", help="raw CSV recording")
    p.add_argument("--set-end", type=float, default=DEFAULT_SET_END_MS / 1000.0, metavar="S",
                   help="rest (s) after the last rep that ends a set (default %(default)g)")
    p.set_defaults(func=run)


def run(args):
    """Analyze the file and print a table or JSON; returns the exit status."""
    if not 1.0 <= args.set_end <= 600.0:
        raise UsageError(f"--set-end must be 1-600 s, not {args.set_end:g}")
    result = analyze_file(args.file, set_end_ms=int(round(args.set_end * 1000)))
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(format_table(result))
    return 0
