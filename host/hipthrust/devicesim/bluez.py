"""A fake BlueZ (`org.bluez`) on a private D-Bus, for the real bleak client with no radio.

    bus = PrivateSystemBus(); address = bus.start()
    bluez = FakeBluez(address)
    await bluez.start()                      # owns org.bluez once this returns
    bluez.add_peripheral(Peripheral("24:0A:C4:00:1A:2B", name="HipThrust-1A2B",
                                    uuids=[SERVICE_UUID], link=my_link))
    ...                                      # bleak (DBUS_SYSTEM_BUS_ADDRESS=address) scans,
    await bluez.stop()                       # connects, reads, writes, subscribes

Everything runs in the event loop that called start(); every method here must be
called from that loop. A `Peripheral` is one BLE device in range: its advertising
data, its GATT table and an optional `link` (the radio bridge, see bridge.py) that
receives connect/disconnect/mtu/write and serves reads. Behaviour follows BlueZ as
bleak sees it:
- Device1 objects appear (InterfacesAdded) only while some client discovers, and
  each advertising device is re-announced every `advertise_interval_s` (an RSSI
  PropertiesChanged), because bleak only sees what arrives after StartDiscovery.
  The UUIDs discovery filter is applied per client.
- Connect waits (up to `connect_timeout_s`) for a connectable advertisement, stops
  the peripheral's advertising, then: Connected, MTU exchange, the GATT objects
  (<dev>/serviceXXXX/charXXXX/descXXXX), ServicesResolved. A link loss is the
  reverse: ServicesResolved false, GATT objects removed, Connected false.
- Notifications are PropertiesChanged of a characteristic's Value, only while some
  client has called StartNotify; reads also update and signal Value (as BlueZ does).
- A client that leaves the bus loses its discovery and notify sessions, but the
  link stays up (BlueZ does not disconnect a device when its app dies).
- The GATT Battery service is hidden and its level shown as Battery1.Percentage on
  the device, as BlueZ's battery plugin does (hide_battery_service=False: not).
- A peripheral that went away (`present` false) is removed after
  `temporary_timeout_s`, like BlueZ's temporary devices.
"""

import asyncio
import itertools
import logging
import select
from collections import Counter

from dbus_fast import BusType, Message, MessageType
from dbus_fast.aio import MessageBus

from hipthrust.devicesim import bluez_objects as O
from hipthrust.devicesim.bluez_links import Links
from hipthrust.devicesim.dbus_bus import BusError

log = logging.getLogger(__name__)

BLUEZ_NAME = "org.bluez"
ADAPTER_PATH = "/org/bluez/hci0"
ADAPTER_ADDRESS = "F0:0D:CA:FE:00:01"  # the fake controller's own address

# MicroPython bluetooth.FLAG_* bits -> BlueZ GattCharacteristic1.Flags strings
FLAG_NAMES = (
    (0x01, "broadcast"),
    (0x02, "read"),
    (0x04, "write-without-response"),
    (0x08, "write"),
    (0x10, "notify"),
    (0x20, "indicate"),
    (0x40, "authenticated-signed-writes"),
)


def flags_to_bluez(bits):
    """BlueZ flag strings for MicroPython FLAG_* bits (an int)."""
    return [name for bit, name in FLAG_NAMES if bits & bit]


class Peripheral:
    """One BLE device in range of the fake adapter.

    address: "AA:BB:CC:DD:EE:FF"; name: advertised name or None; uuids: advertised
    service UUIDs (full lower-case strings); rssi: dBm; services: GATT table, a list
    of (service_uuid, [(char_uuid, bluez_flags, value_handle), ...]); values: value
    handle -> bytes a read returns; mtu: the device's largest ATT MTU (None: not
    known, taken as the default 23); link: None
    (a static device, GATT reads return `values`) or an object with connect(conn),
    disconnect(conn), mtu(conn, mtu), write(conn, handle, data) methods.
    """

    def __init__(self, address, name=None, uuids=(), rssi=-60, connectable=True,
                 address_type="public", link=None):
        self.address = address.upper()
        self.name = name
        self.uuids = [u.lower() for u in uuids]
        self.rssi = rssi
        self.connectable = connectable
        self.address_type = address_type
        self.manufacturer_data = {}  # company id (int) -> bytes
        self.service_data = {}  # uuid string -> bytes
        self.link = link
        self.services = []
        self.values = {}
        self.mtu = None  # largest ATT MTU the device accepts, None: not told
        self.advertising = link is None  # a static device advertises from the start
        self.present = True  # False once its process went away
        self.gone_at = None  # loop time it went away
        self.conn = None  # connection handle while connected
        self.services_resolved = False
        self.connecting = False  # a Device1.Connect is waiting for it
        self.battery_handle = None  # Battery Level value handle, when BlueZ claims it
        self.counters = Counter()

    @property
    def path(self):
        """D-Bus object path of its Device1."""
        return "{}/dev_{}".format(ADAPTER_PATH, self.address.replace(":", "_"))


class FakeBluez(Links):
    """org.bluez on the bus at `bus_address`; see the module docstring."""

    def __init__(self, bus_address, advertise_interval_s=0.05, connect_timeout_s=5.0,
                 temporary_timeout_s=30.0, hide_battery_service=True):
        self.bus_address = bus_address
        self.hide_battery_service = hide_battery_service
        self.advertise_interval_s = advertise_interval_s
        self.connect_timeout_s = connect_timeout_s
        self.temporary_timeout_s = temporary_timeout_s
        self.peripherals = {}  # address -> Peripheral
        self.counters = Counter()
        self.sender = None  # unique name of the client whose method call is running
        self._bus = None
        self._adapter = None
        self._devices = {}  # address -> exported Device
        self._gatt = {}  # address -> list of (path, interface) exported for its link
        self._filters = {}  # client -> set of UUIDs (empty: any) from SetDiscoveryFilter
        self._discovering = set()  # clients with a discovery session
        self._conn_ids = itertools.count(1)
        self._changed = None
        self._ticker = None

    # ------------------------------------------------------------ life cycle

    async def start(self):
        """Connect to the bus, export the adapter and own `org.bluez` (polls until the
        bus answers). Raises BusError if the name cannot be owned."""
        self._changed = asyncio.Event()
        self._bus = await MessageBus(bus_address=self.bus_address,
                                     bus_type=BusType.SYSTEM).connect()
        self._bus.add_message_handler(self._on_message)
        # know when a client leaves, to end its discovery and notify sessions
        await self._bus.call(Message(
            destination="org.freedesktop.DBus", path="/org/freedesktop/DBus",
            interface="org.freedesktop.DBus", member="AddMatch", signature="s",
            body=["type='signal',sender='org.freedesktop.DBus',member='NameOwnerChanged'"]))
        self._adapter = O.Adapter(self, ADAPTER_ADDRESS)
        self._bus.export(ADAPTER_PATH, self._adapter)
        reply = await self._bus.request_name(BLUEZ_NAME)
        if reply.value != 1:  # RequestNameReply.PRIMARY_OWNER
            raise BusError(f"could not own {BLUEZ_NAME} on the private bus ({reply})")
        self._ticker = asyncio.ensure_future(self._advertise_loop())

    async def stop(self):
        """Stop announcing and leave the bus."""
        if self._ticker is not None:
            self._ticker.cancel()
            try:
                await self._ticker
            except asyncio.CancelledError:
                pass
            self._ticker = None
        if self._bus is not None and self._bus.connected:
            # the bus object stays: late calls (a device leaving) then signal nothing
            self._bus.disconnect()
            try:
                await asyncio.wait_for(self._bus.wait_for_disconnect(), 2.0)
            except (asyncio.TimeoutError, OSError, EOFError):
                pass

    def _on_message(self, msg):
        # Runs before dbus-fast dispatches a call to our objects: remember the caller
        # so the (synchronous) method can file its session under it.
        if msg.message_type == MessageType.METHOD_CALL:
            self.sender = msg.sender
        elif (msg.message_type == MessageType.SIGNAL and msg.member == "NameOwnerChanged"
              and msg.sender == "org.freedesktop.DBus"):
            name, _old, new = msg.body
            if name.startswith(":") and not new:
                self._client_left(name)
        return None

    def _client_left(self, client):
        self._filters.pop(client, None)
        if client in self._discovering:
            self._discovering.discard(client)
            self._discovery_changed()
        for exported in self._gatt.values():
            for _path, obj in exported:
                if isinstance(obj, O.GattCharacteristic):
                    obj.drop_client(client)

    async def wait_writable(self):
        """Back-pressure for bursts of signals: wait until our bus socket has room.

        dbus-fast (5.x) treats EAGAIN on its non-blocking socket as fatal and drops
        the connection, so a caller emitting signals one after another (the radio
        bridge forwarding notifications) waits here first, leaving the daemon time
        to drain. Writable means the socket buffer is at most a quarter full."""
        fd = getattr(self._bus, "_fd", None)
        while fd is not None and not select.select([], [fd], [], 0)[1]:
            self.counters["bus_waits"] += 1
            await asyncio.sleep(0.001)
            fd = getattr(self._bus, "_fd", None)

    def poke(self):
        """Wake every wait_until(): call after any state change."""
        if self._changed is not None:
            self._changed.set()
            self._changed = asyncio.Event()

    async def wait_until(self, predicate, timeout):
        """Wait until predicate() is true (re-checked at each state change), at most
        timeout s. Returns its last value."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            left = deadline - loop.time()
            if left <= 0:
                return predicate()
            try:
                await asyncio.wait_for(self._changed.wait(), left)
            except asyncio.TimeoutError:
                return predicate()
        return True

    # ------------------------------------------------------------ peripherals

    def add_peripheral(self, p):
        """Put a peripheral in range (or bring a known address back into range)."""
        old = self.peripherals.get(p.address)
        if old is not None and old is not p:
            # the same address again (a reboot): BlueZ keeps the Device1 object
            if old.conn is not None:
                self._link_down(old)
            dev = self._devices.get(p.address)
            if dev is not None:
                dev.p = p
        self.peripherals[p.address] = p
        p.present = True
        p.gone_at = None
        self.poke()

    def peripheral_gone(self, p):
        """The peripheral left (process ended): its link drops; its object lingers
        for temporary_timeout_s."""
        if self.peripherals.get(p.address) is not p:
            return  # already replaced by a newer connection from the same address
        if p.conn is not None:
            self._link_down(p)
        p.present = False
        p.advertising = False
        p.gone_at = asyncio.get_running_loop().time()
        self.poke()

    def advertisement_changed(self, p):
        """Call after changing a peripheral's name/uuids/data/advertising state."""
        dev = self._devices.get(p.address)
        if dev is not None:
            if isinstance(dev, O.NamedDevice) != bool(p.name) and p.conn is None:
                self._unexport_device(p.address)  # re-announced with(out) Name
            else:
                dev.emit_properties_changed({
                    "Alias": dev.Alias, "UUIDs": dev.UUIDs,
                    "ManufacturerData": dev.ManufacturerData, "ServiceData": dev.ServiceData,
                    **({"Name": p.name} if p.name else {})})
        self.poke()

    def set_rssi(self, address, rssi):
        """Change a peripheral's signal strength (dBm)."""
        self.peripherals[address.upper()].rssi = rssi

    def is_connected(self, address):
        """True while the peripheral has a link to the adapter."""
        p = self.peripherals.get(address.upper())
        return p is not None and p.conn is not None

    @property
    def discovering(self):
        """True while at least one client discovers."""
        return bool(self._discovering)

    def _matches_filter(self, p):
        for client in self._discovering:
            wanted = self._filters.get(client)
            if not wanted or wanted.intersection(p.uuids):
                return True
        return False

    async def _advertise_loop(self):
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self.advertise_interval_s)
            try:
                self._advertise_tick(loop.time())
            except Exception:  # keep announcing unless the bus itself is gone
                log.exception("fake BlueZ: advertising tick failed")
                if not self._bus.connected:
                    return

    def _advertise_tick(self, now):
        """One round of re-announcements; forget devices gone for too long."""
        for p in list(self.peripherals.values()):
            if not p.present and p.conn is None and now - p.gone_at > self.temporary_timeout_s:
                self._unexport_device(p.address)
                del self.peripherals[p.address]
                continue
            if not (p.advertising and p.present and self._matches_filter(p)):
                continue
            dev = self._devices.get(p.address)
            if dev is None:
                self._export_device(p)
            else:
                dev.rssi_jitter = -1 - dev.rssi_jitter
                dev.emit_properties_changed({"RSSI": dev.RSSI})
            p.counters["advertisements"] += 1

    def _export_device(self, p):
        cls = O.NamedDevice if p.name else O.Device
        dev = cls(self, p, ADAPTER_PATH)
        self._devices[p.address] = dev
        self._bus.export(p.path, dev)
        self.poke()

    def _unexport_device(self, address):
        dev = self._devices.pop(address, None)
        if dev is not None:
            self._bus.unexport(dev.p.path, dev)
            self.poke()

    def device_exported(self, address):
        """True while the peripheral's Device1 object is on the bus."""
        return address.upper() in self._devices

    # ------------------------------------------------------------ Adapter1

    def set_discovery_filter(self, filters):
        """Adapter1.SetDiscoveryFilter: only the UUIDs entry is honoured."""
        uuids = filters["UUIDs"].value if "UUIDs" in filters else []
        self._filters[self.sender] = {u.lower() for u in uuids}

    def start_discovery(self):
        """Adapter1.StartDiscovery for the calling client."""
        if self.sender in self._discovering:
            raise O.bluez_error(O.E_IN_PROGRESS, "Operation already in progress")
        self._discovering.add(self.sender)
        if len(self._discovering) == 1:
            self._discovery_changed()

    def stop_discovery(self):
        """Adapter1.StopDiscovery for the calling client."""
        if self.sender not in self._discovering:
            raise O.bluez_error(O.E_FAILED, "No discovery started")
        self._discovering.discard(self.sender)
        if not self._discovering:
            self._discovery_changed()

    def _discovery_changed(self):
        self._adapter.emit_properties_changed({"Discovering": self.discovering})
        self.poke()

    def remove_device(self, path):
        """Adapter1.RemoveDevice: drop the link and the object (it comes back if it
        still advertises)."""
        for p in self.peripherals.values():
            if p.path == path and p.address in self._devices:
                if p.conn is not None:
                    self._drop(p)
                self._unexport_device(p.address)
                return
        raise O.bluez_error(O.E_DOES_NOT_EXIST, "Does Not Exist")
