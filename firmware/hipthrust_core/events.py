"""Preallocated queue of pending detector events, packed into protocol records.

    ev = Events()
    ev.put(P.T_PHASE, P.PH_TOP, t_ms, rep, 0, 0, 0, 0, 0, 0)
    n = ev.pack_next(buf, seq)        # oldest event -> protocol record, 0 when empty

Each slot holds a record type and up to nine integer fields (their meaning is the
argument order of the matching protocol.pack_* function). When the queue is full
the oldest event is dropped: the firmware drains it after every sample, so this
only happens when nobody reads the events at all.
"""

from array import array

from hipthrust_core import protocol as P
from hipthrust_core.compat import const

SLOTS = const(32)
_W = const(10)  # ints per slot: type + 9 fields


class Events:
    """FIFO of detector events (see module doc)."""

    def __init__(self):
        self.q = array("i", bytes(4 * SLOTS * _W))
        self.head = 0  # slot of the oldest event
        self.count = 0

    def put(self, kind, a, b, c, d, e, f, g, h, i):
        """Queue one event: kind is protocol T_*, a..i the pack_* arguments after seq."""
        if self.count == SLOTS:
            self.head = (self.head + 1) % SLOTS
            self.count -= 1
        s = ((self.head + self.count) % SLOTS) * _W
        q = self.q
        q[s] = kind
        q[s + 1] = a
        q[s + 2] = b
        q[s + 3] = c
        q[s + 4] = d
        q[s + 5] = e
        q[s + 6] = f
        q[s + 7] = g
        q[s + 8] = h
        q[s + 9] = i
        self.count += 1

    def pack_next(self, buf, seq):
        """Pack the oldest event into buf with sequence number seq and drop it from the
        queue. Returns the record length, 0 when the queue is empty."""
        if self.count == 0:
            return 0
        s = self.head * _W
        q = self.q
        kind = q[s]
        if kind == P.T_PHASE:
            n = P.pack_phase(buf, seq, q[s + 1], q[s + 2], q[s + 3])
        elif kind == P.T_REP:
            n = P.pack_rep(buf, seq, q[s + 1], q[s + 2], q[s + 3], q[s + 4], q[s + 5],
                           q[s + 6], q[s + 7], q[s + 8], q[s + 9])
        elif kind == P.T_SET_START:
            n = P.pack_set_start(buf, seq, q[s + 1], q[s + 2])
        else:
            n = P.pack_set_end(buf, seq, q[s + 1], q[s + 2], q[s + 3], q[s + 4], q[s + 5])
        self.head = (self.head + 1) % SLOTS
        self.count -= 1
        return n
