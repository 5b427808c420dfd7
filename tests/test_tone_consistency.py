"""One selection's tone numbers are the same wherever they are shown: the Overview trend, the
Articles page, the Tone-shifts page, the CSVs and `diplotone extract` (core.tone.aggregates)."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

from core.store import queries as Q
from core.cli import main
from core.export import write_charts
from core.filters import Filters
from core.paths import seeds_dir
from core.store.db import read_connection

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def tables(seed_store):
    with read_connection(seed_store) as con:
        trend = Q.tone_trend(con, Filters())
        articles = Q.article_table(con, Filters())
        metas = {aid: Q.article_meta(con, aid).iloc[0] for aid in articles["article_id"]}
        visits = Q.visit_tone(con, Filters())
    return trend, articles, metas, visits


def test_article_tone_is_one_number_in_trend_articles_page_csv_and_extract(seed_store, tables, tmp_path):
    trend, articles, metas, _ = tables
    by_trend = trend.set_index("article_id")["tone"]
    by_table = articles.set_index("article_id")["tone"]
    assert len(by_trend) == 5
    for aid, tone in by_trend.items():
        assert by_table[aid] == pytest.approx(tone, abs=5e-4)
        assert round(metas[aid]["tone"], 3) == pytest.approx(tone, abs=5e-4)
    write_charts(seed_store, tmp_path, formats=())
    csv = pd.read_csv(tmp_path / "tone_trend.csv").set_index("article_id")["tone"]
    pd.testing.assert_series_equal(csv.sort_index(), by_trend.sort_index(), check_dtype=False, atol=5e-4)
    files = sorted(str(p) for p in seeds_dir().glob("0*.txt"))
    out = CliRunner().invoke(main, ["extract", *files])
    assert out.exit_code == 0, out.output
    extracted = {json.loads(line)["file"]: json.loads(line)["tone"] for line in out.output.splitlines()}
    by_file = dict(zip(articles["file"].map(lambda f: Path(f).name), articles["tone"]))
    assert {Path(f).name: t for f, t in extracted.items()} == pytest.approx(by_file, abs=5e-4)


def test_visit_tone_on_the_tone_shifts_page_is_the_mean_of_the_trend_and_the_csv(seed_store, tables, tmp_path,
                                                                                 monkeypatch):
    trend, _, _, visits = tables
    expected = trend[trend["visit"] != "other"].groupby("visit")["tone"].mean().round(3)
    got = visits.set_index("visit")
    assert got["tone"].to_dict() == pytest.approx(expected.to_dict(), abs=1.5e-3)  # both rounded to 3 places
    assert got["articles"].to_dict() == trend[trend["visit"] != "other"].groupby("visit").size().to_dict()
    assert ((got["low"] <= got["tone"]) & (got["tone"] <= got["high"])).all()
    write_charts(seed_store, tmp_path, formats=())
    csv = pd.read_csv(tmp_path / "visit_tone.csv").set_index("visit")["tone"]
    assert csv.to_dict() == pytest.approx(got["tone"].to_dict(), abs=1e-3)
    monkeypatch.setenv("DIPLOTONE_STORE", str(seed_store))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/tone_shifts.py")
    at.run()
    assert not at.exception, at.exception
    shown = {m.label: m.value for m in at.metric}
    order = got.sort_values("first_date").index.tolist()
    for visit in (order[0], order[-1]):
        label = next(k for k in shown if k.startswith("Tone of coverage") and visit_short(visit) in k)
        assert shown[label] == f"{got.loc[visit, 'tone']:+.2f}"


def visit_short(visit_id: str) -> str:
    from core.catalogs import load_catalogs
    from core.figures import visit_label

    return visit_label(load_catalogs().visits, visit_id, short=True)
