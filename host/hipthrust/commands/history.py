"""`hipthrust history [--weeks N]`: ISO weeks, frequency, overload, left/right balance."""

import json

from hipthrust.errors import UsageError
from hipthrust.history import format_history, history
from hipthrust.store import open_store


def register(subparsers, common):
    """Add the `history` command."""
    p = subparsers.add_parser(
        "history", parents=[common.db, common.output],
        help="training over time: sessions per week, progressive overload, left/right",
        description="Week by week (ISO weeks): sessions vs the guide's 1-3 a week, sets, reps, "
                    "volume, progressive overload and single-leg left/right balance.",
    )
    p.add_argument("--weeks", type=int, metavar="N", help="only the last N weeks")
    p.set_defaults(func=run)


def run(args):
    """Print the history (text or JSON); returns the exit status."""
    if args.weeks is not None and args.weeks < 1:
        raise UsageError(f"--weeks must be 1 or more, not {args.weeks}")
    with open_store(args.db) as store:
        h = history(store, weeks=args.weeks)
        if args.json:
            print(json.dumps(dict(h, db=str(store.path)), indent=2))
        else:
            print(format_history(h))
    return 0
