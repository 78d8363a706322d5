"""`hipthrust demo`: the whole product with no sensor, as a new user runs it."""

import os
import sqlite3
import subprocess
import sys

HIPTHRUST = [sys.executable, "-m", "hipthrust"]


def run(args, env=None, timeout=120):
    return subprocess.run(HIPTHRUST + args, capture_output=True, text=True, timeout=timeout,
                          env=env)


def test_demo_records_a_simulated_session_and_says_what_is_simulated(tmp_path):
    db = tmp_path / "demo.db"
    proc = run(["demo", "--sets", "1", "--speed", "20", "--seed", "2", "--db", str(db)])
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    assert out.startswith("hipthrust demo: a whole hip thrust session with no sensor attached.")
    assert "Simulated: a lifter doing 1 set(s) (workout seed 2)" in out
    assert "Real:      the sensor firmware" in out
    assert f"Database: {db}" in out
    assert "set 1: started" in out  # the live view, as lines (stdout is a pipe)
    assert "Session 1 " in out and "Saved in" in out
    assert "`hipthrust summary 1`, `hipthrust export 1`" in out
    # The ground truth is shown beside the count, so a new user can judge the detector.
    truth = out.split("What the simulated lifter really did (the simulator's ground truth):\n")[1]
    assert truth.startswith("  Set 1: ") and " reps (" in truth and "tempo style" in truth
    with sqlite3.connect(db) as c:
        assert c.execute("SELECT COUNT(*) FROM reps").fetchone()[0] > 0
        assert c.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 1
    assert "Traceback" not in proc.stderr


def test_demo_refuses_bad_options_with_one_line_and_changes_nothing(tmp_path):
    db = tmp_path / "demo.db"
    proc = run(["demo", "--speed", "100", "--db", str(db)])
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == "Error: --speed 100 is out of range; give 0.5-30\n"
    proc = run(["demo", "--sets", "0", "--db", str(db)])
    assert proc.stderr == "Error: --sets 0 is out of range; give 1-6\n"
    assert not db.exists()


def test_demo_without_dbus_daemon_says_what_to_install(tmp_path):
    db = tmp_path / "demo.db"
    env = dict(os.environ, PATH=os.path.dirname(sys.executable))  # no dbus-daemon there
    proc = run(["demo", "--db", str(db)], env=env)
    assert proc.returncode == 2
    assert proc.stderr.startswith("Error: dbus-daemon not found; install")
    assert len(proc.stderr.splitlines()) == 1
    assert not db.exists()
