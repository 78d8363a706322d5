"""Persisted settings: a small JSON file on flash, validated against the protocol.

    from hipthrust_fw.settings import Settings
    s = Settings("settings.json")
    s.get(P.K_RATE_HZ)               # 100 (Hz)
    s.set(P.K_SET_END_S, 30)         # R_OK, written to flash at once

A missing, unreadable or invalid file gives the defaults for every key, sets
`defaulted` (reported as SF_SETTINGS_DEFAULTED in the status) and logs a line
saying so; the file is only rewritten by a successful `set`. Keys in the file are
names (`set_end_s`, `rate_hz`) so a person can read and edit it.
"""

import json
import os

from hipthrust_core import protocol as P

# key code (protocol K_*) -> (name in the file, default value). Ranges live in
# protocol.SETTING_RANGES, the one place the host and the device share.
DEFAULTS = {
    P.K_SET_END_S: ("set_end_s", 20),  # s of rest that end a set
    P.K_RATE_HZ: ("rate_hz", 100),  # IMU output data rate, Hz
}


def check(key, value):
    """R_* status for setting key to value (an int): R_OK when it is allowed."""
    rng = P.SETTING_RANGES.get(key)
    if rng is None or key not in DEFAULTS:
        return P.R_BAD_VALUE
    if not isinstance(value, int) or isinstance(value, bool):
        return P.R_BAD_VALUE
    if value < rng[0] or value > rng[1]:
        return P.R_BAD_VALUE
    if key == P.K_RATE_HZ and value not in P.RATES_HZ:
        return P.R_BAD_VALUE
    return P.R_OK


class Settings:
    """Settings loaded from `path`; `log(msg)` receives one line per problem."""

    def __init__(self, path="settings.json", log=print):
        self.path = path
        self._log = log
        self.values = {}
        self.defaulted = False
        self.load()

    def _defaults(self, why):
        for key in DEFAULTS:
            self.values[key] = DEFAULTS[key][1]
        self.defaulted = True
        self._log("settings: {}; using defaults".format(why))

    def load(self):
        """(Re)read the file; on any problem fall back to the defaults and flag it."""
        try:
            with open(self.path) as f:
                text = f.read()
        except OSError:
            self._defaults("no file " + self.path)
            return
        try:
            data = json.loads(text)
        except ValueError:
            self._defaults(self.path + " is not valid JSON")
            return
        if not isinstance(data, dict):
            self._defaults(self.path + " is not a JSON object")
            return
        values = {}
        for key in DEFAULTS:
            name, default = DEFAULTS[key]
            value = data.get(name, default)
            if check(key, value) != P.R_OK:
                self._defaults("{} = {!r} is out of range in {}".format(name, value, self.path))
                return
            values[key] = value
        self.values = values
        self.defaulted = False

    def get(self, key):
        """Current value of setting key (protocol K_*), in the key's unit."""
        return self.values[key]

    def set(self, key, value):
        """Validate, apply and persist one setting. Returns an R_* status; on anything but
        R_OK nothing changes."""
        status = check(key, value)
        if status != P.R_OK:
            return status
        old = self.values.get(key)
        self.values[key] = value
        try:
            self.save()
        except OSError as exc:
            self.values[key] = old
            self._log("settings: cannot write {}: {}".format(self.path, exc))
            return P.R_BAD_VALUE
        self.defaulted = False
        return P.R_OK

    def save(self):
        """Write every value to the file; a temporary file and a rename keep a power cut
        from leaving half a file behind."""
        data = {}
        for key in DEFAULTS:
            data[DEFAULTS[key][0]] = self.values[key]
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            f.write(json.dumps(data))
        os.rename(tmp, self.path)
