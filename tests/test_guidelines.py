"""The guidelines as data and the small pure functions the live view and summaries call."""

import pytest

from hipthrust import guidelines as G


def test_every_guideline_quotes_its_numbers():
    # the data and the guide's words cannot drift apart: each range appears in its quote
    for g in (G.STRENGTH, G.HYPERTROPHY, G.ENDURANCE, G.SETS, G.FREQUENCY):
        assert f"{g.low}-{g.high}" in g.source, g
    assert "1-2 seconds" in G.HOLD.source and G.HOLD.low == 1.0 and G.HOLD.high == 2.0
    assert "crash" in G.CRASH.source
    assert "not about speed" in G.RUSHED.source
    assert "full" not in G.FULL_EXTENSION.source or "straight line" in G.FULL_EXTENSION.source
    assert "gradually increase" in G.PROGRESSIVE_OVERLOAD.source
    keys = [g.key for g in G.GUIDELINES]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("n, text", [
    (3, "strength (3-6)"),
    (6, "strength (3-6)"),
    (7, "between strength (3-6) and hypertrophy (8-15)"),
    (12, "hypertrophy (8-15)"),
    (15, "hypertrophy (8-15) or endurance/warm-up (15-25)"),
    (25, "endurance/warm-up (15-25)"),
    (2, "outside the guide's rep ranges (3-25)"),
    (26, "outside the guide's rep ranges (3-25)"),
])
def test_rep_range_goal(n, text):
    assert G.rep_range_goal(n) == text


def test_rep_issues_each_rule():
    assert G.rep_issues(1.0, 1.5, 2.0, True) == []
    assert G.rep_issues(1.0, 0.9, 2.0, True) == [G.W_HOLD]
    assert G.rep_issues(1.0, 1.5, 0.8, True) == [G.W_ECCENTRIC]
    assert G.rep_issues(1.0, 1.5, 0.3, True) == [G.W_CRASH]  # a crash is not also "fast"
    assert G.rep_issues(0.4, 1.0, 0.5, True) == [G.W_RUSHED]
    assert G.rep_issues(1.0, 1.5, 2.0, False) == [G.W_PARTIAL]
    assert G.rep_issues(0.5, 0.2, 0.3, False) == [G.W_HOLD, G.W_CRASH, G.W_RUSHED, G.W_PARTIAL]


def test_rep_warnings_are_one_line_advice():
    assert G.rep_warnings(1.0, 1.5, 2.0, True) == []
    lines = G.rep_warnings(0.5, 0.2, 0.3, False)
    assert lines[0] == "hold 0.2 s: squeeze 1-2 s at the top"
    assert len(lines) == 4 and all("\n" not in line for line in lines)


def test_tempo_notation_poliquin_order():
    assert G.tempo_notation(3.0, 0.0, 1.0, 2.0) == "3-0-1-2"
    assert G.tempo_notation(2.6, 0.2, 0.4, 1.5) == "3-0-X-2"  # explosive concentric
    assert G.tempo_notation(2.0, None, 0.6, 1.0) == "2-0-1-1"  # last rep: no bottom pause
    assert G.median_tempo([(3, 0, 1, 2), (2, 1, 1, 2), (3, None, 1, 1)]) == "3-1-1-2"
    assert G.median_tempo([]) == ""


def test_velocity_loss_first_to_last():
    assert G.velocity_loss([0.50, 0.45, 0.40]) == pytest.approx(20.0)
    assert G.velocity_loss([0.5]) == 0.0
    assert G.velocity_loss([0.4, 0.5]) == pytest.approx(-25.0)


def test_counts_and_balance():
    assert G.sets_ok(3) and G.sets_ok(5) and not G.sets_ok(2) and not G.sets_ok(6)
    assert G.sets_check(1) == "1 set: below the guide's 3-5"
    assert G.frequency_ok(1) and not G.frequency_ok(0) and not G.frequency_ok(4)
    assert G.frequency_check(4) == "4 sessions: above the guide's 1-3"
    assert G.hold_ok(1.0) and not G.hold_ok(0.99)
    assert G.imbalance_pct(10, 8) == pytest.approx(20.0)
    assert G.imbalance_pct(0, 0) == 0.0
    assert set(G.SINGLE_LEG) <= set(G.VARIATIONS)
