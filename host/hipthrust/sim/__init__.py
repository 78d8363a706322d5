"""Physics-based hip thrust simulator with exact ground truth.

    from hipthrust.sim import simulate_session, simulate_set
    samples, truth = simulate_session(seed=0, sets=3, rate_hz=100.0)

Modules: tracks (smooth moves), motion (the bar on its arc, the sensor's pose),
lifter (sets, reps, tempo styles, handling), imu (mounting, sensor errors, clock),
session (puts them together and measures the truth). Formats: docs/raw-format.md.
"""

from hipthrust.sim.lifter import TEMPO_STYLES
from hipthrust.sim.session import (
    DEFAULTS,
    session_motion,
    set_motion,
    simulate_session,
    simulate_set,
)

__all__ = ["simulate_session", "simulate_set", "session_motion", "set_motion",
           "TEMPO_STYLES", "DEFAULTS"]
