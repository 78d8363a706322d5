"""hipthrust: host side of the hip thrust rep counter (BLE client, store, summaries)."""

__version__ = "0.1.0"
