"""What both IMU drivers share: argument checks, the body frame, status codes, bus errors.

    from hipthrust_fw.drivers.mpu6886 import MPU6886
    imu = MPU6886(i2c, rate_hz=100, axes=(2, -1, 3))
    out = array.array("i", bytes(4 * 6 * imu.MAX_BATCH))
    n = imu.read(out)      # n samples: out[6*k:6*k+6] = ax, ay, az (mg), gx, gy, gz (0.1 deg/s)

Body frame. Each board file defines it for its enclosure and passes the axis map here:
right-handed; x along the long edge of the board towards its USB connector, z out of the
top face (the screen, or the components of a bare board), y = z cross x. The
accelerometer reads the specific force: +1000 mg on an axis pointing up when still. The
gyroscope is positive for a counter-clockwise turn about an axis seen from its tip
(right-hand rule). Both chips use these sign conventions in their own frames, so a board
maps chip axes to body axes with a signed permutation that must be a proper rotation
(determinant +1): a reflection would flip the sense of rotation between the gyroscope and
the gravity vector, the axis bug DESIGN.md warns about. `axes=(2, -1, 3)` reads "body x is
chip +y, body y is chip -x, body z is chip +z".
"""

import time

from hipthrust_core.compat import const

STATUS_OK = const(0)  # the last read talked to the chip
STATUS_BUS_ERROR = const(1)  # the chip did not answer (no ACK, bus stuck): read() returns 0
STATUS_CHIP_ERROR = const(2)  # the chip answered but with a wrong id or lost configuration

# Samples per read(): 0.16 s at 100 Hz, four ticks of the app's loop; call again while
# read() returns this. Each batch length up to it has a preallocated view of the read
# buffer (no allocation per read), some 40 bytes of heap each.
MAX_BATCH = const(16)

IDENTITY = (1, 2, 3)


def check_choice(name, value, allowed):
    """Raise ValueError listing the allowed values unless value is one of them."""
    if value not in allowed:
        raise ValueError(
            "{} must be one of {} (got {!r})".format(
                name, ", ".join(str(a) for a in allowed), value
            )
        )


def check_axes(axes):
    """Validate a signed axis map; returns (index, sign) per body axis as a flat tuple.

    axes: three ints, each +-1, +-2 or +-3 (chip x, y, z), every chip axis used once, and
    the map a proper rotation (determinant +1). Raises ValueError otherwise.
    """
    if axes is None:
        axes = IDENTITY
    ok = len(axes) == 3 and sorted(abs(a) for a in axes) == [1, 2, 3]
    if ok:
        # Determinant of a signed permutation: parity of the permutation times the signs.
        p = [abs(a) for a in axes]
        inversions = (p[0] > p[1]) + (p[0] > p[2]) + (p[1] > p[2])
        det = -1 if inversions % 2 else 1
        for a in axes:
            if a < 0:
                det = -det
        ok = det == 1
    if not ok:
        raise ValueError(
            "axes must map chip axes 1..3 (signed) to body x, y, z as a proper rotation, "
            "e.g. (1, 2, 3), (2, -1, 3) or (-1, -2, 3) (got {!r})".format(axes)
        )
    return (
        abs(axes[0]) - 1, 1 if axes[0] > 0 else -1,
        abs(axes[1]) - 1, 1 if axes[1] > 0 else -1,
        abs(axes[2]) - 1, 1 if axes[2] > 0 else -1,
    )


def missing(chip, addr):
    """The OSError for a chip that does not answer at addr."""
    return OSError(
        "{} not found at I2C address 0x{:02x} (no ACK): check wiring, power and the "
        "board file".format(chip, addr)
    )


class ImuDriver:
    """What both drivers do the same way: argument checks, integer scaling factors,
    register access through one preallocated byte, and recovery after a bus error.

    A subclass defines NAME, MAX_BATCH, RATES (rate_hz -> its register codes),
    ROUNDED (the other chip's rates -> ours), ACCEL_RANGES (g -> (code, num, den)) and
    GYRO_RANGES (deg/s -> (code, num, den)), where mg or 0.1 deg/s = raw * num / den,
    and implements _configure() and read().
    """

    def _setup(self, i2c, addr, rate_hz, accel_g, gyro_dps, axes):
        # Take the bus, then validate every argument before touching the chip.
        self._i2c = i2c
        self.addr = addr
        rate_hz = self.ROUNDED.get(rate_hz, rate_hz)
        check_choice("rate_hz", rate_hz, sorted(list(self.RATES) + list(self.ROUNDED)))
        check_choice("accel_g", accel_g, sorted(self.ACCEL_RANGES))
        check_choice("gyro_dps", gyro_dps, sorted(self.GYRO_RANGES))
        self._map = check_axes(axes)
        self.rate_hz = rate_hz
        self.accel_g = accel_g
        self.gyro_dps = gyro_dps
        # Rounded integer scaling: round(raw * num / den) = (2 * raw * num + den) // (2 * den).
        _, num, den = self.ACCEL_RANGES[accel_g]
        self._a_num2 = 2 * num
        self._a_den = den
        self._a_den2 = 2 * den
        _, num, den = self.GYRO_RANGES[gyro_dps]
        self._g_num2 = 2 * num
        self._g_den = den
        self._g_den2 = 2 * den
        self._b1 = bytearray(1)
        self._b2 = bytearray(2)
        self.overflowed = False
        self.status = STATUS_OK
        self.errors = 0  # bus errors seen by read() since construction

    def _identify(self, reg, expected):
        # Raises OSError: nothing answers at addr, or another chip does (WHO_AM_I).
        try:
            who = self._read(reg)
        except OSError:
            raise missing(self.NAME, self.addr) from None
        if who != expected:
            self.status = STATUS_CHIP_ERROR
            raise OSError(
                "no {} at I2C address 0x{:02x}: WHO_AM_I reads 0x{:02x}, expected "
                "0x{:02x}".format(self.NAME, self.addr, who, expected)
            )

    def _reset(self, reg, value, bit, tries, pause_ms):
        # Write the reset command, then wait (up to tries x pause_ms ms) for its bit to
        # clear itself. Raises OSError when it does not.
        self._write(reg, value)
        for _ in range(tries):
            time.sleep_ms(pause_ms)
            if not self._read(reg) & bit:
                return
        raise OSError("{} at 0x{:02x} did not come out of reset".format(self.NAME, self.addr))

    def _verify(self, wanted):
        # Read back every (register, value) written: a difference means the chip did not
        # take its configuration (STATUS_CHIP_ERROR, OSError).
        for reg, value in wanted:
            got = self._read(reg)
            if got != value:
                self.status = STATUS_CHIP_ERROR
                raise OSError(
                    "{} at 0x{:02x}: register 0x{:02x} reads 0x{:02x} after writing "
                    "0x{:02x}".format(self.NAME, self.addr, reg, got, value)
                )

    def _put(self, out, o):
        # One decoded sample (self._t: chip-frame ax ay az, gx gy gz, scaled) into
        # out[o:o + 6] in the body frame (hot path: no allocation).
        t = self._t
        m = self._map
        out[o] = t[m[0]] * m[1]
        out[o + 1] = t[m[2]] * m[3]
        out[o + 2] = t[m[4]] * m[5]
        out[o + 3] = t[m[0] + 3] * m[1]
        out[o + 4] = t[m[2] + 3] * m[3]
        out[o + 5] = t[m[4] + 3] * m[5]

    def _write(self, reg, value):
        self._b1[0] = value
        self._i2c.writeto_mem(self.addr, reg, self._b1)

    def _read(self, reg):
        self._i2c.readfrom_mem_into(self.addr, reg, self._b1)
        return self._b1[0]

    def _recover(self):
        # After a bus error the chip may have lost power and its configuration, so it is
        # set up again from scratch; _configure() sets STATUS_CHIP_ERROR when it answers
        # wrongly, and a bus error leaves STATUS_BUS_ERROR.
        self.status = STATUS_BUS_ERROR
        try:
            self._configure()
        except OSError:
            return False
        return True
