"""Evidence = the number: for every chart and every mark, under several filter sets, the plotted
value (core.store.queries) is recomputed here from the evidence rows alone (core.evidence)."""
from __future__ import annotations

import pandas as pd
import pytest

from core import evidence as E
from core.store import queries as Q
from core.filters import Filters
from core.store.db import read_connection
from handmade_store import build_handmade_store

FILTERS = [Filters(), Filters(issues=("taiwan",)), Filters(issues=("taiwan", "trade")), Filters(sides=("China",)),
           Filters(persons=("Wang Yi",)), Filters(visits=("blinken-2024-04", "blinken-2023-06")),
           Filters(outlets=("Reuters",)), Filters(persons=("Antony Blinken",), sides=("US",))]
IDS = ["all", "taiwan", "taiwan+trade", "china", "wang-yi", "two-visits", "reuters", "blinken-us"]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = build_handmade_store(tmp_path_factory.mktemp("hm") / "hm.duckdb")
    with read_connection(path) as c:
        yield c


def wmean(rows: pd.DataFrame, weight: str = "weight", value: str = "tone"):
    r = rows.dropna(subset=[value])
    return round((r[value] * r[weight]).sum() / r[weight].sum(), 3) if len(r) else None


def close(a, b, tol=1e-3) -> bool:
    return (a is None or pd.isna(a)) and (b is None or pd.isna(b)) or abs(a - b) <= tol


@pytest.mark.parametrize("f", FILTERS, ids=IDS)
def test_issue_frequency(con, f):
    freq = Q.issue_frequency(con, f)
    assert len(freq)
    words = int(Q.corpus_summary(con, f)["words"].iloc[0])
    for row in freq.itertuples():
        ev = E.issue_sentences(con, f, row.issue)
        assert len(ev.rows) == row.sentences == ev.values["sentences"]
        assert ev.rows["article_id"].nunique() == row.articles
        assert round(1000 * len(ev.rows) / words, 2) == row.per_1k_words == ev.values["per_1k_words"]
        assert ev.statement.startswith("**") and str(row.sentences) in ev.statement
        assert list(ev.rows.columns[:8]) == E.ROW_COLUMNS  # the sentence first


@pytest.mark.parametrize("f", FILTERS, ids=IDS)
def test_visit_change_evidence_is_the_two_visits_only(con, f):
    change = Q.visit_change(con, f)
    for row in change.itertuples():
        ev = E.visit_change(con, f, row.issue, row.first_visit, row.last_visit)
        assert set(ev.rows["visit"]) <= {row.first_visit, row.last_visit}
        for end in ("first", "last"):
            mine = ev.rows[ev.rows["visit"] == getattr(row, f"{end}_visit")]
            assert round(1000 * len(mine) / ev.values[f"{end}_words"], 2) == getattr(row, f"{end}_per_1k")
            per = mine.groupby("article_id").apply(lambda r: (r["tone"] * r["weight"]).sum() / r["weight"].sum(),
                                                   include_groups=False)
            assert close(round(per.mean(), 3) if len(per) else None, getattr(row, f"{end}_tone"))
        assert ev.values["change_per_1k"] == row.change_per_1k


def test_visit_change_on_the_seed_like_case_excludes_a_third_visit(con):
    # three visits in the selection: the middle one (yellen-2024-04) must not reach the evidence
    change = Q.visit_change(con, Filters())
    row = change[change["issue"] == "trade"].iloc[0]
    ev = E.visit_change(con, Filters(), "trade", row["first_visit"], row["last_visit"])
    assert "yellen-2024-04" not in set(ev.rows["visit"])
    assert len(E.issue_sentences(con, Filters(), "trade").rows) > len(ev.rows)


@pytest.mark.parametrize("f", FILTERS, ids=IDS)
def test_tone_trend(con, f):
    trend = Q.tone_trend(con, f)
    for row in trend.itertuples():
        ev = E.article_tone(con, f, row.article_id)
        assert len(ev.rows) == row.sentences
        assert close(wmean(ev.rows), row.tone) and close(ev.values["tone"], row.tone)


@pytest.mark.parametrize("f", FILTERS, ids=IDS)
def test_tone_trend_by_day(con, f):
    """A day's dot (drawn past TREND_ARTICLES articles) is the mean over its articles of theirs,
    and its 30-day line is the per-article line at that day."""
    days, trend = Q.tone_trend(con, f, "day"), Q.tone_trend(con, f)
    assert int(days["articles"].sum()) == len(trend) and int(days["sentences"].sum()) == int(trend["sentences"].sum())
    line = trend.groupby("pub_date")["rolling_tone"].last()
    for row in days.itertuples():
        ev = E.day_tone(con, f, row.pub_date)
        per = ev.rows.assign(tw=ev.rows["tone"] * ev.rows["weight"]).groupby("article_id")[["tw", "weight"]].sum()
        assert ev.values["articles"] == row.articles == len(per) and ev.values["sentences"] == row.sentences
        assert close(round(float((per["tw"] / per["weight"]).mean()), 3), row.tone) and close(ev.values["tone"], row.tone)
        assert close(line[row.pub_date], row.rolling_tone)


def test_the_trend_draws_days_past_the_article_limit(con, monkeypatch):
    assert Q.trend_unit(Q.corpus_summary(con, Filters())) == "article"
    monkeypatch.setattr(Q, "TREND_ARTICLES", 2)
    assert Q.trend_unit(Q.corpus_summary(con, Filters())) == "day"
    assert Q.trend_unit(Q.corpus_summary(con, Filters(visits=("yellen-2024-04",)))) == "article"


@pytest.mark.parametrize("f", FILTERS, ids=IDS)
@pytest.mark.parametrize("by", ["visit", "article"])
def test_issue_matrix_cells(con, f, by):
    df = Q.issue_by_visit(con, f) if by == "visit" else Q.issue_by_article(con, f)
    for row in df.itertuples():
        key = {"visit": row.visit} if by == "visit" else {"article_id": row.article_id}
        ev = E.issue_cell(con, f, row.issue, **key)
        assert len(ev.rows) == row.sentences
        assert ev.values["per_1k_words"] == row.per_1k_words


@pytest.mark.parametrize("f", FILTERS, ids=IDS)
def test_issue_cooccurrence_cells(con, f):
    co = Q.issue_cooccurrence(con, f)
    for row in co.itertuples():
        ev = E.cooccurring_paragraphs(con, f, row.issue_a, row.issue_b)
        assert ev.rows[["article_id", "paragraph"]].drop_duplicates().shape[0] == row.paragraphs
        assert ev.rows["article_id"].nunique() == row.articles


def test_an_issue_filter_keeps_the_pairs_with_other_issues(con):
    # Taiwan shares paragraphs with military communication (a2, a4): the Taiwan filter must show them.
    co = Q.issue_cooccurrence(con, Filters(issues=("taiwan",)))
    assert co[["issue_a", "issue_b", "paragraphs"]].values.tolist() == [["military_communication", "taiwan", 2]]
    assert Q.issue_cooccurrence(con, Filters(issues=("taiwan",), sides=("Other",)))["paragraphs"].tolist() == [1]


@pytest.mark.parametrize("f", FILTERS, ids=IDS)
def test_people(con, f):
    ppl = Q.people(con, f)
    for row in ppl.itertuples():
        ev = E.person(con, f, row.person)
        assert (ev.rows["kind"] == "mention").sum() == row.mentions
        quotes = ev.rows[ev.rows["kind"] == "quote"]
        assert len(quotes) == row.quotes
        assert close(round(quotes["tone"].mean(), 3) if len(quotes) else None, row.quote_tone)


@pytest.mark.parametrize("f", FILTERS, ids=IDS)
def test_person_pairs(con, f):
    pairs = Q.person_cooccurrence(con, f)
    for row in pairs.itertuples():
        ev = E.person_pair(con, f, row.person_a, row.person_b)
        assert ev.rows["article_id"].nunique() == row.articles
        assert set(ev.rows["person"]) == {row.person_a, row.person_b}


def test_a_person_filter_shows_who_appears_with_that_person(con):
    pairs = Q.person_cooccurrence(con, Filters(persons=("Wang Yi",)))
    assert ["Antony Blinken", "Wang Yi", 2] in pairs.values.tolist()


VISITS = ("blinken-2023-06", "blinken-2024-04")


@pytest.mark.parametrize("f", FILTERS, ids=IDS)
@pytest.mark.parametrize("by", ["issue", "side"])
def test_tone_shift_rows(con, f, by):
    shift = Q.tone_shift(con, f, *VISITS, by=by)
    for row in shift.itertuples():
        ev = (E.shift_issue if by == "issue" else E.shift_side)(con, f, row.label, *VISITS)
        for end, visit in (("a", VISITS[0]), ("b", VISITS[1])):
            mine = ev.rows[ev.rows["visit"] == visit]
            per = mine.groupby("article_id").apply(lambda r: (r["tone"] * r["w"]).sum() / r["w"].sum(),
                                                   include_groups=False)
            assert close(round(per.mean(), 3) if len(per) else None, getattr(row, f"tone_{end}"))
            assert len(per) == (getattr(row, f"articles_{end}") if len(per) else 0)
            assert close(ev.values[f"sentences_{end}"] or None, getattr(row, f"sentences_{end}"))
        assert close(ev.values["change"], row.change)


@pytest.mark.parametrize("f", FILTERS, ids=IDS)
def test_tone_drivers(con, f):
    drivers = Q.tone_drivers_shift(con, f, *VISITS)
    for row in drivers.itertuples():
        ev = E.shift_word(con, f, row.word, *VISITS)
        for end, visit in (("a", VISITS[0]), ("b", VISITS[1])):
            mine = ev.rows[ev.rows["visit"] == visit]
            n = ev.values[f"sentences_{end}"]
            assert close(round(mine["uses"].sum() / n, 4) if n else None, getattr(row, f"per_sentence_{end}"), 1e-4)
            assert mine["uses"].sum() == getattr(row, f"uses_{end}")
        assert close(round(ev.rows["contribution"].sum() / ev.rows["uses"].sum(), 4), row.word_tone, 1e-4)
        assert close(ev.values["contribution"], row.contribution, 1e-4)


@pytest.mark.parametrize("f", FILTERS, ids=IDS)
def test_side_language_and_words(con, f):
    years = Q.side_language_by_year(con, f)
    for row in years.itertuples():
        ev = E.side_year(con, f, row.side, row.year)
        per = ev.rows.groupby("article_id")["tone"].mean()
        assert close(round(per.mean(), 3), row.tone) and len(per) == row.articles
        assert ev.rows[["article_id", "sent_idx"]].drop_duplicates().shape[0] == row.sentences
    words = Q.side_words_by_year(con, f)
    for row in words.itertuples():
        ev = E.side_year_word(con, f, row.side, row.year, row.word)
        assert close(round(ev.rows["contribution"].sum(), 3), row.contribution)
        assert ev.rows["uses"].sum() == row.uses
