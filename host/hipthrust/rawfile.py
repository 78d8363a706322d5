"""Raw IMU sample files (CSV), the format of docs/raw-format.md.

    write_raw_csv("set.csv", samples)     # samples: (N, 7) t_s, ax_g, ay_g, az_g, gx/gy/gz_dps
    samples = read_raw_csv("set.csv")     # float (N, 7); InputFileError naming file and line
    ints = to_ints(samples)               # int (N, 7): t_ms, mg x3, 0.1 deg/s x3

Reading is vectorised (pandas' C parser, then whole-array checks); only when that
fails is the file scanned line by line, to name the first bad line.
"""

import math
from pathlib import Path

import numpy as np
import pandas as pd

from hipthrust.errors import InputFileError

COLUMNS = ("t_s", "ax_g", "ay_g", "az_g", "gx_dps", "gy_dps", "gz_dps")
HEADER = ",".join(COLUMNS)
# Decimals written: 0.1 ms, 0.1 mg, 0.01 deg/s (finer than any LSB we convert to).
ROW_FORMAT = "%.4f,%.4f,%.4f,%.4f,%.2f,%.2f,%.2f"
# Raw CSV -> core integers: ms, mg, 0.1 deg/s (docs/architecture.md "Units").
INT_SCALE = np.array([1000.0, 1000.0, 1000.0, 1000.0, 10.0, 10.0, 10.0])


def write_raw_csv(path, samples):
    """Write samples (N, 7: s, g, g, g, deg/s x3; times strictly increasing) to path.

    Raises ValueError for a wrong shape, non-finite values or non-increasing times,
    so a file this writes always reads back.
    """
    samples = np.asarray(samples, dtype=float)
    if samples.ndim != 2 or samples.shape[1] != 7:
        raise ValueError("samples must have shape (N, 7)")
    if not np.isfinite(samples).all():
        raise ValueError("samples must be finite")
    if len(samples) > 1 and not (np.diff(np.round(samples[:, 0], 4)) > 0).all():
        raise ValueError("sample times must be strictly increasing (at 0.1 ms resolution)")
    # Round to the written decimals first; + 0.0 then turns -0.0 into 0.0, so no
    # "-0.0000" appears in the file.
    out = np.empty_like(samples)
    out[:, :4] = np.round(samples[:, :4], 4)
    out[:, 4:] = np.round(samples[:, 4:], 2)
    np.savetxt(path, out + 0.0, fmt=ROW_FORMAT, delimiter=",", header=HEADER, comments="")


def read_raw_csv(path):
    """Read a raw CSV file into a float array (N, 7): s, g, g, g, deg/s, deg/s, deg/s.

    Raises InputFileError(path, message, line) naming the first problem: missing or
    unreadable file, empty file, wrong header, wrong number of fields, a value that is
    not a number or not finite, a time not after the previous one. Blank lines are ignored.
    """
    path = Path(path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            header = f.readline()
    except FileNotFoundError:
        raise InputFileError(path, "no such file; check the path") from None
    except IsADirectoryError:
        raise InputFileError(path, "is a directory, not a raw CSV file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(path, f"cannot read the file ({exc})") from None
    if not header.strip():
        raise InputFileError(path, "the file is empty; record or simulate a set first", 1)
    if header.strip() != HEADER:
        raise InputFileError(
            path, f"the first line must be the header {HEADER!r}", 1
        )
    try:
        frame = pd.read_csv(
            path, header=0, names=list(COLUMNS), dtype="float64", engine="c",
            encoding="utf-8-sig", skip_blank_lines=True,
        )
        samples = frame.to_numpy(dtype=float)
        ok = (
            len(samples) > 0
            and np.isfinite(samples).all()
            and (len(samples) < 2 or (np.diff(samples[:, 0]) > 0).all())
        )
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError, OSError):
        ok = False
    if not ok:
        _raise_first_problem(path)
    return samples


def _raise_first_problem(path):
    """Scan the file line by line and raise InputFileError for the first bad line."""
    previous = None
    rows = 0
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as f:
        f.readline()
        for number, line in enumerate(f, start=2):
            text = line.strip()
            if not text:
                continue
            fields = text.split(",")
            if len(fields) != 7:
                raise InputFileError(
                    path, f"expected 7 comma-separated values, found {len(fields)}", number
                )
            values = []
            for name, field in zip(COLUMNS, fields, strict=True):
                try:
                    value = float(field)
                except ValueError:
                    raise InputFileError(
                        path, f"{name} is not a number: {field.strip()[:20]!r}", number
                    ) from None
                if not math.isfinite(value):
                    raise InputFileError(path, f"{name} is not finite: {field.strip()!r}", number)
                values.append(value)
            if previous is not None and values[0] <= previous:
                raise InputFileError(
                    path,
                    f"time {values[0]:g} s is not after the previous sample's {previous:g} s",
                    number,
                )
            previous = values[0]
            rows += 1
    if rows == 0:
        raise InputFileError(path, "no samples after the header; the recording is empty", 2)
    raise InputFileError(path, "the file could not be parsed as a raw CSV")


def to_ints(samples):
    """Samples (N, 7 floats: s, g, deg/s) -> int64 (N, 7): t_ms, mg x3, 0.1 deg/s x3.

    Rounds to nearest (ties to even, like Python's round()), as the core expects.
    """
    samples = np.asarray(samples, dtype=float)
    return np.round(samples * INT_SCALE).astype(np.int64)
