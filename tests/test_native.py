"""The compiled core (hipthrust._native, built by hatch_build.py): in use, current, and
record for record the same as the pure Python core it was compiled from."""

import os
import shutil
import subprocess
import sys

import pytest

from hipthrust import _native
from hipthrust.analyze import analyze_records
from hipthrust.rawfile import to_ints
from hipthrust.sim import simulate_set

OFF = os.environ.get("HIPTHRUST_NATIVE") == "0"
CORE = _native.DIR.parents[3] / "firmware" / "hipthrust_core"
SETS = [(seed, (50.0, 100.0, 200.0)[seed % 3]) for seed in range(12)]

DUMP = r"""
import sys
from hipthrust.analyze import analyze_records
from hipthrust.rawfile import to_ints
from hipthrust.sim import simulate_set
for seed, rate in %r:
    samples, _ = simulate_set(seed, rate_hz=rate, pitch_coupling=1.0)
    for i, rec in analyze_records(to_ints(samples)):
        print(seed, i, repr(rec))
"""


def _run(code, **env):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, env={**os.environ, **env}).stdout


@pytest.mark.skipif(OFF, reason="HIPTHRUST_NATIVE=0")
def test_compiled_core_is_in_use():
    # Fails after an edit to the core without a rebuild (`pip install -e .`): the pure
    # core runs then, correct but slow.
    assert _native.status() == "compiled", _native.status()
    import hipthrust_core.detector

    assert hipthrust_core.detector.__file__.startswith(str(_native.DIR))


@pytest.mark.skipif(OFF, reason="HIPTHRUST_NATIVE=0")
def test_compiled_records_equal_pure_records():
    compiled = []
    for seed, rate in SETS:
        samples, _ = simulate_set(seed, rate_hz=rate, pitch_coupling=1.0)
        compiled += [f"{seed} {i} {rec!r}" for i, rec in analyze_records(to_ints(samples))]
    pure = _run(DUMP % SETS, HIPTHRUST_NATIVE="0").splitlines()
    assert len(pure) > 300
    assert compiled == pure


@pytest.mark.skipif(OFF or _native.status() != "compiled", reason="no current build")
@pytest.mark.parametrize("ext", [".py", ".pxd"])
def test_edited_source_is_not_loaded(tmp_path, ext):
    core = tmp_path / "hipthrust_core"
    shutil.copytree(CORE, core)
    assert _native.check(core)[1] == "compiled"
    with open(core / f"vertical{ext}", "a") as f:
        f.write("\n# edited\n")
    files, reason = _native.check(core)
    assert files is None
    assert "hipthrust_core.vertical changed" in reason


def test_pure_core_imported_first_stays_pure():
    # Compiled modules need each other's C types: none is loaded next to a pure one.
    out = _run("import hipthrust_core.fixed\nimport hipthrust\n"
               "import hipthrust_core.detector as d\nprint(d.__file__)")
    assert out.strip().endswith("detector.py")


def test_strip_mp_native_blanks_only_the_hint_lines():
    # MicroPython's hint goes, for Cython and bytecode boards; line numbers stay, and the
    # word elsewhere (a comment, a longer decorator) is left alone.
    src = ("class A:\n    @micropython.native\n    def f(self):  # @micropython.native\n"
           "        return 1\n@micropython.viper\ndef g():\n    pass\n")
    out = _native.strip_mp_native(src)
    assert out.splitlines() == ["class A:", "", "    def f(self):  # @micropython.native",
                                "        return 1", "@micropython.viper", "def g():",
                                "    pass"]
    # Every core module that carries the hint still compiles without it.
    marked = [p for p in CORE.glob("*.py") if _native.MP_NATIVE in p.read_text()]
    assert len(marked) >= 6
    for path in marked:
        compile(_native.strip_mp_native(path.read_text()), str(path), "exec")
