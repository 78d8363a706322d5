"""`hipthrust scan [--timeout S] [--json]`: list the hip thrust sensors in range."""

import asyncio
import json

from hipthrust.ble import find_sensors
from hipthrust.errors import DeviceNotFoundError, UsageError


def register(subparsers, common):
    """Add the `scan` command."""
    p = subparsers.add_parser(
        "scan", parents=[common.output],
        help="list the hip thrust sensors in range (name, address, signal, battery)",
        description="Scan for sensors advertising the hip thrust service; other Bluetooth "
                    "devices are ignored.",
    )
    p.add_argument("--timeout", type=float, default=5.0, metavar="S",
                   help="seconds to scan (default 5)")
    p.set_defaults(func=run)


def run(args):
    """Scan and print one line per sensor; returns the exit status."""
    if not 0 < args.timeout <= 120:
        raise UsageError(f"--timeout {args.timeout:g} is out of range; give 0-120 s")
    infos = asyncio.run(find_sensors(timeout=args.timeout))
    if args.json:
        print(json.dumps([{"name": i.name, "address": i.address, "rssi_dbm": i.rssi,
                           "battery_pct": i.battery} for i in infos], indent=2))
        return 0
    if not infos:
        raise DeviceNotFoundError(
            None, f"no hip thrust sensor answered within {args.timeout:g} s; is it switched "
                  "on and within a few metres? (no sensor: try `hipthrust demo`)")
    print(f"{'NAME':<18} {'ADDRESS':<18} {'SIGNAL':>8} {'BATTERY':>8}")
    for i in infos:
        rssi = "?" if i.rssi is None else f"{i.rssi} dBm"
        battery = "?" if i.battery is None else f"{i.battery} %"
        print(f"{i.name:<18} {i.address:<18} {rssi:>8} {battery:>8}")
    print(f"Connect with: hipthrust live --device {infos[0].name}")
    return 0
