"""Register model of the MPU-6886 (M5StickC Plus2) behind the fake machine.I2C.

    from mpu6886_model import MPU6886Model
    model = MPU6886Model(source, clock_ms)     # see imu_models.py for the contract
    machine.I2C.attach(0x68, model)
"""

from imu_model_base import Model, clamp16

try:
    from micropython import const
except ImportError:  # CPython: const() only tells MicroPython's compiler to inline

    def const(x):
        return x

_M_SMPLRT_DIV = const(0x19)
_M_CONFIG = const(0x1A)
_M_GYRO_CONFIG = const(0x1B)
_M_ACCEL_CONFIG = const(0x1C)
_M_ACCEL_CONFIG2 = const(0x1D)
_M_FIFO_EN = const(0x23)
_M_INT_STATUS = const(0x3A)
_M_ACCEL_XOUT_H = const(0x3B)
_M_USER_CTRL = const(0x6A)
_M_PWR_MGMT_1 = const(0x6B)
_M_PWR_MGMT_2 = const(0x6C)
_M_FIFO_COUNTH = const(0x72)
_M_FIFO_COUNTL = const(0x73)
_M_FIFO_R_W = const(0x74)
_M_WHO_AM_I = const(0x75)
_M_CONFIG_REGS = (
    _M_SMPLRT_DIV, _M_CONFIG, _M_GYRO_CONFIG, _M_ACCEL_CONFIG, _M_ACCEL_CONFIG2,
    _M_FIFO_EN, _M_USER_CTRL, _M_PWR_MGMT_1, _M_PWR_MGMT_2,
)
_M_RATE_REGS = (_M_SMPLRT_DIV, _M_CONFIG, _M_GYRO_CONFIG, _M_PWR_MGMT_1)
_M_READ_ONLY = (_M_WHO_AM_I, _M_FIFO_COUNTH, _M_FIFO_COUNTL, _M_INT_STATUS)


class MPU6886Model(Model):
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
        self.fifo = self.new_fifo(self.FIFO_SIZE)
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
            clamp16(values[0] * a), clamp16(values[1] * a), clamp16(values[2] * a),
            self.TEMP_RAW,
            clamp16(values[3] * g), clamp16(values[4] * g), clamp16(values[5] * g),
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
