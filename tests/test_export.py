"""CSV export: files load back into pandas with the documented columns and units."""

from datetime import datetime

import pandas as pd
import pytest

from hipthrust.export import RAW_COLUMNS, REP_COLUMNS, SET_COLUMNS, ExportError, export_csv
from hipthrust.rawfile import HEADER, read_raw_csv, to_ints
from hipthrust.store import Store
from hipthrust_core import protocol as P
from tests.test_store_builder import RepSpec, record_session

T0 = datetime(2026, 3, 4, 18, 0).timestamp()


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "s.db") as st:
        a = record_session(st, [[RepSpec(mean=0.5 - 0.01 * i) for i in range(8)],
                                [RepSpec(flags=P.RF_PARTIAL), RepSpec(ecc=0.3)]], T0, boot_id=1)
        st.tag(a, load_kg=80.0, variation="barbell")
        # Late in a long boot: times past what 4 significant digits can hold.
        st.add_raw(a, [(1234567, 10, -20, 1000, 5, -15, 0), (1234577, 12, -18, 1001, 6, -14, 1)])
        record_session(st, [[RepSpec()] * 12] * 3, T0 + 3 * 86400, boot_id=2)
        yield st


def test_one_session_reps_and_sets_csv(store, tmp_path):
    paths = export_csv(store, tmp_path / "out", session_ids=[1])
    assert [p.name for p in paths] == ["reps.csv", "sets.csv"]
    reps = pd.read_csv(tmp_path / "out" / "reps.csv")
    sets = pd.read_csv(tmp_path / "out" / "sets.csv")
    assert list(reps.columns) == REP_COLUMNS and list(sets.columns) == SET_COLUMNS
    assert len(reps) == 10 and len(sets) == 2
    assert set(reps["session_id"]) == {1}
    assert list(reps["set_number"]) == [1] * 8 + [2] * 2
    first = reps.iloc[0]
    assert (first["concentric_s"], first["hold_s"], first["eccentric_s"]) == (0.9, 1.5, 1.8)
    assert first["bottom_pause_s"] == 0.4 and first["rom_m"] == 0.3
    assert first["mean_velocity_mps"] == 0.5 and first["peak_velocity_mps"] == 0.9
    assert first["time_under_tension_s"] == pytest.approx(4.2)
    assert first["load_kg"] == 80.0 and first["variation"] == "barbell"
    assert pd.isna(reps.iloc[7]["bottom_pause_s"])  # last rep of the set
    assert reps.iloc[8]["warnings"] == "partial" and not reps.iloc[8]["full"]
    assert reps.iloc[9]["warnings"] == "crash"
    started = pd.to_datetime(reps["started_at"], format="ISO8601")
    assert started.is_monotonic_increasing
    assert started.iloc[0].tz is not None
    assert abs(started.iloc[0].timestamp() - (T0 + 5.5)) < 1.0  # SET_START at 5 s, rep 0.5 s in
    assert list(sets["reps"]) == [8, 2] and list(sets["partial_reps"]) == [0, 1]
    assert sets.iloc[0]["velocity_loss_pct"] == pytest.approx(14.0)
    assert sets.iloc[0]["rep_range_goal"] == "hypertrophy (8-15)"
    assert sets.iloc[1]["guidelines_missed"] == "reps;crash;full"
    assert sets["set_id"].is_unique


def test_all_sessions_and_raw(store, tmp_path):
    paths = export_csv(store, tmp_path / "all", raw=True)
    assert [p.name for p in paths] == ["reps.csv", "sets.csv", "raw-session-1.csv"]
    reps = pd.read_csv(tmp_path / "all" / "reps.csv")
    assert len(reps) == 10 + 36 and sorted(set(reps["session_id"])) == [1, 2]
    # The raw samples come out in the raw file format itself, so `analyze` replays them
    # and gets back exactly the integers the sensor sent.
    raw_path = tmp_path / "all" / "raw-session-1.csv"
    assert raw_path.read_text().splitlines()[0] == HEADER
    raw = pd.read_csv(raw_path)
    assert list(raw.columns) == RAW_COLUMNS
    assert raw.iloc[0].tolist() == [1234.567, 0.01, -0.02, 1.0, 0.5, -1.5, 0.0]
    assert to_ints(read_raw_csv(raw_path)).tolist() == [
        [1234567, 10, -20, 1000, 5, -15, 0], [1234577, 12, -18, 1001, 6, -14, 1]]
    assert not list((tmp_path / "all").glob(".*partial"))


def test_unwritable_folder_changes_nothing(store, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ExportError, match="is a file, not a folder"):
        export_csv(store, blocker)
    with pytest.raises(ExportError):
        export_csv(store, blocker / "deeper" / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "s.db", "s.db-shm", "s.db-wal"]
