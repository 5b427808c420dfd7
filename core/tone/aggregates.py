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
EXACT_BOOTSTRAP = 100  # articles in a group up to which the interval is drawn, not approximated
Z90 = 1.6448536269514722  # the standard normal's 95th percentile
INTERVAL = (5.0, 95.0)
MIN_ARTICLES = 3
MIN_SENTENCES = 10
SEED = 20231115
PRECISION = 6


def article_tone(tones: list[SentenceTone]) -> float:
    """The mean of the article's sentence tones (0.0 for an article without sentences), kept to
    PRECISION places so that a view rounding it (3 places) and a view averaging the stored
    sentences agree (no double rounding)."""
    return round(sum(t.score for t in tones) / len(tones), PRECISION) if tones else 0.0


# The same two definitions over the stored rows of the articles $ids (after a correction), in one pass.
STORED_ARTICLE_TONE = """
    UPDATE articles a SET tone = coalesce(t.tone, 0.0), tone_us = t.us, tone_china = t.china, tone_other = t.other
    FROM (SELECT i.article_id, s.tone, q.us, q.china, q.other
          FROM (SELECT unnest($ids::VARCHAR[]) AS article_id) i
          LEFT JOIN (SELECT article_id, round(avg(tone), 6) AS tone FROM sentences
                     WHERE article_id IN (SELECT unnest($ids::VARCHAR[])) GROUP BY article_id) s USING (article_id)
          LEFT JOIN (SELECT article_id,
                            round(avg(coalesce(tone, 0)) FILTER (WHERE side = 'US'), 6) AS us,
                            round(avg(coalesce(tone, 0)) FILTER (WHERE side = 'China'), 6) AS china,
                            round(avg(coalesce(tone, 0)) FILTER (WHERE side = 'Other'), 6) AS other
                     FROM quotes WHERE official AND article_id IN (SELECT unnest($ids::VARCHAR[]))
                     GROUP BY article_id) q USING (article_id)) t
    WHERE a.article_id = t.article_id"""


def side_tones(quotes: list[Quote]) -> dict[str, float | None]:
    """Per side, the mean tone of its officials' quotes (Quote.official, core.speakers), each on
    its own words; None where no official of that side is heard."""
    out: dict[str, float | None] = {}
    for side in SIDES:
        values = [q.tone or 0.0 for q in quotes if q.side == side and q.official]
        out[side] = round(sum(values) / len(values), PRECISION) if values else None
    return out


def _interval(mean: float, sd: float, n: int, values, seed: int) -> tuple[float, float]:
    """The 90 % bootstrap interval of a mean over n articles (see the module docstring): drawn from
    values (the article readings, in article order) up to EXACT_BOOTSTRAP articles, else the
    bootstrap's normal limit (the resampled means spread by the population sd / sqrt(n))."""
    if n > EXACT_BOOTSTRAP or values is None:
        half = Z90 * sd / np.sqrt(n)
        return mean - half, mean + half
    values = np.asarray(values, dtype=float)
    draws = values[np.random.default_rng(seed).integers(0, n, size=(BOOTSTRAP, n))].mean(axis=1)
    low, high = np.percentile(draws, INTERVAL)
    return low, high


def grouped_sql(readings: str, keys: list[str]) -> str:
    """The per-group statistics of `readings` (a SELECT of one row per keys..., article_id with
    tone and sentences) that finish() turns into visit-level readings: computed in DuckDB, so a
    100k-article store sends one row per group, not one per article; the article tones go along
    (sorted, for the bootstrap) only for groups of at most EXACT_BOOTSTRAP articles."""
    cols = ", ".join(keys)

    def same(a, b):  # a group with a NULL key finds no tones: finish() gives it the normal limit
        return " AND ".join(f"{a}.{k} = {b}.{k}" for k in keys)
    return f"""SELECT * FROM (
        WITH r AS MATERIALIZED (SELECT * FROM ({readings}) WHERE tone IS NOT NULL),
        g AS (SELECT {cols}, count(*) AS articles, sum(sentences)::BIGINT AS sentences, avg(tone) AS mean,
                     coalesce(stddev_pop(tone), 0) AS sd FROM r GROUP BY {cols}),
        small AS (SELECT {', '.join(f'r.{k}' for k in keys)}, list(r.tone ORDER BY r.article_id) AS tones
                  FROM r JOIN g ON {same('r', 'g')} WHERE g.articles <= {EXACT_BOOTSTRAP}
                  GROUP BY {', '.join(f'r.{k}' for k in keys)})
        SELECT g.*, small.tones FROM g LEFT JOIN small ON {same('g', 'small')})"""


def finish(stats: pd.DataFrame, keys: list[str], seed: int = SEED) -> pd.DataFrame:
    """Visit-level readings from grouped_sql's statistics: per group tone (mean over articles),
    articles, sentences, low and high (90 % bootstrap interval over articles), low_confidence."""
    cols = [*keys, "tone", "articles", "sentences", "low", "high", "low_confidence"]
    rows = []
    for r in stats.itertuples(index=False):
        n, sentences = int(r.articles), int(r.sentences)
        low, high = _interval(float(r.mean), float(r.sd), n, r.tones, seed)
        rows.append([*(getattr(r, k) for k in keys), round(float(r.mean), 3), n, sentences,
                     round(float(low), 3), round(float(high), 3), n < MIN_ARTICLES or sentences < MIN_SENTENCES])
    return pd.DataFrame(rows, columns=cols)


def grouped(per_article: pd.DataFrame, keys: list[str], seed: int = SEED) -> pd.DataFrame:
    """Visit-level readings from per-article ones held in pandas (per_article: one row per
    keys..., article_id with tone and sentences), by the same statistics as grouped_sql."""
    d = per_article.dropna(subset=["tone"]).sort_values("article_id")
    if d.empty:
        return finish(pd.DataFrame(columns=[*keys, "articles", "sentences", "mean", "sd", "tones"]), keys, seed)
    stats = d.groupby(keys, sort=False, dropna=False).agg(
        articles=("tone", "size"), sentences=("sentences", "sum"), mean=("tone", "mean"),
        sd=("tone", lambda v: v.std(ddof=0)), tones=("tone", list)).reset_index()
    return finish(stats, keys, seed)
