"""Sitronix ST7789 TFT (the M5StickC Plus2's 135 x 240 screen): big digits, phase colours.

    from machine import SPI, Pin
    from hipthrust_fw.drivers.st7789 import ST7789, GREEN
    spi = SPI(1, baudrate=40000000, sck=Pin(13), mosi=Pin(15))
    lcd = ST7789(spi, dc=Pin(14, Pin.OUT), cs=Pin(5, Pin.OUT), rst=Pin(12, Pin.OUT))
    lcd.fill(0)
    lcd.number(12, GREEN)        # the rep count in seven-segment digits, readable from the floor

Command set from the ST7789V datasheet (Sitronix, v1.0): SWRESET 01h, SLPOUT 11h,
COLMOD 3Ah (05h: 16-bit RGB565), MADCTL 36h, INVON 21h, NORON 13h, DISPON 29h, CASET
2Ah, RASET 2Bh, RAMWR 2Ch; data bytes are sent with DC high. The 135 x 240 panel sits at
column 52, row 40 of the controller's 240 x 320 memory (the offsets M5Stack's and other
libraries use for this panel; not checked on a unit here). No font: the rep count is drawn
as seven-segment digits with filled rectangles, which needs only a one-line buffer.
"""

import time

from hipthrust_core.compat import const

_SWRESET = const(0x01)
_SLPOUT = const(0x11)
_NORON = const(0x13)
_INVON = const(0x21)
_DISPON = const(0x29)
_CASET = const(0x2A)
_RASET = const(0x2B)
_RAMWR = const(0x2C)
_MADCTL = const(0x36)
_COLMOD = const(0x3A)

# RGB565 colours
BLACK = const(0x0000)
WHITE = const(0xFFFF)
GREEN = const(0x07E0)
YELLOW = const(0xFFE0)
BLUE = const(0x041F)
GREY = const(0x8410)
RED = const(0xF800)

# Seven segments a..g as (x, y, horizontal) in units of the digit's stroke grid.
_SEGMENTS = (0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 2, 1, 0, 1, 0, 0, 0, 0, 0, 1, 1)  # 3 per segment
_DIGITS = (0x3F, 0x06, 0x5B, 0x4F, 0x66, 0x6D, 0x7D, 0x07, 0x7F, 0x6F)  # bit i: segment i


class ST7789:
    """One ST7789 panel on SPI; width/height in pixels, offsets in controller memory."""

    def __init__(self, spi, dc, cs, rst=None, width=135, height=240, x0=52, y0=40):
        self.spi = spi
        self.dc = dc
        self.cs = cs
        self.width = width
        self.height = height
        self.x0 = x0
        self.y0 = y0
        self._cmd = bytearray(1)
        self._win = bytearray(4)
        self._line = bytearray(2 * width)  # one line of one colour, reused by every fill
        cs.value(1)
        if rst is not None:
            rst.value(0)
            time.sleep_ms(10)
            rst.value(1)
            time.sleep_ms(120)
        self.command(_SWRESET)
        time.sleep_ms(150)
        self.command(_SLPOUT)
        time.sleep_ms(10)
        self.command(_COLMOD, b"\x05")  # 16 bits per pixel
        self.command(_MADCTL, b"\x00")  # portrait, RGB order
        self.command(_INVON)  # this panel shows true colours with inversion on
        self.command(_NORON)
        self.command(_DISPON)

    def command(self, cmd, data=None):
        """Send one command byte (DC low) and its data bytes (DC high)."""
        self.cs.value(0)
        self.dc.value(0)
        self._cmd[0] = cmd
        self.spi.write(self._cmd)
        if data:
            self.dc.value(1)
            self.spi.write(data)
        self.cs.value(1)

    def fill_rect(self, x, y, w, h, color):
        """Fill a w x h rectangle at (x, y) (pixels, clipped) with an RGB565 colour."""
        if x < 0:
            w += x
            x = 0
        if y < 0:
            h += y
            y = 0
        w = min(w, self.width - x)
        h = min(h, self.height - y)
        if w <= 0 or h <= 0:
            return
        win = self._win
        x1 = self.x0 + x
        y1 = self.y0 + y
        for cmd, a, b in ((_CASET, x1, x1 + w - 1), (_RASET, y1, y1 + h - 1)):
            win[0] = a >> 8
            win[1] = a & 0xFF
            win[2] = b >> 8
            win[3] = b & 0xFF
            self.command(cmd, win)
        line = self._line
        hi = color >> 8
        lo = color & 0xFF
        for i in range(w):
            line[2 * i] = hi
            line[2 * i + 1] = lo
        row = memoryview(line)[: 2 * w]
        self.command(_RAMWR)
        self.cs.value(0)
        self.dc.value(1)
        for _ in range(h):
            self.spi.write(row)
        self.cs.value(1)

    def fill(self, color):
        """Fill the whole screen."""
        self.fill_rect(0, 0, self.width, self.height, color)

    def digit(self, x, y, size, d, color, background=BLACK):
        """Draw digit d (0-9) as seven segments, size pixels wide and 2 * size high."""
        t = max(2, size // 6)  # stroke
        bits = _DIGITS[d]
        for i in range(7):
            sx = _SEGMENTS[3 * i]
            sy = _SEGMENTS[3 * i + 1]
            horizontal = _SEGMENTS[3 * i + 2]
            c = color if bits >> i & 1 else background
            if horizontal:
                self.fill_rect(x + t, y + sy * (size - t), size - 2 * t, t, c)
            else:
                self.fill_rect(x + sx * (size - t), y + sy * (size - t) + t, t, size - 2 * t, c)

    def number(self, n, color, y=40, background=BLACK):
        """Draw n (0-99, larger shows 99) centred in big digits; returns nothing."""
        n = max(0, min(99, n))
        size = 56
        gap = 10
        if n < 10:
            self.fill_rect(0, y, self.width, 2 * size, background)
            self.digit((self.width - size) // 2, y, size, n, color, background)
            return
        x = (self.width - 2 * size - gap) // 2
        self.fill_rect(0, y, self.width, 2 * size, background)
        self.digit(x, y, size, n // 10, color, background)
        self.digit(x + size + gap, y, size, n % 10, color, background)
