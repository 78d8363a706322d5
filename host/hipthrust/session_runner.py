"""Record a lifting session from a sensor: the heart of `hipthrust live` and `demo`.

    recorder = Recorder(store, info, state=state, view=view)
    result = await recorder.run()        # until recorder.stop() (Ctrl-C) or forever

Every record is stored the moment it arrives (Store.add_record is idempotent and
commits per record, so a killed host loses nothing it received). After any
(re)connection the recorder asks the sensor to resend everything after the last
sequence number stored for that sensor boot, keeps records in sequence order
(holding back any that arrive past a gap until the resend fills it), and
reconnects with capped exponential backoff when the link drops. A new boot id
means the sensor restarted: its records go to a new session.
"""

import asyncio
import logging
import time
from dataclasses import dataclass, field

from hipthrust.ble.errors import LinkLostError, SensorConnectError
from hipthrust.ble.sensor import Sensor
from hipthrust_core import records as P

log = logging.getLogger(__name__)

# How long (s) records may wait past a gap before the recorder asks again, then
# gives the missing ones up as lost (the sensor's ring no longer has them).
GAP_WAIT_S = 2.0
# Poll period (s) of the receive loop, so stop() and gap checks are seen promptly.
POLL_S = 0.2
# Raw samples per store transaction.
RAW_BATCH = 100


class Backoff:
    """Capped exponential backoff: delays initial, initial*factor, ... up to cap (s)."""

    def __init__(self, initial=0.2, factor=2.0, cap=5.0):
        self.initial = initial
        self.factor = factor
        self.cap = cap
        self.attempt = 0

    def next(self):
        """The delay (s) before the next attempt; each call doubles it up to the cap."""
        delay = min(self.cap, self.initial * self.factor ** self.attempt)
        self.attempt += 1
        return delay

    def reset(self):
        """Back to the initial delay (after a successful connection)."""
        self.attempt = 0


@dataclass
class RecorderResult:
    """What a recording did. sessions: session ids in the order they were opened."""

    sessions: list = field(default_factory=list)
    stored: int = 0  # new event records stored
    duplicates: int = 0  # records received again (resends overlap): not stored twice
    malformed: int = 0  # notifications that did not decode: logged and skipped
    lost: int = 0  # sequence numbers the sensor no longer held when asked to resend
    raw: int = 0  # raw samples stored
    connections: int = 0  # successful connections (1 + reconnects)
    link_losses: int = 0


class Recorder:
    """Connects to one sensor and stores its records until stop().

    store: a hipthrust.store Store. target: what Sensor accepts (a SensorInfo).
    state / view: a live_view.LiveState and a view with show(lines), both optional.
    raw: also stream and store raw samples. sensor_factory(target, timeout=, raw=)
    makes the Sensor (a test double where there would be a radio).
    """

    def __init__(self, store, target, *, state=None, view=None, raw=False, timeout=10.0,
                 backoff=None, sensor_factory=Sensor, on_record=None):
        self.store = store
        self.target = target
        self.state = state
        self.view = view
        self.raw = raw
        self.timeout = timeout
        self.backoff = backoff or Backoff()
        self.sensor_factory = sensor_factory
        self.on_record = on_record  # on_record(seq, record, received_at) after storing
        self.result = RecorderResult()
        self.session_id = None
        self.boot_id = None
        self._stop = None
        self._sensor = None
        self._raw_rows = []

    # ------------------------------------------------------------ control

    def stop(self):
        """End the recording (thread-safe from a signal handler on the loop)."""
        if self._stop is not None:
            self._stop.set()

    def _show(self, lines):
        if self.view is not None and lines:
            self.view.show(lines)

    def _connection(self, text, battery=None):
        if self.state is not None:
            self._show(self.state.set_connection(text, battery))

    def note(self, text):
        """Show a free-form event line in the view (e.g. what a caller knows)."""
        self._note(text)

    def _note(self, text):
        log.info("%s", text)
        if self.state is not None:
            self._show(self.state.note(text))

    def _counters(self):
        if self.state is not None:
            self.state.malformed = self.result.malformed
            self.state.lost = self.result.lost

    async def _sleep_or_stop(self, delay):
        try:
            await asyncio.wait_for(self._stop.wait(), delay)
        except asyncio.TimeoutError:
            pass

    # ------------------------------------------------------------ main loop

    async def run(self):
        """Record until stop(); returns the RecorderResult.

        Raises IncompatibleFirmwareError and BleUnavailableError (nothing to retry);
        connection failures and link losses are retried with backoff.
        """
        self._stop = asyncio.Event()
        while not self._stop.is_set():
            sensor = self.sensor_factory(self.target, timeout=self.timeout, raw=self.raw)
            self._sensor = sensor
            try:
                self._connection("connecting")
                if not await self._connect_unless_stopped(sensor):
                    break
            except (SensorConnectError, LinkLostError) as exc:
                delay = self.backoff.next()
                log.info("connect failed (%s); retrying in %.1f s", exc, delay)
                self._connection(f"reconnecting in {delay:.1f} s")
                await self._sleep_or_stop(delay)
                continue
            self.backoff.reset()
            self.result.connections += 1
            try:
                await self._connected(sensor)
            except LinkLostError:
                self.result.link_losses += 1
                self._connection("link lost")
            except SensorConnectError as exc:
                self.result.link_losses += 1
                self._connection(f"link error ({exc.cause})")
            finally:
                self._flush_raw()
                self.result.malformed += sensor.malformed
                sensor.malformed = 0
                self._counters()
                await sensor.disconnect()
            if not self._stop.is_set():
                # A short pause before reconnecting: a sensor that is switching off or
                # rebooting is not hammered, and stop() ends the wait at once.
                await self._sleep_or_stop(self.backoff.next())
        self._connection("disconnected")
        return self.result

    async def _connect_unless_stopped(self, sensor):
        """Connect; False (and nothing left connected) when stop() came first."""
        connecting = asyncio.ensure_future(sensor.connect())
        stopping = asyncio.ensure_future(self._stop.wait())
        try:
            await asyncio.wait({connecting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
        if connecting.done():
            connecting.result()  # raises what connect raised
            return True
        connecting.cancel()
        try:
            await connecting
        except (asyncio.CancelledError, SensorConnectError, LinkLostError):
            pass
        await sensor.disconnect()
        return False

    async def _connected(self, sensor):
        status = sensor.status
        if self.boot_id is not None and status.boot_id != self.boot_id:
            self._note(f"sensor restarted (boot id {status.boot_id:08x}): new session")
        self.boot_id = status.boot_id
        session_id = self.store.open_session(sensor.name, sensor.address, status.boot_id)
        if session_id != self.session_id:
            self._flush_raw()
            self.session_id = session_id
            self.result.sessions.append(session_id)
            self._prime(session_id)
        last = self.store.last_seq(sensor.address, status.boot_id)
        expected = 0 if last is None else last + 1
        self._connection("connected", status.battery)
        sensor.last_seq = expected - 1
        await sensor.resend_from(expected)
        if self.raw:
            await sensor.set_raw(True)
        await self._receive(sensor, expected)

    async def _receive(self, sensor, expected):
        loop = asyncio.get_running_loop()
        pending = {}  # seq -> (record, data, received_at): arrived past a gap
        gap_since = None
        asked_again = False
        while not self._stop.is_set():
            item = await sensor.next_event(POLL_S)
            now = loop.time()
            if item is not None:
                seq, record, data = item
                received_at = sensor.received_at or time.time()
                if isinstance(record, P.Raw):
                    self._store_raw(record)
                    continue
                if (isinstance(record, P.Reply) and record.cmd == P.C_RESEND
                        and record.status == P.R_GONE):
                    oldest = P.extend_seq(expected, record.arg)
                    if oldest > expected:
                        self._lose(expected, oldest)
                        expected = oldest
                        await sensor.resend_from(expected)
                if seq < expected:
                    self.result.duplicates += 1
                    continue
                pending[seq] = (record, data, received_at)
            while expected in pending:
                record, data, received_at = pending.pop(expected)
                self._store(expected, record, data, received_at)
                expected += 1
            if not pending:
                gap_since = None
                asked_again = False
            elif gap_since is None:
                gap_since = now
            elif now - gap_since > GAP_WAIT_S:
                if not asked_again:
                    asked_again = True
                    gap_since = now
                    await sensor.resend_from(expected)
                else:
                    first = min(pending)
                    self._lose(expected, first)
                    expected = first
                    gap_since = None
                    asked_again = False
            if item is None:
                self._flush_raw()
            self._counters()
        self._flush_raw()

    def _lose(self, expected, first):
        n = first - expected
        self.result.lost += n
        self._note(f"{n} event(s) {expected}..{first - 1} were lost: the sensor no longer "
                   "held them")

    def _store(self, seq, record, data, received_at):
        new = self.store.add_record(self.session_id, self._sensor.address, self.boot_id, seq,
                                    bytes(data), received_at)
        if not new:
            self.result.duplicates += 1
            return
        self.result.stored += 1
        if self.state is not None:
            self._show(self.state.apply(record))
        if self.on_record is not None:
            self.on_record(seq, record, received_at)

    def _store_raw(self, record):
        # Raw samples come at the IMU rate: store them in batches, one transaction each.
        self._raw_rows.append(record[1:])
        if len(self._raw_rows) >= RAW_BATCH:
            self._flush_raw()

    def _flush_raw(self):
        if self._raw_rows and self.session_id is not None:
            self.store.add_raw(self.session_id, self._raw_rows)
            self.result.raw += len(self._raw_rows)
        self._raw_rows = []

    def _prime(self, session_id):
        """Replay a resumed session's stored records into the live state, silently,
        so a restarted host shows the set and rep count where they were."""
        if self.state is None:
            return
        rows = self.store.query(
            "SELECT data FROM events WHERE session_id = ? ORDER BY seq", (session_id,)
        )
        for row in rows:
            try:
                self.state.apply(P.decode(bytes(row[0])))
            except P.ProtocolError:
                continue  # stored by an older hipthrust that accepted it: not shown
        self.state.recent.clear()


async def record_session(store, target, *, raw=False, out=None, timeout=10.0, until=None,
                         state=None, on_record=None):
    """Record from target (a SensorInfo) with the live view on out (default stdout)
    until Ctrl-C / SIGTERM, or until the coroutine function until(recorder) returns.

    The same code path for `live` and `demo`. on_record(seq, record, received_at) is
    called after each new record is stored. Returns the RecorderResult.
    Raises what Recorder.run raises.
    """
    import signal

    from hipthrust.live_view import LiveState, make_view

    state = state or LiveState(getattr(target, "name", str(target)))
    loop = asyncio.get_running_loop()
    with make_view(state, out) as view:
        recorder = Recorder(store, target, state=state, view=view, raw=raw, timeout=timeout,
                            on_record=on_record)
        handled = []
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, recorder.stop)
                handled.append(sig)
            except (NotImplementedError, RuntimeError, ValueError):
                pass  # not the main thread, or no signals on this platform
        watcher = None
        try:
            if until is not None:
                async def watch():
                    try:
                        await until(recorder)
                    finally:
                        recorder.stop()
                watcher = asyncio.ensure_future(watch())
            runner = asyncio.ensure_future(recorder.run())
            if watcher is not None:
                # a crash of the watcher must not leave the recorder running forever
                await asyncio.wait({runner, watcher}, return_when=asyncio.FIRST_COMPLETED)
                if watcher.done() and watcher.exception() is not None:
                    recorder.stop()
                    await runner
                    watcher.result()
            return await runner
        finally:
            for sig in handled:
                loop.remove_signal_handler(sig)
            if watcher is not None and not watcher.done():
                watcher.cancel()
                try:
                    await watcher
                except asyncio.CancelledError:
                    pass


def summary_lines(store, result):
    """Text lines about a finished recording: each session's summary (guidelines
    applied by hipthrust.summary) and what was lost, skipped or resent."""
    from hipthrust.summary import format_session, session_summary

    lines = []
    for sid in result.sessions:
        lines.append(format_session(session_summary(store, sid)))
    lines.append(
        f"{result.stored} events stored, {result.duplicates} resent duplicates ignored, "
        f"{result.malformed} malformed skipped, {result.lost} lost; "
        f"{result.link_losses} link drop(s)"
    )
    if result.raw and result.sessions:
        lines.append(f"{result.raw} raw IMU samples stored; `hipthrust export "
                     f"{result.sessions[-1]} --csv DIR --raw` writes them for `hipthrust analyze`")
    return lines
