"""`hipthrust demo`'s engine: a whole session with no sensor, through the real stack.

    result, sim = await run_demo(store, speed=10, sets=3, seed=1, out=sys.stdout)

Simulated: the lifter's motion and the IMU readings (hipthrust.sim), and the radio
(a private D-Bus daemon with a fake BlueZ, hipthrust.devicesim.fake_radio). Real:
the firmware (firmware/, unchanged, in the MicroPython unix port), the bleak
client, the recorder, the live view and the SQLite store: exactly `hipthrust live`'s
code path, with DBUS_SYSTEM_BUS_ADDRESS pointing at the private bus.
"""

import asyncio
import os
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from hipthrust.ble import find_sensor
from hipthrust.devicesim.fake_radio import FakeRadio
from hipthrust.devicesim.runner import DeviceSim
from hipthrust.errors import DeviceNotFoundError
from hipthrust.rawfile import write_raw_csv
from hipthrust.session_runner import record_session
from hipthrust.sim.session import simulate_session
from hipthrust_core import records as P

# s to wait, after the simulated sensor finished its motion, for the last records.
DRAIN_S = 15.0
DEVICE_START_S = 60.0  # s for the device to compile and start advertising


@contextmanager
def environment(values):
    """Set environment variables for the block, restoring the old values after."""
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def write_motion(folder, seed, sets):
    """Simulate a session (seed, sets) into folder/motion.csv; returns (path, truth)."""
    samples, truth = simulate_session(seed=seed, sets=sets)
    path = Path(folder) / "motion.csv"
    write_raw_csv(path, samples)
    return path, truth


def truth_lines(truth):
    """What the simulated lifter really did, one line per set, to set beside the count."""
    lines = []
    for i, s in enumerate(truth["sets"], 1):
        kinds = [r["kind"] for r in s["reps"]]
        reps = len(kinds) - kinds.count("failed")
        extra = f" + {kinds.count('failed')} failed" if "failed" in kinds else ""
        lines.append(f"  Set {i}: {reps} reps ({kinds.count('full')} full, "
                     f"{kinds.count('partial')} partial){extra}, tempo style {s['tempo_style']}")
    return lines


def device_finished(sim):
    """True once the simulated sensor played its motion to the end and handed its last
    records to the link ("app: done"), or its process ended."""
    return not sim.running() or any(line.startswith("app: done") for line in sim.lines[-5:])


def all_made_stored(store, sim, address):
    """True when every record the device made (its own log) is in the store."""
    made = sim.events(boot=sim.boots)
    if not made:
        return True
    rows = store.query(
        "SELECT COUNT(*), MAX(e.seq) FROM events e JOIN sessions s ON s.id = e.session_id"
        " WHERE e.address = ? AND s.id = (SELECT MAX(id) FROM sessions WHERE address = ?)",
        (address, address),
    )
    count, last = rows[0][0], rows[0][1]
    return count == len(made) and last is not None and (last & 0xFFFF) == made[-1].seq


def device_done_and_stored(store, sim, address):
    """True when the device finished and every record it made is in the store."""
    return device_finished(sim) and all_made_stored(store, sim, address)


async def run_demo(db_path, *, speed=10.0, sets=3, seed=1, out=None, on_record=None,
                   on_line=None, on_truth=None):
    """Run a simulated session into the database at db_path (created if needed, only
    once the simulated radio is up); returns (RecorderResult, DeviceSim).

    speed: simulated seconds per real second; sets, seed: the simulated workout;
    out: where the live view goes (default stdout); on_truth(truth): called with the
    simulator's ground truth (hipthrust.sim) before the sensor starts. Raises BusError
    (not Linux, or no dbus-daemon: nothing is created then), DeviceNotFoundError,
    FakeRadioError.
    """
    from hipthrust.store import Store

    with tempfile.TemporaryDirectory(prefix="hipthrust-demo-") as tmp:
        async with FakeRadio() as radio:
            motion, truth = await asyncio.to_thread(write_motion, tmp, seed, sets)
            if on_truth is not None:
                on_truth(truth)
            with environment(radio.env), Store(db_path) as store:
                sim = DeviceSim(motion, radio_path=radio.socket_path, speed=speed,
                                on_line=on_line)
                try:
                    await asyncio.to_thread(sim.start)
                    address = await radio.wait_for_device(DEVICE_START_S)
                    info = await find_sensor(address, timeout=10.0)
                    if info is None:
                        raise DeviceNotFoundError(address)

                    async def until(recorder):
                        # Stop while the device still holds the link after its last
                        # record: the host then disconnects cleanly.
                        loop = asyncio.get_running_loop()
                        while not device_finished(sim):
                            await asyncio.sleep(0.05)
                        recorder.note("simulated sensor: end of the workout; switching off")
                        end = loop.time() + DRAIN_S
                        while loop.time() < end and not all_made_stored(
                                store, sim, info.address):
                            await asyncio.sleep(0.02)

                    result = await record_session(store, info, out=out, until=until,
                                                  on_record=on_record)
                finally:
                    await asyncio.to_thread(sim.close)
        return result, sim


def measure_rep_latency(seed=3, speed=1.0, folder=None, sets=1):
    """Latencies (ms) of every rep: from the firmware putting the REP record in its
    ring (the tick that fed the rep's last sample) to the rep committed in the store,
    through bridge, fake BlueZ, bleak and the Recorder. Returns a list of floats."""
    import io

    made_at = {}  # seq -> host clock when the device printed the record
    stored_at = {}

    def on_line(line):
        if line.startswith("event "):
            data = bytes.fromhex(line[6:])
            if len(data) > 2 and data[2] == P.T_REP:
                made_at[data[0] | data[1] << 8] = time.perf_counter()

    def on_record(seq, record, _received_at):
        if isinstance(record, P.Rep):
            stored_at[seq & 0xFFFF] = time.perf_counter()

    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(run_demo(Path(folder or tmp) / "latency.db", speed=speed, sets=sets,
                             seed=seed, out=io.StringIO(), on_record=on_record,
                             on_line=on_line))
    return [(stored_at[s] - made_at[s]) * 1000.0 for s in sorted(made_at) if s in stored_at]
