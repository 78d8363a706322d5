"""Board files: every fact about a board (pins, power hold, IMU, axis map) lives in one.

    from hipthrust_fw import boards
    board = boards.load(boards.configured_name()).Board(machine)
    imu = board.imu(100)

`hipthrust flash` writes the board's name into BOARD_FILE on the board; main.py reads it.
Nothing here touches hardware at import time.
"""

BOARDS = {
    "m5stickc-plus2": "m5stickc_plus2",
    "xiao-esp32s3": "xiao_esp32s3",
    "pico2w": "pico2w",
}
DEFAULT = "m5stickc-plus2"
BOARD_FILE = "board.txt"  # one line: the board name, written by `hipthrust flash`


def load(name):
    """The board module for a board name. Raises ValueError naming the known boards."""
    module = BOARDS.get(name)
    if module is None:
        raise ValueError(
            "unknown board {!r}; known boards: {}".format(name, ", ".join(sorted(BOARDS)))
        )
    return __import__("hipthrust_fw.boards." + module, None, None, ("Board",))


def configured_name(path=BOARD_FILE, default=DEFAULT):
    """The board name stored in path (BOARD_FILE), or default when the file is missing."""
    try:
        with open(path) as f:
            name = f.read().strip()
    except OSError:
        return default
    return name or default
