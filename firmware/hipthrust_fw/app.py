"""The firmware's main loop: IMU FIFO -> shared detector -> event ring -> BLE link.

    app = App(board, bluetooth.BLE(), model="m5stickc-plus2")
    asyncio.run(app.run())

One asyncio task ticks every TICK_MS (40 ms): feed the watchdog, service the link
(connections, queued notifications), drain the IMU FIFO and run every sample
through the detector, handle control commands, poll the button, and every few
seconds report battery and status. Detection never depends on the link: with no
host connected the events wait in the ring and the host catches up by sequence.

The clock is passed in (`ticks_ms()`, `async sleep_ms(ms)`), like the BLE object
and the board, so the same code runs on a board and faster than real time in the
MicroPython unix port (hipthrust.devicesim).
"""

import asyncio
import binascii
import gc
import os
import time

from micropython import const

from hipthrust_core import protocol as P
from hipthrust_core.detector import Detector
from hipthrust_fw.link import LINK_CONNECTED, LINK_DISCONNECTED, Link
from hipthrust_fw.ring import Ring
from hipthrust_fw.settings import Settings

FIRMWARE_VERSION = "0.1.0"  # Device Information "Firmware Revision String"

TICK_MS = const(40)  # FIFO drain period, ms: 4 samples at 100 Hz, well inside the FIFO
_BATTERY_EVERY_MS = const(5000)  # battery level and status characteristic refresh, ms
_STATUS_EVERY_MS = const(10000)  # STATUS record while a host is connected, ms
_MEM_LOG_EVERY_MS = const(60000)  # gc.collect() + free heap in the log, ms
_WATCHDOG_MS = const(8000)  # the board resets if the loop stalls this long, ms
_IMU_RETRY_MS = const(5000)  # retry a missing or failed IMU this often, ms
_DOUBLE_PRESS_MS = const(600)  # a second press this soon: re-zero instead of start/stop
# Event records held for a host that comes back (20 bytes each: 2.5 KB). With no host
# connected only detection makes records: 4 PHASE + 1 REP per rep, SET_START and SET_END
# per set, i.e. 62 for a set of 12 reps. 128 hold two such sets with the rest between
# them (some 5 minutes of a session), or 25 reps in a row; a longer gap loses the oldest,
# and the host is told which (R_GONE, SF_EVENTS_LOST).
_RING_SLOTS = const(128)


class Clock:
    """The board's own clock: ms ticks (wrapping as time.ticks_ms) and an async sleep."""

    def ticks_ms(self):
        return time.ticks_ms()

    async def sleep_ms(self, ms):
        await asyncio.sleep_ms(ms)


def _hex(buf, n):
    # One bytes and one str per call (a join of per-byte strings made some 25 objects).
    return binascii.hexlify(memoryview(buf)[:n]).decode()


class App:
    """The sensor: `board` per the board interface, `ble` a bluetooth.BLE(); `detector`
    defaults to the shared hipthrust_core.detector.Detector."""

    def __init__(self, board, ble, clock=None, model=None, settings_path="settings.json",
                 log=print, ring_slots=_RING_SLOTS, log_events=True, detector=None):
        self.board = board
        self.clock = clock or Clock()
        self._log = log
        self.log_events = log_events
        # The big buffers first (detector history, ring), after a collection, while the
        # heap has its largest free blocks: later they may not be found in one piece.
        gc.collect()
        self.settings = Settings(settings_path, log)
        if detector is None:
            detector = Detector(set_end_ms=self.settings.get(P.K_SET_END_S) * 1000)
        self.detector = detector
        self.ring = Ring(ring_slots)
        self.boot_id = int.from_bytes(os.urandom(4), "little")
        mac = ble.config("mac")[1]
        self.name = P.device_name(mac)
        if model is None:
            model = getattr(board, "NAME", "unknown")
        self.link = Link(ble, self.ring, self.name, model, FIRMWARE_VERSION, log=log)
        self.rate_hz = self.settings.get(P.K_RATE_HZ)
        self.imu = None
        self.imu_error = False
        self._samples = None
        self._open_imu()
        self.wdt = board.watchdog(_WATCHDOG_MS)
        # State shown in status records, the status characteristic and on the screen.
        self.stopped = False
        self.in_set = False
        self.reps = 0
        self.phase = 0
        self.battery = 0
        self.samples = 0  # samples fed to the detector since boot
        self.events = 0  # event records made since boot
        self.t_ms = 0  # ms since boot on the device clock
        self._last_tick = self.clock.ticks_ms()
        self._last_ms = -1000  # time of the last sample fed: ms + us remainder
        self._last_frac_us = 0
        self._next_battery = 0
        self._next_status = 0
        self._next_mem = _MEM_LOG_EVERY_MS
        self._next_imu_retry = _IMU_RETRY_MS
        self._press_t = -1  # time of a press waiting to become start/stop, -1 when none
        self._shown_reps = -1
        self._shown_phase = -1
        self._end_reason = 0  # SET_END reason to report instead of the detector's
        self._last = [0, 0, 1000]  # last accelerometer sample (mg), for C_ZERO
        self._buf = bytearray(P.MAX_RECORD)
        self._cmd = bytearray(P.MAX_RECORD)
        self._cmd_mv = memoryview(self._cmd)
        self._quit = False
        self.data_ended = False
        self._log("app: {} boot {:08x} firmware {} protocol {} rate {} Hz".format(
            self.name, self.boot_id, FIRMWARE_VERSION, P.PROTOCOL_VERSION, self.rate_hz))
        self._update_battery()
        self.link.set_status(self.boot_id, self.battery, self.state(), self.flags())
        self.link.advertise()

    # ------------------------------------------------------------ IMU
    def _open_imu(self):
        try:
            self.imu = self.board.imu(self.rate_hz)
        except OSError as exc:
            self.imu = None
            self.imu_error = True
            self._log("app: IMU error: {}".format(exc))
            return
        self.imu_error = False
        self.rate_hz = self.imu.rate_hz
        # Preallocated once: the driver writes raw ints here, 6 per sample.
        if self._samples is None or len(self._samples) < 6 * self.imu.MAX_BATCH:
            from array import array

            self._samples = array("i", bytes(4 * 6 * self.imu.MAX_BATCH))

    def _drain(self):
        """Read every sample waiting in the FIFO and feed them to the detector. Samples
        are spread at the output data rate's period, the newest at the drain time."""
        imu = self.imu
        period_us = imu.period_us  # the part's real period: 104 Hz is 9615 us, not 10 ms
        buf = self._samples
        while True:
            n = imu.read(buf)
            if n <= 0:
                break
            # Times relative to `anchor` (now) in us: exact at 104 Hz (9615 us) and
            # the like, and small ints on a 32-bit board (ms since boot * 1000 is not).
            anchor = self.t_ms
            first = -(n - 1) * period_us
            gap = anchor - self._last_ms
            last = -1000000 if gap > 1000 else self._last_frac_us - gap * 1000
            if first - last < period_us:
                # A second batch in one drain, or clock jitter: keep time increasing.
                first = last + period_us
            for i in range(n):
                j = 6 * i
                self._sample(anchor + (first + i * period_us) // 1000, buf[j], buf[j + 1],
                             buf[j + 2], buf[j + 3], buf[j + 4], buf[j + 5])
            last = first + (n - 1) * period_us
            self._last_ms = anchor + last // 1000
            self._last_frac_us = last - (last // 1000) * 1000
            if n < imu.MAX_BATCH:
                break
        if imu.status:
            if not self.imu_error:
                self._log("app: IMU status {}: the driver retries".format(imu.status))
            self.imu_error = True
        else:
            self.imu_error = False
        if imu.overflowed:
            self._log("app: IMU FIFO overflowed; samples lost")

    def _sample(self, t, ax, ay, az, gx, gy, gz):
        self.samples += 1
        last = self._last
        last[0] = ax
        last[1] = ay
        last[2] = az
        self.link.push_raw(t, ax, ay, az, gx, gy, gz)
        if self.stopped:
            return
        if self.detector.feed(t, ax, ay, az, gx, gy, gz):
            self._collect()

    def _collect(self):
        # Move every pending detector event into the ring / send queue.
        det = self.detector
        buf = self._buf
        while True:
            n = det.pack_next(buf, self.ring.next_seq)
            if not n:
                return
            kind = buf[2]
            if kind == P.T_SET_START:
                self.in_set = True
                self.reps = 0
                self.phase = 0
            elif kind == P.T_SET_END:
                self.in_set = False
                self.phase = 0
                if self._end_reason:
                    buf[10] = self._end_reason  # the detector only knows "removed"
            elif kind == P.T_PHASE:
                self.phase = buf[3]
                self.reps = buf[8] if buf[3] != P.PH_CONCENTRIC else buf[8] - 1
            elif kind == P.T_REP:
                self.reps = buf[3]
            self._emit(buf, n)

    def _emit(self, buf, n):
        self.events += 1
        if self.log_events:
            self._log("event " + _hex(buf, n))
        self.link.emit(buf, n)

    # ------------------------------------------------------------ status
    def state(self):
        """ST_* state code."""
        if self.stopped:
            return P.ST_STOPPED
        return P.ST_IN_SET if self.in_set else P.ST_IDLE

    def flags(self):
        """SF_* status flags."""
        f = 0
        if self.link.raw:
            f |= P.SF_RAW
        if self.imu_error:
            f |= P.SF_IMU_ERROR
        if self.link.events_lost:
            f |= P.SF_EVENTS_LOST
        if self.settings.defaulted:
            f |= P.SF_SETTINGS_DEFAULTED
        return f

    def emit_status(self):
        """Make a STATUS record (boot id, battery %, state, flags, rate Hz)."""
        n = P.pack_status(self._buf, self.ring.next_seq, self.boot_id, self.battery,
                          self.state(), self.flags(), self.rate_hz)
        self._emit(self._buf, n)

    def reply(self, cmd, status, arg=0):
        """Answer a control command with a REPLY record."""
        n = P.pack_reply(self._buf, self.ring.next_seq, cmd, status, arg)
        self._emit(self._buf, n)

    def _update_battery(self):
        self.battery = self.board.battery_percent()
        self.link.set_battery(self.battery)

    # ------------------------------------------------------------ commands
    def handle_command(self, data):
        """Validate and carry out one control write (bytes); every command is answered
        by a REPLY record, a bad one with its error status and nothing else changes."""
        status = P.check_command(data)
        cmd = data[0] if len(data) else 0
        if status != P.R_OK:
            self._log("app: rejected command {} ({})".format(_hex(data, len(data)),
                                                           P.REPLY_NAMES[status]))
            self.reply(cmd, status)
            return
        arg = 0
        if cmd == P.C_START:
            self.start()
        elif cmd == P.C_STOP:
            self.stop()
        elif cmd == P.C_RESEND:
            status, arg = self.link.resend(data[1] | (data[2] << 8))
        elif cmd == P.C_RAW:
            self.link.set_raw(data[1])
        elif cmd == P.C_SET:
            status = self.set_setting(data[1], data[2] | (data[3] << 8))
        elif cmd == P.C_IDENTIFY:
            self.identify()
        elif cmd == P.C_ZERO:
            status = self.zero()
        self._log("app: command {} -> {}".format(P.COMMAND_NAMES[cmd], P.REPLY_NAMES[status]))
        self.reply(cmd, status, arg)

    def start(self):
        """Resume detection (C_START, or a short button press while stopped)."""
        self.stopped = False

    def stop(self):
        """End the current set and pause detection (C_STOP, or a short button press)."""
        if self.stopped:
            return
        self._end(P.END_STOPPED)
        self.stopped = True

    def _end(self, reason):
        # Close an open set; its SET_END carries `reason`.
        self._end_reason = reason
        self.detector.end(self.t_ms)
        self._collect()
        self._end_reason = 0

    def set_setting(self, key, value):
        """C_SET: validate, persist and apply a setting. Returns an R_* status."""
        status = self.settings.set(key, value)
        if status != P.R_OK:
            return status
        if key == P.K_RATE_HZ and value != self.rate_hz:
            self.rate_hz = value
            self._open_imu()
        elif key == P.K_SET_END_S:
            self.detector.set_end_ms = value * 1000
        return P.R_OK

    def identify(self):
        """C_IDENTIFY: make this sensor visible (board blink/beep when it has one)."""
        fn = getattr(self.board, "identify", None)
        if fn is not None:
            fn()
        self._log("app: identify " + self.name)

    def zero(self):
        """C_ZERO / double press: re-estimate gravity from the current sample. Returns
        R_OK, or R_BAD_VALUE when the bar is moving (it must be still)."""
        det = self.detector
        fn = getattr(det, "zero", None)
        if fn is not None:
            return P.R_OK if fn() is not False else P.R_BAD_VALUE
        vert = getattr(det, "vert", None)  # the shared detector's gravity tracker
        if vert is None or not vert.still:
            return P.R_BAD_VALUE
        vert.reset(self._last[0], self._last[1], self._last[2])
        return P.R_OK

    # ------------------------------------------------------------ button and screen
    def _button(self):
        # board.button() is True once per press. One press: start/stop; two within
        # DOUBLE_PRESS_MS: re-zero. A single press waits that long to be sure.
        if self.board.button():
            if self._press_t >= 0:
                self._press_t = -1
                self._log("app: button double press: re-zero -> " + P.REPLY_NAMES[self.zero()])
                return
            self._press_t = self.t_ms
        elif self._press_t >= 0 and self.t_ms - self._press_t >= _DOUBLE_PRESS_MS:
            self._press_t = -1
            if self.stopped:
                self.start()
            else:
                self.stop()
            self._log("app: button: " + ("stopped" if self.stopped else "started"))

    def _show(self):
        # The screen shows the rep count and the phase name; redrawn only on change.
        if self._shown_reps != self.reps or self._shown_phase != self.phase:
            self._shown_reps = self.reps
            self._shown_phase = self.phase
            self.board.show(self.reps, P.PHASE_NAMES.get(self.phase, "-"))

    # ------------------------------------------------------------ loop
    def tick(self):
        """One pass of the loop (every TICK_MS)."""
        now = self.clock.ticks_ms()
        self.t_ms += time.ticks_diff(now, self._last_tick)
        self._last_tick = now
        if self.wdt is not None:
            self.wdt.feed()
        what = self.link.service()
        if what & LINK_CONNECTED:
            self.emit_status()
            self._next_status = self.t_ms + _STATUS_EVERY_MS
        if self.data_ended:
            pass
        elif self.imu is not None:
            self._drain()
        elif self.t_ms >= self._next_imu_retry:
            self._next_imu_retry = self.t_ms + _IMU_RETRY_MS
            self._open_imu()
        while True:
            n = self.link.next_command(self._cmd)
            if n < 0:
                break
            self.handle_command(self._cmd_mv[:n])
        self._button()
        self._show()
        if self.t_ms >= self._next_battery:
            self._next_battery = self.t_ms + _BATTERY_EVERY_MS
            self._update_battery()
        if self.link.connected() and self.t_ms >= self._next_status:
            self._next_status = self.t_ms + _STATUS_EVERY_MS
            self.emit_status()
        self.link.set_status(self.boot_id, self.battery, self.state(), self.flags())
        if what & LINK_DISCONNECTED:
            self._log("app: {} events held, {} not yet sent".format(
                self.ring.count, self.link.pending()))
        if self.t_ms >= self._next_mem:
            self._next_mem = self.t_ms + _MEM_LOG_EVERY_MS
            self.log_memory()
        # Notifications made by this tick go out now rather than a tick later.
        self.link.service()

    def log_memory(self):
        """Collect garbage and log the free heap (bytes) with the counters so far."""
        gc.collect()
        self._log("mem: t={} s free={} alloc={} samples={} events={}".format(
            self.t_ms // 1000, gc.mem_free(), gc.mem_alloc(), self.samples, self.events))

    def quit(self):
        """Make run() return after the current tick."""
        self._quit = True

    async def run(self, until=None):
        """Tick every TICK_MS until quit() (or until() returns True: end of data in the
        simulator, which then closes an open set and lets the link send what it holds)."""
        clock = self.clock
        deadline = clock.ticks_ms()
        while not self._quit:
            self.tick()
            if until is not None and until():
                await self._finish()
                break
            deadline = time.ticks_add(deadline, TICK_MS)
            wait = time.ticks_diff(deadline, clock.ticks_ms())
            if wait < 0:  # fell behind (slow I2C, GC): do not try to catch up in a burst
                deadline = clock.ticks_ms()
                wait = 0
            await clock.sleep_ms(wait)
        self.log_memory()

    def end_of_data(self):
        """No more samples will come (the simulator's file ended): close an open set and
        stop reading the IMU; the link keeps running."""
        self._log("app: end of data")
        if not self.stopped:
            self._end(P.END_REMOVED)
        self.data_ended = True

    async def _finish(self):
        self.end_of_data()
        # Give a connected host a few seconds to receive what is queued.
        for _ in range(100):
            self.link.service()
            if not self.link.connected() or self.link.pending() == 0:
                break
            await self.clock.sleep_ms(TICK_MS)
        self._log("app: done, {} samples, {} events".format(self.samples, self.events))
