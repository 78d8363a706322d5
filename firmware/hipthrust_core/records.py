"""Wire protocol v1, host view: decoding records, encoding commands.

    from hipthrust_core import records as P
    rec = P.decode(data)                     # bytes of one record -> P.Phase(...) etc.
    P.command(P.C_RESEND, from_seq)          # bytes of a control write
    P.PH_TOP, P.pack_phase(...)              # every name of protocol.py, re-exported

The layouts, codes and pack_* functions are defined once, in hipthrust_core.protocol,
which the firmware imports; this module adds what only the host (and tests) need, so
the device does not spend heap on namedtuple classes and decoders it never calls.
Runs on CPython and MicroPython (tests/core run under both).
"""

import struct
from collections import namedtuple

from hipthrust_core.protocol import *  # noqa: F403 - the host view includes every protocol name
from hipthrust_core.protocol import (
    C_RAW,
    C_RESEND,
    C_SET,
    COMMAND_LENGTHS,
    END_REASONS,
    MAX_RECORD,
    PHASE_FMT,
    PHASE_NAMES,
    R_OK,
    RAW_FMT,
    REP_FMT,
    REPLY_FMT,
    REPLY_NAMES,
    RF_FAILED,
    RF_FULL,
    RF_PARTIAL,
    SET_END_FMT,
    SET_START_FMT,
    STATUS_CHAR_FMT,
    STATUS_FMT,
    T_PHASE,
    T_RAW,
    T_REP,
    T_REPLY,
    T_SET_END,
    T_SET_START,
    T_STATUS,
    ProtocolError,
    _u16,
    check_command,
    pack_phase,
    pack_raw,
    pack_rep,
    pack_reply,
    pack_set_end,
    pack_set_start,
    pack_status,
)

Phase = namedtuple("Phase", ("seq", "phase", "t_ms", "rep"))
Rep = namedtuple(
    "Rep",
    ("seq", "rep", "flags", "t_ms", "conc_ms", "hold_ms", "ecc_ms", "rom_mm", "mean_mmps",
     "peak_cmps"),
)
SetStart = namedtuple("SetStart", ("seq", "set_no", "t_ms"))
SetEnd = namedtuple("SetEnd", ("seq", "set_no", "t_ms", "reps", "full_reps", "reason"))
Status = namedtuple("Status", ("seq", "boot_id", "battery", "state", "flags", "rate_hz"))
Reply = namedtuple("Reply", ("seq", "cmd", "status", "arg"))
Raw = namedtuple("Raw", ("seq", "t_ms", "ax", "ay", "az", "gx", "gy", "gz"))
StatusChar = namedtuple("StatusChar", ("version", "boot_id", "next_seq", "battery", "state",
                                       "flags"))
Command = namedtuple("Command", ("cmd", "a", "b"))

# type code -> (struct format, record class); the type byte is dropped from the fields.
_LAYOUTS = {
    T_PHASE: (PHASE_FMT, Phase),
    T_REP: (REP_FMT, Rep),
    T_SET_START: (SET_START_FMT, SetStart),
    T_SET_END: (SET_END_FMT, SetEnd),
    T_STATUS: (STATUS_FMT, Status),
    T_REPLY: (REPLY_FMT, Reply),
    T_RAW: (RAW_FMT, Raw),
}


def _hex(data):
    return " ".join("{:02x}".format(b) for b in data) or "(empty)"


def decode(data):
    """Decode one event or raw record (bytes) into its namedtuple.

    Raises ProtocolError for an empty, truncated, over-long or unknown record, or
    an out-of-range code.
    """
    if len(data) < 3:
        raise ProtocolError("record too short ({} bytes): {}".format(len(data), _hex(data)))
    kind = data[2]
    layout = _LAYOUTS.get(kind)
    if layout is None:
        raise ProtocolError("unknown record type 0x{:02x}: {}".format(kind, _hex(data)))
    fmt, cls = layout
    size = struct.calcsize(fmt)
    if len(data) != size:
        raise ProtocolError(
            "{} record must be {} bytes, got {}: {}".format(cls.__name__, size, len(data),
                                                            _hex(data))
        )
    fields = struct.unpack(fmt, bytes(data))
    rec = cls(fields[0], *fields[2:])
    _check(rec, kind, data)
    return rec


def _check(rec, kind, data):
    bad = None
    if kind == T_PHASE and rec.phase not in PHASE_NAMES:
        bad = "phase code {}".format(rec.phase)
    elif kind == T_REP and rec.flags & ~(RF_FULL | RF_PARTIAL | RF_FAILED):
        bad = "rep flags 0x{:02x}".format(rec.flags)
    elif kind == T_SET_END and rec.reason not in END_REASONS:
        bad = "set end reason {}".format(rec.reason)
    elif kind == T_SET_END and rec.full_reps > rec.reps:
        bad = "{} full reps of {}".format(rec.full_reps, rec.reps)
    elif kind == T_STATUS and rec.battery > 100:
        bad = "battery {} %".format(rec.battery)
    elif kind == T_REPLY and rec.status not in REPLY_NAMES:
        bad = "reply status {}".format(rec.status)
    if bad is not None:
        raise ProtocolError("invalid {}: {}".format(bad, _hex(data)))


def encode(rec):
    """Encode a decoded record (namedtuple from decode) back to bytes (host side, tests)."""
    buf = bytearray(MAX_RECORD)
    if isinstance(rec, Phase):
        n = pack_phase(buf, rec.seq, rec.phase, rec.t_ms, rec.rep)
    elif isinstance(rec, Rep):
        n = pack_rep(buf, rec.seq, rec.rep, rec.flags, rec.t_ms, rec.conc_ms, rec.hold_ms,
                     rec.ecc_ms, rec.rom_mm, rec.mean_mmps, rec.peak_cmps * 10)
    elif isinstance(rec, SetStart):
        n = pack_set_start(buf, rec.seq, rec.set_no, rec.t_ms)
    elif isinstance(rec, SetEnd):
        n = pack_set_end(buf, rec.seq, rec.set_no, rec.t_ms, rec.reps, rec.full_reps, rec.reason)
    elif isinstance(rec, Status):
        n = pack_status(buf, rec.seq, rec.boot_id, rec.battery, rec.state, rec.flags, rec.rate_hz)
    elif isinstance(rec, Reply):
        n = pack_reply(buf, rec.seq, rec.cmd, rec.status, rec.arg)
    elif isinstance(rec, Raw):
        n = pack_raw(buf, rec.seq, rec.t_ms, rec.ax, rec.ay, rec.az, rec.gx, rec.gy, rec.gz)
    else:
        raise ProtocolError("not a protocol record: {!r}".format(rec))
    return bytes(buf[:n])


def decode_status_char(data):
    """Decode the status characteristic value. Raises ProtocolError if malformed."""
    size = struct.calcsize(STATUS_CHAR_FMT)
    if len(data) != size:
        raise ProtocolError("status value must be {} bytes, got {}: {}".format(size, len(data),
                                                                              _hex(data)))
    return StatusChar(*struct.unpack(STATUS_CHAR_FMT, bytes(data)))


# ---------------------------------------------------------------- control commands


def command(cmd, a=0, b=0):
    """Bytes of a control command (host side). a/b are the command's arguments:
    C_RESEND a=from_seq; C_RAW a=0|1; C_SET a=key, b=value."""
    n = COMMAND_LENGTHS.get(cmd)
    if n is None:
        raise ProtocolError("unknown command 0x{:02x}".format(cmd))
    buf = bytearray(n)
    buf[0] = cmd
    if cmd == C_RESEND:
        _u16(buf, 1, a)
    elif cmd == C_RAW:
        buf[1] = a
    elif cmd == C_SET:
        buf[1] = a
        _u16(buf, 2, b)
    return bytes(buf)


def parse_command(data):
    """Decode a control write into a Command(cmd, a, b); raises ProtocolError if it
    is invalid. The firmware uses check_command, which allocates nothing."""
    status = check_command(data)
    if status != R_OK:
        raise ProtocolError("{} in command: {}".format(REPLY_NAMES[status], _hex(data)))
    cmd = data[0]
    a = 0
    b = 0
    if cmd == C_RESEND:
        a = data[1] | (data[2] << 8)
    elif cmd == C_RAW:
        a = data[1]
    elif cmd == C_SET:
        a = data[1]
        b = data[2] | (data[3] << 8)
    return Command(cmd, a, b)
