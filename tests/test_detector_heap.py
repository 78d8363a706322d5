"""The detector's per-sample path allocates nothing: thousands of samples, with rep
events packed into records, run under micropython.heap_lock() in the unix port."""

import pytest

from tests import mpy

SCRIPT = r"""
import micropython
from array import array
import test_detector as TD
from hipthrust_core import protocol as P
from hipthrust_core.detector import Detector

# Precompute the samples (this allocates), then lock the heap for the hot path.
moves, end = TD.moves_for(8, 0.30, 0.7, 0.4, 0.9, 0.2)
rows = array('i')
for r in TD.samples(moves, end + 5.0, seed=41, rate=100.0):
    rows.extend(r)
n = len(rows) // 7
det = Detector(set_end_ms=3000)
buf = bytearray(P.MAX_RECORD)
kinds = bytearray(64)

def drive(det, rows, n, buf, kinds):
    got = 0
    seq = 0
    i = 0
    while i < n:
        k = i * 7
        if det.feed(rows[k], rows[k + 1], rows[k + 2], rows[k + 3], rows[k + 4],
                    rows[k + 5], rows[k + 6]):
            m = det.pack_next(buf, seq)
            while m:
                if got < 64:
                    kinds[got] = buf[2]
                got += 1
                seq += 1
                m = det.pack_next(buf, seq)
        i += 1
    det.end(rows[(n - 1) * 7])
    m = det.pack_next(buf, seq)
    while m:
        if got < 64:
            kinds[got] = buf[2]
        got += 1
        seq += 1
        m = det.pack_next(buf, seq)
    return got

# Warm up on a separate detector so every name and code path exists before locking.
drive(Detector(set_end_ms=3000), rows, n, buf, kinds)
micropython.heap_lock()
try:
    got = drive(det, rows, n, buf, kinds)
finally:
    micropython.heap_unlock()
print("SAMPLES", n)
print("EVENTS", got)
print("REPS", sum(1 for k in kinds[:got] if k == P.T_REP))
print("SETS", sum(1 for k in kinds[:got] if k == P.T_SET_END))
"""


@pytest.mark.parametrize("code", ["native", "bytecode"])
def test_feed_and_pack_allocate_nothing(code, tmp_path):
    # Both builds a board may run: the per-sample methods as machine code
    # (@micropython.native, as the unix port compiles the source) and as bytecode.
    script = tmp_path / "heap_lock_detector.py"
    script.write_text(SCRIPT)
    path = mpy.bytecode_path(tmp_path) if code == "bytecode" else None
    proc = mpy.run_micropython([str(script)], path=path, heapsize="2M", timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = dict(line.split() for line in proc.stdout.splitlines())
    assert int(lines["SAMPLES"]) > 2000
    assert int(lines["REPS"]) == 8
    assert int(lines["SETS"]) == 1
    assert int(lines["EVENTS"]) == 1 + 8 * 4 + 8 + 1
