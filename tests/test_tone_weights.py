"""The shipped tone weights and their calibration (seeds/tone_weights.json, core.tone.fit).

The cross-validated figures are in the slow test_evaluate.test_cross_validated_tone_beats_vader_on_every_set;
this fast guard reads the five seed articles with the shipped weights and fails when a refit or a
lexicon or pipeline change makes them read the hand labels worse. The seeds are part of the
training data, so these are fit figures (a regression guard), not quality figures.
"""
from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.stats import spearmanr

from core.errors import CatalogError
from core.extract import ExtractionContext, extract
from core.paths import seeds_dir
from core.tone.fit import calibration, read_sets, three_class
from core.tone.model import WEIGHTS_FILE, load_tone_weights


@pytest.fixture(scope="module")
def seed_readings():
    ctx = ExtractionContext()
    labels, scores = [], []
    for d in read_sets(ctx, ("seeds",)):
        result = extract(d.raw, ctx, doc=d.doc, cleaned=d.cleaned)
        labels += [label for _, label, _ in d.labels]
        scores += [result.tones[i].score for i, _, _ in d.labels]
    return np.array(labels), np.array(scores), ctx.tone_scorer.weights


def test_shipped_weights_still_read_the_seed_labels(seed_readings):
    labels, scores, weights = seed_readings
    assert len(labels) > 250
    assert spearmanr(labels, scores)[0] >= 0.68
    assert np.mean(three_class(scores, weights.neutral_band) == np.sign(labels)) >= 0.64


def test_shipped_scores_are_on_the_label_scale(seed_readings):
    """Calibrated: the labels' -2..+2 halved is the scale, not a band squeezed around 0."""
    labels, scores, weights = seed_readings
    assert np.std(scores) >= 0.3
    assert np.mean(scores[labels <= -1]) < -0.25 and np.mean(scores[labels >= 1]) > 0.2
    assert weights.calibrate(0.0) == 0.0 and len(weights.calibration) > 3


def test_calibration_stretches_a_compressed_score_keeps_order_and_zero():
    rng = np.random.default_rng(1)
    target = rng.choice([-1.0, -0.5, 0.0, 0.5, 1.0], size=600)
    raw = np.clip(0.3 * target + rng.normal(0, 0.05, size=600), -1, 1)  # a shrunk model's scores
    knots = calibration(raw, target)
    xs, ys = zip(*knots)
    assert list(xs) == sorted(xs) and list(ys) == sorted(ys)
    assert np.interp(0.0, xs, ys) == 0.0
    assert np.interp(0.3, xs, ys) > 0.8 and np.interp(-0.3, xs, ys) < -0.8


def test_a_weights_file_with_a_bad_calibration_is_refused(tmp_path):
    data = json.loads((seeds_dir() / WEIGHTS_FILE).read_text(encoding="utf-8"))
    for bad, message in (([[-1, 0.5], [0, 0], [1, 1]], "non-decreasing"),
                         ([[-1, -1], [0, 0.2], [1, 1]], "raw 0 as 0"),
                         ("steep", "pairs")):
        path = tmp_path / WEIGHTS_FILE
        path.write_text(json.dumps({**data, "calibration": bad}), encoding="utf-8")
        with pytest.raises(CatalogError, match=message):
            load_tone_weights(path)
