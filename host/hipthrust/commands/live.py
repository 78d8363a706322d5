"""`hipthrust live [--device NAME|ADDRESS] [--db PATH] [--raw]`: record a session."""

import asyncio
import sys

from hipthrust.ble import find_sensor
from hipthrust.errors import DeviceNotFoundError, UsageError
from hipthrust.session_runner import record_session, summary_lines
from hipthrust.store import open_store


def register(subparsers, common):
    """Add the `live` command."""
    p = subparsers.add_parser(
        "live", parents=[common.db],
        help="connect to the sensor, show reps live and store the session",
        description="Connects to the only sensor in range (or the one named), shows rep "
                    "count, phase and tempo in large print, stores every event as it "
                    "arrives and reconnects after a dropped link. Ctrl-C ends the session.",
    )
    p.add_argument("--device", metavar="NAME|ADDRESS",
                   help="sensor name (HipThrust-1A2B) or address; default: the only one in range")
    p.add_argument("--raw", action="store_true",
                   help="also record the raw IMU samples (for `hipthrust analyze`)")
    p.add_argument("--scan-timeout", type=float, default=10.0, metavar="S",
                   help="seconds to look for the sensor (default 10)")
    p.set_defaults(func=run)


async def connect_and_record(store, device, scan_timeout, raw, out):
    """Find the sensor, then record until Ctrl-C; returns the RecorderResult."""
    print("Looking for the sensor...", file=sys.stderr, flush=True)
    info = await find_sensor(device, timeout=scan_timeout)
    if info is None:
        raise DeviceNotFoundError(device)
    print(f"Recording from {info.label()}; Ctrl-C ends the session.", file=sys.stderr,
          flush=True)
    return await record_session(store, info, raw=raw, out=out)


def run(args):
    """Record, then print the session summary; returns the exit status."""
    if not 0 < args.scan_timeout <= 300:
        raise UsageError(f"--scan-timeout {args.scan_timeout:g} is out of range; give 0-300 s")
    with open_store(args.db, create=True) as store:
        print(f"Database: {store.path}", file=sys.stderr, flush=True)
        result = asyncio.run(connect_and_record(store, args.device, args.scan_timeout,
                                                args.raw, sys.stdout))
        print_summary(store, result)
    return 0


def print_summary(store, result, file=None):
    """Print the recorded sessions' summaries and where to see more."""
    file = file or sys.stdout
    print("", file=file)
    for line in summary_lines(store, result):
        print(line, file=file)
    if result.sessions:
        sid = result.sessions[-1]
        print(f"Saved in {store.path}. More: `hipthrust summary {sid}`, "
              f"`hipthrust export {sid}`.", file=file, flush=True)
