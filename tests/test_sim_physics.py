"""The simulator's physics, checked numerically from its own samples and motion.

With IMU errors, jitter and clock error switched off, the samples must be exactly
what an ideal sensor on that motion reads: integrating them must give back the
truth (ROM, velocities, orientation changes, turnarounds at zero velocity).
"""

import numpy as np
import pytest

from hipthrust.sim import set_motion, simulate_set
from hipthrust.sim.motion import G0, Motion, rotation
from hipthrust.sim.tracks import Knocks, Track, step_shape

IDEAL = dict(errors=False, regular=True, clock_error=False, lowpass=False)


def _expm(v):
    """Rotation matrix of rotation vector v (rad)."""
    th = np.linalg.norm(v)
    if th < 1e-12:
        return np.eye(3)
    k = v / th
    kx = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    return np.eye(3) + np.sin(th) * kx + (1 - np.cos(th)) * kx @ kx


def _up_in_sensor_frame(samples):
    """Up direction in the sensor frame at every sample: from gravity while still at the
    start, carried along by integrating the gyroscope (trapezoid, exact exponential)."""
    t, acc, w = samples[:, 0], samples[:, 1:4], np.radians(samples[:, 4:7])
    up = acc[:20].mean(axis=0)
    up /= np.linalg.norm(up)
    c = np.eye(3)  # sensor frame now -> sensor frame at the start
    ups = np.empty_like(acc)
    for i in range(len(t)):
        ups[i] = c.T @ up
        if i + 1 < len(t):
            c = c @ _expm(0.5 * (w[i] + w[i + 1]) * (t[i + 1] - t[i]))
    return ups


@pytest.fixture(scope="module")
def ideal_set():
    samples, truth = simulate_set(21, rate_hz=200.0, distractors=False, tempo_style="controlled",
                                  **IDEAL)
    return samples, truth, _up_in_sensor_frame(samples)


def test_step_shape_is_a_smooth_monotone_move():
    s = np.linspace(0, 1, 2001)
    for r1, r2 in ((0.5, 0.5), (0.3, 0.45), (0.15, 0.7)):
        y = step_shape(s, r1, r2)
        assert y[0] == 0 and y[-1] == pytest.approx(1.0)
        v = np.gradient(y, s)
        assert (np.diff(y) >= -1e-12).all()
        assert v[0] == pytest.approx(0, abs=1e-2) and v[-1] == pytest.approx(0, abs=1e-2)
        assert v.max() == pytest.approx(1 / (1 - (r1 + r2) / 2), rel=1e-3)


def test_track_values_and_overlap_refused():
    tr = Track(1.0)
    tr.move(1.0, 2.0, 0.5)
    tr.move_to(4.0, 1.0, 0.0)
    assert tr([0.0, 1.0, 2.0, 3.0, 3.5, 5.0, 9.0]).tolist() == pytest.approx(
        [1.0, 1.0, 1.25, 1.5, 1.5, 0.0, 0.0])
    with pytest.raises(ValueError):
        tr.move(4.5, 1.0, 1.0)


def test_rotation_matrices_are_rotations():
    rng = np.random.default_rng(0)
    r = rotation(*rng.uniform(-3, 3, (3, 50)))
    assert np.allclose(r @ np.swapaxes(r, 1, 2), np.eye(3), atol=1e-12)
    assert np.allclose(np.linalg.det(r), 1.0)


def test_bar_moves_on_an_arc_and_the_pad_pitches():
    m = Motion(arm_m=0.5, depth_m=0.3, pitch_gain=1.0, lever_m=(0.0, 0.0, 0.0))
    m["lift"].move(0.0, 1.0, 0.3)
    pos_b, _, pitch_b, _ = m.angles(np.array([0.0]))
    pos_t, _, pitch_t, _ = m.angles(np.array([1.0]))
    # From alpha = asin(0.3/0.5) below horizontal to a straight line: the hips rise 0.3 m,
    # move forward by 0.5 (1 - cos alpha) and the pelvis turns by alpha.
    alpha = np.arcsin(0.6)
    assert pos_t[0, 2] - pos_b[0, 2] == pytest.approx(0.3)
    assert pos_t[0, 0] - pos_b[0, 0] == pytest.approx(0.5 * (1 - np.cos(alpha)))
    assert pitch_t[0] - pitch_b[0] == pytest.approx(alpha)
    # Distance to the shoulders stays the arm length all the way.
    t = np.linspace(0, 1, 11)
    pos, *_ = m.angles(t)
    shoulder = pos_t[0] - np.array([0.5, 0.0, 0.0])
    assert np.linalg.norm(pos - shoulder, axis=1) == pytest.approx(np.full(11, 0.5))


def test_still_sensor_reads_one_g_and_no_rotation():
    m = Motion(arm_m=0.5, depth_m=0.3, pitch_gain=1.0, lever_m=(0.01, 0.02, 0.03))
    m["pitch"].v0 = 0.7
    acc, gyro = m.imu(np.linspace(0, 5, 50))
    assert np.linalg.norm(acc, axis=1) == pytest.approx(np.ones(50))
    # Pitched by 0.7 rad about y: up (world z) seen in the pad frame.
    assert acc[0] == pytest.approx([-np.sin(0.7), 0.0, np.cos(0.7)])
    assert np.abs(gyro).max() < 1e-9


def test_integrated_vertical_acceleration_gives_truth_rom(ideal_set):
    samples, truth, ups = ideal_set
    t = samples[:, 0]
    vertical = (np.einsum("ni,ni->n", samples[:, 1:4], ups) - 1.0) * G0  # m/s^2
    reps = truth["sets"][0]["reps"]
    assert len(reps) >= 3
    for r in reps:
        i0 = np.searchsorted(t, r["concentric_start_s"])
        i1 = np.searchsorted(t, r["concentric_end_s"])
        tt, aa = t[i0:i1 + 1], vertical[i0:i1 + 1]
        v = np.concatenate([[0.0], np.cumsum(0.5 * (aa[1:] + aa[:-1]) * np.diff(tt))])
        z = np.concatenate([[0.0], np.cumsum(0.5 * (v[1:] + v[:-1]) * np.diff(tt))])
        assert z[-1] == pytest.approx(r["rom_m"], abs=0.006, rel=0.02)
        assert v.max() == pytest.approx(r["peak_velocity_mps"], abs=0.02, rel=0.02)
        assert abs(v[-1]) < 0.02  # the concentric ends at a turnaround


def test_gyro_turns_gravity_like_the_accelerometer_sees_it(ideal_set):
    """In every hold (bar still at the top after the pad pitched with the pelvis, and
    after rolling the bar, which turns the pad a lot) and at the end, the up direction
    carried by the gyroscope matches the gravity the accelerometer measures (the check
    every driver needs)."""
    samples, truth, ups = ideal_set
    t = samples[:, 0]

    def angle(a, b):
        return np.degrees(np.arccos(np.clip(a @ b / np.linalg.norm(a) / np.linalg.norm(b),
                                            -1, 1)))

    start = samples[:20, 1:4].mean(axis=0)
    assert angle(samples[-20:, 1:4].mean(axis=0), ups[-1]) < 0.5
    checked = 0
    for r in truth["sets"][0]["reps"]:
        m = (t > r["concentric_end_s"] + 0.05) & (t < r["eccentric_start_s"] - 0.05)
        if m.sum() < 20:
            continue
        gravity = samples[m, 1:4].mean(axis=0)
        assert angle(gravity, ups[m].mean(axis=0)) < 0.5
        assert angle(gravity, start) > 5  # it really turned
        checked += 1
    assert checked >= 2
    # And during the set the pad pitches with the pelvis on every full rep.
    w = samples[:, 4:7]
    for r in truth["sets"][0]["reps"]:
        if r["kind"] != "full":
            continue
        m = (t >= r["concentric_start_s"]) & (t <= r["concentric_end_s"])
        angle = np.linalg.norm(np.trapezoid(w[m], t[m], axis=0))
        assert angle > 8.0  # degrees


def test_turnarounds_are_zero_velocity_points():
    motion = set_motion(13, distractors=False, **IDEAL)
    _, truth = simulate_set(13, rate_hz=100.0, distractors=False, **IDEAL)
    for r in truth["sets"][0]["reps"]:
        for key in ("concentric_start_s", "concentric_end_s", "eccentric_start_s",
                    "eccentric_end_s"):
            _, vz = motion.vertical(np.array([r[key]]))
            assert abs(vz[0]) < 0.01  # m/s: only tremor, sway and breathing remain
        # and in between the bar really moves
        mid = 0.5 * (r["concentric_start_s"] + r["concentric_end_s"])
        assert motion.vertical(np.array([mid]))[1][0] > 0.5 * r["mean_velocity_mps"]


def test_a_grind_may_stall_at_its_sticking_point_and_drive_on():
    opts = dict(distractors=False, p_stall=1.0, p_failed=0.0, p_partial=0.0, **IDEAL)
    motion = set_motion(24, **opts)
    _, truth = simulate_set(24, rate_hz=50.0, **opts)
    stalled = [r for r in truth["sets"][0]["reps"] if r["stall_s"] > 0.05]
    assert len(stalled) >= 3
    for r in stalled:
        assert r["kind"] == "full"
        t = np.arange(r["concentric_start_s"], r["concentric_end_s"], 0.002)
        z, vz = motion.vertical(t)
        height = (z - z[0]) / (z[-1] - z[0])
        # the bar stops (only tremor and breathing) partway up, for the stall's length...
        stopped = (np.abs(vz) < 0.01) & (height > 0.3) & (height < 0.75)
        assert stopped.sum() * 0.002 >= r["stall_s"] - 0.01
        # ... and then drives on to lockout: the rep's whole range
        assert z[-1] - z[0] == pytest.approx(r["rom_m"], abs=0.002)
        assert height[-1] == pytest.approx(1.0)
    _, plain = simulate_set(24, rate_hz=50.0, **dict(opts, p_stall=0.0))
    assert all(r["stall_s"] == 0 for r in plain["sets"][0]["reps"])


def test_set_motion_matches_the_samples():
    motion = set_motion(6, **IDEAL, mounting="identity")
    samples, _ = simulate_set(6, rate_hz=100.0, **IDEAL, mounting="identity")
    acc, gyro = motion.imu(samples[:, 0])
    assert np.abs(acc - samples[:, 1:4]).max() < 1e-4
    assert np.abs(gyro - samples[:, 4:7]).max() < 0.006
    assert motion.duration == pytest.approx(samples[-1, 0], abs=0.02)


def test_bar_is_never_perfectly_still_on_the_hips(ideal_set):
    samples, truth, _ = ideal_set
    t = samples[:, 0]
    holds = [r for r in truth["sets"][0]["reps"] if r["hold_s"] > 0.5]
    for r in holds:
        m = (t > r["concentric_end_s"] + 0.1) & (t < r["eccentric_start_s"] - 0.1)
        spread = samples[m, 1:4].std(axis=0).max()
        assert 1e-4 < spread < 0.05  # tremor: small but real, with a perfect sensor


def test_lowpass_reading_is_the_window_average():
    motion = set_motion(13, distractors=False, **IDEAL)
    _, truth = simulate_set(13, rate_hz=100.0, distractors=False, **IDEAL)
    r = truth["sets"][0]["reps"][0]
    window = 0.01
    t = np.linspace(r["concentric_start_s"], r["eccentric_end_s"], 40)
    acc, gyro = motion.imu(t, window)
    sub = t[:, None] - window * (np.arange(200) + 0.5)[None, :] / 200  # midpoints
    acc_sub, gyro_sub = motion.imu(sub.ravel())
    acc_mean = acc_sub.reshape(40, 200, 3).mean(axis=1)
    gyro_mean = gyro_sub.reshape(40, 200, 3).mean(axis=1)
    assert np.abs(acc - acc_mean).max() < 2e-3  # g; the pad turns a little in 10 ms
    assert (np.abs(gyro - gyro_mean) < 0.05 + 0.002 * np.abs(gyro_mean)).all()  # deg/s


def test_rom_from_filtered_noiseless_samples_at_100_hz():
    options = dict(IDEAL, lowpass=True)
    samples, truth = simulate_set(21, rate_hz=100.0, distractors=False, **options)
    ups = _up_in_sensor_frame(samples)
    t = samples[:, 0]
    vertical = (np.einsum("ni,ni->n", samples[:, 1:4], ups) - 1.0) * G0
    for r in truth["sets"][0]["reps"]:
        i0 = np.searchsorted(t, r["concentric_start_s"])
        i1 = np.searchsorted(t, r["concentric_end_s"]) + 1  # readings lag by half a period
        tt, aa = t[i0:i1 + 1], vertical[i0:i1 + 1]
        v = np.concatenate([[0.0], np.cumsum(0.5 * (aa[1:] + aa[:-1]) * np.diff(tt))])
        z = np.concatenate([[0.0], np.cumsum(0.5 * (v[1:] + v[:-1]) * np.diff(tt))])
        assert z[-1] == pytest.approx(r["rom_m"], abs=0.01, rel=0.03)


def test_knock_rings_and_dies_away_in_any_time_order():
    knocks = Knocks()
    knocks.add(1.0, (0.0, 0.0, 1e-4), 0.001, 25.0, 0.02)
    t = np.linspace(0.0, 3.0, 3001)
    xyz, pitch = knocks(t)
    assert np.abs(xyz[t <= 1.0]).max() == 0.0 and np.abs(xyz[t > 1.6]).max() < 1e-9
    assert np.abs(xyz[:, 2]).max() > 3e-5 and np.abs(xyz[:, :2]).max() == 0.0
    shuffled = np.random.default_rng(1).permutation(t)
    xyz_s, pitch_s = knocks(shuffled)
    order = np.argsort(shuffled)
    assert np.array_equal(xyz_s[order], xyz) and np.array_equal(pitch_s[order], pitch)
