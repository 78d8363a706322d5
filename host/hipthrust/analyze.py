"""Replay raw IMU samples through the shared detector (the code the board runs).

    from hipthrust.analyze import analyze_file, analyze_samples, format_table
    result = analyze_samples(to_ints(samples))      # {"sets": [...]}, see below
    print(format_table(result))

The detector's records are decoded with records.decode, exactly as the host
decodes what the sensor sends, and assembled into the `hipthrust analyze --json`
shape: {"sets": [{"start_s", "end_s", "reps": [{"index", "concentric_start_s",
"concentric_end_s", "eccentric_start_s", "eccentric_end_s", "hold_s", "rom_m",
"mean_velocity_mps", "peak_velocity_mps", "full"}]}]}. Times are seconds on the
file's clock, ROM in m, velocities in m/s. `analyze_records` also returns the raw
records with the index of the sample at which each was emitted (event delay).
"""

import numpy as np

from hipthrust.rawfile import read_raw_csv, to_ints
from hipthrust_core import records as P
from hipthrust_core.detector import Detector

DEFAULT_SET_END_MS = 20000


def analyze_records(samples_int, set_end_ms=DEFAULT_SET_END_MS):
    """Run the detector over int samples (N, 7: t_ms, mg x3, 0.1 deg/s x3).

    Returns a list of (sample_index, record) with record a protocol namedtuple;
    records emitted by end-of-data carry index N.
    """
    rows = np.asarray(samples_int, dtype=np.int64).tolist()
    det = Detector(set_end_ms=set_end_ms)
    buf = bytearray(P.MAX_RECORD)
    out = []
    seq = 0
    feed = det.feed
    for i, row in enumerate(rows):
        if feed(*row):
            n = det.pack_next(buf, seq)
            while n:
                out.append((i, P.decode(bytes(buf[:n]))))
                seq = (seq + 1) & 0xFFFF
                n = det.pack_next(buf, seq)
    if rows:
        det.end(rows[-1][0])
        n = det.pack_next(buf, seq)
        while n:
            out.append((len(rows), P.decode(bytes(buf[:n]))))
            seq = (seq + 1) & 0xFFFF
            n = det.pack_next(buf, seq)
    return out


def assemble(records):
    """Turn decoded records (protocol namedtuples, in order) into the --json dict."""
    sets = []
    current = None
    for rec in records:
        if isinstance(rec, P.SetStart):
            current = {"start_s": rec.t_ms / 1000.0, "end_s": None, "reps": []}
        elif isinstance(rec, P.Rep) and current is not None:
            cs = rec.t_ms
            ce = cs + rec.conc_ms
            es = ce + rec.hold_ms
            ee = es + rec.ecc_ms
            current["reps"].append({
                "index": len(current["reps"]) + 1,
                "concentric_start_s": cs / 1000.0,
                "concentric_end_s": ce / 1000.0,
                "eccentric_start_s": es / 1000.0,
                "eccentric_end_s": ee / 1000.0,
                "hold_s": rec.hold_ms / 1000.0,
                "rom_m": rec.rom_mm / 1000.0,
                "mean_velocity_mps": rec.mean_mmps / 1000.0,
                "peak_velocity_mps": rec.peak_cmps / 100.0,
                "full": bool(rec.flags & P.RF_FULL),
            })
        elif isinstance(rec, P.SetEnd) and current is not None:
            current["end_s"] = rec.t_ms / 1000.0
            if current["reps"]:  # a set whose only rise was rejected is no set
                current["start_s"] = current["reps"][0]["concentric_start_s"]
                sets.append(current)
            current = None
    return {"sets": sets}


def analyze_samples(samples_int, set_end_ms=DEFAULT_SET_END_MS):
    """Sets and reps found in int samples (N, 7: t_ms, mg x3, 0.1 deg/s x3), as the
    `hipthrust analyze --json` dict (times s, ROM m, velocities m/s)."""
    return assemble(rec for _, rec in analyze_records(samples_int, set_end_ms))


def analyze_file(path, set_end_ms=DEFAULT_SET_END_MS):
    """analyze_samples of a raw CSV file; raises InputFileError naming file and line."""
    return analyze_samples(to_ints(read_raw_csv(path)), set_end_ms)


def format_table(result):
    """Readable text table of the sets and reps of an analyze result."""
    lines = []
    sets = result["sets"]
    if not sets:
        return "No sets found."
    for k, s in enumerate(sets, start=1):
        reps = s["reps"]
        full = sum(1 for r in reps if r["full"])
        lines.append(
            f"Set {k}: {s['start_s']:.2f}-{s['end_s']:.2f} s, {len(reps)} reps ({full} full)"
        )
        lines.append("  rep  start s   conc s  hold s   ecc s   ROM m  mean m/s  peak m/s  full")
        for r in reps:
            conc = r["concentric_end_s"] - r["concentric_start_s"]
            ecc = r["eccentric_end_s"] - r["eccentric_start_s"]
            lines.append(
                f"  {r['index']:>3}  {r['concentric_start_s']:7.2f}  {conc:6.2f}  "
                f"{r['hold_s']:6.2f}  {ecc:6.2f}  {r['rom_m']:6.3f}  "
                f"{r['mean_velocity_mps']:8.2f}  {r['peak_velocity_mps']:8.2f}  "
                f"{'yes' if r['full'] else 'no'}"
            )
    return "\n".join(lines)
