"""Whole simulated sessions through the detector: sets counted against the ground truth.

    python bench/sessions.py [--sessions 100] [--first-seed 100] [--device 0]

bench/accuracy.py scores single sets. A session is what the lifter records: the pad
carried to the bar, the bar rolled onto the hips, three sets of the guide's categories
(strength, hypertrophy, endurance) with rests, fidgets and knocks between them, the bar
set down and the pad walked off with. What happens in one set carries into the next
(the gyro bias and gravity learnt, the set's end found or not), so some failures show
only here: a whole set not counted, a rep counted after the bar was set down.

Each session (`hipthrust simulate OUT.csv --seed N --sets 3`, 100 Hz) is replayed as
`hipthrust analyze` does; with --device K the first K also run on the simulated device
(`hipthrust device-sim`: the firmware in the MicroPython unix port, the IMU read
through its register model at the board's own rate; about 7 s each). A set is counted
exactly when the full reps found within it (concentric starts from 0.6 s before its
first rep to 0.6 s after its last rep's end) are as many as it has. Prints figures and
exits 0; it is not a test.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "host"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "firmware"))

from hipthrust.analyze import analyze_records, assemble  # noqa: E402
from hipthrust.rawfile import to_ints, write_raw_csv  # noqa: E402
from hipthrust.sim import simulate_session  # noqa: E402
from hipthrust_core import records as P  # noqa: E402

MATCH_S = 0.6  # s: a found rep belongs to a true set from this long before it to after it


class Tally:
    """Sets counted exactly, by category; sets with no rep counted; full reps counted
    outside every true set."""

    def __init__(self):
        self.sets = self.exact = self.missed = self.outside = 0
        self.by_cat = {}
        self.failed = []
        self.outside_at = []

    def add(self, seed, truth, starts_full):
        """starts_full: (concentric start s, full) of every rep found in the session."""
        inside = set()
        for k, ts in enumerate(truth["sets"]):
            t0 = ts["reps"][0]["concentric_start_s"] - MATCH_S
            t1 = ts["reps"][-1]["eccentric_end_s"] + MATCH_S
            mine = [i for i, (t, _) in enumerate(starts_full) if t0 <= t <= t1]
            inside.update(mine)
            got = sum(starts_full[i][1] for i in mine)
            want = sum(r["full"] for r in ts["reps"])
            cat = self.by_cat.setdefault(ts["category"], [0, 0])
            cat[0] += 1
            self.sets += 1
            if got == want:
                self.exact += 1
                cat[1] += 1
            else:
                self.failed.append(f"{seed}.{k + 1} ({got} of {want})")
            if want and not mine:
                self.missed += 1
        out = [t for i, (t, f) in enumerate(starts_full) if f and i not in inside]
        self.outside += len(out)
        self.outside_at += [f"{seed} at {t:.1f} s" for t in out]

    def report(self, label):
        """Print this path's figures."""
        pct = 100.0 * self.exact / max(self.sets, 1)
        print(f"  {label}: sets with the exact full-rep count "
              f"{self.exact}/{self.sets} = {pct:.1f}%   goal >= 99%")
        cats = ", ".join(f"{c} {v[1]}/{v[0]}" for c, v in sorted(self.by_cat.items()))
        print(f"    by category: {cats}")
        print(f"    sets with no rep counted at all: {self.missed}; full reps counted "
              f"outside every set: {self.outside}")
        if self.failed:
            print("    not exact (session.set: full reps found of true): "
                  + ", ".join(self.failed))
        if self.outside_at:
            print("    full reps outside every set (session at concentric start): "
                  + ", ".join(self.outside_at))


def analyzed(samples):
    """(concentric start s, full) of every rep `hipthrust analyze` finds in samples."""
    result = assemble(r for _, r in analyze_records(to_ints(samples)))
    return [(r["concentric_start_s"], r["full"]) for s in result["sets"] for r in s["reps"]]


def on_device(samples, workdir):
    """(concentric start s, full) of every rep the simulated device reports."""
    from hipthrust.devicesim.runner import DeviceSim

    path = Path(workdir) / "session.csv"
    write_raw_csv(path, samples)
    with DeviceSim(path, speed=0) as sim:
        sim.wait(timeout=900)
        events = sim.events()
    return [(e.t_ms / 1000.0, bool(e.flags & P.RF_FULL)) for e in events
            if isinstance(e, P.Rep)]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--first-seed", type=int, default=100)
    parser.add_argument("--device", type=int, default=0, metavar="K",
                        help="also run the first K sessions on the simulated device")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    host, device, device_host = Tally(), Tally(), Tally()
    with tempfile.TemporaryDirectory() as workdir:
        for k in range(args.sessions):
            seed = args.first_seed + k
            samples, truth = simulate_session(seed, sets=3)
            found = analyzed(samples)
            host.add(seed, truth, found)
            if k < args.device:
                device.add(seed, truth, on_device(samples, workdir))
                device_host.add(seed, truth, found)
    last = args.first_seed + args.sessions - 1
    print(f"{args.sessions} simulated sessions of 3 sets (seeds {args.first_seed}-{last}, "
          f"100 Hz), {time.perf_counter() - started:.0f} s")
    host.report("hipthrust analyze")
    if args.device:
        device.report(f"device (first {args.device} sessions)")
        device_host.report(f"hipthrust analyze, the same {args.device} sessions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
