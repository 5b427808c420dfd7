"""Every page under Streamlit's AppTest on the hand-made store: charts, filters, empty states, URLs."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from handmade_store import build_handmade_store, downgrade_to_schema_1

PAGES = ["pages/overview.py", "pages/issues.py", "pages/people.py", "pages/tone_shifts.py",
         "pages/articles.py", "pages/corpus.py"]
MIN_CHARTS = {"pages/overview.py": 3, "pages/issues.py": 3, "pages/people.py": 3, "pages/tone_shifts.py": 5,
              "pages/articles.py": 1, "pages/corpus.py": 0}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return build_handmade_store(tmp_path_factory.mktemp("hm") / "hm.duckdb")


@pytest.fixture
def app(store, monkeypatch):
    monkeypatch.setenv("DIPLOTONE_STORE", str(store))
    return AppTest.from_file(str(Path(__file__).resolve().parent.parent / "dashboard.py"), default_timeout=60)


def _figures(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def _subtitles(at) -> list[str]:
    return [f["layout"]["title"]["subtitle"]["text"] for f in _figures(at)]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_its_charts(app, page):
    app.run()
    app.switch_page(page)
    app.run()
    assert not app.exception, app.exception
    assert not app.error, [e.value for e in app.error]
    assert len(app.get("plotly_chart")) >= MIN_CHARTS[page]
    for fig in _figures(app):
        assert fig["layout"]["title"]["text"]
        assert any("Source: Diplotone" in a.get("text", "") for a in fig["layout"]["annotations"])


def test_filters_change_the_data_and_survive_a_page_change(app, store, monkeypatch):
    # AppTest drops entrypoint sidebar widgets after a session's first run when st.navigation is
    # used, so filters are applied here the way a shared link applies them (the browser test
    # drives the real sidebar).
    app.run()
    assert "All articles · 5 articles" in _subtitles(app)[0]
    filtered = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "dashboard.py"), default_timeout=60)
    filtered.query_params["visit"] = "blinken-2024-04"
    filtered.run()
    assert "Visit: Blinken in Shanghai and Beijing (Apr 2024) · 2 articles" in _subtitles(filtered)[0]
    assert filtered.session_state["filters"].visits == ("blinken-2024-04",)
    filtered.switch_page("pages/people.py")
    filtered.run()  # a page change keeps the filters
    assert all("Visit: Blinken in Shanghai and Beijing (Apr 2024)" in s for s in _subtitles(filtered))
    people = _figures(filtered)[0]
    names = {y for trace in people["data"] for y in trace["y"]}
    assert "Janet Yellen" not in names and "Wang Yi" in names


def test_url_parameters_reproduce_the_view_and_unknown_values_give_a_notice(app):
    app.query_params["issue"] = ["taiwan", "unicorns"]
    app.query_params["side"] = "China"
    app.query_params["from"] = "not-a-date"
    app.run()
    assert not app.exception
    assert app.multiselect(key="f_issue").value == ["taiwan"]
    assert app.multiselect(key="f_side").value == ["China"]
    notices = " ".join(re.sub(r"\\(.)", r"\1", w.value) for w in app.warning)  # as rendered (markdown-escaped)
    assert "unicorns" in notices and "not-a-date" in notices
    assert _subtitles(app)[0].startswith("Issue: Taiwan · Side: China")


def test_empty_selection_shows_messages_on_every_chart(app):
    app.query_params["from"] = "2030-01-01"
    app.run()
    assert not app.exception
    assert any("No article matches" in w.value for w in app.warning)
    for page in PAGES[:3]:
        app.switch_page(page)
        app.run()
        for fig in _figures(app):
            assert not fig["data"], fig["layout"]["title"]["text"]
            assert "Widen the filters" in json.dumps(fig["layout"]["annotations"])


def test_clicking_a_mark_adds_its_value_and_a_second_click_removes_it(app):
    from pages import common

    app.run()
    selection = {"selection": {"points": [{"customdata": ["trade", 3, 3]}]}}
    assert common.clicked_values(selection, 0) == ["trade"]
    assert common.clicked_values({"selection": {"points": [{"y": "Wang Yi", "customdata": ["China"]}]}}, None) == ["Wang Yi"]
    assert common.clicked_values({"selection": {"points": [{"customdata": ["Reuters &amp; AP", "taiwan"]}]}}, 0) == \
        ["Reuters & AP"]
    with pytest.MonkeyPatch.context() as mp:  # the callback runs before the rerun, as Streamlit does for a click
        state = {"chart_issue_frequency_0": selection, "f_issue": ["taiwan"]}
        mp.setattr(common.st, "session_state", state)
        common._select_callback("chart_issue_frequency_0", [("issue", 0)], "issue_frequency")()
        assert state["f_issue"] == ["taiwan", "trade"] and state["_clicks_issue_frequency"] == 1
        common._select_callback("chart_issue_frequency_0", [("issue", 0)], "issue_frequency")()
        assert state["f_issue"] == ["taiwan"]


def test_article_reader_escapes_article_html(app):
    app.run()
    app.switch_page("pages/articles.py")
    app.run()
    app.selectbox(key="article").set_value("a1").run()  # the article with hostile markup
    assert not app.exception
    html = " ".join(str(h.proto.body) for h in app.get("html"))
    assert "subscribe prompt" in html  # removed boilerplate shown with its reason
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # in a removed line
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # in a sentence
    assert "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;" in html  # in the title line
    for raw in ("<script", "<img", "<a href", 'href="javascript'):
        assert raw not in html, raw
    # Titles and evidence go through markdown: escaped there too (no tag, no javascript: link).
    markdown = [m.value for m in app.get("subheader")] + [m.value for m in app.get("markdown")]
    assert any("\\<script\\>" in m and "\\[go\\]\\(javascript\\:" in m for m in markdown), markdown
    assert not any(re.search(r"(?<!\\)<(script|img|a )", m) or "](javascript:" in m for m in markdown)


def test_article_page_names_the_outlet_and_the_wire_it_credits(app):
    app.run()
    app.switch_page("pages/articles.py")
    app.run()
    app.selectbox(key="article").set_value("a1").run()  # SCMP's reprint of a Reuters story
    shown = lambda: re.sub(r"\\(.)", r"\1", app.get("metric")[0].value)  # noqa: E731 (markdown escapes render as the character)
    assert shown() == "SCMP (credits Reuters)"
    app.selectbox(key="article").set_value("a2").run()  # Reuters' own story credits nobody else
    assert shown() == "Reuters"


def test_a_store_from_an_older_version_is_upgraded_on_start(tmp_path, monkeypatch):
    import duckdb

    from core.store.schema import SCHEMA_VERSION

    path = build_handmade_store(tmp_path / "old.duckdb")
    downgrade_to_schema_1(path)
    monkeypatch.setenv("DIPLOTONE_STORE", str(path))
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "dashboard.py"), default_timeout=60).run()
    assert not at.exception and not at.error
    assert len(at.get("plotly_chart")) >= MIN_CHARTS["pages/overview.py"]
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
    con.close()


def _evidence_lists(at) -> list[list[str]]:
    """Each evidence panel's rows (the HTML reading list), as the text of each row."""
    import html as h

    out = []
    for el in at.get("html"):
        body = str(el.proto.body)
        if 'class="dt-ev"' in body:
            rows = re.findall(r'<div class="row">(.*?)</div></div>', body)
            out.append([h.unescape(re.sub(r"<[^>]+>", " ", r)) for r in rows])
    return out


def test_every_evidence_panel_states_its_number_and_lists_its_rows(app):
    """Each chart's evidence panel: a statement of the number, then as many rows as it counts."""
    app.run()
    for page, panels in (("pages/overview.py", 3), ("pages/issues.py", 3), ("pages/people.py", 2),
                         ("pages/tone_shifts.py", 5)):
        app.switch_page(page)
        app.run()
        assert not app.exception, app.exception
        boxes = [s for s in app.selectbox if s.key and s.key.startswith("ev_")]
        assert len(boxes) == panels, (page, [s.key for s in boxes])
        statements = [m.value for m in app.markdown if m.value.startswith("**")]
        lists = _evidence_lists(app)
        assert len(statements) == len(lists) == panels, page
        first = statements[0]
        if page == "pages/overview.py":  # "**Global order…: 5 sentences** tagged…": one row per sentence
            n = int(re.search(r": (\d+) sentences?\*\*", first).group(1))
            assert len(lists[0]) == n


def test_visit_change_evidence_lists_only_the_first_and_last_visit(app):
    app.run()
    box = app.selectbox(key="ev_ov_change")
    box.set_value(next(n for n, label in enumerate(box.options) if "Trade" in label)).run()  # options: shown labels
    rows = _evidence_lists(app)[-1]  # the last panel of the page
    statement = next(m.value for m in app.markdown if m.value.startswith("**Trade"))
    assert len(rows) == 2 and all("Blinken in Beijing (Jun 2023)" in r for r in rows)
    assert not any("overcapacity" in r for r in rows)  # the middle visit's trade sentence is not this bar's evidence
    assert "2 sentences in 57 words" in statement
    assert "0 sentences in 39 words" in statement  # the last visit: the bar is -35.09 = 1000 x (0/39 - 2/57)
    assert "change -35.09 per 1,000 words" in statement


def _chart(at, title: str) -> dict:
    return next(f for f in _figures(at) if title in f["layout"]["title"]["text"])


def _notes(fig: dict) -> str:
    return json.dumps([a.get("text", "") for a in fig["layout"].get("annotations", [])])


@pytest.mark.parametrize("page,params,title,message", [
    ("pages/issues.py", {"issue": "russia_ukraine"}, "Issues discussed together",
     "discusses Russia and Ukraine together with another issue"),
    ("pages/people.py", {"person": "Janet Yellen"}, "Who appears with whom", "No article of the selection names two people"),
    ("pages/people.py", {"from": "2030-01-01"}, "Who is mentioned", "No people are mentioned"),
    ("pages/overview.py", {"visit": "blinken-2023-06"}, "What changed most", "fewer than two visits"),
    ("pages/overview.py", {"outlet": "SCMP", "issue": "russia_ukraine"}, "How often each issue", "No issue is discussed"),
    ("pages/tone_shifts.py", {"side": "Other", "visit": "blinken-2023-06"}, "officials' language",
     "No words of US or China officials"),
    ("pages/tone_shifts.py", {"side": "Other"}, "The words each side used", "No tone words attributed"),
])
def test_a_filter_that_empties_a_chart_says_what_is_missing_and_why(app, page, params, title, message):
    for key, value in params.items():
        app.query_params[key] = value
    app.run()
    app.switch_page(page)
    app.run()
    assert not app.exception, app.exception
    fig = _chart(app, title)
    assert not fig["data"] and message in _notes(fig), _notes(fig)


def test_a_series_missing_from_a_comparison_gets_a_note(app):
    app.query_params["side"] = "China"
    app.run()
    app.switch_page("pages/tone_shifts.py")
    app.run()
    assert "No US officials' words in the selection" in _notes(_chart(app, "officials' language"))
    shift = _chart(app, "Tone shift by issue")
    # Trade has China-side sentences in Jun 2023 (a2) but none in Apr 2024: one dot, and a note saying so.
    assert "no issue reading in Blinken in Shanghai and Beijing" in _notes(shift)


def test_people_page_shows_each_quote_inside_its_whole_sentence_escaped(app):
    import html as h

    app.run()
    app.switch_page("pages/people.py")
    app.run()
    assert not app.exception, app.exception
    body = next(str(el.proto.body) for el in app.get("html") if "dt-quotes" in str(el.proto.body))
    rows = re.findall(r'<div class="row"><div class="s">(.*?)</div>', body)
    assert rows and all("<mark>" in r for r in rows)
    assert "Wang Yi warned Washington to stop provocative moves in the Taiwan Strait." in h.unescape(
        re.sub(r"</?mark>", "", rows[0]))
    assert "<script>" not in body and "&lt;script&gt;" in body   # the hostile title stays text
    assert "in office" in body


def test_the_upload_box_states_the_real_size_limit(app):
    """The uploader refuses what ingest would refuse: 5 MB per file, not Streamlit's 200 MB."""
    app.run()
    app.switch_page("pages/corpus.py")
    app.run()
    (uploader,) = app.get("file_uploader")
    assert uploader.proto.max_upload_size_mb == 5


def test_a_heatmap_cell_click_adds_its_row_and_column_and_a_second_click_removes_them():
    """A co-occurrence cell is two issues (an issue-by-visit cell an issue and a visit): a click adds
    both, clicking the same cell again removes both, and one already filtered is not toggled off."""
    from pages import common

    cell = {"selection": {"points": [{"customdata": ["taiwan", "south_china_sea", 6]}]}}
    click = [("issue", 0), ("issue", 1)]
    with pytest.MonkeyPatch.context() as mp:
        state = {"chart_issue_cooccurrence_0": cell, "f_issue": ["taiwan"]}
        mp.setattr(common.st, "session_state", state)
        common._select_callback("chart_issue_cooccurrence_0", click, "issue_cooccurrence")()
        assert state["f_issue"] == ["taiwan", "south_china_sea"]
        common._select_callback("chart_issue_cooccurrence_0", click, "issue_cooccurrence")()
        assert state["f_issue"] == []
        state.update({"chart_v": {"selection": {"points": [{"customdata": ["Blinken in Beijing (Jun 2023)", "taiwan",
                                                                          "blinken-2023-06", 4.2]}]}}, "f_visit": []})
        common._select_callback("chart_v", [("issue", 1), ("visit", 2)], "issues_by_visit")()
        assert state["f_issue"] == ["taiwan"] and state["f_visit"] == ["blinken-2023-06"]


def test_past_the_article_limit_the_overview_trend_draws_days_and_its_evidence_lists_a_day(app, monkeypatch):
    """A large selection's trend: one dot per day (a cloud of 100k article dots reads as nothing);
    the dot's hover names its articles and its evidence panel lists that day's sentences."""
    from core.store import queries as Q
    st.cache_data.clear()
    monkeypatch.setattr(Q, "TREND_ARTICLES", 2)
    app.run()
    assert not app.exception, app.exception
    trend = next(f for f in _figures(app) if "Tone of coverage over time" in f["layout"]["title"]["text"])
    dots = trend["data"][0]
    assert dots["name"] == "Day" and "article" in dots["customdata"][0][1]
    assert trend["layout"]["yaxis"]["title"]["text"] == "Mean article tone of the day"
    box = next(s for s in app.selectbox if s.key == "ev_ov_day")
    assert len(box.options) == len(dots["x"])
    day, (_, articles, *_rest) = box.options[0], dots["customdata"][0]
    box.select(day).run()
    statement = next(m.value for m in app.markdown if m.value.startswith(f"**{day}: tone"))
    assert f"the mean over {articles} of each article" in statement, statement
    st.cache_data.clear()


def test_short_tables_are_html_tables_with_whole_escaped_text(app):
    """st.dataframe draws cells on a canvas and cut "Rosie Levine" to "Rosie Lev": the Corpus table,
    the Entities tab and the outlet-type evidence are HTML tables (st.table wraps), their values
    readable (names, not ids; dates without a time) and escaped, as st.table renders markdown."""
    app.run()
    for page in ("pages/corpus.py", "pages/articles.py", "pages/sources.py", "pages/tone_shifts.py"):
        app.switch_page(page).run()
        assert not app.exception, (page, app.exception)
        assert not app.dataframe, page  # no table of the seeds' size on a canvas
    app.switch_page("pages/corpus.py").run()
    corpus = app.get("table")[0].value
    assert list(corpus.columns[:4]) == ["title", "outlet", "date", "date conf."]
    assert "Yellen urges fair trade" in corpus["title"].tolist()
    assert "Blinken in Beijing \\(Jun 2023\\)" in corpus["visit"].tolist() and "2023\\-06\\-19" in corpus["date"].tolist()
    hostile = next(t for t in corpus["title"] if "script" in t)
    assert not _unescaped_markup(hostile), hostile
    app.switch_page("pages/articles.py").run()
    app.selectbox(key="article").set_value("a2").run()
    entities = next(t.value for t in app.get("table") if "as written" in t.value.columns)
    assert "Evans Revere" in entities["person or name"].tolist() and "start_char" not in entities.columns


def _unescaped_markup(text: str) -> bool:
    return bool(re.search(r"(?<!\\)[<\[\]()]", text))


def test_long_tables_keep_a_dataframe_whose_text_columns_fit_their_text(app, monkeypatch):
    """Past SHORT_TABLE rows a table stays a dataframe (on a canvas): each text column is as wide as
    its longest value (or label), up to MAX_COLUMN_PX; a click on a cell shows the whole of it."""
    from pages import common

    monkeypatch.setattr(common, "SHORT_TABLE", 0)
    app.run()
    app.switch_page("pages/corpus.py").run()
    assert not app.exception, app.exception
    frame = app.dataframe[0]
    widths = {c: json.loads(frame.proto.columns).get(c, {}).get("width") for c in ("title", "outlet", "file")}
    assert widths["title"] == common.MAX_COLUMN_PX  # the hostile title is longer than the cap
    assert widths["outlet"] >= common.CHAR_PX * len("outlet") and widths["file"] >= common.CHAR_PX * len("a1.txt")
    config = common.fitted_columns(pd.DataFrame({"name": ["Rosie Levine", None], "n": [1, 2]}), {"name": "person"})
    assert config == {"name": {"label": "person", "width": int(common.CELL_PAD_PX + common.CHAR_PX * len("Rosie Levine"))}}
