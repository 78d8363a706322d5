# Cython types for pitch.py (augmenting .pxd: CPython build only, see hipthrust/_native).
cimport cython

from hipthrust_core.fixed cimport clip

cdef long _W_CLIP, _AXIS_DIV, _TAU_QB, _TAU_K, _MIN_Q


cdef class PitchVelocity:
    cdef public int[::1] e
    cdef public long q, qf, q_lp, q_b, num, den, k, vv
    cdef public bint good

    @cython.locals(q=long, e0=long, e1=long, e2=long, sq=long, m=long, qh=long, v=long,
                   n=long, p=long, e="int[::1]")
    cpdef long update(self, long dt, long wx, long wy, long wz, long v_hp, bint moving,
                      bint rest)
