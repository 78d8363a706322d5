"""`hipthrust device-sim`: the unchanged firmware in the MicroPython unix port.

Simulates a session (or takes a raw CSV), plays it through the IMU register model
into the real drivers, detector and BLE link, and prints the device's log and the
events it made. With --radio the fake radio talks to a fake BlueZ's bridge socket,
so `hipthrust live` (bleak) can connect to it.
"""

import json
import os
import tempfile
from pathlib import Path

from hipthrust.devicesim.runner import DEFAULT_HEAP
from hipthrust.errors import HipthrustError, InputFileError, UsageError
from hipthrust_core import records as P


def register(subparsers, common):
    """Add the `device-sim` command."""
    p = subparsers.add_parser(
        "device-sim", parents=[common.output],
        help="run the firmware in the MicroPython unix port on simulated motion",
        description="Run the unchanged firmware (main.py, app, drivers, BLE link) in the "
                    "MicroPython unix port with fake hardware, fed by a simulated session or "
                    "a raw CSV, and print the device log and its events.",
    )
    p.add_argument("--seed", type=int, default=0, help="simulator seed (default 0)")
    p.add_argument("--sets", type=int, default=3, help="sets to simulate (default 3)")
    p.add_argument("--speed", type=float, default=0.0,
                   help="simulated seconds per real second; 0 = as fast as possible (default)")
    p.add_argument("--motion", metavar="FILE.csv",
                   help="raw CSV to play instead of a simulated session")
    p.add_argument("--board", default="m5stickc-plus2", help="board file to run")
    p.add_argument("--heap", default=DEFAULT_HEAP,
                   help=f"device heap size (default {DEFAULT_HEAP})")
    p.add_argument("--radio", metavar="SOCKET", default=os.environ.get("HIPTHRUST_RADIO"),
                   help="bridge socket of a fake BlueZ (env HIPTHRUST_RADIO)")
    p.add_argument("--quiet", action="store_true", help="print events only, not the device log")
    p.set_defaults(func=run)


def describe(rec):
    """One line of text for a decoded event record (durations shown in s, ROM in mm,
    velocities in m/s)."""
    if isinstance(rec, P.Phase):
        return f"{rec.t_ms / 1000:9.3f} s  rep {rec.rep} {P.PHASE_NAMES[rec.phase]}"
    if isinstance(rec, P.Rep):
        return (f"{rec.t_ms / 1000:9.3f} s  REP {rec.rep}: concentric {rec.conc_ms / 1000:.2f} s,"
                f" hold {rec.hold_ms / 1000:.2f} s, eccentric {rec.ecc_ms / 1000:.2f} s, "
                f"ROM {rec.rom_mm} mm, mean {rec.mean_mmps / 1000:.2f} m/s, "
                f"peak {rec.peak_cmps / 100:.2f} m/s")
    if isinstance(rec, P.SetStart):
        return f"{rec.t_ms / 1000:9.3f} s  SET {rec.set_no} start"
    if isinstance(rec, P.SetEnd):
        return (f"{rec.t_ms / 1000:9.3f} s  SET {rec.set_no} end: {rec.reps} reps "
                f"({rec.full_reps} full), {P.END_REASONS[rec.reason]}")
    if isinstance(rec, P.Status):
        return (f"{'':9} -  status: boot {rec.boot_id:08x}, battery {rec.battery} %, "
                f"state {rec.state}, flags 0x{rec.flags:02x}, {rec.rate_hz} Hz")
    if isinstance(rec, P.Reply):
        return (f"{'':9} -  reply to {P.COMMAND_NAMES.get(rec.cmd, rec.cmd)}: "
                f"{P.REPLY_NAMES[rec.status]} ({rec.arg})")
    return repr(rec)


def _motion(args, tmp):
    if args.motion:
        path = Path(args.motion)
        if not path.is_file():
            raise InputFileError(path, "no such file; give a raw CSV (docs/raw-format.md)")
        return path
    if args.sets < 1:
        raise UsageError("--sets must be at least 1")
    from hipthrust.rawfile import write_raw_csv
    from hipthrust.sim.session import simulate_session

    samples, _truth = simulate_session(seed=args.seed, sets=args.sets)
    path = Path(tmp, f"session-{args.seed}.csv")
    write_raw_csv(path, samples)
    return path


def run(args):
    """Run the simulated device to the end of its motion; returns the exit status."""
    from hipthrust.devicesim.runner import DeviceSim

    if args.speed < 0:
        raise UsageError("--speed must be 0 (as fast as possible) or more")
    events = []

    def show(line):
        if line.startswith("event "):
            rec = P.decode(bytes.fromhex(line[6:]))
            events.append(rec)
            if not args.json:
                print(f"seq {rec.seq:5}  {describe(rec)}", flush=True)
        elif not args.quiet and not args.json:
            print(f"  | {line}", flush=True)

    with tempfile.TemporaryDirectory(prefix="hipthrust-device-sim-") as tmp:
        motion = _motion(args, tmp)
        try:
            sim = DeviceSim(motion, radio_path=args.radio, speed=args.speed,
                            heapsize=args.heap, board=args.board, on_line=show)
        except FileNotFoundError as exc:
            raise HipthrustError(str(exc)) from None
        with sim:
            try:
                code = sim.wait()
            except KeyboardInterrupt:
                sim.stop()
                raise
        mem = sim.mem_free()
        tail = [line for line in sim.lines[-12:] if not line.startswith("event ")]
    if code != 0:
        raise HipthrustError(
            f"the simulated device stopped with status {code}: {' / '.join(tail[-4:])}; "
            "try a larger --heap or `--board` from hipthrust_fw.boards"
        )
    reps = [r for r in events if isinstance(r, P.Rep)]
    sets = [r for r in events if isinstance(r, P.SetEnd)]
    if args.json:
        print(json.dumps({
            "events": [dict(type=type(r).__name__, **r._asdict()) for r in events],
            "sets": len(sets), "reps": len(reps),
            "min_free_heap": min(mem) if mem else None,
        }))
    else:
        low = f"; lowest free heap {min(mem)} bytes" if mem else ""
        print(f"Device finished: {len(sets)} sets, {len(reps)} reps, {len(events)} events{low}.")
    return 0
