"""The BLE client with the REAL bleak, against the fake BlueZ on a private D-Bus.

A tiny Python stand-in for the firmware sits where the radio would be (the real
firmware meets this client in tests/test_e2e_*.py): it serves the GATT table of
protocol v1, answers C_RESEND from a list of records, and can lose the link.
"""

import asyncio
import os
import subprocess
import sys

import pytest

from hipthrust.ble import (
    LinkLostError,
    Sensor,
    check_protocol_version,
    find_sensor,
    find_sensors,
)
from hipthrust.devicesim.bluez import FakeBluez, Peripheral
from hipthrust.devicesim.dbus_bus import private_system_bus
from hipthrust.errors import DeviceNotFoundError, IncompatibleFirmwareError
from hipthrust_core import records as P

# Value handles of the stand-in's GATT table (spaced so descriptor handles are free).
H_EVENTS, H_CONTROL, H_RAW, H_STATUS = 3, 6, 9, 12
H_SOFTWARE, H_FIRMWARE, H_MODEL, H_BATTERY = 16, 18, 20, 24
BOOT_ID = 0xCAFE0001


class StandIn:
    """The firmware's link side, in Python: records, resend, link state."""

    def __init__(self, bluez, address, name, version="1"):
        self.bluez = bluez
        self.records = []
        self.writes = []
        self.p = Peripheral(address, name=name, uuids=[P.SERVICE_UUID], rssi=-48, link=self)
        self.p.services = [
            (P.SERVICE_UUID, [
                (P.EVENTS_UUID, ["notify"], H_EVENTS),
                (P.CONTROL_UUID, ["write", "write-without-response"], H_CONTROL),
                (P.RAW_UUID, ["notify"], H_RAW),
                (P.STATUS_UUID, ["read"], H_STATUS),
            ]),
            (P.sig_uuid(P.DIS_UUID16), [
                (P.sig_uuid(P.DIS_SOFTWARE_UUID16), ["read"], H_SOFTWARE),
                (P.sig_uuid(P.DIS_FIRMWARE_UUID16), ["read"], H_FIRMWARE),
                (P.sig_uuid(P.DIS_MODEL_UUID16), ["read"], H_MODEL),
            ]),
            (P.sig_uuid(P.BATTERY_UUID16), [
                (P.sig_uuid(P.BATTERY_LEVEL_UUID16), ["read", "notify"], H_BATTERY),
            ]),
        ]
        self.p.values = {H_SOFTWARE: version.encode(), H_FIRMWARE: b"0.1.0",
                         H_MODEL: b"stand-in", H_BATTERY: bytes([77])}
        self.p.service_data = {P.sig_uuid(P.BATTERY_UUID16): bytes([77])}
        self.p.advertising = True
        self._status()

    def _status(self):
        buf = bytearray(10)
        P.pack_status_char(buf, BOOT_ID, len(self.records), 77, P.ST_IDLE, 0)
        self.p.values[H_STATUS] = bytes(buf)

    def emit(self, pack, *args):
        buf = bytearray(P.MAX_RECORD)
        n = pack(buf, len(self.records), *args)
        self.records.append(bytes(buf[:n]))
        self._status()
        self.bluez.notify(self.p, H_EVENTS, self.records[-1])

    # the bridge's link interface
    def connect(self, conn):
        pass

    def mtu(self, conn, mtu):
        pass

    def disconnect(self, conn):
        self.p.advertising = True  # like the firmware: advertise again
        self.bluez.advertisement_changed(self.p)

    def write(self, conn, handle, data):
        self.writes.append((handle, bytes(data)))
        cmd = P.parse_command(data)
        if cmd.cmd == P.C_RESEND:
            for rec in self.records[cmd.a:]:
                self.bluez.notify(self.p, H_EVENTS, rec)


@pytest.fixture(scope="module")
def bus_address():
    with private_system_bus() as address:
        old = os.environ.get("DBUS_SYSTEM_BUS_ADDRESS")
        os.environ["DBUS_SYSTEM_BUS_ADDRESS"] = address
        try:
            yield address
        finally:
            if old is None:
                del os.environ["DBUS_SYSTEM_BUS_ADDRESS"]
            else:
                os.environ["DBUS_SYSTEM_BUS_ADDRESS"] = old


def run_with_bluez(bus_address, body):
    """Run body(bluez) in a fresh loop with the fake BlueZ up."""

    async def main():
        bluez = FakeBluez(bus_address, temporary_timeout_s=0.5)
        await bluez.start()
        try:
            return await asyncio.wait_for(body(bluez), 20)
        finally:
            await bluez.stop()

    return asyncio.run(main())


def test_protocol_version_check_names_what_to_flash():
    assert check_protocol_version("1") == 1
    with pytest.raises(IncompatibleFirmwareError, match="hipthrust flash") as e:
        check_protocol_version("0")
    assert e.value.version == 0
    with pytest.raises(IncompatibleFirmwareError, match="upgrade hipthrust"):
        check_protocol_version("9")
    with pytest.raises(IncompatibleFirmwareError, match="not a hip thrust firmware"):
        check_protocol_version("v1.2")


def test_scan_lists_only_our_sensors_with_signal_and_battery(bus_address):
    async def body(bluez):
        a = StandIn(bluez, "24:0A:C4:00:1A:2B", "HipThrust-1A2B")
        bluez.add_peripheral(a.p)
        other = Peripheral("11:22:33:44:55:66", name="Heart Rate",
                           uuids=[P.sig_uuid(0x180D)], rssi=-30)
        bluez.add_peripheral(other)
        return await find_sensors(timeout=1.0)

    infos = run_with_bluez(bus_address, body)
    assert [(i.name, i.address, i.battery) for i in infos] == [
        ("HipThrust-1A2B", "24:0A:C4:00:1A:2B", 77)]
    assert -60 < infos[0].rssi < -40


def test_find_sensor_by_name_and_refuses_to_guess_between_two(bus_address):
    async def body(bluez):
        for addr, name in (("24:0A:C4:00:1A:2B", "HipThrust-1A2B"),
                           ("24:0A:C4:00:3C:4D", "HipThrust-3C4D")):
            bluez.add_peripheral(StandIn(bluez, addr, name).p)
        named = await find_sensor("hipthrust-3c4d", timeout=3.0)
        by_address = await find_sensor("24:0a:c4:00:1a:2b", timeout=3.0)
        missing = await find_sensor("HipThrust-FFFF", timeout=0.5)
        with pytest.raises(DeviceNotFoundError) as e:
            await find_sensor(timeout=3.0)
        return named, by_address, missing, str(e.value)

    named, by_address, missing, message = run_with_bluez(bus_address, body)
    assert named.name == "HipThrust-3C4D"
    assert by_address.name == "HipThrust-1A2B"
    assert missing is None
    assert message.startswith("2 sensors in range: ")
    assert "HipThrust-1A2B (24:0A:C4:00:1A:2B)" in message and "--device NAME" in message


def test_sensor_reads_status_decodes_events_skips_malformed_and_sees_link_loss(bus_address):
    async def body(bluez):
        dev = StandIn(bluez, "24:0A:C4:00:1A:2B", "HipThrust-1A2B")
        dev.emit(P.pack_set_start, 1, 500)
        dev.emit(P.pack_phase, P.PH_CONCENTRIC, 900, 1)
        bluez.add_peripheral(dev.p)
        info = await find_sensor(timeout=3.0)
        got = []
        async with Sensor(info) as sensor:
            assert (sensor.boot_id, sensor.status.next_seq) == (BOOT_ID, 2)
            assert (sensor.protocol_version, sensor.firmware, sensor.battery) == (1, "0.1.0", 77)
            await sensor.resend_from(0)
            bluez.inject_notification(info.address, P.EVENTS_UUID, b"\x05\x00\x7f")
            dev.emit(P.pack_phase, P.PH_TOP, 1700, 1)
            async for item in sensor.events():
                got.append(item)
                if len(got) == 3:
                    break
            assert sensor.malformed == 1
            assert dev.writes == [(H_CONTROL, P.command(P.C_RESEND, 0))]
            bluez.drop_link(info.address)
            with pytest.raises(LinkLostError):
                while True:
                    await sensor.next_event(5.0)
        # after a link loss the same sensor object connects again
        await bluez.wait_until(lambda: dev.p.advertising, 2.0)
        async with Sensor(info) as sensor:
            assert sensor.status.next_seq == 3
        return got

    got = run_with_bluez(bus_address, body)
    assert [seq for seq, _r, _d in got] == [0, 1, 2]
    assert [type(r).__name__ for _s, r, _d in got] == ["SetStart", "Phase", "Phase"]


def test_incompatible_firmware_is_refused_with_what_to_flash(bus_address):
    async def body(bluez):
        dev = StandIn(bluez, "24:0A:C4:00:1A:2B", "HipThrust-1A2B", version="7")
        bluez.add_peripheral(dev.p)
        info = await find_sensor(timeout=3.0)
        with pytest.raises(IncompatibleFirmwareError, match="protocol v7") as e:
            async with Sensor(info):
                pass
        await bluez.wait_until(lambda: not bluez.is_connected(info.address), 2.0)
        return e.value.version, bluez.is_connected(info.address)

    assert run_with_bluez(bus_address, body) == (7, False)


def test_scan_command_lists_sensors_one_per_line(bus_address):
    async def body(bluez):
        bluez.add_peripheral(StandIn(bluez, "24:0A:C4:00:1A:2B", "HipThrust-1A2B").p)
        bluez.add_peripheral(Peripheral("11:22:33:44:55:66", name="Heart Rate",
                                        uuids=[P.sig_uuid(0x180D)], rssi=-30))
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "hipthrust", "scan", "--timeout", "1",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await proc.communicate()
        return proc.returncode, out.decode(), err.decode()

    code, out, err = run_with_bluez(bus_address, body)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "ADDRESS", "SIGNAL", "BATTERY"]
    assert lines[1].split()[:2] == ["HipThrust-1A2B", "24:0A:C4:00:1A:2B"]
    assert lines[1].endswith("77 %")
    assert lines[2] == "Connect with: hipthrust live --device HipThrust-1A2B"
    assert len(lines) == 3


def test_scan_and_live_without_bluetooth_say_what_to_do(tmp_path):
    env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=f"unix:path={tmp_path}/no-bus")
    for args in (["scan", "--timeout", "1"], ["live", "--db", str(tmp_path / "x.db")]):
        proc = subprocess.run([sys.executable, "-m", "hipthrust", *args], env=env,
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 2
        last = proc.stderr.splitlines()[-1]
        assert last.startswith("Error: Bluetooth is not available (")
        assert last.endswith("or try `hipthrust demo`, which needs no sensor")
