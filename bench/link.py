"""Link benchmark: how fast the host takes events in, and how late reps reach the store.

    python bench/link.py [--events N] [--seed S] [--speed X]

Prints three figures:
1. decode + store: protocol records per second through Sensor decoding, sequence
   unwrapping and Store.add_record (real SQLite, WAL, one commit per record).
2. over the real bleak client: records per second notified by a stand-in device on
   the fake BlueZ (private D-Bus) and stored by the Recorder.
3. rep latency through the whole simulated stack (firmware in the MicroPython unix
   port -> radio bridge -> fake BlueZ -> bleak -> Recorder -> Store): ms from the
   firmware putting the REP record in its ring (in the tick that read the rep's last
   sample from the IMU FIFO) to the rep's row committed in the store; the sample's
   wait in the FIFO (at most one tick) is printed as a bound next to it.
"""

import argparse
import asyncio
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from hipthrust.ble import find_sensor
from hipthrust.ble.sensor import Sensor
from hipthrust.devicesim.bluez import Peripheral
from hipthrust.devicesim.fake_radio import FakeRadio
from hipthrust.session_runner import Backoff, Recorder
from hipthrust.store import Store
from hipthrust_core import records as P

H_EVENTS, H_CONTROL, H_STATUS, H_SOFTWARE = 3, 6, 12, 16
ROOT = Path(__file__).resolve().parent.parent


def firmware_tick_ms():
    """The firmware's FIFO drain period (hipthrust_fw.app.TICK_MS), device ms: read from
    its source, which imports MicroPython-only modules."""
    text = (ROOT / "firmware" / "hipthrust_fw" / "app.py").read_text()
    return int(re.search(r"^TICK_MS = const\((\d+)\)", text, re.M).group(1))


def records(n):
    """n protocol records of a long set (bytes), seq 0..n-1."""
    out = []
    buf = bytearray(P.MAX_RECORD)
    rep = 0
    for seq in range(n):
        k = seq % 5
        if k == 4:
            rep += 1
            m = P.pack_rep(buf, seq, rep % 250 + 1, P.RF_FULL, seq * 100, 800, 1200, 1500, 250,
                           600, 900)
        else:
            m = P.pack_phase(buf, seq, k + 1, seq * 100, rep % 250 + 1)
        out.append(bytes(buf[:m]))
    return out


def bench_decode_store(n, folder):
    """Records/s through decode + extend_seq + Store.add_record."""
    data = records(n)
    with Store(Path(folder) / "decode.db") as store:
        sid = store.open_session("bench", "00:00:00:00:00:01", 1)
        sensor = Sensor("00:00:00:00:00:01")
        t0 = time.perf_counter()
        for d in data:
            seq, _rec, raw = sensor._decode(False, d, time.time())
            store.add_record(sid, sensor.address, 1, seq, raw, time.time())
        dt = time.perf_counter() - t0
    return n / dt


class _StandIn:
    """Minimal device on the fake BlueZ: serves the status and version, notifies a burst."""

    def __init__(self, bluez, data):
        self.bluez = bluez
        self.data = data
        self.p = Peripheral("24:0A:C4:00:BE:AC", name="HipThrust-BEAC", uuids=[P.SERVICE_UUID],
                            link=self)
        self.p.services = [
            (P.SERVICE_UUID, [(P.EVENTS_UUID, ["notify"], H_EVENTS),
                              (P.CONTROL_UUID, ["write"], H_CONTROL),
                              (P.STATUS_UUID, ["read"], H_STATUS)]),
            (P.sig_uuid(P.DIS_UUID16), [(P.sig_uuid(P.DIS_SOFTWARE_UUID16), ["read"],
                                         H_SOFTWARE)]),
        ]
        buf = bytearray(10)
        P.pack_status_char(buf, 7, len(data), 90, P.ST_IDLE, 0)
        self.p.values = {H_STATUS: bytes(buf), H_SOFTWARE: b"1"}
        self.p.advertising = True
        self.t0 = None

    def connect(self, conn):
        pass

    def mtu(self, conn, mtu):
        pass

    def disconnect(self, conn):
        pass

    def write(self, conn, handle, data):
        cmd = P.parse_command(data)
        if cmd.cmd == P.C_RESEND:
            self.t0 = time.perf_counter()
            asyncio.ensure_future(self._send(self.data[cmd.a:]))

    async def _send(self, data):
        # Paced (8 records per ms at most, far above a BLE link's rate) and never one
        # burst: a burst of thousands of D-Bus signals overruns the fake BlueZ's bus
        # connection.
        for i, d in enumerate(data):
            self.bluez.notify(self.p, H_EVENTS, d)
            if i % 8 == 7:
                await asyncio.sleep(0.001)


async def _bench_bleak(n, folder):
    async with FakeRadio() as radio:
        os.environ.update(radio.env)
        dev = _StandIn(radio.bluez, records(n))
        radio.bluez.add_peripheral(dev.p)
        info = await find_sensor(timeout=5.0)
        with Store(Path(folder) / "bleak.db") as store:
            rec = Recorder(store, info, backoff=Backoff(0.05, 2, 0.5))
            task = asyncio.ensure_future(rec.run())
            while store.last_seq(info.address, 7) != n - 1:
                await asyncio.sleep(0.01)
            t1 = time.perf_counter()
            rec.stop()
            await task
        return n / (t1 - dev.t0)


def bench_bleak(n, folder):
    """Records/s from notification to store over the real bleak client."""
    return asyncio.run(_bench_bleak(n, folder))


def bench_latency(seed, speed, folder):
    """Rep latencies (ms) through the whole simulated stack; see hipthrust.demo_runner."""
    from hipthrust.demo_runner import measure_rep_latency

    return measure_rep_latency(seed=seed, speed=speed, folder=folder)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=2000, help="records per throughput run")
    ap.add_argument("--seed", type=int, default=3, help="simulated session for the latency")
    ap.add_argument("--speed", type=float, default=1.0,
                    help="simulation speed for the latency run (1 = real time)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        rate = bench_decode_store(args.events, folder)
        print(f"decode + store (SQLite, commit per record): {rate:,.0f} events/s "
              f"({args.events} records)")
        rate = bench_bleak(args.events, folder)
        print(f"fake BlueZ -> real bleak -> Recorder -> store: {rate:,.0f} events/s "
              f"({args.events} records)")
        lat = bench_latency(args.seed, args.speed, folder)
        if lat:
            lat.sort()
            p95 = lat[min(len(lat) - 1, round(0.95 * (len(lat) - 1)))]
            print(f"rep latency, firmware makes the REP record -> rep in the store: median "
                  f"{statistics.median(lat):.1f} ms, 95th percentile {p95:.1f} ms, max "
                  f"{lat[-1]:.1f} ms ({len(lat)} reps, speed {args.speed:g}x)")
            tick = firmware_tick_ms()
            print(f"  + the rep's last sample waits in the IMU FIFO until the next drain: "
                  f"at most {tick / args.speed:.0f} ms (TICK_MS {tick} ms of device time)")
        else:
            print("rep latency: no reps measured")
    return 0


if __name__ == "__main__":
    sys.exit(main())
