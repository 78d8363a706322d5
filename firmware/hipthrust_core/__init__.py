"""Shared core: wire protocol and rep detector.

Pure Python that runs on MicroPython (the board, the unix port) and on CPython
(the host), so a replay on the laptop equals the device. Imports nothing above it.
"""
