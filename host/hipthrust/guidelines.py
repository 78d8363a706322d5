"""The hip thrust guide's programming guidelines, as data, in one place.

    from hipthrust import guidelines as G
    G.rep_warnings(0.8, 0.4, 0.5, True)   # -> ['hold 0.4 s: squeeze 1-2 s at the top', ...]
    G.rep_range_goal(10)                  # -> 'hypertrophy (8-15)'
    G.tempo_notation(2.6, 0.0, 0.4, 1.5)  # -> '3-0-X-2'

Every guideline quotes its source line from the reference guide
(`reference/hip-thrust-guide.txt` in the shared design folder, "Programming
Considerations", "Step-by-Step Execution" and "Common Mistakes to Avoid").
Where the guide gives no number (crash, rushing, explosive) the threshold is
ours and says so. The live view, the summaries and the report all import these;
keep the names stable.

Units: seconds (s) for durations, m/s for velocities, kg for loads.
"""

from collections import namedtuple
from statistics import median

Guideline = namedtuple("Guideline", ("key", "title", "low", "high", "unit", "source"))
Guideline.__doc__ = "One guideline: [low, high] in unit (None: no bound) and the guide's words."

# ---------------------------------------------------------------- rep ranges (reps per set)
STRENGTH = Guideline(
    "strength", "strength", 3, 6, "reps", "Strength: 3-6 repetitions with heavy weight."
)
HYPERTROPHY = Guideline(
    "hypertrophy", "hypertrophy", 8, 15, "reps",
    "Hypertrophy: 8-15 repetitions with moderate to heavy weight.",
)
ENDURANCE = Guideline(
    "endurance", "endurance/warm-up", 15, 25, "reps",
    "Endurance/Warm-up: 15-25 repetitions with light weight or bodyweight.",
)
REP_RANGES = (STRENGTH, HYPERTROPHY, ENDURANCE)

# ---------------------------------------------------------------- volume and frequency
SETS = Guideline("sets", "sets per session", 3, 5, "sets", "Sets: Typically 3-5 sets.")
FREQUENCY = Guideline(
    "frequency", "sessions per week", 1, 3, "sessions/week",
    "Frequency: 1-3 times per week, depending on your training split and recovery capacity.",
)
PROGRESSIVE_OVERLOAD = Guideline(
    "overload", "progressive overload", None, None, "",
    "Progressive Overload: To continue making progress, gradually increase the weight, "
    "repetitions, or sets over time.",
)

# ---------------------------------------------------------------- each rep
HOLD = Guideline(
    "hold", "top hold", 1.0, 2.0, "s", "Hold this peak contraction for 1-2 seconds."
)
# "Slowly and with control": the lowering must take at least as long as the thrust.
ECCENTRIC = Guideline(
    "eccentric", "controlled eccentric", None, None, "s",
    "Slowly and with control, lower your hips back down towards the starting position.",
)
# The guide gives no number for a crash; ours: a lowering faster than CRASH_S.
CRASH_S = 0.5
CRASH = Guideline(
    "crash", "no crash", CRASH_S, None, "s", "Do not let your hips crash to the floor."
)
FULL_EXTENSION = Guideline(
    "full", "full hip extension", None, None, "",
    "Failing to reach a straight line from shoulders to knees at the top means you're missing "
    "the peak glute contraction.",
)
# The guide gives no number for rushing; ours: a rep (concentric + hold + eccentric)
# shorter than RUSHED_S has too little time under tension.
RUSHED_S = 2.0
RUSHED = Guideline(
    "rushed", "not rushed", RUSHED_S, None, "s",
    "Rushing the Movement: The hip thrust is not about speed. Control both the concentric and "
    "eccentric phases to maximize time under tension and muscle engagement.",
)
# Tempo notation writes a concentric shorter than this as "X" (explosive); ours.
EXPLOSIVE_S = 0.6


SINGLE_LEG_BALANCE = Guideline(
    "balance", "left/right balance", None, None, "%",
    "Single-Leg Hip Thrust: Increases the challenge and addresses muscular imbalances by working "
    "one glute at a time.",
)
# The guide gives no number for an imbalance; ours: sides differing by more than
# IMBALANCE_PCT (% of the stronger side) in reps or range of motion.
IMBALANCE_PCT = 10.0

GUIDELINES = (STRENGTH, HYPERTROPHY, ENDURANCE, SETS, FREQUENCY, PROGRESSIVE_OVERLOAD, HOLD,
              ECCENTRIC, CRASH, FULL_EXTENSION, RUSHED, SINGLE_LEG_BALANCE)

# ---------------------------------------------------------------- variations (`hipthrust tag`)
# The guide's "Variations and Progressions", with single-leg split by side so the
# summaries can compare left and right.
VARIATIONS = (
    "barbell", "bodyweight", "dumbbell", "kettlebell", "single-leg-left", "single-leg-right",
    "banded", "machine", "deficit",
)
SINGLE_LEG = ("single-leg-left", "single-leg-right")

# ---------------------------------------------------------------- per-rep warnings
# Codes returned by rep_issues, in this order; WARNING_TEXT is what a lifter reads.
W_HOLD = "short-hold"
W_ECCENTRIC = "fast-eccentric"
W_CRASH = "crash"
W_RUSHED = "rushed"
W_PARTIAL = "partial"
WARNING_CODES = (W_HOLD, W_ECCENTRIC, W_CRASH, W_RUSHED, W_PARTIAL)
WARNING_TEXT = {
    W_HOLD: "hold {hold:.1f} s: squeeze 1-2 s at the top",
    W_ECCENTRIC: "eccentric {ecc:.1f} s faster than the concentric {conc:.1f} s: lower slowly",
    W_CRASH: "eccentric {ecc:.1f} s: hips dropped, lower with control",
    W_RUSHED: "rushed rep ({tut:.1f} s): slow down, control both phases",
    W_PARTIAL: "partial rep: drive the hips to full extension",
}


def rep_issues(concentric_s, hold_s, eccentric_s, full):
    """Warning codes (W_*) for one rep: durations in s, full = reached full extension.

    short-hold: hold < 1 s; crash: eccentric < CRASH_S; fast-eccentric: eccentric
    shorter than the concentric (not repeated when it is a crash); rushed: the rep
    took less than RUSHED_S; partial: not full extension.
    """
    codes = []
    if hold_s < HOLD.low:
        codes.append(W_HOLD)
    if eccentric_s < CRASH_S:
        codes.append(W_CRASH)
    elif eccentric_s < concentric_s:
        codes.append(W_ECCENTRIC)
    if concentric_s + hold_s + eccentric_s < RUSHED_S:
        codes.append(W_RUSHED)
    if not full:
        codes.append(W_PARTIAL)
    codes.sort(key=WARNING_CODES.index)
    return codes


def rep_warnings(concentric_s, hold_s, eccentric_s, full):
    """One-line warnings (what to do) for one rep; durations in s, full a bool.

    Empty when the rep meets every per-rep guideline. See rep_issues for the codes.
    """
    tut = concentric_s + hold_s + eccentric_s
    return [
        WARNING_TEXT[code].format(conc=concentric_s, hold=hold_s, ecc=eccentric_s, tut=tut)
        for code in rep_issues(concentric_s, hold_s, eccentric_s, full)
    ]


# ---------------------------------------------------------------- per-set and per-week goals


def _range(g):
    return f"{g.title} ({g.low}-{g.high})"


def rep_range_fit(n_reps):
    """('fits', [goals]) | ('between', [lower, upper]) | ('outside', []) for a set of n reps."""
    fits = [g for g in REP_RANGES if g.low <= n_reps <= g.high]
    if fits:
        return "fits", fits
    for lower, upper in zip(REP_RANGES[:-1], REP_RANGES[1:], strict=True):
        if lower.high < n_reps < upper.low:
            return "between", [lower, upper]
    return "outside", []


def rep_range_goal(n_reps):
    """Which rep-range goal a set of n_reps fits, as text.

    'hypertrophy (8-15)'; 'hypertrophy (8-15) or endurance/warm-up (15-25)' at 15;
    'between strength (3-6) and hypertrophy (8-15)' at 7;
    'outside the guide's rep ranges (3-25)' below 3 or above 25.
    """
    kind, goals = rep_range_fit(n_reps)
    if kind == "fits":
        return " or ".join(_range(g) for g in goals)
    if kind == "between":
        return f"between {_range(goals[0])} and {_range(goals[1])}"
    return f"outside the guide's rep ranges ({REP_RANGES[0].low}-{REP_RANGES[-1].high})"


def _count_check(g, n, noun):
    noun = noun if n != 1 else noun[:-1]  # "1 set", "2 sets"
    if n < g.low:
        return f"{n} {noun}: below the guide's {g.low}-{g.high}"
    if n > g.high:
        return f"{n} {noun}: above the guide's {g.low}-{g.high}"
    return f"{n} {noun}: within the guide's {g.low}-{g.high}"


def sets_ok(n_sets):
    """True when a session's set count is within the guide's 3-5."""
    return SETS.low <= n_sets <= SETS.high


def sets_check(n_sets):
    """'4 sets: within the guide's 3-5' (or below / above)."""
    return _count_check(SETS, n_sets, "sets")


def frequency_ok(sessions_per_week):
    """True when an ISO week's session count is within the guide's 1-3."""
    return FREQUENCY.low <= sessions_per_week <= FREQUENCY.high


def frequency_check(sessions_per_week):
    """'2 sessions: within the guide's 1-3' (or below / above) for one ISO week."""
    return _count_check(FREQUENCY, sessions_per_week, "sessions")


def hold_ok(hold_s):
    """True when a top hold (s) is at least the guide's 1 s (longer is no fault)."""
    return hold_s >= HOLD.low


def imbalance_pct(left, right):
    """Difference between the sides, % of the larger (reps, m, s...); 0.0 when both are 0."""
    big = max(abs(left), abs(right))
    return 0.0 if big == 0 else abs(left - right) / big * 100.0


def velocity_loss(mean_velocities_mps):
    """Velocity loss across a set, % of the first rep's mean concentric velocity (m/s in).

    (first - last) / first * 100; 0.0 with fewer than two reps or a zero first rep.
    Negative when the last rep was faster.
    """
    v = [float(x) for x in mean_velocities_mps]
    if len(v) < 2 or v[0] <= 0:
        return 0.0
    return (v[0] - v[-1]) / v[0] * 100.0


def _digit(s):
    return str(int(max(0.0, s) + 0.5))


def tempo_notation(ecc, bottom, conc, top):
    """Tempo in Poliquin order eccentric-bottom-concentric-top, whole seconds: '3-0-1-2'.

    Durations in s, rounded half up; a concentric shorter than EXPLOSIVE_S is 'X'.
    bottom may be None (last rep of a set: no next rep) and is then written 0.
    """
    c = "X" if conc < EXPLOSIVE_S else _digit(conc)
    return "-".join((_digit(ecc), _digit(bottom or 0.0), c, _digit(top)))


def median_tempo(reps):
    """Median tempo notation of reps given as (ecc, bottom, conc, top) tuples in s.

    bottom None values are left out of the bottom median. '' for no reps.
    """
    reps = list(reps)
    if not reps:
        return ""
    bottoms = [r[1] for r in reps if r[1] is not None]
    return tempo_notation(
        median(r[0] for r in reps),
        median(bottoms) if bottoms else None,
        median(r[2] for r in reps),
        median(r[3] for r in reps),
    )
