"""Vertical velocity of the bar, integers only: accelerometer, and the pitch rate
where it has proved to follow the velocity.

    from hipthrust_core.velocity import Velocity
    vel = Velocity()
    v = vel.update(dt_ms, av, vert, in_set, top)   # mm/s * 256 (detection)
    vel.vr                                            # mm/s * 256 (measuring)
    vel.fused                                         # the pitch rate is in use
    vel.jump                                          # step of v as it came in use
    vel.gap                                           # samples were lost before this one
    vel.corr                                          # ... and the velocity since, amended

Two estimates leave here. The detection velocity drives the phase machine. By
default it is the accelerometer's alone (accel_velocity.AccelVelocity: gravity
bias absorbed by a controller on the velocity, rests zeroed with care), which
holds whatever way the pad moves. Where the pad pitches with the hips (on the arc
around the shoulders) the pitch rate follows the vertical velocity and does not
drift: then the pitch-rate velocity (pitch.PitchVelocity) plus the
accelerometer's quick changes (a complementary filter on their difference),
minus the offset that is left, is used instead - but only while the regression
of one on the other shows a strong correlation (pitch.PitchVelocity.good), with
hysteresis, and while its scale makes the pitch rate follow the reps' rises (one
learnt while the bar was handled may not); the accelerometer's estimate carries on
from its value when the pitch rate is dropped. How much a real pad rotates is not
known in advance.

Where samples were lost in the middle of a quick push the accelerometer cannot
tell what happened between them: the integral over the gap follows the cubic that
meets the acceleration's value and slope on both sides (not the straight line
between its ends), and while the pitch rate is in use, its change over the gap
stands for the velocity's where the two disagree by much.

The measuring velocity is the plain integral of the vertical acceleration,
leaking only over 30 s and zeroed at rests (but not at the top of a rep, nor while a
rise or fall is in progress: a slow lowering can pass for rest), so a phase's shape
survives; the detector
removes its drift by a linear detrend between the phase's zero-velocity end points
(ring.VelocityRing.integrate, fall_start).
"""

from hipthrust_core.accel_velocity import AccelVelocity
from hipthrust_core.compat import const, micropython
from hipthrust_core.fixed import clip
from hipthrust_core.pitch import TAU_HP, PitchVelocity

_TAU_AVS = const(10000)  # ms: slow mean of the vertical acceleration taken as bias
_TAU_ACC = const(2000)  # ms: accelerometer share fades this fast in a set (scale unknown)
_TAU_ACC_IDLE = const(1500)  # ms: ... out of a set
_K_TRUST = const(120)  # pitch scale (mm/s per 0.1 deg/s * 256) trusted for the fusion
_TAU_FUSE = const(600)  # ms: ... and once it is trusted
_TAU_VB = const(15000)  # ms: mean of the velocity while moving, taken as offset
_TAU_VB_REST = const(1000)  # ms: pull of the fused velocity to zero while the bar rests
_TAU_RAW = const(30000)  # ms: leak of the measuring velocity
_TAU_REST = const(100)  # ms: pull towards zero while the bar rests
# Gravity corrected from the slow mean while fused, in a set, with an integral time of
# 2.5 s: mg/1024 * ms of error per mg/256 step of gravity (4 * 2500 ms).
_G_STEP = const(10000)
_GAP_DV = const(102400)  # mm/s * 256 (400 mm/s): over a gap, the two disagree by more
# than this: the pitch rate is taken (measured: 200 mm/s gave as many reps back, but
# boundaries a little worse; smaller changes are the two estimates' own differences)
_DS_MAX = const(64000)  # mg/256 per ms (250 g/s): change of slope across a gap, at most
_RISE_MIN = const(150)  # mm/s: a rise this fast must be followed by the pitch rate
_TAU_PK = const(1500)  # ms: decay of the recent peak speed and pitch rate
_LIM = const(4194304)  # 2**22 (16 m/s): velocity clamp, mm/s * 256; keeps v * dt < 2**30


class Velocity:
    """See the module docstring."""

    def __init__(self):
        self.pv = PitchVelocity()
        self.acc = AccelVelocity()
        self.fused = False  # the pitch rate is trusted (see update)
        self.avs = 0  # slow mean of the vertical acceleration, mg/1024
        self.av_prev = 0  # last sample's vertical acceleration, mg/16
        self.vr = 0  # measuring velocity, mm/s * 256
        self.vk = 0  # accelerometer velocity, high-passed like the pitch rate, mm/s * 256
        self.x = 0  # accelerometer part of the fused velocity, mm/s * 256
        self.vg = 0  # pitch-rate velocity, mm/s
        self.vb = 0  # offset of the fused velocity, mm/s * 256
        self.gacc = 0  # slow mean's error not yet fed to gravity, mg/1024 * ms
        self.av_pp = 0  # vertical acceleration of the sample before the last, mg/16
        self.dt_p = 10  # ms between the last sample and the one before
        self.g_ms = 0  # length of the gap before the last sample, ms (0: none)
        self.g_s = 0  # slope of the acceleration before that gap, mg/256 per ms
        self.corr = 0  # this sample's correction of the gap before the last one
        # (mm/s * 256; 0 on every other sample: the detector amends its history)
        self.dt_m = 0  # mean sample period, ms * 16 (0: none yet)
        self.gap = False  # samples were lost before this one (the detector reads it)
        self.follows = True  # the pitch rate's scale matched the last rise (see update)
        self.pk_v = 0  # recent peak of the accelerometer's high-passed speed, mm/s * 64
        self.pk_q = 0  # recent peak of the pitch rate, 0.1 deg/s * 64
        self.jump = 0  # this sample's step of the detection velocity: the switch to
        # the pitch rate (mm/s * 256; 0 on every other sample)

    @micropython.native
    def update(self, dt, av, vert, in_set, top=False, rising=False):
        """One sample: dt in ms, av the vertical acceleration in mg/16, vert the
        vertical.Vertical that produced it (rates, stillness; its moving flag: a
        rise or fall in progress), in_set, top (at the top of a rep in a set) and
        rising (a rise in progress) from the phase machine. Returns the detection
        velocity in mm/s * 256 and updates self.vr."""
        self.avs += (((av << 6) - self.avs) // _TAU_AVS) * dt
        # A gap (samples lost): over 1.5 times the mean sample period, which follows
        # the rate (a gap counts as two periods in it).
        dm = self.dt_m
        gap = dm > 0 and dt * 32 > dm * 3
        self.gap = gap
        d16 = dt << 4
        if dm == 0:
            self.dt_m = d16
        else:
            if d16 > 2 * dm:
                d16 = 2 * dm
            self.dt_m = dm + (d16 - dm) // 16
        # Over a gap (samples lost) the trapezoid below takes the acceleration as a
        # straight line between the samples either side of it; lost in the middle of a
        # quick push, that misses most of the push. Once the sample after the gap's end
        # has come, the acceleration's slope on both sides is known: the cubic through
        # both ends with those slopes adds gap**2 * (slope before - slope after) / 12
        # (Hermite), at most 1 g over the gap; it is added now (dc), and the detector
        # amends the history's sample at the gap's end (corr).
        dc = 0
        g_ms = self.g_ms
        if g_ms:
            if not gap:
                ds = self.g_s + ((self.av_prev - av) << 4) // dt  # mg/256 per ms
                if not -_DS_MAX <= ds <= _DS_MAX:
                    ds = clip(ds, _DS_MAX)
                e = (((ds * g_ms) // 12) * g_ms) >> 4  # mg/16 * ms
                lim = g_ms << 14
                if not -lim <= e <= lim:
                    e = clip(e, lim)
                dc = (((e >> 4) * 643) >> 8)
            self.g_ms = 0
        self.corr = dc
        if gap:
            self.g_ms = dt
            self.g_s = ((self.av_prev - self.av_pp) << 4) // self.dt_p
        self.av_pp = self.av_prev
        self.dt_p = dt
        # Integrated with the mean of this sample and the last (trapezoid): over a gap
        # (samples lost) the end value alone would overstate a push that was growing.
        a2 = av + self.av_prev
        self.av_prev = av
        avf = a2 - ((self.avs >> 6) << 1)
        # 2 * mg/16 * ms -> mm/s * 256: 9.80665e-3 * 256 / 32 = 643 / 8192
        dv = ((((a2 * dt) >> 5) * 643) >> 8) + dc
        va = self.acc.update(dt, dv, vert, in_set, not self.fused)
        vr = self.vr + dv
        # The regression of the pitch rate against the accelerometer needs both through
        # the same high-pass: a leaky integral of the vertical acceleration is exactly
        # that first-order high-pass of the velocity.
        vk = self.vk + dv
        vk -= (vk * dt + (TAU_HP >> 1)) // TAU_HP
        # (clip() only out of range: a call costs MicroPython several times a test.)
        if not -_LIM <= vk <= _LIM:
            vk = clip(vk, _LIM)
        self.vk = vk
        still = vert.still
        vg = self.pv.update(dt, vert.wx, vert.wy, vert.wz, vk >> 8, not still,
                            still and not vert.moving and not top)
        # Recent peaks of the accelerometer's speed and the pitch rate (* 64: a decay
        # step at 200 Hz is under 1 in their own units).
        a = (vk if vk >= 0 else -vk) >> 2
        if a > self.pk_v:
            self.pk_v = a
        else:
            self.pk_v -= (self.pk_v * dt) // _TAU_PK
        a = self.pv.qf
        a = (a if a >= 0 else -a) << 6
        if a > self.pk_q:
            self.pk_q = a
        else:
            self.pk_q -= (self.pk_q * dt) // _TAU_PK
        dx = ((((avf * dt) >> 5) * 643) >> 8) + dc - ((vg - self.vg) << 8)
        if gap and self.fused and not -_GAP_DV <= dx <= _GAP_DV:
            # Samples were lost, and the accelerometer's integral over the gap missed
            # what the pitch rate says the bar did (a quick push's end): its change
            # stands for the velocity's.
            vr -= dx
            dx = 0
            self.g_ms = 0
        x = self.x + dx
        self.vg = vg
        if still:
            # Not at the top of a rep: a slow, steady lowering looks like rest to the
            # accelerometer, and the detector looks for it in this history when the
            # next rise gives it away (its drift is removed by the detrend).
            if not top and not vert.moving:
                vr -= (vr * dt + (_TAU_REST >> 1)) // _TAU_REST
            x -= (x * dt + (_TAU_REST >> 1)) // _TAU_REST
            # At rest the fused velocity (x + pitch-rate part - offset) is zero too.
            e = x + (vg << 8) - self.vb
            x -= (e * dt + (_TAU_VB_REST >> 1)) // _TAU_VB_REST
        else:
            vr -= (vr * dt + (_TAU_RAW >> 1)) // _TAU_RAW
            k = self.pv.k
            if k > _K_TRUST or k < -_K_TRUST:
                tau = _TAU_FUSE
            elif in_set:
                tau = _TAU_ACC
            else:
                tau = _TAU_ACC_IDLE
            x -= (x * dt + (tau >> 1)) // tau
        if not -_LIM <= vr <= _LIM:
            vr = clip(vr, _LIM)
        if not -_LIM <= x <= _LIM:
            x = clip(x, _LIM)
        self.vr = vr
        self.x = x
        v = x + (vg << 8)
        # Offset left (the pitch scale or the bias still being learnt): the slow mean
        # taken while the bar rises and falls, frozen during holds and pauses.
        if vert.moving:
            self.vb += ((v - self.vb) // _TAU_VB) * dt
        elif not in_set:
            self.vb -= (self.vb // _TAU_VB) * dt
        k = self.pv.k
        # The pitch rate is used once it has proved to follow the velocity, and
        # dropped when it no longer does (hysteresis: no flicker between the two).
        # Not taken up in the middle of a rise (before a set, of a fall either): its
        # scale is learnt from the rise and, taken up there, is still far short of it
        # (that rise would read slow and short, its top found early: before a set the
        # set's range with it; in a set a heavy rep flagged partial, sets 13152, 15046).
        if k < 0:
            k = -k
        was = self.fused
        if rising and k > _K_TRUST:
            a = (k * (self.pk_q >> 6)) >> 8  # the rate's recent peak as a speed, mm/s
            if self.pk_v > _RISE_MIN << 6:
                # A rise, the scale claiming trust: does it make the rate's recent peak
                # a third of the speed's, at least? One learnt elsewhere (handling the
                # bar, the pad turning fast) may say far less: the rate does not follow
                # the reps (a pad that does not pitch: it slips round the bar), the
                # regression has nothing to learn from them, and in use the velocity
                # would be the accelerometer's high-passed alone, each top read as a
                # lowering. Not in use until a rise says otherwise.
                self.follows = a * 3 >= self.pk_v >> 6
            elif not in_set and a > 2 * _RISE_MIN and (self.pk_v >> 6) * 3 < a:
                # Before a set, the other way round: the rate claims a quick rise the
                # accelerometer sees not a third of. The pad turns on the hips, the bar
                # stays put (session 240: the lifter settling before a set, read as a
                # 0.22 m/s rise that never ended and took in the set's first rep).
                self.follows = False
        good = self.pv.good and self.follows
        if was:
            self.fused = good and k * 3 > _K_TRUST * 2
        else:
            self.fused = good and k > _K_TRUST and not rising and (in_set or not vert.moving)
        self.jump = 0
        if self.fused:
            # The accelerometer's estimate carries on from here if the pitch rate is
            # dropped: no step between the two. Taking the pitch rate up, there is one
            # (the detector shifts its history by it).
            v -= self.vb
            if not was:
                self.jump = v - va
            self.acc.x = v
            if in_set:
                # The accelerometer's gravity is not corrected by its own velocity
                # while this one is in use, and touch-and-go sets have no rests to
                # learn it at: its error builds up, and the accelerometer would take
                # over with it if the pitch rate is dropped. Over the set the bar goes
                # nowhere: the vertical acceleration's slow mean, less what the motion
                # leaves there (the velocity now over that mean's time constant:
                # mm/s * 256 / 24.5 = mg/1024), is that error; fed to gravity.
                # (Divided only once a step is due: this runs on most samples.)
                g = self.gacc + (self.avs - v // 25) * dt
                if -_G_STEP < g < _G_STEP:
                    self.gacc = g
                else:
                    q = g // _G_STEP
                    self.gacc = g - q * _G_STEP
                    vert.rebias(q)
                    self.avs -= q << 2
            return v
        return va

    def rezero(self, dv):
        """Add dv (mm/s * 256) to the detection velocity (a plateau found to be rest)."""
        self.acc.x += dv
        if self.fused:
            self.x += dv
        # (Not in use, the pitch rate's estimate has its own offset, not the
        # accelerometer's drift: shifted too, it stepped by that drift when taken up,
        # at a grind's stall read as a lowering, set 15045.)
