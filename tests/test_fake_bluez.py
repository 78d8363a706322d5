"""The fake BlueZ on a private D-Bus, driven by the REAL bleak client.

A StandInDevice (tests/ble_fixtures.py) plays the firmware's radio side over the
radio bridge; bleak talks to the fake org.bluez through DBUS_SYSTEM_BUS_ADDRESS.
Waits are event driven (FakeRadio.wait_for / asyncio events) with generous caps.
"""

import asyncio
import os

import pytest
from bleak import BleakAdapter, BleakClient, BleakScanner
from bleak.exc import BleakError
from dbus_fast import BusType, Message, unpack_variants
from dbus_fast.aio import MessageBus

from hipthrust.devicesim.dbus_bus import BusError, PrivateSystemBus, private_system_bus
from hipthrust.devicesim.fake_radio import ThreadedFakeRadio
from hipthrust_core import protocol as P
from tests.ble_fixtures import (
    BATTERY_HANDLE,
    CONTROL_HANDLE,
    MAC,
    STATUS_HANDLE,
    StandInDevice,
    run_with_radio,
)

ADDRESS = MAC.upper()
OTHER = "11:22:33:44:55:66"
CAP = 5.0  # s: upper bound of any single wait; the expected time is milliseconds


async def find(address=ADDRESS, timeout=CAP):
    device = await BleakScanner.find_device_by_address(address, timeout=timeout)
    assert device is not None, f"{address} not found by a scan"
    return device


async def wait_event(event):
    await asyncio.wait_for(event.wait(), CAP)


# ------------------------------------------------------------------ the private bus


def test_private_bus_starts_listens_and_cleans_up():
    bus = PrivateSystemBus()
    address = bus.start()
    try:
        assert address.startswith("unix:path=")
        path = address[len("unix:path="):].split(",")[0]
        assert os.path.exists(path)
        assert bus.running
    finally:
        bus.stop()
    assert not bus.running
    assert not os.path.exists(path)


def test_private_bus_context_manager_yields_address():
    with private_system_bus() as address:
        assert address.startswith("unix:path=")


def test_missing_dbus_daemon_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BusError, match="sudo apt-get install dbus-daemon"):
        PrivateSystemBus().start()


# ------------------------------------------------------------------ discovery


def test_service_filter_finds_sensor_but_not_unrelated_device(monkeypatch):
    async def body(radio, dev):
        radio.add_static_device("Heart", OTHER, uuids=[0x180D], rssi=-80)
        # a plain scan sees both, with their names, services and signal
        seen = await BleakScanner.discover(timeout=0.4, return_adv=True)
        by_address = {d.address: (d, adv) for d, adv in seen.values()}
        assert set(by_address) == {ADDRESS, OTHER}
        sensor, adv = by_address[ADDRESS]
        assert sensor.name == "HipThrust-1A2B"
        assert adv.service_uuids == [P.SERVICE_UUID]
        assert -62 <= adv.rssi <= -60
        other, adv = by_address[OTHER]
        assert other.name == "Heart"
        assert adv.service_uuids == [P.sig_uuid(0x180D)]
        # filtered on our service: only the sensor
        found = await BleakScanner.discover(timeout=0.4, service_uuids=[P.SERVICE_UUID])
        assert [d.address for d in found] == [ADDRESS]
        assert radio.device_counters(ADDRESS)["advertisements"] > 2

    run_with_radio(monkeypatch, body)


def test_set_rssi_is_seen_by_the_next_scan(monkeypatch):
    async def body(radio, dev):
        radio.set_rssi(ADDRESS, -40)
        seen = await BleakScanner.discover(timeout=0.3, return_adv=True)
        assert -42 <= seen[ADDRESS][1].rssi <= -40

    run_with_radio(monkeypatch, body)


# ------------------------------------------------------------------ GATT


def test_connect_read_notify_write_disconnect(monkeypatch):
    async def body(radio, dev):
        device = await find()
        got = []
        arrived = asyncio.Event()

        def on_event(_char, data):
            got.append(bytes(data))
            arrived.set()

        async with BleakClient(device, timeout=CAP) as client:
            assert radio.is_connected(ADDRESS)
            assert dev.connects == [dev.conn] and dev.mtus == [517]
            # the Battery service is BlueZ's (see the battery test): not in the GATT tree
            assert [s.uuid for s in client.services] == [P.SERVICE_UUID]
            events = client.services.get_characteristic(P.EVENTS_UUID)
            assert events.properties == ["notify"]
            assert [d.uuid for d in events.descriptors] == [P.sig_uuid(0x2902)]
            control = client.services.get_characteristic(P.CONTROL_UUID)
            assert sorted(control.properties) == ["write", "write-without-response"]
            # the characteristic MTU is the default: the device did not offer more
            assert events.max_write_without_response_size == 20

            assert await client.read_gatt_char(P.STATUS_UUID) == b"\x01" + bytes(9)
            await dev.set_value(STATUS_HANDLE, b"\x02" + bytes(9))
            values = radio.bluez.peripherals[ADDRESS].values
            assert await radio.wait_for(lambda: values[STATUS_HANDLE][0] == 2, CAP)
            assert await client.read_gatt_char(P.STATUS_UUID) == b"\x02" + bytes(9)

            await client.start_notify(P.EVENTS_UUID, on_event)
            await dev.notify(b"\x05\x00\x05record")
            await wait_event(arrived)
            assert got == [b"\x05\x00\x05record"]

            await client.write_gatt_char(P.CONTROL_UUID, b"\x03\x07\x00", response=True)
            await client.write_gatt_char(P.CONTROL_UUID, b"\x01", response=False)
            assert await radio.wait_for(lambda: len(dev.writes) == 2, CAP)
            assert dev.writes == [(dev.conn, CONTROL_HANDLE, b"\x03\x07\x00"),
                                  (dev.conn, CONTROL_HANDLE, b"\x01")]
            conn = dev.conn
        # bleak's disconnect reached the device, which advertises again
        assert await radio.wait_for(lambda: dev.disconnects == [conn], CAP)
        assert not radio.is_connected(ADDRESS)
        assert radio.counters["notifications_forwarded"] == 1
        assert radio.counters["writes_forwarded"] == 2
        assert radio.device_counters(ADDRESS)["host_disconnects"] == 1

    run_with_radio(monkeypatch, body)


async def managed_objects(bus_address):
    """GetManagedObjects of org.bluez, read with a plain dbus-fast client."""
    bus = await MessageBus(bus_address=bus_address, bus_type=BusType.SYSTEM).connect()
    try:
        reply = await bus.call(Message(
            destination="org.bluez", path="/", member="GetManagedObjects",
            interface="org.freedesktop.DBus.ObjectManager"))
        return unpack_variants(reply.body[0])
    finally:
        bus.disconnect()


def test_battery_service_is_claimed_as_bluez_does(monkeypatch):
    async def body(radio, dev):
        async with BleakClient(await find(), timeout=CAP) as client:
            assert client.services.get_characteristic(P.sig_uuid(P.BATTERY_LEVEL_UUID16)) is None
            path = radio.bluez.peripherals[ADDRESS].path
            objects = await managed_objects(radio.bus_address)
            assert objects[path]["org.bluez.Battery1"] == {"Percentage": 0x57}
            # after the connection, Device1.UUIDs lists every primary service, so
            # bleak finds the sensor among connected devices (default filter: 0x1801)
            uuids = objects[path]["org.bluez.Device1"]["UUIDs"]
            assert P.sig_uuid(P.BATTERY_UUID16) in uuids and P.SERVICE_UUID in uuids
            adapter = await BleakAdapter.get()
            assert [d.address for d in await adapter.get_connected_devices()] == [ADDRESS]
            # a battery notification updates Percentage; it is not a GATT notification
            await dev.notify(b"\x2a", handle=BATTERY_HANDLE)
            assert await radio.wait_for(lambda: radio.counters["battery_updates"] == 1, CAP)
            objects = await managed_objects(radio.bus_address)
            assert objects[path]["org.bluez.Battery1"] == {"Percentage": 0x2A}
        objects = await managed_objects(radio.bus_address)
        assert "org.bluez.Battery1" not in objects[path]  # gone with the link

    run_with_radio(monkeypatch, body)


def test_battery_service_in_gatt_when_bluez_battery_plugin_is_off(monkeypatch):
    async def body(radio, dev):
        async with BleakClient(await find(), timeout=CAP) as client:
            assert await client.read_gatt_char(P.sig_uuid(P.BATTERY_LEVEL_UUID16)) == b"\x57"

    run_with_radio(monkeypatch, body, hide_battery_service=False)


def test_gatt_rules_bleak_reports_as_errors(monkeypatch):
    async def body(radio, dev):
        async with BleakClient(await find(), timeout=CAP) as client:
            with pytest.raises(BleakError):  # events has no read flag
                await client.read_gatt_char(P.EVENTS_UUID)
            with pytest.raises(BleakError):  # status is read-only
                await client.write_gatt_char(P.STATUS_UUID, b"\x00", response=True)
            # a notification before anyone subscribed is not delivered
            await dev.notify(b"\x01")
            assert await radio.wait_for(
                lambda: radio.counters["notifications_dropped"] == 1, CAP)
            assert dev.writes == []

    run_with_radio(monkeypatch, body)


def test_injected_malformed_notification_arrives_and_is_counted(monkeypatch):
    async def body(radio, dev):
        got = []
        arrived = asyncio.Event()

        def on_event(_char, data):
            got.append(bytes(data))
            arrived.set()

        async with BleakClient(await find(), timeout=CAP) as client:
            assert not radio.inject_notification(ADDRESS, P.EVENTS_UUID, b"\xff")  # no subscriber
            await client.start_notify(P.EVENTS_UUID, on_event)
            assert radio.inject_notification(ADDRESS, P.EVENTS_UUID, b"\xff\xfe")
            await wait_event(arrived)
        assert got == [b"\xff\xfe"]
        assert radio.counters["notifications_injected"] == 2
        assert radio.counters["notifications_forwarded"] == 1

    run_with_radio(monkeypatch, body)


# ------------------------------------------------------------------ losing the link


def test_link_loss_fires_disconnected_callback_then_reconnects(monkeypatch):
    async def body(radio, dev):
        device = await find()
        lost = asyncio.Event()
        client = BleakClient(device, disconnected_callback=lambda _c: lost.set(), timeout=CAP)
        await client.connect()
        conn = dev.conn
        assert radio.drop_link(ADDRESS)
        await wait_event(lost)
        assert not client.is_connected
        assert await radio.wait_for(lambda: dev.disconnects == [conn], CAP)
        await client.disconnect()  # releases bleak's bus connection (DESIGN pitfall)

        got = []
        arrived = asyncio.Event()
        async with BleakClient(device, timeout=CAP) as again:
            await again.start_notify(P.EVENTS_UUID, lambda _c, d: (got.append(bytes(d)),
                                                                  arrived.set()))
            await dev.notify(b"\x09")
            await wait_event(arrived)
        assert got == [b"\x09"]
        assert len(dev.connects) == 2 and dev.connects[0] != dev.connects[1]
        assert radio.counters["link_drops"] == 1

    run_with_radio(monkeypatch, body)


def test_device_ending_the_link_is_seen_by_bleak(monkeypatch):
    async def body(radio, dev):
        lost = asyncio.Event()
        client = BleakClient(await find(), disconnected_callback=lambda _c: lost.set(),
                             timeout=CAP)
        await client.connect()
        await dev.disconnect()
        await wait_event(lost)
        await client.disconnect()
        # the bridge does not echo a device-initiated disconnect back to it
        assert dev.disconnects == [dev.connects[0]]
        assert radio.device_counters(ADDRESS)["device_disconnects"] == 1

    run_with_radio(monkeypatch, body)


def test_device_process_gone_then_back_with_the_same_address(monkeypatch):
    async def body(radio, dev):
        device = await find()
        lost = asyncio.Event()
        client = BleakClient(device, disconnected_callback=lambda _c: lost.set(), timeout=CAP)
        await client.connect()
        await dev.close()  # the process died: socket closed
        await wait_event(lost)
        await client.disconnect()
        assert radio.bluez.device_exported(ADDRESS)  # BlueZ keeps it for a while

        async def reboot():
            await asyncio.sleep(0.2)  # simulate boot time before advertising again
            return await StandInDevice(radio).__aenter__()

        # Connect on the known object waits for the device to advertise again
        booting = asyncio.ensure_future(reboot())
        async with BleakClient(device, timeout=CAP) as again:
            reborn = await booting
            assert again.is_connected
            assert reborn.connects == [reborn.conn]
        await reborn.close()
        assert radio.counters["device_sessions"] == 2

    run_with_radio(monkeypatch, body)


def test_vanished_device_is_removed_after_the_temporary_timeout(monkeypatch):
    async def body(radio, dev):
        await find()
        await dev.close()
        assert await radio.wait_for(lambda: not radio.bluez.device_exported(ADDRESS), CAP)
        assert ADDRESS not in radio.bluez.peripherals

    run_with_radio(monkeypatch, body, temporary_timeout_s=0.2)


def test_connecting_to_a_non_connectable_device_fails(monkeypatch):
    async def body(radio, dev):
        radio.add_static_device("Beacon", OTHER, uuids=[0xFEAA], connectable=False)
        beacon = await find(OTHER)
        with pytest.raises(BleakError):
            await BleakClient(beacon, timeout=CAP).connect()
        assert not radio.is_connected(OTHER)

    run_with_radio(monkeypatch, body, device=False, connect_timeout_s=0.3)


def test_bad_bridge_lines_are_counted_and_the_device_stays(monkeypatch):
    async def body(radio, dev):
        await dev.send("this is not json")
        await dev.send({"op": "warp"})
        await dev.send({"op": "notify", "conn": 1, "handle": 3, "data": "zz"})
        assert await radio.wait_for(lambda: radio.counters["bad_messages"] == 3, CAP)
        async with BleakClient(await find(), timeout=CAP) as client:
            assert client.is_connected

    run_with_radio(monkeypatch, body)


def test_threaded_radio_serves_a_client_in_another_loop(monkeypatch):
    with ThreadedFakeRadio() as radio:
        monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", radio.bus_address)
        assert radio.add_static_device("Other", OTHER, uuids=[0x180F]) == OTHER

        async def scan():
            return await BleakScanner.find_device_by_address(OTHER, timeout=CAP)

        found = asyncio.run(scan())
        assert found is not None and found.name == "Other"
        assert radio.device_counters(OTHER)["advertisements"] > 0
        assert radio.env["HIPTHRUST_RADIO"] == radio.socket_path


def test_a_burst_of_notifications_arrives_complete_and_in_order(monkeypatch):
    # dbus-fast drops its bus connection if a send finds the socket full; the bridge
    # must hold back instead (FakeBluez.wait_writable), never lose the link or a record
    count = 5000

    async def body(radio, dev):
        got = []
        done = asyncio.Event()

        def on_event(_char, data):
            got.append(int.from_bytes(data[:2], "little"))
            if len(got) == count:
                done.set()

        async with BleakClient(await find(), timeout=CAP) as client:
            await client.start_notify(P.EVENTS_UUID, on_event)
            for seq in range(count):  # one write: the bridge sees a single burst
                dev._writer.write(b'{"op":"notify","conn":%d,"handle":3,"data":"%s"}\n' % (
                    dev.conn, (seq.to_bytes(2, "little") + bytes(18)).hex().encode()))
            await dev._writer.drain()
            await asyncio.wait_for(done.wait(), 30)
            assert client.is_connected
        assert got == list(range(count))
        assert radio.counters["notifications_forwarded"] == count

    run_with_radio(monkeypatch, body)
