"""Property tests: every record round-trips, and no byte string raises anything but
ProtocolError."""

from hypothesis import given
from hypothesis import strategies as st

from hipthrust_core import records as P

u8 = st.integers(0, 255)
u16 = st.integers(0, 65535)
u32 = st.integers(0, 2**32 - 1)
i16 = st.integers(-32768, 32767)

records = st.one_of(
    st.builds(P.Phase, u16, st.sampled_from(sorted(P.PHASE_NAMES)), u32, u8),
    st.builds(
        P.Rep, u16, u8, st.integers(0, 7), u32, u16, u16, u16, u16, u16, st.integers(0, 255)
    ),
    st.builds(P.SetStart, u16, u8, u32),
    st.builds(
        lambda seq, s, t, reps, full, reason: P.SetEnd(seq, s, t, reps, min(full, reps), reason),
        u16, u8, u32, u8, u8, st.sampled_from(sorted(P.END_REASONS)),
    ),
    st.builds(P.Status, u16, u32, st.integers(0, 100), u8, u8, u8),
    st.builds(P.Reply, u16, u8, st.sampled_from(sorted(P.REPLY_NAMES)), u16),
    st.builds(P.Raw, u16, u32, i16, i16, i16, i16, i16, i16),
)


@given(records)
def test_every_record_round_trips(rec):
    data = P.encode(rec)
    assert len(data) <= P.MAX_RECORD
    assert P.decode(data) == rec
    assert P.encode(P.decode(data)) == data


@given(st.binary(max_size=40))
def test_random_bytes_raise_only_protocol_error(data):
    try:
        rec = P.decode(data)
    except P.ProtocolError as exc:
        assert str(exc)
    else:
        assert P.encode(rec) == data


@given(records, st.data())
def test_truncated_records_raise_protocol_error(rec, data):
    raw = P.encode(rec)
    cut = data.draw(st.integers(0, len(raw) - 1))
    try:
        P.decode(raw[:cut])
    except P.ProtocolError:
        pass
    else:
        raise AssertionError("truncated record decoded")


@given(st.binary(max_size=8))
def test_random_commands_never_crash(data):
    status = P.check_command(data)
    assert status in P.REPLY_NAMES
    if status == P.R_OK:
        assert P.command(*P.parse_command(data)) == data
    else:
        try:
            P.parse_command(data)
        except P.ProtocolError:
            pass
        else:
            raise AssertionError("invalid command parsed")
