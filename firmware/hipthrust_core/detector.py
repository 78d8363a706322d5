"""The rep detector: IMU samples in, protocol event records out. Integers only.

    from hipthrust_core.detector import Detector
    det = Detector(set_end_ms=20000)
    buf = bytearray(protocol.MAX_RECORD)
    if det.feed(t_ms, ax, ay, az, gx, gy, gz):     # ms, mg, 0.1 deg/s
        n = det.pack_next(buf, seq)                # one record, 0 when none is left
    det.end(t_ms)                                  # end of data: close an open set

Pipeline per sample: vertical acceleration (vertical.Vertical) -> velocity by
integration (mm/s) -> phase state machine on that velocity with thresholds
relative to the set's own reps -> events in a preallocated queue (events.Events).

Velocity drift is the hard part: real sets are touch-and-go, the bar is hardly
ever still between reps. Drift is removed in three ways: while the bar is still
the velocity is zero (and the residual teaches the bias); at every bottom the
bar has come back to the height of the previous bottom, so the displacement of
the whole cycle must be zero, which gives the bias ramp over the cycle (also
used to correct that rep's figures); and each phase boundary is placed by
backtracking through a short history ring to where the velocity crossed a small
level, not where the confirming threshold was crossed.

Fixed point: velocity in mm/s * 256, vertical acceleration and bias in mg/16,
displacement in um, time in ms. Every intermediate stays below 2**30 in
magnitude, and feed() allocates nothing on MicroPython.
"""

from array import array

from hipthrust_core import protocol as P
from hipthrust_core.compat import const
from hipthrust_core.events import Events
from hipthrust_core.pitch import TAU_HP, PitchVelocity
from hipthrust_core.ring import VelocityRing
from hipthrust_core.vertical import Vertical

# States of the phase machine.
_BOTTOM = const(0)  # at the bottom (or idle): waiting for a concentric
_UP = const(1)  # concentric in progress
_TOP = const(2)  # top reached: hold, waiting for the eccentric
_DOWN = const(3)  # eccentric in progress

# Thresholds (mm/s, mm, ms). Relative ones scale with the set's own reps.
_LVL_MIN = const(10)  # mm/s: boundary level floor (the speed where a phase starts/ends)
_LVL_DIV = const(25)  # boundary level = reference peak speed / this (4 %)
_CONF_MIN = const(45)  # mm/s: speed that confirms a phase, floor
_CONF_DIV = const(5)  # confirming speed = reference peak / this
_ROM_SET = const(60)  # mm: concentric rise that starts a set (walking bobs ~30 mm)
_ROM_MAX = const(480)  # mm: more than this is the pad lifted off, not a rep
_ROM_FIRST_MAX = const(480)  # mm: ... for the rise that would start a set
_PEAK_MAX = const(2500)  # mm/s: faster than any hip thrust
_CONC_MIN = const(150)  # ms: shorter rises are knocks
_CYCLE_MIN = const(600)  # ms: a rep's rise and fall take longer (steps: ~500 ms)
_CONC_MAX = const(4000)  # ms: a first rise longer than this is drift or handling
_PEAK_MIN = const(120)  # mm/s: a concentric peaks faster than this
_ROM_MIN = const(40)  # mm: smallest rise counted as a rep inside a set
_ROM_FRAC = const(30)  # %: ... and at least this share of the set's full ROM
_FULL_FRAC = const(80)  # %: a rep reaching this share of the set's ROM is full
_DROP_MIN = const(20)  # mm: descent that confirms an eccentric
_ROT_ROLL = const(262000)  # rad/65536 (4 rad) in ~1 s while rising: rolling the bar
_ROT_REMOVED = const(262000)  # rad/65536 (4 rad) per ~1 s: bar rolled off the hips
_RISE_MAX = const(700)  # ms: a real rise gains the confirming speed within this time
_PHASE_MAX = const(8000)  # ms: a phase longer than this is closed by force
_EXTRAP = const(13)  # /16: share of the lvl..4 lvl gap extrapolated to zero
_TAU_SLOW = const(100)  # ms: smoothing of the velocity for the plateau test
_TAU_AVM = const(3000)  # ms: mean of the vertical acceleration taken as bias
_TAU_AVS = const(10000)  # ms: slower mean for the fused velocity
_TAU_AVM_STILL = const(300)
_TAU_AVM_IDLE = const(1200)  # ms: ... while still
_TAU_DET = const(2000)
_TAU_VB = const(15000)  # ms: mean of the velocity while moving, taken as offset
_K_TRUST = const(120)  # pitch scale (mm/s per 0.1 deg/s * 256) trusted for the fusion
_TAU_FUSE = const(600)  # ms: the accelerometer's share of the fused velocity fades
_TAU_DET_IDLE = const(1500)  # ms: leak of the detection velocity
_TAU_RAW = const(30000)  # ms: leak of the measuring velocity
_DT_MAX = const(100)  # ms: longest gap integrated (longer gaps are dropped samples)


class Detector:
    """Rep, phase and set detector (see the module docstring). set_end_ms: rest (ms)
    after the last rep that ends a set."""

    def __init__(self, set_end_ms=20000):
        self.set_end_ms = set_end_ms
        self.vert = Vertical()
        self.ring = VelocityRing()
        self.ev = Events()
        self.t_prev = -1
        self.v = 0  # vertical velocity for detection (leaky), mm/s * 256
        self.vr = 0  # vertical velocity for measuring (barely leaky), mm/s * 256
        self.va = 0  # accelerometer-only velocity, high-passed, mm/s * 256
        self.x = 0  # accelerometer part of the fused velocity, mm/s * 256
        self.vg = 0  # pitch-rate velocity, mm/s
        self.vb = 0  # offset of the fused velocity, mm/s * 256
        self.vk = 0  # accelerometer velocity, high-passed like the pitch rate, mm/s * 256
        self.t_low = 0  # ms, last time the velocity was about zero or below
        self.first = False  # the current rise would start a set (not announced yet)
        self.rom = 0  # mm, range of motion of the current rep's concentric
        self.cpeak = 0  # mm/s, its peak velocity
        self.pv = PitchVelocity()
        self.avm = 0  # slow mean of the vertical acceleration, mg/1024
        self.avs = 0  # ... slower, mg/1024
        self.vslow = 0  # self.v smoothed over ~0.1 s (plateau test), mm/s * 256
        self.t_b = 0  # result of _boundary(), ms
        self.rot_win = 0  # rotation over the last ~1 s, rad/65536
        self.state = _BOTTOM
        self.in_set = False
        self.set_no = 0
        self.reps = 0
        self.full_reps = 0
        self.rise = 0  # um risen since the velocity turned positive
        self.drop = 0  # um dropped since the velocity turned negative
        self.peak = 0  # mm/s, peak speed of the current phase
        # Reference figures of the set's reps (mm/s, mm, ms).
        self.ref_up = 0
        self.ref_down = 0
        self.ref_rom = 0
        self.ref_conc = 0
        # Boundaries of the current rep: times (ms) and ring sample numbers.
        self.b = array("i", (0, 0, 0, 0))  # concentric start, top, eccentric start, bottom
        self.bn = array("i", (0, 0, 0, 0))
        self.last_end = 0  # ms, end of the set's last rep

    # ------------------------------------------------------------ public
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
        vert = self.vert
        av = vert.update(dt, ax, ay, az, gx, gy, gz)
        # What is left of the accelerometer's bias after the gravity estimate depends
        # on how the bar is pitched (tens of mg): remove the slow mean of the vertical
        # acceleration (over a few reps it must average to zero) before integrating.
        if vert.still:
            tau = _TAU_AVM_STILL
        elif self.in_set:
            tau = _TAU_AVM
        else:
            tau = _TAU_AVM_IDLE  # the bar was just rolled on or moved: forget faster
        self.avm += (((av << 6) - self.avm) // tau) * dt
        avd = av - (self.avm >> 6)
        # The same with a slow mean for the fused velocity (its leak does the rest).
        self.avs += (((av << 6) - self.avs) // (tau if tau > _TAU_AVS else _TAU_AVS)) * dt
        avf = av - (self.avs >> 6)
        # mg/16 * ms -> mm/s * 256: 9.80665e-3 * 256 / 16 = 643 / 4096
        dv = (((av * dt) >> 4) * 643) >> 8
        vr = self.vr + dv
        dva = (((avd * dt) >> 4) * 643) >> 8
        va = self.va + dva
        # Pitch-rate velocity (no drift, once its scale is learnt) fused with the
        # accelerometer's: the accelerometer gives the quick changes, the pitch rate
        # the level (complementary filter on their difference).
        # The regression of the pitch rate against the accelerometer needs both through
        # the same high-pass: a leaky integral of the vertical acceleration is exactly
        # that first-order high-pass of the velocity.
        vk = self.vk + dv
        vk -= (vk * dt + (TAU_HP >> 1)) // TAU_HP
        self.vk = _clamp(vk, 1 << 27)
        vg = self.pv.update(dt, vert.wx, vert.wy, vert.wz, self.vk >> 8, not vert.still)
        x = self.x + ((((avf * dt) >> 4) * 643) >> 8) - ((vg - self.vg) << 8)
        self.vg = vg
        if vert.still:
            # At rest the velocity is zero: pull the estimates there quickly.
            va -= (va * dt + 50) // 100
            vr -= (vr * dt + 50) // 100
            x -= (x * dt + 50) // 100
        else:
            # Leaks: the accelerometer's velocity forgets drift within a few seconds;
            # the measuring one (ring) only slowly, so a phase's shape survives and
            # its drift is removed by the linear detrend between its end points.
            tau = _TAU_DET if self.in_set else _TAU_DET_IDLE
            va -= (va * dt + (tau >> 1)) // tau
            vr -= (vr * dt + (_TAU_RAW >> 1)) // _TAU_RAW
            if self.pv.k > _K_TRUST or self.pv.k < -_K_TRUST:
                tau = _TAU_FUSE
            x -= (x * dt + (tau >> 1)) // tau
        self.va = _clamp(va, 1 << 27)
        self.vr = _clamp(vr, 1 << 27)
        self.x = _clamp(x, 1 << 27)
        v = self.x + (vg << 8)
        # Offset left in the velocity (the pitch scale or the bias still being learnt):
        # over a rep's rise and fall the mean velocity is zero, so the slow mean taken
        # while the bar moves is the offset (frozen during holds and pauses).
        if self.state == _UP or self.state == _DOWN:
            self.vb += ((v - self.vb) // _TAU_VB) * dt
        elif not self.in_set:
            self.vb -= (self.vb // _TAU_VB) * dt
        self.v = v - self.vb
        vmm = self.v >> 8
        if vmm <= _LVL_MIN:
            self.t_low = t_ms
        self.vslow += ((self.v - self.vslow) * dt) // _TAU_SLOW
        step = (self.v * dt) >> 8  # um
        self.ring.push(t_ms, self.vr, self.v)
        rot = vert.rot
        self.rot_win += rot - (self.rot_win * dt) // 1000
        if vmm > 0:
            self.rise += step
            self.drop = 0
        else:
            self.drop -= step
            self.rise = 0
        if self.rise > 1 << 24:
            self.rise = 1 << 24
        if self.drop > 1 << 24:
            self.drop = 1 << 24
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
        if self.state == _DOWN:
            self._bottom(t_ms, self.ring.n)
        elif self.state == _UP or self.state == _TOP:
            self.state = _BOTTOM
        if self.in_set:
            self._set_end(P.END_REMOVED)
        return self.ev.count

    # ------------------------------------------------------------ phase machine
    def _machine(self, t, vmm):
        st = self.state
        if st == _BOTTOM:
            if self.in_set and t - self.last_end > self.set_end_ms:
                self._set_end(P.END_REST)
            if self.in_set and self.rot_win > _ROT_REMOVED:
                self._set_end(P.END_REMOVED)
            conf = self.ref_up // _CONF_DIV
            if conf < _CONF_MIN:
                conf = _CONF_MIN
            if self.in_set:
                need = self.ref_rom * _ROM_FRAC // 100
                if need < _ROM_MIN:
                    need = _ROM_MIN
            else:
                need = _ROM_SET
            if vmm > conf and self.rise > need * 1000 and self.rot_win < _ROT_ROLL:
                before = self.ring.value_before(_RISE_MAX) >> 8
                if vmm - before < conf:
                    # A slow creep up (drift while resting) is no rise: start over.
                    self.rise = 0
                    return
                # From rest the rise starts from whatever velocity the estimate showed
                # then (an offset not yet learnt); between reps from zero.
                base = 0
                if not self.in_set and 0 < before < 150:
                    base = before
                n = self._boundary(base, self._lvl(self.ref_up), True, False)
                self.b[0] = self.t_b
                self.bn[0] = n
                self.peak = vmm
                self.state = _UP
                # The first rise of a set is only announced once it has proved to be a
                # hip thrust (at its top); inside a set a rise is announced at once.
                self.first = not self.in_set
                if not self.first:
                    self.ev.put(P.T_PHASE, P.PH_CONCENTRIC, self.t_b, self.reps + 1, 0, 0, 0,
                                0, 0, 0)
        elif st == _UP:
            if vmm > self.peak:
                self.peak = vmm
            lvl = self._lvl(self.peak)
            # The top: the speed fell to the boundary level, or it stopped changing at a
            # low value (a hold whose velocity carries some drift: that value is zero).
            flat = self._flat(vmm, self.peak)
            if self.first and t - self.b[0] > _CONC_MAX:
                self.state = _BOTTOM  # a slow creep, not the first rep of a set
                self.rise = 0
                return
            if vmm <= lvl or flat or t - self.b[0] > _PHASE_MAX:
                base = vmm if flat and vmm > 0 else 0
                self.bn[1] = self._boundary(base, lvl, False, True)
                self.b[1] = self.t_b
                self._rezero(base, self.bn[1])
                self.state = _TOP
                if not self._plausible():
                    # Lifting the pad, walking off, a knock: no rep, wait for the next rise.
                    self.state = _BOTTOM
                    self.rise = 0
                    return
                if not self.first:
                    self.ev.put(P.T_PHASE, P.PH_TOP, self.t_b, self.reps + 1, 0, 0, 0, 0, 0,
                                0)
                if self.ref_up == 0:
                    self.ref_up = self.peak
                else:
                    self.ref_up += (self.peak - self.ref_up) >> 2
        elif st == _TOP:
            conf = self.ref_down // _CONF_DIV
            if conf < _CONF_MIN:
                conf = _CONF_MIN
            need = self.ref_rom * 15 // 100
            if need < _DROP_MIN:
                need = _DROP_MIN
            if (vmm < -conf and self.drop > need * 1000) or t - self.b[1] > _PHASE_MAX:
                lvl = self._lvl(self.ref_down if self.ref_down else self.ref_up)
                self.bn[2] = self._boundary(0, -lvl, False, False)
                tb = self.t_b
                if tb < self.b[1]:
                    tb = self.b[1]
                self.b[2] = tb
                self.peak = -vmm
                self.state = _DOWN
                if not self.first:
                    self.ev.put(P.T_PHASE, P.PH_ECCENTRIC, tb, self.reps + 1, 0, 0, 0, 0, 0,
                                0)
        else:  # _DOWN
            if -vmm > self.peak:
                self.peak = -vmm
            lvl = self._lvl(self.peak)
            flat = self._flat(-vmm, self.peak)
            if vmm >= -lvl or flat or t - self.b[2] > _PHASE_MAX:
                if self.ref_down == 0:
                    self.ref_down = self.peak
                else:
                    self.ref_down += (self.peak - self.ref_down) >> 2
                base = vmm if flat and vmm < 0 else 0
                n = self._boundary(base, -lvl, True, True)
                self._rezero(base, n)
                self._bottom(self.t_b, n)

    def _plausible(self):
        # A finished rise is a hip thrust's concentric only with the range, duration
        # and speed the lift allows (bar on the hips: 0.1-0.4 m, slower than 2.5 m/s).
        # Concentric figures from the ring, drift removed by a linear detrend; taken
        # now, while the ring still holds the whole rise.
        rom = self.ring.integrate(self.bn[0], self.bn[1]) // 1000
        dur = self.b[1] - self.b[0]
        peak = self.ring.peak
        self.rom = rom
        self.cpeak = peak
        if rom > _ROM_MAX or peak > _PEAK_MAX or peak < _PEAK_MIN or dur < _CONC_MIN:
            return False
        if self.first:
            return _ROM_SET <= rom <= _ROM_FIRST_MAX
        return True

    def _flat(self, v, peak):
        # Low speed (under 1/5 of the phase's peak) that has stopped changing.
        if v * 5 > peak or v * 8 < -peak:
            return False
        d = v - (self.vslow >> 8) if v > 0 else -v + (self.vslow >> 8)
        tol = peak // 40
        if tol < 6:
            tol = 6
        return -tol < d < tol

    def _rezero(self, base, n):
        # The velocity was zero from sample n on: what is left there is drift.
        if base != 0:
            self.x -= base << 8
            self.v -= base << 8
            self.vslow -= base << 8
            self.ring.shift(n, -(base << 8))

    def _boundary(self, base, lvl, now_above, ending):
        """Backtrack to where the velocity crossed base + lvl (mm/s; lvl signed) and
        again base + 4 lvl; a phase's velocity leaves and approaches zero about
        quadratically, so the true zero point lies about that gap beyond the first
        crossing (after it for an ending phase, before it for a starting one).
        Sets self.t_b (ms); returns the ring sample number at the first crossing."""
        ring = self.ring
        n = ring.cross((base + lvl) << 8, now_above)
        t1 = ring.t_cross
        ring.cross((base + 4 * lvl) << 8, now_above)
        gap = t1 - ring.t_cross if ending else ring.t_cross - t1
        if gap < 0:
            gap = 0
        elif gap > 400:
            gap = 400
        gap = (gap * _EXTRAP) >> 4
        self.t_b = t1 + gap if ending else t1 - gap
        return n

    def _lvl(self, ref):
        lvl = ref // _LVL_DIV
        return lvl if lvl > _LVL_MIN else _LVL_MIN

    def _bottom(self, t, n):
        b = self.b
        bn = self.bn
        b[3] = t
        bn[3] = n
        self.state = _BOTTOM
        rep = self.reps + 1
        if t - b[0] < _CYCLE_MIN:
            # Up and down in less than this is a step (walking with the pad), not a rep.
            if not self.first:
                self.ev.put(P.T_PHASE, P.PH_BOTTOM, t, rep, 0, 0, 0, 0, 0, 0)
            self.first = False
            return
        if self.first:
            # The first rep of a set is announced only now that the bar has come back
            # down about as far as it rose: picking the pad up, rolling the bar on or
            # walking off does not do that.
            self.first = False
            drop = -self.ring.integrate(bn[2], bn[3], True) // 1000
            if drop * 4 < self.rom or drop > self.rom * 3:
                return
            self._set_start(b[0])
            rep = 1
            self.ev.put(P.T_PHASE, P.PH_CONCENTRIC, b[0], 1, 0, 0, 0, 0, 0, 0)
            self.ev.put(P.T_PHASE, P.PH_TOP, b[1], 1, 0, 0, 0, 0, 0, 0)
            self.ev.put(P.T_PHASE, P.PH_ECCENTRIC, b[2], 1, 0, 0, 0, 0, 0, 0)
        self.ev.put(P.T_PHASE, P.PH_BOTTOM, t, rep, 0, 0, 0, 0, 0, 0)
        # Concentric figures, measured at the top (see _plausible).
        rom = self.rom
        conc = b[1] - b[0]
        if conc < 1:
            conc = 1
        mean = rom * 1000 // conc
        peak = self.cpeak
        if rom < _ROM_MIN:
            return  # too small after all (drift): not a rep
        if self.ref_rom == 0:
            self.ref_rom = rom
        full = rom * 100 >= self.ref_rom * _FULL_FRAC
        if full:
            flags = P.RF_FULL
            self.full_reps += 1
            self.ref_rom += (rom - self.ref_rom) >> 2
            if self.ref_conc == 0:
                self.ref_conc = conc
            else:
                self.ref_conc += (conc - self.ref_conc) >> 2
        elif self.ref_conc and conc * 2 > self.ref_conc * 3:
            flags = P.RF_FAILED
        else:
            flags = P.RF_PARTIAL
        self.reps = rep
        self.last_end = t
        self.ev.put(P.T_REP, rep, flags, b[0], conc, b[2] - b[1], t - b[2], rom, mean, peak)

    def _set_start(self, t):
        self.in_set = True
        self.set_no = (self.set_no + 1) & 0xFF
        self.reps = 0
        self.full_reps = 0
        self.ref_rom = 0
        self.ref_conc = 0
        self.last_end = t
        self.ev.put(P.T_SET_START, self.set_no, t, 0, 0, 0, 0, 0, 0, 0)

    def _set_end(self, reason):
        self.in_set = False
        self.ev.put(P.T_SET_END, self.set_no, self.last_end, self.reps, self.full_reps, reason,
                    0, 0, 0, 0)


def _clamp(v, lim):
    if v > lim:
        return lim
    if v < -lim:
        return -lim
    return v
