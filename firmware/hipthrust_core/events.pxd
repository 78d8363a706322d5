# Cython types for events.py (augmenting .pxd: CPython build only, see hipthrust/_native).
cimport cython

cdef long _W


cdef class Events:
    cdef public int[::1] q
    cdef public long head, count

    @cython.locals(s=long, q="int[::1]")
    cpdef void put(self, long kind, long a, long b, long c, long d, long e, long f, long g,
                   long h, long i)
    @cython.locals(s=long, q="int[::1]", kind=long)
    cpdef pack_next(self, buf, long seq)
