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


class Board:
    """The XIAO ESP32S3 + LSM6DSOX; `machine` is the machine module (real or the fake)."""

    NAME = NAME
    ARCH = ARCH

    def __init__(self, machine):
        self.machine = machine
        self.i2c = machine.I2C(
            I2C_ID, scl=machine.Pin(I2C_SCL), sda=machine.Pin(I2C_SDA), freq=I2C_FREQ
        )
        self._adc = machine.ADC(machine.Pin(BATTERY_PIN), atten=machine.ADC.ATTN_11DB)
        self._button = common.ButtonLatch(machine, BUTTON_PIN)
        self._led = machine.Pin(LED_PIN, machine.Pin.OUT, value=1)

    def imu(self, rate_hz):
        """A configured LSM6DSOX at rate_hz (Hz). Raises OSError if the chip does not answer."""
        return LSM6DSOX(
            self.i2c, addr=IMU_ADDR, rate_hz=rate_hz, accel_g=common.ACCEL_G,
            gyro_dps=common.GYRO_DPS, axes=AXES,
        )

    def battery_mv(self):
        """Battery voltage in mV (calibrated ADC reading times the divider)."""
        return self._adc.read_uv() * BATTERY_DIVIDER // 1000

    def battery_percent(self):
        """Battery charge, int 0-100 %, from its voltage (common.LIPO_CURVE)."""
        return common.battery_percent_from_mv(self.battery_mv())

    def button(self):
        """True once per press of the BOOT button since the last call."""
        return self._button.pressed()

    def show(self, reps, phase):
        """No screen on this board: nothing to do."""

    def identify(self):
        """Blink the user LED three times (blocks about 0.3 s)."""
        import time

        for i in range(6):
            self._led.value(i % 2)  # active low
            time.sleep_ms(50)
        self._led.value(1)

    def watchdog(self, timeout_ms):
        """A started hardware watchdog (machine.WDT) that resets the board after timeout_ms."""
        return self.machine.WDT(0, timeout=timeout_ms)
