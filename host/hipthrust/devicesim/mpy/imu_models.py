"""Register models of the MPU-6886 and LSM6DSOX behind the fake machine.I2C.

    import machine
    from imu_models import MPU6886Model                    # or mpu6886_model
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

The code is split so the device simulator loads only its chip's model (heap):
imu_model_base.py (FIFO, register file, sample clock), mpu6886_model.py and
lsm6dsox_model.py. This module gathers both models for tests and scripts.
"""

from lsm6dsox_model import TAG_GYRO_NC, TAG_XL_NC, LSM6DSOXModel
from mpu6886_model import MPU6886Model

__all__ = ["MPU6886Model", "LSM6DSOXModel", "TAG_GYRO_NC", "TAG_XL_NC"]
