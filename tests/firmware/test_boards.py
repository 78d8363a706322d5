"""Board files in the MicroPython unix port with the fake machine and the IMU models."""

import pytest

from tests import mpy
from tests.firmware.test_drivers import FAKES, PRELUDE, run_mp

BOARDS = {
    # name: (module, arch, IMU model, button pin, battery pin)
    "m5stickc-plus2": ("m5stickc_plus2", "xtensawin", "MPU6886", 37, 38),
    "xiao-esp32s3": ("xiao_esp32s3", "xtensawin", "LSM6DSOX", 0, 1),
    "pico2w": ("pico2w", "armv7emsp", "LSM6DSOX", 15, 26),
}

SETUP = """
from hipthrust_fw import boards
def attach(mod, source=still):
    Model = MPU6886Model if mod.IMU == "MPU6886" else LSM6DSOXModel
    machine.I2C.detach()
    model = Model(source, clock)
    machine.I2C.attach(mod.IMU_ADDR, model)
    return model
"""


def test_registry_names_every_board_and_rejects_unknown_ones():
    r = run_mp(SETUP + """
report(sorted(boards.BOARDS.items()))
for name in sorted(boards.BOARDS):
    mod = boards.load(name)
    report([name, mod.NAME, mod.Board.NAME, mod.ARCH, mod.IMU])
try:
    boards.load("arduino-nano")
except ValueError as e:
    report(str(e))
""")
    assert r[0] == sorted([k, v[0]] for k, v in BOARDS.items())
    for name, mod_name, class_name, arch, imu in r[1:4]:
        assert name == mod_name == class_name
        assert arch == BOARDS[name][1] and imu == BOARDS[name][2]
    assert r[4] == (
        "unknown board 'arduino-nano'; known boards: m5stickc-plus2, pico2w, xiao-esp32s3"
    )


def test_nothing_touches_hardware_at_import():
    (r,) = run_mp(SETUP + """
for name in boards.BOARDS:
    boards.load(name)
report([len(machine.Pin._pins), len(machine.Pin._levels), len(machine.WDT.instances)])
""")
    assert r == [0, 0, 0]


def test_m5stickc_plus2_holds_its_power_on():
    r = run_mp(SETUP + """
mod = boards.load("m5stickc-plus2")
attach(mod)
report(machine.Pin.level(4))
b = mod.Board(machine)
report([machine.Pin.level(4), b.hold.mode == machine.Pin.OUT])
""")
    assert r == [None, [1, True]]  # not driven before, high once the Board exists


@pytest.mark.parametrize("name", sorted(BOARDS))
def test_board_imu_is_configured_and_reads_gravity_in_the_body_frame(name):
    # Lying still with the chip's z axis up: the body frame sees +1000 mg on the body axis
    # the board's axis map assigns to chip z (z for every board here).
    (r,) = run_mp(SETUP + f"""
mod = boards.load({name!r})
def src(t):
    return (0.5, 0.0, 0.866, 0.0, 20.0, 0.0)
attach(mod, src)
b = mod.Board(machine)
imu = b.imu(100)
T[0] += 100
s = drain(imu)
report([type(imu).__name__, imu.rate_hz, imu.accel_g, imu.gyro_dps, mod.AXES, s[0]])
""")
    cls, rate, g, dps, axes, sample = r
    assert cls == BOARDS[name][2]
    assert rate in (100, 104) and g == 8 and dps == 2000
    chip = [500, 0, 866, 0, 200, 0]
    expect = [0] * 6
    for body, a in enumerate(axes):
        sign = 1 if a > 0 else -1
        expect[body] = sign * chip[abs(a) - 1]
        expect[body + 3] = sign * chip[abs(a) - 1 + 3]
    assert all(abs(sample[i] - expect[i]) <= 1 for i in range(6)), (sample, expect)


@pytest.mark.parametrize("name", sorted(BOARDS))
def test_battery_percent_follows_the_lipo_curve(name):
    pin = BOARDS[name][4]
    r = run_mp(SETUP + f"""
mod = boards.load({name!r})
attach(mod)
b = mod.Board(machine)
for vbat in (4.25, 4.2, 3.87, 3.8, 3.3, 3.0):
    machine.ADC.set_volts({pin}, vbat / mod.BATTERY_DIVIDER)
    report([b.battery_mv(), b.battery_percent()])
""")
    mv = [x[0] for x in r]
    pct = [x[1] for x in r]
    assert all(abs(m - v) <= 2 for m, v in zip(mv, (4250, 4200, 3870, 3800, 3300, 3000),
                                                strict=True))
    assert pct[0] == pct[1] == 100 and pct[-1] == 0
    assert 59 <= pct[2] <= 60 and 40 <= pct[3] <= 41 and 0 <= pct[4] <= 1


def test_battery_curve_is_monotonic():
    (r,) = run_mp("""
from hipthrust_fw.boards import common
report([common.battery_percent_from_mv(mv) for mv in range(3000, 4300, 5)])
""")
    assert r == sorted(r) and r[0] == 0 and r[-1] == 100
    assert all(isinstance(p, int) for p in r)


@pytest.mark.parametrize("name", sorted(BOARDS))
def test_button_is_true_once_per_press(name):
    pin = BOARDS[name][3]
    (r,) = run_mp(SETUP + f"""
import time
mod = boards.load({name!r})
attach(mod)
b = mod.Board(machine)
seen = [b.button()]
machine.Pin.set_level({pin}, 0)      # pressed
seen += [b.button(), b.button()]
machine.Pin.set_level({pin}, 1)      # released
machine.Pin.set_level({pin}, 0)      # contact bounce within 50 ms: the same press
machine.Pin.set_level({pin}, 1)
seen.append(b.button())
time.sleep_ms(60)
machine.Pin.set_level({pin}, 0)      # a second press
machine.Pin.set_level({pin}, 1)
seen += [b.button(), b.button()]
report(seen)
""")
    assert r == [False, True, False, False, True, False]


def test_show_prints_on_change_on_the_m5_and_is_silent_elsewhere():
    # No ST7789 driver yet: the M5 logs rep count and phase to the console on change.
    proc = mpy.run_micropython(["-c", PRELUDE + SETUP + """
for name in sorted(boards.BOARDS):
    mod = boards.load(name)
    attach(mod)
    b = mod.Board(machine)
    b.show(0, "idle")
    b.show(0, "idle")
    b.show(1, "top")
"""], path=[FAKES, mpy.FIRMWARE])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines() == ["reps 0 idle", "reps 1 top"]


@pytest.mark.parametrize("name,expect", [("m5stickc-plus2", 8000), ("xiao-esp32s3", 8000),
                                         ("pico2w", 8000)])
def test_watchdog_is_a_started_machine_wdt(name, expect):
    (r,) = run_mp(SETUP + f"""
mod = boards.load({name!r})
attach(mod)
b = mod.Board(machine)
w = b.watchdog(8000)
w.feed()
long = b.watchdog(20000)
report([type(w).__name__, w.timeout, machine.WDT.feeds, long.timeout])
""")
    assert r[:3] == ["WDT", expect, 1]
    assert r[3] == (8388 if name == "pico2w" else 20000)


def test_configured_name_reads_board_txt(tmp_path):
    (tmp_path / "board.txt").write_text("pico2w\n")
    proc = mpy.run_micropython(["-c", PRELUDE + """
from hipthrust_fw import boards
report([boards.configured_name(), boards.configured_name("missing.txt")])
"""], path=[FAKES, mpy.FIRMWARE], cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert '@@["pico2w", "m5stickc-plus2"]' in proc.stdout
