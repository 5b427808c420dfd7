"""The sign errors the issue found on the seed sentences, one test per kind: each seed sentence is
read by the full extraction (with the shipped weights) and must carry the sign of its hand label."""
from __future__ import annotations

import pytest

from core.extract import ExtractionContext, extract
from core.model import RawArticle
from core.sentence_labels import load_sentence_set


@pytest.fixture(scope="module")
def seeds():
    ctx = ExtractionContext()
    return [extract(RawArticle(a.file, a.text), ctx) for a in load_sentence_set("seeds")]


def sentence(seeds, words: str):
    """(result, sentence tone) of the one seed sentence containing `words`."""
    found = [(r, t) for r in seeds for s, t in zip(r.sentences, r.tones) if words in s.text]
    assert len(found) == 1, (words, len(found))
    return found[0]


def test_demands_and_prohibitions_are_friction(seeds):
    for words in ("should not “arbitrarily” interfere", "to stop hyping the “China Threat Theory.”"):
        _, tone = sentence(seeds, words)
        assert tone.score < 0, words
        assert any(d.word.startswith("demand:") for d in tone.drivers), words


def test_a_negated_reassurance_is_positive(seeds):
    for words in ("“decoupling or economic containment” was not a U.S. goal",
                  "China “will not challenge or replace the United States,” Mr. Xi said"):
        _, tone = sentence(seeds, words)
        assert tone.score > 0, words


def test_strong_language_no_longer_visible_is_easing(seeds):
    _, tone = sentence(seeds, "are no longer visible")
    assert tone.score > 0
    assert {d.word for d in tone.drivers} >= {"not wanton", "not strong language"}


def test_encirclement_is_hostile(seeds):
    _, tone = sentence(seeds, "to encircle China")
    assert tone.score < 0


def test_no_concessions_is_not_cooperation(seeds):
    _, tone = sentence(seeds, "neither side has made or is prepared to make any significant")
    assert tone.score < 0
    assert any(d.word == "not concession" and d.contribution < 0 for d in tone.drivers)


def test_a_restraint_warning_is_neutral(seeds):
    _, tone = sentence(seeds, "conflict in the Taiwan Strait would be devastating")
    band = ExtractionContext().tone_scorer.weights.neutral_band
    assert abs(tone.score) < max(band, 0.1)
    assert any(d.word.startswith("restraint:") for d in tone.drivers)


def test_two_speakers_in_one_sentence_get_two_readings(seeds):
    result, _ = sentence(seeds, "While Kerry stressed that the two countries could not let bilateral differences")
    idx = next(s.idx for s in result.sentences if "While Kerry stressed" in s.text)
    quotes = {q.speaker: q for q in result.quotes if q.sent_idx == idx}
    assert set(quotes) >= {"John Kerry", "Wang Yi"}
    assert quotes["Wang Yi"].tone < 0 < quotes["John Kerry"].tone  # Wang's caveat, Kerry's call to cooperate
