"""Device heap benchmark: how much MicroPython heap the firmware needs in the unix port.

    python bench/device_heap.py [--minutes M] [--seed S] [--no-session]

Prints two figures:
1. the heap each module and object of the simulated device takes once loaded, in the
   order the device loads them (gc.mem_alloc() differences after gc.collect(), .mpy as
   `hipthrust flash` makes them for the default board, the m5stickc-plus2: bytecode
   throughout, in the heap like every other object): "heap" is everything, "qstr" the
   part of it that went to interned names and strings (MicroPython's qstr pools: each
   new name costs about 11 bytes of pool entry plus its text; a pool that fills
   allocates the next one at twice its size, hence the occasional big step);
2. the smallest -X heapsize (in K) with which a simulated session of M minutes runs
   to its end through DeviceSim, found by bisection, and the free heap it reports.
The unix port is 64-bit: on a 32-bit board the same objects take less, though not
half (loaded bytecode is the same size): MicroPython's 32-bit WebAssembly build loaded
the same .mpy files in about 0.74 of this heap (measured once by hand; no 32-bit unix
port can be built from a package registry). The fakes (machine, IMU models, bluetooth,
sim_board) are not on a board and are marked "fake".
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from hipthrust.devicesim.runner import (
    DEFAULT_BOARD,
    FAKES,
    DeviceSim,
    board_native,
    compile_tree,
    micropython_bin,
    write_motion_bin,
)
from hipthrust.rawfile import write_raw_csv
from hipthrust.sim.session import simulate_session

# Modules in the order the simulated device loads them (dependencies first, so each
# line is that module's own cost); "*" marks the fakes.
MODULES = [
    "asyncio", "micropython", "*bluetooth", "*machine", "hipthrust_fw.boards",
    "hipthrust_core.compat", "hipthrust_fw.boards.common", "hipthrust_fw.drivers.imu_base",
    "hipthrust_fw.drivers.mpu6886", "hipthrust_fw.drivers.st7789",
    "hipthrust_fw.boards.m5stickc_plus2", "*imu_model_base", "*mpu6886_model", "*sim_board",
    "hipthrust_core.protocol", "hipthrust_core.events", "hipthrust_core.ring",
    "hipthrust_core.velocity", "hipthrust_core.vertical", "hipthrust_core.detector",
    "hipthrust_fw.ring", "hipthrust_fw.settings", "hipthrust_fw.link", "hipthrust_fw.app",
    "main",
]

PROBE = """
import gc, micropython, sys
gc.threshold(4096)  # as sim_main.py and main.py while loading
def m(label):
    gc.collect()
    print("@@", gc.mem_alloc(), label)
    micropython.qstr_info()
m("start")
for name in MODULES:
    __import__(name.lstrip("*"))
    m(name)
import sim_board, bluetooth
board = sim_board.SimBoard(MOTION, 0)
m("*SimBoard(): the board file's objects (pins, buses, screen), IMU model + FIFO, motion")
from hipthrust_core.detector import Detector
det = Detector()
m("Detector(): history ring (3 x 1024 ints), event queue, filters")
from hipthrust_fw.app import App
app = App(board, bluetooth.BLE(), clock=board.clock, detector=det, log=lambda *a: None)
m("App(): event ring, link (GATT services in the fake), settings, IMU driver, buffers")
if "hipthrust_core.records" in sys.modules:
    print("!! the device loaded hipthrust_core.records (host only)")
"""

_QSTR = re.compile(r"qstr pool: n_pool=(\d+), n_qstr=(\d+), n_str_data_bytes=\d+, "
                   r"n_total_bytes=(\d+)")


def breakdown(stdout):
    """Lines of figure 1 from the probe's output."""
    out = []
    last = None
    totals = {"fake": 0, "firmware": 0}
    for line in stdout.splitlines():
        if line.startswith("@@ "):
            _, alloc, label = line.split(" ", 2)
            pending = (int(alloc), label)
        elif line.startswith("!!"):
            out.append("    " + line)
        else:
            m = _QSTR.match(line)
            if not m:
                continue
            alloc, label = pending
            qbytes = int(m.group(3))
            if last is not None:
                heap = alloc - last[0]
                kind = "fake" if label.startswith("*") else "firmware"
                totals[kind] += heap
                out.append(f"{heap:7d} {qbytes - last[1]:6d}  {label.lstrip('*')}"
                           + ("  (fake)" if kind == "fake" else ""))
            last = (alloc, qbytes)
            pools = (m.group(1), m.group(2), qbytes)
    out.append(f"{last[0]:7d} {last[1]:6d}  total: firmware and runtime {totals['firmware']}, "
               f"fakes {totals['fake']}; qstr pools: {pools[0]} pools, {pools[1]} "
               f"names, {pools[2]} bytes")
    return out


def runs(motion, heap_k):
    with DeviceSim(motion, speed=0, heapsize=f"{heap_k}K") as sim:
        code = sim.wait(timeout=900)
        return code == 0, sim.mem_free()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--no-session", action="store_true", help="figure 1 only")
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
        write_motion_bin(motion, Path(tmp, "motion.bin"))
        code = Path(tmp, "code")
        firmware = Path(FAKES).parents[3] / "firmware"
        compile_tree(FAKES, code / "fakes", device_path="code/fakes")
        compile_tree(firmware, code / "firmware", device_path="code/firmware",
                     native=board_native(DEFAULT_BOARD, firmware))
        # Relative search path, as DeviceSim: module file names are heap too.
        env = dict(os.environ, MICROPYPATH=os.pathsep.join(
            ["code/fakes", "code/firmware", ".frozen"]))
        probe = PROBE.replace("MOTION", repr("motion.bin")).replace("MODULES", repr(MODULES))
        out = subprocess.run([micropython_bin(), "-X", "heapsize=1M", "-c", probe], env=env,
                             capture_output=True, text=True, cwd=tmp)
        print("1. heap taken (bytes, 64-bit unix port, after gc.collect()), and the qstr")
        print("   part of it (names, strings), in the order the device loads them:")
        print("   heap   qstr")
        print("\n".join(breakdown(out.stdout)))
        if out.returncode:
            print(out.stderr, file=sys.stderr)
            return 1
        if args.no_session:
            return 0
        lo, hi = 64, 512  # K: fails at lo, runs at hi
        ok, free = runs(motion, hi)
        if not ok:
            print(f"2. the session does not run even with {hi}K")
            return 1
        while hi - lo > 1:
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
