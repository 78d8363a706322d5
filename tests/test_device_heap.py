"""The simulated device's heap: it loads only what a board would, and it runs within
DEFAULT_HEAP (the 30-minute session itself is in test_device_sim.py).

Every module the device imports costs heap in the unix port (bytecode, function
objects, names), so the host-only side of the protocol (hipthrust_core.records) and
the other chips' IMU models must never be loaded there."""

import pytest

from hipthrust.devicesim.runner import FAKES
from tests import mpy

LOADED = r"""
import sys
import bluetooth
import sim_board
board = sim_board.SimBoard(MOTION, 0, NAME)
import main
from hipthrust_fw.app import App
app = App(board, bluetooth.BLE(), clock=board.clock, log=lambda *a: None)
print("@@" + " ".join(sorted(sys.modules)))
"""

# board name -> the IMU model module its simulation needs
BOARDS = {
    "m5stickc-plus2": "mpu6886_model",
    "xiao-esp32s3": "lsm6dsox_model",
    "pico2w": "lsm6dsox_model",
}
MODELS = {"mpu6886_model", "lsm6dsox_model"}


@pytest.fixture(scope="module")
def still_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("motion") / "still.csv"
    path.write_text("t_s,ax_g,ay_g,az_g,gx_dps,gy_dps,gz_dps\n0.0,0,0,1,0,0,0\n"
                    "1.0,0,0,1,0,0,0\n")
    return path


@pytest.mark.parametrize("board", sorted(BOARDS))
def test_the_device_loads_no_host_only_code(board, still_csv, tmp_path):
    code = LOADED.replace("MOTION", repr(str(still_csv))).replace("NAME", repr(board))
    # Source, not .mpy: compiling needs a larger heap than the default device one.
    proc = mpy.run_micropython(["-c", code], path=[FAKES, mpy.FIRMWARE], cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    loaded = set(proc.stdout.split("@@")[1].split())
    assert "hipthrust_fw.app" in loaded and "hipthrust_core.detector" in loaded
    assert "hipthrust_core.protocol" in loaded
    assert "hipthrust_core.records" not in loaded  # decoding is the host's business
    assert loaded & MODELS == {BOARDS[board]}  # only its own chip's register model
    assert "imu_models" not in loaded  # the facade that loads both models


def test_records_is_the_host_view_of_protocol():
    # The host keeps one import: records re-exports every protocol name, same objects.
    from hipthrust_core import protocol, records

    public = [n for n in dir(protocol) if not n.startswith("_")]
    assert public and all(getattr(records, n) is getattr(protocol, n) for n in public)
    assert not hasattr(protocol, "decode") and not hasattr(protocol, "Phase")
    buf = bytearray(protocol.MAX_RECORD)
    n = protocol.pack_phase(buf, 7, protocol.PH_TOP, 1234, 2)
    assert records.decode(bytes(buf[:n])) == records.Phase(7, protocol.PH_TOP, 1234, 2)
