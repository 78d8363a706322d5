"""Board entry point: MicroPython runs this file at boot.

Picks the board file named in board.txt (written by `hipthrust flash`), makes the
board (which holds the power on first, on boards that need it), and runs the app
until power-off. The device simulator (hipthrust.devicesim) imports this same file
and calls run() with its simulated board, clock and radio.
"""

import asyncio
import gc

from micropython import const

_LOAD_GC_BYTES = const(4096)  # bytes allocated between collections while loading


def run(board=None, ble=None, clock=None, until=None, model=None):
    """Make the board (unless given), the app, and run the app's loop. `until` (a
    callable) ends the loop when it returns True; on a board it never does."""
    # While the code loads and the app makes its buffers, collect every few KB: the
    # loader's garbage is then reused at once instead of leaving holes between the
    # modules that the large buffers (ring, detector history) cannot use. Measured in
    # the unix port: the same session needs 20 KB less heap.
    gc.threshold(_LOAD_GC_BYTES)
    if board is None:
        import machine

        from hipthrust_fw import boards

        module = boards.load(boards.configured_name())
        board = module.Board(machine)
        model = module.NAME
    if ble is None:
        import bluetooth

        ble = bluetooth.BLE()
    from hipthrust_fw.app import App

    app = App(board, ble, clock=clock, model=model)
    gc.threshold(-1)  # running: collect only when the heap is full
    asyncio.run(app.run(until))
    return app


if __name__ == "__main__":
    run()
