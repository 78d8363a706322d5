# Cython types for fixed.py (augmenting .pxd: CPython build only, see hipthrust/_native).
cpdef long clip(long v, long lim)
