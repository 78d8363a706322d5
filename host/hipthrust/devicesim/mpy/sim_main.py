"""Device simulator entry: run the unchanged firmware (main.py) on a SimBoard.

    micropython -X heapsize=100K -m sim_main MOTION.csv [SPEED] [BOARD]

MOTION: a raw CSV or its binary twin (.bin, runner.write_motion_bin).
SPEED: simulated seconds per real second (0: as fast as possible; default 1).
BOARD: a board name of hipthrust_fw.boards (default m5stickc-plus2).
The radio is the fake `bluetooth` (HIPTHRUST_RADIO: socket of the fake BlueZ).
"""

import gc
import sys

# As firmware/main.py does while loading: collect every 4 KB so the loader's garbage
# does not fragment the heap (main.run() sets the threshold back once the app is made).
gc.threshold(4096)

# The fakes first, measured, so the log can tell their heap from the firmware's.
import bluetooth  # noqa: E402, F401
import machine  # noqa: E402, F401
import sim_board  # noqa: E402

gc.collect()
_FAKES_HEAP = gc.mem_alloc()


def _main(argv):
    if len(argv) < 2:
        print("usage: sim_main MOTION.csv [SPEED] [BOARD]")
        sys.exit(2)
    speed = float(argv[2]) if len(argv) > 2 else 1.0
    board = sim_board.SimBoard(argv[1], speed, argv[3] if len(argv) > 3 else "m5stickc-plus2")
    print("sim: board {} motion {} speed {}".format(board.NAME, argv[1], speed))
    print("sim: heap {} bytes, {} of them the fakes' code".format(
        gc.mem_free() + gc.mem_alloc(), _FAKES_HEAP))
    import main

    main.run(board=board, clock=board.clock, until=board.finished, model=board.NAME)
    print("sim: exit")


_main(sys.argv)
