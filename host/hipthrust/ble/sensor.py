"""One connected hip thrust sensor: an async context manager in bleak's style.

    info = await find_sensor()
    async with Sensor(info) as sensor:            # connect, check protocol, subscribe
        print(sensor.boot_id, sensor.battery)
        await sensor.resend_from(0)               # everything the sensor still holds
        async for seq, record, data in sensor.events():
            ...                                   # protocol records, seq unwrapped

`events()` raises LinkLostError when the radio link drops; malformed
notifications are logged, counted in `malformed` and skipped.
"""

import asyncio
import logging
import time

from bleak import BleakClient
from bleak.exc import BleakError

from hipthrust.ble.errors import BleUnavailableError, LinkLostError, SensorConnectError
from hipthrust.errors import IncompatibleFirmwareError, ProtocolError
from hipthrust_core import records as P

log = logging.getLogger(__name__)

_SOFTWARE_UUID = P.sig_uuid(P.DIS_SOFTWARE_UUID16)
_FIRMWARE_UUID = P.sig_uuid(P.DIS_FIRMWARE_UUID16)
_MODEL_UUID = P.sig_uuid(P.DIS_MODEL_UUID16)
_BATTERY_UUID = P.sig_uuid(P.BATTERY_LEVEL_UUID16)

# Errors bleak (and dbus-fast below it) raise when the radio or the OS stack fails.
_BLE_ERRORS = (BleakError, asyncio.TimeoutError, OSError, EOFError)

_LINK_LOST = object()
_CLOSED = object()


def check_protocol_version(text):
    """The protocol version (int) in a Device Information software revision string.

    Raises IncompatibleFirmwareError when it is unreadable or outside
    protocol.HOST_MIN_PROTOCOL..HOST_MAX_PROTOCOL, telling what to flash or upgrade.
    """
    try:
        version = int(text.strip())
    except ValueError:
        raise IncompatibleFirmwareError(
            None,
            f"the sensor reports protocol version {text!r}, not a hip thrust firmware; "
            "flash it with `hipthrust flash`",
        ) from None
    lo, hi = P.HOST_MIN_PROTOCOL, P.HOST_MAX_PROTOCOL
    if version < lo:
        raise IncompatibleFirmwareError(
            version,
            f"the sensor runs firmware with protocol v{version}, this hipthrust needs "
            f"v{lo}..v{hi}; flash the firmware of this hipthrust release with `hipthrust flash`",
        )
    if version > hi:
        raise IncompatibleFirmwareError(
            version,
            f"the sensor runs firmware with protocol v{version}, newer than this hipthrust "
            f"reads (v{lo}..v{hi}); upgrade hipthrust, or flash its firmware with "
            "`hipthrust flash`",
        )
    return version


class Sensor:
    """A hip thrust sensor to connect to: `async with Sensor(target) as sensor:`.

    target: a SensorInfo from find_sensor(s), a bleak BLEDevice, or an address.
    timeout: connection timeout (s). raw: also subscribe to raw IMU samples
    (they come out of events() as records.Raw records with their own sequence).

    After connecting: `status` (protocol.StatusChar), `boot_id`, `battery` (%),
    `protocol_version`, `firmware`, `model`, `malformed` (notifications skipped).
    """

    def __init__(self, target, *, timeout=10.0, raw=False):
        device = getattr(target, "device", None) or target
        self._target = device
        self.address = getattr(device, "address", None) or str(device)
        self.name = getattr(target, "name", None) or self.address
        self.timeout = timeout
        self.raw = raw
        self.status = None
        self.protocol_version = None
        self.firmware = None
        self.model = None
        self.battery = None
        self.malformed = 0
        self.last_seq = None  # last unwrapped event seq seen or resent from; set by the caller
        self._last_raw_seq = None
        self.received_at = None
        self._client = None
        self._queue = asyncio.Queue()
        self._connected = False

    @property
    def boot_id(self):
        """The sensor's random id of its current boot (from the status characteristic)."""
        return None if self.status is None else self.status.boot_id

    @property
    def is_connected(self):
        """True while the radio link is up."""
        return self._connected

    async def __aenter__(self):
        await self.connect()
        return self

    async def __aexit__(self, *exc):
        await self.disconnect()

    # ------------------------------------------------------------ connection

    async def connect(self):
        """Connect, check the protocol version, read status, subscribe to events.

        Raises SensorConnectError (link or GATT failure), IncompatibleFirmwareError,
        BleUnavailableError (no Bluetooth stack).
        """
        self._queue = asyncio.Queue()
        self._client = BleakClient(
            self._target, disconnected_callback=self._on_disconnect, timeout=self.timeout
        )
        try:
            await self._client.connect()
            self._connected = True
            self.protocol_version = check_protocol_version(await self._read_text(_SOFTWARE_UUID))
            self.firmware = await self._read_text(_FIRMWARE_UUID, optional=True)
            self.model = await self._read_text(_MODEL_UUID, optional=True)
            await self.read_status()
            await self._client.start_notify(P.EVENTS_UUID, self._on_event)
            if self.raw:
                await self._client.start_notify(P.RAW_UUID, self._on_raw)
        except (IncompatibleFirmwareError, ProtocolError):
            await self.disconnect()
            raise
        except FileNotFoundError as exc:  # no D-Bus system bus socket: no BlueZ at all
            await self.disconnect()
            raise BleUnavailableError(exc) from exc
        except _BLE_ERRORS as exc:
            await self.disconnect()
            raise SensorConnectError(self.address, exc) from exc

    async def disconnect(self):
        """Disconnect (also after a link loss, so bleak frees its bus connection)."""
        client, self._client = self._client, None
        self._connected = False
        self._queue.put_nowait(_CLOSED)
        if client is None:
            return
        try:
            await client.disconnect()
        except _BLE_ERRORS as exc:
            log.debug("disconnect from %s: %s", self.address, exc)

    def _on_disconnect(self, _client):
        if self._connected:
            self._connected = False
            self._queue.put_nowait(_LINK_LOST)

    # ------------------------------------------------------------ reads and writes

    async def _read_text(self, uuid, optional=False):
        try:
            data = await self._client.read_gatt_char(uuid)
        except BleakError:
            if optional:
                return None
            raise
        return bytes(data).decode("utf-8", "replace")

    async def read_status(self):
        """Read the status characteristic: a protocol.StatusChar (boot_id, next_seq,
        battery %, state, flags); also updates `status` and `battery`."""
        data = await self._call(self._client.read_gatt_char(P.STATUS_UUID))
        self.status = P.decode_status_char(bytes(data))
        self.battery = self.status.battery
        return self.status

    async def read_battery(self):
        """Read the Battery Level characteristic (%), or None when the sensor has none."""
        try:
            data = await self._call(self._client.read_gatt_char(_BATTERY_UUID))
        except SensorConnectError:
            return None
        if data:
            self.battery = data[0]
        return self.battery

    async def send(self, cmd, a=0, b=0):
        """Write control command cmd (protocol.C_*) with arguments a, b (see
        records.command). The sensor answers with a REPLY record on events()."""
        data = P.command(cmd, a, b)
        if self._client is None:
            raise LinkLostError(self.address)
        char = self._client.services.get_characteristic(P.CONTROL_UUID)
        response = char is not None and "write" in char.properties
        await self._call(self._client.write_gatt_char(P.CONTROL_UUID, data, response=response))

    async def resend_from(self, seq):
        """Ask the sensor to re-notify every record it holds from unwrapped seq on."""
        if self.last_seq is None:
            self.last_seq = seq - 1
        await self.send(P.C_RESEND, seq & 0xFFFF)

    async def set_raw(self, on):
        """Switch raw sample streaming on or off."""
        await self.send(P.C_RAW, 1 if on else 0)

    async def _call(self, coro):
        if self._client is None:
            coro.close()
            raise LinkLostError(self.address)
        try:
            return await coro
        except _BLE_ERRORS as exc:
            if not self._connected:
                raise LinkLostError(self.address) from exc
            raise SensorConnectError(self.address, exc) from exc

    # ------------------------------------------------------------ notifications

    def _on_event(self, _char, data):
        self._queue.put_nowait((False, bytes(data), time.time()))

    def _on_raw(self, _char, data):
        self._queue.put_nowait((True, bytes(data), time.time()))

    async def next_event(self, timeout=None):
        """The next (seq, record, data), or None when nothing came within timeout (s).

        seq is unwrapped (int), record a protocol namedtuple, data the notification
        bytes; `received_at` then holds the host clock (s since the epoch) when it
        arrived. Raw samples come as records.Raw records with their own sequence.
        Malformed notifications are logged, counted in `malformed` and skipped.
        Raises LinkLostError when the link dropped or the sensor was disconnected.
        """
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while True:
            wait = None if deadline is None else max(0.0, deadline - loop.time())
            try:
                item = await asyncio.wait_for(self._queue.get(), wait)
            except asyncio.TimeoutError:
                return None
            if item is _CLOSED or item is _LINK_LOST:
                self._queue.put_nowait(item)  # every later call sees it too
                raise LinkLostError(self.address)
            decoded = self._decode(*item)
            if decoded is not None:
                return decoded

    def _decode(self, is_raw, data, received_at):
        try:
            record = P.decode(data)
        except ProtocolError as exc:
            self.malformed += 1
            log.warning("skipped malformed notification from %s: %s", self.address, exc)
            return None
        if is_raw != isinstance(record, P.Raw):
            self.malformed += 1
            log.warning("skipped a record on the wrong characteristic from %s: %s",
                        self.address, data.hex())
            return None
        if is_raw:
            seq = P.extend_seq(self._last_raw_seq, record.seq)
            self._last_raw_seq = seq
        else:
            seq = P.extend_seq(self.last_seq, record.seq)
            self.last_seq = seq
        if isinstance(record, P.Status):
            self.battery = record.battery
        self.received_at = received_at
        return seq, record, data

    async def events(self):
        """Async iterator of next_event() results: (seq, record, data) until the link
        drops (LinkLostError) or disconnect() is called (the iteration ends)."""
        while True:
            try:
                item = await self.next_event()
            except LinkLostError:
                if self._client is None:
                    return
                raise
            yield item
