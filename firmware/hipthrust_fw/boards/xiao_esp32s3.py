"""Seeed Studio XIAO ESP32S3 with an LSM6DSOX breakout on its I2C pins (hardware/wiring.md).

    import machine
    from hipthrust_fw.boards import xiao_esp32s3
    board = xiao_esp32s3.Board(machine)
    imu = board.imu(104)

Pins from Seeed's XIAO ESP32S3 pinout (D4 = GPIO5 = SDA, D5 = GPIO6 = SCL). The XIAO has
no battery voltage divider of its own: the wiring adds a 1:2 divider (2 x 220 kOhm) from
BAT+ to A0 (GPIO1). No screen. Body frame (drivers/imu_base.py): x towards the XIAO's USB-C
connector, z up out of the breakout; the wiring guide mounts the breakout with its
silkscreen +Y arrow towards the USB-C connector, so body x = chip +y, body y = chip -x.
"""

from hipthrust_core.compat import const
from hipthrust_fw.boards import common
from hipthrust_fw.drivers.lsm6dsox import LSM6DSOX

NAME = "xiao-esp32s3"
ARCH = "xtensawin"  # mpy-cross -march for the ESP32-S3's Xtensa LX7
NATIVE = True  # the core's per-sample methods as machine code (internal RAM is executable)
IMU = "LSM6DSOX"
IMU_ADDR = 0x6A  # SDO/SA0 low (the breakouts' default); 0x6B with SA0 high
AXES = (2, -1, 3)
_I2C_ID = const(0)
_I2C_SCL = const(6)  # D5
_I2C_SDA = const(5)  # D4
_I2C_FREQ = const(400000)
_BUTTON_PIN = const(0)  # the BOOT button: active low, pulled up
_BATTERY_PIN = const(1)  # A0, battery through the 1:2 divider of the wiring guide
BATTERY_DIVIDER = 2
_LED_PIN = const(21)  # user LED (yellow), on when low


class Board(common.BoardBase):
    """The XIAO ESP32S3 + LSM6DSOX; `machine` is the machine module (real or the fake)."""

    NAME = NAME
    ARCH = ARCH
    DRIVER = LSM6DSOX
    IMU_ADDR = IMU_ADDR
    AXES = AXES
    LED_ON = 0  # the user LED is active low

    def __init__(self, machine):
        self.machine = machine
        self.i2c = machine.I2C(
            _I2C_ID, scl=machine.Pin(_I2C_SCL), sda=machine.Pin(_I2C_SDA), freq=_I2C_FREQ
        )
        self._adc = machine.ADC(machine.Pin(_BATTERY_PIN), atten=machine.ADC.ATTN_11DB)
        self._button = common.ButtonLatch(machine, _BUTTON_PIN)
        self._led = machine.Pin(_LED_PIN, machine.Pin.OUT, value=1)

    def battery_mv(self):
        """Battery voltage in mV (calibrated ADC reading times the divider)."""
        return self._adc.read_uv() * BATTERY_DIVIDER // 1000
