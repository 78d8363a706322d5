"""What the board files share: battery curve, button latch, product-wide IMU settings,
and BoardBase, the behaviour every board has (its facts stay in its own file).

    pct = battery_percent_from_mv(3870)          # -> 60
    latch = ButtonLatch(machine, pin_id=37)       # active-low button with a pull-up
    latch.pressed()                               # True once per press
"""

import time

from hipthrust_core.compat import const

_ACCEL_G = const(8)  # accelerometer full scale (g): headroom for racking and dropping the bar
_GYRO_DPS = const(2000)  # gyroscope full scale (deg/s): a bar rolled into place spins fast
_DEBOUNCE_MS = const(50)

# Single-cell LiPo, resting voltage (mV) -> state of charge (%), a typical curve for small
# LiPo cells (e.g. the tables in Adafruit's and Nordic's fuel-gauge notes). Under load the
# voltage sags by some 50-100 mV, so the percentage reads low while streaming: an estimate,
# good to about 10 %. Pairs (mV, %) in one flat tuple: a tuple per pair would be 21 more
# objects in the device's heap (0.5 KB in the unix port).
LIPO_CURVE = (
    4200, 100, 4150, 95, 4110, 90, 4080, 85, 4020, 80, 3980, 75, 3950, 70,
    3910, 65, 3870, 60, 3850, 55, 3840, 50, 3820, 45, 3800, 40, 3790, 35,
    3770, 30, 3750, 25, 3730, 20, 3710, 15, 3690, 10, 3610, 5, 3270, 0,
)


def battery_percent_from_mv(mv):
    """Battery state of charge (int 0-100 %) from the cell voltage in mV (LIPO_CURVE)."""
    c = LIPO_CURVE
    if mv >= c[0]:
        return 100
    for i in range(2, len(c), 2):
        v1 = c[i]
        if mv >= v1:
            p1 = c[i + 1]
            return p1 + (c[i - 1] - p1) * (mv - v1) // (c[i - 2] - v1)
    return 0


class ButtonLatch:
    """An active-low push button (to ground, pull-up): pressed() is True once per press.

    The falling edge is caught by a pin interrupt, so a press between two polls of the
    app loop is not missed; edges within DEBOUNCE_MS of the last one are contact bounce.
    """

    def __init__(self, machine, pin_id, pull_up=True):
        pull = machine.Pin.PULL_UP if pull_up else None
        self.pin = machine.Pin(pin_id, machine.Pin.IN, pull)
        self._pressed = False
        self._last = time.ticks_add(time.ticks_ms(), -_DEBOUNCE_MS)  # a first press counts
        self.pin.irq(handler=self._irq, trigger=machine.Pin.IRQ_FALLING)

    def _irq(self, pin):
        now = time.ticks_ms()
        if time.ticks_diff(now, self._last) >= _DEBOUNCE_MS:
            self._pressed = True
        self._last = now

    def pressed(self):
        """True if the button was pressed since the last call."""
        if self._pressed:
            self._pressed = False
            return True
        return False


class BoardBase:
    """Behaviour every board shares. A board file sets the class attributes from its own
    facts and, in __init__, self.machine, self.i2c, self._button and self._led; it
    defines battery_mv() (its ADC differs) and overrides show() when it has a screen."""

    DRIVER = None  # IMU driver class
    IMU_ADDR = None  # its I2C address
    AXES = None  # body x, y, z from chip axes (signed, 1-based)
    LED_ON = 1  # pin level that lights the LED
    WDT_MAX_MS = 0  # longest watchdog timeout the chip allows (0: no limit of note)

    def imu(self, rate_hz):
        """The board's IMU driver configured at rate_hz (Hz). Raises OSError if the chip
        does not answer."""
        return self.DRIVER(
            self.i2c, addr=self.IMU_ADDR, rate_hz=rate_hz, accel_g=_ACCEL_G, gyro_dps=_GYRO_DPS,
            axes=self.AXES,
        )

    def battery_percent(self):
        """Battery charge, int 0-100 %, from its voltage (LIPO_CURVE)."""
        return battery_percent_from_mv(self.battery_mv())

    def button(self):
        """True once per press of the board's button since the last call."""
        return self._button.pressed()

    def show(self, reps, phase):
        """No screen: nothing to do."""

    def identify(self):
        """Blink the LED three times (blocks about 0.3 s)."""
        on = self.LED_ON
        for i in range(6):
            self._led.value(on if i % 2 == 0 else 1 - on)
            time.sleep_ms(50)
        self._led.value(1 - on)

    def watchdog(self, timeout_ms):
        """A started hardware watchdog (machine.WDT) that resets the board after timeout_ms
        (capped at what the chip allows)."""
        if self.WDT_MAX_MS:
            timeout_ms = min(timeout_ms, self.WDT_MAX_MS)
        return self.machine.WDT(0, timeout=timeout_ms)

