"""`hipthrust simulate OUT.csv`: write a simulated session and its ground truth."""

import json
import os
from pathlib import Path

from hipthrust.errors import UsageError
from hipthrust.rawfile import write_raw_csv
from hipthrust.sim import simulate_session

MAX_SETS = 10
# --ideal: the true motion as a perfect, regularly sampled sensor would read it.
IDEAL = {"errors": False, "regular": True, "clock_error": False, "lowpass": False}


def register(subparsers, common):
    """Add the `simulate` command."""
    p = subparsers.add_parser(
        "simulate", parents=[common.output],
        help="write a simulated session (raw CSV + ground truth JSON)",
        description="Simulate a hip thrust session (bar on its arc, random sensor mounting, "
        "handling between sets, IMU errors) and write OUT.csv (docs/raw-format.md) and "
        "OUT.truth.json with every true phase boundary, range of motion and velocity.",
    )
    p.add_argument("out", metavar="OUT.csv", help="raw CSV file to write")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--sets", type=int, default=3, help=f"number of sets, 1-{MAX_SETS} (default 3)")
    p.add_argument("--rate", type=float, default=100.0, metavar="HZ",
                   help="nominal sample rate, 50-200 Hz (default 100)")
    p.add_argument("--ideal", action="store_true",
                   help="a perfect sensor: no IMU errors, regular timing, no clock error "
                   "(motion to feed an IMU model)")
    p.set_defaults(func=run)


def truth_path(out):
    """OUT.csv -> OUT.truth.json (any other name gets .truth.json appended)."""
    out = Path(out)
    stem = out.name[:-4] if out.name.lower().endswith(".csv") else out.name
    return out.with_name(stem + ".truth.json")


def run(args):
    """Simulate, write both files, print a one-line summary; returns the exit status."""
    if args.seed < 0:
        raise UsageError(f"--seed must be 0 or more, not {args.seed}")
    if not 1 <= args.sets <= MAX_SETS:
        raise UsageError(f"--sets must be 1-{MAX_SETS}, not {args.sets}")
    if not 50.0 <= args.rate <= 200.0:
        raise UsageError(f"--rate must be 50-200 Hz, not {args.rate:g}")
    out = Path(args.out)
    if out.is_dir():
        raise UsageError(f"{out} is a directory; give a file name such as {out / 'session.csv'}")
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"folder {folder} does not exist; create it or choose another path")
    truth_file = truth_path(out)
    options = IDEAL if args.ideal else {}
    samples, truth = simulate_session(seed=args.seed, sets=args.sets, rate_hz=args.rate,
                                      **options)
    # Write next to the targets, then rename: a failure leaves no half-written file.
    tmp_csv = out.with_name(out.name + ".tmp")
    tmp_json = truth_file.with_name(truth_file.name + ".tmp")
    try:
        write_raw_csv(tmp_csv, samples)
        tmp_json.write_text(json.dumps(truth, indent=1) + "\n")
        os.replace(tmp_csv, out)
        os.replace(tmp_json, truth_file)
    except OSError as exc:
        for tmp in (tmp_csv, tmp_json):
            tmp.unlink(missing_ok=True)
        raise UsageError(f"cannot write {out}: {exc.strerror or exc}") from None
    reps = [r for s in truth["sets"] for r in s["reps"]]
    full = sum(r["full"] for r in reps)
    seconds = samples[-1, 0] - samples[0, 0]
    summary = {
        "csv": str(out), "truth": str(truth_file), "sets": len(truth["sets"]),
        "reps": len(reps), "full_reps": full, "samples": len(samples),
        "duration_s": round(float(seconds), 3), "rate_hz": args.rate, "seed": args.seed,
    }
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"Simulated {summary['sets']} sets, {len(reps)} reps ({full} full), "
              f"{int(seconds // 60)}:{int(seconds % 60):02d} at {args.rate:g} Hz "
              f"(seed {args.seed}): {out}, {truth_file}")
    return 0
