"""Direct and reported speech with canonical speakers: marks, inversions, pronouns, paragraphs."""
from __future__ import annotations

from pathlib import Path

import pytest

from core.catalogs import Catalogs, load_actors
from core.ingest.clean import clean_text
from core.extract import make_sentences
from core.nlp import load_nlp
from core.paths import seeds_dir
from core.voices.people import extract_people
from core.voices.quotes import extract_quotes, find_direct_quotes


@pytest.fixture(scope="module")
def run():
    catalogs = Catalogs(load_actors(Path(seeds_dir()) / "actors.csv"), [], [], {})
    nlp = load_nlp(None, catalogs)

    def _run(text: str):
        cleaned = clean_text(text)
        doc = nlp(cleaned.text)
        sentences = make_sentences(doc, cleaned)
        mentions, persons = extract_people(doc, sentences, catalogs)
        return doc.text, extract_quotes(doc, sentences, mentions, persons)
    return _run


def speaker_of(quotes, fragment):
    found = [q for q in quotes if fragment in q.text]
    assert found, f"no quote containing {fragment!r} in {[q.text for q in quotes]}"
    return found[0]


@pytest.mark.parametrize("opening,closing", [("“", "”"), ('"', '"'), ("«", "»")])
def test_quote_marks_and_said_x_inversion(run, opening, closing):
    text, quotes = run(f"The talks ended late on Monday.\n"
                       f"{opening}We will keep the channels open at every level,{closing} said Antony Blinken.")
    q = speaker_of(quotes, "keep the channels open")
    assert (q.speaker, q.side, q.cue, q.kind) == ("Antony Blinken", "US", "say", "direct")
    assert text[q.start:q.end] == q.text and not q.text.startswith(opening)


def test_quote_continued_in_next_paragraph(run):
    _, quotes = run("Xi Jinping spoke at length.\n"
                    "“The Pacific Ocean is vast enough for both of us,” Xi said. “We should be partners.\n"
                    "“Confrontation serves nobody and the world is watching us closely,” he added later.\n"
                    "“Rivalry is not the answer,” Xi said. “It is not the answer to anything we face today,\n"
                    "“and both nations know it well.”\n"
                    "“This is a separate quotation of unknown origin,” a source said.")
    assert speaker_of(quotes, "partners").speaker == "Xi Jinping"
    continued = speaker_of(quotes, "both nations know it")
    assert continued.speaker == "Xi Jinping" and continued.kind == "direct"
    assert speaker_of(quotes, "separate quotation").speaker is None


def test_pronoun_speaker_resolves_to_previous_person(run):
    _, quotes = run("Janet Yellen met Chinese officials in Guangzhou on Friday.\n"
                    "She said that overcapacity in green industries hurts American workers.\n"
                    "The meeting lasted three hours.")
    q = speaker_of(quotes, "overcapacity")
    assert (q.speaker, q.kind, q.cue) == ("Janet Yellen", "reported", "say")


def test_pronoun_without_a_person_stays_unresolved(run):
    _, quotes = run("The weather in Beijing was hot.\n“Nothing was agreed at all today,” he said.")
    assert speaker_of(quotes, "Nothing was agreed").speaker is None


def test_reported_speech_cues(run):
    _, quotes = run("Wang Yi warned that Taiwan remains the most important issue in relations.\n"
                    "The deal is fragile, according to Wang Wenbin.\n"
                    "Katherine Tai, who leads US trade policy, stressed that tariffs will stay.")
    assert speaker_of(quotes, "Taiwan remains").speaker == "Wang Yi"
    assert speaker_of(quotes, "The deal is fragile").speaker == "Wang Wenbin"
    tai = speaker_of(quotes, "tariffs will stay")
    assert (tai.speaker, tai.side, tai.kind) == ("Katherine Tai", "US", "reported")


def test_curly_single_quotes_and_apostrophes(run):
    text = "He said ‘we can’t accept unilateral changes to the status quo’ and left. It’s Blinken’s view."
    segs = find_direct_quotes(text)
    assert [text[s.start:s.end] for s in segs] == ["we can’t accept unilateral changes to the status quo"]


def test_scare_quotes_are_not_speech(run):
    _, quotes = run("Blinken held what he called “candid” talks with Chinese leaders in Beijing.")
    assert not any(q.kind == "direct" for q in quotes)


def test_organisation_speaker_keeps_its_side_but_no_person(run):
    _, quotes = run("China's Foreign Ministry said on Friday that the two sides reached a five-point consensus.")
    q = speaker_of(quotes, "five-point consensus")
    assert q.speaker is None and q.side == "China"


def test_unbalanced_mark_is_ignored_unless_next_paragraph_opens_a_quote():
    text = ('He said "we are ready to talk and this is the start.\n'
            'The meeting continued for hours, officials said.\n'
            'She said: "We will keep going.\n'
            '"And we will stay the course," she added.')
    segs = find_direct_quotes(text)
    assert [text[s.start:s.end] for s in segs] == ["We will keep going.", "And we will stay the course,"]
    assert segs[1].continues


def test_told_gives_the_subject_not_the_addressee(run):
    _, quotes = run("Antony Blinken arrived in Beijing on Sunday.\n"
                    "Li Qiang told Blinken that dialogue must continue at every level.\n"
                    "Xie Feng told visiting U.S. officials in April that China wants stable relations.")
    assert speaker_of(quotes, "dialogue must continue").speaker == "Li Qiang"
    assert speaker_of(quotes, "China wants stable").speaker == "Xie Feng"


def test_pronoun_prefers_the_main_clause_subject(run):
    _, quotes = run("Janet Yellen said that after Wang Yi arrived in Washington, the talks had improved.\n"
                    "She said that both sides should keep talking about trade.")
    assert speaker_of(quotes, "keep talking about trade").speaker == "Janet Yellen"


def test_transcript_labels_and_convey_and_said_comma(run):
    _, quotes = run("Department Press Briefing\n"
                    "MR MILLER: We think the meeting was productive and we will keep talking.\n"
                    "QUESTION: Can you say more about the fentanyl talks today?\n"
                    "MR MILLER: Not at this point, but we expect more news on that soon.")
    assert speaker_of(quotes, "meeting was productive").speaker == "Matthew Miller"
    assert speaker_of(quotes, "more news on that").speaker == "Matthew Miller"
    assert not any(q.speaker for q in quotes if "fentanyl talks" in q.text)
    _, quotes = run("Li Qiang said, China is willing to work with the United States on global challenges.\n"
                    "Janet Yellen sought to convey that the United States takes only targeted measures.")
    assert speaker_of(quotes, "willing to work").speaker == "Li Qiang"
    assert speaker_of(quotes, "targeted measures").speaker == "Janet Yellen"


def test_noun_object_is_not_reported_speech(run):
    _, quotes = run("Vladimir Putin on Thursday announced plans to visit China next month.\n"
                    "Donald Trump has promised tariffs of 60 percent on Chinese goods.\n"
                    "Wang Yi urged Washington to lift its sanctions on Chinese firms.")
    assert not any(q.speaker in {"Vladimir Putin", "Donald Trump"} for q in quotes)
    assert speaker_of(quotes, "lift its sanctions").speaker == "Wang Yi"


def test_reported_clause_with_scare_quotes_is_kept(run):
    _, quotes = run("Xinhua quoted Sergey Ryabkov on Thursday as saying that Russia and China have "
                    "strengthened cooperation, which made the United States “extremely angry”.")
    assert speaker_of(quotes, "strengthened cooperation").speaker == "Sergey Ryabkov"


def test_reported_words_start_after_that(run):
    _, quotes = run("Wang Yi criticized at the time that the relationship between the two countries was at a "
                    "low point, and the root cause was the United States.")
    assert speaker_of(quotes, "low point").text.startswith("the relationship between")


def test_a_lead_in_that_runs_into_a_quote_is_no_quote_of_its_own(run):
    _, quotes = run("Blinken in Beijing\nMr. Blinken told reporters that one of his main goals was “to disabuse our "
                    "Chinese hosts of the notion that we are seeking to economically contain them.”")
    assert [(q.kind, q.speaker) for q in quotes] == [("direct", "Antony Blinken")]
    assert quotes[0].text.startswith("to disabuse our Chinese hosts")
    # a report with a scare-quoted word inside stays a report
    _, quotes = run("Blinken in Beijing\nAntony Blinken said the talks were “candid” and useful for both sides.")
    assert [q.kind for q in quotes] == ["reported"]


def test_the_attribution_after_a_quote_is_not_a_quote_of_its_own(run):
    _, quotes = run("Blinken in Beijing\n“We are seeking to economically contain them. We’re not,” Mr. Blinken told "
                    "reporters before his departure Monday evening.")
    assert not [q for q in quotes if "reporters before his departure" in q.text]
    assert {q.speaker for q in quotes} == {"Antony Blinken"}


def test_a_partial_quotation_is_shown_with_its_reported_clause_whole(run):
    """Seed sentences (Blinken in Beijing, Shangri-La): the quote is the speaker's clause with its
    quoted words inside, never the clause cut at a quotation mark ("On the contrary, it would be")."""
    _, quotes = run("Blinken in Beijing\nAntony Blinken spoke to reporters. He stressed that “decoupling or economic "
                    "containment” was not a U.S. goal. On the contrary, it would be “disastrous,” he said.\n"
                    "President Joe Biden said on Sunday that he hopes to meet with Mr. Xi in “the next several months.”\n"
                    "US Secretary of Defense Lloyd Austin spoke at the summit. But he then told the Shangri-La summit that "
                    "he was “deeply concerned” that Beijing had been “unwilling to engage” in talks “for crisis management.”")
    said = {q.text: q.speaker for q in quotes if q.kind == "reported"}
    assert said == {
        "“decoupling or economic containment” was not a U.S. goal": "Antony Blinken",
        "On the contrary, it would be “disastrous,”": "Antony Blinken",
        "he hopes to meet with Mr. Xi in “the next several months.”": "Joe Biden",
        "he was “deeply concerned” that Beijing had been “unwilling to engage” in talks “for crisis management.”":
            "Lloyd Austin"}
    # the quoted words stay a direct quote of their own, marks to marks (the People page shows the clause)
    assert {q.text for q in quotes if q.kind == "direct"} >= {"decoupling or economic containment", "the next several months."}


def test_a_question_quote_takes_the_speaker_of_the_bare_attribution_after_it(run):
    """eval/pages p_08: the splitter cuts '"…?" Wang asked.' after the question mark; the quote is Wang's."""
    _, quotes = run("Blinken in Beijing\nEarlier on Friday, Blinken held five and a half hours of talks with Foreign "
                    "Minister Wang Yi.\n\"Should China and the United States stick to the right direction of stabilising "
                    "the relationship, or return to a downward spiral?\" Wang asked.\n"
                    "\"This is a separate quotation of unknown origin,\" a source said.")
    assert speaker_of(quotes, "downward spiral").speaker == "Wang Yi"
    assert speaker_of(quotes, "separate quotation").speaker is None
