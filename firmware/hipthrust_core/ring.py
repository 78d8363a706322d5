"""History ring of (time, measuring velocity, detection velocity) for the rep detector.

    ring = VelocityRing()
    ring.push(t_ms, vr, vd)          # measuring and detection velocity, mm/s * 256
    n = ring.cross(level, True)      # walk back to where vd rose through level
    ring.t_cross                     # ... that time, ms (interpolated)
    um = ring.integrate(n0, n1)      # detrended displacement of vr, um
    mm = ring.fall_start(n0, n1, 5)  # depth of a lowering; ring.t_fall: where it began

Boundaries are confirmed by thresholds some time after they happened; the ring
lets the detector walk back to where the velocity really crossed a small level
(the backtracked boundary) and integrate a finished phase (range of motion) with
its drift removed. Samples are numbered by a running count `n`; the ring holds
the last SIZE of them. Preallocated arrays, no allocation per call.
"""

from array import array

from hipthrust_core.compat import const, micropython

_TOL_HOLD = const(1536)  # mm/s * 256 (6 mm/s): sway in a hold, for boundary()
_EXTRAP = const(13)  # /16: share of the lvl..4 lvl gap extrapolated to zero (boundary)
_EXTRAP_HOLD = const(16)  # /16: ... for a lowering's start: it leaves a hold from rest,
# quadratically, so the whole gap (measured: hold error median 91 -> 84 ms; a rise's
# start with the whole gap lengthened concentrics, mean velocity error 0.022 -> 0.030)
SIZE = const(1024)  # samples: 10 s at 100 Hz, 5 s at 200 Hz
_MASK = const(1023)


class VelocityRing:
    """Ring of the last SIZE samples (see module doc)."""

    def __init__(self):
        self.t = array("i", bytes(4 * SIZE))
        self.v = array("i", bytes(4 * SIZE))
        self.vr = array("i", bytes(4 * SIZE))
        self.n = 0  # number of samples pushed so far (the next sample's number)
        self.t_cross = 0  # result of cross(), ms
        self.peak = 0  # result of integrate() and fastest(), mm/s
        self.n_fall = 0  # results of fall_start(): sample number and time (ms)
        self.t_fall = 0
        self.low = 0  # lowest point of the last walk, um

    @micropython.native
    def push(self, t, vr, vd):
        """Append one sample: t in ms, vr the measuring and vd the detection velocity
        (mm/s * 256)."""
        i = self.n & _MASK
        self.t[i] = t
        self.vr[i] = vr
        self.v[i] = vd
        self.n += 1
        if self.n >= 0x3FFFFFFF:
            self.n = SIZE  # keeps n in small-int range; older numbers become invalid

    def oldest(self):
        """Number of the oldest sample still held."""
        o = self.n - SIZE
        return o if o > 0 else 0

    def cross(self, level, now_above, tol=512, k0=-1, near=-1):
        """Walk back from the newest sample (or from sample k0) over samples on the
        same side of level (v > level when now_above, else v <= level). Returns the
        number of the earliest of them and sets t_cross to the interpolated crossing
        time (ms).
        The walk also stops where the velocity has clearly turned back away from the
        level, by more than tol (mm/s * 256; default 2 mm/s, more than noise): it may
        never reach a level when it carries some drift."""
        tt = self.t
        vv = self.v
        k = self.n - 1 if k0 < 0 else k0
        stop = self.oldest()
        # "Turned back" counts only near the level, not on the way over a peak.
        mag = level if level > 0 else -level
        if near < 0:
            near = 3 * mag + 2560
        near_hi = level + near
        near_lo = level - near
        best = vv[k & _MASK]
        while k > stop:
            j = (k - 1) & _MASK
            vj = vv[j]
            if now_above:
                if vj < best:
                    best = vj
                turned = vj > best + tol and best < near_hi
            else:
                if vj > best:
                    best = vj
                turned = vj < best - tol and best > near_lo
            if (vj > level) != now_above or turned:
                # crossing between j and k
                i = k & _MASK
                vi = vv[i]
                dv = vi - vj
                dtt = tt[i] - tt[j]
                if dv == 0:
                    self.t_cross = tt[i]
                else:
                    f = ((level - vj) << 10) // dv
                    if f < 0:
                        f = 0
                    elif f > 1024:
                        f = 1024
                    self.t_cross = tt[j] + ((dtt * f) >> 10)
                return k
            k -= 1
        self.t_cross = tt[k & _MASK]
        return k

    def boundary(self, base, lvl, now_above, ending, k0=-1, steady=False):
        """Backtrack to where the detection velocity crossed base + lvl (mm/s; lvl
        signed) and again base + 4 lvl; a phase's velocity leaves and approaches zero
        about quadratically, so the true zero point lies about that gap beyond the
        first crossing (after it for an ending phase, before it for a starting one).
        Sets t_cross to that point (ms); returns the sample number at the first
        crossing. k0: for a rise's start, the sample where the rise first went
        fast; for an ending phase, the sample both walks start from (not the
        newest); -1 when unknown. steady (a lowering's start only): the velocity follows
        the bar closely (it carries no drift to speak of)."""
        # A lowering starts from a hold, where the hips sway and breathe: a wiggle of a
        # few mm/s there is no turn back (a rise starts from the lowering's end).
        hold = not now_above and not ending
        tol = _TOL_HOLD if hold else 512
        rise = now_above and not ending
        # Leaving a hold on a velocity that follows the bar well (steady: no drift to
        # hover in), "turned back" only near the level: a slow lowering wobbles past it.
        near = -1
        if hold and steady:
            near = -lvl << 7 if lvl < 0 else lvl << 7
        k4 = k0 if ending else -1
        n = self.cross((base + lvl) << 8, now_above, tol, k4, near)
        if rise and self.oldest() <= k0 < n and self.v[n & _MASK] > (base + 2 * lvl) << 8:
            # The walk turned back well above the level, after the rise had first
            # gone fast (k0): a slow rise (a grind) wobbling on its way up. Both walks
            # start from k0 instead.
            n = self.cross((base + lvl) << 8, now_above, tol, k0)
            k4 = k0
        # A slow rise (a grind, a failing rep) wobbles on its way up: for its walks a
        # wiggle under half the level is no turn back.
        wobble = lvl << 7
        if wobble < 512:
            wobble = 512
        vn = self.v[n & _MASK] - (base << 8)
        if rise and (n >= self.n - 2 or (vn > (4 * lvl) << 8
                                         and vn * 2 > self.v[(self.n - 1) & _MASK] - (base << 8))):
            # A rise whose walk stopped at once, or on the rise itself: above 4 x the
            # level and half its speed now (a slow rise holding its speed for a
            # moment: a wiggle of 3 mm/s at 0.38 m/s stopped it, the start placed
            # 0.24 s late, session 448). (Not lower: a creep up through the level,
            # drift, may wiggle there, set 1046 with no stalls.)
            n = self.cross((base + lvl) << 8, now_above, wobble)
        t1 = self.t_cross
        if rise:
            # Nor on the way back from the rise's peak to 4 lvl: a slow rise levels off
            # there, and a wiggle stopped that walk at once (the start then went back
            # by the whole gap: 0.16 s into the lowering before a grind, set 5017).
            tol = wobble
        n4 = self.cross((base + 4 * lvl) << 8, now_above, tol, k4)
        t4 = self.t_cross
        gap = t1 - t4 if ending else t4 - t1
        if gap < 0:
            gap = 0
        elif gap > 400:
            gap = 400
        gap = (gap * (_EXTRAP_HOLD if hold else _EXTRAP)) >> 4
        self.t_cross = t1 + gap if ending else t1 - gap
        if rise and n4 > self.oldest():
            # A rise leaves its base no earlier than its steep part, drawn back in a
            # straight line, would at twice the time (a quadratic start takes exactly
            # that): before it, the velocity crept up through the level (drift at the
            # end of a lowering), and that creep is no part of the rise.
            i = n4 + 1 if n4 < self.n - 1 else n4
            tt = self.t
            vv = self.v
            dv = vv[i & _MASK] - vv[(n4 - 1) & _MASK]
            if dv > 0:
                lim = t4 - (((4 * lvl) << 9) * (tt[i & _MASK] - tt[(n4 - 1) & _MASK])) // dv
                if self.t_cross < lim:
                    self.t_cross = lim
        return n

    def index_at(self, t):
        """Number of the newest sample taken at or before t (ms), or the oldest held."""
        tt = self.t
        k = self.n - 1
        stop = self.oldest()
        while k > stop and tt[k & _MASK] > t:
            k -= 1
        return k

    def stop_after(self, n0, n1, n2=-1):
        """The sample, from n1 on (up to n2, or the newest), where the measuring velocity
        first comes back to its value at n0 (a rise ended there), else the one nearest
        to it."""
        vv = self.vr
        v0 = vv[n0 & _MASK]
        best = n1
        lo = vv[n1 & _MASK]
        k = n1
        end = self.n if n2 < 0 or n2 >= self.n else n2 + 1
        while k < end:
            vk = vv[k & _MASK]
            if vk <= v0:
                return k
            if vk < lo:
                lo = vk
                best = k
            k += 1
        return best

    def levels_off(self, n1, n2, rate):
        """The first sample from n1 on (up to n2, clamped to the newest) after which
        the measuring velocity falls slower than rate (mm/s per s): where a rise's
        deceleration ended."""
        tt = self.t
        vv = self.vr
        if n2 > self.n - 1:
            n2 = self.n - 1
        k = n1
        while k < n2:
            i = k & _MASK
            j = (k + 1) & _MASK
            if ((vv[i] - vv[j]) >> 8) * 1000 < rate * (tt[j] - tt[i]):
                return k
            k += 1
        return k

    def fastest(self, n0, n1):
        """Number of the sample from n0 to n1 (clamped to the ring) with the highest
        detection velocity; sets peak to that velocity (mm/s)."""
        o = self.oldest()
        if n0 < o:
            n0 = o
        if n1 > self.n - 1:
            n1 = self.n - 1
        vv = self.v
        best = n0
        k = n0 + 1
        while k <= n1:
            if vv[k & _MASK] > vv[best & _MASK]:
                best = k
            k += 1
        self.peak = vv[best & _MASK] >> 8
        return best

    def value_before(self, age):
        """Detection velocity (mm/s * 256) of the newest sample at least age ms old."""
        tt = self.t
        k = self.n - 1
        stop = self.oldest()
        t0 = tt[k & _MASK] - age
        while k > stop and tt[k & _MASK] > t0:
            k -= 1
        return self.v[k & _MASK]

    def lowest(self, age):
        """Lowest detection velocity (mm/s * 256) over the samples of the last age ms
        (down to the one value_before(age) returns)."""
        tt = self.t
        vv = self.v
        k = self.n - 1
        stop = self.oldest()
        t0 = tt[k & _MASK] - age
        low = vv[k & _MASK]
        while k > stop and tt[k & _MASK] > t0:
            k -= 1
            if vv[k & _MASK] < low:
                low = vv[k & _MASK]
        return low

    def shift(self, n0, dv):
        """Add dv (mm/s * 256) to the detection velocity of samples n0 to the newest."""
        k = n0
        if k < self.oldest():
            k = self.oldest()
        vv = self.v
        while k < self.n:
            vv[k & _MASK] += dv
            k += 1

    def measured(self, n):
        """Measuring velocity (mm/s * 256) of sample n (held in the ring)."""
        return self.vr[n & _MASK]

    def detected(self, n):
        """Detection velocity (mm/s * 256) of sample n (held in the ring)."""
        return self.v[n & _MASK]

    def time(self, n):
        """Time (ms) of sample n (held in the ring)."""
        return self.t[n & _MASK]

    def amend(self, dv):
        """Add dv (mm/s * 256) to both velocities of the newest sample (the integral
        over the samples lost before it, corrected once the next one came)."""
        i = (self.n - 1) & _MASK
        self.v[i] += dv
        self.vr[i] += dv

    def fall_start(self, n0, n1, frac):
        """Where a lowering between samples n0 and n1 started: the displacement of the
        measuring velocity, detrended as in integrate(), first comes down frac % of
        its lowest point. Sets n_fall and t_fall (ms) to that sample; returns the
        depth of the lowest point (mm, positive down)."""
        self._walk(n0, n1, self.vr, 0, False)
        low = self.low
        if low < 0:
            self._walk(n0, n1, self.vr, (low // 100) * frac, True)
        return -low // 1000

    def integrate(self, n0, n1, fused=False, detrend=True):
        """Displacement (um) from sample n0 to n1 of the measuring velocity (or, with
        fused, the detection velocity), its value at both ends taken as drift (the
        bar is at rest at phase boundaries) and removed by a linear detrend (unless
        detrend is False: a velocity already zeroed where the bar rested). Sets
        self.peak to the peak corrected speed (mm/s), self.low to the lowest point
        (um)."""
        return self._walk(n0, n1, self.v if fused else self.vr, 0, False, detrend)

    def mean(self, n0, n1):
        """Mean detection velocity (mm/s) from sample n0 to n1 (its displacement over
        the time between them; 0 when they span no time)."""
        o = self.oldest()
        if n0 < o:
            n0 = o
        if n1 > self.n - 1:
            n1 = self.n - 1
        span = self.t[n1 & _MASK] - self.t[n0 & _MASK]
        if span < 1:
            return 0
        return self._walk(n0, n1, self.v, 0, False, False) // span

    def _walk(self, n0, n1, vv, lim, find, detrend=True):
        # The one walk over a detrended phase (both integrate() and fall_start()):
        # returns the displacement (um) from n0 to n1 (clamped to the ring); sets peak
        # (mm/s) and low (um, lowest point); with find, stops at the first sample whose
        # displacement is at or below lim (um) and sets n_fall, t_fall there.
        tt = self.t
        o = self.oldest()
        if n0 < o:
            n0 = o
        if n1 > self.n - 1:
            n1 = self.n - 1
        i0 = n0 & _MASK
        t0 = tt[i0]
        self.n_fall = n0
        self.t_fall = t0
        self.peak = 0
        self.low = 0
        if n1 <= n0:
            return 0
        v0 = 0
        slope = 0
        if detrend:
            v0 = vv[i0] >> 8
            span = tt[n1 & _MASK] - t0
            if span < 1:
                span = 1
            slope = (((vv[n1 & _MASK] >> 8) - v0) << 10) // span  # mm/s per ms / 1024
        total = 0
        peak = 0
        low = 0
        prev = 0
        k = n0 + 1
        while k <= n1:
            j = k & _MASK
            vj = (vv[j] >> 8) - v0 - ((slope * (tt[j] - t0)) >> 10)
            if vj > peak:
                peak = vj
            total += ((vj + prev) * (tt[j] - tt[(k - 1) & _MASK])) >> 1
            prev = vj
            if total < low:
                low = total
            if find and total <= lim:
                self.n_fall = k
                self.t_fall = tt[j]
                break
            k += 1
        self.peak = peak
        self.low = low
        return total
