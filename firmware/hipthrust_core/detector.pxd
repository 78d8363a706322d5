# Cython types for detector.py (augmenting .pxd: CPython build only, see hipthrust/_native).
cimport cython

from hipthrust_core.reps cimport RepLog
from hipthrust_core.ring cimport VelocityRing
from hipthrust_core.velocity cimport Velocity
from hipthrust_core.vertical cimport Vertical

cdef long ROM_SET, ROM_MIN, CYCLE_MIN, TURN_FIRST
cdef long _BOTTOM, _UP, _TOP, _DOWN, _LVL_MIN, _LVL_DIV, _START_DIV, _START_NEW, _CONF_MIN, _CONF_DIV
cdef long _CONF_ECC, _CONF_FIRST, _MEAN_FIRST, _ROM_MAX, _ROM_FIRST_MAX, _ROM_OVER, _TOP_COS2, _PEAK_MAX, _CONC_MIN
cdef long _YAW_WALK, _BASE_BACK, _FALL_FAST
cdef long _FALL_FRAC, _CONC_MAX, _PEAK_MIN, _ROM_FRAC, _DROP_MIN, _ROT_ROLL, _ROT_REMOVED
cdef long _ROT_OFF, _ROT_OVER, _STALL_MAX, _LONG_TOP, _RISE_MAX, _PHASE_MAX, _TAU_SLOW, _FLAT_MS, _OFFSET_WIN, _OFFSET_QUICK, _DT_MAX, _GAP_KEEP, _REPS_NEAR, _GAP_DROP, _GAP_TOP, _TAU_TOP, _TOP_DRIFT, _BOT_WAIT, _BOT_WAIT_MAX, _BOT_GAP, _BOT_NEAR, _BOT_LAG, _DRIFT_WAIT, _ROM_LATE, _ROM_REST, _TOP_SETTLE, _SLOW_LOWER, _CREEP_MS, _PAUSE_FROM, _PAUSE_TO, _TAU_PAUSE, _STEEP_MAX, _LEVEL_WIN


cdef class Detector(RepLog):
    cdef public long tu_n, tu0, tu1, tu2
    cdef public long rot_up, rot_ref, set_end_ms, t_prev, v, dt, vslow, t_b, rot_win, state, rise, rise0, drop, peak, n_pk, bot_e0
    cdef public long n_gap, t_gap, j_gap, ref_up, ref_down, n_fast, t_still, t_rep, r_conf, r_need, r_base, bot_t, bot_n, bot_fire, bot_lvl, bot_wait
    cdef public Velocity vel
    cdef public bint top_fixed, bot_pend, up_gap

    @cython.locals(dt=long, vert=Vertical, vel=Velocity, av=long, v=long, st=long, vmm=long,
                   step=long, rot=long, v0=long, jump=long)
    cpdef long feed(self, long t_ms, long ax, long ay, long az, long gx, long gy, long gz)
    cpdef long pack_next(self, buf, long seq)
    cpdef long pending(self)
    cpdef long end(self, long t_ms)
    @cython.locals(st=long, conf=long, dv=long, base=long, lvl=long, flat=bint,
                   need=long, slow=bint, tb=long, n=long, rest=bint,
                   steady=bint, quick=bint, w=long)
    cpdef void _machine(self, long t, long vmm)
    @cython.locals(e0=long, t=long, near=bint, te=long)
    cpdef void _settle(self, long t_rise)
    @cython.locals(ring=VelocityRing, k=long, n1=long, te=long, pk=long)
    cpdef long _level_end(self, long t_rise)
    @cython.locals(ring=VelocityRing, n0=long, n1=long, base=long, lvl=long)
    cpdef void _pause_offset(self)
    @cython.locals(ring=VelocityRing, k=long)
    cpdef long _place_lowering(self, long n)
    @cython.locals(ring=VelocityRing, t0=long, tb=long, b=long, lim=long)
    cpdef void _lowering_start(self, long k)
    @cython.locals(ring=VelocityRing, th=long, h=long, l5=long, l3=long, tol=long)
    cpdef long _steep_zero(self, long k, bint above, long b, long pk)
    @cython.locals(conf=long, lvl=long, n=long, tb=long)
    cpdef bint _lowering_after_bottom(self, long t, long vmm)
    @cython.locals(ring=VelocityRing, n=long, tb=long, n1=long, te=long, ne=long, age=long, need=long)
    cpdef bint _missed_lowering(self, long t, long vmm)
    @cython.locals(conf=long, before=long, lvl=long, n=long, age=long)
    cpdef bint _try_rise(self, long vmm)
    @cython.locals(conf=long, need=long)
    cpdef void _rise_limits(self)
    @cython.locals(base=long, n=long)
    cpdef long _rise_boundary(self, long before, long lvl, long k0=*)
    cpdef void _start_rise(self, long n, long vmm, long base)
    @cython.locals(ring=VelocityRing, n0=long, n1=long, n2=long, rom=long, v0=long, lim=long,
                   te=long)
    cpdef void _rom_again(self, long tb)
    @cython.locals(ring=VelocityRing, n0=long, ng=long, nw=long, v0=long, loss=long, n2=long,
                   t0=long, t2=long, rom=long)
    cpdef void _rom_gap(self)
    cpdef void _start_lowering(self, long n, long tb, long vmm)
    @cython.locals(ring=VelocityRing, n0=long, n1=long, rom=long, dur=long, peak=long,
                   up="int[::1]", a0=long, a1=long, a2=long, t0=long, t1=long, t2=long,
                   b0=long, b1=long, b2=long, d=long)
    cpdef bint _plausible(self)
    @cython.locals(ring=VelocityRing, n0=long, n1=long, nt=long, kp=long, pk=long, t0=long, b=long)
    cpdef void _creep_start(self)
    @cython.locals(peak=long, w=long, lost=bint)
    cpdef bint _flat(self, long v, bint up)
    @cython.locals(tol=long)
    cpdef bint _steady(self, long d)
    cpdef bint _unchanged(self, long v)
    cpdef void _drift(self)
    cpdef void _rezero(self, long base, long n)
    @cython.locals(n=long)
    cpdef long _boundary(self, long base, long lvl, bint now_above, bint ending, long k0=*, bint steady=*)
    @cython.locals(lvl=long)
    cpdef long _lvl(self, long ref)
