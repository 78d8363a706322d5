"""`hipthrust export SESSION|--all --csv DIR [--raw]`: reps.csv and sets.csv with pandas."""

from hipthrust.errors import UsageError
from hipthrust.export import export_csv
from hipthrust.store import open_store


def register(subparsers, common):
    """Add the `export` command."""
    p = subparsers.add_parser(
        "export", parents=[common.db],
        help="export sessions as CSV (reps.csv, sets.csv, raw samples)",
        description="Write reps.csv and sets.csv (one row per rep / set, units in the column "
                    "names, ISO timestamps, session and set ids) into DIR; --raw adds "
                    "raw-session-ID.csv (the raw file format, for `hipthrust analyze`) for "
                    "each session whose raw samples were recorded (`hipthrust live --raw`).",
    )
    p.add_argument("session", nargs="?", help="session id, or 'latest'")
    p.add_argument("--all", action="store_true", help="export every session")
    p.add_argument("--csv", metavar="DIR", required=True, help="folder to write the CSV files in")
    p.add_argument("--raw", action="store_true",
                   help="also write raw-session-ID.csv (raw IMU samples)")
    p.set_defaults(func=run)


def run(args):
    """Export and print the written paths; returns the exit status."""
    if args.all == (args.session is not None):
        raise UsageError("give a SESSION id or --all (not both)")
    with open_store(args.db) as store:
        if args.all:
            store.latest_session()  # an empty database is an error, not empty files
            ids = None
        else:
            ids = [store.resolve_session(args.session)]
        paths = export_csv(store, args.csv, session_ids=ids, raw=args.raw)
        if args.raw and not any(p.name.startswith("raw-") for p in paths):
            print("No raw samples were recorded for this export (record with "
                  "`hipthrust live --raw`); no raw file written.")
        for p in paths:
            print(f"Wrote {p}")
    return 0
