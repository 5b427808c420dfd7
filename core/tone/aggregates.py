"""The tone aggregates, each defined once: an article's tone, a side's officials' tone in an
article, and the visit-level readings (visit x issue, visit x side) with their n and a 90 %
bootstrap interval over articles.

- Sentence tone: core.tone.model (the fitted model), -1..+1.
- Article tone: the mean of its sentences' tones; the tone of a selection of an article's
  sentences (an issue, a side, a person) is the mean of those, each weighing its issue-hit
  weight under an issue filter (a passing mention weighs less; core.issues).
- A side's tone in an article: the mean tone of the quotes of that side's officials, each
  quote read on its own words (core.tone.model.quote_tone; a quote without tone words reads 0);
  None where no official of the side is heard.
- A selection's tone for a group of articles (a visit, a visit and issue, a visit and side):
  the mean over articles of each article's reading of the selected sentences (or quotes), so
  each article counts once whatever its length; n = articles and sentences behind it; the
  90 % interval is the 5th..95th percentile of that mean over BOOTSTRAP resamples of the
  articles (past EXACT_BOOTSTRAP articles, the bootstrap's normal limit mean +- 1.645 sd/sqrt(n):
  the same interval to the third decimal, without drawing BOOTSTRAP x n values, which at 100k
  articles took seconds per chart). A reading on fewer than MIN_ARTICLES articles or MIN_SENTENCES sentences is
  low-confidence.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from core.model import SIDES, Quote, SentenceTone

BOOTSTRAP = 1000
EXACT_BOOTSTRAP = 400  # articles in a group up to which the interval is drawn, not approximated
Z90 = 1.6448536269514722  # the standard normal's 95th percentile
INTERVAL = (5.0, 95.0)
MIN_ARTICLES = 3
MIN_SENTENCES = 10
SEED = 20231115


def article_tone(tones: list[SentenceTone]) -> float:
    """The mean of the article's sentence tones (0.0 for an article without sentences)."""
    return round(sum(t.score for t in tones) / len(tones), 4) if tones else 0.0


# The same two definitions over the stored rows of the articles $ids (after a correction), in one pass.
STORED_ARTICLE_TONE = """
    UPDATE articles a SET tone = coalesce(t.tone, 0.0), tone_us = t.us, tone_china = t.china, tone_other = t.other
    FROM (SELECT i.article_id, s.tone, q.us, q.china, q.other
          FROM (SELECT unnest($ids::VARCHAR[]) AS article_id) i
          LEFT JOIN (SELECT article_id, round(avg(tone), 4) AS tone FROM sentences
                     WHERE article_id IN (SELECT unnest($ids::VARCHAR[])) GROUP BY article_id) s USING (article_id)
          LEFT JOIN (SELECT article_id,
                            round(avg(coalesce(tone, 0)) FILTER (WHERE side = 'US'), 4) AS us,
                            round(avg(coalesce(tone, 0)) FILTER (WHERE side = 'China'), 4) AS china,
                            round(avg(coalesce(tone, 0)) FILTER (WHERE side = 'Other'), 4) AS other
                     FROM quotes WHERE official AND article_id IN (SELECT unnest($ids::VARCHAR[]))
                     GROUP BY article_id) q USING (article_id)) t
    WHERE a.article_id = t.article_id"""


def side_tones(quotes: list[Quote]) -> dict[str, float | None]:
    """Per side, the mean tone of its officials' quotes (Quote.official, core.speakers), each on
    its own words; None where no official of that side is heard."""
    out: dict[str, float | None] = {}
    for side in SIDES:
        values = [q.tone or 0.0 for q in quotes if q.side == side and q.official]
        out[side] = round(sum(values) / len(values), 4) if values else None
    return out


def _interval(values: np.ndarray, rng: np.random.Generator) -> tuple[float, float]:
    """The 90 % bootstrap interval of the mean of values (see the module docstring)."""
    n = len(values)
    if n > EXACT_BOOTSTRAP:  # the resampled means' spread is the population sd / sqrt(n)
        half = Z90 * values.std() / np.sqrt(n)
        return values.mean() - half, values.mean() + half
    draws = values[rng.integers(0, n, size=(BOOTSTRAP, n))].mean(axis=1)
    low, high = np.percentile(draws, INTERVAL)
    return low, high


def grouped(per_article: pd.DataFrame, keys: list[str], seed: int = SEED) -> pd.DataFrame:
    """Visit-level readings from per-article ones.

    per_article: one row per (keys..., article_id) with `tone` (the article's reading of the
    selection) and `sentences` (how many sentences it rests on). Returns per group: tone (mean
    over articles), articles, sentences, low and high (90 % bootstrap interval over articles)
    and low_confidence."""
    cols = [*keys, "tone", "articles", "sentences", "low", "high", "low_confidence"]
    d = per_article.dropna(subset=["tone"])
    if d.empty:
        return pd.DataFrame(columns=cols)
    rng = np.random.default_rng(seed)
    rows = []
    for key, g in d.groupby(keys, sort=False, dropna=False):
        values = g["tone"].to_numpy(dtype=float)
        n = len(values)
        low, high = _interval(values, rng)
        sentences = int(g["sentences"].sum())
        rows.append([*(key if isinstance(key, tuple) else (key,)), round(float(values.mean()), 3), n, sentences,
                     round(float(low), 3), round(float(high), 3), n < MIN_ARTICLES or sentences < MIN_SENTENCES])
    return pd.DataFrame(rows, columns=cols)
