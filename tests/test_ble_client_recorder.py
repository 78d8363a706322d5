"""The session recorder against a scripted sensor: nothing lost, nothing twice.

The real Sensor decoding and sequence code runs; only the radio is replaced: a
FakeDevice keeps a ring of records like the firmware, answers C_RESEND, drops the
link and reboots on demand. The store is the real SQLite store.
"""

import asyncio

import pytest

from hipthrust.ble import sensor as S
from hipthrust.ble.errors import LinkLostError, SensorConnectError
from hipthrust.ble.scan import SensorInfo
from hipthrust.ble.sensor import Sensor
from hipthrust.live_view import LiveState
from hipthrust.session_runner import Backoff, Recorder
from hipthrust.store import Store
from hipthrust_core import records as P

ADDRESS = "24:0A:C4:00:1A:2B"


class FakeDevice:
    """The firmware's side of the link: a ring of records, resend, drop, reboot."""

    def __init__(self, boot_id=0x11223344, slots=256):
        self.info = SensorInfo("HipThrust-1A2B", ADDRESS, -50, 90)
        self.slots = slots
        self.refuse = 0
        self.link = None
        self.live_before_resend = []  # records to emit between C_RESEND arriving and resending
        self.commands = []  # (cmd, a) of every control write
        self.reboot(boot_id)

    def reboot(self, boot_id):
        self.boot_id = boot_id
        self.ring = {}
        self.next_seq = 0
        self.drop()

    def status_char(self):
        buf = bytearray(10)
        P.pack_status_char(buf, self.boot_id, self.next_seq, 90, P.ST_IDLE, 0)
        return bytes(buf)

    def emit(self, pack, *args):
        buf = bytearray(P.MAX_RECORD)
        n = pack(buf, self.next_seq, *args)
        self.ring[self.next_seq] = bytes(buf[:n])
        self.ring.pop(self.next_seq - self.slots, None)
        self.next_seq += 1
        self.notify(bytes(buf[:n]))

    def notify(self, data):
        if self.link is not None:
            self.link._on_event(None, data)

    def command(self, data):
        cmd = P.parse_command(data)
        self.commands.append((cmd.cmd, cmd.a))
        for args in self.live_before_resend:
            self.emit(*args)
        self.live_before_resend = []
        if cmd.cmd == P.C_RESEND:
            oldest = min(self.ring) if self.ring else self.next_seq
            start = cmd.a
            if start < oldest:  # this fake never wraps its 16-bit seq
                self.emit(P.pack_reply, P.C_RESEND, P.R_GONE, oldest)
                return
            self.emit(P.pack_reply, P.C_RESEND, P.R_OK, 0)
            for seq in range(start, self.next_seq):
                if seq in self.ring:
                    self.notify(self.ring[seq])
        else:
            self.emit(P.pack_reply, cmd.cmd, P.R_OK, 0)

    def drop(self):
        link, self.link = self.link, None
        if link is not None:
            link._on_disconnect(None)


class FakeLinkSensor(Sensor):
    """The real Sensor with the radio replaced by a FakeDevice."""

    def __init__(self, device, timeout=1.0, raw=False):
        super().__init__(device.info, timeout=timeout, raw=raw)
        self.device = device

    async def connect(self):
        if self.device.refuse:
            self.device.refuse -= 1
            raise SensorConnectError(self.address, "simulated: out of range")
        self._queue = asyncio.Queue()
        self._client = self
        self._connected = True
        self.protocol_version = 1
        self.status = P.decode_status_char(self.device.status_char())
        self.battery = self.status.battery
        self.device.link = self

    async def disconnect(self):
        if self.device.link is self:
            self.device.link = None
        self._client = None
        self._connected = False
        self._queue.put_nowait(S._CLOSED)  # wakes a waiting next_event

    async def send(self, cmd, a=0, b=0):
        if self.device.link is not self:
            raise LinkLostError(self.address)
        self.device.command(P.command(cmd, a, b))


def set_script(set_no, reps, t0=1000):
    """The records of one set of reps, as (pack, *args) tuples."""
    out = [(P.pack_set_start, set_no, t0)]
    t = t0 + 500
    for r in range(1, reps + 1):
        out.append((P.pack_phase, P.PH_CONCENTRIC, t, r))
        out.append((P.pack_phase, P.PH_TOP, t + 800, r))
        out.append((P.pack_phase, P.PH_ECCENTRIC, t + 2000, r))
        out.append((P.pack_phase, P.PH_BOTTOM, t + 3500, r))
        out.append((P.pack_rep, r, P.RF_FULL, t, 800, 1200, 1500, 250, 600 - 10 * r, 900))
        t += 4000
    out.append((P.pack_set_end, set_no, t + 20000, reps, reps, P.END_REST))
    return out


async def wait_for(cond, timeout=5.0):
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not cond():
        assert loop.time() < end, "condition not met in time"
        await asyncio.sleep(0.005)


def stored(store, boot_id):
    return [(r["seq"], bytes(r["data"])) for r in store.query(
        "SELECT seq, data FROM events WHERE address = ? AND boot_id = ? ORDER BY seq",
        (ADDRESS, boot_id))]


def ring_of(device):
    return sorted(device.ring.items())


async def record(store, device, script, drops=(), state=None):
    """Run a recorder while the device emits script, dropping the link before the
    script indexes in drops; returns the RecorderResult once all is stored."""
    rec = Recorder(store, device.info, state=state, backoff=Backoff(0.01, 2, 0.05),
                   sensor_factory=lambda t, timeout, raw: FakeLinkSensor(device, timeout, raw))
    task = asyncio.create_task(rec.run())
    await wait_for(lambda: device.link is not None)
    for i, args in enumerate(script):
        if i in drops:
            device.drop()
        device.emit(*args)
        await asyncio.sleep(0)
        if i in drops:
            await wait_for(lambda: device.link is not None)
    await wait_for(lambda: len(stored(store, device.boot_id)) == len(device.ring))
    rec.stop()
    return await asyncio.wait_for(task, 5)


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "s.db") as s:
        yield s


def test_backoff_doubles_up_to_the_cap_and_resets():
    b = Backoff(0.25, 2.0, 1.5)
    assert [b.next() for _ in range(5)] == [0.25, 0.5, 1.0, 1.5, 1.5]
    b.reset()
    assert b.next() == 0.25


def test_whole_session_stored_exactly_as_emitted(store):
    device = FakeDevice()
    state = LiveState(device.info.name)
    result = asyncio.run(record(store, device, set_script(1, 5) + set_script(2, 4, 90000),
                                state=state))
    assert stored(store, device.boot_id) == ring_of(device)
    assert [r["reported_reps"] for r in store.sets(result.sessions[0])] == [5, 4]
    assert len(store.reps(result.sessions[0])) == 9
    # The sensor's reply to the resend is itself in the ring it resends: one duplicate.
    assert result.lost == result.malformed == 0 and result.duplicates <= 1
    assert state.sets_done == 2 and state.last_set["reps"] == 4


def test_three_link_drops_mid_set_lose_and_duplicate_nothing(store):
    device = FakeDevice()
    script = set_script(1, 8)
    result = asyncio.run(record(store, device, script, drops=(7, 15, 30)))
    assert stored(store, device.boot_id) == ring_of(device)
    assert result.link_losses == 3 and result.connections == 4
    assert result.lost == 0
    reps = store.reps(result.sessions[0])
    assert [r["rep_no"] for r in reps] == list(range(1, 9))


def test_records_sent_live_before_the_resend_are_kept_in_order(store):
    device = FakeDevice()
    # While the host was away two reps happened; on reconnect the device sends a
    # live record before it answers the resend, so one arrives past a gap.
    script = set_script(1, 4)
    shown = []
    state = LiveState()

    async def go():
        rec = Recorder(store, device.info, state=state, backoff=Backoff(0.01, 2, 0.05),
                       sensor_factory=lambda t, timeout, raw: FakeLinkSensor(device))
        rec.on_record = lambda seq, r, at: shown.append(seq)
        task = asyncio.create_task(rec.run())
        await wait_for(lambda: device.link is not None)
        for args in script[:6]:
            device.emit(*args)
        await wait_for(lambda: len(stored(store, device.boot_id)) == len(device.ring))
        device.drop()
        device.refuse = 2  # out of range for a moment: backoff
        for args in script[6:12]:
            device.emit(*args)
        device.live_before_resend = list(script[12:14])
        await wait_for(lambda: device.link is not None)
        for args in script[14:]:
            device.emit(*args)
        await wait_for(lambda: len(stored(store, device.boot_id)) == len(device.ring))
        rec.stop()
        return await task

    result = asyncio.run(go())
    assert stored(store, device.boot_id) == ring_of(device)
    assert shown == sorted(shown) == list(range(len(device.ring)))
    assert result.duplicates >= 2 and result.lost == 0


def test_host_restart_continues_the_same_session(store):
    device = FakeDevice()
    script = set_script(1, 6)
    first = asyncio.run(record(store, device, script[:10]))
    device.drop()  # the host process died: the link goes with it
    state = LiveState()
    second = asyncio.run(record(store, device, script[10:], state=state))
    assert first.sessions == second.sessions
    assert stored(store, device.boot_id) == ring_of(device)
    assert second.stored == len(device.ring) - first.stored
    # The restarted host's view picked the set up where it was.
    assert state.sets_done == 1 and state.reps == 6


def test_sensor_reboot_starts_a_new_session_with_its_own_sequence(store):
    device = FakeDevice(boot_id=1)

    async def go():
        rec = Recorder(store, device.info, backoff=Backoff(0.01, 2, 0.05),
                       sensor_factory=lambda t, timeout, raw: FakeLinkSensor(device))
        task = asyncio.create_task(rec.run())
        await wait_for(lambda: device.link is not None)
        for args in set_script(1, 3):
            device.emit(*args)
        await wait_for(lambda: len(stored(store, 1)) == len(device.ring))
        first_ring = ring_of(device)
        device.reboot(2)
        await wait_for(lambda: device.link is not None)
        for args in set_script(1, 2):
            device.emit(*args)
        await wait_for(lambda: len(stored(store, 2)) == len(device.ring))
        rec.stop()
        return await task, first_ring

    result, first_ring = asyncio.run(go())
    assert stored(store, 1) == first_ring
    assert stored(store, 2) == ring_of(device)
    assert len(result.sessions) == 2
    assert [len(store.reps(s)) for s in result.sessions] == [3, 2]


def test_malformed_notifications_are_counted_and_the_session_continues(store, caplog):
    device = FakeDevice()
    script = set_script(1, 3)

    async def go():
        rec = Recorder(store, device.info, backoff=Backoff(0.01, 2, 0.05),
                       sensor_factory=lambda t, timeout, raw: FakeLinkSensor(device))
        task = asyncio.create_task(rec.run())
        await wait_for(lambda: device.link is not None)
        for i, args in enumerate(script):
            device.emit(*args)
            if i in (2, 5):
                device.notify(b"\x01")  # truncated
                device.notify(bytes([9, 0, 0x7F, 1, 2]))  # unknown type
        await wait_for(lambda: len(stored(store, device.boot_id)) == len(device.ring))
        rec.stop()
        return await task

    result = asyncio.run(go())
    assert result.malformed == 4
    assert stored(store, device.boot_id) == ring_of(device)
    assert "malformed notification" in caplog.text


def test_records_gone_from_the_ring_are_counted_lost_and_the_rest_stored(store):
    device = FakeDevice(slots=10)

    async def go():
        rec = Recorder(store, device.info, backoff=Backoff(0.01, 2, 0.05),
                       sensor_factory=lambda t, timeout, raw: FakeLinkSensor(device))
        script = set_script(1, 6)
        for args in script[:3]:
            device.emit(*args)
        task = asyncio.create_task(rec.run())
        await wait_for(lambda: len(stored(store, device.boot_id)) >= 3)
        device.drop()
        device.refuse = 1
        for args in script[3:]:  # 30 records while away: the 10-slot ring overflows
            device.emit(*args)
        await wait_for(lambda: stored(store, device.boot_id)[-1:] == ring_of(device)[-1:])
        rec.stop()
        return await task

    result = asyncio.run(go())
    seqs = [s for s, _ in stored(store, device.boot_id)]
    assert seqs == sorted(set(seqs))
    assert result.lost > 0
    # Everything the ring still held was stored; nothing else is missing but the lost.
    assert set(dict(ring_of(device))) <= set(seqs)
    assert len(seqs) + result.lost == device.next_seq


def test_raw_samples_are_switched_on_and_stored_in_batches(store):
    device = FakeDevice()

    async def go():
        rec = Recorder(store, device.info, raw=True, backoff=Backoff(0.01, 2, 0.05),
                       sensor_factory=lambda t, timeout, raw: FakeLinkSensor(device, raw=raw))
        task = asyncio.create_task(rec.run())
        await wait_for(lambda: device.link is not None)
        buf = bytearray(P.MAX_RECORD)
        for i in range(250):
            n = P.pack_raw(buf, i, 1000 + 10 * i, i, -i, 1000, 10, -10, 3)
            device.link._on_raw(None, bytes(buf[:n]))
            if i % 50 == 0:
                await asyncio.sleep(0)
        await wait_for(lambda: len(store.raw(rec.session_id)) == 250)
        rec.stop()
        return await task, rec.session_id

    result, sid = asyncio.run(go())
    assert (P.C_RAW, 1) in [(c, a) for c, a in device.commands]
    rows = store.raw(sid)
    assert tuple(rows[7]) == (1070, 7, -7, 1000, 10, -10, 3)
    assert result.raw == 250 and len(stored(store, device.boot_id)) == len(device.ring)
