"""Whole system without a radio: the real bleak client <-> fake BlueZ (private D-Bus)
<-> radio bridge <-> the fake `bluetooth` module <-> the unchanged firmware running
in the MicroPython unix port on simulated motion (DeviceSim)."""

import asyncio

import pytest
from bleak import BleakClient, BleakScanner

from hipthrust.devicesim.fake_radio import FakeRadio
from hipthrust.devicesim.runner import DeviceSim
from hipthrust.rawfile import write_raw_csv
from hipthrust.sim.session import simulate_session
from hipthrust_core import records as P
from tests.ble_fixtures import poll

CAP = 10.0  # s: upper bound of any single wait; expected times are well under a second


@pytest.fixture(scope="module")
def motion(tmp_path_factory):
    samples, truth = simulate_session(seed=5, sets=1, distractors=False)
    path = tmp_path_factory.mktemp("motion") / "set.csv"
    write_raw_csv(path, samples)
    return path


def test_bleak_reads_streams_loses_the_link_and_catches_up(monkeypatch, motion):
    async def body():
        async with FakeRadio() as radio:
            for key, value in radio.env.items():
                monkeypatch.setenv(key, value)
            sim = DeviceSim(motion, radio_path=radio.socket_path, speed=12.0)
            sim.start()
            try:
                await run(radio, sim)
            finally:
                sim.close()

    async def run(radio, sim):
        address = await radio.wait_for_device(CAP)
        assert address == "24:0A:C4:00:1A:2B"
        device = await BleakScanner.find_device_by_address(address, timeout=CAP)
        assert device is not None and device.name == "HipThrust-1A2B"
        got = []

        def on_event(_char, data):
            got.append(P.decode(bytes(data)))

        async with BleakClient(device, timeout=CAP) as client:
            model = await client.read_gatt_char(P.sig_uuid(P.DIS_MODEL_UUID16))
            software = await client.read_gatt_char(P.sig_uuid(P.DIS_SOFTWARE_UUID16))
            assert (model, software) == (b"m5stickc-plus2", b"1")
            status = P.decode_status_char(await client.read_gatt_char(P.STATUS_UUID))
            boot = [x for x in sim.lines if x.startswith("app: HipThrust-1A2B boot ")][0]
            assert status.version == 1 and f"{status.boot_id:08x}" == boot.split()[3]
            await client.start_notify(P.EVENTS_UUID, on_event)
            # What the device made before the subscription: ask for all of it.
            await client.write_gatt_char(P.CONTROL_UUID, P.command(P.C_RESEND, 0),
                                         response=True)
            # A bad command is answered with an error, never a crash.
            await client.write_gatt_char(P.CONTROL_UUID, b"\x05\x02\x96\x00", response=False)
            await poll(lambda: any(isinstance(r, P.SetStart) for r in got), "a set start",
                       timeout=CAP)
            await poll(lambda: any(isinstance(r, P.Reply) and r.cmd == P.C_SET for r in got),
                       "the reply to the bad command", timeout=CAP)
            # Mid-set, the link drops; the device keeps counting.
            lost_at = max(r.seq for r in got)
            assert radio.drop_link(address)
            await poll(lambda: not client.is_connected, "bleak to see the link loss", timeout=CAP)
            await client.disconnect()
        away = len(sim.lines)
        await poll(lambda: any(x.startswith("event ") for x in sim.lines[away:]),
                   "events made while nobody listens", timeout=CAP)
        async with BleakClient(device, timeout=CAP) as client:
            await client.start_notify(P.EVENTS_UUID, on_event)
            # As the host does: everything after the last record held before the drop.
            # (The device may already be pushing its backlog; duplicates are harmless.)
            await client.write_gatt_char(P.CONTROL_UUID, P.command(P.C_RESEND, lost_at + 1),
                                         response=True)
            await asyncio.to_thread(sim.wait, 60)
        made = sim.events()
        assert sim.returncode == 0
        replies = [r for r in got if isinstance(r, P.Reply)]
        assert (P.C_SET, P.R_BAD_VALUE) in [(r.cmd, r.status) for r in replies]
        assert all(r.status == P.R_OK for r in replies if r.cmd == P.C_RESEND)
        # Nothing lost, nothing different: every record the device made arrived.
        by_seq = {r.seq: r for r in made}
        assert {r.seq for r in got} == set(by_seq)
        assert all(by_seq[r.seq] == r for r in got)
        assert sum(isinstance(r, P.Status) for r in made) >= 2  # one per connection
        assert any(isinstance(r, P.Rep) for r in made)

    asyncio.run(body())


def test_device_outlives_the_radio_world(monkeypatch, motion):
    # The fake BlueZ goes away while the device runs (host machine's Bluetooth off):
    # the device loses its link, keeps counting and finishes its session normally.
    async def body():
        sim = None
        try:
            async with FakeRadio() as radio:
                for key, value in radio.env.items():
                    monkeypatch.setenv(key, value)
                sim = DeviceSim(motion, radio_path=radio.socket_path, speed=12.0)
                sim.start()
                address = await radio.wait_for_device(CAP)
                device = await BleakScanner.find_device_by_address(address, timeout=CAP)
                client = BleakClient(device, timeout=CAP)
                await client.connect()
                await poll(lambda: any("link: host connected" in x for x in sim.lines),
                             "the device to see the connection", timeout=CAP)
            code = await asyncio.to_thread(sim.wait, 60)
            assert code == 0, "\n".join(sim.lines[-10:])
            assert any(x.startswith("app: done") for x in sim.lines)
            assert any(x.startswith("app: end of data") for x in sim.lines)
        finally:
            if sim is not None:
                sim.close()

    asyncio.run(body())
