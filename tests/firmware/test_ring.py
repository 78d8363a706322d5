"""Ring buffer of event records, run in the MicroPython unix port."""

from tests.firmware.mpfw import run

_SETUP = """
from hipthrust_core import records as P
from hipthrust_fw.ring import Ring
buf = bytearray(P.MAX_RECORD)
def put(ring, t):
    n = P.pack_phase(buf, ring.next_seq, P.PH_TOP, t, 1)
    return ring.put(buf, n)
def t_of(ring, seq):
    rec = ring.get(seq)
    return None if rec is None else P.decode(bytes(rec)).t_ms
"""


def test_holds_the_last_slots_records_and_reports_what_it_overwrote():
    (r,), _ = run(_SETUP + """
ring = Ring(4)
lost = [put(ring, 1000 + i) for i in range(6)]
report({"lost": lost, "count": ring.count, "oldest": ring.oldest(), "next": ring.next_seq,
        "t": [t_of(ring, s) for s in range(7)]})
""")
    assert r["lost"] == [-1, -1, -1, -1, 0, 1]
    assert r["count"] == 4
    assert r["oldest"] == 2
    assert r["next"] == 6
    assert r["t"] == [None, None, 1002, 1003, 1004, 1005, None]


def test_sequence_wraps_at_65536():
    (r,), _ = run(_SETUP + """
ring = Ring(8, first_seq=65533)
for i in range(6):
    put(ring, i)
report({"next": ring.next_seq, "oldest": ring.oldest(),
        "t": [t_of(ring, s) for s in (65532, 65533, 65535, 0, 2, 3)],
        "since": [ring.since(s) for s in (65533, 0, 3, 4, 65532, 30000)]})
""")
    assert r["next"] == 3
    assert r["oldest"] == 65533
    assert r["t"] == [None, 0, 2, 3, 5, None]
    # since(): records from seq to next_seq; next_seq itself is "nothing missed"; a seq
    # before the oldest or from another boot is -1.
    assert r["since"] == [6, 3, 0, -1, -1, -1]


def test_wrapped_lookup_after_overwrites_across_the_seq_wrap():
    (r,), _ = run(_SETUP + """
ring = Ring(3, first_seq=65534)
for i in range(5):
    put(ring, 100 + i)
report({"oldest": ring.oldest(), "t": [t_of(ring, s) for s in (65535, 0, 1, 2)],
        "copy": ring.copy_into(1, bytearray(20)), "gone": ring.copy_into(65535, bytearray(20))})
""")
    assert r["oldest"] == 0
    assert r["t"] == [None, 102, 103, 104]
    assert r["copy"] == 9
    assert r["gone"] == 0


def test_empty_ring_and_oversized_record():
    (r,), _ = run(_SETUP + """
ring = Ring(2)
try:
    ring.put(bytearray(21), 21)
    err = None
except ValueError as exc:
    err = str(exc)
report({"oldest": ring.oldest(), "since": ring.since(0), "get": ring.get(0) is None,
        "err": err, "next": ring.next_seq})
""")
    assert r == {"oldest": -1, "since": 0, "get": True, "err": "record longer than a ring slot",
                 "next": 0}


def test_put_and_copy_allocate_nothing():
    (r,), _ = run(_SETUP + """
import micropython
ring = Ring(4)
out = bytearray(20)
n = P.pack_rep(buf, 0, 1, 1, 5000, 900, 1500, 1800, 250, 600, 1100)
for i in range(6):
    ring.put(buf, n)
    ring.copy_into(ring.next_seq - 1, out)
micropython.heap_lock()
for i in range(100):
    ring.put(buf, n)
    ring.copy_into(ring.oldest(), out)
micropython.heap_unlock()
report({"next": ring.next_seq, "rec": list(out[:n]) == list(buf[:n])})
""")
    assert r == {"next": 106, "rec": True}
