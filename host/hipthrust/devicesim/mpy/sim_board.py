"""A simulated board for the unix port: a real board file on the fake `machine`.

    import sim_board
    board = sim_board.SimBoard("session.csv", speed=50, name="m5stickc-plus2")
    import main
    main.run(board=board, clock=board.clock, until=board.finished, model=board.NAME)

The real board file (hipthrust_fw.boards.<name>) makes its I2C bus, pins and ADC from
the fake `machine`, and its real IMU driver talks to the register model of its chip
(mpu6886_model.py, lsm6dsox_model.py), which reads the motion from a raw CSV file
(docs/raw-format.md: t_s, g, deg/s, in the sensor's axes), streamed a few rows at a
time so a long session fits a small heap. Time is the SimClock: it advances only when
the app sleeps, so every run is the same whatever the machine's load, and it is paced
to `speed` times real time (speed 0: as fast as the interpreter goes).
"""

import asyncio
import struct
import time

import machine

from hipthrust_fw import boards

# IMU part (board file's IMU) -> (module, class) of its register model; only the board's
# own model is imported: each costs some 6 KB of device heap.
_MODELS = {"MPU6886": ("mpu6886_model", "MPU6886Model"),
           "LSM6DSOX": ("lsm6dsox_model", "LSM6DSOXModel")}


class SimClock:
    """Simulated ms clock: ticks_ms() is the simulated time, sleep_ms() advances it and
    waits (ms / speed) of real time, so the simulation keeps pace with speed x real."""

    def __init__(self, speed=1.0, start_ms=1000):
        self.speed = speed
        self.t = start_ms
        self._start_ms = start_ms
        self._real0 = time.ticks_ms()

    def ticks_ms(self):
        return self.t

    async def sleep_ms(self, ms):
        self.t += ms
        if self.speed > 0:
            due = int((self.t - self._start_ms) / self.speed)
            wait = due - time.ticks_diff(time.ticks_ms(), self._real0)
            await asyncio.sleep_ms(wait if wait > 0 else 0)
        else:
            await asyncio.sleep_ms(0)  # let the radio's task run


class CsvMotion:
    """The model's motion source: source(t_ms) -> (ax, ay, az in g, gx, gy, gz in deg/s),
    linearly interpolated between the file's rows; time 0 of the file is t0_ms on the
    clock. After the last row it repeats the last values and sets `done`.

    The file is a raw CSV, or its binary twin (name ending .bin: rows of little-endian
    float64 t_s and six float32, ROW_FMT) that the runner writes because parsing text
    would take most of the simulator's time."""

    ROW_FMT = "<d6f"
    ROW_SIZE = 32

    def __init__(self, path, t0_ms):
        self.binary = path.endswith(".bin")
        self._f = open(path, "rb" if self.binary else "r")
        if self.binary:
            # 16 rows (0.16 s at 100 Hz) a read: bigger chunks cost heap, not speed.
            self._chunk = bytearray(self.ROW_SIZE * 16)
            self._n = 0
            self._i = 0
        else:
            header = self._f.readline().strip()
            if not header.startswith("t_s,"):
                raise ValueError(path + ": not a raw CSV file (no t_s header)")
        self.t0_ms = t0_ms
        self.done = False
        self.rows = 0
        self._a = self._row()
        self._b = self._row()
        if self._a is None:
            raise ValueError(path + ": no samples")
        if self._b is None:
            self._b = self._a

    def _row(self):
        if self.binary:
            if self._i >= self._n:
                got = self._f.readinto(self._chunk)
                self._n = (got or 0) // self.ROW_SIZE
                self._i = 0
                if self._n == 0:
                    return None
            v = list(struct.unpack_from(self.ROW_FMT, self._chunk, self._i * self.ROW_SIZE))
            self._i += 1
        else:
            while True:
                line = self._f.readline()
                if not line:
                    return None
                line = line.strip()
                if line:
                    break
            v = [float(x) for x in line.split(",")]
        self.rows += 1
        v[0] = v[0] * 1000.0
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
            return (b[1], b[2], b[3], b[4], b[5], b[6])
        if t <= a[0] or b[0] <= a[0]:
            return (a[1], a[2], a[3], a[4], a[5], a[6])
        f = (t - a[0]) / (b[0] - a[0])
        return (a[1] + f * (b[1] - a[1]), a[2] + f * (b[2] - a[2]), a[3] + f * (b[3] - a[3]),
                a[4] + f * (b[4] - a[4]), a[5] + f * (b[5] - a[5]), a[6] + f * (b[6] - a[6]))


class SimBoard:
    """The board file `name` running on the fake machine, its IMU model fed from the
    raw CSV at motion_path; `clock` is the SimClock everything runs on."""

    def __init__(self, motion_path, speed=1.0, name=boards.DEFAULT):
        self.clock = SimClock(speed)
        module = boards.load(name)
        self.NAME = module.NAME
        self.motion = CsvMotion(motion_path, self.clock.ticks_ms())
        mod, cls = _MODELS[module.IMU]
        model_class = getattr(__import__(mod), cls)
        self.model = model_class(self.motion, self.clock.ticks_ms)
        machine.I2C.attach(module.IMU_ADDR, self.model)
        self.board = module.Board(machine)

    def finished(self):
        """True once the motion file has been played to its end."""
        return self.motion.done

    # The board interface, passed through to the real board file.
    def imu(self, rate_hz):
        return self.board.imu(rate_hz)

    def battery_percent(self):
        return self.board.battery_percent()

    def button(self):
        return self.board.button()

    def show(self, reps, phase):
        self.board.show(reps, phase)

    def identify(self):
        fn = getattr(self.board, "identify", None)
        if fn is not None:
            fn()

    def watchdog(self, timeout_ms):
        return self.board.watchdog(timeout_ms)
