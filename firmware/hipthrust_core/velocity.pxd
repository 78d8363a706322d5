# Cython types for velocity.py (augmenting .pxd: CPython build only, see hipthrust/_native).
cimport cython

from hipthrust_core.accel_velocity cimport AccelVelocity
from hipthrust_core.fixed cimport clip
from hipthrust_core.pitch cimport PitchVelocity
from hipthrust_core.vertical cimport Vertical

cdef long TAU_HP
cdef long _TAU_AVS, _TAU_ACC, _TAU_ACC_IDLE, _K_TRUST, _TAU_FUSE, _TAU_VB, _TAU_VB_REST
cdef long _TAU_RAW, _TAU_REST, _G_STEP, _GAP_DV, _LIM, _DS_MAX, _RISE_MIN, _TAU_PK


cdef class Velocity:
    cdef public PitchVelocity pv
    cdef public AccelVelocity acc
    cdef public bint fused, gap, follows
    cdef public long avs, av_prev, vr, vk, x, vg, vb, jump, gacc, dt_m, av_pp, dt_p, g_ms, g_s, corr
    cdef public long pk_v, pk_q

    @cython.locals(a2=long, avf=long, dv=long, va=long, vr=long, vk=long, vg=long, x=long, e=long,
                   still=bint, gap=bint, dm=long, d16=long, dx=long,
                   k=long, tau=long, dc=long, ds=long, lim=long, g_ms=long, v=long, was=bint,
                   good=bint, g=long, q=long, a=long)
    cpdef long update(self, long dt, long av, Vertical vert, bint in_set, bint top=*,
                     bint rising=*)
    cpdef void rezero(self, long dv)
