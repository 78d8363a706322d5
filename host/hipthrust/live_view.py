"""What the lifter sees during a session: a rich live view, or plain lines.

    state = LiveState("HipThrust-1A2B")
    with make_view(state) as view:              # RichView on a terminal, else LineView
        view.show(state.apply(record))          # a protocol record (hipthrust_core.protocol)
        view.show(state.set_connection("connected"))

LiveState turns protocol records into display state and one text line per event;
every warning and set judgement comes from hipthrust.guidelines. RichView draws the
rep count and phase in block glyphs big enough to read from the floor; LineView
prints the event lines (when stdout is not a terminal: logs, pipes, tests).
"""

import sys
from collections import deque

from rich.console import Console, Group
from rich.live import Live
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from hipthrust import guidelines as G
from hipthrust.bigtext import big, width
from hipthrust_core import records as P

# Big word and small label per phase (the phase that STARTS at a PHASE record).
PHASE_WORDS = {
    P.PH_CONCENTRIC: ("UP", "concentric: drive the hips up"),
    P.PH_TOP: ("HOLD", "top hold: squeeze"),
    P.PH_ECCENTRIC: ("DOWN", "eccentric: lower with control"),
    P.PH_BOTTOM: ("BOTTOM", "bottom pause"),
}
READY = ("READY", "waiting for the first rep")
REST = ("REST", "set done: rest")
STOPPED = ("STOP", "detection stopped")


def _s(ms):
    return ms / 1000.0


class LiveState:
    """Display state of one session, updated record by record.

    Attributes: device, connection (text), battery (%), set_no, reps (completed
    reps in the current or last set), phase_word / phase_label, last_rep (dict:
    conc_s, hold_s, ecc_s, rom_m, mean_mps, peak_mps, full, warnings, tempo),
    last_set (dict: set_no, reps, full_reps, goal, velocity_loss_pct, reason),
    recent (last event lines), malformed and lost (counters set by the recorder).
    """

    def __init__(self, device=""):
        self.device = device
        self.connection = "connecting"
        self.battery = None
        self.set_no = None
        self.reps = 0
        self.phase_word, self.phase_label = READY
        self.last_rep = None
        self.last_set = None
        self.sets_done = 0
        self.total_reps = 0
        self.malformed = 0
        self.lost = 0
        self.recent = deque(maxlen=8)
        self._set_velocities = []
        self._state = None

    def _emit(self, lines):
        self.recent.extend(lines)
        return lines

    def set_connection(self, connection, battery=None):
        """Record a connection state change ("connected", "reconnecting in 0.4 s"...);
        battery in %. Returns the event lines."""
        if battery is not None:
            self.battery = battery
        if connection == self.connection:
            return []
        self.connection = connection
        return self._emit([f"link: {connection}"])

    def note(self, text):
        """A free-form event line (e.g. a resend gap). Returns the event lines."""
        return self._emit([text])

    def apply(self, record):
        """Update from one decoded protocol record; returns its event lines (maybe none)."""
        if isinstance(record, P.Phase):
            return self._phase(record)
        if isinstance(record, P.Rep):
            return self._rep(record)
        if isinstance(record, P.SetStart):
            self.set_no = record.set_no
            self.reps = 0
            self._set_velocities = []
            self.phase_word, self.phase_label = READY
            return self._emit([f"set {record.set_no}: started"])
        if isinstance(record, P.SetEnd):
            return self._set_end(record)
        if isinstance(record, P.Status):
            return self._status(record)
        if isinstance(record, P.Reply) and record.status != P.R_OK:
            cmd = P.COMMAND_NAMES.get(record.cmd, hex(record.cmd))
            return self._emit([f"sensor: {cmd} command answered "
                               f"'{P.REPLY_NAMES[record.status]}' ({record.arg})"])
        return []

    def _phase(self, rec):
        # No rep number: a rise is reported as it starts, and setting the bar down
        # rises too. Only a REP record says a rep was made (and which one).
        self.phase_word, self.phase_label = PHASE_WORDS[rec.phase]
        return self._emit([f"  {P.PHASE_NAMES[rec.phase]}"])

    def _rep(self, rec):
        conc, hold, ecc = _s(rec.conc_ms), _s(rec.hold_ms), _s(rec.ecc_ms)
        full = bool(rec.flags & P.RF_FULL)
        mean = rec.mean_mmps / 1000.0
        warnings = G.rep_warnings(conc, hold, ecc, full)
        if rec.flags & P.RF_FAILED:
            warnings.append("failed rep: the bar came back down")
        self.last_rep = {
            "rep": rec.rep, "conc_s": conc, "hold_s": hold, "ecc_s": ecc,
            "rom_m": rec.rom_mm / 1000.0, "mean_mps": mean, "peak_mps": rec.peak_cmps / 100.0,
            "full": full, "warnings": warnings,
            "tempo": G.tempo_notation(ecc, None, conc, hold),
        }
        self.reps = rec.rep
        self.total_reps += 1
        self._set_velocities.append(mean)
        lines = [
            f"rep {rec.rep}: concentric {conc:.1f} s, hold {hold:.1f} s, eccentric {ecc:.1f} s, "
            f"ROM {rec.rom_mm / 1000.0:.2f} m, mean {mean:.2f} m/s"
        ]
        lines += [f"  warning: {w}" for w in warnings]
        return self._emit(lines)

    def _set_end(self, rec):
        loss = G.velocity_loss(self._set_velocities)
        self.last_set = {
            "set_no": rec.set_no, "reps": rec.reps, "full_reps": rec.full_reps,
            "goal": G.rep_range_goal(rec.reps), "velocity_loss_pct": loss,
            "reason": P.END_REASONS[rec.reason],
        }
        self.reps = rec.reps
        self.sets_done += 1
        self.phase_word, self.phase_label = REST
        return self._emit([
            f"set {rec.set_no} done: {rec.reps} reps ({rec.full_reps} full), "
            f"{self.last_set['goal']}, velocity loss {loss:.0f} %, "
            f"ended by {self.last_set['reason']}"
        ])

    def _status(self, rec):
        lines = []
        if rec.battery != self.battery:
            self.battery = rec.battery
            lines.append(f"battery {rec.battery} %")
        if rec.state != self._state:
            self._state = rec.state
            if rec.state == P.ST_STOPPED:
                self.phase_word, self.phase_label = STOPPED
        if rec.flags & P.SF_IMU_ERROR:
            lines.append("sensor: IMU error, check the board")
        return self._emit(lines)


class LineView:
    """One line per event on a plain stream (not a terminal)."""

    def __init__(self, state, file=None):
        self.state = state
        self.file = file if file is not None else sys.stdout

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def show(self, lines):
        """Print the event lines."""
        for line in lines:
            print(line, file=self.file, flush=True)


def render(state, console_width=100):
    """The rich renderable of the live view for state, sized for console_width columns."""
    count = str(state.reps)
    phase_scale = 2 if width(count, 2) + width(state.phase_word, 2) + 12 <= console_width else 1
    head = Table.grid(padding=(0, 4))
    head.add_column()
    head.add_column()
    set_label = "set -" if state.set_no is None else f"set {state.set_no}"
    head.add_row(
        Text("REPS  " + set_label, style="bold"),
        Text(state.phase_label, style="bold"),
    )
    head.add_row(
        Text("\n".join(big(count, 2)), style="bold green"),
        Text("\n".join(big(state.phase_word, phase_scale)), style="bold cyan"),
    )
    parts = [head, Text("")]
    rep = state.last_rep
    if rep:
        parts.append(Text(
            f"last rep {rep['rep']}:  concentric {rep['conc_s']:.1f} s  |  hold {rep['hold_s']:.1f}"
            f" s  |  eccentric {rep['ecc_s']:.1f} s   tempo {rep['tempo']}",
            style="bold",
        ))
        parts.append(Text(f"ROM {rep['rom_m']:.2f} m   mean velocity {rep['mean_mps']:.2f} m/s"
                          f"   peak {rep['peak_mps']:.2f} m/s"))
        for w in rep["warnings"]:
            parts.append(Text("! " + w, style="bold yellow"))
    s = state.last_set
    if s:
        parts.append(Text(
            f"set {s['set_no']}: {s['reps']} reps ({s['full_reps']} full) - {s['goal']} - "
            f"velocity loss {s['velocity_loss_pct']:.0f} %",
            style="magenta",
        ))
    battery = "?" if state.battery is None else f"{state.battery} %"
    foot = f"{state.device}   link: {state.connection}   battery: {battery}"
    if state.malformed or state.lost:
        foot += f"   malformed: {state.malformed}   lost: {state.lost}"
    link_style = "green" if state.connection == "connected" else "red"
    return Panel(Group(*parts), title="hip thrust", subtitle=Text(foot, style=link_style))


class RichView:
    """The full-screen-ish rich live view (on a terminal)."""

    def __init__(self, state, console=None):
        self.state = state
        self.console = console or Console()
        self._live = None

    def __enter__(self):
        self._live = Live(self._render(), console=self.console, refresh_per_second=8,
                          transient=False)
        self._live.__enter__()
        return self

    def __exit__(self, *exc):
        self._live.__exit__(*exc)
        return False

    def _render(self):
        return render(self.state, self.console.width)

    def show(self, lines):
        """Redraw with the new state (the event lines are part of it already)."""
        if self._live is not None:
            self._live.update(self._render())


def make_view(state, file=None):
    """RichView when file (default stdout) is a terminal, else LineView."""
    file = file if file is not None else sys.stdout
    if file.isatty():
        return RichView(state, Console(file=file))
    return LineView(state, file)
