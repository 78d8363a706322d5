"""FakeRadio: a private D-Bus + fake BlueZ + the radio bridge socket, in one object.

    async with FakeRadio() as radio:             # in the host's event loop
        os.environ.update(radio.env)             # DBUS_SYSTEM_BUS_ADDRESS for bleak,
                                                 # HIPTHRUST_RADIO for the device process
        address = await radio.wait_for_device(10)   # a device said hello and advertises
        ...                                      # real bleak scans/connects/subscribes
        radio.drop_link(address)                 # test controls, see below

    with ThreadedFakeRadio() as radio:           # same, on a background thread with its
        radio.wait_for_device(10)                # own loop, for sync code and for hosts
                                                 # running in another process

FakeRadio runs in the event loop that enters it (bleak may share that loop: all
D-Bus traffic is asynchronous); its methods must be called from that loop.
ThreadedFakeRadio runs a FakeRadio on its own thread and loop; its methods are
thread-safe and block until done.
"""

import asyncio
import os
import shutil
import tempfile
import threading
from collections import Counter

from hipthrust.devicesim.bluez import FakeBluez, Peripheral
from hipthrust.devicesim.bridge import BridgeSession, full_uuid
from hipthrust.devicesim.dbus_bus import PrivateSystemBus
from hipthrust.errors import HipthrustError

RADIO_ENV = "HIPTHRUST_RADIO"  # env var: the bridge socket path, for the device process
BUS_ENV = "DBUS_SYSTEM_BUS_ADDRESS"  # env var bleak (dbus-fast) reads for the system bus


class FakeRadioError(HipthrustError):
    """The simulated radio did not see what was expected in time."""


class FakeRadio:
    """Private system bus, fake org.bluez and radio bridge server (async context manager).

    advertise_interval_s: s between re-announcements while discovering;
    connect_timeout_s: s Device1.Connect waits for a connectable advertisement;
    temporary_timeout_s: s a vanished device's object lingers (BlueZ: 30 s);
    hide_battery_service: show the Battery service as org.bluez.Battery1 only, as
    BlueZ does with its default battery plugin.
    """

    def __init__(self, advertise_interval_s=0.05, connect_timeout_s=5.0,
                 temporary_timeout_s=30.0, hide_battery_service=True):
        self._options = dict(advertise_interval_s=advertise_interval_s,
                             connect_timeout_s=connect_timeout_s,
                             temporary_timeout_s=temporary_timeout_s,
                             hide_battery_service=hide_battery_service)
        self.bus_address = None
        self.socket_path = None
        self.bluez = None
        self._bus = PrivateSystemBus()
        self._dir = None
        self._server = None
        self._writers = set()
        self._sessions = set()  # tasks serving device connections

    @property
    def env(self):
        """Environment for bleak and for the device process: {name: value}."""
        return {BUS_ENV: self.bus_address, RADIO_ENV: self.socket_path}

    async def start(self):
        """Start the bus, own org.bluez, listen on the bridge socket. Raises BusError
        (a HipthrustError) if dbus-daemon is missing or fails."""
        try:
            self.bus_address = self._bus.start()
            self.bluez = FakeBluez(self.bus_address, **self._options)
            await self.bluez.start()
            self._dir = tempfile.mkdtemp(prefix="hipthrust-radio-")
            self.socket_path = os.path.join(self._dir, "radio.sock")
            self._server = await asyncio.start_unix_server(self._serve, self.socket_path)
        except BaseException:
            await self.stop()
            raise

    async def stop(self):
        """Close device connections, the server, the fake BlueZ and the bus."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            writer.close()
        if self._sessions:  # let them see EOF and take their devices out of range
            await asyncio.wait(self._sessions, timeout=2.0)
        if self.bluez is not None:
            await self.bluez.stop()
        self._bus.stop()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    async def __aenter__(self):
        await self.start()
        return self

    async def __aexit__(self, *exc):
        await self.stop()

    async def _serve(self, reader, writer):
        session = BridgeSession(self.bluez, writer)
        self._writers.add(writer)
        task = asyncio.current_task()
        self._sessions.add(task)
        self.bluez.counters["device_sessions"] += 1
        try:
            while True:
                try:
                    line = await reader.readline()
                except (ConnectionError, ValueError):  # reset, or a line over 64 KiB
                    break
                if not line:
                    break
                await self.bluez.wait_writable()
                session.handle_line(line.decode("utf-8", "replace"))
                await asyncio.sleep(0)  # a burst of lines must not starve bleak's reader
        finally:
            self._writers.discard(writer)
            self._sessions.discard(task)
            session.closed()
            writer.close()

    # ------------------------------------------------------------ waiting

    async def wait_for(self, predicate, timeout):
        """Wait until predicate() is true (checked at each radio state change), at most
        timeout s; returns its last value. Polls nothing: it is woken by changes."""
        return await self.bluez.wait_until(predicate, timeout)

    def _bridged_advertiser(self):
        for p in self.bluez.peripherals.values():
            if p.link is not None and p.present and p.advertising:
                return p.address
        return None

    async def wait_for_device(self, timeout=10.0):
        """Wait until a bridged device said hello and advertises; returns its address.
        Raises FakeRadioError after timeout s."""
        if not await self.wait_for(lambda: self._bridged_advertiser() is not None, timeout):
            raise FakeRadioError(f"no simulated sensor advertised within {timeout:.0f} s; "
                                 f"check that the device process started with {RADIO_ENV} set")
        return self._bridged_advertiser()

    async def wait_for_link(self, address, connected=True, timeout=10.0):
        """Wait until the device's link is up (or down, connected=False); returns
        whether it got there within timeout s."""
        return await self.wait_for(lambda: self.is_connected(address) == connected, timeout)

    # ------------------------------------------------------------ test controls

    def is_connected(self, address):
        """True while the device at address has a link to the adapter."""
        return self.bluez.is_connected(address)

    def drop_link(self, address):
        """Link loss: the device gets "disconnect", bleak sees the device disconnect.
        Returns False if it was not connected."""
        return self.bluez.drop_link(address)

    def add_static_device(self, name, address, uuids=(), rssi=-70, connectable=False):
        """An unrelated BLE device nearby: advertises `name` and `uuids` (16-bit ints or
        UUID strings) at rssi dBm; connectable ones have an empty GATT table."""
        p = Peripheral(address, name=name, uuids=[full_uuid(u) for u in uuids], rssi=rssi,
                       connectable=connectable)
        self.bluez.add_peripheral(p)
        return p.address

    def inject_notification(self, address, char_uuid, data):
        """Send raw bytes as a notification of char_uuid (a malformed record, say).
        Returns True when bleak was sent it (connected and subscribed)."""
        return self.bluez.inject_notification(address, full_uuid(char_uuid), bytes(data))

    def set_rssi(self, address, rssi):
        """Change a device's signal strength (dBm), seen at its next advertisement."""
        self.bluez.set_rssi(address, rssi)

    @property
    def counters(self):
        """Radio-wide counts (a Counter): notifications_forwarded, notifications_dropped,
        notifications_injected, battery_updates, writes_forwarded, connects, disconnects,
        link_drops, bad_messages, device_sessions, bus_waits (back-pressure rounds)."""
        return Counter(self.bluez.counters)

    def device_counters(self, address):
        """Counts for one device (a Counter): advertisements, connects, reads, writes,
        notifications_forwarded/_dropped, link_drops, host_disconnects,
        device_disconnects. Empty if unknown."""
        p = self.bluez.peripherals.get(address.upper())
        return Counter(p.counters) if p is not None else Counter()


class ThreadedFakeRadio:
    """A FakeRadio on a background thread with its own event loop (context manager).

    Same controls as FakeRadio, callable from any thread; each blocks until done."""

    def __init__(self, **options):
        self.radio = FakeRadio(**options)
        self._loop = None
        self._thread = None

    def run(self, coro, timeout=30.0):
        """Run a coroutine on the radio's loop (e.g. a test's stand-in device) and
        return its result; waits at most timeout s (None: no limit)."""
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    @property
    def loop(self):
        """The radio's event loop (running on its own thread)."""
        return self._loop


    def _call(self, fn, *args):
        async def call():
            return fn(*args)
        return self.run(call())

    def start(self):
        """Start the thread and the radio; returns self."""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever,
                                        name="hipthrust-fake-radio", daemon=True)
        self._thread.start()
        try:
            self.run(self.radio.start(), 30.0)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self):
        """Stop the radio, the loop and the thread."""
        if self._loop is None:
            return
        try:
            self.run(self.radio.stop(), 30.0)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10.0)
            self._loop.close()
            self._loop = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def bus_address(self):
        return self.radio.bus_address

    @property
    def socket_path(self):
        return self.radio.socket_path

    @property
    def env(self):
        return self.radio.env

    def wait_for_device(self, timeout=10.0):
        """See FakeRadio.wait_for_device."""
        return self.run(self.radio.wait_for_device(timeout), None)

    def wait_for_link(self, address, connected=True, timeout=10.0):
        """See FakeRadio.wait_for_link."""
        return self.run(self.radio.wait_for_link(address, connected, timeout), None)

    def wait_for(self, predicate, timeout):
        """See FakeRadio.wait_for; predicate runs on the radio's thread."""
        return self.run(self.radio.wait_for(predicate, timeout), None)

    def is_connected(self, address):
        return self._call(self.radio.is_connected, address)

    def drop_link(self, address):
        return self._call(self.radio.drop_link, address)

    def add_static_device(self, name, address, uuids=(), rssi=-70, connectable=False):
        return self._call(self.radio.add_static_device, name, address, uuids, rssi,
                          connectable)

    def inject_notification(self, address, char_uuid, data):
        return self._call(self.radio.inject_notification, address, char_uuid, data)

    def set_rssi(self, address, rssi):
        return self._call(self.radio.set_rssi, address, rssi)

    @property
    def counters(self):
        return self._call(lambda: self.radio.counters)

    def device_counters(self, address):
        return self._call(self.radio.device_counters, address)
