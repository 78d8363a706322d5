"""The whole firmware app in the MicroPython unix port with the real board file, IMU
driver, IMU register model (fake machine.I2C), shared detector and BLE link; the only
fakes are the hardware (machine, bluetooth). Motion comes from the simulator."""

import pytest

from hipthrust.rawfile import write_raw_csv
from hipthrust.sim.session import simulate_session
from hipthrust_core import records as P
from tests.firmware.mpfw import run

BUTTON_PIN = 37  # M5StickC Plus2 button A (the board file's BUTTON_PIN)


@pytest.fixture(scope="module")
def one_set(tmp_path_factory):
    samples, truth = simulate_session(seed=5, sets=1, distractors=False)
    path = tmp_path_factory.mktemp("motion") / "one_set.csv"
    write_raw_csv(path, samples)
    truth["file_end_s"] = float(samples[-1, 0])  # the file's own clock (clock error)
    return path, truth


def _prelude(csv, board="m5stickc-plus2"):
    return f"""
import machine
import bluetooth
import sim_board
from hipthrust_core import records as P
from hipthrust_fw.app import App

board = sim_board.SimBoard({str(csv)!r}, speed=0, name={board!r})
ble = bluetooth.BLE()
logs = []
app = App(board, ble, clock=board.clock, model=board.NAME, log=logs.append)
clock = board.clock
got = []

def step(ms):
    # Run the app's loop for ms of simulated time (or to the end of the motion).
    end = clock.t + ms
    while clock.t < end and not board.finished():
        for _ in range(10):
            pass  # scheduled radio IRQs run here
        clock.t += 40
        app.tick()
        take()

def take():
    for c, h, d in ble.notified:
        if h == app.link.h_events:
            got.append(bytes(d))
    ble.notified[:] = []

def made():
    return [bytes.fromhex(line[6:]) for line in logs if line.startswith("event ")]
"""


def _kinds(records):
    return [type(r).__name__ for r in records]


def test_a_set_with_a_link_drop_mid_set_arrives_whole(one_set, tmp_path):
    csv, truth = one_set
    set_start = truth["sets"][0]["start_s"]
    (r,), _ = run(_prelude(csv) + f"""
ble.sim_connect(0)
step({int(set_start * 1000) + 4000})     # into the set: the host leaves mid-set
ble.sim_disconnect(0)
step(6000)
while_away = len(made())
ble.sim_connect(1)
step(200)
last = max(P.decode(d).seq for d in got[:-1]) if got else 0
ble.sim_write(1, app.link.h_control, P.command(P.C_RESEND, 0))
step(100000)
app.end_of_data()
for _ in range(25):  # the link sends what the end of data made
    clock.t += 40
    app.tick()
    take()
app.log_memory()
report({{"made": [d.hex() for d in made()], "got": [d.hex() for d in got],
         "while_away": while_away, "samples": app.samples, "t": app.t_ms,
         "logs": [x for x in logs if not x.startswith("event ")],
         "feeds": machine.WDT.feeds, "wdt": [w.timeout for w in machine.WDT.instances]}})
""", cwd=tmp_path, timeout=120)
    made = [P.decode(bytes.fromhex(h)) for h in r["made"]]
    got = [P.decode(bytes.fromhex(h)) for h in r["got"]]
    # Every record the device made reached the host (some twice: the resend); none lost.
    assert {x.seq for x in got} == {x.seq for x in made}
    assert [x.seq for x in made] == list(range(len(made)))
    by_seq = {x.seq: x for x in made}
    assert all(by_seq[x.seq] == x for x in got)
    # The set was counted while the host was away, and it is one whole set.
    kinds = _kinds(made)
    assert kinds.count("SetStart") >= 1 and kinds.count("SetStart") == kinds.count("SetEnd")
    reps = [x for x in made if isinstance(x, P.Rep)]
    assert reps, "the detector found no rep in a simulated set"
    ends = [x for x in made if isinstance(x, P.SetEnd)]
    assert sum(e.reps for e in ends) == len(reps)
    assert r["while_away"] > 0
    # Timing: the device clock ran the whole file, one sample per 10 ms at 100 Hz.
    assert abs(r["samples"] - int(truth["file_end_s"] * 100)) < 20
    phases = [x for x in made if isinstance(x, P.Phase)]
    assert phases and all(0 < x.t_ms <= r["t"] for x in phases)  # on the device's clock
    # Real-board duties: the watchdog was started (8 s) and fed every tick.
    assert r["wdt"] == [8000]
    assert r["feeds"] >= r["t"] // 40 - 5
    assert "link: host disconnected; advertising again" in r["logs"]
    assert any(x.startswith("mem: ") for x in r["logs"])


def test_button_press_stops_and_double_press_re_zeroes(one_set, tmp_path):
    csv, truth = one_set
    (r,), _ = run(_prelude(csv) + f"""
import time
def press():
    time.sleep_ms(60)  # the board's debounce runs on the real clock
    machine.Pin.set_level({BUTTON_PIN}, 0)
    step(80)
    machine.Pin.set_level({BUTTON_PIN}, 1)
    step(40)

step(3000)                      # the pad lies still before the set
press(); press()                # double press: re-zero (the bar is still)
step(1000)
st0 = app.state()
press()                         # single press: stop
step(1000)
st1 = app.state()
press()                         # and start again
step(1000)
report({{"states": [st0, st1, app.state()],
         "logs": [x for x in logs if x.startswith("app: button")]}})
""", cwd=tmp_path)
    assert r["states"] == [P.ST_IDLE, P.ST_STOPPED, P.ST_IDLE]
    assert r["logs"] == ["app: button double press: re-zero -> ok", "app: button: stopped",
                         "app: button: started"]


def test_stop_mid_set_ends_it_as_stopped(one_set, tmp_path):
    csv, truth = one_set
    set_start = truth["sets"][0]["start_s"]
    (r,), _ = run(_prelude(csv) + f"""
ble.sim_connect(0)
step({int(set_start * 1000)})
while app.state() != P.ST_IN_SET and not board.finished():
    step(40)
step(2000)
in_set = app.state()
ble.sim_write(0, app.link.h_control, P.command(P.C_STOP))
step(200)
report({{"in_set": in_set, "got": [d.hex() for d in got], "state": app.state(),
         "screen": app.reps}})
""", cwd=tmp_path)
    got = [P.decode(bytes.fromhex(h)) for h in r["got"]]
    assert r["in_set"] == P.ST_IN_SET
    assert r["state"] == P.ST_STOPPED
    end = [x for x in got if isinstance(x, P.SetEnd)][-1]
    assert end.reason == P.END_STOPPED
    replies = [x for x in got if isinstance(x, P.Reply)]
    assert [(x.cmd, x.status) for x in replies] == [(P.C_STOP, P.R_OK)]
    assert replies[0].seq == end.seq + 1


def test_settings_file_sets_the_rate_and_missing_imu_is_reported(one_set, tmp_path):
    csv, _ = one_set
    (tmp_path / "settings.json").write_text('{"rate_hz": 200, "set_end_s": 30}')
    (r,), _ = run(_prelude(csv) + """
ble.sim_connect(0)
step(2000)
first = app.samples
machine.I2C.detach()            # the IMU stops answering (loose wire)
step(2000)
flags_lost = app.flags()
report({"rate": app.rate_hz, "first": first, "lost_flags": flags_lost,
        "status": [P.decode(d) for d in got if d[2] == P.T_STATUS][0],
        "char": P.decode_status_char(ble.gatts_read(app.link.h_status)),
        "set_end": app.detector.set_end_ms})
""", cwd=tmp_path)
    assert r["rate"] == 200
    assert 380 <= r["first"] <= 410  # 2 s at 200 Hz
    assert r["set_end"] == 30000
    status = P.Status(*r["status"])
    assert (status.rate_hz, status.flags, status.state) == (200, 0, P.ST_IDLE)
    assert r["lost_flags"] & P.SF_IMU_ERROR
    char = P.StatusChar(*r["char"])
    assert char.flags & P.SF_IMU_ERROR
    assert char.version == P.PROTOCOL_VERSION


def test_lsm6dsox_board_runs_the_same_app(one_set, tmp_path):
    csv, _ = one_set
    (r,), _ = run(_prelude(csv, board="xiao-esp32s3") + """
ble.sim_connect(0)
step(5000)
report({"rate": app.rate_hz, "samples": app.samples, "model": ble.gatts_read(
        ble.services[1][1][0][2]).decode(), "status": [P.decode(d) for d in got][0]})
""", cwd=tmp_path)
    assert r["model"] == "xiao-esp32s3"
    assert r["rate"] in (100, 104)
    assert abs(r["samples"] - 5 * r["rate"]) <= 2 * r["rate"] // 10
    assert P.Status(*r["status"]).flags & P.SF_IMU_ERROR == 0
