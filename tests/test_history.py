"""History over ISO weeks: windows, empty database, and the benchmark script still runs."""

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from hipthrust.errors import StoreError
from hipthrust.history import format_history, history, iso_week
from hipthrust.store import Store
from tests.test_store_builder import RepSpec, record_session

T0 = datetime(2026, 1, 7, 18, 0).timestamp()  # Wednesday of ISO week 2026-W02
WEEK = 7 * 86400
ROOT = Path(__file__).resolve().parent.parent


def test_weeks_window_and_totals(tmp_path):
    with Store(tmp_path / "s.db") as st:
        for i in range(6):
            sid = record_session(st, [[RepSpec()] * 10] * 3, T0 + i * WEEK, boot_id=i + 1)
            st.tag(sid, load_kg=100 + 5 * i)
        full = history(st, now=T0 + 5 * WEEK)
        assert [w["week"] for w in full["weeks"]] == [f"2026-W{n:02d}" for n in range(2, 8)]
        last3 = history(st, weeks=3, now=T0 + 5 * WEEK)
        assert [w["week"] for w in last3["weeks"]] == ["2026-W05", "2026-W06", "2026-W07"]
        assert last3["sessions"] == 3
        wk = last3["weeks"][-1]
        assert (wk["sets"], wk["reps"], wk["volume_kg"], wk["top_load_kg"]) == (3, 30, 3750, 125)
        assert wk["loads"]["125"]["max_reps"] == 10
        # a later "now" adds the empty weeks since the last session
        later = history(st, weeks=4, now=T0 + 8 * WEEK)
        assert [w["sessions"] for w in later["weeks"]] == [1, 0, 0, 0]
        none = history(st, weeks=2, now=T0 + 9 * WEEK)
        assert none["sessions"] == 0
        assert format_history(none).splitlines()[-1].startswith(
            "No session in these weeks; the last one started 2026-02-11T18:00:00")
        text = format_history(last3)
        assert text.splitlines()[0] == "History 2026-W05 .. 2026-W07: 3 sessions"
        assert "top load 120 -> 125 kg" in text
    assert iso_week(T0) == "2026-W02"


def test_empty_database_is_an_error(tmp_path):
    with Store(tmp_path / "s.db") as st:
        with pytest.raises(StoreError, match="no sessions in .* yet"):
            history(st)


def test_bench_script_runs_on_one_year(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "history.py"), "--years", "1"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "156 sessions" in proc.stdout
    for label in ("summary latest", "history (all weeks)", "export --all --csv"):
        assert label in proc.stdout
