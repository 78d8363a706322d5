"""Same raw file -> byte-identical detector records under MicroPython and CPython."""

from hipthrust.rawfile import read_raw_csv, to_ints, write_raw_csv
from hipthrust.sim import simulate_set
from hipthrust_core import records as P
from hipthrust_core.detector import Detector
from tests import mpy

SCRIPT = r"""
import sys
from hipthrust_core import records as P
from hipthrust_core.detector import Detector

det = Detector(set_end_ms=8000)
buf = bytearray(P.MAX_RECORD)
seq = 0
last = 0

def drain(i):
    global seq
    n = det.pack_next(buf, seq)
    while n:
        print(i, "".join("%02x" % b for b in buf[:n]))
        seq += 1
        n = det.pack_next(buf, seq)

i = 0
with open(sys.argv[1]) as f:
    for line in f:
        r = [int(x) for x in line.split()]
        last = r[0]
        if det.feed(r[0], r[1], r[2], r[3], r[4], r[5], r[6]):
            drain(i)
        i += 1
det.end(last)
drain(i)
"""


def cpython_records(ints):
    det = Detector(set_end_ms=8000)
    buf = bytearray(P.MAX_RECORD)
    out = []
    seq = 0
    for i, r in enumerate(ints):
        if det.feed(*r):
            n = det.pack_next(buf, seq)
            while n:
                out.append(f"{i} {bytes(buf[:n]).hex()}")
                seq += 1
                n = det.pack_next(buf, seq)
    det.end(ints[-1][0])
    n = det.pack_next(buf, seq)
    while n:
        out.append(f"{len(ints)} {bytes(buf[:n]).hex()}")
        seq += 1
        n = det.pack_next(buf, seq)
    return out


def test_micropython_and_cpython_give_identical_records(tmp_path):
    samples, truth = simulate_set(7, rate_hz=100.0)
    raw = tmp_path / "set.csv"
    write_raw_csv(raw, samples)
    ints = to_ints(read_raw_csv(raw)).tolist()
    ints_file = tmp_path / "set.ints"
    ints_file.write_text("\n".join(" ".join(str(v) for v in r) for r in ints) + "\n")
    script = tmp_path / "parity.py"
    script.write_text(SCRIPT)
    proc = mpy.run_micropython([str(script), str(ints_file)], heapsize="4M", timeout=300)
    assert proc.returncode == 0, proc.stderr
    mine = cpython_records(ints)
    theirs = proc.stdout.splitlines()
    kinds = {bytes.fromhex(line.split()[1])[2] for line in mine}
    assert P.T_REP in kinds and P.T_PHASE in kinds and P.T_SET_END in kinds
    assert theirs == mine
