"""The BLE client: find hip thrust sensors and talk to them, on bleak.

    from hipthrust.ble import find_sensor, Sensor
    info = await find_sensor(timeout=5.0)
    async with Sensor(info) as sensor:
        await sensor.resend_from(0)
        async for seq, record, data in sensor.events():
            print(seq, record)
"""

from hipthrust.ble.errors import BleUnavailableError, LinkLostError, SensorConnectError
from hipthrust.ble.scan import SensorInfo, find_sensor, find_sensors
from hipthrust.ble.sensor import Sensor, check_protocol_version

__all__ = [
    "BleUnavailableError",
    "LinkLostError",
    "Sensor",
    "SensorConnectError",
    "SensorInfo",
    "check_protocol_version",
    "find_sensor",
    "find_sensors",
]
