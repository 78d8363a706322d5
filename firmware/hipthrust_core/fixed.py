"""Integer helpers the core's fixed-point modules share (MicroPython and CPython).

    from hipthrust_core.fixed import clip
    x = clip(x, 4000)        # x limited to -4000..4000
"""


def clip(v, lim):
    """v limited to the range -lim..lim (ints, any unit)."""
    if v > lim:
        return lim
    if v < -lim:
        return -lim
    return v
