"""Session report as a PNG or a self-contained HTML page, drawn with matplotlib (Agg).

    from hipthrust.report import write_report
    write_report(store, session_id, "session.png")   # or "session.html"

Three panels, one bar per rep, sets separated: tempo (concentric / hold /
eccentric / bottom pause, s), mean and peak concentric velocity (m/s), range of
motion (m). Reps that miss a per-rep guideline get a red marker naming the issue;
the set-level checks the session missed are listed under the plots.
"""

import base64
import html
import io
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display needed; must come before pyplot
import matplotlib.pyplot as plt  # noqa: E402

from hipthrust.errors import HipthrustError, UsageError  # noqa: E402
from hipthrust.summary import session_summary  # noqa: E402

# Phase colours, shared by the bars and the legend.
COLORS = {"concentric": "#1f77b4", "hold": "#2ca02c", "eccentric": "#ff7f0e",
          "bottom": "#bbbbbb", "flag": "#d62728"}
SHORT = {"short-hold": "hold", "fast-eccentric": "ecc", "crash": "crash", "rushed": "rush",
         "partial": "part"}


class ReportError(HipthrustError):
    """The report file cannot be written. Attribute: path."""

    def __init__(self, path, why):
        self.path = str(path)
        super().__init__(f"cannot write the report to {path}: {why}; choose another file")


def _missed(summary):
    lines = []
    for s in summary["sets"]:
        lines += [f"set {s['number']}: {c['text']}" for c in s["checks"] if not c["ok"]]
    lines += [c["text"] for c in summary["checks"] if not c["ok"]]
    if summary["left_right"] and not summary["left_right"]["check"]["ok"]:
        lines.append("single leg: " + summary["left_right"]["check"]["text"])
    return lines


def figure(summary):
    """A matplotlib Figure of a session_summary dict (the caller closes it)."""
    reps, labels, set_edges = [], [], []
    for s in summary["sets"]:
        set_edges.append(len(reps))
        for r in s["rep_list"]:
            reps.append(r)
            labels.append(f"S{s['number']}\nR{r['rep']}" if r["rep"] == 1 else f"R{r['rep']}")
    x = list(range(len(reps)))
    missed = _missed(summary)
    fig, (ax_t, ax_v, ax_r) = plt.subplots(
        3, 1, figsize=(min(24.0, max(8.0, 0.35 * len(reps) + 2)), 9 + 0.18 * min(len(missed), 20)),
        sharex=True, gridspec_kw={"height_ratios": [3, 2, 2]})
    bottom = [0.0] * len(reps)
    for phase, key in (("concentric", "concentric_s"), ("hold", "hold_s"),
                       ("eccentric", "eccentric_s"), ("bottom", "bottom_s")):
        h = [r[key] or 0.0 for r in reps]
        ax_t.bar(x, h, bottom=bottom, color=COLORS[phase], label=phase, width=0.8)
        bottom = [b + v for b, v in zip(bottom, h, strict=True)]
    for i, r in enumerate(reps):
        if r["issues"]:
            ax_t.plot([i], [bottom[i] + 0.25], marker="v", color=COLORS["flag"], markersize=7)
            ax_t.annotate(",".join(SHORT.get(c, c) for c in r["issues"]),
                          (i, bottom[i] + 0.45), ha="center", fontsize=6, rotation=90,
                          va="bottom", color=COLORS["flag"])
    ax_t.set_ylabel("tempo (s)")
    ax_t.set_ylim(0, max(bottom + [1.0]) * 1.45)
    ax_t.legend(loc="upper right", ncols=4, fontsize=8)
    ax_v.bar(x, [r["mean_velocity_mps"] for r in reps], color=COLORS["concentric"],
             label="mean", width=0.8)
    ax_v.plot(x, [r["peak_velocity_mps"] for r in reps], "o", color="black", markersize=3,
              label="peak")
    ax_v.set_ylabel("velocity (m/s)")
    ax_v.legend(loc="upper right", fontsize=8)
    ax_r.bar(x, [r["rom_m"] for r in reps], width=0.8,
             color=[COLORS["flag"] if not r["full"] else "#7f7f7f" for r in reps])
    ax_r.set_ylabel("range of motion (m)")
    for ax in (ax_t, ax_v, ax_r):
        for edge in set_edges[1:]:
            ax.axvline(edge - 0.5, color="black", linewidth=0.8, linestyle=":")
    ax_r.set_xticks(x)
    ax_r.set_xticklabels(labels, fontsize=7)
    load = " ".join(str(v) for v in (
        f"{summary['load_kg']:g} kg" if summary["load_kg"] is not None else "",
        summary["variation"] or "") if v)
    fig.suptitle(f"Session {summary['session']}  {summary['started_at']}  {summary['n_sets']} "
                 f"sets, {summary['reps']} reps  {load}".rstrip())
    text = "\n".join(["Guidelines missed:"] + missed[:20] if missed else
                     ["Every set met the guide's guidelines."])
    fig.text(0.01, 0.005, text, fontsize=8, va="bottom", family="monospace")
    fig.tight_layout(rect=(0, 0.03 + 0.018 * min(len(missed) + 1, 21), 1, 0.97))
    return fig


def _html(summary, png):
    esc = html.escape
    rows = []
    for s in summary["sets"]:
        missed = "<br>".join(esc(c["text"]) for c in s["checks"] if not c["ok"]) or "ok"
        rows.append(
            f"<tr><td>{s['number']}</td><td>{s['reps']}</td><td>{s['full']}</td>"
            f"<td>{esc(s['goal'])}</td><td>{esc(s['tempo'])}</td>"
            f"<td>{s['time_under_tension_s']:.1f}</td><td>{s['velocity_loss_pct']:.0f}</td>"
            f"<td>{s['load_kg'] if s['load_kg'] is not None else ''}</td>"
            f"<td>{esc(s['variation'] or '')}</td><td>{missed}</td></tr>")
    session_checks = "".join(f"<li>{'ok' if c['ok'] else 'missed'}: {esc(c['text'])}</li>"
                             for c in summary["checks"])
    title = f"Hip thrust session {summary['session']}"
    return (
        f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{esc(title)}</title>"
        "</head><body>\n"
        f"<h1>{esc(title)}</h1><p>{esc(summary['started_at'] or '')} - "
        f"{esc(summary['device'])} - {summary['n_sets']} sets, {summary['reps']} reps</p>\n"
        f"<ul class=\"session-checks\">{session_checks}</ul>\n"
        "<table class=\"sets\"><tr><th>set</th><th>reps</th><th>full</th><th>goal</th>"
        "<th>tempo</th><th>time under tension (s)</th><th>velocity loss (%)</th>"
        "<th>load (kg)</th><th>variation</th><th>guidelines missed</th></tr>\n"
        + "\n".join(rows) + "</table>\n"
        f"<img alt=\"tempo, velocity and range of motion per rep\" "
        f"src=\"data:image/png;base64,{base64.b64encode(png).decode('ascii')}\">\n"
        "</body></html>\n"
    )


def write_report(store, session_id, out_path):
    """Draw the session's report into out_path (.png or .html); returns the Path.

    Raises UsageError for another extension, ReportError when it cannot be written,
    UnknownSessionError for an unknown session.
    """
    out = Path(out_path)
    kind = out.suffix.lower()
    if kind not in (".png", ".html", ".htm"):
        raise UsageError(f"report file {out} must end in .png or .html")
    summary = session_summary(store, session_id)
    if not summary["sets"]:
        raise UsageError(f"session {session_id} has no reps to plot")
    if out.is_dir():
        raise ReportError(out, "it is a folder")
    if not out.parent.is_dir():
        raise ReportError(out, f"folder {out.parent} does not exist")
    fig = figure(summary)
    try:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=100)
    finally:
        plt.close(fig)
    data = buf.getvalue() if kind == ".png" else _html(summary, buf.getvalue()).encode("utf-8")
    tmp = out.with_name(f".{out.name}.partial")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ReportError(out, exc.strerror or str(exc)) from None
    return out
