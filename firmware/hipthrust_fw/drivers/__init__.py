"""Register-level IMU drivers, FIFO based, allocation-free on read.

Every driver writes samples in one body frame (see imu_base.py): integers, acceleration
in mg and angular rate in 0.1 deg/s, after the board's axis map.
"""
