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

from hipthrust_fw.boards import common
from hipthrust_fw.drivers.lsm6dsox import LSM6DSOX

NAME = "xiao-esp32s3"
ARCH = "xtensawin"  # mpy-cross -march for the ESP32-S3's Xtensa LX7
IMU = "LSM6DSOX"
IMU_ADDR = 0x6A  # SDO/SA0 low (the breakouts' default); 0x6B with SA0 high
AXES = (2, -1, 3)
I2C_ID = 0
I2C_SCL = 6  # D5
I2C_SDA = 5  # D4
I2C_FREQ = 400000
BUTTON_PIN = 0  # the BOOT button: active low, pulled up
BATTERY_PIN = 1  # A0, battery through the 1:2 divider of the wiring guide
BATTERY_DIVIDER = 2
LED_PIN = 21  # user LED (yellow), on when low
SCREEN = False


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
            I2C_ID, scl=machine.Pin(I2C_SCL), sda=machine.Pin(I2C_SDA), freq=I2C_FREQ
        )
        self._adc = machine.ADC(machine.Pin(BATTERY_PIN), atten=machine.ADC.ATTN_11DB)
        self._button = common.ButtonLatch(machine, BUTTON_PIN)
        self._led = machine.Pin(LED_PIN, machine.Pin.OUT, value=1)

    def battery_mv(self):
        """Battery voltage in mV (calibrated ADC reading times the divider)."""
        return self._adc.read_uv() * BATTERY_DIVIDER // 1000
