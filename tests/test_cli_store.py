"""The store commands through hipthrust.cli.main: output, exact error lines, exit status 2,
and nothing changed by bad input."""

import json
import os
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from hipthrust import store as store_mod
from hipthrust.cli import main
from hipthrust.store import Store
from hipthrust_core import protocol as P
from tests.test_store_builder import RepSpec, record_session

T0 = datetime(2026, 3, 4, 18, 0).timestamp()
GOOD = RepSpec(conc=1.0, hold=1.5, ecc=2.0)


@pytest.fixture
def db():
    """The test's database (HIPTHRUST_DB from the autouse fixture) with two sessions."""
    path = Path(os.environ["HIPTHRUST_DB"])
    with Store(path) as st:
        record_session(st, [[GOOD] * 10] * 4, T0, boot_id=1)
        record_session(st, [[GOOD] * 5, [GOOD._replace(hold=0.5)] * 5], T0 + 86400, boot_id=2)
    return path


def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _snapshot(path):
    conn = sqlite3.connect(path)
    try:
        return [conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
                for t in ("sessions", "events", "sets", "reps")]
    finally:
        conn.close()


def test_sessions_lists_and_prints_db_path(db, capsys):
    code, out, _ = _run(capsys, "sessions")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"Database: {db}"
    assert lines[2].split()[0] == "1" and lines[2].split()[-2:] == ["4", "40"]
    assert lines[3].split()[-2:] == ["2", "10"]
    code, out, _ = _run(capsys, "sessions", "--json")
    data = json.loads(out)
    assert data["db"] == str(db) and [s["id"] for s in data["sessions"]] == [1, 2]


def test_sessions_count_reps_not_failed_attempts(tmp_path, capsys):
    path = tmp_path / "f.db"
    with Store(path) as st:
        record_session(st, [[GOOD] * 6 + [GOOD._replace(flags=P.RF_FAILED)]], T0, boot_id=3)
    code, out, _ = _run(capsys, "sessions", "--db", str(path))
    assert code == 0 and out.splitlines()[2].split()[-2:] == ["1", "6"]


def test_summary_latest_text_and_json(db, capsys):
    code, out, _ = _run(capsys, "summary")
    assert code == 0
    assert out.startswith("Session 2 ")
    assert "Set 2: 5 reps (5 full, 0 partial) - strength (3-6)" in out
    assert "! hold 0.5 s median, 5 of 5 under 1 s (guide: squeeze 1-2 s)" in out
    code, out, _ = _run(capsys, "summary", "1", "--json")
    data = json.loads(out)
    assert data["session"] == 1 and data["n_sets"] == 4 and data["checks"][0]["ok"]
    assert data["sets"][0]["tempo"] == "2-0-1-2"


def test_history_weeks(db, capsys):
    code, out, _ = _run(capsys, "history", "--weeks", "2", "--json")
    assert code == 0
    data = json.loads(out)
    assert len(data["weeks"]) == 2
    code, out, _ = _run(capsys, "history")
    assert code == 0 and out.startswith("History ")
    assert "2 sessions: within the guide's 1-3" in out


def test_tag_kg_lb_and_set(db, capsys):
    assert _run(capsys, "tag", "1", "--load", "100kg", "--variation", "barbell")[0] == 0
    code, out, _ = _run(capsys, "tag", "2", "--load", "225 lb")
    assert code == 0 and out.startswith("Tagged session 2: load 102.06 kg")
    code, out, _ = _run(capsys, "tag", "2", "--set", "2", "--variation", "Single-Leg-Left")
    assert out.startswith("Tagged session 2 set 2: variation single-leg-left")
    with Store(db) as st:
        assert (st.require_session(1)["load_kg"], st.require_session(1)["variation"]) == (
            100.0, "barbell")
        assert [s["variation"] for s in st.sets(2)] == [None, "single-leg-left"]
        assert [s["load_kg"] for s in st.sets(2)] == [102.06, 102.06]


@pytest.mark.parametrize("argv, line", [
    (["summary", "99"], "Error: no session 99; `hipthrust sessions` lists them"),
    (["summary", "abc"], "Error: no session 'abc'; `hipthrust sessions` lists them"),
    (["report", "7", "-o", "x.png"], "Error: no session 7; `hipthrust sessions` lists them"),
    (["tag", "1", "--load", "100"],
     "Error: load '100' not understood; write it like 100kg or 225lb"),
    (["tag", "1", "--load", "100kg", "--variation", "sumo"],
     "Error: unknown variation 'sumo'; use one of: barbell, bodyweight, dumbbell, kettlebell, "
     "single-leg-left, single-leg-right, banded, machine, deficit"),
    (["tag", "1"], "Error: nothing to tag; give --load (e.g. 100kg) and/or --variation"),
    (["tag", "1", "--set", "5", "--load", "90kg"],
     "Error: session 1 has no set 5; it has 4 (see `hipthrust summary 1`)"),
    (["export", "--csv", "out"], "Error: give a SESSION id or --all (not both)"),
    (["history", "--weeks", "0"], "Error: --weeks must be 1 or more, not 0"),
    (["report", "1", "-o", "x.pdf"], "Error: report file x.pdf must end in .png or .html"),
])
def test_user_errors_one_line_exit_2_nothing_changed(db, capsys, argv, line):
    before = _snapshot(db)
    code, out, err = _run(capsys, *argv)
    assert (code, err, out) == (2, line + "\n", "")
    assert _snapshot(db) == before


def test_empty_and_missing_database(tmp_path, capsys):
    missing = tmp_path / "nothing.db"
    code, _, err = _run(capsys, "summary", "--db", str(missing))
    assert code == 2
    assert err == (f"Error: no session database at {missing} yet; record a session with "
                   "`hipthrust demo` or `hipthrust live`\n")
    assert not missing.exists()
    empty = tmp_path / "empty.db"
    Store(empty).close()
    for argv in (["summary"], ["history"], ["export", "--all", "--csv", str(tmp_path / "o")]):
        code, _, err = _run(capsys, *argv, "--db", str(empty))
        assert (code, err) == (2, f"Error: no sessions in {empty} yet; record one with "
                                  "`hipthrust demo` or `hipthrust live`\n")
    assert not (tmp_path / "o").exists()
    code, out, _ = _run(capsys, "sessions", "--db", str(empty))
    assert code == 0 and "No sessions yet" in out


def test_corrupt_database(tmp_path, capsys):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"\x00garbage" * 200)
    for argv in (["sessions"], ["summary"], ["tag", "1", "--load", "1kg"]):
        code, out, err = _run(capsys, *argv, "--db", str(bad))
        assert (code, out) == (2, "")
        assert err == (f"Error: {bad} is not a hipthrust database or is corrupt; move it away "
                       "or choose another with --db\n")
    assert bad.read_bytes() == b"\x00garbage" * 200
    assert [p.name for p in tmp_path.iterdir()] == ["bad.db"]


def test_locked_database(db, capsys, monkeypatch):
    monkeypatch.setattr(store_mod, "BUSY_TIMEOUT_S", 0.05)
    before = _snapshot(db)
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # another program holds the write lock
    try:
        code, out, err = _run(capsys, "tag", "1", "--load", "80kg")
        assert (code, out) == (2, "")
        assert err == (f"Error: database {db} is locked by another program (a running "
                       "`hipthrust live`?); close it and retry\n")
        # WAL: readers still work while the writer holds its lock
        assert _run(capsys, "summary", "1")[0] == 0
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert _snapshot(db) == before


def test_export_to_unwritable_folder(db, tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("keep me")
    code, out, err = _run(capsys, "export", "1", "--csv", str(blocker))
    assert (code, out) == (2, "")
    assert err == (f"Error: cannot write the export to {blocker}: it is a file, not a folder; "
                   "choose another folder\n")
    code, _, err = _run(capsys, "export", "--all", "--csv", str(blocker / "sub"))
    assert err == (f"Error: cannot write the export to {blocker / 'sub'}: {blocker} is a file, "
                   "not a folder; choose another folder\n")
    assert blocker.read_text() == "keep me"
    assert not (blocker / "sub").exists()


def test_export_and_report_commands(db, tmp_path, capsys):
    code, out, _ = _run(capsys, "export", "latest", "--csv", str(tmp_path / "csv"))
    assert code == 0
    assert out.splitlines() == [f"Wrote {tmp_path / 'csv' / 'reps.csv'}",
                                f"Wrote {tmp_path / 'csv' / 'sets.csv'}"]
    code, out, _ = _run(capsys, "report", "1", "-o", str(tmp_path / "r.html"))
    assert code == 0 and out == f"Wrote {tmp_path / 'r.html'}\n"
    assert (tmp_path / "r.html").read_text().startswith("<!DOCTYPE html>")


def test_subprocess_exit_status_and_error_line(db):
    env = dict(os.environ)
    proc = subprocess.run([sys.executable, "-m", "hipthrust", "summary", "42"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr == "Error: no session 42; `hipthrust sessions` lists them\n"
    assert proc.stdout == ""
