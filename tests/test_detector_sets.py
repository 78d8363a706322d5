"""The detector on simulated sets of the kinds it once got wrong (issue 3): every full rep
found once and flagged full, every partial or failed rep it reports flagged not full, and
nothing else counted.

The sets come from the physics simulator with fixed seeds (see bench/accuracy.py for the
figures over hundreds of sets); each case names the failure it guards against.
"""

import pytest

from hipthrust.analyze import analyze_records, assemble
from hipthrust.rawfile import to_ints
from hipthrust.sim import simulate_session, simulate_set

MATCH_S = 0.6  # s: a detected rep is a true one when their concentric starts are this close


def _analyzed(samples):
    # What `hipthrust analyze --json` makes of simulated samples (a dict of sets).
    return assemble(r for _, r in analyze_records(to_ints(samples)))


def _session(seed):
    # A simulated session of three sets and what the detector makes of it: (result, truth).
    samples, truth = simulate_session(seed=seed, sets=3)
    return _analyzed(samples), truth

CASES = [
    # (seed, rate Hz, pitch coupling, what went wrong before)
    (1029, 60.0, 0.0, "a lowering too slow to see: merged with the next rep"),
    (1033, 60.0, 0.0, "slow lowerings mid-set: two reps merged, three times"),
    (1061, 60.0, 0.0, "slow lowering of the second rep: the set started a rep late"),
    (1074, 100.0, 1.0, "paused bottoms: drift over the pause read as the next rise"),
    (1095, 200.0, 1.0, "paused bottoms: drift over the pause read as the next rise"),
    (1058, 100.0, 1.0, "walking with the pad: steps counted as a set"),
    (1065, 60.0, 1.0, "walking with the pad: steps counted as a set"),
    (2029, 60.0, 0.0, "walking with the pad, turning: a false set of four reps"),
    (1049, 60.0, 1.0, "first rep's lowering hidden under drift at its top: merged with the next"),
    (1117, 60.0, 1.0, "first two reps' lowerings lost to drift: the set started two reps late"),
    (1167, 200.0, 1.0, "first rep's lowering lost to drift: the set started a rep late"),
    (1037, 60.0, 0.0, "rushed reps: tops placed a little early, range halved, flagged partial"),
    (5014, 100.0, 1.0, "pitch rate taken up at a rise: its start placed late, flagged partial"),
    (5095, 200.0, 1.0, "pitch rate taken up at a rise: its start placed late, flagged partial"),
    (5154, 100.0, 1.0, "the bar rolled onto the hips: counted as the set's first rep"),
    (7092, 100.0, 0.5, "the bar rolled onto the hips: counted as the set's first rep"),
    (1045, 60.0, 1.0, "a lowering ending on a drift plateau (its test had the wrong sign): merged"),
    (1155, 200.0, 0.0, "a lowering ending on a drift plateau (its test had the wrong sign); "
     "and the pad put down after a walk, its velocity overshooting to +0.26 m/s: a 'first "
     "rep' that paired with the set's first, 8 s later"),
    (5032, 50.0, 1.0, "the bar rolled onto the hips, taken for a first rise: the first rep, "
     "rising from that 'top', was lost"),
    (5007, 200.0, 1.0, "a partial second rep at 39 % of the first's range: the set started "
     "at the third rep"),
    (9031, 200.0, 0.0, "rushed, touch-and-go: the second rep, up and down in under 0.8 s, "
     "was dropped as too quick to start a set, and the set started with the first and third"),
    (3162, 100.0, 1.0, "rushed: the first rep, up and down in 0.75 s, was dropped as too quick "
     "to start a set (the limit was 0.8 s)"),
    (1138, 100.0, 1.0, "pitch-rate bias pulled by each rise: the first lowering's end placed "
     "0.9 s early, the partial rep after it missed"),
    (5049, 60.0, 1.0, "a slow rise before the set (0.08 m/s over 2.3 s: handling) started "
     "the set as its first rep"),
    (3075, 200.0, 1.0, "rolled onto the hips, gravity was declared learnt at the new angle "
     "while 30 mg off: the bar never looked still, the velocity sat at -0.75 m/s and the "
     "first rep was lost"),
    (1003, 200.0, 1.0, "the bar settling onto the hips read as a 0.7 m/s rise until it was "
     "seen at rest and zeroed; the first rep, 0.3 s later, was taken for that velocity "
     "creeping on (its value 0.7 s back, before the rest, was its base) and lost"),
    (11199, 200.0, 1.0, "the same: the bar rolled onto the hips read as a 0.41 m/s rise, "
     "zeroed at rest 0.45 s before the first rep, which was taken for it creeping on"),
    (1055, 200.0, 1.0, "the pitch rate was taken up in the middle of the first rep's rise, "
     "its scale about half of what it settled at: the rise read slow and short "
     "(0.24 m of 0.33), and the partial second rep (0.23 m) passed for full against it"),
    (3145, 60.0, 1.0, "after the bar rolled onto the hips its velocity drifted to 0.58 m/s "
     "and stayed there: a 'first rise' of 2.5 s and 0.9 m, within which the real first "
     "rep came and went, and which was then rejected with it"),
    (5012, 50.0, 1.0, "the first rise's start was walked back from a level of 10 mm/s (no "
     "rep seen yet to scale it) through a slow drift before it: 0.7 s early, too far "
     "to be that rep"),
    (5080, 50.0, 1.0, "touch-and-go, the velocity drifting up through the end of a lowering: "
     "it crossed the rise's level 0.3 s before the rise, and the quadratic extrapolation "
     "over that slow crossing put the start 0.6 s early, too far to be that rep"),
    (11182, 100.0, 1.0, "the set's first two reps read half their range (0.085 m of 0.15): "
     "every later rep, at the same speed, rose over 1.6 times that and was dropped as the "
     "bar lifted off the hips"),
    (5005, 60.0, 1.0, "the first rep read 0.14 m of 0.33, under half the second's 0.31: "
     "too unlike to pair with it, and the set started a rep late"),
    (3181, 60.0, 1.0, "two partial reps in a row (0.089 and 0.123 m of 0.18): the first pulled "
     "the set's range down, and the second passed for full against it"),
    (9018, 100.0, 0.0, "the same: partials of 0.088 and 0.127 m of 0.18, the second flagged full"),
    (13043, 200.0, 0.5, "rushed, touch-and-go (up in 0.22 s, down in 0.6-1 s): a rise's base "
     "was the velocity 0.7 s before it was confirmed, inside the rep before's rise (0.64 "
     "m/s): its start was placed 47 ms late, its range read 0.70 of the set's, partial"),
    (9007, 200.0, 0.0, "a grind that stalled at its sticking point as the second rep, before "
     "the set had started: the drive after the stall (60 mm, some 45 while still fast) fell "
     "short of the 60 mm that confirm a rise out of a set; the stall was taken for its top, "
     "range 0.65, partial"),
    (3084, 50.0, 1.0, "the last rep of a set of 0.36 m reps read 0.51 m (gravity off as the pad "
     "pitched): over the 0.48 m no hip thrust exceeds, dropped as the pad lifted off, "
     "though it rose at the set's speed"),
    (7001, 60.0, 0.5, "rushed (up at 1.9 m/s): 85 ms of samples lost as a push ended; the "
     "accelerometer saw neither its end nor the stop, the velocity kept +0.67 m/s, the top "
     "was found in the lowering and two reps were lost"),
    (1176, 50.0, 1.0, "rushed: samples lost at a push's peak, the velocity came out of the gap "
     "0.8 m/s short, the range read half the set's, partial"),
    (3063, 200.0, 1.0, "the first rep's lowering (6 s at 0.04-0.08 m/s, before the pitch rate "
     "was in use) went unseen, eaten by the velocity's drift, and the ring no longer held "
     "its top: the second rep, rising 7.4 s after that top, was ignored as no rep"),
    (1016, 50.0, 0.0, "setting the bar down after the set: rolled off the hips, lifted 4 cm on "
     "the way (the pad turning 4.4 rad as the bar rolled), counted as a full rep"),
    (11030, 100.0, 1.0, "the first rep, 3 s after the bar was rolled onto the hips and the pad "
     "adjusted (gravity not yet learnt at the new angle): the velocity rose from +0.14 m/s "
     "at rest, came back to +0.18 at the top, climbing, over a fifth of its peak; no top was "
     "found, the rise was dropped and the set started a rep late"),
    (7104, 50.0, 0.5, "the same, from +0.27 m/s: the set's first rep lost, and with it the "
     "whole set of two"),
    (17179, 200.0, 0.0, "the velocity crept up at 0.18 m/s after the bar was rolled onto the "
     "hips (gravity not yet learnt): the first rep's rise, walked back through the creep, "
     "started 1.5 s early, too far to be that rep"),
    (3035, 200.0, 1.0, "the same for the second rep, after a long hold: its start 1.2 s early"),
    (1146, 100.0, 1.0, "full reps read 0.81-0.87 of their range, one 0.95: the set's range, "
     "their running mean, stayed low, and a partial rep read 0.63 passed for full"),
    (11113, 60.0, 1.0, "the same: a partial read 0.66 against full reps read 0.83-0.88"),
    (11130, 100.0, 1.0, "gravity learnt at the first rep's top as a constant: off by as much "
     "back at the bottom angle, the first lowering read as a rise and the second rep was "
     "lost (the hold before it had read -0.15 m/s and passed for the lowering)"),
    (3054, 100.0, 1.0, "the same: the second rep lost"),
    (3149, 60.0, 1.0, "the same: the second rep lost"),
    (3028, 50.0, 1.0, "an explosive first rep (0.15 m in 0.22 s): three samples lost as it "
     "stopped, the velocity came out of the gap at +0.65 m/s and stayed there through the "
     "hold; no top was found, the rise was dropped as drift 2 s later and the rep lost"),
    (1169, 60.0, 1.0, "48 ms of samples lost 30 ms into a rep's push: the straight line over "
     "the gap missed part of the push, the rise read 0.17 m of 0.25 and the full rep partial"),
    (13089, 60.0, 0.5, "the same, 69 ms lost as the push set off: 0.135 m of 0.195, partial"),
    (3103, 200.0, 1.0, "a rise at the end of a walk waited as a first rep; 7 s later, after "
     "the bar was rolled onto the hips, the set's first rep paired with it: a false first rep"),
    (1177, 60.0, 1.0, "two quick touch-and-go partials: the first's top found 0.1 s late, "
     "its lowering (at a steady 0.3 m/s 0.1 s after) zeroed as an offset, and the two "
     "merged into one 0.165 m rep passed for full"),
    (17043, 200.0, 0.0, "a pad that does not pitch, the pitch rate's scale learnt while the bar "
     "was handled: in use in the reps, its velocity was the accelerometer's high-passed "
     "alone, each top read as a lowering: two reps flagged partial"),
    (17115, 200.0, 0.0, "the same: five of fifteen reps flagged partial"),
    (3097, 60.0, 1.0, "a set 1 s after the bar was rolled onto the hips, no rest between: "
     "gravity on the hips is learnt from the bar's gentle motion (its first reps' too, still "
     "turned further from where it was last learnt than a rep pitches it); not learnt, a "
     "full rep read 0.083 m of 0.124, partial"),
    (15045, 60.0, 1.0, "a grind stalled 0.13 s; its top was found at the stall, the velocity's "
     "drift there zeroed, and the pitch rate, taken up then, was shifted by that drift too: "
     "-0.2 m/s with the bar still, read as a lowering; 0.18 m of 0.32, partial"),
    (13152, 50.0, 0.5, "the pitch rate taken up in the middle of the last rep's rise, its scale "
     "still a third short: the rise read slowing, its top found 0.3 s early, 0.17 m of 0.26, "
     "partial"),
    (15046, 100.0, 1.0, "the same in the last rep: 0.13 m of 0.20, partial"),
    (5017, 60.0, 1.0, "touch-and-go, a grind after a quick lowering: its start placed 0.16 s "
     "back in the lowering (the walk to 4 x the level stopped at a wobble of its level "
     "speed), its range read 0.48 m of 0.25 and the rep rejected"),
    (7168, 50.0, 0.5, "the same: 0.61 m of 0.28, the last rep rejected"),
    (7069, 60.0, 0.5, "rushed, touch-and-go: a partial rep (0.09 m) not taken for one; the "
     "next rise was placed from the velocity 0.7 s back, in that partial's push (0.63 m/s, "
     "taken for an offset): its start 45 ms late, 0.165 m of 0.245, flagged partial"),
    (17194, 100.0, 0.0, "a grind stalled 0.4 s and drove on; its top found 37 ms early, where "
     "the velocity, drifting down over the rise, was already under its start value: the "
     "range ended there read 0.185 m of 0.24, and a partial (0.16 m) passed for full"),
    (13111, 200.0, 0.5, "touch-and-go, no rest for the measuring velocity to be zeroed at: "
     "it carried 0.44 m/s into each rise, so the range was never measured again past a top "
     "found early (80 ms); full reps read 0.27 m of 0.32 and a partial (0.23) passed for full"),
    (15157, 60.0, 1.0, "gravity 35 mg off at the first rep's top, the pitch rate in use: the "
     "fused velocity, never held at the top, drifted up to 0.18 m/s in the hold, read as "
     "the rise going on after a stall, and the first rep was lost in a 1.9 s 'rise'"),
    (3138, 100.0, 1.0, "the same, carried on by the accelerometer once the pitch rate was "
     "dropped: +0.23 m/s through the first rep's slow lowering, read as a rise; the set "
     "started two reps late"),
    (13031, 200.0, 0.5, "touch-and-go: the measuring velocity carried +0.09 m/s into a rise, "
     "the fused one +0.07 (over an eighth of the peak); the range was not measured again "
     "past a top found 0.1 s early and read 0.213 m of 0.285, partial"),
    (7154, 100.0, 0.5, "the same in the last two reps of a grinding set: 0.167 and 0.150 m "
     "of 0.198 and 0.193, the last flagged partial"),
    (15092, 50.0, 1.0, "110 ms of samples lost as the sixth rep's push began (0 to 0.5 m/s "
     "inside the gap): the velocity kept a 0.14 m/s loss, the top was found early and the "
     "range read 0.086 m of 0.126: partial"),
]


@pytest.mark.parametrize("seed,rate,coupling,why", CASES, ids=[str(c[0]) for c in CASES])
def test_simulated_set_counted_exactly(seed, rate, coupling, why):
    samples, truth = simulate_set(seed, rate_hz=rate, pitch_coupling=coupling)
    _assert_counted_exactly(truth, _analyzed(samples), why)


STALLED = [
    # (seed, rate Hz, pitch coupling): every grind of the set stalls at its sticking
    # point and drives on to lockout. The stall was taken for the top: the rest of the
    # rise was ignored (the rep flagged partial) or, read as a lowering and a new rise,
    # split the rep in two. Each set has two or more stalled reps.
    (1004, 50.0, 1.0),
    (1012, 100.0, 0.0),
    (1024, 200.0, 0.5),
]


@pytest.mark.parametrize("seed,rate,coupling", STALLED, ids=[str(c[0]) for c in STALLED])
def test_a_grind_that_stalls_and_drives_on_is_one_full_rep(seed, rate, coupling):
    samples, truth = simulate_set(seed, rate_hz=rate, pitch_coupling=coupling, p_stall=1.0)
    assert sum(r["stall_s"] > 0.05 for r in truth["sets"][0]["reps"]) >= 2
    result = _analyzed(samples)
    _assert_counted_exactly(truth, result, "stalled grinds")


@pytest.mark.parametrize("seed", [637, 284])
def test_the_fastest_reps_the_lift_allows_are_counted(seed):
    # Rushed sets at the top of the planned span (mean concentric 1.3-1.4 m/s over
    # 0.4 m: peaks 2.55-2.6 m/s). A peak over 2.5 m/s was taken for no hip thrust
    # (the pad lifted off, a knock): set 637 read 15 full reps of 19, 284 15 of 16.
    samples, truth = simulate_set(seed, tempo_style="rushed", rom_m=0.40, p_partial=0.0,
                                  p_failed=0.0)
    assert max(r["peak_velocity_mps"] for r in truth["sets"][0]["reps"]) > 2.5
    result = _analyzed(samples)
    _assert_counted_exactly(truth, result, "the fastest reps")


def test_a_grind_that_stalls_right_after_it_sets_off_is_one_full_rep():
    # Session 236, set 2, rep 13: a grind rose for 0.13 s, stalled 0.14 s and drove on
    # to lockout. Its first push, shorter than a knock's limit (0.15 s), was taken for
    # one; the rest of the rise, read as a rep from the stall, was flagged partial
    # (12 full reps of 13). In a set, a short rise of a fifth of the set's range or more
    # is no knock.
    result, truth = _session(236)
    stalled = truth["sets"][1]["reps"][12]
    assert stalled["full"] and stalled["stall_s"] > 0.1
    full = _full_counts(result)
    assert full == _full_counts(truth)
    near = [g for g in result["sets"][1]["reps"]
            if abs(g["concentric_start_s"] - stalled["concentric_start_s"]) < MATCH_S]
    assert len(near) == 1 and near[0]["full"]


def test_the_pad_turning_on_its_own_before_a_set_is_no_rise():
    # Session 240, before set 2: the pad pitched on the hips while the bar stayed put
    # (the lifter settling). The pitch rate, in use since set 1, read it as a rise of
    # 0.22 m/s that never ended; the set's first rep, 1.4 s later, was taken in with it
    # (a 1.7 s rise at 76 mm/s: too slow to start a set) and lost: 8 full reps of 9.
    # Where the accelerometer sees under a third of the speed the pitch rate claims,
    # the rate is not followed.
    result, truth = _session(240)
    full = _full_counts(result)
    assert full == _full_counts(truth)
    first = truth["sets"][1]["reps"][0]
    assert abs(result["sets"][1]["reps"][0]["concentric_start_s"]
               - first["concentric_start_s"]) < 0.1


def test_a_grind_that_rose_from_an_offset_is_no_drift():
    # Set 9058 (100 Hz, a pad that does not pitch): the last rep, a 0.16 m/s grind, rose
    # from a bottom where the velocity read +0.11 m/s at rest (an offset): at its top it
    # still read +0.09, over a fifth of its peak, and the rise was dropped as drift.
    # (The rep before it is read partial: its start is placed right since the walk to
    # 4 x the level no longer stops at a wobble, and its top is found 0.12 s early on
    # an offset of -0.1 m/s at the top, gravity off there. It was counted full while
    # its start was placed 0.2 s back in the lowering before, the range overread by as
    # much as the early top cut off.)
    samples, truth = simulate_set(9058, rate_hz=100.0, pitch_coupling=0.0)
    result = _analyzed(samples)
    true_reps = truth["sets"][0]["reps"]
    got = [r for s in result["sets"] for r in s["reps"]]
    assert len(true_reps) == len(got) == 5
    for tr, g in zip(true_reps, got, strict=True):
        assert abs(g["concentric_start_s"] - tr["concentric_start_s"]) < MATCH_S
    last = true_reps[-1]
    assert last["full"] and last["mean_velocity_mps"] < 0.2
    assert got[-1]["full"]


def _assert_counted_exactly(truth, result, why):
    true_reps = truth["sets"][0]["reps"]
    got = [r for s in result["sets"] for r in s["reps"]]
    unmatched = list(got)
    for tr in true_reps:
        near = [g for g in unmatched
                if abs(g["concentric_start_s"] - tr["concentric_start_s"]) < MATCH_S]
        if not near and not tr["full"]:
            continue  # a failed last rep may pass unseen; it was not a full rep anyway
        assert near, f"{why}: true rep {tr['index']} at {tr['concentric_start_s']} s missed"
        g = min(near, key=lambda g: abs(g["concentric_start_s"] - tr["concentric_start_s"]))
        assert g["full"] == tr["full"], f"{why}: rep {tr['index']} flagged wrongly"
        unmatched.remove(g)
    assert not unmatched, f"{why}: extra reps at {[g['concentric_start_s'] for g in unmatched]}"


BOTTOMS = [
    # (seed, rate Hz, tempo style, median error limit s, what went wrong before); pc 1
    (3007, 100.0, "controlled", 0.15,
     "touch-and-go: the end of a lowering is where the velocity's drift is largest; the "
     "bottoms were found about 0.25 s early, every eccentric that much too short"),
    (3002, 100.0, "paused_bottom", 0.12,
     "paused: no rise places the bottom, the lowering's own end does; its velocity came up "
     "through the level early, onto an offset (gravity off at the bottom's pitch): median "
     "error 0.18 s, every bottom early"),
    (3002, 60.0, "slow_eccentric", 0.2,
     "a slow lowering's gentle end is found up to 2 s early; the next rise places it only "
     "if it comes within the wait, and 1.5 s was too short after 4-6 s down: median 0.86 s"),
]


@pytest.mark.parametrize("seed,rate,style,limit,why", BOTTOMS,
                         ids=[f"{c[0]}-{c[2]}" for c in BOTTOMS])
def test_bottoms_are_placed_where_the_lowering_ended(seed, rate, style, limit, why):
    errors = _set_errors(seed, rate, "eccentric_end_s", tempo_style=style)
    assert len(errors) >= 12, why
    assert errors[len(errors) // 2] < limit, (why, errors)


@pytest.mark.parametrize("seed,rate", [(1049, 60.0), (1004, 50.0)])
def test_touch_and_go_bottoms_are_not_placed_at_the_next_rise(seed, rate):
    # Controlled reps, touching the bottom for 0.1-0.2 s: each bottom was placed where
    # the next rise set off, the touch counted into the lowering (median error 0.16
    # and 0.15 s, every bottom late).
    errors = _set_errors(seed, rate, "eccentric_end_s")
    assert len(errors) >= 10
    assert errors[len(errors) // 2] < 0.1, errors


@pytest.mark.parametrize("seed,rate", [(1014, 100.0), (1069, 60.0)])
def test_bottoms_whose_deceleration_stops_after_the_next_rise_are_placed_before_it(seed, rate):
    # Controlled reps where the lowering's deceleration, drawn on, stops only after the
    # next rise set off (drift at the lowering's end): each of those bottoms was placed
    # where that rise was found to start, which lags the turnaround (median error 0.13
    # and 0.11 s).
    errors = _set_errors(seed, rate, "eccentric_end_s")
    assert len(errors) >= 10
    assert errors[len(errors) // 2] < 0.1, errors


@pytest.mark.parametrize("seed,rate", [(1174, 100.0), (1197, 60.0)])
def test_bottoms_found_long_before_the_next_rise_are_placed_short_of_it(seed, rate):
    # Slow lowerings (3-6 s) whose end was found over 0.6 s before the next rise: each
    # bottom was placed where that rise set off, the touch at the bottom counted into
    # the lowering (median error 0.19 and 0.14 s, late).
    errors = _set_errors(seed, rate, "eccentric_end_s")
    assert len(errors) >= 10
    assert errors[len(errors) // 2] < 0.1, errors


@pytest.mark.parametrize("seed,rate", [(1096, 50.0), (1009, 60.0)])
def test_paused_bottoms_are_not_moved_to_the_next_rise(seed, rate):
    # Pauses of 1-1.5 s at the bottom: the next rise came within the 1.5 s a found
    # bottom waits for one, and the bottom moved to it (4 and 3 bottoms over 1 s late),
    # though the lowering's deceleration had come to a stop where it was found.
    errors = _set_errors(seed, rate, "eccentric_end_s")
    assert len(errors) >= 12
    assert errors[-1] < 0.5, errors


@pytest.mark.parametrize("seed,rate,coupling", [(3124, 50.0, 1.0), (9144, 50.0, 0.0)])
def test_bottoms_are_placed_where_the_lowering_levelled_off(seed, rate, coupling):
    # The velocity at a lowering's end carries its drift (+30 mm/s typically): walked
    # back to a level, or the deceleration drawn on to zero, the end was found 0.1-0.8 s
    # early, and a rise 0.2-0.4 s after it moved it halfway there, late. 3124 (paused
    # bottoms of 1-2.4 s): errors up to 0.80 s, median 0.09; 9144 (touches of 0.04-0.38
    # s, no pitch rate in use): up to 0.79 s, median 0.11.
    errors = _set_errors(seed, rate, "eccentric_end_s", coupling=coupling)
    assert len(errors) >= 10
    assert errors[len(errors) // 2] < 0.07 and errors[-1] < 0.25, errors


def test_a_bottom_is_drawn_on_from_the_history_as_it_now_stands():
    # One set of six (session 5, no distractors: the raw end-to-end test's). The pitch
    # rate came into use as the second rep's lowering ended, and the history stepped up
    # with the velocity by 52 mm/s: the lowering's peak speed as measured before (212
    # mm/s) then lay below every sample of it, the walk back to 5/6 of it ran on into
    # the hold, and the bottom (a paused one) was placed 0.91 s late.
    samples, truth = simulate_session(seed=5, sets=1, distractors=False, reps=6)
    errors = _matched_errors(truth, _analyzed(samples), "eccentric_end_s")
    assert len(errors) == 6 and errors[-1] < 0.1, errors


@pytest.mark.parametrize("seed,rate", [(1033, 60.0), (1100, 50.0)])
def test_slow_lowerings_bottoms_are_not_found_seconds_early(seed, rate):
    # Slow lowerings (4-6 s) whose end, found on drift up to 2.3 s early, no rise came
    # to place within the wait: the deceleration had not stopped there.
    errors = _set_errors(seed, rate, "eccentric_end_s")
    assert len(errors) >= 15
    assert errors[-1] < 1.6, errors


LOWERING_STARTS = [
    # (seed, rate Hz, median error limit s, what went wrong before); pc 1
    (1010, 100.0, 0.3,
     "long holds: the velocity drifted down in each (gravity off at the top's angle), was "
     "taken for the lowering and the real one read as its continuation: median 3.2 s early"),
    (1033, 60.0, 0.35,
     "slow lowerings: their gentle starts were placed by a walk back through a velocity "
     "hardly off zero: median 0.52 s off"),
    (1041, 60.0, 0.45,
     "slow lowerings (4-6 s), placed from their steep part: drift in the hold bent its low "
     "crossing early, median 0.70 s"),
    (1194, 100.0, 0.1,
     "holds whose velocity drifted down 15-30 mm/s: the lowering's steep part, measured "
     "from zero speed, was drawn back into that drift: median 0.17 s off"),
]


@pytest.mark.parametrize("seed,rate,limit,why", LOWERING_STARTS,
                         ids=[str(c[0]) for c in LOWERING_STARTS])
def test_lowering_starts_are_placed_where_the_bar_set_off(seed, rate, limit, why):
    # At least half of them within the limit. (In 1010 half are still placed at the
    # top, seconds early: the hold's drift passes for the lowering's start there too;
    # once its second rep was found, 12 of them, the median fell on that half.)
    errors = _set_errors(seed, rate, "eccentric_start_s")
    assert len(errors) >= 10, why
    assert errors[(len(errors) - 1) // 2] < limit, (why, errors)


def test_a_first_rep_that_took_in_a_creep_does_not_set_the_sets_range():
    # Set 3134: the first rep's rise was found 1.9 s early, taking in a slow creep
    # before it (0.42 m at 0.19 m/s, the second rep 0.19 m at 0.77 m/s). Its range
    # became the set's full range: the next ten full reps were flagged partial.
    samples, truth = simulate_set(3134, rate_hz=100.0, pitch_coupling=1.0)
    result = _analyzed(samples)
    got = [r for s in result["sets"] for r in s["reps"]]
    assert sum(1 for r in truth["sets"][0]["reps"] if r["full"]) == 19
    assert [r["full"] for r in got] == [True] * 19


@pytest.mark.parametrize("seed,rate", [(1145, 60.0), (1076, 50.0)])
def test_holds_are_not_read_as_lowerings_at_low_sample_rates(seed, rate):
    # At 50-60 Hz the velocity often came out of a rise already falling steadily (an
    # integration offset: a sample lost or a quick push between samples). The hold was
    # read as the lowering from its start: median hold error 0.49 and 0.97 s.
    errors = _set_errors(seed, rate, "hold_s", coupling=0.0, full_only=True)
    assert len(errors) >= 4
    assert errors[len(errors) // 2] < 0.15, errors


def test_a_lowering_after_a_found_bottom_was_the_real_one():
    # Set 3054 (100 Hz, pad pitching with the hips): in the hold of the rep at 60.9 s
    # the velocity drifted down to 0.07 m/s (gravity off at the top's angle), was
    # taken for the lowering, and its "bottom" found 0.1 s before the bar set off
    # down. The real lowering (0.25 m/s) went by unseen: eccentric start 1.6 s early,
    # eccentric end 2.8 s early. The bar cannot go lower than a bottom: it was drift.
    samples, truth = simulate_set(3054, rate_hz=100.0, pitch_coupling=1.0)
    result = _analyzed(samples)
    tr = next(r for r in truth["sets"][0]["reps"] if abs(r["concentric_start_s"] - 60.86) < 0.05)
    got = [r for s in result["sets"] for r in s["reps"]]
    g = min(got, key=lambda g: abs(g["concentric_start_s"] - tr["concentric_start_s"]))
    assert abs(g["concentric_start_s"] - tr["concentric_start_s"]) < MATCH_S
    assert abs(g["eccentric_start_s"] - tr["eccentric_start_s"]) < 0.25, (g, tr)
    assert abs(g["eccentric_end_s"] - tr["eccentric_end_s"]) < 0.25, (g, tr)


FIRST_HOLDS = [
    # (seed, rate Hz, what went wrong before); pc 1, the set's first rep
    (1045, 60.0, "a 5 s hold: its velocity drifted down to -0.08 m/s (gravity off at the "
     "top's angle, nothing corrected yet in the set's first rep), was taken for the lowering "
     "and its 'bottom' found at rest, 3.5 s before the bar set off down: the real lowering "
     "went by unseen, the hold read 0 s of 5 and the lowering's end 5.4 s early"),
    (1098, 100.0, "the same, the drift 'lowering' at up to 0.21 m/s and the real one read "
     "at 0.10 (not the twice as fast that gave it away): the lowering's start 1.8 s early, "
     "its end 3.2 s early"),
]


@pytest.mark.parametrize("seed,rate,why", FIRST_HOLDS, ids=[str(c[0]) for c in FIRST_HOLDS])
def test_a_first_reps_drift_in_its_hold_is_not_its_lowering(seed, rate, why):
    samples, truth = simulate_set(seed, rate_hz=rate, pitch_coupling=1.0)
    result = _analyzed(samples)
    tr = truth["sets"][0]["reps"][0]
    g = result["sets"][0]["reps"][0]
    assert abs(g["concentric_start_s"] - tr["concentric_start_s"]) < MATCH_S
    for key in ("eccentric_start_s", "eccentric_end_s", "hold_s"):
        assert abs(g[key] - tr[key]) < 0.25, (why, key, g, tr)


def _set_errors(seed, rate, key, coupling=1.0, full_only=False, **opts):
    # _matched_errors of one simulated set (opts: simulate_set's, e.g. tempo_style).
    samples, truth = simulate_set(seed, rate_hz=rate, pitch_coupling=coupling, **opts)
    result = _analyzed(samples)
    return _matched_errors(truth, result, key, full_only)


def _matched_errors(truth, result, key, full_only=False):
    # |detected - true| of one field (s), sorted, over the true reps (full ones only
    # with full_only) that have a detected rep starting within MATCH_S.
    got = [r for s in result["sets"] for r in s["reps"]]
    errors = []
    for tr in truth["sets"][0]["reps"]:
        near = [g for g in got if abs(g["concentric_start_s"] - tr["concentric_start_s"]) < MATCH_S]
        if near and (tr["full"] or not full_only):
            errors.append(abs(near[0][key] - tr[key]))
    return sorted(errors)


FAILED_LAST = [
    # (seed, rate Hz, pitch coupling): the set's last rep grinds, stalls and sinks back.
    # Its slow rise wobbles after it has passed its confirming speed: the backtrack to
    # its start stopped at the wobble, the range came out 20 mm and the rep was dropped
    # as implausible (it now starts from where the rise first went that fast).
    (1169, 60.0, 0.0),
    (1178, 100.0, 0.0),
]


@pytest.mark.parametrize("seed,rate,coupling", FAILED_LAST, ids=[str(c[0]) for c in FAILED_LAST])
def test_failed_last_rep_is_reported_not_full(seed, rate, coupling):
    samples, truth = simulate_set(seed, rate_hz=rate, pitch_coupling=coupling)
    result = _analyzed(samples)
    got = [r for s in result["sets"] for r in s["reps"]]
    last = truth["sets"][0]["reps"][-1]
    assert last["kind"] == "failed"
    near = [g for g in got if abs(g["concentric_start_s"] - last["concentric_start_s"]) < MATCH_S]
    assert len(near) == 1, [g["concentric_start_s"] for g in got]
    assert not near[0]["full"]
    assert sum(g["full"] for g in got) == sum(r["full"] for r in truth["sets"][0]["reps"])


def test_setting_the_bar_down_after_a_set_is_no_rep():
    # The demo's workout: after its rushed third set (reps of 0.28 m) the bar was lifted
    # off the hips, 0.48 m in 1.1 s, and counted as a 25th rep. The hips cannot rise
    # above their lockout: in a set, a rise far beyond the set's range is no rep.
    result, truth = _session(1)
    assert len(result["sets"]) == len(truth["sets"]) == 3
    for got, true in zip(result["sets"], truth["sets"], strict=True):
        assert len(got["reps"]) == len(true["reps"])
        assert sum(r["full"] for r in got["reps"]) == sum(r["full"] for r in true["reps"])


def test_rolling_the_bar_down_off_the_hips_is_no_rep():
    # Set 5036: the bar rolled off the hips after the set, the pad lifted 0.07 m and
    # turning at 2.5 rad per second against the reps' 0.8; the accelerometer, at an
    # angle where gravity was never learnt, read a 0.15 m rise: a sixth "full" rep.
    samples, truth = simulate_set(5036, rate_hz=50.0, pitch_coupling=1.0)
    assert [d["kind"] for d in truth["distractors"]][-1] == "set_down"
    result = _analyzed(samples)
    _assert_counted_exactly(truth, result, "set down")


def test_walking_off_after_a_set_is_no_rep():
    # Session 111: the bar set down after the last set, the lifter walked off with the
    # pad 3.5 s later, before the 20 s of rest that end a set: a step, 11 s into the
    # walk, was counted as the set's sixth rep (0.40 m, full). The pad turned about the
    # vertical at 25-45 deg/s; no rep does that (a set's own reps read 16 at most, the
    # vertical a little off).
    result, truth = _session(111)
    walk = next(d for d in truth["distractors"]
                if d["kind"] == "walk" and d["start_s"] > truth["sets"][2]["end_s"])
    got = [r for s in result["sets"] for r in s["reps"]]
    assert not [g for g in got if walk["start_s"] <= g["concentric_start_s"] <= walk["end_s"]]
    assert [len(s["reps"]) for s in result["sets"]] == [len(s["reps"]) for s in truth["sets"]]


def test_a_set_after_a_set_of_quick_reps_is_counted():
    # Session 134: a set of 25 reps at 1.3-1.7 m/s; the gyro bias, learnt through them
    # from what the accelerometer read (their own acceleration, no gravity), ran 12
    # deg/s off about the vertical. At rest the bar never looked still again, the
    # bias was never learnt again, and the yaw made the third set (16 reps) read as
    # walking with the pad: not one of its reps counted.
    result, truth = _session(134)
    full = _full_counts(result)
    assert full == _full_counts(truth)
    assert full[2] == 16


@pytest.mark.parametrize("seed", [157, 298, 139])
def test_the_pad_picked_up_after_the_last_set_is_no_rep(seed):
    # Sessions 157, 298, 139: a few seconds after the last set (set down, or not) the
    # lifter picks the pad up to walk off with it, before the rest that ends the set.
    # The pickup read as one more full rep (157: 0.375 m at the set's own speed; 298:
    # 0.65 m; 139: after the bar was set down). Each rep's top leaves the pad where
    # the set's others did; the pickup leaves it turned 40-180 degrees from there.
    result, truth = _session(seed)
    walk = next(d for d in truth["distractors"]
                if d["kind"] == "walk" and d["start_s"] > truth["sets"][2]["end_s"])
    got = [r for s in result["sets"] for r in s["reps"]]
    assert not [g for g in got if g["full"] and walk["start_s"] - 0.5 <= g["concentric_start_s"]]
    full = _full_counts(result)
    assert full == _full_counts(truth)


def test_a_long_touch_and_go_set_keeps_its_range():
    # Session 121's second set: 14 controlled touch-and-go reps, no rest between them.
    # Gravity was learnt in the set from the reps' quiet parts (a lowering's end, the
    # deceleration into the bottom), 10-20 mg off: the range read fell from 0.96 to
    # 0.6 of the truth over the set, tops were found early, and the last full reps
    # were flagged partial (8 full of 11; sessions 104 and 118 the same).
    result, truth = _session(121)
    assert len(result["sets"]) == 3
    got, true = result["sets"][1], truth["sets"][1]
    assert sum(r["full"] for r in got["reps"]) == sum(r["full"] for r in true["reps"]) == 11
    for t, g in _full_reps_found(true, got):
        assert abs(g["rom_m"] / t["rom_m"] - 1.0) < 0.2, (t["concentric_start_s"], g["rom_m"])


def _full_counts(doc):
    # Full reps per set of a result or a truth (both: {"sets": [{"reps": [{"full"}]}]}).
    return [sum(r["full"] for r in s["reps"]) for s in doc["sets"]]


def _full_reps_found(true, got):
    # (true rep, detected rep) for each full rep of a true set, the detected one the
    # rep of the detected set starting within MATCH_S of it (one not found fails the test).
    for t in true["reps"]:
        if t["kind"] == "full":
            yield t, next(g for g in got["reps"]
                          if abs(g["concentric_start_s"] - t["concentric_start_s"]) < MATCH_S)


def test_a_first_rep_whose_top_was_found_early_reads_its_whole_range():
    # Session 114's third set (rushed): the first rep's top was found 48 ms early, on
    # drift in the detection velocity, while the bar still rose; the range, measured to
    # there, read 0.253 m of 0.285, and the partial rep after it (0.200 m) passed for
    # full against it.
    result, truth = _session(114)
    assert len(result["sets"]) == 3
    got, true = result["sets"][2], truth["sets"][2]
    assert [r["full"] for r in got["reps"]] == [r["full"] for r in true["reps"]]
    first, t = got["reps"][0], true["reps"][0]
    assert abs(first["rom_m"] / t["rom_m"] - 1.0) < 0.05, (first["rom_m"], t["rom_m"])


def test_a_slow_rep_holding_its_speed_is_one_rep_from_its_turnaround():
    # Session 448's third set (strength, 0.15-0.27 m/s): two full reps held their speed
    # for a moment mid-rise; the walk back to their start stopped at a wobble of 3 mm/s
    # there, 0.24-0.49 s late, and their ranges, measured from there, read 0.06 and
    # 0.02 m of 0.27: neither was a rep.
    result, truth = _session(448)
    assert len(result["sets"]) == 3
    got, true = result["sets"][2], truth["sets"][2]
    assert [r["full"] for r in got["reps"]] == [r["full"] for r in true["reps"]]
    for g, t in zip(got["reps"], true["reps"], strict=True):
        assert abs(g["concentric_start_s"] - t["concentric_start_s"]) < 0.1


FIRST_REP_SESSIONS = [
    # (session seed, what went wrong before: its first set started a rep late)
    (428, "the first rep pitched the pad 1.1 rad on its way up, and its lowering (4.4 s "
     "at 0.08 m/s) went unseen until the next rise gave it away; the pad's turn was summed "
     "over the rise only, so the rep looked like the bar rolled onto the hips (the pad "
     "turned for good): 14 of 15"),
    (446, "after the bar was rolled onto the hips the velocity sat at -0.7 m/s (gravity "
     "off, the bar never seen at rest) for seconds, 'falling' 1.4 m; the first rep, rising "
     "out of that, never reached the speed that starts a set: 5 of 6"),
]


@pytest.mark.parametrize("seed,why", FIRST_REP_SESSIONS,
                         ids=[str(c[0]) for c in FIRST_REP_SESSIONS])
def test_a_session_s_first_set_starts_at_its_first_rep(seed, why):
    result, truth = _session(seed)
    assert _full_counts(result) == _full_counts(truth), why
    first = truth["sets"][0]["reps"][0]
    assert abs(result["sets"][0]["reps"][0]["concentric_start_s"]
               - first["concentric_start_s"]) < 0.1, why


def test_a_partial_whose_rise_started_in_the_lowering_is_not_read_long():
    # A rushed, touch-and-go set: a partial rep's rise was placed to start while the bar
    # still went down, so the velocity it measures from was no rest; its range, measured
    # again to where the velocity came back to that start value, read 0.235 m of 0.150,
    # and the partial passed for full.
    samples, truth = simulate_set(1008, rate_hz=50.0, tempo_style="rushed")
    result = _analyzed(samples)
    _assert_counted_exactly(truth, result, "a partial read long")


@pytest.mark.parametrize("seed", [243, 301])
def test_a_heavy_sets_slow_reps_keep_their_range(seed):
    # Sessions 243 and 301: strength sets whose last reps rise at 0.15-0.25 m/s. Their
    # first reps, before the set was announced, taught gravity from the reps' own gentle
    # parts (the start of a lowering at the top: 10-15 mg), as the bar moving gently just
    # after it was rolled onto the hips may; the slow reps' range then read 0.63-0.7
    # of the truth, and full reps were flagged partial (243: 3 full of 4, twice).
    result, truth = _session(seed)
    full = _full_counts(result)
    assert full == _full_counts(truth)
    for got, true in zip(result["sets"], truth["sets"], strict=True):
        if true["category"] != "strength":
            continue
        for t, g in _full_reps_found(true, got):
            assert g["rom_m"] > 0.7 * t["rom_m"], (t["concentric_start_s"], g["rom_m"])
