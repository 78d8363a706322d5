"""Fake of MicroPython's `bluetooth` module for the unix port (which has none).

    import bluetooth
    ble = bluetooth.BLE()            # the one radio, as on a board
    ble.active(True)
    ble.irq(handler)                 # handler(event, data), run via micropython.schedule
    ((events, control, raw, status),) = ble.gatts_register_services(services)

The subset the firmware uses, with the real module's signatures, return values,
IRQ event codes and data tuples (see MicroPython's `bluetooth` documentation):
active, config('mac'|'gap_name'|'mtu') and config(gap_name=, mtu=), irq,
gatts_register_services (value handles per service, CCCDs not returned),
gatts_read, gatts_write(send_update=), gatts_notify, gatts_set_buffer, gap_advertise,
gap_disconnect. As on a board, connecting stops advertising and incoming events
reach the handler through `micropython.schedule`, never from inside a call.

Two transports:
- HIPTHRUST_RADIO=<unix socket path>: the radio bridge of docs/architecture.md
  (radio_bridge.py, imported only then: the device simulator without a radio does not
  carry its code in the device's heap).
- otherwise, in-process: a test plays the central with `sim_connect`, `sim_write`,
  `sim_mtu`, `sim_disconnect`, reads `notified` (list of (conn, handle, bytes)),
  `advertising` and `services`, and makes the next `fail_notify` notifications raise
  OSError.

HIPTHRUST_MAC ("24:0a:c4:00:1a:2b") sets the radio address. State is kept compact (the
fake shares the device's heap, which a board's radio stack would not): one list per
attribute indexed by value handle, UUIDs kept as the caller's str or int.
"""

import binascii
import os

import micropython
from micropython import const

FLAG_BROADCAST = const(0x0001)
FLAG_READ = const(0x0002)
FLAG_WRITE_NO_RESPONSE = const(0x0004)
FLAG_WRITE = const(0x0008)
FLAG_NOTIFY = const(0x0010)
FLAG_INDICATE = const(0x0020)

# IRQ event codes, as MicroPython's documentation defines them.
_IRQ_CENTRAL_CONNECT = const(1)
_IRQ_CENTRAL_DISCONNECT = const(2)
_IRQ_GATTS_WRITE = const(3)
_IRQ_MTU_EXCHANGED = const(21)

_EINVAL = const(22)
_ENOMEM = const(12)
_ENOTCONN = const(128)
_DEFAULT_BUFFER = const(20)  # bytes a characteristic value holds unless gatts_set_buffer
_CENTRAL_ADDR = b"\x11\x22\x33\x44\x55\x66"
# Incoming (central side) operations, as queued for the IRQ handler.
OP_CONNECT = const(0)
OP_DISCONNECT = const(1)
OP_WRITE = const(2)
OP_MTU = const(3)


class UUID:
    """A 16-bit (int) or 128-bit (str "xxxxxxxx-xxxx-...") Bluetooth UUID."""

    def __init__(self, value):
        if isinstance(value, UUID):
            value = value.v
        elif isinstance(value, int):
            if not 0 <= value <= 0xFFFF:
                raise ValueError("invalid UUID")
        elif isinstance(value, str):
            if len(value) != 36 or len(binascii.unhexlify(value.replace("-", ""))) != 16:
                raise ValueError("invalid UUID")
            if value != value.lower():
                value = value.lower()  # else keep the caller's string: no copy
        else:
            raise TypeError("UUID from int or str")
        self.v = value  # int (16-bit) or lower-case str (128-bit)

    def full(self):
        """The 128-bit string form (SIG 16-bit UUIDs filled into the Bluetooth base)."""
        if isinstance(self.v, int):
            return "0000{:04x}-0000-1000-8000-00805f9b34fb".format(self.v)
        return self.v

    def __eq__(self, other):
        return isinstance(other, UUID) and other.v == self.v

    def __hash__(self):
        return hash(self.v)

    def __str__(self):
        if isinstance(self.v, int):
            return "UUID(0x{:04x})".format(self.v)
        return "UUID('" + self.v + "')"

    __repr__ = __str__

    def __bytes__(self):
        # Little-endian, as in advertising payloads.
        return bytes(reversed(binascii.unhexlify(self.full().replace("-", ""))))


class _BLE:
    def __init__(self):
        self._active = False
        self._handler = None
        self._mac = binascii.unhexlify((os.getenv("HIPTHRUST_MAC") or
                                        "24:0a:c4:00:1a:2b").replace(":", ""))
        self._name = b"MPY BTSTACK"
        self._mtu = 256  # preferred ATT MTU, MicroPython's NimBLE default
        # Per value handle (index): value bytes, capacity, FLAG_* bits (None: no handle).
        self._values = []
        self._cap = []
        self._flags = []
        self._svc = []  # [(service uuid, ((char uuid, flags, value handle), ...))], uuid v
        self._conns = {}  # conn handle -> negotiated ATT MTU
        self._bridge = None
        # In-process test mode.
        self.notified = []
        self.fail_notify = 0
        self.advertising = None  # (interval_us, adv bytes, resp bytes) or None when stopped
        path = os.getenv("HIPTHRUST_RADIO")
        if path:
            import radio_bridge

            self._bridge = radio_bridge.Bridge(path, self)

    @property
    def services(self):
        """Test mode: [(service UUID, [(char UUID, flags, value handle)])] registered."""
        return [(UUID(s), [(UUID(c), f, h) for c, f, h in chars]) for s, chars in self._svc]

    # ------------------------------------------------------------ configuration
    def active(self, state=None):
        if state is None:
            return self._active
        self._active = bool(state)
        if self._active and self._bridge is not None:
            self._bridge.start()
        if not self._active:
            self.advertising = None
            self._conns = {}
        return self._active

    def config(self, *args, **kwargs):
        if args:
            if len(args) != 1 or kwargs:
                raise TypeError("config takes one name or keywords")
            name = args[0]
            if name == "mac":
                return (0, self._mac)
            if name == "gap_name":
                return self._name
            if name == "mtu":
                return self._mtu
            raise ValueError("unknown config param")
        for name in kwargs:
            value = kwargs[name]
            if name == "gap_name":
                self._name = value.encode() if isinstance(value, str) else bytes(value)
            elif name == "mtu":
                if not 23 <= value <= 517:
                    raise ValueError("invalid mtu")
                self._mtu = value
            elif name not in ("rxbuf", "io", "le_secure", "mitm", "bond", "addr_mode"):
                raise ValueError("unknown config param")
        return None

    def irq(self, handler):
        self._handler = handler

    # ------------------------------------------------------------ GATT server
    def _add(self, flags):
        # One attribute handle; returns it (its value, capacity and flags are set).
        self._values.append(b"")
        self._cap.append(_DEFAULT_BUFFER)
        self._flags.append(flags)
        return len(self._values) - 1

    def gatts_register_services(self, services_definition):
        if not self._active or self._conns:
            raise OSError(_EINVAL)  # as the real stacks: active, and nothing connected
        self._values = [None]  # handle 0 is never valid
        self._cap = [0]
        self._flags = [None]
        self._svc = []
        result = []
        for service in services_definition:
            self._add(None)  # service declaration
            handles = []
            described = []
            for char in service[1]:
                self._add(None)  # characteristic declaration
                h = self._add(char[1])
                handles.append(h)
                described.append((char[0].v, char[1], h))
                if char[1] & (FLAG_NOTIFY | FLAG_INDICATE):
                    self._add(None)  # CCCD, added by the stack and not returned
                for desc in char[2] if len(char) > 2 else ():
                    handles.append(self._add(desc[1]))
            result.append(tuple(handles))
            self._svc.append((service[0].v, tuple(described)))
        if self._bridge is not None:
            self._bridge.services(self._svc)
        return tuple(result)

    def _check_handle(self, value_handle):
        if not 0 < value_handle < len(self._values) or self._flags[value_handle] is None:
            raise OSError(_EINVAL)

    def gatts_read(self, value_handle):
        self._check_handle(value_handle)
        return self._values[value_handle]

    def gatts_write(self, value_handle, data, send_update=False):
        self._check_handle(value_handle)
        self._values[value_handle] = bytes(data)
        if self._bridge is not None:
            self._bridge.send("value", -1, value_handle, data)
        for conn in self._conns if send_update else ():
            # The stack's own update: no OSError reaches the caller.
            if self._bridge is not None:
                self._bridge.send("notify", conn, value_handle, data)
            else:
                self.notified.append((conn, value_handle, bytes(data)))

    def gatts_set_buffer(self, value_handle, length, append=False):
        self._check_handle(value_handle)
        self._cap[value_handle] = length

    def gatts_notify(self, conn_handle, value_handle, data=None):
        if not self._active:
            raise OSError(_EINVAL)
        self._check_handle(value_handle)
        if conn_handle not in self._conns:
            raise OSError(_ENOTCONN)
        if self.fail_notify > 0:
            # The real stacks raise when their buffers for outgoing packets are full.
            self.fail_notify -= 1
            raise OSError(_ENOMEM)
        payload = self._values[value_handle] if data is None else data
        # The ATT MTU bounds a notification: 3 bytes of header.
        limit = self._conns[conn_handle] - 3
        if len(payload) > limit:
            payload = memoryview(payload)[:limit]
        if self._bridge is not None:
            self._bridge.send("notify", conn_handle, value_handle, payload)
        else:
            self.notified.append((conn_handle, value_handle, bytes(payload)))

    # ------------------------------------------------------------ GAP
    def gap_advertise(self, interval_us, adv_data=None, **kw):
        # resp_data=None, connectable=True: as **kw (keyword defaults cost a dict of heap)
        for k in kw:
            if k not in ("resp_data", "connectable"):
                raise TypeError("unexpected keyword argument '" + k + "'")
        resp_data = kw.get("resp_data")
        if not self._active:
            raise OSError(_EINVAL)
        if not interval_us:
            self.advertising = None
        else:
            old = self.advertising or (0, b"", b"")
            adv = old[1] if adv_data is None else bytes(adv_data)
            resp = old[2] if resp_data is None else bytes(resp_data)
            if len(adv) > 31 or len(resp) > 31:
                raise OSError(_EINVAL)  # legacy advertising: 31 bytes each
            self.advertising = (interval_us, adv, resp)
        if self._bridge is not None:
            self._bridge.advertise(self.advertising)

    def gap_disconnect(self, conn_handle):
        if conn_handle not in self._conns:
            return False
        if self._bridge is not None:
            self._bridge.send("disconnect", conn_handle)
        self.incoming(OP_DISCONNECT, conn_handle)
        return True

    # ------------------------------------------------------------ incoming (central side)
    def incoming(self, op, conn, a=None, b=None):
        """Queue what the central did (OP_*; write: a = value handle, b = bytes; mtu: a =
        the central's MTU) for the IRQ handler, as the radio would. RuntimeError when
        MicroPython's schedule queue is full. (No jump after the schedule() call: the VM
        runs scheduled calls at jumps, and the handler must not run inside this call.)"""
        micropython.schedule(_deliver, (self, op, conn, a, b))

    def sim_connect(self, conn=0):
        """Test mode: a central connects (advertising stops, as on a board)."""
        self.incoming(OP_CONNECT, conn)

    def sim_write(self, conn, value_handle, data):
        """Test mode: the central writes data (bytes) to a characteristic."""
        self.incoming(OP_WRITE, conn, value_handle, data)

    def sim_mtu(self, conn, mtu):
        """Test mode: the central exchanges the ATT MTU."""
        self.incoming(OP_MTU, conn, mtu)

    def sim_disconnect(self, conn=0):
        """Test mode: the link drops (central left or out of range)."""
        self.incoming(OP_DISCONNECT, conn)

    def _apply(self, op, conn, a, b):
        # Runs in scheduled context: change state, then hand the IRQ to the firmware. The
        # state changes just before the handler runs, so a write's value is the one
        # gatts_read returns in the handler.
        conns = self._conns
        if op == OP_CONNECT:
            if conn in conns:
                return None
            conns[conn] = 23
            self.advertising = None
            return _IRQ_CENTRAL_CONNECT, (conn, 0, memoryview(_CENTRAL_ADDR))
        if conn not in conns:
            return None
        if op == OP_DISCONNECT:
            del conns[conn]
            return _IRQ_CENTRAL_DISCONNECT, (conn, 0, memoryview(_CENTRAL_ADDR))
        if op == OP_WRITE:
            if not 0 < a < len(self._flags) or not (self._flags[a] or 0) & (
                    FLAG_WRITE | FLAG_WRITE_NO_RESPONSE):
                return None  # the stack refuses a write to a read-only value
            self._values[a] = bytes(b[: self._cap[a]])
            return _IRQ_GATTS_WRITE, (conn, a)
        if op == OP_MTU:
            conns[conn] = min(a, self._mtu)
            return _IRQ_MTU_EXCHANGED, (conn, conns[conn])
        return None


def _deliver(arg):
    ble = arg[0]
    event = ble._apply(arg[1], arg[2], arg[3], arg[4])
    if event is not None and ble._handler is not None:
        ble._handler(event[0], event[1])


_instance = None


def BLE():
    """The radio singleton, as `bluetooth.BLE()` on a board."""
    global _instance
    if _instance is None:
        _instance = _BLE()
    return _instance
