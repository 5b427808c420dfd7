"""The benchmark corpus generator: reproducible, distinct articles, realistic metadata."""
from __future__ import annotations

import itertools

import pytest

from benchmarks import synth
from core.catalogs import load_article_meta
from core.ingest.dedupe import CONTAINMENT_THRESHOLD
from core.store.keys import content_hash


@pytest.fixture(scope="module")
def corpus():
    return synth.generate(40, seed=3)


def test_same_seed_same_corpus(corpus):
    again = synth.generate(40, seed=3)
    assert [(r.file, r.text, r.meta) for r in again] == [(r.file, r.text, r.meta) for r in corpus]


def test_other_seed_other_corpus(corpus):
    other = synth.generate(40, seed=4)
    assert {r.text for r in other}.isdisjoint({r.text for r in corpus})


def test_a_prefix_is_the_smaller_corpus(corpus):
    assert [r.text for r in synth.generate(10, seed=3)] == [r.text for r in corpus[:10]]


def test_every_article_has_its_own_content_hash(corpus):
    assert len({content_hash(r.text) for r in corpus}) == len(corpus)


def test_metadata_spreads_over_dates_and_outlets(corpus):
    dates = [r.meta["pub_date"] for r in corpus]
    assert all(synth.DATE_FROM <= d <= synth.DATE_TO for d in dates)
    assert len({d.strftime("%Y-%m") for d in dates}) >= 5
    assert {r.meta["outlet"] for r in corpus} <= set(synth.OUTLETS)
    assert len({r.meta["outlet"] for r in corpus}) >= 5


def test_articles_keep_a_seed_headline_and_seed_paragraphs(corpus):
    seeds = synth.load_seeds()
    heads = {s.head for s in seeds}
    paragraphs = {p for s in seeds for p in s.body}
    for raw in corpus:
        first, *rest = [p.strip() for p in raw.text.split("\n") if p.strip()]
        assert first in heads
        # Every paragraph is a seed paragraph (up to an occasional person swap).
        assert sum(p in paragraphs for p in rest) >= 0.8 * len(rest)


def test_no_two_articles_are_near_duplicates(corpus):
    """They must stay distinct stories for core.ingest.dedupe, or a build would fold them together."""
    def paragraphs(raw):
        return {p.strip() for p in raw.text.split("\n")[1:] if p.strip()}

    worst = max(len(paragraphs(a) & paragraphs(b)) / min(len(paragraphs(a)), len(paragraphs(b)))
                for a, b in itertools.combinations(corpus, 2))
    assert worst < CONTAINMENT_THRESHOLD * 0.75


def test_written_corpus_has_a_valid_sidecar(corpus, tmp_path):
    sidecar = synth.write_corpus(corpus[:5], tmp_path)
    metas = load_article_meta(sidecar)
    assert sorted(metas) == sorted(r.file for r in corpus[:5])
    for raw in corpus[:5]:
        assert (tmp_path / raw.file).read_text(encoding="utf-8") == raw.text
        assert metas[raw.file].pub_date == raw.meta["pub_date"]
        assert metas[raw.file].outlet == raw.meta["outlet"]
