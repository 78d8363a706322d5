"""The real IMU drivers in the real MicroPython unix port, against the register models.

Each test runs a snippet under `micropython` with the devicesim fakes (machine.py,
imu_models.py) and the firmware on MICROPYPATH; the snippet reports JSON lines back.
"""

import json
import math

import pytest

from tests import mpy

FAKES = mpy.FAKES

PRELUDE = """
import json, machine, micropython
from array import array
from imu_models import MPU6886Model, LSM6DSOXModel
from hipthrust_fw.drivers import imu_base, mpu6886, lsm6dsox
from hipthrust_fw.drivers.mpu6886 import MPU6886
from hipthrust_fw.drivers.lsm6dsox import LSM6DSOX
T = [0]
def clock():
    return T[0]
def still(t):
    return (0.0, 0.0, 1.0, 0.0, 0.0, 0.0)
CHIPS = {"mpu6886": (MPU6886Model, MPU6886, 0x68), "lsm6dsox": (LSM6DSOXModel, LSM6DSOX, 0x6A)}
def setup(chip, source=still, model_class=None, driver_class=None, **kw):
    Model, Drv, addr = CHIPS[chip]
    machine.I2C.detach()
    model = (model_class or Model)(source, clock)
    machine.I2C.attach(addr, model)
    imu = (driver_class or Drv)(machine.I2C(0), addr=addr, **kw)
    return model, imu
def drain(imu):
    out = array("i", bytes(24 * imu.MAX_BATCH))
    got = []
    while True:
        n = imu.read(out)
        for k in range(n):
            got.append(list(out[6 * k:6 * k + 6]))
        if n < imu.MAX_BATCH:
            return got
def report(x):
    print("@@" + json.dumps(x))
"""

CHIPS = ["mpu6886", "lsm6dsox"]
RATE = {"mpu6886": 100, "lsm6dsox": 104}


def run_mp(code, timeout=60):
    """Run PRELUDE + code in MicroPython; returns the report() values. Fails on an error."""
    proc = mpy.run_micropython(["-c", PRELUDE + code], path=[FAKES, mpy.FIRMWARE],
                               timeout=timeout)
    assert proc.returncode == 0, f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return [json.loads(line[2:]) for line in proc.stdout.splitlines() if line.startswith("@@")]


@pytest.mark.parametrize("chip", CHIPS)
def test_identify_and_configure(chip):
    (r,) = run_mp(f"""
model, imu = setup({chip!r}, rate_hz=100)
who = {{"mpu6886": 0x75, "lsm6dsox": 0x0F}}[{chip!r}]
report([imu.status, imu.rate_hz, imu.period_us, machine.I2C(0).readfrom_mem(imu.addr, who, 1)[0],
        model.resets])
""")
    status, rate, period_us, who, resets = r
    assert status == 0
    assert rate == RATE[chip]
    assert who == {"mpu6886": 0x19, "lsm6dsox": 0x6C}[chip]
    assert resets == 1  # one bounded soft reset during __init__
    assert period_us == {"mpu6886": 10000, "lsm6dsox": 9600}[chip]


@pytest.mark.parametrize("chip", CHIPS)
def test_configuration_read_back_from_the_registers(chip):
    # The model decodes the registers the driver wrote the way the chip does.
    (r,) = run_mp(f"""
out = []
for rate, g, dps in ((25, 2, 250), (50, 4, 500), (100, 8, 1000), (200, 16, 2000)):
    model, imu = setup({chip!r}, rate_hz=rate, accel_g=g, gyro_dps=dps)
    if {chip!r} == "mpu6886":
        out.append([imu.rate_hz, model.sample_rate_hz(), model.accel_lsb_per_g(),
                    model.gyro_lsb_per_dps(), model.regs[0x1A] & 7, model.regs[0x1D] & 7])
    else:
        out.append([imu.rate_hz, model.output_rate_hz(), model.accel_mg_per_lsb(),
                    model.gyro_mdps_per_lsb(), model.fifo_mode(), model.regs[0x12]])
report(out)
""")
    if chip == "mpu6886":
        assert r == [
            [25, 25, 16384, 131.0, 5, 5],
            [50, 50, 8192, 65.5, 5, 5],
            [100, 100, 4096, 32.8, 4, 4],
            [200, 200, 2048, 16.4, 3, 3],
        ]
    else:
        # continuous FIFO mode (6); CTRL3_C keeps IF_INC (0x04) next to BDU (0x40)
        assert r == [
            [26, 26, 0.061, 8.75, 6, 0x44],
            [52, 52, 0.122, 17.5, 6, 0x44],
            [104, 104, 0.244, 35.0, 6, 0x44],
            [208, 208, 0.488, 70.0, 6, 0x44],
        ]


@pytest.mark.parametrize("chip", CHIPS)
def test_wrong_chip_id_is_an_oserror_naming_address_and_id(chip):
    (r,) = run_mp(f"""
Model, Drv, addr = CHIPS[{chip!r}]
class Other(Model):
    WHO_AM_I = 0x70
try:
    setup({chip!r}, model_class=Other)
    report("no error")
except OSError as e:
    report(str(e))
""")
    addr = {"mpu6886": "0x68", "lsm6dsox": "0x6a"}[chip]
    assert addr in r and "0x70" in r and "WHO_AM_I" in r


@pytest.mark.parametrize("chip", CHIPS)
def test_missing_chip_is_an_oserror_naming_the_address(chip):
    (r,) = run_mp(f"""
Model, Drv, addr = CHIPS[{chip!r}]
machine.I2C.detach()
try:
    Drv(machine.I2C(0), addr=0x69)
    report("no error")
except OSError as e:
    report(str(e))
""")
    assert "not found at I2C address 0x69" in r


@pytest.mark.parametrize("chip", CHIPS)
def test_bad_arguments_list_the_allowed_values(chip):
    r = run_mp(f"""
for kw in ({{"rate_hz": 33}}, {{"accel_g": 3}}, {{"gyro_dps": 125}}, {{"axes": (2, 1, 3)}},
           {{"axes": (1, 1, 3)}}):
    try:
        setup({chip!r}, **kw)
        report("no error")
    except ValueError as e:
        report(str(e))
""")
    assert r[0].startswith("rate_hz must be one of 25, 26, 50, 52, 100, 104, 200, 208")
    assert r[1] == "accel_g must be one of 2, 4, 8, 16 (got 3)"
    assert r[2] == "gyro_dps must be one of 250, 500, 1000, 2000 (got 125)"
    assert "proper rotation" in r[3]  # a swap of x and y is a reflection
    assert "proper rotation" in r[4]


@pytest.mark.parametrize("chip", CHIPS)
def test_a_configuration_that_does_not_stick_is_an_oserror(chip):
    reg = {"mpu6886": "0x1B", "lsm6dsox": "0x11"}[chip]
    (r,) = run_mp(f"""
Model, Drv, addr = CHIPS[{chip!r}]
class Stuck(Model):
    def _write_reg(self, reg, value):
        if reg != {reg}:
            Model._write_reg(self, reg, value)
try:
    setup({chip!r}, model_class=Stuck)
    report("no error")
except OSError as e:
    report(str(e))
""")
    assert f"register {reg.lower()} reads 0x00 after writing" in r


@pytest.mark.parametrize("chip", CHIPS)
def test_scale_one_g_and_ninety_degrees_per_second_on_every_range(chip):
    r = run_mp(f"""
def src(t):
    return (0.25, -0.5, 1.0, 90.0, -45.0, 10.0)
for g, dps in ((2, 250), (4, 500), (8, 1000), (16, 2000)):
    model, imu = setup({chip!r}, source=src, accel_g=g, gyro_dps=dps)
    T[0] += 200
    s = drain(imu)
    report([len(s), s[0], s[-1]])
""")
    for count, first, last in r:
        assert count >= 19
        assert first == last
        ax, ay, az, gx, gy, gz = first
        assert abs(ax - 250) <= 1 and abs(ay + 500) <= 1 and abs(az - 1000) <= 1
        # one LSB of the coarsest range is 0.7 deg/s (LSM 2000) or 0.61 (MPU 2000)
        assert abs(gx - 900) <= 7 and abs(gy + 450) <= 7 and abs(gz - 100) <= 7


@pytest.mark.parametrize("chip", CHIPS)
def test_saturation_at_full_scale(chip):
    (r,) = run_mp(f"""
def src(t):
    return (3.0, -3.0, 1.0, 400.0, 0.0, 0.0)
model, imu = setup({chip!r}, source=src, accel_g=2, gyro_dps=250)
T[0] += 100
report(drain(imu)[0])
""")
    ax, ay, az, gx, gy, gz = r
    assert 1990 <= ax <= 2000 and -2000 <= ay <= -1990  # clipped at 2 g
    # clipped at the largest raw value: 32767 / 131 LSB per deg/s (MPU) or 32767 x 8.75
    # mdps (LSM: its 250 deg/s range really ends at 286.7 deg/s)
    assert gx == {"mpu6886": 2501, "lsm6dsox": 2867}[chip]


@pytest.mark.parametrize("chip", CHIPS)
@pytest.mark.parametrize("rate", [25, 50, 100, 200])
def test_sample_count_follows_the_configured_rate(chip, rate):
    (r,) = run_mp(f"""
model, imu = setup({chip!r}, rate_hz={rate})
total = 0
for step in range(20):   # 2 s, drained every 100 ms
    T[0] += 100
    total += len(drain(imu))
report([imu.rate_hz, total])
""")
    real_rate, total = r
    assert abs(total - 2 * real_rate) <= 1


@pytest.mark.parametrize("fine", [0, 20, -20])
def test_lsm6dsox_period_follows_the_parts_clock_trim(fine):
    # A part whose clock runs 3 % fast or slow: its INTERNAL_FREQ_FINE says so, and the
    # driver's period_us times the samples so that they span the real elapsed time.
    (r,) = run_mp(f"""
machine.I2C.detach()
model = LSM6DSOXModel(still, clock, freq_fine={fine})
machine.I2C.attach(0x6A, model)
imu = LSM6DSOX(machine.I2C(0), rate_hz=104)
total = 0
for step in range(100):
    T[0] += 100
    total += len(drain(imu))
report([imu.period_us, total])
""")
    period_us, total = r
    assert period_us == round(1e6 * 64 / (6667 * (1 + 0.0015 * fine)))
    assert abs(total * period_us / 1e6 - 10.0) < 0.012  # 10 s, within about one sample


@pytest.mark.parametrize("chip", CHIPS)
def test_fifo_fill_overflow_and_recovery(chip):
    # Far longer than the FIFO holds (MPU 73 samples, LSM 256 samples): overflow.
    r = run_mp(f"""
def src(t):
    return (0.0, 0.0, 1.0, 0.0, 0.0, 90.0)
model, imu = setup({chip!r}, source=src)
out = array("i", bytes(24 * imu.MAX_BATCH))
T[0] += 120
n = imu.read(out)
report(["fill", n, imu.overflowed, imu.MAX_BATCH])
T[0] += 10000
got = []
flags = []
while True:
    n = imu.read(out)
    flags.append(imu.overflowed)
    got += [list(out[6 * k:6 * k + 6]) for k in range(n)]
    if n < imu.MAX_BATCH:
        break
report(["overflow", len(got), flags, got[0], got[-1]])
T[0] += 500
s = drain(imu)
report(["after", len(s), imu.overflowed, s[0], s[-1]])
""")
    fill, overflow, after = r
    assert fill[1] == int(0.12 * RATE[chip])  # 12 samples in 120 ms, in one read
    assert fill[1] < fill[3]  # (fewer than MAX_BATCH: all of them)
    assert fill[2] is False
    assert overflow[2][0] is True  # the first read after the overflow says so
    assert overflow[3] == overflow[4] == [0, 0, 1000, 0, 0, 900]  # data still aligned
    if chip == "mpu6886":
        # stop-when-full mode: the driver takes one batch then restarts the FIFO
        assert overflow[1] == fill[3]  # MAX_BATCH
    else:
        # continuous mode keeps the newest 512 words = 256 samples
        assert 250 <= overflow[1] <= 256
    assert after[2] is False
    assert abs(after[1] - 0.5 * RATE[chip]) <= 1
    assert after[3] == after[4] == [0, 0, 1000, 0, 0, 900]


@pytest.mark.parametrize("chip", CHIPS)
def test_soft_reset_clears_a_dirty_chip(chip):
    # A chip left configured (and its FIFO full of stale data) by an earlier program.
    (r,) = run_mp(f"""
Model, Drv, addr = CHIPS[{chip!r}]
machine.I2C.detach()
model = Model(still, clock)
machine.I2C.attach(addr, model)
bus = machine.I2C(0)
if {chip!r} == "mpu6886":
    bus.writeto_mem(addr, 0x6B, b"\\x01")         # awake
    bus.writeto_mem(addr, 0x19, b"\\x00")         # 1 kHz
    bus.writeto_mem(addr, 0x1A, b"\\x01")
    bus.writeto_mem(addr, 0x23, b"\\x18")
    bus.writeto_mem(addr, 0x6A, b"\\x40")
    bus.writeto_mem(addr, 0x1C, b"\\x00")         # 2 g
else:
    bus.writeto_mem(addr, 0x10, b"\\x80")         # 1.66 kHz, 2 g
    bus.writeto_mem(addr, 0x11, b"\\x80")
    bus.writeto_mem(addr, 0x09, b"\\x88")
    bus.writeto_mem(addr, 0x0A, b"\\x06")
T[0] += 100
model.update()
stale = model.fifo.count
imu = Drv(bus, addr=addr, rate_hz=50)
T[0] += 100
report([stale, model.resets, len(drain(imu)), drain(imu)])
""")
    stale, resets, fresh, rest = r
    assert stale > 100  # there was stale data before
    assert resets == 1
    assert fresh == 5 and rest == []  # only the new configuration's 50 Hz samples


@pytest.mark.parametrize("chip", CHIPS)
def test_read_allocates_nothing_under_heap_lock(chip):
    (r,) = run_mp(f"""
model, imu = setup({chip!r})
out = array("i", bytes(24 * imu.MAX_BATCH))
T[0] += 100
imu.read(out)                  # warm up every path and attribute
results = []
for step in (100, 50, 5000):   # normal batches, then an overflow
    T[0] += step
    model.update()             # the model (not the driver) makes samples with floats
    micropython.heap_lock()
    try:
        n = imu.read(out)
        over = imu.overflowed
        n2 = imu.read(out)
    finally:
        micropython.heap_unlock()
    results.append([n, n2, over, list(out[:6])])
report(results)
""")
    assert abs(r[0][0] - 0.1 * RATE[chip]) <= 1 and abs(r[1][0] - 0.05 * RATE[chip]) <= 1
    assert r[2][2] is True  # the overflow path ran under the lock too
    for n, _n2, _over, sample in r:
        assert n > 0
        assert sample == [0, 0, 1000, 0, 0, 0]


@pytest.mark.parametrize("chip", CHIPS)
def test_bus_error_mid_session_is_a_status_and_recovers(chip):
    r = run_mp(f"""
Model, Drv, addr = CHIPS[{chip!r}]
model, imu = setup({chip!r})
out = array("i", bytes(24 * imu.MAX_BATCH))
T[0] += 100
report([imu.read(out), imu.status])
machine.I2C.detach(addr)            # chip gone: cable pulled, brown-out
T[0] += 100
report([imu.read(out), imu.status, imu.errors])
report([imu.read(out), imu.status, imu.errors])
fresh = Model(still, clock)          # back, power-cycled: configuration lost
machine.I2C.attach(addr, fresh)
report([imu.read(out), imu.status])
T[0] += 100
report([imu.read(out), imu.status, fresh.resets])
bad = Model(still, clock)
bad.regs[{ {"mpu6886": 0x75, "lsm6dsox": 0x0F}[chip] }] = 0x42
bad.WHO_AM_I = 0x42
machine.I2C.attach(addr, bad)
machine.I2C.detach(addr)
T[0] += 100
imu.read(out)
machine.I2C.attach(addr, bad)
report([imu.read(out), imu.status])
""")
    ok, gone, still_gone, back, flowing, wrong = r
    assert ok[0] > 0 and ok[1] == 0
    assert gone == [0, 1, 1]  # STATUS_BUS_ERROR, no exception
    assert still_gone[:2] == [0, 1]
    assert back == [0, 0]  # re-initialised; its FIFO starts empty
    assert flowing[0] >= 9 and flowing[1] == 0 and flowing[2] == 1
    assert wrong == [0, 2]  # STATUS_CHIP_ERROR: something else answers


@pytest.mark.parametrize(
    "chip,bug,expect",
    [
        # a driver writing SMPLRT_DIV for 200 Hz when asked for 100 Hz
        ("mpu6886", "mpu6886.RATES[100] = (4, 4, 4)", "rate"),
        # a driver leaving DLPF_CFG at 0: the divider is ignored, 8 kHz floods the FIFO
        ("mpu6886", "mpu6886.RATES[100] = (9, 0, 4)", "rate"),
        # a driver writing the 4 g code while scaling for 8 g
        ("mpu6886", "mpu6886.ACCEL_RANGES[8] = (1, 1000, 4096)", "scale"),
        # the FS_XL order trap: code 2 is 4 g, not 8 g
        ("lsm6dsox", "lsm6dsox.ACCEL_RANGES[8] = (2, 244, 1000)", "scale"),
        # gyro FS code for 1000 deg/s while scaling for 2000
        ("lsm6dsox", "lsm6dsox.GYRO_RANGES[2000] = (2, 7, 10)", "scale"),
        # ODR code 3 (52 Hz) for 104 Hz
        ("lsm6dsox", "lsm6dsox.RATES[104] = 3", "rate"),
    ],
)
def test_a_wrong_rate_or_range_setting_is_caught(chip, bug, expect):
    # The same measurement the good driver passes (test_scale..., test_sample_count...)
    # fails with the bug injected: the models take rate and range from the registers.
    code = """
def src(t):
    return (0.0, 0.0, 1.0, 0.0, 0.0, 90.0)
def measure(chip):
    model, imu = setup(chip, source=src)
    total = 0
    first = None
    for step in range(10):
        T[0] += 100
        s = drain(imu)
        total += len(s)
        if s and first is None:
            first = s[0]
    return [imu.rate_hz, total, first, imu.overflowed]
report(measure(CHIP))
BUG
report(measure(CHIP))
""".replace("CHIP", repr(chip)).replace("BUG", bug)
    good, buggy = run_mp(code)
    rate = good[0]
    assert abs(good[1] - rate) <= 1 and good[2] == [0, 0, 1000, 0, 0, 900]
    if expect == "rate":
        assert abs(buggy[1] - rate) > 10 or buggy[3]
    else:
        assert buggy[2] != [0, 0, 1000, 0, 0, 900]
        assert buggy[2][2] in (500, 2000) or buggy[2][5] in (450, 1800)


def test_lsm6dsox_burst_needs_if_inc():
    # Writing CTRL3_C without IF_INC (e.g. "set BDU" as a plain 0x40) breaks every burst:
    # the address stops advancing. The driver's read-back catches it during set-up, and
    # the model makes the data wrong if it happens afterwards.
    good, caught, buggy = run_mp("""
def src(t):
    return (0.0, 0.0, 1.0, 0.0, 0.0, 90.0)
model, imu = setup("lsm6dsox", source=src)
T[0] += 200
report(drain(imu)[0])
class NoIfInc(LSM6DSOX):
    def _write(self, reg, value):
        if reg == lsm6dsox.CTRL3_C and not value & 1:
            value &= ~0x04  # CTRL3_C.IF_INC
        LSM6DSOX._write(self, reg, value)
try:
    setup("lsm6dsox", source=src, driver_class=NoIfInc)
    report("no error")
except OSError as e:
    report(str(e))
imu._write(lsm6dsox.CTRL3_C, 0x40)
T[0] += 200
report(drain(imu)[:1])
""")
    assert good == [0, 0, 1000, 0, 0, 900]
    assert "register 0x12 reads 0x40 after writing 0x44" in caught
    assert buggy != [[0, 0, 1000, 0, 0, 900]]


def _rotation_source(axis, rate_dps, up0):
    """MicroPython source: the sensor turns at rate_dps about `axis` (sensor frame, unit),
    so gravity's 'up' vector u seen in the sensor frame turns as du/dt = -w x u."""
    return f"""
import math
AX = {tuple(axis)!r}
W = {rate_dps}
U0 = {tuple(up0)!r}
def rot_src(t):
    th = -math.radians(W) * t / 1000.0     # the frame turns +W: the vector turns -W in it
    c = math.cos(th)
    s = math.sin(th)
    k = AX
    u = U0
    kxu = (k[1]*u[2]-k[2]*u[1], k[2]*u[0]-k[0]*u[2], k[0]*u[1]-k[1]*u[0])
    kdu = k[0]*u[0]+k[1]*u[1]+k[2]*u[2]
    r = [u[i]*c + kxu[i]*s + k[i]*kdu*(1-c) for i in range(3)]
    return (r[0], r[1], r[2], W*k[0], W*k[1], W*k[2])
"""


def _turn_agreement(samples, period_s):
    """Mean cosine between the measured da/dt and the rigid-body prediction -w x a."""
    cosines = []
    for prev, nxt, mid in zip(samples, samples[2:], samples[1:], strict=False):
        da = [(nxt[i] - prev[i]) / (2 * period_s) for i in range(3)]
        a = mid[:3]
        w = [math.radians(v / 10) for v in mid[3:]]
        pred = [-(w[1] * a[2] - w[2] * a[1]), -(w[2] * a[0] - w[0] * a[2]),
                -(w[0] * a[1] - w[1] * a[0])]
        na = math.sqrt(sum(x * x for x in da))
        npred = math.sqrt(sum(x * x for x in pred))
        cosines.append(sum(da[i] * pred[i] for i in range(3)) / (na * npred))
    return sum(cosines) / len(cosines)


AXIS = [1 / math.sqrt(14), 2 / math.sqrt(14), 3 / math.sqrt(14)]
UP0 = [0.6, 0.0, 0.8]


@pytest.mark.parametrize("board", ["m5stickc-plus2", "xiao-esp32s3", "pico2w"])
def test_axis_convention_gyro_turns_gravity_the_same_way(board):
    # DESIGN.md: a rotation seen by the gyroscope must turn the accelerometer's gravity
    # vector the same way, in the body frame each board file maps to.
    code = _rotation_source(AXIS, 30.0, UP0) + f"""
from hipthrust_fw import boards
mod = boards.load({board!r})
Model = MPU6886Model if mod.IMU == "MPU6886" else LSM6DSOXModel
machine.I2C.detach()
machine.I2C.attach(mod.IMU_ADDR, Model(rot_src, clock))
b = mod.Board(machine)
imu = b.imu(100)
s = []
for step in range(30):
    T[0] += 100
    s += drain(imu)
report([imu.period_us, mod.AXES, s])
# the same data through a reflected map (x and y swapped): what a wrong board file does
imu._map = (1, 1, 0, 1, 2, 1)
T[0] += 10
drain(imu)
s = []
for step in range(30):
    T[0] += 100
    s += drain(imu)
report(s)
"""
    (period_us, axes, samples), reflected = run_mp(code)
    assert len(samples) > 250
    assert _turn_agreement(samples, period_us / 1e6) > 0.95
    # the reflected frame makes the gravity vector turn against the gyroscope
    assert _turn_agreement(reflected, period_us / 1e6) < -0.95
    assert tuple(axes) != (1, 2, 3)  # a non-trivial map is exercised on every board


def test_axis_maps_accepted_are_exactly_the_24_rotations():
    (accepted,) = run_mp("""
ok = []
for a in (1, 2, 3):
    for b in (1, 2, 3):
        for c in (1, 2, 3):
            if len({a, b, c}) < 3:
                continue
            for sa in (1, -1):
                for sb in (1, -1):
                    for sc in (1, -1):
                        axes = (sa * a, sb * b, sc * c)
                        try:
                            imu_base.check_axes(axes)
                            ok.append(list(axes))
                        except ValueError:
                            pass
report(ok)
""")

    def det(axes):
        m = [[0] * 3 for _ in range(3)]
        for row, a in enumerate(axes):
            m[row][abs(a) - 1] = 1 if a > 0 else -1
        return (m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
                - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
                + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]))

    assert len(accepted) == 24
    assert all(det(a) == 1 for a in accepted)
