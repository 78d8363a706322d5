"""The compiled core: hipthrust_core's per-sample modules built by Cython from the same
.py files (hatch_build.py), used on CPython while they match those files.

    import hipthrust                 # installs the finder (hipthrust/__init__.py)
    hipthrust._native.status()       # "compiled", or why the pure Python core runs

compiled/build.json records a hash of each compiled module's .py and .pxd. An edit
to the core without a reinstall would otherwise run the old code, silently: then
none of the compiled modules is loaded (they use each other's C types: all or
none), the pure Python core runs and a RuntimeWarning says so (tests/test_native.py
fails on it). Also pure: HIPTHRUST_NATIVE=0, no build, a build for another Python,
or a core module imported before the finder was installed.
"""

import hashlib
import importlib.util
import json
import os
import sys
import sysconfig
import warnings
from pathlib import Path

DIR = Path(__file__).parent / "compiled"
_state = None  # (module name -> extension file, or None; reason), found once


MP_NATIVE = "@micropython.native"  # MicroPython's hint: compile this method to machine code


def strip_mp_native(text):
    """Source text with each line that is only MP_NATIVE blanked (line numbers kept):
    for Cython, which would apply it as a decorator (the typed method becoming a slow
    Python-level one), and for boards whose firmware is built as bytecode."""
    return "".join("\n" if line.strip() == MP_NATIVE else line
                   for line in text.splitlines(keepends=True))


def source_digest(core, module):
    """sha256 (hex) of module's .py and .pxd in the folder core (shared with the build)."""
    h = hashlib.sha256()
    for ext in (".py", ".pxd"):
        path = Path(core) / (module + ext)
        h.update(path.read_bytes() if path.is_file() else b"")
        h.update(b"\0")
    return h.hexdigest()


def check(core, directory=DIR):
    """(module name -> extension file, "compiled") when the build in directory matches
    the sources in the folder core, else (None, the reason)."""
    if os.environ.get("HIPTHRUST_NATIVE") == "0":
        return None, "turned off (HIPTHRUST_NATIVE=0)"
    try:
        info = json.loads((Path(directory) / "build.json").read_text())
    except FileNotFoundError:
        return None, "not built"
    if info.get("ext_suffix") != sysconfig.get_config_var("EXT_SUFFIX"):
        return None, "built for another Python"
    files = {}
    for name, entry in info["modules"].items():
        path = Path(directory) / entry["file"]
        if not path.is_file():
            return None, f"{entry['file']} is missing"
        if entry["source"] and source_digest(core, name.rpartition(".")[2]) != entry["source"]:
            return None, (f"{name} changed since it was compiled: "
                          "run `pip install -e .` again to rebuild it")
        files[name] = path
    return files, "compiled"


def _files():
    global _state
    if _state is None:
        core = importlib.util.find_spec("hipthrust_core").submodule_search_locations[0]
        _state = check(core)
        if _state[0] is None and "changed" in _state[1]:
            warnings.warn(f"pure Python core in use: {_state[1]}", RuntimeWarning, stacklevel=3)
    return _state[0]


def status():
    """"compiled" when the compiled core is (or will be) loaded, else why not."""
    files = _files()
    if files is not None and not _mixed(files):
        return "compiled"
    return _state[1] if files is None else "pure core modules were imported first"


def _mixed(files):
    # A core module already imported as pure Python: the compiled ones would not load.
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    for name in files:
        module = sys.modules.get(name)
        if module is not None and not str(getattr(module, "__file__", "")).endswith(suffix):
            return True
    return False


class _Finder:
    """Meta path finder: hipthrust_core modules from compiled/ while they are current."""

    def find_spec(self, name, path=None, target=None):
        if not name.startswith("hipthrust_core."):
            return None
        files = _files()
        if files is None or name not in files or _mixed(files):
            return None
        return importlib.util.spec_from_file_location(name, files[name])


def install():
    """Put the finder first on sys.meta_path (once)."""
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
