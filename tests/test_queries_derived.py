"""The derived rows (core.store.schema.DERIVED) give every chart the same numbers as the plain joins they replace."""
from __future__ import annotations

import pandas as pd
import pytest

from core.store import queries as Q
from core.filters import Filters
from core.store.db import read_connection

FILTERS = [Filters(), Filters(issues=("taiwan", "trade")), Filters(issues=("taiwan",)), Filters(sides=("US",)),
           Filters(issues=("trade",), visits=("blinken-2024-04", "yellen-2023-07")),
           Filters(issues=("taiwan", "trade", "military_communication"), sides=("China", "US")), Filters(visits=("blinken-2023-06",))]


@pytest.fixture(scope="module")
def con(seed_store):
    with read_connection(seed_store) as c:
        yield c


def test_hits_carry_their_sentences_columns(con):
    total, differ = con.execute("""
        SELECT count(*), count(*) FILTER (WHERE h.paragraph IS DISTINCT FROM s.paragraph OR h.tone IS DISTINCT FROM s.tone
                                           OR h.side IS DISTINCT FROM s.side OR h.speaker IS DISTINCT FROM s.speaker)
        FROM issue_hits h JOIN sentences s USING (article_id, sent_idx)""").fetchone()
    assert total == con.execute("SELECT count(*) FROM issue_hits").fetchone()[0] > 0
    assert differ == 0


@pytest.mark.parametrize("f", FILTERS, ids=str)
def test_issue_cooccurrence_matches_the_paragraph_self_join(con, f):
    """Under an issue filter: the pairs that include a chosen issue, with any other issue of the
    paragraph, over the articles that have a chosen issue (the plain self-join of paragraphs)."""
    g = f.replace(issues=())
    chosen = set(f.issues)
    ids = set(Q.article_table(con, f)["article_id"])
    plain = Q._run(con, g, """
        SELECT x.article_id, x.issue AS issue_a, y.issue AS issue_b, x.paragraph
        FROM ph x JOIN ph y ON x.article_id = y.article_id AND x.paragraph = y.paragraph AND x.issue < y.issue""",
                   """ph AS (SELECT DISTINCT s.article_id, s.paragraph, h.issue
                   FROM issue_hits h JOIN sents s USING (article_id, sent_idx))""")
    plain = plain[plain["article_id"].isin(ids)]
    if chosen:
        plain = plain[plain["issue_a"].isin(chosen) | plain["issue_b"].isin(chosen)]
    plain = (plain.groupby(["issue_a", "issue_b"]).agg(paragraphs=("paragraph", "size"), articles=("article_id", "nunique"))
             .reset_index().sort_values(["paragraphs", "issue_a", "issue_b"], ascending=[False, True, True])
             .reset_index(drop=True))
    got = Q.issue_cooccurrence(con, f)
    assert len(plain) > 0
    if chosen:
        assert any(not ({a, b} <= chosen) for a, b in zip(got["issue_a"], got["issue_b"])), "pairs with other issues"
    pd.testing.assert_frame_equal(got, plain, check_dtype=False)


@pytest.mark.parametrize("f", FILTERS + [Filters(persons=("Antony Blinken",))], ids=str)
def test_issue_tone_charts_match_the_sentence_join(con, f):
    """Visit x issue tone from the per-article sums = the mean over articles of each article's
    hit-weighted mean tone of its issue sentences, computed from the plain sentence join."""
    g = f.replace(visits=())
    per = Q._run(con, g, f"""
        SELECT h.issue AS label, s.visit, s.article_id, sum(s.tone * h.weight) / sum(h.weight) AS tone
        FROM issue_hits h JOIN sents s USING (article_id, sent_idx) WHERE {Q._issue_cond(g)} GROUP BY ALL""")
    plain = per.groupby(["label", "visit"])["tone"].mean()  # unrounded: the chart rounds to 3 places
    got = Q.issue_visit_tone(con, g).set_index(["label", "visit"])["tone"]
    assert len(plain) > 0
    pd.testing.assert_series_equal(got.sort_index(), plain.sort_index(), check_dtype=False, check_names=False, atol=1e-3)


def _visits(con) -> tuple[str, str]:
    visits = Q.visit_order(con, Filters())["visit"].tolist()
    return visits[0], visits[-1]


@pytest.mark.parametrize("side", [None, "US"])
@pytest.mark.parametrize("f", FILTERS, ids=str)
def test_tone_drivers_shift_matches_the_tone_driver_join(con, f, side):
    a, b = _visits(con)
    narrow = "TRUE" if side is None else f"s.side = '{side}'"
    plain = Q._run(con, f.replace(visits=()), f"""
        SELECT word,
               coalesce(sum(uses) FILTER (WHERE visit = '{a}'), 0)::INTEGER AS uses_a,
               coalesce(sum(uses) FILTER (WHERE visit = '{b}'), 0)::INTEGER AS uses_b,
               round(sum(c) / sum(uses), 4) AS word_tone
        FROM w CROSS JOIN n GROUP BY word HAVING sum(c) <> 0 ORDER BY word""", f"""
        ss AS (SELECT s.* FROM sents s WHERE s.visit IN ('{a}', '{b}') AND {narrow}),
        n AS (SELECT count(*) FILTER (WHERE visit = '{a}') AS na, count(*) FILTER (WHERE visit = '{b}') AS nb FROM ss),
        w AS (SELECT d.word, ss.visit, sum(d.contribution) AS c, count(*) AS uses
              FROM tone_drivers d JOIN ss USING (article_id, sent_idx) GROUP BY ALL)""")
    got = Q.tone_drivers_shift(con, f, a, b, side=side, top=100_000)
    assert len(plain) > 0
    got = got[["word", "uses_a", "uses_b", "word_tone"]].sort_values("word").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, plain, check_dtype=False, atol=2e-4)


@pytest.mark.parametrize("f", FILTERS, ids=str)
def test_side_words_by_year_matches_the_tone_driver_join(con, f):
    plain = Q._run(con, f, "SELECT * FROM w ORDER BY side, year, abs(contribution) DESC, word", """
        w AS (SELECT s.side, year(s.pub_date) AS year, d.word, round(sum(d.contribution), 3) AS contribution,
                     count(*) AS uses
              FROM tone_drivers d JOIN sents s USING (article_id, sent_idx)
              WHERE s.side IN ('US', 'China') AND s.pub_date IS NOT NULL GROUP BY ALL)""")
    got = Q.side_words_by_year(con, f, top=100_000)
    assert len(plain) > 0 or f.sides == ("Other",)
    pd.testing.assert_frame_equal(got, plain, check_dtype=False, atol=1e-3)


@pytest.mark.parametrize("f", FILTERS + [Filters(persons=("Antony Blinken", "Wang Yi"))], ids=str)
def test_person_pairs_match_the_article_self_join(con, f):
    ids = Q.article_table(con, f)["article_id"].tolist()
    pa = con.execute("SELECT DISTINCT article_id, canonical, side, mentions FROM persons").df()
    pa = pa[pa["article_id"].isin(ids)]  # a person filter selects the articles ...
    if f.sides:
        pa = pa[pa["side"].isin(f.sides)]
    ranked = pa.groupby("canonical")["mentions"].sum().reset_index()
    ranked["chosen"] = ranked["canonical"].isin(f.persons)  # ... and puts its people first among the top
    top = (ranked.sort_values(["chosen", "mentions", "canonical"], ascending=[False, False, True])["canonical"].head(15))
    pt = pa[pa["canonical"].isin(top)][["article_id", "canonical"]].drop_duplicates()
    pairs = pt.merge(pt, on="article_id").query("canonical_x < canonical_y")
    plain = (pairs.groupby(["canonical_x", "canonical_y"]).size().rename("articles").reset_index()
             .rename(columns={"canonical_x": "person_a", "canonical_y": "person_b"})
             .sort_values(["articles", "person_a", "person_b"], ascending=[False, True, True]).reset_index(drop=True))
    got = Q.person_cooccurrence(con, f)
    assert len(plain) > 0
    pd.testing.assert_frame_equal(got, plain, check_dtype=False)


@pytest.mark.parametrize("f", FILTERS, ids=str)
def test_sentence_measures_match_the_sentences(con, f):
    """corpus_summary and tone_trend from article_sides vs from `sents`."""
    assert Q.corpus_summary(con, f)["sentences"].iloc[0] == Q._run(con, f, "SELECT count(*) AS n FROM sents")["n"].iloc[0]
    trend = Q._run(con, f, """
        SELECT article_id, count(*) AS sentences, round(sum(tone * weight) / sum(weight), 3) AS tone
        FROM sents WHERE pub_date IS NOT NULL GROUP BY article_id ORDER BY any_value(pub_date), article_id""")
    got = Q.tone_trend(con, f)
    assert len(trend) > 0
    pd.testing.assert_frame_equal(got[["article_id", "sentences", "tone"]], trend, check_dtype=False, atol=1e-3)


def _plain_issue_articles(f: Filters) -> str:
    """The `ia` CTE of core.store.queries from the join of issue_hits with the selected sentences."""
    return f"""ia AS (SELECT h.issue, h.article_id, count(*) AS n, sum(h.weight) AS w, sum(s.tone * h.weight) AS tw
                      FROM issue_hits h JOIN sents s USING (article_id, sent_idx) WHERE {Q._issue_cond(f)} GROUP BY ALL)"""


@pytest.mark.parametrize("chart", [Q.issue_frequency, Q.issue_by_visit, Q.issue_by_article, Q.visit_change],
                         ids=lambda c: c.__name__)
@pytest.mark.parametrize("f", FILTERS + [Filters(persons=("Antony Blinken",))], ids=str)
def test_issue_charts_match_the_sentence_join(con, f, chart, monkeypatch):
    """article_issues (no side or person filter) and `hits` (else) vs issue hits joined with `sents`."""
    got = chart(con, f)
    monkeypatch.setattr(Q, "_issue_articles", _plain_issue_articles)
    plain = chart(con, f)
    assert len(plain) > 0 or (chart is Q.visit_change and f.visits)
    pd.testing.assert_frame_equal(got, plain, check_dtype=False)
