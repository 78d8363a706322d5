# The velocity history's walks (hipthrust_core.ring.VelocityRing: boundary, lowest,
# levels_off) on synthetic velocities. Runs under CPython (pytest) and under the
# MicroPython unix port (tests/mp_runner.py): plain asserts, no pytest imports.
import math

from hipthrust_core.ring import VelocityRing

DT = 17  # ms: 60 Hz


def _grind_after_a_lowering(wiggle):
    # A quick lowering (-0.55 m/s) decelerating to the turnaround at 800 ms, a slow
    # start, a steep push to 0.5 m/s by 1050 ms, then the level speed of a heavy rep
    # whose last sample is `wiggle` mm/s under the one before (a grind's wobble).
    ring = VelocityRing()
    t = 0
    k0 = -1
    while t <= 1350:
        if t < 500:
            v = -550.0
        elif t < 800:
            v = -550.0 * math.cos(math.pi / 2 * (t - 500) / 300)
        elif t < 900:
            v = 60.0 * (t - 800) / 100
        elif t < 1050:
            v = 60.0 + 440.0 * math.sin(math.pi / 2 * (t - 900) / 150) ** 2
        else:
            v = 505.0
        if t + DT > 1350:
            v -= wiggle
        if k0 < 0 and v > 122:
            k0 = ring.n  # where the rise first went fast (the confirming speed)
        vi = int(v * 256)
        ring.push(t, vi, vi)
        t += DT
    return ring, k0


def test_a_rise_start_is_placed_at_the_turnaround_whatever_its_level_speed_does():
    # The walk back from the newest sample to 4 x the level stopped at once where the
    # rise's level speed wobbled by 5 mm/s ("turned back"): the start then went back
    # by the whole (clipped) gap, 0.3 s into the lowering (set 5017: a heavy rep's
    # range read twice its true 0.25 m and the rep was rejected).
    for wiggle in (0, 5):
        ring, k0 = _grind_after_a_lowering(wiggle)
        ring.boundary(0, 61, True, False, k0)
        assert 740 <= ring.t_cross <= 900, (wiggle, ring.t_cross)


def test_a_slow_rise_holding_its_speed_is_walked_back_past_its_wobble():
    # A heavy rep from a bottom read at +80 mm/s (an offset): a push to 0.385 m/s by
    # 1000 ms, then that speed held, 3 mm/s lower at one sample (session 448: the walk
    # back to the level stopped there, "turned back", and the start, placed 0.24 s
    # late, cut the range to 0.06 m of 0.27: no rep).
    ring = VelocityRing()
    t = 0
    while t <= 1120:
        if t < 800:
            v = 80.0
        elif t < 1000:
            v = 80.0 + 305.0 * math.sin(math.pi / 2 * (t - 800) / 200) ** 2
        else:
            v = 386.0 if t < 1060 else 383.0 if t < 1077 else 384.0
        vi = int(v * 256)
        ring.push(t, vi, vi)
        t += DT
    ring.boundary(75, 51, True, False)
    assert 780 <= ring.t_cross <= 880, ring.t_cross


def test_lowest_is_the_slowest_velocity_of_the_recent_history():
    # A quick partial rise (0.6 m/s), its lowering (-0.4 m/s) and the next rise: 0.7 s
    # back lies in the partial rise, but the next rise left from the lowering's end.
    ring = VelocityRing()
    t = 0
    while t <= 1200:
        if t < 300:
            v = 600.0 * math.sin(math.pi * t / 300)
        elif t < 900:
            v = -400.0 * math.sin(math.pi * (t - 300) / 600)
        else:
            v = 1500.0 * math.sin(math.pi / 2 * (t - 900) / 300)
        vi = int(v * 256)
        ring.push(t, vi, vi)
        t += DT
    assert ring.value_before(1000) >> 8 > 300  # in the partial rise
    assert -400 <= ring.lowest(1000) >> 8 <= -395
    # Only the samples of the last age ms count (down to value_before's).
    assert ring.lowest(200) >> 8 >= -5
    assert ring.lowest(0) == ring.v[(ring.n - 1) & 1023]


def test_a_rise_levels_off_where_its_deceleration_ends():
    # The measuring velocity of a rise's end on a drift of -0.2 m/s per s: it falls
    # steeply (a push stopping at 2 m/s per s) until 1000 ms, then only by the drift.
    ring = VelocityRing()
    t = 0
    while t <= 1400:
        v = min(500.0, max(0.0, 2.0 * (1000 - t))) - 0.2 * t
        vi = int(v * 256)
        ring.push(t, vi, vi)
        t += DT
    n1 = ring.index_at(850)  # a top found early, in the deceleration
    k = ring.levels_off(n1, ring.n - 1, 500)
    assert 980 <= ring.t[k & 1023] <= 1020, ring.t[k & 1023]
    # No later than asked, nor past the newest sample.
    assert ring.levels_off(n1, ring.index_at(900), 500) == ring.index_at(900)
    assert ring.levels_off(n1, ring.n + 50, 5000) < ring.n
