"""`hipthrust device-sim` and DeviceSim: the unchanged firmware (main.py, app, drivers,
link) in the MicroPython unix port, fed by the simulator through the IMU model."""

import json
from pathlib import Path

import pytest

from hipthrust.cli import main
from hipthrust.devicesim.runner import DEFAULT_HEAP, DeviceSim, board_native, compile_tree
from hipthrust.rawfile import write_raw_csv
from hipthrust.sim.session import simulate_session
from hipthrust_core import records as P
from tests import mpy


@pytest.fixture(scope="module")
def short_csv(tmp_path_factory):
    samples, truth = simulate_session(seed=5, sets=1, distractors=False)
    path = tmp_path_factory.mktemp("motion") / "short.csv"
    write_raw_csv(path, samples)
    return path


def _check_events(events):
    # One boot's records: seq from 0 without gaps, sets closed, reps summed in SET_END.
    assert [e.seq for e in events] == list(range(len(events)))
    starts = [e for e in events if isinstance(e, P.SetStart)]
    ends = [e for e in events if isinstance(e, P.SetEnd)]
    assert len(starts) == len(ends)
    reps = [e for e in events if isinstance(e, P.Rep)]
    assert sum(e.reps for e in ends) == len(reps)
    return starts, reps


def test_thirty_minute_session_within_the_device_heap(tmp_path, capsys):
    # Ten sets with long rests: a 30-minute session (the simulator decides the exact length).
    samples, truth = simulate_session(seed=3, sets=10, rest_s=(150.0, 200.0))
    minutes = samples[-1, 0] / 60
    assert minutes >= 30
    path = tmp_path / "thirty.csv"
    write_raw_csv(path, samples)
    with DeviceSim(path, speed=0, heapsize=DEFAULT_HEAP) as sim:
        code = sim.wait(timeout=120)
        lines = list(sim.lines)
        events = sim.events()
        free = sim.mem_free()
    with capsys.disabled():
        heap = [x for x in lines if x.startswith("sim: heap")]
        print(f"\n{minutes:.1f} min session, -X heapsize={DEFAULT_HEAP}: {heap[0][5:]}; "
              f"free heap after gc.collect() each minute: min {min(free)} max {max(free)} "
              f"bytes; {len(events)} events")
    assert code == 0, "\n".join(lines[-20:])
    done = [x for x in lines if x.startswith("app: done")]
    assert done == [f"app: done, {int(done[0].split()[2])} samples, {len(events)} events"]
    # Every sample of the file went through at the IMU's 100 Hz.
    assert abs(int(done[0].split()[2]) - samples[-1, 0] * 100) < 100
    assert len(free) >= 30  # one figure per simulated minute
    assert max(free) - min(free) < 2048  # no leak: live heap flat over the whole session
    starts, reps = _check_events(events)
    assert len(starts) >= 1 and len(reps) >= 1


def test_machine_code_only_for_the_boards_that_run_it(tmp_path):
    # The core's @micropython.native methods: machine code for this machine's unix port
    # when the board file's NATIVE is true (as `hipthrust flash` builds them for its
    # CPU), bytecode for the m5stickc-plus2 (a .mpy records an arch only with machine code).
    firmware = Path(mpy.FIRMWARE)
    for board, arch_recorded in (("m5stickc-plus2", False), ("pico2w", True)):
        dst = tmp_path / board
        compile_tree(firmware / "hipthrust_core", dst, native=board_native(board, firmware))
        assert ((dst / "vertical.mpy").read_bytes()[2] >> 2 != 0) is arch_recorded
        assert (dst / "protocol.mpy").read_bytes()[2] >> 2 == 0  # no native methods in it
    assert not list(tmp_path.rglob("*.py"))


def test_a_machine_code_board_counts_the_set_as_a_bytecode_one(short_csv):
    counts = {}
    for board in ("m5stickc-plus2", "pico2w"):
        with DeviceSim(short_csv, speed=0, board=board) as sim:
            assert sim.wait(timeout=120) == 0, "\n".join(sim.lines[-5:])
            starts, reps = _check_events(sim.events())
            counts[board] = (len(starts), len(reps))
    assert counts == {"m5stickc-plus2": (1, 5), "pico2w": (1, 5)}  # the simulator's truth


def test_restart_keeps_flash_and_changes_boot_id(short_csv):
    with DeviceSim(short_csv, speed=0) as sim:
        sim.wait_for("app: HipThrust-", timeout=30)  # the settings were read: defaults
        (sim.workdir / "settings.json").write_text('{"rate_hz": 200}')
        sim.wait(timeout=60)
        sim.restart()
        sim.wait(timeout=60)
        boots = [x for x in sim.lines if x.startswith("app: HipThrust-")]
        assert sim.returncode == 0
        assert sim.boots == 2
    # "app: HipThrust-1A2B boot 1bc81bc3 firmware 0.1.0 protocol 1 rate 100 Hz"
    assert len(boots) == 2
    assert all(b.startswith("app: HipThrust-1A2B boot ") for b in boots)
    ids = [b.split()[3] for b in boots]
    assert ids[0] != ids[1]
    # Written to the device's flash while it ran: the next boot reads it.
    assert boots[0].endswith("rate 100 Hz")
    assert boots[1].endswith("rate 200 Hz")
    assert len(sim.events(boot=1)) > 0 and len(sim.events(boot=2)) > 0


def test_kill_is_a_power_cut(short_csv):
    sim = DeviceSim(short_csv, speed=1.0, mac="24:0a:c4:00:be:ef")
    try:
        sim.start()
        sim.wait_for("app: HipThrust-BEEF", timeout=20)
        assert sim.running()
        sim.kill()
        assert sim.returncode == -9
        assert not any(x.startswith("app: done") for x in sim.lines)
    finally:
        sim.close()


def test_wait_times_out_while_running(short_csv):
    with DeviceSim(short_csv, speed=1.0) as sim:
        sim.wait_for("app: HipThrust-", timeout=20)
        with pytest.raises(TimeoutError, match="still runs"):
            sim.wait(timeout=0.2)


def test_cli_runs_a_simulated_session(capsys):
    assert main(["device-sim", "--sets", "1", "--seed", "2", "--quiet"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1].startswith("Device finished: ")
    assert "lowest free heap" in out[-1]
    assert any(" SET " in line and " start" in line for line in out)
    assert not any(line.startswith("  | ") for line in out)  # --quiet: no device log


def test_cli_json_and_motion_file(short_csv, capsys):
    assert main(["device-sim", "--motion", str(short_csv), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["sets"] == len([e for e in data["events"] if e["type"] == "SetEnd"])
    assert data["reps"] == len([e for e in data["events"] if e["type"] == "Rep"])
    assert data["min_free_heap"] > 0
    assert [e["seq"] for e in data["events"]] == list(range(len(data["events"])))


def test_cli_errors_exit_2_with_one_line(tmp_path, capsys):
    assert main(["device-sim", "--motion", str(tmp_path / "nope.csv")]) == 2
    err = capsys.readouterr().err
    assert err == (f"Error: {tmp_path / 'nope.csv'}: no such file; give a raw CSV "
                   "(docs/raw-format.md)\n")
    assert main(["device-sim", "--speed", "-1"]) == 2
    assert capsys.readouterr().err == "Error: --speed must be 0 (as fast as possible) or more\n"
    assert main(["device-sim", "--sets", "0"]) == 2
    assert capsys.readouterr().err == "Error: --sets must be at least 1\n"


def test_cli_reports_a_device_that_runs_out_of_heap(short_csv, capsys):
    assert main(["device-sim", "--motion", str(short_csv), "--heap", "60K", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: the simulated device stopped with status 1: ")
    assert "MemoryError" in err
    assert err.endswith("try a larger --heap or `--board` from hipthrust_fw.boards\n")


def test_the_demo_workout_is_counted_on_the_device(capsys):
    # `hipthrust demo`'s workout (seed 1, three sets) as the device sees it: the IMU read
    # through its register model at its own 100 Hz, not the simulator's samples. Its
    # last set ends with the bar lifted off the hips (0.48 m against reps of 0.28):
    # read 0.43 m there, 1.54 times the set's range, it once passed for a 25th rep.
    assert main(["device-sim", "--sets", "3", "--seed", "1", "--json", "--quiet"]) == 0
    ends = [e for e in json.loads(capsys.readouterr().out)["events"] if e["type"] == "SetEnd"]
    _, truth = simulate_session(seed=1, sets=3)
    want = [(len(s["reps"]), sum(r["full"] for r in s["reps"])) for s in truth["sets"]]
    assert [(e["reps"], e["full_reps"]) for e in ends] == want
