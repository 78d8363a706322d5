"""The rep detector: IMU samples in, protocol event records out. Integers only.

    from hipthrust_core.detector import Detector
    det = Detector(set_end_ms=20000)
    buf = bytearray(protocol.MAX_RECORD)
    if det.feed(t_ms, ax, ay, az, gx, gy, gz):     # ms, mg, 0.1 deg/s
        n = det.pack_next(buf, seq)                # one record, 0 when none is left
    det.end(t_ms)                                  # end of data: close an open set

Pipeline per sample: vertical acceleration (vertical.Vertical: gravity tracked
through bar roll and the arc's pitch) -> vertical velocity (velocity.Velocity:
the accelerometer's, fused with the pad's pitch rate only where that has proved
to follow the velocity) -> phase machine with thresholds relative to the set's
own reps -> events in a preallocated queue (events.Events).

Real sets are touch-and-go: the bar is hardly ever still between reps, so no boundary
waits for stillness. Each boundary is confirmed by a speed threshold and then placed
by backtracking through a history ring (ring.VelocityRing) to where the velocity
crossed a small level, extrapolated to zero (a rise never before the bar last rested;
a set's first rise that set off from a slow creep, drift where gravity is not yet
learnt, where its steep part drawn back meets the creep). A hold whose velocity still
carries some drift is recognised as a plateau and taken as zero (so is one left at
up to 3/5 of the rise's peak by samples lost in a quick push's stop); a "rise" during
which the bar rests is drift. A rise while the bar is at the top gives away a lowering too
slow to tell from rest: it is placed from the history (midway, when the history no
longer shows it and the top was seconds before) and the rep closed (before a set,
where the pad turned over on the way up, that "rep" was the bar rolled onto the hips:
the rise starts afresh); with no lowering before it, soon after the top, the "top" was
a grind's stall at its sticking point and the concentric goes on. Once a lowering has
ended, its start is placed again from its steep part, measured from the hold's own
velocity where that drifted (the walk back from its confirmation went through the
hold's drift), and where its steep deceleration, drawn on, stops is kept. A bottom is
reported as a phase when found, but its rep waits 1.5-3 s (the longer after a slower
lowering) for what follows: the lowering's steep deceleration, drawn on, meets the
velocity it levelled off at (the bottom's drift, highest before the next rise) at its
end, before that rise. Where it does not (a slow lowering, hardly faster than the drift,
or a deceleration drawn on past the rise): a rise that follows soon (touch-and-go)
starts a little after the true turnaround, and the bottom goes midway between the two
(a quarter of the way back from the rise when that came late: the end was found early;
just before the rise when the deceleration, drawn on, stops after it); with none, or
one long after a deceleration that had stopped (a paused bottom), the lowering's end
is walked again with the pause's own velocity as its zero. A lowering far faster than
one whose bottom waits, or going on down after one that came down under two thirds of
the rise, shows that one was drift: the eccentric starts again (a bottom found at rest a
third of the rise down waits 6 s for it). What the movements were
(reps, full or not; when a set starts and ends) is reps.RepLog's part: a set is
announced only when two reps in a row have risen and come back down (the first taking
0.7 s or more; none from before the bar was rolled onto the hips), while the pad does
not turn about the vertical (handling, rolling the bar on, a fidget and walking do
not), and not out of a fast fall (a set starts from a dead stop: that was the pad put
down), so the first rep's events come late. In a set, a
rise while the pad turns fast about the vertical (walking off with it), or over which
it turned over or turned three times as fast as in the set's reps (the bar rolled off
to set it down), is no rep. Range of motion and
velocities are measured on the accelerometer's velocity, its drift removed by a linear
detrend between the concentric's zero-velocity ends (the range again as the lowering
starts, ended where that velocity came back soon after a top found early, or where the
rise's deceleration ended if it had drifted below its start value by then; where samples
lost in its push left the velocity short after the top, with that loss added back from
the gap on).

Fixed point: velocity in mm/s * 256, vertical acceleration in mg/16,
displacement in um, time in ms. Every intermediate stays below 2**30 in
magnitude, and feed() allocates nothing on MicroPython.
"""

from array import array

from hipthrust_core import protocol as P
from hipthrust_core.compat import const, micropython
from hipthrust_core.events import Events
from hipthrust_core.reps import CYCLE_MIN, ROM_MIN, ROM_SET, TURN_FIRST, RepLog
from hipthrust_core.ring import VelocityRing
from hipthrust_core.velocity import Velocity
from hipthrust_core.vertical import Vertical

# States of the phase machine.
_BOTTOM = const(0)  # at the bottom (or idle): waiting for a concentric
_UP = const(1)  # concentric in progress
_TOP = const(2)  # top reached: hold, waiting for the eccentric
_DOWN = const(3)  # eccentric in progress

# Thresholds (mm/s, mm, ms). Relative ones scale with the set's own reps.
_LVL_MIN = const(10)  # mm/s: boundary level floor (the speed where a phase starts/ends)
_LVL_DIV = const(25)  # boundary level = reference peak speed / this (4 %)
_START_DIV = const(10)  # ... for the start of a rise from the bottom (10 %)
_START_NEW = const(20)  # ... with no rep seen yet: of the rise's speed when confirmed (5 %)
_CONF_MIN = const(45)  # mm/s: speed that confirms a phase, floor
_CONF_DIV = const(5)  # confirming speed = reference peak / this
_CONF_ECC = const(35)  # mm/s: ... of a lowering, floor
_CONF_FIRST = const(180)  # mm/s: confirming speed of a rise that would start a set
_MEAN_FIRST = const(120)  # mm/s: ... and its least mean speed over the whole rise
_ROM_MAX = const(480)  # mm: more than this is the pad lifted off, not a rep (see _plausible)
_ROM_FIRST_MAX = const(480)  # mm: ... for the rise that would start a set
_ROM_OVER = const(15)  # /10: in a set, more than this times the set's full range is no rep
_TOP_COS2 = const(59)  # /100: cos^2 40 deg: a rep's top turned further from the set's is none
_PEAK_MAX = const(3000)  # mm/s: faster than any hip thrust (a mean of 1.3 m/s peaks at
# up to 2.6 m/s; 2.5 took the fastest rushed reps for knocks)
_CONC_MIN = const(150)  # ms: shorter rises are knocks (see _plausible)
_YAW_WALK = const(1600)  # 0.1 deg/s * 16 (10 deg/s) about the vertical: walking, no set starts
# (in a set: three times this, see _try_rise)
_FALL_FRAC = const(5)  # %: a lowering starts where the bar has come down this share
_CONC_MAX = const(4000)  # ms: a first rise longer than this is drift or handling
_FALL_FAST = const(800)  # mm/s: falling this fast 0.7 s before it, no rise starts a set
_PEAK_MIN = const(120)  # mm/s: a concentric peaks faster than this
_ROM_FRAC = const(30)  # %: ... and at least this share of the set's full ROM
_DROP_MIN = const(20)  # mm: descent that confirms an eccentric
_ROT_ROLL = const(262000)  # rad/65536 (4 rad) in ~1 s while rising: rolling the bar
_ROT_REMOVED = const(262000)  # rad/65536 (4 rad) per ~1 s: bar rolled off the hips
_ROT_OFF = const(100000)  # rad/65536 (1.5 rad) per ~1 s: a rise in a set turning the pad this
_ROT_OVER = const(3)  # much, and this many times as much as the set's reps did: no rep
_STALL_MAX = const(1500)  # ms: longest stall of a rise (at its sticking point)
_LONG_TOP = const(3000)  # ms: a rise this long after a top went through a lowering
_RISE_MAX = const(700)  # ms: a real rise gains the confirming speed within this time
_PHASE_MAX = const(8000)  # ms: a phase longer than this is closed by force
_TAU_SLOW = const(100)  # ms: smoothing of the velocity for the plateau test
_FLAT_MS = const(50)  # ms: ... and the quick one's span
_OFFSET_WIN = const(500)  # ms after a top in which a steady slow fall is an offset
_OFFSET_QUICK = const(120)  # ms after a top in which any steady fall is an offset
_REPS_NEAR = const(8000)  # ms after a rep's top in which its motion is the reps' (Vertical: reps)
_DT_MAX = const(100)  # ms: longest gap integrated (longer gaps are dropped samples)
_GAP_KEEP = const(2000)  # ms: lost samples are remembered this long for a rise (_rom_gap)
_GAP_DROP = const(4)  # a rise's velocity that fell by over 1/this of its peak across lost
# samples had its top's deceleration in the gap (see _flat) ...
_GAP_TOP = const(3)  # ... and under this fifth of the peak, steady after it: the top
_TAU_TOP = const(40)  # ms: pull of a slow rise to zero at the top (see _machine)
_TOP_DRIFT = const(154)  # mm/s * 256 per ms (600 mm/s^2, 0.06 g): ... at most this fast
_BOT_WAIT = const(1500)  # ms a found bottom waits for the next rise to place it, at least
# (a lowering's end is found early; 2 s after every lowering would take paused bottoms for
# touch-and-go) ...
_BOT_WAIT_MAX = const(3000)  # ms: ... and at most (0.6 of the lowering's length between)
_DRIFT_WAIT = const(6000)  # ms: ... and after a "lowering" of the hold's drift (_machine)
_BOT_GAP = const(150)  # ms: a rise closer than this to the found bottom: a real pause
_BOT_NEAR = const(600)  # ms: ... and within this, touch-and-go (see _settle)
_BOT_LAG = const(50)  # ms: a rise's found start lags the turnaround before it
_ROM_LATE = const(120)  # ms after a found top in which the rise's end is looked for again
_ROM_REST = const(8)  # ... if the velocity at its start was under 1/this of its peak
_TOP_SETTLE = const(500)  # mm/s per s: a rise's deceleration has ended once slower
_SLOW_LOWER = const(3500)  # ms: a lowering longer than this is a slow one (_lowering_start)
_BASE_BACK = const(100)  # ms before a lowering's start: the hold's velocity there
_CREEP_MS = const(300)  # ms: a first rise's walked-back start this far before its steep part
_PAUSE_FROM = const(75)  # ms after a bottom is found: the pause's offset is measured
_PAUSE_TO = const(250)  # ... up to this (before the rest pulls it to zero)
_TAU_PAUSE = const(200)  # ms: pull of the velocity to zero while resting at the bottom
_STEEP_MAX = const(3000)  # ms: a lowering found to last longer is too slow to draw on (_level_end)
_LEVEL_WIN = const(500)  # ms after a lowering's end was found: it levelled off by then


class Detector(RepLog):
    """Rep, phase and set detector (see the module docstring). set_end_ms: rest (ms)
    after the last rep that ends a set."""

    def __init__(self, set_end_ms=20000):
        self.set_end_ms = set_end_ms
        self.vert = Vertical()
        self.ring = VelocityRing()
        self.ev = Events()
        self.t_prev = -1
        self.vel = Velocity()
        self.v = 0  # vertical velocity for detection, mm/s * 256
        self.first = False  # the current rise would start a set (not announced yet)
        self.rom = 0  # mm, range of motion of the current rep's concentric
        self.pend = False  # a first rep waits for a second one to start the set
        self.pb = array("i", (0, 0, 0, 0))  # its boundaries (ms)
        self.p_rom = 0  # its ROM, mm
        self.p_peak = 0  # its peak velocity, mm/s
        # A rise out of a set that passed as a first rep, but whose lowering was not
        # seen: boundaries (ms; cb[1] far in the future when none), ROM mm, peak mm/s.
        self.cb = array("i", (0, 0x3FFFFFFF, 0, 0))
        self.c_rom = 0
        self.c_peak = 0
        self.cpeak = 0  # mm/s, its peak velocity
        self.dt = 10  # ms, this sample's time step
        self.vslow = 0  # self.v smoothed over ~0.1 s (plateau test), mm/s * 256
        self.t_b = 0  # result of _boundary(), ms
        self.rot_win = 0  # rotation over the last ~1 s, rad/65536
        self.state = _BOTTOM
        self.top_fixed = False  # the velocity after this top was already zeroed
        self.up_gap = False  # samples were lost as this rise slowed fast (see _flat)
        self.n_gap = -1  # ring sample just after samples lost (see feed), its time (ms)
        self.t_gap = 0
        self.j_gap = 0  # ... and the detection velocity's jump across them (mm/s)
        self.in_set = False
        self.set_no = 0
        self.reps = 0
        self.full_reps = 0
        self.rise = 0  # um risen since the velocity turned positive
        self.rise0 = 0  # ... when the current rise started
        self.n_fast = -1  # ring sample where that rise first passed r_conf (-1: not yet)
        self.drop = 0  # um dropped since the velocity turned negative
        self.fall = 0  # um fallen since the top (net, both signs; through the lowering)
        self.peak = 0  # mm/s, peak speed of the current phase
        # Reference figures of the set's reps (mm/s, mm, ms).
        self.ref_up = 0
        self.rot_up = 0  # rad/65536: most rotation per ~1 s (rot_win) in this rise
        self.rot_ref = 0  # ... and its running mean over the reps seen
        self.tu_n = 0  # the set's reps' tops seen (0, 1: the mean below is set)
        self.tu0 = 0  # mg: mean gravity at them, sensor frame (where the pad sits at
        self.tu1 = 0  # lockout)
        self.tu2 = 0
        self.ref_down = 0
        self.ref_rom = 0
        self.shorts = 0  # short reps in a row (see RepLog._rep)
        self.ref_conc = 0
        # Boundaries of the current rep: times (ms) and ring sample numbers.
        self.b = array("i", (0, 0, 0, 0))  # concentric start, top, eccentric start, bottom
        self.bn = array("i", (0, 0, 0, 0))
        self.last_end = 0  # ms, end of the set's last rep
        self.t_still = -1  # ms, last sample at which the bar was at rest
        self.t_rep = -_REPS_NEAR  # ms, top of the last rise taken for a rep
        self.bot_pend = False  # a rep waits at its bottom for the next rise (_settle)
        self.bot_t = 0  # ... its bottom (ms) and ring sample, and when it was found (ms)
        self.bot_n = 0
        self.bot_fire = 0
        self.bot_wait = _BOT_WAIT  # ms it waits
        self.bot_lvl = 0  # ... and the level it was found at (mm/s; -1: found on a plateau)
        self.n_pk = 0  # ring sample of the lowering's peak speed
        self.bot_e0 = 0  # where the lowering's deceleration, drawn on, stops (ms)
        self.r_conf = 0  # mm/s and mm that confirm a rise now (_rise_limits)
        self.r_need = 0
        self.r_base = 0  # mm/s: the velocity the current rise left from (an offset)

    # ------------------------------------------------------------ public
    @micropython.native
    def feed(self, t_ms, ax, ay, az, gx, gy, gz):
        """One IMU sample: t in ms, accel in mg, gyro in 0.1 deg/s. Returns the
        number of events waiting for pack_next()."""
        if self.t_prev < 0:
            dt = 10
        else:
            dt = t_ms - self.t_prev
            if dt < 1:
                return self.ev.count  # repeated or backwards time stamp: ignore
            if dt > _DT_MAX:
                dt = _DT_MAX
        self.t_prev = t_ms
        self.dt = dt
        vert = self.vert
        st = self.state
        vert.moving = st == _UP or st == _DOWN
        vert.in_rep = st != _BOTTOM
        # A set's gentle motion is no gravity (Vertical), nor is that of the reps
        # before the set is announced (sessions 243, 301: their first reps' top holds
        # and lowering starts were learnt as gravity, some 10 mg off at the top).
        vert.in_set = self.in_set
        vert.reps = t_ms - self.t_rep < _REPS_NEAR
        av = vert.update(dt, ax, ay, az, gx, gy, gz)
        if vert.still:
            self.t_still = t_ms
        vel = self.vel
        v0 = self.v
        v = vel.update(dt, av, vert, self.in_set, self.in_set and st == _TOP, st == _UP)
        if vel.gap:
            # The lost samples across which the velocity jumped most, lately (_rom_gap).
            jump = (v - v0) >> 8
            if jump > self.j_gap or t_ms - self.t_gap > _GAP_KEEP:
                self.n_gap = self.ring.n  # (this sample's number once pushed)
                self.t_gap = t_ms
                self.j_gap = jump
            if st == _UP and ((v0 - v) >> 8) * _GAP_DROP > self.peak:
                self.up_gap = True  # samples lost in a rise, the velocity falling fast over them
        self.v = v
        if vel.corr:
            # The velocity over the samples lost before the last one was amended.
            self.ring.amend(vel.corr)
            self.vslow += vel.corr
        if vel.jump:
            # The pitch rate came into use: the history steps with the velocity, or a
            # backtrack would stop at the step (a rise's start placed at its confirmation).
            self.ring.shift(0, vel.jump)
            self.vslow += vel.jump
        vmm = v >> 8
        self.vslow += ((v - self.vslow) * dt) // _TAU_SLOW
        step = (v * dt) >> 8  # um
        self.ring.push(t_ms, vel.vr, v)
        rot = vert.rot
        self.rot_win += rot - (self.rot_win * dt) // 1000
        if vmm > 0:
            self.rise += step
            self.drop = 0
        else:
            self.drop -= step
            self.rise = 0
            self.n_fast = -1
        if self.rise > 1 << 24:
            self.rise = 1 << 24
        if self.drop > 1 << 24:
            self.drop = 1 << 24
        if self.state == _TOP or self.state == _DOWN:
            self.fall -= step  # < 2**28: two phases of <= 8 s at <= 16 m/s
        self._machine(t_ms, vmm)
        return self.ev.count

    def pack_next(self, buf, seq):
        """Pack the oldest pending event into buf (bytearray(protocol.MAX_RECORD)) with
        sequence number seq. Returns its length, 0 when no event is pending."""
        return self.ev.pack_next(buf, seq)

    def pending(self):
        """Number of events waiting for pack_next()."""
        return self.ev.count

    def end(self, t_ms):
        """End of data at t_ms (ms): finish a rep in progress and close an open set."""
        if self.bot_pend:
            self._settle(0)
        if self.state == _DOWN:
            self.state = _BOTTOM
            self._bottom(t_ms, self.ring.n)
        elif self.state == _UP or self.state == _TOP:
            self.state = _BOTTOM
        if self.in_set:
            self._set_end(P.END_REMOVED)
        return self.ev.count

    # ------------------------------------------------------------ phase machine
    @micropython.native
    def _machine(self, t, vmm):
        st = self.state
        if st == _BOTTOM:
            if self.bot_pend and t - self.bot_fire >= self.bot_wait:
                self._settle(0)  # no rise came: the lowering's own end stands
            if self.in_set and not self.bot_pend:
                if t - self.last_end > self.set_end_ms:
                    self._set_end(P.END_REST)
                elif self.rot_win > _ROT_REMOVED:
                    self._set_end(P.END_REMOVED)
            if self.bot_pend and vmm < 0 and self._lowering_after_bottom(t, vmm):
                return
            if not self.in_set and vmm < 0 and self.drop > _ROM_MAX * 1000 and self._unchanged(vmm):
                # Out of a set, fallen further than any hip thrust goes at a speed that
                # has not changed for 0.7 s: that is the velocity's drift (gravity off
                # after the bar was rolled onto the hips; the bar never rested to zero
                # it). Zero it, as a rise of that kind is: a first rep rising out of
                # -0.7 m/s never reached the speed that starts a set (session 446).
                self._drift()
                return
            rest = self.in_set and self.vert.still
            if rest or vmm > _CONF_MIN:  # (else neither test below can pass)
                self._rise_limits()
                conf = self.r_conf
                if rest and -conf < vmm < conf:
                    # Resting at a paused bottom, yet the velocity creeps: drift. Zero it.
                    dv = (self.v * self.dt) // _TAU_PAUSE
                    self.vel.rezero(-dv)
                    self.v -= dv
                    vmm = self.v >> 8
                if vmm > conf:
                    if self.n_fast < 0:
                        self.n_fast = self.ring.n - 1
                    self._try_rise(vmm)
        elif st == _UP:
            if self.vert.still and (vmm - self.r_base) * _CONF_DIV > self.peak - self.r_base:
                # The bar rests, yet the velocity still shows a good part of the rise's
                # speed (a stall shows little): that rise is drift. No rise. (Measured
                # from the velocity it left from: an offset the rise carried along is
                # still there at its top.)
                self._drift()
                return
            if vmm > self.peak:
                self.peak = vmm
            if self.rot_win > self.rot_up:
                self.rot_up = self.rot_win
            lvl = self._lvl(self.peak)
            # The top: the speed fell to the boundary level, or it stopped changing at a
            # low value (a hold whose velocity carries some drift: that value is zero).
            flat = self._flat(vmm, True)
            if self.first and t - self.b[0] > _CONC_MAX:
                self.state = _BOTTOM  # a slow creep, not the first rep of a set
                self.rise = 0
                return
            if (self.first and self.rise - self.rise0 > _ROM_FIRST_MAX * 1000
                    and self._unchanged(vmm)):
                # Risen further than any hip thrust, at a speed that has not changed
                # for 0.7 s: that "rise" is the velocity's drift (gravity off after the
                # bar rolled onto the hips). Zero it: the first rep may yet come. (Not
                # while the speed changes: the first rep may be rising on top of it.)
                self._drift()
                return
            if vmm <= lvl or flat or t - self.b[0] > _PHASE_MAX:
                base = vmm if flat and vmm > 0 else 0
                self.bn[1] = self._boundary(base, lvl, False, True)
                self.b[1] = self.t_b
                self._rezero(base, self.bn[1])
                self.state = _TOP
                self.fall = 0
                self.top_fixed = base != 0
                if not self._plausible():
                    # Lifting the pad, walking off, a knock: no rep, wait for the next rise.
                    self.state = _BOTTOM
                    self.rise = 0
                    return
                self.t_rep = t
                if not self.first:
                    self._phase(P.PH_TOP, self.t_b)
                if self.ref_up == 0:
                    self.ref_up = self.peak
                else:
                    self.ref_up += (self.peak - self.ref_up) >> 2
                if self.rot_ref == 0:
                    self.rot_ref = self.rot_up
                else:
                    self.rot_ref += (self.rot_up - self.rot_ref) >> 2
                # What confirms the next rise, for the whole of the top (nothing it
                # depends on changes there).
                self._rise_limits()
        elif st == _TOP:
            if self._missed_lowering(t, vmm):
                return
            if self.first and vmm > self.r_conf:
                # Before a set, a rise from the "top" of a rise that turned the pad over
                # (far beyond a rep's pitch on the arc): that was the bar rolled up onto
                # the hips, no rep. This is the rise.
                if self.vert.net_turn() > 2 * TURN_FIRST and self._try_rise(vmm):
                    return
            if 0 < vmm and vmm * 2 < self.r_conf:
                # The hips are at lockout: the bar cannot rise further. A slow rise here
                # is gravity misjudged at this angle (drift): zero it. So too with the
                # pitch rate in use: the fused velocity keeps the accelerometer's quick
                # changes (over 0.6 s), and with them gravity's error at this angle (a
                # set's first top, 35 mg off: +0.15 m/s within a 1.1 s hold, then read
                # as the next rise, set 15157).
                dv = (self.v * self.dt) // _TAU_TOP
                if dv > _TOP_DRIFT * self.dt:
                    # (No faster than drift builds up: a rise that had only stalled
                    # speeds up faster, and is not held down here.)
                    dv = _TOP_DRIFT * self.dt
                self.vel.rezero(-dv)
                self.v -= dv
                vmm = self.v >> 8
            if t - self.b[1] < _OFFSET_WIN and vmm < 0 and not self.top_fixed:
                # Straight from the rise onto a steady, slow fall: no lowering starts
                # like that (it starts from rest). It is what the rise's integration
                # left over: zero it (it would pass for an eccentric otherwise).
                steady = self._steady(vmm - (self.vslow >> 8)) and -vmm * 5 <= self.peak
                quick = False
                if (not steady and t - self.b[1] < _OFFSET_QUICK and vmm < -_CONF_ECC
                        and not (self.vel.fused and self.vel.vg * 2 < vmm)):
                    # Steady already, however fast, so soon after the top (over the
                    # last _FLAT_MS: the slow mean still lags): a lowering is still
                    # speeding up then. Samples lost at a quick rise's push leave that.
                    # (The slow test may still find a drift left after it.) Not where
                    # the pitch rate, in use, shows the fall itself (lost samples do
                    # not offset a rate): the top was found late, the lowering is real.
                    steady = quick = self._steady(vmm - (self.ring.value_before(_FLAT_MS) >> 8))
                if steady:
                    self._rom_gap()
                    self._rezero(vmm, self.bn[1])
                    self.top_fixed = not quick
                    vmm = 0
            # A lowering may be far slower than the rise: a lower floor of its speed.
            conf = self.ref_down // _CONF_DIV
            if conf < _CONF_ECC:
                conf = _CONF_ECC
            need = self.ref_rom * 15 // 100
            if need < _DROP_MIN:
                need = _DROP_MIN
            # A slow lowering of a small range may never reach that speed: the bar
            # having come down half its rise, still moving down, is a lowering too.
            slow = vmm < -_LVL_MIN and self.fall > self.rom * 500 and self.fall > _DROP_MIN * 1000
            if ((vmm < -conf and self.drop > need * 1000) or slow
                    or t - self.b[1] > _PHASE_MAX):
                lvl = self._lvl(self.ref_down if self.ref_down else self.ref_up)
                # The hold's own velocity (a little drift), if it showed one, is where
                # the lowering starts from (as a rise starts from the bottom's).
                base = self.ring.value_before(_RISE_MAX) >> 8
                if base > 0 and self.t_still > self.b[1] and t - self.t_still > _FLAT_MS:
                    # Still drifting up then, but the bar came to rest in the hold: its
                    # velocity there, just before it left, is the lowering's base.
                    base = self.ring.value_before(t - self.t_still + _FLAT_MS) >> 8
                if base > 0 or base * 2 < -conf:
                    base = 0
                n = self._boundary(base, -lvl, False, False, -1, self.vel.fused)
                tb = self.t_b
                if tb < self.b[1]:
                    tb = self.b[1]
                self._rom_again(tb)
                self._start_lowering(n, tb, vmm)
        else:  # _DOWN
            if -vmm > self.peak:
                self.peak = -vmm
                self.n_pk = self.ring.n - 1
            lvl = self._lvl(self.peak)
            flat = self._flat(-vmm, False)
            if vmm >= -lvl or flat or t - self.b[2] > _PHASE_MAX:
                if self.ref_down == 0:
                    self.ref_down = self.peak
                else:
                    self.ref_down += (self.peak - self.ref_down) >> 2
                base = vmm if flat and vmm < 0 else 0
                n = self._boundary(base, -lvl, True, True)
                self._rezero(base, n)
                self.bot_e0 = self._place_lowering(n)
                self.state = _BOTTOM
                # Reported as a phase now; the rep waits: if the next rise follows at
                # once (touch-and-go), its start places the bottom better (_settle).
                if not self.first:
                    self._phase(P.PH_BOTTOM, self.t_b)
                self.bot_pend = True
                self.bot_t = self.t_b
                self.bot_n = n
                self.bot_fire = t
                self.bot_lvl = -1 if base else lvl
                # A slow lowering's end is found the earlier, the longer it took: up to
                # 2 s early after 4-6 s down. It waits for the next rise 0.6 of that long
                # (1.5-3 s). (A real pause after such a lowering, shorter than the wait,
                # is then read as none: the bottom moves to the rise.)
                w = (t - self.b[2]) * 6 // 10
                self.bot_wait = w if w > _BOT_WAIT else _BOT_WAIT
                if self.bot_wait > _BOT_WAIT_MAX:
                    self.bot_wait = _BOT_WAIT_MAX
                if self.vert.still and self.fall * 3 < self.rom * 1000:
                    # At rest a third of the rise down at most: the hold's velocity
                    # drifted down (gravity off at the top's angle; most of all in a
                    # set's first rep, nothing corrected yet) and the bar is still up
                    # there. Its real lowering may come seconds later: wait for it
                    # (_lowering_after_bottom).
                    self.bot_wait = _DRIFT_WAIT

    def _settle(self, t_rise):
        # Report the rep whose bottom waited; t_rise (ms; 0: none): the start of a rise
        # that followed within the wait. The lowering's own measures still end where
        # it was found. Its end is where its deceleration levelled off (_level_end),
        # when that shows before the rise. Else: the end of a lowering is where the
        # velocity's drift is largest, so its level crossing came early; a rise that
        # follows within _BOT_WAIT (touch-and-go) starts at the true turnaround. Within
        # _BOT_GAP of the found end, the bar paused there.
        # A rise soon after the found end (touch-and-go) starts after the touch at the
        # bottom, though, and the deceleration drawn on stops a little early (drift at
        # the lowering's end): the bottom is placed midway between the two. A rise
        # that came later than _BOT_NEAR after the found end (a slow lowering's is
        # found early, its gentle end comes later than its steep part would have it;
        # or drift hid a lowering's end) is nearer the turnaround: a quarter of the
        # way back from it.
        self.bot_pend = False
        te = self._level_end(t_rise)
        if te > 0:
            self.bot_t = te if te > self.b[2] else self.b[2]
            self._bottom(self.bot_t, self.bot_n, False)
            return
        e0 = self.bot_e0
        if t_rise > self.bot_t + _BOT_NEAR and 0 < e0 < self.bot_t + _BOT_GAP:
            # A rise long after the found end, while the lowering's deceleration had
            # stopped by then: the bar paused there (for 1-1.5 s, within the wait).
            t_rise = 0
        if t_rise > self.bot_t + _BOT_GAP:
            near = t_rise - self.bot_t < _BOT_NEAR
            self.bot_t = t_rise
            if 0 < e0 < t_rise:
                # (No sum of two times: < 2**30.)
                t = t_rise - ((t_rise - e0) >> (1 if near else 2))
                self.bot_t = t if t > self.b[2] else self.b[2]
            elif e0 >= t_rise:
                # The deceleration, drawn on, stops after the rise set off: it tells
                # nothing here, and the rise's start lags the turnaround.
                self.bot_t = t_rise - _BOT_LAG
        elif t_rise == 0 and self.bot_lvl > 0:
            self._pause_offset()
        if t_rise == 0 and not self.first and e0 > self.bot_t:
            # No rise came, and the lowering's deceleration had not stopped where its
            # end was found (a slow lowering's end comes up through the level early,
            # on drift): it ended no earlier than that stop. (Not before a set: the
            # bottom of a rep that waits for a second one decides whether they pair.)
            self.bot_t = e0
        self._bottom(self.bot_t, self.bot_n, False)

    def _level_end(self, t_rise):
        # Where the lowering's steep deceleration, drawn on, meets the velocity it
        # levelled off at (ms; 0: unknown, or not before the next rise's start t_rise,
        # ms, or now when none came, t_rise 0): that velocity is its highest between its
        # peak speed and t_rise, or _LEVEL_WIN after the end was found. The bottom's
        # velocity carries the lowering's drift (+30 mm/s typically): drawn on to zero,
        # or walked back to a level, the end came 0.1-0.3 s early (and a rise 0.2-0.4 s
        # later moved it halfway there, late). Not for a slow lowering: its
        # deceleration is hardly faster than the drift, and drawn on may stop seconds
        # early.
        ring = self.ring
        k = self.n_pk
        if k <= ring.oldest() or self.peak < _CONF_ECC or self.bot_fire - self.b[2] > _STEEP_MAX:
            return 0
        n1 = ring.index_at(t_rise if t_rise > 0 else self.bot_fire + _LEVEL_WIN)
        if n1 <= k:
            return 0
        # (Its peak speed as the history now holds it, not as measured: the pitch rate
        # coming into use since shifts the history, 52 mm/s in session 5, and levels
        # the history never reaches let the walk run on back into the hold.)
        pk = ring.detected(k) >> 8
        k = ring.fastest(k, n1)
        if pk >= ring.peak:
            return 0
        te = self._steep_zero(k, True, ring.peak, pk)
        return te if te < (t_rise if t_rise > 0 else self.t_prev) else 0

    def _pause_offset(self):
        # The bar paused at the bottom. Where the lowering's velocity came up past its
        # level and settled a little above zero, that was offset (the accelerometer's
        # gravity is off at the bottom's pitch), and the level was crossed early: walk
        # again from the pause, its offset as the base. (The rest pulls it to zero
        # later: its mean just after the find.)
        ring = self.ring
        n0 = ring.index_at(self.bot_fire + _PAUSE_FROM)
        n1 = ring.index_at(self.bot_fire + _PAUSE_TO)
        if n0 <= ring.oldest() or n1 <= n0:
            return
        base = ring.mean(n0, n1)
        lvl = self.bot_lvl
        if 0 < base < 4 * lvl:
            ring.boundary(base, -lvl, True, True, n1)
            if ring.t_cross > self.bot_t:
                self.bot_t = ring.t_cross

    def _lowering_after_bottom(self, t, vmm):
        # The bar cannot go lower than the bottom. A lowering much faster than the one
        # just found, while its bottom waits, or one that has come down a tenth of the
        # rise after the one found came down under two thirds of it: that "lowering"
        # was the velocity's drift in the hold (gravity off at the top's angle), and
        # this is the real one. The eccentric starts again from here. Returns whether
        # it did.
        conf = self.ref_down // _CONF_DIV
        if conf < _CONF_ECC:
            conf = _CONF_ECC
        if vmm >= -conf:
            return False
        if -vmm < 2 * self.peak and not (self.fall * 3 < self.rom * 2000
                                         and self.drop > self.rom * 100):
            return False
        lvl = self._lvl(self.ref_down)
        n = self._boundary(0, -lvl, False, False, -1, self.vel.fused)
        tb = self.t_b
        if tb < self.bot_t:
            tb = self.bot_t
            n = self.ring.index_at(tb)
        self.bot_pend = False
        self._start_lowering(n, tb, vmm)
        return True

    def _rom_again(self, tb):
        # The lowering has begun (at tb, ms): measure the rise's range again to where its
        # measuring velocity came back to its start value within _ROM_LATE after the
        # found top.
        # (A top found a little early, on drift in the detection velocity, while the
        # bar still rose, ended the detrend there and cut the range short: the set's
        # first rep read 0.89 of it and a partial after it passed for full.) Never less
        # than measured at the top; not where the rise's start shows a speed (a start
        # placed while the bar still went down: the end found from it read partials of
        # touch-and-go sets 1.5 times long).
        ring = self.ring
        n0 = ring.index_at(self.b[0])
        if n0 <= ring.oldest():
            return
        v0 = ring.measured(n0) >> 8
        lim = self.cpeak // _ROM_REST
        # (In a touch-and-go set the measuring velocity, never zeroed at a rest, carries
        # an offset: there the detection velocity tells a start at rest, where the
        # lowering did not start inside the window, set 13111. An offset upwards at
        # the start is no lowering before it either: the detection velocity, fused
        # with the pitch rate, may carry one too, set 13031.)
        if not -lim < v0 < lim and not (tb >= self.b[1] + _ROM_LATE and (
                v0 > 0 or -lim < ring.detected(n0) >> 8 < lim)):
            return  # its start was no rest (placed in the lowering before): no end to find
        n1 = ring.index_at(self.b[1])
        te = self.b[1] + _ROM_LATE
        n2 = ring.stop_after(n0, n1, ring.index_at(te))
        if n2 <= n1:
            # Below its start value already at the found top: the velocity drifted
            # down over the rise (gravity off at the top's angle), while the bar still
            # slowed. The rise ended where that deceleration did (not after the
            # lowering's start): a stalled grind's top found 37 ms early read 0.185 m
            # of 0.24, set 17194, and a partial after it passed for full.
            n2 = ring.levels_off(n1, ring.index_at(te if te < tb else tb), _TOP_SETTLE)
        if n2 > n1:
            rom = ring.integrate(n0, n2) // 1000
            if rom > self.rom:
                self.rom = rom

    def _rom_gap(self):
        # The velocity after the top settled on an offset. Where samples were lost in
        # the rise (n_gap: the first after them), in its push, the accelerometer's
        # integral could not restore what happened inside the gap: the measuring
        # velocity lost that much there and kept the loss; the top was found early, and
        # the range read short (0.086 m of 0.126: a full rep passed for partial, set
        # 15092). Measure it again with the loss added back from the gap on, up to
        # where the velocity so corrected comes down to zero (never less than before).
        ring = self.ring
        n0 = self.bn[0]
        ng = self.n_gap
        if not n0 < ng <= self.bn[1] or n0 <= ring.oldest():
            return
        nw = ring.n - 1
        v0 = ring.measured(n0) >> 8
        loss = v0 - (ring.measured(nw) >> 8)
        if loss * _GAP_DROP < self.cpeak or self.j_gap < loss:
            # (Under a quarter of the rise's peak speed, or more than the velocity jumped
            # across the gap: drift, not the gap's.)
            return
        n2 = ring.stop_after(nw, self.bn[1])
        t0 = ring.time(n0)
        t2 = ring.time(n2)
        rom = (ring.integrate(n0, n2, False, False) - v0 * (t2 - t0)
               + loss * (t2 - ring.time(ng))) // 1000
        if rom > self.rom:
            self.rom = rom

    def _start_lowering(self, n, tb, vmm):
        # A lowering begins at tb (ms; ring sample n); vmm: the velocity now (mm/s).
        self.bn[2] = n
        self.b[2] = tb
        self.peak = -vmm
        self.n_pk = self.ring.n - 1
        self.state = _DOWN
        if not self.first:
            self._phase(P.PH_ECCENTRIC, tb)

    def _steep_zero(self, k, above, b, pk):
        # The time (ms) where a phase's steep part, drawn on, meets the velocity b (mm/s,
        # signed: what the estimate shows for rest there, 0 or a drift or creep); pk:
        # its peak velocity (mm/s, signed: negative for a lowering). Walking back from
        # ring sample k (its peak; or, above, a lowering's end, its speed under these
        # levels), it crossed 5/6 and 1/3 of the way from b to pk; b is reached that
        # gap again beyond the 1/3 crossing (as a smooth start from rest, or stop, has
        # it, give or take the detection's own lag). (A tolerance of the whole peak:
        # only the level crossings stop the walks.)
        ring = self.ring
        h = pk - b
        if h < 0:
            h = -h
            l5 = b - (h * 5) // 6
            l3 = b - h // 3
        else:
            l5 = b + (h * 5) // 6
            l3 = b + h // 3
        tol = pk if pk > 0 else -pk
        ring.cross(l5 << 8, above, tol << 8, k)
        th = ring.t_cross
        ring.cross(l3 << 8, above, tol << 8, k)
        return ring.t_cross + (ring.t_cross - th)

    def _place_lowering(self, n):
        # The lowering has ended (found at ring sample n): place its start again, from
        # its steep part, and return where its steep deceleration, drawn on, comes to
        # a stop (ms; 0: unknown, its peak no longer held or too slow to tell).
        # The walk back from where it was confirmed went through whatever the
        # velocity did before it: drift in the hold (gravity a little off at the top's
        # angle) passed for the lowering's start, seconds early, and a slow lowering's
        # gentle start, hardly off zero, was found late. Its steep part, from its peak
        # speed back, drawn on to zero speed is the start (never before the top).
        ring = self.ring
        k = self.n_pk
        if k < ring.oldest() or self.peak < _CONF_ECC:
            return 0
        if k > self.bn[1]:
            self._lowering_start(k)
        return self._steep_zero(n, True, 0, -self.peak)

    def _lowering_start(self, k):
        # (_place_lowering's first part; k: ring sample of the lowering's peak speed.)
        ring = self.ring
        t0 = self._steep_zero(k, False, 0, -self.peak)
        if self.t_b - t0 > _SLOW_LOWER:
            # A slow lowering's speed is hardly above the drift: its gentle start was
            # found late by the walk back, and the steep part's low crossing comes
            # early (drift in the hold bends it). Midway between the two.
            t0 += (self.b[2] - t0) >> 1
        else:
            # The hold's velocity may have drifted (gravity off at the top's angle):
            # measured from zero, the steep part is then drawn back into that drift,
            # early (or late when it drifted up). Where the hold showed more than an
            # eighth of the peak, just before the start so found, the steep part is
            # measured from that velocity instead.
            tb = t0 - _BASE_BACK
            if tb < self.b[1]:
                tb = self.b[1]
            b = ring.value_before(self.t_prev - tb) >> 8
            lim = self.peak // 2
            if b > lim:
                b = lim
            elif b < -lim:
                b = -lim
            if b * 8 < -self.peak or b * 8 > self.peak:
                t0 = self._steep_zero(k, False, b, -self.peak)
        if t0 < self.b[1]:
            t0 = self.b[1]
        self.b[2] = t0
        self.bn[2] = ring.index_at(t0)

    def _missed_lowering(self, t, vmm):
        # A rise while the bar is at the top cannot be: the bar is already as high as
        # the hips go. Either the lowering in between was too slow to be seen (drift
        # or a rest pull ate it): place it from the history, close the rep, start the
        # rise. Or there was none: the "top" was a stall (a grind stops at its
        # sticking point, then drives on to lockout), and the concentric goes on.
        # (r_conf, r_need: set as the top was reached.)
        if vmm <= self.r_conf:
            return False
        need = self.r_need
        if t - self.b[1] < _STALL_MAX:
            # Soon after the top: it may have been a stall, and what is left of the
            # rise after it a short way (a third of the rise so far will do).
            need = self.rom // 3
            if need < _DROP_MIN:
                need = _DROP_MIN
            if need > self.r_need:
                need = self.r_need
        if self.rise <= need * 1000:
            return False
        ring = self.ring
        # The velocity the rise left from: not before the top (after a stall the rise
        # goes on within a fraction of a second).
        age = t - self.b[1]
        if age > _RISE_MAX:
            age = _RISE_MAX
        n = self._rise_boundary(ring.value_before(age) >> 8, self._lvl(self.ref_up))
        tb = self.t_b
        n1 = self.bn[1]
        if tb - self.b[1] <= _STALL_MAX and not (self.first
                                                and self.vert.net_turn() > 2 * TURN_FIRST):
            # Soon after the top (a missed lowering is a slow one), no lowering of a
            # rep's size in between: that was a stall. Judged on the detection
            # velocity, whose offsets at the top were zeroed there, up to where the
            # rise set off (no detrend: the rise's end sample is no rest). (Before a
            # set, a rise from the top of one that turned the pad over is the bar
            # rolled onto the hips and then the rise: _machine sees to it.)
            if tb > self.b[1]:
                ring.integrate(n1, n - 1, True, False)
            if tb <= self.b[1] or ring.low * -10 < self.rom * 4000:
                self.state = _UP
                if not self.first:
                    self._phase(P.PH_CONCENTRIC, self.b[1])
                return True
        if tb <= self.b[1]:
            return False
        if ring.fall_start(n1, n, _FALL_FRAC) * 10 >= self.rom * 4:
            te = ring.t_fall  # where the lowering began
            ne = ring.n_fall
        else:
            # No lowering of a rep's size in between: not a missed rep. Unless the top
            # was long ago and this rise is half a rep's or more: the bar cannot rise
            # that far above the hips' lockout (a lowering far slower than any drift,
            # eaten by it). Its start: midway.
            if tb - self.b[1] < _LONG_TOP or self.rise < self.rom * 500:
                return False
            te = self.b[1] + ((tb - self.b[1]) >> 1)
            ne = ring.index_at(te)
        if t - self.b[1] < CYCLE_MIN:
            return False
        self.bn[2] = ne
        self.b[2] = te
        if not self.first:
            self._phase(P.PH_ECCENTRIC, te)
        self.fall = self.rom * 1000
        self._bottom(tb, n)
        self.t_b = tb
        self._start_rise(n, vmm, 0)  # the rise that gave the lowering away
        return True

    def _try_rise(self, vmm):
        # A rise is confirmed (self.r_conf, self.r_need set by _rise_limits): place its
        # start and begin it. Returns whether it began. vmm: velocity now, mm/s.
        # Not while the pad turns about the vertical (walking with it): in a set only
        # fast (30 deg/s: the vertical drifts a little off over a set, and the reps'
        # pitch then reads as up to 16 deg/s about it).
        conf = self.r_conf
        if (vmm <= conf or self.rise <= self.r_need * 1000 or self.rot_win >= _ROT_ROLL
                or self.vert.yaw >= (3 * _YAW_WALK if self.in_set else _YAW_WALK)):
            return False
        # The velocity the rise left from: 0.7 s back, or where the bar last rested if
        # later (the velocity before that rest was drift, zeroed there: no creep that
        # this rise carries on).
        age = self.t_prev - self.t_still
        if age > _RISE_MAX:
            age = _RISE_MAX
        before = self.ring.value_before(age) >> 8
        if (not (self.in_set or self.pend or self.bot_pend)
                and self.ring.value_before(_RISE_MAX) >> 8 < -_FALL_FAST):
            # A set starts from a dead stop: a "rise" 0.7 s after a fast fall, with no
            # rep before it, is the pad put down (after walking with it), its velocity
            # overshooting as it stopped.
            return False
        if vmm - before < conf:
            # A slow creep up (drift while resting) is no rise: start over.
            self.rise = 0
            self.n_fast = -1
            return False
        if self.bot_pend and age > self.t_prev - self.bot_fire:
            # Before the lowering's end was found, within those 0.7 s: touch-and-go,
            # the rise leaves from the turnaround, zero (0.7 s back lies in the last
            # lowering, or in a quick rep's rise before it).
            before = 0
        elif self.in_set:
            # A rise leaves from the lowest the velocity came to in that time: 0.7 s
            # back may lie in a quick rise before it (a partial rep not taken for one:
            # its speed was this rise's "offset", the start placed late, set 7069).
            # (That lowest takes in the sample 0.7 s back: never above it.)
            before = self.ring.lowest(age) >> 8
        # The rise is placed from a tenth of the usual peak speed (of the reps seen so
        # far, in a set or before one): the pad on the pelvis drifts up a little before
        # the hips drive, and a lowering's end carries drift.
        # No rep seen yet: a twentieth of its speed now (the floor alone walked a first
        # rise back through any slow drift before it).
        lvl = self.ref_up // _START_DIV if self.ref_up else vmm // _START_NEW
        if lvl < _LVL_MIN:
            lvl = _LVL_MIN
        # In a set a slow rise (a grind) may wobble after it first went that fast,
        # while its height confirms it: the walk back may start from there. (Out of
        # a set a rise must be quick from its start: walking steps are slow ones.)
        n = self._rise_boundary(before, lvl, self.n_fast if self.in_set else -1)
        if self.bot_pend:
            self._settle(self.t_b)
        self._start_rise(n, vmm, before if before > 0 else 0)
        return True

    def _rise_limits(self):
        # The speed (self.r_conf, mm/s) and height (self.r_need, mm) that confirm a rise:
        # relative to the set's own reps inside a set, stricter out of one (the velocity
        # may carry drift there).
        conf = self.ref_up // _CONF_DIV
        if conf < _CONF_MIN:
            conf = _CONF_MIN
        if self.in_set:
            need = self.ref_rom * _ROM_FRAC // 100
            if need < ROM_MIN:
                need = ROM_MIN
        else:
            need = ROM_SET
            if conf < _CONF_FIRST:
                conf = _CONF_FIRST
        self.r_conf = conf
        self.r_need = need

    def _rise_boundary(self, before, lvl, k0=-1):
        # Backtracked start of a rise (sets self.t_b, ms; returns its ring sample). It
        # starts from whatever velocity (mm/s) the estimate showed just before it, if
        # upward (an offset not yet learnt, drift over a paused bottom, or the drift
        # that hid a slow lowering), not from zero: else the start is backtracked into
        # that drift. Never before the bar last rested, so drift over a paused bottom
        # cannot carry it back.
        base = before if before > 0 else 0
        n = self._boundary(base, lvl, True, False, k0)
        if self.t_b < self.t_still:
            self.t_b = self.t_still
            n = self.ring.index_at(self.t_still)
        return n

    def _start_rise(self, n, vmm, base):
        # A rise begins at self.t_b (ring sample n), from the velocity base (mm/s, an
        # offset it carries along; 0: none). The first rise of a set is only
        # announced once it has proved to be a hip thrust (at its top); inside a set a
        # rise is announced at once.
        self.b[0] = self.t_b
        self.bn[0] = n
        self.rise0 = self.rise
        self.r_base = base
        self.up_gap = False
        self.vert.clear_turn()
        self.peak = vmm
        self.rot_up = self.rot_win
        self.state = _UP
        self.first = not self.in_set
        if not self.first:
            self._phase(P.PH_CONCENTRIC, self.t_b)

    def _plausible(self):
        # A finished rise is a hip thrust's concentric only with the range, duration
        # and speed the lift allows (bar on the hips: 0.1-0.4 m, slower than 3 m/s).
        # Concentric figures from the ring, drift removed by a linear detrend; taken
        # now, while the ring still holds the whole rise.
        ring = self.ring
        if self.first:
            self._creep_start()
            if self.vert.net_turn() > 2 * TURN_FIRST:
                # The pad turned over on the way up: the bar rolled onto the hips. What
                # rose before it was not on them: no first rep waits to pair with the
                # next (set 3103: the end of a walk, 7 s before the set, its first rep).
                self._none_waits()
        n0 = ring.index_at(self.b[0])
        # The detrend takes both ends as rest: end it where the velocity is back at
        # zero (a rushed rep's top, placed a little early, still rises fast).
        n1 = ring.stop_after(n0, ring.index_at(self.b[1]))
        rom = ring.integrate(n0, n1) // 1000
        dur = self.b[1] - self.b[0]
        peak = ring.peak
        self.rom = rom
        self.cpeak = peak
        if peak > _PEAK_MAX or peak < _PEAK_MIN:
            return False
        if dur < _CONC_MIN and (not self.in_set or rom * 5 < self.ref_rom):
            # Too short for a rise: a knock. Not in a set where it rose a fifth of the
            # set's range: a grind's first push before it stalls (0.13 s in session
            # 236; the rest of the rise was read as a partial rep from the stall).
            return False
        if rom > _ROM_MAX and (self.first or rom * 10 > self.ref_rom * _ROM_OVER
                               or not self.ref_up < peak * 2 < self.ref_up * 3):
            # Further than a hip thrust goes, unless in a set, at its reps' speed and
            # not far beyond their range (the range read long: gravity off at an angle).
            return False
        if self.first:
            self.tu_n = 0
            # A set's first rep is its quickest: a loaded hip thrust that completes
            # averages 0.15 m/s or more on the way up. Slower before a set is handling.
            return ROM_SET <= rom <= _ROM_FIRST_MAX and rom * 1000 >= dur * _MEAN_FIRST
        if self.in_set and (self.vert.net_turn() > 2 * TURN_FIRST
                            or (self.rot_up > _ROT_OFF
                                and self.rot_up > self.rot_ref * _ROT_OVER)):
            # The bar rolled off the hips, setting it down: the pad turned over on the way
            # up (a rep's rise pitches it 1.5 rad at most, summed over its axes), or
            # turned far faster than in the set's reps, which pitch it with the arc the
            # same way each time (set 5036: 2.5 rad/s against 0.8, read as a 0.15 m rep).
            return False
        # Each rep's top leaves the pad where the set's others did (the hips locked out,
        # the bar on them): within 29 degrees of their mean in 200 simulated sessions
        # (5114 reps), 15 in 99 reps of 100. The pad picked up (walking off with it
        # after the set, before its rest ended it) is left turned any way (40-180
        # degrees: 14 such "reps" counted in those sessions).
        up = self.vert.up
        a0 = up[0] >> 8  # mg
        a1 = up[1] >> 8
        a2 = up[2] >> 8
        if self.tu_n:
            # mg/32: |up| is kept near 1 g (31 units), the products below < 2**27
            t0 = self.tu0 >> 5
            t1 = self.tu1 >> 5
            t2 = self.tu2 >> 5
            b0 = a0 >> 5
            b1 = a1 >> 5
            b2 = a2 >> 5
            d = b0 * t0 + b1 * t1 + b2 * t2
            if d <= 0 or d * d * 100 < (b0 * b0 + b1 * b1 + b2 * b2) * (
                    t0 * t0 + t1 * t1 + t2 * t2) * _TOP_COS2:
                return False
        # In a set the hips cannot rise above their lockout: a rise far beyond the
        # set's full range is the bar lifted off them (setting it down), no rep. Unless
        # it rose at the set's own speed (peak within 0.5-1.5 of theirs): then the
        # set's range was read short (its first reps), and this is a rep.
        if (self.ref_rom and rom * 10 > self.ref_rom * _ROM_OVER
                and not self.ref_up < peak * 2 < self.ref_up * 3):
            return False
        if self.tu_n:
            self.tu0 += (a0 - self.tu0) >> 2
            self.tu1 += (a1 - self.tu1) >> 2
            self.tu2 += (a2 - self.tu2) >> 2
        else:
            self.tu0 = a0
            self.tu1 = a1
            self.tu2 = a2
            self.tu_n = 1
        return True

    def _creep_start(self):
        # A first rise may have set off from a slow creep (drift: gravity not yet learnt
        # where the bar was rolled on): its start, walked back through the creep, comes
        # seconds early. Its steep part, drawn back to the creep's own velocity, is the
        # start where the velocity showed a creep (over an eighth of the peak) there.
        ring = self.ring
        n0 = ring.index_at(self.b[0])
        n1 = ring.index_at(self.b[1])
        kp = ring.fastest(n0, n1)
        pk = ring.peak
        if pk < _PEAK_MIN:
            return
        t0 = self._steep_zero(kp, True, 0, pk)
        if t0 - self.b[0] < _CREEP_MS:
            return
        b = ring.value_before(self.t_prev - t0 + _BASE_BACK) >> 8
        if b * 8 > pk and b * 2 < pk:
            t0 = self._steep_zero(kp, True, b, pk)
            nt = ring.index_at(t0)
            # A creep is far slower than the rise out of it (a grind's slow start, or
            # its drive before a stall, is not: measured, 1-1.6 times against 4-5).
            if t0 - self.b[0] > _CREEP_MS and ring.mean(n0, nt) * 3 < ring.mean(nt, n1):
                self.b[0] = t0
                self.bn[0] = nt

    def _flat(self, v, up):
        # Low speed (under 1/5 of the phase's peak) that has stopped changing. v in the
        # phase's direction (mm/s, positive along it): up for a rise.
        peak = self.peak
        lost = False
        if up:
            # (Measured from the velocity the rise left from: an offset it carried
            # along, gravity not yet learnt, is still there at its top.)
            peak -= self.r_base
            if (v - self.r_base) * 5 > peak:
                # Faster than a top's drift. Unless samples were lost as the rise
                # slowed, the velocity falling fast across the gap: a quick push's
                # stop may have been in it (the accelerometer saw neither its hardest
                # braking nor the stop; the velocity kept half its peak). If it then
                # stops changing, that was the top (judged over the last _FLAT_MS
                # only: the slow mean lags a quick rise and may sit near any value).
                if not self.up_gap or (v - self.r_base) * 5 >= peak * _GAP_TOP:
                    return False
                lost = True
        elif v * 5 > peak or v * 8 < -peak:
            return False
        w = self.vslow >> 8
        if not lost and self._steady(v - w if up else v + w):
            return True
        if not up:
            return False
        # A top, also over the last _FLAT_MS only: a rushed rep's top is brief. (Not
        # a bottom: the slow end of a slow lowering would pass for one.)
        return self._steady(v - (self.ring.value_before(_FLAT_MS) >> 8))

    def _steady(self, d):
        # A change of the velocity (d, mm/s: from a recent mean or value) small enough
        # to call it steady: under 1/40 of the phase's peak speed, 6 mm/s at least.
        tol = self.peak // 40
        if tol < 6:
            tol = 6
        return -tol < d < tol

    def _unchanged(self, v):
        # The velocity now (v, mm/s) has not changed for 0.7 s: steady against both its
        # slow mean and its value _RISE_MAX back.
        return (self._steady(v - (self.vslow >> 8))
                and self._steady(v - (self.ring.value_before(_RISE_MAX) >> 8)))

    def _drift(self):
        # The rise (or, out of a set, the fall) in progress was the velocity's drift:
        # zero it; nothing rose or fell.
        self.vel.rezero(-self.v)
        self.v = 0
        self.vslow = 0
        self.state = _BOTTOM
        self.rise = 0
        self.drop = 0

    def _rezero(self, base, n):
        # The velocity was zero from sample n on: what is left there is drift.
        if base != 0:
            self.vel.rezero(-(base << 8))
            self.v -= base << 8
            self.vslow -= base << 8
            self.ring.shift(n, -(base << 8))

    def _boundary(self, base, lvl, now_above, ending, k0=-1, steady=False):
        # Backtracked boundary (ring.VelocityRing.boundary, k0 and steady there): sets
        # self.t_b (ms), returns the ring sample number at the first crossing.
        n = self.ring.boundary(base, lvl, now_above, ending, k0, steady)
        self.t_b = self.ring.t_cross
        return n

    def _lvl(self, ref):
        lvl = ref // _LVL_DIV
        return lvl if lvl > _LVL_MIN else _LVL_MIN
