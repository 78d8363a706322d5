"""A simulated board for the unix port: a real board file on the fake `machine`.

    import sim_board
    board = sim_board.SimBoard("session.csv", speed=50, name="m5stickc-plus2")
    import main
    main.run(board=board, clock=board.clock, until=board.finished, model=board.NAME)

SimBoard() returns the real board object (hipthrust_fw.boards.<name>.Board) made on the
fake `machine`, its real IMU driver talking to the register model of its chip
(mpu6886_model.py, lsm6dsox_model.py), with three attributes added: `clock` (the
SimClock everything runs on), `motion` (the source the model samples) and `finished()`
(True once the motion has played to its end). No wrapper class: the app calls the board
file's own methods, and a wrapper's methods would be heap a board does not spend.

The motion is a raw CSV (docs/raw-format.md: t_s, g, deg/s, in the sensor's axes) or
its binary twin (runner.write_motion_bin), streamed a few rows at a time so a long
session fits a small heap. Time is the SimClock: it advances only when the app sleeps,
so every run is the same whatever the machine's load, and it is paced to `speed` times
real time (speed 0: as fast as the interpreter goes).
"""

import asyncio
import struct
import time

import machine

from hipthrust_fw import boards


class SimClock:
    """Simulated ms clock: ticks_ms() is the simulated time, sleep_ms() advances it and
    waits (ms / speed) of real time, so the simulation keeps pace with speed x real."""

    def __init__(self, speed=1.0, start_ms=1000):
        self.speed = speed
        self.t = start_ms
        self._t0 = start_ms
        self._real0 = time.ticks_ms()

    def ticks_ms(self):
        return self.t

    async def sleep_ms(self, ms):
        self.t += ms
        wait = 0
        if self.speed > 0:
            wait = int((self.t - self._t0) / self.speed) - time.ticks_diff(time.ticks_ms(),
                                                                           self._real0)
        await asyncio.sleep_ms(wait if wait > 0 else 0)  # 0: still lets the radio run


class CsvMotion:
    """The model's motion source: source(t_ms) -> (ax, ay, az in g, gx, gy, gz in deg/s),
    linearly interpolated between the file's rows; time 0 of the file is t0_ms on the
    clock. After the last row it repeats the last values and sets `done`.

    A name ending .bin is the binary twin: rows of little-endian float64 t_s and six
    float32 (ROW_FMT, 32 bytes), read 8 rows (80 ms at 100 Hz: about two of the app's
    ticks) at a time into one buffer; text is parsed a line at a time."""

    ROW_FMT = "<d6f"

    def __init__(self, path, t0_ms):
        self._bin = path.endswith(".bin")
        self._f = open(path, "rb" if self._bin else "r")
        if self._bin:
            self._chunk = bytearray(256)
            self._n = self._i = 0
        elif not self._f.readline().startswith("t_s,"):
            raise ValueError(path + ": not a raw CSV file (no t_s header)")
        self.t0_ms = t0_ms
        self.done = False
        self.rows = 0
        self._a = self._b = self._row()
        if self._a is None:
            raise ValueError(path + ": no samples")
        self._b = self._row() or self._a

    def _row(self):
        if self._bin:
            if self._i >= self._n:
                self._n = (self._f.readinto(self._chunk) or 0) // 32
                self._i = 0
                if not self._n:
                    return None
            v = list(struct.unpack_from(self.ROW_FMT, self._chunk, self._i * 32))
            self._i += 1
        else:
            line = ""
            while not line:
                line = self._f.readline()
                if not line:
                    return None
                line = line.strip()
            v = [float(x) for x in line.split(",")]
        self.rows += 1
        v[0] *= 1000.0
        return v

    def __call__(self, t_ms):
        t = t_ms - self.t0_ms
        while t > self._b[0] and not self.done:
            nxt = self._row()
            if nxt is None:
                self.done = True
                break
            self._a = self._b
            self._b = nxt
        a, b = self._a, self._b
        if self.done or t >= b[0]:
            a = b
        elif t > a[0] and b[0] > a[0]:
            f = (t - a[0]) / (b[0] - a[0])
            return (a[1] + f * (b[1] - a[1]), a[2] + f * (b[2] - a[2]), a[3] + f * (b[3] - a[3]),
                    a[4] + f * (b[4] - a[4]), a[5] + f * (b[5] - a[5]), a[6] + f * (b[6] - a[6]))
        return (a[1], a[2], a[3], a[4], a[5], a[6])


def SimBoard(motion_path, speed=1.0, name=boards.DEFAULT):
    """The board file `name`'s Board on the fake machine, its IMU's register model fed
    from motion_path; adds `clock`, `motion`, `model` and `finished()` (see above)."""
    clock = SimClock(speed)
    module = boards.load(name)
    motion = CsvMotion(motion_path, clock.t)
    # Only the board's own chip model is imported (each is heap the device would not have).
    mod = "mpu6886_model" if module.IMU == "MPU6886" else "lsm6dsox_model"
    model = getattr(__import__(mod), module.IMU + "Model")(motion, clock.ticks_ms)
    machine.I2C.attach(module.IMU_ADDR, model)
    board = module.Board(machine)
    board.clock = clock
    board.motion = motion
    board.model = model

    def finished():
        return motion.done

    board.finished = finished
    return board
