"""Simulated recordings: a whole session or one set, with exact ground truth.

    samples, truth = simulate_session(seed=0, sets=3, rate_hz=100.0)
    samples, truth = simulate_set(seed=7, rate_hz=60.0, tempo_style="long_hold")

`samples` is a float array (N, 7): t_s, ax_g, ay_g, az_g, gx_dps, gy_dps, gz_dps, in the
sensor's own axes and clock, rounded to the raw CSV's decimals (docs/raw-format.md), so
analysing the array equals analysing the file written from it.

`truth` follows `hipthrust analyze --json` plus extras; see docs/raw-format.md for
every field and the conventions (times on the file's clock; rom and velocities physical,
measured at the sensor on the pad).
"""

import numpy as np

from hipthrust.sim.imu import Clock, Imu
from hipthrust.sim.lifter import TEMPO_STYLES, Lifter

# Options and their defaults; anything else is refused.
DEFAULTS = {
    "errors": True,  # IMU bias, scale, noise, quantisation
    "lowpass": True,  # each reading averages the motion over one sample period
    "regular": False,  # True: no jitter, no dropped samples
    "clock_error": True,  # False: board clock = true clock, starting at 0
    "mounting": "random",  # "random", "identity" or a 3x3 rotation (pad -> sensor)
    "distractors": True,  # walking, knocks, fidgets, pad adjustments
    "rest_s": (30.0, 90.0),  # rest between sets (s): uniform in this range
    "rest_on_hips": None,  # None: sometimes; True / False: always / never
    "reps": None,  # fixed rep goal per set
    "tempo_style": None,  # one of TEMPO_STYLES, else random per set
    "rom_m": None,  # full range of motion (m), else random 0.10-0.40
    "p_failed": None,  # probability the last rep of a set fails (None: by category)
    "p_partial": 0.3,  # probability a set contains one or two partial reps
    "p_stall": 0.35,  # probability a grind (full rep under 0.3 m/s) stalls on its way up
    # How much the pad turns with the pelvis, as a factor on the drawn coupling (0.5-1.1):
    # real pads are unmeasured, so the accuracy bench also runs with 0 (no pitch at all).
    "pitch_coupling": 1.0,
}

TIME_DECIMALS = 4  # truth times (0.1 ms)
SAMPLE_TIME_DECIMALS = 3  # sample timestamps: whole ms, like the board's t_ms
ACCEL_DECIMALS = 4
GYRO_DECIMALS = 2
PEAK_STEP_S = 0.002  # grid on which the peak concentric velocity is found


def _options(options):
    unknown = set(options) - set(DEFAULTS)
    if unknown:
        raise TypeError("unknown simulator option(s): " + ", ".join(sorted(unknown)))
    opts = dict(DEFAULTS)
    opts.update(options)
    if opts["tempo_style"] is not None and opts["tempo_style"] not in TEMPO_STYLES:
        raise ValueError("tempo_style must be one of " + ", ".join(TEMPO_STYLES))
    if opts["rom_m"] is not None and not 0.10 <= opts["rom_m"] <= 0.40:
        raise ValueError("rom_m must be 0.10-0.40 m")
    if not 0.0 <= opts["pitch_coupling"] <= 2.0:
        raise ValueError("pitch_coupling must be 0-2")
    for name in ("p_failed", "p_partial", "p_stall"):
        if opts[name] is not None and not 0.0 <= opts[name] <= 1.0:
            raise ValueError(name + " must be 0-1")
    if opts["p_failed"] is None:
        del opts["p_failed"]
    return opts


def _check(seed, rate_hz, sets):
    if int(seed) != seed or seed < 0:
        raise ValueError("seed must be a non-negative integer")
    if not 50.0 <= float(rate_hz) <= 200.0:
        raise ValueError("rate_hz must be 50-200")
    if int(sets) != sets or sets < 1:
        raise ValueError("sets must be a positive integer")


def simulate_session(seed=0, sets=3, rate_hz=100.0, **options):
    """Simulate a session of `sets` sets with handling and rests between them.

    seed: a non-negative int; the same seed and options give the same samples and truth, and the
    same motion at every rate. rate_hz: nominal sample rate, 50-200 Hz.
    Returns (samples (N, 7) float array, truth dict). See the module docstring.
    """
    _check(seed, rate_hz, sets)
    opts = _options(options)
    lifter, streams = _script_session(seed, sets, opts)
    return _render(seed, rate_hz, lifter, *streams, opts)


def session_motion(seed=0, sets=3, **options):
    """The true Motion of `simulate_session(seed, sets, **options)` (true time, s):
    `motion.imu(t)` gives ideal pad-frame readings at any times, `motion.duration` its
    length. For feeding other sensor models (e.g. an IMU register model).
    """
    _check(seed, 100.0, sets)
    return _script_session(seed, sets, _options(options))[0].motion


def set_motion(seed, **options):
    """The true Motion of `simulate_set(seed, **options)`; see `session_motion`."""
    _check(seed, 100.0, 1)
    return _script_set(seed, _options(options))[0].motion


def _script_session(seed, sets, opts):
    # (A fourth stream was added later: spawn() leaves the first three as they were.)
    motion_ss, imu_ss, clock_ss, stall_ss = np.random.SeedSequence(int(seed)).spawn(4)
    lifter = Lifter(np.random.default_rng(motion_ss), opts, np.random.default_rng(stall_ss))
    rng = lifter.rng
    distract = opts["distractors"]
    lifter.wait(rng.uniform(2.0, 6.0))
    if distract:
        lifter.walk()  # the pad is carried to the bar and put on it
        lifter.rest_on_floor(rng.uniform(3.0, 10.0))
    on_hips = False
    for k in range(int(sets)):
        plan = lifter.plan_set()
        if not on_hips:
            lifter.roll_onto_hips()
        _before_set(lifter, distract)
        lifter.do_set(plan)
        last = k == int(sets) - 1
        rest = rng.uniform(*opts["rest_s"])
        stay = opts["rest_on_hips"]
        on_hips = (not last) and (rng.random() < 0.3 if stay is None else bool(stay))
        lifter.wait(rng.uniform(0.5, 2.5))
        if on_hips:
            if distract:
                lifter.rest_on_hips(rest)  # breathing, fidgets, knocks
            else:
                lifter.wait(rest)
        else:
            lifter.set_down()
            if not last and distract:
                lifter.rest_on_floor(rest)  # still, a knock now and then
            elif not last:
                lifter.wait(rest)
    lifter.wait(rng.uniform(2.0, 5.0))
    if distract and rng.random() < 0.5:
        lifter.walk()
        lifter.wait(rng.uniform(1.0, 3.0))
    lifter.motion.duration = lifter.t
    return lifter, (imu_ss, clock_ss)


def simulate_set(seed, rate_hz=100.0, **options):
    """Simulate one set with its surrounding handling (bar on the floor, rolled onto the
    hips, the reps, set down, still again). Same returns as `simulate_session`; the truth
    holds exactly one set. Fast enough for benchmarks of hundreds of sets.
    """
    _check(seed, rate_hz, 1)
    opts = _options(options)
    lifter, streams = _script_set(seed, opts)
    return _render(seed, rate_hz, lifter, *streams, opts)


def _script_set(seed, opts):
    motion_ss, imu_ss, clock_ss, stall_ss = np.random.SeedSequence([int(seed), 1]).spawn(4)
    lifter = Lifter(np.random.default_rng(motion_ss), opts, np.random.default_rng(stall_ss))
    rng = lifter.rng
    distract = opts["distractors"]
    lifter.wait(rng.uniform(1.0, 3.0))
    if distract and rng.random() < 0.3:
        lifter.walk()
        lifter.wait(rng.uniform(1.0, 3.0))
    if distract and rng.random() < 0.3:
        lifter.knock()
        lifter.wait(rng.uniform(0.5, 2.0))
    plan = lifter.plan_set()
    lifter.roll_onto_hips()
    _before_set(lifter, distract)
    lifter.do_set(plan)
    lifter.wait(rng.uniform(0.5, 2.5))
    lifter.set_down()
    lifter.wait(rng.uniform(2.0, 5.0))
    lifter.motion.duration = lifter.t
    return lifter, (imu_ss, clock_ss)


def _before_set(lifter, distract):
    """Settling under the bar before the first rep: maybe a fidget or a pad adjustment."""
    rng = lifter.rng
    lifter.wait(rng.uniform(1.0, 3.0))
    if distract and rng.random() < 0.3:
        lifter.adjust_pad()
        lifter.wait(rng.uniform(0.5, 1.5))
    if distract and rng.random() < 0.5:
        lifter.fidget()
        lifter.wait(rng.uniform(0.8, 2.0))


def _render(seed, rate_hz, lifter, imu_ss, clock_ss, opts):
    """Sample the motion through the clock and the IMU; measure the truth on the motion."""
    motion = lifter.motion
    duration = lifter.t
    clock = Clock(np.random.default_rng(clock_ss), rate_hz, opts["regular"],
                  opts["clock_error"])
    imu = Imu(np.random.default_rng(imu_ss), rate_hz, opts["errors"], opts["mounting"])
    t_true = clock.instants(duration)
    window = 1.0 / float(rate_hz) if opts["lowpass"] else 0.0
    accel, gyro = imu.measure(*motion.imu(t_true, window), t_true)
    samples = np.empty((len(t_true), 7))
    samples[:, 0] = np.round(clock.to_board(t_true), SAMPLE_TIME_DECIMALS)
    samples[:, 1:4] = np.round(accel, ACCEL_DECIMALS)
    samples[:, 4:7] = np.round(gyro, GYRO_DECIMALS)
    truth = {
        "seed": int(seed),
        "rate_hz": float(rate_hz),
        "duration_s": _r(duration * (1.0 + clock.error)),
        "sets": [_set_truth(s, motion, clock) for s in lifter.sets],
        "distractors": [
            {"kind": d["kind"], "start_s": _board(clock, d["start_s"]),
             "end_s": _board(clock, d["end_s"])}
            for d in lifter.distractors
        ],
        "clock": clock.describe(),
        "imu": imu.describe(),
    }
    return samples, truth


def _r(x, n=TIME_DECIMALS):
    return round(float(x), n)


def _board(clock, t):
    return _r(clock.to_board(t))


def _set_truth(s, motion, clock):
    # Every concentric on a fine grid, evaluated in one call (one pass over the tracks).
    grids = [np.linspace(r["concentric_start_s"], r["concentric_end_s"],
                         max(int((r["concentric_end_s"] - r["concentric_start_s"])
                                 / PEAK_STEP_S), 8) + 1)
             for r in s["reps"]]
    z_all, vz_all = motion.vertical(np.concatenate(grids))
    bounds = np.cumsum([0] + [len(g) for g in grids])
    reps = []
    for i, r in enumerate(s["reps"]):
        cs, ce = r["concentric_start_s"], r["concentric_end_s"]
        es, ee = r["eccentric_start_s"], r["eccentric_end_s"]
        z, vz = z_all[bounds[i]:bounds[i + 1]], vz_all[bounds[i]:bounds[i + 1]]
        rom = z[-1] - z[0]
        nxt = s["reps"][i + 1]["concentric_start_s"] if i + 1 < len(s["reps"]) else None
        ce_b, es_b, ee_b = _board(clock, ce), _board(clock, es), _board(clock, ee)
        reps.append({
            "index": i + 1,
            "concentric_start_s": _board(clock, cs),
            "concentric_end_s": ce_b,
            "eccentric_start_s": es_b,
            "eccentric_end_s": ee_b,
            "hold_s": _r(es_b - ce_b),
            "bottom_s": None if nxt is None else _r(_board(clock, nxt) - ee_b),
            "rom_m": _r(rom),
            "mean_velocity_mps": _r(rom / (ce - cs)),
            "peak_velocity_mps": _r(vz.max()),
            "full": r["kind"] == "full",
            "kind": r["kind"],
            "stall_s": _r(r["stall_s"] * (1.0 + clock.error)),
        })
    return {
        "start_s": reps[0]["concentric_start_s"],
        "end_s": reps[-1]["eccentric_end_s"],
        "goal": s["goal"],
        "tempo_style": s["tempo_style"],
        "category": s["category"],
        "full_rom_m": _r(np.median([r["rom_m"] for r in reps if r["full"]])),
        "reps": reps,
    }
