"""One phrase syntax for the hand-edited catalogues: issue patterns and tone-lexicon terms.

A phrase is plain words, matched on whole tokens and case-insensitively. Each word matches
its written form or any inflection whose spaCy lemma is that form: 'tension' matches
'Tensions', 'stabilize' matches 'stabilized', 'arm sale' matches 'arms sales'. Hyphens and
apostrophes split tokens as they do in the text ('people-to-people', 'China's'); straight
and curly apostrophes are interchangeable. When a pipeline is given, each phrase is also
lemmatised by it, so inflected phrases written as they appear ('arms sales', 'chips',
'de-risking') match every inflection too.

Matching uses two spaCy PhraseMatchers built once (attr LEMMA and attr LOWER) because lemmas
keep the case of proper nouns and capitalised headlines ('Taiwan', 'Cold War'), which only
the lowercase form can catch. A phrase that mixes an inflected word with a proper noun
('containing China': lemmas 'contain', 'China') needs both at once, so the lemma patterns of
phrases up to CASE_VARIANT_WORDS words also come with every word capitalised or not. Lookup
cost per document is linear in its tokens.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

Tokenize = Callable[[str], list[str]]
Lemmatize = Callable[[list[str]], list[list[str]]]

CASE_VARIANT_WORDS = 4
LEMMA_COMPONENTS = ("tok2vec", "tagger", "morphologizer", "attribute_ruler", "lemmatizer")


def pipeline_lemmatizer(nlp) -> Lemmatize:
    """Lemmatise phrases with only the components lemmas need (no parser or NER)."""
    enabled = [name for name in nlp.pipe_names if name in LEMMA_COMPONENTS]

    def lemmatize(phrases: list[str]) -> list[list[str]]:
        if "lemmatizer" not in enabled:
            return [[] for _ in phrases]
        with nlp.select_pipes(enable=enabled):
            return [[t.lemma_ for t in doc] for doc in nlp.pipe(phrases)]

    return lemmatize


class PhraseIndex:
    """Find catalogue phrases in a Doc.

    vocab: the Vocab of the documents that will be searched.
    phrases: key -> the phrases that stand for it (an issue id, a lexicon entry id, ...).
    tokenize: text -> words, splitting exactly like the pipeline's tokenizer.
    lemmatize: optional phrases -> their lemmas (see pipeline_lemmatizer).
    """

    def __init__(self, vocab, phrases: dict[str, Iterable[str]], tokenize: Tokenize,
                 lemmatize: Lemmatize | None = None):
        self.vocab = vocab
        self._lemma = PhraseMatcher(vocab, attr="LEMMA")
        self._lower = PhraseMatcher(vocab, attr="LOWER")
        flat = [(key, variant) for key, texts in phrases.items() for text in texts
                for variant in dict.fromkeys((text, text.replace("'", "’"), text.replace("’", "'")))]
        lemmas = lemmatize([text for _, text in flat]) if lemmatize and flat else [[] for _ in flat]
        lemma_docs: dict[str, list[Doc]] = {}
        lower_docs: dict[str, list[Doc]] = {}
        for (key, text), pipeline_lemmas in zip(flat, lemmas):
            words = tokenize(text)
            if not words:
                continue
            variants = {tuple(w.lower() for w in words), tuple(words)}
            if len(pipeline_lemmas) == len(words):
                variants.add(tuple(l.lower() for l in pipeline_lemmas))
            if len(words) <= CASE_VARIANT_WORDS:
                variants = {cased for v in variants for cased in _capitalisations(v)}
            lemma_docs.setdefault(key, []).extend(
                Doc(vocab, words=words, lemmas=list(v)) for v in sorted(variants))
            lower_docs.setdefault(key, []).append(Doc(vocab, words=words))
        for key, docs in lemma_docs.items():
            self._lemma.add(key, docs)
        for key, docs in lower_docs.items():
            self._lower.add(key, docs)

    def find(self, doc) -> list[tuple[str, int, int]]:
        """(key, start token, end token) of every match, overlapping ones included, in text order."""
        found = {(mid, s, e) for mid, s, e in self._lemma(doc)}
        found.update(self._lower(doc))
        strings = self.vocab.strings
        return sorted(((strings[mid], s, e) for mid, s, e in found), key=lambda m: (m[1], -m[2], m[0]))


def _capitalisations(words: tuple[str, ...]) -> set[tuple[str, ...]]:
    """words with each lowercase word either kept or capitalised (2**n variants)."""
    out = {()}
    for word in words:
        forms = {word, word[:1].upper() + word[1:]} if word.islower() else {word}
        out = {prefix + (form,) for prefix in out for form in forms}
    return out


def sentence_index(doc) -> list[int]:
    """Token index -> index of its sentence in list(doc.sents)."""
    index = [0] * len(doc)
    for i, sent in enumerate(doc.sents):
        index[sent.start:sent.end] = [i] * (sent.end - sent.start)
    return index
