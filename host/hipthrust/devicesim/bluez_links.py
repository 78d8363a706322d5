"""Links of the fake BlueZ: Device1.Connect/Disconnect, the GATT objects of a
connected peripheral, reads, writes and notifications (a mixin of FakeBluez).

On connect: Connected, the MTU exchange, the GATT objects
(<dev>/serviceXXXX/charXXXX/descXXXX, XXXX = handles as BlueZ numbers them:
service first handle, characteristic declaration, CCCD), Device1.UUIDs gains the
GATT services, Battery1 if BlueZ claims the Battery service, then ServicesResolved.
A link loss is the reverse. The device side is reached through `Peripheral.link`.
"""

from hipthrust.devicesim import bluez_objects as O

HOST_MTU = 517  # ATT MTU BlueZ asks for in its exchange; the device's preference caps it
BATTERY_SERVICE = "0000180f-0000-1000-8000-00805f9b34fb"
BATTERY_LEVEL = "00002a19-0000-1000-8000-00805f9b34fb"
# GAP and GATT services every BLE stack (NimBLE, BTstack) serves; BlueZ lists them in
# Device1.UUIDs after a connection but never exports them as GattService1 objects.
STACK_SERVICES = ["00001800-0000-1000-8000-00805f9b34fb",
                  "00001801-0000-1000-8000-00805f9b34fb"]


class Links:
    """Connection handling of FakeBluez; needs its peripherals, _devices, _gatt,
    _bus, _conn_ids, counters, wait_until() and poke()."""

    async def connect(self, p):
        """Device1.Connect: wait for a connectable advertisement, then bring the link up."""
        if p.conn is not None:
            raise O.bluez_error(O.E_ALREADY_CONNECTED, "Already Connected")
        if p.connecting:
            raise O.bluez_error(O.E_IN_PROGRESS, "In Progress")
        p.connecting = True
        address = p.address

        def ready():
            # look the address up each time: a rebooted device is a new Peripheral
            cur = self.peripherals.get(address)
            return (cur is not None and cur.present and cur.advertising and cur.connectable
                    and cur.conn is None and address in self._devices)

        try:
            ok = await self.wait_until(ready, self.connect_timeout_s)
        finally:
            p.connecting = False
        if not ok:
            raise O.bluez_error(O.E_FAILED, "Software caused connection abort")
        p = self.peripherals[address]
        conn = next(self._conn_ids)
        p.conn = conn
        p.advertising = False  # a connected peripheral stops advertising
        p.counters["connects"] += 1
        self.counters["connects"] += 1
        dev = self._devices[p.address]
        if p.link is not None:
            p.link.connect(conn)
        dev.emit_properties_changed({"Connected": True})
        # BlueZ asks for HOST_MTU; the device answers with its own limit
        mtu = min(HOST_MTU, p.mtu or 23)
        if p.link is not None:
            p.link.mtu(conn, HOST_MTU if p.mtu is None else mtu)
        self._export_gatt(p, mtu, dev)
        p.services_resolved = True
        dev.emit_properties_changed({"ServicesResolved": True})
        self.poke()

    def _export_gatt(self, p, mtu, dev):
        exported = []
        self._gatt[p.address] = exported
        p.battery_handle = None
        for service_uuid, chars in p.services:
            if self.hide_battery_service and service_uuid == BATTERY_SERVICE:
                # BlueZ's battery plugin (on by default) claims it: no GattService1
                for char_uuid, _flags, handle in chars:
                    if char_uuid == BATTERY_LEVEL:
                        p.battery_handle = handle
                continue
            first = min((h for _u, _f, h in chars), default=1)
            spath = f"{p.path}/service{max(first - 2, 1):04x}"
            obj = O.GattService(service_uuid, p.path)
            self._bus.export(spath, obj)
            exported.append((spath, obj))
            for char_uuid, flags, handle in chars:
                cpath = f"{spath}/char{handle - 1:04x}"
                char = O.GattCharacteristic(self, p, char_uuid, flags, handle, spath, mtu)
                self._bus.export(cpath, char)
                exported.append((cpath, char))
                if "notify" in flags or "indicate" in flags:
                    dpath = f"{cpath}/desc{handle + 1:04x}"
                    desc = O.GattDescriptor(char, cpath)
                    self._bus.export(dpath, desc)
                    exported.append((dpath, desc))
        dev.gatt_uuids = STACK_SERVICES + [u for u, _chars in p.services]
        dev.emit_properties_changed({"UUIDs": dev.UUIDs})
        level = p.values.get(p.battery_handle) if p.battery_handle is not None else None
        if level:  # the plugin read the level: Battery1 appears on the device
            battery = O.Battery(level[0])
            self._bus.export(p.path, battery)
            exported.append((p.path, battery))

    def disconnect(self, p):
        """Device1.Disconnect: the host ends the link (the device is told)."""
        if p.conn is not None:
            p.counters["host_disconnects"] += 1
            self._drop(p)

    def _drop(self, p):
        if p.link is not None:
            p.link.disconnect(p.conn)
        self._link_down(p)

    def drop_link(self, address):
        """Test control: link loss. The device gets "disconnect", bleak sees the device
        disconnect. Returns False when it was not connected."""
        p = self.peripherals.get(address.upper())
        if p is None or p.conn is None:
            return False
        p.counters["link_drops"] += 1
        self.counters["link_drops"] += 1
        self._drop(p)
        return True

    def link_lost(self, p):
        """The device ended the link itself (gap_disconnect)."""
        if p.conn is not None:
            self._link_down(p)

    def _link_down(self, p):
        dev = self._devices.get(p.address)
        p.services_resolved = False
        if dev is not None:
            dev.emit_properties_changed({"ServicesResolved": False})
        for path, obj in reversed(self._gatt.pop(p.address, [])):
            self._bus.unexport(path, obj)
        p.conn = None
        self.counters["disconnects"] += 1
        if dev is not None:
            dev.emit_properties_changed({"Connected": False})
        self.poke()

    def _char(self, p, handle):
        for _path, obj in self._gatt.get(p.address, ()):
            if isinstance(obj, O.GattCharacteristic) and obj.handle == handle:
                return obj
        return None

    def read(self, p, handle):
        """GATT read of a value handle: the value the device last set (bytes)."""
        if p.conn is None:
            raise O.bluez_error(O.E_FAILED, "Not connected")
        p.counters["reads"] += 1
        return bytes(p.values.get(handle, b""))

    def write(self, p, handle, data, response):
        """GATT write (response: write request, else write command) to the device."""
        if p.conn is None:
            raise O.bluez_error(O.E_FAILED, "Not connected")
        p.counters["writes"] += 1
        self.counters["writes_forwarded"] += 1
        if p.link is not None:
            p.link.write(p.conn, handle, data)
        else:
            p.values[handle] = data

    def notify(self, p, handle, data):
        """A notification from the device on a value handle. Returns True when bleak
        gets it (connected, subscribed); data longer than MTU-3 is cut, as on air."""
        if p.conn is not None and handle == p.battery_handle and data:
            for _path, obj in self._gatt.get(p.address, ()):
                if isinstance(obj, O.Battery):
                    obj.update(data[0])
            self.counters["battery_updates"] += 1
            return False
        char = self._char(p, handle) if p.conn is not None else None
        if char is None or not char.notify_clients:
            self.counters["notifications_dropped"] += 1
            p.counters["notifications_dropped"] += 1
            return False
        char.set_value(bytes(data[: char.mtu - 3]))
        self.counters["notifications_forwarded"] += 1
        p.counters["notifications_forwarded"] += 1
        return True

    def inject_notification(self, address, char_uuid, data):
        """Test control: send `data` (bytes, possibly malformed) as a notification of
        the characteristic `char_uuid` of a connected device. Returns True if sent."""
        p = self.peripherals.get(address.upper())
        if p is None:
            return False
        for _path, obj in self._gatt.get(p.address, ()):
            if isinstance(obj, O.GattCharacteristic) and obj.uuid == char_uuid.lower():
                self.counters["notifications_injected"] += 1
                return self.notify(p, obj.handle, data)
        return False
