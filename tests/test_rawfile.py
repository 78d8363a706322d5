"""Raw CSV files: round trip, integer conversion, and one-line errors for bad files."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hipthrust.errors import InputFileError
from hipthrust.rawfile import HEADER, read_raw_csv, to_ints, write_raw_csv
from hipthrust.sim import simulate_set

GOOD_ROWS = [
    "0.0100,0.0012,-0.0034,1.0002,0.12,-0.05,0.00",
    "0.0200,0.0010,-0.0031,0.9998,0.10,-0.07,0.01",
    "0.0310,0.0015,-0.0030,1.0001,0.11,-0.04,0.02",
]


def _write(tmp_path, text, name="raw.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def _error(path):
    with pytest.raises(InputFileError) as info:
        read_raw_csv(path)
    err = info.value
    assert "\n" not in str(err)
    assert str(path) in str(err)
    return err


def test_round_trip_of_simulated_samples(tmp_path):
    samples, _ = simulate_set(3, rate_hz=100.0)
    path = tmp_path / "set.csv"
    write_raw_csv(path, samples)
    assert path.read_text().splitlines()[0] == HEADER
    back = read_raw_csv(path)
    # The simulator rounds to the file's decimals, so the round trip is exact.
    assert back.shape == samples.shape
    np.testing.assert_array_equal(back, samples)
    assert (np.diff(back[:, 0]) > 0).all()


def test_written_decimals(tmp_path):
    path = tmp_path / "x.csv"
    write_raw_csv(path, np.array([[1.23456, -0.00001, 0.5, 1.0, 12.346, -0.001, 3.0]]))
    assert path.read_text().splitlines()[1] == "1.2346,0.0000,0.5000,1.0000,12.35,0.00,3.00"


def test_to_ints_units_and_rounding():
    samples = np.array([[12.3456, 0.0125, -1.2345, 0.9995, 12.34, -0.05, 250.06]])
    ints = to_ints(samples)
    assert ints.dtype.kind == "i"
    expected = [round(12.3456 * 1000), round(0.0125 * 1000), round(-1.2345 * 1000),
                round(0.9995 * 1000), round(12.34 * 10), round(-0.05 * 10), round(250.06 * 10)]
    assert ints[0].tolist() == expected
    assert ints[0].tolist()[:2] == [12346, 12]


def test_missing_file(tmp_path):
    err = _error(tmp_path / "nope.csv")
    assert err.line is None
    assert "no such file" in str(err)


def test_empty_file(tmp_path):
    err = _error(_write(tmp_path, ""))
    assert err.line == 1 and "empty" in str(err)


def test_header_only(tmp_path):
    err = _error(_write(tmp_path, HEADER + "\n"))
    assert err.line == 2 and "no samples" in str(err)


def test_wrong_header(tmp_path):
    err = _error(_write(tmp_path, "t,ax,ay,az,gx,gy,gz\n" + GOOD_ROWS[0] + "\n"))
    assert err.line == 1 and HEADER in str(err)


@pytest.mark.parametrize(
    "bad, line, words",
    [
        ("0.0400,0.1,0.2,0.3,1,2", 5, "expected 7 comma-separated values, found 6"),
        ("0.0400,0.1,0.2,0.3,1,2,3,4", 5, "found 8"),
        ("0.0400,0.1,abc,0.3,1,2,3", 5, "ay_g is not a number"),
        ("0.0400,0.1,,0.3,1,2,3", 5, "ay_g is not a number"),
        ("0.0400,0.1,0.2,nan,1,2,3", 5, "az_g is not finite"),
        ("0.0400,0.1,0.2,0.3,inf,2,3", 5, "gx_dps is not finite"),
        ("0.0310,0.1,0.2,0.3,1,2,3", 5, "not after the previous"),
        ("0.0050,0.1,0.2,0.3,1,2,3", 5, "not after the previous"),
    ],
)
def test_malformed_line_is_named(tmp_path, bad, line, words):
    text = "\n".join([HEADER, *GOOD_ROWS, bad, "0.0500,0,0,1,0,0,0"]) + "\n"
    err = _error(_write(tmp_path, text))
    assert err.line == line
    assert words in str(err)
    assert f", line {line}: " in str(err)


def test_blank_lines_ignored_and_crlf_accepted(tmp_path):
    text = "\r\n".join([HEADER, GOOD_ROWS[0], "", GOOD_ROWS[1], GOOD_ROWS[2]]) + "\r\n"
    samples = read_raw_csv(_write(tmp_path, text))
    assert samples.shape == (3, 7)
    assert samples[2, 0] == pytest.approx(0.031)
    assert samples[0, 3] == pytest.approx(1.0002)


def test_bad_line_after_blank_line_has_its_file_line_number(tmp_path):
    text = "\n".join([HEADER, GOOD_ROWS[0], "", GOOD_ROWS[1], "0.05,x,0,0,0,0,0"]) + "\n"
    assert _error(_write(tmp_path, text)).line == 5


def test_write_refuses_what_could_not_be_read(tmp_path):
    path = tmp_path / "w.csv"
    with pytest.raises(ValueError):
        write_raw_csv(path, np.zeros((3, 6)))
    with pytest.raises(ValueError):
        write_raw_csv(path, np.array([[0.0] * 7, [0.0] * 7]))
    with pytest.raises(ValueError):
        write_raw_csv(path, np.array([[0.0] * 6 + [np.nan]]))
    assert not path.exists()


_FIELD = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-10**6, 10**6).map(str),
    st.text(alphabet=" ,.-+eE0123456789naifx\"'\t", max_size=8),
)
_LINE = st.lists(_FIELD, min_size=0, max_size=9).map(",".join)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(_LINE, max_size=6))
def test_any_content_reads_or_fails_with_one_line(tmp_path, lines):
    """Whatever follows the header, the reader returns finite samples with increasing
    times or raises InputFileError naming the file; never another exception."""
    path = tmp_path / "fuzz.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n")
    try:
        samples = read_raw_csv(path)
    except InputFileError as err:
        assert "\n" not in str(err) and str(path) in str(err)
        return
    assert samples.shape[1] == 7 and len(samples) >= 1
    assert np.isfinite(samples).all() and (np.diff(samples[:, 0]) > 0).all()
