"""Smooth one-dimensional motion tracks: the building blocks of the simulated lift.

A `Track` is a value (metres, radians or a 0..1 envelope) that holds still except
during "moves". A move goes from its start value to start + delta with a
ramp-plateau-ramp velocity profile: a raised-cosine speed-up over the first `r1`
of the move, constant speed, and a raised-cosine slow-down over the last `r2`.
Velocity and acceleration are continuous and zero at both ends, so every move
starts and ends at a true zero-velocity point (the turnarounds the ground truth
marks). With r1 = r2 = 0.5 the speed is a sin^2 bump (peak/mean 2.0, close to a
minimum-jerk move's 1.875); smaller ramps give flatter, faster-looking profiles
(peak/mean 1 / (1 - (r1 + r2) / 2)).

`Oscillators` adds sums of sinusoids (tremor, sway, breathing, walking steps)
scaled by an envelope track, and `Knocks` short damped ringing (a plate knocked).
"""

import numpy as np


def step_shape(s, r1, r2):
    """Normalised position (0..1) of a move at normalised time s (0..1, clipped).

    r1, r2: fractions of the move spent speeding up and slowing down (0 < r, r1 + r2 <= 1).
    """
    s = np.clip(s, 0.0, 1.0)
    r1 = np.broadcast_to(r1, s.shape)
    r2 = np.broadcast_to(r2, s.shape)
    area = 1.0 - 0.5 * (r1 + r2)
    out = np.empty_like(s)
    up = s < r1
    down = s > 1.0 - r2
    flat = ~(up | down)
    su, ru = s[up], r1[up]
    out[up] = 0.5 * su - ru / (2.0 * np.pi) * np.sin(np.pi * su / ru)
    out[flat] = 0.5 * r1[flat] + (s[flat] - r1[flat])
    q, rd = s[down] - (1.0 - r2[down]), r2[down]
    base = 0.5 * r1[down] + (1.0 - r1[down] - rd)
    out[down] = base + 0.5 * q + rd / (2.0 * np.pi) * np.sin(np.pi * q / rd)
    return out / area


class Track:
    """A piecewise-smooth value made of non-overlapping moves (see module docstring)."""

    def __init__(self, v0=0.0):
        self.v0 = float(v0)
        self.moves = []  # (t0_s, duration_s, delta, r1, r2), in time order
        self._arrays = None

    @property
    def end(self):
        """Time (s) the last move ends, or 0 with no moves."""
        if not self.moves:
            return 0.0
        t0, dur = self.moves[-1][:2]
        return t0 + dur

    @property
    def last(self):
        """Value after every move."""
        return self.v0 + sum(m[2] for m in self.moves)

    def move(self, t0, duration, delta, r1=0.5, r2=0.5):
        """Append a move starting at t0 (s) lasting `duration` (s) changing the value by delta."""
        if duration <= 0:
            raise ValueError("move duration must be > 0")
        if not (0.0 < r1 <= 1.0 and 0.0 < r2 <= 1.0 and r1 + r2 <= 1.0 + 1e-12):
            raise ValueError("ramp fractions must be in (0, 1] with r1 + r2 <= 1")
        if t0 < self.end - 1e-9:
            raise ValueError("moves of one track must not overlap")
        self.moves.append((float(t0), float(duration), float(delta), float(r1), float(r2)))
        self._arrays = None

    def move_to(self, t0, duration, value, r1=0.5, r2=0.5):
        """Append a move to an absolute value."""
        self.move(t0, duration, value - self.last, r1, r2)

    def __call__(self, t):
        """Value at times t (s, array)."""
        t = np.asarray(t, dtype=float)
        if not self.moves:
            return np.full(t.shape, self.v0)
        if self._arrays is None:
            m = np.array(self.moves)
            after = self.v0 + np.cumsum(m[:, 2])
            # Index 0 stands for "before the first move".
            self._arrays = (
                m,
                np.concatenate(([self.v0], after)),  # value once move k-1 is done
                np.concatenate(([-np.inf], m[:, 0] + m[:, 1])),  # end of move k-1
            )
        m, after, ends = self._arrays
        k = np.searchsorted(m[:, 0], t, side="right")  # moves started by t
        out = after[k]
        moving = t < ends[k]  # still inside move k-1: only there the shape is needed
        if moving.any():
            j = k[moving] - 1
            s = (t[moving] - m[j, 0]) / m[j, 1]
            out[moving] = after[j] + m[j, 2] * step_shape(s, m[j, 3], m[j, 4])
        return out


class Oscillators:
    """Sum of sinusoids amp * sin(2 pi f t + phase), for several named outputs."""

    def __init__(self):
        self.parts = {}  # output name -> list of (amp, freq_hz, phase_rad)

    def add(self, name, amp, freq_hz, phase):
        """Add one sinusoid to output `name` (amp in the output's unit, freq in Hz)."""
        self.parts.setdefault(name, []).append((float(amp), float(freq_hz), float(phase)))

    def __call__(self, name, t):
        """Summed value of output `name` at times t (s)."""
        out = np.zeros(np.shape(t))
        for amp, freq, phase in self.parts.get(name, ()):
            out += amp * np.sin(2.0 * np.pi * freq * t + phase)
        return out


class Knocks:
    """Short damped ringing of the bar: a knock on the plates or the pad."""

    def __init__(self):
        self.items = []  # (t0_s, amp_xyz_m (3,), amp_pitch_rad, freq_hz, tau_s)

    def add(self, t0, amp_xyz, amp_pitch, freq_hz, tau_s):
        """Knock at t0 (s): displacement amplitude (m, world x/y/z), pitch amplitude (rad)."""
        self.items.append((float(t0), np.asarray(amp_xyz, float), float(amp_pitch),
                           float(freq_hz), float(tau_s)))

    def __call__(self, t):
        """(N, 3) displacement (m) and (N,) pitch (rad) added by the knocks at times t (s)."""
        t = np.asarray(t, dtype=float)
        xyz = np.zeros(t.shape + (3,))
        pitch = np.zeros(t.shape)
        if not self.items:
            return xyz, pitch
        # Rows of sorted times (the usual case) find each knock's window by bisection.
        rows = t.reshape(-1, t.shape[-1]) if t.ndim else t.reshape(1, 1)
        xyz_rows = xyz.reshape(rows.shape + (3,))
        pitch_rows = pitch.reshape(rows.shape)
        for r, row in enumerate(rows):
            ordered = bool((np.diff(row) >= 0).all())
            for t0, amp, amp_p, freq, tau in self.items:
                if ordered:
                    a, b = np.searchsorted(row, (t0, t0 + 25.0 * tau), side="right")
                    sel = slice(a, b)
                else:
                    sel = (row > t0) & (row <= t0 + 25.0 * tau)
                u = row[sel] - t0
                if not u.size:
                    continue
                # The (1 - exp) onset keeps the acceleration finite at the instant of the hit.
                onset = (1.0 - np.exp(-u / 0.003)) ** 2
                ring = np.sin(2.0 * np.pi * freq * u) * np.exp(-u / tau) * onset
                xyz_rows[r, sel] += ring[:, None] * amp[None, :]
                pitch_rows[r, sel] += ring * amp_p
        return xyz.reshape(t.shape + (3,)), pitch.reshape(t.shape)
