"""The D-Bus objects of the fake BlueZ: org.bluez Adapter1, Device1, GattService1,
GattCharacteristic1 and GattDescriptor1, as dbus-fast ServiceInterfaces.

Each object only holds its D-Bus face; the behaviour (discovery, connections, the
link to the device) lives in `bluez.FakeBluez`, which every object calls back.
Property and method names, signatures, paths and error names follow BlueZ's
D-Bus API (doc/org.bluez.*.rst), limited to what bleak's BlueZ backend uses.
"""

from typing import Annotated

from dbus_fast import DBusError, Variant
from dbus_fast.annotations import (
    DBusBool,
    DBusByte,
    DBusBytes,
    DBusDict,
    DBusInt16,
    DBusObjectPath,
    DBusSignature,
    DBusStr,
    DBusUInt16,
)
from dbus_fast.service import PropertyAccess, ServiceInterface, dbus_method, dbus_property

StrList = Annotated[list, DBusSignature("as")]
ManufacturerData = Annotated[dict, DBusSignature("a{qv}")]

ADAPTER_IFACE = "org.bluez.Adapter1"
DEVICE_IFACE = "org.bluez.Device1"
SERVICE_IFACE = "org.bluez.GattService1"
CHAR_IFACE = "org.bluez.GattCharacteristic1"
DESC_IFACE = "org.bluez.GattDescriptor1"
BATTERY_IFACE = "org.bluez.Battery1"

CCCD_UUID = "00002902-0000-1000-8000-00805f9b34fb"  # Client Characteristic Configuration

# BlueZ error names (src/error.c); bleak maps some of them to GATT protocol errors.
E_FAILED = "org.bluez.Error.Failed"
E_IN_PROGRESS = "org.bluez.Error.InProgress"
E_NOT_PERMITTED = "org.bluez.Error.NotPermitted"
E_NOT_SUPPORTED = "org.bluez.Error.NotSupported"
E_NOT_CONNECTED = "org.bluez.Error.NotConnected"
E_ALREADY_CONNECTED = "org.bluez.Error.AlreadyConnected"
E_DOES_NOT_EXIST = "org.bluez.Error.DoesNotExist"
E_INVALID_ARGS = "org.bluez.Error.InvalidArguments"


def bluez_error(name, text):
    """A DBusError dbus-fast sends back as the method's error reply."""
    return DBusError(name, text)


class Adapter(ServiceInterface):
    """org.bluez.Adapter1 at /org/bluez/hci0: a powered LE central that can discover."""

    def __init__(self, bluez, address):
        super().__init__(ADAPTER_IFACE)
        self._bluez = bluez
        self._address = address

    @dbus_property(PropertyAccess.READ)
    def Address(self) -> DBusStr:
        return self._address

    @dbus_property(PropertyAccess.READ)
    def AddressType(self) -> DBusStr:
        return "public"

    @dbus_property(PropertyAccess.READ)
    def Name(self) -> DBusStr:
        return "hipthrust-fake-hci0"

    @dbus_property(PropertyAccess.READ)
    def Alias(self) -> DBusStr:
        return "hipthrust-fake-hci0"

    @dbus_property(PropertyAccess.READ)
    def Powered(self) -> DBusBool:
        return True

    @dbus_property(PropertyAccess.READ)
    def Discoverable(self) -> DBusBool:
        return False

    @dbus_property(PropertyAccess.READ)
    def Pairable(self) -> DBusBool:
        return False

    @dbus_property(PropertyAccess.READ)
    def Discovering(self) -> DBusBool:
        return self._bluez.discovering

    @dbus_property(PropertyAccess.READ)
    def Roles(self) -> StrList:
        return ["central", "peripheral"]

    @dbus_property(PropertyAccess.READ)
    def UUIDs(self) -> StrList:
        return []

    @dbus_method()
    def SetDiscoveryFilter(self, filters: DBusDict):
        self._bluez.set_discovery_filter(filters)

    @dbus_method()
    def StartDiscovery(self):
        self._bluez.start_discovery()

    @dbus_method()
    def StopDiscovery(self):
        self._bluez.stop_discovery()

    @dbus_method()
    def RemoveDevice(self, device: DBusObjectPath):
        self._bluez.remove_device(device)


class Device(ServiceInterface):
    """org.bluez.Device1 of one peripheral (`bluez.Peripheral`), without a name."""

    def __init__(self, bluez, peripheral, adapter_path):
        super().__init__(DEVICE_IFACE)
        self._bluez = bluez
        self.p = peripheral
        self._adapter = adapter_path
        self.trusted = False
        self.gatt_uuids = []  # primary services found on connection (BlueZ keeps them)
        self.rssi_jitter = 0  # alternates 0/-1 so each re-advertisement changes RSSI

    @dbus_property(PropertyAccess.READ)
    def Address(self) -> DBusStr:
        return self.p.address

    @dbus_property(PropertyAccess.READ)
    def AddressType(self) -> DBusStr:
        return self.p.address_type

    @dbus_property(PropertyAccess.READ)
    def Alias(self) -> DBusStr:
        # BlueZ's alias of a nameless device is its address with dashes
        return self.p.name or self.p.address.replace(":", "-")

    @dbus_property(PropertyAccess.READ)
    def Adapter(self) -> DBusObjectPath:
        return self._adapter

    @dbus_property(PropertyAccess.READ)
    def UUIDs(self) -> StrList:
        return list(dict.fromkeys(self.p.uuids + self.gatt_uuids))

    @dbus_property(PropertyAccess.READ)
    def RSSI(self) -> DBusInt16:
        return self.p.rssi + self.rssi_jitter

    @dbus_property(PropertyAccess.READ)
    def ManufacturerData(self) -> ManufacturerData:
        return {k: Variant("ay", v) for k, v in self.p.manufacturer_data.items()}

    @dbus_property(PropertyAccess.READ)
    def ServiceData(self) -> DBusDict:
        return {k: Variant("ay", v) for k, v in self.p.service_data.items()}

    @dbus_property(PropertyAccess.READ)
    def Connected(self) -> DBusBool:
        return self.p.conn is not None

    @dbus_property(PropertyAccess.READ)
    def ServicesResolved(self) -> DBusBool:
        return self.p.services_resolved

    @dbus_property(PropertyAccess.READ)
    def Paired(self) -> DBusBool:
        return False

    @dbus_property(PropertyAccess.READ)
    def Bonded(self) -> DBusBool:
        return False

    @dbus_property(PropertyAccess.READ)
    def Blocked(self) -> DBusBool:
        return False

    @dbus_property(PropertyAccess.READ)
    def LegacyPairing(self) -> DBusBool:
        return False

    @dbus_property()
    def Trusted(self) -> DBusBool:
        return self.trusted

    @Trusted.setter
    def Trusted(self, value: DBusBool):
        self.trusted = value

    @dbus_method()
    async def Connect(self):
        await self._bluez.connect(self.p)

    @dbus_method()
    def Disconnect(self):
        self._bluez.disconnect(self.p)


class NamedDevice(Device):
    """Device1 of a peripheral that advertises a name (BlueZ omits Name otherwise)."""

    @dbus_property(PropertyAccess.READ)
    def Name(self) -> DBusStr:
        return self.p.name


class Battery(ServiceInterface):
    """org.bluez.Battery1 on a device path: BlueZ's battery plugin claims the GATT
    Battery service (hiding it from GattService1) and shows its level here."""

    def __init__(self, percentage):
        super().__init__(BATTERY_IFACE)
        self.percentage = percentage

    @dbus_property(PropertyAccess.READ)
    def Percentage(self) -> DBusByte:
        return self.percentage

    def update(self, percentage):
        """A new level (%): signalled only when it changed, as BlueZ does."""
        if percentage != self.percentage:
            self.percentage = percentage
            self.emit_properties_changed({"Percentage": percentage})


class GattService(ServiceInterface):
    """org.bluez.GattService1 at <device>/serviceXXXX (XXXX its first handle, hex)."""

    def __init__(self, uuid, device_path):
        super().__init__(SERVICE_IFACE)
        self._uuid = uuid
        self._device = device_path

    @dbus_property(PropertyAccess.READ)
    def UUID(self) -> DBusStr:
        return self._uuid

    @dbus_property(PropertyAccess.READ)
    def Device(self) -> DBusObjectPath:
        return self._device

    @dbus_property(PropertyAccess.READ)
    def Primary(self) -> DBusBool:
        return True


class GattCharacteristic(ServiceInterface):
    """org.bluez.GattCharacteristic1 at <service>/charXXXX (XXXX its declaration handle).

    `handle` is the device's value handle (declaration + 1), the one MicroPython uses.
    """

    def __init__(self, bluez, peripheral, uuid, flags, handle, service_path, mtu):
        super().__init__(CHAR_IFACE)
        self._bluez = bluez
        self.p = peripheral
        self.uuid = uuid
        self.flags = list(flags)
        self.handle = handle
        self._service = service_path
        self.mtu = mtu
        self.value = b""
        self.notify_clients = set()  # D-Bus unique names that called StartNotify

    @dbus_property(PropertyAccess.READ)
    def UUID(self) -> DBusStr:
        return self.uuid

    @dbus_property(PropertyAccess.READ)
    def Service(self) -> DBusObjectPath:
        return self._service

    @dbus_property(PropertyAccess.READ)
    def Flags(self) -> StrList:
        return self.flags

    @dbus_property(PropertyAccess.READ)
    def Value(self) -> DBusBytes:
        return self.value

    @dbus_property(PropertyAccess.READ)
    def Notifying(self) -> DBusBool:
        return bool(self.notify_clients)

    @dbus_property(PropertyAccess.READ)
    def MTU(self) -> DBusUInt16:
        return self.mtu

    def set_value(self, data):
        """Cache a new value and signal it: this is how bleak receives notifications."""
        self.value = bytes(data)
        self.emit_properties_changed({"Value": self.value})

    @dbus_method()
    def ReadValue(self, options: DBusDict) -> DBusBytes:
        if "read" not in self.flags:
            raise bluez_error(E_NOT_PERMITTED, "Read not permitted")
        data = self._bluez.read(self.p, self.handle)
        offset = options["offset"].value if "offset" in options else 0
        if offset > len(data):
            raise bluez_error(E_INVALID_ARGS, "Invalid offset")
        # BlueZ caches what it read in Value and signals it, like a notification
        self.set_value(data)
        return data[offset:]

    @dbus_method()
    def WriteValue(self, value: DBusBytes, options: DBusDict):
        kind = options["type"].value if "type" in options else None
        if kind is None:
            kind = "request" if "write" in self.flags else "command"
        if kind in ("request", "reliable") and "write" not in self.flags:
            raise bluez_error(E_NOT_SUPPORTED, "Operation is not supported")
        if kind == "command" and "write-without-response" not in self.flags:
            raise bluez_error(E_NOT_SUPPORTED, "Operation is not supported")
        self._bluez.write(self.p, self.handle, bytes(value), kind != "command")

    @dbus_method()
    def StartNotify(self):
        if "notify" not in self.flags and "indicate" not in self.flags:
            raise bluez_error(E_NOT_SUPPORTED, "Operation is not supported")
        sender = self._bluez.sender
        if sender in self.notify_clients:
            raise bluez_error(E_IN_PROGRESS, "In Progress")
        was = bool(self.notify_clients)
        self.notify_clients.add(sender)
        if not was:
            self.emit_properties_changed({"Notifying": True})

    @dbus_method()
    def StopNotify(self):
        sender = self._bluez.sender
        if sender not in self.notify_clients:
            raise bluez_error(E_FAILED, "No notify session started")
        self.drop_client(sender)

    def drop_client(self, sender):
        """Forget one client's notify session (StopNotify, or the client left the bus)."""
        if sender in self.notify_clients:
            self.notify_clients.discard(sender)
            if not self.notify_clients:
                self.emit_properties_changed({"Notifying": False})

    @dbus_method()
    def AcquireWrite(self, options: DBusDict) -> Annotated[tuple, DBusSignature("hq")]:
        raise bluez_error(E_NOT_SUPPORTED, "Operation is not supported")

    @dbus_method()
    def AcquireNotify(self, options: DBusDict) -> Annotated[tuple, DBusSignature("hq")]:
        raise bluez_error(E_NOT_SUPPORTED, "Operation is not supported")


class GattDescriptor(ServiceInterface):
    """org.bluez.GattDescriptor1 of the CCCD (0x2902) of a notify characteristic.

    BlueZ manages the CCCD itself: clients read it, StartNotify writes it."""

    def __init__(self, characteristic, char_path):
        super().__init__(DESC_IFACE)
        self._char = characteristic
        self._char_path = char_path

    @dbus_property(PropertyAccess.READ)
    def UUID(self) -> DBusStr:
        return CCCD_UUID

    @dbus_property(PropertyAccess.READ)
    def Characteristic(self) -> DBusObjectPath:
        return self._char_path

    @dbus_property(PropertyAccess.READ)
    def Value(self) -> DBusBytes:
        return self._cccd()

    @dbus_property(PropertyAccess.READ)
    def Flags(self) -> StrList:
        return ["read", "write"]

    def _cccd(self):
        return b"\x01\x00" if self._char.notify_clients else b"\x00\x00"

    @dbus_method()
    def ReadValue(self, options: DBusDict) -> DBusBytes:
        return self._cccd()

    @dbus_method()
    def WriteValue(self, value: DBusBytes, options: DBusDict):
        raise bluez_error(E_NOT_PERMITTED, "Write not permitted")
