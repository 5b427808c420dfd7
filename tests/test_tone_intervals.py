"""The 90 % interval of a visit-level tone: the bootstrap over articles, and its normal limit for
large groups (so a 100k-article store does not draw 1,000 x n values per chart)."""
import numpy as np
import pandas as pd

from core.tone.aggregates import BOOTSTRAP, EXACT_BOOTSTRAP, INTERVAL, grouped


def _articles(tones) -> pd.DataFrame:
    return pd.DataFrame({"visit": "v", "article_id": [f"a{i}" for i in range(len(tones))],
                         "tone": tones, "sentences": 20})


def test_a_large_group_gets_the_interval_the_bootstrap_would_draw():
    tones = np.random.default_rng(1).uniform(-1, 1, EXACT_BOOTSTRAP * 3)
    got = grouped(_articles(tones), ["visit"]).iloc[0]
    rng = np.random.default_rng(7)
    draws = tones[rng.integers(0, len(tones), size=(BOOTSTRAP * 4, len(tones)))].mean(axis=1)
    low, high = np.percentile(draws, INTERVAL)
    assert abs(got["low"] - low) <= 0.002 and abs(got["high"] - high) <= 0.002
    assert got["articles"] == len(tones) and got["tone"] == round(tones.mean(), 3)


def test_a_small_skewed_group_keeps_the_bootstrap_s_own_asymmetric_interval():
    tones = [-0.9, 0.1, 0.1, 0.15, 0.2, 0.2, 0.25]  # one hostile outlier pulls the low end far down
    got = grouped(_articles(tones), ["visit"]).iloc[0]
    mean = np.mean(tones)
    assert got["low"] < mean < got["high"]
    assert (mean - got["low"]) > 1.3 * (got["high"] - mean)
