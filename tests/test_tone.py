"""Tone of made-up diplomatic sentences, lexicon validation and the article/side aggregates."""
from __future__ import annotations

import pytest

from core.errors import CatalogError
from core.model import Quote, SentenceTone
from core.nlp import load_nlp
from core.paths import seeds_dir
from core.tone.model import ToneScorer, load_tone_lexicon
from core.tone.aggregates import article_tone, side_tones


@pytest.fixture(scope="module")
def nlp():
    return load_nlp()


@pytest.fixture(scope="module")
def scorer():
    return ToneScorer(seeds_dir() / "tone_lexicon.yaml")


def tone(nlp, scorer, text) -> SentenceTone:
    doc = nlp(text)
    return scorer.score(doc, list(doc.sents))[0]


def test_candid_is_not_praise(nlp, scorer):
    text = "The two ministers held candid talks."
    assert tone(nlp, scorer, text).score < 0.05
    assert tone(nlp, scorer, text).score < tone(nlp, scorer, "The two ministers held constructive talks.").score
    assert any(d.word == "candid" and d.source == "diplomatic" and d.contribution < 0
               for d in tone(nlp, scorer, text).drivers)


def test_provocative_and_downward_spiral_are_negative_conflict(nlp, scorer):
    for text in ("Beijing called the transit a provocative act.", "Ties are locked in a downward spiral."):
        result = tone(nlp, scorer, text)
        assert result.score < -0.3, text
        assert result.coop < -0.3 and result.quad == "verbal_conflict", text


def test_stabilize_and_guardrails_are_cooperative(nlp, scorer):
    result = tone(nlp, scorer, "Both governments want to stabilize relations and build guardrails.")
    assert result.score > 0.15 and result.coop > 0.3
    assert result.quad == "verbal_cooperation"


def test_negated_breakthrough_is_negative(nlp, scorer):
    result = tone(nlp, scorer, "The talks did not produce a breakthrough.")
    assert result.score < -0.05
    assert any(d.word == "not breakthrough" and d.contribution < 0 for d in result.drivers)
    assert tone(nlp, scorer, "The talks produced a breakthrough.").score > 0.15
    assert tone(nlp, scorer, "The visit failed to achieve any breakthrough.").score < 0
    assert tone(nlp, scorer, "There was no breakthrough.").score < 0


def test_not_constructive_is_negative(nlp, scorer):
    assert tone(nlp, scorer, "The meeting was not constructive.").score < 0


def test_negation_does_not_cross_into_the_next_clause(nlp, scorer):
    result = tone(nlp, scorer, "The envoys did not meet, and relations stabilized.")
    assert result.score > 0


def test_avoiding_conflict_is_not_hostile(nlp, scorer):
    assert tone(nlp, scorer, "Both sides want to avoid conflict.").score >= 0
    assert tone(nlp, scorer, "Neither side wants a war.").score > 0


def test_hedge_damps(nlp, scorer):
    plain = tone(nlp, scorer, "Relations will deteriorate.").score
    hedged = tone(nlp, scorer, "Relations may deteriorate.").score
    assert plain < hedged < 0


def test_intensifier_scales(nlp, scorer):
    plain = tone(nlp, scorer, "Washington is concerned about the drills.").score
    strong = tone(nlp, scorer, "Washington is deeply concerned about the drills.").score
    assert strong < plain < 0


def test_sanctions_are_material_conflict(nlp, scorer):
    result = tone(nlp, scorer, "The Treasury imposed sanctions and tariffs on Chinese firms.")
    assert result.quad == "material_conflict"


def test_names_are_not_tone(nlp, scorer):
    result = tone(nlp, scorer, "Wang Yi spoke at the Shangri-La Dialogue in Singapore.")
    assert all(d.word != "Dialogue" for d in result.drivers)


def test_drivers_add_up_to_the_score(nlp, scorer):
    result = tone(nlp, scorer, "Officials said the talks were not productive but hoped ties would stabilize.")
    total = sum(d.contribution for d in result.drivers)
    assert result.score == pytest.approx(max(-1.0, min(1.0, total)), abs=1e-3)


def test_article_tone_is_the_mean_of_its_sentences_and_sides_read_officials_only():
    tones = [SentenceTone(0, -0.5, 0, "neutral"), SentenceTone(1, -0.6, 0, "neutral"), SentenceTone(2, 0.5, 0, "neutral")]
    assert article_tone(tones) == pytest.approx(-0.2)
    assert article_tone([]) == 0.0
    quotes = [Quote(1, 32, 57, "we oppose the provocation", "Wang Yi", "China", "said", "direct", official=True, tone=-0.6),
              Quote(2, 60, 70, "fine words", "Wang Yi", "China", "said", "direct", official=True, tone=None),
              Quote(2, 71, 90, "relations are good", "Shi Yinhong", "China", "said", "direct", official=False, tone=0.9),
              Quote(2, 99, 110, "the ministry said", None, "US", "said", "reported", official=True, tone=0.4)]
    by_side = side_tones(quotes)
    assert by_side["China"] == pytest.approx(-0.3)  # Wang Yi's two quotes; a quote without tone words reads 0
    assert by_side["US"] == pytest.approx(0.4)      # an institution speaking in office counts
    assert by_side["Other"] is None


def write_lexicon(tmp_path, terms, modifiers='  - {term: "not", kind: negator, factor: -0.6}\n'):
    path = tmp_path / "tone_lexicon.yaml"
    path.write_text("# header\nterms:\n" + terms + "modifiers:\n" + modifiers, encoding="utf-8")
    return path


def test_lexicon_error_names_file_and_line(tmp_path):
    path = write_lexicon(tmp_path, "  - {term: thaw, score: 0.5}\n  - {term: icy, score: -5}\n")
    with pytest.raises(CatalogError) as err:
        load_tone_lexicon(path)
    assert str(err.value) == f"{path}, line 4: 'score' must be a number from -1.0 to 1.0, got -5"


def test_lexicon_rejects_unknown_class_duplicates_typos_and_bare_no(tmp_path):
    cases = {
        "  - {term: thaw, score: 0.5, class: friendly}\n": "line 3: 'class' must be one of",
        "  - {term: thaw, score: 0.5}\n  - {term: Thaw, score: 0.4}\n": "line 4: term 'Thaw' is listed twice (first on line 3)",
        "  - {term: thaw, scroe: 0.5}\n": "line 3: unknown field 'scroe'",
        "  - {term: no, score: -0.5}\n": "line 3: 'term' was read as False",
    }
    for terms, message in cases.items():
        with pytest.raises(CatalogError) as err:
            load_tone_lexicon(write_lexicon(tmp_path, terms))
        assert message in str(err.value)


def test_shipped_lexicon_size():
    terms, modifiers = load_tone_lexicon(seeds_dir() / "tone_lexicon.yaml")
    assert len(terms) >= 150
    assert {m.kind for m in modifiers} == {"negator", "hedge", "intensifier", "contrast", "ignore",
                                           "demand", "restraint", "reassurance"}


def test_contrast_puts_the_weight_after_but(nlp, scorer):
    result = tone(nlp, scorer, "There is a willingness to engage, but there is nothing substantial.")
    assert result.score < tone(nlp, scorer, "There is a willingness to engage.").score / 2
    assert tone(nlp, scorer, "They want not only talks but also cooperation.").score > 0.15


def test_quote_wording_that_generic_lexicons_misread(nlp, scorer):
    negative = ("The two sides have very little in common.",
                "Both sides are eroding confidence in the agreements.",
                "The ideological gap between the two capitals is large.",
                "The United States needs to reflect deeply.",
                "The minister would not rule out any options.",
                "Neither side is willing to compromise.")
    for text in negative:
        assert tone(nlp, scorer, text).score < -0.05, text
    positive = ("There is no substitute for face-to-face diplomacy.",
                "Negotiators searched for a middle ground.",
                "Both sides must find a way to manage their differences.",
                "The relationship is on firmer ground.")
    for text in positive:
        assert tone(nlp, scorer, text).score > 0.05, text


def test_intensifier_inside_a_term_is_not_counted_twice(nlp, scorer):
    result = tone(nlp, scorer, "The United States needs to reflect deeply.")
    assert not [d for d in result.drivers if d.source == "rule"]
