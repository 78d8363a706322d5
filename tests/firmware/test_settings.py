"""Settings JSON on flash, run in the MicroPython unix port (cwd = a temp folder)."""

import json

from tests.firmware.mpfw import run

_LOAD = """
from hipthrust_core import protocol as P
from hipthrust_fw.settings import Settings
logs = []
s = Settings("settings.json", log=logs.append)
report({"set_end": s.get(P.K_SET_END_S), "rate": s.get(P.K_RATE_HZ),
        "defaulted": s.defaulted, "logs": logs})
"""


def _load(tmp_path, text=None):
    if text is not None:
        (tmp_path / "settings.json").write_text(text)
    (r,), _ = run(_LOAD, cwd=tmp_path)
    return r


def test_valid_file_is_used(tmp_path):
    r = _load(tmp_path, json.dumps({"set_end_s": 45, "rate_hz": 200}))
    assert r == {"set_end": 45, "rate": 200, "defaulted": False, "logs": []}


def test_missing_key_takes_its_default(tmp_path):
    r = _load(tmp_path, json.dumps({"rate_hz": 50}))
    assert r == {"set_end": 20, "rate": 50, "defaulted": False, "logs": []}


def test_missing_file_gives_defaults_flag_and_log(tmp_path):
    r = _load(tmp_path)
    assert (r["set_end"], r["rate"], r["defaulted"]) == (20, 100, True)
    assert r["logs"] == ["settings: no file settings.json; using defaults"]


def test_corrupt_file_gives_defaults_flag_and_log(tmp_path):
    r = _load(tmp_path, '{"set_end_s": 4')
    assert (r["set_end"], r["rate"], r["defaulted"]) == (20, 100, True)
    assert r["logs"] == ["settings: settings.json is not valid JSON; using defaults"]


def test_not_an_object_gives_defaults(tmp_path):
    r = _load(tmp_path, "[1, 2]")
    assert r["defaulted"] is True
    assert r["logs"] == ["settings: settings.json is not a JSON object; using defaults"]


def test_out_of_range_value_gives_defaults(tmp_path):
    for bad in ({"set_end_s": 4}, {"set_end_s": 121}, {"rate_hz": 150}, {"rate_hz": "100"},
                {"set_end_s": 20.5}):
        r = _load(tmp_path, json.dumps(bad))
        assert (r["set_end"], r["rate"], r["defaulted"]) == (20, 100, True), bad
        (name, value), = bad.items()
        assert r["logs"] == [
            f"settings: {name} = {value!r} is out of range in settings.json; using defaults"
        ], bad


def test_set_validates_persists_and_clears_the_flag(tmp_path):
    (r,), _ = run("""
from hipthrust_core import protocol as P
from hipthrust_fw.settings import Settings
s = Settings("settings.json", log=lambda m: None)
before = s.defaulted
bad = [s.set(P.K_SET_END_S, 4), s.set(P.K_RATE_HZ, 150), s.set(9, 10), s.set(P.K_RATE_HZ, True)]
after_bad = (s.get(P.K_SET_END_S), s.get(P.K_RATE_HZ), s.defaulted)
ok = s.set(P.K_SET_END_S, 30)
again = Settings("settings.json", log=lambda m: None)
report({"before": before, "bad": bad, "after_bad": after_bad, "ok": ok,
        "reloaded": [again.get(P.K_SET_END_S), again.get(P.K_RATE_HZ), again.defaulted]})
""", cwd=tmp_path)
    assert r["before"] is True
    assert r["bad"] == [3, 3, 3, 3]  # R_BAD_VALUE
    assert r["after_bad"] == [20, 100, True]
    assert r["ok"] == 0
    assert r["reloaded"] == [30, 100, False]
    assert json.loads((tmp_path / "settings.json").read_text()) == {"set_end_s": 30,
                                                                    "rate_hz": 100}
    assert not (tmp_path / "settings.json.tmp").exists()


def test_failed_write_changes_nothing(tmp_path):
    (r,), _ = run("""
from hipthrust_core import protocol as P
from hipthrust_fw.settings import Settings
logs = []
s = Settings("nodir/settings.json", log=logs.append)
status = s.set(P.K_SET_END_S, 30)
report({"status": status, "value": s.get(P.K_SET_END_S), "log": logs[-1]})
""", cwd=tmp_path)
    assert r["status"] == 3
    assert r["value"] == 20
    assert r["log"].startswith("settings: cannot write nodir/settings.json:")
