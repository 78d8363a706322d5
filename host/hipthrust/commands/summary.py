"""`hipthrust summary [SESSION|latest] [--json]`: a session judged against the guidelines."""

import json

from hipthrust.store import open_store
from hipthrust.summary import format_session, session_summary


def register(subparsers, common):
    """Add the `summary` command."""
    p = subparsers.add_parser(
        "summary", parents=[common.db, common.output],
        help="summarise a session against the guide's guidelines",
        description="Per set: reps, rep-range goal, tempo, hold, eccentric control, partial and "
                    "rushed reps, velocity loss; per session: sets vs 3-5.",
    )
    p.add_argument("session", nargs="?", default="latest",
                   help="session id from `hipthrust sessions`, or 'latest' (default)")
    p.set_defaults(func=run)


def run(args):
    """Print the summary (text or JSON); returns the exit status."""
    with open_store(args.db) as store:
        summary = session_summary(store, store.resolve_session(args.session))
        if args.json:
            print(json.dumps(dict(summary, db=str(store.path)), indent=2))
        else:
            print(format_session(summary))
    return 0
