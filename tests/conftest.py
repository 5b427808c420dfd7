"""Shared fixtures: a store built once from the seed corpus, and per-test isolated store paths."""
from __future__ import annotations

import datetime as dt

import pytest

from core.store.keys import content_hash
from core.voices.speakers import assign_speakers
from core.model import (ArticleResult, CleanedText, IssueHit, Line, Mention, Person, Quote, RawArticle,
                        Sentence, SentenceTone, ToneDriver)


@pytest.fixture(scope="session")
def seed_store(tmp_path_factory):
    """Path of a store built from the seed corpus with core.build.build (once per session). Read it only."""
    from core.build import build

    path = tmp_path_factory.mktemp("seed_store") / "seeds.duckdb"
    report = build(None, path, progress=False)
    assert not report.errors, report.errors
    return path


@pytest.fixture
def isolated_store(tmp_path, monkeypatch):
    """A fresh store path, also set as DIPLOTONE_STORE so default-path code uses it."""
    path = tmp_path / "store.duckdb"
    monkeypatch.setenv("DIPLOTONE_STORE", str(path))
    return path


def synthetic_article(text: str, file: str = "a.txt", *, outlet: str | None = "Reuters",
                      pub_date: dt.date | None = dt.date(2023, 6, 18), visit: str = "blinken-2023-06",
                      meta: dict | None = None) -> tuple[ArticleResult, RawArticle]:
    """A hand-made (result, raw) pair for store tests that must not depend on the NLP.

    Each line of text is a sentence; a line starting with 'Q:' is a direct quote by Antony
    Blinken, a line containing 'Taiwan' is an issue hit, and tone is +0.5 on lines with 'talks'.
    """
    raw = RawArticle(file, text, dict(meta or {}))
    lines = text.split("\n")
    sentences, pos = [], 0
    for i, line in enumerate(lines):
        sentences.append(Sentence(i, pos, pos + len(line), line, i))
        pos += len(line) + 1
    quotes = [Quote(s.idx, s.start, s.end, s.text, "Antony Blinken", "US", "said", "direct", official=True)
              for s in sentences if s.text.startswith("Q:")]
    assign_speakers(sentences, quotes)
    hits = [IssueHit(s.idx, "taiwan", "Taiwan") for s in sentences if "Taiwan" in s.text]
    tones = [SentenceTone(s.idx, 0.5 if "talks" in s.text else 0.0, 0.2, "verbal_cooperation",
                          [ToneDriver("talks", 0.5, "diplomatic")] if "talks" in s.text else [])
             for s in sentences]
    mentions = [Mention(s.idx, s.start, s.start + 7, "Blinken", "PERSON", "Antony Blinken", "US", None)
                for s in sentences if "Blinken" in s.text]
    persons = [Person("Antony Blinken", "US", "Secretary of State", len(mentions), True, True)] if mentions else []
    result = ArticleResult(
        article_id=content_hash(text), file=file, title=lines[0], outlet=outlet, url=None,
        pub_date=pub_date, pub_date_confidence=0.9, date_evidence="test", visit=visit,
        visit_evidence="test", words=len(text.split()),
        cleaned=CleanedText(text, [Line(i, x, False) for i, x in enumerate(lines)], lines[0]),
        sentences=sentences, mentions=mentions, persons=persons, quotes=quotes, issue_hits=hits,
        tones=tones, tone=0.25, tone_by_side={"US": 0.5, "China": None, "Other": None},
        meta_source={"title": "inferred"},
    )
    return result, raw
