"""One error base for the host package; the CLI prints these as one line and exits 2."""

from hipthrust_core.protocol import ProtocolError


class HipthrustError(Exception):
    """Base of every error the host package raises on purpose (bad input, no sensor...).

    The message is one line that says what went wrong and what to do next.
    """


class UsageError(HipthrustError):
    """A command-line option or argument is wrong."""


class InputFileError(HipthrustError):
    """A file given by the user is missing, empty or malformed.

    Attributes: path, line (1-based, or None).
    """

    def __init__(self, path, message, line=None):
        self.path = str(path)
        self.line = line
        where = self.path if line is None else f"{self.path}, line {line}"
        super().__init__(f"{where}: {message}")


class StoreError(HipthrustError):
    """The session database cannot be opened, is locked or corrupt, or lacks a record."""


class UnknownSessionError(StoreError):
    """No session with this id. Attribute: session."""

    def __init__(self, session):
        self.session = session
        super().__init__(f"no session {session!r}; `hipthrust sessions` lists them")


class DeviceNotFoundError(HipthrustError):
    """No sensor answered a scan. Attribute: name (the name or address asked for, or None)."""

    def __init__(self, name=None, message=None):
        self.name = name
        if message is None:
            what = f"sensor {name!r}" if name else "hip thrust sensor"
            message = f"no {what} found; is it switched on and within a few metres?"
        super().__init__(message)


class IncompatibleFirmwareError(HipthrustError):
    """The sensor speaks a protocol version this host cannot read. Attribute: version."""

    def __init__(self, version, message):
        self.version = version
        super().__init__(message)


__all__ = [
    "HipthrustError",
    "UsageError",
    "InputFileError",
    "StoreError",
    "UnknownSessionError",
    "DeviceNotFoundError",
    "IncompatibleFirmwareError",
    "ProtocolError",
]
