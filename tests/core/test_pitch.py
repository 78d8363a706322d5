# When the velocity uses the pad's pitch rate (hipthrust_core.velocity with .pitch).
# Runs under CPython (pytest) and under the MicroPython unix port (tests/mp_runner.py):
# plain asserts, no pytest imports.
import math

from hipthrust_core.velocity import Velocity
from hipthrust_core.vertical import Vertical

DT = 10  # ms (100 Hz)
G_MG16 = 16000  # 1 g in the vertical acceleration's units (mg/16)
SCALE = 1.0  # mm/s per 0.1 deg/s: the bar's speed per pitch rate while handling it
HZ = 0.5  # movements per second


def _cycles(vel, vert, seconds, rate_peak, speed_peak, in_set):
    """Sine movements about the pad's x axis: pitch rate rate_peak (0.1 deg/s) and
    vertical speed speed_peak (mm/s) in step, rising in each first half (the detector's
    rise in progress there in a set). Returns whether the pitch rate was in use on
    every sample of the last movement."""
    steps = int(seconds * 1000) // DT
    last = steps - int(1000 / HZ) // DT
    w = 2.0 * math.pi * HZ
    fused = True
    for i in range(steps):
        t = i * DT / 1000.0
        s = math.sin(w * t)
        vert.wx = int(rate_peak * s) * 16
        av = speed_peak * w * math.cos(w * t) / 9806.65 * G_MG16  # mm/s^2 -> mg/16
        rising = in_set and s > 0
        vert.moving = rising
        vel.update(DT, int(av), vert, in_set, False, rising)
        if i >= last:
            fused = fused and vel.fused
    return fused


def _learnt():
    # Handling the bar before the set: the pad turns fast (60 deg/s) with the bar's
    # movement; the scale is learnt there and the pitch rate taken into use. Then the
    # lifter settles for 5 s.
    vert = Vertical()
    vel = Velocity()
    assert _cycles(vel, vert, 12, 600, 600 * SCALE, False)
    assert abs(vel.pv.k - int(SCALE * 256)) < 40, vel.pv.k
    assert _cycles(vel, vert, 5, 0, 0, False)
    return vel, vert


def test_a_scale_learnt_in_handling_is_not_used_when_the_pad_does_not_pitch_in_the_reps():
    # Then reps at 0.4 m/s with the pad barely turning (3 deg/s, too slow to learn
    # from): the old scale makes that 30 mm/s. The pitch rate is no longer used (it
    # was: the velocity was the accelerometer's high-passed alone, and at each top it
    # read a lowering of 0.15 m/s).
    vel, vert = _learnt()
    _cycles(vel, vert, 1, 30, 400, True)
    assert not vel.fused
    assert not _cycles(vel, vert, 4, 30, 400, True)


def test_a_pad_that_pitches_with_the_reps_keeps_the_pitch_rate_in_use():
    vel, vert = _learnt()
    assert _cycles(vel, vert, 8, 400, 400 * SCALE, True)
