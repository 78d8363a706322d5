"""`hipthrust simulate`: files written, summary line, option errors change nothing."""

import json

import pytest

from hipthrust.cli import main
from hipthrust.commands.simulate import truth_path
from hipthrust.rawfile import read_raw_csv


def test_simulate_writes_csv_and_truth(tmp_path, capsys):
    out = tmp_path / "session.csv"
    assert main(["simulate", str(out), "--seed", "4", "--sets", "2", "--rate", "60"]) == 0
    line = capsys.readouterr().out.strip()
    assert "\n" not in line
    truth_file = tmp_path / "session.truth.json"
    truth = json.loads(truth_file.read_text())
    reps = sum(len(s["reps"]) for s in truth["sets"])
    assert line.startswith(f"Simulated 2 sets, {reps} reps (")
    assert str(out) in line and str(truth_file) in line and "60 Hz" in line
    samples = read_raw_csv(out)
    assert samples.shape[1] == 7 and len(samples) > 60 * 60
    assert truth["seed"] == 4 and truth["rate_hz"] == 60.0 and len(truth["sets"]) == 2
    assert not list(tmp_path.glob("*.tmp"))


def test_simulate_json_summary(tmp_path, capsys):
    out = tmp_path / "s.csv"
    assert main(["simulate", str(out), "--sets", "1", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["sets"] == 1 and summary["csv"] == str(out)
    assert summary["samples"] == len(read_raw_csv(out))


def test_ideal_motion_file(tmp_path, capsys):
    out = tmp_path / "motion.csv"
    assert main(["simulate", str(out), "--sets", "1", "--rate", "200", "--ideal"]) == 0
    samples = read_raw_csv(out)
    assert samples[0, 0] == 0.0
    assert abs(samples[1:, 0] - samples[:-1, 0] - 0.005).max() < 1e-9  # regular 5 ms
    truth = json.loads(truth_path(out).read_text())
    assert truth["imu"]["errors"] is False and truth["clock"]["clock_error"] == 0.0


def test_same_seed_same_files(tmp_path, capsys):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    main(["simulate", str(a), "--seed", "9", "--sets", "1"])
    main(["simulate", str(b), "--seed", "9", "--sets", "1"])
    assert a.read_bytes() == b.read_bytes()
    assert truth_path(a).read_text() == truth_path(b).read_text()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--rate", "20"], "Error: --rate must be 50-200 Hz, not 20"),
        (["--rate", "250"], "Error: --rate must be 50-200 Hz, not 250"),
        (["--sets", "0"], "Error: --sets must be 1-10, not 0"),
        (["--sets", "11"], "Error: --sets must be 1-10, not 11"),
        (["--seed", "-1"], "Error: --seed must be 0 or more, not -1"),
    ],
)
def test_bad_options_exit_2_and_write_nothing(tmp_path, capsys, args, message):
    out = tmp_path / "x.csv"
    assert main(["simulate", str(out), *args]) == 2
    assert capsys.readouterr().err.strip() == message
    assert list(tmp_path.iterdir()) == []


def test_missing_folder(tmp_path, capsys):
    out = tmp_path / "nowhere" / "x.csv"
    assert main(["simulate", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"Error: folder {out.parent} does not exist; create it or choose another path"


def test_non_integer_seed_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        main(["simulate", str(tmp_path / "x.csv"), "--seed", "abc"])
    assert info.value.code == 2
    assert capsys.readouterr().err.startswith("Error: ")


def test_truth_path_names():
    assert truth_path("dir/run.csv").name == "run.truth.json"
    assert truth_path("run.CSV").name == "run.truth.json"
    assert truth_path("run").name == "run.truth.json"
