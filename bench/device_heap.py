"""Device heap benchmark: how much MicroPython heap the firmware needs in the unix port.

    python bench/device_heap.py [--minutes M] [--seed S]

Prints two figures:
1. the heap each module and object of the simulated device takes once loaded
   (gc.mem_alloc() differences after gc.collect(), .mpy as `hipthrust flash` makes);
2. the smallest -X heapsize (in K) with which a simulated session of M minutes runs
   to its end through DeviceSim, found by bisection, and the free heap it reports.
The unix port is 64-bit: on a 32-bit board the same objects take roughly half to
two thirds of this; the fakes (machine, IMU models, bluetooth) are not on a board.
"""

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from hipthrust.devicesim.runner import FAKES, DeviceSim, compile_tree, micropython_bin
from hipthrust.rawfile import write_raw_csv
from hipthrust.sim.session import simulate_session

PROBE = """
import gc, micropython
gc.threshold(4096)  # as sim_main.py and main.py while loading
gc.collect()
last = gc.mem_alloc()
def m(label):
    global last
    gc.collect()
    now = gc.mem_alloc()
    print("{:7d}  {}".format(now - last, label))
    last = now
import asyncio
m("asyncio (frozen: its module objects only)")
import machine
m("fake machine")
import bluetooth
m("fake bluetooth")
import sim_board
m("sim_board (+ boards registry)")
board = sim_board.SimBoard(MOTION, 0)
m("SimBoard: board file, IMU driver, screen driver, IMU model, motion reader")
ble = bluetooth.BLE()
from hipthrust_core import protocol
m("hipthrust_core.protocol")
from hipthrust_core.detector import Detector
m("hipthrust_core.detector and the core modules it imports")
from hipthrust_fw import ring, settings
m("hipthrust_fw: ring, settings")
from hipthrust_fw import link
m("hipthrust_fw.link")
from hipthrust_fw.app import App
import main
m("hipthrust_fw.app, main")
det = Detector()
m("Detector()")
app = App(board, ble, clock=board.clock, detector=det, log=lambda *a: None)
m("App(): ring, link (GATT services), settings, IMU")
print("{:7d}  total".format(gc.mem_alloc()))
import sys
if "hipthrust_core.records" in sys.modules:
    print("    !!!  the device loaded hipthrust_core.records (host only)")
micropython.qstr_info()
"""


def runs(motion, heap_k):
    with DeviceSim(motion, speed=0, heapsize=f"{heap_k}K") as sim:
        code = sim.wait(timeout=600)
        return code == 0, sim.mem_free()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sets = 1
        while True:
            samples, _ = simulate_session(seed=args.seed, sets=sets, rest_s=(150.0, 200.0))
            if samples[-1, 0] >= args.minutes * 60:
                break
            sets += 1
        motion = Path(tmp, "session.csv")
        write_raw_csv(motion, samples)
        code = Path(tmp, "code")
        compile_tree(FAKES, code / "fakes", keep_source=("sim_main.py",))
        compile_tree(Path(FAKES).parents[3] / "firmware", code / "firmware")
        env = dict(os.environ, MICROPYPATH=os.pathsep.join(
            [str(code / "fakes"), str(code / "firmware"), ".frozen"]))
        probe = PROBE.replace("MOTION", repr(str(motion)))
        out = subprocess.run([micropython_bin(), "-X", "heapsize=1M", "-c", probe], env=env,
                             capture_output=True, text=True, cwd=tmp)
        print("1. heap taken (bytes, 64-bit unix port, after gc.collect()):")
        print("\n".join(x for x in out.stdout.splitlines()
                        if x[:7].strip().isdigit() or x.startswith(("qstr", "    !"))))
        print("   (every figure includes its share of the qstr pool: names and strings)")
        if out.returncode:
            print(out.stderr, file=sys.stderr)
        lo, hi = 64, 512  # K: fails at lo, runs at hi
        ok, free = runs(motion, hi)
        if not ok:
            print(f"2. the session does not run even with {hi}K")
            return 1
        while hi - lo > 2:
            mid = (lo + hi) // 2
            ok, got = runs(motion, mid)
            if ok:
                hi, free = mid, got
            else:
                lo = mid
        print(f"2. a {samples[-1, 0] / 60:.1f}-minute session runs with -X heapsize={hi}K "
              f"(fails at {lo}K); free heap then: min {min(free)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
