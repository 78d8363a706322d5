"""End to end: `hipthrust live` killed with SIGKILL mid-set and started again loses
and duplicates nothing (real CLI processes, real bleak, the real firmware in the
MicroPython unix port behind the fake BlueZ); Ctrl-C then ends it with a summary."""

import asyncio
import signal
import sqlite3
import sys

from hipthrust.demo_runner import device_done_and_stored
from hipthrust.devicesim.fake_radio import FakeRadio
from hipthrust.devicesim.runner import DeviceSim
from hipthrust.rawfile import write_raw_csv
from hipthrust.sim.session import simulate_session
from hipthrust.store import Store
from hipthrust_core import records as P
from tests.ble_fixtures import poll

CAP = 60.0


def count(db, sql):
    try:
        with sqlite3.connect(db) as c:
            return c.execute(sql).fetchone()[0]
    except sqlite3.OperationalError:  # not created yet
        return 0


def test_host_killed_mid_set_and_restarted_loses_and_duplicates_nothing(
        monkeypatch, tmp_path):
    samples, _truth = simulate_session(seed=5, sets=1, distractors=False, reps=10)
    motion = tmp_path / "set.csv"
    write_raw_csv(motion, samples)
    db = tmp_path / "live.db"
    live = [sys.executable, "-m", "hipthrust", "live", "--device", "HipThrust-1A2B",
            "--db", str(db)]

    async def main():
        async with FakeRadio() as radio:
            for key, value in radio.env.items():
                monkeypatch.setenv(key, value)
            sim = DeviceSim(motion, radio_path=radio.socket_path, speed=8.0)
            await asyncio.to_thread(sim.start)
            try:
                address = await radio.wait_for_device(CAP)
                first = await asyncio.create_subprocess_exec(
                    *live, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
                await poll(lambda: count(db, "SELECT COUNT(*) FROM reps") >= 1, "a rep stored")
                first.kill()  # kill -9: no chance to clean up
                await first.wait()
                killed_at = count(db, "SELECT MAX(seq) FROM events")
                # the device goes on (BlueZ keeps the link of a dead program)
                await poll(lambda: len(sim.events()) > killed_at + 3, "records made meanwhile")
                second = await asyncio.create_subprocess_exec(
                    *live, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
                with Store(db) as store:
                    await poll(lambda: device_done_and_stored(store, sim, address),
                               "every record the device made in the store")
                    second.send_signal(signal.SIGINT)  # Ctrl-C
                    out, err = await asyncio.wait_for(second.communicate(), CAP)
                    rows = [(r["seq"] & 0xFFFF, bytes(r["data"])) for r in store.query(
                        "SELECT seq, data FROM events ORDER BY seq")]
                    sessions = len(store.sessions())
                    reps = len(store.reps())
                return second.returncode, out.decode(), err.decode(), rows, sessions, reps, \
                    killed_at, sim
            finally:
                await asyncio.to_thread(sim.close)

    code, out, err, rows, sessions, reps, killed_at, sim = asyncio.run(main())
    made = [(r.seq, P.encode(r)) for r in sim.events()]
    assert code == 0, err
    assert rows == made  # nothing lost, nothing twice
    assert killed_at < made[-1][0]
    assert sessions == 1 and reps == sum(isinstance(r, P.Rep) for r in sim.events())
    assert "Session 1" in out and "Saved in" in out and "hipthrust summary 1" in out
    assert "Traceback" not in err
