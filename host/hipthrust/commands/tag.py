"""`hipthrust tag SESSION [--set N] --load 100kg --variation single-leg-left`."""

import re

from hipthrust import guidelines as G
from hipthrust.errors import UsageError
from hipthrust.store import open_store

LB_KG = 0.45359237  # kg per pound (exact, international pound)
_LOAD = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(kg|kgs|lb|lbs)\s*$", re.IGNORECASE)


def parse_load(text):
    """Load in kg from '100kg', '100 kg', '225lb' or '225 lbs'; raises UsageError."""
    m = _LOAD.match(text)
    if not m:
        raise UsageError(f"load {text!r} not understood; write it like 100kg or 225lb")
    value = float(m.group(1))
    kg = value * LB_KG if m.group(2).lower().startswith("lb") else value
    if not 0 <= kg <= 1000:
        raise UsageError(f"load {text!r} is out of range (0-1000 kg)")
    return round(kg, 2)


def register(subparsers, common):
    """Add the `tag` command."""
    p = subparsers.add_parser(
        "tag", parents=[common.db],
        help="record the load and variation of a session or set",
        description="Record the load (kg or lb) and the variation of a session, or of one set "
                    "with --set. Variations: " + ", ".join(G.VARIATIONS) + ".",
    )
    p.add_argument("session", help="session id from `hipthrust sessions`, or 'latest'")
    p.add_argument("--load", help="bar load, e.g. 100kg or 225lb")
    p.add_argument("--variation", help="one of: " + ", ".join(G.VARIATIONS))
    p.add_argument("--set", type=int, metavar="N", dest="set_number",
                   help="tag only set N of the session (as numbered by `hipthrust summary`)")
    p.set_defaults(func=run)


def run(args):
    """Validate everything, then write; returns the exit status."""
    if args.load is None and args.variation is None:
        raise UsageError("nothing to tag; give --load (e.g. 100kg) and/or --variation")
    load = parse_load(args.load) if args.load is not None else None
    variation = None
    if args.variation is not None:
        variation = args.variation.strip().lower()
        if variation not in G.VARIATIONS:
            raise UsageError(f"unknown variation {args.variation!r}; use one of: "
                             + ", ".join(G.VARIATIONS))
    with open_store(args.db) as store:
        sid = store.resolve_session(args.session)
        set_id = None
        what = f"session {sid}"
        if args.set_number is not None:
            done = [s for s in store.sets(sid)
                    if store.query("SELECT 1 FROM reps WHERE set_id = ? LIMIT 1", (s["id"],))]
            if not 1 <= args.set_number <= len(done):
                raise UsageError(f"session {sid} has no set {args.set_number}; it has "
                                 f"{len(done)} (see `hipthrust summary {sid}`)")
            set_id = done[args.set_number - 1]["id"]
            what += f" set {args.set_number}"
        store.tag(sid, load_kg=load, variation=variation, set_id=set_id)
        parts = ([f"load {load:g} kg"] if load is not None else []) + (
            [f"variation {variation}"] if variation else [])
        print(f"Tagged {what}: {', '.join(parts)} ({store.path})")
    return 0
