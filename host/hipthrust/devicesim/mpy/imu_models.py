"""Register models of the MPU-6886 and LSM6DSOX behind the fake machine.I2C.

    import machine
    from imu_models import MPU6886Model
    still = lambda t_ms: (0.0, 0.0, 1.0, 0.0, 0.0, 0.0)   # g, g, g, deg/s x3, sensor frame
    model = MPU6886Model(still, clock_ms)                  # clock_ms() -> ms, an int
    machine.I2C.attach(0x68, model)

Each model keeps the chip's register file with its reset values and WHO_AM_I, its byte
order, burst-address rules, FIFO (size, count registers, packet or tagged-word format,
overflow flags, full behaviour) and soft reset. Samples are made from the CONFIGURED
registers only: when the driver reads the FIFO count or status, or changes a setting,
the model first produces every sample due since its last update at the configured output
rate, takes source(t_ms) -> (ax_g, ay_g, az_g, gx_dps, gy_dps, gz_dps) in the sensor frame,
scales it with the configured full-scale range to LSBs and saturates. A driver that sets
the wrong rate gets the wrong number of samples; a wrong range gives the wrong scale.
Not modelled: the digital filters (configuration only), self-test, interrupts pins,
FIFO compression, noise. Runs in the MicroPython unix port (and CPython).
"""


def _clamp16(x):
    v = int(x + 0.5) if x >= 0 else -int(-x + 0.5)
    if v > 32767:
        return 32767
    if v < -32768:
        return -32768
    return v


class _Fifo:
    """Byte ring buffer of a fixed size, no allocation per byte."""

    def __init__(self, size):
        self.data = bytearray(size)
        self.size = size
        self.head = 0
        self.count = 0

    def clear(self):
        self.head = 0
        self.count = 0

    def push(self, byte):
        self.data[(self.head + self.count) % self.size] = byte
        self.count += 1

    def pop(self):
        b = self.data[self.head]
        self.head = (self.head + 1) % self.size
        self.count -= 1
        return b

    def peek(self, i):
        return self.data[(self.head + i) % self.size]


class _Model:
    """What both chips share: register file, sample clock, catch-up generation."""

    MAX_CATCH_UP = 4096  # samples generated at most per update (the FIFO holds far fewer)

    def __init__(self, source, clock_ms):
        self.source = source
        self.clock_ms = clock_ms
        self.pointer = 0  # register pointer for plain I2C reads
        self.regs = bytearray(128)
        self.samples = 0  # samples made since the last reset (for tests)
        self._period = None  # ms between samples at the configured rate, None when off
        self._next = 0.0  # time (ms) of the next sample due
        self._reset()

    def _now(self):
        return self.clock_ms()

    def _retime(self):
        # Called after every configuration write: the sample clock follows the registers.
        period = self._sample_period_ms()
        if period != self._period:
            self._period = period
            self._next = self._now() + period if period else 0.0

    def update(self):
        """Produce every sample due up to now at the configured rate."""
        period = self._period
        if not period:
            return
        now = self._now()
        due = int((now - self._next) / period) + 1 if now >= self._next else 0
        if due > self.MAX_CATCH_UP:
            # Only the newest samples can still be in the FIFO: skip the rest, as lost.
            self._next += (due - self.MAX_CATCH_UP) * period
            self._lost(due - self.MAX_CATCH_UP)
        while self._next <= now:
            self._sample(self._next, self.source(self._next))
            self.samples += 1
            self._next += period

    def _lost(self, n):
        self.samples += n


# ---------------------------------------------------------------------------- MPU-6886
_M_SMPLRT_DIV = 0x19
_M_CONFIG = 0x1A
_M_GYRO_CONFIG = 0x1B
_M_ACCEL_CONFIG = 0x1C
_M_ACCEL_CONFIG2 = 0x1D
_M_FIFO_EN = 0x23
_M_INT_STATUS = 0x3A
_M_ACCEL_XOUT_H = 0x3B
_M_USER_CTRL = 0x6A
_M_PWR_MGMT_1 = 0x6B
_M_PWR_MGMT_2 = 0x6C
_M_FIFO_COUNTH = 0x72
_M_FIFO_COUNTL = 0x73
_M_FIFO_R_W = 0x74
_M_WHO_AM_I = 0x75
_M_CONFIG_REGS = (
    _M_SMPLRT_DIV, _M_CONFIG, _M_GYRO_CONFIG, _M_ACCEL_CONFIG, _M_ACCEL_CONFIG2,
    _M_FIFO_EN, _M_USER_CTRL, _M_PWR_MGMT_1, _M_PWR_MGMT_2,
)
_M_RATE_REGS = (_M_SMPLRT_DIV, _M_CONFIG, _M_GYRO_CONFIG, _M_PWR_MGMT_1)
_M_READ_ONLY = (_M_WHO_AM_I, _M_FIFO_COUNTH, _M_FIFO_COUNTL, _M_INT_STATUS)


class MPU6886Model(_Model):
    """MPU-6886 at the register level (datasheet DS-000193): big-endian, 1 KB FIFO."""

    WHO_AM_I = 0x19
    FIFO_SIZE = 1024
    ACCEL_LSB_PER_G = (16384, 8192, 4096, 2048)  # ACCEL_FS_SEL 0..3: 2, 4, 8, 16 g
    GYRO_LSB_PER_DPS = (131.0, 65.5, 32.8, 16.4)  # FS_SEL 0..3: 250 ... 2000 deg/s
    TEMP_RAW = 0  # 25 degC: TEMP_OUT / 326.8 + 25

    def _reset(self):
        r = self.regs
        for i in range(len(r)):
            r[i] = 0
        r[_M_CONFIG] = 0x80
        r[_M_PWR_MGMT_1] = 0x41  # asleep after reset: no samples until woken
        r[_M_WHO_AM_I] = self.WHO_AM_I
        self.fifo = _Fifo(self.FIFO_SIZE)
        self.resets = getattr(self, "resets", -1) + 1
        self.samples = 0
        self._period = None
        self._retime()

    # The configured state, decoded the way the chip does.
    def sample_rate_hz(self):
        """Output rate from SMPLRT_DIV, DLPF_CFG and FCHOICE_B; 0 when asleep."""
        r = self.regs
        if r[_M_PWR_MGMT_1] & 0x40:
            return 0
        if r[_M_GYRO_CONFIG] & 0x03:
            return 32000  # FCHOICE_B != 0 bypasses the DLPF
        dlpf = r[_M_CONFIG] & 0x07
        if dlpf in (0, 7):
            return 8000  # the divider only applies with DLPF_CFG 1..6
        return 1000 / (1 + r[_M_SMPLRT_DIV])

    def _sample_period_ms(self):
        rate = self.sample_rate_hz()
        return 1000.0 / rate if rate else None

    def accel_lsb_per_g(self):
        return self.ACCEL_LSB_PER_G[(self.regs[_M_ACCEL_CONFIG] >> 3) & 3]

    def gyro_lsb_per_dps(self):
        return self.GYRO_LSB_PER_DPS[(self.regs[_M_GYRO_CONFIG] >> 3) & 3]

    def _sample(self, t_ms, values):
        a = self.accel_lsb_per_g()
        g = self.gyro_lsb_per_dps()
        r = self.regs
        raw = (
            _clamp16(values[0] * a), _clamp16(values[1] * a), _clamp16(values[2] * a),
            self.TEMP_RAW,
            _clamp16(values[3] * g), _clamp16(values[4] * g), _clamp16(values[5] * g),
        )
        for i in range(7):  # output registers, big-endian
            r[_M_ACCEL_XOUT_H + 2 * i] = (raw[i] >> 8) & 0xFF
            r[_M_ACCEL_XOUT_H + 2 * i + 1] = raw[i] & 0xFF
        r[_M_INT_STATUS] |= 0x01  # DATA_RDY_INT
        en = r[_M_FIFO_EN]
        if not (r[_M_USER_CTRL] & 0x40) or not (en & 0x18):
            return
        # Packet: accel (ACC_FIFO_EN), temperature (with either), gyro (GYRO_FIFO_EN).
        first = 0 if en & 0x08 else 3
        last = 7 if en & 0x10 else 4
        for i in range(first, last):
            self._push((raw[i] >> 8) & 0xFF)
            self._push(raw[i] & 0xFF)

    def _push(self, byte):
        f = self.fifo
        if f.count < f.size:
            f.push(byte)
            return
        self.regs[_M_INT_STATUS] |= 0x10  # FIFO_OFLOW_INT
        if self.regs[_M_CONFIG] & 0x40:
            return  # FIFO_MODE = 1: new data dropped
        f.pop()  # FIFO_MODE = 0: the oldest byte goes (packets lose alignment)
        f.push(byte)

    def _lost(self, n):
        self.samples += n
        if self.fifo.count and self.regs[_M_USER_CTRL] & 0x40:
            self.regs[_M_INT_STATUS] |= 0x10

    # Bus side.
    def read_into(self, reg, buf):
        """A burst read from reg: the address advances, except on FIFO_R_W."""
        if reg == _M_FIFO_COUNTH or reg == _M_INT_STATUS:
            self.update()  # (no tuple here: reads must not allocate)
        for i in range(len(buf)):
            buf[i] = self._read_reg(reg)
            if reg != _M_FIFO_R_W:
                reg = (reg + 1) & 0x7F
        self.pointer = reg

    def _read_reg(self, reg):
        r = self.regs
        if reg == _M_FIFO_COUNTH:
            return (self.fifo.count >> 8) & 0x1F
        if reg == _M_FIFO_COUNTL:
            return self.fifo.count & 0xFF
        if reg == _M_FIFO_R_W:
            return self.fifo.pop() if self.fifo.count else 0xFF
        if reg == _M_INT_STATUS:
            v = r[reg]
            r[reg] = 0  # cleared by reading
            return v
        return r[reg]

    def write(self, reg, data):
        """A burst write from reg; configuration takes effect at once."""
        for i in range(len(data)):
            self._write_reg(reg, data[i])
            reg = (reg + 1) & 0x7F
        self.pointer = reg

    def _write_reg(self, reg, value):
        if reg in _M_CONFIG_REGS:
            self.update()  # samples due so far were made with the old settings
        if reg in _M_READ_ONLY:
            return
        if reg == _M_PWR_MGMT_1 and value & 0x80:
            self._reset()  # DEVICE_RESET: every register to its reset value, bit self-clears
            return
        if reg == _M_FIFO_R_W:
            self._push(value)
            return
        if reg == _M_USER_CTRL:
            if value & 0x04:
                self.fifo.clear()  # FIFO_RST self-clears
            value &= ~0x05  # FIFO_RST, SIG_COND_RST read back 0
        self.regs[reg] = value
        if reg in _M_RATE_REGS:
            self._retime()


# ---------------------------------------------------------------------------- LSM6DSOX
_L_FIFO_CTRL1 = 0x07
_L_FIFO_CTRL3 = 0x09
_L_FIFO_CTRL4 = 0x0A
_L_WHO_AM_I = 0x0F
_L_CTRL1_XL = 0x10
_L_CTRL2_G = 0x11
_L_CTRL3_C = 0x12
_L_CTRL4_C = 0x13
_L_CTRL8_XL = 0x17
_L_CTRL9_XL = 0x18
_L_STATUS_REG = 0x1E
_L_OUTX_L_G = 0x22
_L_OUTX_L_A = 0x28
_L_FIFO_STATUS1 = 0x3A
_L_FIFO_STATUS2 = 0x3B
_L_INTERNAL_FREQ_FINE = 0x63
_L_FIFO_DATA_OUT_TAG = 0x78
_L_FIFO_DATA_OUT_Z_H = 0x7E
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


class LSM6DSOXModel(_Model):
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
        _Model.__init__(self, source, clock_ms)

    def _reset(self):
        r = self.regs
        for i in range(len(r)):
            r[i] = 0
        r[_L_WHO_AM_I] = self.WHO_AM_I
        r[_L_INTERNAL_FREQ_FINE] = self.freq_fine & 0xFF
        r[_L_CTRL3_C] = 0x04  # IF_INC
        r[_L_CTRL9_XL] = 0xE0
        self.fifo = _Fifo(7 * self.FIFO_WORDS)
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
        acc = (_clamp16(values[0] * a), _clamp16(values[1] * a), _clamp16(values[2] * a))
        gyr = (_clamp16(values[3] * g), _clamp16(values[4] * g), _clamp16(values[5] * g))
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
