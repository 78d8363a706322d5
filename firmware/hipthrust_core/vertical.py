"""Vertical acceleration of the bar from one IMU sample at a time, integers only.

    from hipthrust_core.vertical import Vertical
    vert = Vertical()
    av = vert.update(dt_ms, ax, ay, az, gx, gy, gz)   # mg, 0.1 deg/s in; av in mg/16 out
    vert.still                                         # True while the bar is at rest

How: the "up" vector (what the accelerometer reads at rest) is kept in the
sensor frame. Each sample the gyroscope rotates it (small-angle integer rotation,
so bar roll and the pitch of the arc around the shoulders are followed at once),
then it is pulled a little towards the measured acceleration (fast while the bar
is still, slowly while it moves: over a rep the linear acceleration averages to
zero). Vertical acceleration is the projection of the measured acceleration on
that direction minus the gravity magnitude, which is learnt while still (this
also absorbs the accelerometer's scale and bias along the vertical).

Fixed point: up vector in mg/256, output in mg/16, gravity magnitude in mg/8,
gyro bias in 0.1 deg/s / 256. Every intermediate stays below 2**30 in magnitude
(inputs are clipped to physically possible ranges first), and nothing is
allocated per sample, so MicroPython and CPython give identical numbers.
"""

from array import array

from hipthrust_core.compat import const

_A_CLIP = const(4000)  # mg: the bar never accelerates harder than this on the hips
_W_CLIP = const(20000)  # 0.1 deg/s (2000 deg/s, full scale of the IMUs we use)
_G_CLIP = const(512000)  # mg/256 per component of the up vector (2 g)
_TH_CLIP = const(16384)  # rad/65536 per sample (0.25 rad): a gap is not a rotation
_TAU_STILL = const(300)  # ms: up-vector pull while still (a clean measurement)
_TAU_MOVE = const(4000)  # ms: up-vector pull while moving (linear accel averages out)
_TAU_B_STILL = const(2000)  # ms: accel bias learning while still
_TAU_B_MOVE = const(1000000000)  # ms: ... while moving (slow, rides out the reps)
_TAU_G = const(3000)  # ms: gravity magnitude learning while still
_KI_DIV = const(1704)  # Mahony integral gain: 1/(4 s * 10 s), in these units
_GB_CLIP = const(2560000)  # 0.1 deg/s / 256 (10 deg/s): gyro bias limit
_AB_CLIP = const(38400)  # mg/256 (150 mg): accel bias limit
_TAU_BIAS = const(8000)  # ms: gyro bias learning while still
_TAU_AF = const(40)  # ms: accel smoothing before the stillness test
_TAU_AS = const(400)  # ms: slower smoothing; fast - slow = accel changing
_TAU_DEV = const(150)  # ms: smoothing of the motion measures used by the stillness test
_STILL_ACC = const(20)  # mg: change of the smoothed accel below which the bar rests
_STILL_GYR = const(80)  # 0.1 deg/s: mean bias-free rotation rate below which it rests
_STILL_MS = const(200)  # ms the two measures must stay low before we call it still


class Vertical:
    """Gravity direction tracker and vertical-acceleration estimator (see module doc)."""

    def __init__(self):
        self.up = array("i", (0, 0, 0))  # mg/256, sensor frame
        self.gb = array("i", (0, 0, 0))  # gyro bias, 0.1 deg/s / 256
        self.ab = array("i", (0, 0, 0))  # accel bias, mg/256
        self.gmag = 0  # |up| in mg/8 (Newton iteration, one step per sample)
        self.g8 = 0  # gravity magnitude as this accelerometer reads it, mg/8
        self.g_hi = 0  # the same, mg/2048 (small steps are not lost)
        self.started = False
        self.af = array("i", (0, 0, 0))  # accel smoothed over ~40 ms, mg/16
        self.asl = array("i", (0, 0, 0))  # ... and over ~400 ms
        self.dev_a = 0  # smoothed |accel deviation|, mg/16
        self.dev_w = 0  # smoothed bias-free rotation rate, 0.1 deg/s * 16
        self.still_ms = 0
        self.still = False
        self.rot = 0  # bias-free rotation of this sample, rad/65536 (|x|+|y|+|z|)

    def reset(self, ax, ay, az):
        """Start from one accelerometer sample (mg): the up vector is taken as is."""
        up = self.up
        up[0] = _clip(ax, _A_CLIP) << 8
        up[1] = _clip(ay, _A_CLIP) << 8
        up[2] = _clip(az, _A_CLIP) << 8
        self.gmag = 8000
        self.g8 = 8000
        self.af[0] = self.asl[0] = up[0] >> 4
        self.af[1] = self.asl[1] = up[1] >> 4
        self.af[2] = self.asl[2] = up[2] >> 4
        self._norm()
        self._norm()
        self._norm()
        self._norm()
        self.g8 = self.gmag
        self.g_hi = self.g8 << 8
        self.started = True

    def _norm(self):
        up = self.up
        x = up[0] >> 5
        y = up[1] >> 5
        z = up[2] >> 5
        sq = x * x + y * y + z * z
        m = self.gmag
        if m < 64:
            m = 64
        m = (m + sq // m) >> 1
        self.gmag = m if m > 64 else 64

    def _proj(self, ax, ay, az):
        # a . up / |up| in mg/16; a clipped to 4 g and up to 2 g keep the dot < 2**30 / 4
        up = self.up
        d = ax * (up[0] >> 5) + ay * (up[1] >> 5) + az * (up[2] >> 5)
        return (d << 2) // (self.gmag >> 2)

    def update(self, dt, ax, ay, az, gx, gy, gz):
        """One sample: dt in ms (1-100), accel in mg, gyro in 0.1 deg/s.

        Returns the vertical linear acceleration in mg/16 (up positive), gravity
        removed. Sets self.still and self.rot (rotation this sample, rad/65536).
        """
        ax = _clip(ax, _A_CLIP)
        ay = _clip(ay, _A_CLIP)
        az = _clip(az, _A_CLIP)
        if not self.started:
            self.reset(ax, ay, az)
        # Accelerometer bias (a vector in the sensor frame, so it is seen from a new
        # angle each time the bar pitches; a gravity magnitude alone cannot follow).
        ab = self.ab
        ax -= ab[0] >> 8
        ay -= ab[1] >> 8
        az -= ab[2] >> 8
        gb = self.gb
        up = self.up
        # Bias-free rate (0.1 deg/s * 16) and rotation this sample in rad/65536:
        # 0.1 deg/s * ms = 1.745e-6 rad = 0.11438 rad/65536 ~ 117/1024.
        gx = _clip(gx, _W_CLIP)
        gy = _clip(gy, _W_CLIP)
        gz = _clip(gz, _W_CLIP)
        wx = (gx << 4) - (gb[0] >> 4)
        wy = (gy << 4) - (gb[1] >> 4)
        wz = (gz << 4) - (gb[2] >> 4)
        tx = _clip((((wx * dt) >> 4) * 117) >> 10, _TH_CLIP)
        ty = _clip((((wy * dt) >> 4) * 117) >> 10, _TH_CLIP)
        tz = _clip((((wz * dt) >> 4) * 117) >> 10, _TH_CLIP)
        self.rot = abs(tx) + abs(ty) + abs(tz)
        # A world-fixed vector seen from the rotating sensor: d(up)/dt = up x omega.
        ux = up[0] >> 8
        uy = up[1] >> 8
        uz = up[2] >> 8
        nx = up[0] + ((uy * tz - uz * ty) >> 8)
        ny = up[1] + ((uz * tx - ux * tz) >> 8)
        nz = up[2] + ((ux * ty - uy * tx) >> 8)
        # Stillness: the smoothed accel sits on the up vector and hardly any rotation,
        # for a while (smoothing first: sensor noise alone is tens of mg per sample).
        af = self.af
        af[0] += (((ax << 4) - af[0]) * dt) // _TAU_AF
        af[1] += (((ay << 4) - af[1]) * dt) // _TAU_AF
        af[2] += (((az << 4) - af[2]) * dt) // _TAU_AF
        sl = self.asl
        sl[0] += ((af[0] - sl[0]) * dt) // _TAU_AS
        sl[1] += ((af[1] - sl[1]) * dt) // _TAU_AS
        sl[2] += ((af[2] - sl[2]) * dt) // _TAU_AS
        da = abs(af[0] - sl[0]) + abs(af[1] - sl[1]) + abs(af[2] - sl[2])
        if da > 64000:
            da = 64000
        self.dev_a += ((da - self.dev_a) * dt) // _TAU_DEV
        dw = abs(wx) + abs(wy) + abs(wz)
        if dw > 640000:
            dw = 640000
        self.dev_w += ((dw - self.dev_w) * dt) // _TAU_DEV
        # Smoothed measures enter stillness; the instant ones leave it at once, so the
        # first samples of a movement are never taken for rest.
        if (self.dev_a < _STILL_ACC * 16 and self.dev_w < _STILL_GYR * 16
                and da < _STILL_ACC * 32 and dw < _STILL_GYR * 32):
            self.still_ms += dt
            if self.still_ms > _STILL_MS:
                self.still = True
                self.still_ms = _STILL_MS
        else:
            self.still_ms = 0
            self.still = False
        if self.still:
            tau = _TAU_STILL
            taub = _TAU_B_STILL
            gb[0] += (((gx << 8) - gb[0]) * dt + _TAU_BIAS // 2) // _TAU_BIAS
            gb[1] += (((gy << 8) - gb[1]) * dt + _TAU_BIAS // 2) // _TAU_BIAS
            gb[2] += (((gz << 8) - gb[2]) * dt + _TAU_BIAS // 2) // _TAU_BIAS
        else:
            tau = _TAU_MOVE
            taub = _TAU_B_MOVE
        # Gyro bias, learnt all the time from the correction the accelerometer asks
        # for (the integral term of a Mahony filter): a constant turn of the measured
        # gravity away from the tracked one is a rate the gyroscope does not report.
        ux = nx >> 8
        uy = ny >> 8
        uz = nz >> 8
        gb[0] += (((uy * az - uz * ay) >> 4) * dt + _KI_DIV // 2) // _KI_DIV
        gb[1] += (((uz * ax - ux * az) >> 4) * dt + _KI_DIV // 2) // _KI_DIV
        gb[2] += (((ux * ay - uy * ax) >> 4) * dt + _KI_DIV // 2) // _KI_DIV
        gb[0] = _clip(gb[0], _GB_CLIP)
        gb[1] = _clip(gb[1], _GB_CLIP)
        gb[2] = _clip(gb[2], _GB_CLIP)
        # Rounded, not floored: a floored small step is a steady pull towards -inf.
        half = tau >> 1
        rx = (ax << 8) - nx
        ry = (ay << 8) - ny
        rz = (az << 8) - nz
        up[0] = _clip(nx + (rx * dt + half) // tau, _G_CLIP)
        up[1] = _clip(ny + (ry * dt + half) // tau, _G_CLIP)
        up[2] = _clip(nz + (rz * dt + half) // tau, _G_CLIP)
        # What the up vector does not explain, over many seconds, is bias: linear
        # acceleration averages to zero while the bar stays on the hips.
        # Only the part across the up vector: along it, a bias cannot be told from
        # the gravity magnitude until the bar has turned and shows it from the side.
        g8 = self.g8
        ux = up[0] >> 5
        uy = up[1] >> 5
        uz = up[2] >> 5
        ra = ((rx >> 8) * ux + (ry >> 8) * uy + (rz >> 8) * uz) // g8  # mg
        rx -= ((ra * ux) // g8) << 8
        ry -= ((ra * uy) // g8) << 8
        rz -= ((ra * uz) // g8) << 8
        half = taub >> 1
        ab[0] = _clip(ab[0] + (rx * dt + half) // taub, _AB_CLIP)
        ab[1] = _clip(ab[1] + (ry * dt + half) // taub, _AB_CLIP)
        ab[2] = _clip(ab[2] + (rz * dt + half) // taub, _AB_CLIP)
        self._norm()
        # A rotation by small steps lengthens the vector a little each step (fast
        # turns, like rolling the bar, a lot): keep its length at the gravity magnitude.
        r = ((self.g8 << 14) // self.gmag) - 16384
        up[0] += ((up[0] >> 4) * r) >> 10
        up[1] += ((up[1] >> 4) * r) >> 10
        up[2] += ((up[2] >> 4) * r) >> 10
        self.gmag = self.g8
        p = self._proj(ax, ay, az)
        if self.still:
            # Gravity magnitude (with the accelerometer's scale) is learnt at rest.
            self.g_hi += (((p << 7) - self.g_hi) // _TAU_G) * dt
            self.g8 = self.g_hi >> 8
        av = p - (self.g8 << 1)
        return _clip(av, 64000)


def _clip(v, lim):
    if v > lim:
        return lim
    if v < -lim:
        return -lim
    return v
