# Cython types for reps.py (augmenting .pxd: CPython build only, see hipthrust/_native).
# RepLog holds the detector state its methods use; Detector (detector.pxd) the rest.
cimport cython

from hipthrust_core.events cimport Events
from hipthrust_core.ring cimport VelocityRing
from hipthrust_core.vertical cimport Vertical

cdef long _CYCLE_FIRST, _PAIR_GAP, _FULL_FRAC


cdef class RepLog:
    cdef public Events ev
    cdef public VelocityRing ring
    cdef public Vertical vert
    cdef public int[::1] b, bn, pb, cb
    cdef public bint first, pend, in_set
    cdef public long rom, cpeak, p_rom, p_peak, c_rom, c_peak, fall, reps, full_reps, ref_rom, ref_conc, shorts
    cdef public long last_end, set_no

    @cython.locals(b="int[::1]", bn="int[::1]", pb="int[::1]", cb="int[::1]", first=bint, rom=long,
                   drop=long, quick=bint)
    cpdef void _bottom(self, long t, long n, bint phase=*)
    @cython.locals(b="int[::1]")
    cpdef void _keep(self, int[::1] dst, long t)
    cpdef void _phase(self, long ph, long t)
    cpdef void _phases(self, long b0, long b1, long b2, long b3)
    cpdef void _none_waits(self)
    @cython.locals(conc=long, mean=long, flags=long)
    cpdef void _rep(self, long b0, long b1, long b2, long b3, long rom, long peak)
    cpdef void _set_start(self, long t)
    cpdef void _set_end(self, long reason)
