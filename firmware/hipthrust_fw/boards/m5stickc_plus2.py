"""M5Stack M5StickC Plus2: ESP32-PICO-V3-02, MPU-6886, 200 mAh LiPo, 1.14" screen, buttons.

    import machine
    from hipthrust_fw.boards import m5stickc_plus2
    board = m5stickc_plus2.Board(machine)    # holds the power on first
    imu = board.imu(100)

Pins from M5Stack's M5StickC Plus2 documentation and schematic. The board powers itself
off unless GPIO4 (HOLD) is driven high right after boot, so the constructor does that
first. Body frame (see drivers/imu_base.py): x towards the USB-C end, z out of the screen.
The MPU-6886's own axes on M5's sticks, as measured on an M5StickC (lang-ship.com, "M5
IMU axes"): +z out of the screen, +y towards the top (away from USB), +x to the right
with the screen facing you; M5 keeps these axes across its sticks, so body x = chip -y,
body y = chip +x (AXES below). Not yet checked on a Plus2 unit: lying screen up it must
read az = +1000 mg, standing on its USB end ax = +1000 mg. The detector finds the vertical
itself, so only the handedness matters, which the driver enforces.

Screen: an ST7789V2 (135 x 240, SPI): show() draws the rep count in big digits with a
block in the phase's colour below it (green concentric, yellow top hold, blue eccentric,
grey bottom), readable from the floor, and logs both to the serial console.
"""

from hipthrust_core.compat import const
from hipthrust_fw.boards import common
from hipthrust_fw.drivers import st7789
from hipthrust_fw.drivers.mpu6886 import MPU6886

NAME = "m5stickc-plus2"
ARCH = "xtensawin"  # mpy-cross -march for the ESP32's Xtensa LX6
# The core as bytecode (its @micropython.native hints dropped by `hipthrust flash`): the
# ESP32 runs machine code only from IRAM, which the firmware and BLE stack leave little of.
NATIVE = False
IMU = "MPU6886"
IMU_ADDR = 0x68
AXES = (-2, 1, 3)  # body x, y, z from chip axes (signed, 1-based)
_I2C_ID = const(0)
_I2C_SCL = const(22)
_I2C_SDA = const(21)
_I2C_FREQ = const(400000)  # Hz; the MPU-6886 supports 400 kHz fast mode
_POWER_HOLD_PIN = const(4)  # HOLD: high keeps the board powered after the power button is released
_BUTTON_PIN = const(37)  # button A (front, below the screen): active low, pulled up on the board
_BATTERY_PIN = const(38)  # battery voltage through a 1:2 divider
BATTERY_DIVIDER = 2
_LED_PIN = const(19)  # red LED (shared with the IR transmitter), on when high
_LCD_SPI_ID = const(1)
_LCD_BAUD = const(40000000)  # Hz
_LCD_MOSI = const(15)
_LCD_SCLK = const(13)
_LCD_DC = const(14)
_LCD_RST = const(12)
_LCD_CS = const(5)
_LCD_BL = const(27)  # backlight, on when high
PHASE_COLOURS = {
    "concentric": st7789.GREEN, "top": st7789.YELLOW, "eccentric": st7789.BLUE,
    "bottom": st7789.GREY,
}


class Board(common.BoardBase):
    """The M5StickC Plus2; `machine` is the machine module (real or the fake)."""

    NAME = NAME
    ARCH = ARCH
    DRIVER = MPU6886
    IMU_ADDR = IMU_ADDR
    AXES = AXES

    def __init__(self, machine):
        self.machine = machine
        # First thing: keep the power on, or the board switches off when the button is let go.
        self.hold = machine.Pin(_POWER_HOLD_PIN, machine.Pin.OUT, value=1)
        self.i2c = machine.I2C(
            _I2C_ID, scl=machine.Pin(_I2C_SCL), sda=machine.Pin(_I2C_SDA), freq=_I2C_FREQ
        )
        self._adc = machine.ADC(machine.Pin(_BATTERY_PIN), atten=machine.ADC.ATTN_11DB)
        self._button = common.ButtonLatch(machine, _BUTTON_PIN)
        self._led = machine.Pin(_LED_PIN, machine.Pin.OUT, value=0)
        self._shown = None
        Pin = machine.Pin
        spi = machine.SPI(_LCD_SPI_ID, baudrate=_LCD_BAUD, sck=Pin(_LCD_SCLK), mosi=Pin(_LCD_MOSI))
        self.lcd = st7789.ST7789(
            spi, dc=Pin(_LCD_DC, Pin.OUT), cs=Pin(_LCD_CS, Pin.OUT), rst=Pin(_LCD_RST, Pin.OUT)
        )
        self.lcd.fill(st7789.BLACK)
        self._backlight = Pin(_LCD_BL, Pin.OUT, value=1)

    def battery_mv(self):
        """Battery voltage in mV (the ESP32 ADC's calibrated reading times the divider)."""
        return self._adc.read_uv() * BATTERY_DIVIDER // 1000

    def show(self, reps, phase):
        """Rep count (big digits) and phase name (colour block) on the screen, when changed."""
        if self._shown == (reps, phase):
            return
        old = self._shown
        self._shown = (reps, phase)
        print("reps", reps, phase)
        if old is None or old[0] != reps:
            self.lcd.number(reps, st7789.WHITE, y=20)
        if old is None or old[1] != phase:
            self.lcd.fill_rect(0, 150, self.lcd.width, 90, PHASE_COLOURS.get(phase, st7789.BLACK))
