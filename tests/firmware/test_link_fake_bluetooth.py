"""The fake `bluetooth` module the link runs on in the unix port behaves like
MicroPython's (documented return values, IRQ codes and data, errors)."""

from tests.firmware.mpfw import run

_SETUP = """
import bluetooth
ble = bluetooth.BLE()
seen = []
def irq(event, data):
    seen.append((event, [list(x) if isinstance(x, memoryview) else x for x in data]))
def settle():
    for _ in range(20):
        pass
"""


def test_singleton_config_and_handles():
    (r,), _ = run(_SETUP + """
same = bluetooth.BLE() is ble
try:
    ble.gatts_register_services(())
    inactive = None
except OSError as exc:
    inactive = exc.errno
ble.active(True)
ble.config(gap_name="HipThrust-1A2B")
U = bluetooth.UUID
handles = ble.gatts_register_services((
    (U("4854aaaa-9f1c-4c7b-8a2e-6b1d0c5e7a11"), (
        (U(0x2a00), bluetooth.FLAG_NOTIFY),
        (U(0x2a01), bluetooth.FLAG_READ | bluetooth.FLAG_WRITE, ((U(0x2901), 1),)),
    )),
    (U(0x180f), ((U(0x2a19), bluetooth.FLAG_READ),)),
))
try:
    U(0x12345)
    bad_uuid = False
except ValueError:
    bad_uuid = True
report({"same": same, "inactive": inactive, "handles": handles,
        "mac": list(ble.config("mac")[1]), "addr_type": ble.config("mac")[0],
        "name": ble.config("gap_name"), "mtu": ble.config("mtu"), "bad_uuid": bad_uuid,
        "uuid": [str(U(0x180f)), str(U("4854AAAA-9F1C-4C7B-8A2E-6B1D0C5E7A11"))]})
""")
    assert r["same"] is True
    assert r["inactive"] == 22  # EINVAL before active(True)
    # Value handles, as MicroPython numbers them: service, declaration + value (+ CCCD for
    # notify) per characteristic, then its descriptors; CCCDs are not returned.
    assert r["handles"] == [[3, 6, 7], [10]]
    assert (r["addr_type"], r["mac"]) == (0, [0x24, 0x0A, 0xC4, 0x00, 0x1A, 0x2B])
    assert r["name"] == "HipThrust-1A2B"
    assert r["mtu"] == 256
    assert r["bad_uuid"] is True
    assert r["uuid"] == ["UUID(0x180f)", "UUID('4854aaaa-9f1c-4c7b-8a2e-6b1d0c5e7a11')"]


def test_irqs_are_scheduled_with_the_documented_codes_and_data():
    (r,), _ = run(_SETUP + """
ble.active(True)
ble.irq(irq)
((h_notify, h_rw),) = ble.gatts_register_services((
    (bluetooth.UUID(0x1234), (
        (bluetooth.UUID(0x2a00), bluetooth.FLAG_NOTIFY),
        (bluetooth.UUID(0x2a01), bluetooth.FLAG_READ | bluetooth.FLAG_WRITE),
    )),))
ble.gap_advertise(100000, b"\\x02\\x01\\x06")
try:
    ble.gatts_notify(0, h_notify, b"x")
    not_connected = None
except OSError as exc:
    not_connected = exc.errno
ble.sim_connect(7)
during_call = list(seen)
settle()
adv_after_connect = ble.advertising
ble.sim_write(7, h_rw, b"A" * 30)
settle()
value = ble.gatts_read(h_rw)
ble.sim_write(7, h_notify, b"no")    # not writable: the stack refuses, no IRQ
settle()
ble.sim_mtu(7, 517)
settle()
ble.gatts_notify(7, h_notify, b"y" * 300)  # bounded by the MTU
ble.fail_notify = 1
try:
    ble.gatts_notify(7, h_notify, b"z")
    busy = None
except OSError as exc:
    busy = exc.errno
gone = ble.gap_disconnect(7)
settle()
again = ble.gap_disconnect(7)
try:
    ble.gap_advertise(100000, b"x" * 32)
    too_long = None
except OSError as exc:
    too_long = exc.errno
report({"not_connected": not_connected, "during_call": during_call, "seen": seen,
        "adv": adv_after_connect, "value": value.decode(), "sent": [len(d) for c, h, d in
        ble.notified], "busy": busy, "gone": gone, "again": again, "too_long": too_long})
""")
    assert r["not_connected"] == 128  # ENOTCONN
    assert r["during_call"] == []  # IRQs never run inside the call that caused them
    assert r["adv"] is None  # connecting stops advertising
    assert r["seen"] == [
        [1, [7, 0, [0x11, 0x22, 0x33, 0x44, 0x55, 0x66]]],  # _IRQ_CENTRAL_CONNECT
        [3, [7, 6]],  # _IRQ_GATTS_WRITE (conn, value handle)
        [21, [7, 256]],  # _IRQ_MTU_EXCHANGED: the smaller of the two MTUs
        [2, [7, 0, [0x11, 0x22, 0x33, 0x44, 0x55, 0x66]]],  # _IRQ_CENTRAL_DISCONNECT
    ]
    assert r["value"] == "A" * 20  # the default 20-byte buffer keeps the first 20
    assert r["sent"] == [253]
    assert r["busy"] == 12  # ENOMEM: the stack's buffers are full
    assert (r["gone"], r["again"]) == (True, False)
    assert r["too_long"] == 22
