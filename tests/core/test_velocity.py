# Vertical velocity (hipthrust_core.velocity) over samples lost in a quick push.
# Runs under CPython (pytest) and under the MicroPython unix port (tests/mp_runner.py):
# plain asserts, no pytest imports.
import math

from hipthrust_core.velocity import Velocity
from hipthrust_core.vertical import Vertical

G_MG16 = 16000  # 1 g in the vertical acceleration's units (mg/16)


def _push(lost):
    """A push of 1.5 g peak over 120 ms (a sine bump: 1.12 m/s gained), sampled every
    20 ms from 100 ms before it to 100 ms after it, with the samples at the times in
    lost (ms) missing. Returns the measuring velocity after it (mm/s) and the truth."""
    vert = Vertical()  # the pad moves, no rotation: nothing else in the way
    vert.moving = True
    vel = Velocity()
    peak = 1.5 * G_MG16
    t_prev = -100
    for t in range(-80, 220, 20):
        if t in lost:
            continue
        a = peak * math.sin(math.pi * t / 120.0) if 0 < t < 120 else 0.0
        vel.update(t - t_prev, int(round(a)), vert, True)
        t_prev = t
    true = 2.0 * 1.5 * 9806.65 * 0.120 / math.pi  # mm/s
    return (vel.vr >> 8), true


def test_a_push_integrates_to_its_velocity_change():
    # (Six samples over the push: the trapezoid reads 1.09 m/s.)
    got, true = _push(())
    assert abs(got - true) < 0.04 * true, (got, true)


def test_a_push_whose_middle_was_lost_keeps_most_of_its_velocity_change():
    # Three samples lost (40, 60 and 80 ms): the straight line between the samples
    # either side (each at half the peak) took 0.73 m/s of the 1.12 gained.
    got, true = _push((40, 60, 80))
    assert abs(got - true) < 0.06 * true, (got, true)


def test_a_gap_where_the_bar_coasts_adds_nothing():
    # Lost while nothing changes: the slopes on both sides are zero, so is the amend.
    got, true = _push((160, 180))
    base, _ = _push(())
    assert got == base, (got, base)
