"""Ring buffer of the most recent event records, looked up by sequence number.

    from hipthrust_fw.ring import Ring
    ring = Ring(256)
    n = P.pack_phase(buf, ring.next_seq, P.PH_TOP, t_ms, 1)
    ring.put(buf, n)                 # stored under seq = ring.next_seq, which then advances
    rec = ring.get(seq)              # memoryview of the record bytes, or None when not held

Every record on the `events` characteristic gets the next 16-bit sequence number
and is kept here, so a host that lost the link asks for a resend from the last
sequence it stored (C_RESEND) and nothing is lost while the ring still holds it.
Storage is preallocated once: `put` and `get` allocate nothing except the
memoryview `get` returns (use `copy_into` for a zero-allocation read).
"""

from hipthrust_core import protocol as P


class Ring:
    """`slots` records of up to `size` bytes each, oldest overwritten first."""

    def __init__(self, slots=256, size=P.MAX_RECORD, first_seq=0):
        self.slots = slots
        self.size = size
        self._data = bytearray(slots * size)
        self._lens = bytearray(slots)
        self._mv = memoryview(self._data)
        self._start = 0  # slot index of the oldest held record
        self.count = 0  # records held
        self.first_seq = first_seq & 0xFFFF  # seq of the oldest held record
        self.next_seq = first_seq & 0xFFFF  # seq the next record will get

    def put(self, rec, n):
        """Store the first n bytes of rec under seq = next_seq (the caller packed that seq
        into bytes 0-1). Returns the seq of the record it overwrote, or -1 if none."""
        if n > self.size:
            raise ValueError("record longer than a ring slot")
        lost = -1
        if self.count == self.slots:
            lost = self.first_seq
            self._start = (self._start + 1) % self.slots
            self.first_seq = (self.first_seq + 1) & 0xFFFF
            self.count -= 1
        slot = (self._start + self.count) % self.slots
        off = slot * self.size
        for i in range(n):
            self._data[off + i] = rec[i]
        self._lens[slot] = n
        self.count += 1
        self.next_seq = (self.next_seq + 1) & 0xFFFF
        return lost

    def _slot(self, seq):
        # Index of seq from the oldest held record; wraps at 65536 like the seq itself.
        i = (seq - self.first_seq) & 0xFFFF
        if i >= self.count:
            return -1
        return (self._start + i) % self.slots

    def holds(self, seq):
        """True when the record with this seq is still in the ring."""
        return self._slot(seq) >= 0

    def get(self, seq):
        """memoryview of the record with this seq, or None when it is not held."""
        slot = self._slot(seq)
        if slot < 0:
            return None
        off = slot * self.size
        return self._mv[off:off + self._lens[slot]]

    def copy_into(self, seq, buf):
        """Copy the record with this seq into buf; returns its length, 0 when not held."""
        slot = self._slot(seq)
        if slot < 0:
            return 0
        off = slot * self.size
        n = self._lens[slot]
        for i in range(n):
            buf[i] = self._data[off + i]
        return n

    def oldest(self):
        """Seq of the oldest held record, or -1 when the ring is empty."""
        return self.first_seq if self.count else -1

    def since(self, seq):
        """How many records from seq up to (not including) next_seq; -1 when seq is not
        held and is not next_seq (it left the ring, or it is from another boot)."""
        d = (self.next_seq - seq) & 0xFFFF
        if d > self.count:
            return -1
        return d
