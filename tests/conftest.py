"""pytest plugin: every file in tests/core/ also runs under the MicroPython unix port.

Each `test_*` function of such a file becomes two pytest items: the normal
CPython one and `<file>::micropython::<name>`, whose result comes from running
the file in the real `micropython` interpreter (one run per file, cached).
A missing interpreter fails these items; it never skips them.
"""

import ast
import re

import pytest

from tests import mpy

_RESULTS = {}


def _run_file(path):
    if path not in _RESULTS:
        proc = mpy.run_micropython([str(mpy.RUNNER), path.stem])
        cases = {}
        current = None
        for line in proc.stdout.splitlines():
            m = re.match(r"@@CASE (\S+) (PASS|FAIL)$", line)
            if m:
                current = m.group(1)
                cases[current] = [m.group(2), []]
                if m.group(2) == "PASS":
                    current = None
            elif line == "@@END":
                current = None
            elif current is not None:
                cases[current][1].append(line)
        _RESULTS[path] = (proc, cases)
    return _RESULTS[path]


class MicroPythonFailure(Exception):
    pass


class MicroPythonItem(pytest.Item):
    def runtest(self):
        proc, cases = _run_file(self.path)
        case = cases.get(self.case)
        if case is None:
            raise MicroPythonFailure(
                f"{self.case} did not run under MicroPython (exit {proc.returncode})\n"
                f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
            )
        if case[0] != "PASS":
            raise MicroPythonFailure("\n".join(case[1]))

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, MicroPythonFailure):
            return f"MicroPython traceback:\n{excinfo.value}"
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, None, f"{self.case} under MicroPython"


class MicroPythonFile(pytest.File):
    def collect(self):
        tree = ast.parse(self.path.read_text())
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                item = MicroPythonItem.from_parent(self, name=f"{node.name}[micropython]")
                item.case = node.name
                yield item


def pytest_collect_file(parent, file_path):
    if (
        file_path.suffix == ".py"
        and file_path.name.startswith("test_")
        and file_path.parent == mpy.CORE_TESTS
    ):
        return MicroPythonFile.from_parent(
            parent, path=file_path, name=f"{file_path.name}[micropython]"
        )
    return None


@pytest.fixture(autouse=True)
def _private_data_dirs(tmp_path, monkeypatch):
    """Keep every test away from the user's real data folder and session database."""
    monkeypatch.setenv("HIPTHRUST_DB", str(tmp_path / "hipthrust-test.db"))
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(var, str(tmp_path / "xdg" / var.lower()))
