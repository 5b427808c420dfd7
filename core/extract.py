"""One article in, one ArticleResult out: the order in which the extraction steps run.

clean -> metadata (date, visit; user metadata wins) -> spaCy doc -> sentences -> people and
quotes -> issues -> tone -> aggregates. Heavy objects (the spaCy pipeline, the issue matcher,
the tone lexicons) live in an ExtractionContext that is built once and reused for every
article, and that can be rebuilt inside a Dask worker from its pipeline name and seeds folder.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from spacy.attrs import IS_PUNCT, IS_SPACE

from core.catalogs import CATALOG_FILES, Catalogs, load_catalogs
from core.ingest.clean import clean_text
from core.ingest.dates import assign_visit, infer_pub_date, infer_title
from core.issues import IssueTagger, discussed
from core.store.keys import content_hash, fingerprint
from core.model import MARKED_LINES, ArticleResult, CleanedText, RawArticle, Sentence
from core.nlp import load_nlp, parse
from core.ingest.outlets import read_outlet
from core.paths import seeds_dir
from core.voices.people import extract_people
from core.voices.quotes import extract_quotes
from core.voices.recalled import mark_recalled
from core.voices.speakers import assign_speakers, find_turns, mark_official
from core.tone.model import ToneScorer, quote_tones
from core.tone.aggregates import article_tone, side_tones


@dataclass
class ExtractionContext:
    """The loaded pipeline and catalogues. pipeline: spaCy package name (None = default)."""

    pipeline: str | None = None
    seeds: Path | None = None
    catalogs: Catalogs = field(init=False)

    def __post_init__(self):
        self.catalogs = load_catalogs(self.seeds)
        self.nlp = load_nlp(self.pipeline, self.catalogs)
        self.issue_tagger = IssueTagger(self.catalogs.issues, self.nlp)
        self.tone_scorer = ToneScorer(Path(self.seeds or seeds_dir()) / CATALOG_FILES["tone"])

    def fingerprint(self) -> str:
        """What a stored result depends on (core.store.keys.fingerprint, cheap: no model load)."""
        return fingerprint(self.pipeline, self.catalogs)

    def __reduce__(self):
        # Dask ships the context to workers by name; each worker loads its own pipeline.
        return (ExtractionContext, (self.pipeline, self.seeds))


def make_sentences(doc, cleaned: CleanedText) -> list[Sentence]:
    """Sentence records from doc.sents; index i matches list(doc.sents)[i]."""
    text = doc.text
    title_par = text.split("\n").index(cleaned.title) if cleaned.title in text.split("\n") else None
    out, paragraph, counted = [], 0, 0
    for i, sent in enumerate(doc.sents):
        start, end = sent.start_char, sent.end_char
        paragraph += text.count("\n", counted, start)  # line breaks before start, counted once
        counted = start
        line_end = text.find("\n", start)
        line = text[start: len(text) if line_end < 0 else line_end]
        is_title = paragraph == title_par
        is_heading = is_title or (
            line.strip() == sent.text.strip() and not re.search(r"[.!?:\"”’)]\s*$", line.strip())
            and len(line.split()) <= 14
        )
        out.append(Sentence(i, start, end, sent.text, paragraph, is_heading, is_title))
    return out


def resolve_metadata(raw: RawArticle, cleaned: CleanedText, catalogs: Catalogs):
    """Title, outlet, date and visit: what the user gave, else what the page's own metadata says
    (raw.meta["page"]: an HTML page's markup, a Markdown front matter), else what the text says.
    meta_source names where each field came from: 'user', 'page' or 'inferred'.

    Needs only the catalogues, so the store can re-resolve metadata (after a metadata edit or a
    visits.yaml change) without loading the spaCy pipeline.
    """
    given = {k: v for k, v in raw.meta.items() if k != "page" and v not in (None, "")}
    page = {k: v for k, v in (raw.meta.get("page") or {}).items() if v not in (None, "")}
    source = {key: "user" if key in given else "page" if key in page else "inferred"
              for key in ("title", "outlet", "url", "pub_date", "visit")}
    meta = {**page, **given}
    if "pub_date" in given:  # the evidence of the date that won, not the page's beneath it
        meta["date_evidence"] = given.get("date_evidence")
    title = meta.get("title") or infer_title(cleaned) or Path(raw.file).stem
    # a page's site name (HTML) or the user's outlet is the publisher; the text's credit is kept beside it
    publisher, credit = read_outlet(raw.text, site_name=meta.get("outlet"), url=meta.get("url"))
    outlet = meta.get("outlet") or publisher
    pub = meta.get("pub_date")
    if pub:
        pub = pub if isinstance(pub, dt.date) else dt.date.fromisoformat(str(pub))
        date_conf, date_evidence = 1.0, meta.get("date_evidence") or "given in metadata"
    else:
        guess = infer_pub_date(cleaned.text, title, visits=catalogs.visits, page_dates=cleaned.page_dates,
                               reprint=credit)
        pub, date_conf, date_evidence = guess.date, guess.confidence, guess.evidence
    if meta.get("visit"):
        visit, visit_evidence = meta["visit"], "given in metadata"
    else:
        vg = assign_visit(pub, cleaned.text, catalogs.visits)
        visit, visit_evidence = vg.visit, vg.evidence
    return dict(title=title, outlet=outlet, credit=credit, url=meta.get("url"), pub_date=pub,
                pub_date_confidence=round(float(date_conf), 3), date_evidence=date_evidence,
                visit=visit, visit_evidence=visit_evidence, meta_source=source)


def word_count(doc) -> int:
    """Tokens that are neither punctuation nor space, counted on spaCy's arrays (a Python loop over
    the tokens made a Token object for each: half a second on a 225 KB article)."""
    flags = doc.to_array([IS_PUNCT, IS_SPACE])
    return int(len(doc) - flags.any(axis=1).sum())


def extract(raw: RawArticle, ctx: ExtractionContext, doc=None, cleaned: CleanedText | None = None) -> ArticleResult:
    """Run every extraction step on one article. A batch passes what it already made for
    nlp.pipe: cleaned = clean_text(raw.text) and doc = the parse of cleaned.text."""
    cleaned = cleaned or clean_text(raw.text, raw.meta.get(MARKED_LINES))
    meta = resolve_metadata(raw, cleaned, ctx.catalogs)
    if doc is None:
        doc = parse(ctx.nlp, [cleaned.text])[0]
    sentences = make_sentences(doc, cleaned)
    mentions, persons = extract_people(doc, sentences, ctx.catalogs, meta["pub_date"])
    quotes = extract_quotes(doc, sentences, mentions, persons)
    mark_official(quotes, persons, mentions, ctx.catalogs, meta["pub_date"])
    assign_speakers(sentences, quotes, find_turns(doc.text, sentences, mentions, persons), persons)
    mark_recalled(sentences, meta["pub_date"], ctx.catalogs.visits, meta["visit"])
    # a crosshead ("Strategic competition") labels a section; the issue sentences are under it
    hits = [h for h in ctx.issue_tagger.tag(doc, sentences) if not sentences[h.sent_idx].crosshead]
    tones = ctx.tone_scorer.score(doc, sentences)
    # a quote's tone is its own words: two speakers in one sentence, two readings
    for q, value in zip(quotes, quote_tones(tones, [(q.start, q.end) for q in quotes])):
        q.tone = value
    tone = article_tone(tones)
    tone_by_side = side_tones(quotes)
    return ArticleResult(
        article_id=content_hash(raw.text), file=raw.file,
        words=word_count(doc),
        cleaned=cleaned, sentences=sentences, mentions=mentions, persons=persons, quotes=quotes,
        issue_hits=hits, tones=tones, tone=tone, tone_by_side=tone_by_side, **meta,
    )


def to_contract(result: ArticleResult, sentences: bool = False) -> dict:
    """The `diplotone extract` JSON object (DESIGN.md contract), plus `credit` (the wire or outlet
    the page credits when it is not the publisher: an additive key, the contract's own keys keep
    their meaning) and nothing else; sentences=True adds the per-sentence records of `extract --sentences`."""
    speakers = sorted({q.speaker for q in result.quotes if q.speaker} | {s.speaker for s in result.sentences if s.speaker})
    persons = sorted(result.persons, key=lambda p: (-p.mentions, p.canonical))
    out = {
        "file": result.file,
        "title": result.title,
        "outlet": result.outlet,
        "credit": result.credit,
        "pub_date": result.pub_date.isoformat() if result.pub_date else None,
        "pub_date_confidence": result.pub_date_confidence,
        "event": result.visit,
        "persons": [{"name": p.canonical, "side": p.side, "role": p.role, "mentions": p.mentions,
                     "official": p.official} for p in persons],
        "speakers": speakers,
        "issues": _issue_sentence_counts(result),
        "issues_discussed": discussed(result.issue_hits, result.sentences),
        "tone": round(result.tone, 3),
        "tone_by_side": {k: (None if v is None else round(v, 3)) for k, v in result.tone_by_side.items()},
    }
    if sentences:
        out["sentences"] = _sentence_records(result)
    return out


def _sentence_records(result: ArticleResult) -> list[dict]:
    """One record per analysed sentence (DESIGN.md `extract --sentences`), in order."""
    tone = {t.sent_idx: round(t.score, 3) for t in result.tones}
    issues: dict[int, list[str]] = {}
    for h in result.issue_hits:
        if h.issue not in issues.setdefault(h.sent_idx, []):
            issues[h.sent_idx].append(h.issue)
    return [{"text": s.text, "start": s.start, "end": s.end, "tone": tone.get(s.idx, 0.0),
             "issues": issues.get(s.idx, []), "speaker": s.speaker, "side": s.side,
             "official": s.official, "recalled": s.recalled, "when": s.when} for s in result.sentences]


def _issue_sentence_counts(result: ArticleResult) -> dict[str, int]:
    """Sentences per issue (a sentence counts once per issue), most frequent first."""
    pairs = {(h.sent_idx, h.issue) for h in result.issue_hits}
    counts: dict[str, int] = {}
    for _, issue in pairs:
        counts[issue] = counts.get(issue, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
