"""The BLE link (hipthrust_fw.link + the App's command handling) against the in-process
fake `bluetooth` module, in the MicroPython unix port."""

from hipthrust_core import records as P
from tests.firmware.mpfw import run
from tests.firmware.standins import CLASSES, prelude

SERVICE_LE = bytes(reversed(bytes.fromhex(P.SERVICE_UUID.replace("-", ""))))


def _run(code, tmp_path, ring_slots=256):
    reports, _ = run(prelude(ring_slots) + code, cwd=tmp_path)
    return reports


def test_advertises_flags_service_uuid_and_name(tmp_path):
    (r,) = _run("""
adv = ble.advertising
report({"interval": adv[0], "adv": adv[1].hex(), "resp": adv[2].hex(),
        "gap_name": ble.config("gap_name").decode(), "name": app.name})
""", tmp_path)
    assert r["name"] == "HipThrust-1A2B"  # the fake's default MAC ends 1a:2b
    assert r["gap_name"] == "HipThrust-1A2B"
    assert r["interval"] == 250000
    assert bytes.fromhex(r["adv"]) == b"\x02\x01\x06" + b"\x11\x07" + SERVICE_LE
    assert bytes.fromhex(r["resp"]) == b"\x0f\x09" + b"HipThrust-1A2B"


def test_name_follows_the_radio_mac(tmp_path):
    reports, _ = run(prelude() + 'report(app.name)', cwd=tmp_path,
                     env={"HIPTHRUST_MAC": "24:0a:c4:00:be:ef"})
    assert reports == ["HipThrust-BEEF"]


def test_services_characteristics_and_static_values(tmp_path):
    (r,) = _run("""
svc = [[str(u), [[str(c), f, h] for c, f, h in chars]] for u, chars in ble.services]
read = lambda h: ble.gatts_read(h)
dis = [read(h).decode() for u, chars in ble.services[1:2] for c, f, h in chars]
report({"svc": svc, "dis": dis, "battery": list(read(app.link.h_battery)),
        "status": list(read(app.link.h_status)), "boot": app.boot_id,
        "handles": [app.link.h_events, app.link.h_control, app.link.h_raw, app.link.h_status]})
""", tmp_path)
    svc = r["svc"]
    assert [s[0] for s in svc] == [f"UUID('{P.SERVICE_UUID}')", "UUID(0x180a)", "UUID(0x180f)"]
    ours = svc[0][1]
    assert [(c, f) for c, f, h in ours] == [
        (f"UUID('{P.EVENTS_UUID}')", 0x10),
        (f"UUID('{P.CONTROL_UUID}')", 0x08 | 0x04),
        (f"UUID('{P.RAW_UUID}')", 0x10),
        (f"UUID('{P.STATUS_UUID}')", 0x02),
    ]
    assert [h for c, f, h in ours] == r["handles"]
    assert [c for c, f, h in svc[1][1]] == ["UUID(0x2a24)", "UUID(0x2a26)", "UUID(0x2a28)",
                                           "UUID(0x2a29)"]
    assert svc[2][1][0][:2] == ["UUID(0x2a19)", 0x12]
    model, firmware, software, maker = r["dis"]
    assert (model, firmware, software) == ("test-board", "0.1.0", "1")
    assert maker
    assert r["battery"] == [87]
    st = P.decode_status_char(bytes(r["status"]))
    # No settings file in the fresh folder: defaults in use, and the status says so.
    assert st == P.StatusChar(1, r["boot"], 0, 87, P.ST_IDLE, P.SF_SETTINGS_DEFAULTED)


def test_connect_sends_status_and_stops_advertising_mtu_is_recorded(tmp_path):
    (r,) = _run("""
ble.sim_connect(0)
tick()
adv_connected = ble.advertising
ble.sim_mtu(0, 185)
tick()
ev = events()
report({"adv": adv_connected is None, "mtu": app.link.mtu, "names": names(ev),
        "ev": ev, "boot": app.boot_id, "logs": logs})
""", tmp_path)
    assert r["adv"] is True
    assert r["mtu"] == 185
    assert r["names"] == ["Status"]
    assert P.Status(*r["ev"][0]) == P.Status(0, r["boot"], 87, P.ST_IDLE,
                                             P.SF_SETTINGS_DEFAULTED, 100)
    assert "link: host connected" in r["logs"]


def test_bad_commands_get_error_replies_and_change_nothing(tmp_path):
    (r,) = _run("""
ble.sim_connect(0)
tick()
events()
state = (app.state(), app.flags(), app.link.raw, app.settings.get(P.K_SET_END_S))
for data in (b"", b"\\x09", b"\\x03\\x00", b"\\x04\\x02", b"\\x05\\x09\\x0a\\x00",
             b"\\x05\\x02\\x96\\x00", b"\\x05\\x01\\x04\\x00", b"\\x01" * 25, b"\\x02\\x00"):
    write(data)
ev = events()
report({"ev": ev, "names": names(ev), "same": state == (app.state(), app.flags(),
        app.link.raw, app.settings.get(P.K_SET_END_S)), "ended": det.ended})
""", tmp_path)
    assert r["names"] == ["Reply"] * 9
    replies = [P.Reply(*e) for e in r["ev"]]
    assert [(x.cmd, x.status) for x in replies] == [
        (0, P.R_BAD_LENGTH),
        (9, P.R_UNKNOWN_COMMAND),
        (P.C_RESEND, P.R_BAD_LENGTH),
        (P.C_RAW, P.R_BAD_VALUE),
        (P.C_SET, P.R_BAD_VALUE),  # unknown key
        (P.C_SET, P.R_BAD_VALUE),  # 150 Hz is not a supported rate
        (P.C_SET, P.R_BAD_VALUE),  # 4 s is below the range
        (P.C_START, P.R_BAD_LENGTH),  # 25 bytes (the stack keeps 20)
        (P.C_STOP, P.R_BAD_LENGTH),
    ]
    assert [x.seq for x in replies] == list(range(1, 10))
    assert r["same"] is True
    assert r["ended"] == []
    assert not (tmp_path / "settings.json").exists()


def test_good_commands_are_carried_out_and_answered(tmp_path):
    (r,) = _run("""
ble.sim_connect(0)
tick()
events()
out = {}
write(P.command(P.C_RAW, 1)); out["raw"] = (app.link.raw, app.flags() & P.SF_RAW)
write(P.command(P.C_SET, P.K_SET_END_S, 30)); out["set_end"] = det.set_end_ms
write(P.command(P.C_SET, P.K_RATE_HZ, 200)); out["rate"] = (app.rate_hz, board.imus[-1].rate_hz)
write(P.command(P.C_IDENTIFY))
write(P.command(P.C_ZERO)); out["zeroed"] = det.zeroed
write(P.command(P.C_ZERO))  # the stand-in says the bar moves this time
write(P.command(P.C_STOP)); out["stopped"] = (app.state(), len(det.ended))
write(P.command(P.C_STOP)); out["stopped_twice"] = len(det.ended)
write(P.command(P.C_START)); out["started"] = app.state()
write(P.command(P.C_RAW, 0)); out["raw_off"] = app.link.raw
out["flags"] = app.flags()
ev = events()
out["names"] = names(ev)
out["ev"] = ev
report(out)
""", tmp_path)
    assert r["raw"] == [True, P.SF_RAW]
    assert r["set_end"] == 30000
    assert r["rate"] == [200, 200]
    assert r["zeroed"] == 1
    assert r["stopped"] == [P.ST_STOPPED, 1]
    assert r["stopped_twice"] == 1
    assert r["started"] == P.ST_IDLE
    assert r["raw_off"] is False
    assert r["flags"] == 0  # a successful C_SET wrote the file: no longer defaulted
    assert r["names"] == ["Reply"] * 6 + ["SetEnd"] + ["Reply"] * 4
    replies = [P.Reply(*e) for e in r["ev"] if len(e) == 4]
    assert [(x.cmd, x.status) for x in replies] == [
        (P.C_RAW, 0), (P.C_SET, 0), (P.C_SET, 0), (P.C_IDENTIFY, 0), (P.C_ZERO, 0),
        (P.C_ZERO, P.R_BAD_VALUE), (P.C_STOP, 0), (P.C_STOP, 0), (P.C_START, 0), (P.C_RAW, 0)]
    assert P.SetEnd(*r["ev"][6]).reason == P.END_STOPPED
    import json

    assert json.loads((tmp_path / "settings.json").read_text()) == {"set_end_s": 30,
                                                                    "rate_hz": 200}


def test_records_wait_while_disconnected_and_resend_replays_them(tmp_path):
    (r,) = _run("""
for i in range(5):
    phase(i + 1)
    board.imus[-1].waiting.append((0, 0, 1000, 0, 0, 0))
    tick()
ble.sim_connect(0)
tick()
first = seqs(events())
write(P.command(P.C_RESEND, 2))
again = events()
write(P.command(P.C_RESEND, app.ring.next_seq))
nothing = events()
report({"first": first, "again": seqs(again), "reply": again[-1], "nothing": nothing})
""", tmp_path)
    # Five phases made with no host, then the STATUS of the connection: all delivered.
    assert r["first"] == [0, 1, 2, 3, 4, 5]
    # Resend from 2: records 2..5, then the reply (seq 6) saying how many were resent.
    assert r["again"] == [2, 3, 4, 5, 6]
    assert P.Reply(*r["reply"]) == P.Reply(6, P.C_RESEND, P.R_OK, 4)
    assert [P.Reply(*x) for x in r["nothing"]] == [P.Reply(7, P.C_RESEND, P.R_OK, 0)]


def test_resend_of_records_that_left_the_ring_answers_gone(tmp_path):
    (r,) = _run("""
ble.sim_connect(0)
tick()
for i in range(12):
    phase(i + 1)
    board.imus[-1].waiting.append((0, 0, 1000, 0, 0, 0))
    tick()
events()
write(P.command(P.C_RESEND, 1))
gone = events()
write(P.command(P.C_RESEND, gone[0].arg))
served = events()
write(P.command(P.C_RESEND, 60000))
future = events()
report({"gone": gone, "served": served, "future": future, "flags": app.flags()})
""", tmp_path, ring_slots=8)
    # Ring of 8 after 13 records (status + 12 phases): 5..12 held. The REPLY (13) pushes
    # 5 out and the next request's REPLY will push 6: the host is told to ask from 7.
    assert [P.Reply(*x) for x in r["gone"]] == [P.Reply(13, P.C_RESEND, P.R_GONE, 7)]
    # Asking from 7 is served: 7..13 again, then the REPLY (14) counting them.
    assert [x[0] for x in r["served"]] == [7, 8, 9, 10, 11, 12, 13, 14]
    assert P.Reply(*r["served"][-1]) == P.Reply(14, P.C_RESEND, P.R_OK, 7)
    # A seq from another boot (or the future) is gone too.
    assert [P.Reply(*x) for x in r["future"]] == [P.Reply(15, P.C_RESEND, P.R_GONE, 9)]
    # Everything was notified before it was overwritten: nothing lost.
    assert r["flags"] & P.SF_EVENTS_LOST == 0


def test_notify_oserror_is_retried_in_order_without_loss(tmp_path):
    (r,) = _run("""
ble.sim_connect(0)
tick()
events()
ble.fail_notify = 3
for i in range(4):
    phase(i + 1)
board.imus[-1].waiting.append((0, 0, 1000, 0, 0, 0))
tick()
during = seqs(events())
tick(2)
after = seqs(events())
report({"during": during, "after": after, "errors": app.link.notify_errors})
""", tmp_path)
    assert r["during"] == []  # three failures in a row: the link waits for the next tick
    assert r["after"] == [1, 2, 3, 4]
    assert r["errors"] == 3


def test_notifications_are_paced_per_tick(tmp_path):
    (r,) = _run("""
for i in range(20):
    phase(i + 1)
board.imus[-1].waiting.append((0, 0, 1000, 0, 0, 0))
tick()
ble.sim_connect(0)
tick()
per = [len(events())]
tick(); per.append(len(events()))
tick(); per.append(len(events()))
report(per)
""", tmp_path)
    # 21 records (20 phases + the connection's status): 8 per service() call, two calls
    # per tick, so 16, then the last 5.
    assert r == [16, 5, 0]


def test_disconnect_re_advertises_and_reconnect_catches_up(tmp_path):
    (r,) = _run("""
ble.sim_connect(0)
tick()
events()
ble.sim_disconnect(0)
tick()
adv = ble.advertising
for i in range(3):
    phase(i + 1)
board.imus[-1].waiting.append((0, 0, 1000, 0, 0, 0))
tick()
missed = len(ble.notified)
ble.sim_connect(1)
tick()
ev = events()
report({"adv": adv is not None and adv[1] == app.link._adv, "missed": missed,
        "seqs": seqs(ev), "names": names(ev), "logs": logs})
""", tmp_path)
    assert r["adv"] is True
    assert r["missed"] == 0
    assert r["seqs"] == [1, 2, 3, 4]
    assert r["names"] == ["Phase", "Phase", "Phase", "Status"]
    assert "link: host disconnected; advertising again" in r["logs"]


def test_overwriting_unsent_records_sets_events_lost(tmp_path):
    (r,) = _run("""
for i in range(10):
    phase(i + 1)
board.imus[-1].waiting.append((0, 0, 1000, 0, 0, 0))
tick()
ble.sim_connect(0)
tick()
ev = events()
report({"seqs": seqs(ev), "flags": app.flags(),
        "status": ev[-1]})
""", tmp_path, ring_slots=4)
    # The ring kept four records: 6..9 go out on connection, then the connection's
    # STATUS (10) pushes out 6, which was already sent.
    assert r["seqs"] == [6, 7, 8, 9, 10]
    assert r["flags"] & P.SF_EVENTS_LOST
    assert P.Status(*r["status"]).flags & P.SF_EVENTS_LOST


def test_raw_streaming_notifies_raw_records(tmp_path):
    (r,) = _run("""
ble.sim_connect(0)
tick()
write(P.command(P.C_RAW, 1))
imu = board.imus[-1]
for i in range(6):
    imu.waiting.append((10 * i, -5, 1000, 1, 2, -3))
tick()
raw = [P.decode(d) for d in took(app.link.h_raw)]
write(P.command(P.C_RAW, 0))
imu.waiting.append((1, 1, 1, 1, 1, 1))
tick()
report({"raw": raw, "after_off": len(took(app.link.h_raw)), "t": clock.t})
""", tmp_path)
    raws = [P.Raw(*x) for x in r["raw"]]
    assert [x.seq for x in raws] == [0, 1, 2, 3, 4, 5]
    assert [x.ax for x in raws] == [0, 10, 20, 30, 40, 50]
    assert (raws[0].ay, raws[0].az, raws[0].gx, raws[0].gy, raws[0].gz) == (-5, 1000, 1, 2, -3)
    # Samples spread at the 10 ms period, the newest at the drain time.
    assert [x.t_ms for x in raws] == [raws[-1].t_ms - 10 * (5 - i) for i in range(6)]
    assert r["after_off"] == 0


def test_battery_level_is_notified_when_it_changes(tmp_path):
    (r,) = _run("""
ble.sim_connect(0)
tick()
board.battery = 64
tick(130)
levels = [list(d) for d in took(app.link.h_battery)]
report({"levels": levels, "value": list(ble.gatts_read(app.link.h_battery))})
""", tmp_path)
    assert r == {"levels": [[64]], "value": [64]}


def test_per_sample_path_allocates_nothing(tmp_path):
    # The real detector behind the app, a still bar: draining the FIFO and feeding the
    # detector must not touch the heap (a board's GC pause would stall the loop).
    reports, _ = run(CLASSES + """
import micropython
ble = bluetooth.BLE()
board = Board()
clock = Clock()
app = App(board, ble, clock=clock, log=lambda *a: None, log_events=False)
imu = board.imus[-1]
still = (12, -8, 1003, 3, -2, 1)
def load(n):
    for _ in range(n):
        imu.waiting.append(still)
for _ in range(50):
    load(4)
    clock.t += 40
    app.tick()
load(4)
clock.t += 40
app.t_ms += 40
micropython.heap_lock()
try:
    app._drain()
    ok = True
except MemoryError:
    ok = False
micropython.heap_unlock()
report({"ok": ok, "samples": app.samples})
""", cwd=tmp_path)
    assert reports == [{"ok": True, "samples": 204}]


def test_status_record_every_ten_seconds_while_connected(tmp_path):
    (r,) = _run("""
tick(300)                       # 12 s alone: no STATUS records (nobody would hear them)
alone = app.ring.next_seq
ble.sim_connect(0)
tick(251)                       # the connection's STATUS, then one 10 s later
ev = events()
report({"alone": alone, "names": names(ev), "char": list(ble.gatts_read(app.link.h_status))})
""", tmp_path)
    assert r["alone"] == 0
    assert r["names"] == ["Status", "Status"]
    char = P.decode_status_char(bytes(r["char"]))
    assert char.next_seq == 2  # the status value follows the ring
