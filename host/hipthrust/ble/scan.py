"""Find hip thrust sensors: a BLE scan filtered on our service UUID.

    infos = await find_sensors(timeout=5.0)          # every sensor in range
    info = await find_sensor("HipThrust-1A2B")       # one sensor, or None

Only bleak's public API is used; bleak errors are wrapped in BleUnavailableError.
"""

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from bleak import BleakScanner
from bleak.exc import BleakError

try:  # bleak >= 3.1: devices already connected at the OS level (no advertising then)
    from bleak import BleakAdapter
except ImportError:  # pragma: no cover - older bleak
    BleakAdapter = None

from hipthrust.ble.errors import BleUnavailableError
from hipthrust.errors import DeviceNotFoundError
from hipthrust_core import protocol as P

log = logging.getLogger(__name__)

# After the first sensor answers, keep listening this long (s) to notice a second
# one in range: connecting to "the only sensor" must not pick one of two at random.
OTHERS_GRACE_S = 1.0

_BATTERY_UUID = P.sig_uuid(P.BATTERY_UUID16)


@dataclass
class SensorInfo:
    """One sensor seen in a scan.

    name: advertised name ("HipThrust-1A2B"); address: Bluetooth address;
    rssi: signal strength in dBm (None if unknown); battery: percent, when the
    advertisement carries Battery service data, else None; device: bleak's
    BLEDevice, handed to Sensor to connect without scanning again.
    """

    name: str
    address: str
    rssi: int | None
    battery: int | None
    device: Any = None

    def label(self):
        """`name (address)`, for messages."""
        return f"{self.name} ({self.address})"


def _is_sensor(adv):
    uuids = [u.lower() for u in (adv.service_uuids or [])]
    return P.SERVICE_UUID in uuids


def _info(device, adv):
    battery = None
    data = (adv.service_data or {}).get(_BATTERY_UUID)
    if data and data[0] <= 100:
        battery = data[0]
    name = adv.local_name or device.name or device.address
    return SensorInfo(name, device.address, adv.rssi, battery, device)


def _matches(info, wanted):
    w = wanted.lower()
    return info.name.lower() == w or info.address.lower() == w


async def _scan(timeout, stop_when=None, linger=0.0):
    """Scan up to timeout (s); returns {address: SensorInfo} of sensors seen.

    stop_when(found) -> bool ends the scan early, after lingering linger (s) more.
    """
    found = {}
    done = asyncio.Event()

    def on_adv(device, adv):
        if not _is_sensor(adv):
            return  # another BLE device nearby: not ours
        found[device.address] = _info(device, adv)
        if stop_when is not None and stop_when(found):
            done.set()

    try:
        async with BleakScanner(on_adv, service_uuids=[P.SERVICE_UUID]):
            try:
                await asyncio.wait_for(done.wait(), timeout)
            except asyncio.TimeoutError:
                pass
            else:
                if linger:
                    await asyncio.sleep(linger)
    except (BleakError, OSError, EOFError) as exc:
        raise BleUnavailableError(exc) from exc
    return found


async def _already_connected():
    """{address: SensorInfo} of our sensors the OS is already connected to.

    A connected sensor does not advertise, and BlueZ keeps the link when a host
    program dies (kill -9): a restarted `hipthrust live` must still find it.
    """
    if BleakAdapter is None:
        return {}
    try:
        adapter = await BleakAdapter.get()
        devices = await adapter.get_connected_devices([P.SERVICE_UUID])
    except (BleakError, NotImplementedError, OSError, EOFError) as exc:
        log.debug("no list of connected devices: %s", exc)
        return {}
    return {d.address: SensorInfo(d.name or d.address, d.address, None, None, d)
            for d in devices}


async def find_sensors(timeout=5.0):
    """Every hip thrust sensor advertising within timeout (s), strongest signal first.

    Devices that do not advertise protocol.SERVICE_UUID are ignored.
    Raises BleUnavailableError when Bluetooth cannot be used.
    """
    found = await _already_connected()
    found.update(await _scan(timeout))
    return sorted(found.values(), key=lambda i: -(i.rssi if i.rssi is not None else -999))


async def find_sensor(name_or_address=None, timeout=5.0):
    """The sensor named name_or_address (advertised name or address, any case), or
    the only sensor in range when None. Returns a SensorInfo, or None when nothing
    answered within timeout (s).

    Raises DeviceNotFoundError when no name was given and several sensors are in
    range (the message lists them), BleUnavailableError when Bluetooth cannot be used.
    """
    connected = await _already_connected()
    if name_or_address is not None:
        for info in connected.values():
            if _matches(info, name_or_address):
                return info
        found = await _scan(timeout, lambda f: any(_matches(i, name_or_address)
                                                   for i in f.values()))
        for info in found.values():
            if _matches(info, name_or_address):
                return info
        return None
    # No name: the first sensor, plus a short grace to notice a second one.
    if connected:
        found = dict(connected)
        found.update(await _scan(OTHERS_GRACE_S))
    else:
        found = await _scan(timeout, bool, linger=OTHERS_GRACE_S)
    if not found:
        return None
    if len(found) > 1:
        names = ", ".join(i.label() for i in found.values())
        raise DeviceNotFoundError(
            None,
            f"{len(found)} sensors in range: {names}; choose one with --device NAME",
        )
    return next(iter(found.values()))
