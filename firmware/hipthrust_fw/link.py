"""BLE peripheral over MicroPython's built-in `bluetooth` module (protocol v1).

    link = Link(bluetooth.BLE(), Ring(128), "HipThrust-1A2B", model="m5stickc-plus2",
                firmware="0.1.0")
    link.advertise()
    seq = link.ring.next_seq; n = P.pack_phase(buf, seq, ...); link.emit(buf, n)
    while True:                      # every app tick (tens of ms)
        what = link.service()        # LINK_CONNECTED / LINK_DISCONNECTED bits
        n = link.next_command(cmd)   # control writes, oldest first; 0 when none

Services (UUIDs from hipthrust_core.protocol): ours (events notify, control write
and write-without-response, raw notify, status read), Device Information 0x180A
(model, firmware, software = protocol version, manufacturer) and Battery 0x180F.
The IRQ handler only records what happened (connection handle, a copy of the
control value, the MTU); everything else runs from `service()` in the app's loop.

Delivery: every event record is kept in the ring under its sequence number and
notified in order from `send_seq`. Records made while no host is connected wait in
the ring and follow on the next connection; C_RESEND moves `send_seq` back so
records the host missed are notified again (the host drops duplicates by seq).
Notifications are paced (at most `per_tick` events and `raw_per_tick` raw records
per `service()` call); an OSError from gatts_notify (stack buffers full, link
just lost) leaves the record queued for the next call.
"""

import binascii

import bluetooth
from micropython import const

from hipthrust_core import protocol as P

_IRQ_CENTRAL_CONNECT = const(1)
_IRQ_CENTRAL_DISCONNECT = const(2)
_IRQ_GATTS_WRITE = const(3)
_IRQ_MTU_EXCHANGED = const(21)

_FLAG_READ = const(0x0002)
_FLAG_WRITE_NO_RESPONSE = const(0x0004)
_FLAG_WRITE = const(0x0008)
_FLAG_NOTIFY = const(0x0010)

_ADV_INTERVAL_US = const(250000)  # 250 ms: found within a second, little battery drain
LINK_CONNECTED = const(1)  # service() result bit: a host connected since the last call
LINK_DISCONNECTED = const(2)  # service() result bit: the host left since the last call

_CMD_SLOTS = const(8)  # control writes held between IRQ and service(); more are dropped
_RAW_SLOTS = const(32)  # raw records waiting to be notified; the oldest is dropped when full
_RAW_LEN = const(19)

MANUFACTURER = "hipthrust open-source project"


def _ad(kind, payload):
    # One advertising data structure: length, AD type, payload.
    return bytes((len(payload) + 1, kind)) + payload


def adv_payload():
    """Advertising data: flags (LE general discoverable, no BR/EDR) + our 128-bit
    service UUID (complete list), 21 of the 31 bytes."""
    raw = binascii.unhexlify(P.SERVICE_UUID.replace("-", ""))
    return _ad(0x01, b"\x06") + _ad(0x07, bytes(reversed(raw)))


def resp_payload(name):
    """Scan response: the complete local name, e.g. "HipThrust-1A2B"."""
    return _ad(0x09, name.encode())


class Link:
    """The sensor's GATT server and advertiser; `ring` holds every event record."""

    def __init__(self, ble, ring, name, model, firmware, log=print, per_tick=8,
                 raw_per_tick=12):
        self.ble = ble
        self.ring = ring
        self.name = name
        self._log = log
        self.per_tick = per_tick
        self.raw_per_tick = raw_per_tick
        self.conn = -1  # connection handle of the host, -1 when none
        self.mtu = 23  # ATT MTU of the current connection
        self.raw = False  # raw streaming on (C_RAW)
        self.events_lost = False  # the ring overwrote a record never notified
        self.notify_errors = 0  # OSErrors from gatts_notify (retried), for the log
        self.send_seq = ring.next_seq  # next event record to notify
        self._fresh = ring.next_seq  # first record never notified (resends move send_seq)
        self._pending = 0  # LINK_* bits set by the IRQ handler
        # Control writes: copied out of the stack in the IRQ, handled in service().
        self._cmds = bytearray(_CMD_SLOTS * P.MAX_RECORD)
        self._cmd_lens = bytearray(_CMD_SLOTS)
        self._cmd_head = 0
        self._cmd_count = 0
        self.cmds_dropped = 0
        # Raw records: own sequence space, preallocated slots; one is copied to _raw_out
        # to be notified (a view per slot would cost more heap than the copy costs time).
        self._raw = bytearray(_RAW_SLOTS * _RAW_LEN)
        self._raw_out = bytearray(_RAW_LEN)
        self._raw_head = 0
        self._raw_count = 0
        self.raw_seq = 0
        self.raw_dropped = 0
        self._status = bytearray(10)
        self._status_old = bytearray(10)
        self._battery = bytearray(1)
        self._battery[0] = 255  # not yet reported
        self._ev = bytearray(P.MAX_RECORD)
        self._ev_mv = memoryview(self._ev)

        ble.active(True)
        ble.config(gap_name=name)
        UUID = bluetooth.UUID
        services = (
            (UUID(P.SERVICE_UUID), (
                (UUID(P.EVENTS_UUID), _FLAG_NOTIFY),
                (UUID(P.CONTROL_UUID), _FLAG_WRITE | _FLAG_WRITE_NO_RESPONSE),
                (UUID(P.RAW_UUID), _FLAG_NOTIFY),
                (UUID(P.STATUS_UUID), _FLAG_READ),
            )),
            (UUID(P.DIS_UUID16), (
                (UUID(P.DIS_MODEL_UUID16), _FLAG_READ),
                (UUID(P.DIS_FIRMWARE_UUID16), _FLAG_READ),
                (UUID(P.DIS_SOFTWARE_UUID16), _FLAG_READ),
                (UUID(P.DIS_MANUFACTURER_UUID16), _FLAG_READ),
            )),
            (UUID(P.BATTERY_UUID16), (
                (UUID(P.BATTERY_LEVEL_UUID16), _FLAG_READ | _FLAG_NOTIFY),
            )),
        )
        handles = ble.gatts_register_services(services)
        self.h_events, self.h_control, self.h_raw, self.h_status = handles[0]
        h_model, h_fw, h_sw, h_manufacturer = handles[1]
        self.h_battery = handles[2][0]
        ble.gatts_write(h_model, model.encode())
        ble.gatts_write(h_fw, firmware.encode())
        ble.gatts_write(h_sw, str(P.PROTOCOL_VERSION).encode())
        ble.gatts_write(h_manufacturer, MANUFACTURER.encode())
        self._adv = adv_payload()
        self._resp = resp_payload(name)
        ble.irq(self._irq)

    # ------------------------------------------------------------ IRQ (keep it short)
    def _irq(self, event, data):
        if event == _IRQ_CENTRAL_CONNECT:
            self.conn = data[0]
            self.mtu = 23
            self._pending |= LINK_CONNECTED
        elif event == _IRQ_CENTRAL_DISCONNECT:
            if data[0] == self.conn:
                self.conn = -1
                self._pending |= LINK_DISCONNECTED
        elif event == _IRQ_GATTS_WRITE:
            if data[1] == self.h_control:
                self._queue_command(self.ble.gatts_read(self.h_control))
        elif event == _IRQ_MTU_EXCHANGED:
            if data[0] == self.conn:
                self.mtu = data[1]

    def _queue_command(self, value):
        if self._cmd_count == _CMD_SLOTS:
            self.cmds_dropped += 1
            return
        slot = (self._cmd_head + self._cmd_count) % _CMD_SLOTS
        n = len(value)
        if n > P.MAX_RECORD:
            n = P.MAX_RECORD  # longer than any command: enough to answer "bad length"
        off = slot * P.MAX_RECORD
        for i in range(n):
            self._cmds[off + i] = value[i]
        self._cmd_lens[slot] = n
        self._cmd_count += 1

    # ------------------------------------------------------------ app side
    def advertise(self):
        """Start (or restart) advertising name and service UUID."""
        self.ble.gap_advertise(_ADV_INTERVAL_US, adv_data=self._adv, resp_data=self._resp)

    def connected(self):
        """True while a host is connected."""
        return self.conn >= 0

    def next_command(self, buf):
        """Copy the oldest control write into buf (>= 20 bytes); returns its length, or
        -1 when there is none (0 is an empty write, itself a bad command)."""
        if self._cmd_count == 0:
            return -1
        slot = self._cmd_head
        n = self._cmd_lens[slot]
        off = slot * P.MAX_RECORD
        for i in range(n):
            buf[i] = self._cmds[off + i]
        self._cmd_head = (slot + 1) % _CMD_SLOTS
        self._cmd_count -= 1
        return n

    def emit(self, rec, n):
        """Keep an event record (packed with seq = ring.next_seq) and queue it for the
        host. Sets events_lost when the ring overwrites a record never notified."""
        lost = self.ring.put(rec, n)
        if lost < 0:
            return
        if not P.seq_after(self._fresh, lost):
            self.events_lost = True
            self._fresh = self.ring.first_seq
        if not P.seq_after(self.send_seq, lost):
            self.send_seq = self.ring.first_seq

    def resend(self, from_seq):
        """C_RESEND: notify again every held record from from_seq on. Returns
        (R_OK, records to resend) or (R_GONE, oldest seq to ask for instead).

        Answered before the REPLY record is made, so the answer allows for the
        records that REPLY (and the host's next request's REPLY) push out of a full
        ring: a host that asks again from the seq R_GONE gives is served."""
        ring = self.ring
        free = ring.slots - ring.count
        evict_now = 1 - free if free < 1 else 0
        d = ring.since(from_seq)
        if d < 0 or d > ring.count - evict_now:
            evict_next = 2 - free if free < 2 else 0
            if ring.count == 0:
                return P.R_GONE, ring.next_seq
            return P.R_GONE, (ring.first_seq + evict_next) & 0xFFFF
        if P.seq_after(self.send_seq, from_seq):
            self.send_seq = from_seq
        return P.R_OK, d

    def push_raw(self, t_ms, ax, ay, az, gx, gy, gz):
        """Queue one RAW record (t in ms, mg, 0.1 deg/s) if raw streaming is on and a host
        is connected; drops the oldest queued one when the queue is full."""
        if not self.raw or self.conn < 0:
            return
        if self._raw_count == _RAW_SLOTS:
            self._raw_head = (self._raw_head + 1) % _RAW_SLOTS
            self._raw_count -= 1
            self.raw_dropped += 1
        out = self._raw_out
        P.pack_raw(out, self.raw_seq, t_ms, ax, ay, az, gx, gy, gz)
        off = ((self._raw_head + self._raw_count) % _RAW_SLOTS) * _RAW_LEN
        raw = self._raw
        for i in range(_RAW_LEN):
            raw[off + i] = out[i]
        self.raw_seq = (self.raw_seq + 1) & 0xFFFF
        self._raw_count += 1

    def set_raw(self, on):
        """C_RAW: raw streaming on or off (queued raw records are dropped when off)."""
        self.raw = bool(on)
        if not on:
            self._raw_count = 0

    def set_status(self, boot_id, battery, state, flags):
        """Keep the status characteristic current (written only when it changed);
        battery in %, state ST_*, flags SF_*."""
        P.pack_status_char(self._status, boot_id, self.ring.next_seq, battery, state, flags)
        if self._status != self._status_old:
            self._status_old[:] = self._status
            self.ble.gatts_write(self.h_status, self._status)

    def set_battery(self, percent):
        """Battery Level (%): written, and notified to a connected host, when it changed."""
        if percent < 0:
            percent = 0
        elif percent > 100:
            percent = 100
        if self._battery[0] == percent:
            return
        self._battery[0] = percent
        self.ble.gatts_write(self.h_battery, self._battery)
        if self.conn >= 0:
            try:
                self.ble.gatts_notify(self.conn, self.h_battery, self._battery)
            except OSError:
                self.notify_errors += 1  # the value stays readable; next change notifies

    def pending(self):
        """Event records not yet notified."""
        return (self.ring.next_seq - self.send_seq) & 0xFFFF

    def service(self):
        """Handle what the IRQ recorded and send queued notifications (paced). Returns
        LINK_CONNECTED / LINK_DISCONNECTED bits for what happened since the last call."""
        what = self._pending
        self._pending = 0
        if what & LINK_DISCONNECTED:
            self._raw_count = 0
            self._log("link: host disconnected; advertising again")
            if self.conn < 0:
                self.advertise()
        if what & LINK_CONNECTED:
            self._log("link: host connected")
        if self.conn >= 0:
            self._send_events()
            self._send_raw()
        return what

    def _send_events(self):
        ring = self.ring
        sent = 0
        while sent < self.per_tick and self.send_seq != ring.next_seq:
            n = ring.copy_into(self.send_seq, self._ev)
            if n == 0:  # cannot happen: emit moves send_seq on when its record leaves
                self.send_seq = ring.first_seq
                continue
            try:
                # A slice of the view: one small object per event, a few per second.
                self.ble.gatts_notify(self.conn, self.h_events, self._ev_mv[:n])
            except OSError:
                self.notify_errors += 1
                return  # stack busy or link going down: the same record goes next call
            self.send_seq = (self.send_seq + 1) & 0xFFFF
            if P.seq_after(self.send_seq, self._fresh):
                self._fresh = self.send_seq
            sent += 1

    def _send_raw(self):
        sent = 0
        out = self._raw_out
        raw = self._raw
        while sent < self.raw_per_tick and self._raw_count:
            off = self._raw_head * _RAW_LEN
            for i in range(_RAW_LEN):
                out[i] = raw[off + i]
            try:
                self.ble.gatts_notify(self.conn, self.h_raw, out)
            except OSError:
                self.notify_errors += 1
                return
            self._raw_head = (self._raw_head + 1) % _RAW_SLOTS
            self._raw_count -= 1
            sent += 1
