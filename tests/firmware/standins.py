"""MicroPython source of the stand-ins the link tests put around the real App and Link.

Only the hardware is faked (board, IMU driver, clock); the detector stand-in replays
records a test queues, so the link's behaviour can be checked record by record. The
end-to-end tests (test_app_*.py) use the real detector, drivers and IMU models instead.
"""

CLASSES = """
import bluetooth
from hipthrust_core import records as P
from hipthrust_fw.app import App


class Imu:
    MAX_BATCH = 32
    overflowed = False
    status = 0

    def __init__(self, rate_hz):
        self.rate_hz = rate_hz
        self.period_us = 1000000 // rate_hz
        self.waiting = []

    def read(self, out):
        n = 0
        while self.waiting and n < self.MAX_BATCH:
            s = self.waiting.pop(0)
            for k in range(6):
                out[6 * n + k] = s[k]
            n += 1
        return n


class Board:
    NAME = "test-board"

    def __init__(self):
        self.shown = []
        self.pressed = False
        self.battery = 87
        self.imus = []

    def imu(self, rate_hz):
        self.imus.append(Imu(rate_hz))
        return self.imus[-1]

    def battery_percent(self):
        return self.battery

    def button(self):
        return self.pressed

    def show(self, reps, phase):
        self.shown.append((reps, phase))

    def watchdog(self, timeout_ms):
        return None


class Det:
    def __init__(self):
        self.queue = []
        self.fed = 0
        self.ended = []
        self.zeroed = 0
        self.set_end_ms = 20000

    def feed(self, t, ax, ay, az, gx, gy, gz):
        self.fed += 1
        return len(self.queue)

    def pack_next(self, buf, seq):
        if not self.queue:
            return 0
        return self.queue.pop(0)(buf, seq)

    def end(self, t_ms):
        # Like the shared detector: end of data closes the set as "removed".
        self.ended.append(t_ms)
        self.queue.append(lambda b, s: P.pack_set_end(b, s, 1, t_ms, 0, 0, P.END_REMOVED))

    def zero(self):
        self.zeroed += 1
        return self.zeroed < 2  # the second one: "the bar is moving"


class Clock:
    def __init__(self):
        self.t = 5000

    def ticks_ms(self):
        return self.t

    async def sleep_ms(self, ms):
        self.t += ms

"""

SETUP = """
ble = bluetooth.BLE()
board = Board()
det = Det()
clock = Clock()
logs = []
app = App(board, ble, clock=clock, detector=det, log=logs.append, log_events=False,
          ring_slots=RING_SLOTS)


def settle():
    # Let the radio's scheduled IRQs run (they run between bytecodes, as on a board).
    for _ in range(20):
        pass


def tick(n=1):
    for _ in range(n):
        settle()
        clock.t += 40
        app.tick()


def took(handle):
    out = [bytes(d) for c, h, d in ble.notified if h == handle]
    ble.notified[:] = [x for x in ble.notified if x[1] != handle]
    return out


def events():
    return [P.decode(d) for d in took(app.link.h_events)]


def phase(n=1):
    det.queue.append(lambda b, s: P.pack_phase(b, s, P.PH_TOP, clock.t, n))


def write(data):
    ble.sim_write(0, app.link.h_control, data)
    tick()


def names(recs):
    return [type(r).__name__ for r in recs]


def seqs(recs):
    return [r.seq for r in recs]
"""


def prelude(ring_slots=256):
    """The stand-ins and an App built on them (ring of ring_slots records)."""
    return CLASSES + SETUP.replace("RING_SLOTS", str(ring_slots))
