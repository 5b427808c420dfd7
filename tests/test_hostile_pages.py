"""Issue 14 on the pages: metadata, URL parameters and stored dates that are hostile or out of range."""
from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from handmade_store import build_handmade_store

DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")
PHISH = "[Reuters](https://evil.example/login) ![x](https://evil.example/pixel.png) www.evil.example"


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return build_handmade_store(tmp_path_factory.mktemp("hostile") / "hm.duckdb")


@pytest.fixture
def store(base, tmp_path, monkeypatch):
    """A copy of the hand-made store whose article a2 has a markdown outlet and a date of year 1."""
    path = tmp_path / "hostile.duckdb"
    shutil.copy(base, path)
    con = duckdb.connect(str(path))
    con.execute("UPDATE articles SET outlet = ?, outlets = [?], pub_date = DATE '0001-01-01' WHERE article_id = 'a2'",
                [PHISH, PHISH])
    con.execute("UPDATE articles SET pub_date = DATE '9999-12-31' WHERE article_id = 'a3'")
    con.close()
    monkeypatch.setenv("DIPLOTONE_STORE", str(path))
    return path


def _unescaped_link(text: str) -> bool:
    return bool(re.search(r"(?<!\\)\]\((?!\s)|(?<!\\)!\[|https?://|www\.evil", text))


def test_markdown_in_an_outlet_is_shown_as_text_and_dates_out_of_range_draw(store):
    at = AppTest.from_file(DASHBOARD, default_timeout=60).run()
    assert not at.exception, at.exception
    for page in ("pages/overview.py", "pages/people.py", "pages/tone_shifts.py", "pages/articles.py"):
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
    at.selectbox(key="article").set_value("a2").run()
    assert not at.exception
    outlet = next(m for m in at.get("metric") if m.label == "Outlet")
    assert outlet.value == ("\\[Reuters\\]\\(https\\://evil\\.example/login\\) \\!\\[x\\]\\(https\\://evil\\.example/"
                            "pixel\\.png\\) www\\.evil\\.example")
    assert not _unescaped_link(outlet.value)


def test_the_corpus_editor_opens_on_a_date_it_cannot_hold_and_says_so(store):
    at = AppTest.from_file(DASHBOARD, default_timeout=60).run()
    at.switch_page("pages/corpus.py").run()
    at.selectbox(key="co_edit").set_value("a2").run()
    assert not at.exception, at.exception
    today = dt.date.today().isoformat()
    assert [w.value for w in at.warning if "stored date" in w.value] == [
        f"The stored date 0001-01-01 must be between 1900-01-01 and today ({today}): set the right one."]


def test_an_unknown_person_in_the_url_is_quoted_as_text_in_the_notice(store):
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    at.query_params["person"] = "[Verify your account](https://evil.example/login)"
    at.run()
    assert not at.exception
    notices = [w.value for w in at.warning if "Verify" in w.value]
    assert notices and not any(_unescaped_link(n) for n in notices), notices
    assert "\\[Verify your account\\]\\(https\\://evil\\.example/login\\)" in notices[0]
