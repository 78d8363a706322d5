"""The radio bridge's pure parts: UUID forms and advertising data decoding."""

import pytest

from hipthrust.devicesim.bluez import flags_to_bluez
from hipthrust.devicesim.bridge import full_uuid, parse_advertising
from hipthrust_core import protocol as P
from tests.ble_fixtures import ad, advertising_payloads, uuid128_le


def test_full_uuid_accepts_every_form_the_device_may_send():
    battery = "0000180f-0000-1000-8000-00805f9b34fb"
    assert full_uuid(0x180F) == battery
    assert full_uuid("180F") == battery
    assert full_uuid("0x180f") == battery
    assert full_uuid(battery.upper()) == battery
    assert full_uuid(0x12345678) == "12345678-0000-1000-8000-00805f9b34fb"
    assert full_uuid(P.SERVICE_UUID) == P.SERVICE_UUID


@pytest.mark.parametrize("bad", ["", "12", "not-a-uuid", -1, 1 << 40, None])
def test_full_uuid_rejects_garbage(bad):
    with pytest.raises(ValueError):
        full_uuid(bad)


def test_parse_advertising_of_the_firmware_layout():
    adv, resp = advertising_payloads("HipThrust-1A2B")
    assert len(adv) <= 31 and len(resp) <= 31  # legacy advertising limit
    a = parse_advertising(adv)
    assert a["uuids"] == [P.SERVICE_UUID]
    assert "name" not in a
    assert parse_advertising(resp)["name"] == "HipThrust-1A2B"


def test_parse_advertising_other_fields():
    payload = (ad(0x08, b"Short") + ad(0x09, b"Complete name") + ad(0x03, b"\x0d\x18\x0f\x18")
               + ad(0x0A, b"\xf8") + ad(0x16, b"\x0f\x18\x57") + ad(0xFF, b"\x59\x00\x01\x02")
               + ad(0x06, uuid128_le(P.SERVICE_UUID)) + b"\x00\x00")
    out = parse_advertising(payload)
    assert out["name"] == "Complete name"
    assert out["uuids"] == [P.sig_uuid(0x180D), P.sig_uuid(0x180F), P.SERVICE_UUID]
    assert out["tx_power"] == -8
    assert out["service_data"] == {P.sig_uuid(0x180F): b"\x57"}
    assert out["manufacturer_data"] == {0x0059: b"\x01\x02"}


def test_parse_advertising_rejects_overrun():
    with pytest.raises(ValueError, match="runs past the end"):
        parse_advertising(b"\x05\x09ab")


def test_micropython_flags_map_to_bluez_flag_names():
    assert flags_to_bluez(0x02 | 0x10) == ["read", "notify"]
    assert flags_to_bluez(0x04 | 0x08) == ["write-without-response", "write"]
    assert flags_to_bluez(0) == []
