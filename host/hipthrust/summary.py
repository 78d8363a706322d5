"""Per-rep, per-set and per-session summaries judged against hipthrust.guidelines.

    from hipthrust.summary import session_summary, format_session
    s = session_summary(store, session_id)   # plain dict, JSON-ready
    print(format_session(s))

Every check is a dict {"guideline": key, "ok": bool, "text": one line}, the key
being a hipthrust.guidelines Guideline key, so tests, the report and `--json`
users see which guideline a set met or missed. Units: s, m, m/s, kg, %.
"""

from datetime import datetime
from statistics import median

from hipthrust import guidelines as G
from hipthrust_core import protocol as P


def iso(unix_s):
    """ISO 8601 local time with offset, to the second, for unix seconds (None -> None)."""
    if unix_s is None:
        return None
    return datetime.fromtimestamp(unix_s).astimezone().isoformat(timespec="seconds")


def rep_dict(row):
    """One stored rep row as SI units: durations s, ROM m, velocities m/s, plus its issues."""
    full = bool(row["flags"] & P.RF_FULL)
    conc, hold, ecc = row["conc_ms"] / 1000.0, row["hold_ms"] / 1000.0, row["ecc_ms"] / 1000.0
    return {
        "rep": row["rep_no"],
        "seq": row["seq"],
        "t_ms": row["t_ms"],
        "concentric_s": conc,
        "hold_s": hold,
        "eccentric_s": ecc,
        "bottom_s": None if row["bottom_ms"] is None else row["bottom_ms"] / 1000.0,
        "rom_m": row["rom_mm"] / 1000.0,
        "mean_velocity_mps": row["mean_mmps"] / 1000.0,
        "peak_velocity_mps": row["peak_cmps"] / 100.0,
        "full": full,
        "partial": not full and not row["flags"] & P.RF_FAILED,
        "failed": bool(row["flags"] & P.RF_FAILED),
        "tempo": G.tempo_notation(ecc, None if row["bottom_ms"] is None else
                                  row["bottom_ms"] / 1000.0, conc, hold),
        "issues": G.rep_issues(conc, hold, ecc, full),
    }


def _check(key, ok, text):
    return {"guideline": key, "ok": bool(ok), "text": text}


def _count(reps, code):
    return sum(1 for r in reps if code in r["issues"])


def set_summary(set_row, rep_rows, clock_offset_s, number=None):
    """Summary dict of one set: set_row from Store.sets, rep_rows from Store.reps (that
    set's), clock_offset_s = unix s at device t_ms 0 (sessions.clock_offset_s).

    Failed reps (the bar came back down) are listed but not counted as reps.
    """
    all_reps = [rep_dict(r) for r in rep_rows]
    reps = [r for r in all_reps if not r["failed"]]
    n = len(reps)
    full = sum(1 for r in reps if r["full"])
    partial = sum(1 for r in reps if r["partial"])
    velocities = [r["mean_velocity_mps"] for r in reps]
    start = None if clock_offset_s is None else clock_offset_s + set_row["t_start_ms"] / 1000.0
    fit, _ = G.rep_range_fit(n)
    out = {
        "set": set_row["id"],
        "number": number,
        "started_at": iso(start),
        "started_at_unix": start,
        "load_kg": set_row["load_kg"],
        "variation": set_row["variation"],
        "reps": n,
        "full": full,
        "partial": partial,
        "failed": len(all_reps) - n,
        "goal": G.rep_range_goal(n),
        "goal_fit": fit,
        "tempo": G.median_tempo(
            (r["eccentric_s"], r["bottom_s"], r["concentric_s"], r["hold_s"]) for r in reps),
        "time_under_tension_s": sum(r["concentric_s"] + r["hold_s"] + r["eccentric_s"]
                                    for r in reps),
        "median_hold_s": median(r["hold_s"] for r in reps) if reps else None,
        "median_rom_m": median(r["rom_m"] for r in reps) if reps else None,
        "best_velocity_mps": max(velocities) if velocities else None,
        "velocity_loss_pct": G.velocity_loss(velocities),
        "end_reason": set_row["end_reason"],
        "rep_list": all_reps,
    }
    out["checks"] = _set_checks(out, reps)
    return out


def _set_checks(s, reps):
    n = s["reps"]
    checks = [_check("reps", s["goal_fit"] == "fits", f"{n} reps: {s['goal']}")]
    short = _count(reps, G.W_HOLD)
    checks.append(_check(
        G.HOLD.key, n and not short,
        f"hold {s['median_hold_s'] or 0:.1f} s median, {short} of {n} under 1 s "
        "(guide: squeeze 1-2 s)"))
    fast = _count(reps, G.W_ECCENTRIC)
    checks.append(_check(
        G.ECCENTRIC.key, not fast,
        f"{fast} of {n} reps lowered faster than they were lifted (guide: lower with control)"))
    crash = _count(reps, G.W_CRASH)
    checks.append(_check(
        G.CRASH.key, not crash,
        f"{crash} of {n} reps dropped in under {G.CRASH_S:.1f} s (guide: no crash)"))
    rushed = _count(reps, G.W_RUSHED)
    checks.append(_check(
        G.RUSHED.key, not rushed,
        f"{rushed} of {n} reps rushed, under {G.RUSHED_S:.0f} s (guide: do not rush)"))
    checks.append(_check(
        G.FULL_EXTENSION.key, not s["partial"],
        f"{s['partial']} of {n} reps short of full hip extension"))
    return checks


def side_comparison(sets):
    """Left/right comparison of single-leg set summaries (others are ignored), or None.

    Per side: sets, reps, median ROM m, median tempo; imbalance % of the larger side
    for reps and ROM, and a check against guidelines.IMBALANCE_PCT.
    """
    sides = {}
    for side, variation in (("left", G.SINGLE_LEG[0]), ("right", G.SINGLE_LEG[1])):
        chosen = [s for s in sets if s["variation"] == variation]
        reps = [r for s in chosen for r in s["rep_list"] if not r["failed"]]
        sides[side] = {
            "sets": len(chosen),
            "reps": len(reps),
            "median_rom_m": median(r["rom_m"] for r in reps) if reps else 0.0,
            "tempo": G.median_tempo(
                (r["eccentric_s"], r["bottom_s"], r["concentric_s"], r["hold_s"]) for r in reps),
        }
    left, right = sides["left"], sides["right"]
    if not left["sets"] or not right["sets"]:
        return None
    reps_pct = G.imbalance_pct(left["reps"], right["reps"])
    rom_pct = G.imbalance_pct(left["median_rom_m"], right["median_rom_m"])
    worst = max(reps_pct, rom_pct)
    weaker = None
    if worst > 0:
        key = "reps" if reps_pct >= rom_pct else "median_rom_m"
        weaker = "left" if left[key] < right[key] else "right"
    text = (f"left {left['reps']} reps, ROM {left['median_rom_m']:.2f} m; right {right['reps']} "
            f"reps, ROM {right['median_rom_m']:.2f} m: differ by {reps_pct:.0f} % in reps, "
            f"{rom_pct:.0f} % in ROM")
    if worst > G.IMBALANCE_PCT:
        text += f"; the {weaker} side lags, give it priority"
    return {
        "left": left, "right": right, "reps_diff_pct": reps_pct, "rom_diff_pct": rom_pct,
        "weaker": weaker,
        "check": _check(G.SINGLE_LEG_BALANCE.key, worst <= G.IMBALANCE_PCT, text),
    }


def session_summary(store, session_id):
    """Summary dict of a stored session; raises UnknownSessionError."""
    session = store.require_session(session_id)
    offset = session["clock_offset_s"]
    by_set = {}
    for r in store.reps(session_id):
        by_set.setdefault(r["set_id"], []).append(r)
    sets = []
    for row in store.sets(session_id):
        reps = by_set.get(row["id"], [])
        if not reps:
            continue  # a set with no rep (bar set down at once) is not a set
        sets.append(set_summary(row, reps, offset, number=len(sets) + 1))
    n = len(sets)
    volume = sum(s["load_kg"] * s["reps"] for s in sets if s["load_kg"] is not None)
    has_load = any(s["load_kg"] is not None for s in sets)
    return {
        "session": session["id"],
        "device": session["device"],
        "address": session["address"],
        "started_at": iso(session["started_at"]),
        "started_at_unix": session["started_at"],
        "load_kg": session["load_kg"],
        "variation": session["variation"],
        "sets": sets,
        "n_sets": n,
        "reps": sum(s["reps"] for s in sets),
        "volume_kg": volume if has_load else None,
        "checks": [_check(G.SETS.key, G.sets_ok(n), G.sets_check(n))],
        "left_right": side_comparison(sets),
    }


def _fmt_load(s):
    parts = []
    if s.get("load_kg") is not None:
        parts.append(f"{s['load_kg']:g} kg")
    if s.get("variation"):
        parts.append(s["variation"])
    return ", ".join(parts)


def format_session(s):
    """Human-readable text of a session_summary dict (lines, no trailing newline)."""
    head = f"Session {s['session']}  {s['started_at']}  {s['device']}"
    if _fmt_load(s):
        head += f"  ({_fmt_load(s)})"
    lines = [head]
    for st in s["sets"]:
        load = _fmt_load(st)
        # Failed attempts are not reps: they are shown beside the count, not in it.
        failed = f" + {st['failed']} failed" if st["failed"] else ""
        lines.append(
            f"  Set {st['number']}: {st['reps']} reps ({st['full']} full, {st['partial']} partial)"
            f"{failed} - {st['goal']}{'  [' + load + ']' if load else ''}")
        lines.append(
            f"    tempo {st['tempo']}, time under tension {st['time_under_tension_s']:.0f} s, "
            f"velocity loss {st['velocity_loss_pct']:.0f} %, "
            f"best {st['best_velocity_mps'] or 0:.2f} m/s")
        for c in st["checks"][1:]:
            if not c["ok"]:
                lines.append(f"    ! {c['text']}")
    for c in s["checks"]:
        lines.append(f"  {'ok' if c['ok'] else '!'} {c['text']}")
    if s["volume_kg"] is not None:
        lines.append(f"  volume {s['volume_kg']:g} kg (load x reps), {s['reps']} reps")
    if s["left_right"]:
        c = s["left_right"]["check"]
        lines.append(f"  {'ok' if c['ok'] else '!'} single leg: {c['text']}")
    return "\n".join(lines)
