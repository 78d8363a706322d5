"""`hipthrust sessions`: list the stored sessions."""

import json

from hipthrust.store import open_store
from hipthrust.summary import iso
from hipthrust_core import protocol as P


def register(subparsers, common):
    """Add the `sessions` command."""
    p = subparsers.add_parser(
        "sessions", parents=[common.db, common.output],
        help="list stored sessions",
        description="List the stored sessions (id, start, sensor, sets, reps, load, variation).",
    )
    p.set_defaults(func=run)


def run(args):
    """Print one line per session, newest last; returns the exit status."""
    with open_store(args.db) as store:
        rows = store.query(
            "SELECT s.id, s.device, s.address, s.started_at, s.load_kg, s.variation,"
            " (SELECT COUNT(*) FROM sets WHERE session_id = s.id"
            "  AND EXISTS (SELECT 1 FROM reps WHERE set_id = sets.id)) AS sets,"
            # Failed attempts are not reps, as in `summary` and `history`.
            " (SELECT COUNT(*) FROM reps WHERE session_id = s.id AND (flags & ?) = 0) AS reps"
            " FROM sessions s ORDER BY s.started_at, s.id", (P.RF_FAILED,))
        items = [dict(r, started_at=iso(r["started_at"])) for r in rows]
        if args.json:
            print(json.dumps({"db": str(store.path), "sessions": items}, indent=2))
            return 0
        print(f"Database: {store.path}")
        if not items:
            print("No sessions yet: record one with `hipthrust demo` or `hipthrust live`.")
            return 0
        print(f"{'id':>5}  {'started':<25} {'sensor':<16} {'sets':>4} {'reps':>5}  load")
        for r in items:
            load = " ".join(x for x in (f"{r['load_kg']:g} kg" if r["load_kg"] else "",
                                        r["variation"] or "") if x)
            print(f"{r['id']:>5}  {r['started_at']:<25} {r['device']:<16} {r['sets']:>4} "
                  f"{r['reps']:>5}  {load}")
    return 0
