"""The ST7789 screen driver and the M5StickC Plus2's show(), against a panel model.

The model decodes the SPI stream the way the controller does (DC low: command; CASET and
RASET set the window; RAMWR fills it left to right, top to bottom with RGB565 pixels) into
the controller's 240 x 320 memory, so the test reads back what the screen would show.
"""

from tests.firmware.test_drivers import run_mp

PANEL = """
from array import array
from hipthrust_fw.drivers import st7789
class Panel:
    def __init__(self, dc, cs):
        self.dc = dc
        self.cs = cs
        self.cmd = None
        self.args = bytearray()
        self.cmds = []
        self.ram = array("H", bytes(2 * 240 * 320))
        self.win = [0, 239, 0, 319]
        self.px = 0
        self.py = 0
        self.hi = None
        self.outside = 0
    def spi_write(self, data):
        assert machine.Pin.level(self.cs) == 0, "write with CS high"
        if machine.Pin.level(self.dc) == 0:
            self.cmd = data[0]
            self.cmds.append(self.cmd)
            self.args = bytearray()
            self.hi = None
            if self.cmd == 0x2C:
                self.px = self.win[0]
                self.py = self.win[2]
            return
        if self.cmd == 0x2C:
            for byte in data:
                if self.hi is None:
                    self.hi = byte
                    continue
                if self.py <= self.win[3]:
                    self.ram[self.py * 240 + self.px] = (self.hi << 8) | byte
                else:
                    self.outside += 1
                self.hi = None
                self.px += 1
                if self.px > self.win[1]:
                    self.px = self.win[0]
                    self.py += 1
            return
        self.args.extend(data)
        if self.cmd in (0x2A, 0x2B) and len(self.args) == 4:
            a = (self.args[0] << 8) | self.args[1]
            b = (self.args[2] << 8) | self.args[3]
            if self.cmd == 0x2A:
                self.win[0] = a
                self.win[1] = b
            else:
                self.win[2] = a
                self.win[3] = b
    def pixel(self, x, y):
        return self.ram[(y + 40) * 240 + x + 52]
    def count(self, colour):
        n = 0
        for y in range(240):
            for x in range(135):
                if self.pixel(x, y) == colour:
                    n += 1
        return n
panel = Panel(14, 5)
machine.SPI.attach(1, panel)
"""

# segs(x): is each segment a..g of the digit drawn at x (y 20, size 56, stroke 9) white?
SEGMENTS = """
def segs(x):
    pts = ((x + 28, 24), (x + 51, 48), (x + 51, 95), (x + 28, 118), (x + 4, 95),
           (x + 4, 48), (x + 28, 71))
    return [panel.pixel(px, py) == st7789.WHITE for px, py in pts]
"""


def lit(segs):
    """The names of the lit segments, e.g. "bc" for a 1."""
    return "".join(s for s, v in zip("abcdefg", segs, strict=True) if v)


def test_init_sequence_and_clear():
    (r,) = run_mp(PANEL + """
from hipthrust_fw.boards import m5stickc_plus2
machine.I2C.attach(0x68, MPU6886Model(still, clock))
b = m5stickc_plus2.Board(machine)
report([panel.cmds[:7], machine.Pin.level(12), machine.Pin.level(27), panel.count(0),
        panel.outside])
""")
    cmds, rst, backlight, black, outside = r
    # SWRESET, SLPOUT, COLMOD, MADCTL, INVON, NORON, DISPON
    assert cmds == [0x01, 0x11, 0x3A, 0x36, 0x21, 0x13, 0x29]
    assert rst == 1 and backlight == 1
    assert black == 135 * 240 and outside == 0


def test_show_draws_the_rep_count_and_the_phase_colour():
    r = run_mp(PANEL + SEGMENTS + """
from hipthrust_fw.boards import m5stickc_plus2
machine.I2C.attach(0x68, MPU6886Model(still, clock))
b = m5stickc_plus2.Board(machine)
b.show(8, "top")
report([segs(39), panel.pixel(67, 200), panel.pixel(2, 2)])
b.show(1, "eccentric")
report([segs(39), panel.pixel(67, 200)])
b.show(12, "concentric")
report([segs(6), segs(72), panel.pixel(67, 200)])
n = len(panel.cmds)
b.show(12, "concentric")           # unchanged: nothing is sent
b.show(12, "bottom")               # only the colour block is redrawn
report([len(panel.cmds) - n, panel.pixel(67, 200), segs(72)])
b.show(0, "-")
report([segs(39), panel.pixel(67, 200), panel.outside])
""")
    eight, one, twelve, repeat, zero = r
    assert lit(eight[0]) == "abcdefg" and eight[1] == 0xFFE0 and eight[2] == 0  # yellow
    assert lit(one[0]) == "bc" and one[1] == 0x041F  # blue
    assert lit(twelve[0]) == "bc" and lit(twelve[1]) == "abdeg" and twelve[2] == 0x07E0
    # one block redrawn (CASET, RASET, RAMWR), grey for the bottom; the digits untouched
    assert repeat[0] == 3 and repeat[1] == 0x8410 and lit(repeat[2]) == "abdeg"
    assert lit(zero[0]) == "abcdef" and zero[1] == 0 and zero[2] == 0


def test_fill_rect_clips_to_the_screen():
    (r,) = run_mp(PANEL + """
from hipthrust_fw.drivers.st7789 import ST7789
Pin = machine.Pin
lcd = ST7789(machine.SPI(1), dc=Pin(14, Pin.OUT), cs=Pin(5, Pin.OUT))
lcd.fill(0)
lcd.fill_rect(130, 235, 20, 20, 0xF800)
lcd.fill_rect(-5, -5, 10, 10, 0x07E0)
lcd.fill_rect(200, 0, 10, 10, 0xFFFF)    # entirely off-screen: nothing
report([panel.count(0xF800), panel.count(0x07E0), panel.count(0xFFFF), panel.outside,
        panel.pixel(134, 239), panel.pixel(0, 0)])
""")
    assert r == [25, 25, 0, 0, 0xF800, 0x07E0]
