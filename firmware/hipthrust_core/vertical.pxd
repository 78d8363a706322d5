# Cython types for vertical.py (augmenting .pxd: CPython build only, see hipthrust/_native).
cimport cython

from hipthrust_core.fixed cimport clip

cdef long _A_CLIP, _W_CLIP, _G_CLIP, _TH_CLIP, _TAU_STILL, _TAU_MOVE, _TAU_G, _TAU_G_SLOW
cdef long _LEARNT, _LEARNT_G, _TAU_G_MOVE, _QUIET_ACC, _ROLL, _TURN, _TAU_K, _G0_MID, _G0_SPAN, _GK_CLIP
cdef long _INC_CLIP
cdef long _KI_DIV, _GB_CLIP, _TAU_BIAS, _TAU_AF, _TAU_AS, _TAU_DEV, _STILL_ACC, _STILL_GYR
cdef long _STILL_G, _TAU_PS, _TAU_YAW, _STILL_MS, _STILL_LONG, _QUIET_BIAS


cdef class Vertical:
    cdef public int[::1] up, gb, gk, af, asl, uref, turn
    cdef public long gmag, g8, g0, dev_a, pslow, dev_w, quiet_ms, still_ms, learn_ms
    cdef public long rot, wx, wy, wz, yaw
    cdef public bint started, still, turned, moving, in_set, reps, in_rep

    @cython.locals(up="int[::1]")
    cpdef void reset(self, long ax, long ay, long az)
    cpdef void rebias(self, long d)
    @cython.locals(nt="int[::1]")
    cpdef long net_turn(self)
    @cython.locals(nt="int[::1]")
    cpdef void clear_turn(self)
    @cython.locals(ur="int[::1]", gk="int[::1]", d0=long, d1=long, d2=long, dd=long, k0=long,
                   k1=long, k2=long)
    cpdef void _learn_at(self, long inc, long u0, long u1, long u2)
    @cython.locals(up="int[::1]", x=long, y=long, z=long, sq=long, m=long)
    cpdef void _norm(self)
    @cython.locals(wx=long, wy=long, wz=long, tx=long, ty=long, tz=long, ux=long, uy=long,
                   uz=long, nx=long, ny=long, nz=long, da=long, dw=long, pf=long, dp=long,
                   tau=long, half=long, rx=long, ry=long, rz=long, r=long, p=long, g8=long,
                   u0=long, u1=long, u2=long, yaw=long, gm=long, turned=bint, quiet=bint,
                   relearn=bint, learn=long, err=long, e=long, av=long, d=long, b=long,
                   dist=long, rot=long,
                   up="int[::1]", gb="int[::1]", gk="int[::1]", af="int[::1]", sl="int[::1]",
                   ur="int[::1]", nt="int[::1]", sx=long, sy=long, sz=long)
    cpdef long update(self, long dt, long ax, long ay, long az, long gx, long gy, long gz)
