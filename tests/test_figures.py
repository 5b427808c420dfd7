"""Figures: titles, subtitles with filters and article count, source note, empty states, axes."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest

from core import figures as F
from core.store import queries as Q
from core.export import all_charts, make_context
from core.filters import Filters
from core.store.db import read_connection
from handmade_store import build_handmade_store


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = build_handmade_store(tmp_path_factory.mktemp("hm") / "hm.duckdb")
    with read_connection(path) as c:
        yield c


def _texts(fig) -> str:
    layout = fig.layout
    return " ".join([layout.title.text or "", layout.title.subtitle.text or ""] +
                    [a.text or "" for a in layout.annotations])


def test_every_chart_stands_alone(con, tmp_path):
    f = Filters(sides=["US", "China"])
    ctx = make_context(con, f)
    charts = list(all_charts(con, f, ctx))
    assert len(charts) >= 12
    for name, table, fig in charts:
        text = _texts(fig)
        assert fig.layout.title.text, name
        assert "Side: US, China · 5 articles" in fig.layout.title.subtitle.text, name
        note = fig.layout.annotations[-1].text
        assert "Source: Diplotone" in note and "5 articles, 3 outlets, 18 Jun 2023 – 27 Apr 2024;<br>exported" in note, name
        assert ("+1 cooperative" in note) == ("tone" in fig.layout.title.text.lower()), name  # the scale only with tone
        assert ".duckdb" not in note, name
        # Figures are assembled without plotly's per-property validation (for speed): validate here.
        go.Figure(fig.to_dict())
        fig.to_json()


def test_ids_are_categorical_with_readable_labels(con):
    ctx = F.ChartContext(Filters(), 5, issue_names={"taiwan": "Taiwan Strait"})
    fig = F.issue_frequency(Q.issue_frequency(con, Filters()), ctx)
    assert fig.layout.yaxis.type == "category"
    assert "Taiwan Strait" in fig.layout.yaxis.ticktext and "Military communication" in fig.layout.yaxis.ticktext
    heat = F.issue_matrix(Q.issue_by_visit(con, Filters()), ctx, by="visit")
    assert heat.layout.xaxis.type == "category"
    assert list(heat.data[0].x) == ["blinken-2023-06", "yellen-2024-04", "blinken-2024-04"]  # time order


def test_visit_ids_are_shown_by_their_catalogue_names(con):
    from core.export import catalogue_labels

    names, visits = catalogue_labels()
    ctx = F.ChartContext(Filters(), 5, issue_names=names, visits=visits)
    shift = F.tone_shift(Q.tone_shift(con, Filters(), "blinken-2023-06", "blinken-2024-04"), ctx,
                         "blinken-2023-06", "blinken-2024-04")
    # A long title breaks after its head, not inside a visit's name.
    assert shift.layout.title.text.endswith(":<br>Blinken in Beijing (Jun 2023) → Blinken in Shanghai and Beijing (Apr 2024)</b>")
    assert "blinken-2023-06" not in shift.layout.title.text
    assert {t.name for t in shift.data if t.name} == {"Blinken in Beijing (Jun 2023)",
                                                        "Blinken in Shanghai and Beijing (Apr 2024)"}
    heat = F.issue_matrix(Q.issue_by_visit(con, Filters()), ctx, by="visit")
    assert list(heat.data[0].x) == ["blinken-2023-06", "yellen-2024-04", "blinken-2024-04"]  # ids, in time order
    assert heat.layout.xaxis.ticktext[0] == "Blinken in Beijing (Jun 2023)"
    # Without a catalogue the id is shown rather than nothing.
    assert F.ChartContext(Filters(), 5).visit("blinken-2023-06") == "blinken-2023-06"


def test_empty_selection_shows_a_message_not_bare_axes(con):
    nothing = Filters(outlets=["Nowhere"])
    ctx = F.ChartContext(nothing, 0)
    for fig in (F.issue_frequency(Q.issue_frequency(con, nothing), ctx),
                F.tone_trend(Q.tone_trend(con, nothing), ctx),
                F.people(Q.people(con, nothing), ctx),
                F.tone_shift(Q.tone_shift(con, nothing, "a", "b"), ctx, "a", "b")):
        assert not fig.data
        assert fig.layout.xaxis.visible is False
        assert ("No " in _texts(fig) or "Neither" in _texts(fig)) and "0 articles" in fig.layout.title.subtitle.text


def test_tone_trend_draws_the_visits_on_the_time_axis(con):
    from core.export import catalogue_labels

    names, visits = catalogue_labels()
    ctx = F.ChartContext(Filters(), 5, issue_names=names, visits=visits)
    fig = F.tone_trend(Q.tone_trend(con, Filters()), ctx)
    labels = [a.text for a in fig.layout.annotations]
    short = {v.id: ctx.visit(v.id, short=True) for v in visits}
    assert short["blinken-2023-06"] == "Blinken in Beijing"  # readable names, without the date the axis gives
    assert {short["blinken-2023-06"], short["yellen-2024-04"]} <= set(labels)
    assert "Blinken in Shanghai and Beijing" in labels
    assert short["woodside-2023-11"] in labels  # inside the date span although no article is about it
    assert short["lima-2024-11"] not in labels  # outside the span
    assert fig.layout.yaxis.range == (-1.05, 1.05)


def test_empty_message_says_when_a_side_filter_removed_the_sentences(con):
    f = Filters(issues=["taiwan"], sides=["Other"], visits=["yellen-2024-04"])
    ctx = F.ChartContext(f, 1)
    fig = F.issue_frequency(Q.issue_frequency(con, f), ctx)
    assert "in the words of Other-side speakers" in _texts(fig)


MARKUP = ('<a href="https://evil.example/x">click</a> <span style="background:url(https://evil.example/p.png)">s</span>'
          ' AT&T')


def _markup_left(fig) -> list[str]:
    """Plotly label markup from the data anywhere in a figure (title, subtitle, notes, labels, hovers)."""
    import re
    spec = fig.to_json()
    return re.findall(r"<a href|<span style=\\?\"background|evil\.example/p\.png\)\\?\">", spec)


def test_label_markup_in_titles_outlets_and_names_is_drawn_as_text(con, tmp_path):
    """Issue 14: <a href> and <span style=url()> in a title, outlet, person or store name became
    links and remote CSS in the browser, in SVG exports and in kaleido's Chromium."""
    import datetime as dt

    import pandas as pd

    f = Filters(persons=[MARKUP], outlets=[MARKUP])
    ctx = make_context(con, Filters())
    ctx = F.ChartContext(filters=f, articles=2, issue_names=ctx.issue_names, visits=ctx.visits)
    trend = pd.DataFrame({"article_id": ["a1", "a2"], "title": [MARKUP, "Plain"], "outlet": [MARKUP, "Reuters"],
                          "pub_date": [pd.Timestamp(dt.date(2023, 6, 18)), pd.Timestamp(dt.date(2024, 4, 26))],
                          "visit": ["blinken-2023-06", "blinken-2024-04"], "sentences": [3, 4],
                          "tone": [0.1, -0.2], "rolling_tone": [0.1, -0.05]})
    people = Q.people(con, Filters()).assign(person=MARKUP)
    sents = pd.DataFrame({"sent_idx": [0], "tone": [0.2], "coop": [0.1], "speaker": [MARKUP], "side": ["US"],
                          "issues": [["taiwan"]], "text": [MARKUP]})
    figs = [F.tone_trend(trend, ctx), F.people(people, ctx), F.article_sentence_tone(sents, ctx, MARKUP)]
    for fig in figs:
        assert _markup_left(fig) == [], fig.layout.title.text
        go.Figure(fig.to_dict())
    assert "&lt;a href=&quot;" not in figs[2].layout.title.text  # quotes stay; only < > & are escaped
    assert "&lt;a href=\"https://evil.example/x\"&gt;click&lt;/a&gt;" in figs[2].layout.title.text
    assert "AT&amp;T" in figs[0].layout.title.subtitle.text
    assert figs[1].data[0].y[0].startswith("&lt;a href=")


@pytest.mark.slow
def test_an_svg_export_of_label_markup_holds_no_link_and_no_remote_style(con, tmp_path):
    import pandas as pd

    from core.export import figure_image

    ctx = make_context(con, Filters())
    people = Q.people(con, Filters()).assign(person=MARKUP)
    import re

    svg = figure_image(F.people(people, ctx), "svg").decode("utf-8")
    assert "&#60;a href=\"https://evil.example/x\"&#62;click" in svg  # drawn as text
    assert not re.search(r"<[^>]*evil\.example", svg)  # no element (link, style) carries the address
    assert "<a " not in svg


def test_recalled_quote_sits_at_the_month_it_recalls_and_undated_ones_are_left_out(con, tmp_path):
    import datetime as dt

    import pandas as pd

    ctx = make_context(con, Filters())
    april = dt.date(2024, 4, 27)
    df = pd.DataFrame([
        dict(pub_date=april, title="t", text="the relationship is at a low point", kind="reported", tone=-0.7,
             article_id="a", sent_idx=1, recalled=True, recalled_when="2023-06", occasion=dt.date(2023, 6, 1)),
        dict(pub_date=april, title="t", text="the United States should not interfere", kind="reported", tone=-0.8,
             article_id="a", sent_idx=2, recalled=True, recalled_when=None, occasion=None),
        dict(pub_date=april, title="t", text="relations are stabilising", kind="reported", tone=0.4,
             article_id="a", sent_idx=3, recalled=False, recalled_when=None, occasion=april),
    ])
    dots = F.person_quotes(df, ctx, "Wang Yi").data[0]
    assert [str(x)[:10] for x in dots.x] == ["2023-06-01", "2024-04-27"]
    assert list(dots.marker.symbol) == ["diamond", "circle"]
    assert "said Jun 2023, recalled in an article of 27 Apr 2024" in dots.customdata[0][5]


def test_tone_bars_are_coloured_by_colour_strings_not_numbers():
    """plotly.js logs "Invalid color specifier" for every bar given a number and a colorscale (the
    Articles page's tone chart logged one warning per sentence): bars get the scale's colours."""
    import pandas as pd

    sents = pd.DataFrame({"sent_idx": [0, 1, 2, 3], "tone": [-1.0, 0.0, 0.8, None], "text": ["a", "b", "c", "d"],
                          "speaker": [None, "Wang Yi", None, None]})
    fig = F.article_sentence_tone(sents, F.ChartContext(Filters(), 1), "An article")
    colors = list(fig.data[0].marker.color)
    assert all(isinstance(c, str) for c in colors) and fig.data[0].marker.colorscale is None
    assert colors[0] == "rgb(178, 24, 43)" and colors[2].startswith("rgb(") and colors[3] == F.GRID
    red, green = (int(v) for v in colors[2][4:-1].split(", ")[:2])
    assert green > red  # cooperative is green


def test_visit_names_on_a_weekly_chart_stay_inside_the_plot_clear_of_the_y_axis():
    from core.export import catalogue_labels

    names, visits = catalogue_labels()
    ctx = F.ChartContext(Filters(query='"export controls"'), 2, issue_names=names, visits=visits)
    weeks = pd.DataFrame({"period": pd.to_datetime(["2023-07-17", "2024-04-22"]), "sentences": [1, 2]})
    fig = F.volume(weeks, ctx, "Sentences matching the search, per week", "sentences", "week")
    lo = fig.layout.xaxis.range[0]
    marks = [a for a in fig.layout.annotations if a.textangle == -90]
    assert "Yellen in Beijing" in {a.text for a in marks}  # a visit starting at the axis's left end
    for a in marks:  # each name reads from its band's start into the plot, never left of the axis
        assert a.xanchor == "left" and str(a.x) >= lo and a.bgcolor, a.text


def test_visit_tone_axis_is_zoomed_to_the_readings_with_zero_and_its_ends_named():
    df = pd.DataFrame({"visit": ["blinken-2023-06", "blinken-2024-04"], "tone": [-0.10, -0.08],
                       "low": [-0.16, -0.13], "high": [-0.04, -0.02], "articles": [12, 9], "sentences": [300, 210],
                       "low_confidence": [False, False]})
    fig = F.visit_tone(df, F.ChartContext(Filters(), 21))
    axis = fig.layout.yaxis
    low, high = axis.range
    assert low < -0.16 and 0 < high and high - low < 0.5  # a difference of 0.02 is visible, zero on the chart
    assert axis.zeroline and 0 in axis.tickvals
    assert axis.ticktext[0].endswith("hostile") and axis.ticktext[-1].endswith("cooperative")
    assert all(low <= t <= high for t in axis.tickvals)
    assert "zoomed" in axis.title.text
    assert "tone −1 hostile … +1 cooperative" in fig.layout.annotations[-1].text  # the full scale, in the source note
