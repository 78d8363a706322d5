"""`hipthrust flash`: dry run, the board's architecture, and its one-line errors."""

import json
import shutil

import pytest

from hipthrust import flash as flashmod
from hipthrust.cli import main
from tests import mpy

# .mpy header byte 2 holds the native architecture in its upper six bits (MicroPython's
# MP_NATIVE_ARCH_* numbers).
MPY_ARCH = {"armv7emsp": 7, "xtensawin": 10}


@pytest.fixture
def firmware(tmp_path, monkeypatch):
    """A copy of the repository's firmware folder, used through HIPTHRUST_FIRMWARE."""
    dest = tmp_path / "firmware"
    shutil.copytree(mpy.FIRMWARE, dest, ignore=shutil.ignore_patterns("__pycache__"))
    if not (dest / "main.py").exists():  # written by the app's owner; any entry point will do
        (dest / "main.py").write_text("import hipthrust_fw\n")
    monkeypatch.setenv(flashmod.FIRMWARE_ENV, str(dest))
    return dest


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_dry_run_lists_every_file_and_the_commands(firmware, capsys):
    code, out, err = run(["flash", "--board", "m5stickc-plus2", "--port", "/dev/ttyUSB7",
                          "--dry-run"], capsys)
    assert code == 0, err
    assert "Board m5stickc-plus2 (xtensawin)" in out
    sources = sorted(p.relative_to(firmware).as_posix()
                     for p in firmware.rglob("*.py") if p.name != "main.py")
    listed = [line.split()[2] for line in out.splitlines() if line.startswith("  would copy")]
    assert listed[0] == ":main.py" and listed[-1] == ":board.txt"
    assert sorted(x[1:] for x in listed[1:-1]) == [s[:-3] + ".mpy" for s in sources]
    assert "  mpremote connect /dev/ttyUSB7 fs cp -r hipthrust_core hipthrust_fw main.py " \
        "board.txt :" in out
    assert "  mpremote connect /dev/ttyUSB7 reset" in out


@pytest.mark.parametrize("board,arch,native", [("m5stickc-plus2", "xtensawin", False),
                                               ("xiao-esp32s3", "xtensawin", True),
                                               ("pico2w", "armv7emsp", True)])
def test_json_dry_run_and_build_use_the_board_files_arch(board, arch, native, firmware, capsys,
                                                         tmp_path):
    code, out, err = run(["flash", "--board", board, "--dry-run", "--json"], capsys)
    assert code == 0, err
    plan = json.loads(out)
    assert plan["board"] == board and plan["arch"] == arch and plan["dry_run"] is True
    assert plan["native"] is native
    assert plan["commands"][1][:3] == ["mpremote", "connect", "PORT"]
    # Build for real into a folder. A .mpy records its architecture only when it holds
    # machine code, so a probe module with a native function shows what -march was used.
    (firmware / "hipthrust_fw" / "native_probe.py").write_text(
        "import micropython\n@micropython.native\ndef f(x):\n    return x + 1\n")
    staging = tmp_path / "staging"
    flashmod.build(flashmod.make_plan(board, firmware=firmware), staging)
    mpys = list(staging.rglob("*.mpy"))
    assert len(mpys) == len(plan["files"]) - 2 + 1
    assert all(p.read_bytes()[:2] == b"M\x06" for p in mpys)  # mpy format version 6
    # The board's NATIVE says whether machine code is built: the probe's, and the core's
    # per-sample methods (@micropython.native); else both are bytecode (no arch recorded).
    probe = (staging / "hipthrust_fw" / "native_probe.mpy").read_bytes()
    core = (staging / "hipthrust_core" / "vertical.mpy").read_bytes()
    assert probe[2] >> 2 == core[2] >> 2 == (MPY_ARCH[arch] if native else 0)
    assert (staging / "board.txt").read_text() == board + "\n"
    assert (staging / "main.py").read_text() == (firmware / "main.py").read_text()


def test_unknown_board(firmware, capsys):
    code, out, err = run(["flash", "--board", "arduino-uno", "--dry-run"], capsys)
    assert code == 2 and out == ""
    assert err == ("Error: unknown board 'arduino-uno'; choose one of: m5stickc-plus2, "
                   "pico2w, xiao-esp32s3\n")


def test_no_serial_device(firmware, capsys, monkeypatch):
    monkeypatch.setattr(flashmod, "list_serial_ports", lambda: [])
    code, out, err = run(["flash", "--board", "m5stickc-plus2"], capsys)
    assert code == 2
    assert err == ("Error: no serial device found; plug the board in with a data USB cable "
                   "or pass --port\n")


def test_several_serial_devices(firmware, capsys, monkeypatch):
    monkeypatch.setattr(flashmod, "list_serial_ports", lambda: ["/dev/ttyACM0", "/dev/ttyUSB0"])
    code, out, err = run(["flash", "--board", "pico2w"], capsys)
    assert code == 2
    assert err == ("Error: several serial devices (/dev/ttyACM0, /dev/ttyUSB0); choose one "
                   "with --port\n")


def test_mpremote_failure_is_one_line(firmware, capsys, tmp_path):
    # The real mpremote, on a port that does not exist.
    port = str(tmp_path / "ttyNOPE")
    code, out, err = run(["flash", "--board", "m5stickc-plus2", "--port", port], capsys)
    assert code == 2
    assert err.count("\n") == 1
    assert err.startswith(f"Error: mpremote failed (failed to access {port}")
    assert err.endswith("check --port and close any serial monitor using it\n")


def test_a_file_that_does_not_compile_stops_the_dry_run(firmware, capsys):
    (firmware / "hipthrust_fw" / "broken.py").write_text("def f(:\n")
    code, out, err = run(["flash", "--board", "pico2w", "--dry-run"], capsys)
    assert code == 2
    assert err.startswith("Error: mpy-cross could not compile ")
    assert "broken.py" in err


def test_missing_main_and_bad_firmware_folder(firmware, capsys, monkeypatch, tmp_path):
    (firmware / "main.py").unlink()
    code, _, err = run(["flash", "--board", "pico2w", "--dry-run"], capsys)
    assert code == 2 and err == f"Error: {firmware / 'main.py'} is missing; the firmware " \
        "folder is incomplete\n"
    monkeypatch.setenv(flashmod.FIRMWARE_ENV, str(tmp_path / "nowhere"))
    code, _, err = run(["flash", "--board", "pico2w", "--dry-run"], capsys)
    assert code == 2 and "has no hipthrust_fw folder" in err


def test_check_board_compares_version_and_arch_with_a_real_micropython():
    # The unix port's own sys.implementation._mpy: .mpy v6, built for x64.
    proc = mpy.run_micropython(["-c", "import sys; print(sys.implementation._mpy)"])
    unix = int(proc.stdout.strip())
    plan = flashmod.make_plan("m5stickc-plus2", port="/dev/ttyUSB0", firmware=mpy.FIRMWARE)
    with pytest.raises(flashmod.FlashError) as err:
        flashmod.check_board(unix, plan)
    assert str(err.value) == ("the board on /dev/ttyUSB0 runs MicroPython built for x64, but "
                              "m5stickc-plus2 is xtensawin; check --board (or the port)")
    # What an ESP32 (xtensawin) and an RP2350 (armv7emsp) build report: version 6.x.
    esp32 = 6 | 3 << 8 | 10 << 10
    rp2350 = 6 | 3 << 8 | 7 << 10
    flashmod.check_board(esp32, plan)
    with pytest.raises(flashmod.FlashError, match="built for armv7emsp"):
        flashmod.check_board(rp2350, plan)
    with pytest.raises(flashmod.FlashError, match="install MicroPython 1.22 or newer"):
        flashmod.check_board(5 | 10 << 10, plan)
