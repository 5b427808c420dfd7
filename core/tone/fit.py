"""Fit the sentence tone model on hand-labelled sentences, and measure it cross-validated.

The labelled sets (core.sentence_labels: `seeds`, `styles`) are read by the product's own
pipeline: each article is cleaned and parsed, each label aligned to the system sentence it
overlaps most, and each sentence's features (core.tone.model.FEATURES) computed. The model is a ridge
regression of the -2..+2 label on the features and on the presence of each content word seen in
at least MIN_WORD_SENTENCES training sentences (what the lexicon misses: "backfire", "dictator"),
without intercept (a sentence without evidence reads 0), with ALPHA shrinkage so that rare
constructions and words do not get extreme weights. A ridge model's scores are compressed
(it shrinks towards 0), so its raw sum is calibrated to the label scale: the isotonic regression
of label/2 on the raw scores the model gives sentences it was not fitted on (CALIBRATION_FOLDS
folds by article inside the training articles), through (0, 0). The 3-class neutral band is the
|calibrated score| cut that classifies those out-of-fold sentences best.

Cross-validation holds out one article at a time (folds by article): its sentences, article tone
and officials' side tones are predicted by the full extraction with the weights fitted on the
other articles only, so no figure comes from a model that saw its own labels.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.ingest.clean import clean_text
from core.model import RawArticle
from core.paths import seeds_dir
from core.sentence_labels import best_match, folds, label_spans, load_sentence_set
from core.tone.model import FEATURES, WEIGHTS_FILE, WORD_VALUE, ToneScorer, ToneWeights

ALPHA = 3.0
CALIBRATION_FOLDS = 5
MIN_WORD_SENTENCES = 3
BANDS = tuple(np.round(np.arange(0.05, 0.55, 0.025), 3))
SETS = ("seeds", "styles")


@dataclass
class LabelledDoc:
    """One labelled article read by the pipeline: its rows (label, features) and what extract needs."""

    set_name: str
    file: str
    raw: RawArticle
    cleaned: object
    doc: object
    labels: list[tuple[int, float, str]]   # (system sentence index, label -2..2, label text)
    features: np.ndarray                   # one row per label
    words: list[list[str]]                 # per label, its sentence's content-word lemmas
    article: dict = field(default_factory=dict)


def read_sets(ctx, sets=SETS) -> list[LabelledDoc]:
    """Every labelled article of the sets that exist (a set without labels yet is skipped)."""
    from core.errors import InputError
    from core.extract import make_sentences

    docs = []
    for name in sets:
        try:
            articles = load_sentence_set(name)
        except InputError:
            continue
        for art in articles:
            raw = RawArticle(art.file, art.text)
            cleaned = clean_text(raw.text)
            doc = ctx.nlp(cleaned.text)
            sentences = make_sentences(doc, cleaned)
            feats = ctx.tone_scorer.features(doc, len(sentences))
            lemmas = ctx.tone_scorer.words(doc, len(sentences))
            spans = label_spans(art.sentences, cleaned.text)
            labels, rows, words = [], [], []
            for label, span in zip(art.sentences, spans):
                i = best_match(span, [(s.start, s.end) for s in sentences])
                if i is not None:
                    labels.append((i, float(label.tone), label.text))
                    rows.append([feats[i].get(f, 0.0) for f in FEATURES])
                    words.append(lemmas[i])
            docs.append(LabelledDoc(name, art.file, raw, cleaned, doc, labels,
                                    np.array(rows, dtype=float).reshape(-1, len(FEATURES)), words,
                                    {**art.article, "sentence_labels": art.sentences}))
    return docs


def fit(docs: list[LabelledDoc]) -> ToneWeights:
    """Ridge weights on the labelled sentences of `docs` (the features, and each content word
    used in at least MIN_WORD_SENTENCES training sentences), their calibration to the label
    scale and the neutral band, both read off out-of-fold scores (CALIBRATION_FOLDS folds by
    article) so that they describe the model on sentences it did not see."""
    weights, words = _ridge(docs)
    raw, y = [], []
    for train, test in folds(docs, CALIBRATION_FOLDS):
        fold_weights, fold_words = _ridge([docs[i] for i in train])
        for i in test:
            raw += list(raw_scores(docs[i], fold_weights, fold_words))
            y += [lab for _, lab, _ in docs[i].labels]
    raw, y = np.array(raw), np.array(y)
    knots = calibration(raw, y / 2)
    score = np.interp(raw, *zip(*knots))
    band = max(BANDS, key=lambda b: (np.mean(three_class(score, b) == np.sign(y)), -b))
    return ToneWeights(weights, float(band), {
        "model": f"ridge regression, alpha {ALPHA}, no intercept, label -2..+2; words: presence x {WORD_VALUE}, "
                 f"used in >= {MIN_WORD_SENTENCES} training sentences; calibration: isotonic on "
                 f"{CALIBRATION_FOLDS}-fold out-of-fold scores (folds by article), 0 kept at 0",
        "sentences": int(len(y)), "articles": len(docs),
        "sets": sorted({d.set_name for d in docs})}, words, knots)


def _ridge(docs: list[LabelledDoc]) -> tuple[dict[str, float], dict[str, float]]:
    """(feature weights, word weights) of the ridge fit on the labelled sentences of `docs`."""
    from sklearn.linear_model import Ridge

    rows = [words for d in docs for words in d.words]
    counts: dict[str, int] = {}
    for words in rows:
        for w in set(words):
            counts[w] = counts.get(w, 0) + 1
    vocab = sorted(w for w, n in counts.items() if n >= MIN_WORD_SENTENCES)
    column = {w: j for j, w in enumerate(vocab)}
    bag = np.zeros((len(rows), len(vocab)))
    for r, words in enumerate(rows):
        for w in words:
            if w in column:
                bag[r, column[w]] = WORD_VALUE
    x = np.hstack([np.vstack([d.features for d in docs]), bag])
    y = np.concatenate([[lab for _, lab, _ in d.labels] for d in docs])
    coef = Ridge(alpha=ALPHA, fit_intercept=False).fit(x, y).coef_
    weights = {f: round(float(w), 5) for f, w in zip(FEATURES, coef)}
    words = {w: round(float(c), 5) for w, c in zip(vocab, coef[len(FEATURES):]) if abs(c) >= 1e-4}
    return weights, words


def raw_scores(doc: LabelledDoc, weights: dict[str, float], words: dict[str, float]) -> np.ndarray:
    """The clipped raw tone (before calibration) of each labelled sentence of `doc`, as
    core.tone.model.ToneScorer.score sums it."""
    feature = doc.features @ np.array([weights[f] for f in FEATURES])
    word = np.array([sum(words.get(w, 0.0) for w in ws) * WORD_VALUE for ws in doc.words])
    return np.clip((feature + word.reshape(feature.shape)) / 2, -1, 1)


def calibration(raw: np.ndarray, target: np.ndarray) -> tuple[tuple[float, float], ...]:
    """Knots of the isotonic regression of target on raw (both -1..+1), one per block at the
    block's mean raw score (so the map is piecewise linear and keeps the order of scores), fitted
    on each side of 0 apart and through (0, 0): a sentence without evidence stays neutral."""
    from sklearn.isotonic import IsotonicRegression

    knots = {0.0: 0.0}
    for sign in (-1.0, 1.0):
        x = raw[sign * raw > 0]
        t = target[sign * raw > 0]
        if len(x) < 2:
            knots[sign] = sign
            continue
        fitted = IsotonicRegression(y_min=min(0, sign), y_max=max(0, sign)).fit_transform(x, t)
        for value in np.unique(fitted):
            knots[round(float(x[fitted == value].mean()), 4)] = round(float(value), 4)
        outer = max(knots, key=lambda k: sign * k)
        knots[sign] = knots[outer]
    return tuple(sorted(knots.items()))


def three_class(score, band: float) -> np.ndarray:
    """-1 / 0 / +1 of scores on -1..+1 with a neutral band."""
    score = np.asarray(score, dtype=float)
    return np.where(np.abs(score) < band, 0, np.sign(score))


def write_weights(weights: ToneWeights, path: Path) -> None:
    data = {"weights": weights.weights, "neutral_band": weights.neutral_band, "fitted": weights.fitted,
            "calibration": [list(k) for k in weights.calibration], "words": dict(sorted(weights.words.items()))}
    Path(path).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def refit(ctx, path: Path | None = None) -> ToneWeights:
    """What `diplotone fit-tone` does: fit on every labelled article and write the weights file."""
    weights = fit(read_sets(ctx))
    write_weights(weights, path or Path(ctx.seeds or seeds_dir()) / WEIGHTS_FILE)
    return weights


def cross_validated(ctx, docs: list[LabelledDoc]):
    """(doc, ArticleResult, fold weights) for each article, its result extracted with the
    weights fitted on the other articles."""
    from core.extract import extract

    out = []
    for train, test in folds(docs):
        weights = fit([docs[i] for i in train])
        fold_ctx = replace_scorer(ctx, weights)
        for i in test:
            d = docs[i]
            out.append((d, extract(d.raw, fold_ctx, doc=d.doc, cleaned=d.cleaned), weights))
    return out


def replace_scorer(ctx, weights: ToneWeights):
    """A shallow copy of an ExtractionContext whose tone scorer uses other weights."""
    clone = object.__new__(type(ctx))
    clone.__dict__.update(ctx.__dict__)
    scorer = object.__new__(ToneScorer)
    scorer.__dict__.update(ctx.tone_scorer.__dict__)
    scorer.weights = weights
    clone.tone_scorer = scorer
    return clone
