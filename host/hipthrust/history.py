"""Training over time: ISO weeks, frequency, progressive overload, left/right balance.

    from hipthrust.history import history, format_history
    h = history(store, weeks=8)      # plain dict, JSON-ready
    print(format_history(h))

Progressive overload (guide: "gradually increase the weight, repetitions, or sets
over time") is judged week over week against the previous week with training:
a heavier top load, more reps at a load both weeks used, or more volume
(load x reps) counts as progress. Units: kg, m/s, %.
"""

import time
from datetime import datetime, timedelta

from hipthrust import guidelines as G
from hipthrust.errors import StoreError
from hipthrust.summary import iso, set_summary, side_comparison


def iso_week(unix_s):
    """'2026-W05' for unix seconds, in local time."""
    y, w, _ = datetime.fromtimestamp(unix_s).isocalendar()
    return f"{y}-W{w:02d}"


def _monday(unix_s):
    d = datetime.fromtimestamp(unix_s).date()
    return d - timedelta(days=d.weekday())


def all_set_summaries(store, since=None):
    """{session id: [set summaries]} of every session started at or after since (unix s).

    Reads the database in three queries, for long histories."""
    sessions = [s for s in store.sessions() if since is None or s["started_at"] >= since]
    wanted = {s["id"]: s for s in sessions}
    reps = {}
    for r in store.reps():
        if r["session_id"] in wanted:
            reps.setdefault(r["set_id"], []).append(r)
    out = {sid: [] for sid in wanted}
    for row in store.sets():
        sid = row["session_id"]
        if sid in wanted and row["id"] in reps:
            out[sid].append(set_summary(row, reps[row["id"]], wanted[sid]["clock_offset_s"],
                                        number=len(out[sid]) + 1))
    return sessions, out


def _by_load(sets):
    loads = {}
    for s in sets:
        if s["load_kg"] is None:
            continue
        key = f"{s['load_kg']:g}"
        cur = loads.setdefault(key, {"load_kg": s["load_kg"], "max_reps": 0,
                                     "best_velocity_mps": 0.0})
        cur["max_reps"] = max(cur["max_reps"], s["reps"])
        cur["best_velocity_mps"] = max(cur["best_velocity_mps"], s["best_velocity_mps"] or 0.0)
    return loads


def overload(prev, week):
    """Progressive-overload check of a week dict against the previous trained week.

    ok when the top load rose, reps at a load used both weeks rose, or volume rose.
    """
    gains = []
    if (week["top_load_kg"] or 0) > (prev["top_load_kg"] or 0):
        gains.append(f"top load {prev['top_load_kg'] or 0:g} -> {week['top_load_kg']:g} kg")
    for key, now in week["loads"].items():
        before = prev["loads"].get(key)
        if before and now["max_reps"] > before["max_reps"]:
            gains.append(f"{before['max_reps']} -> {now['max_reps']} reps at {key} kg")
        if before and now["best_velocity_mps"] > before["best_velocity_mps"] + 0.005:
            gains.append(f"faster at {key} kg ({before['best_velocity_mps']:.2f} -> "
                         f"{now['best_velocity_mps']:.2f} m/s)")
    if week["volume_kg"] > prev["volume_kg"]:
        gains.append(f"volume {prev['volume_kg']:g} -> {week['volume_kg']:g} kg")
    vs = f"vs {prev['week']}"
    if gains:
        return {"guideline": G.PROGRESSIVE_OVERLOAD.key, "ok": True,
                "text": f"{vs}: " + "; ".join(gains)}
    return {"guideline": G.PROGRESSIVE_OVERLOAD.key, "ok": False,
            "text": f"{vs}: no more load, reps or volume; add weight, reps or a set"}


def history(store, weeks=None, now=None):
    """Dict of the last `weeks` ISO weeks (all when None) up to now (unix s, default the
    clock, or the latest session if later). Raises StoreError on an empty database."""
    all_sessions = store.sessions()
    if not all_sessions:
        raise StoreError(f"no sessions in {store.path} yet; record one with `hipthrust demo` "
                         "or `hipthrust live`")
    now = time.time() if now is None else now
    last = _monday(max(now, all_sessions[-1]["started_at"]))
    first = _monday(all_sessions[0]["started_at"])
    if weeks is not None:
        first = max(first, last - timedelta(weeks=weeks - 1)) if weeks > 0 else last
    since = datetime.combine(first, datetime.min.time()).timestamp()
    sessions, sets = all_set_summaries(store, since=since)
    table = {}
    d = first
    while d <= last:
        y, w, _ = d.isocalendar()
        table[f"{y}-W{w:02d}"] = {"week": f"{y}-W{w:02d}", "monday": d.isoformat(),
                                  "sessions": 0, "sets": 0, "reps": 0, "volume_kg": 0.0,
                                  "session_ids": [], "_sets": []}
        d += timedelta(days=7)
    for s in sessions:
        wk = table[iso_week(s["started_at"])]
        done = sets[s["id"]]
        wk["sessions"] += 1
        wk["session_ids"].append(s["id"])
        wk["sets"] += len(done)
        wk["reps"] += sum(x["reps"] for x in done)
        wk["volume_kg"] += sum(x["reps"] * x["load_kg"] for x in done if x["load_kg"])
        wk["_sets"] += done
    out_weeks = []
    prev = None
    for wk in table.values():
        done = wk.pop("_sets")
        loads = _by_load(done)
        wk["loads"] = loads
        wk["top_load_kg"] = max((v["load_kg"] for v in loads.values()), default=None)
        wk["checks"] = [{"guideline": G.FREQUENCY.key, "ok": G.frequency_ok(wk["sessions"]),
                         "text": G.frequency_check(wk["sessions"])}]
        if wk["sessions"]:
            if prev is not None:
                wk["checks"].append(overload(prev, wk))
            prev = wk
        wk["_all_sets"] = done
        out_weeks.append(wk)
    every_set = [s for wk in out_weeks for s in wk.pop("_all_sets")]
    return {
        "from": out_weeks[0]["week"],
        "to": out_weeks[-1]["week"],
        "weeks": out_weeks,
        "sessions": sum(w["sessions"] for w in out_weeks),
        "last_session_at": iso(all_sessions[-1]["started_at"]),
        "left_right": side_comparison(every_set),
    }


def format_history(h):
    """Human-readable table of a history dict (no trailing newline)."""
    lines = [f"History {h['from']} .. {h['to']}: {h['sessions']} sessions",
             f"{'week':<9} {'sess':>4} {'sets':>4} {'reps':>5} {'volume kg':>10} {'top kg':>7}"
             "  checks"]
    for w in h["weeks"]:
        marks = "; ".join(("ok " if c["ok"] else "! ") + c["text"] for c in w["checks"])
        top = f"{w['top_load_kg']:g}" if w["top_load_kg"] is not None else "-"
        lines.append(f"{w['week']:<9} {w['sessions']:>4} {w['sets']:>4} {w['reps']:>5} "
                     f"{w['volume_kg']:>10g} {top:>7}  {marks}")
    if not h["sessions"]:
        lines.append(f"No session in these weeks; the last one started {h['last_session_at']}.")
    if h["left_right"]:
        c = h["left_right"]["check"]
        lines.append(f"{'ok' if c['ok'] else '!'} single leg: {c['text']}")
    return "\n".join(lines)
