"""Firmware-only package: app loop, BLE link, IMU drivers and board files."""
