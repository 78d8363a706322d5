"""Wire protocol v1: the single source of every UUID, code and record layout.

    from hipthrust_core import protocol as P
    buf = bytearray(P.MAX_RECORD)
    n = P.pack_phase(buf, seq, P.PH_CONCENTRIC, t_ms, rep)   # device side, no allocation

Runs unchanged on MicroPython (firmware) and CPython (host). The human-readable
spec is docs/protocol.md; this module is what both sides execute. The decoding side
(records as namedtuples, decode(), encode(), command()) is in hipthrust_core.records,
which only the host loads: on the device every name here costs heap.

Conventions: little-endian; every event record starts with a 16-bit sequence
number (wraps at 65536) and a one-byte record type; every record fits the default
20-byte notification payload (ATT MTU 23). Times are u32 milliseconds on the
device's clock (ms since boot). Direction: "dev->host" records travel on the
`events` (or `raw`) characteristic, "host->dev" commands on `control`.
"""

from hipthrust_core.compat import const

# Protocol version, reported as the Device Information "Software Revision String"
# (0x2A28) and in the status characteristic. The host accepts MIN..MAX.
PROTOCOL_VERSION = const(1)
HOST_MIN_PROTOCOL = const(1)
HOST_MAX_PROTOCOL = const(1)

MAX_RECORD = const(20)  # bytes; default ATT MTU 23 minus 3 bytes of header


class ProtocolError(ValueError):
    """Malformed bytes on the wire; the message names what was wrong and shows the bytes."""


# ---------------------------------------------------------------- UUIDs (v1)
# Every custom UUID is a 16-bit short id filled into one 128-bit base, so
# they cannot drift apart.
_UUID_BASE = "4854{:04x}-9f1c-4c7b-8a2e-6b1d0c5e7a11"


def uuid(short):
    """The 128-bit UUID string for one of our 16-bit short ids."""
    return _UUID_BASE.format(short)


SERVICE_UUID = uuid(0x0001)  # primary service, advertised (v1)
EVENTS_UUID = uuid(0x0002)  # notify, dev->host: event records below (v1)
CONTROL_UUID = uuid(0x0003)  # write / write-without-response, host->dev: commands (v1)
RAW_UUID = uuid(0x0004)  # notify, dev->host: RAW records while raw streaming is on (v1)
STATUS_UUID = uuid(0x0005)  # read, dev->host: STATUS_FMT snapshot (v1)

# Standard SIG services and characteristics (16-bit, Bluetooth Assigned Numbers).
DIS_UUID16 = const(0x180A)  # Device Information service
DIS_MODEL_UUID16 = const(0x2A24)  # Model Number String: board name
DIS_FIRMWARE_UUID16 = const(0x2A26)  # Firmware Revision String: firmware version
DIS_SOFTWARE_UUID16 = const(0x2A28)  # Software Revision String: str(PROTOCOL_VERSION)
DIS_MANUFACTURER_UUID16 = const(0x2A29)  # Manufacturer Name String
BATTERY_UUID16 = const(0x180F)  # Battery service
BATTERY_LEVEL_UUID16 = const(0x2A19)  # Battery Level, u8 percent, read + notify


def sig_uuid(short):
    """The full 128-bit string of a 16-bit Bluetooth SIG UUID (as bleak reports it)."""
    return "0000{:04x}-0000-1000-8000-00805f9b34fb".format(short)


NAME_PREFIX = "HipThrust-"  # advertised name: prefix + last two MAC bytes in hex, "HipThrust-1A2B"


def device_name(mac):
    """Advertised name for a radio MAC address (bytes, 6 long)."""
    return NAME_PREFIX + "{:02X}{:02X}".format(mac[-2], mac[-1])


# ---------------------------------------------------------------- event records (dev->host)
# Record type codes, byte 2 of every record.
T_PHASE = const(0x01)
T_REP = const(0x02)
T_SET_START = const(0x03)
T_SET_END = const(0x04)
T_STATUS = const(0x05)
T_REPLY = const(0x06)
T_RAW = const(0x10)  # only on the raw characteristic, own sequence space

# PHASE: a phase boundary, placed where the motion really started/ended (the
# detector backtracks to the zero-velocity point, so t_ms lies before emission).
#   seq u16 | type u8 | phase u8 | t_ms u32 | rep u8 (1-based rep number in the set)
PHASE_FMT = "<HBBIB"
PH_CONCENTRIC = const(1)  # concentric start: hips start driving up
PH_TOP = const(2)  # top reached: the hold (squeeze) starts
PH_ECCENTRIC = const(3)  # eccentric start: lowering starts, hold ends
PH_BOTTOM = const(4)  # bottom reached: lowering ends, bottom pause starts
PHASE_NAMES = {1: "concentric", 2: "top", 3: "eccentric", 4: "bottom"}

# REP: summary of a completed rep.
#   seq u16 | type u8 | rep u8 | flags u8 | t_ms u32 (concentric start)
#   | concentric_ms u16 | hold_ms u16 | eccentric_ms u16
#   | rom_mm u16 (vertical range of motion) | mean_mmps u16 (mean concentric vertical velocity)
#   | peak_cmps u8 (peak concentric vertical velocity, cm/s, saturates at 255)
# Derived, not sent: concentric end = t + concentric; eccentric start = that + hold;
# eccentric end = that + eccentric; bottom pause = next rep's t - this eccentric end.
REP_FMT = "<HBBBIHHHHHB"
RF_FULL = const(0x01)  # reached the set's full hip extension
RF_PARTIAL = const(0x02)  # turned over short of full extension
RF_FAILED = const(0x04)  # concentric stalled and the bar came back down (failed rep)

# SET_START / SET_END: a set is the bar on the hips with reps between rests.
#   SET_START: seq u16 | type u8 | set u8 (set number since boot, wraps) | t_ms u32
#   SET_END:   seq u16 | type u8 | set u8 | t_ms u32 | reps u8 | full_reps u8 | reason u8
SET_START_FMT = "<HBBI"
SET_END_FMT = "<HBBIBBB"
END_REST = const(1)  # rested longer than the set-end time (setting K_SET_END_S)
END_REMOVED = const(2)  # the bar left the hips (set down, walked away)
END_STOPPED = const(3)  # host sent C_STOP
END_REASONS = {1: "rest", 2: "removed", 3: "stopped"}

# STATUS: periodic and on connect.
#   seq u16 | type u8 | boot_id u32 (random per boot) | battery u8 (%) | state u8 | flags u8
#   | rate_hz u8 (IMU sample rate)
STATUS_FMT = "<HBIBBBB"
ST_IDLE = const(0)  # detecting, no set in progress
ST_IN_SET = const(1)  # a set is in progress
ST_STOPPED = const(2)  # detection stopped by C_STOP
SF_RAW = const(0x01)  # raw streaming is on
SF_IMU_ERROR = const(0x02)  # the IMU did not answer or reported a fault
SF_EVENTS_LOST = const(0x04)  # the ring buffer overwrote events the host had not acknowledged
SF_SETTINGS_DEFAULTED = const(0x08)  # the settings file was missing or corrupt: defaults in use

# REPLY: answer to every control command.
#   seq u16 | type u8 | cmd u8 (the command answered) | status u8 | arg u16
REPLY_FMT = "<HBBBH"
R_OK = const(0)
R_UNKNOWN_COMMAND = const(1)
R_BAD_LENGTH = const(2)
R_BAD_VALUE = const(3)
R_GONE = const(4)  # C_RESEND: requested records left the ring; arg = oldest seq still held
REPLY_NAMES = {0: "ok", 1: "unknown command", 2: "bad length", 3: "bad value", 4: "gone"}

# RAW (raw characteristic): one IMU sample in the raw file's units, integers.
#   seq u16 | type u8 | t_ms u32 | ax ay az i16 (mg) | gx gy gz i16 (0.1 deg/s)
RAW_FMT = "<HBIhhhhhh"

# ---------------------------------------------------------------- status characteristic (read)
#   version u8 | boot_id u32 | next_seq u16 (seq the next event will get) | battery u8 (%)
#   | state u8 | flags u8
STATUS_CHAR_FMT = "<BIHBBB"

# ---------------------------------------------------------------- control commands (host->dev)
# Byte 0 is the command; the device answers each with a REPLY record.
C_START = const(0x01)  # no args: resume detection
C_STOP = const(0x02)  # no args: end the current set (END_STOPPED) and pause detection
C_RESEND = const(0x03)  # u16 from_seq: re-notify every held record from from_seq on
C_RAW = const(0x04)  # u8 0|1: raw streaming off/on
C_SET = const(0x05)  # u8 key | u16 value: change a persisted setting
C_IDENTIFY = const(0x06)  # no args: blink/beep so the lifter finds this sensor
C_ZERO = const(0x07)  # no args: re-estimate gravity (the bar must be still)
COMMAND_LENGTHS = {C_START: 1, C_STOP: 1, C_RESEND: 3, C_RAW: 2, C_SET: 4, C_IDENTIFY: 1, C_ZERO: 1}
COMMAND_NAMES = {1: "start", 2: "stop", 3: "resend", 4: "raw", 5: "set", 6: "identify", 7: "zero"}

# Settings for C_SET: key -> (min, max) allowed values.
K_SET_END_S = const(1)  # s of rest after the last rep that end a set (default 20)
K_RATE_HZ = const(2)  # IMU output data rate, Hz: one of RATES_HZ (default 100)
SETTING_RANGES = {K_SET_END_S: (5, 120), K_RATE_HZ: (50, 200)}
RATES_HZ = (50, 100, 200)

SEQ_MOD = const(65536)

# ---------------------------------------------------------------- encoding (no allocation)


def _u16(buf, off, v):
    buf[off] = v & 0xFF
    buf[off + 1] = (v >> 8) & 0xFF


def _u32(buf, off, v):
    buf[off] = v & 0xFF
    buf[off + 1] = (v >> 8) & 0xFF
    buf[off + 2] = (v >> 16) & 0xFF
    buf[off + 3] = (v >> 24) & 0xFF


def _sat(v, hi):
    return 0 if v < 0 else (hi if v > hi else v)


def _head(buf, seq, kind):
    _u16(buf, 0, seq & 0xFFFF)
    buf[2] = kind


def pack_phase(buf, seq, phase, t_ms, rep):
    """Write a PHASE record into buf; t_ms in ms. Returns its length (9)."""
    _head(buf, seq, T_PHASE)
    buf[3] = phase
    _u32(buf, 4, t_ms)
    buf[8] = _sat(rep, 255)
    return 9


def pack_rep(buf, seq, rep, flags, t_ms, conc_ms, hold_ms, ecc_ms, rom_mm, mean_mmps, peak_mmps):
    """Write a REP record; durations in ms, ROM in mm, velocities in mm/s (peak is
    sent in cm/s, rounded, saturating at 2.55 m/s). Returns its length (20)."""
    _head(buf, seq, T_REP)
    buf[3] = _sat(rep, 255)
    buf[4] = flags
    _u32(buf, 5, t_ms)
    _u16(buf, 9, _sat(conc_ms, 65535))
    _u16(buf, 11, _sat(hold_ms, 65535))
    _u16(buf, 13, _sat(ecc_ms, 65535))
    _u16(buf, 15, _sat(rom_mm, 65535))
    _u16(buf, 17, _sat(mean_mmps, 65535))
    buf[19] = _sat((peak_mmps + 5) // 10, 255)
    return 20


def pack_set_start(buf, seq, set_no, t_ms):
    """Write a SET_START record; t_ms in ms. Returns its length (8)."""
    _head(buf, seq, T_SET_START)
    buf[3] = set_no & 0xFF
    _u32(buf, 4, t_ms)
    return 8


def pack_set_end(buf, seq, set_no, t_ms, reps, full_reps, reason):
    """Write a SET_END record; t_ms in ms, reason one of END_*. Returns its length (11)."""
    _head(buf, seq, T_SET_END)
    buf[3] = set_no & 0xFF
    _u32(buf, 4, t_ms)
    buf[8] = _sat(reps, 255)
    buf[9] = _sat(full_reps, 255)
    buf[10] = reason
    return 11


def pack_status(buf, seq, boot_id, battery, state, flags, rate_hz):
    """Write a STATUS record; battery in %, rate in Hz. Returns its length (11)."""
    _head(buf, seq, T_STATUS)
    _u32(buf, 3, boot_id)
    buf[7] = _sat(battery, 100)
    buf[8] = state
    buf[9] = flags
    buf[10] = _sat(rate_hz, 255)
    return 11


def pack_reply(buf, seq, cmd, status, arg):
    """Write a REPLY record answering command cmd. Returns its length (7)."""
    _head(buf, seq, T_REPLY)
    buf[3] = cmd & 0xFF
    buf[4] = status
    _u16(buf, 5, arg & 0xFFFF)
    return 7


def _i16(buf, off, v):
    if v < -32768:
        v = -32768
    elif v > 32767:
        v = 32767
    _u16(buf, off, v & 0xFFFF)


def pack_raw(buf, seq, t_ms, ax, ay, az, gx, gy, gz):
    """Write a RAW record: t in ms, accel in mg, gyro in 0.1 deg/s (saturating int16).
    Returns its length (19)."""
    _head(buf, seq, T_RAW)
    _u32(buf, 3, t_ms)
    _i16(buf, 7, ax)
    _i16(buf, 9, ay)
    _i16(buf, 11, az)
    _i16(buf, 13, gx)
    _i16(buf, 15, gy)
    _i16(buf, 17, gz)
    return 19


def pack_status_char(buf, boot_id, next_seq, battery, state, flags):
    """Write the status characteristic value (10 bytes). Returns its length."""
    buf[0] = PROTOCOL_VERSION
    _u32(buf, 1, boot_id)
    _u16(buf, 5, next_seq & 0xFFFF)
    buf[7] = _sat(battery, 100)
    buf[8] = state
    buf[9] = flags
    return 10


# ---------------------------------------------------------------- control commands


def check_command(data):
    """R_* status for a control write: R_OK when its command, length and values are valid."""
    if len(data) == 0:
        return R_BAD_LENGTH
    n = COMMAND_LENGTHS.get(data[0])
    if n is None:
        return R_UNKNOWN_COMMAND
    if len(data) != n:
        return R_BAD_LENGTH
    cmd = data[0]
    if cmd == C_RAW and data[1] > 1:
        return R_BAD_VALUE
    if cmd == C_SET:
        rng = SETTING_RANGES.get(data[1])
        v = data[2] | (data[3] << 8)
        if rng is None or v < rng[0] or v > rng[1]:
            return R_BAD_VALUE
        if data[1] == K_RATE_HZ and v not in RATES_HZ:
            return R_BAD_VALUE
    return R_OK


# ---------------------------------------------------------------- sequence numbers


def seq_after(a, b):
    """True when 16-bit sequence number a comes after b (wrap-aware, window 32768)."""
    return 0 < ((a - b) & 0xFFFF) < 32768


def extend_seq(last, seq16):
    """Unwrap a 16-bit seq into a running count, given the last unwrapped value (or
    None for the first record of a boot). Returns the value nearest to last."""
    if last is None:
        return seq16
    d = (seq16 - last) & 0xFFFF
    if d >= 32768:
        d -= 65536
    return last + d
