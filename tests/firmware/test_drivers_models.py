"""The fakes the drivers run against: machine.py and the register models, bit by bit.

The drivers are only as well tested as these models are faithful, so their datasheet
behaviour is pinned here with raw bus traffic (no driver involved).
"""

from tests.firmware.test_drivers import run_mp


def test_i2c_bus_scan_missing_device_and_register_pointer():
    r = run_mp("""
machine.I2C.detach()
bus = machine.I2C(0, scl=machine.Pin(22), sda=machine.Pin(21), freq=400000)
report(bus.scan())
machine.I2C.attach(0x68, MPU6886Model(still, clock))
machine.I2C.attach(0x6A, LSM6DSOXModel(still, clock))
report(bus.scan())
try:
    bus.readfrom_mem(0x29, 0x00, 1)
except OSError as e:
    report(e.errno)
bus.writeto(0x68, b"\\x75")                  # pointer to WHO_AM_I, then a plain read
report(list(bus.readfrom(0x68, 1)))
report(list(bus.readfrom_mem(0x6A, 0x0F, 1)))
""")
    assert r == [[], [0x68, 0x6A], 19, [0x19], [0x6C]]


def test_mpu6886_reset_values_read_only_and_big_endian():
    r = run_mp("""
machine.I2C.detach()
m = MPU6886Model(lambda t: (0.5, -0.25, 1.0, 10.0, -20.0, 30.5), clock)
machine.I2C.attach(0x68, m)
bus = machine.I2C(0)
report(list(bus.readfrom_mem(0x68, 0x6B, 1)) + list(bus.readfrom_mem(0x68, 0x1A, 1)))
bus.writeto_mem(0x68, 0x75, b"\\x00")        # WHO_AM_I is read-only
report(bus.readfrom_mem(0x68, 0x75, 1)[0])
T[0] += 100
report(m.sample_rate_hz())                   # asleep after reset
bus.writeto_mem(0x68, 0x6B, b"\\x01")        # wake: DLPF_CFG 0 -> 8 kHz
report(m.sample_rate_hz())
bus.writeto_mem(0x68, 0x19, b"\\x09\\x04")    # burst write: SMPLRT_DIV 9, CONFIG 4 -> 100 Hz
report(m.sample_rate_hz())
T[0] += 20
bus.readfrom_mem(0x68, 0x3A, 1)              # INT_STATUS read brings the model up to date
report(list(bus.readfrom_mem(0x68, 0x3B, 14)))  # accel (2 g: 16384/g), temp, gyro (131/dps)
""")
    assert r[0] == [0x41, 0x80]  # PWR_MGMT_1 asleep, CONFIG reset value
    assert r[1] == 0x19
    assert r[2:5] == [0, 8000, 100.0]
    raw = r[5]
    words = [(raw[i] << 8 | raw[i + 1]) - (65536 if raw[i] & 0x80 else 0) for i in range(0, 14, 2)]
    assert words == [8192, -4096, 16384, 0, 1310, -2620, 3996]


def test_mpu6886_fifo_packets_count_and_overflow_modes():
    r = run_mp("""
machine.I2C.detach()
m = MPU6886Model(lambda t: (0.0, 0.0, 1.0, 0.0, 0.0, 0.0), clock)
machine.I2C.attach(0x68, m)
bus = machine.I2C(0)
for reg, val in ((0x6B, 1), (0x19, 9), (0x1A, 0x44), (0x23, 0x18), (0x6A, 0x44)):
    bus.writeto_mem(0x68, reg, bytes([val]))
T[0] += 50
cnt = bus.readfrom_mem(0x68, 0x72, 2)
report(cnt[0] << 8 | cnt[1])                 # 5 packets of 14 bytes, big-endian count
report(list(bus.readfrom_mem(0x68, 0x74, 14)))   # FIFO_R_W: the burst stays on the FIFO
T[0] += 5000                                  # 500 packets' worth into 1024 bytes
cnt = bus.readfrom_mem(0x68, 0x72, 2)
report([cnt[0] << 8 | cnt[1], bus.readfrom_mem(0x68, 0x3A, 1)[0] & 0x10,
        bus.readfrom_mem(0x68, 0x3A, 1)[0] & 0x10])
bus.writeto_mem(0x68, 0x6A, b"\\x44")        # FIFO_RST
cnt = bus.readfrom_mem(0x68, 0x72, 2)
report([cnt[0] << 8 | cnt[1], bus.readfrom_mem(0x68, 0x6A, 1)[0],
        list(bus.readfrom_mem(0x68, 0x74, 2))])
bus.writeto_mem(0x68, 0x1A, b"\\x04")        # FIFO_MODE 0: overwrite the oldest byte
T[0] += 5000
cnt = bus.readfrom_mem(0x68, 0x72, 2)
report(cnt[0] << 8 | cnt[1])
bus.writeto_mem(0x68, 0x6B, b"\\x80")        # DEVICE_RESET
report([bus.readfrom_mem(0x68, 0x6B, 1)[0], m.fifo.count, bus.readfrom_mem(0x68, 0x19, 1)[0]])
""")
    assert r[0] == 70
    # one packet: ax, ay, az (1 g = 0x4000 at the reset range 2 g), temperature, gx, gy, gz
    assert r[1] == [0, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    assert r[2] == [1024, 0x10, 0]  # full (stop mode keeps a partial packet), flag read-clears
    assert r[3] == [0, 0x40, [0xFF, 0xFF]]  # FIFO_RST self-clears; empty FIFO reads 0xFF
    assert r[4] == 1024
    assert r[5] == [0x41, 0, 0]


def test_lsm6dsox_tagged_words_little_endian_and_address_rounding():
    r = run_mp("""
machine.I2C.detach()
m = LSM6DSOXModel(lambda t: (0.0, 0.5, 1.0, 0.0, 0.0, -35.0), clock)
machine.I2C.attach(0x6A, m)
bus = machine.I2C(0)
report([bus.readfrom_mem(0x6A, 0x12, 1)[0], bus.readfrom_mem(0x6A, 0x0F, 1)[0]])
bus.writeto_mem(0x6A, 0x10, b"\\x40\\x4C")     # burst: CTRL1_XL 104 Hz 2 g, CTRL2_G 104 Hz 2000
bus.writeto_mem(0x6A, 0x09, b"\\x44\\x06")     # burst: BDR 104 Hz both, continuous mode
T[0] += 30
st = bus.readfrom_mem(0x6A, 0x3A, 2)
report(st[0] | (st[1] & 3) << 8)             # 3 slots x 2 words
words = bus.readfrom_mem(0x6A, 0x78, 28)     # four words in one burst: 0x7E rounds to 0x78
report(list(words))
st = bus.readfrom_mem(0x6A, 0x3A, 2)
report(st[0])
""")
    assert r[0] == [0x04, 0x6C]  # CTRL3_C resets with IF_INC; WHO_AM_I
    assert r[1] == 6
    words = [r[2][i:i + 7] for i in range(0, 28, 7)]
    tags = [w[0] for w in words]
    for t in tags:
        assert bin(t).count("1") % 2 == 0  # TAG_PARITY: even number of ones
    assert [t >> 3 for t in tags] == [1, 2, 1, 2]  # gyro, accel per time slot
    assert [(t >> 1) & 3 for t in tags] == [0, 0, 1, 1]  # TAG_CNT names the slot
    le = [[(w[i] | w[i + 1] << 8) - (65536 if w[i + 1] & 0x80 else 0) for i in (1, 3, 5)]
          for w in words]
    assert le[0] == [0, 0, -500] and le[1] == [0, 8197, 16393]  # 70 mdps, 0.061 mg per LSB
    assert r[3] == 2


def test_lsm6dsox_fifo_capacity_modes_flags_and_reset():
    r = run_mp("""
machine.I2C.detach()
m = LSM6DSOXModel(still, clock)
machine.I2C.attach(0x6A, m)
bus = machine.I2C(0)
def level():
    st = bus.readfrom_mem(0x6A, 0x3A, 2)
    return [st[0] | (st[1] & 3) << 8, st[1] & 0x48]
for reg, val in ((0x10, 0x40), (0x11, 0x40), (0x09, 0x34), (0x0A, 0x06)):
    bus.writeto_mem(0x6A, reg, bytes([val]))   # accel batched at 104 Hz, gyro at 52 Hz
T[0] += 1000
report(level())
T[0] += 10000
report([level(), level()])                     # full at 512 words; latched flag read-clears
bus.writeto_mem(0x6A, 0x0A, b"\\x00")          # bypass empties it
bus.writeto_mem(0x6A, 0x0A, b"\\x01")          # FIFO mode: stops when full
T[0] += 10000
report(level())
bus.writeto_mem(0x6A, 0x12, b"\\x01")          # SW_RESET
report([bus.readfrom_mem(0x6A, 0x10, 1)[0], bus.readfrom_mem(0x6A, 0x12, 1)[0], m.words()])
""")
    one_s, full, fifo_mode, reset = r
    assert abs(one_s[0] - 156) <= 2 and one_s[1] == 0  # 104 accel + 52 gyro words
    assert full[0] == [512, 0x48] and full[1] == [512, 0x40]
    assert fifo_mode[0] == 512
    assert reset == [0, 0x04, 0]


def test_pin_adc_wdt_and_reset_fakes():
    r = run_mp("""
P = machine.Pin
a = P(4, P.OUT, value=1)
b = P(4)
report([b.value(), P.level(4)])
btn = P(37, P.IN, P.PULL_UP)
edges = []
btn.irq(handler=lambda p: edges.append(p.value()), trigger=P.IRQ_FALLING)
report(btn.value())
P.set_level(37, 0)
P.set_level(37, 1)
P.set_level(37, 1)
report([btn.value(), edges])
machine.ADC.set_volts(38, 1.65)
adc = machine.ADC(P(38), atten=machine.ADC.ATTN_11DB)
report([adc.read_u16(), adc.read_uv()])
w = machine.WDT(timeout=2000)
w.feed()
w.feed()
report([machine.WDT.feeds, w.timeout, len(machine.unique_id())])
try:
    machine.reset()
except SystemExit:
    report(machine.RESETS)
""")
    assert r[0] == [1, 1]
    assert r[1] == 1  # pulled up
    assert r[2] == [1, [0]]  # one falling edge, handler saw the low level
    assert r[3] == [32768, 1650000]
    assert r[4] == [2, 2000, 6]
    assert r[5] == ["reset"]
