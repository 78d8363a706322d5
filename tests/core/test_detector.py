# The rep detector on small synthetic signals. Runs under CPython (pytest) and under
# the MicroPython unix port (tests/mp_runner.py): plain asserts, no pytest imports.
#
# The signal generator below is deliberately simple but physically consistent: the
# hips move along a vertical path made of smooth moves (sin^2 speed bumps), the pad
# pitches with the hip height (as on the arc around the shoulders), the accelerometer
# reads the specific force and the gyroscope the pitch rate in the same sensor frame,
# with bias, noise and jittered sample times. Integer LCG noise: same numbers in both
# interpreters.
import math

from hipthrust_core import records as P
from hipthrust_core.detector import Detector

G = 9.80665


class Lcg:
    def __init__(self, seed):
        self.s = seed & 0x7FFFFFFF

    def next(self):
        self.s = (1103515245 * self.s + 12345) & 0x7FFFFFFF
        return self.s

    def uniform(self, lo, hi):
        return lo + (hi - lo) * (self.next() % 100000) / 100000.0


def moves_for(reps, rom, conc, hold, ecc, pause, start=3.0, partial=()):
    """(t0, duration, delta_m) moves for a set of reps; returns (moves, end time)."""
    moves = []
    t = start
    for i in range(reps):
        h = rom * 0.5 if i in partial else rom
        moves.append((t, conc, h))
        t += conc + hold
        moves.append((t, ecc, -h))
        t += ecc + pause
    return moves, t


def height(moves, t):
    """Height (m), velocity (m/s), acceleration (m/s^2) at t of a list of moves."""
    h = v = a = 0.0
    for t0, dur, dh in moves:
        if t >= t0 + dur:
            h += dh
        elif t > t0:
            s = (t - t0) / dur
            h += dh * (s - math.sin(2 * math.pi * s) / (2 * math.pi))
            v += dh / dur * (1 - math.cos(2 * math.pi * s))
            a += dh / (dur * dur) * 2 * math.pi * math.sin(2 * math.pi * s)
    return h, v, a


def samples(moves, end, seed=1, rate=100.0, jitter=0.3, mount=0, extra=None):
    """Yield integer samples [t_ms, ax, ay, az (mg), gx, gy, gz (0.1 deg/s)].

    mount picks one of a few sensor mountings (axis permutations with signs);
    extra(t) may add (vertical accel m/s^2, sideways accel m/s^2, pitch rate rad/s).
    """
    rnd = Lcg(seed)
    t = 0.0
    k = 2.7  # rad of pad pitch per m of hip rise (the arc)
    bias_a = (18.0, -12.0, 9.0)  # mg
    bias_g = (0.9, -0.6, 0.4)  # deg/s
    while t < end:
        h, v, a = height(moves, t)
        side = 0.0
        w = k * v
        if extra is not None:
            ea, es, ew = extra(t)
            a += ea
            side = es
            w += ew
        phi = k * h
        f = (G + a) / G * 1000.0  # specific force along world vertical, mg
        fs = side / G * 1000.0
        # pad frame: x along the bar (pitch axis), gravity in (y, z)
        body = (fs, f * math.sin(phi), f * math.cos(phi))
        gyro = (math.degrees(w), 0.0, 0.0)
        acc = _mount(body, mount)
        gyr = _mount(gyro, mount)
        row = [int(round(t * 1000))]
        for i in range(3):
            row.append(int(round(acc[i] + bias_a[i] + rnd.uniform(-6.0, 6.0))))
        for i in range(3):
            row.append(int(round((gyr[i] + bias_g[i] + rnd.uniform(-0.3, 0.3)) * 10)))
        yield row
        t += (1.0 + rnd.uniform(-jitter, jitter)) / rate


def _mount(vec, mount):
    x, y, z = vec
    if mount == 1:
        return (y, z, x)
    if mount == 2:
        return (-x, z, y)
    if mount == 3:
        return (z, -y, x)
    return (x, y, z)


def run(rows, set_end_ms=4000):
    """Feed rows (an iterable) through a Detector; returns decoded records."""
    det = Detector(set_end_ms=set_end_ms)
    buf = bytearray(P.MAX_RECORD)
    recs = []
    seq = 0
    last = 0
    for r in rows:
        last = r[0]
        if det.feed(r[0], r[1], r[2], r[3], r[4], r[5], r[6]):
            n = det.pack_next(buf, seq)
            while n:
                recs.append(P.decode(bytes(buf[:n])))
                seq += 1
                n = det.pack_next(buf, seq)
    det.end(last)
    n = det.pack_next(buf, seq)
    while n:
        recs.append(P.decode(bytes(buf[:n])))
        seq += 1
        n = det.pack_next(buf, seq)
    return recs


def reps_of(recs):
    return [r for r in recs if isinstance(r, P.Rep)]


def check_phase_order(recs):
    # Phases of each rep come in order concentric, top, eccentric, bottom, then its REP.
    expect = P.PH_CONCENTRIC
    for r in recs:
        if isinstance(r, P.Phase):
            assert r.phase == expect, (r, expect)
            expect = expect % 4 + 1
        elif isinstance(r, P.Rep):
            assert expect == P.PH_CONCENTRIC, r


def test_touch_and_go_set_counts_every_rep():
    moves, end = moves_for(8, 0.30, 0.7, 0.0, 0.9, 0.0)
    recs = run(samples(moves, end + 4.0, seed=3))
    reps = reps_of(recs)
    assert len(reps) == 8, reps
    assert all(r.flags == P.RF_FULL for r in reps)
    check_phase_order(recs)
    starts = [r for r in recs if isinstance(r, P.SetStart)]
    ends = [r for r in recs if isinstance(r, P.SetEnd)]
    assert len(starts) == 1 and len(ends) == 1
    assert ends[0].reps == 8 and ends[0].full_reps == 8


def test_touch_and_go_boundaries_rom_and_velocity():
    moves, end = moves_for(6, 0.30, 0.7, 0.0, 0.9, 0.0)
    reps = reps_of(run(samples(moves, end + 4.0, seed=5)))
    assert len(reps) == 6
    for i, r in enumerate(reps):
        t0 = moves[2 * i][0] * 1000
        assert abs(r.t_ms - t0) <= 100, (i, r.t_ms, t0)
        assert abs(r.conc_ms - 700) <= 120, r
        assert abs(r.rom_mm - 300) <= 45, r
        assert abs(r.mean_mmps - 300 * 1000 // 700) <= 70, r
        assert r.hold_ms <= 150, r


def test_paused_reps_hold_is_measured():
    moves, end = moves_for(5, 0.25, 0.8, 1.5, 1.2, 1.5)
    reps = reps_of(run(samples(moves, end + 4.0, seed=7, mount=1)))
    assert len(reps) == 5, reps
    for r in reps:
        assert abs(r.hold_ms - 1500) <= 250, r
        assert r.flags == P.RF_FULL


def test_any_mounting_and_jitter():
    moves, end = moves_for(6, 0.20, 0.6, 0.3, 0.8, 0.0)
    for mount in (2, 3):
        rows = samples(moves, end + 4.0, seed=11 + mount, rate=60.0, jitter=0.45, mount=mount)
        assert len(reps_of(run(rows))) == 6, mount


def test_partial_rep_is_flagged_not_full():
    moves, end = moves_for(6, 0.30, 0.7, 0.3, 0.9, 0.0, partial=(3,))
    reps = reps_of(run(samples(moves, end + 4.0, seed=13)))
    assert len(reps) == 6, reps
    assert reps[3].flags & P.RF_FULL == 0
    assert reps[3].flags & (P.RF_PARTIAL | P.RF_FAILED)
    assert all(r.flags == P.RF_FULL for i, r in enumerate(reps) if i != 3)


def test_walking_with_the_sensor_is_no_rep():
    # Steps at 1.9 Hz: the pad bobs +-15 mm and sways forward/back, for 12 s.
    def walk(t):
        if 2.0 < t < 14.0:
            w = 2 * math.pi * 1.9
            bob = -0.015 * w * w * math.sin(w * t)
            return (bob, 1.5 * math.sin(w * t / 2), 0.3 * math.cos(w * t))
        return (0.0, 0.0, 0.0)

    recs = run(samples([], 16.0, seed=17, extra=walk))
    assert reps_of(recs) == []


def test_knocks_are_no_rep():
    # Short damped ringing of the bar (plates knocked) every 2 s: a displacement of a
    # few mm at 25 Hz that dies out (so no net velocity), seen as up to ~4 g.
    def ring(u):
        if u <= 0.0:
            return 0.0
        return 0.002 * math.exp(-u / 0.05) * (1.0 - math.cos(2 * math.pi * 25 * u))

    def knock(t):
        if t < 2.0:
            return (0.0, 0.0, 0.0)
        u = (t - 2.0) % 2.0
        h = 0.0005
        acc = (ring(u + h) - 2 * ring(u) + ring(u - h)) / (h * h)
        return (acc, 0.3 * acc, 0.0)

    recs = run(samples([], 14.0, seed=19, extra=knock))
    assert reps_of(recs) == []


def test_fidgeting_is_no_rep():
    # Small shifts of the hips (2-3 cm) while settling under the bar.
    moves = [(2.0, 0.5, 0.025), (3.0, 0.5, -0.025), (4.5, 0.4, 0.02), (5.5, 0.4, -0.02)]
    recs = run(samples(moves, 8.0, seed=23))
    assert reps_of(recs) == []


def test_set_ends_after_rest():
    moves, end = moves_for(3, 0.25, 0.7, 0.5, 0.9, 0.5)
    recs = run(samples(moves, end + 6.0, seed=29), set_end_ms=3000)
    ends = [r for r in recs if isinstance(r, P.SetEnd)]
    assert len(ends) == 1
    assert ends[0].reason == P.END_REST
    assert ends[0].reps == 3


def test_plateau_test_follows_the_phase_direction():
    # A lowering that ends on a drift plateau (steady at -50 mm/s after a 600 mm/s
    # peak) has stopped changing, as a rise steady at +50 has. The lowering's test
    # once compared with the wrong sign: such a bottom was never taken as a plateau.
    det = Detector()
    det.peak = 600  # mm/s, the phase's peak speed
    det.vslow = -50 << 8  # mm/s * 256, the velocity's mean over ~0.1 s
    assert det._flat(50, False)  # down at 50 mm/s: steady
    assert not det._flat(50, True)  # up at 50 mm/s after -50: changing
    det.vslow = 50 << 8
    assert det._flat(50, True)
    assert not det._flat(50, False)
