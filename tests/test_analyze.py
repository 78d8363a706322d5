"""`hipthrust analyze`: table, --json shape (issue 3 item 5) and error lines."""

import json

import numpy as np

from hipthrust.analyze import analyze_records, analyze_samples
from hipthrust.cli import main
from hipthrust.rawfile import HEADER, read_raw_csv, to_ints, write_raw_csv
from hipthrust_core import records as P
from tests.core import test_detector as synth

REP_KEYS = {
    "index", "concentric_start_s", "concentric_end_s", "eccentric_start_s", "eccentric_end_s",
    "hold_s", "rom_m", "mean_velocity_mps", "peak_velocity_mps", "full",
}


def write_set(path, reps=6):
    """A touch-and-go set from the core tests' generator, as a raw CSV (s, g, deg/s)."""
    moves, end = synth.moves_for(reps, 0.30, 0.7, 0.3, 0.9, 0.0)
    rows = np.array(list(synth.samples(moves, end + 4.0, seed=31)), dtype=float)
    samples = rows / np.array([1000.0, 1000.0, 1000.0, 1000.0, 10.0, 10.0, 10.0])
    write_raw_csv(path, samples)
    return moves


def test_json_shape_exactly(tmp_path, capsys):
    path = tmp_path / "set.csv"
    moves = write_set(path)
    assert main(["analyze", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"sets"}
    assert len(out["sets"]) == 1
    s = out["sets"][0]
    assert set(s) == {"start_s", "end_s", "reps"}
    assert len(s["reps"]) == 6
    for i, r in enumerate(s["reps"], start=1):
        assert set(r) == REP_KEYS
        assert r["index"] == i
        assert isinstance(r["full"], bool) and r["full"]
        assert (r["concentric_start_s"] <= r["concentric_end_s"] <= r["eccentric_start_s"]
                <= r["eccentric_end_s"])
        assert abs(r["hold_s"] - (r["eccentric_start_s"] - r["concentric_end_s"])) < 1e-6
        # times on the file's clock: the true start of each rise
        assert abs(r["concentric_start_s"] - moves[2 * (i - 1)][0]) < 0.15
        assert 0.2 < r["rom_m"] < 0.4
    assert s["start_s"] == s["reps"][0]["concentric_start_s"]
    assert s["end_s"] == s["reps"][-1]["eccentric_end_s"]


def test_table_lists_sets_and_reps(tmp_path, capsys):
    path = tmp_path / "set.csv"
    write_set(path, reps=4)
    assert main(["analyze", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Set 1: ")
    assert "4 reps (4 full)" in out
    assert len([ln for ln in out.splitlines() if ln.strip().endswith("yes")]) == 4


def test_file_with_no_reps_prints_no_sets(tmp_path, capsys):
    path = tmp_path / "still.csv"
    t = np.arange(0, 5, 0.01)
    samples = np.zeros((len(t), 7))
    samples[:, 0] = t
    samples[:, 3] = 1.0
    write_raw_csv(path, samples)
    assert main(["analyze", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"sets": []}


def test_malformed_file_names_file_and_line(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "\n0.00,0,0,1,0,0,0\n0.01,0,0,x,0,0,0\n")
    assert main(["analyze", str(path), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"Error: {path}, line 3: az_g is not a number: 'x'\n"


def test_empty_file_names_file_and_line(tmp_path, capsys):
    path = tmp_path / "empty.csv"
    path.write_text("")
    assert main(["analyze", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"Error: {path}, line 1: ")
    assert err.count("\n") == 1


def test_missing_file_and_bad_option(tmp_path, capsys):
    assert main(["analyze", str(tmp_path / "nope.csv")]) == 2
    assert capsys.readouterr().err.startswith(f"Error: {tmp_path / 'nope.csv'}: no such file")
    path = tmp_path / "set.csv"
    write_set(path, reps=3)
    assert main(["analyze", str(path), "--set-end", "0"]) == 2
    assert "--set-end must be 1-600 s" in capsys.readouterr().err


def test_records_decode_and_match_json(tmp_path):
    path = tmp_path / "set.csv"
    write_set(path, reps=5)
    ints = to_ints(read_raw_csv(path))
    records = analyze_records(ints)
    kinds = [type(r).__name__ for _, r in records]
    assert kinds[0] == "SetStart" and kinds[-1] == "SetEnd"
    reps = [r for _, r in records if isinstance(r, P.Rep)]
    result = analyze_samples(ints)
    assert [round(r.rom_mm / 1000.0, 3) for r in reps] == [
        round(r["rom_m"], 3) for r in result["sets"][0]["reps"]
    ]
    # every event is emitted at or after the time it reports (causal, backtracked)
    for index, rec in records:
        if isinstance(rec, P.Phase) and index < len(ints):
            assert rec.t_ms <= ints[index][0] + 400
