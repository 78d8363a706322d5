"""Vertical velocity from the pitch rate of the pad, learnt against the accelerometer.

    from hipthrust_core.pitch import PitchVelocity
    pv = PitchVelocity()
    v_gyro = pv.update(dt_ms, wx, wy, wz, v_acc, moving, rest)   # mm/s

On the hip thrust the hips swing up on an arc around the shoulders and the pad
pitches with the pelvis, so the rotation rate about the bar's axis follows the
vertical velocity closely (its sign is up or down, its zeros are the turnarounds)
and, unlike a twice-integrated accelerometer, it does not drift. The axis is the
principal axis of the rotation while the bar moves (a power iteration, any
mounting); the scale (mm/s per 0.1 deg/s, with its sign) is a running regression
of the accelerometer's high-passed velocity on the high-passed pitch rate. Until it
has been learnt the scale is zero and the caller relies on the accelerometer alone.

Fixed point: axis as a unit vector * 16384, scale in mm/s per 0.1 deg/s * 256.
"""

from array import array

from hipthrust_core.compat import const, micropython
from hipthrust_core.fixed import clip

_W_CLIP = const(4000)  # 0.1 deg/s: rates used for learning (the arc is slower)
_AXIS_DIV = const(800)  # power iteration step divisor (about a few reps to settle)
TAU_HP = const(2000)  # ms: high-pass of both signals for the regression (public: shared)
_TAU_QB = const(3000)  # ms: mean pitch rate at rest taken as bias
_TAU_K = const(1500)  # ms: forgetting of the regression sums
_MIN_Q = const(100)  # 0.1 deg/s: pitch rate that counts as moving for learning (slower
# motion is mostly the accelerometer's drift against little rotation: it pulled the scale down)


class PitchVelocity:
    """See the module docstring."""

    def __init__(self):
        self.e = array("i", (9459, 9459, 9459))  # axis, unit * 16384
        self.q = 0  # pitch rate about the axis, 0.1 deg/s
        self.qf = 0  # ... less the gyroscope's bias left (q_b), 0.1 deg/s
        self.q_lp = 0  # its mean over ~2 s, 0.1 deg/s * 64
        self.q_b = 0  # its mean at rest (gyro bias left), 0.1 deg/s * 64
        self.num = 0  # running sum of v * q (mm/s * 0.1 deg/s / 16)
        self.den = 0  # running sum of q * q (0.1 deg/s)^2 / 16
        self.k = 0  # scale, mm/s per 0.1 deg/s * 256
        self.vv = 0  # running sum of v * v (mm/s)^2 / 16
        self.good = False  # the pitch rate explains the velocity (correlation^2 > 1/2)

    @micropython.native
    def update(self, dt, wx, wy, wz, v_hp, moving, rest):
        """One sample: dt ms, bias-free rates wx..wz (0.1 deg/s * 16), the
        accelerometer's high-passed vertical velocity v_hp (mm/s), whether the bar
        moves, and whether it rests between reps (still, neither rising, falling nor
        at a rep's top). Returns the pitch-rate velocity estimate in mm/s."""
        e = self.e
        # (clip() only out of range: a call costs MicroPython several times a test.)
        wx >>= 4
        if not -_W_CLIP <= wx <= _W_CLIP:
            wx = clip(wx, _W_CLIP)
        wy >>= 4
        if not -_W_CLIP <= wy <= _W_CLIP:
            wy = clip(wy, _W_CLIP)
        wz >>= 4
        if not -_W_CLIP <= wz <= _W_CLIP:
            wz = clip(wz, _W_CLIP)
        q = (wx * e[0] + wy * e[1] + wz * e[2]) >> 14
        self.q = q
        if moving:
            # Power iteration: e += w (w . e); keeps its sign, finds the main axis.
            e0 = e[0] + (((wx * q) >> 4) * dt) // _AXIS_DIV
            e1 = e[1] + (((wy * q) >> 4) * dt) // _AXIS_DIV
            e2 = e[2] + (((wz * q) >> 4) * dt) // _AXIS_DIV
            sq = (e0 >> 2) * (e0 >> 2) + (e1 >> 2) * (e1 >> 2) + (e2 >> 2) * (e2 >> 2)
            m = 4096  # the norm stays near 16384 / 4: three Newton steps from there
            m = (m + sq // m) >> 1
            m = (m + sq // m) >> 1
            m = (m + sq // m) >> 1
            if m > 0:
                e[0] = (e0 << 12) // m
                e[1] = (e1 << 12) // m
                e[2] = (e2 << 12) // m
        self.q_lp += (((q << 6) - self.q_lp) * dt) // TAU_HP
        qh = q - (self.q_lp >> 6)
        # At rest the rate is zero: its mean there is what is left of the gyroscope's
        # bias. (A mean over the reps leaned towards each quick rise's rate for
        # seconds after it: the hold that followed read as a lowering of 25-45 mm/s.)
        if rest:
            self.q_b += (((q << 6) - self.q_b) * dt) // _TAU_QB
        if moving and (qh > _MIN_Q or qh < -_MIN_Q):
            v = v_hp
            if not -3000 <= v <= 3000:
                v = clip(v, 3000)
            self.num += (((v * qh) >> 4) - self.num) * dt // _TAU_K
            self.den += (((qh * qh) >> 4) - self.den) * dt // _TAU_K
            self.vv += (((v * v) >> 4) - self.vv) * dt // _TAU_K
            # Whether the pad pitches with the hips at all is the lifter's and the
            # strap's business: use the rate only where it follows the velocity.
            # With hysteresis: correlation^2 above 1/2 turns it on, below 1/4 off.
            n = self.num >> 6
            n = n * n
            p = (self.den >> 6) * (self.vv >> 6)
            if self.good:
                self.good = 4 * n > p
            else:
                self.good = 2 * n > p
            if self.den > 64:
                self.k = clip((self.num << 6) // (self.den >> 2), 65536)
        q -= self.q_b >> 6
        self.qf = q
        return (self.k * q) >> 8
