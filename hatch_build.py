"""Build hook: compile the shared core for CPython with Cython (`pip install -e .` runs it).

The same .py files the board runs (firmware/hipthrust_core) are compiled, typed by
the augmenting .pxd files beside them, which MicroPython never reads (a copy of them,
with MicroPython's `@micropython.native` hints blanked). The extension
modules go to host/hipthrust/_native/compiled/, not next to the .py files (a stale
one there would shadow an edited .py), with build.json recording a hash of each
module's .py and .pxd: hipthrust._native uses them only while the sources still
match, else the pure Python core runs.

    pip install -e '.[dev]'                # builds them; run it again after editing the core
    HIPTHRUST_NATIVE=0 pip install -e .    # no build: the pure Python core runs
"""

import importlib.util
import json
import os
import shutil
import sysconfig
import tempfile
import time
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

# Compiled modules, dependencies first (protocol and records are not per-sample work).
MODULES = ("fixed", "vertical", "pitch", "accel_velocity", "velocity", "ring", "events", "reps",
           "detector")
SHARED = "hipthrust_core._cyutility"  # Cython's utility code (memoryviews), shared by all
CORE = Path("firmware/hipthrust_core")
OUT = Path("host/hipthrust/_native/compiled")
# Python semantics for // and % on negative numbers (cdivision off), as on MicroPython.
DIRECTIVES = {"language_level": 3, "cdivision": False}


def _native(root):
    # hipthrust._native (source_digest) without importing the host package.
    spec = importlib.util.spec_from_file_location(
        "_hipthrust_native", root / "host/hipthrust/_native/__init__.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _sources(root, dst):
    """Copy the core's .py (MicroPython's @micropython.native hints blanked: see
    hipthrust._native.strip_mp_native) and .pxd files to dst for Cython. Returns dst."""
    strip = _native(root).strip_mp_native
    dst.mkdir(parents=True)
    for path in sorted((root / CORE).iterdir()):
        if path.suffix == ".pxd":
            shutil.copyfile(path, dst / path.name)
        elif path.suffix == ".py":
            (dst / path.name).write_text(strip(path.read_text()))
    return dst


def build(root):
    """Compile MODULES into root/OUT and write build.json; returns the seconds taken."""
    from Cython import __version__ as cython_version
    from Cython.Build import cythonize
    from setuptools import Distribution, Extension

    t0 = time.monotonic()
    root = Path(root).resolve()
    out = root / OUT
    shutil.rmtree(out, ignore_errors=True)  # a failed build leaves nothing to load
    flags = [] if os.name == "nt" else ["-O2", "-g0"]
    digest = _native(root).source_digest
    digests = {m: digest(root / CORE, m) for m in MODULES}
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        src = _sources(root, Path(tmp) / "src" / "hipthrust_core")
        os.chdir(root)
        try:
            exts = [Extension(f"hipthrust_core.{m}", [(src / f"{m}.py").as_posix()],
                              extra_compile_args=flags) for m in MODULES]
            exts.append(Extension(SHARED, [], extra_compile_args=flags))
            exts = cythonize(exts, build_dir=str(Path(tmp) / "build"),
                             include_path=[str(src.parent)],
                             shared_utility_qualified_name=SHARED, compiler_directives=DIRECTIVES,
                             nthreads=os.cpu_count() or 1, force=True, quiet=True)
            dist = Distribution({"ext_modules": exts})
            cmd = dist.get_command_obj("build_ext")
            cmd.build_lib = str(out)
            cmd.build_temp = tmp
            cmd.parallel = os.cpu_count() or 1
            cmd.ensure_finalized()
            cmd.run()
        finally:
            os.chdir(cwd)
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    modules = {f"hipthrust_core.{m}": {"file": f"hipthrust_core/{m}{suffix}", "source": digests[m]}
               for m in MODULES}
    modules[SHARED] = {"file": f"hipthrust_core/_cyutility{suffix}", "source": None}
    for entry in modules.values():
        if not (out / entry["file"]).is_file():
            raise RuntimeError(f"compiled core: {entry['file']} was not built")
    # Written last: without it nothing is loaded.
    (out / "build.json").write_text(json.dumps(
        {"ext_suffix": suffix, "cython": cython_version, "modules": modules}, indent=1) + "\n")
    return time.monotonic() - t0


class CompiledCoreHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version, build_data):
        if self.target_name != "wheel" or os.environ.get("HIPTHRUST_NATIVE") == "0":
            return
        secs = build(self.root)
        self.app.display_info(f"compiled core built in {secs:.0f} s")
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
        if version != "editable":  # an editable install loads them from the source tree
            build_data["force_include"][str(Path(self.root) / OUT)] = "hipthrust/_native/compiled"
