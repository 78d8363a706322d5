"""Builds stored sessions from real protocol records (the BLE client's path).

Other store/summary/export/report tests import `RepSpec`, `set_records` and
`record_session` from here; the tests below check the builder itself.
"""

from collections import namedtuple

from hipthrust_core import records as P

ADDRESS = "24:0A:C4:00:1A:2B"
DEVICE = "HipThrust-1A2B"

# One rep as the lifter did it: durations s, ROM m, velocities m/s.
RepSpec = namedtuple(
    "RepSpec", ("conc", "hold", "ecc", "bottom", "rom", "mean", "peak", "flags"),
    defaults=(0.9, 1.5, 1.8, 0.4, 0.30, 0.50, 0.90, P.RF_FULL),
)


def set_records(seq, set_no, t0_ms, reps, reason=P.END_REST, rest_ms=20000):
    """Protocol records (namedtuples) of one set starting at device time t0_ms.

    Returns (records, next seq, device ms after the set's end).
    """
    recs = [P.SetStart(seq, set_no, t0_ms)]
    seq += 1
    t = t0_ms + 500
    full = 0
    for i, r in enumerate(reps):
        recs.append(P.Rep(seq, i + 1, r.flags, t, round(r.conc * 1000), round(r.hold * 1000),
                          round(r.ecc * 1000), round(r.rom * 1000), round(r.mean * 1000),
                          round(r.peak * 100)))
        seq += 1
        full += 1 if r.flags & P.RF_FULL else 0
        t += round((r.conc + r.hold + r.ecc + r.bottom) * 1000)
    t_end = t + rest_ms
    recs.append(P.SetEnd(seq, set_no, t_end, len(reps), full, reason))
    return recs, seq + 1, t_end


def record_session(store, sets, started_at, boot_id=1, address=ADDRESS, rest_s=120.0,
                   order=None):
    """Store a session of sets (lists of RepSpec) through Store.add_record.

    started_at: unix s of device t_ms = 0; order: optional function reordering
    the list of records (to simulate resends). Returns the session id.
    """
    sid = store.open_session(DEVICE, address, boot_id, now=started_at)
    recs = []
    seq, t = 0, 5000
    for n, reps in enumerate(sets):
        more, seq, t = set_records(seq, n + 1, t, reps)
        recs += more
        t += round(rest_s * 1000)
    if order is not None:
        recs = order(recs)
    for rec in recs:
        store.add_record(sid, address, boot_id, rec.seq, P.encode(rec),
                         started_at + rec.t_ms / 1000.0 + 0.05)
    return sid


def test_set_records_round_trip_through_the_protocol():
    recs, seq, t_end = set_records(10, 3, 1000, [RepSpec(), RepSpec(flags=P.RF_PARTIAL)])
    assert [type(r).__name__ for r in recs] == ["SetStart", "Rep", "Rep", "SetEnd"]
    assert [r.seq for r in recs] == [10, 11, 12, 13] and seq == 14
    for rec in recs:
        assert P.decode(P.encode(rec)) == rec
    assert recs[-1].reps == 2 and recs[-1].full_reps == 1
    # second rep starts after the first's concentric, hold, eccentric and bottom pause
    assert recs[2].t_ms - recs[1].t_ms == 900 + 1500 + 1800 + 400
    assert t_end > recs[2].t_ms
