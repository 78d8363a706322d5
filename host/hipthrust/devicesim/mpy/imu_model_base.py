"""What the IMU register models share: FIFO byte ring, register file, sample clock.

The chip models are mpu6886_model.MPU6886Model and lsm6dsox_model.LSM6DSOXModel (one
module each, so the device simulator loads only the model of its board's chip);
imu_models.py re-exports both. Runs in the MicroPython unix port (and CPython).
"""



def clamp16(x):
    v = int(x + 0.5) if x >= 0 else -int(-x + 0.5)
    if v > 32767:
        return 32767
    if v < -32768:
        return -32768
    return v


class Fifo:
    """Byte ring buffer of a fixed size, no allocation per byte."""

    def __init__(self, size):
        self.data = bytearray(size)
        self.size = size
        self.head = 0
        self.count = 0

    def clear(self):
        self.head = 0
        self.count = 0

    def push(self, byte):
        self.data[(self.head + self.count) % self.size] = byte
        self.count += 1

    def pop(self):
        b = self.data[self.head]
        self.head = (self.head + 1) % self.size
        self.count -= 1
        return b

    def peek(self, i):
        return self.data[(self.head + i) % self.size]


class Model:
    """What both chips share: register file, sample clock, catch-up generation."""

    MAX_CATCH_UP = 4096  # samples generated at most per update (the FIFO holds far fewer)

    def __init__(self, source, clock_ms):
        self.source = source
        self.clock_ms = clock_ms
        self.pointer = 0  # register pointer for plain I2C reads
        self.regs = bytearray(128)
        self.samples = 0  # samples made since the last reset (for tests)
        self._period = None  # ms between samples at the configured rate, None when off
        self._next = 0.0  # time (ms) of the next sample due
        self._reset()

    def new_fifo(self, size):
        """An empty FIFO of size bytes: the one made at the first reset, cleared, so a
        soft reset does not allocate (a second 1-3 KB block would raise the heap peak)."""
        fifo = getattr(self, "fifo", None)
        if fifo is None or fifo.size != size:
            return Fifo(size)
        fifo.clear()
        return fifo

    def _now(self):
        return self.clock_ms()

    def _retime(self):
        # Called after every configuration write: the sample clock follows the registers.
        period = self._sample_period_ms()
        if period != self._period:
            self._period = period
            self._next = self._now() + period if period else 0.0

    def update(self):
        """Produce every sample due up to now at the configured rate."""
        period = self._period
        if not period:
            return
        now = self._now()
        due = int((now - self._next) / period) + 1 if now >= self._next else 0
        if due > self.MAX_CATCH_UP:
            # Only the newest samples can still be in the FIFO: skip the rest, as lost.
            self._next += (due - self.MAX_CATCH_UP) * period
            self._lost(due - self.MAX_CATCH_UP)
        while self._next <= now:
            self._sample(self._next, self.source(self._next))
            self.samples += 1
            self._next += period

    def _lost(self, n):
        self.samples += n
