"""The fake `bluetooth`'s radio: newline-delimited JSON to the fake BlueZ's bridge socket.

    bridge = Bridge(os.getenv("HIPTHRUST_RADIO"), ble)   # connects, says hello
    bridge.start()                                        # once the app's asyncio loop runs

The message set is docs/architecture.md's "Radio bridge" (host side:
hipthrust/devicesim/bridge.py). Outgoing messages are written as text straight from
their fields (no dict per message); incoming ones are read by one asyncio task, so the
firmware's own loop drives the radio, and reach the BLE object's IRQ handler through
`ble.incoming` (micropython.schedule), never from inside the firmware's calls.
Imported by bluetooth.py only when HIPTHRUST_RADIO names a socket.
"""

import binascii
import json
import select
import socket
import struct

import bluetooth

_EAGAIN = 11
# Incoming ops, at the index of their bluetooth.OP_* code.
_OPS = ("connect", "disconnect", "write", "mtu")


def _hex(data):
    return binascii.hexlify(data).decode()


class Bridge:
    """One connection to the bridge socket at `path`, for the BLE object `ble`."""

    def __init__(self, path, ble):
        self.ble = ble
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(struct.pack("<H", socket.AF_UNIX) + path.encode() + b"\x00")
        self.sock.setblocking(False)
        self.closed = False
        self._task = None
        mac = ":".join("{:02x}".format(b) for b in ble.config("mac")[1])
        self._write('{"op":"hello","mac":"%s","mtu":%d}' % (mac, ble.config("mtu")))

    def start(self):
        """Start reading the bridge (an asyncio task; once)."""
        if self._task is None:
            import asyncio

            self._task = asyncio.create_task(self._pump())

    def send(self, op, conn=-1, handle=-1, data=None):
        """A "notify", "value" or "disconnect" message (conn, handle: -1 = not sent)."""
        text = '{"op":"' + op + '"'
        if conn >= 0:
            text += ',"conn":%d' % conn
        if handle >= 0:
            text += ',"handle":%d' % handle
        if data is not None:
            text += ',"data":"' + _hex(data) + '"'
        self._write(text + "}")

    def advertise(self, adv):
        """Advertising as gap_advertise set it: (interval_us, adv, resp) or None (stop)."""
        if adv is None:
            adv = (0, b"", b"")
        self._write('{"op":"advertise","interval_us":%d,"adv":"%s","resp":"%s"}' % (
            adv[0], _hex(adv[1]), _hex(adv[2])))

    def services(self, svc):
        """The GATT database registered: [(service uuid, ((char uuid, flags, handle),))]."""
        full = bluetooth.UUID
        out = []
        for s, chars in svc:
            out.append({"uuid": full(s).full(), "chars": [
                {"uuid": full(c).full(), "flags": f, "handle": h} for c, f, h in chars]})
        self._write(json.dumps({"op": "services", "services": out}))

    def _write(self, text):
        if self.closed:
            return  # the radio world is gone: nobody hears the device any more
        mv = memoryview((text + "\n").encode())
        poller = None
        while mv:
            try:
                n = self.sock.send(mv)
            except OSError as exc:
                if exc.errno != _EAGAIN:  # EAGAIN: the bridge is slow to read; wait
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

    async def _pump(self):
        import asyncio

        ble = self.ble
        reader = asyncio.StreamReader(self.sock)
        while ble.active():
            try:
                line = await reader.readline()
            except OSError:  # reset by the other end: the same as a close
                line = b""
            if not line:
                # The bridge went away: the link is lost, the device keeps running.
                self.closed = True
                for conn in list(ble._conns):
                    await self._incoming(bluetooth.OP_DISCONNECT, conn, None, None)
                break
            try:
                msg = json.loads(line)
                op = _OPS.index(msg["op"])
            except (ValueError, KeyError):
                print("bluetooth fake: ignoring bad bridge line", line)
                continue
            data = msg.get("data")
            a = msg.get("mtu", msg.get("handle"))
            b = None if data is None else binascii.unhexlify(data)
            await self._incoming(op, msg.get("conn", 0), a, b)

    async def _incoming(self, op, conn, a, b):
        import asyncio

        while True:
            try:
                return self.ble.incoming(op, conn, a, b)
            except RuntimeError:  # MicroPython's schedule queue is full: wait
                await asyncio.sleep_ms(1)
