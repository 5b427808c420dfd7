"""Aggregations on the hand-made store: every expected number is worked out from handmade_store."""
from __future__ import annotations

import datetime as dt

import pytest

from core.store import queries as Q
from core.filters import Filters
from core.store.db import read_connection
from handmade_store import build_handmade_store


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = build_handmade_store(tmp_path_factory.mktemp("hm") / "hm.duckdb")
    with read_connection(path) as c:
        yield c


def test_duplicates_are_excluded_everywhere(con):
    s = Q.corpus_summary(con, Filters()).iloc[0]
    assert (s["articles"], s["outlets"], s["visits"], s["sentences"]) == (5, 3, 3, 12)
    assert "CGTN" not in Q.article_table(con, Filters())["outlet"].tolist()
    freq = Q.issue_frequency(con, Filters()).set_index("issue")
    assert freq.loc["taiwan", "sentences"] == 5  # a6 repeats a5's Taiwan sentence: not counted
    assert Q.duplicates(con)["duplicate_of"].tolist() == ["a5"]


def test_issue_frequency_counts_sentences_and_normalises_per_1000_words(con):
    freq = Q.issue_frequency(con, Filters()).set_index("issue")
    words = Q.corpus_summary(con, Filters())["words"].iloc[0]
    assert freq.loc["trade", "sentences"] == 3 and freq.loc["trade", "articles"] == 3
    assert freq.loc["trade", "per_1k_words"] == pytest.approx(round(3000 / words, 2))


def test_filters_change_the_data(con):
    assert len(Q.tone_trend(con, Filters(visits=["blinken-2024-04"]))) == 2
    assert len(Q.tone_trend(con, Filters(outlets=["Reuters"]))) == 2
    assert len(Q.tone_trend(con, Filters(date_from=dt.date(2024, 1, 1)))) == 3
    assert len(Q.tone_trend(con, Filters(date_to=dt.date(2023, 12, 31)))) == 2
    only = Q.issue_frequency(con, Filters(issues=["taiwan"]))
    assert only["issue"].tolist() == ["taiwan"]
    people = Q.people(con, Filters(sides=["China"]))
    assert set(people["side"]) == {"China"}
    assert Q.people(con, Filters(persons=["Janet Yellen"]))["person"].tolist() == ["Janet Yellen"]


def test_issue_tone_is_the_mean_over_articles_of_their_hit_weighted_readings(con):
    # Taiwan in blinken-2023-06: a1 has 0.1 (w1) and -0.6 (w1) -> -0.25; a2 has 0.2 (w0.5) -> 0.2
    shift = Q.tone_shift(con, Filters(), "blinken-2023-06", "blinken-2024-04", by="issue").set_index("label")
    assert shift.loc["taiwan", "tone_a"] == pytest.approx((-0.25 + 0.2) / 2)
    assert shift.loc["taiwan", "tone_b"] == pytest.approx((0.4 - 0.5) / 2)  # a4 0.4, a5 -0.5
    assert shift.loc["taiwan", ["articles_a", "sentences_a", "articles_b", "sentences_b"]].tolist() == [2, 3, 2, 2]
    assert shift.loc["taiwan", "low_a"] == pytest.approx(-0.25) and shift.loc["taiwan", "high_a"] == pytest.approx(0.2)
    assert shift.loc["taiwan", "low_confidence_a"]  # 2 articles, 3 sentences


def test_side_tone_reads_only_that_sides_officials(con):
    shift = Q.tone_shift(con, Filters(), "blinken-2023-06", "blinken-2024-04", by="side").set_index("label")
    assert shift.loc["China", "tone_a"] == pytest.approx(-0.5)  # Wang Yi -0.6 (a1), Wang Wenbin -0.4 (a2)
    assert shift.loc["US", "change"] == pytest.approx(-0.8)
    assert "Other" not in shift.index  # Evans Revere is a commentator: his words set no side's tone
    years = Q.side_language_by_year(con, Filters()).set_index(["side", "year"])
    assert years.loc[("US", 2024), ["sentences", "articles"]].tolist() == [3, 2]
    assert years.loc[("US", 2024), "tone"] == pytest.approx(((-0.2 + 0.6) / 2 - 0.3) / 2)


def test_word_shift_is_change_in_frequency_times_tone(con):
    d = Q.tone_drivers_shift(con, Filters(), "blinken-2023-06", "blinken-2024-04").set_index("word")
    assert d.loc["provocative", "per_sentence_a"] == pytest.approx(1 / 6, abs=1e-4)
    assert d.loc["red line", "contribution"] == pytest.approx(0.25 * -0.5, abs=1e-4)
    assert d.index[0] == "red line" and d.loc["red line", "kind"] == "more hostile language"
    # a hostile word used less pushes the tone up, as less hostile language, not as a cooperative word
    assert d.loc["provocative", "contribution"] == pytest.approx(1 / 6 * 0.5, abs=1e-4)
    assert d.loc["provocative", "kind"] == "less hostile language"
    assert d.loc["constructive", "kind"] == "more cooperative language"


def test_sentences_that_drove_the_change_are_ranked_by_their_contribution(con):
    s = Q.tone_shift_sentences(con, Filters(), "blinken-2023-06", "blinken-2024-04")
    # the mean sentence tone rises from (0.1 + 0.5 - 0.6 - 0.3 - 0.4 + 0.2) / 6 to (0.6 - 0.3 + 0.4 - 0.5) / 4
    assert s["text"].iloc[0] == "Wang Yi said relations are stabilising and dialogue is constructive."  # +0.6 / 4
    assert s["contribution"].iloc[0] == pytest.approx(0.6 / 4, abs=1e-4)
    assert s["text"].iloc[1].startswith("Wang Yi warned Washington")  # a hostile sentence of A: +0.6 / 6
    assert list(s["contribution"]) == sorted(s["contribution"], reverse=True)


def test_visit_change_compares_first_and_last_visit(con):
    ch = Q.visit_change(con, Filters())
    assert set(ch["first_visit"]) == {"blinken-2023-06"} and set(ch["last_visit"]) == {"blinken-2024-04"}
    assert ch["issue"].iloc[0] == "trade"
    assert Q.visit_change(con, Filters(visits=["yellen-2024-04"])).empty


def test_cooccurrence_and_people_pairs(con):
    co = Q.issue_cooccurrence(con, Filters())
    assert co.iloc[0][["issue_a", "issue_b", "paragraphs"]].tolist() == ["military_communication", "taiwan", 2]
    pairs = Q.person_cooccurrence(con, Filters())
    assert pairs.iloc[0][["person_a", "person_b", "articles"]].tolist() == ["Antony Blinken", "Wang Yi", 2]


def test_person_quotes_in_time_order(con):
    quotes = Q.person_quotes(con, Filters(), "Wang Yi")
    assert quotes["tone"].tolist() == [-0.6, 0.6, -0.5]


def test_empty_selection_gives_empty_frames_not_errors(con):
    nothing = Filters(outlets=["No Such Outlet"])
    for fn in (Q.issue_frequency, Q.tone_trend, Q.visit_change, Q.issue_by_visit, Q.issue_by_article,
               Q.issue_cooccurrence, Q.people, Q.person_cooccurrence, Q.side_language_by_year,
               Q.side_words_by_year, Q.article_table):
        assert fn(con, nothing).empty, fn.__name__
    assert Q.corpus_summary(con, nothing)["articles"].iloc[0] == 0


def test_filter_options_list_known_values(con):
    opts = Q.filter_options(con)
    assert opts["person"][0] == "Wang Yi"
    assert "CGTN" not in opts["outlet"]
    assert opts["visit_counts"]["blinken-2024-04"] == 2


# --- the filter set and its URL form (core.filters) ------------------------------------------

def test_url_round_trip():
    from core.filters import from_query_params, to_query_params

    f = Filters(issues=["taiwan", "trade"], persons=["Wang Yi"], sides=["China"], visits=["blinken-2024-04"],
                outlets=["Xinhua"], date_from=dt.date(2024, 1, 1), date_to=dt.date(2024, 12, 31))
    params = to_query_params(f)
    assert params["issue"] == ["taiwan", "trade"] and params["from"] == ["2024-01-01"]
    back, notices = from_query_params(params, {"person": ["Wang Yi"], "outlet": ["Xinhua"]})
    assert back == f and notices == []


def test_unknown_url_values_are_ignored_with_a_notice():
    from core.filters import from_query_params

    f, notices = from_query_params({"issue": ["taiwan", "unicorns"], "person": "Nobody", "from": "2024-02-30",
                                    "to": "2023-01-01", "colour": "red"}, {"person": ["Wang Yi"]})
    assert f.issues == ("taiwan",) and f.persons == () and f.date_from is None
    assert f.date_to == dt.date(2023, 1, 1)
    joined = " ".join(notices)
    assert "'unicorns'" in joined and "'Nobody'" in joined and "2024-02-30" in joined and "'colour'" in joined


def test_reversed_date_range_in_url_is_dropped():
    from core.filters import from_query_params

    f, notices = from_query_params({"from": "2024-05-01", "to": "2024-01-01"})
    assert f.date_from is None and f.date_to is None and notices


def test_typed_dates_accept_days_months_and_years_and_refuse_the_rest():
    from core.filters import typed_date

    assert typed_date("2023-06-20") == dt.date(2023, 6, 20)
    assert typed_date("2024-02") == dt.date(2024, 2, 1) and typed_date("2024-02", end=True) == dt.date(2024, 2, 29)
    assert typed_date("2023", end=True) == dt.date(2023, 12, 31) and typed_date(" ") is None
    for bad in ("2023-0", "2023-13-01", "20-06", "yesterday"):
        with pytest.raises(ValueError, match="is not a date"):
            typed_date(bad)
