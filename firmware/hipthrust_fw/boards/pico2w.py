"""Raspberry Pi Pico 2 W (RP2350 + CYW43439) with an LSM6DSOX breakout on I2C0.

    import machine
    from hipthrust_fw.boards import pico2w
    board = pico2w.Board(machine)
    imu = board.imu(104)

Pins from the Pico 2 W pinout: I2C0 on GP4 (SDA) and GP5 (SCL). The Pico's own VSYS/3
sense (GP29) shares its pin with the radio's SPI clock on the W, so the battery is read
through an external 1:2 divider on GP26 (ADC0) instead (hardware/wiring.md). BOOTSEL is
not a GPIO: the button is a push button from GP15 to ground. No screen. Body frame
(drivers/imu_base.py): x towards the Pico's micro-USB connector, z up out of the breakout;
the wiring guide mounts the breakout with its silkscreen +X arrow pointing away from the
USB connector, so body x = chip -x, body y = chip -y.
"""

from hipthrust_core.compat import const
from hipthrust_fw.boards import common
from hipthrust_fw.drivers.lsm6dsox import LSM6DSOX

NAME = "pico2w"
ARCH = "armv7emsp"  # mpy-cross -march for the RP2350's Cortex-M33 (single-precision FPU)
NATIVE = True  # the core's per-sample methods as machine code (RAM is executable there)
IMU = "LSM6DSOX"
IMU_ADDR = 0x6A
AXES = (-1, -2, 3)
_I2C_ID = const(0)
_I2C_SCL = const(5)  # GP5
_I2C_SDA = const(4)  # GP4
_I2C_FREQ = const(400000)
_BUTTON_PIN = const(15)  # GP15 to ground, internal pull-up
_BATTERY_PIN = const(26)  # GP26 = ADC0, battery through the 1:2 divider of the wiring guide
BATTERY_DIVIDER = 2
_ADC_REF_MV = const(3300)  # ADC full scale: the 3.3 V rail
LED_PIN = "LED"  # the on-board LED hangs off the wireless chip


class Board(common.BoardBase):
    """The Pico 2 W + LSM6DSOX; `machine` is the machine module (real or the fake)."""

    NAME = NAME
    ARCH = ARCH
    DRIVER = LSM6DSOX
    IMU_ADDR = IMU_ADDR
    AXES = AXES
    WDT_MAX_MS = 8388  # the RP2350's watchdog counts to about 8.4 s

    def __init__(self, machine):
        self.machine = machine
        self.i2c = machine.I2C(
            _I2C_ID, scl=machine.Pin(_I2C_SCL), sda=machine.Pin(_I2C_SDA), freq=_I2C_FREQ
        )
        self._adc = machine.ADC(machine.Pin(_BATTERY_PIN))
        self._button = common.ButtonLatch(machine, _BUTTON_PIN)
        self._led = machine.Pin(LED_PIN, machine.Pin.OUT, value=0)

    def battery_mv(self):
        """Battery voltage in mV (read_u16 against the 3.3 V reference, times the divider)."""
        return (self._adc.read_u16() * _ADC_REF_MV * BATTERY_DIVIDER + 32767) // 65535
