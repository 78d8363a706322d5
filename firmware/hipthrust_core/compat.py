"""The few names that differ between MicroPython and CPython, in one place.

`@micropython.native` on a per-sample method makes MicroPython compile it to machine
code (about twice as fast; mpy-cross needs -march). MicroPython's compiler reads that
decorator by its name alone, so on CPython `micropython` here is a stand-in whose
`native` changes nothing.
"""

try:
    import micropython
    from micropython import const
except ImportError:  # CPython: const() is only a compile-time hint on MicroPython

    def const(x):
        return x

    class micropython:  # noqa: N801 (stands in for the module of that name)
        @staticmethod
        def native(f):
            return f


__all__ = ["const", "micropython"]
