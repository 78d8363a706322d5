# Cython types for ring.py (augmenting .pxd: CPython build only, see hipthrust/_native).
cimport cython

cdef long _TOL_HOLD, _EXTRAP, _EXTRAP_HOLD, _MASK


cdef class VelocityRing:
    cdef public int[::1] t, v, vr
    cdef public long n, t_cross, peak, n_fall, t_fall, low

    @cython.locals(i=long)
    cpdef void push(self, long t, long vr, long vd)
    @cython.locals(o=long)
    cpdef long oldest(self)
    @cython.locals(tt="int[::1]", vv="int[::1]", k=long, stop=long, tol=long, mag=long,
                   near_hi=long, near_lo=long, best=long, j=long, vj=long, turned=bint,
                   i=long, vi=long, dv=long, dtt=long, f=long)
    cpdef long cross(self, long level, bint now_above, long tol=*, long k0=*, long near=*)
    @cython.locals(hold=bint, tol=long, n=long, t1=long, gap=long, rise=bint, k4=long,
                   n4=long, t4=long, i=long, tt="int[::1]", vv="int[::1]", dv=long, lim=long,
                   wobble=long, vn=long)
    cpdef long boundary(self, long base, long lvl, bint now_above, bint ending, long k0=*, bint steady=*)
    @cython.locals(tt="int[::1]", k=long, stop=long)
    cpdef long index_at(self, long t)
    @cython.locals(vv="int[::1]", v0=long, best=long, lo=long, k=long, vk=long)
    cpdef long stop_after(self, long n0, long n1, long n2=*)
    @cython.locals(tt="int[::1]", vv="int[::1]", k=long, i=long, j=long)
    cpdef long levels_off(self, long n1, long n2, long rate)
    @cython.locals(o=long, span=long)
    cpdef long mean(self, long n0, long n1)
    @cython.locals(o=long, vv="int[::1]", best=long, k=long)
    cpdef long fastest(self, long n0, long n1)
    @cython.locals(tt="int[::1]", k=long, stop=long, t0=long)
    cpdef long value_before(self, long age)
    @cython.locals(tt="int[::1]", vv="int[::1]", k=long, stop=long, t0=long, low=long)
    cpdef long lowest(self, long age)
    @cython.locals(vv="int[::1]", k=long)
    cpdef void shift(self, long n0, long dv)
    cpdef long measured(self, long n)
    cpdef long detected(self, long n)
    cpdef long time(self, long n)
    @cython.locals(i=long)
    cpdef void amend(self, long dv)
    @cython.locals(low=long)
    cpdef long fall_start(self, long n0, long n1, long frac)
    cpdef long integrate(self, long n0, long n1, bint fused=*, bint detrend=*)
    @cython.locals(tt="int[::1]", o=long, i0=long, t0=long, v0=long, span=long, slope=long,
                   total=long, peak=long, low=long, prev=long, k=long, j=long, vj=long)
    cpdef long _walk(self, long n0, long n1, int[::1] vv, long lim, bint find, bint detrend=*)
