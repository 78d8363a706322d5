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
zero), and the pull it asks for teaches the gyro bias (a Mahony filter's
integral term). Vertical acceleration is the projection of the measured
acceleration on that direction minus gravity as this accelerometer reads it at
that angle: |g| + bias . up, both learnt at rest (LMS), so the accelerometer's
bias, seen from a new side each time the bar pitches, does not leak into it.
The gravity magnitude's bias changes when the sensor turns (the bar rolled onto
the hips, or a rep's top pitched it), so it is learnt fast at the first rest after
a big turn (about a second of it), or from the mean reading while the bar moves
gently if no rest comes (not in a set, nor among the reps before one is announced
unless the bar never rested since the roll: the detector tells it, in_set and
reps), at the new angle only (gravity where it was learnt before stays as it was:
the bar comes back there); then that angle is where gravity was learnt, and from
there on it is learnt slowly. Once it is known, a rest must also weigh what
gravity weighs: the smooth start of a slow lowering passes every other stillness
test for up to a second, and learning gravity there cancels the lowering. The
velocity estimate corrects it too (rebias).

Fixed point: up vector in mg/256, output in mg/16, gravity magnitude in mg/8,
gyro bias in 0.1 deg/s / 256. Every intermediate stays below 2**30 in magnitude
(inputs are clipped to physically possible ranges first), and nothing is
allocated per sample, so MicroPython and CPython give identical numbers.
"""

from array import array

from hipthrust_core.compat import const, micropython
from hipthrust_core.fixed import clip

_A_CLIP = const(4000)  # mg: the bar never accelerates harder than this on the hips
_W_CLIP = const(20000)  # 0.1 deg/s (2000 deg/s, full scale of the IMUs we use)
_G_CLIP = const(512000)  # mg/256 per component of the up vector (2 g)
_TH_CLIP = const(16384)  # rad/65536 per sample (0.25 rad): a gap is not a rotation
_TAU_STILL = const(300)  # ms: up-vector pull while still (a clean measurement)
_TAU_MOVE = const(4000)  # ms: up-vector pull while moving (linear accel averages out)
_TAU_G = const(500)  # ms: gravity magnitude learning while still, after a turn
_TAU_G_SLOW = const(6000)  # ms: ... once learnt at this angle (a slow, gentle push
# at the start of a lowering looks still for a while: it must not teach gravity)
_LEARNT = const(1000)  # ms of learning at _TAU_G after which gravity is known at an angle
_LEARNT_G = const(10)  # mg: ... and once the slow mean is this close to it
_TAU_G_MOVE = const(1500)  # ms: ... while moving gently just after a turn
_QUIET_ACC = const(60)  # mg: ... (smoothed change of the accel under this: no rep)
_ROLL = const(200)  # 1/128 (L1, about 1.6 rad): further than a rep pitches the pad
_TURN = const(100)  # 1/128 (L1 norm of du, about 0.8 rad): turn after which gravity is relearnt
_TAU_K = const(1500)  # ms: ... of its part that turns with the bar
_G0_MID = const(256000)  # mg/256: 1 g, centre of the range rebias() may move gravity in
_G0_SPAN = const(51200)  # mg/256 (200 mg): ... and its half-width
_GK_CLIP = const(51200)  # mg/256 (200 mg)
_INC_CLIP = const(2048)  # mg/256 (8 mg): most gravity learnt in one sample at a new angle
_KI_DIV = const(1704)  # Mahony integral gain: 1/(4 s * 10 s), in these units
_GB_CLIP = const(2560000)  # 0.1 deg/s / 256 (10 deg/s): gyro bias limit
_TAU_BIAS = const(8000)  # ms: gyro bias learning while still
_TAU_AF = const(40)  # ms: accel smoothing before the stillness test
_TAU_AS = const(250)  # ms: slower smoothing; fast - slow = accel changing
_TAU_DEV = const(150)  # ms: smoothing of the motion measures used by the stillness test
_STILL_ACC = const(20)  # mg: change of the smoothed accel below which the bar rests
_STILL_GYR = const(80)  # 0.1 deg/s: mean bias-free rotation rate below which it rests
_STILL_G = const(25)  # mg: smoothed vertical accel off its 1 s mean, at most
_TAU_PS = const(1000)  # ms: that mean
_TAU_YAW = const(1000)  # ms: smoothing of the rotation rate about the vertical
_STILL_MS = const(200)  # ms the two measures must stay low before we call it still
_STILL_LONG = const(800)  # ms: ... when the accel does not weigh what gravity weighs
_QUIET_BIAS = const(4000)  # ms: accel at rest this long, the gyro's rate is its bias


class Vertical:
    """Gravity direction tracker and vertical-acceleration estimator (see module doc)."""

    def __init__(self):
        self.up = array("i", (0, 0, 0))  # mg/256, sensor frame
        self.gb = array("i", (0, 0, 0))  # gyro bias, 0.1 deg/s / 256
        self.gmag = 0  # |up| in mg/8 (Newton iteration, one step per sample)
        self.g8 = 0  # gravity magnitude as this accelerometer reads it now, mg/8
        self.g0 = 0  # its constant part, mg/256
        self.gk = array("i", (0, 0, 0))  # its part that turns with the bar (bias), mg/256
        self.started = False
        self.af = array("i", (0, 0, 0))  # accel smoothed over ~40 ms, mg/16
        self.asl = array("i", (0, 0, 0))  # ... and over ~400 ms
        self.dev_a = 0  # smoothed |accel deviation|, mg/16
        self.pslow = 0  # smoothed accel along the vertical, over ~1 s, mg/16
        self.dev_w = 0  # smoothed bias-free rotation rate, 0.1 deg/s * 16
        self.quiet_ms = 0  # ms the accel rested while the gyro did not (see update)
        self.still_ms = 0
        self.still = False
        self.in_set = False  # the detector is in a set (its reps' motion is no gravity)
        self.reps = False  # ... or a rep's top came lately (a set not yet announced)
        self.uref = array("i", (0, 0, 0))  # unit up vector where gravity was learnt, 1/128
        self.learn_ms = 0  # ms spent learning gravity at a new angle
        self.turned = True  # turned away from where gravity was learnt
        self.rot = 0  # bias-free rotation of this sample, rad/65536 (|x|+|y|+|z|)
        self.turn = array("i", (0, 0, 0))  # net rotation over a rep (sensor frame),
        # rad/65536: see net_turn()
        self.wx = 0  # bias-free rotation rate of this sample, 0.1 deg/s * 16
        self.wy = 0
        self.wz = 0
        self.yaw = 0  # |rotation rate about the vertical|, smoothed over ~1 s, 0.1 deg/s * 16
        # Set by the user (the rep detector): a rise or fall is in progress. A slow one
        # passes every stillness test; it must not teach gravity.
        self.moving = False
        # ... or the bar is at a rep's top: the turn is summed through both (a lowering
        # too slow to be seen happens "at the top", and brings the pad back).
        self.in_rep = False

    def reset(self, ax, ay, az):
        """Start from one accelerometer sample (mg): the up vector is taken as is."""
        up = self.up
        up[0] = clip(ax, _A_CLIP) << 8
        up[1] = clip(ay, _A_CLIP) << 8
        up[2] = clip(az, _A_CLIP) << 8
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
        self.g0 = self.g8 << 5
        self.pslow = self.g8 << 1
        self.started = True

    def rebias(self, d):
        """Add d (mg/256) to the gravity magnitude: the velocity found at a
        zero-velocity point says by how much the vertical acceleration was off."""
        self.g0 = clip(self.g0 + d - _G0_MID, _G0_SPAN) + _G0_MID

    def net_turn(self):
        """Net rotation since clear_turn(), summed while a rep was in progress
        (in_rep): |x| + |y| + |z| in rad/65536."""
        nt = self.turn
        return abs(nt[0]) + abs(nt[1]) + abs(nt[2])

    def clear_turn(self):
        """Start summing the net rotation afresh (the detector: at a rise's start)."""
        nt = self.turn
        nt[0] = 0
        nt[1] = 0
        nt[2] = 0

    def _learn_at(self, inc, u0, u1, u2):
        # Gravity as read at the unit direction u0, u1, u2 (1/128) is off by inc
        # (mg/256): change it there by inc, and not at uref, where it was learnt last.
        # The change is split between the constant part and the part that turns with
        # the bar, along the turn between the two. (Put into the constant part alone,
        # a hold at a rep's top moved gravity at the bottom too, off by as much back
        # there, and learnt again only slowly; between the two the bar went down on a
        # gravity off by 10-40 mg: the accelerometer's scale errors make what it reads
        # at rest change that much over a rep's pitch.) Only while turned: the turn is
        # over 0.45 rad (dd > 3000), and inc is clipped so that inc * 1024 * d < 2**30.
        ur = self.uref
        if not -_INC_CLIP <= inc <= _INC_CLIP:
            inc = clip(inc, _INC_CLIP)
        d0 = u0 - ur[0]
        d1 = u1 - ur[1]
        d2 = u2 - ur[2]
        dd = d0 * d0 + d1 * d1 + d2 * d2
        k0 = (inc * 1024 * d0) // dd
        k1 = (inc * 1024 * d1) // dd
        k2 = (inc * 1024 * d2) // dd
        gk = self.gk
        gk[0] = clip(gk[0] + k0, _GK_CLIP)
        gk[1] = clip(gk[1] + k1, _GK_CLIP)
        gk[2] = clip(gk[2] + k2, _GK_CLIP)
        self.g0 -= (k0 * ur[0] + k1 * ur[1] + k2 * ur[2]) >> 10

    @micropython.native
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

    @micropython.native
    def update(self, dt, ax, ay, az, gx, gy, gz):
        """One sample: dt in ms (1-100), accel in mg, gyro in 0.1 deg/s.

        Returns the vertical linear acceleration in mg/16 (up positive), gravity
        removed. Sets self.still and self.rot (rotation this sample, rad/65536).
        """
        # (clip() only out of range; absolute values and the projection written out:
        # in this per-sample path a call costs MicroPython several times a test.)
        if not -_A_CLIP <= ax <= _A_CLIP:
            ax = clip(ax, _A_CLIP)
        if not -_A_CLIP <= ay <= _A_CLIP:
            ay = clip(ay, _A_CLIP)
        if not -_A_CLIP <= az <= _A_CLIP:
            az = clip(az, _A_CLIP)
        if not self.started:
            self.reset(ax, ay, az)
        gb = self.gb
        up = self.up
        # Bias-free rate (0.1 deg/s * 16) and rotation this sample in rad/65536:
        # 0.1 deg/s * ms = 1.745e-6 rad = 0.11438 rad/65536 ~ 117/1024.
        if not -_W_CLIP <= gx <= _W_CLIP:
            gx = clip(gx, _W_CLIP)
        if not -_W_CLIP <= gy <= _W_CLIP:
            gy = clip(gy, _W_CLIP)
        if not -_W_CLIP <= gz <= _W_CLIP:
            gz = clip(gz, _W_CLIP)
        wx = (gx << 4) - (gb[0] >> 4)
        wy = (gy << 4) - (gb[1] >> 4)
        wz = (gz << 4) - (gb[2] >> 4)
        # The mean of this rate and the last one (trapezoid): over a gap (samples lost)
        # the rate at its end alone would overstate a turn that was speeding up.
        tx = ((((wx + self.wx) * dt) >> 5) * 117) >> 10
        ty = ((((wy + self.wy) * dt) >> 5) * 117) >> 10
        tz = ((((wz + self.wz) * dt) >> 5) * 117) >> 10
        if not -_TH_CLIP <= tx <= _TH_CLIP:
            tx = clip(tx, _TH_CLIP)
        if not -_TH_CLIP <= ty <= _TH_CLIP:
            ty = clip(ty, _TH_CLIP)
        if not -_TH_CLIP <= tz <= _TH_CLIP:
            tz = clip(tz, _TH_CLIP)
        rot = tx if tx > 0 else -tx
        rot += ty if ty > 0 else -ty
        self.rot = rot + (tz if tz > 0 else -tz)
        if self.in_rep:
            # Net turn through a rep's rise, top and fall (the detector clears it at
            # each rise; three phases of <= 8 s keep it < 2**27).
            nt = self.turn
            nt[0] += tx
            nt[1] += ty
            nt[2] += tz
        self.wx = wx
        self.wy = wy
        self.wz = wz
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
        if self.turned:
            # Turned away from where gravity was learnt (the bar rolled onto the hips),
            # the slow mean turns with the sensor as the up vector does: a turn alone
            # changes no reading of a bar at rest, so the bar is seen at rest as soon
            # as it stops turning (the first rep may come within a second).
            sx = sl[0] >> 4
            sy = sl[1] >> 4
            sz = sl[2] >> 4
            sl[0] += (sy * tz - sz * ty) >> 12
            sl[1] += (sz * tx - sx * tz) >> 12
            sl[2] += (sx * ty - sy * tx) >> 12
        d = af[0] - sl[0]
        da = d if d > 0 else -d
        d = af[1] - sl[1]
        da += d if d > 0 else -d
        d = af[2] - sl[2]
        da += d if d > 0 else -d
        if da > 64000:
            da = 64000
        self.dev_a += ((da - self.dev_a) * dt) // _TAU_DEV
        dw = wx if wx > 0 else -wx
        dw += wy if wy > 0 else -wy
        dw += wz if wz > 0 else -wz
        if dw > 640000:
            dw = 640000
        self.dev_w += ((dw - self.dev_w) * dt) // _TAU_DEV
        # And the smoothed accel must weigh what gravity weighs: a gentle, steady push
        # (a slow start of the lowering) changes little but is no rest.
        pf = ((((af[0] >> 4) * (up[0] >> 5) + (af[1] >> 4) * (up[1] >> 5)
                + (af[2] >> 4) * (up[2] >> 5)) << 2) // (self.gmag >> 2))  # mg/16
        self.pslow += ((pf - self.pslow) * dt) // _TAU_PS
        dp = pf - self.pslow
        if dp < 0:
            dp = -dp
        # Smoothed measures enter stillness; the instant ones leave it at once, so the
        # first samples of a movement are never taken for rest. Once gravity is known
        # at this angle, the smoothed accel must also weigh what gravity weighs, or
        # the quiet must last longer: the smooth start of a slow lowering (tens of mg,
        # rising slowly) passes every other test for a while. (Gravity seen from a
        # new pitch may still be a little off, so weight alone cannot be required.)
        quiet = self.dev_a < _STILL_ACC * 16 and da < _STILL_ACC * 32 and dp < _STILL_G * 16
        relearn = False
        if quiet and self.dev_w >= _STILL_GYR * 16 and not self.in_set and not self.reps:
            # The accel at rest, yet the gyro shows a rate: for seconds on end only a
            # bias does that (a bar turning about the vertical, quietly, for that long
            # is none on the hips). A bias learnt wrong along the vertical, where the
            # accelerometer cannot correct it, would keep the bar from ever resting
            # again, and from relearning it (session 134: 12 deg/s after a set of quick
            # reps, read as walking with the pad; the next set's 16 reps not counted).
            self.quiet_ms += dt
            relearn = self.quiet_ms > _QUIET_BIAS
            if relearn:
                self.quiet_ms = _QUIET_BIAS
        else:
            self.quiet_ms = 0
        if quiet and self.dev_w < _STILL_GYR * 16 and dw < _STILL_GYR * 32:
            self.still_ms += dt
            if self.still_ms > _STILL_LONG:
                self.still_ms = _STILL_LONG
            if self.still_ms > _STILL_MS:
                self.still = (self.turned or self.still_ms >= _STILL_LONG
                              or -_STILL_G * 16 < pf - (self.g8 << 1) < _STILL_G * 16)
        else:
            self.still_ms = 0
            self.still = False
        tau = _TAU_STILL if self.still else _TAU_MOVE
        if self.still or relearn:
            # (Never both: relearning needs the gyro's rate, which stillness excludes.)
            gb[0] += (((gx << 8) - gb[0]) * dt + _TAU_BIAS // 2) // _TAU_BIAS
            gb[1] += (((gy << 8) - gb[1]) * dt + _TAU_BIAS // 2) // _TAU_BIAS
            gb[2] += (((gz << 8) - gb[2]) * dt + _TAU_BIAS // 2) // _TAU_BIAS
        # Gyro bias, learnt all the time from the correction the accelerometer asks
        # for (the integral term of a Mahony filter): a constant turn of the measured
        # gravity away from the tracked one is a rate the gyroscope does not report.
        ux = nx >> 8
        uy = ny >> 8
        uz = nz >> 8
        b = gb[0] + (((uy * az - uz * ay) >> 4) * dt + _KI_DIV // 2) // _KI_DIV
        if not -_GB_CLIP <= b <= _GB_CLIP:
            b = clip(b, _GB_CLIP)
        gb[0] = b
        b = gb[1] + (((uz * ax - ux * az) >> 4) * dt + _KI_DIV // 2) // _KI_DIV
        if not -_GB_CLIP <= b <= _GB_CLIP:
            b = clip(b, _GB_CLIP)
        gb[1] = b
        b = gb[2] + (((ux * ay - uy * ax) >> 4) * dt + _KI_DIV // 2) // _KI_DIV
        if not -_GB_CLIP <= b <= _GB_CLIP:
            b = clip(b, _GB_CLIP)
        gb[2] = b
        # Rounded, not floored: a floored small step is a steady pull towards -inf.
        half = tau >> 1
        rx = (ax << 8) - nx
        ry = (ay << 8) - ny
        rz = (az << 8) - nz
        nx += (rx * dt + half) // tau
        if not -_G_CLIP <= nx <= _G_CLIP:
            nx = clip(nx, _G_CLIP)
        ny += (ry * dt + half) // tau
        if not -_G_CLIP <= ny <= _G_CLIP:
            ny = clip(ny, _G_CLIP)
        nz += (rz * dt + half) // tau
        if not -_G_CLIP <= nz <= _G_CLIP:
            nz = clip(nz, _G_CLIP)
        up[0] = nx
        up[1] = ny
        up[2] = nz
        self._norm()
        # A rotation by small steps lengthens the vector a little each step (fast
        # turns, like rolling the bar, a lot): keep its length at the gravity magnitude.
        g8 = self.g8
        r = ((g8 << 14) // self.gmag) - 16384
        nx += ((nx >> 4) * r) >> 10
        ny += ((ny >> 4) * r) >> 10
        nz += ((nz >> 4) * r) >> 10
        up[0] = nx
        up[1] = ny
        up[2] = nz
        self.gmag = g8
        ux = nx >> 5
        uy = ny >> 5
        uz = nz >> 5
        # a . up / |up| in mg/16 (a clipped to 4 g and up to 2 g keep the dot < 2**30 / 4)
        p = ((ax * ux + ay * uy + az * uz) << 2) // (g8 >> 2)
        # Gravity as this accelerometer reads it at rest: |g| + bias . up (the bias
        # seen from the current angle), so the pitch of the arc does not leak into
        # the vertical acceleration. Both parts are learnt at rest (LMS): rests at
        # the bottom and holds at the top show the bias from two sides.
        gk = self.gk
        u0 = (ux << 7) // g8  # unit up vector, 1/128
        u1 = (uy << 7) // g8
        u2 = (uz << 7) // g8
        # Turning about the vertical: a bar on the hips does not (it pitches and rolls
        # about horizontal axes); a pad carried while walking does, with every step.
        yaw = wx * u0 + wy * u1 + wz * u2
        yaw = (yaw if yaw > 0 else -yaw) >> 7  # 0.1 deg/s * 16
        if yaw > 640000:
            yaw = 640000
        self.yaw += ((yaw - self.yaw) * dt) // _TAU_YAW
        gm = self.g0 + ((gk[0] * u0 + gk[1] * u1 + gk[2] * u2) >> 10)  # mg/256
        ur = self.uref
        d = u0 - ur[0]
        dist = d if d > 0 else -d
        d = u1 - ur[1]
        dist += d if d > 0 else -d
        d = u2 - ur[2]
        dist += d if d > 0 else -d
        turned = dist > _TURN
        self.turned = turned
        learn = 0  # ms of gravity learning at this angle, this sample
        if self.still and not self.moving:
            err = (p << 4) - gm
            if not -262144 <= err <= 262144:
                err = clip(err, 262144)
            if turned:
                self._learn_at((err * dt + _TAU_G // 2) // _TAU_G, u0, u1, u2)
                learn = dt
            else:
                self.g0 += (err * dt + _TAU_G_SLOW // 2) // _TAU_G_SLOW
                e = err >> 2
                gk[0] = clip(gk[0] + ((((e * u0) >> 8) * dt + _TAU_K // 2) // _TAU_K), _GK_CLIP)
                gk[1] = clip(gk[1] + ((((e * u1) >> 8) * dt + _TAU_K // 2) // _TAU_K), _GK_CLIP)
                gk[2] = clip(gk[2] + ((((e * u2) >> 8) * dt + _TAU_K // 2) // _TAU_K), _GK_CLIP)
        elif (turned and not self.in_set and (not self.reps or dist > _ROLL)
              and self.dev_a < _QUIET_ACC * 16):
            # Turned (the bar rolled onto the hips) and not yet at rest: the bias seen
            # from the new angle is unknown. The bar goes nowhere over a second or two,
            # so the mean of the reading is gravity: learn it, more slowly. Not in a
            # set: what reads quiet there is mostly a rep's gentle part (the end of a
            # lowering, the deceleration into the bottom), its acceleration no
            # gravity; learnt as gravity, 10-20 mg off through a touch-and-go set
            # with no rest in it. There the velocity corrects it (rebias: over a set
            # the bar goes nowhere). Nor among the reps before a set is announced
            # (reps), unless still turned further than a rep pitches the pad: then the
            # bar has not rested since it was rolled on, and this is all there is.
            err = clip((p << 4) - gm, 262144)
            self._learn_at((err * dt + _TAU_G_MOVE // 2) // _TAU_G_MOVE, u0, u1, u2)
            learn = dt // 3  # three times slower to learn than at rest
        if learn:
            # Gravity is learnt at this new angle after a few of its time constants of
            # learning: from then on this is where it was learnt.
            self.learn_ms += learn
            # ... and only once the reading's slow mean weighs what gravity now weighs
            # (learnt across a roll, it may still be tens of mg off: the bar would
            # then look neither still nor right for the set's first rep).
            d = self.pslow - (gm >> 4)
            if self.learn_ms > _LEARNT and -_LEARNT_G * 16 < d < _LEARNT_G * 16:
                ur[0] = u0
                ur[1] = u1
                ur[2] = u2
                self.learn_ms = 0
        g8 = gm >> 5
        self.g8 = g8 if g8 > 4000 else 4000
        av = p - (gm >> 4)
        return av if -64000 <= av <= 64000 else clip(av, 64000)
