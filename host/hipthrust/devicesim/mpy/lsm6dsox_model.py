"""Register model of the LSM6DSOX (XIAO ESP32S3, Pico 2 W breakouts) behind machine.I2C.

    from lsm6dsox_model import LSM6DSOXModel
    model = LSM6DSOXModel(source, clock_ms, freq_fine=0)   # see imu_models.py
    machine.I2C.attach(0x6A, model)
"""

from imu_model_base import Model, clamp16

try:
    from micropython import const
except ImportError:  # CPython: const() only tells MicroPython's compiler to inline

    def const(x):
        return x

_L_FIFO_CTRL1 = const(0x07)
_L_FIFO_CTRL3 = const(0x09)
_L_FIFO_CTRL4 = const(0x0A)
_L_WHO_AM_I = const(0x0F)
_L_CTRL1_XL = const(0x10)
_L_CTRL2_G = const(0x11)
_L_CTRL3_C = const(0x12)
_L_CTRL4_C = const(0x13)
_L_CTRL8_XL = const(0x17)
_L_CTRL9_XL = const(0x18)
_L_STATUS_REG = const(0x1E)
_L_OUTX_L_G = const(0x22)
_L_OUTX_L_A = const(0x28)
_L_FIFO_STATUS1 = const(0x3A)
_L_FIFO_STATUS2 = const(0x3B)
_L_INTERNAL_FREQ_FINE = const(0x63)
_L_FIFO_DATA_OUT_TAG = const(0x78)
_L_FIFO_DATA_OUT_Z_H = const(0x7E)
_L_CONFIG_REGS = (_L_FIFO_CTRL3, _L_FIFO_CTRL4, _L_CTRL1_XL, _L_CTRL2_G, _L_CTRL4_C)
_L_READ_ONLY = (
    _L_WHO_AM_I, _L_STATUS_REG, _L_FIFO_STATUS1, _L_FIFO_STATUS2, _L_INTERNAL_FREQ_FINE,
)
# ODR / BDR codes 1..10 -> Hz (6667 Hz / 2**k, rounded as in the datasheet).
_L_RATES = (0, 12.5, 26, 52, 104, 208, 416, 833, 1666, 3333, 6667)
TAG_GYRO_NC = 0x01
TAG_XL_NC = 0x02


def _tag(sensor, slot):
    t = (sensor << 3) | ((slot & 3) << 1)
    parity = 0
    for i in range(1, 8):
        parity ^= (t >> i) & 1
    return t | parity  # TAG_PARITY makes the byte's bit count even


class LSM6DSOXModel(Model):
    """LSM6DSOX at the register level (datasheet DS12814): little-endian, tagged FIFO."""

    WHO_AM_I = 0x6C
    FIFO_WORDS = 512  # 3 kbyte of 6-byte data words (no compression)
    # FS_XL code -> mg/LSB with XL_FS_MODE = 0 (note the order: 2, 16, 4, 8 g).
    ACCEL_MG_PER_LSB = (0.061, 0.488, 0.122, 0.244)
    GYRO_MDPS_PER_LSB = (8.75, 17.5, 35.0, 70.0)  # FS_G 0..3: 250 ... 2000 deg/s
    GYRO_MDPS_PER_LSB_125 = 4.375

    def __init__(self, source, clock_ms, freq_fine=0):
        # freq_fine: this part's INTERNAL_FREQ_FINE trim (-128..127, 0.15 % per LSB): its
        # real rates are 6667 Hz * (1 + 0.0015 * freq_fine) / 2**k, as on the chip.
        self.freq_fine = freq_fine
        Model.__init__(self, source, clock_ms)

    def _reset(self):
        r = self.regs
        for i in range(len(r)):
            r[i] = 0
        r[_L_WHO_AM_I] = self.WHO_AM_I
        r[_L_INTERNAL_FREQ_FINE] = self.freq_fine & 0xFF
        r[_L_CTRL3_C] = 0x04  # IF_INC
        r[_L_CTRL9_XL] = 0xE0
        self.fifo = self.new_fifo(7 * self.FIFO_WORDS)
        self._slot = 0  # TAG_CNT of the next time slot
        self._tick = 0
        self._ovr_latched = False
        self._ovr = False
        self.resets = getattr(self, "resets", -1) + 1
        self.samples = 0
        self._period = None
        self._retime()

    def _rates(self):
        """(accel Hz into the FIFO, gyro Hz into the FIFO, slot Hz); 0 when not batched."""
        r = self.regs
        odr_xl = _L_RATES[min(r[_L_CTRL1_XL] >> 4, 10)]
        odr_g = _L_RATES[min(r[_L_CTRL2_G] >> 4, 10)]
        if r[_L_CTRL4_C] & 0x40:  # SLEEP_G
            odr_g = 0
        bdr_xl = _L_RATES[min(r[_L_FIFO_CTRL3] & 0x0F, 10)]
        bdr_g = _L_RATES[min(r[_L_FIFO_CTRL3] >> 4, 10)]
        xl = min(odr_xl, bdr_xl) if odr_xl and bdr_xl else 0
        g = min(odr_g, bdr_g) if odr_g and bdr_g else 0
        return xl, g, max(xl, g, odr_xl, odr_g)

    def output_rate_hz(self):
        """The fastest configured rate (the time slot rate); 0 when both sensors are off."""
        return self._rates()[2]

    def _sample_period_ms(self):
        rate = self.output_rate_hz()
        if not rate:
            return None
        actual = 6667.0 * (1 + 0.0015 * self.freq_fine) / 2 ** (10 - _L_RATES.index(rate))
        return 1000.0 / actual

    def fifo_mode(self):
        return self.regs[_L_FIFO_CTRL4] & 0x07

    def accel_mg_per_lsb(self):
        r = self.regs
        fs = (r[_L_CTRL1_XL] >> 2) & 3
        if r[_L_CTRL8_XL] & 0x02 and fs == 1:  # XL_FS_MODE = 1: code 01 is 2 g
            return self.ACCEL_MG_PER_LSB[0]
        return self.ACCEL_MG_PER_LSB[fs]

    def gyro_mdps_per_lsb(self):
        v = self.regs[_L_CTRL2_G]
        if v & 0x02:
            return self.GYRO_MDPS_PER_LSB_125
        return self.GYRO_MDPS_PER_LSB[(v >> 2) & 3]

    def _sample(self, t_ms, values):
        r = self.regs
        xl_hz, g_hz, slot_hz = self._rates()
        a = 1000.0 / self.accel_mg_per_lsb()
        g = 1000.0 / self.gyro_mdps_per_lsb()
        acc = (clamp16(values[0] * a), clamp16(values[1] * a), clamp16(values[2] * a))
        gyr = (clamp16(values[3] * g), clamp16(values[4] * g), clamp16(values[5] * g))
        for i in range(3):  # output registers, little-endian
            r[_L_OUTX_L_G + 2 * i] = gyr[i] & 0xFF
            r[_L_OUTX_L_G + 2 * i + 1] = (gyr[i] >> 8) & 0xFF
            r[_L_OUTX_L_A + 2 * i] = acc[i] & 0xFF
            r[_L_OUTX_L_A + 2 * i + 1] = (acc[i] >> 8) & 0xFF
        mode = self.fifo_mode()
        if mode in (1, 3, 6):  # FIFO, continuous-to-FIFO (untriggered), continuous
            # Sensors batched slower than the slot rate write every (slot/rate)-th slot.
            tick = self._tick
            if g_hz and tick % int(slot_hz / g_hz + 0.5) == 0:
                self._word(TAG_GYRO_NC, gyr, mode)
            if xl_hz and tick % int(slot_hz / xl_hz + 0.5) == 0:
                self._word(TAG_XL_NC, acc, mode)
            self._slot = (self._slot + 1) & 3
        self._tick += 1

    def _word(self, sensor, xyz, mode):
        f = self.fifo
        if f.count + 7 > f.size:
            self._ovr_latched = True
            if mode == 1:
                self._ovr = True
                return  # FIFO mode: stops collecting when full
            for _ in range(7):  # continuous mode: the oldest word is overwritten
                f.pop()
            self._ovr = True
        f.push(_tag(sensor, self._slot))
        for v in xyz:
            f.push(v & 0xFF)
            f.push((v >> 8) & 0xFF)

    def _lost(self, n):
        self.samples += n
        if self.fifo_mode() in (1, 3, 6) and self.fifo.count:
            self._ovr_latched = True
            self._ovr = True

    def words(self):
        """Whole words waiting in the FIFO (DIFF_FIFO)."""
        return self.fifo.count // 7

    # Bus side.
    def read_into(self, reg, buf):
        """A burst read from reg; the address advances only while CTRL3_C.IF_INC is set."""
        if reg == _L_FIFO_STATUS1 or reg == _L_FIFO_STATUS2:
            self.update()  # (no tuple here: reads must not allocate)
        inc = self.regs[_L_CTRL3_C] & 0x04
        for i in range(len(buf)):
            buf[i] = self._read_reg(reg)
            if inc:
                if reg == _L_FIFO_DATA_OUT_Z_H:
                    reg = _L_FIFO_DATA_OUT_TAG  # rounds back to the next word's tag
                else:
                    reg = (reg + 1) & 0x7F
        self.pointer = reg

    def _read_reg(self, reg):
        r = self.regs
        if reg == _L_FIFO_STATUS1:
            return self.words() & 0xFF
        if reg == _L_FIFO_STATUS2:
            w = self.words()
            v = (w >> 8) & 0x03
            if self._ovr:
                v |= 0x40  # FIFO_OVR_IA
            if self._ovr_latched:
                v |= 0x08  # FIFO_OVR_LATCHED, cleared by this read
                self._ovr_latched = False
            if w >= self.FIFO_WORDS - 1:
                v |= 0x20  # FIFO_FULL_IA
            wtm = r[_L_FIFO_CTRL1]
            if wtm and w >= wtm:
                v |= 0x80
            return v
        if _L_FIFO_DATA_OUT_TAG <= reg <= _L_FIFO_DATA_OUT_Z_H:
            f = self.fifo
            if f.count < 7:
                return 0  # empty FIFO
            v = f.peek(reg - _L_FIFO_DATA_OUT_TAG)
            if reg == _L_FIFO_DATA_OUT_Z_H:
                for _ in range(7):  # reading Z_H pops the word
                    f.pop()
                self._ovr = False
            return v
        return r[reg]

    def write(self, reg, data):
        """A burst write from reg; configuration takes effect at once."""
        inc = self.regs[_L_CTRL3_C] & 0x04
        for i in range(len(data)):
            self._write_reg(reg, data[i])
            if inc:
                reg = (reg + 1) & 0x7F
        self.pointer = reg

    def _write_reg(self, reg, value):
        if reg in _L_CONFIG_REGS:
            self.update()
        if reg in _L_READ_ONLY or reg >= _L_FIFO_DATA_OUT_TAG:
            return
        if reg == _L_CTRL3_C and value & 0x01:
            self._reset()  # SW_RESET: registers to reset values, the bit self-clears
            return
        if reg == _L_FIFO_CTRL4 and (value & 0x07) == 0:
            self.fifo.clear()  # bypass mode empties the FIFO
            self._ovr = False
        self.regs[reg] = value
        if reg in _L_CONFIG_REGS:
            self._retime()
