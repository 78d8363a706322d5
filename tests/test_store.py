"""The SQLite store: idempotent inserts, materialised sets/reps, migrations, errors."""

import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st_

from hipthrust import migrations
from hipthrust import store as store_mod
from hipthrust.errors import StoreError, UnknownSessionError
from hipthrust.store import Store, default_db_path
from hipthrust_core import records as P
from tests.test_store_builder import ADDRESS, RepSpec, record_session, set_records

T0 = 1_780_000_000.0


def _dump(store, sid):
    sets = [(r["start_seq"], r["end_seq"], r["set_no"], r["t_start_ms"], r["t_end_ms"],
             r["reported_reps"], r["end_reason"]) for r in store.sets(sid)]
    reps = [(r["seq"], r["rep_no"], r["t_ms"], r["conc_ms"], r["hold_ms"], r["ecc_ms"],
             r["bottom_ms"], r["rom_mm"], r["mean_mmps"], r["peak_cmps"], r["flags"])
            for r in store.reps(sid)]
    set_of_rep = [r["set_id"] for r in store.reps(sid)]
    return sets, reps, len(set(set_of_rep))


def test_materialises_sets_and_reps_with_bottom_pause(tmp_path):
    with Store(tmp_path / "s.db") as st:
        sid = record_session(st, [[RepSpec()] * 3, [RepSpec(bottom=1.0)] * 2], T0)
        sets = st.sets(sid)
        assert len(sets) == 2
        assert [s["reported_reps"] for s in sets] == [3, 2]
        assert [s["end_reason"] for s in sets] == ["rest", "rest"]
        reps = st.reps(sid)
        assert [r["rep_no"] for r in reps] == [1, 2, 3, 1, 2]
        # bottom pause = next rep's start - this rep's eccentric end; last rep of a set: none
        assert [r["bottom_ms"] for r in reps] == [400, 400, None, 1000, None]
        assert reps[0]["conc_ms"] == 900 and reps[0]["rom_mm"] == 300
        assert reps[0]["mean_mmps"] == 500 and reps[0]["peak_cmps"] == 90


def test_inserts_are_idempotent_and_last_seq_follows(tmp_path):
    with Store(tmp_path / "s.db") as st:
        assert st.last_seq(ADDRESS, 1) is None
        sid = st.open_session("HipThrust-1A2B", ADDRESS, 1, now=T0)
        recs, _, _ = set_records(0, 1, 1000, [RepSpec()] * 2)
        data = [P.encode(r) for r in recs]
        pairs = list(zip(recs, data, strict=True))
        assert [st.add_record(sid, ADDRESS, 1, r.seq, d, T0) for r, d in pairs] == [True] * 4
        before = _dump(st, sid)
        assert [st.add_record(sid, ADDRESS, 1, r.seq, d, T0 + 9) for r, d in pairs] == [False] * 4
        assert _dump(st, sid) == before
        assert st.last_seq(ADDRESS, 1) == 3
        assert st.last_seq(ADDRESS, 2) is None
        n = st.query("SELECT COUNT(*) FROM events")[0][0]
        assert n == 4


def test_session_reused_for_same_boot_new_for_new_boot(tmp_path):
    with Store(tmp_path / "s.db") as st:
        a = st.open_session("HipThrust-1A2B", ADDRESS, 7, now=T0)
        assert st.open_session("HipThrust-1A2B", ADDRESS, 7, now=T0 + 60) == a
        b = st.open_session("HipThrust-1A2B", ADDRESS, 8, now=T0 + 60)
        assert b != a
        assert st.require_session(a)["started_at"] == T0
    with Store(tmp_path / "s.db") as st:  # a restarted host continues the session
        assert st.open_session("HipThrust-1A2B", ADDRESS, 7) == a


@pytest.mark.parametrize("seed", range(8))
def test_out_of_order_arrival_gives_the_same_sets_and_reps(tmp_path, seed):
    sets = [[RepSpec()] * 4, [RepSpec(bottom=0.7)] * 3, [RepSpec()] * 5]
    with Store(tmp_path / "a.db") as st:
        expected = _dump(st, record_session(st, sets, T0))

    def shuffle(recs):
        recs = list(recs)
        random.Random(seed).shuffle(recs)
        return recs

    with Store(tmp_path / "b.db") as st:
        sid = record_session(st, sets, T0, order=shuffle)
        assert _dump(st, sid) == expected
        st.rebuild(sid)
        assert _dump(st, sid) == expected


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sizes=st_.lists(st_.integers(1, 5), min_size=1, max_size=4), data=st_.data())
def test_any_arrival_order_with_resends_matches_in_order(tmp_path_factory, sizes, data):
    """Records arriving in any order, some twice (resends), give the in-order result."""
    tmp = tmp_path_factory.mktemp("h")
    sets = [[RepSpec(bottom=0.1 * (i + 1))] * n for i, n in enumerate(sizes)]
    with Store(tmp / "a.db") as st:
        expected = _dump(st, record_session(st, sets, T0))

    def resend(recs):
        order = data.draw(st_.permutations(recs))
        again = data.draw(st_.lists(st_.sampled_from(recs), max_size=len(recs)))
        return list(order) + again

    with Store(tmp / "b.db") as st:
        assert _dump(st, record_session(st, sets, T0, order=resend)) == expected


def test_lost_set_start_still_gives_a_set(tmp_path):
    with Store(tmp_path / "s.db") as st:
        sid = record_session(st, [[RepSpec()] * 3], T0, order=lambda r: r[1:])
        sets = st.sets(sid)
        assert len(sets) == 1 and sets[0]["start_seq"] == 1 and sets[0]["end_reason"] == "rest"
        assert len(st.reps(sid)) == 3


def test_malformed_or_raw_record_stores_nothing(tmp_path):
    with Store(tmp_path / "s.db") as st:
        sid = st.open_session("HipThrust-1A2B", ADDRESS, 1, now=T0)
        good = P.encode(P.SetStart(0, 1, 1000))
        with pytest.raises(P.ProtocolError):
            st.add_record(sid, ADDRESS, 1, 0, good[:-1], T0)
        with pytest.raises(P.ProtocolError):
            st.add_record(sid, ADDRESS, 1, 0, P.encode(P.Raw(0, 1, 2, 3, 4, 5, 6, 7)), T0)
        with pytest.raises(P.ProtocolError):  # one bad record in a batch: none stored
            st.add_records(sid, ADDRESS, 1, [(0, good, T0), (1, b"\x01\x00\x99", T0)])
        assert st.query("SELECT COUNT(*) FROM events")[0][0] == 0
        assert st.sets(sid) == []


def test_sequence_wrap_keeps_order(tmp_path):
    with Store(tmp_path / "s.db") as st:
        sid = st.open_session("HipThrust-1A2B", ADDRESS, 1, now=T0)
        recs, _, _ = set_records(65534, 1, 1000, [RepSpec()] * 3)
        last = None
        for r in recs:
            wire = P.encode(r._replace(seq=r.seq & 0xFFFF))
            ext = P.extend_seq(last, r.seq & 0xFFFF)
            st.add_record(sid, ADDRESS, 1, ext, wire, T0)
            last = st.last_seq(ADDRESS, 1)
        assert last == 65538
        assert [r["rep_no"] for r in st.reps(sid)] == [1, 2, 3]
        assert st.sets(sid)[0]["end_seq"] == 65538


def test_raw_samples_and_tags(tmp_path):
    with Store(tmp_path / "s.db") as st:
        sid = record_session(st, [[RepSpec()] * 2, [RepSpec()] * 2], T0)
        st.add_raw(sid, [(10, 1, 2, 1000, -4, 5, 6), (20, 1, 2, 998, -4, 5, 7)])
        assert [tuple(r) for r in st.raw(sid)] == [(10, 1, 2, 1000, -4, 5, 6),
                                                   (20, 1, 2, 998, -4, 5, 7)]
        st.tag(sid, load_kg=100.0, variation="barbell")
        second = st.sets(sid)[1]["id"]
        st.tag(sid, variation="single-leg-left", set_id=second)
        rows = st.sets(sid)
        assert [(r["load_kg"], r["variation"]) for r in rows] == [
            (100.0, "barbell"), (100.0, "single-leg-left")]
        with pytest.raises(UnknownSessionError):
            st.tag(999, load_kg=1.0)


def test_schema_version_recorded_and_newer_refused(tmp_path):
    path = tmp_path / "s.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT version, name FROM migrations").fetchall()
    assert [v for v, _ in rows] == [m[0] for m in migrations.MIGRATIONS]
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.execute("INSERT INTO migrations VALUES (?, 'future', 0)", (migrations.LATEST + 1,))
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer hipthrust"):
        Store(path)


def test_corrupt_missing_and_unwritable_files(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError) as err:
        Store(bad)
    assert str(err.value) == (
        f"{bad} is not a hipthrust database or is corrupt; move it away or choose another "
        "with --db")
    assert bad.read_bytes() == b"this is not sqlite" * 100
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.db"]
    with pytest.raises(StoreError, match="no session database at"):
        Store(tmp_path / "none.db", create=False)
    assert not (tmp_path / "none.db").exists()
    (tmp_path / "file").write_text("x")
    with pytest.raises(StoreError, match="check that its folder exists and is writable"):
        Store(tmp_path / "file" / "s.db")


def test_locked_database_is_a_one_line_error(tmp_path):
    path = tmp_path / "s.db"
    with Store(path) as st:
        sid = st.open_session("HipThrust-1A2B", ADDRESS, 1, now=T0)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with Store(path, timeout=0.05) as st:
            with pytest.raises(StoreError) as err:
                st.tag(sid, load_kg=50.0)
            assert "is locked by another program" in str(err.value)
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_default_path_in_user_data_folder(monkeypatch, tmp_path):
    assert default_db_path() == store_mod.Path(os.environ["HIPTHRUST_DB"])
    monkeypatch.delenv("HIPTHRUST_DB")
    path = default_db_path()
    assert path.name == "sessions.db"
    assert str(path).startswith(os.environ["XDG_DATA_HOME"])  # the autouse fixture's tmp
    Store(path).close()  # creates the folder
    assert path.exists()


def test_kill_9_right_after_add_record_loses_nothing(tmp_path):
    path = tmp_path / "s.db"
    recs, _, _ = set_records(0, 1, 1000, [RepSpec()] * 3)
    script = textwrap.dedent(f"""
        import os, signal, sys
        from hipthrust.store import Store
        from hipthrust_core import records as P
        st = Store({str(path)!r})
        sid = st.open_session("HipThrust-1A2B", {ADDRESS!r}, 1, now=0.0)
        for hexdata in sys.argv[1:]:
            data = bytes.fromhex(hexdata)
            st.add_record(sid, {ADDRESS!r}, 1, P.decode(data).seq, data, 1.0)
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    proc = subprocess.run([sys.executable, "-c", script] + [P.encode(r).hex() for r in recs[:4]],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    with Store(path) as st:
        assert st.last_seq(ADDRESS, 1) == 3
        assert len(st.reps(1)) == 3
        assert st.sets(1)[0]["end_seq"] is None  # the set was still open
