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
  (newline-delimited JSON, bytes as hex) to the fake BlueZ. Incoming messages are
  read by an asyncio task the fake starts on `active(True)`, so the firmware's own
  asyncio loop drives it.
- otherwise, in-process: a test plays the central with `sim_connect`, `sim_write`,
  `sim_mtu`, `sim_disconnect`, reads `notified` (list of (conn, handle, bytes)) and
  `advertising`, and makes the next `fail_notify` notifications raise OSError.

HIPTHRUST_MAC ("24:0a:c4:00:1a:2b") sets the radio address.
"""

import binascii
import json
import os
import struct

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


class UUID:
    """A 16-bit (int) or 128-bit (str "xxxxxxxx-xxxx-...") Bluetooth UUID."""

    def __init__(self, value):
        if isinstance(value, UUID):
            self._s = value._s
        elif isinstance(value, int):
            if not 0 <= value <= 0xFFFF:
                raise ValueError("invalid UUID")
            self._s = "{:04x}".format(value)
        elif isinstance(value, str):
            s = value.lower()
            if len(s) != 36 or len(s.replace("-", "")) != 32:
                raise ValueError("invalid UUID")
            binascii.unhexlify(s.replace("-", ""))
            self._s = s
        else:
            raise TypeError("UUID from int or str")

    def full(self):
        """The 128-bit string form (SIG 16-bit UUIDs filled into the Bluetooth base)."""
        if len(self._s) == 4:
            return "0000" + self._s + "-0000-1000-8000-00805f9b34fb"
        return self._s

    def __eq__(self, other):
        return isinstance(other, UUID) and other._s == self._s

    def __hash__(self):
        return hash(self._s)

    def __str__(self):
        if len(self._s) == 4:
            return "UUID(0x" + self._s + ")"
        return "UUID('" + self._s + "')"

    __repr__ = __str__

    def __bytes__(self):
        # Little-endian, as in advertising payloads.
        raw = binascii.unhexlify(self._s.replace("-", ""))
        return bytes(reversed(raw))


def _mac_from_env():
    text = os.getenv("HIPTHRUST_MAC") or "24:0a:c4:00:1a:2b"
    return binascii.unhexlify(text.replace(":", ""))


class _Bridge:
    """Newline-delimited JSON over the unix socket the fake BlueZ listens on."""

    def __init__(self, path):
        import socket

        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(struct.pack("<H", socket.AF_UNIX) + path.encode() + b"\x00")
        self.sock.setblocking(False)
        self.closed = False

    def send(self, msg):
        import select

        if self.closed:
            return  # the radio world is gone: nobody hears the device any more
        data = (json.dumps(msg) + "\n").encode()
        mv = memoryview(data)
        poller = None
        while mv:
            try:
                n = self.sock.send(mv)
            except OSError as exc:
                if exc.errno != 11:  # EAGAIN: the bridge is slow to read; wait for room
                    self.closed = True
                    print("bluetooth fake: radio bridge closed ({})".format(exc))
                    return
                n = 0
            if n:
                mv = mv[n:]
            else:
                if poller is None:
                    poller = select.poll()
                    poller.register(self.sock, select.POLLOUT)
                poller.poll(100)


class _BLE:
    def __init__(self):
        self._active = False
        self._handler = None
        self._mac = _mac_from_env()
        self._name = b"MPY BTSTACK"
        self._mtu = 256  # preferred ATT MTU, MicroPython's NimBLE default
        self._values = {}  # value handle -> bytes
        self._buffer = {}  # value handle -> capacity in bytes
        self._flags = {}  # value handle -> FLAG_* bits
        self._conns = {}  # conn handle -> negotiated ATT MTU
        self._bridge = None
        self._task = None
        # In-process test mode.
        self.notified = []
        self.fail_notify = 0
        self.advertising = None  # (interval_us, adv bytes, resp bytes) or None when stopped
        self.services = []  # [(service UUID, [(char UUID, flags, value handle)])]
        path = os.getenv("HIPTHRUST_RADIO")
        if path:
            self._bridge = _Bridge(path)
            self._bridge.send({"op": "hello", "mac": self._mac_text(), "mtu": self._mtu})

    def _mac_text(self):
        return ":".join("{:02x}".format(b) for b in self._mac)

    # ------------------------------------------------------------ configuration
    def active(self, state=None):
        if state is None:
            return self._active
        self._active = bool(state)
        if self._active and self._bridge is not None and self._task is None:
            import asyncio

            self._task = asyncio.create_task(self._pump())
        if not self._active:
            self.advertising = None
            self._conns = {}
        return self._active

    def _need_active(self):
        if not self._active:
            raise OSError(_EINVAL)

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
            elif name in ("rxbuf", "io", "le_secure", "mitm", "bond", "addr_mode"):
                pass
            else:
                raise ValueError("unknown config param")
        return None

    def irq(self, handler):
        self._handler = handler

    # ------------------------------------------------------------ GATT server
    def gatts_register_services(self, services_definition):
        self._need_active()
        if self._conns:
            raise OSError(_EINVAL)  # as the real stacks: only while nothing is connected
        handle = 0
        result = []
        self._values = {}
        self._buffer = {}
        self._flags = {}
        self.services = []
        wire = []
        for service in services_definition:
            suuid, chars = service[0], service[1]
            handle += 1  # service declaration
            handles = []
            described = []
            wchars = []
            for char in chars:
                cuuid, flags = char[0], char[1]
                handle += 2  # characteristic declaration + value
                value_handle = handle
                handles.append(value_handle)
                self._values[value_handle] = b""
                self._buffer[value_handle] = _DEFAULT_BUFFER
                self._flags[value_handle] = flags
                described.append((cuuid, flags, value_handle))
                wchars.append({"uuid": cuuid.full(), "flags": flags, "handle": value_handle})
                if flags & (FLAG_NOTIFY | FLAG_INDICATE):
                    handle += 1  # CCCD, added by the stack and not returned
                for desc in char[2] if len(char) > 2 else ():
                    handle += 1
                    handles.append(handle)
                    self._values[handle] = b""
                    self._buffer[handle] = _DEFAULT_BUFFER
                    self._flags[handle] = desc[1]
            result.append(tuple(handles))
            self.services.append((suuid, described))
            wire.append({"uuid": suuid.full(), "chars": wchars})
        if self._bridge is not None:
            self._bridge.send({"op": "services", "services": wire})
        return tuple(result)

    def _check_handle(self, value_handle):
        if value_handle not in self._values:
            raise OSError(_EINVAL)

    def gatts_read(self, value_handle):
        self._check_handle(value_handle)
        return self._values[value_handle]

    def gatts_write(self, value_handle, data, send_update=False):
        self._check_handle(value_handle)
        self._values[value_handle] = bytes(data)
        if self._bridge is not None:
            self._bridge.send({"op": "value", "handle": value_handle, "data": _hex(data)})
        if send_update:
            for conn in self._conns:
                self._emit_notify(conn, value_handle, bytes(data))

    def gatts_set_buffer(self, value_handle, length, append=False):
        self._check_handle(value_handle)
        self._buffer[value_handle] = length

    def gatts_notify(self, conn_handle, value_handle, data=None):
        self._need_active()
        self._check_handle(value_handle)
        if conn_handle not in self._conns:
            raise OSError(_ENOTCONN)
        if self.fail_notify > 0:
            # The real stacks raise when their buffers for outgoing packets are full.
            self.fail_notify -= 1
            raise OSError(_ENOMEM)
        payload = self._values[value_handle] if data is None else bytes(data)
        # The ATT MTU bounds a notification: 3 bytes of header.
        payload = payload[: self._conns[conn_handle] - 3]
        self._emit_notify(conn_handle, value_handle, payload)

    def _emit_notify(self, conn, value_handle, payload):
        if self._bridge is not None:
            self._bridge.send(
                {"op": "notify", "conn": conn, "handle": value_handle, "data": _hex(payload)}
            )
        else:
            self.notified.append((conn, value_handle, payload))

    # ------------------------------------------------------------ GAP
    def gap_advertise(self, interval_us, adv_data=None, *, resp_data=None, connectable=True):
        self._need_active()
        if interval_us is None or interval_us == 0:
            self.advertising = None
            msg = {"op": "advertise", "interval_us": 0, "adv": "", "resp": ""}
        else:
            old = self.advertising or (0, b"", b"")
            adv = old[1] if adv_data is None else bytes(adv_data)
            resp = old[2] if resp_data is None else bytes(resp_data)
            if len(adv) > 31 or len(resp) > 31:
                raise OSError(_EINVAL)  # legacy advertising: 31 bytes each
            self.advertising = (interval_us, adv, resp)
            msg = {"op": "advertise", "interval_us": interval_us, "adv": _hex(adv),
                   "resp": _hex(resp)}
        if self._bridge is not None:
            self._bridge.send(msg)

    def gap_disconnect(self, conn_handle):
        if conn_handle not in self._conns:
            return False
        if self._bridge is not None:
            self._bridge.send({"op": "disconnect", "conn": conn_handle})
        self._incoming({"op": "disconnect", "conn": conn_handle})
        return True

    # ------------------------------------------------------------ incoming (central side)
    def _incoming(self, msg):
        # Queue the event as the radio would; the state change happens just before the
        # handler runs, so a write's value is the one gatts_read returns in the handler.
        micropython.schedule(_deliver, (self, msg))

    def sim_connect(self, conn=0):
        """Test mode: a central connects (advertising stops, as on a board)."""
        self._incoming({"op": "connect", "conn": conn})

    def sim_write(self, conn, value_handle, data):
        """Test mode: the central writes data (bytes) to a characteristic."""
        self._incoming({"op": "write", "conn": conn, "handle": value_handle, "bytes": data})

    def sim_mtu(self, conn, mtu):
        """Test mode: the central exchanges the ATT MTU."""
        self._incoming({"op": "mtu", "conn": conn, "mtu": mtu})

    def sim_disconnect(self, conn=0):
        """Test mode: the link drops (central left or out of range)."""
        self._incoming({"op": "disconnect", "conn": conn})

    def _apply(self, msg):
        # Runs in scheduled context: change state, then hand the IRQ to the firmware.
        op = msg["op"]
        conn = msg.get("conn", 0)
        if op == "connect":
            if conn in self._conns:
                return None
            self._conns[conn] = 23
            self.advertising = None
            return _IRQ_CENTRAL_CONNECT, (conn, 0, memoryview(_CENTRAL_ADDR))
        if op == "disconnect":
            if conn not in self._conns:
                return None
            del self._conns[conn]
            return _IRQ_CENTRAL_DISCONNECT, (conn, 0, memoryview(_CENTRAL_ADDR))
        if op == "write":
            handle = msg["handle"]
            if conn not in self._conns or handle not in self._values:
                return None
            if not self._flags[handle] & (FLAG_WRITE | FLAG_WRITE_NO_RESPONSE):
                return None  # the stack refuses a write to a read-only value
            data = msg["bytes"] if "bytes" in msg else binascii.unhexlify(msg["data"])
            self._values[handle] = bytes(data[: self._buffer[handle]])
            return _IRQ_GATTS_WRITE, (conn, handle)
        if op == "mtu":
            if conn not in self._conns:
                return None
            mtu = min(msg["mtu"], self._mtu)
            self._conns[conn] = mtu
            return _IRQ_MTU_EXCHANGED, (conn, mtu)
        return None

    async def _pump(self):
        import asyncio

        reader = asyncio.StreamReader(self._bridge.sock)
        while self._active:
            try:
                line = await reader.readline()
            except OSError:  # reset by the other end: the same as a close
                line = b""
            if not line:
                # The bridge went away: the link is lost, the device keeps running.
                self._bridge.closed = True
                for conn in list(self._conns):
                    self._schedule({"op": "disconnect", "conn": conn})
                break
            try:
                msg = json.loads(line)
            except ValueError:
                print("bluetooth fake: ignoring bad bridge line", line)
                continue
            await self._schedule_async(msg)

    def _schedule(self, msg):
        try:
            micropython.schedule(_deliver, (self, msg))
            return True
        except RuntimeError:  # schedule queue full
            return False

    async def _schedule_async(self, msg):
        import asyncio

        while not self._schedule(msg):
            await asyncio.sleep_ms(1)


def _deliver(arg):
    ble, msg = arg
    event = ble._apply(msg)
    if event is not None and ble._handler is not None:
        ble._handler(event[0], event[1])


def _hex(data):
    return binascii.hexlify(bytes(data)).decode()


_instance = None


def BLE():
    """The radio singleton, as `bluetooth.BLE()` on a board."""
    global _instance
    if _instance is None:
        _instance = _BLE()
    return _instance
