"""Detector speed: microseconds per sample under the MicroPython unix port and
CPython, and samples per second of `hipthrust analyze` (issue 3 item 6).

    python bench/speed.py [--seed 3]

A simulated session (100 Hz) is replayed through the detector. The MicroPython
figure times only the feed()/pack_next() loop over preloaded integer arrays (the
board's hot path; best of three runs), with the core's @micropython.native methods
as machine code (the goal's figure), then as bytecode (the m5stickc-plus2's build);
the analyze figure includes decoding the records and assembling the result, as the
CLI does (file reading excluded). Prints figures, exits 0.
"""

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "host"))
sys.path.insert(0, str(ROOT / "firmware"))
sys.path.insert(0, str(ROOT))

from hipthrust.analyze import analyze_samples  # noqa: E402
from hipthrust.rawfile import to_ints  # noqa: E402
from hipthrust.sim import simulate_session  # noqa: E402
from hipthrust_core import protocol as P  # noqa: E402
from hipthrust_core.detector import Detector  # noqa: E402
from tests import mpy  # noqa: E402

MP_SCRIPT = r"""
import sys, time
from array import array
from hipthrust_core import protocol as P
from hipthrust_core.detector import Detector
rows = array('i')
with open(sys.argv[1]) as f:
    for line in f:
        rows.extend(array('i', [int(x) for x in line.split()]))
n = len(rows) // 7
buf = bytearray(P.MAX_RECORD)

def loop(det, rows, n, buf):
    i = 0
    seq = 0
    while i < n:
        k = i * 7
        if det.feed(rows[k], rows[k + 1], rows[k + 2], rows[k + 3], rows[k + 4],
                    rows[k + 5], rows[k + 6]):
            while det.pack_next(buf, seq):
                seq += 1
        i += 1
    return seq

best = None
for _ in range(3):  # best of three: the least disturbed by the rest of the machine
    t0 = time.ticks_us()
    events = loop(Detector(), rows, n, buf)
    us = time.ticks_diff(time.ticks_us(), t0)
    if best is None or us < best:
        best = us
print(n, events, best)
"""


def cpython_loop(ints):
    det = Detector()
    buf = bytearray(P.MAX_RECORD)
    seq = 0
    feed = det.feed
    t0 = time.perf_counter()
    for r in ints:
        if feed(*r):
            while det.pack_next(buf, seq):
                seq += 1
    return time.perf_counter() - t0, seq


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--sets", type=int, default=3)
    args = parser.parse_args(argv)
    samples, _ = simulate_session(seed=args.seed, sets=args.sets, rate_hz=100.0)
    ints = to_ints(samples)
    rows = ints.tolist()
    n = len(rows)
    print(f"simulated session: {n} samples ({samples[-1, 0] - samples[0, 0]:.0f} s at 100 Hz)")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ints.txt"
        path.write_text("\n".join(" ".join(str(v) for v in r) for r in rows) + "\n")
        script = Path(tmp) / "speed.py"
        script.write_text(MP_SCRIPT)
        # As the unix port compiles the source (per-sample methods as machine code), and
        # as a board built as bytecode runs it (board file NATIVE = False).
        for label, where in (("MicroPython unix port:", None),
                             ("  ... as bytecode:    ", mpy.bytecode_path(tmp))):
            try:
                proc = mpy.run_micropython([str(script), str(path)], path=where,
                                           heapsize="8M", timeout=600)
                count, events, us = (int(x) for x in proc.stdout.split())
                goal = "   goal <= 20 us/sample" if where is None else ""
                print(f"  {label} {us / count:6.2f} us/sample ({events} events){goal}")
            except (RuntimeError, ValueError, subprocess.SubprocessError) as exc:
                print(f"  {label} not measured ({exc})")
    secs, events = cpython_loop(rows)
    print(f"  CPython detector:      {secs / n * 1e6:6.2f} us/sample ({events} events)")
    t0 = time.perf_counter()
    result = analyze_samples(ints)
    secs = time.perf_counter() - t0
    reps = sum(len(s["reps"]) for s in result["sets"])
    print(f"  analyze on CPython:    {n / secs:,.0f} samples/s ({reps} reps)"
          "   goal >= 200,000 samples/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
