"""`hipthrust demo [--speed X] [--sets K] [--seed N] [--db PATH]`: a session, no sensor."""

import asyncio
import sys
from pathlib import Path

from hipthrust.commands.live import print_summary
from hipthrust.errors import UsageError
from hipthrust.store import default_db_path, open_store

INTRO = """\
hipthrust demo: a whole hip thrust session with no sensor attached.
  Simulated: a lifter doing {sets} set(s) (workout seed {seed}), the IMU on the barbell pad,
             and the Bluetooth radio (a private D-Bus with a fake BlueZ).
  Real:      the sensor firmware (firmware/, unchanged, in the MicroPython unix port),
             its rep detector, the bleak BLE client, the live view and the database.
  Running at {speed:g}x real time; Ctrl-C ends early (what was received is kept).
"""


def register(subparsers, common):
    """Add the `demo` command."""
    p = subparsers.add_parser(
        "demo", parents=[common.db],
        help="record a simulated session end to end (no sensor needed)",
        description="Simulates a lifter, runs the real firmware in the MicroPython unix port "
                    "behind a simulated radio, and records it with the same code as "
                    "`hipthrust live`. Needs Linux and dbus-daemon.",
    )
    p.add_argument("--speed", type=float, default=10.0, metavar="X",
                   help="times faster than real time (default 10)")
    p.add_argument("--sets", type=int, default=3, metavar="K", help="sets to simulate (1-6)")
    p.add_argument("--seed", type=int, default=1, metavar="N",
                   help="workout seed: the same seed gives the same session")
    p.set_defaults(func=run)


def run(args):
    """Run the demo and print its summary; returns the exit status."""
    if not 0.5 <= args.speed <= 30:
        raise UsageError(f"--speed {args.speed:g} is out of range; give 0.5-30")
    if not 1 <= args.sets <= 6:
        raise UsageError(f"--sets {args.sets} is out of range; give 1-6")
    if args.seed < 0:
        raise UsageError(f"--seed {args.seed} is negative; give 0 or more")
    # numpy and the simulator: only when needed
    from hipthrust.demo_runner import run_demo, truth_lines

    print(INTRO.format(sets=args.sets, seed=args.seed, speed=args.speed), flush=True)
    path = Path(args.db) if args.db else default_db_path()
    print(f"Database: {path}", flush=True)
    print("Starting the simulated sensor (compiling the firmware)...", flush=True)
    truth = []
    result, _sim = asyncio.run(run_demo(path, speed=args.speed, sets=args.sets, seed=args.seed,
                                        out=sys.stdout, on_truth=truth.append))
    with open_store(path) as store:
        print_summary(store, result)
    print("\nWhat the simulated lifter really did (the simulator's ground truth):")
    print("\n".join(truth_lines(truth[0])))
    return 0
