"""`hipthrust flash --board NAME [--port PORT] [--dry-run]`: put the firmware on a board."""

import json

from hipthrust.flash import FlashError, boards, describe, firmware_dir, flash


def register(subparsers, common):
    """Add the `flash` command."""
    try:
        names = sorted(boards(firmware_dir()))
    except (FlashError, OSError, SyntaxError):
        names = []  # reported when the command runs
    p = subparsers.add_parser(
        "flash", parents=[common.output],
        help="compile the firmware with mpy-cross and copy it to a board with mpremote",
        description="Compile every firmware file but main.py to .mpy for the board's "
                    "architecture, remove the old firmware packages from the board, copy "
                    "the new ones with main.py and board.txt, and reset the board. The board "
                    "must already run MicroPython (1.22 or newer).",
    )
    p.add_argument(
        "--board", required=True, metavar="NAME",
        help="board name" + (f": {', '.join(names)}" if names else ""),
    )
    p.add_argument("--port", help="serial port of the board (default: the one USB serial device)")
    p.add_argument("--dry-run", action="store_true",
                   help="list what would be copied (the files are still compiled); no board")
    p.set_defaults(func=run)


def run(args):
    """Flash (or list, with --dry-run); returns the exit status."""
    plan = flash(args.board, port=args.port, dry_run=args.dry_run)
    if args.json:
        print(json.dumps(dict(plan.as_dict(), dry_run=args.dry_run), indent=2))
        return 0
    verb = "would copy" if args.dry_run else "copied"
    print(f"Board {plan.board} ({plan.arch}), firmware from {plan.firmware}")
    for _src, target, how in plan.files:
        note = {"compile": "compiled .mpy", "copy": "source", "write": "board name"}[how]
        print(f"  {verb} :{target}  ({note})")
    if args.dry_run:
        print("Would run:")
        for cmd in plan.commands:
            print("  mpremote " + " ".join(describe(c) for c in cmd))
    else:
        print(f"Done: {plan.board} on {plan.port} was reset and runs the new firmware.")
    return 0
