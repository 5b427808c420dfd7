"""The pooled (all sets together) article-tone figure of `diplotone evaluate`, on hand-made inputs."""
from __future__ import annotations

import datetime as dt

import pytest

from core import evaluate as ev


def _article(tone):
    return ev.LabelledArticle(path=None, file="x.txt", text="", pub_date=dt.date(2023, 6, 19), visit="other",
                              persons={}, speakers=set(), issue_sentences=[], tone=tone, quotes=[])


def _pred(tone):
    return ev.Prediction(text="", sentences=[], persons={}, speakers=set(), sent_issues={},
                         article_issues=set(), tone=tone, sent_tone={}, pub_date=None, visit=None)


def test_pooled_article_spearman_ranks_across_sets():
    dev = ([_article(-0.4), _article(0.3)], [_pred(-0.2), _pred(0.1)])
    held = ([_article(0.0), _article(0.5)], [_pred(0.05), _pred(-0.3)])
    # gold ranks 1 3 2 4, predicted 2 4 3 1: neither set alone has 3 articles to rank
    assert ev.pooled_article_spearman([dev, held]) == pytest.approx(-0.2)
    assert ev.pooled_article_spearman([dev]) is None


def test_format_table_prints_pooled_row():
    m = ev.metrics([_article(0.0)], [_pred(0.0)])
    pooled = {"sets": ["dev", "heldout"], "system": {"tone": {"article_spearman": 0.7}},
              "baseline": {"tone": {"article_spearman": None}}}
    table = ev.format_table({"note": ev.SET_NOTE, "dev": {"system": m, "baseline": m},
                             "heldout": {"system": m, "baseline": m}, ev.POOLED: pooled})
    row = next(line for line in table.splitlines() if "pooled" in line)
    assert row.split()[2:4] == ["0.700", "-"] and "(dev + heldout, 2 articles)" in row
