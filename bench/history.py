"""Benchmark: five years of training in the store; times `summary`, `history` and a full
CSV export through the real commands.

    python bench/history.py [--years 5] [--keep DB]

Builds 3 sessions a week, 4 sets of 12 reps each (load rising slowly), from real
protocol records stored through Store.add_records (the BLE client's path), then
prints the build time, the database size and the time of each command.
"""

import argparse
import contextlib
import io
import os
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from hipthrust.cli import main
from hipthrust.store import Store
from hipthrust_core import records as P

ADDRESS = "24:0A:C4:00:1A:2B"


def session_records(rng, sets=4, reps=12):
    """Records of one session: SET_START, REPs, SET_END per set; device ms from 5 s."""
    recs, seq, t = [], 0, 5000
    for n in range(1, sets + 1):
        recs.append(P.SetStart(seq, n, t))
        seq += 1
        t += 500
        for r in range(1, reps + 1):
            conc, hold, ecc = rng.randint(700, 1300), rng.randint(600, 2200), rng.randint(
                900, 2600)
            mean = max(150, 700 - 15 * r + rng.randint(-40, 40))
            recs.append(P.Rep(seq, r, P.RF_FULL, t, conc, hold, ecc, rng.randint(240, 320),
                              mean, mean * 18 // 100))
            seq += 1
            t += conc + hold + ecc + rng.randint(100, 600)
        t += 20000
        recs.append(P.SetEnd(seq, n, t, reps, reps, P.END_REST))
        seq += 1
        t += 120000
    return recs


def build(path, years):
    """Fill the database at path; returns (sessions, records)."""
    rng = random.Random(1)
    start = datetime(2021, 1, 4, 18, 0)
    n_sessions = n_records = 0
    with Store(path) as store:
        for week in range(52 * years):
            for day in (0, 2, 4):
                when = (start + timedelta(weeks=week, days=day)).timestamp()
                boot = week * 7 + day + 1
                sid = store.open_session("HipThrust-1A2B", ADDRESS, boot, now=when)
                recs = session_records(rng)
                store.add_records(sid, ADDRESS, boot, [
                    (r.seq, P.encode(r), when + r.t_ms / 1000.0) for r in recs])
                store.tag(sid, load_kg=60 + 2.5 * (week // 2),
                          variation="barbell")
                n_sessions += 1
                n_records += len(recs)
    return n_sessions, n_records


def live_rate(path, n_sessions=20):
    """Records/s through add_record one at a time, each committed (the live path)."""
    rng = random.Random(2)
    count = 0
    t = time.perf_counter()
    with Store(path) as store:
        for boot in range(n_sessions):
            sid = store.open_session("HipThrust-1A2B", ADDRESS, 10**6 + boot, now=0.0)
            for r in session_records(rng):
                store.add_record(sid, ADDRESS, 10**6 + boot, r.seq, P.encode(r), 1.0)
                count += 1
    return count / (time.perf_counter() - t)


def timed(argv):
    """Seconds to run `hipthrust ARGV` (output discarded); exits on failure."""
    out = io.StringIO()
    t = time.perf_counter()
    with contextlib.redirect_stdout(out):
        code = main(argv)
    took = time.perf_counter() - t
    if code != 0:
        sys.exit(f"hipthrust {' '.join(argv)} failed with status {code}")
    return took


def run(years, keep=None):
    """Build the store and print the figures."""
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(keep) if keep else Path(tmp) / "history.db"
        t = time.perf_counter()
        sessions, records = build(db, years)
        took = time.perf_counter() - t
        size = db.stat().st_size + (os.path.getsize(f"{db}-wal") if os.path.exists(f"{db}-wal")
                                    else 0)
        print(f"store: {years} years, {sessions} sessions, {records} records "
              f"({sessions * 48} reps) built in {took:.1f} s "
              f"({records / took:.0f} records/s), {size / 1e6:.1f} MB")
        rate = live_rate(Path(tmp) / "live.db")
        print(f"add_record one by one (commit each): {rate:.0f} records/s")
        for label, argv in (
            ("summary latest", ["summary", "latest", "--db", str(db)]),
            ("summary latest --json", ["summary", "latest", "--json", "--db", str(db)]),
            ("history (all weeks)", ["history", "--db", str(db)]),
            ("history --weeks 12", ["history", "--weeks", "12", "--db", str(db)]),
            ("export --all --csv", ["export", "--all", "--csv", str(Path(tmp) / "csv"),
                                    "--db", str(db)]),
        ):
            print(f"{label:<24} {timed(argv):7.2f} s")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--years", type=int, default=5)
    ap.add_argument("--keep", metavar="DB", help="write the database here and keep it")
    a = ap.parse_args()
    run(a.years, a.keep)
