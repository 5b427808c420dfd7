"""The derived rows (core.schema.DERIVED) give every chart the same numbers as the plain joins they replace."""
from __future__ import annotations

import pandas as pd
import pytest

from core import queries as Q
from core.filters import Filters
from core.store import read_connection

FILTERS = [Filters(), Filters(issues=("taiwan", "trade")), Filters(sides=("US",)),
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
    plain = Q._run(con, f, f"""
        SELECT x.issue AS issue_a, y.issue AS issue_b, count(*) AS paragraphs, count(DISTINCT x.article_id) AS articles
        FROM ph x JOIN ph y ON x.article_id = y.article_id AND x.paragraph = y.paragraph AND x.issue < y.issue
        GROUP BY ALL ORDER BY paragraphs DESC, issue_a, issue_b""",
                   f"""ph AS (SELECT DISTINCT s.article_id, s.paragraph, h.issue
                   FROM issue_hits h JOIN sents s USING (article_id, sent_idx) WHERE {Q._issue_cond(f)})""")
    got = Q.issue_cooccurrence(con, f)
    assert len(plain) > 0
    pd.testing.assert_frame_equal(got, plain, check_dtype=False)


@pytest.mark.parametrize("f", FILTERS + [Filters(persons=("Antony Blinken",))], ids=str)
def test_issue_tone_charts_match_the_sentence_join(con, f):
    visits = Q.visit_order(con, Filters())["visit"].tolist()
    a, b = visits[0], visits[-1]
    g = f.replace(visits=())
    plain = Q._run(con, g, f"""
        SELECT h.issue AS label,
               round(sum(s.tone * h.weight * s.weight) FILTER (WHERE s.visit = '{a}')
                     / sum(h.weight * s.weight) FILTER (WHERE s.visit = '{a}'), 3) AS tone_a,
               count(*) FILTER (WHERE s.visit = '{b}') AS n_b
        FROM issue_hits h JOIN sents s USING (article_id, sent_idx) WHERE {Q._issue_cond(g)}
        GROUP BY label ORDER BY label""")
    got = Q.tone_shift(con, f, a, b, by="issue").set_index("label")
    plain = plain.set_index("label")
    plain = plain[(plain["n_b"] > 0) | plain["tone_a"].notna()]
    assert len(plain) > 0
    pd.testing.assert_series_equal(got.loc[plain.index, "tone_a"], plain["tone_a"], check_dtype=False)
    pd.testing.assert_series_equal(got.loc[plain.index, "n_b"], plain["n_b"], check_dtype=False)
