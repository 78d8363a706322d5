# Cython types for accel_velocity.py (augmenting .pxd: CPython build only, see hipthrust/_native).
cimport cython

from hipthrust_core.fixed cimport clip
from hipthrust_core.vertical cimport Vertical

cdef long _TAU_SET, _TAU_IDLE, _TAU_REST, _TAU_REST_NEW, _BR_DIV, _V_REST, _STILL_LONG, _LIM


cdef class AccelVelocity:
    cdef public long x, racc, still_ms

    @cython.locals(x=long, q=long, tau=long)
    cpdef long update(self, long dt, long dv, Vertical vert, bint in_set, bint feed=*)
