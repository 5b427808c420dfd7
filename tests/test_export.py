"""`write_charts`: every chart as PNG (2x) and SVG through kaleido and Debian's chromium, plus CSVs."""
from __future__ import annotations

import struct

import pytest

from core.export import write_charts
from core.filters import Filters
from handmade_store import build_handmade_store

pytestmark = pytest.mark.slow


def test_write_charts_renders_png_and_svg(tmp_path):
    store = build_handmade_store(tmp_path / "hm.duckdb")
    out = tmp_path / "charts"
    files = write_charts(store, out, Filters(sides=["China"]))
    stems = {p.stem for p in files}
    assert {"issue_frequency", "tone_trend", "people", "tone_shift_by_side_blinken-2023-06_to_blinken-2024-04",
            "side_words_by_year"} <= stems  # a chart that depends on a choice is named by it
    assert {p.suffix for p in files} == {".png", ".svg"}
    png = (out / "tone_trend.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (2000, 1184)  # 1000 x (560 + 32 for the two-line low-confidence note) at 2x scale
    svg = (out / "people.svg").read_text()
    assert svg.lstrip().startswith("<svg") and "Side: China" in svg and "Source: Diplotone" in svg
    assert (out / "people.csv").read_text().splitlines()[0].startswith("person,side")


def test_write_charts_of_an_empty_selection_still_writes_explained_charts(tmp_path):
    store = build_handmade_store(tmp_path / "hm.duckdb")
    files = write_charts(store, tmp_path / "out", Filters(outlets=["Nowhere"]), formats=("svg",))
    svg = (tmp_path / "out" / "issue_frequency.svg").read_text()
    assert files and "No issue is discussed" in svg and "0 articles" in svg


def test_csv_text_is_readable_and_safe_in_a_spreadsheet():
    import datetime as dt

    import pandas as pd

    from core.export import csv_text

    df = pd.DataFrame({"title": ["=HYPERLINK(\"x\")", "Plain", None], "tone": [-0.5, 0.2, None],
                       "pub_date": [dt.date(2024, 4, 30), None, dt.date(2023, 6, 18)],
                       "when": pd.to_datetime(["2024-04-30", "2023-01-01", None])})
    lines = csv_text(df).splitlines()
    assert lines[1] == "\"'=HYPERLINK(\"\"x\"\")\",-0.5,2024-04-30,2024-04-30"
    assert lines[2] == "Plain,0.2,,2023-01-01"
    assert "None" not in csv_text(df) and "00:00:00" not in csv_text(df)
