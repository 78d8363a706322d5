"""The few names that differ between MicroPython and CPython, in one place."""

try:
    from micropython import const
except ImportError:  # CPython: const() is only a compile-time hint on MicroPython

    def const(x):
        return x


__all__ = ["const"]
