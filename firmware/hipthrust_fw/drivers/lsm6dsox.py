"""ST LSM6DSOX driver (breakout on the XIAO ESP32S3 / Pico 2 W): FIFO based, no allocation.

    from array import array
    from machine import I2C, Pin
    from hipthrust_fw.drivers.lsm6dsox import LSM6DSOX
    imu = LSM6DSOX(I2C(0, scl=Pin(6), sda=Pin(5)), rate_hz=104)
    out = array("i", bytes(4 * 6 * imu.MAX_BATCH))
    n = imu.read(out)   # ax, ay, az (mg), gx, gy, gz (0.1 deg/s) per sample, body frame

Register map and scaling from the LSM6DSOX datasheet (DS12814) and application note
AN5272. Traps the register map sets: FS_XL codes are not in order (00 = 2 g, 01 = 16 g,
10 = 4 g, 11 = 8 g); output registers are little-endian; a burst read only advances through
registers while CTRL3_C.IF_INC is set (it is after reset, so a driver writing CTRL3_C must
keep it). The FIFO stores 7-byte words: a tag byte (TAG_SENSOR [7:3], TAG_CNT [2:1] naming
the time slot, TAG_PARITY [0]) and 6 data bytes; reading FIFO_DATA_OUT_Z_H (0x7E) pops a
word and the address wraps back to FIFO_DATA_OUT_TAG (0x78), so a whole batch is one
burst. Gyro and accel words of one time slot share TAG_CNT, in either order.

The chip's rates are 26, 52, 104 and 208 Hz; rate_hz also accepts the rounded 25, 50, 100
and 200 and picks the chip rate, which `rate_hz` then reports. The real rate of each part
differs (6667 Hz / 2**k, trimmed by INTERNAL_FREQ_FINE): `period_us` is this part's
sample period, read from the chip, for timestamping samples.
"""

from array import array

from hipthrust_core.compat import const
from hipthrust_fw.drivers import imu_base
from hipthrust_fw.drivers.imu_base import STATUS_BUS_ERROR, STATUS_OK

# Registers (datasheet names).
_FIFO_CTRL1 = const(0x07)  # WTM[7:0]
_FIFO_CTRL2 = const(0x08)
_FIFO_CTRL3 = const(0x09)  # [7:4] BDR_GY, [3:0] BDR_XL: batching rate of each sensor
_FIFO_CTRL4 = const(0x0A)  # [7:6] DEC_TS_BATCH, [5:4] ODR_T_BATCH, [2:0] FIFO_MODE
_INT1_CTRL = const(0x0D)
_WHO_AM_I = const(0x0F)
_WHO_AM_I_VALUE = const(0x6C)
_CTRL1_XL = const(0x10)  # [7:4] ODR_XL, [3:2] FS_XL, [1] LPF2_XL_EN
_CTRL2_G = const(0x11)  # [7:4] ODR_G, [3:2] FS_G, [1] FS_125
CTRL3_C = const(0x12)  # [7] BOOT, [6] BDU, [2] IF_INC, [0] SW_RESET; resets to 0x04
_CTRL4_C = const(0x13)  # [1] LPF1_SEL_G
_CTRL6_C = const(0x15)  # [2:0] FTYPE: gyro LPF1 bandwidth
_CTRL8_XL = const(0x17)  # [7:5] HPCF_XL: accel LPF2 corner, [1] XL_FS_MODE
_FIFO_STATUS1 = const(0x3A)  # DIFF_FIFO[7:0]: words in the FIFO
_FIFO_STATUS2 = const(0x3B)  # [6] FIFO_OVR_IA, [3] FIFO_OVR_LATCHED (cleared by reading), [1:0]
_INTERNAL_FREQ_FINE = const(0x63)  # signed trim of this part's clock, 0.15 % per LSB
_FIFO_DATA_OUT_TAG = const(0x78)

# Bits and codes.
_SW_RESET = const(0x01)
_BDU = const(0x40)
_IF_INC = const(0x04)
_LPF2_XL_EN = const(0x02)
_LPF1_SEL_G = const(0x02)
_HPCF_ODR_4 = const(0x00)  # LPF2 corner ODR/4 (26 Hz at 104 Hz) with LPF2_XL_EN set
_FIFO_BYPASS = const(0x00)
_FIFO_CONTINUOUS = const(0x06)  # keeps the newest data, overwriting the oldest when full
_FIFO_OVR = const(0x48)  # FIFO_OVR_IA | FIFO_OVR_LATCHED
_TAG_GYRO_NC = const(0x01)
_TAG_XL_NC = const(0x02)

_WORD = const(7)  # bytes per FIFO word
_FIFO_WORDS = const(512)  # 3 kbyte of 6-byte data without compression
MAX_BATCH = imu_base.MAX_BATCH

# rate_hz -> ODR code (also the batching-rate code): 0010 26 Hz ... 0101 208 Hz.
RATES = {26: 2, 52: 3, 104: 4, 208: 5}
# rate_hz -> ODR_coeff of the datasheet's actual-rate formula:
# ODR = 6667 Hz * (1 + 0.0015 * INTERNAL_FREQ_FINE) / ODR_coeff
_ODR_COEFF = {26: 256, 52: 128, 104: 64, 208: 32}
_ROUNDED = {25: 26, 50: 52, 100: 104, 200: 208}
# accel_g -> (FS_XL code, numerator, denominator): mg = raw * num / den from the datasheet
# sensitivities 0.061, 0.122, 0.244, 0.488 mg/LSB.
ACCEL_RANGES = {2: (0, 61, 1000), 4: (2, 122, 1000), 8: (3, 244, 1000), 16: (1, 488, 1000)}
# gyro_dps -> (FS_G code, num, den): 0.1 deg/s = raw * num / den from 8.75, 17.5, 35 and
# 70 mdps/LSB.
GYRO_RANGES = {250: (0, 7, 80), 500: (1, 7, 40), 1000: (2, 7, 20), 2000: (3, 7, 10)}

_RESET_TRIES = const(50)  # x 1 ms; the datasheet gives 50 us for SW_RESET


class LSM6DSOX(imu_base.ImuDriver):
    """One LSM6DSOX on an I2C bus; see the module docstring for units and frame.

    Raises ValueError for an unsupported argument (listing the allowed values) and
    OSError when the chip does not answer, reports a wrong WHO_AM_I or keeps a wrong
    configuration.
    """

    MAX_BATCH = MAX_BATCH
    NAME = "LSM6DSOX"
    RATES = RATES
    ROUNDED = _ROUNDED
    ACCEL_RANGES = ACCEL_RANGES
    GYRO_RANGES = GYRO_RANGES

    def __init__(self, i2c, addr=0x6A, rate_hz=104, accel_g=8, gyro_dps=2000, axes=None):
        self._setup(i2c, addr, rate_hz, accel_g, gyro_dps, axes)
        self.period_us = 0  # sample period (us) of this part, set by _configure()
        # Two words per sample, plus one word of a sample left half-read last time.
        words = 2 * MAX_BATCH
        self._buf = bytearray(_WORD * words)
        mv = memoryview(self._buf)
        self._views = [mv[: _WORD * k] for k in range(words + 1)]
        self._t = array("i", (0, 0, 0, 0, 0, 0))
        self._slot = -1  # TAG_CNT of the half-assembled sample in _t, -1 for none
        self._have = 0  # 1: its accel is in _t, 2: its gyro is
        self._configure()

    # ------------------------------------------------------------ set-up (allocates freely)
    def _configure(self):
        """Identify, reset, configure and verify the chip. Raises OSError."""
        self._identify(_WHO_AM_I, _WHO_AM_I_VALUE)
        self._reset(CTRL3_C, _SW_RESET | _IF_INC, _SW_RESET, _RESET_TRIES, 1)
        # This part's real sample period: nominal 104 Hz is 104.17 Hz (9600 us) trimmed by
        # up to +-19 % (8-bit signed FREQ_FINE); the app timestamps samples with it.
        fine = self._read(_INTERNAL_FREQ_FINE)
        if fine > 127:
            fine -= 256
        self.period_us = (
            1000000 * _ODR_COEFF[self.rate_hz] * 10000 * 2 // (6667 * (10000 + 15 * fine)) + 1
        ) // 2
        odr = RATES[self.rate_hz]
        wanted = (
            (CTRL3_C, _BDU | _IF_INC),  # keep IF_INC: bursts rely on it
            (_CTRL4_C, _LPF1_SEL_G),  # gyro LPF1 on (its corner is above ODR/2 at <= 208 Hz)
            (_CTRL6_C, 0x00),
            (_CTRL8_XL, _HPCF_ODR_4),
            (_CTRL1_XL, (odr << 4) | (ACCEL_RANGES[self.accel_g][0] << 2) | _LPF2_XL_EN),
            (_CTRL2_G, (odr << 4) | (GYRO_RANGES[self.gyro_dps][0] << 2)),
            (_INT1_CTRL, 0x00),  # polled, no interrupt pin
            (_FIFO_CTRL3, (odr << 4) | odr),  # batch both sensors at their ODR
            (_FIFO_CTRL4, _FIFO_BYPASS),  # bypass empties the FIFO...
        )
        for reg, value in wanted:
            self._write(reg, value)
        self._write(_FIFO_CTRL4, _FIFO_CONTINUOUS)  # ...then continuous mode starts it
        self._verify(wanted[:-1] + ((_FIFO_CTRL4, _FIFO_CONTINUOUS),))
        self._slot = -1
        self._have = 0
        self.status = STATUS_OK

    # ------------------------------------------------------------ hot path (no allocation)
    def read(self, out):
        """Drain up to MAX_BATCH samples from the FIFO into out; returns how many.

        out: array('i') of at least 6 * MAX_BATCH; sample k fills out[6k:6k+6] with
        ax, ay, az (mg) and gx, gy, gz (0.1 deg/s) in the body frame. Sets
        self.overflowed when samples were lost since the previous read. A bus error
        returns 0 and sets self.status (the next read tries to re-initialise the chip).
        """
        if self.status != STATUS_OK and not self._recover():
            return 0
        i2c = self._i2c
        addr = self.addr
        b2 = self._b2
        try:
            i2c.readfrom_mem_into(addr, _FIFO_STATUS1, b2)  # FIFO_STATUS1 and 2
            words = ((b2[1] & 0x03) << 8) | b2[0]
            limit = 2 * MAX_BATCH - (1 if self._have else 0)
            if words > limit:
                words = limit
            if words:
                i2c.readfrom_mem_into(addr, _FIFO_DATA_OUT_TAG, self._views[words])
        except OSError:
            self.status = STATUS_BUS_ERROR
            self.errors += 1
            return 0
        self.overflowed = bool(b2[1] & _FIFO_OVR)
        if self.overflowed:
            self._have = 0  # its other half may have been overwritten: do not pair across
        return self._decode(out, words)

    def _decode(self, out, words):
        buf = self._buf
        t = self._t
        n = 0
        o = 0
        for k in range(words):
            p = k * _WORD
            tag = buf[p]
            parity = tag ^ (tag >> 4)
            parity ^= parity >> 2
            parity ^= parity >> 1
            if parity & 1:
                continue  # corrupted tag: drop the word
            sensor = tag >> 3
            slot = (tag >> 1) & 3
            if sensor == _TAG_XL_NC:
                base = 0
                num2 = self._a_num2
                den = self._a_den
                den2 = self._a_den2
                bit = 1
            elif sensor == _TAG_GYRO_NC:
                base = 3
                num2 = self._g_num2
                den = self._g_den
                den2 = self._g_den2
                bit = 2
            else:
                continue  # temperature, timestamp, config-change words are not batched
            if slot != self._slot:
                self._slot = slot  # a new time slot: any half sample before it is lost
                self._have = 0
            for j in range(3):
                q = p + 1 + 2 * j
                v = buf[q] | (buf[q + 1] << 8)  # little-endian
                if v > 32767:
                    v -= 65536
                t[base + j] = (v * num2 + den) // den2
            self._have |= bit
            if self._have == 3:
                self._put(out, o)
                o += 6
                n += 1
                self._have = 0
                self._slot = -1
        return n
