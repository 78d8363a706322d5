"""Run firmware code in the real MicroPython unix port with the devicesim fakes.

`run(code)` executes a snippet with MICROPYPATH = devicesim fakes : firmware : .frozen
and returns what it reported: each `report(obj)` call in the snippet prints one JSON
line that comes back here as a Python object (in order).
"""

import json
import os
import subprocess

from tests import mpy

FAKES = mpy.FAKES
PATH = [FAKES, mpy.FIRMWARE]

_PRELUDE = """
import json
def _plain(x):
    # Namedtuples (decoded records) become JSON arrays; MicroPython's json has no hook.
    if isinstance(x, (tuple, list)):
        return [_plain(v) for v in x]
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    return x
def report(obj):
    print("@@" + json.dumps(_plain(obj)))
"""


def run(code, heapsize=None, cwd=None, env=None, timeout=60, path=None):
    """Run `code` under MicroPython; returns (reports, stdout lines). Fails the test with
    the output when the interpreter exits with an error."""
    full = dict(os.environ)
    full.pop("HIPTHRUST_RADIO", None)
    full.pop("HIPTHRUST_MAC", None)
    full.update(env or {})
    dirs = [str(p) for p in (path or PATH)] + [".frozen"]
    full["MICROPYPATH"] = os.pathsep.join(dirs)
    cmd = [mpy.micropython_bin()]
    if heapsize:
        cmd += ["-X", f"heapsize={heapsize}"]
    proc = subprocess.run(
        cmd + ["-c", _PRELUDE + code],
        env=full,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=str(cwd) if cwd else None,
    )
    lines = proc.stdout.splitlines()
    assert proc.returncode == 0, f"micropython exited {proc.returncode}\n{proc.stdout[-4000:]}" \
        f"\n{proc.stderr[-4000:]}"
    reports = [json.loads(line[2:]) for line in lines if line.startswith("@@")]
    return reports, lines

