"""The simulated lifter: plans sets, reps and handling as moves of a `Motion`.

Everything here is in TRUE time (s since the start of the recording); the session
module maps times onto the sensor's clock. Random choices come from one numpy
Generator so a seed gives the same lifter every time.

Numbers follow the guide (reference/hip-thrust-guide.txt) and the design notes:
rep ranges 3-6 / 8-15 / 15-25, hold 1-2 s (controlled), mean concentric velocity
0.15-1.3 m/s (about 0.25-0.4 heavy, up to 1.3 light), range of motion 0.10-0.40 m,
mostly touch-and-go reps with velocity loss across the set.
"""

import numpy as np

from hipthrust.sim.motion import G0, Motion

# Rep range categories: (name, reps range, weight, first-rep mean velocity m/s, velocity loss).
CATEGORIES = (
    ("strength", (3, 6), 0.3, (0.30, 0.55), (0.25, 0.50)),
    ("hypertrophy", (8, 15), 0.5, (0.45, 0.85), (0.20, 0.45)),
    ("endurance", (15, 25), 0.2, (0.65, 1.20), (0.10, 0.30)),
)

# Tempo styles: weight, hold s, eccentric s, bottom pause s, concentric speed factor.
TEMPO_STYLES = {
    "controlled": (0.35, (1.0, 2.0), (2.0, 3.0), (0.0, 0.2), 0.75),
    "rushed": (0.20, (0.0, 0.12), (0.5, 1.0), (0.0, 0.1), 1.15),
    "paused_bottom": (0.15, (0.5, 1.5), (1.5, 2.5), (1.0, 2.5), 0.9),
    "slow_eccentric": (0.15, (0.5, 1.5), (4.0, 6.0), (0.0, 0.2), 0.85),
    "long_hold": (0.15, (3.0, 5.0), (1.5, 3.0), (0.0, 0.2), 0.85),
}

MIN_VELOCITY = 0.15  # m/s, slowest mean concentric of a completed rep
MAX_VELOCITY = 1.3  # m/s
MIN_CONCENTRIC = 0.22  # s, nobody drives a loaded bar up faster
GRIND_VELOCITY = 0.3  # m/s: a full rep with a slower mean concentric is a grind
STALL_HEIGHT = (0.4, 0.65)  # share of a grind's rise where it may stall (sticking point)
STALL_S = (0.0, 0.4)  # s the bar stays stopped there before it drives on
STALL_SHARE = 0.35  # ... at most this share of the concentric (it stays a grind)
PARTIAL_FRACTION = (0.35, 0.70)  # of the set's full ROM: clearly short of lockout
FAILED_FRACTION = (0.25, 0.60)  # height where a failed rep stalls


def _pick(rng, weights):
    w = np.asarray(weights, float)
    return int(rng.choice(len(w), p=w / w.sum()))


class Lifter:
    """Builds one recording (true time) into a Motion, collecting the ground truth.

    Attributes after building: motion, t (end of the recording, s), sets (list of set
    truth dicts, true time, ROM/velocity filled in later), distractors (list of dicts).
    """

    def __init__(self, rng, opts, stall_rng=None):
        self.rng = rng
        # Sticking points come from their own stream, so that adding them left every
        # other draw of a seed as it was (None: the one stream).
        self.stall_rng = rng if stall_rng is None else stall_rng
        self.opts = opts
        u = rng.uniform
        # The lifter and the bar: same for the whole session.
        self.full_rom = float(rng.triangular(0.10, 0.26, 0.40))
        if opts.get("rom_m") is not None:
            self.full_rom = float(opts["rom_m"])
        arm = max(u(0.42, 0.60), self.full_rom / 0.8)
        self.plate_r = u(0.10, 0.225)  # bar height on the floor: radius of the plates (m)
        # Sensor on the pad: 2-4.5 cm from the bar axis, near the top of the pad, maybe off
        # centre along the bar.
        beta = u(-0.35, 0.35)
        r = u(0.02, 0.045)
        lever = (r * np.sin(beta), u(-0.10, 0.10), r * np.cos(beta))
        # The pad turns with the pelvis, or only partly (it can slip round the bar).
        self.motion = Motion(arm, self.full_rom, u(0.5, 1.1) * opts["pitch_coupling"], lever)
        self.t = 0.0
        self.sets = []
        self.distractors = []
        self._last_plan = None
        self._hip_oscillations()
        self._walk_oscillations()
        m = self.motion
        m["z"].v0 = self.plate_r
        m["yaw"].v0 = u(-np.pi, np.pi)
        m["pitch"].v0 = u(-np.pi, np.pi)  # how the pad sits on the bar (bar roll offset)

    # ----- oscillations -------------------------------------------------------------
    def _hip_oscillations(self):
        """Tremor, sway and breathing under the bar: it is never truly still on the hips."""
        rng, osc = self.rng, self.motion.hips_osc
        u = rng.uniform

        def ph():
            return u(0, 2 * np.pi)

        for _ in range(2):  # physiological tremor, 8-12 Hz, a few hundredths of a mm
            osc.add("lift", u(0.015e-3, 0.05e-3), u(8, 12), ph())
            osc.add("pitch", np.radians(u(0.01, 0.04)), u(8, 12), ph())
        osc.add("lift", u(0.2e-3, 0.8e-3), u(0.4, 1.2), ph())  # sway
        osc.add("lift", u(0.4e-3, 1.2e-3), u(0.2, 0.35), ph())  # breathing
        osc.add("tilt", np.radians(u(0.1, 0.4)), u(0.3, 0.8), ph())
        osc.add("y", u(0.2e-3, 1e-3), u(0.3, 0.8), ph())

    def _walk_oscillations(self):
        """The pad carried in a hand: a bob per step, arm swing every other step."""
        rng, osc = self.rng, self.motion.walk_osc
        u = rng.uniform
        f = u(1.6, 2.2)  # steps per second
        osc.add("z", u(0.015, 0.03), f, u(0, 6.3))
        osc.add("x", u(0.01, 0.03), f / 2, u(0, 6.3))
        osc.add("y", u(0.005, 0.02), f / 2, u(0, 6.3))
        osc.add("pitch", np.radians(u(5, 15)), f / 2, u(0, 6.3))
        osc.add("tilt", np.radians(u(3, 10)), f, u(0, 6.3))
        osc.add("yaw", np.radians(u(3, 8)), f / 2, u(0, 6.3))

    # ----- building blocks ------------------------------------------------------------
    def wait(self, seconds):
        """Nothing planned for `seconds` (oscillations and noise continue)."""
        self.t += float(seconds)

    def _distractor(self, kind, start, end):
        self.distractors.append({"kind": kind, "start_s": start, "end_s": end})

    def knock(self):
        """A plate or the pad knocked: ringing of 15-40 Hz, 0.3-3 g peak, ~0.2 s."""
        rng, u = self.rng, self.rng.uniform
        freq = u(15, 40)
        peak = u(0.3, 3.0) * G0  # m/s^2
        amp = peak / (2 * np.pi * freq) ** 2
        direction = rng.normal(size=3)
        direction /= np.linalg.norm(direction)
        tau = u(0.015, 0.05)
        self.motion.knocks.add(self.t, amp * direction, np.radians(u(0.02, 0.3)), freq, tau)
        self._distractor("knock", self.t, self.t + 6 * tau)
        self.t += 6 * tau

    def fidget(self):
        """Small hip shift under the bar: up 0.5-2.5 cm and back, a little tilt."""
        u = self.rng.uniform
        m, t0 = self.motion, self.t
        h = min(u(0.005, 0.025), 0.12 * self.full_rom)
        d1, d2 = u(0.4, 0.9), u(0.4, 0.9)
        m["lift"].move(t0, d1, h)
        m["lift"].move(t0 + d1, d2, -h)
        m["tilt"].move(t0, d1 + d2, np.radians(u(-3, 3)))
        self._distractor("fidget", t0, t0 + d1 + d2)
        self.t = t0 + d1 + d2

    def adjust_pad(self):
        """The lifter turns the pad on the bar by 10-30 degrees."""
        u = self.rng.uniform
        d = u(0.5, 1.2)
        self.motion["pitch"].move(self.t, d, np.radians(u(10, 30)) * self.rng.choice((-1, 1)))
        self._distractor("adjust_pad", self.t, self.t + d)
        self.t += d

    def walk(self):
        """Pick the pad up, carry it 3-15 s, put it back on the bar on the floor."""
        u = self.rng.uniform
        m, t0 = self.motion, self.t
        up, down = u(0.7, 1.5), u(0.7, 1.5)
        hand = u(0.75, 1.0)
        secs = u(3, 15)
        m["z"].move_to(t0, up, hand)
        m["pitch"].move(t0, up, np.radians(u(-60, 60)))
        m["tilt"].move(t0, up, np.radians(u(-30, 30)))
        m["walking"].move_to(t0 + up * 0.5, 0.5, 1.0)
        m["x"].move(t0 + up, secs, u(2, 12) * self.rng.choice((-1, 1)), 0.2, 0.2)
        m["yaw"].move(t0 + up, secs, np.radians(u(-180, 180)))
        t1 = t0 + up + secs
        m["walking"].move_to(t1 - 0.5, 0.5, 0.0)
        m["z"].move_to(t1, down, self.plate_r)
        m["pitch"].move(t1, down, np.radians(u(-60, 60)))
        m["tilt"].move_to(t1, down, 0.0)
        m["yaw"].move(t1, down, np.radians(u(-20, 20)))
        self._distractor("walk", t0, t1 + down)
        self.t = t1 + down

    def roll_onto_hips(self):
        """Roll the loaded bar over the thighs onto the hips: it rolls on its plates."""
        u = self.rng.uniform
        m, t0 = self.motion, self.t
        d = u(1.5, 3.5)
        dx = u(0.3, 0.7)
        m["x"].move(t0, d, -dx, 0.3, 0.4)
        # Rolling on the plates turns the bar (and the pad) by dx / plate radius, minus slip.
        m["pitch"].move(t0, d, dx / self.plate_r * u(0.5, 1.0), 0.3, 0.4)
        bump = u(0.01, 0.04)  # over the thighs
        m["z"].move(t0, d * 0.5, bump)
        m["z"].move(t0 + d * 0.5, d * 0.5, -bump)
        m["on_hips"].move_to(t0 + d - 0.5, 0.5, 1.0)
        self._distractor("roll_onto_hips", t0, t0 + d)
        self.t = t0 + d

    def set_down(self):
        """Roll the bar off the hips onto the floor (or lift it off), after a set."""
        u = self.rng.uniform
        m, t0 = self.motion, self.t
        d = u(1.0, 3.0)
        dx = u(0.3, 0.6)
        m["on_hips"].move_to(t0, 0.5, 0.0)
        m["x"].move(t0, d, dx, 0.4, 0.3)
        m["pitch"].move(t0, d, -dx / self.plate_r * u(0.5, 1.0), 0.4, 0.3)
        drop = u(0.0, 0.04)
        m["z"].move(t0, d * 0.4, drop)
        m["z"].move(t0 + d * 0.4, d * 0.6, -drop)
        self._distractor("set_down", t0, t0 + d)
        self.t = t0 + d

    def rest_on_floor(self, seconds):
        """Bar on the floor: still, with a knock now and then."""
        end = self.t + seconds
        while self.t < end - 3.0:
            gap = self.rng.exponential(25.0)
            if self.t + gap + 1.0 > end:
                break
            self.wait(gap)
            self.knock()
        self.t = end

    def rest_on_hips(self, seconds):
        """Lifter stays under the bar between sets: breathing, fidgets, knocks."""
        end = self.t + seconds
        while self.t < end - 3.0:
            gap = self.rng.exponential(12.0)
            if self.t + gap + 2.5 > end:
                break
            self.wait(gap)
            if self.rng.random() < 0.7:
                self.fidget()
            else:
                self.knock()
        self.t = end

    # ----- the set ----------------------------------------------------------------------
    def plan_set(self):
        """Choose category, goal, tempo style and the list of reps (without times)."""
        rng, u, opts = self.rng, self.rng.uniform, self.opts
        # A session mostly repeats its sets (same rep range and tempo), not always.
        if self._last_plan is None or rng.random() < 0.25:
            self._last_plan = (_pick(rng, [c[2] for c in CATEGORIES]),
                               _pick(rng, [s[0] for s in TEMPO_STYLES.values()]))
        cat_index, style_index = self._last_plan
        cat = CATEGORIES[cat_index]
        name, (lo, hi), _, v_first, v_loss = cat
        goal = int(opts["reps"]) if opts.get("reps") else int(rng.integers(lo, hi + 1))
        style = opts.get("tempo_style") or list(TEMPO_STYLES)[style_index]
        _, hold_r, ecc_r, bottom_r, speed = TEMPO_STYLES[style]
        set_rom = self.full_rom * u(0.96, 1.0)
        v0 = u(*v_first) * speed
        loss = u(*v_loss)
        power = u(1.2, 2.5)
        p_fail = opts.get("p_failed", 0.2 if name != "endurance" else 0.05)
        failed = goal >= 2 and rng.random() < p_fail
        p_partial = opts["p_partial"]
        reps = []
        for i in range(goal):
            frac = i / max(goal - 1, 1)
            v = v0 * (1.0 - loss * frac ** power) * u(0.95, 1.05)
            kind = "failed" if failed and i == goal - 1 else "full"
            reps.append(self._rep(kind, set_rom, v, hold_r, ecc_r, bottom_r))
        # Partial reps: one or two extra, short of lockout, never first.
        if goal >= 3 and rng.random() < p_partial:
            for _ in range(int(rng.integers(1, 3))):
                at = int(rng.integers(1, len(reps)))
                v = v0 * (1.0 - 0.5 * loss) * u(0.9, 1.1)
                reps.insert(at, self._rep("partial", set_rom, v, hold_r, ecc_r, bottom_r))
        # With big plates the plates (or the glutes) touch the floor at each bottom: a
        # small thud, part of the rep, not a distractor.
        touch = u(0.05, 0.5) if rng.random() < 0.5 else 0.0  # g, peak
        return {"goal": goal, "tempo_style": style, "category": name,
                "full_rom_m": set_rom, "reps": reps, "touch_g": touch}

    def _rep(self, kind, set_rom, v, hold_r, ecc_r, bottom_r):
        u = self.rng.uniform
        v = float(np.clip(v, MIN_VELOCITY, MAX_VELOCITY))
        if kind == "full":
            rom = set_rom * u(0.97, 1.0)
            hold = u(*hold_r)
            if v < GRIND_VELOCITY:  # a grind: a quick start, then a long fight to lockout
                ramps = (u(0.15, 0.3), u(0.5, 0.7))
            else:
                ramps = (u(0.3, 0.5), u(0.35, 0.5))
        elif kind == "partial":
            rom = set_rom * u(*PARTIAL_FRACTION)
            hold = u(0.0, min(0.5, hold_r[1]))
            ramps = (u(0.3, 0.5), u(0.35, 0.5))
        else:  # failed: a grind that slows to a stall, then sinks back
            rom = set_rom * u(*FAILED_FRACTION)
            v = u(0.06, 0.14)
            hold = u(0.3, 1.0)
            ramps = (u(0.15, 0.3), u(0.5, 0.7))
        conc = max(rom / v, MIN_CONCENTRIC)
        ecc = u(*ecc_r) * (rom / set_rom) ** 0.5 if kind != "failed" else u(0.8, 2.0)
        if self.rng.random() < 0.1 and bottom_r[1] <= 0.2:
            bottom = u(0.2, 0.5)  # an occasional longer touch at the bottom
        else:
            bottom = u(*bottom_r)
        return {"kind": kind, "rom": rom, "conc": conc, "hold": hold, "ecc": ecc,
                "bottom": bottom, "ramps": ramps, "ecc_ramps": (u(0.3, 0.5), u(0.3, 0.5)),
                "grind": kind == "full" and v < GRIND_VELOCITY}

    def _concentric(self, r, t0, delta):
        """The rep's rise from t0 by delta (m), r["conc"] s in all. A grind may stall at
        its sticking point: it stops dead partway up, stays there a moment, then drives
        on to lockout, all within the concentric (it stays a grind: the stop takes at most
        STALL_SHARE of it). Returns the stall's length (s; 0 without one)."""
        lift, conc, ramps = self.motion["lift"], r["conc"], r["ramps"]
        srng = self.stall_rng
        if not r["grind"] or srng.random() >= self.opts["p_stall"]:
            lift.move(t0, conc, delta, *ramps)
            return 0.0
        frac = srng.uniform(*STALL_HEIGHT)
        stop = min(srng.uniform(*STALL_S), STALL_SHARE * conc)
        moving = conc - stop
        d1 = moving * frac
        lift.move(t0, d1, delta * frac, ramps[0], 0.4)
        lift.move(t0 + d1 + stop, moving - d1, delta * (1.0 - frac), 0.3, ramps[1])
        return stop

    def _wobble(self, cs, conc, es, ecc):
        u, m = self.rng.uniform, self.motion
        for name, most in (("pitch", 3.0), ("tilt", 2.0)):
            track = m[name]
            if track.end > cs + 1e-9:
                continue  # the track is busy (never during reps as planned; be safe)
            turn = np.radians(u(-most, most))
            track.move(cs, conc, turn)
            track.move(es, ecc, -turn * u(0.7, 1.0))

    def _thud(self, t0, peak_g):
        u = self.rng.uniform
        freq = u(20, 40)
        amp = peak_g * u(0.6, 1.0) * G0 / (2 * np.pi * freq) ** 2
        direction = np.array([u(-0.3, 0.3), u(-0.3, 0.3), 1.0])
        self.motion.knocks.add(t0, amp * direction / np.linalg.norm(direction),
                               np.radians(u(0.0, 0.05)), freq, u(0.01, 0.03))

    def do_set(self, plan):
        """Perform the planned reps from the bottom position; appends the set's truth."""
        m = self.motion
        lift = m["lift"]
        reps = []
        base = 0.0  # lift at the bottom of the current rep (touch-and-go bottoms wander)
        for i, r in enumerate(plan["reps"]):
            if i > 0:
                self.wait(r["bottom"])
            cs = self.t
            stall = self._concentric(r, cs, r["rom"] - base)
            ce = cs + r["conc"]
            es = ce + r["hold"]
            new_base = float(self.rng.uniform(-0.004, 0.004))
            lift.move(es, r["ecc"], new_base - r["rom"], *r["ecc_ramps"])
            ee = es + r["ecc"]
            # The bar rolls a little on the hips and one end rises (0-3 degrees) with each
            # drive, settling back (not exactly) on the way down; in step with the lift
            # so the turnarounds stay zero-velocity points.
            self._wobble(cs, r["conc"], es, r["ecc"])
            if plan.get("touch_g"):
                self._thud(ee, plan["touch_g"])
            reps.append({"kind": r["kind"], "stall_s": stall,
                         "concentric_start_s": cs, "concentric_end_s": ce,
                         "eccentric_start_s": es, "eccentric_end_s": ee})
            base = new_base
            self.t = ee
        if base != 0.0:
            # Settle exactly back to the set's bottom so the next set starts at lift 0.
            self.wait(0.3)
            lift.move(self.t, 0.4, -base)
            self.t += 0.4
        self.sets.append({"goal": plan["goal"], "tempo_style": plan["tempo_style"],
                          "category": plan["category"], "full_rom_m": plan["full_rom_m"],
                          "reps": reps})
