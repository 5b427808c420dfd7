"""Sentence-level hand labels (tone, speaker, issues, recalled) and their alignment to the
system's sentences.

Two sets share one format (eval/sentences/CONVENTIONS.md): `seeds` labels every body sentence of
the five seed articles (eval/sentences/seeds.json, texts in seeds/); `styles` is the project's
own set in the styles of real coverage (eval/styles/labels/*.json, texts in
eval/styles/articles/). Both are development data: anything fitted on them is reported
cross-validated with folds by article (`folds`). `blind` (eval/blind/) is written by an annotator
for testing only: nothing is tuned or fitted on it, and nobody reads it while tuning.

A label's sentence is found in the analysed text by `locate` (tolerant of quote style and
whitespace), then matched to the system sentence that overlaps it most, so scorers and model
fitting read the same pairs.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import InputError
from core.evaluate import EVAL_DIR, locate
from core.paths import PROJECT_ROOT

SENTENCE_SETS = {
    "seeds": (EVAL_DIR / "sentences" / "seeds.json", PROJECT_ROOT / "seeds"),
    "styles": (EVAL_DIR / "styles" / "labels", EVAL_DIR / "styles" / "articles"),
    "pages": (EVAL_DIR / "pages" / "labels", EVAL_DIR / "pages" / "articles"),
    "blind": (EVAL_DIR / "blind" / "labels", EVAL_DIR / "blind" / "articles"),
}


@dataclass
class SentenceLabel:
    text: str
    tone: int                    # -2..+2
    issues: list[str]
    speaker: str | None
    recalled: bool = False
    when: str | None = None      # "YYYY-MM"


@dataclass
class LabelledText:
    """One article's raw text and its sentence labels; article fields where the set has them."""

    set_name: str
    file: str
    text: str
    sentences: list[SentenceLabel]
    boilerplate: list[str] = field(default_factory=list)
    article: dict = field(default_factory=dict)   # style, title, outlet, pub_date, visit, tone, tone_by_side, persons, speakers, issues_discussed


def _article(set_name: str, item: dict, texts: Path, where: Path) -> LabelledText:
    path = texts / item["file"]
    if not path.exists():
        raise InputError(where, f"labels name {item['file']!r}, which is not in {texts}")
    sentences = [SentenceLabel(s["text"], int(s["tone"]), list(s.get("issues") or []), s.get("speaker"),
                               bool(s.get("recalled")), s.get("when")) for s in item["sentences"]]
    extra = {k: v for k, v in item.items() if k not in ("file", "sentences", "boilerplate")}
    return LabelledText(set_name, item["file"], path.read_text(encoding="utf-8"), sentences,
                        list(item.get("boilerplate") or []), extra)


def load_sentence_set(name: str) -> list[LabelledText]:
    """The labelled articles of one set ('seeds' or 'styles'), in file order."""
    if name not in SENTENCE_SETS:
        raise InputError(name, f"unknown sentence label set; use one of {', '.join(SENTENCE_SETS)}")
    labels, texts = SENTENCE_SETS[name]
    if labels.is_file():
        items = [(item, labels) for item in json.loads(labels.read_text(encoding="utf-8"))]
    else:
        items = [(json.loads(p.read_text(encoding="utf-8")), p) for p in sorted(labels.glob("*.json"))]
    if not items:
        raise InputError(labels, f"no labels for sentence set {name!r}")
    return [_article(name, item, texts, where) for item, where in items]


def label_spans(labels: list[SentenceLabel], text: str) -> list[tuple[int, int] | None]:
    """Character span of each labelled sentence in `text` (the analysed, cleaned text), searching
    forward from the previous match so a repeated sentence maps to its own occurrence; None for
    a sentence the text no longer has (a repeated block the cleaner removed)."""
    spans, cursor = [], 0
    for label in labels:
        found = locate(label.text, text[cursor:])
        if found is None:
            spans.append(None)
            continue
        span = (found[0] + cursor, found[1] + cursor)
        spans.append(span)
        cursor = span[1]
    return spans


def best_match(span: tuple[int, int] | None, sentences: list[tuple[int, int]]) -> int | None:
    """Index of the system sentence that overlaps `span` most (None: not located / no overlap)."""
    if span is None:
        return None
    best, best_overlap = None, 0
    for i, (s, e) in enumerate(sentences):
        overlap = min(e, span[1]) - max(s, span[0])
        if overlap > best_overlap:
            best, best_overlap = i, overlap
    return best


def folds(articles: list[LabelledText], k: int | None = None) -> list[tuple[list[int], list[int]]]:
    """(train, test) article indices, one fold per article (k=None) or k folds by article."""
    n = len(articles)
    k = n if k is None else min(k, n)
    groups = [list(range(i, n, k)) for i in range(k)]
    return [([j for j in range(n) if j not in test], test) for test in groups]
