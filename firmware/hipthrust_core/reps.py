"""Reps and sets from finished movements, for the rep detector (hipthrust_core.detector).

    class Detector(RepLog): ...            # the phase machine; at each bottom it calls
    self._bottom(t_ms, n)                  # a lowering ended at t_ms (ring sample n)
    self._set_end(P.END_REST)              # rest, bar removed, end of data

When the phase machine has seen a rise and a fall come to an end, this decides what
they were: inside a set, a rep, full, partial or failed against the set's own reps; out
of a set, a first rep that waits for a second like it, which starts the set (walking,
rolling the bar on, picking the pad up or one fidget do not do that). The REP, PHASE and
SET records go into the detector's event queue. The detector's own state (boundaries
b/bn, rom, peaks, reference figures, ring) is shared: this is one object split in two
files by concern, integers only and allocation-free like the rest.
"""

from hipthrust_core import protocol as P
from hipthrust_core.compat import const

# Shared with the phase machine (public: MicroPython folds underscored constants away).
ROM_SET = const(60)  # mm: concentric rise that starts a set (walking bobs ~30 mm)
ROM_MIN = const(40)  # mm: smallest rise counted as a rep inside a set
CYCLE_MIN = const(600)  # ms: a rep's rise and fall take longer (steps: ~500 ms)
TURN_FIRST = const(72090)  # rad/65536 (1.1 rad): net turn over a first rep, at most

_CYCLE_FIRST = const(700)  # ms: ... the first rep of a set (a rushed one takes 0.72 s or more)
_PAIR_GAP = const(8000)  # ms: most from the first rep's end to the second's start (out of a
# set, drift over a long first hold can end the first rep seconds early)
_FULL_FRAC = const(75)  # %: a rep reaching this share of the set's ROM is full


class RepLog:
    """Rep and set bookkeeping of the Detector (see the module docstring)."""

    def _bottom(self, t, n, phase=True):
        # phase: report the PHASE bottom too (False: it was reported when first found).
        b = self.b
        bn = self.bn
        b[3] = t
        bn[3] = n
        first = self.first
        self.first = False
        if phase and not first:
            self._phase(P.PH_BOTTOM, t)
        if t - b[0] < CYCLE_MIN:
            return  # up and down in less than this is a step (walking with the pad)
        if not first:
            self._rep(b[0], b[1], b[2], t, self.rom, self.cpeak)
            return
        # A set starts from a dead stop: its first rep is not this quick (a second one,
        # touch-and-go after it, may be: it pairs with the first but never waits).
        quick = t - b[0] < _CYCLE_FIRST
        if quick and not self.pend:
            return
        if self.vert.net_turn() > TURN_FIRST:
            # The pad came back down turned for good: rolling the bar onto the hips
            # does that. The hips tilt it and bring it back over a rep (by 0.25 rad at
            # most; up to 1 rad when drift in a long hold passed for the lowering).
            return
        # A set starts with two reps: each came back down about as far as it rose,
        # and the second began soon after the first ended. Picking the pad up,
        # rolling the bar on, walking off or one fidget do not do that.
        pb = self.pb
        rom = self.rom
        # (The second may be a partial rep: down to a third of the first's range. The
        # first may read short, under half the second's: gravity is least known then.)
        if (not self.pend or b[0] - pb[3] > _PAIR_GAP or self.p_rom > rom * 3
                or self.p_rom * 3 < rom):
            # No first rep waiting, or it was too long ago or too unlike this one:
            # this one becomes the first rep that waits.
            if quick:
                return
            drop = -self.ring.integrate(bn[2], bn[3], True) // 1000
            # A slow lowering found late loses its start to the detrend: net fall too.
            if self.fall // 1000 > drop:
                drop = self.fall // 1000
            if drop * 10 < self.rom or drop > self.rom * 6 or self.rom < ROM_SET:
                # Not a rep as far as its lowering shows (a first waiting keeps waiting).
                # Its rise was a hip thrust's, though: if a set starts soon after it,
                # the lowering was lost to drift (gravity at a new angle) and it was the
                # set's first rep.
                self._keep(self.cb, t)
                self.c_rom = self.rom
                self.c_peak = self.cpeak
                return
            self._keep(pb, t)
            self.p_rom = self.rom
            self.p_peak = self.cpeak
            self.pend = True
            return
        self.pend = False
        cb = self.cb
        if (cb[1] < pb[0] and pb[0] - cb[1] < _PAIR_GAP and self.c_rom * 5 > self.p_rom * 2
                and self.c_rom * 2 < self.p_rom * 5):
            # A rise like these just before them whose lowering was not seen (above).
            self._set_start(cb[0])
            self._phases(cb[0], cb[1], cb[2], cb[3])
            self._rep(cb[0], cb[1], cb[2], cb[3], self.c_rom, self.c_peak)
        else:
            self._set_start(pb[0])
        self._none_waits()  # (used, or too old)
        if (self.p_rom * 2 > rom * 3
                and self.p_rom * 2 * (b[1] - b[0]) < rom * (pb[1] - pb[0])):
            # The first rep rose over 1.5 times as far as the second, at under half its
            # mean speed: a set's first rep is its quickest, so its rise took in some
            # creep before it (settling under the bar). The second's range is the set's.
            self.ref_rom = rom
        self._phases(pb[0], pb[1], pb[2], pb[3])
        self._rep(pb[0], pb[1], pb[2], pb[3], self.p_rom, self.p_peak)
        self._phases(b[0], b[1], b[2], t)
        self._rep(b[0], b[1], b[2], t, self.rom, self.cpeak)

    def _keep(self, dst, t):
        # The current rep's boundaries, its bottom at t (ms), copied into dst.
        b = self.b
        dst[0] = b[0]
        dst[1] = b[1]
        dst[2] = b[2]
        dst[3] = t

    def _phase(self, ph, t):
        # A PHASE record (ph one of P.PH_*, at t ms) of the rep in progress.
        self.ev.put(P.T_PHASE, ph, t, self.reps + 1, 0, 0, 0, 0, 0, 0)

    def _phases(self, b0, b1, b2, b3):
        self._phase(P.PH_CONCENTRIC, b0)
        self._phase(P.PH_TOP, b1)
        self._phase(P.PH_ECCENTRIC, b2)
        self._phase(P.PH_BOTTOM, b3)

    def _none_waits(self):
        # No first rep, nor a rise kept as one (cb: its top far in the future), waits
        # to pair with the next.
        self.pend = False
        self.cb[1] = 0x3FFFFFFF

    def _rep(self, b0, b1, b2, b3, rom, peak):
        # The REP summary (rom mm, peak mm/s of the concentric); full, partial or
        # failed against the set's own reps.
        conc = b1 - b0
        if conc < 1:
            conc = 1
        mean = rom * 1000 // conc
        if rom < ROM_MIN:
            return  # too small after all (drift): not a rep
        if self.ref_rom == 0:
            self.ref_rom = rom
        if rom * 100 >= self.ref_rom * _FULL_FRAC:
            flags = P.RF_FULL
            self.full_reps += 1
            self.shorts = 0
            # The set's range follows its full reps up fast and down slowly: the hips
            # lock out at the same height each rep, and a full rep reads short (its top
            # found early on drift) far more often than long. (A mean of reps read
            # 0.8-0.87 of their range let a partial read 0.63 pass for full.)
            self.ref_rom += (rom - self.ref_rom) >> (1 if rom > self.ref_rom else 3)
            if self.ref_conc == 0:
                self.ref_conc = conc
            else:
                self.ref_conc += (conc - self.ref_conc) >> 2
        else:
            # A run of short reps pulls the reference down a little: if the set's
            # first rep was overestimated, a run of "short" reps soon becomes the new
            # full. Not the first of a run: a lone partial would have the next partial
            # (lifters tire into two or three) pass for full against it.
            self.shorts += 1
            if self.shorts > 1:
                self.ref_rom += (rom - self.ref_rom) >> 3
            if self.ref_conc and conc * 2 > self.ref_conc * 3:
                flags = P.RF_FAILED
            else:
                flags = P.RF_PARTIAL
        self.reps += 1
        self.last_end = b3
        self.ev.put(P.T_REP, self.reps, flags, b0, conc, b2 - b1, b3 - b2, rom, mean, peak)

    def _set_start(self, t):
        self.in_set = True
        self.set_no = (self.set_no + 1) & 0xFF
        self.reps = 0
        self.full_reps = 0
        self.shorts = 0
        self.ref_rom = 0
        self.ref_conc = 0
        self.last_end = t
        self.ev.put(P.T_SET_START, self.set_no, t, 0, 0, 0, 0, 0, 0, 0)

    def _set_end(self, reason):
        self.in_set = False
        self.ev.put(P.T_SET_END, self.set_no, self.last_end, self.reps, self.full_reps, reason,
                    0, 0, 0, 0)
