"""Vertical velocity of the bar from the accelerometer alone, integers only.

    from hipthrust_core.accel_velocity import AccelVelocity
    acc = AccelVelocity()
    v = acc.update(dt_ms, dv, vert, in_set)    # dv: this sample's velocity step, mm/s * 256

How much the pad rotates as the hips rise depends on the lifter, the pad and the
strap, so this estimate does not use the rotation at all (the gyroscope only keeps
gravity right, in vertical.Vertical). It is the integral of the vertical
acceleration with three corrections:
- Over a few seconds the bar goes nowhere: a velocity that stays on one side of
  zero means the gravity estimate is off. An integral controller feeds the
  velocity's integral back into the gravity magnitude (vertical.Vertical.rebias),
  so the accelerometer's bias along the vertical is absorbed there; a velocity
  leak (8 s in a set, 2 s out of one) keeps what is left bounded.
- While the bar rests the velocity is pulled to zero. Rest and a steady lowering
  look the same to an accelerometer (and to a gyroscope when the pad does not
  pitch), so in a set a rest counts only while the velocity is slow, or once it
  has lasted longer than any steady lowering. Resting where gravity is not learnt
  yet (just rolled onto the hips), the velocity is only that gravity's error: it
  is zeroed within about 0.1 s.
- The detector zeroes plateaus it recognises as holds (rezero).
Fixed point: velocity in mm/s * 256; every intermediate below 2**30.
"""

from hipthrust_core.compat import const, micropython
from hipthrust_core.fixed import clip

_TAU_SET = const(8000)  # ms: leak of the velocity in a set
_TAU_IDLE = const(4000)  # ms: ... out of a set (walking, handling)
_TAU_REST = const(800)  # ms: pull towards zero while the bar rests
_TAU_REST_NEW = const(100)  # ms: ... where gravity is not learnt yet
_BR_DIV = const(88260)  # T**2 * 9806.65 with T = 3 s: gain of the gravity controller
_V_REST = const(5120)  # mm/s * 256 (20 mm/s): fastest velocity a rest in a set shows
_STILL_LONG = const(4000)  # ms of stillness after which it is rest whatever the velocity
_LIM = const(4194304)  # 2**22 (16 m/s): velocity clamp, mm/s * 256; keeps v * dt < 2**30


class AccelVelocity:
    """See the module docstring."""

    def __init__(self):
        self.x = 0  # velocity, mm/s * 256
        self.racc = 0  # velocity integral not yet fed to the gravity estimate
        self.still_ms = 0  # ms the bar has looked still

    @micropython.native
    def update(self, dt, dv, vert, in_set, feed=True):
        """One sample: dt in ms, dv the velocity step of this sample (mm/s * 256,
        from the vertical acceleration), vert the vertical.Vertical (stillness,
        gravity), in_set from the phase machine; feed: let the velocity correct the
        gravity estimate (not while another estimate is in use). Returns the
        velocity, mm/s * 256."""
        x = self.x
        if feed:
            # (clip() only out of range: a call costs MicroPython several times a test.)
            self.racc += (x if -(1 << 21) <= x <= 1 << 21 else clip(x, 1 << 21)) * dt
            q = self.racc // _BR_DIV
            if q:
                self.racc -= q * _BR_DIV
                vert.rebias(q)
        x += dv
        if vert.still:
            self.still_ms += dt
            if self.still_ms > _STILL_LONG:
                self.still_ms = _STILL_LONG
        else:
            self.still_ms = 0
        if vert.still and (not in_set or -_V_REST < x < _V_REST
                           or self.still_ms >= _STILL_LONG):
            # Resting where gravity is not learnt yet (just rolled onto the hips): what
            # the velocity shows is that gravity's error, and nothing is to be kept.
            tau = _TAU_REST_NEW if vert.turned else _TAU_REST
            x -= (x * dt + (tau >> 1)) // tau
        else:
            tau = _TAU_SET if in_set else _TAU_IDLE
            x -= (x * dt + (tau >> 1)) // tau
        if not -_LIM <= x <= _LIM:
            x = clip(x, _LIM)
        self.x = x
        return x
