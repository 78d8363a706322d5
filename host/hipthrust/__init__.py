"""hipthrust: host side of the hip thrust rep counter (BLE client, store, summaries)."""

from hipthrust import _native

__version__ = "0.1.0"

_native.install()  # the compiled core (hipthrust_core by Cython) where it is current
