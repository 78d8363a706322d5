"""The fake radio with real processes on both sides.

- The MicroPython unix port running a small peripheral on the project's fake
  `bluetooth` module (host/hipthrust/devicesim/mpy) meets the real bleak client.
- A bleak host process killed with SIGKILL leaves the link up (as BlueZ does) but
  loses its notify session; a new host finds it among connected devices (a scan
  cannot: a connected peripheral does not advertise) and picks the link up.
"""

import asyncio
import os
import signal
import subprocess
import sys
import textwrap

from bleak import BleakAdapter, BleakClient, BleakScanner

from hipthrust.devicesim.fake_radio import FakeRadio, ThreadedFakeRadio
from hipthrust_core import protocol as P
from tests import mpy
from tests.ble_fixtures import EVENTS_HANDLE, MAC, StandInDevice

ADDRESS = MAC.upper()
CAP = 5.0  # s, upper bound of a single wait
FAKE_BLUETOOTH = mpy.ROOT / "host" / "hipthrust" / "devicesim" / "mpy"

# A peripheral written against MicroPython's `bluetooth` API: it echoes every write
# to the control characteristic as a notification and advertises again after a
# disconnect, as the firmware does.
ECHO_DEVICE = textwrap.dedent("""
    import asyncio
    import bluetooth

    SVC = bluetooth.UUID("{service}")
    EVENTS = (bluetooth.UUID("{events}"), bluetooth.FLAG_NOTIFY)
    CONTROL = (bluetooth.UUID("{control}"), bluetooth.FLAG_WRITE | bluetooth.FLAG_WRITE_NO_RESPONSE)
    ble = bluetooth.BLE()
    handles = []

    def advertise():
        name = b"HipThrust-1A2B"
        adv = bytes([2, 1, 6, 17, 7]) + SVC.__bytes__()
        ble.gap_advertise(100000, adv, resp_data=bytes([len(name) + 1, 9]) + name)

    def irq(event, data):
        if event == 2:
            advertise()
        elif event == 3:
            conn, handle = data
            ble.gatts_notify(conn, handles[0], b"echo:" + ble.gatts_read(handle))

    async def main():
        ble.active(True)
        ble.irq(irq)
        ((events, control),) = ble.gatts_register_services(((SVC, (EVENTS, CONTROL)),))
        handles.append(events)
        advertise()
        while True:
            await asyncio.sleep_ms(100)

    asyncio.run(main())
""").format(service=P.SERVICE_UUID, events=P.EVENTS_UUID, control=P.CONTROL_UUID)


def test_micropython_peripheral_meets_bleak_through_the_bridge(monkeypatch, tmp_path):
    script = tmp_path / "echo_device.py"
    script.write_text(ECHO_DEVICE)

    async def main():
        async with FakeRadio() as radio:
            monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", radio.bus_address)
            env = dict(os.environ, MICROPYPATH=f"{FAKE_BLUETOOTH}:.frozen", **radio.env)
            proc = await asyncio.create_subprocess_exec(mpy.micropython_bin(), str(script),
                                                        env=env)
            try:
                address = await radio.wait_for_device(CAP)
                device = await BleakScanner.find_device_by_filter(
                    lambda _d, adv: P.SERVICE_UUID in adv.service_uuids, timeout=CAP)
                assert device is not None and device.address == address
                got = asyncio.Queue()
                lost = asyncio.Event()
                for attempt in range(2):
                    lost.clear()
                    async with BleakClient(device, timeout=CAP,
                                           disconnected_callback=lambda _c: lost.set()) as c:
                        await c.start_notify(P.EVENTS_UUID, lambda _c, d: got.put_nowait(d))
                        await c.write_gatt_char(P.CONTROL_UUID, bytes([attempt]), response=True)
                        assert await asyncio.wait_for(got.get(), CAP) == b"echo:" + bytes(
                            [attempt])
                        if attempt == 0:  # link loss; the device advertises again
                            assert radio.drop_link(address)
                            await asyncio.wait_for(lost.wait(), CAP)
                # the process dies: it leaves radio range
                proc.kill()
                await proc.wait()
                assert await radio.wait_for(
                    lambda: not radio.bluez.peripherals[address].present, CAP)
            finally:
                if proc.returncode is None:
                    proc.kill()
                    await proc.wait()
            assert radio.counters["link_drops"] == 1
            assert radio.counters["notifications_forwarded"] == 2

    asyncio.run(main())


HOST = textwrap.dedent("""
    import asyncio, sys
    from bleak import BleakAdapter, BleakClient, BleakScanner

    async def main():
        device = await BleakScanner.find_device_by_address(sys.argv[1], timeout=5)
        client = BleakClient(device, timeout=5)
        await client.connect()
        await client.start_notify(sys.argv[2], lambda c, d: None)
        print("subscribed", flush=True)
        await asyncio.sleep(60)

    asyncio.run(main())
""")


def test_killed_host_leaves_the_link_up_and_a_new_host_takes_over(monkeypatch):
    with ThreadedFakeRadio() as radio:
        monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", radio.bus_address)
        dev = radio.run(StandInDevice(radio.radio).__aenter__(), CAP)
        try:
            radio.wait_for_device(CAP)
            host = subprocess.Popen([sys.executable, "-c", HOST, ADDRESS, P.EVENTS_UUID],
                                    stdout=subprocess.PIPE, text=True, env=dict(os.environ))
            try:
                assert host.stdout.readline().strip() == "subscribed"
            finally:
                host.send_signal(signal.SIGKILL)
                host.wait()
                host.stdout.close()
            bluez = radio.radio.bluez
            # BlueZ keeps the link when the app dies, but drops the app's notify session
            assert radio.wait_for(lambda: not bluez._char(bluez.peripherals[ADDRESS],
                                                           EVENTS_HANDLE).notify_clients, CAP)
            assert radio.is_connected(ADDRESS)

            async def new_host():
                got = asyncio.Queue()
                # a connected sensor does not advertise: a scan cannot find it, the
                # adapter's list of connected devices can
                assert await BleakScanner.find_device_by_address(ADDRESS, timeout=0.3) is None
                adapter = await BleakAdapter.get()
                (device,) = await adapter.get_connected_devices([P.SERVICE_UUID])
                async with BleakClient(device, timeout=CAP) as client:
                    await client.start_notify(P.EVENTS_UUID, lambda _c, d: got.put_nowait(d))
                    await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(
                        dev.notify(b"\x07"), radio.loop))
                    return await asyncio.wait_for(got.get(), CAP)

            assert asyncio.run(new_host()) == b"\x07"
            assert len(dev.connects) == 1  # the new host reused the link
        finally:
            radio.run(dev.close(), CAP)
