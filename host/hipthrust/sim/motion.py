"""True motion of the sensor: position and orientation of the bar pad in the world.

World frame: x forward (from the lifter's shoulders towards the knees), y along the
bar, z up; gravity is -z. Pad frame: the same axes when the pad sits on the bar
with pitch = tilt = yaw = 0. Orientation R (pad -> world) = Rz(yaw) Ry(pitch) Rx(tilt);
pitch is rotation about the bar axis (the pad rolling with the bar and the pelvis),
tilt one end of the bar higher than the other, yaw the heading.

The lift: the upper back rests on the bench and the hips swing up on an arc of
radius `arm_m` (shoulder to hip) around the shoulders. `lift` is the height of the
hips above the set's bottom position (m); the torso angle below horizontal is
alpha = asin((depth - lift) / arm), so full extension (lift = depth) is a straight
line from shoulders to hips. The bar follows the arc (it also moves forward as the
hips rise) and the pad pitches with the pelvis by `pitch_gain` * change of alpha.
The sensor sits on the pad at `lever_m` (pad frame) from the bar axis.
"""

import numpy as np

from hipthrust.sim.tracks import Knocks, Oscillators, Track

G0 = 9.80665  # standard gravity, m/s^2

# Names of the tracks a Motion holds (units: m for x/y/z/lift, rad for angles, 0..1 envelopes).
TRACKS = ("x", "y", "z", "lift", "pitch", "tilt", "yaw", "on_hips", "walking")


def rotation(yaw, pitch, tilt):
    """(N, 3, 3) rotation matrices Rz(yaw) Ry(pitch) Rx(tilt) (angles in rad, arrays)."""
    cy, sy = np.cos(yaw), np.sin(yaw)
    cp, sp = np.cos(pitch), np.sin(pitch)
    ct, st = np.cos(tilt), np.sin(tilt)
    r = np.empty(np.shape(yaw) + (3, 3))
    r[..., 0, 0] = cy * cp
    r[..., 0, 1] = cy * sp * st - sy * ct
    r[..., 0, 2] = cy * sp * ct + sy * st
    r[..., 1, 0] = sy * cp
    r[..., 1, 1] = sy * sp * st + cy * ct
    r[..., 1, 2] = sy * sp * ct - cy * st
    r[..., 2, 0] = -sp
    r[..., 2, 1] = cp * st
    r[..., 2, 2] = cp * ct
    return r


def rotation_vector(r):
    """Rotation vectors (N, 3; axis * angle, rad) of rotation matrices (N, 3, 3)."""
    cos = np.clip(0.5 * (np.trace(r, axis1=-2, axis2=-1) - 1.0), -1.0, 1.0)
    angle = np.arccos(cos)
    skew = np.stack([r[..., 2, 1] - r[..., 1, 2], r[..., 0, 2] - r[..., 2, 0],
                     r[..., 1, 0] - r[..., 0, 1]], axis=-1)
    sin = np.sin(angle)
    # angle / (2 sin angle) -> 1/2 for small angles (windows of a few ms never turn far).
    scale = np.where(sin > 1e-9, angle / (2.0 * np.where(sin > 1e-9, sin, 1.0)), 0.5)
    return skew * scale[..., None]


def _enveloped(envelope, nonzero, oscillators, name, t):
    """envelope * oscillators(name, t), evaluating the sinusoids only where envelope != 0."""
    out = np.zeros(np.shape(t))
    if nonzero.any():
        out[nonzero] = envelope[nonzero] * oscillators(name, t[nonzero])
    return out


class Motion:
    """The sensor's true trajectory, built from tracks; evaluate with `pose`/`kinematics`."""

    def __init__(self, arm_m, depth_m, pitch_gain, lever_m):
        if not 0.0 < depth_m < arm_m:
            raise ValueError("depth must be positive and shorter than the arm")
        self.arm = float(arm_m)
        self.depth = float(depth_m)
        self.pitch_gain = float(pitch_gain)
        self.lever = np.asarray(lever_m, dtype=float)
        self.alpha_bottom = float(np.arcsin(depth_m / arm_m))
        self.tracks = {name: Track() for name in TRACKS}
        # Oscillations while the bar is on the hips (tremor, sway, breathing) and while
        # the pad is carried (steps); outputs named after the track they add to.
        self.hips_osc = Oscillators()
        self.walk_osc = Oscillators()
        self.knocks = Knocks()
        self.duration = 0.0  # s, set when the recording is planned

    def __getitem__(self, name):
        return self.tracks[name]

    def angles(self, t):
        """Bar-axis position (N, 3) m and (yaw, pitch, tilt) rad at times t (s)."""
        tr = self.tracks
        on_hips = tr["on_hips"](t)
        walking = tr["walking"](t)
        # Oscillations scaled by their envelope, computed only where it is not zero.
        hips_on, walk_on = on_hips != 0.0, walking != 0.0

        def hosc(name, t):
            return _enveloped(on_hips, hips_on, self.hips_osc, name, t)

        def wosc(name, t):
            return _enveloped(walking, walk_on, self.walk_osc, name, t)

        lift = tr["lift"](t) + hosc("lift", t)
        # The arc: clip so a tremor above full extension cannot leave asin's domain.
        alpha = np.arcsin(np.clip((self.depth - lift) / self.arm, -1.0, 1.0))
        kxyz, kpitch = self.knocks(t)
        pos = np.empty(np.shape(t) + (3,))
        pos[..., 0] = (tr["x"](t) + self.arm * (np.cos(alpha) - np.cos(self.alpha_bottom))
                       + wosc("x", t))
        pos[..., 1] = tr["y"](t) + hosc("y", t) + wosc("y", t)
        pos[..., 2] = tr["z"](t) + lift + wosc("z", t)
        pos += kxyz
        pitch = (tr["pitch"](t) + self.pitch_gain * (self.alpha_bottom - alpha)
                 + hosc("pitch", t) + wosc("pitch", t) + kpitch)
        tilt = tr["tilt"](t) + hosc("tilt", t) + wosc("tilt", t)
        yaw = tr["yaw"](t) + wosc("yaw", t)
        return pos, yaw, pitch, tilt

    def pose(self, t):
        """Sensor position (N, 3) m in the world and orientation R (N, 3, 3) pad -> world."""
        t = np.asarray(t, dtype=float)
        pos, yaw, pitch, tilt = self.angles(t)
        r = rotation(yaw, pitch, tilt)
        return pos + r @ self.lever, r

    def kinematics(self, t, h=5e-4):
        """Sensor position, velocity, acceleration (N, 3; m, m/s, m/s^2, world frame),
        orientation R (N, 3, 3) and angular velocity in the pad frame (N, 3; rad/s).

        Derivatives are central differences with step h (s); the tracks are smooth, so
        the error is O(h^2) (well under 0.1 % for anything slower than 30 Hz).
        """
        t = np.asarray(t, dtype=float)
        p3, r3 = self.pose(np.stack([t, t - h, t + h]))
        p0, pm, pp = p3
        r0, rm, rp = r3
        vel = (pp - pm) / (2.0 * h)
        acc = (pp - 2.0 * p0 + pm) / (h * h)
        # R^T dR/dt is the skew matrix of the body (pad frame) angular velocity.
        om = np.swapaxes(r0, -1, -2) @ ((rp - rm) / (2.0 * h))
        w = np.stack(
            [
                0.5 * (om[..., 2, 1] - om[..., 1, 2]),
                0.5 * (om[..., 0, 2] - om[..., 2, 0]),
                0.5 * (om[..., 1, 0] - om[..., 0, 1]),
            ],
            axis=-1,
        )
        return p0, vel, acc, r0, w

    def imu(self, t, window_s=0.0):
        """Ideal IMU readings at times t (s), in the PAD frame: specific force (N, 3; g,
        gravity included: +1 g up when still) and angular velocity (N, 3; deg/s).

        window_s > 0: each reading is the average over the `window_s` before t, as a
        sensor's averaging / low-pass filter delivers it (no aliasing of fast ringing;
        a delay of window_s / 2). The mean acceleration over the window is exactly the
        velocity change divided by window_s; orientation and rate are taken mid-window.
        """
        t = np.asarray(t, dtype=float)
        if window_s > 0.0:
            h = 5e-4
            p7, r7 = self.pose(np.stack([t + h, t - h, t - window_s + h, t - window_s - h,
                                         t, t - window_s, t - 0.5 * window_s]))
            acc = ((p7[0] - p7[1]) - (p7[2] - p7[3])) / (2.0 * h * window_s)
            # Mean rate = the rotation from the window's start to its end / window.
            w = rotation_vector(np.swapaxes(r7[5], -1, -2) @ r7[4]) / window_s
            rot = r7[6]
        else:
            _, _, acc, rot, w = self.kinematics(t)
        force = acc.copy()
        force[..., 2] += G0  # specific force = a - g_vec, g_vec = (0, 0, -G0)
        # R^T f: world -> pad frame.
        return np.einsum("...ji,...j->...i", rot, force) / G0, np.degrees(w)

    def vertical(self, t, h=5e-4):
        """Sensor height (m) and vertical velocity (m/s) at times t (s)."""
        t = np.asarray(t, dtype=float)
        z0, zm, zp = self.pose(np.stack([t, t - h, t + h]))[0][..., 2]
        return z0, (zp - zm) / (2.0 * h)
