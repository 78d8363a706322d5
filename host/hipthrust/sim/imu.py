"""What a real IMU board makes of the true motion: mounting, errors, timing.

- Mounting: any rotation between the pad frame and the sensor's axes.
- Accelerometer: specific force (acceleration minus gravity, in g) with per-axis bias
  (about +-30 mg), scale error (+-2 %), cross-axis error (+-1 %), white noise (3-8 mg
  rms at 100 Hz, growing with the square root of the rate), slow bias drift,
  quantisation to the LSB of the chosen range, saturation.
- Gyroscope: bias (about +-2 deg/s), scale (+-1 %), noise 0.1-0.3 deg/s rms at 100 Hz,
  LSB, saturation.
- Timing: the board's clock runs fast or slow (+-2 %) and starts at an arbitrary
  value; intervals jitter (real boards: 45-88 Hz at 60 Hz nominal) and samples drop.
"""

import numpy as np

ACCEL_RANGES_G = (4.0, 8.0, 16.0)
GYRO_RANGES_DPS = (500.0, 1000.0, 2000.0)


def random_rotation(rng):
    """A uniformly random 3x3 rotation matrix."""
    q = rng.normal(size=4)
    w, x, y, z = q / np.linalg.norm(q)
    return np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
            [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
            [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
        ]
    )


class Imu:
    """One sensor's fixed errors, drawn from `rng`; `errors=False` gives an ideal sensor."""

    def __init__(self, rng, rate_hz, errors=True, mounting="random"):
        u = rng.uniform
        if isinstance(mounting, str):
            if mounting == "random":
                self.mount = random_rotation(rng)
            elif mounting == "identity":
                self.mount = np.eye(3)
            else:
                raise ValueError("mounting must be 'random', 'identity' or a 3x3 rotation")
        else:
            self.mount = np.asarray(mounting, dtype=float)
            if (self.mount.shape != (3, 3)
                    or not np.allclose(self.mount @ self.mount.T, np.eye(3), atol=1e-6)
                    or np.linalg.det(self.mount) < 0):
                raise ValueError("mounting must be a 3x3 rotation matrix (orthonormal, det +1)")
        self.errors = bool(errors)
        self.accel_range = float(rng.choice(ACCEL_RANGES_G))
        self.gyro_range = float(rng.choice(GYRO_RANGES_DPS))
        root = np.sqrt(rate_hz / 100.0)  # white noise rms grows with the bandwidth
        self.accel_bias = u(-0.03, 0.03, 3)  # g
        self.accel_scale = 1.0 + u(-0.02, 0.02, 3)
        # Axes not quite orthogonal / not quite aligned with the package: +-1 % cross-axis.
        self.cross = np.eye(3) + u(-0.01, 0.01, (3, 3)) * (1.0 - np.eye(3))
        self.accel_noise = u(0.003, 0.008) * root  # g rms
        self.gyro_bias = u(-2.0, 2.0, 3)  # deg/s
        self.gyro_scale = 1.0 + u(-0.01, 0.01, 3)
        self.gyro_noise = u(0.1, 0.3) * root  # deg/s rms
        # Bias instability: a random walk, per sqrt(s) (warm-up, temperature).
        self.accel_drift = u(0.0, 0.0003)  # g / sqrt(s): ~ 2-5 mg over 5 minutes
        self.gyro_drift = u(0.0, 0.01)  # deg/s / sqrt(s): ~ 0.1-0.2 deg/s over 5 minutes
        self.rng = rng

    def _drift(self, t_s, per_root_s):
        """(N, 3) random walk sampled at times t_s (s), starting at 0."""
        dt = np.diff(np.asarray(t_s, dtype=float), prepend=t_s[0])
        steps = self.rng.normal(0.0, 1.0, (len(dt), 3)) * (per_root_s * np.sqrt(dt))[:, None]
        return np.cumsum(steps, axis=0)

    def measure(self, accel_g, gyro_dps, t_s=None):
        """Readings (g, deg/s) from true specific force and rate in the PAD frame (N, 3)
        at true times t_s (s; for the slow bias drift, none when omitted)."""
        a = accel_g @ self.mount.T
        g = gyro_dps @ self.mount.T
        if not self.errors:
            return a, g
        n = len(a)
        a = (a @ self.cross.T) * self.accel_scale + self.accel_bias
        a += self.rng.normal(0, self.accel_noise, (n, 3))
        g = g * self.gyro_scale + self.gyro_bias + self.rng.normal(0, self.gyro_noise, (n, 3))
        if t_s is not None and n > 1:
            a += self._drift(t_s, self.accel_drift)
            g += self._drift(t_s, self.gyro_drift)
        # 16-bit converters: quantise to the LSB and clip at full scale.
        a_lsb = self.accel_range / 32768.0
        g_lsb = self.gyro_range / 32768.0
        a = np.clip(np.round(a / a_lsb), -32768, 32767) * a_lsb
        g = np.clip(np.round(g / g_lsb), -32768, 32767) * g_lsb
        return a, g

    def describe(self):
        """The drawn errors, JSON-serialisable (for the truth file)."""
        return {
            "mounting": np.round(self.mount, 6).tolist(),
            "errors": self.errors,
            "accel_range_g": self.accel_range,
            "gyro_range_dps": self.gyro_range,
            "accel_bias_g": np.round(self.accel_bias, 5).tolist(),
            "accel_scale": np.round(self.accel_scale, 5).tolist(),
            "accel_cross_axis": np.round(self.cross, 5).tolist(),
            "accel_noise_g": round(float(self.accel_noise), 5),
            "gyro_bias_dps": np.round(self.gyro_bias, 4).tolist(),
            "gyro_scale": np.round(self.gyro_scale, 5).tolist(),
            "gyro_noise_dps": round(float(self.gyro_noise), 4),
            "accel_drift_g_per_root_s": round(float(self.accel_drift), 6),
            "gyro_drift_dps_per_root_s": round(float(self.gyro_drift), 5),
        }


class Clock:
    """Sample instants (true time) and the board's timestamps for them."""

    def __init__(self, rng, rate_hz, regular=False, clock_error=True):
        u = rng.uniform
        self.rate = float(rate_hz)
        self.regular = bool(regular)
        self.error = u(-0.02, 0.02) if clock_error else 0.0  # board clock runs (1+error) fast
        self.t0 = round(u(0.5, 30.0), 3) if clock_error else 0.0  # board time at true 0
        self.jitter = 0.0 if regular else u(0.0, 0.3)  # +- fraction of the period
        self.drop = 0.0 if regular else u(0.0, 0.01)  # probability a sample is lost
        self.rng = rng

    def instants(self, duration_s):
        """True times (s) of the samples the board delivers over [0, duration_s]."""
        period = 1.0 / self.rate
        n = int(duration_s * self.rate * 1.4) + 16
        if self.regular:
            steps = np.full(n, period)
        else:
            steps = period * (1.0 + self.jitter * self.rng.uniform(-1.0, 1.0, n))
        t = np.cumsum(steps) - steps[0]
        t = t[t <= duration_s]
        if self.drop > 0:
            # Drops come in short bursts (a missed FIFO read, a busy radio).
            keep = np.ones(len(t), bool)
            starts = np.flatnonzero(self.rng.random(len(t)) < self.drop / 2.0)
            for s in starts:
                keep[s:s + int(self.rng.integers(1, 4))] = False
            keep[0] = True
            t = t[keep]
        return t

    def to_board(self, t_true):
        """Board timestamps (s) for true times."""
        return self.t0 + (1.0 + self.error) * np.asarray(t_true, dtype=float)

    def describe(self):
        """The drawn clock, JSON-serialisable."""
        return {"clock_error": round(self.error, 6), "t0_s": self.t0,
                "jitter": round(self.jitter, 4), "drop": round(self.drop, 5)}
