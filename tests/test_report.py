"""The session report renders: the PNG is inspected pixel by pixel, the HTML parsed."""

import base64
import io
import re
from datetime import datetime

import matplotlib.image as mpimg
import numpy as np
import pytest

from hipthrust.errors import UnknownSessionError, UsageError
from hipthrust.report import COLORS, ReportError, write_report
from hipthrust.store import Store
from hipthrust_core import protocol as P
from tests.test_store_builder import RepSpec, record_session

T0 = datetime(2026, 3, 4, 18, 0).timestamp()


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "s.db") as st:
        sid = record_session(st, [[RepSpec()] * 10, [RepSpec(hold=0.4)] * 6,
                                  [RepSpec(flags=P.RF_PARTIAL, rom=0.2)] * 8], T0)
        st.tag(sid, load_kg=120.0)
        yield st


def _rgb(hex_color):
    return np.array([int(hex_color[i:i + 2], 16) / 255 for i in (1, 3, 5)])


def _pixels_near(img, hex_color, tol=0.02):
    return int((np.abs(img[:, :, :3] - _rgb(hex_color)) < tol).all(axis=2).sum())


def test_png_has_tempo_velocity_rom_bars_and_flags(store, tmp_path):
    out = write_report(store, 1, tmp_path / "r.png")
    img = mpimg.imread(out)
    h, w = img.shape[:2]
    assert w >= 800 and h >= 800
    non_white = (img[:, :, :3] < 0.95).any(axis=2).mean()
    assert 0.05 < non_white < 0.9
    for phase in ("concentric", "hold", "eccentric", "bottom"):
        assert _pixels_near(img, COLORS[phase]) > 500, phase
    assert _pixels_near(img, COLORS["flag"]) > 200  # flagged reps and partial ROM bars


def test_png_without_flags_has_no_red(tmp_path):
    with Store(tmp_path / "ok.db") as st:
        record_session(st, [[RepSpec()] * 8] * 3, T0)
        img = mpimg.imread(write_report(st, 1, tmp_path / "ok.png"))
    assert _pixels_near(img, COLORS["flag"]) == 0


def test_html_report(store, tmp_path):
    text = write_report(store, 1, tmp_path / "r.html").read_text()
    assert text.startswith("<!DOCTYPE html>")
    rows = re.findall(r"<tr><td>(\d+)</td><td>(\d+)</td>", text)
    assert rows == [("1", "10"), ("2", "6"), ("3", "8")]
    assert "hold 0.4 s median, 6 of 6 under 1 s" in text
    assert "8 of 8 reps short of full hip extension" in text
    png = base64.b64decode(re.search(r'src="data:image/png;base64,([^"]+)"', text).group(1))
    assert mpimg.imread(io.BytesIO(png)).shape[1] >= 800


def test_report_errors(store, tmp_path):
    with pytest.raises(UsageError):
        write_report(store, 1, tmp_path / "r.svg")
    with pytest.raises(UnknownSessionError):
        write_report(store, 5, tmp_path / "r.png")
    with pytest.raises(ReportError, match="does not exist"):
        write_report(store, 1, tmp_path / "no" / "r.png")
    assert not (tmp_path / "r.svg").exists() and not (tmp_path / "no").exists()
