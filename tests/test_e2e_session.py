"""End to end with no radio: the REAL bleak client and recorder <-> fake BlueZ on a
private D-Bus <-> radio bridge <-> the unchanged firmware in the MicroPython unix port,
fed by simulated motion (DeviceSim). Every record the device made (its own log of
what went into its ring) must be in the store exactly once, byte for byte.
"""

import asyncio

import pytest

from hipthrust.ble import find_sensors
from hipthrust.rawfile import write_raw_csv
from hipthrust.sim.session import simulate_session
from hipthrust.store import Store
from hipthrust_core import records as P
from tests.ble_fixtures import poll, run_device_session

CAP = 60.0  # s: upper bound of any wait; the runs take about 10 s
SPEED = 16.0  # the 68 s session plays in about 4 s


@pytest.fixture(scope="module")
def motion(tmp_path_factory):
    samples, _truth = simulate_session(seed=5, sets=1, distractors=False, reps=10)
    path = tmp_path_factory.mktemp("motion") / "set.csv"
    write_raw_csv(path, samples)
    return path


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "e2e.db") as s:
        yield s


def stored(store, address):
    """(seq16, record bytes) of every stored event of the address, in seq order."""
    return [(r["seq"] & 0xFFFF, bytes(r["data"])) for r in store.query(
        "SELECT seq, data FROM events WHERE address = ? ORDER BY seq", (address,))]


def emitted(sim):
    return [(r.seq, P.encode(r)) for r in sim.events()]


def run_session(monkeypatch, motion, store, controls=None, before=None, speed=SPEED):
    """tests.ble_fixtures.run_device_session with this file's speed and cap."""
    return run_device_session(monkeypatch, motion, store, speed, CAP, controls, before)


def test_discovery_by_service_uuid_ignores_other_devices_and_stores_the_whole_session(
        monkeypatch, motion, store):
    async def before(radio):
        # A heart-rate strap and a connectable gadget nearby: neither is ours.
        radio.add_static_device("Polar H10", "A0:9E:1A:00:00:01", uuids=[0x180D], rssi=-35)
        radio.add_static_device("HipThrust-FAKE", "A0:9E:1A:00:00:02", uuids=[0xFEE0],
                                rssi=-30, connectable=True)
        return None

    async def controls(radio, sim, recorder, address):
        infos = await find_sensors(timeout=1.0)
        assert [(i.name, i.address) for i in infos] == [("HipThrust-1A2B", address)]

    result, sim, address, text, _ = run_session(monkeypatch, motion, store, controls, before)
    made = emitted(sim)
    assert stored(store, address) == made
    reps_made = [r for r in sim.events() if isinstance(r, P.Rep)]
    assert reps_made  # (how many the detector finds is tested with the detector)
    assert len(store.reps(result.sessions[0])) == len(reps_made)
    assert result.lost == result.malformed == 0
    assert "set 1: started" in text and f"rep {reps_made[-1].rep}: concentric" in text


# Notifications no protocol record can be: empty, truncated, unknown type, bad phase.
BAD = [b"", b"\x01", bytes([0xFF, 0, 0x7E, 1, 2, 3]), bytes([9, 0, P.T_PHASE, 9, 0, 0, 0, 0, 1])]


def test_link_dropped_three_times_mid_set_and_malformed_notifications_lose_nothing(
        monkeypatch, motion, store, caplog):
    async def controls(radio, sim, recorder, address):
        await poll(lambda: len(store.reps()) >= 1, "the set under way")
        for data in BAD:
            assert radio.inject_notification(address, P.EVENTS_UUID, data)
        for n in range(3):
            have = len(stored(store, address))
            await poll(lambda h=have: len(stored(store, address)) > h, "a new record stored")
            assert radio.drop_link(address)
            await poll(lambda n=n: recorder.result.link_losses == n + 1, "the host to see it")
            await poll(lambda: radio.is_connected(address), "the host to reconnect")

    # slower, so that three drops and reconnections fit in the set (about 6 s here)
    result, sim, address, text, _ = run_session(monkeypatch, motion, store, controls, speed=8)
    made = emitted(sim)
    assert stored(store, address) == made  # zero lost, zero duplicated
    # (one more link loss when the device is switched off at the end may be seen)
    assert result.link_losses >= 3 and result.connections == 4 and result.lost == 0
    reps = store.reps(result.sessions[0])
    assert [r["rep_no"] for r in reps] == [r.rep for r in sim.events() if isinstance(r, P.Rep)]
    assert text.count("link: link lost") >= 3
    # malformed ones: logged, counted, skipped; the session went on
    assert result.malformed == len(BAD)
    assert caplog.text.count("skipped malformed notification") == len(BAD)


def test_sensor_reboot_mid_set_starts_a_new_session_and_loses_nothing_received(
        monkeypatch, tmp_path, store):
    samples, _truth = simulate_session(seed=2, sets=1, distractors=False)
    short = tmp_path / "short.csv"
    write_raw_csv(short, samples)

    async def controls(radio, sim, recorder, address):
        await poll(lambda: len(store.reps()) >= 1, "the set under way")
        await asyncio.to_thread(sim.restart)  # switched off and on: a new boot id

    result, sim, address, text, _ = run_session(monkeypatch, short, store, controls)
    assert len(result.sessions) == 2 and "sensor restarted" in text
    first = [(r.seq, P.encode(r)) for r in sim.events(boot=1)]
    second = [(r.seq, P.encode(r)) for r in sim.events(boot=2)]
    by_session = [[(r["seq"] & 0xFFFF, bytes(r["data"])) for r in store.query(
        "SELECT seq, data FROM events WHERE session_id = ? ORDER BY seq", (sid,))]
        for sid in result.sessions]
    # the first boot ended abruptly: what it had sent is stored, in order, with no gap
    assert len(by_session[0]) >= 3 and by_session[0] == first[:len(by_session[0])]
    assert by_session[1] == second
