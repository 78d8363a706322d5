# Gravity tracking (hipthrust_core.vertical) on a pad that rests, pitches and comes back.
# Runs under CPython (pytest) and under the MicroPython unix port (tests/mp_runner.py):
# plain asserts, no pytest imports.
#
# An accelerometer whose axes read 2 % high and 2 % low (within what the simulator and
# real parts have) reads gravity 20 mg lighter once the pad has pitched 0.8 rad: what
# it reads at rest depends on the angle. The bar rests at the bottom, pitches to the
# top of a rep and rests there, and comes back down.
import math

from hipthrust_core.vertical import Vertical

SCALE = (1.0, 0.98, 1.02)  # per axis
TURN = 0.8  # rad, about the sensor's x axis


def _pitched(v, t_ms, theta, rate, n):
    """Feed n 10 ms samples at pitch theta (rad) turning at rate (rad/s); returns the
    vertical accelerations (mg/16) and the pitch after them."""
    out = []
    for _ in range(n):
        theta += rate * 0.01
        up = (0.0, math.sin(theta), math.cos(theta))  # what the accelerometer reads, g
        a = [int(round(1000.0 * SCALE[i] * up[i])) for i in range(3)]
        t_ms[0] += 10
        gx = int(round(rate * 1800.0 / math.pi))  # 0.1 deg/s
        out.append(v.update(10, a[0], a[1], a[2], gx, 0, 0))
    return out, theta


def test_gravity_learnt_at_a_new_angle_is_kept_where_it_was_learnt_before():
    v = Vertical()
    t = [0]
    theta = 0.0
    _, theta = _pitched(v, t, theta, 0.0, 300)  # rest at the bottom, 3 s
    _, theta = _pitched(v, t, theta, TURN, 100)  # pitch 0.8 rad up, 1 s
    top, theta = _pitched(v, t, theta, 0.0, 300)  # hold at the top, 3 s
    # Learnt at the top: the hold reads no acceleration at its end.
    assert abs(sum(top[-50:]) // 50) < 3 * 16, sum(top[-50:]) // 50
    _, theta = _pitched(v, t, theta, -TURN, 100)  # back down, 1 s
    bottom, theta = _pitched(v, t, theta, 0.0, 60)
    # Back at the bottom, gravity is what it was there: no 20 mg offset to learn again
    # (the bar would go down on it: 0.2 m/s of drift per second).
    mean = sum(bottom[30:]) // 30  # 0.3-0.6 s into the rest, mg/16
    assert abs(mean) < 5 * 16, mean
