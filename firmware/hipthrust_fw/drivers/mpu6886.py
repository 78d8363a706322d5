"""TDK InvenSense MPU-6886 driver (M5StickC Plus2): FIFO based, no allocation per read.

    from array import array
    from machine import I2C, Pin
    from hipthrust_fw.drivers.mpu6886 import MPU6886
    imu = MPU6886(I2C(0, scl=Pin(22), sda=Pin(21)), rate_hz=100)
    out = array("i", bytes(4 * 6 * imu.MAX_BATCH))
    n = imu.read(out)   # ax, ay, az (mg), gx, gy, gz (0.1 deg/s) per sample, body frame

Register map and scaling from the MPU-6886 datasheet (DS-000193, rev 1.1). Output rate:
SAMPLE_RATE = 1 kHz / (1 + SMPLRT_DIV), valid only with FCHOICE_B = 0 and DLPF_CFG 1..6
(DLPF_CFG 0 or 7 runs the gyro at 8 kHz and ignores the divider: a driver that leaves
DLPF_CFG at its reset value 0 floods the FIFO). All data registers and the FIFO are
big-endian. With accel and gyro enabled each FIFO packet is 14 bytes: accel x, y, z,
temperature, gyro x, y, z (the temperature always rides along). The FIFO holds 1024 bytes,
not a whole number of packets, so the driver runs it in stop-when-full mode and resets it
after an overflow to stay aligned on packet boundaries.
"""

import time
from array import array

from hipthrust_core.compat import const
from hipthrust_fw.drivers import imu_base
from hipthrust_fw.drivers.imu_base import STATUS_BUS_ERROR, STATUS_CHIP_ERROR, STATUS_OK

# Registers (datasheet names).
_SMPLRT_DIV = const(0x19)
_CONFIG = const(0x1A)  # [6] FIFO_MODE, [5:3] EXT_SYNC_SET, [2:0] DLPF_CFG
_GYRO_CONFIG = const(0x1B)  # [4:3] FS_SEL, [1:0] FCHOICE_B
_ACCEL_CONFIG = const(0x1C)  # [4:3] ACCEL_FS_SEL
_ACCEL_CONFIG2 = const(0x1D)  # [5:4] DEC2_CFG, [3] ACCEL_FCHOICE_B, [2:0] A_DLPF_CFG
_FIFO_EN = const(0x23)  # [4] GYRO_FIFO_EN, [3] ACC_FIFO_EN
_INT_ENABLE = const(0x38)
_INT_STATUS = const(0x3A)  # [4] FIFO_OFLOW_INT (cleared by reading), [0] DATA_RDY_INT
_ACCEL_XOUT_H = const(0x3B)
_USER_CTRL = const(0x6A)  # [6] FIFO_EN, [2] FIFO_RST, [0] SIG_COND_RST
_PWR_MGMT_1 = const(0x6B)  # [7] DEVICE_RESET, [6] SLEEP, [2:0] CLKSEL; resets to 0x41
_PWR_MGMT_2 = const(0x6C)  # [5:0] standby bits of each axis
_FIFO_COUNTH = const(0x72)  # FIFO_COUNT[12:8], then FIFO_COUNTL [7:0]
_FIFO_R_W = const(0x74)
_WHO_AM_I = const(0x75)
_WHO_AM_I_VALUE = const(0x19)

# Bits.
_DEVICE_RESET = const(0x80)
_SLEEP = const(0x40)
_CLKSEL_AUTO = const(0x01)  # best available clock: the gyro PLL once it runs
_FIFO_MODE_STOP = const(0x40)  # CONFIG: drop new data when full instead of overwriting
_GYRO_FIFO_EN = const(0x10)
_ACC_FIFO_EN = const(0x08)
_USER_FIFO_EN = const(0x40)
_FIFO_RST = const(0x04)
_FIFO_OFLOW_INT = const(0x10)

_PACKET = const(14)  # bytes per FIFO packet: accel 6, temperature 2, gyro 6
_FIFO_SIZE = const(1024)  # bytes
MAX_BATCH = imu_base.MAX_BATCH

# rate_hz -> (SMPLRT_DIV, DLPF_CFG, A_DLPF_CFG). Low-pass corners (datasheet tables):
# gyro 10/10/20/41 Hz, accel 10.2/10.2/21.2/44.8 Hz, all below the Nyquist frequency.
RATES = {25: (39, 5, 5), 50: (19, 5, 5), 100: (9, 4, 4), 200: (4, 3, 3)}
_ROUNDED = {26: 25, 52: 50, 104: 100, 208: 200}  # the LSM6DSOX's rates, so settings carry over
# accel_g -> (ACCEL_FS_SEL, numerator, denominator): mg = raw * 1000 / (LSB per g), from the
# datasheet sensitivities 16384, 8192, 4096 and 2048 LSB per g.
ACCEL_RANGES = {2: (0, 1000, 16384), 4: (1, 1000, 8192), 8: (2, 1000, 4096), 16: (3, 1000, 2048)}
# gyro_dps -> (FS_SEL, numerator, denominator): 0.1 deg/s = raw * num / den, from the
# datasheet sensitivities 131, 65.5, 32.8 and 16.4 LSB per deg/s.
GYRO_RANGES = {250: (0, 10, 131), 500: (1, 20, 131), 1000: (2, 25, 82), 2000: (3, 25, 41)}

_RESET_TRIES = const(50)  # x 2 ms: the reset bit self-clears within a few ms


class MPU6886(imu_base.ImuDriver):
    """One MPU-6886 on an I2C bus; see the module docstring for units and frame.

    Raises ValueError for an unsupported argument (listing the allowed values) and
    OSError when the chip does not answer, reports a wrong WHO_AM_I or keeps a wrong
    configuration.
    """

    MAX_BATCH = MAX_BATCH
    NAME = "MPU6886"
    RATES = RATES
    ROUNDED = _ROUNDED
    ACCEL_RANGES = ACCEL_RANGES
    GYRO_RANGES = GYRO_RANGES

    def __init__(self, i2c, addr=0x68, rate_hz=100, accel_g=8, gyro_dps=2000, axes=None):
        self._setup(i2c, addr, rate_hz, accel_g, gyro_dps, axes)
        self.period_us = 1000000 // self.rate_hz
        # Buffers allocated once; views of every batch length so read() slices nothing.
        self._buf = bytearray(_PACKET * MAX_BATCH)
        mv = memoryview(self._buf)
        self._views = [mv[: _PACKET * k] for k in range(MAX_BATCH + 1)]
        self._rst = bytes((_USER_FIFO_EN | _FIFO_RST,))
        self._t = array("i", (0, 0, 0, 0, 0, 0))
        self._configure()

    # ------------------------------------------------------------ set-up (allocates freely)
    def _configure(self):
        """Identify, reset, configure and verify the chip. Raises OSError."""
        self._identify(_WHO_AM_I, _WHO_AM_I_VALUE)
        self._reset(_PWR_MGMT_1, _DEVICE_RESET, _DEVICE_RESET, _RESET_TRIES, 2)
        div, dlpf, a_dlpf = RATES[self.rate_hz]
        wanted = (
            (_PWR_MGMT_1, _CLKSEL_AUTO),  # wake up (reset leaves SLEEP set)
            (_PWR_MGMT_2, 0x00),  # every axis on
            (_SMPLRT_DIV, div),
            (_CONFIG, _FIFO_MODE_STOP | dlpf),
            (_GYRO_CONFIG, GYRO_RANGES[self.gyro_dps][0] << 3),  # FCHOICE_B = 0: use the DLPF
            (_ACCEL_CONFIG, ACCEL_RANGES[self.accel_g][0] << 3),
            (_ACCEL_CONFIG2, a_dlpf),  # no averaging, ACCEL_FCHOICE_B = 0
            (_INT_ENABLE, 0x00),  # polled, no interrupt pin
            (_FIFO_EN, _GYRO_FIFO_EN | _ACC_FIFO_EN),
        )
        for reg, value in wanted:
            self._write(reg, value)
        time.sleep_ms(35)  # gyro start-up time before the first valid sample
        self._write(_USER_CTRL, _USER_FIFO_EN | _FIFO_RST)
        self._verify(wanted)
        if not self._read(_USER_CTRL) & _USER_FIFO_EN:
            self.status = STATUS_CHIP_ERROR
            raise OSError("{} at 0x{:02x}: FIFO did not enable".format(self.NAME, self.addr))
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
        try:
            i2c.readfrom_mem_into(addr, _INT_STATUS, self._b1)
            over = self._b1[0] & _FIFO_OFLOW_INT
            b2 = self._b2
            i2c.readfrom_mem_into(addr, _FIFO_COUNTH, b2)
            n = (((b2[0] & 0x1F) << 8) | b2[1]) // _PACKET
            if n > MAX_BATCH:
                n = MAX_BATCH
            if n:
                i2c.readfrom_mem_into(addr, _FIFO_R_W, self._views[n])
            if over:
                # Samples were lost and the FIFO may end in a partial packet: start afresh.
                i2c.writeto_mem(addr, _USER_CTRL, self._rst)
        except OSError:
            self.status = STATUS_BUS_ERROR
            self.errors += 1
            return 0
        self.overflowed = bool(over)
        self._decode(out, n)
        return n

    def _decode(self, out, n):
        buf = self._buf
        t = self._t
        an2 = self._a_num2
        ad = self._a_den
        ad2 = self._a_den2
        gn2 = self._g_num2
        gd = self._g_den
        gd2 = self._g_den2
        o = 0
        for k in range(n):
            p = k * _PACKET
            for j in range(3):
                # accel at bytes 0..5, gyro at 8..13 (6..7 is temperature), big-endian
                v = (buf[p] << 8) | buf[p + 1]
                if v > 32767:
                    v -= 65536
                t[j] = (v * an2 + ad) // ad2
                q = p + 8
                v = (buf[q] << 8) | buf[q + 1]
                if v > 32767:
                    v -= 65536
                t[j + 3] = (v * gn2 + gd) // gd2
                p += 2
            self._put(out, o)
            o += 6
