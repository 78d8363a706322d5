# Protocol round trips and pinned layouts. Runs under CPython (pytest) and under
# the MicroPython unix port (tests/mp_runner.py): plain asserts, no pytest imports.
from hipthrust_core import records as P


def _raises(fn, *args):
    try:
        fn(*args)
    except P.ProtocolError:
        return True
    return False


def test_uuids_pinned():
    assert P.SERVICE_UUID == "48540001-9f1c-4c7b-8a2e-6b1d0c5e7a11"
    assert P.EVENTS_UUID == "48540002-9f1c-4c7b-8a2e-6b1d0c5e7a11"
    assert P.CONTROL_UUID == "48540003-9f1c-4c7b-8a2e-6b1d0c5e7a11"
    assert P.RAW_UUID == "48540004-9f1c-4c7b-8a2e-6b1d0c5e7a11"
    assert P.STATUS_UUID == "48540005-9f1c-4c7b-8a2e-6b1d0c5e7a11"
    assert P.sig_uuid(0x180A) == "0000180a-0000-1000-8000-00805f9b34fb"


def test_device_name():
    assert P.device_name(b"\x24\x0a\xc4\x00\x1a\x2b") == "HipThrust-1A2B"


def test_phase_layout_pinned():
    buf = bytearray(P.MAX_RECORD)
    n = P.pack_phase(buf, 0x1234, P.PH_TOP, 0x01020304, 7)
    assert bytes(buf[:n]) == b"\x34\x12\x01\x02\x04\x03\x02\x01\x07"


def test_rep_layout_pinned():
    buf = bytearray(P.MAX_RECORD)
    n = P.pack_rep(buf, 1, 2, P.RF_FULL, 1000, 700, 1500, 2100, 245, 640, 1234)
    assert n == 20
    assert bytes(buf[:n]) == (
        b"\x01\x00\x02\x02\x01\xe8\x03\x00\x00\xbc\x02\xdc\x05\x34\x08\xf5\x00\x80\x02\x7b"
    )


def test_every_record_fits_a_notification():
    for fmt in (P.PHASE_FMT, P.REP_FMT, P.SET_START_FMT, P.SET_END_FMT, P.STATUS_FMT,
                P.REPLY_FMT, P.RAW_FMT):
        import struct

        assert struct.calcsize(fmt) <= P.MAX_RECORD


def test_round_trips():
    records = [
        P.Phase(65535, P.PH_ECCENTRIC, 4000000000, 12),
        P.Rep(3, 1, P.RF_PARTIAL, 99, 650, 0, 1900, 180, 420, 170),
        P.SetStart(4, 255, 123456),
        P.SetEnd(5, 3, 222222, 12, 11, P.END_REST),
        P.Status(6, 0xDEADBEEF, 87, P.ST_IN_SET, P.SF_RAW, 100),
        P.Reply(7, P.C_RESEND, P.R_GONE, 40000),
        P.Raw(8, 1234, -1000, 0, 32767, -32768, 5, -5),
    ]
    for rec in records:
        data = P.encode(rec)
        assert len(data) <= P.MAX_RECORD
        back = P.decode(data)
        assert back == rec
        assert P.encode(back) == data


def test_saturation():
    buf = bytearray(P.MAX_RECORD)
    n = P.pack_rep(buf, 1, 300, 0, 5, 70000, -3, 10, 1, 2, 9999)
    rec = P.decode(bytes(buf[:n]))
    assert rec.rep == 255 and rec.conc_ms == 65535 and rec.hold_ms == 0 and rec.peak_cmps == 255
    n = P.pack_raw(buf, 1, 5, 40000, -40000, 0, 0, 0, 0)
    rec = P.decode(bytes(buf[:n]))
    assert rec.ax == 32767 and rec.ay == -32768


def test_malformed_records_raise_protocol_error():
    good = P.encode(P.SetStart(1, 1, 1))
    assert _raises(P.decode, b"")
    assert _raises(P.decode, b"\x01\x00")
    assert _raises(P.decode, good[:-1])
    assert _raises(P.decode, good + b"\x00")
    assert _raises(P.decode, b"\x01\x00\x7f\x00")
    assert _raises(P.decode, b"\x01\x00\x01\x09\x00\x00\x00\x00\x01")  # phase 9
    assert _raises(P.decode, P.encode(P.SetEnd(1, 1, 1, 3, 3, 1))[:-1] + b"\x09")


def test_commands():
    assert P.command(P.C_RESEND, 0x1234) == b"\x03\x34\x12"
    assert P.parse_command(b"\x03\x34\x12") == P.Command(P.C_RESEND, 0x1234, 0)
    assert P.parse_command(P.command(P.C_SET, P.K_SET_END_S, 30)) == P.Command(5, 1, 30)
    assert P.check_command(b"") == P.R_BAD_LENGTH
    assert P.check_command(b"\x99") == P.R_UNKNOWN_COMMAND
    assert P.check_command(b"\x03\x00") == P.R_BAD_LENGTH
    assert P.check_command(b"\x04\x02") == P.R_BAD_VALUE
    assert P.check_command(P.command(P.C_SET, P.K_RATE_HZ, 75)) == P.R_BAD_VALUE
    assert P.check_command(P.command(P.C_SET, P.K_RATE_HZ, 200)) == P.R_OK
    assert P.check_command(P.command(P.C_SET, 9, 1)) == P.R_BAD_VALUE
    assert _raises(P.parse_command, b"\x07\x00")


def test_sequence_wrap():
    assert P.seq_after(1, 65535)
    assert not P.seq_after(65535, 1)
    assert P.extend_seq(None, 5) == 5
    assert P.extend_seq(65535, 0) == 65536
    assert P.extend_seq(65536 + 10, 9) == 65536 + 9
    assert P.extend_seq(131070, 2) == 131074


def test_status_char():
    buf = bytearray(P.MAX_RECORD)
    n = P.pack_status_char(buf, 0x01020304, 513, 90, P.ST_IDLE, 0)
    st = P.decode_status_char(bytes(buf[:n]))
    assert st == P.StatusChar(P.PROTOCOL_VERSION, 0x01020304, 513, 90, P.ST_IDLE, 0)
    assert _raises(P.decode_status_char, bytes(buf[:n - 1]))
