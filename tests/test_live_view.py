"""The live view: state from protocol records, line output, and the big rich view."""

import io

from rich.console import Console

from hipthrust import guidelines as G
from hipthrust.bigtext import INK, big, width
from hipthrust.live_view import LineView, LiveState, RichView, make_view, render
from hipthrust_core import records as P


def rec(pack, seq, *args):
    buf = bytearray(P.MAX_RECORD)
    n = pack(buf, seq, *args)
    return P.decode(bytes(buf[:n]))


def a_set():
    """Set 2: a good rep, then a rushed partial one with a short hold and a crash."""
    return [
        rec(P.pack_set_start, 0, 2, 1000),
        rec(P.pack_phase, 1, P.PH_CONCENTRIC, 1500, 1),
        rec(P.pack_phase, 2, P.PH_TOP, 2300, 1),
        rec(P.pack_rep, 3, 1, P.RF_FULL, 1500, 800, 1500, 2000, 240, 500, 900),
        rec(P.pack_phase, 4, P.PH_CONCENTRIC, 7000, 2),
        rec(P.pack_rep, 5, 2, P.RF_PARTIAL, 7000, 700, 400, 300, 150, 400, 700),
        rec(P.pack_set_end, 6, 2, 30000, 2, 1, P.END_REST),
    ]


def test_state_follows_reps_phases_and_judges_with_the_guidelines():
    state = LiveState("HipThrust-1A2B")
    lines = []
    for r in a_set()[:3]:
        lines += state.apply(r)
    assert (state.set_no, state.reps, state.phase_word) == (2, 0, "HOLD")
    lines += state.apply(a_set()[3])
    assert state.reps == 1 and state.last_rep["warnings"] == []
    assert state.last_rep["rom_m"] == 0.24 and state.last_rep["mean_mps"] == 0.5
    for r in a_set()[4:6]:
        lines += state.apply(r)
    expected = G.rep_warnings(0.7, 0.4, 0.3, False)
    assert state.last_rep["warnings"] == expected and len(expected) == 4
    lines += state.apply(a_set()[6])
    assert state.phase_word == "REST"
    assert state.last_set["goal"] == G.rep_range_goal(2)
    assert state.last_set["velocity_loss_pct"] == G.velocity_loss([0.5, 0.4])
    assert lines[0] == "set 2: started"
    # Phases carry no rep number: a rise that turns out to be no rep (the bar set
    # down) must not read as one.
    assert lines[1:3] == ["  concentric", "  top"]
    assert lines[3] == ("rep 1: concentric 0.8 s, hold 1.5 s, eccentric 2.0 s, ROM 0.24 m, "
                        "mean 0.50 m/s")
    assert [ln for ln in lines if ln.startswith("  warning: ")] == [
        "  warning: " + w for w in expected]
    assert lines[-1] == (f"set 2 done: 2 reps (1 full), {G.rep_range_goal(2)}, "
                         "velocity loss 20 %, ended by rest")


def test_status_battery_and_connection_lines_only_on_change():
    state = LiveState()
    s = rec(P.pack_status, 0, 0xAB, 80, P.ST_IDLE, 0, 100)
    assert state.apply(s) == ["battery 80 %"]
    assert state.apply(s) == []
    assert state.set_connection("connected", 81) == ["link: connected"]
    assert state.set_connection("connected") == []
    assert state.battery == 81
    reply = rec(P.pack_reply, 1, P.C_SET, P.R_BAD_VALUE, 0)
    assert state.apply(reply) == ["sensor: set command answered 'bad value' (0)"]


def test_line_view_prints_one_line_per_event_when_not_a_terminal():
    out = io.StringIO()
    state = LiveState()
    view = make_view(state, out)
    assert isinstance(view, LineView)
    with view:
        for r in a_set():
            view.show(state.apply(r))
    text = out.getvalue().splitlines()
    assert text[0] == "set 2: started"
    assert text[-1].startswith("set 2 done: 2 reps")
    assert INK not in out.getvalue()


def test_big_digits_are_block_glyphs_ten_rows_tall():
    lines = big("12", scale=2)
    assert len(lines) == 10
    assert max(len(x) for x in lines) == width("12", 2) == 22
    # the "1" stem: two columns of ink in every row from the third down
    assert all(x[4:6] == INK * 2 for x in lines[2:])


def test_rich_view_draws_count_and_phase_large_with_tempo_warnings_and_set_summary():
    state = LiveState("HipThrust-1A2B")
    for r in a_set()[:6]:
        state.apply(r)
    state.set_connection("connected", 64)
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=100, color_system=None)
    console.print(render(state, 100))
    text = out.getvalue()
    for row in big("2", 2):
        assert row in text  # the rep count, 10 rows of blocks
    for row in big("UP", 2):
        assert row.rstrip() in text  # the phase, large too on a 100-column terminal
    assert "concentric 0.7 s" in text and "hold 0.4 s" in text and "eccentric 0.3 s" in text
    assert "ROM 0.15 m" in text and "mean velocity 0.40 m/s" in text
    assert "! partial rep: drive the hips to full extension" in text
    assert "link: connected" in text and "battery: 64 %" in text
    state.apply(a_set()[6])
    out.truncate(0)
    console.print(render(state, 100))
    assert "set 2: 2 reps (1 full)" in out.getvalue() and "velocity loss 20 %" in out.getvalue()
    for row in big("REST", 2):
        assert row.rstrip() in out.getvalue()


def test_rich_view_on_a_narrow_terminal_keeps_the_count_large():
    state = LiveState()
    state.apply(rec(P.pack_phase, 0, P.PH_BOTTOM, 10, 7))
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=60, color_system=None)
    console.print(render(state, 60))
    for row in big("BOTTOM", 1):
        assert row.rstrip() in out.getvalue()


def test_rich_view_live_updates_on_a_terminal():
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=100, color_system=None)
    state = LiveState()
    with RichView(state, console) as view:
        for r in a_set()[:4]:
            view.show(state.apply(r))
    for row in big("1", 2):
        assert row in out.getvalue()
