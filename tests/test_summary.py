"""Every guideline of the guide, checked on a set built to pass it and one built to fail it.

The sets are real protocol records stored through Store.add_record (the BLE path).
"""

from datetime import datetime

import pytest

from hipthrust import guidelines as G
from hipthrust.history import history
from hipthrust.store import Store
from hipthrust.summary import format_session, session_summary
from hipthrust_core import protocol as P
from tests.test_store_builder import RepSpec, record_session

T0 = datetime(2026, 3, 4, 18, 0).timestamp()  # a Wednesday evening, local time
GOOD = RepSpec(conc=1.0, hold=1.5, ecc=2.0)


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "s.db") as st:
        yield st


def _set_check(store, reps, key, boot_id):
    s = session_summary(store, record_session(store, [reps], T0, boot_id=boot_id))
    (check,) = [c for c in s["sets"][0]["checks"] if c["guideline"] == key]
    return check


@pytest.mark.parametrize("key, passing, failing", [
    ("reps", [GOOD] * 5, [GOOD] * 7),        # strength fits; 7 falls between ranges
    ("reps", [GOOD] * 10, [GOOD] * 2),       # hypertrophy fits; 2 is outside every range
    ("reps", [GOOD] * 20, [GOOD] * 30),      # endurance fits; 30 is outside
    (G.HOLD.key, [GOOD] * 8, [GOOD._replace(hold=0.6)] * 8),
    (G.ECCENTRIC.key, [GOOD] * 8, [GOOD._replace(conc=1.2, ecc=0.8)] * 8),
    (G.CRASH.key, [GOOD] * 8, [GOOD._replace(ecc=0.3)] * 8),
    (G.RUSHED.key, [GOOD] * 8, [RepSpec(conc=0.4, hold=1.0, ecc=0.5)] * 8),
    (G.FULL_EXTENSION.key, [GOOD] * 8, [GOOD] * 6 + [GOOD._replace(flags=P.RF_PARTIAL)] * 2),
])
def test_set_guideline_pass_and_fail(store, key, passing, failing):
    ok = _set_check(store, passing, key, boot_id=1)
    assert ok["ok"], ok
    bad = _set_check(store, failing, key, boot_id=2)
    assert not bad["ok"], bad


def test_sets_per_session_pass_and_fail(store):
    four = session_summary(store, record_session(store, [[GOOD] * 10] * 4, T0))
    assert four["checks"][0] == {"guideline": "sets", "ok": True,
                                 "text": "4 sets: within the guide's 3-5"}
    two = session_summary(store, record_session(store, [[GOOD] * 10] * 2, T0, boot_id=2))
    assert two["checks"][0]["ok"] is False
    six = session_summary(store, record_session(store, [[GOOD] * 10] * 6, T0, boot_id=3))
    assert six["checks"][0]["text"] == "6 sets: above the guide's 3-5"


def _week(h, when):
    y, w, _ = datetime.fromtimestamp(when).isocalendar()
    (week,) = [x for x in h["weeks"] if x["week"] == f"{y}-W{w:02d}"]
    return week


def _check(week, key):
    return [c for c in week["checks"] if c["guideline"] == key]


def test_frequency_per_iso_week_pass_and_fail(store):
    day = 86400
    for boot, t in enumerate([T0, T0 + 1 * day,                       # week A: 2 sessions
                              T0 + 7 * day, T0 + 8 * day, T0 + 9 * day, T0 + 7 * day + 3600]):
        record_session(store, [[GOOD] * 10] * 3, t, boot_id=boot + 1)  # week B: 4 sessions
    h = history(store, now=T0 + 21 * day)
    assert _check(_week(h, T0), "frequency")[0]["ok"] is True
    b = _check(_week(h, T0 + 7 * day), "frequency")[0]
    assert b == {"guideline": "frequency", "ok": False,
                 "text": "4 sessions: above the guide's 1-3"}
    empty = _check(_week(h, T0 + 14 * day), "frequency")[0]   # a week with no training
    assert empty["ok"] is False and empty["text"].startswith("0 sessions: below")
    assert len(h["weeks"]) == 4


def test_progressive_overload_pass_and_fail(store):
    week = 7 * 86400
    plan = [(100, 10), (100, 12), (100, 12), (105, 10), (100, 8)]
    for i, (load, reps) in enumerate(plan):
        sid = record_session(store, [[GOOD] * reps] * 3, T0 + i * week, boot_id=i + 1)
        store.tag(sid, load_kg=load)
    h = history(store, now=T0 + 4 * week)
    verdicts = [_check(_week(h, T0 + i * week), "overload") for i in range(5)]
    assert verdicts[0] == []  # nothing to compare the first week with
    assert verdicts[1][0]["ok"] and "10 -> 12 reps at 100 kg" in verdicts[1][0]["text"]
    assert not verdicts[2][0]["ok"]  # same load, same reps: stalled
    assert verdicts[3][0]["ok"] and "top load 100 -> 105 kg" in verdicts[3][0]["text"]
    assert not verdicts[4][0]["ok"]
    assert "add weight, reps or a set" in verdicts[4][0]["text"]
    assert _week(h, T0 + week)["volume_kg"] == 100 * 12 * 3


def _single_leg(store, left, right, boot):
    sid = record_session(store, [left, right, left, right], T0, boot_id=boot)
    sets = store.sets(sid)
    for i, s in enumerate(sets):
        store.tag(sid, variation=G.SINGLE_LEG[i % 2], set_id=s["id"])
    return session_summary(store, sid)


def test_single_leg_left_right_pass_and_fail(store):
    even = _single_leg(store, [GOOD] * 10, [GOOD] * 10, 1)["left_right"]
    assert even["check"]["ok"] and even["reps_diff_pct"] == 0.0
    lag = _single_leg(store, [GOOD] * 10, [GOOD._replace(rom=0.24)] * 8, 2)["left_right"]
    assert not lag["check"]["ok"]
    assert lag["weaker"] == "right"
    assert lag["left"]["reps"] == 20 and lag["right"]["reps"] == 16
    assert lag["rom_diff_pct"] == pytest.approx(20.0)
    assert "the right side lags" in lag["check"]["text"]
    h = history(store, now=T0)
    assert h["left_right"]["left"]["reps"] == 40


def test_set_summary_figures(store):
    reps = [RepSpec(conc=1.0, hold=1.4, ecc=2.6, bottom=0.2, mean=0.60 - 0.02 * i)
            for i in range(10)] + [RepSpec(flags=P.RF_FAILED)]
    sid = record_session(store, [reps], T0)
    store.tag(sid, load_kg=90.0, variation="banded")
    s = session_summary(store, sid)["sets"][0]
    assert s["reps"] == 10 and s["failed"] == 1 and s["full"] == 10
    assert s["tempo"] == "3-0-1-1"
    assert s["time_under_tension_s"] == pytest.approx(50.0)
    assert s["velocity_loss_pct"] == pytest.approx((0.60 - 0.42) / 0.60 * 100)
    assert s["load_kg"] == 90.0 and s["variation"] == "banded"
    assert s["started_at"].startswith("2026-03-04T18:00:05")
    text = format_session(session_summary(store, sid))
    assert "Set 1: 10 reps (10 full, 0 partial) + 1 failed - hypertrophy (8-15)" in text
    assert "! 1 set: below the guide's 3-5" in text


def test_set_of_only_failed_reps(store):
    sid = record_session(store, [[RepSpec(flags=P.RF_FAILED)] * 2], T0)
    s = session_summary(store, sid)
    assert (s["sets"][0]["reps"], s["sets"][0]["failed"]) == (0, 2)
    assert s["sets"][0]["goal"] == "outside the guide's rep ranges (3-25)"
    assert "Set 1: 0 reps (0 full, 0 partial) + 2 failed" in format_session(s)
