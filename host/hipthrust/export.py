"""CSV export of stored sessions with pandas: reps.csv, sets.csv and raw samples.

    from hipthrust.export import export_csv
    paths = export_csv(store, out_dir, session_ids=[3], raw=True)

Columns (units in the names; times ISO 8601 local with offset):
- reps.csv: REP_COLUMNS, one row per rep (failed reps included, flagged).
- sets.csv: SET_COLUMNS, one row per set with at least one rep.
- raw-session-<id>.csv (raw=True, one per session with recorded samples): the raw
  file format of docs/raw-format.md itself (t_s, g, deg/s), so `hipthrust analyze`
  replays it through the detector.
Files are written under temporary names and renamed at the end, so a failed
export leaves no partial file behind.
"""

import os
from pathlib import Path

import numpy as np
import pandas as pd

from hipthrust.errors import HipthrustError
from hipthrust.history import all_set_summaries
from hipthrust.rawfile import COLUMNS, INT_SCALE, write_raw_csv
from hipthrust.summary import iso

REP_COLUMNS = [
    "session_id", "set_id", "set_number", "rep", "started_at", "concentric_s", "hold_s",
    "eccentric_s", "bottom_pause_s", "time_under_tension_s", "rom_m", "mean_velocity_mps",
    "peak_velocity_mps", "full", "partial", "failed", "tempo", "warnings", "load_kg", "variation",
]
SET_COLUMNS = [
    "session_id", "set_id", "set_number", "started_at", "reps", "full_reps", "partial_reps",
    "failed_reps", "rep_range_goal", "tempo", "time_under_tension_s", "median_hold_s",
    "median_rom_m", "best_velocity_mps", "velocity_loss_pct", "load_kg", "variation",
    "end_reason", "guidelines_missed",
]
RAW_COLUMNS = list(COLUMNS)


class ExportError(HipthrustError):
    """The export folder cannot be created or written. Attribute: path."""

    def __init__(self, path, why):
        self.path = str(path)
        super().__init__(f"cannot write the export to {path}: {why}; choose another folder")


def _tables(store, session_ids):
    sessions, sets = all_set_summaries(store)
    rep_rows, set_rows = [], []
    for session in sessions:
        sid = session["id"]
        if session_ids is not None and sid not in session_ids:
            continue
        offset = session["clock_offset_s"]
        for s in sets[sid]:
            missed = [c["guideline"] for c in s["checks"] if not c["ok"]]
            set_rows.append([sid, s["set"], s["number"], s["started_at"], s["reps"], s["full"],
                             s["partial"], s["failed"], s["goal"], s["tempo"],
                             s["time_under_tension_s"], s["median_hold_s"], s["median_rom_m"],
                             s["best_velocity_mps"], s["velocity_loss_pct"], s["load_kg"],
                             s["variation"], s["end_reason"], ";".join(missed)])
            for r in s["rep_list"]:
                start = None if offset is None else iso(offset + r["t_ms"] / 1000.0)
                rep_rows.append([
                    sid, s["set"], s["number"], r["rep"], start, r["concentric_s"], r["hold_s"],
                    r["eccentric_s"], r["bottom_s"],
                    r["concentric_s"] + r["hold_s"] + r["eccentric_s"], r["rom_m"],
                    r["mean_velocity_mps"], r["peak_velocity_mps"], r["full"], r["partial"],
                    r["failed"], r["tempo"], ";".join(r["issues"]), s["load_kg"], s["variation"],
                ])
    return (pd.DataFrame(rep_rows, columns=REP_COLUMNS),
            pd.DataFrame(set_rows, columns=SET_COLUMNS))


def _raw_samples(store, session_ids):
    """{session id: float samples (N, 7) in raw file units} for sessions with raw data."""
    ids = session_ids if session_ids is not None else [s["id"] for s in store.sessions()]
    out = {}
    for sid in ids:
        rows = store.raw(sid)
        if rows:
            out[sid] = np.array([tuple(r) for r in rows], dtype=float) / INT_SCALE
    return out


def _prepare_dir(out_dir):
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise ExportError(out_dir, "it is a file, not a folder")
    for parent in [out_dir, *out_dir.parents]:
        if parent.exists():
            if not parent.is_dir():
                raise ExportError(out_dir, f"{parent} is a file, not a folder")
            if not os.access(parent, os.W_OK | os.X_OK):
                raise ExportError(out_dir, f"{parent} is not writable")
            break
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(out_dir, exc.strerror or str(exc)) from None
    return out_dir


def export_csv(store, out_dir, session_ids=None, raw=False):
    """Write reps.csv and sets.csv (and raw-session-<id>.csv when raw and recorded).

    session_ids: list of ids, or None for every session. Returns the written paths.
    Raises ExportError when out_dir cannot be created or written.
    """
    reps, sets = _tables(store, session_ids)
    frames = {"reps.csv": reps, "sets.csv": sets}
    raws = _raw_samples(store, session_ids) if raw else {}
    out_dir = _prepare_dir(out_dir)
    temps = []
    try:
        for name, df in frames.items():
            tmp = out_dir / f".{name}.partial"
            temps.append((tmp, out_dir / name))
            df.to_csv(tmp, index=False)
        for sid, samples in raws.items():
            name = f"raw-session-{sid}.csv"
            tmp = out_dir / f".{name}.partial"
            temps.append((tmp, out_dir / name))
            write_raw_csv(tmp, samples)
        for tmp, final in temps:
            os.replace(tmp, final)
    except OSError as exc:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)
        raise ExportError(out_dir, exc.strerror or str(exc)) from None
    return [final for _, final in temps]
