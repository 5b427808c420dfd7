"""Who said what, scored per sentence on the sentence label sets (`seeds`, `styles`, `pages`).

All three are development data (core.sentence_labels); `blind` is scored the same way, untuned.
Each article runs through core.extract without metadata; each labelled sentence is aligned to the
system sentence it overlaps most.
Beside the system, a plain "NAME said" baseline reads the labelled sentence itself (so it gets
the sentence boundaries for free): a capitalised name next to said / says / told / added, a surname
completed to the commonest "Firstname Surname" of the article; its quotes are the marked spans of a sentence;
its recalled reading is a past-time phrase ("last year", "at the time", "ago", "earlier"); its
people are bare spaCy PERSON spans.

- speaker accuracy: over sentences where the label or the extractor names a speaker, the share
  where both name the same person;
- quote-span exactness: of the labelled speakers' quoted passages (marks paired within a
  paragraph, four words or more), the share the extractor reports as one quote with the same
  start and end: a fragment, a quote cut at a sentence end, or one with narration, misses;
- recalled precision / recall over sentences; `when` accuracy over true recalled sentences
  that have a labelled `when`;
- speakers and people per article, F1 (article fields: the styles labels' own; the seeds' from
  eval/dev, the same five articles); official accuracy over the people both find;
- dates within 3 days and visit accuracy, where the set labels them;
- outlet accuracy: the publisher read from the page (core.ingest.outlets, no metadata given) against the
  labelled outlet (styles, pages: the label's `outlet`, its parenthesised note dropped; a reprint
  "Reuters (syndicated in the Deccan Ledger)" or repost "X (reposted on Y)" accepts either name;
  seeds: seeds/articles.yaml),
  both sides through the catalogue normaliser, a shorter name matching a longer one whose first
  words it is ("Sohu" ~ "Sohu Finance"). Its baseline is the name before the first dateline dash
  ("BEIJING (AP) —" → AP) in the first lines, else None.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from core.evaluate import full_name_aliases, load_set, name_key, prf, set_prf
from core.ingest.outlets import normalise_outlet
from core.sentence_labels import LabelledText, best_match, label_spans, load_sentence_set

DATE_DAYS = 3
QUOTE_SLACK = 2   # characters of punctuation or space a quote span may differ by at each end
MIN_QUOTE_WORDS = 4
_NAME = r"((?:[A-Z][\w'’.-]+ ){0,2}[A-Z][\w'’-]+)"
_SAID = re.compile(rf"\b{_NAME},? (?:said|says|told|added)\b|\b(?:said|says|told|added) {_NAME}\b")
_RECALLED = re.compile(r"\b(last (?:week|month|year)|at the time|ago|earlier|previously|in 20\d\d)\b", re.I)
_MARKS = re.compile(r"[\"“]([^\"“”]+)[\"”]")
_DATELINE_NAME = re.compile(r"([A-Z][\w&'’.]*(?: [A-Z][\w&'’.]*)*)\)?\s+(?:--|[-–—])\s")
_REPRINTER = re.compile(r"\((?:reprinted|syndicated|republished|reposted) (?:in|by|on) (?:the )?([^)]+)\)")


def baseline_outlet(text: str) -> str | None:
    """The plain outlet baseline: the capitalised name just before the first dateline dash of the
    first eight lines ("WASHINGTON, June 19 (Reuters) - ..." → Reuters), else None."""
    for line in [ln for ln in text.splitlines() if ln.strip()][:8]:
        m = _DATELINE_NAME.search(line)
        if m:
            return m[1]
    return None


def _outlet_words(name: str | None) -> list[str]:
    return re.findall(r"\w+", re.sub(r"^the\s+", "", (normalise_outlet(name) or "").lower()))


def outlet_matches(gold: str, pred: str | None) -> bool:
    """pred names the labelled outlet (or, for a reprint, the reprinting outlet): see the module doc."""
    names = [re.sub(r"\s*\([^)]*\)", "", gold).strip(), *_REPRINTER.findall(gold)]
    p = _outlet_words(pred)
    for g in map(_outlet_words, names):
        short, long_ = sorted((g, p), key=len)
        if short and long_[:len(short)] == short and (short == long_ or len("".join(short)) >= 4):
            return True
    return False


def _key(name, aliases):
    return name_key(aliases.get(name_key(name), name)) if name else None


def _baseline_speaker(sentence: str, text: str) -> str | None:
    m = _SAID.search(sentence)
    if not m:
        return None
    name = re.sub(r"^(?:Mr|Ms|Mrs|Dr)\.? ", "", (m[1] or m[2]).strip())
    longer = Counter(re.findall(rf"\b([A-Z][a-z][\w'’-]* {re.escape(name)})\b", text))
    return longer.most_common(1)[0][0] if longer and " " not in name else name


def gold_quotes(text: str, labels, spans) -> list[tuple[int, int]]:
    """Marked passages of the sentences the labels give a speaker: (start, end) in `text`."""
    out = []
    spoken = [sp for sp, lab in zip(spans, labels) if sp and lab.speaker]
    pos = 0
    for para in text.split("\n"):
        i, n = 0, len(para)
        while i < n:
            if para[i] in "\"“" and (i == 0 or not para[i - 1].isalnum()):
                close = next((j for j in range(i + 1, n) if para[j] in "\"”" and (j + 1 == n or not para[j + 1].isalnum())), None)
                if close is None:
                    break
                s, e = pos + i + 1, pos + close
                if len(text[s:e].split()) >= MIN_QUOTE_WORDS and any(a < e and s < b for a, b in spoken):
                    out.append((s, e))
                i = close + 1
            else:
                i += 1
        pos += len(para) + 1
    return out


def _exact(gold: tuple[int, int], pred: list[tuple[int, int]], text: str) -> bool:
    def trim(s, e):
        while s < e and not text[s].isalnum():
            s += 1
        while e > s and not text[e - 1].isalnum():
            e -= 1
        return s, e
    gs, ge = trim(*gold)
    return any(abs(ps - gs) <= QUOTE_SLACK and abs(pe - ge) <= QUOTE_SLACK for ps, pe in (trim(*p) for p in pred))


class Tally:
    """Counts for one extractor over one set."""

    def __init__(self):
        self.spk_ok = self.spk_n = 0
        self.quote_ok = self.quote_n = 0
        self.rec = [0, 0, 0]          # true positives, predicted, gold
        self.when_ok = self.when_n = 0
        self.speakers_gold, self.speakers_pred = set(), set()
        self.people_gold, self.people_pred = set(), set()
        self.official_ok = self.official_n = 0
        self.date_ok = self.date_n = self.visit_ok = self.visit_n = 0
        self.discussed_gold, self.discussed_pred = set(), set()
        self.outlet_ok = self.outlet_n = 0
        self.failures: list[dict] = []
        self.outlet_failures: list[dict] = []

    def result(self) -> dict:
        ratio = lambda a, b: a / b if b else None  # noqa: E731
        return {
            "speaker_accuracy": ratio(self.spk_ok, self.spk_n), "speaker_sentences": self.spk_n,
            "quote_span_exact": ratio(self.quote_ok, self.quote_n), "quotes": self.quote_n,
            "recalled": {**prf(self.rec[0], self.rec[1], self.rec[0], self.rec[2]),
                         "when_accuracy": ratio(self.when_ok, self.when_n)},
            "speakers_f1": set_prf(self.speakers_gold, self.speakers_pred)["f1"],
            "people_f1": set_prf(self.people_gold, self.people_pred)["f1"] if self.people_gold else None,
            "official_accuracy": ratio(self.official_ok, self.official_n),
            "date_within_3_days": ratio(self.date_ok, self.date_n),
            "visit_accuracy": ratio(self.visit_ok, self.visit_n),
            "issues_discussed_f1": set_prf(self.discussed_gold, self.discussed_pred)["f1"] if self.discussed_gold else None,
            "outlet_accuracy": ratio(self.outlet_ok, self.outlet_n), "outlets": self.outlet_n,
        }


def _article_fields(set_name: str) -> dict[str, dict]:
    """file -> {persons: {name: official or None}, speakers, pub_date, visit} for the set."""
    out = {}
    if set_name == "seeds":
        from core.catalogs import CATALOG_FILES, load_article_meta
        from core.paths import PROJECT_ROOT
        meta = load_article_meta(PROJECT_ROOT / "seeds" / CATALOG_FILES["articles"])
        for a in load_set("dev"):
            name = a.file.split("/")[-1]
            out[name] = {"persons": {n: None for n in a.persons}, "speakers": set(a.speakers),
                         "pub_date": a.pub_date, "visit": a.visit,
                         "outlet": meta[name].outlet if name in meta else None}
    return out


def score_set(set_name: str, ctx, bare) -> dict:
    """{"system": metrics, "baseline": metrics, "failures": [...]} for one sentence set.
    ctx: an ExtractionContext; bare: the bare spaCy model (the people baseline: its PERSON spans)."""
    from core.ingest.clean import clean_text
    from core.extract import extract, to_contract
    from core.model import RawArticle

    aliases = full_name_aliases(ctx.catalogs.actors)
    extra = _article_fields(set_name)
    system, baseline = Tally(), Tally()
    for k, article in enumerate(load_sentence_set(set_name)):
        cleaned = clean_text(article.text)
        result = extract(RawArticle(article.file, article.text), ctx, cleaned=cleaned)
        text = result.cleaned.text
        spans = label_spans(article.sentences, text)
        sys_spans = [(s.start, s.end) for s in result.sentences]
        fields = {**extra.get(article.file, {}), **_own_fields(article)}
        for lab, span in zip(article.sentences, spans):
            if span is None:
                continue
            i = best_match(span, sys_spans)
            sent = result.sentences[i] if i is not None else None
            gold = _key(lab.speaker, aliases)
            pred = _key(sent.speaker if sent else None, aliases)
            base = _key(_baseline_speaker(lab.text, article.text), aliases)
            for tally, guess in ((system, pred), (baseline, base)):
                if gold or guess:
                    tally.spk_n += 1
                    tally.spk_ok += gold == guess
            if (gold or pred) and gold != pred:
                system.failures.append({"file": article.file, "text": lab.text[:140], "label": lab.speaker,
                                        "system": sent.speaker if sent else None})
            rec_pred = bool(sent and sent.recalled)
            rec_base = bool(_RECALLED.search(lab.text))
            for tally, guess, when in ((system, rec_pred, sent.when if sent else None), (baseline, rec_base, None)):
                tally.rec[0] += guess and lab.recalled
                tally.rec[1] += guess
                tally.rec[2] += lab.recalled
                if lab.recalled and lab.when:
                    tally.when_n += 1
                    tally.when_ok += guess and when == lab.when
        quotes = gold_quotes(text, article.sentences, spans)
        sys_quotes = [(q.start, q.end) for q in result.quotes if q.kind == "direct"]
        base_quotes = [(s + m.start(1), s + m.end(1)) for s, e in sys_spans
                       for m in _MARKS.finditer(text[s:e])]
        for tally, pred in ((system, sys_quotes), (baseline, base_quotes)):
            tally.quote_n += len(quotes)
            tally.quote_ok += sum(_exact(q, pred, text) for q in quotes)
        gold_speakers = {_key(n, aliases) for n in fields.get("speakers") or
                         {lab.speaker for lab in article.sentences if lab.speaker}}
        system.speakers_gold |= {(k, n) for n in gold_speakers}
        baseline.speakers_gold |= {(k, n) for n in gold_speakers}
        system.speakers_pred |= {(k, _key(n, aliases)) for n in to_contract(result)["speakers"]}
        baseline.speakers_pred |= {(k, _key(_baseline_speaker(m[0], article.text), aliases))
                                   for m in _SAID.finditer(article.text)}
        persons = fields.get("persons") or {}
        if persons:
            gold_people = {_key(n, aliases): off for n, off in persons.items()}
            pred_people = {_key(p.canonical, aliases): p.official for p in result.persons}
            system.people_gold |= {(k, n) for n in gold_people}
            system.people_pred |= {(k, n) for n in pred_people}
            baseline.people_gold |= {(k, n) for n in gold_people}
            baseline.people_pred |= {(k, _key(e.text.strip(), aliases)) for e in bare(article.text).ents
                                     if e.label_ == "PERSON"}
            for n, off in gold_people.items():
                if off is not None and n in pred_people:
                    system.official_n += 1
                    system.official_ok += pred_people[n] == off
        if fields.get("pub_date"):
            gold_date = fields["pub_date"]
            gold_date = gold_date if isinstance(gold_date, dt.date) else dt.date.fromisoformat(str(gold_date))
            system.date_n += 1
            system.date_ok += bool(result.pub_date and abs((result.pub_date - gold_date).days) <= DATE_DAYS)
        if "issues_discussed" in article.article:
            # baseline: every issue the article is tagged with at all counts as discussed
            contract = to_contract(result)
            for tally, issues in ((system, contract["issues_discussed"]), (baseline, contract["issues"])):
                tally.discussed_gold |= {(k, i) for i in article.article["issues_discussed"]}
                tally.discussed_pred |= {(k, i) for i in issues}
        if fields.get("visit"):
            system.visit_n += 1
            system.visit_ok += result.visit == fields["visit"]
        if fields.get("outlet"):
            for tally, guess in ((system, result.outlet), (baseline, baseline_outlet(article.text))):
                tally.outlet_n += 1
                tally.outlet_ok += outlet_matches(fields["outlet"], guess)
            if not outlet_matches(fields["outlet"], result.outlet):
                system.outlet_failures.append({"file": article.file, "label": fields["outlet"], "system": result.outlet})
    return {"system": system.result(), "baseline": baseline.result(), "failures": system.failures,
            "outlet_failures": system.outlet_failures}


def _own_fields(article: LabelledText) -> dict:
    a = article.article
    out = {k: a[k] for k in ("speakers", "pub_date", "visit", "outlet") if a.get(k)}
    if a.get("persons"):
        out["persons"] = {p["name"]: p.get("official") for p in a["persons"]}
    return out


ROWS = ("speaker_accuracy", "quote_span_exact", "recalled.precision", "recalled.recall", "recalled.when_accuracy",
        "speakers_f1", "people_f1", "official_accuracy", "date_within_3_days", "visit_accuracy", "issues_discussed_f1",
        "outlet_accuracy", "speaker_sentences", "quotes", "outlets")


def format_table(scores: dict) -> str:
    """Rows = metrics; columns = system | "NAME said" baseline per set."""
    sets = list(scores)
    head = f"{'voices (development sets)':<30}" + "".join(f"{s + ' ' + k:>17}" for s in sets for k in ("system", "baseline"))
    lines = [head, "-" * len(head)]
    for row in ROWS:
        cells = []
        for s in sets:
            for kind in ("system", "baseline"):
                v = scores[s][kind]
                for part in row.split("."):
                    v = v.get(part) if isinstance(v, dict) else None
                cells.append(f"{'-' if v is None else (f'{v:.3f}' if isinstance(v, float) else str(v)):>17}")
        lines.append(f"{row:<30}" + "".join(cells))
    return "\n".join(lines)
