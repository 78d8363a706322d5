"""Helpers for BLE tests against the fake BlueZ: a stand-in device and runners.

    def test_something(monkeypatch):
        async def body(radio, device):
            ...                                  # real bleak here
        run_with_radio(monkeypatch, body)

`StandInDevice` is a test double of the firmware's radio side only: it speaks the
radio bridge protocol (docs/architecture.md) like the MicroPython `bluetooth` fake
does, with the firmware's GATT layout and handle numbering, and records everything
the bridge sends it. It is not the firmware: end-to-end tests use the real one.
"""

import asyncio
import io
import json

from hipthrust.ble import find_sensor
from hipthrust.demo_runner import device_done_and_stored
from hipthrust.devicesim.fake_radio import FakeRadio
from hipthrust.devicesim.runner import DeviceSim
from hipthrust.live_view import LiveState
from hipthrust.session_runner import record_session
from hipthrust_core import protocol as P

MAC = "24:0a:c4:00:1a:2b"

# Value handles as MicroPython numbers them: service, then per characteristic its
# declaration, its value and (notify) its CCCD.
EVENTS_HANDLE = 3  # service 1, decl 2, value 3, CCCD 4
CONTROL_HANDLE = 6  # decl 5, value 6
STATUS_HANDLE = 8  # decl 7, value 8
BATTERY_HANDLE = 11  # battery service 9, decl 10, value 11, CCCD 12

SERVICES = [
    {"uuid": P.SERVICE_UUID, "chars": [
        {"uuid": P.EVENTS_UUID, "flags": 0x10, "handle": EVENTS_HANDLE},
        {"uuid": P.CONTROL_UUID, "flags": 0x08 | 0x04, "handle": CONTROL_HANDLE},
        {"uuid": P.STATUS_UUID, "flags": 0x02, "handle": STATUS_HANDLE},
    ]},
    {"uuid": P.BATTERY_UUID16, "chars": [
        {"uuid": P.BATTERY_LEVEL_UUID16, "flags": 0x02 | 0x10, "handle": BATTERY_HANDLE},
    ]},
]


def ad(kind, data):
    """One advertising data structure: length, type, data."""
    return bytes([len(data) + 1, kind]) + bytes(data)


def uuid128_le(text):
    """A 128-bit UUID string as the little-endian bytes advertising uses."""
    return bytes(reversed(bytes.fromhex(text.replace("-", ""))))


def advertising_payloads(name, service_uuid=P.SERVICE_UUID):
    """(adv, resp) as the firmware builds them: flags + service UUID, name in the response."""
    adv = ad(0x01, b"\x06") + ad(0x07, uuid128_le(service_uuid))
    resp = ad(0x09, name.encode())
    return adv, resp


class StandInDevice:
    """A Python peripheral on the radio bridge (async context manager).

    Records `connects`, `disconnects`, `mtus` and `writes` ((conn, handle, bytes)) sent
    by the bridge; re-advertises after every disconnect, as the firmware does."""

    def __init__(self, radio, mac=MAC, readvertise=True):
        self.radio = radio
        self.mac = mac
        self.name = P.device_name(bytes.fromhex(mac.replace(":", "")))
        self.readvertise = readvertise
        self.conn = None
        self.connects = []
        self.disconnects = []
        self.mtus = []
        self.writes = []
        self._reader = None
        self._writer = None
        self._task = None

    async def __aenter__(self):
        await self.open()
        return self

    async def __aexit__(self, *exc):
        await self.close()

    async def open(self):
        """Connect to the bridge, say hello, register services and advertise."""
        self._reader, self._writer = await asyncio.open_unix_connection(self.radio.socket_path)
        self._task = asyncio.ensure_future(self._pump())
        await self.send({"op": "hello", "mac": self.mac})
        await self.send({"op": "services", "services": SERVICES})
        await self.set_value(STATUS_HANDLE, b"\x01" + bytes(9))
        await self.set_value(BATTERY_HANDLE, b"\x57")
        await self.advertise()

    async def close(self):
        """Close the socket, as when the device process dies."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def send(self, msg):
        """Send one bridge message (a dict), or a raw line (str) for malformed input."""
        line = msg if isinstance(msg, str) else json.dumps(msg)
        self._writer.write(line.encode() + b"\n")
        await self._writer.drain()

    async def advertise(self):
        adv, resp = advertising_payloads(self.name)
        await self.send({"op": "advertise", "interval_us": 100000, "adv": adv.hex(),
                         "resp": resp.hex()})

    async def set_value(self, handle, data):
        """gatts_write: what a GATT read of handle returns."""
        await self.send({"op": "value", "handle": handle, "data": bytes(data).hex()})

    async def notify(self, data, handle=EVENTS_HANDLE):
        """gatts_notify on the current connection."""
        await self.send({"op": "notify", "conn": self.conn, "handle": handle,
                         "data": bytes(data).hex()})

    async def disconnect(self):
        """gap_disconnect: the device ends the link."""
        conn, self.conn = self.conn, None
        self.disconnects.append(conn)
        await self.send({"op": "disconnect", "conn": conn})

    async def _pump(self):
        while True:
            line = await self._reader.readline()
            if not line:
                return
            msg = json.loads(line)
            op = msg["op"]
            if op == "connect":
                self.conn = msg["conn"]
                self.connects.append(msg["conn"])
            elif op == "disconnect":
                self.conn = None
                self.disconnects.append(msg["conn"])
                if self.readvertise:
                    await self.advertise()
            elif op == "mtu":
                self.mtus.append(msg["mtu"])
            elif op == "write":
                self.writes.append((msg["conn"], msg["handle"], bytes.fromhex(msg["data"])))
            self.radio.bluez.poke()  # wake waiters: the device's state changed


def run_with_radio(monkeypatch, body, device=True, **radio_options):
    """Run `await body(radio, device)` in a fresh event loop with a FakeRadio (bleak's
    DBUS_SYSTEM_BUS_ADDRESS pointed at it) and, unless device=False, a StandInDevice
    already advertising."""

    async def main():
        async with FakeRadio(**radio_options) as radio:
            monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", radio.bus_address)
            if not device:
                await body(radio, None)
                return
            async with StandInDevice(radio) as dev:
                await radio.wait_for_device(5.0)
                await body(radio, dev)

    asyncio.run(main())


async def poll(cond, what, timeout=60.0):
    """Wait until cond() is true, checking every 20 ms; AssertionError naming `what`
    after timeout s (an upper bound, not an expected time)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not cond():
        if loop.time() > end:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def run_device_session(monkeypatch, motion, store, speed, cap=60.0, controls=None,
                       before=None, raw=False, done=None):
    """Boot the simulated device (the unchanged firmware in the unix port) on a fake
    BlueZ, find it with real bleak and record (`raw` streams samples too) until the
    device finished and every record it made is stored, and then until done(recorder,
    sim) holds, while controls(radio, sim, recorder, address) runs. Waits are bounded by
    cap (s). Returns (result, sim, address, view text, extra), extra being what
    before(radio) returned."""
    async def main():
        async with FakeRadio() as radio:
            for key, value in radio.env.items():
                monkeypatch.setenv(key, value)
            extra = await before(radio) if before else None
            sim = DeviceSim(motion, radio_path=radio.socket_path, speed=speed)
            await asyncio.to_thread(sim.start)
            try:
                await radio.wait_for_device(cap)
                info = await find_sensor(timeout=10.0)
                out = io.StringIO()

                async def until(recorder):
                    if controls is not None:
                        await controls(radio, sim, recorder, info.address)
                    await poll(lambda: device_done_and_stored(store, sim, info.address),
                               "every record the device made in the store")
                    if done is not None:
                        await poll(lambda: done(recorder, sim), done.__doc__ or "done")

                try:
                    result = await asyncio.wait_for(
                        record_session(store, info, raw=raw, out=out, until=until,
                                       state=LiveState(info.name)), cap)
                except (AssertionError, asyncio.TimeoutError) as exc:  # say what the device did
                    tail = "\n".join(sim.lines[-15:])
                    raise AssertionError(f"{exc!r}\nlast device lines:\n{tail}") from None
                return result, sim, info.address, out.getvalue(), extra
            finally:
                await asyncio.to_thread(sim.close)

    return asyncio.run(main())
