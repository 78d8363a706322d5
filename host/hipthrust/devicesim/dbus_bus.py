"""A private D-Bus "system" bus: one `dbus-daemon` of our own, for the fake BlueZ.

    from hipthrust.devicesim.dbus_bus import private_system_bus
    with private_system_bus() as address:
        os.environ["DBUS_SYSTEM_BUS_ADDRESS"] = address   # bleak reads it at each connection

bleak talks to BlueZ over the system bus. Instead of the machine's bus (where the real
`org.bluez` lives and whose policy forbids owning that name), we start our own daemon
with an allow-all policy, listening on a unix socket in a fresh temporary directory.
It works as root and as a normal user, with no policy files installed.
"""

import os
import selectors
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager

from hipthrust.errors import HipthrustError

DAEMON = "dbus-daemon"
START_TIMEOUT_S = 10.0  # s to wait for the daemon to print its address
STOP_TIMEOUT_S = 5.0  # s to wait for the daemon to exit after SIGTERM before SIGKILL

# type "system" so clients treat it as the system bus; EXTERNAL auth is what bleak
# (dbus-fast) offers; the policy lets every connection own, send and receive anything.
_CONFIG = """<busconfig>
  <type>system</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow receive_sender="*"/>
    <allow send_type="method_call"/>
    <allow send_type="signal"/>
  </policy>
</busconfig>
"""


class BusError(HipthrustError):
    """The private D-Bus daemon is missing, or failed to start."""


class PrivateSystemBus:
    """One private `dbus-daemon` configured as a system bus.

    start() returns its address (a D-Bus address string, `unix:path=...`); stop()
    ends the daemon and removes its temporary directory. Also a context manager.
    """

    def __init__(self):
        self.address = None
        self._proc = None
        self._dir = None
        self._log = None

    def start(self):
        """Start the daemon and return its address. Raises BusError with what to do
        when the daemon is not installed, not on Linux, or does not come up."""
        if not sys.platform.startswith("linux"):
            raise BusError("the simulated sensor needs Linux (BlueZ's D-Bus API); "
                           "run the demo on a Linux machine")
        exe = shutil.which(DAEMON)
        if exe is None:
            raise BusError("dbus-daemon not found; install the dbus package: "
                           "sudo apt-get install dbus-daemon (or your distribution's dbus)")
        self._dir = tempfile.mkdtemp(prefix="hipthrust-dbus-")
        config = os.path.join(self._dir, "bus.conf")
        with open(config, "w") as f:
            f.write(_CONFIG.format(socket=os.path.join(self._dir, "system_bus_socket")))
        # stderr to a file, not a pipe nobody drains (a full pipe would block the daemon)
        self._log = open(os.path.join(self._dir, "dbus-daemon.log"), "wb")
        try:
            self._proc = subprocess.Popen(
                [exe, "--config-file=" + config, "--nofork", "--nopidfile", "--print-address=1"],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._log,
            )
            self.address = self._read_address()
        except BaseException:
            self.stop()
            raise
        return self.address

    def _read_address(self):
        # Poll the pipe with a deadline: the daemon prints its address once listening.
        deadline = time.monotonic() + START_TIMEOUT_S
        line = b""
        with selectors.DefaultSelector() as sel:
            sel.register(self._proc.stdout, selectors.EVENT_READ)
            while not line.endswith(b"\n"):
                left = deadline - time.monotonic()
                if left <= 0 or not sel.select(left):
                    raise BusError(f"dbus-daemon did not start within {START_TIMEOUT_S:.0f} s")
                chunk = os.read(self._proc.stdout.fileno(), 4096)
                if not chunk:
                    self._proc.wait(STOP_TIMEOUT_S)
                    with open(self._log.name, "rb") as f:
                        err = f.read().decode(errors="replace").strip()
                    raise BusError("dbus-daemon exited: {}".format(err or "no message"))
                line += chunk
        return line.decode().strip()

    def stop(self):
        """Stop the daemon (SIGTERM, then SIGKILL after STOP_TIMEOUT_S) and clean up."""
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(STOP_TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            proc.stdout.close()
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
        self.address = None

    @property
    def running(self):
        """True while the daemon process is alive."""
        return self._proc is not None and self._proc.poll() is None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()


@contextmanager
def private_system_bus():
    """Context manager: a private system bus for the duration; yields its address.

    Set DBUS_SYSTEM_BUS_ADDRESS to it (for bleak, or in a child's environment)."""
    bus = PrivateSystemBus()
    bus.start()
    try:
        yield bus.address
    finally:
        bus.stop()
