"""The radio bridge: devices on a unix socket become peripherals of the fake BlueZ.

Wire format (docs/architecture.md "Radio bridge"): newline-delimited JSON, bytes as
hex strings. The fake BlueZ side listens; each device (the firmware's fake
`bluetooth` module in the MicroPython unix port, or a test stand-in) connects to
the path in HIPTHRUST_RADIO.

device -> bridge
    {"op":"hello","mac":"24:0a:c4:00:1a:2b"}         first; optional "mtu" (the device's
                                                      largest ATT MTU) and
                                                      "addr_type" ("public"/"random")
    {"op":"advertise","interval_us":N,"adv":HEX,"resp":HEX}   N 0/null: stop; optional
                                                      "connectable" (default true)
    {"op":"services","services":[{"uuid":U,"chars":[{"uuid":U,"flags":F,"handle":H}]}]}
                                                      U: 16/32-bit int or hex string, or
                                                      a 128-bit string; F: FLAG_* bits
    {"op":"notify","conn":C,"handle":H,"data":HEX}    ("indicate" is treated alike)
    {"op":"value","handle":H,"data":HEX}              what a GATT read returns
    {"op":"disconnect","conn":C}                      the device ends the link; the
                                                      bridge does not echo it back
bridge -> device
    {"op":"connect","conn":C}
    {"op":"mtu","conn":C,"mtu":M}   right after connect: the MTU exchange; M is the agreed
                                    MTU if hello gave "mtu", else the central's 517 (the
                                    device takes the smaller of M and its own)
    {"op":"write","conn":C,"handle":H,"data":HEX}
    {"op":"disconnect","conn":C}                      the host or the link ended it

A malformed line is logged and counted (counters["bad_messages"]) and skipped; the
device stays. When its socket closes, its link drops and it leaves radio range.
"""

import json
import logging
import uuid as uuidlib

from hipthrust.devicesim.bluez import Peripheral, flags_to_bluez
from hipthrust_core.protocol import sig_uuid

log = logging.getLogger(__name__)

_SIG_BASE_TAIL = "-0000-1000-8000-00805f9b34fb"


def full_uuid(u):
    """Full lower-case 128-bit UUID string for a 16/32-bit int, a 4/8-digit hex string
    (optionally 0x-prefixed) or a 128-bit string. Raises ValueError otherwise."""
    if isinstance(u, int) and not isinstance(u, bool):
        if 0 <= u <= 0xFFFF:
            return sig_uuid(u)
        if 0 <= u <= 0xFFFFFFFF:
            return f"{u:08x}{_SIG_BASE_TAIL}"
        raise ValueError(f"UUID number out of range: {u}")
    s = str(u).strip().lower()
    if s.startswith("0x"):
        s = s[2:]
    if len(s) in (4, 8):
        return full_uuid(int(s, 16))
    return str(uuidlib.UUID(s))


def _uuids_le(data, size):
    out = []
    for i in range(0, len(data) - size + 1, size):
        chunk = data[i:i + size]
        if size == 16:
            out.append(str(uuidlib.UUID(bytes=bytes(reversed(chunk)))))
        else:
            out.append(full_uuid(int.from_bytes(chunk, "little")))
    return out


def parse_advertising(payload):
    """Decode advertising / scan response AD structures (bytes) into a dict with any of
    name, uuids, manufacturer_data, service_data, tx_power. Raises ValueError if an AD
    structure runs past the end."""
    out = {"uuids": [], "manufacturer_data": {}, "service_data": {}}
    i = 0
    while i < len(payload):
        n = payload[i]
        if n == 0:
            break  # zero padding ends the data
        if i + 1 + n > len(payload):
            raise ValueError(f"AD structure at byte {i} runs past the end")
        kind, data = payload[i + 1], payload[i + 2:i + 1 + n]
        i += 1 + n
        if kind in (0x02, 0x03):
            out["uuids"] += _uuids_le(data, 2)
        elif kind in (0x04, 0x05):
            out["uuids"] += _uuids_le(data, 4)
        elif kind in (0x06, 0x07):
            out["uuids"] += _uuids_le(data, 16)
        elif kind == 0x09 or (kind == 0x08 and "name" not in out):
            out["name"] = data.decode("utf-8", "replace")
        elif kind == 0x0A and data:
            out["tx_power"] = int.from_bytes(data[:1], "little", signed=True)
        elif kind == 0x16 and len(data) >= 2:
            out["service_data"][full_uuid(int.from_bytes(data[:2], "little"))] = data[2:]
        elif kind == 0xFF and len(data) >= 2:
            out["manufacturer_data"][int.from_bytes(data[:2], "little")] = data[2:]
    return out


class DeviceLink:
    """The bridge's end of one device connection: what FakeBluez calls to reach it."""

    def __init__(self, writer):
        self._writer = writer
        self.sent = 0  # messages sent to the device

    def send(self, msg):
        """Queue one message to the device (dropped if its socket is closing)."""
        if self._writer.is_closing():
            return
        self._writer.write(json.dumps(msg, separators=(",", ":")).encode() + b"\n")
        self.sent += 1

    def connect(self, conn):
        self.send({"op": "connect", "conn": conn})

    def disconnect(self, conn):
        self.send({"op": "disconnect", "conn": conn})

    def mtu(self, conn, mtu):
        self.send({"op": "mtu", "conn": conn, "mtu": mtu})

    def write(self, conn, handle, data):
        self.send({"op": "write", "conn": conn, "handle": handle, "data": bytes(data).hex()})


class BridgeSession:
    """One connected device: applies its messages to the fake BlueZ."""

    def __init__(self, bluez, writer):
        self.bluez = bluez
        self.link = DeviceLink(writer)
        self.peripheral = None

    def handle_line(self, line):
        """Apply one JSON line; a malformed one is logged, counted and skipped."""
        try:
            msg = json.loads(line)
            self._handle(msg)
        except (ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
            self.bluez.counters["bad_messages"] += 1
            log.warning("radio bridge: bad message %r: %s", line[:200], exc)
        self.bluez.poke()  # whatever changed, waiters re-check

    def _handle(self, msg):
        op = msg["op"]
        p = self.peripheral
        if op == "hello":
            p = Peripheral(msg["mac"], link=self.link, address_type=msg.get("addr_type",
                                                                             "public"))
            p.mtu = int(msg["mtu"]) if msg.get("mtu") else None
            if self.peripheral is not None:
                self.bluez.peripheral_gone(self.peripheral)
            self.peripheral = p
            self.bluez.add_peripheral(p)
            return
        if p is None:
            raise ValueError(f"{op!r} before hello")
        if op == "advertise":
            self._advertise(p, msg)
        elif op == "services":
            p.services = [
                (full_uuid(s["uuid"]),
                 [(full_uuid(c["uuid"]), flags_to_bluez(int(c["flags"])), int(c["handle"]))
                  for c in s.get("chars", ())])
                for s in msg["services"]]
            self.bluez.poke()
        elif op in ("notify", "indicate"):
            data = bytes.fromhex(msg["data"])
            if msg.get("conn") != p.conn:
                self.bluez.counters["notifications_dropped"] += 1
                return
            self.bluez.notify(p, int(msg["handle"]), data)
        elif op == "value":
            p.values[int(msg["handle"])] = bytes.fromhex(msg["data"])
        elif op == "disconnect":
            if p.conn is not None and msg.get("conn") == p.conn:
                p.counters["device_disconnects"] += 1
                self.bluez.link_lost(p)
        else:
            raise ValueError(f"unknown op {op!r}")

    def _advertise(self, p, msg):
        if not msg.get("interval_us"):
            p.advertising = False
            self.bluez.advertisement_changed(p)
            return
        ad = parse_advertising(bytes.fromhex(msg.get("adv") or ""))
        resp = parse_advertising(bytes.fromhex(msg.get("resp") or ""))
        p.name = resp.get("name") or ad.get("name")
        p.uuids = list(dict.fromkeys(ad["uuids"] + resp["uuids"]))
        p.manufacturer_data = {**ad["manufacturer_data"], **resp["manufacturer_data"]}
        p.service_data = {**ad["service_data"], **resp["service_data"]}
        p.connectable = bool(msg.get("connectable", True))
        p.advertising = True
        self.bluez.advertisement_changed(p)

    def closed(self):
        """The device's socket closed: it leaves radio range."""
        if self.peripheral is not None:
            self.bluez.peripheral_gone(self.peripheral)
