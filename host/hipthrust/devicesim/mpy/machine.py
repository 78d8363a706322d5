"""Fake `machine` for the MicroPython unix port, whose own lacks I2C, Pin, ADC and WDT.

    import machine
    from imu_models import MPU6886Model
    machine.I2C.attach(0x68, MPU6886Model(source, clock_ms))   # before the board makes its bus
    i2c = machine.I2C(0, scl=machine.Pin(22), sda=machine.Pin(21))
    i2c.readfrom_mem(0x68, 0x75, 1)                             # -> b'\\x19'

It sits on MICROPYPATH before the firmware and shadows the unix port's built-in `machine`.
Signatures follow MicroPython's machine API (docs.micropython.org, library/machine.*).
State the simulator or a test sets or inspects is class-level, so it is shared with the
objects the firmware's board file creates: I2C.attach/detach (the devices on every bus),
Pin.level/Pin.set_level (a pin's level; an external button), ADC.set_volts (the voltage on
an ADC pin), SPI.attach (a display model), WDT.feeds, RESETS. Never used on a real board.
Only the calls the firmware and the tests make are here, and objects keep only what is
asked of them: in the device simulator this module shares the device's heap (each
function some 100 bytes, each attribute of each object 16).
"""

ENODEV = 19  # errno MicroPython's I2C raises when no device acknowledges its address


def _forget(table, key):
    # detach(): one key, or every key when None.
    if key is None:
        table.clear()
    else:
        table.pop(key, None)


class I2C:
    """I2C controller; every instance sees the devices attached with I2C.attach()."""

    _devices = {}

    @staticmethod
    def attach(addr, model):
        """Connect a register model (see imu_models.py) at a 7-bit address."""
        I2C._devices[addr] = model

    @staticmethod
    def detach(addr=None):
        """Disconnect the device at addr (all devices when None): it stops acknowledging."""
        _forget(I2C._devices, addr)

    def __init__(self, id=-1, *, scl=None, sda=None, freq=400000, timeout=50000):
        pass

    def _dev(self, addr):
        dev = I2C._devices.get(addr)
        if dev is None:
            raise OSError(ENODEV)
        return dev

    def scan(self):
        return sorted(a for a in I2C._devices if 0x08 <= a <= 0x77)

    # Memory (register) operations: write the register address, then read or write.
    # (addrsize: 8 bits, the only register address size the models have.)
    def readfrom_mem(self, addr, memaddr, nbytes, *, addrsize=8):
        buf = bytearray(nbytes)
        self.readfrom_mem_into(addr, memaddr, buf)
        return bytes(buf)

    def readfrom_mem_into(self, addr, memaddr, buf, *, addrsize=8):
        self._dev(addr).read_into(memaddr, buf)

    def writeto_mem(self, addr, memaddr, buf, *, addrsize=8):
        self._dev(addr).write(memaddr, buf)

    # Plain transfers: the first byte written sets the register pointer, like the chips.
    def writeto(self, addr, buf, *stop):
        dev = self._dev(addr)
        if len(buf):
            dev.pointer = buf[0]
            if len(buf) > 1:
                dev.write(buf[0], memoryview(buf)[1:])
        return len(buf)

    def readfrom(self, addr, nbytes, *stop):
        dev = self._dev(addr)
        return self.readfrom_mem(addr, getattr(dev, "pointer", 0), nbytes)


class SPI:
    """SPI controller; bytes written go to the device attached to its bus id, if any."""

    MSB = 0
    LSB = 1
    _devices = {}

    @staticmethod
    def attach(id, device):
        """Connect a device model to bus id: device.spi_write(data) receives each write."""
        SPI._devices[id] = device

    @staticmethod
    def detach(id=None):
        _forget(SPI._devices, id)

    def __init__(self, id, baudrate=1000000, *, polarity=0, phase=0, bits=8, firstbit=0,
                 sck=None, mosi=None, miso=None):
        self.id = id

    def write(self, buf):
        dev = SPI._devices.get(self.id)
        if dev is not None:
            dev.spi_write(buf)


class Pin:
    """GPIO pin; the level of each pin id is shared by every Pin object of that id."""

    IN = 1
    OUT = 3
    OPEN_DRAIN = 7
    PULL_UP = 1
    PULL_DOWN = 2
    IRQ_RISING = 1
    IRQ_FALLING = 2

    _levels = {}  # id -> level driven by the firmware (OUT) or from outside (IN)
    _external = {}  # id -> level an external circuit drives (a button)
    _pins = {}  # id -> the last Pin object made for it (for irq handlers)
    _irqs = {}  # id -> (handler, trigger) of the pins with an irq handler

    @staticmethod
    def level(id):
        """The level of pin id as the outside world sees it (None if never set)."""
        if id in Pin._external:
            return Pin._external[id]
        return Pin._levels.get(id)

    @staticmethod
    def set_level(id, level):
        """Drive an input from outside (a button to ground: 0); None releases it."""
        before = Pin._read(id)
        if level is None:
            Pin._external.pop(id, None)
        else:
            Pin._external[id] = 1 if level else 0
        after = Pin._read(id)
        handler = Pin._irqs.get(id)
        if handler is not None and before != after:
            if handler[1] & (Pin.IRQ_RISING if after else Pin.IRQ_FALLING):
                handler[0](Pin._pins[id])

    @staticmethod
    def _read(id):
        if id in Pin._external:
            return Pin._external[id]
        pin = Pin._pins.get(id)
        if pin is not None and pin.mode == Pin.IN:
            return 1 if pin.pull == Pin.PULL_UP else 0
        return Pin._levels.get(id, 0)

    def __init__(self, id, mode=None, pull=None, *, value=None, drive=None, alt=None):
        self.id = id
        self.mode = mode
        self.pull = pull
        Pin._pins[id] = self
        Pin._irqs.pop(id, None)
        if value is not None:
            Pin._levels[id] = 1 if value else 0

    def value(self, x=None):
        if x is None:
            return Pin._read(self.id)
        Pin._levels[self.id] = 1 if x else 0
        return None

    __call__ = value

    def irq(self, handler=None, trigger=IRQ_FALLING | IRQ_RISING, *, hard=False):
        Pin._irqs[self.id] = (handler, trigger)


class ADC:
    """Analog input; ADC.set_volts(pin, v) sets the voltage on a pin (default 1.9 V)."""

    ATTN_0DB = 0
    ATTN_2_5DB = 1
    ATTN_6DB = 2
    ATTN_11DB = 3
    WIDTH_12BIT = 3
    DEFAULT_VOLTS = 1.9  # a 3.8 V battery behind a 1:2 divider
    FULL_SCALE = 3.3  # volts at read_u16() == 65535

    _volts = {}

    @staticmethod
    def set_volts(pin, volts):
        """Set the voltage (V) that ADC reads on pin (an id or a Pin)."""
        ADC._volts[pin.id if isinstance(pin, Pin) else pin] = volts

    def __init__(self, pin, *, atten=None):
        self.pin = pin.id if isinstance(pin, Pin) else pin

    def read_u16(self):
        raw = int(ADC._volts.get(self.pin, ADC.DEFAULT_VOLTS) / ADC.FULL_SCALE * 65535 + 0.5)
        return max(0, min(65535, raw))

    def read_uv(self):
        return int(ADC._volts.get(self.pin, ADC.DEFAULT_VOLTS) * 1000000 + 0.5)


class WDT:
    """Watchdog: records its timeout and how often it was fed (WDT.feeds)."""

    feeds = 0
    instances = []

    def __init__(self, id=0, timeout=5000):
        self.timeout = timeout
        WDT.instances.append(self)

    def feed(self):
        WDT.feeds += 1


RESETS = []  # one entry per machine.reset() call


def reset():
    """Record the reset and stop the program (a board would reboot)."""
    RESETS.append("reset")
    raise SystemExit("machine.reset()")


def soft_reset():
    RESETS.append("soft_reset")
    raise SystemExit("machine.soft_reset()")


def unique_id():
    """Six bytes, like an ESP32's factory MAC."""
    return b"\x24\x0a\xc4\x00\x1a\x2b"
