"""Article metadata from the text itself: publication date, visit and title (the outlet: core.ingest.outlets).

The publication date is decided in two tiers.

1. A stamp the article makes about itself: a labelled line ("Published: 2023-07-08",
   "Updated 3:04 AM EDT, Sat July 22, 2023"), a wire dateline ("WASHINGTON, June 19
   (Reuters) -", "BEIJING, April 26, 2024 —") or a Chinese-media timestamp near the top
   ("2024-04-26 10:32"). A bare date alone above the headline is NOT such a stamp: it is as
   often the day the page was captured or printed, so core.ingest.clean removes it as furniture and
   hands it here as a candidate (CleanedText.page_dates), weighed after the content (3.).
2. Otherwise the content: the dated events the article mentions. Catalogued visits
   (seeds/visits.yaml) are recognised by their lead's name in a sentence and told apart by the
   article's weekdays ("Mr. Xi told Mr. Blinken on Monday" fits a Sunday-Monday visit, not a
   Wednesday-Friday one), months, years and keywords; explicit dates get their missing year
   from those events. The latest event the article speaks of in the past tense is a lower
   bound, upcoming ones an upper bound, and relative words in the same clause ("this week",
   "last week", "earlier this month", "yesterday") narrow the window. A weekday that matches
   none of the dated events is taken as a recent day after the latest of them (wire style:
   weekdays for the last seven days, dates for older events). The day chosen in the window:
   the day of the latest event when the text names it by weekday or 'today' and never says
   'this week' / 'last week' / 'yesterday' (wire style); the window's second day when the
   text places events in a week; else the earliest day (news follows what it reports).
3. A date in the headline ("Press Briefing – October 26, 2023") is the document's date unless
   the content reports a later event. A date alone on a top line is the publication date when
   the content agrees: on or after the latest event it reports as past and at most
   PAGE_DATE_DAYS after it, before any upcoming one (or, with no dated event, moderately);
   otherwise it is a capture or print date, and the evidence says which.

Confidence reflects the tier: a labelled stamp ~0.95, a dateline or headline date ~0.9, a
top-line date the content agrees with 0.85 (0.6 when nothing dated checks it), a catalogued
event plus a relative word ~0.75, an explicit date alone ~0.45, only a month ~0.15, nothing -> None.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from functools import lru_cache
from pathlib import Path

from core.catalogs import CATALOG_FILES, Visit, load_visits
from core.model import CleanedText, DateGuess, VisitGuess
from core.paths import seeds_dir

# --- date grammar (also used by core.ingest.clean to recognise page-date lines) ---------------------

_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august",
                "september", "october", "november", "december")
MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
         r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
FULL_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
WEEKDAY = r"(?:Mon|Tue(?:s)?|Wed(?:nes)?|Thu(?:rs)?|Fri|Sat(?:ur)?|Sun)(?:day)?\.?"
_WD_FULL = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_YEAR = r"(?:19|20)\d{2}"
# One explicit date; the named groups say which form matched. A weekday may precede it
# ("Sat July 22, 2023", "Friday (April 26)").
DATE = (
    rf"(?:(?P<wd>{WEEKDAY})\s*[,(]?\s*)?(?:"
    rf"(?P<m1>{MONTH})\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y1>{_YEAR})\b)?"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{MONTH}),?\s+(?P<y2>{_YEAR})\b"
    rf"|(?P<y3>{_YEAR})[-/.](?P<m3>\d{{1,2}})[-/.](?P<d3>\d{{1,2}})\b"
    rf"|(?P<y4>{_YEAR})年(?P<m4>\d{{1,2}})月(?P<d4>\d{{1,2}})日"
    rf"|(?<![\d/])(?P<m5>\d{{1,2}})/(?P<d5>\d{{1,2}})/(?P<y5>20\d\d|\d\d)\b(?!/))"  # US numeric: 06/23/23
)
DATE_RE = re.compile(DATE)
TIME_RE = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\b")
# A line that is only a date (optionally "date:" or a capture verb before it, no time of day).
PAGE_DATE_RE = re.compile(
    rf"^\s*(?:(?:date|captured|accessed|retrieved|printed|downloaded|saved|archived)(?:\s+on)?\s*:?\s*)?"
    rf"{DATE}\s*\)?\s*$", re.IGNORECASE)
# A line in which the article states its own publication time.
STAMP_LABEL_RE = re.compile(
    r"^\s*(?:(?:(?:first\s+)?published|posted|(?:last\s+)?updated|date\s+published|publication\s+date"
    r"|released)\b|issue\s*(?:no\.?\s*|#)\s*\d+\s*[·|,–-])(?:\s+(?:on|at))?\s*[:|-]?\s*(?P<rest>.*)$", re.IGNORECASE)
_DATELINE_RE = re.compile(
    rf"^\s*[A-Z][A-Za-z.'’ -]{{1,40}}?,\s+{DATE}\s*(?:\((?P<agency>[^)]{{2,30}})\)\s*)?(?:--|[-–—:])")
_TIMESTAMP_RE = re.compile(rf"{DATE}\s+(?:\d{{1,2}}:\d{{2}})")

_ABBR = {name[:3]: i + 1 for i, name in enumerate(_MONTH_NAMES)}


def _month(token: str) -> int:
    token = token.strip(".").lower()
    return int(token) if token.isdigit() else _ABBR[token[:3]]


def _weekday(token: str | None) -> int | None:
    if not token:
        return None
    token = token.strip(".").lower()[:3]
    return next(i for i, name in enumerate(_WD_FULL) if name.startswith(token))


@dataclass(frozen=True)
class DateMention:
    """An explicit date in the text. year None: the text gave month and day only."""

    start: int
    end: int
    month: int
    day: int
    year: int | None
    weekday: int | None
    text: str

    def on(self, year: int) -> dt.date | None:
        try:
            return dt.date(year, self.month, self.day)
        except ValueError:
            return None


def find_dates(text: str) -> list[DateMention]:
    """Every explicit day-precision date in the text, in order."""
    out = []
    for m in DATE_RE.finditer(text):
        g = m.groupdict()
        for k in "12345":
            if g.get("m" + k):
                month_raw, day, year = g["m" + k], int(g["d" + k]), g["y" + k]
                break
        if year and len(year) == 2:
            year = "20" + year
        try:
            month = _month(month_raw)
        except (KeyError, ValueError):
            continue
        if not (1 <= month <= 12 and 1 <= day <= 31):
            continue
        out.append(DateMention(m.start(), m.end(), month, day, int(year) if year else None,
                               _weekday(g.get("wd")), m.group(0).strip(" ,(")))
    return out


def _resolve(mention: DateMention, year: int | None) -> dt.date | None:
    """The mention's date; a missing year comes from `year`, nudged so a given weekday fits."""
    if mention.year:
        return mention.on(mention.year)
    if year is None:
        return None
    if mention.weekday is not None:
        for y in (year, year - 1, year + 1):
            d = mention.on(y)
            if d and d.weekday() == mention.weekday:
                return d
    return mention.on(year)


# --- tier 1: stamps ----------------------------------------------------------------------------


def _stamp(text: str) -> tuple[DateMention, float, str] | None:
    """A publication stamp in the first lines: (date mention, confidence, what it was)."""
    head = [ln for ln in text.split("\n")[:8] if ln.strip()][:5]
    for line in head:
        label = STAMP_LABEL_RE.match(line)
        if label:
            found = find_dates(label.group("rest"))
            if found:
                return found[0], 0.95, f"publication label {line.strip()[:80]!r}"
    for line in head:
        m = _DATELINE_RE.match(line)
        if m:
            found = find_dates(m.group(0))
            if found:
                return found[0], 0.9, f"dateline {m.group(0).strip()!r}"
    for line in head[:3]:
        m = _TIMESTAMP_RE.search(line)
        if m:
            return find_dates(m.group(0))[0], 0.85, f"timestamp {m.group(0)!r} at the top"
    return None


# --- tier 2: content ---------------------------------------------------------------------------

_SENT_SPLIT = re.compile(r"(?<=[.!?])[”\"’)]?\s+(?=[“\"‘(A-Z])|\n+")
_CLAUSE_SPLIT = re.compile(r"\s[–—-]{1,2}\s|;")
_TENSE_SPLIT = re.compile(r",|\s[–—-]{1,2}\s|;")  # a date's tense is read in its own comma clause
_FUTURE = re.compile(
    r"\b(?:will|is|are)\s+(?:expected|scheduled|set|due|slated)\s+to\b|\bwill\s+\w+|\bplans?\s+to\b"
    r"|\bis\s+planning\b|\bhopes?\s+to\b|\bupcoming\b|\bahead\s+of\b|\bnext\s+(?:week|month|year)\b"
    r"|\blater\s+this\b|\bmay\s+(?:visit|meet|travel|attend|host)\b|\bin\s+the\s+coming\b", re.I)
_WEEKDAY_WORD = re.compile(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)(?:['’]s)?\b")
_MONTH_WORD = re.compile(rf"(?:\b(?:in|since|last|early|late|mid|of|until|by|from|this|next)[- ]"
                         rf"(?P<a>{FULL_MONTH})\b|\b(?P<b>{FULL_MONTH})(?=\s+(?:\d|{_YEAR})))")
_YEAR_WORD = re.compile(rf"\b({_YEAR})\b")
_EVENT_YEAR = re.compile(rf"(?<!since )(?<!since early )(?<!since late )\b({_YEAR})\b")  # 'since 2018' is a span
_PLACE_WORD = re.compile(r"\b(?:in|at|to)\s+([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)")
# Places that say nothing about which visit is meant (the two countries themselves).
_GENERIC_PLACES = {"china", "the", "america", "us", "u", "asia", "east", "west", "chinese", "american"}
# Words that make a sentence about a lead a sentence about a trip or a meeting.
_TRIP_CUE = re.compile(r"\b(?:visit\w*|trip|travel\w*|arriv\w*|tour\w*|talks|discussions?|met|meet\w*"
                       r"|delegation|summit|depart\w*|wrapped up|landed|hosted)\b", re.I)
_RELATIVE = [  # (pattern, kind) - kinds are interpreted by _window
    (r"\byesterday\b", "yesterday"),
    (r"\bearlier\s+this\s+week\b", "earlier_week"),
    (r"\bthis\s+(?:past\s+)?week\b", "this_week"),
    (r"\blast\s+week\b", "last_week"),
    (r"\bearlier\s+this\s+month\b", "earlier_month"),
    (r"\bthis\s+month\b", "this_month"),
    (r"\blast\s+month\b", "last_month"),
    (r"\b(?:earlier\s+)?this\s+year\b", "this_year"),
    (r"\blast\s+year\b", "last_year"),
    (r"\brecent(?:ly)?\b", "recent"),
]
_RELATIVE_RE = [(re.compile(p, re.I), k) for p, k in _RELATIVE]
_WORD_RE = r"(?<![\w-]){}(?![\w-])"


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENT_SPLIT.split(text) if s and s.strip()]


@functools.lru_cache(maxsize=4096)
def _phrase_re(phrase: str) -> re.Pattern:
    return re.compile(_WORD_RE.format(re.escape(phrase)))


def _has(phrase: str, text: str) -> bool:
    return _phrase_re(phrase).search(text) is not None


def _lead_patterns(lead: str, text: str) -> list[re.Pattern]:
    """How a lead is named: the full name, plus the short form the text itself uses. Whether
    that is the last word ('Blinken') or the first ('Xi' of Xi Jinping, Chinese order) is read
    from the text: whichever part occurs on its own more often. A first-word short form must
    not run into another given name ('Wang' of Wang Yi is not 'Wang Wenbin')."""
    pats = [re.compile(_WORD_RE.format(re.escape(lead)))]
    parts = lead.split()
    if len(parts) < 2:
        return pats
    first, last = re.escape(parts[0]), re.escape(parts[-1])
    rest = re.escape(" ".join(parts[1:]))
    first_alone = re.compile(_WORD_RE.format(first) + rf"(?!\s+(?:{rest}|[A-Z][a-z]))")
    last_alone = re.compile(rf"(?<!{first}\s)" + _WORD_RE.format(last))
    n_first, n_last = len(first_alone.findall(text)), len(last_alone.findall(text))
    if n_first or n_last:
        pats.append(first_alone if n_first > n_last else last_alone)
    return pats


# A month given as a limit ("before Biden leaves office in January", "until March") is not the
# month of the event the sentence reports.
_MONTH_LIMIT = re.compile(rf"\b(?:before|until|till|by|ahead of)\b[^,.;]{{0,40}}?\b{FULL_MONTH}\b")


def _months_years(sentence: str) -> tuple[set[int], set[int]]:
    sentence = _MONTH_LIMIT.sub(" ", sentence)
    months = {_MONTH_NAMES.index((m.group("a") or m.group("b")).lower()) + 1
              for m in _MONTH_WORD.finditer(sentence)}
    months |= {d.month for d in find_dates(sentence)}
    return months, {int(y) for y in _EVENT_YEAR.findall(sentence)}


def _visit_days(v: Visit) -> list[dt.date]:
    return [v.start + dt.timedelta(days=i) for i in range((v.end - v.start).days + 1)]


def _places_in(sentence: str) -> set[str]:
    """Capitalised words after 'in'/'at' that are not months, weekdays or the two countries."""
    found = {p.lower() for p in _PLACE_WORD.findall(sentence)}
    return {p for p in found if p not in _GENERIC_PLACES and p.split()[0] not in _MONTH_NAMES
            and p.split()[0] not in _WD_FULL}


@dataclass
class EventMatch:
    """A catalogued visit the article speaks of, with the sentences that name it."""

    visit: Visit
    score: float
    sentences: list[str]
    leads: list[re.Pattern]
    future: bool
    why: list[str]

    def names_lead(self, text: str) -> bool:
        return any(p.search(text) for p in self.leads)


def _sentence_names(v: Visit, s: str, leads_here: list[str], others: list[str]) -> bool:
    """Whether sentence s, naming leads_here of v's leads, speaks of visit v: a lead is named with
    a second lead, a place, a keyword or a trip word (a visit with several leads needs more than a
    trip word), and no month, year or place in s rules v out."""
    if not leads_here:
        return False
    if len(v.leads) > 1 and len(leads_here) < 2 and not any(_has(o, s) for o in others):
        return False
    if len(leads_here) < 2 and not _TRIP_CUE.search(s) and not any(_has(o, s) for o in others):
        return False
    days = _visit_days(v)
    months, years = _months_years(s)
    if months and not months & {d.month for d in days}:
        return False
    if years and not years & {d.year for d in days}:
        return False
    places = _places_in(s)
    return not (places and v.places and not any(_has(p, s) for p in v.places))


def match_visits(text: str, visits: list[Visit], prune: bool = True) -> list[EventMatch]:
    """Catalogued visits the text speaks of, scored: sentences naming them, keywords, places
    named next to the lead, weekdays and dates that fall in the visit (+) or not (-), the
    visit's month named in the text.
    prune: drop readings the text alone does not support (see _coherent); a caller that knows
    the publication date lets the date choose instead."""
    sents = sentences(text)
    # Each lead is looked for once per sentence, not once per visit it leads (linear in the text).
    patterns = {lead: _lead_patterns(lead, text) for v in visits for lead in v.leads}
    named = {lead: [any(p.search(s) for p in pats) for s in sents] for lead, pats in patterns.items()}
    out = []
    for v in visits:
        if v.start is None or not v.leads:
            continue
        days = _visit_days(v)
        flat = [p for lead in v.leads for p in patterns[lead]]
        others = [k for k in (*v.places, *v.keywords) if not any(p.search(k) for p in flat)]
        hits = [s for i, s in enumerate(sents)
                if _sentence_names(v, s, [lead for lead in v.leads if named[lead][i]], others)]
        if not hits:
            continue
        weekdays = {w.lower() for s in hits for w in _WEEKDAY_WORD.findall(s)}
        in_visit = {_WD_FULL[d.weekday()] for d in days}
        ok, bad = sorted(weekdays & in_visit), sorted(weekdays - in_visit)
        dated = sum(1 for s in hits for m in find_dates(s) if any(m.on(d.year) == d for d in days))
        keywords = sorted({k for k in (*v.places, *v.keywords) if _has(k, text)})
        month_named = re.search(rf"\b{_MONTH_NAMES[v.start.month - 1]}\b", text, re.I) is not None
        places_by_lead = sum(1 for p in v.places if any(_has(p, s) for s in hits))  # 'Yellen in Guangzhou'
        score = (min(len(hits), 5) + len(keywords) + places_by_lead + 2 * len(ok) - 2 * len(bad)
                 + 3 * dated + month_named)
        future = sum(bool(_FUTURE.search(s)) for s in hits) * 2 > len(hits)
        why = [f"{len(hits)} sentence(s) name {' and '.join(v.leads)}"]
        if keywords:
            why.append("keywords " + ", ".join(keywords))
        if ok:
            why.append("weekday(s) " + ", ".join(w.title() for w in ok) + " fall in the visit")
        if bad:
            why.append("weekday(s) " + ", ".join(w.title() for w in bad) + " do not")
        if dated:
            why.append("a date in the visit")
        out.append(EventMatch(v, score, hits, flat, future, why))
    _repeat_visits(out)
    return _coherent(out) if prune else out


_EARLIER_VISIT = re.compile(r"\b(?:first|last|previous|earlier) (?:visit|trip)\b|\blast met\b|\b(?:visit|trip) (?:in|last) "
                            r"(?:January|February|March|April|May|June|July|August|September|October|November|December)\b",
                            re.I)


def _repeat_visits(matches: list[EventMatch]) -> None:
    """A lead's visit the text calls earlier ("Yellen's first visit, in July 2023") is the
    background of a later visit by the same lead that the text also names: that one gains, the
    earlier one loses."""
    for m in matches:
        if not any(_EARLIER_VISIT.search(s) for s in m.sentences):
            continue
        later = [o for o in matches if o.visit.start > m.visit.start and set(o.visit.leads) & set(m.visit.leads)]
        if later:
            m.score -= 3
            m.why.append("called an earlier visit")
            for o in later:
                o.score += 3
                o.why.append(f"the text calls {m.visit.name} an earlier visit")


def _coherent(matches: list[EventMatch]) -> list[EventMatch]:
    """Drop readings the article does not support.

    Visits by the same lead are rivals for the same words: the best-scoring one stays, and on
    a near tie the one closest in time to the article's main (best-scoring) event; a rival
    survives when one of its own sentences names its month. A visit after the main event that
    is only named in passing (under half the main event's score) is dropped too: a foreign
    minister named in every article must not drag the date past the story it is in.
    """
    if not matches:
        return []
    main = max(matches, key=lambda m: m.score)

    def gap(m: EventMatch) -> int:
        return abs((m.visit.start - main.visit.start).days)

    kept = []
    for m in matches:
        rivals = [r for r in matches if r is not m and set(r.visit.leads) & set(m.visit.leads)]
        beaten = any(r.score >= m.score + 2 or (abs(r.score - m.score) < 2 and (gap(r), -r.score) < (gap(m), -m.score))
                     for r in rivals)
        if beaten and not any(_months_years(s)[0] for s in m.sentences):
            continue
        if m.visit.start > main.visit.end and m.score * 2 < main.score:
            continue
        kept.append(m)
    return kept


@dataclass
class _Anchor:
    """A dated event the article mentions: days it covers, the day meant, where it is named."""

    date: dt.date
    days: list[dt.date]
    label: str
    clauses: list[str]
    names: list[re.Pattern]  # how the text names it (lead names, or the date as written)
    pinned: bool = False  # the text gives its day by weekday or 'today'


def _clauses(sentence: str) -> list[str]:
    return [c for c in _CLAUSE_SPLIT.split(sentence) if c.strip()]


def _window(kind: str, d: dt.date) -> tuple[dt.date, dt.date]:
    """The publication days a relative word allows, given the day of the event it describes."""
    day = dt.timedelta(days=1)
    monday = d - dt.timedelta(days=d.weekday())
    month_start = d.replace(day=1)
    next_month = (month_start + dt.timedelta(days=32)).replace(day=1)
    if kind == "yesterday":
        return d + day, d + day
    if kind in ("this_week", "earlier_week"):
        return d + day * (2 if kind == "earlier_week" else 1), monday + 6 * day
    if kind == "last_week":
        return monday + 7 * day, monday + 13 * day
    if kind in ("this_month", "earlier_month"):
        return d + day * (2 if kind == "earlier_month" else 1), next_month - day
    if kind == "last_month":
        return next_month, (next_month + dt.timedelta(days=32)).replace(day=1) - day
    if kind == "this_year":
        return d + day, dt.date(d.year, 12, 31)
    if kind == "last_year":
        return dt.date(d.year + 1, 1, 1), dt.date(d.year + 1, 12, 31)
    return d + day, d + 21 * day  # recent


@lru_cache(maxsize=8)
def _catalog_visits(path: str, mtime: float) -> list[Visit]:
    return load_visits(Path(path))


def shipped_visits() -> list[Visit]:
    """The visit catalogue in the seeds folder (re-read when the file changes)."""
    path = seeds_dir() / CATALOG_FILES["visits"]
    return _catalog_visits(str(path), path.stat().st_mtime if path.exists() else 0.0)


PAGE_DATE_DAYS = 14  # a date printed alone at the top this long after the latest reported event can be the publication day
# Words that place the reported events in a week ("this week", "last week", "yesterday"): an
# article that uses them was not written in wire style on the day of the event.
_WEEK_WORDS = re.compile(r"\b(?:yesterday|this\s+(?:past\s+)?week|last\s+week)\b", re.I)
_TODAY = re.compile(r"\btoday\b", re.I)
_TODAY_IS = re.compile(r"\btoday,?\s+(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
                       r"|\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),?\s+today\b", re.I)


@dataclass
class _Reading:
    """What the content says: the day it chooses, and the bounds a printed date is checked against."""

    guess: DateGuess
    year: int | None
    latest: dt.date | None = None  # latest dated event reported in the past (its day, or last day)
    latest_first: dt.date | None = None  # ... its first possible day (a visit's first day, unless pinned)
    latest_label: str = ""
    upcoming: dt.date | None = None  # first dated event still ahead
    upcoming_label: str = ""
    floor: dt.date | None = None  # only a month is dated: the first day of the latest one
    recent: bool = False  # the text dates its latest event as recent (a weekday, 'today', a relative word)


def infer_pub_date(text: str, title: str | None = None, visits: list[Visit] | None = None,
                   page_dates: list[str] | tuple = (), reprint: str | None = None) -> DateGuess:
    """Publication date of an article from its (cleaned) text; see the module docstring.

    text: the analysed text (core.ingest.clean output: furniture such as capture dates removed);
    title: the headline, searched too (a date in it is the document's date);
    visits: the event catalogue (default: seeds/visits.yaml);
    page_dates: dates printed alone on a top line (CleanedText.page_dates), accepted only when
    the content agrees with them;
    reprint: the outlet a reprinted page credits (core.ingest.outlets): the page's own "Published:"
    label is then the reprinting site's date, weighed after the story's content.
    """
    if title and CAPTURE_LINE.search(title):
        title = None  # the page's print line, not its headline
    text = "\n".join("" if CAPTURE_LINE.search(line) else line for line in text.split("\n"))
    page_dates = [line for line in page_dates if not CAPTURE_LINE.search(line)]
    body = f"{title}\n{text}" if title and title not in text else text
    stamp = _stamp(body)
    # the content is read without the page's own stamp lines: a stamp is checked against it, not part of it
    content = "\n".join("" if STAMP_LABEL_RE.match(line) else line for line in body.split("\n"))
    reading = _from_content(content, shipped_visits() if visits is None else visits)
    if stamp and stamp[0].year:
        mention, conf, what = stamp
        d = mention.on(mention.year)
        loses = _stamp_loses(d, what, reading, reprint)
        if not loses:
            return DateGuess(d, conf, f"{what} says {mention.text}")
        if reading.guess.date:
            g = reading.guess
            return DateGuess(g.date, g.confidence, f"{g.evidence}; {what} ({mention.text}) not taken: {loses}")
        return DateGuess(d, conf - 0.3, f"{what} says {mention.text} ({loses}, but nothing else dates the page)")
    if stamp:
        mention, conf, what = stamp
        d = _resolve(mention, reading.year)
        if d:
            return DateGuess(d, conf - 0.1, f"{what} says {mention.text}; year {reading.year} from the content")
    return _printed_date(title, page_dates, reading)


def _stamp_loses(d: dt.date, what: str, reading: "_Reading", reprint: str | None) -> str | None:
    """Why a publication label must give way to the content (None: it stands). A reprint's label is
    the reprinting site's; a label more than PAGE_DATE_DAYS after the latest event of a text that
    dates its events as recent (a weekday, "today", "this week") is a later repost's or update's.
    Datelines and timestamps are the story's own and always stand."""
    if not what.startswith("publication label") or reading.guess.date is None:
        return None
    if reprint:
        return f"the page reprints {reprint}, so its label is the reprinting site's date"
    if reading.latest and reading.recent and (d - reading.latest).days > PAGE_DATE_DAYS:
        return (f"{(d - reading.latest).days} days after {reading.latest_label} ({reading.latest}), which the "
                f"content reports as recent: a later repost's or update's stamp")
    return None


# A browser's print or capture line, a later repost's or the site's own stamp ("Reposted on ...",
# "Last modified ...", "Page generated ...", "Updated 4 minutes ago"): never the headline, never the date.
CAPTURE_LINE = re.compile(r"^\s*(?:printed|captured|retrieved|accessed|downloaded|saved|archived|generated"
                          r"|(?:page|pdf) generated|re-?posted|republished on|last modified|modified on)\b|"
                          r"\bupdated \d+ \w+ ago\b", re.I)


def _printed_date(title: str | None, page_dates, reading: _Reading) -> DateGuess:
    """A date in the headline ("Press Briefing – October 26, 2023") is the document's date unless
    the content reports a later event; a date alone on a top line is the publication date only
    when the content agrees (see _check_page_date), else it is a capture or print date."""
    notes = []
    if title and not _FUTURE.search(title):
        for m in find_dates(title):
            d = _resolve(m, reading.year)
            if d is None:
                continue
            if reading.latest_first and d < reading.latest_first:
                notes.append(f"headline date {m.text!r} ignored: the content reports "
                             f"{reading.latest_label} from {reading.latest_first}")
                continue
            return DateGuess(d, 0.9, f"date in the headline {title.strip()[:80]!r}")
    for line in page_dates:
        found = find_dates(line)
        d = _resolve(found[0], reading.year) if found else None
        if d is None:
            continue
        conf, why = _check_page_date(d, reading)
        if conf:
            return DateGuess(d, conf, f"date alone on a top line {line.strip()!r} taken as the "
                                      f"publication date: {why}")
        notes.append(f"date alone on a top line {line.strip()!r} rejected as a capture or print date: {why}")
    g = reading.guess
    return DateGuess(g.date, g.confidence, "; ".join([g.evidence, *notes])) if notes else g


def _check_page_date(d: dt.date, r: _Reading) -> tuple[float, str]:
    """(confidence, why) for a top-line date d against the content; confidence 0 = rejected."""
    if r.upcoming and d >= r.upcoming:
        return 0.0, f"on or after {r.upcoming_label} ({r.upcoming}), which the content says is still ahead"
    if r.latest:
        gap = (d - r.latest).days
        if d < r.latest_first:
            return 0.0, f"before {r.latest_label} ({r.latest_first}), which the content reports as past"
        if gap < 0:
            return 0.85, f"during {r.latest_label} ({r.latest_first} to {r.latest}), which the content reports"
        if gap > PAGE_DATE_DAYS:
            return 0.0, (f"{gap} days after the latest event the content reports ({r.latest_label}, "
                         f"{r.latest}); more than {PAGE_DATE_DAYS}")
        return 0.85, f"{gap} day(s) after the latest event the content reports ({r.latest_label}, {r.latest})"
    if r.floor and d < r.floor:
        return 0.0, f"before {r.floor:%B %Y}, which the content mentions"
    return 0.6, "the content mentions no dated event to check it against"


def _from_content(text: str, visits: list[Visit]) -> _Reading:
    """Tier 2: the window the dated events allow, and the day chosen in it (see _pick)."""
    events = match_visits(text, visits)
    main = max(events, key=lambda m: m.score) if events else None
    years = [int(y) for y in _YEAR_WORD.findall(text)]
    year = main.visit.end.year if main else (max(years) if years else None)
    past, future = _anchors(text, events, year)
    if not past and not future:
        g = _month_only(text)
        return _Reading(g, year, floor=g.date)
    named_today = _TODAY_IS.search(text)
    if named_today:  # "arrives in Washington today, Thursday": the day of the event that falls on it
        wd = _WD_FULL.index((named_today.group(1) or named_today.group(2)).lower())
        day, a = next(((d, a) for a in (*past, *future) for d in a.days if d.weekday() == wd), (None, None))
        if day:
            name = a.label.split(" (")[0]
            return _Reading(DateGuess(day, 0.8, f"'{named_today.group(0)}': the {_WD_FULL[wd].title()} of {name}, {day}"),
                            year, latest=day, latest_first=day, latest_label=name, recent=True)
    reasons = []
    lo = hi = None
    latest = max(past, key=lambda a: a.date) if past else None
    first = min(future, key=lambda a: a.date) if future else None
    if latest:
        lo = latest.date + dt.timedelta(days=1)
        reasons.append(f"latest past event: {latest.label} on {latest.date}")
    if first:
        hi = first.date - dt.timedelta(days=1)
        reasons.append(f"before upcoming {first.label} ({first.date})")
        lo = lo or hi - dt.timedelta(days=6)
    lo, hi, linked = _apply_relative(past, lo, hi, reasons)
    lo, weekday_day = _apply_bare_weekdays(text, past, lo, hi, reasons)
    pinned = weekday_day or (latest.date if latest and latest.pinned else None)
    day, how = _pick(text, pinned, lo, hi, linked)
    conf = 0.45 + (0.15 if events else 0.0) + (0.15 if linked else 0.0)
    reading = _Reading(DateGuess(day, conf, "; ".join(reasons) + f" -> {how}"), year,
                       recent=bool(linked or pinned))
    if weekday_day:
        reading.latest = reading.latest_first = weekday_day
        reading.latest_label = "a weekday it names"
    elif latest:
        reading.latest, reading.latest_label = latest.date, latest.label.split(" (")[0]
        reading.latest_first = latest.date if latest.pinned else min(latest.days)
    if first:
        reading.upcoming, reading.upcoming_label = first.date, first.label
    return reading


def _pick(text: str, pinned: dt.date | None, lo: dt.date, hi: dt.date | None, linked: bool):
    """The day chosen in the window [lo, hi], and why.

    A report that names the day of its latest event by weekday or 'today' ("Xi met Blinken on
    Friday") and never says 'this week', 'last week' or 'yesterday' is written that day (wire
    style). An article that places its events in a week was seldom out on the first possible
    day: on a window of three days or more the second day is taken (it is also the day whose
    ±2 days cover most of the window). Otherwise the earliest day: news follows what it reports.
    """
    week_words = _WEEK_WORDS.search(text)
    if pinned and pinned == lo - dt.timedelta(days=1) and not linked and not week_words:
        return pinned, f"report of the day it names: {pinned}"
    if week_words and (hi is None or (hi - lo).days >= 2):
        day = lo + dt.timedelta(days=1)
        return day, f"'{week_words.group(0)}': second day of the window from {lo}: {day}"
    return lo, f"earliest fitting day {lo}"


def _anchors(text: str, events: list[EventMatch], year: int | None) -> tuple[list[_Anchor], list[_Anchor]]:
    """Past and upcoming dated events: matched visits (on the weekday the article names, if
    any) and explicit dates, their missing year taken from the main event. An anchor is pinned
    when the text gives its day by weekday ("on Friday") or says it happened 'today'."""
    past, future = [], []
    for ev in sorted(events, key=lambda e: -e.score):
        v, days = ev.visit, _visit_days(ev.visit)
        clauses = [c for s in ev.sentences for c in _clauses(s) if ev.names_lead(c)]
        if ev.future:
            future.append(_Anchor(v.start, days, v.name, clauses, ev.leads))
            continue
        named = [d for s in ev.sentences for w in _WEEKDAY_WORD.findall(s) for d in days
                 if d.weekday() == _WD_FULL.index(w.lower())]
        today = any(_TODAY.search(c) for c in clauses)
        past.append(_Anchor(max(named) if named else v.end, days, f"{v.name} ({'; '.join(ev.why)})",
                            clauses, ev.leads, pinned=bool(named) or today))
    for s in sentences(text):
        for m in find_dates(s):
            d = _resolve(m, year)
            if d is not None:
                clause = next((c for c in _clauses(s) if m.text in c), s)
                part = _own_part(clause, m.text)
                pinned = m.weekday is not None or _TODAY.search(clause) is not None
                (future if _FUTURE.search(part) else past).append(
                    _Anchor(d, [d], f"'{m.text}'", [clause], [re.compile(re.escape(m.text))], pinned=pinned))
    return past, future


def _own_part(clause: str, date_text: str) -> str:
    """The comma clause a date stands in, read for its tense (a date's own comma, as in
    'June 2, 2023', does not split it)."""
    i = clause.find(date_text)
    if i < 0:
        return clause
    seps = list(_TENSE_SPLIT.finditer(clause))
    start = max((m.end() for m in seps if m.end() <= i), default=0)
    end = min((m.start() for m in seps if m.start() >= i + len(date_text)), default=len(clause))
    return clause[start:end]


def _apply_relative(past: list[_Anchor], lo, hi, reasons: list[str]):
    """Narrow the window with relative words in the same clause as a past event ('this week',
    'last month'...); a word that contradicts the window so far is reported and ignored."""
    linked = False
    ordered = sorted(past, key=lambda a: a.date, reverse=True)
    for a in ordered:
        name = a.label.split(" (")[0]
        for clause in a.clauses:
            found = next(((m, kind) for rx, kind in _RELATIVE_RE if (m := rx.search(clause))), None)
            if not found or _nearest(found, clause, past, lo, hi) is not a:
                continue
            m, kind = found
            w_lo, w_hi = _window(kind, a.date)
            n_lo, n_hi = max(lo, w_lo), (min(hi, w_hi) if hi else w_hi)
            if n_lo <= n_hi:
                if (n_lo, n_hi) != (lo, hi):
                    reasons.append(f"'{m.group(0)}' of {name} -> between {n_lo} and {n_hi}")
                lo, hi, linked = n_lo, n_hi, True
            elif a is ordered[0]:
                reasons.append(f"'{m.group(0)}' of {name} ignored: contradicts the rest")
    return lo, hi, linked


def _nearest(found, clause: str, past: list[_Anchor], lo, hi) -> _Anchor | None:
    """The past event a relative word in the clause belongs to: the one named nearest to it
    among those it fits ('visits since late last month by Blinken, Yellen and Kerry': Blinken's)."""
    m, kind = found
    best, best_gap = None, None
    for a in past:
        if clause not in a.clauses:
            continue
        w_lo, w_hi = _window(kind, a.date)
        if max(lo, w_lo) > (min(hi, w_hi) if hi else w_hi):
            continue
        for rx in a.names:
            for n in rx.finditer(clause):
                gap = min(abs(n.start() - m.start()), abs(n.end() - m.start()))
                if best_gap is None or gap < best_gap:
                    best, best_gap = a, gap
    return best


def _apply_bare_weekdays(text: str, past: list[_Anchor], lo, hi, reasons: list[str]):
    """A weekday in a past-tense sentence that is no day of any dated event is a recent day
    after the latest of them (weekdays are used for the last seven days, dates for older).
    Returns the new lower bound and the latest such day (None when none moved it)."""
    taken = None
    if not past:
        return lo, taken
    latest = max(a.date for a in past)
    known = {d.weekday() for a in past for d in a.days}
    for s in sentences(text):
        if _FUTURE.search(s):
            continue
        for w in _WEEKDAY_WORD.findall(s):
            wd = _WD_FULL.index(w.lower())
            if wd in known:
                continue
            known.add(wd)
            day = latest + dt.timedelta(days=(wd - latest.weekday()) % 7)
            if day >= lo and (hi is None or day < hi):
                lo, taken = day + dt.timedelta(days=1), day
                reasons.append(f"'{w}' is no day of a dated event: taken as {day}")
    return lo, taken


def _month_only(text: str) -> DateGuess:
    """No day-precision evidence: fall back to the latest 'Month YYYY' mentioned, weakly."""
    months = [(int(y), _MONTH_NAMES.index(m.lower()) + 1)
              for m, y in re.findall(rf"\b({FULL_MONTH})\s+({_YEAR})\b", text)]
    if months:
        y, m = max(months)
        return DateGuess(dt.date(y, m, 1), 0.15, f"only a month is dated: latest mentioned {_MONTH_NAMES[m - 1].title()} {y}")
    return DateGuess(None, 0.0, "no date, dateline or dated event found in the text")


# --- visit -------------------------------------------------------------------------------------

PREVIEW_DAYS = 14  # an article this many days before a visit that names it previews it
AFTERMATH_DAYS = 10  # ... and this many days after it still reports on it


def assign_visit(pub_date: dt.date | None, text: str, visits: list[Visit]) -> VisitGuess:
    """The catalogued visit an article belongs to: one it names, published from PREVIEW_DAYS
    before the visit starts to AFTERMATH_DAYS after it ends; else 'other'."""
    events = match_visits(text, visits, prune=pub_date is None)
    if not events:
        return VisitGuess("other", 0.6, "names no lead of a catalogued visit")
    if pub_date is None:
        best = max(events, key=lambda m: m.score)
        return VisitGuess(best.visit.id, 0.3, f"no publication date; best-named visit: {'; '.join(best.why)}")

    def gap(v: Visit) -> int:
        if v.start <= pub_date <= v.end:
            return 0
        return (pub_date - v.end).days if pub_date > v.end else (v.start - pub_date).days

    near = [m for m in events
            if -PREVIEW_DAYS <= (pub_date - m.visit.start).days and (pub_date - m.visit.end).days <= AFTERMATH_DAYS]
    if not near:
        closest = min(events, key=lambda m: gap(m.visit))
        return VisitGuess("other", 0.5, f"names {closest.visit.name}, but {pub_date} is {gap(closest.visit)} days "
                                         f"from it (window: {PREVIEW_DAYS} before to {AFTERMATH_DAYS} after)")
    best = max(near, key=lambda m: (m.score, -gap(m.visit)))
    g = gap(best.visit)
    when = ("during it" if g == 0 else f"{g} days before it" if pub_date < best.visit.start
            else f"{g} days after it")
    conf = 0.9 if g <= 3 else 0.7
    return VisitGuess(best.visit.id, conf, f"published {when}; {'; '.join(best.why)}")


# --- title --------------------------------------------------------------------------------

_TITLE_SUFFIX = re.compile(r"\s+[|–—-]\s+[A-Z][\w .&'’-]{1,40}$")


def infer_title(cleaned: CleanedText) -> str | None:
    """The headline core.ingest.clean found, without a trailing ' | Outlet' / ' - Outlet' suffix."""
    if not cleaned.title:
        return None
    return _TITLE_SUFFIX.sub("", cleaned.title).strip() or cleaned.title
