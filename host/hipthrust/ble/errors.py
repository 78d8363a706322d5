"""Errors of the BLE client, wrapped at our edge so callers never see bleak's."""

from hipthrust.errors import HipthrustError


class BleUnavailableError(HipthrustError):
    """Bluetooth cannot be used at all (no adapter, BlueZ not running, no permission)."""

    def __init__(self, cause):
        self.cause = cause
        super().__init__(
            f"Bluetooth is not available ({cause}); switch the adapter on "
            "(`bluetoothctl power on`) or try `hipthrust demo`, which needs no sensor"
        )


class SensorConnectError(HipthrustError):
    """Connecting to, or talking to, a sensor failed. Attributes: address, cause."""

    def __init__(self, address, cause):
        self.address = address
        self.cause = cause
        super().__init__(
            f"cannot talk to sensor {address} ({cause}); move closer and try again"
        )


class LinkLostError(HipthrustError):
    """The radio link to a connected sensor dropped. Attribute: address."""

    def __init__(self, address):
        self.address = address
        super().__init__(f"lost the link to sensor {address}")
